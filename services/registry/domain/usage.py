"""Per-day request counts: recording batches and reading a range."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import UTC, date, datetime, timedelta

from services.registry.domain.apis import ApiService
from services.registry.domain.ids import parse_id
from services.registry.domain.stores import UsageStorage
from services.registry.domain.types import ChatTokenUsage, DailyUsage
from services.runtime.errors import InvalidArgument

DEFAULT_RANGE_DAYS = 30
MAX_RANGE_DAYS = 366
MAX_PROJECT_LENGTH = 200


def utc_today() -> date:
    return datetime.now(UTC).date()


def parse_day(text: str, what: str) -> date:
    try:
        return date.fromisoformat(text)
    except (TypeError, ValueError):
        raise InvalidArgument(f"{what} must be a day as YYYY-MM-DD, not {text!r}") from None


class UsageService:
    def __init__(self, api_service: ApiService, store: UsageStorage, today: Callable[[], date] = utc_today) -> None:
        self._apis = api_service
        self._store = store
        self._today = today

    async def record(
        self,
        increments: list[DailyUsage],
        flush_id: str = "",
        key_uses: Sequence[tuple[str, datetime]] = (),
        chat_tokens: Sequence[ChatTokenUsage] = (),
    ) -> bool:
        """Add a batch of counts (and chat tokens) and record when its API keys were last used; a
        batch whose flush_id was applied before is not applied again."""
        if flush_id:
            parse_id(flush_id, "flush_id")
        for increment in increments:
            parse_id(increment.api_id, "api_id")
            parse_day(increment.day, "day")
            if min(increment.count_2xx, increment.count_4xx, increment.count_5xx) < 0:
                raise InvalidArgument("usage counts must not be negative")
        for tokens in chat_tokens:
            parse_id(tokens.api_id, "api_id")
            parse_id(tokens.key_id, "key_id")
            parse_day(tokens.day, "day")
            if len(tokens.project) > MAX_PROJECT_LENGTH:
                raise InvalidArgument(f"a project name is at most {MAX_PROJECT_LENGTH} characters")
            if min(tokens.requests, tokens.prompt_tokens, tokens.completion_tokens) < 0:
                raise InvalidArgument("token counts must not be negative")
        key_uses = [(parse_id(key_id, "key_id"), used_at) for key_id, used_at in key_uses]
        return await self._store.add(increments, flush_id or None, key_uses, chat_tokens)

    async def days(
        self, actor_user_id: str, api_id: str, from_day: str, to_day: str
    ) -> tuple[list[DailyUsage], list[ChatTokenUsage]]:
        """The API's counts per day in the range, and (a chat API's) its tokens per day, key and project."""
        api = await self._apis.get(actor_user_id, api_id)
        last = parse_day(to_day, "to_day") if to_day else self._today()
        first = parse_day(from_day, "from_day") if from_day else last - timedelta(days=DEFAULT_RANGE_DAYS - 1)
        if first > last:
            raise InvalidArgument(f"from_day {first} is after to_day {last}")
        if (last - first).days >= MAX_RANGE_DAYS:
            raise InvalidArgument(f"ask for at most {MAX_RANGE_DAYS} days at a time")
        return await self._store.days(api.api_id, first, last), await self._store.chat_tokens(api.api_id, first, last)
