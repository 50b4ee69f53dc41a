-- Provider accounts: a merchant's own credentials at a payment provider (Stripe, GMO Payment
-- Gateway, LINE Pay), one mode each, and which account serves each payment method per mode.

CREATE TABLE provider_accounts (
    id           TEXT PRIMARY KEY,
    merchant_id  TEXT NOT NULL REFERENCES merchants(id),
    livemode     INTEGER NOT NULL,
    -- stripe | gmopg | linepay
    provider     TEXT NOT NULL,
    description  TEXT,
    -- What the provider said of the account when its credentials were checked, JSON (its
    -- account id, display name): nothing secret.
    details      TEXT NOT NULL,
    -- The credentials, sealed under the master key (base::secrets) for provider_accounts/{id}.
    credentials  TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    deleted_at   INTEGER
);
CREATE INDEX provider_accounts_merchant ON provider_accounts(merchant_id, livemode, created_at, id);

-- The account that serves a payment method in a mode. Without a row, test payments go to the
-- sandbox (or the LINE Pay account the environment gives, for wallets), and live payments of
-- that method cannot be taken.
CREATE TABLE payment_method_accounts (
    merchant_id          TEXT NOT NULL REFERENCES merchants(id),
    livemode             INTEGER NOT NULL,
    -- card | wallet
    method               TEXT NOT NULL,
    provider_account_id  TEXT NOT NULL REFERENCES provider_accounts(id),
    PRIMARY KEY (merchant_id, livemode, method)
);

-- The account a charge was made through, so its capture, refunds and sync use the same
-- credentials. NULL for the sandbox and the environment's LINE Pay.
ALTER TABLE charges ADD COLUMN provider_account_id TEXT;

-- Provider events already applied, so a replayed webhook changes nothing.
CREATE TABLE provider_events (
    provider_account_id  TEXT NOT NULL,
    event_id             TEXT NOT NULL,
    received_at          INTEGER NOT NULL,
    PRIMARY KEY (provider_account_id, event_id)
);
