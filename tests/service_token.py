"""The service token of every server the suite starts: conftest puts it in the environment, so
each service's settings (and the processes tests spawn) read it, and clients send it."""

import secrets

SERVICE_TOKEN = f"test-{secrets.token_hex(32)}"
