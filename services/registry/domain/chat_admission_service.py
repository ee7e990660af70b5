"""Admitting chat requests made with chat keys, and settling them once they end.

Each admission runs under the lock of its key, so concurrent requests, from any number of
gateway processes, are decided one after the other against the same state: a limit is never
exceeded, however large the burst.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime

from services.registry.domain.chat_admission import bucket_of, decide
from services.registry.domain.chat_key_types import Admission, AdmissionRefusal, ChatAsk
from services.registry.domain.credential_lifecycle import utc_now
from services.registry.domain.ids import parse_id
from services.registry.domain.stores import ChatAdmissionStorage
from services.registry.domain.usage import MAX_PROJECT_LENGTH
from services.runtime.errors import InvalidArgument

MAX_LEASE_SECONDS = 24 * 3600
MAX_TOKENS = 10**9
"""Larger than any context; keeps every sum far from the database's integer range."""


class ChatAdmissionService:
    def __init__(self, store: ChatAdmissionStorage, clock: Callable[[], datetime] = utc_now) -> None:
        self._store = store
        self._clock = clock

    async def admit(self, ask: ChatAsk) -> Admission:
        key_id = parse_id(ask.key_id, "key_id")
        api_id = parse_id(ask.api_id, "api_id")
        _check_ask(ask)
        async with self._store.locked(key_id) as locked:
            if locked is None:
                return Admission(False, "", refusal=AdmissionRefusal.KEY_REFUSED)
            key = locked.key
            if api_id not in key.api_ids or (key.expires_at is not None and key.expires_at <= self._clock()):
                return Admission(False, "", refusal=AdmissionRefusal.KEY_REFUSED)
            project = bucket_of(key, ask.project)
            if project is None:
                return Admission(False, "", refusal=AdmissionRefusal.PROJECT_REFUSED)
            state = await locked.state(project)
            admission = decide(key.limits, ask, state, project)
            if not admission.admitted:
                return admission
            lease_id = await locked.lease(project, state.now, admission.reserved_tokens, ask.lease_seconds)
            return Admission(
                True,
                project,
                max_completion_tokens=admission.max_completion_tokens,
                reserved_tokens=admission.reserved_tokens,
                rate=admission.rate,
                lease_id=lease_id,
            )

    async def finish(self, lease_id: str, prompt_tokens: int, completion_tokens: int) -> bool:
        lease_id = parse_id(lease_id, "lease_id")
        if not (0 <= prompt_tokens <= MAX_TOKENS and 0 <= completion_tokens <= MAX_TOKENS):
            raise InvalidArgument(f"token counts are between 0 and {MAX_TOKENS}")
        return await self._store.finish(lease_id, prompt_tokens + completion_tokens)


def _check_ask(ask: ChatAsk) -> None:
    if len(ask.project) > MAX_PROJECT_LENGTH:
        raise InvalidArgument(f"a project name is at most {MAX_PROJECT_LENGTH} characters")
    for value, what in (
        (ask.prompt_tokens_bound, "prompt_tokens_bound"),
        (ask.max_completion_tokens, "max_completion_tokens"),
        (ask.default_completion_tokens, "default_completion_tokens"),
    ):
        if not 0 <= value <= MAX_TOKENS:
            raise InvalidArgument(f"{what} is between 0 and {MAX_TOKENS}")
    if not 1 <= ask.lease_seconds <= MAX_LEASE_SECONDS:
        raise InvalidArgument(f"lease_seconds is between 1 and {MAX_LEASE_SECONDS}")
