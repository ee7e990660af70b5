"""Prediction One API keys: issued to a user for one purpose, for a limited time."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from services.registry.domain import credentials
from services.registry.domain.actors import can_see_account, resolve_actor
from services.registry.domain.stores import AccountStorage, ExternalKeyStorage, TrainedModelStorage
from services.registry.domain.training_types import ExternalKey, KeyPurpose
from services.registry.domain.types import IssuedSecret, Model, ModelVersion, User
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound, Unauthenticated

MODEL_ID_REQUIRED = "Model id is required."
MODEL_MAY_BE_DELETED = "This model may be deleted."


def utc_now() -> datetime:
    return datetime.now(UTC)


async def version_of_account(
    versions_store: TrainedModelStorage, actor: User, model_number: int
) -> tuple[ModelVersion, Model]:
    """The version numbered model_number (Prediction One's model_id) and its model, if the actor may see it."""
    if model_number <= 0:
        raise InvalidArgument(MODEL_ID_REQUIRED)
    found = await versions_store.version_by_number(model_number)
    # Another account's version answers as missing: its number is no business of this user.
    if found is None or not can_see_account(actor, found[1].account_id):
        raise NotFound(MODEL_MAY_BE_DELETED)
    return found


class ExternalKeyService:
    def __init__(
        self,
        accounts_store: AccountStorage,
        keys_store: ExternalKeyStorage,
        versions_store: TrainedModelStorage,
        ttl_s: float,
        clock: Callable[[], datetime] = utc_now,
    ) -> None:
        self._accounts = accounts_store
        self._keys = keys_store
        self._versions = versions_store
        self._ttl = timedelta(seconds=ttl_s)
        self._clock = clock

    async def issue(
        self, actor_user_id: str, purpose: KeyPurpose, model_number: int
    ) -> tuple[IssuedSecret, ExternalKey]:
        actor = await resolve_actor(self._accounts, actor_user_id)
        version_id, number = "", 0
        if purpose is KeyPurpose.RETRAIN:
            version, _ = await version_of_account(self._versions, actor, model_number)
            version_id, number = version.model_version_id, version.number
        issued, secret_digest = credentials.issue_secret()
        key = ExternalKey(
            credential_id=issued.credential_id,
            user_id=actor.user_id,
            purpose=purpose,
            expires_at=self._clock() + self._ttl,
            model_version_id=version_id,
            model_number=number,
        )
        await self._keys.add(key, secret_digest)
        return issued, key

    async def authenticate(self, api_key: str) -> tuple[User, ExternalKey]:
        credential_id = credentials.credential_id_of(api_key or "")
        found = await self._keys.get(credential_id) if credential_id else None
        if found is None or not credentials.matches(api_key, found[1]):
            raise Unauthenticated("invalid API key")
        user, _, key = found
        if key.expires_at <= self._clock():
            raise FailedPrecondition(f"the key expired at {key.expires_at.astimezone(UTC).isoformat()}")
        await self._keys.mark_used(key.credential_id)
        return user, key
