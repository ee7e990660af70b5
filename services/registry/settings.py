"""The registry's settings (TORII_ environment variables)."""

from __future__ import annotations

from pydantic import AliasChoices, Field, SecretStr

from services.runtime.settings import CommonSettings


class RegistrySettings(CommonSettings):
    database_url: str = Field(
        default="", validation_alias=AliasChoices("TORII_DATABASE_URL", "DATABASE_URL", "database_url")
    )
    """PostgreSQL DSN (TORII_DATABASE_URL or DATABASE_URL). The launcher fills it with its embedded server's."""

    registry_port: int = 50051
    """gRPC port; 0 picks a free one."""

    bootstrap_admin_token: str = ""
    """A token "<uuid>.<secret>" made the credential of user "admin" (role admin) of account "default" at start."""

    bootstrap_admin_password: SecretStr = SecretStr("")
    """The console password of that admin (TORII_BOOTSTRAP_ADMIN_PASSWORD, 10 to 256 characters), to be
    changed at their first sign-in; given again at a later start it is set again while the admin has not
    changed it yet, and left alone once they have. Empty: the admin's console password is left as it is."""

    console_session_hours: float = Field(default=12, gt=0)
    """How long a web console session lasts after sign-in, however busy."""

    console_session_idle_minutes: float = Field(default=120, gt=0)
    """A web console session unused this long ends (its use is recorded to the minute)."""

    database_pool_size: int = Field(default=10, ge=2)
    """Most PostgreSQL connections the registry holds at once."""

    external_key_ttl_s: int = Field(default=30 * 24 * 3600, gt=0)
    """Seconds a Prediction One API key (IssueExternalKey) lasts: 30 days, as Prediction One's login credential."""

    ncp_secrets_key: SecretStr = SecretStr("")
    """The data key (32 bytes, base64) NCP secret keys are encrypted with (TORII_NCP_SECRETS_KEY);
    empty: one made once in <data_dir>/registry/ncp-secrets.key. Registries sharing a database
    must share it."""

    workspace_quota_workspaces: int = Field(default=20, ge=0)
    """Data Forest workspaces an account may have at once unless an admin set its quota
    (TORII_WORKSPACE_QUOTA_WORKSPACES); the CPU, memory and GPU defaults follow."""

    workspace_quota_cpus: int = Field(default=32, ge=0)
    workspace_quota_memory_mb: int = Field(default=131_072, ge=0)
    workspace_quota_gpus: int = Field(default=8, ge=0)

    database_probe_interval_s: float = Field(default=1.0, gt=0)
    """How often the registry checks that PostgreSQL answers; its health check says NOT_SERVING
    (and the gateway's /readyz 503) from the first failed check until one succeeds."""

    database_probe_timeout_s: float = Field(default=2.0, gt=0)
    """How long one check may take before PostgreSQL counts as not answering."""
