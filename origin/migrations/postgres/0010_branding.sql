-- A merchant's pay-page branding. No row means linkpay's default look. The default locale
-- lives in merchants.default_locale (it also sets new links' language).
CREATE TABLE merchant_branding (
    merchant_id      TEXT PRIMARY KEY REFERENCES merchants(id),
    display_name     TEXT,
    logo_url         TEXT,
    primary_color    TEXT,
    background_color TEXT,
    text_color       TEXT,
    support_email    TEXT,
    support_phone    TEXT,
    support_url      TEXT,
    -- standard | compact | centered
    layout           TEXT NOT NULL,
    updated_at       BIGINT NOT NULL
);
