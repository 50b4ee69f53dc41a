-- Return URLs (the signed redirect back to the merchant), the one a link names, and the
-- buyer's email from the pay page.

CREATE TABLE return_urls (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    url         TEXT NOT NULL,
    -- get | post
    method      TEXT NOT NULL,
    description TEXT,
    -- rsec_…: the HMAC key of the redirect's signature, so it is kept as it is (like
    -- webhook secrets) rather than hashed.
    secret      TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);
CREATE INDEX return_urls_merchant ON return_urls(merchant_id, created_at);

-- No foreign key: deleting a return URL leaves its links, whose buyers then see the edge's
-- result page.
ALTER TABLE links ADD COLUMN return_url_id TEXT;

ALTER TABLE charges ADD COLUMN buyer_email TEXT;
