"""The model versions training made, as Prediction One lists and deletes its models."""

from __future__ import annotations

from services.registry.domain.actors import resolve_actor
from services.registry.domain.external_keys import MODEL_ID_REQUIRED
from services.registry.domain.pages import make_page
from services.registry.domain.service_calls import visible_to
from services.registry.domain.stores import AccountStorage, TrainedModelStorage
from services.registry.domain.training_types import PageOf, TrainedModel
from services.registry.domain.types import User
from services.runtime.errors import FailedPrecondition, InvalidArgument, NotFound


def check_deletable(model: TrainedModel) -> None:
    if model.in_use:
        raise FailedPrecondition(
            f"model {model.version.number} is used by a published API; delete the API or move it to another model first"
        )


class TrainedModelService:
    def __init__(self, accounts_store: AccountStorage, store: TrainedModelStorage) -> None:
        self._accounts = accounts_store
        self._store = store

    async def _model_for(self, actor: User, model_number: int) -> TrainedModel:
        if model_number <= 0:
            raise InvalidArgument(MODEL_ID_REQUIRED)
        model = await self._store.get(model_number)
        # Another account's model answers as missing: its number is no business of this user.
        if model is None or not visible_to(actor, model.account_id):
            raise NotFound(f"no trained model with id {model_number}")
        return model

    async def list(self, actor_user_id: str, offset: int, limit: int) -> PageOf[TrainedModel]:
        """The actor's account's trained models (an admin's: every account's), newest first."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        page = make_page(offset, limit)
        items, total = await self._store.list(None if actor.is_admin else actor.account_id, page.offset, page.limit)
        return PageOf(items, page.offset, page.limit, total)

    async def get(self, actor_user_id: str, model_number: int) -> TrainedModel:
        return await self._model_for(await resolve_actor(self._accounts, actor_user_id), model_number)

    async def delete(self, actor_user_id: str, model_number: int) -> str:
        """Delete the version unless a published API uses it; return the artifact the caller may now remove."""
        model = await self._model_for(await resolve_actor(self._accounts, actor_user_id), model_number)
        deleted = await self._store.delete(model.version.number, check_deletable)
        return deleted.version.artifact_uri
