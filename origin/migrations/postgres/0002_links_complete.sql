-- Links, complete. Kept in step with ../sqlite/0002_links_complete.sql (same tables, columns
-- and meaning; see the comments there).

ALTER TABLE charges ADD COLUMN reserved_until BIGINT;
UPDATE charges c SET reserved_until = l.reserved_until
  FROM links l WHERE l.reserved_charge_id = c.id AND c.status = 'pending';

ALTER TABLE links ALTER COLUMN amount DROP NOT NULL;
ALTER TABLE links ADD COLUMN amount_min BIGINT;
ALTER TABLE links ADD COLUMN amount_max BIGINT;
ALTER TABLE links ADD COLUMN usage_limit BIGINT CHECK (usage_limit > 0);
UPDATE links SET usage_limit = CASE WHEN single_use = 1 THEN 1 END;
ALTER TABLE links DROP COLUMN single_use;
ALTER TABLE links DROP COLUMN reserved_charge_id;
ALTER TABLE links DROP COLUMN reserved_until;
ALTER TABLE links ADD COLUMN free1 TEXT;
ALTER TABLE links ADD COLUMN free2 TEXT;
ALTER TABLE links ADD COLUMN free3 TEXT;
ALTER TABLE links ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
ALTER TABLE links ADD COLUMN short_code TEXT UNIQUE;
ALTER TABLE links ADD COLUMN source TEXT NOT NULL DEFAULT 'api';
ALTER TABLE links ADD COLUMN deactivation_message TEXT;
ALTER TABLE links ADD COLUMN deactivated_at BIGINT;
ALTER TABLE links ADD CONSTRAINT links_amount_or_bounds
    CHECK ((amount IS NULL) = (amount_min IS NOT NULL AND amount_max IS NOT NULL));
DROP INDEX links_merchant_created;
CREATE INDEX links_merchant_created ON links(merchant_id, created_at, id);
CREATE INDEX links_merchant_reference ON links(merchant_id, reference);

ALTER TABLE charges ADD COLUMN reference TEXT;
ALTER TABLE charges ADD COLUMN free1 TEXT;
ALTER TABLE charges ADD COLUMN free2 TEXT;
ALTER TABLE charges ADD COLUMN free3 TEXT;
ALTER TABLE charges ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
UPDATE charges c SET reference = l.reference FROM links l WHERE l.id = c.link_id;
CREATE INDEX charges_link_status ON charges(link_id, status);
CREATE INDEX charges_link_created ON charges(link_id, created_at, id);

CREATE TABLE idempotency_keys (
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    livemode      BIGINT NOT NULL,
    key           TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    request_hash  TEXT NOT NULL,
    status        BIGINT,
    response      TEXT,
    locked_until  BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    PRIMARY KEY (merchant_id, livemode, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

CREATE TABLE edge_sync (
    id              BIGSERIAL PRIMARY KEY,
    key             TEXT NOT NULL,
    value           TEXT,
    expiration      BIGINT,
    attempts        BIGINT NOT NULL DEFAULT 0,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    last_error      TEXT,
    created_at      BIGINT NOT NULL
);
CREATE INDEX edge_sync_due ON edge_sync(next_attempt_at);
