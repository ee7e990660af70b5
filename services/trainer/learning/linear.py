"""A linear member for the blend, written as LightGBM trees so the final model stays one booster.

Why: where classes part along a slanted line (penguins' bill length against bill depth and body
mass), boosted trees draw the line as a staircase, and a logistic regression on the same columns
is better out of fold. AutoML libraries keep such a model among their candidates (FLAML's lrl1,
AutoGluon's LR); here it joins the blend, weighted by the out-of-fold rows like any member.

The model: each feature's training values fall into at most MAX_BINS bins (one per distinct value
when there are fewer, else quantiles). A numeric feature enters as its bin's mean value, a
categorical one as one-hot columns of its codes; every column is standardised on the training rows,
and a missing value (or a code the training rows did not hold) is the training mean, 0 once
standardised. Logistic regression (binary, multinomial) or ridge regression fits these columns,
its strength picked from STRENGTHS by the validation splits' loss.

Since each model input is a function of one feature's bin, the raw score is a sum of one step
function per feature and class: one LightGBM tree each, a balanced search tree over the bin edges
whose leaves hold the step's values, under a root that sends a missing value to a leaf of its own.
The intercept joins the first feature's trees. The merged model is still one LightGBM model, so the
ONNX export, its check, Triton's batching and the TreeSHAP reasons (a one-feature tree's reason is
its value minus its mean over the training rows, a leaf no row reached counting as one) need
nothing new. Each tree's split gain is the
spread of the raw score it adds (rows x squared deviation from its mean), so the report's
importance counts the linear member's features too.
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

import lightgbm as lgb
import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression, Ridge

from services.tabular.schema import ProblemType
from services.trainer.learning.blend import booster_with_trees
from services.trainer.learning.boosting import BudgetSpent, TrainingData, class_weights
from services.trainer.learning.ensemble import Member, OutOfFold, out_of_fold_rows, predictions_of, raw_loss
from services.trainer.learning.validation import ValidationPlan

MAX_BINS = 255  # per numeric feature, as LightGBM's own max_bin
MAX_CODES = 256  # a categorical feature with a wider range of codes is left out of the model
# Inverse regularisation strengths tried (logistic regression's C; ridge's alpha is 1 / C).
STRENGTHS = (0.01, 0.1, 1.0, 10.0, 100.0)
MAX_ITERATIONS = 500
# No linear member where its inputs' matrix (rows x columns, float64) would pass this many cells,
# or its model this many trees (features x classes).
MAX_CELLS = 8_000_000
MAX_TREES = 4_000
# Nor, for more than two classes, past this many cells x classes: a multinomial fit is not stopped
# by the deadline and takes hundreds of iterations (measured with scikit-learn here: 100k rows x
# 80 inputs x 10 classes 22-26 s a fit, 20k x 20 x 10 2.4-3.3 s, 8k x 50 x 10 1.6-3.3 s).
MAX_CLASS_CELLS = 2_000_000
# Thresholds: a finite float32 is never above this one, so only NaN and +inf take the missing leaf.
_ALL_FINITE = float(np.finfo(np.float32).max)
_NAN_MISSING = 2 << 2  # LightGBM decision_type: missing values are NaN, sent right (default_left 0)
LINEAR_TRIAL = -1  # the member's "trial" in the blend's summary: it comes from no search trial


class NotApplicable(Exception):
    """The data gives the linear model nothing to fit (no varying feature, a class missing from a
    split's training rows, or more cells or trees than the bounds allow)."""


@dataclass(frozen=True)
class _Feature:
    """One feature's bins and what each bin is as standardised model inputs."""

    feature: int
    thresholds: np.ndarray  # ascending; bin k holds thresholds[k-1] < x <= thresholds[k]
    inputs: np.ndarray  # [bins, width]
    missing: np.ndarray  # [width]: a missing value's inputs
    counts: np.ndarray  # training rows per bin
    missing_count: int

    @property
    def width(self) -> int:
        return self.inputs.shape[1]

    def design(self, values: np.ndarray) -> np.ndarray:
        """[rows, width] inputs of `values`: NaN and +inf are missing (the tree's root sends them to
        the missing leaf), -inf falls in the first bin."""
        present = values < np.inf
        out = np.empty((len(values), self.width))
        out[present] = self.inputs[np.searchsorted(self.thresholds, values[present], side="left")]
        out[~present] = self.missing
        return out


class LinearInputs:
    """The binned, standardised model inputs, fitted on one set of training rows."""

    def __init__(self, features: np.ndarray, categorical: Sequence[int]) -> None:
        fitted = (
            _categorical_feature(index, features[:, index])
            if index in set(categorical)
            else _numeric_feature(index, features[:, index])
            for index in range(features.shape[1])
        )
        self.features = [feature for feature in fitted if feature is not None and feature.width > 0]
        if not self.features:
            raise NotApplicable("no feature varies")
        self.width = sum(feature.width for feature in self.features)

    def design(self, features: np.ndarray) -> np.ndarray:
        return np.hstack([feature.design(features[:, feature.feature]) for feature in self.features])


def _numeric_feature(index: int, values: np.ndarray) -> _Feature | None:
    known = values[np.isfinite(values)].astype(np.float64)
    if len(known) == 0:
        return None
    distinct = np.unique(known)
    if len(distinct) <= MAX_BINS:
        thresholds = (distinct[:-1] + distinct[1:]) / 2.0
    else:  # quantiles that are values, below the largest: no bin is empty
        quantiles = np.quantile(known, np.linspace(0.0, 1.0, MAX_BINS + 1)[1:-1], method="lower")
        thresholds = np.unique(quantiles[quantiles < distinct[-1]])
    bins = np.searchsorted(thresholds, known, side="left")
    counts = np.bincount(bins, minlength=len(thresholds) + 1)
    means = np.bincount(bins, weights=known, minlength=len(thresholds) + 1) / np.maximum(counts, 1)
    binned = means[bins]
    centre, spread = float(binned.mean()), float(binned.std())
    if spread == 0.0:
        return None
    inputs = ((means - centre) / spread)[:, None]
    return _Feature(index, thresholds, inputs, np.zeros(1), counts, int(len(values) - len(known)))


def _categorical_feature(index: int, values: np.ndarray) -> _Feature | None:
    """Bins per integer code from one below the smallest seen to one above the largest: a code the
    training rows lack falls in a bin of its own whose inputs are a missing value's. The one-hot
    columns' means and spreads come from the codes' counts, without building the columns."""
    known = values[~np.isnan(values)]
    if len(known) == 0:
        return None
    codes = known.astype(np.int64)
    low, high = int(codes.min()), int(codes.max())
    if high - low + 1 > MAX_CODES:
        return None
    seen, counts_seen = np.unique(codes, return_counts=True)
    share = counts_seen / len(values)  # a 0/1 column's mean; its spread is sqrt(p (1 - p))
    spread = np.sqrt(share * (1.0 - share))
    varying = spread > 0
    if not varying.any():
        return None
    centre, spread = share[varying], spread[varying]
    missing = -centre / spread
    all_codes = np.arange(low - 1, high + 2)
    inputs = np.tile(missing, (len(all_codes), 1))
    inputs[seen - (low - 1)] = (np.eye(len(seen))[:, varying] - centre) / spread
    counts = np.zeros(len(all_codes), dtype=np.int64)
    counts[seen - (low - 1)] = counts_seen
    thresholds = (all_codes[:-1] + 0.5).astype(np.float64)
    return _Feature(index, thresholds, inputs, missing, counts, int(np.isnan(values).sum()))


def _model(problem_type: ProblemType, strength: float, seed: int) -> LogisticRegression | Ridge:
    if problem_type is ProblemType.REGRESSION:
        return Ridge(alpha=1.0 / strength)
    return LogisticRegression(C=strength, max_iter=MAX_ITERATIONS, random_state=seed)


@dataclass(frozen=True)
class LinearFit:
    coefficients: np.ndarray  # [trees per round, width]
    intercepts: np.ndarray  # [trees per round]

    def raw(self, design: np.ndarray, problem_type: ProblemType) -> np.ndarray:
        raw = design @ self.coefficients.T + self.intercepts
        return raw if problem_type is ProblemType.MULTI_CLASSIFICATION else raw[:, 0]


def fit_linear(data: TrainingData, rows: np.ndarray, design: np.ndarray, strength: float) -> LinearFit:
    """The model on `rows` of `data`, whose inputs are `design` (LinearInputs.design of those rows)."""
    labels = data.labels[rows]
    if data.problem_type.is_classification and len(np.unique(labels)) < data.n_classes:
        raise NotApplicable("a split's training rows lack a class")
    weight = class_weights(labels, data.n_classes) if data.imbalance else None
    model = _model(data.problem_type, strength, int(data.base["seed"]))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)  # the iteration cap bounds the time; the loss judges
        model.fit(design, labels, sample_weight=weight)
    coefficients = np.atleast_2d(np.asarray(model.coef_, dtype=np.float64))
    intercepts = np.atleast_1d(np.asarray(model.intercept_, dtype=np.float64))
    return LinearFit(coefficients, intercepts)


