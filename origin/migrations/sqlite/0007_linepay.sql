-- LINE Pay's refund API is not keyed by the caller's id, so linkpay records each refund it
-- sends before sending it: a retry after a crash can then tell whether LINE Pay has it.
CREATE TABLE linepay_refunds (
    refund_id             TEXT PRIMARY KEY,
    transaction_id        TEXT NOT NULL,
    amount                INTEGER NOT NULL,
    -- Set once LINE Pay confirmed the refund.
    refund_transaction_id TEXT,
    created_at            INTEGER NOT NULL
);
CREATE INDEX linepay_refunds_transaction ON linepay_refunds(transaction_id);
