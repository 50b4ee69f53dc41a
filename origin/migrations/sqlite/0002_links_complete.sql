-- Links, complete: buyer-chosen amounts, use limits, merchant data, short codes, deactivation,
-- offline-signed links; charges carry the merchant data; idempotency keys; the queue of
-- display state pushed to the edge worker's KV.
--
-- SQLite cannot relax `links.amount NOT NULL` in place, so the table is rebuilt. Foreign keys
-- stay on (sqlx runs this in a transaction, where they cannot be switched off), so the charges
-- that reference links are set aside while the old table is dropped and put back after.

-- A limited link is now held per charge (charges.reserved_until), not per link, so that a
-- link with a limit of N can have up to N buyers at the provider at once.
ALTER TABLE charges ADD COLUMN reserved_until INTEGER;
UPDATE charges SET reserved_until =
    (SELECT l.reserved_until FROM links l WHERE l.reserved_charge_id = charges.id)
 WHERE status = 'pending';

CREATE TABLE links_new (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL REFERENCES merchants(id),
    livemode             INTEGER NOT NULL,
    currency             TEXT NOT NULL,
    -- A fixed amount, or NULL with bounds when the buyer chooses the amount.
    amount               INTEGER CHECK (amount > 0),
    amount_min           INTEGER,
    amount_max           INTEGER,
    title                TEXT NOT NULL,
    description          TEXT,
    reference            TEXT,
    -- Completed payments allowed: 1 is single use, NULL is unlimited.
    usage_limit          INTEGER CHECK (usage_limit > 0),
    locale               TEXT NOT NULL,
    expires_at           INTEGER NOT NULL,
    kid                  TEXT NOT NULL,
    token                TEXT NOT NULL,
    -- active | used | deactivated   (expired is derived from expires_at)
    status               TEXT NOT NULL DEFAULT 'active',
    paid_count           INTEGER NOT NULL DEFAULT 0,
    free1                TEXT,
    free2                TEXT,
    free3                TEXT,
    -- JSON object of string values.
    metadata             TEXT NOT NULL DEFAULT '{}',
    short_code           TEXT UNIQUE,
    -- api | offline (signed with `linkpay link sign`, recorded at its first checkout)
    source               TEXT NOT NULL DEFAULT 'api',
    deactivation_message TEXT,
    deactivated_at       INTEGER,
    created_at           INTEGER NOT NULL,
    CHECK ((amount IS NULL) = (amount_min IS NOT NULL AND amount_max IS NOT NULL))
);
INSERT INTO links_new (id, merchant_id, livemode, currency, amount, title, description,
                       reference, usage_limit, locale, expires_at, kid, token, status,
                       paid_count, created_at)
SELECT id, merchant_id, livemode, currency, amount, title, description, reference,
       CASE WHEN single_use = 1 THEN 1 END, locale, expires_at, kid, token, status,
       paid_count, created_at
  FROM links;
CREATE TEMP TABLE charges_kept AS SELECT * FROM charges;
DELETE FROM charges;
DROP TABLE links;
ALTER TABLE links_new RENAME TO links;
INSERT INTO charges SELECT * FROM charges_kept;
DROP TABLE charges_kept;
CREATE INDEX links_merchant_created ON links(merchant_id, created_at, id);
CREATE INDEX links_merchant_reference ON links(merchant_id, reference);

ALTER TABLE charges ADD COLUMN reference TEXT;
ALTER TABLE charges ADD COLUMN free1 TEXT;
ALTER TABLE charges ADD COLUMN free2 TEXT;
ALTER TABLE charges ADD COLUMN free3 TEXT;
ALTER TABLE charges ADD COLUMN metadata TEXT NOT NULL DEFAULT '{}';
UPDATE charges SET reference = (SELECT l.reference FROM links l WHERE l.id = charges.link_id);
CREATE INDEX charges_link_status ON charges(link_id, status);
CREATE INDEX charges_link_created ON charges(link_id, created_at, id);

-- Idempotency-Key: the first response to a key is kept and replayed for 24 hours at least.
CREATE TABLE idempotency_keys (
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    livemode      INTEGER NOT NULL,
    key           TEXT NOT NULL,
    method        TEXT NOT NULL,
    path          TEXT NOT NULL,
    -- SHA-256 of method, path and body: the same key with another request is refused.
    request_hash  TEXT NOT NULL,
    -- NULL while the first request is being processed.
    status        INTEGER,
    response      TEXT,
    locked_until  INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (merchant_id, livemode, key)
);
CREATE INDEX idempotency_keys_created ON idempotency_keys(created_at);

-- Display state and short codes for the edge worker's KV, written in the same transaction as
-- the change, pushed in order by a background task and deleted once the worker has them.
CREATE TABLE edge_sync (
    id              INTEGER PRIMARY KEY AUTOINCREMENT,
    key             TEXT NOT NULL,
    -- NULL deletes the key.
    value           TEXT,
    expiration      INTEGER,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at INTEGER NOT NULL,
    locked_until    INTEGER,
    last_error      TEXT,
    created_at      INTEGER NOT NULL
);
CREATE INDEX edge_sync_due ON edge_sync(next_attempt_at);
