"""A claimed job's worker spec: where its files are and what to train."""

from __future__ import annotations

from pathlib import Path

from services.trainer.artifacts import ArtifactStore
from services.trainer.jobs.protocol import JobSpec
from services.trainer.settings import TrainerSettings
from services.trainer.tabular_proto import config_to_dict
from torii.v1 import training_pb2
from torii.v1 import training_registry_service_pb2 as tr


class DataSetGone(ValueError):
    """The user deleted a data set the job was to read; the message says which."""


async def _data_set_file(registry, data_set_id: int, store: ArtifactStore) -> tuple[str, str]:
    reply = await registry.GetDataSet(tr.GetDataSetRequest(data_set_id=data_set_id))
    return str(store.path_of(reply.data_set.artifact_uri)), reply.data_set.extension


async def spec_for(
    job: training_pb2.TrainingJob, registry, store: ArtifactStore, settings: TrainerSettings, scratch: Path
) -> JobSpec:
    if not job.learn_data_set_id:
        raise DataSetGone("the job's learning data set has been deleted")
    learn_path, learn_extension = await _data_set_file(registry, job.learn_data_set_id, store)
    eval_path = eval_extension = ""
    if job.eval_data_set_id:
        eval_path, eval_extension = await _data_set_file(registry, job.eval_data_set_id, store)
    column_types_path = str(store.path_of(job.column_types_uri)) if job.column_types_uri else ""
    return JobSpec(
        learn_path=learn_path,
        learn_extension=learn_extension,
        eval_path=eval_path,
        eval_extension=eval_extension,
        column_types_path=column_types_path,
        config=config_to_dict(job.config),
        model_name=job.model_name,
        output_dir=str(scratch),
        time_budget_s=settings.training_time_budget_s,
        memory_budget_bytes=settings.training_memory_budget_bytes,
        num_threads=settings.training_threads,
        nice=settings.training_nice,
        created_at=job.created_at.ToDatetime().isoformat() + "Z",
    )
