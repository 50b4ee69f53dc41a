-- Payment flows: authorize then capture, void, partial refunds, a choice of payment method,
-- and the sandbox provider's 3-D Secure and wallet pages.

-- charges.status: pending | authorized | capturing | voiding | succeeded | refunded
--                 | failed | expired | voided
-- `capturing` and `voiding` last only while the provider is asked; `succeeded` means
-- captured (partly refunded charges stay `succeeded`), `refunded` means wholly refunded.
ALTER TABLE charges ADD COLUMN payment_method TEXT NOT NULL DEFAULT 'card';
ALTER TABLE charges ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic';
ALTER TABLE charges ADD COLUMN amount_captured INTEGER NOT NULL DEFAULT 0;
-- Held by refunds still at the provider, so that concurrent refunds can never add up to
-- more than was captured: amount_refunded + amount_refunding <= amount_captured.
ALTER TABLE charges ADD COLUMN amount_refunding INTEGER NOT NULL DEFAULT 0;
-- The end of an authorization's capture window (manual capture only).
ALTER TABLE charges ADD COLUMN capture_before INTEGER;
UPDATE charges SET amount_captured = amount WHERE status IN ('succeeded', 'refunded');
CREATE INDEX charges_status_updated ON charges(status, updated_at);

ALTER TABLE links ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic';

CREATE TABLE refunds (
    id              TEXT PRIMARY KEY,
    charge_id       TEXT NOT NULL REFERENCES charges(id),
    merchant_id     TEXT NOT NULL REFERENCES merchants(id),
    amount          INTEGER NOT NULL CHECK (amount > 0),
    currency        TEXT NOT NULL,
    -- pending | succeeded | failed
    status          TEXT NOT NULL,
    reason          TEXT,
    failure_message TEXT,
    created_at      INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL
);
CREATE INDEX refunds_charge ON refunds(charge_id, created_at);
INSERT INTO refunds (id, charge_id, merchant_id, amount, currency, status, created_at, updated_at)
    SELECT 're_' || substr(id, 4), id, merchant_id, amount_refunded, currency, 'succeeded', updated_at, updated_at
      FROM charges WHERE amount_refunded > 0;

-- Which payment methods a merchant's pay pages offer, and who handles the wallet.
CREATE TABLE payment_method_settings (
    merchant_id     TEXT PRIMARY KEY REFERENCES merchants(id),
    card            INTEGER NOT NULL DEFAULT 1,
    wallet          INTEGER NOT NULL DEFAULT 0,
    -- sandbox | linepay
    wallet_provider TEXT NOT NULL DEFAULT 'sandbox',
    updated_at      INTEGER NOT NULL
);

-- sandbox_payments.status: open | challenge | authorized | succeeded | refunded | declined
--                          | canceled | expired | voided
ALTER TABLE sandbox_payments ADD COLUMN method TEXT NOT NULL DEFAULT 'card';
ALTER TABLE sandbox_payments ADD COLUMN capture_method TEXT NOT NULL DEFAULT 'automatic';
ALTER TABLE sandbox_payments ADD COLUMN amount_captured INTEGER NOT NULL DEFAULT 0;
ALTER TABLE sandbox_payments ADD COLUMN amount_refunded INTEGER NOT NULL DEFAULT 0;
-- A card that passes 3-D Secure and is declined afterwards keeps its decline here.
ALTER TABLE sandbox_payments ADD COLUMN after_challenge TEXT;
ALTER TABLE sandbox_payments ADD COLUMN authorized_until INTEGER;
UPDATE sandbox_payments SET amount_captured = amount WHERE status IN ('succeeded', 'refunded');
UPDATE sandbox_payments SET amount_refunded = amount WHERE status = 'refunded';

-- The sandbox's own record of refunds, keyed by the merchant's refund id so that asking
-- twice refunds once.
CREATE TABLE sandbox_refunds (
    id          TEXT PRIMARY KEY,
    payment_id  TEXT NOT NULL REFERENCES sandbox_payments(id),
    amount      INTEGER NOT NULL CHECK (amount > 0),
    created_at  INTEGER NOT NULL
);
