"""NcpKeyService over gRPC: each RPC converts the request, awaits the domain, converts the reply."""

from __future__ import annotations

from services.registry.converters import account_to_proto, timestamp
from services.registry.credential_converters import optional_timestamp
from services.registry.domain.ncp_key_types import NcpKey
from services.registry.domain.ncp_keys import NcpKeyService
from torii.v1 import ncp_key_service_pb2 as pb
from torii.v1 import ncp_key_service_pb2_grpc


def ncp_key_to_proto(key: NcpKey) -> pb.NcpKey:
    return pb.NcpKey(
        access_key=key.access_key,
        account_id=key.account_id,
        disabled=key.disabled,
        created_at=timestamp(key.created_at),
        last_used_at=optional_timestamp(key.last_used_at),
    )


class NcpKeyServicer(ncp_key_service_pb2_grpc.NcpKeyServiceServicer):
    def __init__(self, keys: NcpKeyService) -> None:
        self._keys = keys

    async def CreateNcpKey(self, request, context):
        key, secret = await self._keys.create(request.actor_user_id, request.account_id)
        return pb.CreateNcpKeyResponse(key=ncp_key_to_proto(key), secret_key=secret)

    async def ListNcpKeys(self, request, context):
        keys = await self._keys.list(request.actor_user_id, request.account_id)
        return pb.ListNcpKeysResponse(keys=[ncp_key_to_proto(key) for key in keys])

    async def SetNcpKeyDisabled(self, request, context):
        key = await self._keys.set_disabled(request.actor_user_id, request.access_key, request.disabled)
        return pb.SetNcpKeyDisabledResponse(key=ncp_key_to_proto(key))

    async def DeleteNcpKey(self, request, context):
        await self._keys.delete(request.actor_user_id, request.access_key)
        return pb.DeleteNcpKeyResponse()

    async def VerifyNcpSignature(self, request, context):
        account = await self._keys.verify(
            request.access_key, request.signature, request.method, list(request.targets), request.timestamp
        )
        if account is None:
            return pb.VerifyNcpSignatureResponse(verified=False)
        return pb.VerifyNcpSignatureResponse(verified=True, account=account_to_proto(account))
