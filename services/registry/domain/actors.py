"""Who is acting, and on which account they may act."""

from __future__ import annotations

from services.registry.domain.ids import parse_id
from services.registry.domain.stores import AccountStorage
from services.registry.domain.types import User
from services.runtime.errors import PermissionDenied, Unauthenticated


async def resolve_actor(accounts_store: AccountStorage, actor_user_id: str) -> User:
    if not actor_user_id:
        raise Unauthenticated("actor_user_id is required: say which user is acting")
    actor = await accounts_store.get_user(parse_id(actor_user_id, "actor_user_id"))
    if actor is None:
        raise Unauthenticated(f"no user with id {actor_user_id}")
    return actor


def can_see_account(actor: User, account_id: str) -> bool:
    """Admins act on every account; members on their own only."""
    return actor.is_admin or actor.account_id == account_id


def require_account_access(actor: User, account_id: str) -> None:
    if not can_see_account(actor, account_id):
        raise PermissionDenied(f"user {actor.name!r} may not act on account {account_id}")


def require_admin(actor: User, action: str) -> None:
    if not actor.is_admin:
        raise PermissionDenied(f"only an admin may {action}; user {actor.name!r} is a member")
