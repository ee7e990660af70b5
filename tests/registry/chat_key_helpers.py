"""A chat API and a ChatKeyService stub for the chat key tests."""

from __future__ import annotations

from contextlib import asynccontextmanager

from services.runtime.grpc_client import open_channel
from tests.registry.helpers import SHA, make_api
from tests.service_token import SERVICE_TOKEN
from torii.v1 import apis_pb2, chat_key_service_pb2_grpc, chat_keys_pb2, models_pb2
from torii.v1 import chat_key_service_pb2 as pb
from torii.v1 import registry_service_pb2 as registry_pb


@asynccontextmanager
async def chat_key_stub(address: str):
    channel = open_channel(address, default_timeout_s=10, service_token=SERVICE_TOKEN)
    try:
        yield chat_key_service_pb2_grpc.ChatKeyServiceStub(channel)
    finally:
        await channel.close()


async def make_chat_api(stub, actor: str, model_id: str = "acme/chat-small", account_id: str = "") -> str:
    spec = registry_pb.ModelVersionSpec(
        format=models_pb2.MODEL_FORMAT_GGUF, artifact_uri="file:///tmp/chat.gguf", sha256=SHA, size_bytes=1234
    )
    version = (
        await stub.CreateModel(
            registry_pb.CreateModelRequest(
                actor_user_id=actor, account_id=account_id, name=f"model {model_id}", first_version=spec
            )
        )
    ).model_version
    created = await make_api(
        stub,
        actor,
        version.model_version_id,
        name=f"chat {model_id}",
        account_id=account_id,
        contract=apis_pb2.API_CONTRACT_OPENAI_CHAT,
        chat_model_id=model_id,
        execution_type=apis_pb2.EXECUTION_TYPE_DEDICATED,
    )
    return created.api.api_id


async def make_chat_key(keys, actor: str, api_ids: list[str], **fields) -> pb.CreateChatKeyResponse:
    limits = chat_keys_pb2.ChatKeyLimits(**fields.pop("limits", {}))
    fields.setdefault("name", "team key")
    return await keys.CreateChatKey(
        pb.CreateChatKeyRequest(actor_user_id=actor, api_ids=api_ids, limits=limits, **fields)
    )


def ask(key_id: str, api_id: str, **fields) -> pb.AdmitChatRequestRequest:
    fields.setdefault("prompt_tokens_bound", 10)
    fields.setdefault("default_completion_tokens", 1000)
    fields.setdefault("lease_seconds", 600)
    return pb.AdmitChatRequestRequest(key_id=key_id, api_id=api_id, **fields)
