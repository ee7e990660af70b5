"""Inline SVG charts for the training report, drawn by hand.

The report must open offline and years later, so no chart library, script or web font: plain
SVG elements sized by a viewBox (they scale to the column and print sharply). Every text that
can come from uploaded data goes through `html.escape`. Legends are left to the page (HTML
wraps long and Japanese labels; SVG text does not). No `xmlns` attribute: HTML5 puts inline
<svg> in the SVG namespace by itself, and the page then holds no URL at all.
"""

from __future__ import annotations

import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Tableau 10: distinguishable, and still distinguishable printed in grey.
PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#e15759",
    "#76b7b2",
    "#59a14f",
    "#edc948",
    "#b07aa1",
    "#ff9da7",
    "#9c755f",
    "#bab0ac",
)
AXIS_COLOR = "#555"
GRID_COLOR = "#e3e3e3"
REFERENCE_COLOR = "#999"


@dataclass(frozen=True)
class Series:
    name: str
    x: Sequence[float]
    y: Sequence[float]
    color: str


@dataclass(frozen=True)
class _Frame:
    """The plot area inside the SVG and the data range it shows."""

    width: int
    height: int
    left: int
    right: int
    top: int
    bottom: int
    x_range: tuple[float, float]
    y_range: tuple[float, float]

    def px(self, x: float) -> float:
        lo, hi = self.x_range
        return self.left + (x - lo) / (hi - lo) * (self.width - self.left - self.right)

    def py(self, y: float) -> float:
        lo, hi = self.y_range
        return self.height - self.bottom - (y - lo) / (hi - lo) * (self.height - self.top - self.bottom)


def line_chart(
    series: Sequence[Series],
    *,
    description: str,
    x_label: str,
    y_label: str,
    reference: tuple[tuple[float, float], tuple[float, float]] | None = None,
    width: int = 520,
    height: int = 440,
) -> str:
    """Curves on a 0..1 × 0..1 square (ROC, precision-recall), with an optional dashed reference."""
    frame = _Frame(width, height, 60, 18, 14, 52, (0.0, 1.0), (0.0, 1.0))
    ticks = [i / 5 for i in range(6)]
    parts = [_axes(frame, ticks, ticks, x_label, y_label, _fraction_tick)]
    if reference is not None:
        (x0, y0), (x1, y1) = reference
        parts.append(
            f'<line x1="{frame.px(x0):.1f}" y1="{frame.py(y0):.1f}" x2="{frame.px(x1):.1f}" '
            f'y2="{frame.py(y1):.1f}" stroke="{REFERENCE_COLOR}" stroke-width="1.5" stroke-dasharray="6 5"/>'
        )
    for item in series:
        points = " ".join(f"{frame.px(x):.1f},{frame.py(y):.1f}" for x, y in zip(item.x, item.y))
        parts.append(
            f'<polyline points="{points}" fill="none" stroke="{item.color}" stroke-width="2.2" '
            f'stroke-linejoin="round"><title>{escape(item.name)}</title></polyline>'
        )
    return _svg(frame, description, parts)


def scatter_chart(
    x: Sequence[float],
    y: Sequence[float],
    *,
    description: str,
    x_label: str,
    y_label: str,
    width: int = 560,
    height: int = 500,
) -> str:
    """Points on one shared range for both axes, with the y = x line where perfect ones would sit."""
    values = [v for v in (*x, *y) if math.isfinite(v)]
    lo, hi = (min(values), max(values)) if values else (0.0, 1.0)
    ticks = nice_ticks(lo, hi)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    # Room for the widest tick label (about 7px a character at 12px) beside the axis title.
    widest = max(len(format_tick(value)) for value in ticks)
    left = 40 + 7 * widest
    right = max(18, 4 * len(format_tick(ticks[-1])))
    frame = _Frame(width, height, left, right, 14, 52, (lo, hi), (lo, hi))
    parts = [_axes(frame, ticks, ticks, x_label, y_label, format_tick)]
    parts.append(
        f'<line x1="{frame.px(lo):.1f}" y1="{frame.py(lo):.1f}" x2="{frame.px(hi):.1f}" y2="{frame.py(hi):.1f}" '
        f'stroke="{REFERENCE_COLOR}" stroke-width="1.5" stroke-dasharray="6 5"/>'
    )
    radius = 2.6 if len(x) > 500 else 3.5
    circles = "".join(
        f'<circle cx="{frame.px(a):.1f}" cy="{frame.py(b):.1f}" r="{radius}"/>'
        for a, b in zip(x, y)
        if math.isfinite(a) and math.isfinite(b)
    )
    parts.append(f'<g fill="{PALETTE[0]}" fill-opacity="0.45">{circles}</g>')
    return _svg(frame, description, parts)


