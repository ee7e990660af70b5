"""Offset/limit pages of the lists Prediction One shows."""

from __future__ import annotations

from services.registry.domain.training_types import Page
from services.runtime.errors import InvalidArgument

DEFAULT_PAGE_LIMIT = 30
MAX_PAGE_LIMIT = 1000


def make_page(offset: int, limit: int) -> Page:
    """A limit of 0 means the default; larger limits than the most are cut to it."""
    if offset < 0:
        raise InvalidArgument("offset must not be negative")
    if limit < 0:
        raise InvalidArgument("limit must not be negative")
    return Page(offset, min(limit or DEFAULT_PAGE_LIMIT, MAX_PAGE_LIMIT))
