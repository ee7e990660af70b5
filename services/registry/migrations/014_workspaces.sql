-- Data Forest AI workspaces: a configuration history per workspace, a name unique in its account
-- among workspaces that exist, the resources each holds (summed against its account's quota) and
-- the status the scheduler's runner reports. A deleted workspace stays, marked, until the runner
-- has removed its container and forgets it.
CREATE TABLE workspace_quotas (
    account_id  uuid PRIMARY KEY REFERENCES accounts ON DELETE CASCADE,
    workspaces  integer NOT NULL CHECK (workspaces >= 0),
    cpu_count   integer NOT NULL CHECK (cpu_count >= 0),
    memory_mb   bigint NOT NULL CHECK (memory_mb >= 0),
    gpu_count   integer NOT NULL CHECK (gpu_count >= 0)
);

CREATE TABLE workspaces (
    workspace_id   text PRIMARY KEY CHECK (workspace_id ~ '^[0-9A-Za-z]{1,22}$'),
    account_id     uuid NOT NULL REFERENCES accounts ON DELETE CASCADE,
    name           text NOT NULL,
    description    text NOT NULL DEFAULT '',
    generation     bigint NOT NULL DEFAULT 1,
    -- The current configuration (WorkspaceConfiguration as JSON) and what it holds of the quota.
    configuration  jsonb NOT NULL,
    cpu_count      integer NOT NULL,
    memory_mb      bigint NOT NULL,
    gpu_count      integer NOT NULL,
    -- WorkspaceStatus as JSON, about `generation` or an older one.
    status         jsonb NOT NULL DEFAULT '{"state": "WORKSPACE_STATE_PENDING"}',
    created_at     timestamptz NOT NULL DEFAULT now(),
    modified_at    timestamptz NOT NULL DEFAULT now(),
    deleted_at     timestamptz
);
CREATE UNIQUE INDEX workspaces_live_name ON workspaces (account_id, name) WHERE deleted_at IS NULL;
CREATE INDEX workspaces_account_id ON workspaces (account_id);

CREATE TABLE workspace_configurations (
    workspace_id   text NOT NULL REFERENCES workspaces ON DELETE CASCADE,
    generation     bigint NOT NULL,
    configuration  jsonb NOT NULL,
    created_at     timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (workspace_id, generation)
);
