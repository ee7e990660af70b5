"""The service token of every server the suite starts: conftest puts it in the environment, so
each service's settings (and the processes tests spawn) read it, and clients send it. A run against
an existing Triton (--triton-address) whose protocols are restricted with a deployment's token
sets TORII_SERVICE_TOKEN to that token; otherwise each run makes its own."""

import os
import secrets

SERVICE_TOKEN = os.environ.get("TORII_SERVICE_TOKEN") or f"test-{secrets.token_hex(32)}"
