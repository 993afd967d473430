-- Tether's first schema. Portable SQL: it runs unchanged on SQLite and
-- PostgreSQL. Times are milliseconds since the Unix epoch; flags are 0/1.

CREATE TABLE users (
    id            TEXT PRIMARY KEY,
    email         TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    password_hash TEXT NOT NULL,
    role          TEXT NOT NULL,
    disabled      BIGINT NOT NULL DEFAULT 0,
    created_at    BIGINT NOT NULL,
    last_login_at BIGINT
);

-- Sign-in tokens, stored only as SHA-256 digests.
CREATE TABLE auth_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL
);
CREATE INDEX auth_tokens_user ON auth_tokens(user_id);

CREATE TABLE sessions (
    id                     TEXT PRIMARY KEY,
    technician_id          TEXT NOT NULL REFERENCES users(id),
    support_key            TEXT NOT NULL,
    -- 1 while the key can still be redeemed: unused, not ended, not known expired.
    key_live               BIGINT NOT NULL,
    key_expires_at         BIGINT NOT NULL,
    key_used_at            BIGINT,
    request_remote_control BIGINT NOT NULL,
    state                  TEXT NOT NULL,
    customer_name          TEXT,
    created_at             BIGINT NOT NULL,
    ended_at               BIGINT,
    end_reason             TEXT
);
-- Unique among live keys: the database refuses a duplicate even under a race.
CREATE UNIQUE INDEX sessions_live_key ON sessions(support_key) WHERE key_live = 1;
CREATE INDEX sessions_key ON sessions(support_key, created_at);
CREATE INDEX sessions_technician ON sessions(technician_id, created_at);
CREATE INDEX sessions_waiting_expiry ON sessions(key_expires_at) WHERE state = 'waiting';

-- Customers' tokens for one session, stored only as SHA-256 digests.
CREATE TABLE participants (
    token_hash TEXT PRIMARY KEY,
    session_id TEXT NOT NULL REFERENCES sessions(id),
    role       TEXT NOT NULL,
    name       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
CREATE INDEX participants_session ON participants(session_id);

-- The ordered timeline of a session: chat, files and audit events.
CREATE TABLE events (
    session_id TEXT NOT NULL REFERENCES sessions(id),
    seq        BIGINT NOT NULL,
    kind       TEXT NOT NULL,
    actor_role TEXT NOT NULL,
    actor_name TEXT NOT NULL,
    body       TEXT NOT NULL,
    client_id  TEXT,
    created_at BIGINT NOT NULL,
    PRIMARY KEY (session_id, seq)
);
CREATE UNIQUE INDEX events_client_id ON events(session_id, client_id);

CREATE TABLE files (
    id           TEXT PRIMARY KEY,
    session_id   TEXT NOT NULL REFERENCES sessions(id),
    name         TEXT NOT NULL,
    size         BIGINT NOT NULL,
    stored_name  TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    removed_at   BIGINT
);
CREATE INDEX files_session ON files(session_id);
