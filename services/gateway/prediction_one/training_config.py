"""POST /models' `config` (contract §3.4) as a TrainingConfig message.

The source sends `cv` as a string ("2"); values are accepted as strings or as JSON's own types.
An unknown key is refused rather than ignored, so a typo is not silently trained without.
"""

from __future__ import annotations

from services.gateway.prediction_one.contract_errors import PredictionOneError, bad_request
from services.tabular.proto_codec import PROBLEM_TYPES as PROBLEM_TYPE_PROTOS
from torii.v1 import tabular_pb2

# tt's names are ProblemType's values.
PROBLEM_TYPES = {problem_type.value: proto for problem_type, proto in PROBLEM_TYPE_PROTOS.items()}
PROBLEM_TYPE_NAMES = {value: key for key, value in PROBLEM_TYPES.items()}
TIME_UNITS = ("year", "month", "day", "hour", "minute", "eom")
KNOWN_KEYS = ("tc", "tt", "tv", "cv", "im", "tsm", "tsu", "tsc", "tsi", "tsf", "tst", "tss", "tsin", "tsine")


def _refuse(message: str) -> PredictionOneError:
    return PredictionOneError(bad_request(message))


def _text(config: dict, key: str, *, required: bool = False) -> str:
    value = config.get(key)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise _refuse(f"config.{key} is required.")
        return ""
    if isinstance(value, bool) or not isinstance(value, (str, int, float)):
        raise _refuse(f"config.{key} must be a string.")
    return str(value).strip()


_INT32_LIMIT = 2**31
# The trainer's limit on an explicit fold count (services.trainer.learning.config.MAX_FOLDS;
# the gateway does not import the trainer), refused here before a job is queued.
MAX_FOLDS = 20


def _integer(config: dict, key: str, default: int) -> int:
    value = config.get(key)
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        raise _refuse(f"config.{key} must be an integer.")
    try:
        number = int(str(value).strip())
    except ValueError:
        raise _refuse(f"config.{key} must be an integer, not {value!r}.") from None
    if not -_INT32_LIMIT <= number < _INT32_LIMIT:  # TrainingConfig's fields are int32
        raise _refuse(f"config.{key} must be between {-_INT32_LIMIT} and {_INT32_LIMIT - 1}.")
    return number


def _boolean(config: dict, key: str) -> bool:
    value = config.get(key)
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "1"):
        return True
    if text in ("false", "0"):
        return False
    raise _refuse(f"config.{key} must be true or false, not {value!r}.")


def _names(config: dict, key: str) -> list[str]:
    value = config.get(key)
    if value is None or value == "":
        return []
    items = value if isinstance(value, list) else [value]
    if not all(isinstance(item, str) and item.strip() for item in items):
        raise _refuse(f"config.{key} must be a column name or a list of column names.")
    return [item.strip() for item in items]


def _time_series(config: dict, problem_type: int) -> tabular_pb2.TimeSeriesConfig | None:
    if not _boolean(config, "tsm"):
        return None
    if problem_type != tabular_pb2.PROBLEM_TYPE_REGRESSION:
        raise _refuse("time-series mode (tsm) needs tt = regression.")
    unit = _text(config, "tsu")
    if unit and unit not in TIME_UNITS:
        raise _refuse(f"config.tsu must be one of {', '.join(TIME_UNITS)}.")
    start, end = _integer(config, "tsf", 0), _integer(config, "tst", 0)
    if start < 1:
        raise _refuse("config.tsf is required in time-series mode and must be 1 or more.")
    if end < start:
        raise _refuse("config.tst is required in time-series mode and must be at least tsf.")
    interval = _integer(config, "tsi", 0)
    if interval < 0:
        raise _refuse("config.tsi must be 0 (automatic) or more.")
    return tabular_pb2.TimeSeriesConfig(
        enabled=True,
        time_column=_text(config, "tsc", required=True),
        time_unit=unit,
        interval=interval,
        window_start=start,
        window_end=end,
        series_column=_text(config, "tss"),
        others_known=_boolean(config, "tsin"),
        known_exceptions=_names(config, "tsine"),
    )


def training_config(config: object) -> tabular_pb2.TrainingConfig:
    if not isinstance(config, dict):
        raise _refuse("config must be an object.")
    unknown = sorted(set(config) - set(KNOWN_KEYS))
    if unknown:
        raise _refuse(f"config has unknown keys: {', '.join(unknown)}; known: {', '.join(KNOWN_KEYS)}.")
    problem_name = _text(config, "tt", required=True)
    if problem_name not in PROBLEM_TYPES:
        raise _refuse(f"config.tt must be one of {', '.join(PROBLEM_TYPES)}.")
    problem_type = PROBLEM_TYPES[problem_name]
    # Clients may send tv whatever the problem type (the manual's examples do); only binary uses it.
    binary = problem_type == tabular_pb2.PROBLEM_TYPE_BINARY_CLASSIFICATION
    positive_class = _text(config, "tv") if binary else ""
    if binary and not positive_class:
        raise _refuse("config.tv (the positive class) is required for binary_classification.")
    cv = _integer(config, "cv", 0)
    if not -1 <= cv <= MAX_FOLDS:
        raise _refuse(
            "config.cv must be 0 (auto), -1 (cross-validation, automatic k), 1 (none)"
            f" or a fold count of 2 to {MAX_FOLDS}."
        )
    imbalance = _boolean(config, "im")
    if imbalance and problem_type == tabular_pb2.PROBLEM_TYPE_REGRESSION:
        raise _refuse("config.im (imbalance correction) applies to classification only.")
    return tabular_pb2.TrainingConfig(
        target_column=_text(config, "tc", required=True),
        problem_type=problem_type,
        positive_class=positive_class,
        cv=cv,
        imbalance=imbalance,
        time_series=_time_series(config, problem_type),
    )


def config_to_contract(config: tabular_pb2.TrainingConfig) -> dict:
    """The config as GET /models shows it: the keys the user sent, in the contract's names."""
    shown: dict[str, object] = {
        "tc": config.target_column,
        "tt": PROBLEM_TYPE_NAMES.get(config.problem_type, ""),
        "cv": str(config.cv),
        "im": config.imbalance,
    }
    if config.positive_class:
        shown["tv"] = config.positive_class
    series = config.time_series
    if series.enabled:
        shown.update(
            tsm=True, tsc=series.time_column, tsf=series.window_start, tst=series.window_end, tsin=series.others_known
        )
        if series.time_unit:
            shown["tsu"] = series.time_unit
        if series.interval:
            shown["tsi"] = series.interval
        if series.series_column:
            shown["tss"] = series.series_column
        if series.known_exceptions:
            shown["tsine"] = list(series.known_exceptions)
    return shown