def progress_chart(
    seconds: Sequence[float],
    losses: Sequence[float],
    *,
    description: str,
    x_label: str,
    y_label: str,
    width: int = 560,
    height: int = 360,
) -> str:
    """A search over time: each finished trial's loss as a point, the best so far as a step line."""
    points = [(x, y) for x, y in zip(seconds, losses) if math.isfinite(x) and math.isfinite(y)]
    xs, ys = [x for x, _ in points] or [0.0], [y for _, y in points] or [0.0]
    x_ticks, y_ticks = nice_ticks(0.0, max(xs)), nice_ticks(min(ys), max(ys))
    widest = max(len(format_tick(value)) for value in y_ticks)
    frame = _Frame(width, height, 40 + 7 * widest, 18, 14, 52, (x_ticks[0], x_ticks[-1]), (y_ticks[0], y_ticks[-1]))
    parts = [_axes(frame, x_ticks, y_ticks, x_label, y_label, format_tick)]
    circles = "".join(f'<circle cx="{frame.px(x):.1f}" cy="{frame.py(y):.1f}" r="3.5"/>' for x, y in points)
    parts.append(f'<g fill="{PALETTE[0]}" fill-opacity="0.5">{circles}</g>')
    steps: list[str] = []
    best = math.inf
    for x, y in sorted(points):
        if y < best:
            if steps:
                steps.append(f"{frame.px(x):.1f},{frame.py(best):.1f}")
            best = y
            steps.append(f"{frame.px(x):.1f},{frame.py(best):.1f}")
    if steps:
        steps.append(f"{frame.px(max(xs)):.1f},{frame.py(best):.1f}")
        parts.append(f'<polyline points="{" ".join(steps)}" fill="none" stroke="{PALETTE[1]}" stroke-width="2.2"/>')
    return _svg(frame, description, parts)


def bar_chart(
    items: Sequence[tuple[str, float, str]],
    *,
    description: str,
    width: int = 860,
    label_width: int = 250,
    bar_height: int = 22,
) -> str:
    """Horizontal bars: (label, value 0..1, text at the bar's end), drawn top to bottom.

    860 units wide: about 1:1.2 on screen in the 1024px column and still legible on A4 paper.
    """
    gap = 8
    top, bottom = 6, 6
    height = top + bottom + len(items) * (bar_height + gap)
    frame = _Frame(width, height, label_width, 70, top, bottom, (0.0, 1.0), (0.0, 1.0))
    longest = max((value for _, value, _ in items), default=1.0) or 1.0
    span = width - frame.left - frame.right
    parts = []
    for index, (label, value, text) in enumerate(items):
        y = top + index * (bar_height + gap)
        length = max(value / longest * span, 1.0)
        middle = y + bar_height / 2
        parts.append(
            f"<g><title>{escape(label)}: {escape(text)}</title>"
            f'<text x="{frame.left - 10}" y="{middle:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-size="13" fill="#222">{escape(shorten(label, 34))}</text>'
            f'<rect x="{frame.left}" y="{y}" width="{length:.1f}" height="{bar_height}" rx="2" fill="{PALETTE[0]}"/>'
            f'<text x="{frame.left + length + 6:.1f}" y="{middle:.1f}" dominant-baseline="central" '
            f'font-size="12" fill="#333">{escape(text)}</text></g>'
        )
    parts.append(
        f'<line x1="{frame.left}" y1="{top - 3}" x2="{frame.left}" y2="{height - bottom + 3}" stroke="{AXIS_COLOR}"/>'
    )
    return _svg(frame, description, parts)


