"""Uploaded data sets: listed, looked at and deleted by their account's users."""

from __future__ import annotations

from services.registry.domain.actors import resolve_actor
from services.registry.domain.pages import make_page
from services.registry.domain.service_calls import optional_actor, visible_to
from services.registry.domain.stores import AccountStorage, DataSetStorage
from services.registry.domain.training_types import DataSet, PageOf
from services.registry.domain.types import User
from services.runtime.errors import InvalidArgument, NotFound


class DataSetService:
    def __init__(self, accounts_store: AccountStorage, store: DataSetStorage) -> None:
        self._accounts = accounts_store
        self._store = store

    async def _data_set_for(self, actor: User | None, data_set_id: int) -> DataSet:
        if data_set_id <= 0:
            raise InvalidArgument("data_set_id is required")
        data_set = await self._store.get(data_set_id)
        # Another account's data set answers as missing: its id is no business of this user.
        if data_set is None or not visible_to(actor, data_set.account_id):
            raise NotFound(f"no data set with id {data_set_id}")
        return data_set

    async def list(self, actor_user_id: str, offset: int, limit: int) -> PageOf[DataSet]:
        """The actor's account's data sets (an admin's: every account's), newest first."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        page = make_page(offset, limit)
        items, total = await self._store.list(None if actor.is_admin else actor.account_id, page.offset, page.limit)
        return PageOf(items, page.offset, page.limit, total)

    async def get(self, actor_user_id: str, data_set_id: int) -> DataSet:
        """Users see their account's data sets; services (an empty actor) every one."""
        return await self._data_set_for(await optional_actor(self._accounts, actor_user_id), data_set_id)

    async def delete(self, actor_user_id: str, data_set_id: int) -> str:
        """Delete the record and return the artifact the caller may now remove. Jobs that used it keep
        their results; a job awaiting its data loses that upload."""
        actor = await resolve_actor(self._accounts, actor_user_id)
        data_set = await self._data_set_for(actor, data_set_id)
        deleted = await self._store.delete(data_set.data_set_id)
        if deleted is None:
            raise NotFound(f"no data set with id {data_set_id}")
        return deleted.artifact_uri
