"""Tables for the learning tests: sklearn's bundled data sets and a small mixed-type table."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import numpy as np
from sklearn import datasets

from services.tabular.column_types import ColumnType
from services.tabular.table import Table

CITIES = ("Tokyo", "Osaka", "Nagoya", "Sapporo", "Fukuoka", "Kobe", "Kyoto", "Sendai")
GOOD = ("great", "excellent", "fast", "friendly")
BAD = ("slow", "broken", "rude", "late")
FILLER = ("the", "service", "was", "delivery", "item", "staff", "and", "very", "order")
JAPANESE = ("とても良い対応でした", "配達が遅かった", "商品が壊れていた", "素晴らしいサービス")


def sklearn_table(name: str) -> tuple[Table, dict[str, ColumnType]]:
    """load_<name> as text cells; the target column is "target"."""
    bunch = getattr(datasets, f"load_{name}")()
    names = [feature.replace(" ", "_") for feature in bunch.feature_names]
    if name == "breast_cancer":
        labels = ["malignant", "benign"]
        target = [labels[value] for value in bunch.target]
    elif name in ("wine", "iris"):
        target = [str(bunch.target_names[value]) for value in bunch.target]
    else:
        target = [f"{value:g}" for value in bunch.target]
    rows = [tuple(f"{value:.6g}" for value in row) + (label,) for row, label in zip(bunch.data, target)]
    return Table(tuple(names) + ("target",), rows), {feature: ColumnType.FLOAT for feature in names}


MIXED_TYPES = {
    "id": ColumnType.IGNORE,
    "age": ColumnType.INTEGER,
    "income": ColumnType.FLOAT,
    "city": ColumnType.STRING,
    "signup": ColumnType.DATE,
    "comment": ColumnType.TEXT,
}


def mixed_table(rows: int = 500, seed: int = 0, kind: str = "binary") -> Table:
    """Every column type, missing cells in each, and a target that depends on all of them.

    kind: "binary" (yes/no), "multi" (low/mid/high) or "regression".
    """
    rng = np.random.default_rng(seed)
    start = datetime(1965, 1, 1, tzinfo=UTC)
    out = []
    for index in range(rows):
        age = int(rng.integers(18, 80))
        income = float(rng.gamma(2.0, 300.0))
        city = CITIES[int(rng.integers(0, len(CITIES)))]
        moment = start + timedelta(seconds=int(rng.integers(0, 60 * 365 * 86400)))
        good = rng.random() < 0.5
        words = list(rng.choice(FILLER, 4)) + [str(rng.choice(GOOD if good else BAD))]
        comment = " ".join(words)
        if rng.random() < 0.15:
            comment = comment.capitalize()
        if rng.random() < 0.1:
            comment = str(rng.choice(JAPANESE))
        score = (
            (age - 45) / 15
            + (income - 600) / 400
            + (1.5 if city in ("Tokyo", "Kyoto") else -0.5 if city == "Sendai" else 0.0)
            + (1.0 if moment.weekday() >= 5 else 0.0)
            + (1.5 if good else -1.5)
            + rng.normal(0, 0.5)
        )
        cells = [
            str(index),
            "" if rng.random() < 0.05 else str(age),
            "NA" if rng.random() < 0.05 else (f"{income:,.2f}" if rng.random() < 0.2 else f"{income:.2f}"),
            "" if rng.random() < 0.05 else city,
            "" if rng.random() < 0.05 else moment.strftime("%Y-%m-%d %H:%M:%S" if index % 2 else "%Y/%m/%d"),
            "" if rng.random() < 0.05 else comment,
        ]
        if kind == "binary":
            target = "yes" if score > 0 else "no"
        elif kind == "multi":
            target = "low" if score < -1 else "high" if score > 1 else "mid"
        else:
            target = f"{10 * score + 50:.3f}"
        out.append(tuple(cells) + (target,))
    header = ("id", "age", "income", "city", "signup", "comment", "target")
    return Table(header, out)
