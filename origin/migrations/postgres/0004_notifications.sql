-- Notifications: payment requests, receipts and merchant notices by email and SMS, rendered
-- from templates and queued in the transaction of the change that causes them, then sent by
-- the notification worker (at least once, retried on transient failures).

-- Who a link is for: the payment request goes to them, the receipt to their email.
ALTER TABLE links ADD COLUMN customer_email TEXT;
ALTER TABLE links ADD COLUMN customer_phone TEXT;
ALTER TABLE links ADD COLUMN customer_name TEXT;

-- One row per merchant once they change a setting; no row means the defaults (all kinds on,
-- no notice address).
CREATE TABLE notification_settings (
    merchant_id              TEXT PRIMARY KEY REFERENCES merchants(id),
    payment_request_enabled  INTEGER NOT NULL DEFAULT 1,
    receipt_enabled          INTEGER NOT NULL DEFAULT 1,
    merchant_notice_enabled  INTEGER NOT NULL DEFAULT 1,
    -- Where merchant notices go; none are sent without it.
    notice_email             TEXT,
    updated_at               BIGINT NOT NULL
);

-- A merchant's own template for one kind and channel in one locale; without a row the
-- built-in default is used. SMS templates use only `text_body`.
CREATE TABLE notification_templates (
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    -- email_payment_request | email_receipt | email_merchant_notice | sms_payment_request
    name         TEXT NOT NULL,
    -- ja | en
    locale       TEXT NOT NULL,
    subject      TEXT,
    text_body    TEXT NOT NULL,
    html_body    TEXT,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, name, locale)
);

CREATE TABLE notifications (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL REFERENCES merchants(id),
    livemode             INTEGER NOT NULL,
    -- payment_request | receipt | merchant_notice
    kind                 TEXT NOT NULL,
    -- email | sms
    channel              TEXT NOT NULL,
    recipient            TEXT NOT NULL,
    locale               TEXT NOT NULL,
    -- Rendered when queued, so a later template edit does not change a queued message.
    subject              TEXT,
    text_body            TEXT NOT NULL,
    html_body            TEXT,
    -- SMS: segments and gsm7 | ucs2, as counted when queued.
    segments             INTEGER,
    encoding             TEXT,
    link_id              TEXT,
    charge_id            TEXT,
    -- pending | sent | failed
    status               TEXT NOT NULL,
    attempts             INTEGER NOT NULL DEFAULT 0,
    next_attempt_at      BIGINT NOT NULL,
    locked_until         BIGINT,
    last_error           TEXT,
    provider_message_id  TEXT,
    created_at           BIGINT NOT NULL,
    sent_at              BIGINT
);
CREATE INDEX notifications_due ON notifications(status, next_attempt_at);
CREATE INDEX notifications_merchant_created ON notifications(merchant_id, created_at);
CREATE INDEX notifications_link ON notifications(link_id);
