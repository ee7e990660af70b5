"""The job runner: claims queued jobs and runs each in a worker process at a lower CPU priority.

A worker is a child process tied to the trainer (it dies with it), so the event loop never
trains. Progress lines from the worker go to the registry, whose answer also tells the runner
when a user cancelled the job. A worker still running after TORII_TRAINING_JOB_TIMEOUT_S is
killed and its job failed, so one job cannot hold a training slot (and its memory) forever. A
job left RUNNING by a trainer that died is requeued (or failed, after too many attempts) when a
trainer starts again.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import shutil
import sys
import time
from pathlib import Path

import grpc

from services.runtime.exec_tied import tied_command
from services.runtime.logging import get_logger
from services.runtime.tasks import cancel_and_wait
from services.tabular.setting_words import escaped, render, setting
from services.trainer.artifacts import ArtifactStore
from services.trainer.jobs import protocol
from services.trainer.jobs.job_spec import DataSetGone, spec_for
from services.trainer.learning.export import schema_from_json
from services.trainer.model_version import model_version_spec
from services.trainer.settings import TrainerSettings
from torii.v1 import training_pb2, training_registry_service_pb2_grpc
from torii.v1 import training_registry_service_pb2 as tr

log = get_logger("trainer.runner")

# Progress goes to the registry at most this often; the last line before a result always goes.
PROGRESS_REPORT_INTERVAL_S = 0.5
STDERR_TAIL_CHARS = 2000
# FinishTrainingJob failed in a way that does not say whether the registry recorded the model.
_OUTCOME_UNKNOWN = frozenset(
    {
        grpc.StatusCode.DEADLINE_EXCEEDED,
        grpc.StatusCode.UNAVAILABLE,
        grpc.StatusCode.CANCELLED,
        grpc.StatusCode.UNKNOWN,
        grpc.StatusCode.INTERNAL,
    }
)
_MAX_CONFIRM_DELAY_S = 10.0
# A niced worker's OpenMP threads would spin waiting for each other whenever serving holds a core
# (a 100k-row training measured 7 s alone and 75-87 s beside a busy process); passive waiting
# yields the CPU instead.
WORKER_ENVIRONMENT = {**os.environ, "OMP_WAIT_POLICY": "PASSIVE"}


class JobRunner:
    def __init__(
        self,
        registry: training_registry_service_pb2_grpc.TrainingRegistryServiceStub,
        store: ArtifactStore,
        settings: TrainerSettings,
        trainer_id: str,
    ) -> None:
        self._registry = registry
        self._store = store
        self._settings = settings
        self._trainer_id = trainer_id
        self._loop_task: asyncio.Task | None = None
        self._running: dict[str, asyncio.Task] = {}
        self._wake = asyncio.Event()

    async def start(self) -> None:
        reply = await self._registry.RecoverTrainingJobs(
            tr.RecoverTrainingJobsRequest(max_attempts=self._settings.training_max_attempts)
        )
        for job in reply.requeued:
            log.warning("training_job_requeued", job_id=job.job_id, attempts=job.attempts)
        for job in reply.failed:
            log.error("training_job_given_up", job_id=job.job_id, attempts=job.attempts)
        self._loop_task = asyncio.create_task(self._claim_loop(), name="training-claims")

    @property
    def running_jobs(self) -> list[str]:
        """Ids of the jobs whose workers run now."""
        return list(self._running)

    def wake(self) -> None:
        """A job was queued: claim it now rather than at the next poll."""
        self._wake.set()

    async def stop(self) -> None:
        await cancel_and_wait(self._loop_task)
        for task in list(self._running.values()):
            await cancel_and_wait(task)

    async def _claim_loop(self) -> None:
        while True:
            claimed = False
            if len(self._running) < self._settings.training_concurrency:
                try:
                    reply = await self._registry.ClaimTrainingJob(
                        tr.ClaimTrainingJobRequest(trainer_id=self._trainer_id)
                    )
                except grpc.aio.AioRpcError as error:
                    log.warning("claim_failed", code=error.code().name, details=error.details())
                else:
                    if reply.HasField("job"):
                        claimed = True
                        self._start(reply.job)
            if not claimed:
                self._wake.clear()
                with contextlib.suppress(TimeoutError):
                    # asyncio.timeout, not wait_for: on 3.11 wait_for can swallow a stop()'s cancellation.
                    async with asyncio.timeout(self._settings.job_poll_interval_s):
                        await self._wake.wait()

    def _start(self, job: training_pb2.TrainingJob) -> None:
        job_id = job.job_id
        task = asyncio.create_task(self._run(job), name=f"training-{job_id}")
        self._running[job_id] = task
        task.add_done_callback(lambda _: self._finished(job_id))

    def _finished(self, job_id: str) -> None:
        self._running.pop(job_id, None)
        self._wake.set()

    async def _run(self, job: training_pb2.TrainingJob) -> None:
        log.info("training_started", job_id=job.job_id, attempt=job.attempts)
        scratch = self._store.scratch_dir()
        try:
            spec = await spec_for(job, self._registry, self._store, self._settings, scratch)
            outcome = await self._run_worker(job.job_id, spec)
            if outcome is None:
                log.info("training_stopped", job_id=job.job_id)
                return
            if isinstance(outcome, str):
                await self._fail(job.job_id, outcome)
                return
            await self._register(job, outcome)
        except asyncio.CancelledError:
            raise
        except DataSetGone as error:  # the user's doing, not a crash
            await self._fail(job.job_id, f"training failed: {escaped(str(error))}")
        except Exception:  # a job must end in a final state, whatever went wrong
            # The error's text may name store paths or carry gRPC's debug text: it goes to the log.
            log.exception("training_crashed", job_id=job.job_id)
            await self._fail(job.job_id, "training failed: an internal error stopped it; retry, or report the job id")
        finally:
            shutil.rmtree(scratch, ignore_errors=True)

    async def _run_worker(self, job_id: str, spec: protocol.JobSpec) -> protocol.WorkerResult | str | None:
        """The worker's result, its error message (or why it was stopped), or None when the job
        was cancelled."""
        process = await asyncio.create_subprocess_exec(
            *tied_command([sys.executable, "-m", "services.trainer.jobs.worker"]),
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
            limit=1 << 20,
            env=WORKER_ENVIRONMENT,
        )
        assert process.stdin is not None and process.stderr is not None  # both are pipes
        stderr_task = asyncio.create_task(process.stderr.read())
        cancelled = asyncio.Event()
        # A long phase may print nothing for a while: a cancellation is also noticed by polling.
        watchdog = asyncio.create_task(self._kill_when_cancelled(job_id, process, cancelled))
        limit_s = self._settings.training_job_timeout_s
        try:
            try:
                async with asyncio.timeout(limit_s):
                    process.stdin.write(spec.to_json().encode())
                    await process.stdin.drain()
                    process.stdin.close()
                    answer = await self._read_worker(job_id, process, cancelled)
                    returncode = await process.wait()
            except TimeoutError:
                if cancelled.is_set():
                    return None
                log.warning("training_timed_out", job_id=job_id, limit_s=limit_s)
                return (
                    f"training was stopped after {limit_s:g} s, the longest one job may run on this "
                    f"trainer; train on fewer rows or columns (or a shorter window, {setting('window_end')})"
                )
            stderr = (await stderr_task).decode(errors="replace")
            if cancelled.is_set():
                return None
            if answer is None:
                log.error("worker_died", job_id=job_id, returncode=returncode, stderr=stderr[-STDERR_TAIL_CHARS:])
                return f"the training process ended unexpectedly (exit status {returncode})"
            return answer
        finally:
            await cancel_and_wait(watchdog)
            if process.returncode is None:
                process.kill()
                await process.wait()
            await cancel_and_wait(stderr_task)

    async def _read_worker(self, job_id: str, process, cancelled: asyncio.Event) -> protocol.WorkerResult | str | None:
        answer: protocol.WorkerResult | str | None = None
        last_report = 0.0
        async for raw in process.stdout:
            message = json.loads(raw)
            if protocol.PROGRESS in message:
                now = time.monotonic()
                if now - last_report < PROGRESS_REPORT_INTERVAL_S:
                    continue
                last_report = now
                if not await self._report(job_id, message[protocol.PROGRESS]):
                    cancelled.set()
                    process.kill()
                    return None
            elif protocol.RESULT in message:
                answer = protocol.WorkerResult(**message[protocol.RESULT])
            elif protocol.ERROR in message:
                answer = str(message[protocol.ERROR])
        return answer

    async def _kill_when_cancelled(self, job_id: str, process, cancelled: asyncio.Event) -> None:
        """Kill the worker once the job is no longer RUNNING: a user cancelled it."""
        while process.returncode is None:
            await asyncio.sleep(self._settings.job_poll_interval_s)
            try:
                reply = await self._registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))
            except grpc.aio.AioRpcError:
                continue
            if reply.job.status != training_pb2.TRAINING_JOB_STATUS_RUNNING:
                log.info("training_cancelled", job_id=job_id)
                cancelled.set()
                process.kill()
                return

    async def _report(self, job_id: str, progress: dict) -> bool:
        request = tr.ReportTrainingProgressRequest(
            job_id=job_id,
            progress=training_pb2.TrainingProgress(
                phase=str(progress.get("phase", "")),
                fold=int(progress.get("fold", 0)),
                percent=float(progress.get("percent", 0.0)),
            ),
        )
        try:
            reply = await self._registry.ReportTrainingProgress(request)
        except grpc.aio.AioRpcError as error:
            log.warning("progress_report_failed", job_id=job_id, code=error.code().name)
            return True
        return reply.still_running

    async def _register(self, job: training_pb2.TrainingJob, result: protocol.WorkerResult) -> None:
        model = self._store.adopt(Path(result.onnx_path), folder="models", name=f"{job.job_id}.onnx")
        package = self._store.adopt(Path(result.zip_path), folder="results", name=f"{job.job_id}.zip")
        request = tr.FinishTrainingJobRequest(
            job_id=job.job_id,
            result_uri=package.uri,
            model_version=model_version_spec(model, schema_from_json(result.schema), job.config),
        )
        delay_s = self._settings.job_poll_interval_s
        while True:
            try:
                reply = await self._registry.FinishTrainingJob(request)
            except grpc.aio.AioRpcError as error:
                if error.code() not in _OUTCOME_UNKNOWN:
                    self._store.remove(model.uri)
                    self._store.remove(package.uri)
                    if error.code() == grpc.StatusCode.FAILED_PRECONDITION:
                        # Cancelled meanwhile (then failing it is refused too, and it stays
                        # cancelled), or the model a retrain replaces was deleted: the job must end.
                        log.info("training_result_dropped", job_id=job.job_id, details=error.details())
                        await self._fail(job.job_id, f"the trained model was not kept: {escaped(str(error.details()))}")
                        return
                    raise
                # The registry may have recorded the model before the answer was lost: its files
                # stay until the registry says whether it did.
                log.warning("training_result_unconfirmed", job_id=job.job_id, code=error.code().name)
                if await self._recorded(job.job_id, package.uri):
                    log.info("training_finished", job_id=job.job_id, confirmed_after=error.code().name)
                    return
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, _MAX_CONFIRM_DELAY_S)
                continue
            log.info(
                "training_finished",
                job_id=job.job_id,
                model_version_id=reply.model_version.model_version_id,
                model_number=reply.model_version.number,
            )
            return

    async def _recorded(self, job_id: str, result_uri: str) -> bool:
        """Whether the registry holds the job finished with this result; asks until it answers."""
        delay_s = self._settings.job_poll_interval_s
        while True:
            try:
                reply = await self._registry.GetTrainingJob(tr.GetTrainingJobRequest(job_id=job_id))
            except grpc.aio.AioRpcError as error:
                log.warning("training_result_check_failed", job_id=job_id, code=error.code().name)
                await asyncio.sleep(delay_s)
                delay_s = min(delay_s * 2, _MAX_CONFIRM_DELAY_S)
                continue
            job = reply.job
            return job.status == training_pb2.TRAINING_JOB_STATUS_FINISHED and job.result_uri == result_uri

    async def _fail(self, job_id: str, message: str) -> None:
        """`message` names settings marked (setting_words): the gateway words them for its contract."""
        log.info("training_failed", job_id=job_id, message=render(message, {}))
        with contextlib.suppress(grpc.aio.AioRpcError):
            await self._registry.FailTrainingJob(tr.FailTrainingJobRequest(job_id=job_id, message=message))
