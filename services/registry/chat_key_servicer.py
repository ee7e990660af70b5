"""ChatKeyService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry import chat_key_converters as convert
from services.registry.converters import chat_tokens_to_proto, secret_to_proto
from services.registry.domain.chat_admission_service import ChatAdmissionService
from services.registry.domain.chat_key_types import ChatKeyChanges
from services.registry.domain.chat_keys import ChatKeyService
from torii.v1 import chat_key_service_pb2 as pb
from torii.v1 import chat_key_service_pb2_grpc


class ChatKeyServicer(chat_key_service_pb2_grpc.ChatKeyServiceServicer):
    def __init__(self, keys: ChatKeyService, admissions: ChatAdmissionService) -> None:
        self._keys = keys
        self._admissions = admissions

    async def CreateChatKey(self, request, context):
        key, secret = await self._keys.create(
            request.actor_user_id,
            request.account_id,
            request.name,
            list(request.api_ids),
            convert.limits_from_proto(request.limits),
            list(request.projects),
            request.default_project,
            convert.expiry_from_proto(request),
        )
        return pb.CreateChatKeyResponse(key=convert.chat_key_to_proto(key), secret=secret_to_proto(secret))

    async def GetChatKey(self, request, context):
        key = await self._keys.get(request.actor_user_id, request.key_id)
        return pb.GetChatKeyResponse(key=convert.chat_key_to_proto(key))

    async def ListChatKeys(self, request, context):
        keys = await self._keys.list(request.actor_user_id, request.account_id)
        return pb.ListChatKeysResponse(keys=[convert.chat_key_to_proto(key) for key in keys])

    async def UpdateChatKey(self, request, context):
        changes = ChatKeyChanges(
            name=request.name if request.HasField("name") else None,
            api_ids=tuple(request.api_ids) if request.api_ids_given else None,
            limits=convert.limits_from_proto(request.limits) if request.HasField("limits") else None,
            projects=tuple(request.projects) if request.projects_given else None,
            default_project=request.default_project,
        )
        key = await self._keys.update(request.actor_user_id, request.key_id, changes)
        return pb.UpdateChatKeyResponse(key=convert.chat_key_to_proto(key))

    async def RotateChatKey(self, request, context):
        key, secret = await self._keys.rotate(request.actor_user_id, request.key_id)
        return pb.RotateChatKeyResponse(key=convert.chat_key_to_proto(key), secret=secret_to_proto(secret))

    async def AdmitChatRequest(self, request, context):
        return convert.admission_to_proto(await self._admissions.admit(convert.ask_from_proto(request)))

    async def FinishChatRequest(self, request, context):
        await self._admissions.finish(request.lease_id, request.prompt_tokens, request.completion_tokens)
        return pb.FinishChatRequestResponse()

    async def GetChatKeyUsage(self, request, context):
        days = await self._keys.usage(request.actor_user_id, request.key_id, request.from_day, request.to_day)
        return pb.GetChatKeyUsageResponse(days=[chat_tokens_to_proto(day) for day in days])
