"""How a trainer message names a setting, so that each contract can word it in its own terms.

The learning core refers to a setting by its own name (a field of the trainer's TrainingConfig or
TimeSeriesConfig, e.g. `window_end`) wrapped in two ASCII control characters: `setting("window_end")`.
The message travels marked (worker → runner → registry's job.message), and whoever shows it to a
user calls `render` with its contract's words: Prediction One's gateway with its query keys
(`tst`), the management API with none, which leaves the core names.

A marker is never confused with user data: every user value in a core message is formatted with
`!r` or `escaped`, which both write control characters as escapes, so the marker characters occur
in a message only where `setting` put them.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

# STX and ETX ("start/end of text"): repr escapes both, and no CSV or JSON value carries them raw.
_OPEN = "\x02"
_CLOSE = "\x03"
_NAME = re.compile(r"[a-z][a-z0-9_]*")
_REFERENCE = re.compile(f"{_OPEN}({_NAME.pattern}){_CLOSE}")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def setting(name: str) -> str:
    """A marked reference to the core setting `name` for a message (see the module doc)."""
    if not _NAME.fullmatch(name):
        raise ValueError(f"a setting name is a lowercase identifier, not {name!r}")
    return f"{_OPEN}{name}{_CLOSE}"


def render(message: str, words: Mapping[str, str]) -> str:
    """`message` with each marked setting replaced by words[name], or by the core name when absent."""
    return _REFERENCE.sub(lambda found: words.get(found[1], found[1]), message)


def escaped(text: str) -> str:
    """`text` with its control characters written as repr writes them (`\\n`, `\\x02`), unquoted:
    for user data or foreign text placed in a message without `!r`."""
    return _CONTROL.sub(lambda found: repr(found[0])[1:-1], text)
