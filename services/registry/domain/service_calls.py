"""Calls that act for a user, and calls from services (the trainer) that carry no user."""

from __future__ import annotations

from services.registry.domain.actors import can_see_account, resolve_actor
from services.registry.domain.stores import AccountStorage
from services.registry.domain.types import User


async def optional_actor(accounts_store: AccountStorage, actor_user_id: str) -> User | None:
    """The acting user, or None for a service call (an empty actor_user_id)."""
    return await resolve_actor(accounts_store, actor_user_id) if actor_user_id else None


def visible_to(actor: User | None, account_id: str) -> bool:
    """Services see every account; users see theirs (admins every one)."""
    return actor is None or can_see_account(actor, account_id)