def nice_ticks(lo: float, hi: float, count: int = 5) -> list[float]:
    """Round tick values (1, 2, 5 × 10^k steps) covering lo..hi."""
    if not (math.isfinite(lo) and math.isfinite(hi)):
        return [0.0, 1.0]
    if hi <= lo:
        pad = abs(lo) * 0.1 or 1.0
        lo, hi = lo - pad, hi + pad
    raw = (hi - lo) / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 2.5, 5, 10) if m * magnitude >= raw)
    first = math.floor(lo / step)
    last = math.ceil(hi / step)
    return [round(index * step, 12) for index in range(first, last + 1)]


def format_tick(value: float) -> str:
    if value == 0:
        return "0"
    magnitude = abs(value)
    if magnitude >= 1e6 or magnitude < 1e-3:
        return f"{value:.2g}"
    if magnitude >= 1000:
        return f"{value:,.0f}"
    return f"{value:.6g}"


def shorten(text: str, width: int) -> str:
    """`text` cut to about `width` Latin characters (East Asian wide ones count double), with …"""
    used = 0
    for index, char in enumerate(text):
        used += 2 if unicodedata.east_asian_width(char) in ("W", "F") else 1
        if used > width:
            return text[:index].rstrip() + "…"
    return text


def _fraction_tick(value: float) -> str:
    return f"{value:.1f}"


def _axes(frame: _Frame, x_ticks, y_ticks, x_label: str, y_label: str, label) -> str:
    parts = []
    bottom = frame.height - frame.bottom
    right = frame.width - frame.right
    for value in x_ticks:
        x = frame.px(value)
        parts.append(f'<line x1="{x:.1f}" y1="{frame.top}" x2="{x:.1f}" y2="{bottom}" stroke="{GRID_COLOR}"/>')
        parts.append(
            f'<text x="{x:.1f}" y="{bottom + 18}" text-anchor="middle" font-size="12" fill="{AXIS_COLOR}">'
            f"{escape(label(value))}</text>"
        )
    for value in y_ticks:
        y = frame.py(value)
        parts.append(f'<line x1="{frame.left}" y1="{y:.1f}" x2="{right}" y2="{y:.1f}" stroke="{GRID_COLOR}"/>')
        parts.append(
            f'<text x="{frame.left - 8}" y="{y:.1f}" text-anchor="end" dominant-baseline="central" '
            f'font-size="12" fill="{AXIS_COLOR}">{escape(label(value))}</text>'
        )
    parts.append(
        f'<rect x="{frame.left}" y="{frame.top}" width="{right - frame.left}" height="{bottom - frame.top}" '
        f'fill="none" stroke="{AXIS_COLOR}"/>'
    )
    middle_x = (frame.left + right) / 2
    middle_y = (frame.top + bottom) / 2
    parts.append(
        f'<text x="{middle_x:.1f}" y="{frame.height - 10}" text-anchor="middle" font-size="13" fill="#222">'
        f"{escape(x_label)}</text>"
    )
    parts.append(
        f'<text transform="translate(16 {middle_y:.1f}) rotate(-90)" text-anchor="middle" '
        f'dominant-baseline="central" font-size="13" fill="#222">{escape(y_label)}</text>'
    )
    return "".join(parts)


def _svg(frame: _Frame, description: str, parts: Sequence[str]) -> str:
    return (
        f'<svg viewBox="0 0 {frame.width} {frame.height}" '
        f'role="img" aria-label="{escape(description)}" class="chart">'
        f"<title>{escape(description)}</title>{''.join(parts)}</svg>"
    )
