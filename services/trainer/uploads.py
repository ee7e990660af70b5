"""Uploads: a job's learning, evaluation or column-types file into the artifact store, checked,
then recorded in the registry. A file that fails a check, or that the registry refuses, is
removed again, so nothing is half-stored."""

from __future__ import annotations

import asyncio
import io
import uuid
import zipfile
from collections.abc import AsyncIterable
from dataclasses import dataclass

from services.runtime.errors import FailedPrecondition, InvalidArgument
from services.tabular.csv_text import TableError, count_rows
from services.trainer.analysis.overrides import parse_column_overrides
from services.trainer.artifacts import ArtifactStore, StoredFile
from torii.v1 import training_pb2, training_registry_service_pb2 as tr

DATA_EXTENSIONS = ("csv", "tsv")
# A retrain upload may be a zip of train_src/<file> and, optionally, eval_src/<file>.
RETRAIN_ZIP_FOLDERS = {"train_src/": training_pb2.UPLOAD_SLOT_LEARN, "eval_src/": training_pb2.UPLOAD_SLOT_EVAL}


@dataclass(frozen=True)
class CheckedTable:
    columns: int
    rows: int


def delimiter_for(extension: str) -> str:
    return "\t" if extension == "tsv" else ","


def check_table(data: bytes, extension: str) -> CheckedTable:
    """Read the whole file: refuse text that is not UTF-8 or Shift_JIS, ragged rows, no rows."""
    try:
        columns, rows = count_rows(data, delimiter=delimiter_for(extension))
    except TableError as error:
        raise InvalidArgument(str(error)) from None
    if not rows:
        raise InvalidArgument("the file has a header but no data rows")
    return CheckedTable(columns, rows)


def check_column_types(data: bytes) -> None:
    try:
        parse_column_overrides(data)
    except ValueError as error:
        raise InvalidArgument(f"column info: {error}") from None


def _extension_of(filename: str, given: str) -> str:
    extension = (given or filename.rpartition(".")[2]).lower().lstrip(".")
    return extension


class Uploads:
    def __init__(self, registry, store: ArtifactStore, max_bytes: int) -> None:
        self._registry = registry
        self._store = store
        self._max_bytes = max_bytes

    async def receive(self, header, chunks: AsyncIterable[bytes]) -> tr.AttachUploadResponse:
        reply = await self._registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=header.job_id))
        job = reply.job
        if job.status != training_pb2.TRAINING_JOB_STATUS_AWAITING_DATA:
            raise FailedPrecondition("this job's files are already uploaded; upload files to a new job")
        extension = _extension_of(header.filename, header.extension)
        slot = header.slot
        is_retrain_zip = (
            job.kind == training_pb2.TRAINING_JOB_KIND_RETRAIN and slot == training_pb2.UPLOAD_SLOT_LEARN and extension == "zip"
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
                reply = await self._receive_retrain_zip(job, header.filename, stored)
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
                await asyncio.to_thread(check_column_types, stored.path.read_bytes())
                request.column_types_uri = stored.uri
            else:
                if checked is None:
                    checked = await asyncio.to_thread(check_table, stored.path.read_bytes(), extension)
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

    async def _receive_retrain_zip(self, job, filename: str, stored: StoredFile) -> tr.AttachUploadResponse:
        members = await asyncio.to_thread(_retrain_members, stored.path.read_bytes())
        # Every member is checked before any is attached: a refused zip leaves nothing behind.
        checked_members = []
        for slot, (member_name, data) in members.items():
            extension = member_name.rpartition(".")[2].lower()
            if extension not in DATA_EXTENSIONS:
                raise InvalidArgument(f"{member_name}: extension must be one of {', '.join(DATA_EXTENSIONS)}")
            try:
                checked = await asyncio.to_thread(check_table, data, extension)
            except InvalidArgument as error:
                raise InvalidArgument(f"{member_name}: {error}") from None
            checked_members.append((slot, member_name, extension, data, checked))
        reply = None
        for slot, member_name, extension, data, checked in checked_members:

            async def single(payload: bytes = data):
                yield payload

            member = await self._store.write_stream(
                single(), folder="datasets", name=f"{uuid.uuid4().hex}.{extension}", max_bytes=self._max_bytes
            )
            reply = await self._attach(job, slot, member_name.rpartition("/")[2], extension, member, checked)
        return reply


def _retrain_members(data: bytes) -> dict[int, tuple[str, bytes]]:
    """{slot: (name, bytes)} of a retrain zip: train_src/ is required, eval_src/ optional."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except zipfile.BadZipFile:
        raise InvalidArgument("the upload is not a zip file") from None
    found: dict[int, tuple[str, bytes]] = {}
    for info in archive.infolist():
        if info.is_dir():
            continue
        for folder, slot in RETRAIN_ZIP_FOLDERS.items():
            if info.filename.startswith(folder) and "/" not in info.filename[len(folder):]:
                if slot in found:
                    raise InvalidArgument(f"the zip holds more than one file in {folder}")
                found[slot] = (info.filename, archive.read(info))
    if training_pb2.UPLOAD_SLOT_LEARN not in found:
        raise InvalidArgument("the zip must hold the training data as train_src/<file>")
    return dict(sorted(found.items()))
