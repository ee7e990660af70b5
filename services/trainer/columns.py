"""Column types and the column-info analysis of a job's learning data.

The same `resolve_types` decides types for column-info and for training, so what the user saw
in column-info is what the model is trained with.
"""

from __future__ import annotations

import asyncio
from collections import OrderedDict
from pathlib import Path

from services.runtime.errors import FailedPrecondition, InvalidArgument
from services.tabular.column_types import ColumnType
from services.tabular.csv_text import TableError, decode_table
from services.tabular.proto_codec import COLUMN_TYPES
from services.tabular.table import Table
from services.trainer.analysis import (
    TIME_UNIT_CODES,
    apply_overrides,
    column_info,
    parse_column_overrides,
    profile_table,
    useless_columns,
)
from services.trainer.analysis.useless import useless_reason
from services.trainer.artifacts import ArtifactStore
from services.trainer.uploads import delimiter_for
from torii.v1 import tabular_pb2, training_registry_service_pb2_grpc
from torii.v1 import trainer_service_pb2 as pb
from torii.v1 import training_registry_service_pb2 as tr

_TIME_UNITS = {code: name for name, code in TIME_UNIT_CODES.items()}
_TYPES_BY_CODE = {column_type.code: column_type for column_type in ColumnType if column_type.code is not None}


def read_table(path: Path, extension: str) -> Table:
    try:
        return decode_table(path.read_bytes(), delimiter=delimiter_for(extension))
    except TableError as error:
        raise InvalidArgument(str(error)) from None


def resolve_types(table: Table, overrides_path: Path | None, profiles=None) -> dict[str, ColumnType]:
    """Detected types with the user's column-info file applied."""
    profiles = profiles if profiles is not None else profile_table(table)
    detected = {profile.name: profile.detected for profile in profiles}
    if overrides_path is None:
        return detected
    try:
        overrides = parse_column_overrides(overrides_path.read_bytes())
        return apply_overrides(detected, overrides, table, profiles={p.name: p for p in profiles})
    except ValueError as error:
        raise InvalidArgument(f"column info: {error}") from None


def training_types(table: Table, overrides_path: Path | None, target: str) -> dict[str, ColumnType]:
    """The types a model is trained with: the useless columns column-info lists (constant, empty,
    identifiers) are left out, unless the user's column-info file names them."""
    profiles = profile_table(table)
    types = resolve_types(table, overrides_path, profiles)
    named = set(parse_column_overrides(overrides_path.read_bytes())) if overrides_path is not None else set()
    for profile in profiles:
        column_type = types[profile.name]
        if profile.name == target or profile.name in named or useless_reason(profile, column_type) is None:
            continue
        types[profile.name] = ColumnType.IGNORE
    return types


def _summary(column: dict, useless: dict[str, str]) -> pb.ColumnSummary:
    code = column["initial_data_type"]
    summary = pb.ColumnSummary(
        column_id=column["column_id"],
        name=column["name"],
        type=COLUMN_TYPES[_TYPES_BY_CODE[code]] if code is not None else tabular_pb2.COLUMN_TYPE_IGNORE,
        available_types=[COLUMN_TYPES[_TYPES_BY_CODE[code]] for code in column["available_data_types"]],
        unique_count=column["unique_count"],
        data_count=column["data_count"],
        missing_count=column["missing_count"],
        useless_reason=useless.get(column["name"], ""),
    )
    if column["cor_score"] is not None:
        summary.correlation = column["cor_score"]
    for item in column["classify_value"]:
        if item is not None:
            summary.classes.add(value=item["name"], count=item["value"])
    numeric = column["numerical_value"][0]
    if numeric is not None:
        summary.numeric.CopyFrom(
            pb.NumericSummary(
                min=numeric["min_value"],
                max=numeric["max_value"],
                mean=numeric["avg_value"],
                median=numeric["median_value"],
            )
        )
    dates = (column.get("range_pick_info") or {}).get("date")
    if dates is not None:
        summary.dates.CopyFrom(
            pb.DateRange(
                min_epoch_seconds=dates["min_epoc_sec"],
                max_epoch_seconds=dates["max_epoc_sec"],
                median_epoch_seconds=dates["initial_threshold_epoc_sec"],
                time_unit=_TIME_UNITS.get(dates["time_unit_id"], ""),
            )
        )
    return summary


