"""How strongly a column goes with the target, as one number in the column-info answer.

Each pair of kinds gets the usual measure: Pearson's r for two numeric columns (sign kept,
-1..1), the correlation ratio eta for a categorical against a numeric one (0..1), Cramér's V
for two categorical ones (0..1). Only rows where both cells are present count. None means the
measure is undefined (fewer than two rows, no spread, a single category).
"""

from __future__ import annotations

import math

import numpy as np


def pearson(x: np.ndarray, y: np.ndarray) -> float | None:
    """Pearson's r of two float arrays, NaN marking a missing cell."""
    both = ~(np.isnan(x) | np.isnan(y))
    x, y = x[both], y[both]
    if x.size < 2:
        return None
    dx, dy = x - x.mean(), y - y.mean()
    denominator = math.sqrt(float(dx @ dx) * float(dy @ dy))
    if denominator == 0.0:
        return None
    return _finite(float(dx @ dy) / denominator, -1.0, 1.0)


def correlation_ratio(codes: np.ndarray, y: np.ndarray) -> float | None:
    """Eta: the share of y's spread explained by the categories, as a root (0..1).

    `codes` are category numbers (-1 missing), `y` floats (NaN missing).
    """
    both = (codes >= 0) & ~np.isnan(y)
    codes, y = codes[both], y[both]
    if y.size < 2:
        return None
    _, groups = np.unique(codes, return_inverse=True)
    sizes = np.bincount(groups)
    if sizes.size < 2:
        return None
    means = np.bincount(groups, weights=y) / sizes
    mean = y.mean()
    total = float(((y - mean) ** 2).sum())
    if total == 0.0:
        return None
    between = float((sizes * (means - mean) ** 2).sum())
    return _finite(math.sqrt(between / total), 0.0, 1.0)


def cramers_v(a: np.ndarray, b: np.ndarray) -> float | None:
    """Cramér's V of two category-number arrays (-1 missing), without the bias correction.

    The contingency table is counted sparsely, so an identifier-like column with thousands of
    categories costs no memory.
    """
    both = (a >= 0) & (b >= 0)
    a, b = a[both], b[both]
    n = a.size
    if n < 2:
        return None
    _, rows = np.unique(a, return_inverse=True)
    _, columns = np.unique(b, return_inverse=True)
    k, r = int(rows.max()) + 1, int(columns.max()) + 1
    if min(k, r) < 2:
        return None
    cells, observed = np.unique(rows.astype(np.int64) * r + columns, return_counts=True)
    row_totals = np.bincount(rows)
    column_totals = np.bincount(columns)
    expected_share = row_totals[cells // r] * column_totals[cells % r]
    chi2 = n * (float((observed.astype(np.float64) ** 2 / expected_share).sum()) - 1.0)
    return _finite(math.sqrt(max(chi2, 0.0) / (n * (min(k, r) - 1))), 0.0, 1.0)


def _finite(value: float, low: float, high: float) -> float | None:
    """Rounding can step just outside the measure's range; NaN is not JSON."""
    if not math.isfinite(value):
        return None
    return min(max(value, low), high)
