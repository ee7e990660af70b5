"""Uploads: a job's learning, evaluation or column-types file into the artifact store, checked,
then recorded in the registry. A file that fails a check, or that the registry refuses, is
removed again, so nothing is half-stored."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterable
from dataclasses import dataclass
from pathlib import Path

from services.runtime.errors import FailedPrecondition, InvalidArgument
from services.tabular.csv_text import TableError, count_rows
from services.trainer import retrain_zip
from services.trainer.analysis.overrides import parse_column_overrides
from services.trainer.artifacts import ArtifactStore, StoredFile
from services.trainer.thread_work import ThreadWork
from torii.v1 import training_pb2, training_registry_service_pb2_grpc
from torii.v1 import training_registry_service_pb2 as tr

DATA_EXTENSIONS = ("csv", "tsv")
# Files read and checked at once; each check reads its file in blocks, so this bounds CPU more
# than memory. Others wait their turn.
CHECKS_AT_ONCE = 2


@dataclass(frozen=True)
class CheckedTable:
    columns: int
    rows: int


def delimiter_for(extension: str) -> str:
    return "\t" if extension == "tsv" else ","


def check_table(path: Path, extension: str) -> CheckedTable:
    """Read the whole file, in blocks: refuse text that is not UTF-8 or Shift_JIS, ragged rows,
    no rows."""
    try:
        with open(path, "rb") as handle:
            columns, rows = count_rows(handle, delimiter=delimiter_for(extension))
    except TableError as error:
        raise InvalidArgument(str(error)) from None
    if not rows:
        raise InvalidArgument("the file has a header but no data rows")
    return CheckedTable(columns, rows)


def check_column_types(path: Path) -> None:
    try:
        parse_column_overrides(path.read_bytes())
    except ValueError as error:
        raise InvalidArgument(f"column info: {error}") from None


def _extension_of(filename: str, given: str) -> str:
    extension = (given or filename.rpartition(".")[2]).lower().lstrip(".")
    return extension


@dataclass(frozen=True)
class UnzippedMember:
    member: retrain_zip.Member
    stored: StoredFile
    checked: CheckedTable


class Uploads:
    def __init__(
        self,
        registry: training_registry_service_pb2_grpc.TrainingRegistryServiceStub,
        store: ArtifactStore,
        max_bytes: int,
    ) -> None:
        self._registry = registry
        self._store = store
        self._max_bytes = max_bytes
        self._checks = ThreadWork(CHECKS_AT_ONCE)

    async def receive(self, header, chunks: AsyncIterable[bytes]) -> tr.AttachUploadResponse:
        reply = await self._registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=header.job_id))
        job = reply.job
        if job.status != training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA:
            raise FailedPrecondition("this job's files are already uploaded; upload files to a new job")
        extension = _extension_of(header.filename, header.extension)
        slot = header.slot
        is_retrain_zip = (
            job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN
            and slot == training_pb2.UPLOAD_SLOT_LEARN
            and extension == "zip"
        )
        if slot == training_pb2.UPLOAD_SLOT_COLUMN_TYPES:
            if extension not in ("csv", ""):
                raise InvalidArgument("column info must be a csv file")
        elif slot in (training_pb2.UPLOAD_SLOT_LEARN, training_pb2.UPLOAD_SLOT_EVAL):
            if extension not in DATA_EXTENSIONS and not is_retrain_zip:
                raise InvalidArgument(f"extension must be one of {', '.join(DATA_EXTENSIONS)}, not {extension!r}")
        else:
            raise InvalidArgument("the upload names no file slot")
        stored = await self._store.write_stream(
            chunks, folder="datasets", name=f"{uuid.uuid4().hex}.{extension or 'csv'}", max_bytes=self._max_bytes
        )
        try:
            if is_retrain_zip:
                reply = await self._receive_retrain_zip(job, stored)
            else:
                reply = await self._attach(job, slot, header.filename, extension, stored)
        finally:
            if is_retrain_zip:
                self._store.remove(stored.uri)
        if job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN and slot == training_pb2.UPLOAD_SLOT_LEARN:
            # Prediction One starts a retrain as soon as its file is uploaded, with the model's settings.
            submitted = await self._registry.SubmitTrainingJob(tr.SubmitTrainingJobRequest(job_id=job.job_id))
            reply.job.CopyFrom(submitted.job)
        return reply

    async def _attach(
        self, job, slot, filename: str, extension: str, stored: StoredFile, checked: CheckedTable | None = None
    ) -> tr.AttachUploadResponse:
        """`checked`: the table's check, when the caller made it already."""
        try:
            request = tr.AttachUploadRequest(job_id=job.job_id, slot=slot)
            if slot == training_pb2.UPLOAD_SLOT_COLUMN_TYPES:
                await self._checks.run(check_column_types, stored.path)
                request.column_types_uri = stored.uri
            else:
                if checked is None:
                    checked = await self._checks.run(check_table, stored.path, extension)
                request.data_set.CopyFrom(
                    tr.NewDataSet(
                        name=filename or f"data.{extension}",
                        extension=extension,
                        column_count=checked.columns,
                        data_count=checked.rows,
                        size_bytes=stored.size_bytes,
                        sha256=stored.sha256,
                        artifact_uri=stored.uri,
                    )
                )
            reply = await self._registry.AttachUpload(request)
        except BaseException:
            self._store.remove(stored.uri)
            raise
        if slot == training_pb2.UPLOAD_SLOT_COLUMN_TYPES and job.column_types_uri:
            self._store.remove(job.column_types_uri)  # replaced: no record points at it any more
        return reply

    async def _receive_retrain_zip(self, job, stored: StoredFile) -> tr.AttachUploadResponse:
        # Every member is stored and checked before any is attached: a refused zip leaves nothing.
        unzipped = await self._checks.run(self._unzip, stored.path, abandoned=self._remove_unzipped)
        reply: tr.AttachUploadResponse | None = None
        for index, each in enumerate(unzipped):
            try:
                reply = await self._attach(
                    job, each.member.slot, each.member.filename, each.member.extension, each.stored, each.checked
                )
            except BaseException:
                self._remove_unzipped(unzipped[index + 1 :])  # _attach removed its own
                raise
        assert reply is not None  # members_of refuses a zip without training data
        return reply

    def _unzip(self, path: Path) -> list[UnzippedMember]:
        """The retrain zip's members in the store, each checked as a table; blocking (a thread's).
        All of them or, when one is refused, none are kept."""
        kept: list[StoredFile] = []
        unzipped = []
        try:
            with retrain_zip.open_zip(path) as archive:
                members = retrain_zip.members_of(archive, self._max_bytes, path.stat().st_size)
                for member in members:
                    if member.extension not in DATA_EXTENSIONS:
                        raise InvalidArgument(f"{member.name}: extension must be one of {', '.join(DATA_EXTENSIONS)}")
                budget = self._max_bytes  # for all members together, as their declared sizes were
                for member in members:
                    stored = retrain_zip.inflate(archive, member, self._store, budget)
                    kept.append(stored)
                    budget -= stored.size_bytes
                    try:
                        checked = check_table(stored.path, member.extension)
                    except InvalidArgument as error:
                        raise InvalidArgument(f"{member.name}: {error}") from None
                    unzipped.append(UnzippedMember(member, stored, checked))
        except BaseException:
            for stored in kept:
                self._store.remove(stored.uri)
            raise
        return unzipped

    def _remove_unzipped(self, unzipped: list[UnzippedMember]) -> None:
        for each in unzipped:
            self._store.remove(each.stored.uri)
