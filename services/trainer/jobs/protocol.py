"""What the trainer and a worker process say to each other: a JSON job spec on the worker's stdin,
then one JSON object per line on its stdout (progress, then a result or an error)."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field

from services.trainer.learning.config import DEFAULT_MEMORY_BUDGET_BYTES

PROGRESS = "progress"
RESULT = "result"
ERROR = "error"


@dataclass(frozen=True)
class JobSpec:
    learn_path: str
    learn_extension: str  # csv or tsv
    config: dict  # TrainingConfig fields, see services.trainer.jobs.config_codec
    model_name: str
    output_dir: str
    time_budget_s: float
    num_threads: int
    nice: int
    eval_path: str = ""
    eval_extension: str = ""
    column_types_path: str = ""
    created_at: str = ""  # ISO 8601, printed in the report
    memory_budget_bytes: int = DEFAULT_MEMORY_BUDGET_BYTES  # TrainingConfig.memory_budget_bytes

    def to_json(self) -> str:
        return json.dumps(asdict(self))

    @classmethod
    def from_json(cls, text: str) -> JobSpec:
        return cls(**json.loads(text))


@dataclass(frozen=True)
class WorkerResult:
    onnx_path: str
    zip_path: str
    schema: str  # services.trainer.learning.export's schema JSON (schema_to_json's text)
    metrics: dict = field(default_factory=dict)


def line(kind: str, payload: object) -> str:
    return json.dumps({kind: payload}, ensure_ascii=False) + "\n"
