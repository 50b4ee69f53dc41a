-- Work on a timetable (sweeps, link expiry, pruning) as durable jobs: one row per kind,
-- claimed with a lease so one origin instance at a time runs it, due again after its interval.
CREATE TABLE periodic_jobs (
    id              TEXT PRIMARY KEY,
    next_attempt_at BIGINT NOT NULL,
    locked_until    BIGINT,
    -- Failed runs in a row; 0 after a run that succeeded.
    attempts        BIGINT NOT NULL DEFAULT 0,
    last_error      TEXT,
    last_run_at     BIGINT
);
