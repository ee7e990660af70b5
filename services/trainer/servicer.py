"""TrainerService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

import asyncio

from services.runtime.errors import InvalidArgument
from services.trainer.artifacts import ArtifactStore
from services.trainer.columns import ColumnDescriber
from services.trainer.jobs.runner import JobRunner
from services.trainer.jobs.watch import watch_job
from services.trainer.removals import Removals
from services.trainer.uploads import Uploads
from torii.v1 import trainer_service_pb2 as pb
from torii.v1 import trainer_service_pb2_grpc, training_registry_service_pb2_grpc


async def _upload_parts(request_iterator):
    """The header (first message), then an iterator over the chunks that follow it."""
    first = await anext(aiter(request_iterator), None)
    if first is None or first.WhichOneof("part") != "header":
        raise InvalidArgument("an upload starts with a header naming the job and the slot")

    async def chunks():
        async for message in request_iterator:
            if message.WhichOneof("part") != "chunk":
                raise InvalidArgument("an upload has one header, first")
            yield message.chunk

    return first.header, chunks()


class TrainerServicer(trainer_service_pb2_grpc.TrainerServiceServicer):
    def __init__(
        self,
        uploads: Uploads,
        columns: ColumnDescriber,
        removals: Removals,
        runner: JobRunner,
        registry: training_registry_service_pb2_grpc.TrainingRegistryServiceStub,
        store: ArtifactStore,
        poll_interval_s: float,
    ) -> None:
        self._uploads = uploads
        self._removals = removals
        self._columns = columns
        self._runner = runner
        self._registry = registry
        self._store = store
        self._poll_interval_s = poll_interval_s

    async def UploadFile(self, request_iterator, context):
        header, chunks = await _upload_parts(request_iterator)
        reply = await self._uploads.receive(header, chunks)
        self._runner.wake()
        return pb.UploadFileResponse(job=reply.job, data_set=reply.data_set)

    async def DescribeColumns(self, request, context):
        return await self._columns.describe(request.job_id, request.target_column)

    async def WatchTrainingJob(self, request, context):
        async for job in watch_job(self._registry, request.job_id, self._poll_interval_s):
            yield pb.WatchTrainingJobResponse(job=job)

    async def ReadArtifact(self, request, context):
        chunks = self._store.read_chunks(request.artifact_uri)
        while True:
            chunk = await asyncio.to_thread(next, chunks, None)
            if chunk is None:
                return
            yield pb.ReadArtifactResponse(chunk=chunk)

    async def RemoveDataSet(self, request, context):
        await self._removals.remove_data_set(request.actor_user_id, request.data_set_id)
        return pb.RemoveDataSetResponse()

    async def RemoveTrainedModel(self, request, context):
        await self._removals.remove_trained_model(request.actor_user_id, request.model_number)
        return pb.RemoveTrainedModelResponse()
