"""One CSV cell's text as a value: missing, a number or a date.

The trainer (column analysis, features) and the gateway (inference rows) both read cells here,
so a value means the same at training and at prediction time.
"""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import UTC, datetime

# Cells that mean "no value", compared after stripping spaces.
MISSING_MARKERS = frozenset({"", "na", "n/a", "nan", "null", "none", "nil", "#n/a", "-"})

# Digit groups such as 1,234,567 (quoted in a CSV); a plain comma elsewhere is not a number.
_GROUPED = re.compile(r"^[+-]?\d{1,3}(,\d{3})+(\.\d+)?$")

_DATE_FORMATS = (
    "%Y-%m-%d",
    "%Y/%m/%d",
    "%Y.%m.%d",
    "%Y%m%d",
    "%Y-%m-%d %H:%M",
    "%Y-%m-%d %H:%M:%S",
    "%Y/%m/%d %H:%M",
    "%Y/%m/%d %H:%M:%S",
    "%Y-%m-%dT%H:%M",
    "%Y-%m-%dT%H:%M:%S",
    "%Y-%m-%dT%H:%M:%S.%f",
    "%Y-%m",
    "%Y/%m",
    "%Y年%m月%d日",
    "%Y年%m月",
)


def normalise(text: str) -> str:
    """NFKC (full-width digits and letters become ASCII) and surrounding spaces removed."""
    return unicodedata.normalize("NFKC", text).strip()


def is_missing(text: str) -> bool:
    return normalise(text).lower() in MISSING_MARKERS


def parse_number(text: str) -> float | None:
    """The cell as a finite float, or None when it is missing or not a number."""
    cleaned = normalise(text)
    if cleaned.lower() in MISSING_MARKERS:
        return None
    if _GROUPED.match(cleaned):
        cleaned = cleaned.replace(",", "")
    try:
        value = float(cleaned)
    except ValueError:
        return None
    return value if math.isfinite(value) else None


def parse_date(text: str) -> float | None:
    """The cell as seconds since the epoch (naive times are UTC), or None."""
    cleaned = normalise(text)
    if cleaned.lower() in MISSING_MARKERS or not cleaned[:1].isdigit():
        return None
    if cleaned.endswith("Z"):
        cleaned = cleaned[:-1] + "+00:00"
    for date_format in _DATE_FORMATS:
        try:
            moment = datetime.strptime(cleaned, date_format)
        except ValueError:
            continue
        return moment.replace(tzinfo=UTC).timestamp()
    try:
        moment = datetime.fromisoformat(cleaned)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.timestamp()
