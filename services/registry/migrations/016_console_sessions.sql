-- The web console: a password per user (an argon2id hash in its PHC string form) and the sessions
-- opened with it. A session's token and its CSRF token are kept only as SHA-256 digests, like
-- bearer tokens: they carry 256 random bits, so a fast hash is enough.
CREATE TABLE user_passwords (
    user_id          uuid PRIMARY KEY REFERENCES users ON DELETE CASCADE,
    hash             text NOT NULL,
    -- Set by someone else (an admin, or the launcher for the first admin): changed at the next sign-in.
    must_change      boolean NOT NULL,
    set_at           timestamptz NOT NULL DEFAULT now(),
    -- Consecutive failed sign-ins; at the limit, sign-ins are refused until refused_until.
    failed_sign_ins  integer NOT NULL DEFAULT 0 CHECK (failed_sign_ins >= 0),
    refused_until    timestamptz
);

CREATE TABLE console_sessions (
    session_id     uuid PRIMARY KEY,
    user_id        uuid NOT NULL REFERENCES users ON DELETE CASCADE,
    secret_digest  bytea NOT NULL,
    csrf_digest    bytea NOT NULL,
    created_at     timestamptz NOT NULL,
    expires_at     timestamptz NOT NULL,
    last_seen_at   timestamptz NOT NULL
);
CREATE INDEX console_sessions_user_id ON console_sessions (user_id, created_at);
