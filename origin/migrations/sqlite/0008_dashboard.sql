-- The merchant dashboard: people who sign in, their sessions, and failed sign-ins (for the
-- rate limit). Passwords are argon2id PHC strings; session tokens are stored only as SHA-256
-- hashes, like API keys, so a copy of the database does not let anyone in.

CREATE TABLE dashboard_users (
    id            TEXT PRIMARY KEY,
    merchant_id   TEXT NOT NULL REFERENCES merchants(id),
    -- Lower-cased, so sign-in is case-insensitive.
    email         TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    created_at    INTEGER NOT NULL
);

CREATE TABLE dashboard_sessions (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES dashboard_users(id),
    -- The synchronizer token every form of this session carries.
    csrf_token TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    -- Idle expiry, pushed forward as the session is used (at most to created_at + 7 days).
    expires_at INTEGER NOT NULL
);
CREATE INDEX dashboard_sessions_user ON dashboard_sessions(user_id);

-- Failed sign-ins per account within the current window; shared by every instance.
CREATE TABLE dashboard_sign_in_failures (
    email        TEXT PRIMARY KEY,
    failures     INTEGER NOT NULL,
    window_start INTEGER NOT NULL
);

-- What the dashboard shows a key as ("Shop backend").
ALTER TABLE api_keys ADD COLUMN name TEXT;
