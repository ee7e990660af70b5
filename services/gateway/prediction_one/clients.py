"""What the Prediction One routes keep for the application's lifetime: their gRPC clients and
the URL signer."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

from aiohttp import web

from services.gateway.app_keys import SETTINGS, TRAINER
from services.gateway.prediction_one.signed_urls import UrlSigner, load_signing_key
from services.runtime.grpc_client import open_service_channel
from torii.v1 import trainer_service_pb2_grpc, training_registry_service_pb2_grpc


@dataclass
class PredictionOneClients:
    training: training_registry_service_pb2_grpc.TrainingRegistryServiceStub
    trainer: trainer_service_pb2_grpc.TrainerServiceStub
    signer: UrlSigner


CLIENTS = web.AppKey("prediction_one_clients", PredictionOneClients)


async def prediction_one_clients(app: web.Application) -> AsyncIterator[None]:
    settings = app[SETTINGS]
    registry_channel = open_service_channel(settings, settings.registry_address)
    app[CLIENTS] = PredictionOneClients(
        training_registry_service_pb2_grpc.TrainingRegistryServiceStub(registry_channel),
        app[TRAINER],
        UrlSigner(load_signing_key(settings.url_signing_key, settings.data_dir), settings.signed_url_lifetime_s),
    )
    try:
        yield
    finally:
        await registry_channel.close()