def cross_validated(data: TrainingData, validation: ValidationPlan, deadline: float | None = None) -> Member:
    """The linear model on every split at each strength; the member holds the best strength's
    out-of-fold predictions. NotApplicable when it cannot be fitted, BudgetSpent past `deadline`.
    One split's inputs are held at a time (at most MAX_CELLS cells)."""
    per_round = data.n_classes if data.problem_type is ProblemType.MULTI_CLASSIFICATION else 1
    shape = (data.rows, per_round) if per_round > 1 else (data.rows,)
    raws = {strength: OutOfFold(np.zeros(shape)) for strength in STRENGTHS}
    for train_rows, valid_rows in validation.splits:
        inputs = LinearInputs(data.features[train_rows], data.categorical_features)
        # Bounded for the refit on every row too, which may find a few more features that vary.
        cells = data.rows * inputs.width
        if (
            cells > MAX_CELLS
            or (per_round > 1 and cells * per_round > MAX_CLASS_CELLS)
            or len(inputs.features) * per_round > MAX_TREES
        ):
            raise NotApplicable(
                f"{data.rows} rows x {inputs.width} inputs x {per_round}, {len(inputs.features)} features"
            )
        design, valid_design = inputs.design(data.features[train_rows]), inputs.design(data.features[valid_rows])
        for strength in STRENGTHS:
            if deadline is not None and time.monotonic() >= deadline:
                raise BudgetSpent
            fitted = fit_linear(data, train_rows, design, strength)
            raws[strength].add(valid_rows, fitted.raw(valid_design, data.problem_type))
    oof_rows = out_of_fold_rows(validation)
    labels = data.labels[oof_rows]
    oof_raws = {strength: raws[strength].means(oof_rows) for strength in STRENGTHS}
    # The lowest loss; the stronger regularisation on a tie.
    strength = min(STRENGTHS, key=lambda s: (raw_loss(oof_raws[s], labels, data.problem_type), s))
    return Member(
        LINEAR_TRIAL,
        {"linear_strength": strength},
        predictions_of(oof_raws[strength], data.problem_type),
        [],
        refit=lambda rows, template: linear_booster(data, strength, rows, template),
        name=f"linear model (strength {strength:g})",
    )


