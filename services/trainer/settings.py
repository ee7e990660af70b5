"""The trainer's settings (TORII_ environment variables)."""

from __future__ import annotations

from pydantic import Field

from services.runtime.settings import CommonSettings
from services.trainer.learning.config import DEFAULT_MEMORY_BUDGET_BYTES


class TrainerSettings(CommonSettings):
    trainer_port: int = Field(default=50053, ge=0, le=65535)
    """gRPC port (TORII_TRAINER_PORT); 0 picks a free one."""

    max_dataset_bytes: int = Field(default=1 << 30, gt=0)
    """Largest data set upload in bytes (TORII_MAX_DATASET_BYTES); larger ones are refused and not kept."""

    training_concurrency: int = Field(default=1, ge=1)
    """How many training jobs run at once (TORII_TRAINING_CONCURRENCY); the others wait in the queue."""

    training_threads: int = Field(default=2, ge=1)
    """LightGBM threads of each training job (TORII_TRAINING_THREADS)."""

    training_nice: int = Field(default=10, ge=0, le=19)
    """How much lower than serving a training worker's CPU priority is (TORII_TRAINING_NICE, nice(2) increment)."""

    training_time_budget_s: float = Field(default=20.0, gt=0)
    """Time the model building may take per job before its refit and export: preparing the
    features, the configuration search and the blend's cross-validation (TORII_TRAINING_TIME_BUDGET_S)."""

    training_memory_budget_bytes: int = Field(default=DEFAULT_MEMORY_BUDGET_BYTES, gt=0)
    """Memory one training job may plan for, in bytes (TORII_TRAINING_MEMORY_BUDGET_BYTES): a
    time-series job whose windows (rows × horizons × features) are estimated to need more fails
    before they are built, asking for a shorter window (tst) or fewer rows."""

    training_job_timeout_s: float = Field(default=3600.0, gt=0)
    """Wall-clock limit of one training job's worker process (TORII_TRAINING_JOB_TIMEOUT_S): past
    it the worker is killed and the job fails, saying so."""

    training_max_attempts: int = Field(default=2, ge=1)
    """Starts of a job before a trainer that keeps dying while running it fails it (TORII_TRAINING_MAX_ATTEMPTS)."""

    job_poll_interval_s: float = Field(default=0.5, gt=0)
    """How often an idle trainer asks for queued jobs, and watchers for changes (TORII_JOB_POLL_INTERVAL_S)."""
