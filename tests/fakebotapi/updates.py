"""The Bot API methods about the bot itself: ``getMe``, ``getUpdates`` long polling, webhooks, commands."""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Mapping
from typing import Any, Final

from tests.fakebotapi.faults import DEFAULT_DESCRIPTIONS
from tests.fakebotapi.state import BotApiState
from tests.fakebotapi.values import ApiError, ApiRequest, JSONDict

_LOGGER = logging.getLogger(__name__)


_DEFAULT_UPDATE_TYPES_EXCLUDED: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)


class UpdateMethods(BotApiState):
    """``getUpdates`` and webhooks over the queue of pending updates; the bot's profile and commands."""

    def commands(self, *, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSONDict]:
        """The commands the bot set with ``setMyCommands`` for ``scope`` (default scope if ``None``)."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    async def _true(self, request: ApiRequest) -> bool:
        return True

    async def _get_me(self, request: ApiRequest) -> JSONDict:
        return dict(self.bot_user)

    async def _get_updates(self, request: ApiRequest) -> list[JSONDict]:
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; use deleteWebhook to delete "
                "the webhook first",
            )
        params = request.params
        offset = int(params.get("offset") or 0)
        limit = min(max(int(params.get("limit") or 100), 1), 100)
        timeout = float(params.get("timeout") or 0)
        allowed = params.get("allowed_updates")
        if isinstance(allowed, list):
            self._allowed_updates = [str(kind) for kind in allowed] or None
        self._confirm(offset)
        # Telegram answers an older long poll with 409 when a new getUpdates arrives.  After PTB cancels its
        # poll on stop, that older request is already abandoned, so this only unparks it server-side.
        for older in list(self._pollers):
            if not older.done():
                older.set_result("conflict")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while True:
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing.is_set():
                return batch
            poller: asyncio.Future[str] = loop.create_future()
            self._pollers.add(poller)
            self._notify()
            try:
                async with asyncio.timeout(remaining):
                    outcome = await poller
            except TimeoutError:
                return []
            finally:
                self._pollers.discard(poller)
                self._notify()
            if outcome == "conflict":
                raise ApiError(409, DEFAULT_DESCRIPTIONS[409])

    def _confirm(self, offset: int) -> None:
        before = len(self._pending)
        if offset > 0:
            self._pending = [u for u in self._pending if u["update_id"] >= offset]
        elif offset < 0:
            self._pending = self._pending[offset:]
        if len(self._pending) != before:
            self._notify()

    def _deliverable(self, limit: int) -> list[JSONDict]:
        allowed = self._allowed_updates
        kept: list[JSONDict] = []
        for update in self._pending:
            kind = next(key for key in update if key != "update_id")
            if (kind in allowed) if allowed else (kind not in _DEFAULT_UPDATE_TYPES_EXCLUDED):
                kept.append(update)
            else:
                _LOGGER.warning("FakeBotApi: dropping %s update: not in allowed_updates %s", kind, allowed)
        if len(kept) != len(self._pending):
            self._pending = kept
            self._notify()
        return kept[:limit]

    async def _delete_webhook(self, request: ApiRequest) -> bool:
        self.webhook = None
        if request.params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _set_webhook(self, request: ApiRequest) -> bool:
        url = request.params.get("url") or ""
        self.webhook = dict(request.params) if url else None
        if request.params.get("drop_pending_updates"):
            self._pending.clear()
            self._notify()
        return True

    async def _get_webhook_info(self, request: ApiRequest) -> JSONDict:
        info: JSONDict = {
            "url": (self.webhook or {}).get("url", ""),
            "has_custom_certificate": False,
            "pending_update_count": len(self._pending),
        }
        if self._allowed_updates:
            info["allowed_updates"] = list(self._allowed_updates)
        return info

    @staticmethod
    def _commands_key(scope: Any, language_code: Any) -> tuple[str, str]:
        return json.dumps(scope or {"type": "default"}, sort_keys=True), str(language_code or "")

    async def _set_my_commands(self, request: ApiRequest) -> bool:
        commands = request.params.get("commands")
        if not isinstance(commands, list):
            raise ApiError(400, "Bad Request: can't parse commands JSON object")
        for command in commands:
            name = command.get("command", "") if isinstance(command, Mapping) else ""
            if not re.fullmatch(r"[a-z0-9_]{1,32}", str(name)):
                raise ApiError(400, "Bad Request: BOT_COMMAND_INVALID")
            if not 1 <= len(str(command.get("description", ""))) <= 256:
                raise ApiError(400, "Bad Request: command description must be non-empty")
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        self._commands[key] = [dict(command) for command in commands]
        return True

    async def _delete_my_commands(self, request: ApiRequest) -> bool:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        self._commands.pop(key, None)
        return True

    async def _get_my_commands(self, request: ApiRequest) -> list[JSONDict]:
        key = self._commands_key(request.params.get("scope"), request.params.get("language_code"))
        return [dict(command) for command in self._commands.get(key, [])]
