"""Fault injection: answer the next calls of a method with an error (429, 403, 5xx, migration), or late."""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from typing import Any, Final

from tests.fakebotapi.state import BotApiState
from tests.fakebotapi.values import ApiError, Fault, JSONDict

DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request: error injected by FakeBotApi",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}


class FaultInjection(BotApiState):
    """:meth:`fail_next` and :meth:`delay`, applied by the HTTP layer before a method runs."""

    def fail_next(
        self,
        method: str,
        status: int = 429,
        *,
        retry_after: float | None = None,
        times: int = 1,
        description: str | None = None,
        chat_id: int | str | None = None,
        migrate_to_chat_id: int | None = None,
    ) -> None:
        """Answer the next ``times`` calls of ``method`` (``"*"``: any but getUpdates) with an error.

        429 carries ``parameters.retry_after`` (default 1 s; a float such as 0.05 keeps tests fast -- PTB
        accepts it although Telegram sends ints) so PTB raises ``RetryAfter``.  Default descriptions: 403
        ``Forbidden: bot was blocked by the user``, 400 a generic Bad Request, 500, 502.  ``chat_id`` limits
        the fault to calls for that chat.  The faulted call has no side effects, as on Telegram.
        """
        parameters: JSONDict = {}
        if status == 429:
            retry = 1 if retry_after is None else retry_after
            if not retry:
                raise ValueError("retry_after must be > 0: PTB ignores a falsy retry_after")
            parameters["retry_after"] = retry
            description = description or f"Too Many Requests: retry after {retry}"
        elif retry_after is not None:
            parameters["retry_after"] = retry_after
        if migrate_to_chat_id is not None:
            parameters["migrate_to_chat_id"] = migrate_to_chat_id
        description = description or DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        error = ApiError(status, description, parameters)
        self._faults.append(Fault(method=method, chat_id=chat_id, remaining=times, error=error))

    def delay(
        self,
        method: str,
        seconds: float,
        *,
        times: int | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make ``method`` answer ``seconds`` late (every call or the next ``times``); stop() ends delays."""
        self._faults.append(Fault(method=method, chat_id=chat_id, remaining=times, delay=seconds))

    def clear_faults(self) -> None:
        self._faults.clear()

    async def _faulted(self, method: str, params: Mapping[str, Any]) -> ApiError | None:
        """Wait out the delays that match this call, then the error to answer instead of running it."""
        for fault in [f for f in self._faults if f.delay and f.matches(method, params)]:
            if fault.remaining is not None:
                fault.remaining -= 1
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(fault.delay):
                    await self._closing.wait()
        for fault in self._faults:
            if fault.error is not None and fault.matches(method, params):
                if fault.remaining is not None:
                    fault.remaining -= 1
                return fault.error
        self._faults = [f for f in self._faults if f.remaining != 0]
        return None
