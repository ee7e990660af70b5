"""Training jobs: created by users, fed files and queued, then claimed and finished by trainers."""

from __future__ import annotations

import uuid

from services.registry.domain import job_transitions as transitions
from services.registry.domain.actors import resolve_actor
from services.registry.domain.external_keys import version_of_account
from services.registry.domain.ids import parse_id
from services.registry.domain.models import check_version_fields
from services.registry.domain.names import require_name
from services.registry.domain.pages import make_page
from services.registry.domain.service_calls import optional_actor, visible_to
from services.registry.domain.stores import AccountStorage, TrainedModelStorage, TrainingJobStorage
from services.registry.domain.training_types import (
    DataSet,
    JobKind,
    JobStatus,
    NamedModel,
    NewDataSet,
    PageOf,
    TrainingJob,
    UploadSlot,
)
from services.registry.domain.types import JsonObject, ModelVersion, User
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound


class TrainingJobService:
    def __init__(
        self, accounts_store: AccountStorage, store: TrainingJobStorage, versions_store: TrainedModelStorage
    ) -> None:
        self._accounts = accounts_store
        self._store = store
        self._versions = versions_store

    async def _job_for(self, actor: User | None, job_id: str) -> TrainingJob:
        job = await self._store.get(parse_id(job_id, "job_id"))
        # Another account's job answers as missing: its id is no business of this user.
        if job is None or not visible_to(actor, job.account_id):
            raise NotFound(f"no training job with id {job_id}")
        return job

    async def create(self, actor_user_id: str, kind: JobKind, base_model_number: int) -> TrainingJob:
        actor = await resolve_actor(self._accounts, actor_user_id)
        job = TrainingJob(str(uuid.uuid4()), actor.account_id, actor.user_id, kind, JobStatus.AWAITING_DATA)
        if kind is JobKind.RETRAIN:
            base, model = await version_of_account(self._versions, actor, base_model_number)
            config = base.preprocessing.get("tabular", {}).get("training")
            if not config:
                raise FailedPrecondition(f"model {base.number} was not trained from a data set; it cannot be retrained")
            # The column types the base was trained with are its settings too (column-info files
            # are never removed once a job has trained, so both jobs may name the same file).
            base_job = await self._store.get(base.training_job_id) if base.training_job_id else None
            # The new version joins the base's model, in the model's account.
            job = TrainingJob(
                job.job_id,
                model.account_id,
                actor.user_id,
                kind,
                JobStatus.AWAITING_DATA,
                model_name=model.name,
                config=config,
                base_model_version_id=base.model_version_id,
                column_types_uri=base_job.column_types_uri if base_job is not None else "",
            )
        return await self._store.create(job)

    async def get(self, actor_user_id: str, job_id: str) -> TrainingJob:
        """Users see their account's jobs; services (an empty actor) every job."""
        return await self._job_for(await optional_actor(self._accounts, actor_user_id), job_id)

    async def attach(
        self, job_id: str, slot: UploadSlot, data_set: NewDataSet | None, column_types_uri: str
    ) -> tuple[TrainingJob, DataSet | None]:
        """For the trainer: record a stored upload as the job's file. A new LEARN or EVAL upload replaces
        the job's earlier one; the earlier data set stays, as the user's."""
        job_id = parse_id(job_id, "job_id")
        if slot is UploadSlot.COLUMN_TYPES:
            if not column_types_uri:
                raise InvalidArgument("column_types_uri is required for a column types upload")
            job = await self._store.change(job_id, lambda job: transitions.attach_column_types(job, column_types_uri))
            return job, None
        if data_set is None:
            raise InvalidArgument(f"the {slot.value} upload needs its data_set")
        data_set = transitions.check_new_data_set(data_set)
        return await self._store.attach_data_set(job_id, slot, data_set, transitions.require_awaiting_data)

    async def submit(self, actor_user_id: str, job_id: str, model_name: str, config: JsonObject | None) -> TrainingJob:
        """Queue the job. TRAIN jobs need a model name and a config; RETRAIN jobs keep their base's unless
        given a config. An empty actor is the trainer submitting a retrain whose file has arrived."""
        job = await self._job_for(await optional_actor(self._accounts, actor_user_id), job_id)
        # None keeps the job's own: a RETRAIN job's model is its base's.
        name: str | None = None
        if job.kind is JobKind.TRAIN:
            name = require_name(model_name, "model")
            if config is None:
                raise InvalidArgument("the training config is required")
        if config is not None:
            transitions.check_config(config)
        return await self._store.change(job.job_id, lambda current: transitions.submit(current, name, config))

    async def cancel(self, actor_user_id: str, job_id: str) -> TrainingJob:
        job = await self._job_for(await resolve_actor(self._accounts, actor_user_id), job_id)
        return await self._store.change(job.job_id, transitions.cancel)

    async def claim(self, trainer_id: str) -> TrainingJob | None:
        return await self._store.claim(trainer_id.strip() or "trainer")

    async def report_progress(self, job_id: str, progress: JsonObject) -> bool:
        """Keep a running job's progress; False when the job is not running any more."""
        transitions.check_progress(progress)
        job = await self._store.change(
            parse_id(job_id, "job_id"), lambda current: transitions.report_progress(current, progress)
        )
        return job.status is JobStatus.RUNNING

    async def finish(self, job_id: str, result_uri: str, fields: JsonObject) -> tuple[TrainingJob, ModelVersion]:
        """Register the trained version and mark the job finished, together. A TRAIN job's version joins
        the account's model of its model name (made if missing); a RETRAIN job's joins its base's model."""
        job = await self._job_for(None, job_id)
        if not result_uri:
            raise InvalidArgument("result_uri is required")
        check_version_fields(fields)
        transitions.require_running(job)
        version_id = str(uuid.uuid4())

        def decide(current: TrainingJob) -> TrainingJob:
            return transitions.finish(current, result_uri, version_id)

        if job.kind is JobKind.TRAIN:
            named = NamedModel(str(uuid.uuid4()), job.account_id, job.model_name)
            return await self._store.finish(job.job_id, decide, version_id, fields, named_model=named)
        found = await self._versions.version_by_id(job.base_model_version_id) if job.base_model_version_id else None
        if found is None:
            raise FailedPrecondition(f"the model that training job {job.job_id} retrains has been deleted")
        return await self._store.finish(job.job_id, decide, version_id, fields, into_model_id=found[1].model_id)

    async def fail(self, job_id: str, message: str) -> TrainingJob:
        return await self._store.change(parse_id(job_id, "job_id"), lambda job: transitions.fail(job, message))

    async def recover(self, max_attempts: int) -> tuple[list[TrainingJob], list[TrainingJob]]:
        """Requeue the jobs left running, or fail those started max_attempts times; (requeued, failed)."""
        if max_attempts < 1:
            raise InvalidArgument("max_attempts must be at least 1")
        changed = await self._store.change_running(lambda job: transitions.recover(job, max_attempts))
        return (
            [job for job in changed if job.status is JobStatus.QUEUED],
            [job for job in changed if job.status is JobStatus.FAILED],
        )

    async def list(self, actor_user_id: str, offset: int, limit: int) -> PageOf[TrainingJob]:
        """The actor's account's jobs (an admin's: every account's), newest first."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        page = make_page(offset, limit)
        items, total = await self._store.list(None if actor.is_admin else actor.account_id, page.offset, page.limit)
        return PageOf(items, page.offset, page.limit, total)
