"""What the fake remembers, in one place: the mixins that make up :class:`FakeBotApi` all read it."""

from __future__ import annotations

import asyncio
import itertools

from aiohttp import web
from telegram.error import TelegramError

from tests.fakebotapi.values import (
    AnyApplication,
    Call,
    FakeChat,
    FakeUser,
    Fault,
    JSONDict,
    MethodHandler,
    StoredFile,
    TrackedMessage,
)


class BotApiState:
    """The server's configuration and state; :class:`FakeBotApi` (server.py) documents the arguments."""

    default_user: FakeUser
    """The user that simulated actions come from when no ``user=`` is given."""

    def __init__(
        self,
        *,
        token: str,
        username: str,
        first_name: str,
        strict: bool,
        strict_chats: bool,
        check_markup: bool,
    ) -> None:
        self.token = token
        self.bot_id = int(token.split(":", 1)[0])
        self.username = username
        self.strict = strict
        self.strict_chats = strict_chats
        self.check_markup = check_markup
        self.bot_user: JSONDict = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": first_name,
            "username": username,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": True,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

        self.calls: list[Call] = []
        """Every request, in the order the responses were produced (``getUpdates`` included)."""
        self.unknown_methods: list[Call] = []
        self.server_errors: list[str] = []
        """Crashes inside this fake (bugs here, or params it cannot cope with); the fixture fails on them."""
        self.handler_errors: list[BaseException] = []
        """Exceptions the bot's handlers raised under :meth:`running` (clear it if they were expected)."""
        self.polling_errors: list[TelegramError] = []
        """Errors PTB's Updater hit while polling under :meth:`running` (e.g. 409 from a second poller)."""
        self.files: dict[str, StoredFile] = {}
        self.webhook: JSONDict | None = None
        self.callback_answers: dict[str, JSONDict] = {}
        self.inline_answers: dict[str, JSONDict] = {}
        self.updates: list[JSONDict] = []
        """Every update ever queued, in order."""

        self._handlers: dict[str, MethodHandler] = {}
        self._canonical: dict[str, str] = {}
        self._pending: list[JSONDict] = []
        self._update_ids = itertools.count(1000)
        self._last_update_id = 0
        self._allowed_updates: list[str] | None = None
        self._pollers: set[asyncio.Future[str]] = set()
        self._faults: list[Fault] = []
        self._consumed: set[int] = set()
        self._seq = itertools.count(1)
        self._changed = asyncio.Event()
        self._closing = asyncio.Event()
        self._runner: web.AppRunner | None = None
        self._port: int | None = None
        self._app: AnyApplication | None = None

        self._users: dict[int, FakeUser] = {}
        self._chats: dict[int, FakeChat] = {}
        self._migrated: dict[int, int] = {}
        self._members: dict[tuple[int, int], JSONDict] = {}
        self._chat_info: dict[int, JSONDict] = {}
        self._messages: dict[int, dict[int, TrackedMessage]] = {}
        self._message_ids: dict[int, itertools.count[int]] = {}
        self._files_by_path: dict[str, StoredFile] = {}
        self._file_counter = itertools.count(1)
        self._callback_queries: dict[str, JSONDict] = {}
        self._inline_queries: dict[str, JSONDict] = {}
        self._query_ids = itertools.count(5_000_000_001)
        self._user_ids = itertools.count(1001)
        self._group_ids = itertools.count(4_000_000_001)
        self._supergroup_ids = itertools.count(1_001_000_000_001)
        self._channel_ids = itertools.count(1_002_000_000_001)
        self._commands: dict[tuple[str, str], list[JSONDict]] = {}

    def _notify(self) -> None:
        """Wake every waiter (:meth:`wait_for`, :meth:`settle`, ...) to re-check: something changed."""
        self._changed.set()
        self._changed = asyncio.Event()
