-- Chat keys: the OpenAI contract's virtual keys. A chat key is a credential of an account (not of
-- a user, not of one API) that calls the chat APIs of chat_key_apis within its limits, each of
-- its projects being a bucket of its own.
ALTER TABLE credentials ADD COLUMN chat_account_id uuid REFERENCES accounts ON DELETE CASCADE;
ALTER TABLE credentials DROP CONSTRAINT credentials_check;
ALTER TABLE credentials ADD CONSTRAINT credentials_holder_check
    CHECK (num_nonnulls(user_id, api_id, chat_account_id) = 1);
CREATE INDEX credentials_chat_account_id ON credentials (chat_account_id) WHERE chat_account_id IS NOT NULL;

-- A limit of 0 is no limit.
CREATE TABLE chat_keys (
    key_id               uuid PRIMARY KEY REFERENCES credentials ON DELETE CASCADE,
    name                 text NOT NULL,
    requests_per_minute  bigint NOT NULL DEFAULT 0 CHECK (requests_per_minute >= 0),
    tokens_per_minute    bigint NOT NULL DEFAULT 0 CHECK (tokens_per_minute >= 0),
    max_in_flight        bigint NOT NULL DEFAULT 0 CHECK (max_in_flight >= 0),
    tokens_per_day       bigint NOT NULL DEFAULT 0 CHECK (tokens_per_day >= 0),
    tokens_per_month     bigint NOT NULL DEFAULT 0 CHECK (tokens_per_month >= 0),
    projects             text[] NOT NULL DEFAULT '{}',
    default_project      text NOT NULL DEFAULT '' CHECK (default_project = '' OR default_project = ANY (projects)),
    rotated_at           timestamptz
);

CREATE TABLE chat_key_apis (
    key_id  uuid NOT NULL REFERENCES chat_keys ON DELETE CASCADE,
    api_id  uuid NOT NULL REFERENCES published_apis ON DELETE CASCADE,
    PRIMARY KEY (key_id, api_id)
);
CREATE INDEX chat_key_apis_api_id ON chat_key_apis (api_id);

-- Admitted requests. Each holds a place in flight until finished or expired, and its tokens
-- (reserved at admission, as used once finished) count in its bucket's per-minute window.
CREATE TABLE chat_key_leases (
    lease_id     uuid PRIMARY KEY,
    key_id       uuid NOT NULL REFERENCES chat_keys ON DELETE CASCADE,
    project      text NOT NULL,
    day          date NOT NULL,
    admitted_at  timestamptz NOT NULL,
    expires_at   timestamptz NOT NULL,
    tokens       bigint NOT NULL CHECK (tokens >= 0),
    finished     boolean NOT NULL DEFAULT false
);
CREATE INDEX chat_key_leases_bucket ON chat_key_leases (key_id, project, admitted_at);

-- Tokens per key, project and UTC day with the reservations of unfinished requests: what the
-- budgets are checked against, exactly (chat_token_usage_daily, batched by gateways, reports).
CREATE TABLE chat_key_spend_daily (
    key_id   uuid NOT NULL REFERENCES chat_keys ON DELETE CASCADE,
    project  text NOT NULL,
    day      date NOT NULL,
    tokens   bigint NOT NULL CHECK (tokens >= 0),
    PRIMARY KEY (key_id, project, day)
);

-- Gateways hold chat keys' digests with every API they may call: granting or withdrawing an API,
-- rotating a key's secret or changing its expiry is a change of those APIs.
CREATE TRIGGER chat_key_apis_changed
    AFTER INSERT OR DELETE ON chat_key_apis FOR EACH ROW EXECUTE FUNCTION notify_api_changed();

CREATE FUNCTION notify_chat_key_changed() RETURNS trigger AS $$
BEGIN
    PERFORM pg_notify('torii_api_changed', api_id::text) FROM chat_key_apis WHERE key_id = NEW.credential_id;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER chat_key_credentials_changed
    AFTER UPDATE OF secret_sha256, expires_at ON credentials
    FOR EACH ROW WHEN (NEW.chat_account_id IS NOT NULL) EXECUTE FUNCTION notify_chat_key_changed();

-- A key's usage is read across its APIs.
CREATE INDEX chat_token_usage_daily_key_day ON chat_token_usage_daily (key_id, day);
