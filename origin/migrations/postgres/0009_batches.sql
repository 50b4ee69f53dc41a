-- Batches: links made together from one CSV file (dashboard upload, POST /v1/batches, or
-- linkpay batch create). All of a batch's links are created in one transaction; sending
-- their payment requests goes through the notifications outbox afterwards.

CREATE TABLE batches (
    id          TEXT PRIMARY KEY,
    merchant_id TEXT NOT NULL REFERENCES merchants(id),
    livemode    BIGINT NOT NULL,
    row_count   BIGINT NOT NULL,
    -- email | sms, or NULL when the links were only made
    send        TEXT,
    filename    TEXT,
    created_at  BIGINT NOT NULL
);
CREATE INDEX batches_merchant ON batches(merchant_id, created_at);

CREATE TABLE batch_rows (
    batch_id   TEXT NOT NULL REFERENCES batches(id),
    -- The row as a spreadsheet numbers it: the header is row 1.
    row_number BIGINT NOT NULL,
    link_id    TEXT NOT NULL REFERENCES links(id),
    PRIMARY KEY (batch_id, row_number)
);
