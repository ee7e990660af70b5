"""Deleting a data set or a trained model: the registry's record first (it refuses a model a
published API uses), then the file, so a record never points at a missing file."""

from __future__ import annotations

from services.trainer.artifacts import ArtifactStore
from torii.v1 import training_registry_service_pb2 as tr
from torii.v1 import training_registry_service_pb2_grpc


class Removals:
    def __init__(
        self, registry: training_registry_service_pb2_grpc.TrainingRegistryServiceStub, store: ArtifactStore
    ) -> None:
        self._registry = registry
        self._store = store

    async def remove_data_set(self, actor_user_id: str, data_set_id: int) -> None:
        reply = await self._registry.DeleteDataSet(
            tr.DeleteDataSetRequest(actor_user_id=actor_user_id, data_set_id=data_set_id)
        )
        self._store.remove(reply.artifact_uri)

    async def remove_trained_model(self, actor_user_id: str, model_number: int) -> None:
        reply = await self._registry.DeleteTrainedModel(
            tr.DeleteTrainedModelRequest(actor_user_id=actor_user_id, model_number=model_number)
        )
        self._store.remove(reply.artifact_uri)
