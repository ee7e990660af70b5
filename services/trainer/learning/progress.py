"""How a training run reports where it is: a phase, a fold number and a percentage."""

from __future__ import annotations

from collections.abc import Callable

Progress = Callable[[str, int, float], None]

# Progress percentages at which each phase starts.
PERCENT = {"preparing": 0.0, "searching": 10.0, "cross_validation": 50.0, "fitting": 80.0, "exporting": 90.0}


def between(phase: str, next_phase: str, share: float) -> float:
    """The percentage `share` (0..1) of the way from `phase`'s start to `next_phase`'s."""
    return PERCENT[phase] + (PERCENT[next_phase] - PERCENT[phase]) * share


def silent(phase: str, fold: int, percent: float) -> None:
    """The reporter of a run that nobody watches."""
