"""The deployment's service token: every internal gRPC call carries it, every server checks it.

Torii's services trust no network: the registry believes the actor a caller names, so a caller
must first prove it is one of this deployment's services. The launcher makes one random token
per start (or takes TORII_SERVICE_TOKEN) and hands it to every service; operators pass it to
grpcurl as the `x-torii-service-token` header. Health checks and reflection stay open so
probes and `grpcurl list`/`describe` work without it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

SERVICE_TOKEN_HEADER = "x-torii-service-token"

OPEN_METHOD_PREFIXES = ("/grpc.health.v1.Health/", "/grpc.reflection.")

# Shorter tokens could be guessed; the launcher's are 64 hex characters.
MIN_TOKEN_CHARS = 32


def new_service_token() -> str:
    return secrets.token_hex(32)


def check_token_strength(token: str) -> str:
    """The token, or ValueError when it is too short to be a secret."""
    if len(token) < MIN_TOKEN_CHARS:
        raise ValueError(
            f"TORII_SERVICE_TOKEN must hold at least {MIN_TOKEN_CHARS} characters "
            "(the launcher makes one; services refuse to start without it)"
        )
    return token


def is_open_method(method: str) -> bool:
    return method.startswith(OPEN_METHOD_PREFIXES)


def presents_token(metadata: dict[str, str], token: str) -> bool:
    """Constant-time comparison, so timing reveals nothing about the token."""
    given = metadata.get(SERVICE_TOKEN_HEADER, "")
    return hmac.compare_digest(given.encode(), token.encode())


TRITON_TOKEN_KEY = "torii-triton-token"
# Triton's gRPC frontend looks for a restricted protocol's key under this prefix.
TRITON_TOKEN_HEADER = f"triton-grpc-protocol-{TRITON_TOKEN_KEY}"

# Everything but health and metadata: inference would bypass keys, allowlists and quotas, and
# model control would let anyone unload every API's model.
TRITON_RESTRICTED_PROTOCOLS = (
    "inference",
    "model-config",
    "model-repository",
    "shared-memory",
    "statistics",
    "trace",
    "logging",
)


def triton_token(service_token: str) -> str:
    """The token Triton checks, derived from the service token: Triton's command line shows it to
    local users, and it opens Triton only, never the registry."""
    return hmac.new(service_token.encode(), b"torii triton access", hashlib.sha256).hexdigest()


def triton_headers(service_token: str) -> dict[str, str]:
    """Headers every call to a restricted Triton protocol carries."""
    return {TRITON_TOKEN_HEADER: triton_token(service_token)}


def triton_restriction_flags(service_token: str) -> list[str]:
    """tritonserver's flags that refuse restricted calls without triton_headers()."""
    rule = f"{','.join(TRITON_RESTRICTED_PROTOCOLS)}:{TRITON_TOKEN_KEY}={triton_token(service_token)}"
    return [f"--grpc-restricted-protocol={rule}", f"--http-restricted-api={rule}"]
