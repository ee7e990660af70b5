"""`python -m services.trainer.jobs.worker`: one training job, in its own process.

Reads a JobSpec (JSON) on stdin, writes progress, then a result or an error, as JSON lines on
stdout (services.trainer.jobs.protocol). It lowers its own CPU priority first, so serving on the
same machine keeps the CPU when both want it.
"""

from __future__ import annotations

import os
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from services.tabular.setting_words import escaped
from services.trainer.jobs import protocol
from services.trainer.learning.config import ConfigError

# A progress line at most this often: the runner forwards them to the registry.
PROGRESS_LINE_INTERVAL_S = 0.2


def _emit(kind: str, payload: object) -> None:
    sys.stdout.write(protocol.line(kind, payload))
    sys.stdout.flush()


class _Progress:
    def __init__(self) -> None:
        self._last = 0.0

    def __call__(self, phase: str, fold: int = 0, percent: float = 0.0) -> None:
        now = time.monotonic()
        if now - self._last >= PROGRESS_LINE_INTERVAL_S:
            self._last = now
            _emit(protocol.PROGRESS, {"phase": phase, "fold": fold, "percent": round(float(percent), 1)})


def run(spec: protocol.JobSpec) -> protocol.WorkerResult:
    # Imported here so that a spec error is reported before the heavy imports are paid for.
    from services.trainer.jobs.training_inputs import load_training_job
    from services.trainer.learning.export import schema_to_json
    from services.trainer.learning.pipeline import train_model
    from services.trainer.packaging.result_zip import build_result_zip

    started = time.monotonic()
    progress = _Progress()
    progress("preparing", 0, 0.0)
    inputs = load_training_job(spec)
    outcome, onnx_model = train_model(
        inputs.table,
        inputs.types,
        inputs.config,
        evaluation=inputs.evaluation,
        progress=progress,
        num_threads=spec.num_threads,
    )
    progress("packaging", 0, 99.0)
    output = Path(spec.output_dir)
    onnx_path = output / "model.onnx"
    onnx_path.write_bytes(onnx_model)
    created_at = (
        datetime.fromisoformat(spec.created_at.replace("Z", "+00:00")) if spec.created_at else datetime.now(UTC)
    )
    zip_path = output / "result.zip"
    zip_path.write_bytes(
        build_result_zip(
            outcome,
            onnx_model,
            model_name=spec.model_name,
            created_at=created_at,
            trainer_seconds=time.monotonic() - started,
        )
    )
    return protocol.WorkerResult(
        onnx_path=str(onnx_path), zip_path=str(zip_path), schema=schema_to_json(outcome.schema), metrics=outcome.metrics
    )


def user_message(error: ValueError) -> str:
    """The job's message: a ConfigError's marked text, for the user's contract to word (setting_words);
    any other error's text escaped, so that nothing in it reads as a marked setting."""
    return error.marked if isinstance(error, ConfigError) else escaped(str(error))


def main() -> int:
    spec = protocol.JobSpec.from_json(sys.stdin.read())
    os.nice(spec.nice)
    try:
        result = run(spec)
    except ValueError as error:  # the data or the settings: the user can act on the message
        _emit(protocol.ERROR, user_message(error))
        return 1
    _emit(protocol.RESULT, result.__dict__)
    return 0


if __name__ == "__main__":
    sys.exit(main())
