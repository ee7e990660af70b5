"""The AutoML benchmark's data sets: public tables that ship inside installed packages, so a run
never downloads anything, and their fixed held-out split.

Each loader returns the whole table (features and target) as a client would have it in a CSV:
class labels as text, missing cells as NaN (empty in the CSV). The split is seeded, 25% held out,
stratified by the label for classification, so Torii and FLAML always see the same rows.
"""

from __future__ import annotations

import gzip
import io
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path

import pandas as pd
from sklearn import datasets as sk
from sklearn.model_selection import train_test_split

HELD_OUT_FRACTION = 0.25
SPLIT_SEED = 20


class Task(StrEnum):
    BINARY = "binary"
    MULTICLASS = "multiclass"
    REGRESSION = "regression"

    @property
    def problem_type(self) -> str:
        """Prediction One's `tt` for this task."""
        return {
            Task.BINARY: "binary_classification",
            Task.MULTICLASS: "multi_classification",
            Task.REGRESSION: "regression",
        }[self]

    @property
    def is_classification(self) -> bool:
        return self is not Task.REGRESSION


@dataclass(frozen=True)
class DataSet:
    name: str
    task: Task
    target: str
    frame: pd.DataFrame  # features and the target column
    source: str
    positive: str | None = None  # binary only: the class whose probability is scored (Prediction One's `tv`)

    @property
    def features(self) -> list[str]:
        return [column for column in self.frame.columns if column != self.target]

    @property
    def categorical(self) -> list[str]:
        return [column for column in self.features if not pd.api.types.is_numeric_dtype(self.frame[column])]

    @property
    def missing_cells(self) -> int:
        return int(self.frame[self.features].isna().sum().sum())


def _labelled(frame: pd.DataFrame, target: str, names: list[str]) -> pd.DataFrame:
    """sklearn's integer classes replaced by their names: the labels a client's CSV would carry."""
    frame = frame.rename(columns={"target": target})
    frame[target] = [str(names[int(code)]) for code in frame[target]]
    return frame


def breast_cancer() -> DataSet:
    bunch = sk.load_breast_cancer(as_frame=True)
    frame = _labelled(bunch.frame, "diagnosis", list(bunch.target_names))
    source = "sklearn.datasets.load_breast_cancer (Wisconsin diagnostic)"
    return DataSet("breast_cancer", Task.BINARY, "diagnosis", frame, source, positive="malignant")


def wine() -> DataSet:
    bunch = sk.load_wine(as_frame=True)
    frame = _labelled(bunch.frame, "cultivar", list(bunch.target_names))
    return DataSet("wine", Task.MULTICLASS, "cultivar", frame, "sklearn.datasets.load_wine (UCI wine)")


def diabetes() -> DataSet:
    frame = sk.load_diabetes(as_frame=True, scaled=False).frame.rename(columns={"target": "progression"})
    return DataSet("diabetes", Task.REGRESSION, "progression", frame, "sklearn.datasets.load_diabetes (unscaled)")


def digits() -> DataSet:
    bunch = sk.load_digits(as_frame=True)
    frame = _labelled(bunch.frame, "digit", [str(name) for name in bunch.target_names])
    return DataSet("digits", Task.MULTICLASS, "digit", frame, "sklearn.datasets.load_digits (8x8 images, 64 pixels)")


def penguins() -> DataSet:
    from palmerpenguins import load_penguins

    frame = load_penguins()
    return DataSet("penguins", Task.MULTICLASS, "species", frame, "palmerpenguins.load_penguins")


def penguins_mass() -> DataSet:
    """Body mass from penguins_raw's measurements, species, island, sex (one '.' there read as missing)."""
    from palmerpenguins import load_penguins_raw

    raw = load_penguins_raw()
    columns = [
        "Species",
        "Island",
        "Clutch Completion",
        "Sex",
        "Culmen Length (mm)",
        "Culmen Depth (mm)",
        "Flipper Length (mm)",
        "Delta 15 N (o/oo)",
        "Delta 13 C (o/oo)",
        "Body Mass (g)",
    ]
    frame = raw[columns].dropna(subset=["Body Mass (g)"]).reset_index(drop=True)
    frame["Sex"] = frame["Sex"].where(frame["Sex"] != ".")
    source = "palmerpenguins.load_penguins_raw (rows without a body mass dropped)"
    return DataSet("penguins_mass", Task.REGRESSION, "Body Mass (g)", frame, source)


# Titanic ships inside scikit-learn's wheel as the test copy of OpenML data set 40945 (complete:
# 1,309 passengers). Only what was known at boarding is kept: `boat` and `body` give the answer away,
# and name, ticket, cabin and home.dest are free text.
_TITANIC = Path(sk.__file__).parent / "tests" / "data" / "openml" / "id_40945" / "data-v1-dl-16826755.arff.gz"
_TITANIC_FEATURES = ["pclass", "sex", "age", "sibsp", "parch", "fare", "embarked"]


def titanic() -> DataSet:
    lines = gzip.decompress(_TITANIC.read_bytes()).decode().splitlines()
    names = [line.split()[1].strip("'") for line in lines if line.lower().startswith("@attribute")]
    body = "\n".join(lines[next(i for i, line in enumerate(lines) if line.lower().startswith("@data")) + 1 :])
    table = pd.read_csv(io.StringIO(body), header=None, names=names, na_values=["?"], keep_default_na=False)
    frame = table[_TITANIC_FEATURES].copy()
    frame["survived"] = table["survived"].map({0: "no", 1: "yes"})
    source = "OpenML 40945 as shipped in scikit-learn's tests/data (sklearn/datasets/tests/data/openml)"
    return DataSet("titanic", Task.BINARY, "survived", frame, source, positive="yes")


SETS: dict[str, Callable[[], DataSet]] = {
    loader.__name__: loader for loader in (breast_cancer, wine, diabetes, digits, penguins, penguins_mass, titanic)
}


def load(name: str) -> DataSet:
    if name not in SETS:
        raise KeyError(f"unknown data set {name!r}; known: {', '.join(SETS)}")
    return SETS[name]()


def held_out_split(data: DataSet, seed: int = SPLIT_SEED) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(train, held out): 25% of the rows held out, seeded, stratified by the label for classification."""
    stratify = data.frame[data.target] if data.task.is_classification else None
    train, held_out = train_test_split(
        data.frame, test_size=HELD_OUT_FRACTION, random_state=seed, stratify=stratify, shuffle=True
    )
    return train.reset_index(drop=True), held_out.reset_index(drop=True)
