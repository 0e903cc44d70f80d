"""Flood control for what Telegram actually limits: messages.

PTB's ``AIORateLimiter`` paces every call that names a ``chat_id`` — 30 a second overall and 20 a minute
per group — reads included. Under ``DOSSIER_ACCESS=members`` each user is checked with
``getChatMember`` *on the allowed group*, so the group's 20-a-minute bucket made the 21st team member
of a busy minute wait three seconds for an answer, and a digest run for 1,000 subscribers take about
50 minutes instead of one. Reads (``get*``) are not messages: they skip the pacing here, and a ``429``
on one is still waited out and retried like any other call.

Telegram's own faults are retried here too, with backoff: a 5xx or a connection that never reached the
server says nothing was done, so the call is made again (a reply lost to one "502 Bad Gateway" was lost
for good before). A timeout or a connection dropped after the request went out is ambiguous: the message
may have been sent, so only reads are retried then, never a send that could arrive twice.
"""

from __future__ import annotations

import asyncio
import logging
import random
import time
import warnings
from collections.abc import Callable, Coroutine
from datetime import timedelta
from typing import Any

import httpx
from telegram.error import BadRequest, NetworkError, RetryAfter, TimedOut
from telegram.ext import AIORateLimiter
from telegram.warnings import PTBDeprecationWarning

from bot.metrics import Metrics

log = logging.getLogger(__name__)

JSONDict = dict[str, Any]


def is_paced(endpoint: str) -> bool:
    """Whether Telegram's message limits apply to ``endpoint`` (everything but the ``get*`` reads)."""
    return not endpoint.lower().startswith("get")


NETWORK_RETRIES = 4  # after the first try: 0.5 + 1 + 2 + 4 s of backoff, then the caller's own policy

# Causes after which the request provably never reached Telegram.
_NOT_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)


def is_safe_to_retry(endpoint: str, exc: NetworkError) -> bool:
    """Whether ``exc`` after a call of ``endpoint`` allows making the call again without a risk of
    doing it twice. PTB raises ``NetworkError`` with no cause for an HTTP 5xx (Telegram answered: not
    done) and with the transport's exception as cause for everything else."""
    if isinstance(exc, BadRequest):  # PTB makes it a NetworkError, but it is Telegram's final answer
        return False
    if not is_paced(endpoint):
        return True  # a read: repeating it changes nothing
    cause = exc.__cause__
    if isinstance(cause, _NOT_SENT):
        return True
    return cause is None and not isinstance(exc, TimedOut)


class MessageRateLimiter(AIORateLimiter):
    """AIORateLimiter that paces only messages and retries Telegram's 5xx and connection faults."""

    def __init__(
        self,
        *,
        max_retries: int = 0,
        network_retries: int = NETWORK_RETRIES,
        backoff: float = 0.5,
        metrics: Metrics | None = None,
    ) -> None:
        super().__init__(max_retries=max_retries)
        self._network_retries = network_retries
        self._backoff = backoff
        self._metrics = metrics  # each wait counted in ``dossier_rate_limit_waits_total``

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
        metrics = self._metrics
        if metrics is not None:
            callback = _counting_waits(callback, metrics)
        for attempt in range(self._network_retries + 1):
            try:
                return await super().process_request(callback, args, kwargs, endpoint, data, rate_limit_args)
            except NetworkError as exc:
                if attempt == self._network_retries or not is_safe_to_retry(endpoint, exc):
                    raise
                wait = self._backoff * 2**attempt * random.uniform(0.8, 1.2)
                log.warning("%s failed (%s); trying again in %.1f s", endpoint, exc, wait)
                if metrics is not None:
                    metrics.waited("network", wait)
                await asyncio.sleep(wait)
        raise AssertionError("unreachable: the last attempt returns or raises")


Callback = Callable[..., Coroutine[Any, Any, bool | JSONDict | list[JSONDict]]]

PACING_COUNTED = 0.01  # seconds: a shorter time before the first try is the event loop's, not a wait


def _counting_waits(callback: Callback, metrics: Metrics) -> Callback:
    """``callback`` counting the waits of one call: until its first try (``pacing``: Telegram's message
    limits, or another call's 429 being waited out), and each 429 Telegram answers (``retry_after``:
    AIORateLimiter waits it out and tries again, up to ``max_retries`` times; the last one is raised)."""
    entered = time.monotonic()
    tried = False

    async def call(*args: Any, **kwargs: Any) -> bool | JSONDict | list[JSONDict]:
        nonlocal tried
        if not tried:
            tried = True
            paced = time.monotonic() - entered
            if paced >= PACING_COUNTED:
                metrics.waited("pacing", paced)
        try:
            return await callback(*args, **kwargs)
        except RetryAfter as exc:
            metrics.waited("retry_after", retry_after_seconds(exc))
            raise

    return call


def retry_after_seconds(exc: RetryAfter) -> float:
    """How long Telegram asked to wait, whichever type PTB gives it (an int until ``PTB_TIMEDELTA``
    is set, with a deprecation warning on reading it; a timedelta after)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", PTBDeprecationWarning)
        value = exc.retry_after
    return value.total_seconds() if isinstance(value, timedelta) else float(value)
