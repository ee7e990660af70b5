"""Values worked out once from objects that never change, such as the model version the catalog
hands every request of an API, instead of on every request."""

from __future__ import annotations

from collections.abc import Callable
from typing import Generic, TypeVar

Source = TypeVar("Source")
Derived = TypeVar("Derived")


class DerivedOnce(Generic[Source, Derived]):
    """`derive(source)`, remembered per source object. An entry holds its source, so that the
    source's id, its key, cannot be taken by another object while the entry lives; at most
    `max_kept` are kept (all are forgotten when it is reached, and worked out again on use)."""

    def __init__(self, derive: Callable[[Source], Derived], max_kept: int = 256) -> None:
        self._derive = derive
        self._max_kept = max_kept
        self._kept: dict[int, tuple[Source, Derived]] = {}

    def __call__(self, source: Source) -> Derived:
        kept = self._kept.get(id(source))
        if kept is not None and kept[0] is source:
            return kept[1]
        derived = self._derive(source)
        if len(self._kept) >= self._max_kept:
            self._kept.clear()
        self._kept[id(source)] = (source, derived)
        return derived
