"""The name of an API's model in Triton: the scheduler loads it, the gateway calls it.

One name per (API, model version), so an update loads the new version beside the old one and
requests keep going to the old one until the new one is ready.
"""

from __future__ import annotations

import re

_NAME = re.compile(r"^api_([0-9a-f-]{36})__([0-9a-f-]{36})$")


def triton_model_name(api_id: str, model_version_id: str) -> str:
    return f"api_{api_id}__{model_version_id}"


def parse_triton_model_name(name: str) -> tuple[str, str] | None:
    """(api_id, model_version_id) of a name made by triton_model_name(), else None."""
    match = _NAME.match(name)
    return (match.group(1), match.group(2)) if match else None