def linear_booster(data: TrainingData, strength: float, rows: np.ndarray | None, template: lgb.Booster) -> lgb.Booster:
    """The linear model fitted on `rows` (None: all), as trees under `template`'s header."""
    chosen = np.arange(data.rows) if rows is None else np.asarray(rows)
    inputs = LinearInputs(data.features[chosen], data.categorical_features)
    fitted = fit_linear(data, chosen, inputs.design(data.features[chosen]), strength)
    trees = []
    start = 0
    for position, feature in enumerate(inputs.features):
        block = fitted.coefficients[:, start : start + feature.width]
        start += feature.width
        for tree_class in range(len(fitted.intercepts)):
            shift = fitted.intercepts[tree_class] if position == 0 else 0.0
            values = feature.inputs @ block[tree_class] + shift
            missing = float(feature.missing @ block[tree_class] + shift)
            trees.append(_tree_text(feature, values, missing))
    return booster_with_trees(template, trees)


def _tree_text(feature: _Feature, values: np.ndarray, missing: float) -> str:
    """One LightGBM tree: node 0 sends NaN (and +inf) to the last leaf, the rest search the bins."""
    bins = len(values)
    # TreeSHAP weighs each branch by its rows and divides by them: a leaf no training row reached
    # (the missing values' leaf, a code the rows lacked) counts as one row, not zero.
    counts = [max(1, int(count)) for count in feature.counts] + [max(1, feature.missing_count)]
    leaf_values = [float(value) for value in values] + [missing]
    nodes: list[dict[str, float | int]] = []

    def node(low: int, high: int) -> tuple[int, int, float]:
        """(child reference, rows, sum of values) of the subtree over bins low..high."""
        if low == high:
            return -(low + 1), counts[low], counts[low] * leaf_values[low]
        middle = (low + high) // 2
        index = len(nodes)
        nodes.append({})
        left, left_rows, left_sum = node(low, middle)
        right, right_rows, right_sum = node(middle + 1, high)
        rows, total = left_rows + right_rows, left_sum + right_sum
        nodes[index] = {
            "threshold": float(feature.thresholds[middle]),
            "left": left,
            "right": right,
            "rows": rows,
            "value": total / rows if rows else 0.0,
        }
        return index, rows, total

    nodes.append({})
    searched, known_rows, known_sum = node(0, bins - 1)
    all_rows = known_rows + counts[-1]
    mean = (known_sum + counts[-1] * missing) / all_rows
    spread = sum(count * (value - mean) ** 2 for count, value in zip(counts, leaf_values))
    nodes[0] = {"threshold": _ALL_FINITE, "left": searched, "right": -(bins + 1), "rows": all_rows, "value": mean}
    gains = [spread] + [0.0] * (len(nodes) - 1)
    fields = {
        "num_leaves": str(bins + 1),
        "num_cat": "0",
        "split_feature": " ".join(str(feature.feature) for _ in nodes),
        "split_gain": " ".join(repr(gain) for gain in gains),
        "threshold": " ".join(repr(float(n["threshold"])) for n in nodes),
        "decision_type": " ".join(str(_NAN_MISSING) for _ in nodes),
        "left_child": " ".join(str(int(n["left"])) for n in nodes),
        "right_child": " ".join(str(int(n["right"])) for n in nodes),
        "leaf_value": " ".join(repr(value) for value in leaf_values),
        "leaf_weight": " ".join(str(count) for count in counts),
        "leaf_count": " ".join(str(count) for count in counts),
        "internal_value": " ".join(repr(float(n["value"])) for n in nodes),
        "internal_weight": " ".join(str(int(n["rows"])) for n in nodes),
        "internal_count": " ".join(str(int(n["rows"])) for n in nodes),
        "is_linear": "0",
        "shrinkage": "1",
    }
    return "\n".join(f"{key}={value}" for key, value in fields.items())
