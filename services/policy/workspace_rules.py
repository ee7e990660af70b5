"""Rules about Data Forest workspaces that the gateway (answering in the contract's words) and the
registry (trusting no caller) both hold (shared/contracts/dataforest.md §6)."""

from __future__ import annotations

import re

NAME_PATTERN = "^(?=.{1,15}$)[a-z](?:-?[a-z0-9])*$"
"""§6: at most 15 characters, a lower-case letter first, then letters, digits and single hyphens
inside (no `--`, no trailing `-`)."""
NAME = re.compile(NAME_PATTERN)

IMAGE_PATTERN = "^(dataforest/)?([a-z0-9._-]{1,30}):([a-z0-9._-]{1,20})$"
"""§6: the image as the contract names it, `name:tag` or `dataforest/name:tag`."""
IMAGE = re.compile(IMAGE_PATTERN)

MAX_DESCRIPTION = 255


def image_name_and_tag(image: str) -> tuple[str, str] | None:
    """(name, tag) of an image the contract accepts (the `dataforest/` prefix dropped), else None."""
    match = IMAGE.match(image)
    return (match.group(2), match.group(3)) if match else None
