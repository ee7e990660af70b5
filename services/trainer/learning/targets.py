"""The target column → labels: which rows have one, the class order, integer class codes.

Labels (schema.class_labels, the order of the `probabilities` columns): binary → [negative,
positive], so probabilities[:, 1] is P(positive class); multiclass → sorted by value when every label reads
as a number ("2" before "10"), else by text. Class labels come from the learning rows; an
evaluation data set's targets are read with them.
"""

from __future__ import annotations

import numpy as np

from services.tabular.cells import is_missing, normalise, parse_number
from services.tabular.schema import ProblemType
from services.tabular.table import Table
from services.trainer.learning.config import ConfigError, TrainingConfig


def target_rows(table: Table, config: TrainingConfig, *, source: str = "") -> tuple[list[int], list]:
    """Indices of rows with a target, and their targets (labels as text or numbers).

    `source` names a table other than the learning data in messages ("the evaluation data");
    the class checks of the config apply to the learning data only.
    """
    try:
        index = table.index_of(config.target)
    except KeyError:
        raise ConfigError(f"{source or 'the data'} has no column {config.target!r} to use as the target") from None
    kept: list[int] = []
    values: list = []
    for row_index, row in enumerate(table.rows):
        cell = row[index]
        if is_missing(cell):
            continue
        if config.problem_type.is_classification:
            values.append(normalise(cell))
        else:
            number = parse_number(cell)
            if number is None:
                raise ConfigError(
                    f"regression needs a number in every row of {config.target!r}; "
                    f"{source + ' ' if source else ''}data row {row_index + 1} has {cell!r}"
                )
            values.append(number)
        kept.append(row_index)
    if source:
        if not values:
            raise ConfigError(f"the target column {config.target!r} has no values in {source}")
    elif config.problem_type.is_classification:
        config.check_target_values(values)
    elif not values:
        raise ConfigError(f"the target column {config.target!r} has no values")
    return kept, values


def class_order(targets: list, config: TrainingConfig) -> list[str]:
    """The class labels in code order (see the module doc); empty for regression."""
    if not config.problem_type.is_classification:
        return []
    distinct = set(targets)
    if config.problem_type is ProblemType.BINARY_CLASSIFICATION:
        positive = config.positive_label
        (negative,) = distinct - {positive}
        return [negative, positive]
    numbers = {label: parse_number(label) for label in distinct}
    if all(value is not None for value in numbers.values()):
        return sorted(distinct, key=lambda label: (numbers[label], label))
    return sorted(distinct)


def label_codes(targets: list, class_labels: list[str], config: TrainingConfig, source: str) -> np.ndarray:
    """What LightGBM learns: class codes in `class_labels` order, or the regression's numbers.

    `source` names the table in messages ("" for the learning data).
    """
    if not config.problem_type.is_classification:
        return np.asarray(targets, dtype=np.float64)
    code = {label: index for index, label in enumerate(class_labels)}
    unknown = sorted(set(targets) - set(code))
    if unknown:  # only the evaluation data can have them: the labels come from the learning data
        shown = ", ".join(repr(value) for value in unknown[:5])
        known = ", ".join(repr(value) for value in class_labels)
        raise ConfigError(
            f"{source or 'the data'} has values of {config.target!r} that the learning data "
            f"never has: {shown}; the model can only predict {known}"
        )
    return np.array([code[value] for value in targets], dtype=np.int64)
