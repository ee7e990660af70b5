"""Training's entities as plain values: Prediction One API keys, data sets, jobs, trained models.

A training config and a job's progress keep the protobuf JSON shape (TrainingConfig, TrainingProgress
with their field names), as model versions keep their preprocessing: a retrain copies the config a
version was trained with from preprocessing.tabular.training unchanged.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

from services.registry.domain.types import JsonObject, ModelVersion

# How a config names a problem type it does not give (protobuf JSON leaves it out).
UNSPECIFIED_PROBLEM_TYPE = "PROBLEM_TYPE_UNSPECIFIED"


class KeyPurpose(StrEnum):
    TRAIN = "train"
    DEPLOY = "deploy"
    RETRAIN = "retrain"


class JobKind(StrEnum):
    TRAIN = "train"
    RETRAIN = "retrain"


class JobStatus(StrEnum):
    AWAITING_DATA = "awaiting_data"
    QUEUED = "queued"
    RUNNING = "running"
    FINISHED = "finished"
    FAILED = "failed"
    CANCELLED = "cancelled"

    @property
    def is_final(self) -> bool:
        return self in (JobStatus.FINISHED, JobStatus.FAILED, JobStatus.CANCELLED)


class UploadSlot(StrEnum):
    LEARN = "learn"
    EVAL = "eval"
    COLUMN_TYPES = "column_types"


DATA_SET_EXTENSIONS = ("csv", "tsv", "zip")


@dataclass(frozen=True)
class ExternalKey:
    """An issued Prediction One API key, without its secret."""

    credential_id: str
    user_id: str
    purpose: KeyPurpose
    expires_at: datetime
    # Retrain keys only: the version they may retrain, and its number (Prediction One's model_id).
    model_version_id: str = ""
    model_number: int = 0


@dataclass(frozen=True)
class NewDataSet:
    """A file the trainer has stored, before the registry gives it its id."""

    name: str
    extension: str
    column_count: int
    data_count: int
    size_bytes: int
    sha256: str
    artifact_uri: str


@dataclass(frozen=True)
class DataSet:
    data_set_id: int
    account_id: str
    owner_user_id: str
    name: str
    extension: str
    column_count: int
    data_count: int
    size_bytes: int
    sha256: str
    artifact_uri: str
    created_at: datetime | None = None
    updated_at: datetime | None = None


@dataclass(frozen=True)
class TrainingJob:
    job_id: str
    account_id: str
    owner_user_id: str
    kind: JobKind
    status: JobStatus
    message: str = ""
    learn_data_set_id: int | None = None
    eval_data_set_id: int | None = None
    column_types_uri: str = ""
    model_name: str = ""
    config: JsonObject = field(default_factory=dict)
    base_model_version_id: str = ""
    progress: JsonObject = field(default_factory=dict)
    result_uri: str = ""
    model_version_id: str = ""
    model_number: int = 0
    trainer_id: str = ""
    attempts: int = 0
    created_at: datetime | None = None
    updated_at: datetime | None = None
    started_at: datetime | None = None
    finished_at: datetime | None = None


@dataclass(frozen=True)
class NamedModel:
    """The account's model of this name, which a finished TRAIN job's version joins; made with
    model_id when the account has none of that name."""

    model_id: str
    account_id: str
    name: str


@dataclass(frozen=True)
class TrainedModel:
    """A model version made by training, in Prediction One's terms."""

    version: ModelVersion
    model_name: str
    owner_user_id: str
    account_id: str
    config: JsonObject
    # True while a published API serves it or asks for it.
    in_use: bool

    @property
    def problem_type(self) -> str:
        """The protobuf enum name, from the job's config or else the version's tabular schema."""
        tabular = self.version.preprocessing.get("tabular", {})
        name: str = self.config.get("problem_type") or tabular.get("problem_type") or UNSPECIFIED_PROBLEM_TYPE
        return name


@dataclass(frozen=True)
class Page:
    offset: int
    limit: int


ItemT = TypeVar("ItemT")


@dataclass(frozen=True)
class PageOf(Generic[ItemT]):
    """One page of a list, and how many items the whole list has."""

    items: list[ItemT]
    offset: int
    limit: int
    total: int