def describe(table: Table, overrides_path: Path | None, target: str) -> pb.DescribeColumnsResponse:
    profiles = profile_table(table)
    types = resolve_types(table, overrides_path, profiles)
    if target and target not in table.header:
        raise InvalidArgument(f"the target column {target!r} is not in the data")
    info = column_info(table, types, target=target or None, profiles=profiles)
    useless = useless_columns(table, types, target=target or None, profiles=profiles)
    return pb.DescribeColumnsResponse(
        column_names=info["raw_column_names"],
        sample_rows=[row["row_data"] for row in info["raw_training_data"]],
        columns=[_summary(column, useless) for column in info["training_data_columns"]],
        row_count=info["trainingdata_row_count"],
    )


# One analysis decodes the whole table (about 16 bytes of memory per byte of CSV, measured on an
# 85 MB file) and keeps a core busy: one at a time, so repeated calls cannot exhaust the host.
CONCURRENT_ANALYSES = 1
# Answers are small next to the tables they describe; a user calls column-info again and again
# while choosing a target and editing the column-info file.
CACHED_ANSWERS = 64

_Key = tuple[str, str, str, str]


class ColumnDescriber:
    """Column-info answers, computed once per (data set, column-info file, target): concurrent
    calls for the same answer share one analysis, and an answer stays cached for the next call
    (a caller that gives up does not waste it: its retry finds it)."""

    def __init__(
        self, registry: training_registry_service_pb2_grpc.TrainingRegistryServiceStub, store: ArtifactStore
    ) -> None:
        self._registry = registry
        self._store = store
        self._analyses = asyncio.Semaphore(CONCURRENT_ANALYSES)
        self._answers: OrderedDict[_Key, asyncio.Future[pb.DescribeColumnsResponse]] = OrderedDict()

    async def describe(self, job_id: str, target: str) -> pb.DescribeColumnsResponse:
        job = (await self._registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))).job
        if not job.learn_data_set_id:
            raise FailedPrecondition("the learning data has not been uploaded yet")
        data_set = (await self._registry.GetDataSet(tr.GetDataSetRequest(data_set_id=job.learn_data_set_id))).data_set
        # A data set's file never changes; a new column-info file gets a new URI.
        key = (data_set.artifact_uri, data_set.sha256, job.column_types_uri, target)
        answer = self._answers.get(key)
        if answer is None:
            path = self._store.path_of(data_set.artifact_uri)
            overrides = self._store.path_of(job.column_types_uri) if job.column_types_uri else None
            answer = asyncio.ensure_future(self._analyse(path, data_set.extension, overrides, target))
            self._remember(key, answer)
        else:
            self._answers.move_to_end(key)
        return await asyncio.shield(answer)

    async def _analyse(
        self, path: Path, extension: str, overrides: Path | None, target: str
    ) -> pb.DescribeColumnsResponse:
        async with self._analyses:
            return await asyncio.to_thread(lambda: describe(read_table(path, extension), overrides, target))

    def _remember(self, key: _Key, answer: asyncio.Future[pb.DescribeColumnsResponse]) -> None:
        self._answers[key] = answer

        def forget_failures(done: asyncio.Future) -> None:
            # A refusal (bad data, unknown target) is cheap to find again and may be fixed meanwhile.
            if (done.cancelled() or done.exception() is not None) and self._answers.get(key) is done:
                del self._answers[key]

        answer.add_done_callback(forget_failures)
        while len(self._answers) > CACHED_ANSWERS:
            self._answers.popitem(last=False)
