-- Webhook endpoints managed by API (event filter, description, disabling, secret rotation),
-- every delivery attempt kept for the merchant to see, and the once-only link.expired event.

-- JSON array of event types, or ["*"] for all.
ALTER TABLE webhook_endpoints ADD COLUMN enabled_events TEXT NOT NULL DEFAULT '["*"]';
ALTER TABLE webhook_endpoints ADD COLUMN description TEXT;
-- Why the endpoint was disabled: 'gone' (it answered 410) or 'merchant'.
ALTER TABLE webhook_endpoints ADD COLUMN disabled_reason TEXT;
-- After a rotation the old secret also signs until it expires, so receivers can switch over.
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret TEXT;
ALTER TABLE webhook_endpoints ADD COLUMN previous_secret_expires_at INTEGER;
-- Deleted endpoints stay as rows so their deliveries and attempts remain readable.
ALTER TABLE webhook_endpoints ADD COLUMN deleted_at INTEGER;
CREATE INDEX webhook_endpoints_merchant ON webhook_endpoints(merchant_id, created_at);

CREATE TABLE webhook_attempts (
    id           TEXT PRIMARY KEY,
    delivery_id  TEXT NOT NULL REFERENCES webhook_deliveries(id),
    attempted_at INTEGER NOT NULL,
    -- The receiver's status code, or NULL when no answer came (then error says why).
    status_code  INTEGER,
    error        TEXT,
    duration_ms  INTEGER NOT NULL
);
CREATE INDEX webhook_attempts_delivery ON webhook_attempts(delivery_id, attempted_at);

CREATE INDEX events_merchant_created ON events(merchant_id, created_at, id);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries(event_id);

-- Set once, in the transaction that records link.expired, so the event is sent exactly once
-- however many origin instances sweep.
ALTER TABLE links ADD COLUMN expiry_announced INTEGER NOT NULL DEFAULT 0;
CREATE INDEX links_unannounced_expiry ON links(expires_at) WHERE expiry_announced = 0 AND status = 'active';

-- A full refund, the first charge.update (capture, void and partial refunds come later).
ALTER TABLE charges ADD COLUMN amount_refunded INTEGER NOT NULL DEFAULT 0;
