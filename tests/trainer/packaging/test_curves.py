from __future__ import annotations

import numpy as np
import pytest
from sklearn.metrics import average_precision_score, roc_auc_score

from services.trainer.learning.outcome import OutOfFoldRow
from services.trainer.packaging.curves import MAX_POINTS, class_curves
from tests.trainer.packaging import outcomes


def test_binary_auc_and_average_precision_match_scikit_learn():
    outcome = outcomes.binary()
    curves = class_curves(outcome.out_of_fold, outcome.schema.class_labels, only=["yes"])
    truth = [row.actual == "yes" for row in outcome.out_of_fold]
    scores = [row.probabilities[1] for row in outcome.out_of_fold]
    [roc] = curves.roc
    [pr] = curves.pr
    assert roc.area == pytest.approx(roc_auc_score(truth, scores), abs=1e-12)
    assert pr.area == pytest.approx(average_precision_score(truth, scores), abs=1e-12)
    assert (roc.x[0], roc.y[0], roc.x[-1], roc.y[-1]) == (0.0, 0.0, 1.0, 1.0)
    assert (pr.x[0], pr.y[0], pr.x[-1]) == (0.0, 1.0, 1.0)


def test_multiclass_macro_auc_matches_scikit_learn_one_vs_rest():
    outcome = outcomes.multiclass()
    labels = outcome.schema.class_labels
    curves = class_curves(outcome.out_of_fold, labels)
    truth = [labels.index(row.actual) for row in outcome.out_of_fold]
    probabilities = np.array([row.probabilities for row in outcome.out_of_fold])
    expected = roc_auc_score(truth, probabilities, multi_class="ovr", average="macro")
    assert [curve.label for curve in curves.roc] == list(labels)
    assert curves.macro_auc == pytest.approx(expected, abs=1e-12)


def test_curves_are_thinned_but_keep_their_ends():
    rng = np.random.default_rng(5)
    rows = [
        OutOfFoldRow(i, "a" if rng.random() < 0.5 else "b", "a", (p, 1 - p)) for i, p in enumerate(rng.random(5000))
    ]
    curves = class_curves(rows, ("a", "b"), only=["b"])
    for curve in (*curves.roc, *curves.pr):
        assert 100 < len(curve.x) <= MAX_POINTS
        assert len(curve.x) == len(curve.y)
        assert curve.x[-1] == 1.0
    assert curves.roc[0].y[-1] == 1.0


def test_a_class_without_rows_has_no_curve_and_rows_without_probabilities_are_skipped():
    rows = [
        OutOfFoldRow(1, "a", "a", (0.8, 0.1, 0.1)),
        OutOfFoldRow(2, "b", "a", (0.5, 0.4, 0.1)),
        OutOfFoldRow(3, "b", "b", (0.1, 0.8, 0.1)),
        OutOfFoldRow(4, "c", "c", ()),
    ]
    curves = class_curves(rows, ("a", "b", "c"))
    assert [curve.label for curve in curves.roc] == ["a", "b"]
    assert class_curves(rows[3:], ("a", "b", "c")).roc == ()
