-- NCP API access keys of the Data Forest contract: the access key ID and its secret key, which
-- the registry must read back to recompute each request's HMAC, so it is kept encrypted
-- (AES-GCM, services/registry/secret_box.py), never hashed.
CREATE TABLE ncp_access_keys (
    access_key     text PRIMARY KEY CHECK (access_key ~ '^[A-Z0-9]{20}$'),
    account_id     uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    secret_sealed  bytea NOT NULL,
    disabled       boolean NOT NULL DEFAULT false,
    created_at     timestamptz NOT NULL DEFAULT now(),
    last_used_at   timestamptz
);
CREATE INDEX ncp_access_keys_account_id ON ncp_access_keys (account_id);
