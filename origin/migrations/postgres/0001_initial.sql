-- linkpay schema, PostgreSQL. Kept in step with ../sqlite/ (same tables, columns and meaning). Times are unix seconds; money is integer minor units.

CREATE TABLE merchants (
    id              TEXT PRIMARY KEY,
    name            TEXT NOT NULL,
    default_locale  TEXT NOT NULL DEFAULT 'en',
    created_at      BIGINT NOT NULL
);

-- Secret API keys are stored as SHA-256 of the key: they are long random strings, so a fast
-- hash is safe, and lookup by hash needs no per-key salt.
CREATE TABLE api_keys (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    key_hash    TEXT NOT NULL UNIQUE,
    key_prefix  TEXT NOT NULL,
    livemode    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    revoked_at  BIGINT
);

CREATE TABLE links (
    id                   TEXT PRIMARY KEY,
    merchant_id          TEXT NOT NULL REFERENCES merchants(id),
    livemode             BIGINT NOT NULL,
    amount               BIGINT NOT NULL CHECK (amount > 0),
    currency             TEXT NOT NULL,
    title                TEXT NOT NULL,
    description          TEXT,
    reference            TEXT,
    single_use           BIGINT NOT NULL,
    locale               TEXT NOT NULL,
    expires_at           BIGINT NOT NULL,
    kid                  TEXT NOT NULL,
    token                TEXT NOT NULL,
    -- active | used | deactivated   (expired is derived from expires_at)
    status               TEXT NOT NULL DEFAULT 'active',
    paid_count           BIGINT NOT NULL DEFAULT 0,
    -- A single-use link is held by one checkout while its buyer is at the provider.
    reserved_charge_id   TEXT,
    reserved_until       BIGINT,
    created_at           BIGINT NOT NULL
);
CREATE INDEX links_merchant_created ON links(merchant_id, created_at);

CREATE TABLE charges (
    id              TEXT PRIMARY KEY,
    link_id         TEXT NOT NULL REFERENCES links(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    livemode        BIGINT NOT NULL,
    amount          BIGINT NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    -- pending | succeeded | failed | expired
    status          TEXT NOT NULL,
    provider        TEXT NOT NULL,
    provider_ref    TEXT,
    failure_code    TEXT,
    failure_message TEXT,
    card_brand      TEXT,
    card_last4      TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL
);
CREATE INDEX charges_link ON charges(link_id);
CREATE UNIQUE INDEX charges_provider_ref ON charges(provider, provider_ref);

-- Outbox: an event row is written in the same transaction as the change it describes.
CREATE TABLE events (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    type        TEXT NOT NULL,
    payload     TEXT NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE webhook_endpoints (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    url         TEXT NOT NULL,
    secret      TEXT NOT NULL,
    enabled     BIGINT NOT NULL DEFAULT 1,
    created_at  BIGINT NOT NULL
);

CREATE TABLE webhook_deliveries (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES events(id),
    endpoint_id      TEXT NOT NULL REFERENCES webhook_endpoints(id),
    -- pending | succeeded | failed
    status           TEXT NOT NULL DEFAULT 'pending',
    attempts         BIGINT NOT NULL DEFAULT 0,
    next_attempt_at  BIGINT NOT NULL,
    locked_until     BIGINT,
    last_status_code BIGINT,
    last_error       TEXT,
    updated_at       BIGINT NOT NULL
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries(status, next_attempt_at);

-- The sandbox provider's own records. It is a separate provider that happens to run in this
-- process; linkpay's tables above never hold card data, and neither does this one.
CREATE TABLE sandbox_payments (
    id            TEXT PRIMARY KEY,
    amount        BIGINT NOT NULL,
    currency      TEXT NOT NULL,
    merchant_name TEXT NOT NULL,
    description   TEXT NOT NULL,
    return_url    TEXT NOT NULL,
    -- open | succeeded | declined | expired
    status        TEXT NOT NULL,
    decline_code  TEXT,
    card_brand    TEXT,
    card_last4    TEXT,
    expires_at    BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    completed_at  BIGINT
);
