-- GMO Payment Gateway has no idempotency keys: the total each refund brings its order to is
-- recorded before the refund is sent, so a retry after a crash that finds the order at that
-- total sends nothing.
CREATE TABLE gmopg_refunds (
    refund_id      TEXT PRIMARY KEY,
    order_id       TEXT NOT NULL,
    target_amount  INTEGER NOT NULL,
    created_at     INTEGER NOT NULL
);
