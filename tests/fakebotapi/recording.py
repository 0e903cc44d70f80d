"""Recording of every call, and waiting on it: :meth:`wait_for`, :meth:`settle`, failure reports."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable, Mapping
from typing import TypeVar

from tests.fakebotapi.state import BotApiState
from tests.fakebotapi.values import AnyApplication, Call, JSONDict, UploadedFile, same_chat

_LOGGER = logging.getLogger(__name__)
_T = TypeVar("_T")


class Recording(BotApiState):
    """Every call the bot made (:attr:`calls`), filtered (:meth:`sent`) or awaited (:meth:`wait_for`)."""

    def sent(
        self,
        method: str | None = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
    ) -> list[Call]:
        """Recorded calls, filtered; ``getUpdates`` only when asked for by name."""
        return [call for call in self.calls if self._call_matches(call, method, chat_id, ok, None)]

    async def wait_for(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a per-wait deadline is what this helper is for
        count: int = 1,
    ) -> Call:
        """Wait until ``count`` matching calls not returned by an earlier ``wait_for`` exist; return the last.

        Calls are *consumed*: a second ``wait_for("sendMessage")`` waits for the next reply rather than
        returning the first one again.  ``ok=True`` skips failed attempts (e.g. an injected 429).  On
        timeout raises ``AssertionError`` listing every recorded call and handler error.
        """
        return (
            await self.wait_for_all(method, predicate, chat_id=chat_id, ok=ok, timeout=timeout, count=count)
        )[-1]

    async def wait_for_all(
        self,
        method: str,
        predicate: Callable[[Call], bool] | None = None,
        *,
        chat_id: int | str | None = None,
        ok: bool | None = None,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a per-wait deadline is what this helper is for
        count: int = 1,
    ) -> list[Call]:
        """Like :meth:`wait_for` but returns all ``count`` matching calls, oldest first."""

        def check() -> list[Call] | None:
            found = [
                call
                for call in self.calls
                if call.seq not in self._consumed and self._call_matches(call, method, chat_id, ok, predicate)
            ]
            if len(found) < count:
                return None
            chosen = found[:count]
            self._consumed.update(call.seq for call in chosen)
            return chosen

        what = f"{count} {method} call(s)"
        if chat_id is not None:
            what += f" to chat {chat_id}"
        if ok is not None:
            what += " that succeeded" if ok else " that failed"
        if predicate is not None:
            what += f" matching {getattr(predicate, '__name__', repr(predicate))}"
        return await self._wait_until(check, timeout, what)

    async def wait_until(
        self,
        condition: Callable[[], bool],
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a per-wait deadline is what this helper is for
        what: str = "",
    ) -> None:
        """Wait until ``condition()`` is true; re-checked whenever a call, update or handler error arrives."""
        await self._wait_until(lambda: True if condition() else None, timeout, what or repr(condition))

    async def settle(
        self,
        app: AnyApplication | None = None,
        *,
        timeout: float = 5.0,  # noqa: ASYNC109 -- a per-wait deadline is what this helper is for
    ) -> None:
        """Wait until the bot fetched and confirmed every queued update and its handlers finished them.

        Use before asserting that something did *not* happen.  Handlers registered with ``block=False``
        and jobs are not waited for.  ``app`` defaults to the one in :meth:`running`.
        """
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        target = self._last_update_id
        await self._wait_until(
            lambda: None if any(u["update_id"] <= target for u in self._pending) else True,
            timeout,
            f"the bot to fetch and confirm updates up to {target}",
        )
        app = app or self._app
        if app is not None:
            try:
                async with asyncio.timeout(max(0.0, deadline - loop.time())):
                    await app.update_queue.join()
            except TimeoutError:
                raise AssertionError(
                    f"the bot did not finish processing its updates within {timeout}s\n{self._report()}"
                ) from None

    def report(self) -> str:
        """Human-readable dump of recorded calls, pending updates and handler errors."""
        return self._report()

    def _record(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile], status: int, body: JSONDict
    ) -> Call:
        call = Call(
            seq=next(self._seq), method=method, params=params, files=files, status=status, response=body
        )
        self.calls.append(call)
        if method != "getUpdates":
            _LOGGER.debug("FakeBotApi %s", call.describe())
        self._notify()
        return call

    async def _wait_until(
        self,
        check: Callable[[], _T | None],
        timeout: float,  # noqa: ASYNC109 -- a per-wait deadline is what this helper is for
        what: str,
    ) -> _T:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            outcome = check()
            if outcome is not None:
                return outcome
            remaining = deadline - loop.time()
            if remaining <= 0:
                raise AssertionError(f"timed out after {timeout}s waiting for {what}\n{self._report()}")
            changed = self._changed
            with contextlib.suppress(TimeoutError):
                async with asyncio.timeout(remaining):
                    await changed.wait()

    def _call_matches(
        self,
        call: Call,
        method: str | None,
        chat_id: int | str | None,
        ok: bool | None,
        predicate: Callable[[Call], bool] | None,
    ) -> bool:
        if method is None:
            if call.method == "getUpdates":
                return False
        elif call.method.lower() != method.lower():
            return False
        if chat_id is not None and not same_chat(chat_id, call.chat_id):
            return False
        if ok is not None and call.ok != ok:
            return False
        return predicate is None or predicate(call)

    def _report(self) -> str:
        lines = ["recorded calls (getUpdates omitted; * = already returned by wait_for):"]
        shown = [call for call in self.calls if call.method != "getUpdates"]
        lines.extend(f"  {'*' if c.seq in self._consumed else ' '} {c.describe()}" for c in shown)
        if not shown:
            lines.append("  (none)")
        polls = sum(1 for call in self.calls if call.method == "getUpdates")
        lines.append(f"getUpdates calls: {polls}; parked now: {len(self._pollers)}")
        if self._pending:
            ids = [u["update_id"] for u in self._pending]
            lines.append(f"updates not yet confirmed by the bot: {ids} (is the bot polling?)")
        if self.handler_errors:
            lines.append("handler errors:")
            lines.extend(f"  {type(e).__name__}: {e}" for e in self.handler_errors)
        if self.polling_errors:
            lines.append(f"polling errors: {[f'{type(e).__name__}: {e}' for e in self.polling_errors]}")
        if self.unknown_methods:
            lines.append(f"unknown methods called: {[c.method for c in self.unknown_methods]}")
        if self.server_errors:
            lines.append(f"FakeBotApi crashes: {self.server_errors}")
        return "\n".join(lines)
