-- Accounts, users, credentials, models, published APIs, access rules and daily usage.

CREATE TABLE accounts (
    account_id  uuid PRIMARY KEY,
    name        text NOT NULL UNIQUE,
    created_at  timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE users (
    user_id     uuid PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name        text NOT NULL,
    role        text NOT NULL CHECK (role IN ('admin', 'member')),
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);

CREATE TABLE models (
    model_id    uuid PRIMARY KEY,
    account_id  uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name        text NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now(),
    UNIQUE (account_id, name)
);

CREATE TABLE model_versions (
    model_version_id uuid PRIMARY KEY,
    model_id         uuid NOT NULL REFERENCES models ON DELETE CASCADE,
    version          integer NOT NULL,
    format           text NOT NULL CHECK (format IN ('onnx')),
    artifact_uri     text NOT NULL,
    sha256           text NOT NULL,
    size_bytes       bigint NOT NULL CHECK (size_bytes >= 0),
    signature        jsonb NOT NULL,
    preprocessing    jsonb NOT NULL,
    created_at       timestamptz NOT NULL DEFAULT now(),
    UNIQUE (model_id, version)
);

CREATE TABLE published_apis (
    api_id            uuid PRIMARY KEY,
    account_id        uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name              text NOT NULL,
    model_version_id  uuid NOT NULL REFERENCES model_versions,
    api_type          text NOT NULL CHECK (api_type IN ('formal', 'trial')),
    execution_type    text NOT NULL CHECK (execution_type IN ('serverless', 'dedicated')),
    instance_kind     text NOT NULL CHECK (instance_kind IN ('cpu', 'gpu')),
    instance_count    integer NOT NULL CHECK (instance_count >= 1),
    schedule_always   boolean NOT NULL,
    schedule_start    time,
    schedule_end      time,
    schedule_weekdays smallint[] NOT NULL DEFAULT '{}',
    status            text NOT NULL CHECK (status IN ('building', 'updating', 'running', 'stopped', 'deleting')),
    status_message    text NOT NULL DEFAULT '',
    public            boolean NOT NULL,
    locked            boolean NOT NULL DEFAULT false,
    trial_limit       bigint NOT NULL DEFAULT 0,
    trial_used        bigint NOT NULL DEFAULT 0,
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now(),
    CHECK (trial_used >= 0 AND trial_used <= trial_limit),
    CHECK (schedule_always OR (schedule_start IS NOT NULL AND schedule_end IS NOT NULL
                               AND cardinality(schedule_weekdays) >= 1))
);

CREATE TABLE access_rules (
    api_id    uuid NOT NULL REFERENCES published_apis ON DELETE CASCADE,
    cidr      cidr NOT NULL,
    action    text NOT NULL CHECK (action IN ('allow', 'deny')),
    priority  integer NOT NULL,
    PRIMARY KEY (api_id, cidr)
);

-- A credential is a user's bearer token or a published API's key; only its SHA-256 is kept.
CREATE TABLE credentials (
    credential_id  uuid PRIMARY KEY,
    user_id        uuid REFERENCES users ON DELETE CASCADE,
    api_id         uuid REFERENCES published_apis ON DELETE CASCADE,
    secret_sha256  bytea NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    CHECK ((user_id IS NULL) <> (api_id IS NULL))
);
CREATE INDEX credentials_api_id ON credentials (api_id) WHERE api_id IS NOT NULL;

CREATE TABLE api_usage_daily (
    api_id     uuid NOT NULL REFERENCES published_apis ON DELETE CASCADE,
    day        date NOT NULL,
    count_2xx  bigint NOT NULL DEFAULT 0,
    count_4xx  bigint NOT NULL DEFAULT 0,
    count_5xx  bigint NOT NULL DEFAULT 0,
    PRIMARY KEY (api_id, day)
);

-- Watchers (the gateway's cache) hear of every change to an API, its rules or its keys.
CREATE FUNCTION notify_api_changed() RETURNS trigger AS $$
DECLARE
    changed uuid;
BEGIN
    IF TG_OP = 'DELETE' THEN
        changed := OLD.api_id;
    ELSE
        changed := NEW.api_id;
    END IF;
    IF changed IS NOT NULL THEN
        PERFORM pg_notify('torii_api_changed', changed::text);
    END IF;
    RETURN NULL;
END;
$$ LANGUAGE plpgsql;

-- trial_used changes on every trial request; watchers need not hear of it.
CREATE TRIGGER published_apis_changed
    AFTER INSERT OR DELETE OR UPDATE OF name, model_version_id, api_type, execution_type, instance_kind,
        instance_count, schedule_always, schedule_start, schedule_end, schedule_weekdays, status,
        status_message, public, locked, trial_limit
    ON published_apis FOR EACH ROW EXECUTE FUNCTION notify_api_changed();
CREATE TRIGGER access_rules_changed
    AFTER INSERT OR UPDATE OR DELETE ON access_rules FOR EACH ROW EXECUTE FUNCTION notify_api_changed();
CREATE TRIGGER credentials_changed
    AFTER INSERT OR UPDATE OR DELETE ON credentials FOR EACH ROW EXECUTE FUNCTION notify_api_changed();
