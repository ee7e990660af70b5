-- Chat APIs' requests and tokens per UTC day, by key and project, added up from the gateways'
-- usage batches (applied once per flush id, as api_usage_daily is). A key revoked later keeps
-- its history: key_id is not a foreign key.
CREATE TABLE chat_token_usage_daily (
    api_id             uuid NOT NULL REFERENCES published_apis ON DELETE CASCADE,
    day                date NOT NULL,
    key_id             uuid NOT NULL,
    project            text NOT NULL DEFAULT '',
    requests           bigint NOT NULL DEFAULT 0 CHECK (requests >= 0),
    prompt_tokens      bigint NOT NULL DEFAULT 0 CHECK (prompt_tokens >= 0),
    completion_tokens  bigint NOT NULL DEFAULT 0 CHECK (completion_tokens >= 0),
    PRIMARY KEY (api_id, day, key_id, project)
);
