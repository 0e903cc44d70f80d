"""The fake's value objects (users, chats, files, recorded calls, tracked messages), its errors and the
constants and small helpers every part of it shares."""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias

from telegram.ext import Application, ApplicationBuilder

JSONDict: TypeAlias = dict[str, Any]
AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
AnyApplicationBuilder: TypeAlias = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
MethodHandler: TypeAlias = Callable[["ApiRequest"], Any]

TOKEN: Final = "123456:TEST"
"""Default bot token.  The part before ``:`` is the bot's user id, as with real tokens."""
BOT_ID: Final = 123456
BOT_USERNAME: Final = "dossier_test_bot"

ChatType: TypeAlias = Literal["private", "group", "supergroup", "channel"]
MemberStatus: TypeAlias = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]


@dataclass(frozen=True, slots=True)
class FakeUser:
    """A simulated Telegram user; :meth:`to_api` is the Bot API ``User`` object."""

    id: int
    first_name: str
    last_name: str | None = None
    username: str | None = None
    language_code: str | None = "en"
    is_bot: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "is_bot": self.is_bot, "first_name": self.first_name}
        for key in ("last_name", "username", "language_code"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        return data


@dataclass(frozen=True, slots=True)
class FakeChat:
    """A simulated chat; :meth:`to_api` is the Bot API ``Chat`` object (not ``ChatFullInfo``)."""

    id: int
    type: ChatType
    title: str | None = None
    username: str | None = None
    first_name: str | None = None
    last_name: str | None = None
    is_forum: bool = False

    def to_api(self) -> JSONDict:
        data: JSONDict = {"id": self.id, "type": self.type}
        for key in ("title", "username", "first_name", "last_name"):
            value = getattr(self, key)
            if value is not None:
                data[key] = value
        if self.is_forum:
            data["is_forum"] = True
        return data


@dataclass(frozen=True, slots=True)
class StoredFile:
    """A file the server can serve through ``getFile`` + ``/file/bot<token>/<file_path>``."""

    file_id: str
    file_unique_id: str
    file_path: str
    content: bytes
    file_name: str | None = None
    mime_type: str | None = None

    @property
    def file_size(self) -> int:
        return len(self.content)

    def to_document(self) -> JSONDict:
        """The Bot API ``Document`` object for this file."""
        data: JSONDict = {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
        }
        if self.file_name is not None:
            data["file_name"] = self.file_name
        if self.mime_type is not None:
            data["mime_type"] = self.mime_type
        return data

    def to_file(self) -> JSONDict:
        """The Bot API ``File`` object (``getFile``'s result)."""
        return {
            "file_id": self.file_id,
            "file_unique_id": self.file_unique_id,
            "file_size": self.file_size,
            "file_path": self.file_path,
        }


@dataclass(frozen=True, slots=True)
class UploadedFile:
    """One multipart file part of a request (what the bot uploaded)."""

    field: str
    filename: str | None
    content_type: str | None
    content: bytes


@dataclass(frozen=True, slots=True)
class ApiRequest:
    """What a method handler receives: the canonical method name, decoded params and uploaded files."""

    method: str
    params: JSONDict
    files: Mapping[str, UploadedFile]


@dataclass(frozen=True, slots=True)
class Call:
    """One recorded request from the bot, with the response the server gave.

    ``params`` are JSON-decoded (``reply_markup`` is a dict, ``chat_id`` an int); uploaded files are in
    ``files`` keyed by the multipart field name (``"document"`` for ``sendDocument``).
    """

    seq: int
    method: str
    params: JSONDict
    files: Mapping[str, UploadedFile]
    status: int
    response: JSONDict

    @property
    def ok(self) -> bool:
        return self.status == 200

    @property
    def result(self) -> Any:
        """The ``result`` of a successful call (a Message dict for ``sendMessage``)."""
        return self.response.get("result")

    @property
    def error(self) -> str | None:
        return None if self.ok else str(self.response.get("description"))

    @property
    def chat_id(self) -> Any:
        return self.params.get("chat_id")

    @property
    def text(self) -> str | None:
        """The raw ``text`` (or ``caption``) the bot sent, before any parse_mode rendering."""
        value = self.params.get("text", self.params.get("caption"))
        return None if value is None else str(value)

    def describe(self) -> str:
        """One line for failure reports."""
        shown = {key: value for key, value in self.params.items() if key != "reply_markup"}
        if "reply_markup" in self.params:
            shown["reply_markup"] = "..."
        files = f" files={sorted(self.files)}" if self.files else ""
        outcome = "ok" if self.ok else f"{self.status} {self.error}"
        return f"#{self.seq} {self.method} {json.dumps(shown, ensure_ascii=False)[:300]}{files} -> {outcome}"


@dataclass(slots=True)
class TrackedMessage:
    """A message in a chat as the server knows it now (``data``) plus its earlier versions.

    ``data`` is the Bot API ``Message`` JSON, updated in place by edits, so ``text`` is what a user would
    see after all edits (with parse_mode markup already rendered to plain text, as Telegram does).
    """

    data: JSONDict
    from_bot: bool
    deleted: bool = False
    versions: list[JSONDict] = field(default_factory=list)
    source: tuple[Any, ...] = ()

    @property
    def chat_id(self) -> int:
        return int(self.data["chat"]["id"])

    @property
    def message_id(self) -> int:
        return int(self.data["message_id"])

    @property
    def text(self) -> str | None:
        value = self.data.get("text", self.data.get("caption"))
        return None if value is None else str(value)

    @property
    def reply_markup(self) -> JSONDict | None:
        markup = self.data.get("reply_markup")
        return markup if isinstance(markup, dict) else None

    def buttons(self) -> list[JSONDict]:
        """The inline keyboard buttons, row by row, flattened."""
        markup = self.reply_markup or {}
        return [button for row in markup.get("inline_keyboard", []) for button in row]


class ApiError(Exception):
    """Raised by method handlers to answer with a Bot API error (``ok: false``)."""

    def __init__(self, status: int, description: str, parameters: JSONDict | None = None) -> None:
        super().__init__(f"{status} {description}")
        self.status = status
        self.description = description
        self.parameters = parameters

    def body(self) -> JSONDict:
        data: JSONDict = {"ok": False, "error_code": self.status, "description": self.description}
        if self.parameters:
            data["parameters"] = self.parameters
        return data


@dataclass(slots=True)
class Fault:
    """An injected error or delay for ``method`` (``"*"``: any but getUpdates), optionally one chat only.

    ``remaining`` counts down per matching call; ``None`` means every call.
    """

    method: str
    chat_id: Any
    remaining: int | None
    error: ApiError | None = None
    delay: float = 0.0

    def matches(self, method: str, params: Mapping[str, Any]) -> bool:
        if self.remaining == 0:
            return False
        if self.method == "*":
            if method == "getUpdates":
                return False
        elif self.method != method:
            return False
        return self.chat_id is None or same_chat(self.chat_id, params.get("chat_id"))


def same_chat(expected: Any, actual: Any) -> bool:
    return str(expected) == str(actual)


def now() -> int:
    return int(time.time())


def chat_id_of(chat: FakeChat | int) -> int:
    return chat.id if isinstance(chat, FakeChat) else int(chat)


def user_id_of(user: FakeUser | int) -> int:
    return user.id if isinstance(user, FakeUser) else int(user)


def without_reply(message: Mapping[str, Any]) -> JSONDict:
    """Telegram never nests ``reply_to_message`` more than one level."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}
