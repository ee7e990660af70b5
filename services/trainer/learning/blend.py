"""A weighted blend of LightGBM models as one LightGBM model.

A blend's raw score is the weighted sum of its members' raw scores (log-odds, or the regression
value itself). A LightGBM model's raw score is the sum of its trees' leaf values, so the blend is
itself a tree ensemble: every member's trees, each leaf (and internal node) value multiplied by the
member's weight. Everything downstream keeps working unchanged on the merged model: the ONNX
export with its float32-exact thresholds, Triton's dynamic batching, and prediction reasons, since
TreeSHAP contributions are linear in the trees and still sum to the blended raw score.

The weights come from Caruana et al.'s greedy ensemble selection ("Ensemble selection from
libraries of models", ICML 2004, as auto-sklearn uses it): add, with replacement, whichever member
lowers the out-of-fold loss of the blend most, for a fixed number of rounds; weights are the
members' counts. It cannot do worse on the out-of-fold rows than the best member alone, which it
starts from; the caller keeps the blend only when it is better by a margin.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import lightgbm as lgb
import numpy as np

SELECTION_ROUNDS = 25

_SCALED_LINES = ("leaf_value=", "internal_value=")
_FEATURE_RANGE = re.compile(r"\[(.+):(.+)\]")


def merge_boosters(boosters: Sequence[lgb.Booster], weights: Sequence[float]) -> lgb.Booster:
    """One model whose raw score is sum(weight * member's raw score); members must share their
    objective, classes and features (models of one data set trained with different settings)."""
    if len(boosters) != len(weights) or not boosters:
        raise ValueError("merge_boosters needs one weight per model, and at least one model")
    texts = [booster.model_to_string(num_iteration=-1) for booster in boosters]
    headers, trees = zip(*(_split(text) for text in texts))
    first = headers[0]
    for header in headers[1:]:
        for key in ("num_class", "num_tree_per_iteration", "max_feature_idx", "objective", "feature_names"):
            if header.get(key) != first.get(key):
                raise ValueError(f"models differ in {key}: they cannot be blended into one")
    merged_trees: list[str] = []
    for member_trees, weight in zip(trees, weights):
        for tree in member_trees:
            merged_trees.append(_scaled(tree, float(weight)))
    header = dict(first)
    header["feature_infos"] = _merged_feature_infos([h["feature_infos"] for h in headers])
    return _booster(header, merged_trees)


def booster_with_trees(template: lgb.Booster, trees: Sequence[str]) -> lgb.Booster:
    """A model of `trees` (each a tree's lines after its Tree= line, in LightGBM's text format) with
    `template`'s header: its objective, classes and features."""
    header, _ = _split(template.model_to_string(num_iteration=-1))
    return _booster(header, list(trees))


def _booster(header: dict[str, str], trees: Sequence[str]) -> lgb.Booster:
    header = {key: value for key, value in header.items() if key != "tree_sizes"}  # the old trees' byte lengths
    lines = ["tree"] + [f"{key}={value}" for key, value in header.items()] + [""]
    for number, tree in enumerate(trees):
        lines.append(f"Tree={number}")
        lines.append(tree)
        lines.append("")
    lines.append("end of trees")
    lines.append("")
    return lgb.Booster(model_str="\n".join(lines))


def _split(text: str) -> tuple[dict[str, str], list[str]]:
    """(header fields in order, each tree's lines after its Tree= line), from a model's text."""
    head, _, rest = text.partition("\nTree=")
    header: dict[str, str] = {}
    for line in head.splitlines()[1:]:  # the first line is the format's name, "tree"
        if "=" in line:
            key, _, value = line.partition("=")
            header[key] = value
    body = ("Tree=" + rest).split("end of trees", 1)[0]
    trees = []
    for block in body.split("Tree=")[1:]:
        tree_lines = block.strip().splitlines()[1:]  # the number after Tree= is renumbered
        if any(line == "is_linear=1" for line in tree_lines):
            raise ValueError("linear trees cannot be blended by scaling their leaves")
        trees.append("\n".join(tree_lines))
    return header, trees


def _scaled(tree: str, weight: float) -> str:
    lines = []
    for line in tree.splitlines():
        prefix = next((p for p in _SCALED_LINES if line.startswith(p)), None)
        if prefix is not None:
            values = [repr(float(value) * weight) for value in line[len(prefix) :].split()]
            line = prefix + " ".join(values)
        lines.append(line)
    return "\n".join(lines)


def _merged_feature_infos(infos: Sequence[str]) -> str:
    """Per feature, the widest numeric range, or the union of the categories, any member saw."""
    per_member = [info.split(" ") for info in infos]
    merged = []
    for values in zip(*per_member):
        ranges = [_FEATURE_RANGE.fullmatch(value) for value in values]
        if all(ranges):
            low = min(float(match.group(1)) for match in ranges if match)
            high = max(float(match.group(2)) for match in ranges if match)
            merged.append(f"[{low!r}:{high!r}]")
        elif all(value == "none" for value in values):
            merged.append("none")
        else:
            categories = sorted({int(c) for value in values if value != "none" for c in value.split(":")})
            merged.append(":".join(map(str, categories)) if categories else "none")
    return " ".join(merged)


def select_weights(
    raw_scores: Sequence[np.ndarray],
    loss: Callable[[np.ndarray], float],
    rounds: int = SELECTION_ROUNDS,
) -> np.ndarray:
    """Weights (summing to 1) of each member's out-of-fold raw scores, by greedy selection with
    replacement; `loss` takes a blend's raw scores. Ties go to the member listed first, so the
    result is deterministic."""
    if not raw_scores:
        raise ValueError("select_weights needs at least one member")
    counts = np.zeros(len(raw_scores), dtype=np.int64)
    blend_sum = np.zeros_like(np.asarray(raw_scores[0], dtype=np.float64))
    for step in range(rounds):
        trial_losses = [loss((blend_sum + member) / (step + 1)) for member in raw_scores]
        chosen = int(np.argmin(trial_losses))
        counts[chosen] += 1
        blend_sum = blend_sum + raw_scores[chosen]
    return counts / counts.sum()
