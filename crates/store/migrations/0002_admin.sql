-- Issue 4: technician groups and their policies, account administration,
-- two-factor sign-in, one-time password links, invitations and the admin
-- audit log. Portable SQL, like 0001.

-- A group's policy is one JSON document (`GroupSettings` in the server), so a
-- new setting needs no schema change; the server fills in defaults.
CREATE TABLE groups (
    id         TEXT PRIMARY KEY,
    name       TEXT NOT NULL,
    settings   TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    updated_at BIGINT NOT NULL
);
CREATE UNIQUE INDEX groups_name ON groups(name);
INSERT INTO groups (id, name, settings, created_at, updated_at)
VALUES ('default', 'Default', '{}', 0, 0);

-- Technicians belong to one group. Administrators with no group manage all
-- groups; with a group, only that one.
ALTER TABLE users ADD COLUMN group_id TEXT REFERENCES groups(id);
UPDATE users SET group_id = 'default' WHERE role <> 'admin';
-- Base32 TOTP secret once enrolled; the pending one while enrolling.
ALTER TABLE users ADD COLUMN totp_secret TEXT;
ALTER TABLE users ADD COLUMN totp_pending TEXT;
-- The last time step a code was accepted for: a code works once.
ALTER TABLE users ADD COLUMN totp_last_step BIGINT;

CREATE TABLE recovery_codes (
    user_id   TEXT NOT NULL REFERENCES users(id),
    code_hash TEXT NOT NULL,
    used_at   BIGINT,
    PRIMARY KEY (user_id, code_hash)
);

-- One-time links: set a new password (`password`), or finish a sign-in with
-- a second factor (`totp`, `enrol`). Stored only as SHA-256 digests.
CREATE TABLE one_time_tokens (
    token_hash TEXT PRIMARY KEY,
    user_id    TEXT NOT NULL REFERENCES users(id),
    purpose    TEXT NOT NULL,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX one_time_tokens_user ON one_time_tokens(user_id);

-- The group a session was started in, for the administrators' history.
ALTER TABLE sessions ADD COLUMN group_id TEXT;
CREATE INDEX sessions_group ON sessions(group_id, created_at);
CREATE INDEX sessions_created ON sessions(created_at);

-- Every invitation sent (or tried), for the abuse limits: counted from here,
-- so limits hold across restarts and across server nodes.
CREATE TABLE invitations (
    id            TEXT PRIMARY KEY,
    session_id    TEXT NOT NULL REFERENCES sessions(id),
    technician_id TEXT NOT NULL REFERENCES users(id),
    channel       TEXT NOT NULL,
    recipient     TEXT NOT NULL,
    status        TEXT NOT NULL,
    error         TEXT,
    created_at    BIGINT NOT NULL
);
CREATE INDEX invitations_technician ON invitations(technician_id, created_at);
CREATE INDEX invitations_recipient ON invitations(recipient, created_at);
CREATE INDEX invitations_session ON invitations(session_id);

-- Server-wide settings as JSON documents by name (`messaging`).
CREATE TABLE server_settings (
    name       TEXT PRIMARY KEY,
    value      TEXT NOT NULL,
    updated_at BIGINT NOT NULL
);

-- Who changed what in the admin center, and when.
CREATE TABLE audit_log (
    id          TEXT PRIMARY KEY,
    at          BIGINT NOT NULL,
    actor_id    TEXT NOT NULL,
    actor_name  TEXT NOT NULL,
    group_id    TEXT,
    action      TEXT NOT NULL,
    target      TEXT NOT NULL,
    details     TEXT NOT NULL
);
CREATE INDEX audit_log_at ON audit_log(at);
