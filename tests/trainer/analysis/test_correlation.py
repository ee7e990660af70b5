from __future__ import annotations

import math

import numpy as np
import pytest

from services.trainer.analysis.correlation import correlation_ratio, cramers_v, pearson

NAN = math.nan


def test_pearson_matches_numpy_and_skips_missing_pairs():
    x = np.array([1.0, 2.0, NAN, 4.0, 5.0, 7.0])
    y = np.array([2.0, 1.0, 3.0, NAN, 8.0, 9.0])
    expected = np.corrcoef([1.0, 2.0, 5.0, 7.0], [2.0, 1.0, 8.0, 9.0])[0, 1]
    assert pearson(x, y) == pytest.approx(expected, abs=1e-12)


def test_pearson_keeps_the_sign_and_stays_in_range():
    x = np.arange(10.0)
    assert pearson(x, -3 * x + 1) == -1.0
    assert pearson(x * 1e-3 + 1e6, x) == pytest.approx(1.0)
    assert pearson(x * 1e-3 + 1e6, x) <= 1.0


def test_pearson_undefined():
    assert pearson(np.array([1.0, 1.0, 1.0]), np.array([1.0, 2.0, 3.0])) is None
    assert pearson(np.array([1.0, NAN]), np.array([1.0, 2.0])) is None


def test_correlation_ratio_by_hand():
    codes = np.array([0, 0, 1, 1, 2, -1])
    y = np.array([1.0, 3.0, 5.0, 7.0, 2.0, 100.0])
    # Without the missing row: mean 3.6; group means 2, 6, 2.
    between = 2 * (2 - 3.6) ** 2 + 2 * (6 - 3.6) ** 2 + 1 * (2 - 3.6) ** 2
    total = sum((value - 3.6) ** 2 for value in [1, 3, 5, 7, 2])
    assert correlation_ratio(codes, y) == pytest.approx(math.sqrt(between / total), abs=1e-12)


def test_correlation_ratio_extremes():
    assert correlation_ratio(np.array([0, 0, 1, 1]), np.array([1.0, 1.0, 5.0, 5.0])) == pytest.approx(1.0)
    assert correlation_ratio(np.array([0, 1, 0, 1]), np.array([1.0, 1.0, 5.0, 5.0])) == pytest.approx(0.0)
    assert correlation_ratio(np.array([0, 1]), np.array([2.0, 2.0])) is None
    assert correlation_ratio(np.array([3, 3, 3]), np.array([1.0, 2.0, 4.0])) is None


def test_cramers_v_by_hand():
    a = np.array([0, 0, 0, 1, 1, 1, 1, 2, 2, -1])
    b = np.array([0, 0, 1, 1, 1, 1, 0, 0, 0, 1])
    observed = np.array([[2, 1], [1, 3], [2, 0]], dtype=float)
    n = observed.sum()
    expected = observed.sum(axis=1, keepdims=True) * observed.sum(axis=0, keepdims=True) / n
    chi2 = ((observed - expected) ** 2 / expected).sum()
    assert cramers_v(a, b) == pytest.approx(math.sqrt(chi2 / (n * 1)), abs=1e-12)


def test_cramers_v_extremes():
    assert cramers_v(np.array([0, 1, 0, 1]), np.array([5, 7, 5, 7])) == pytest.approx(1.0)
    assert cramers_v(np.array([0, 0, 1, 1]), np.array([0, 1, 0, 1])) == pytest.approx(0.0)
    assert cramers_v(np.array([0, 0, 0]), np.array([0, 1, 0])) is None
