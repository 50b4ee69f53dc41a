-- Live mode: events, webhook endpoints and return URLs belong to one mode, as links, charges,
-- notifications and batches already do, so a test key never sees live data nor a live key
-- test data. Rows made before this were made with test keys, the only keys there were.
ALTER TABLE events ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
ALTER TABLE webhook_endpoints ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
ALTER TABLE return_urls ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;

-- Lists page through one merchant's rows in one mode, newest first.
CREATE INDEX events_merchant_mode_created ON events(merchant_id, livemode, created_at, id);
DROP INDEX events_merchant_created;

-- Which data a dashboard session shows and acts on; each session starts in test mode.
ALTER TABLE dashboard_sessions ADD COLUMN livemode INTEGER NOT NULL DEFAULT 0;
