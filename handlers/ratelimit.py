"""Flood control for what Telegram actually limits: messages.

PTB's ``AIORateLimiter`` paces every call that names a ``chat_id`` — 30 a second overall and 20 a minute
per group — reads included. Under ``DOSSIER_ACCESS=members`` each user is checked with
``getChatMember`` *on the allowed group*, so the group's 20-a-minute bucket made the 21st team member
of a busy minute wait three seconds for an answer, and a digest run for 1,000 subscribers take about
50 minutes instead of one. Reads (``get*``) are not messages: they skip the pacing here, and a ``429``
on one is still waited out and retried like any other call.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any

from telegram.ext import AIORateLimiter

JSONDict = dict[str, Any]


def is_paced(endpoint: str) -> bool:
    """Whether Telegram's message limits apply to ``endpoint`` (everything but the ``get*`` reads)."""
    return not endpoint.lower().startswith("get")


class MessageRateLimiter(AIORateLimiter):
    async def process_request(
        self,
        callback: Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]],
        args: Any,
        kwargs: dict[str, Any],
        endpoint: str,
        data: dict[str, Any],
        rate_limit_args: int | None,
    ) -> bool | JSONDict | list[JSONDict]:
        if not is_paced(endpoint):
            # Without a chat id AIORateLimiter applies neither bucket but keeps its RetryAfter handling.
            # ``args`` still carries the real parameters to the callback; only the pacing view changes.
            data = {key: value for key, value in data.items() if key != "chat_id"}
        return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
