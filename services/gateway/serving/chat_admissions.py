"""Chat keys' limits, decided by the registry: one AdmitChatRequest before a request runs, one
FinishChatRequest once it has ended.

The registry holds the state of every limit, so they hold exactly across gateway processes. The
calls in flight are bounded (serving.registry_slots), so a burst waits for a slot rather than
flooding the registry. A finish is sent in the background, also for
a request whose client left (its handler is being cancelled), and shutdown waits for the finishes
still on their way; one that cannot be sent leaves its lease to expire in the registry.
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable

import grpc

from services.gateway.serving.refusals import Refusal, Refused
from services.gateway.serving.registry_slots import RegistrySlots
from services.runtime.logging import get_logger
from torii.v1 import chat_key_service_pb2, chat_key_service_pb2_grpc

log = get_logger("chat_admissions")

REGISTRY_BUSY = "the registry is busy with other chat admissions"


class ChatAdmissions:
    def __init__(
        self, registry: Callable[[], chat_key_service_pb2_grpc.ChatKeyServiceStub], max_in_flight: int, wait_s: float
    ) -> None:
        """registry: the stub, once the registry's channel is open."""
        self._registry = registry
        self._slots = RegistrySlots(max_in_flight, wait_s, REGISTRY_BUSY)
        self._finishing: set[asyncio.Task[None]] = set()

    async def admit(
        self, request: chat_key_service_pb2.AdmitChatRequestRequest
    ) -> chat_key_service_pb2.AdmitChatRequestResponse:
        """The registry's decision; Refused(BACKEND_UNAVAILABLE) when it cannot give one."""
        async with self._slots.slot():
            try:
                return await self._registry().AdmitChatRequest(request)
            except grpc.aio.AioRpcError as error:
                log.warning("chat_admission_failed", key_id=request.key_id, code=error.code().name)
                raise Refused(Refusal.BACKEND_UNAVAILABLE) from None

    def finish(self, lease_id: str, prompt_tokens: int, completion_tokens: int) -> asyncio.Future[None]:
        """Settle a lease with the tokens used, once, in a task of its own (awaiting it is optional;
        it never raises)."""
        task = asyncio.ensure_future(self._finish(lease_id, prompt_tokens, completion_tokens))
        self._finishing.add(task)
        task.add_done_callback(self._finishing.discard)
        return task

    async def _finish(self, lease_id: str, prompt_tokens: int, completion_tokens: int) -> None:
        request = chat_key_service_pb2.FinishChatRequestRequest(
            lease_id=lease_id, prompt_tokens=prompt_tokens, completion_tokens=completion_tokens
        )
        try:
            async with self._slots.slot():
                await self._registry().FinishChatRequest(request)
        except (grpc.aio.AioRpcError, Refused) as error:
            code = error.code().name if isinstance(error, grpc.aio.AioRpcError) else error.detail
            log.warning("chat_finish_failed", lease_id=lease_id, code=code)

    async def stop(self) -> None:
        """Wait for the finishes on their way."""
        if self._finishing:
            await asyncio.gather(*self._finishing, return_exceptions=True)
