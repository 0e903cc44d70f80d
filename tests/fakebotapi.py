"""A fake Telegram Bot API server that Dossier's tests run the real bot against.

Why a server and not mocks: python-telegram-bot (PTB) objects are frozen, its own test-suite uses hand-built
``Update`` objects, and none of the public emulators start with PTB 22 (see
``/work/shared/notes/testing-ptb.md``).  Speaking HTTP on 127.0.0.1 lets the bot run exactly as in
production -- the real ``Application``, ``Updater`` long polling, ``HTTPXRequest``, ``AIORateLimiter``,
``get_file`` + download -- while every response is parsed by PTB's ``de_json``, which is the contract
check: a field the server forgets that PTB declares required fails the test loudly.

The pieces, top to bottom:

* :class:`FakeBotApi` -- an aiohttp server on ``127.0.0.1:<random port>`` with

  - the Bot API methods a bot like Dossier calls, with realistic errors (``message is not modified``,
    ``can't parse entities``, ``bot was blocked by the user``, migrated groups, unknown query ids);
  - a *simulated users* API (:meth:`FakeBotApi.user_message`, :meth:`FakeBotApi.press_button`, ...)
    that builds Bot API ``Update`` JSON and queues it for ``getUpdates``;
  - recording of every call (:attr:`FakeBotApi.calls`, :meth:`FakeBotApi.sent`,
    :meth:`FakeBotApi.wait_for`) and of the messages in every chat, so a test can read a message's
    current text after the bot edited it;
  - fault injection (:meth:`FakeBotApi.fail_next`, :meth:`FakeBotApi.delay`).

* :meth:`FakeBotApi.build_app` / :meth:`FakeBotApi.builder` -- a PTB ``Application`` pointed at it.
* :meth:`FakeBotApi.running` -- runs an ``Application`` in-process the way ``run_polling`` does.
* :func:`botapi` -- the pytest fixture (one server per test).

Usage (``conftest.py`` can instead hold ``from tests.fakebotapi import botapi  # noqa: F401``)::

    from tests.fakebotapi import FakeBotApi, botapi_fixture  # noqa: F401  (registers "botapi")

    async def test_start(botapi: FakeBotApi) -> None:
        app = botapi.build_app()
        app.add_handler(CommandHandler("start", start))
        async with botapi.running(app):
            botapi.user_message("/start")
            call = await botapi.wait_for("sendMessage")
        assert call.params["text"] == "Hello, Alice!"

Synchronisation never uses sleeps: :meth:`FakeBotApi.wait_for` returns as soon as the call arrives and
:meth:`FakeBotApi.settle` returns once the bot has fetched *and processed* every queued update (use it
before asserting that the bot did *not* do something).
"""

from __future__ import annotations

import asyncio
import contextlib
import copy
import datetime as dtm
import html
import inspect
import itertools
import json
import logging
import mimetypes
import os
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Final, Literal, TypeAlias, TypeVar

import pytest_asyncio
from aiohttp import web
from telegram import Update
from telegram.error import TelegramError
from telegram.ext import Application, ApplicationBuilder, BaseRateLimiter, CallbackContext

# PTB 22.2+ warns (PTBDeprecationWarning) whenever a time period is read as an int unless this is set; the
# project runs pytest with ``filterwarnings = error``.  PTB reads the variable at call time, so setting it
# here, before any test code runs, is enough.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "ApiError",
    "ApiRequest",
    "Call",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "StoredFile",
    "TrackedMessage",
    "UploadedFile",
    "botapi",
    "botapi_fixture",
    "command_entities",
    "render_text",
]

_LOGGER = logging.getLogger(__name__)

JSONDict: TypeAlias = dict[str, Any]
AnyApplication: TypeAlias = Application[Any, Any, Any, Any, Any, Any]
AnyApplicationBuilder: TypeAlias = ApplicationBuilder[Any, Any, Any, Any, Any, Any]
MethodHandler: TypeAlias = Callable[["ApiRequest"], Any]
_T = TypeVar("_T")

TOKEN: Final = "123456:TEST"
"""Default bot token.  The part before ``:`` is the bot's user id, as with real tokens."""
BOT_ID: Final = 123456
BOT_USERNAME: Final = "dossier_test_bot"

ChatType: TypeAlias = Literal["private", "group", "supergroup", "channel"]
MemberStatus: TypeAlias = Literal["creator", "administrator", "member", "restricted", "left", "kicked"]

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_DOWNLOAD = 20 * 1024 * 1024
_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_DEFAULT_UPDATE_TYPES_EXCLUDED: Final = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_DEFAULT_DESCRIPTIONS: Final = {
    400: "Bad Request: error injected by FakeBotApi",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request; make sure that only one bot instance is running",
    500: "Internal Server Error",
    502: "Bad Gateway",
}
# Parameters whose Bot API type is String.  PTB form-encodes every value with ``json.dumps`` *except*
# strings, so a text of "42" arrives as ``42``; these names are never JSON-decoded.
_STRING_PARAMS: Final = frozenset(
    {
        "action",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "icon_custom_emoji_id",
        "inline_message_id",
        "inline_query_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "photo",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "thumbnail",
        "title",
        "url",
        "username",
        "video",
        "video_note",
        "voice",
    }
)
_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "callback_data",
        "url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "web_app",
        "login_url",
        "callback_game",
        "pay",
        "copy_text",
    }
)


# --------------------------------------------------------------------------------------------------------
# Value objects
# --------------------------------------------------------------------------------------------------------


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
class _Fault:
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
        return self.chat_id is None or _same_chat(self.chat_id, params.get("chat_id"))


def _same_chat(expected: Any, actual: Any) -> bool:
    return str(expected) == str(actual)


# --------------------------------------------------------------------------------------------------------
# Text helpers: command entities and parse_mode rendering
# --------------------------------------------------------------------------------------------------------

_COMMAND_RE: Final = re.compile(r"(?<!\S)/[A-Za-z0-9_]{1,64}(?:@[A-Za-z0-9_]{3,64})?(?![^\s])")


def _utf16_len(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def command_entities(text: str) -> list[JSONDict]:
    """``bot_command`` entities for every ``/command`` or ``/command@bot`` in ``text``, as Telegram sends.

    Offsets and lengths are in UTF-16 code units (Telegram's unit).  PTB's ``CommandHandler`` only fires
    when the first entity is a ``bot_command`` at offset 0 whose length covers ``@botname``.
    """
    return [
        {"type": "bot_command", "offset": _utf16_len(text[: m.start()]), "length": _utf16_len(m.group())}
        for m in _COMMAND_RE.finditer(text)
    ]


def _entities_error(detail: str) -> ApiError:
    return ApiError(400, f"Bad Request: can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


_HTML_TAGS: Final = frozenset(
    {
        "a",
        "b",
        "strong",
        "i",
        "em",
        "u",
        "ins",
        "s",
        "strike",
        "del",
        "span",
        "tg-spoiler",
        "tg-emoji",
        "code",
        "pre",
        "blockquote",
    }
)
_HTML_ENTITY_RE: Final = re.compile(r"&(?:#[0-9]+|#[xX][0-9a-fA-F]+|lt|gt|amp|quot);")


def _render_html(text: str) -> str:
    """Plain text of an HTML-formatted message, raising Telegram's errors for markup it would reject."""
    out: list[str] = []
    stack: list[str] = []
    i = 0
    while i < len(text):
        char = text[i]
        if char == "&":
            match = _HTML_ENTITY_RE.match(text, i)
            if match:
                out.append(html.unescape(match.group()))
                i = match.end()
                continue
        if char != "<":
            out.append(char)
            i += 1
            continue
        offset = _byte_offset(text, i)
        if text.startswith("</", i):
            end = text.find(">", i)
            if end == -1:
                raise _entities_error(f"Unclosed end tag at byte offset {offset}")
            name = text[i + 2 : end].strip().lower()
            if not stack:
                raise _entities_error(f'Unexpected end tag "{name}" at byte offset {offset}')
            if stack[-1] != name:
                raise _entities_error(
                    f'Unmatched end tag at byte offset {offset}, expected "</{stack[-1]}>", found "</{name}>"'
                )
            stack.pop()
        else:
            # Like Telegram: the tag name runs to the first space or ">", so "a < b" is an empty tag name.
            name_match = re.compile(r"[^\s>]*").match(text, i + 1)
            assert name_match is not None
            name = name_match.group().lower()
            if name_match.end() >= len(text):
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            if name not in _HTML_TAGS:
                raise _entities_error(f'Unsupported start tag "{name}" at byte offset {offset}')
            end = text.find(">", name_match.end())
            if end == -1:
                raise _entities_error(f"Unclosed start tag at byte offset {offset}")
            attributes = text[name_match.end() : end]
            if name == "span" and "tg-spoiler" not in attributes:
                raise _entities_error(f'Tag "span" must have class "tg-spoiler" at byte offset {offset}')
            stack.append(name)
        i = end + 1
    if stack:
        raise _entities_error(f'Can\'t find end tag corresponding to start tag "{stack[-1]}"')
    return "".join(out)


_MDV2_RESERVED: Final = frozenset("_*[]()~`>#+-=|{}.!")
_MDV2_NAMES: Final = {
    "*": "Bold",
    "_": "Italic",
    "__": "Underline",
    "~": "Strikethrough",
    "||": "Spoiler",
    "[": "TextUrl",
    "![": "CustomEmoji",
}


def _find_unescaped(text: str, needle: str, start: int) -> int:
    i = start
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text.startswith(needle, i):
            return i
        i += 1
    return -1


def _unescape_mdv2(text: str) -> str:
    return re.sub(r"\\([\x01-\x7e])", r"\1", text)


def _render_markdown_v2(text: str) -> str:
    """Plain text of a MarkdownV2 message; unescaped reserved characters fail like on Telegram."""
    out: list[str] = []
    stack: list[tuple[str, int]] = []
    in_expandable_quote = False
    line_start = True
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        offset = _byte_offset(text, i)
        at_line_start, line_start = line_start, False
        if char == "\\" and i + 1 < n and 1 <= ord(text[i + 1]) <= 126:
            out.append(text[i + 1])
            i += 2
            continue
        if char == "`":
            fence = "```" if text.startswith("```", i) else "`"
            close = _find_unescaped(text, fence, i + len(fence))
            if close == -1:
                name = "Pre" if fence == "```" else "Code"
                raise _entities_error(f"Can't find end of {name} entity at byte offset {offset}")
            content = text[i + len(fence) : close]
            if fence == "```" and "\n" in content:
                first, rest = content.split("\n", 1)
                if re.fullmatch(r"[\w+#.-]*", first):
                    content = rest
            out.append(_unescape_mdv2(content))
            i = close + len(fence)
            continue
        if char == "[" or text.startswith("![", i):
            marker = "[" if char == "[" else "!["
            stack.append((marker, offset))
            i += len(marker)
            continue
        if char == "]" and stack and stack[-1][0] in ("[", "!["):
            marker, _ = stack.pop()
            if text.startswith("(", i + 1):
                close = _find_unescaped(text, ")", i + 2)
                if close == -1:
                    where = _byte_offset(text, i + 1)
                    raise _entities_error(f"Can't find end of a URL at byte offset {where}")
                i = close + 1
            elif marker == "![":
                raise _entities_error(f"Custom emoji needs a tg://emoji URL at byte offset {offset}")
            else:
                i += 1
            continue
        if at_line_start and text.startswith("**>", i):
            in_expandable_quote = True
            i += 3
            continue
        if at_line_start and char == ">":
            i += 1
            continue
        if text.startswith("||", i) and in_expandable_quote and not any(m == "||" for m, _ in stack):
            following = text[i + 2 : i + 3]
            if following in ("", "\n"):
                in_expandable_quote = False
                i += 2
                continue
        marker = ""
        if text.startswith("__", i):
            # "___" after "_italic __underline": close underline then italic; "__" inside italic opens.
            closes_italic = (
                stack
                and stack[-1][0] == "_"
                and (text.startswith("___", i) or any(m == "__" for m, _ in stack))
            )
            marker = "_" if closes_italic else "__"
        elif text.startswith("||", i):
            marker = "||"
        elif char in "*_~":
            marker = char
        if marker:
            if stack and stack[-1][0] == marker:
                stack.pop()
            elif any(m == marker for m, _ in stack):
                name = _MDV2_NAMES[marker]
                opened = next(o for m, o in reversed(stack) if m == marker)
                raise _entities_error(f"Can't find end of {name} entity at byte offset {opened}")
            else:
                stack.append((marker, offset))
            i += len(marker)
            continue
        if char in _MDV2_RESERVED:
            raise _entities_error(
                f"Character '{char}' is reserved and must be escaped with the preceding '\\'"
            )
        out.append(char)
        line_start = char == "\n"
        if char == "\n" and in_expandable_quote and not text.startswith(">", i + 1):
            in_expandable_quote = False
        i += 1
    if stack:
        marker, opened = stack[-1]
        raise _entities_error(f"Can't find end of {_MDV2_NAMES[marker]} entity at byte offset {opened}")
    return "".join(out)


def _render_markdown(text: str) -> str:
    """Plain text of a legacy-Markdown message (no nesting; only ``_*`[`` are special)."""
    out: list[str] = []
    i = 0
    n = len(text)
    while i < n:
        char = text[i]
        if char == "\\" and i + 1 < n and text[i + 1] in "_*`[":
            out.append(text[i + 1])
            i += 2
            continue
        if char in "_*`[":
            fence = "```" if text.startswith("```", i) else ("]" if char == "[" else char)
            start = i + (3 if fence == "```" else 1)
            close = text.find(fence, start)
            if close == -1:
                raise _entities_error(
                    f"Can't find end of the entity starting at byte offset {_byte_offset(text, i)}"
                )
            out.append(text[start:close])
            i = close + len(fence)
            if fence == "]" and text.startswith("(", i):
                end = text.find(")", i)
                i = n if end == -1 else end + 1
            continue
        out.append(char)
        i += 1
    return "".join(out)


def render_text(text: str, parse_mode: str | None) -> str:
    """The plain text Telegram stores for ``text`` sent with ``parse_mode``.

    Raises :class:`ApiError` (400 ``can't parse entities: ...``) for markup Telegram would reject -- an
    unescaped ``.`` in MarkdownV2 or a bare ``<`` in HTML are classic production bugs.  The checks follow
    Telegram's documented rules; the error wording after ``can't parse entities:`` is approximate.
    """
    if not parse_mode:
        return text
    mode = parse_mode.lower()
    if mode == "html":
        return _render_html(text)
    if mode == "markdownv2":
        return _render_markdown_v2(text)
    if mode == "markdown":
        return _render_markdown(text)
    raise ApiError(400, f"Bad Request: unsupported parse_mode {parse_mode!r}")


def _decode_value(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: every non-string value was ``json.dumps``-ed, strings were sent as is."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value


def _now() -> int:
    return int(time.time())


def _chat_id_of(chat: FakeChat | int) -> int:
    return chat.id if isinstance(chat, FakeChat) else int(chat)


def _user_id_of(user: FakeUser | int) -> int:
    return user.id if isinstance(user, FakeUser) else int(user)


def _without_reply(message: Mapping[str, Any]) -> JSONDict:
    """Telegram never nests ``reply_to_message`` more than one level."""
    return {key: value for key, value in message.items() if key != "reply_to_message"}


# --------------------------------------------------------------------------------------------------------
# The server
# --------------------------------------------------------------------------------------------------------


class FakeBotApi:
    """Fake Bot API server plus simulated users, call recording and fault injection.

    Everything runs in the test's event loop: the simulated-user methods are synchronous (they only queue
    updates), the waiting helpers are coroutines.  See the module docstring for an example.
    """

    def __init__(
        self,
        *,
        token: str = TOKEN,
        username: str = BOT_USERNAME,
        first_name: str = "Dossier",
        strict: bool = True,
        strict_chats: bool = False,
        check_markup: bool = True,
    ) -> None:
        """Create a server (not yet listening; call :meth:`start` or use the :func:`botapi` fixture).

        ``strict``: the fixture fails the test at teardown if the bot called a method this server does not
        know (PTB turns the 404 into ``InvalidToken``/``EndPointNotFound``, which handlers may swallow).
        ``strict_chats``: unknown chat ids answer ``400 chat not found`` instead of being created on the fly.
        ``check_markup``: validate parse_mode markup like Telegram does (see :func:`render_text`).
        """
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
        self._faults: list[_Fault] = []
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

        self.default_user: FakeUser = self.user("Alice", last_name="Example", username="alice")
        """The user that simulated actions come from when no ``user=`` is given."""
        self._register_builtin_methods()

    # ---------------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        # shutdown_timeout: aiohttp otherwise waits up to 60 s for in-flight handlers on cleanup.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening; parked ``getUpdates`` and injected delays return at once so teardown is fast."""
        self._closing.set()
        for poller in list(self._pollers):
            if not poller.done():
                poller.set_result("closing")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def parked_polls(self) -> int:
        """How many ``getUpdates`` requests are parked waiting for an update (1 once a bot is polling)."""
        return len(self._pollers)

    def problems(self) -> list[str]:
        """What the fixture fails on at teardown: crashes in this fake and (if strict) unknown methods."""
        found = [f"FakeBotApi crashed: {error}" for error in self.server_errors]
        if self.strict:
            found.extend(
                f"bot called unknown Bot API method {call.method!r} (add it to tests/fakebotapi.py or use "
                "botapi.set_handler())"
                for call in self.unknown_methods
            )
        return found

    # ------------------------------------------------------------------------------- PTB application glue

    def builder(self) -> AnyApplicationBuilder:
        """An ``ApplicationBuilder`` with token, ``base_url`` and ``base_file_url`` set; add the rest."""
        builder: AnyApplicationBuilder = ApplicationBuilder()
        return builder.token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    def build_app(self, *, rate_limiter: BaseRateLimiter[Any] | None = None) -> AnyApplication:
        """A default PTB ``Application`` talking to this server (optionally with e.g. ``AIORateLimiter``)."""
        builder = self.builder()
        if rate_limiter is not None:
            builder = builder.rate_limiter(rate_limiter)
        return builder.build()

    @contextlib.asynccontextmanager
    async def running(
        self,
        app: AnyApplication,
        *,
        poll_timeout: float = 10.0,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool = False,
        fail_on_handler_errors: bool = True,
    ) -> AsyncIterator[AnyApplication]:
        """Run ``app`` in-process exactly as ``Application.run_polling`` would, then shut it down.

        Order (PTB 22's ``run_polling``): ``initialize -> post_init -> updater.start_polling -> start``,
        teardown ``updater.stop -> stop -> post_stop -> shutdown -> post_shutdown``.  ``initialize()`` does
        *not* call ``post_init`` -- only ``run_polling``/``run_webhook`` do -- so it is called here, as are
        ``post_stop`` and ``post_shutdown``.  ``poll_interval`` is 0 and ``getUpdates`` long-polls with
        ``poll_timeout``; the server answers a parked poll as soon as an update is queued.

        Exceptions raised by the bot's handlers are collected in :attr:`handler_errors` (and logged) by an
        extra error handler; with ``fail_on_handler_errors`` the block fails at exit if any are left --
        ``clear()`` the list after asserting on errors you expected.
        """
        updater = app.updater
        if updater is None:
            raise RuntimeError("running() needs an Application with an Updater")
        self._app = app
        leftover: list[BaseException] = []
        app.add_error_handler(self._on_handler_error)
        try:
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)
            await updater.start_polling(
                poll_interval=0,
                timeout=dtm.timedelta(seconds=poll_timeout),
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                error_callback=self._on_polling_error,
            )
            await app.start()
            yield app
            leftover = list(self.handler_errors) if fail_on_handler_errors else []
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            app.remove_error_handler(self._on_handler_error)
            self._app = None
        if leftover:
            summary = "; ".join(f"{type(error).__name__}: {error}" for error in leftover)
            message = f"the bot's handlers raised {len(leftover)} exception(s): {summary}"
            raise AssertionError(message) from leftover[0]

    async def _on_handler_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        error = context.error
        if error is None:
            return
        _LOGGER.error("handler raised while processing %r", update, exc_info=error)
        self.handler_errors.append(error)
        self._notify()

    def _on_polling_error(self, error: TelegramError) -> None:
        """PTB's default callback only logs; keep the error for :meth:`report` too."""
        _LOGGER.error("getUpdates polling failed: %s", error, exc_info=error)
        self.polling_errors.append(error)
        self._notify()

    # -------------------------------------------------------------------------------------- registries

    def user(
        self,
        first_name: str = "Bob",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> FakeUser:
        """Create (and register) a simulated user; ids are allocated from 1001 unless given."""
        user = FakeUser(
            id=next(self._user_ids) if id is None else id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
        )
        self._users[user.id] = user
        return user

    def private_chat(self, user: FakeUser | None = None) -> FakeChat:
        """The private chat between ``user`` (default: :attr:`default_user`) and the bot."""
        user = user or self.default_user
        self._users.setdefault(user.id, user)
        chat = self._chats.get(user.id)
        if chat is None:
            chat = FakeChat(
                id=user.id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            )
            self._chats[chat.id] = chat
        return chat

    def group(
        self,
        title: str = "Dossier team",
        *,
        id: int | None = None,
        supergroup: bool = False,
        forum: bool = False,
        username: str | None = None,
    ) -> FakeChat:
        """A basic group, or a supergroup (``supergroup=True``; ``forum=True`` implies it, with topics)."""
        is_super = supergroup or forum
        if id is None:
            id = -next(self._supergroup_ids if is_super else self._group_ids)
        chat = FakeChat(
            id=id,
            type="supergroup" if is_super else "group",
            title=title,
            username=username,
            is_forum=forum,
        )
        self._chats[chat.id] = chat
        return chat

    def channel(
        self,
        title: str = "Dossier news",
        *,
        id: int | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """A channel; the bot is an administrator of it unless :meth:`set_member` says otherwise."""
        chat_id = -next(self._channel_ids) if id is None else id
        chat = FakeChat(id=chat_id, type="channel", title=title, username=username)
        self._chats[chat.id] = chat
        return chat

    def chat(self, chat_id: int) -> FakeChat:
        """The registered chat with this id (``KeyError`` if none)."""
        return self._chats[chat_id]

    def set_member(
        self,
        chat: FakeChat | int,
        user: FakeUser | int,
        status: MemberStatus,
        **fields: Any,
    ) -> JSONDict:
        """Configure what ``getChatMember`` answers for ``user`` in ``chat`` (and ``getChatAdministrators``).

        ``fields`` override the defaults, e.g. ``can_delete_messages=False`` or ``custom_title="boss"``.
        Pass :attr:`bot_id` as ``user`` to set the bot's own status (``left``/``kicked`` make sends fail
        with 403, like on Telegram).  Returns the ``ChatMember`` JSON.
        """
        chat_id = _chat_id_of(chat)
        user_id = _user_id_of(user)
        member = self._member_json(user_id, status, fields)
        self._members[(chat_id, user_id)] = member
        return member

    def set_chat_info(self, chat: FakeChat | int, **fields: Any) -> None:
        """Extra ``ChatFullInfo`` fields ``getChat`` returns for ``chat`` (e.g. ``description="..."``)."""
        self._chat_info.setdefault(_chat_id_of(chat), {}).update(fields)

    def register_file(
        self,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        folder: str = "documents",
    ) -> StoredFile:
        """Make ``content`` downloadable: returns the file_id/file_unique_id/file_path the bot will see."""
        number = next(self._file_counter)
        if mime_type is None and file_name is not None:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        suffix = os.path.splitext(file_name or "")[1] or ".bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:06d}fake",
            file_unique_id=f"AgADfake{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=bytes(content),
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def commands(self, *, scope: Mapping[str, Any] | None = None, language_code: str = "") -> list[JSONDict]:
        """The commands the bot set with ``setMyCommands`` for ``scope`` (default scope if ``None``)."""
        return list(self._commands.get(self._commands_key(scope, language_code), []))

    # --------------------------------------------------------------------------------- message tracking

    def messages(
        self,
        chat: FakeChat | int,
        *,
        from_bot: bool | None = True,
        include_deleted: bool = False,
    ) -> list[TrackedMessage]:
        """Messages in ``chat`` in order: by default the bot's, current version, deleted ones left out."""
        return [
            tracked
            for tracked in self._messages.get(_chat_id_of(chat), {}).values()
            if (from_bot is None or tracked.from_bot == from_bot) and (include_deleted or not tracked.deleted)
        ]

    def message(self, chat: FakeChat | int, message_id: int) -> TrackedMessage:
        """The message ``message_id`` in ``chat`` (also deleted ones; check ``.deleted``)."""
        chat_id = _chat_id_of(chat)
        try:
            return self._messages[chat_id][message_id]
        except KeyError:
            known = sorted(self._messages.get(chat_id, {}))
            raise KeyError(f"no message {message_id} in chat {chat_id}; known ids: {known}") from None

    def last_message(self, chat: FakeChat | int, *, from_bot: bool = True) -> TrackedMessage:
        found = self.messages(chat, from_bot=from_bot)
        if not found:
            raise LookupError(f"no {'bot' if from_bot else 'user'} messages in chat {_chat_id_of(chat)}")
        return found[-1]

    def text_of(self, chat: FakeChat | int, message_id: int) -> str | None:
        """Current text (or caption) of a message, after all edits, markup rendered to plain text."""
        return self.message(chat, message_id).text

    # ------------------------------------------------------------------------------- simulated users

    def queue_update(self, kind: str, payload: JSONDict) -> JSONDict:
        """Queue a raw update ``{"update_id": N, kind: payload}`` for ``getUpdates``; returns it."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        try:
            # PTB's Updater logs an unparsable update and re-fetches it forever (poll_interval=0): fail here.
            Update.de_json(copy.deepcopy(update), None)
        except Exception as exc:
            raise ValueError(f"PTB cannot parse this {kind} update: {exc!r}\n{update}") from exc
        self._last_update_id = update_id
        self._pending.append(update)
        self.updates.append(update)
        for poller in list(self._pollers):
            if not poller.done():
                poller.set_result("update")
        self._notify()
        return update

    def user_message(
        self,
        text: str,
        *,
        user: FakeUser | None = None,
        chat: FakeChat | None = None,
        thread_id: int | None = None,
        reply_to: TrackedMessage | Mapping[str, Any] | int | None = None,
        entities: Sequence[JSONDict] | None = None,
    ) -> JSONDict:
        """``user`` sends ``text`` in ``chat`` (default: their private chat with the bot).

        ``/commands`` get ``bot_command`` entities automatically (override with ``entities``).  In a forum
        supergroup pass ``thread_id`` for a topic message (``message_thread_id`` + ``is_topic_message``).
        Returns the ``Message`` dict.
        """
        user = user or self.default_user
        chat = self._sender_chat(user, chat)
        if chat.type == "channel":
            raise ValueError("users do not post in channels; use channel_post()")
        extra: JSONDict = {"text": text}
        found_entities = list(entities) if entities is not None else command_entities(text)
        if found_entities:
            extra["entities"] = found_entities
        message = self._user_message(user, chat, extra, thread_id=thread_id, reply_to=reply_to)
        self.queue_update("message", message)
        return message

    def user_document(
        self,
        content: bytes,
        file_name: str = "document.txt",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        user: FakeUser | None = None,
        chat: FakeChat | None = None,
        thread_id: int | None = None,
    ) -> JSONDict:
        """``user`` sends a document; its bytes are registered so ``getFile`` + download return them.

        A caption that is a command gets ``caption_entities`` with a ``bot_command``, like on Telegram
        (note PTB's ``CommandHandler`` ignores captions; filter on ``filters.Caption`` instead).
        """
        user = user or self.default_user
        chat = self._sender_chat(user, chat)
        stored = self.register_file(content, file_name=file_name, mime_type=mime_type)
        extra: JSONDict = {"document": stored.to_document()}
        if caption is not None:
            extra["caption"] = caption
            caption_entities = command_entities(caption)
            if caption_entities:
                extra["caption_entities"] = caption_entities
        message = self._user_message(user, chat, extra, thread_id=thread_id, reply_to=None)
        self.queue_update("message", message)
        return message

    def user_edit(self, message: TrackedMessage | Mapping[str, Any], text: str) -> JSONDict:
        """The author edits a message they sent earlier: queues ``edited_message`` (or channel variant)."""
        tracked = self._tracked(message)
        if tracked.from_bot:
            raise ValueError("user_edit() edits a user's message; the bot edits its own with editMessageText")
        new = dict(tracked.data)
        new["text"] = text
        new["edit_date"] = _now()
        new.pop("entities", None)
        found_entities = command_entities(text)
        if found_entities:
            new["entities"] = found_entities
        tracked.versions.append(tracked.data)
        tracked.data = new
        kind = "edited_channel_post" if new["chat"]["type"] == "channel" else "edited_message"
        self.queue_update(kind, new)
        return new

    def channel_post(self, text: str, *, chat: FakeChat | None = None) -> JSONDict:
        """A post in a channel the bot administers (``sender_chat`` is the channel, no ``from``)."""
        chat = chat or self._default_channel()
        if chat.type != "channel":
            raise ValueError(f"chat {chat.id} is a {chat.type}, not a channel")
        extra: JSONDict = {"text": text, "sender_chat": chat.to_api()}
        found_entities = command_entities(text)
        if found_entities:
            extra["entities"] = found_entities
        message = self._new_message(chat, sender=None, extra=extra)
        self._track(message, from_bot=False)
        self.queue_update("channel_post", message)
        return message

    def press_button(
        self,
        message: TrackedMessage | Call | Mapping[str, Any],
        data: str | None = None,
        *,
        text: str | None = None,
        user: FakeUser | None = None,
        check: bool = True,
    ) -> JSONDict:
        """``user`` presses an inline button on a bot message: queues a ``callback_query``.

        Pick the button by its label (``text=``) or its ``callback_data`` (``data``).  With ``check`` the
        button must be on the message's *current* keyboard; ``check=False`` simulates a stale client.
        ``message`` may be a :class:`TrackedMessage`, the :class:`Call` that sent it, or a Message dict.
        Returns the ``CallbackQuery`` dict (its ``id`` is what ``answerCallbackQuery`` must answer).
        """
        tracked = self._tracked(message)
        buttons = tracked.buttons()
        if text is not None:
            matching = [b for b in buttons if b.get("text") == text and "callback_data" in b]
            if not matching:
                labels = [b.get("text") for b in buttons]
                raise ValueError(f"message {tracked.message_id} has no callback button {text!r}: {labels}")
            data = str(matching[0]["callback_data"])
        if data is None:
            raise ValueError("press_button() needs data= or text=")
        if check and data not in [b.get("callback_data") for b in buttons]:
            datas = [b.get("callback_data") for b in buttons]
            raise ValueError(
                f"message {tracked.message_id} has no button with callback_data {data!r} (has {datas}); "
                "pass check=False to simulate a stale keyboard"
            )
        chat = self._chats[tracked.chat_id]
        presser = user or (self._users.get(chat.id) if chat.type == "private" else None) or self.default_user
        query: JSONDict = {
            "id": str(next(self._query_ids)),
            "from": presser.to_api(),
            "message": dict(tracked.data),
            "chat_instance": str(abs(chat.id) * 7919 + 104729),
            "data": data,
        }
        self._callback_queries[query["id"]] = query
        self.queue_update("callback_query", query)
        return query

    def inline_query(
        self,
        query: str,
        *,
        user: FakeUser | None = None,
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        """``user`` types ``@bot query`` somewhere: queues an ``inline_query``; returns it."""
        user = user or self.default_user
        payload: JSONDict = {
            "id": str(next(self._query_ids)),
            "from": user.to_api(),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self._inline_queries[payload["id"]] = payload
        self.queue_update("inline_query", payload)
        return payload

    def migrate_group(
        self, chat: FakeChat, *, new_id: int | None = None, user: FakeUser | None = None
    ) -> FakeChat:
        """Upgrade a basic group to a supergroup, as Telegram reports it (two service messages).

        Afterwards sends to the old id fail with 400 + ``migrate_to_chat_id`` (PTB raises ``ChatMigrated``).
        Returns the new supergroup.
        """
        if chat.type != "group":
            raise ValueError(f"only basic groups migrate; chat {chat.id} is a {chat.type}")
        user = user or self.default_user
        new_chat = self.group(chat.title or "", id=new_id, supergroup=True)
        old_message = self._new_message(chat, sender=user.to_api(), extra={"migrate_to_chat_id": new_chat.id})
        self._track(old_message, from_bot=False)
        self._migrated[chat.id] = new_chat.id
        for (chat_id, user_id), member in list(self._members.items()):
            if chat_id == chat.id:
                self._members[(new_chat.id, user_id)] = member
        self.queue_update("message", old_message)
        new_message = self._new_message(
            new_chat, sender=user.to_api(), extra={"migrate_from_chat_id": chat.id}
        )
        self._track(new_message, from_bot=False)
        self.queue_update("message", new_message)
        return new_chat

    def my_chat_member(
        self,
        chat: FakeChat,
        *,
        new_status: MemberStatus,
        old_status: MemberStatus | None = None,
        user: FakeUser | None = None,
    ) -> JSONDict:
        """The bot's membership in ``chat`` changes (added to a group, blocked in private, ...).

        Queues ``my_chat_member`` and updates what ``getChatMember`` and sending report.  In a private chat
        ``new_status="kicked"`` is "user blocked the bot": later sends fail with 403 like on Telegram.
        """
        user = user or (self._users.get(chat.id) if chat.type == "private" else None) or self.default_user
        old = self._member(chat.id, self.bot_id)
        if old_status is not None:
            old = self._member_json(self.bot_id, old_status, {})
        new = self.set_member(chat, self.bot_id, new_status)
        payload: JSONDict = {
            "chat": chat.to_api(),
            "from": user.to_api(),
            "date": _now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        self.queue_update("my_chat_member", payload)
        return payload

    def block_bot(self, user: FakeUser | None = None) -> JSONDict:
        """``user`` blocks the bot (``my_chat_member`` member -> kicked in their private chat)."""
        user = user or self.default_user
        chat = self.private_chat(user)
        return self.my_chat_member(chat, new_status="kicked", old_status="member", user=user)

    # ------------------------------------------------------------------------------------- recording

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

    # ----------------------------------------------------------------------------------- fault injection

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
        description = description or _DEFAULT_DESCRIPTIONS.get(status, f"Error {status}")
        error = ApiError(status, description, parameters)
        self._faults.append(_Fault(method=method, chat_id=chat_id, remaining=times, error=error))

    def delay(
        self,
        method: str,
        seconds: float,
        *,
        times: int | None = None,
        chat_id: int | str | None = None,
    ) -> None:
        """Make ``method`` answer ``seconds`` late (every call or the next ``times``); stop() ends delays."""
        self._faults.append(_Fault(method=method, chat_id=chat_id, remaining=times, delay=seconds))

    def clear_faults(self) -> None:
        self._faults.clear()

    def set_handler(self, method: str, handler: MethodHandler) -> None:
        """Add or replace a Bot API method: ``handler(ApiRequest)`` returns the result (sync or async).

        Raise :class:`ApiError` for an error response.  Calls are recorded like built-in ones.
        """
        self._handlers[method] = handler
        self._canonical[method.lower()] = method

    # ------------------------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            self._record(raw_method, {}, {}, exc.status, exc.body())
            return web.json_response(exc.body(), status=exc.status)
        method = self._canonical.get(raw_method.lower())
        if method is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            _LOGGER.error(
                "FakeBotApi: the bot called %r, which this fake does not implement -- answering 404 "
                "(PTB raises InvalidToken/EndPointNotFound). Add it to tests/fakebotapi.py or use "
                "botapi.set_handler().",
                raw_method,
            )
            self.unknown_methods.append(self._record(raw_method, params, files, 404, body))
            return web.json_response(body, status=404)

        status, body = await self._dispatch(method, params, files)
        self._record(method, params, files, status, body)
        return web.json_response(body, status=status)

    async def _dispatch(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
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
                return fault.error.status, fault.error.body()
        self._faults = [f for f in self._faults if f.remaining != 0]
        try:
            result = self._handlers[method](ApiRequest(method=method, params=params, files=files))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.status, exc.body()
        except Exception as exc:
            _LOGGER.exception("FakeBotApi crashed handling %s %r", method, params)
            self.server_errors.append(f"{method}: {type(exc).__name__}: {exc}")
            self._notify()
            description = f"Internal Server Error: FakeBotApi: {exc}"
            return 500, {"ok": False, "error_code": 500, "description": description}
        return 200, {"ok": True, "result": result}

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {key: _decode_value(key, value) for key, value in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        field=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        content=value.file.read(),
                    )
                else:
                    text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
                    params[key] = _decode_value(key, text)
            return params, files
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        params.update({key: _decode_value(key, value) for key, value in body.items()})
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["file_path"]
        stored = self._files_by_path.get(path) if request.match_info["token"] == self.token else None
        if stored is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            _LOGGER.warning("FakeBotApi: download of unknown file path %r", path)
            self._record("downloadFile", {"file_path": path}, {}, 404, body)
            return web.json_response(body, status=404)
        self._record("downloadFile", {"file_path": path}, {}, 200, {"ok": True, "result": stored.file_id})
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, headers={"Content-Type": content_type})

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

    # ---------------------------------------------------------------------------------- waiting core

    def _notify(self) -> None:
        self._changed.set()
        self._changed = asyncio.Event()

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
        if chat_id is not None and not _same_chat(chat_id, call.chat_id):
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

    # ----------------------------------------------------------------------------- chats and members

    def _sender_chat(self, user: FakeUser, chat: FakeChat | None) -> FakeChat:
        self._users.setdefault(user.id, user)
        if chat is None:
            return self.private_chat(user)
        self._chats.setdefault(chat.id, chat)
        if chat.type in ("group", "supergroup") and (chat.id, user.id) not in self._members:
            self._members[(chat.id, user.id)] = self._member_json(user.id, "member", {})
        return chat

    def _default_channel(self) -> FakeChat:
        for chat in self._chats.values():
            if chat.type == "channel":
                return chat
        return self.channel()

    def _user_json(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}
        user = self._users.get(user_id)
        if user is not None:
            return user.to_api()
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def _member_json(self, user_id: int, status: MemberStatus, overrides: Mapping[str, Any]) -> JSONDict:
        member: JSONDict = {"status": status, "user": self._user_json(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=True,
                can_edit_stories=True,
                can_delete_stories=True,
                can_pin_messages=True,
            )
        elif status == "restricted":
            member.update(
                is_member=True,
                can_send_messages=False,
                can_send_audios=False,
                can_send_documents=False,
                can_send_photos=False,
                can_send_videos=False,
                can_send_video_notes=False,
                can_send_voice_notes=False,
                can_send_polls=False,
                can_send_other_messages=False,
                can_add_web_page_previews=False,
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
                can_edit_tag=False,
                can_react_to_messages=False,  # PTB 22.8 raises TypeError without it
                until_date=0,
            )
        elif status == "kicked":
            member["until_date"] = 0
        elif status not in ("member", "left"):
            raise ValueError(f"unknown chat member status {status!r}")
        member.update(overrides)
        return member

    def _member(self, chat_id: int, user_id: int) -> JSONDict:
        member = self._members.get((chat_id, user_id))
        if member is not None:
            return member
        chat = self._chats.get(chat_id)
        if user_id == self.bot_id:
            is_channel = chat is not None and chat.type == "channel"
            status: MemberStatus = "administrator" if is_channel else "member"
        elif chat is not None and chat.type == "private":
            status = "member" if user_id == chat_id else "left"
        else:
            status = "left"
        return self._member_json(user_id, status, {})

    def _resolve_chat(self, chat_id: Any) -> FakeChat:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        try:
            numeric = int(chat_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if numeric in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[numeric]},
            )
        known = self._chats.get(numeric)
        if known is not None:
            return known
        if self.strict_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self._auto_chat(numeric)

    def _auto_chat(self, chat_id: int) -> FakeChat:
        if chat_id > 0:
            user = self._users.get(chat_id) or self.user(f"User{chat_id}", id=chat_id)
            return self.private_chat(user)
        if str(chat_id).startswith("-100"):
            return self.group(f"Supergroup {chat_id}", id=chat_id, supergroup=True)
        return self.group(f"Group {chat_id}", id=chat_id)

    def _check_can_send(self, chat: FakeChat) -> None:
        status = self._member(chat.id, self.bot_id)["status"]
        if status not in ("kicked", "left"):
            return
        if chat.type == "private":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat.type]
        if status == "kicked" and chat.type != "channel":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")

    # ------------------------------------------------------------------------------- messages store

    def _new_message(self, chat: FakeChat, *, sender: JSONDict | None, extra: Mapping[str, Any]) -> JSONDict:
        counter = self._message_ids.setdefault(chat.id, itertools.count(1))
        message: JSONDict = {"message_id": next(counter)}
        if sender is not None:
            message["from"] = sender
        message["chat"] = chat.to_api()
        message["date"] = _now()
        message.update(extra)
        return message

    def _track(self, message: JSONDict, *, from_bot: bool, source: tuple[Any, ...] = ()) -> TrackedMessage:
        tracked = TrackedMessage(data=message, from_bot=from_bot, source=source)
        self._messages.setdefault(int(message["chat"]["id"]), {})[int(message["message_id"])] = tracked
        return tracked

    def _find(self, chat_id: int, message_id: Any) -> TrackedMessage | None:
        try:
            return self._messages.get(chat_id, {}).get(int(message_id))
        except (TypeError, ValueError):
            return None

    def _tracked(self, message: TrackedMessage | Call | Mapping[str, Any]) -> TrackedMessage:
        if isinstance(message, TrackedMessage):
            return message
        data = message.result if isinstance(message, Call) else message
        if not isinstance(data, Mapping) or "message_id" not in data or "chat" not in data:
            raise ValueError(f"not a message: {data!r}")
        return self.message(int(data["chat"]["id"]), int(data["message_id"]))

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat,
        extra: JSONDict,
        *,
        thread_id: int | None,
        reply_to: TrackedMessage | Mapping[str, Any] | int | None,
    ) -> JSONDict:
        fields: JSONDict = dict(extra)
        if thread_id is not None:
            fields["message_thread_id"] = thread_id
            if chat.is_forum:
                fields["is_topic_message"] = True
        if reply_to is not None:
            target = self.message(chat, reply_to) if isinstance(reply_to, int) else self._tracked(reply_to)
            fields["reply_to_message"] = _without_reply(target.data)
        message = self._new_message(chat, sender=user.to_api(), extra=fields)
        self._track(message, from_bot=False)
        return message

    def _bot_sender(self, chat: FakeChat) -> JSONDict | None:
        return None if chat.type == "channel" else self._user_json(self.bot_id)

    def _render(self, text: str, parse_mode: Any) -> str:
        if not self.check_markup:
            return text
        return render_text(text, str(parse_mode) if parse_mode else None)

    def _outgoing_fields(self, chat: FakeChat, params: Mapping[str, Any]) -> JSONDict:
        """Fields every send* method shares: thread, reply, keyboard, link preview (validated first)."""
        fields: JSONDict = {}
        if chat.type == "channel":
            fields["sender_chat"] = chat.to_api()
        thread = params.get("message_thread_id")
        if thread is not None and chat.is_forum:
            fields["message_thread_id"] = int(thread)
            fields["is_topic_message"] = True
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if isinstance(reply, Mapping):
            reply_chat = self._resolve_chat(reply["chat_id"]) if "chat_id" in reply else chat
            target = self._find(reply_chat.id, reply.get("message_id"))
            if target is not None and not target.deleted:
                fields["reply_to_message"] = _without_reply(target.data)
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        markup = params.get("reply_markup")
        if markup is not None:
            if not isinstance(markup, Mapping):
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            if "inline_keyboard" in markup:
                self._validate_inline_keyboard(markup)
                fields["reply_markup"] = dict(markup)
        preview = params.get("link_preview_options")
        if isinstance(preview, Mapping):
            fields["link_preview_options"] = dict(preview)
        return fields

    @staticmethod
    def _validate_inline_keyboard(markup: Mapping[str, Any]) -> None:
        rows = markup.get("inline_keyboard")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
        for row in rows:
            for button in row:
                if not isinstance(button, Mapping) or not button.get("text"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text is empty")
                actions = _INLINE_BUTTON_ACTIONS.intersection(button)
                if len(actions) != 1:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _editable(self, params: Mapping[str, Any]) -> TrackedMessage:
        chat = self._resolve_chat(params.get("chat_id"))
        tracked = self._find(chat.id, params.get("message_id"))
        if tracked is None or tracked.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not tracked.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return tracked

    def _apply_edit(
        self,
        tracked: TrackedMessage,
        changes: Mapping[str, Any],
        params: Mapping[str, Any],
        source: tuple[Any, ...] | None,
    ) -> JSONDict:
        """Edit a bot message in place; ``source`` is the raw (text, parse_mode, entities) if content changes.

        Telegram rejects an edit that changes nothing with ``message is not modified``; bots hit this when
        a user presses the same button twice, so the fake does too.  Content counts as unchanged when the
        rendered text *and* the raw markup are the same (a formatting-only change is a modification).
        """
        new = dict(tracked.data)
        new.update(changes)
        markup = params.get("reply_markup")
        if isinstance(markup, Mapping) and "inline_keyboard" in markup:
            self._validate_inline_keyboard(markup)
            new["reply_markup"] = dict(markup)
        else:
            # Like Telegram: an edit without an inline keyboard removes the one the message had.
            new.pop("reply_markup", None)
        content_same = all(new.get(key) == tracked.data.get(key) for key in changes) and (
            source is None or source == tracked.source
        )
        if content_same and new.get("reply_markup") == tracked.data.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = _now()
        tracked.versions.append(tracked.data)
        tracked.data = new
        if source is not None:
            tracked.source = source
        return new

    # ------------------------------------------------------------------------------------- methods

    def _register_builtin_methods(self) -> None:
        builtin: dict[str, MethodHandler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "getFile": self._get_file,
            "leaveChat": self._leave_chat,
        }
        # Setters with no observable result here; recorded so tests can assert on their params.
        for name in (
            "setMyDescription",
            "setMyShortDescription",
            "setMyName",
            "setChatMenuButton",
            "setMyDefaultAdministratorRights",
            "pinChatMessage",
            "unpinChatMessage",
            "unpinAllChatMessages",
            "setMessageReaction",
        ):
            builtin[name] = self._true
        for name, handler in builtin.items():
            self.set_handler(name, handler)

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
                raise ApiError(409, _DEFAULT_DESCRIPTIONS[409])

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

    async def _send_message(self, request: ApiRequest) -> JSONDict:
        params = request.params
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_can_send(chat)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._render(text, params.get("parse_mode"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if _utf16_len(plain) > _MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        fields = self._outgoing_fields(chat, params)
        message = self._new_message(chat, sender=self._bot_sender(chat), extra={"text": plain, **fields})
        self._track(
            message,
            from_bot=True,
            source=(text, params.get("parse_mode"), params.get("entities")),
        )
        return message

    async def _send_document(self, request: ApiRequest) -> JSONDict:
        params = request.params
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_can_send(chat)
        stored = self._input_document(params.get("document"), request.files)
        extra: JSONDict = {"document": stored.to_document()}
        caption = params.get("caption")
        if caption:
            plain = self._render(str(caption), params.get("parse_mode"))
            if _utf16_len(plain) > _MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            extra["caption"] = plain
        extra.update(self._outgoing_fields(chat, params))
        message = self._new_message(chat, sender=self._bot_sender(chat), extra=extra)
        self._track(
            message, from_bot=True, source=(caption, params.get("parse_mode"), params.get("caption_entities"))
        )
        return message

    def _input_document(self, value: Any, files: Mapping[str, UploadedFile]) -> StoredFile:
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        elif value is None:
            upload = files.get("document")
        elif isinstance(value, str) and value in self.files:
            return self.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.register_file(b"", file_name=name)
        elif isinstance(value, str):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if upload is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        return self.register_file(
            upload.content, file_name=upload.filename or "document", mime_type=upload.content_type
        )

    async def _edit_message_text(self, request: ApiRequest) -> JSONDict | bool:
        params = request.params
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._render(text, params.get("parse_mode"))
        if _utf16_len(plain) > _MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        if params.get("inline_message_id"):
            return True
        tracked = self._editable(params)
        if "text" not in tracked.data:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        changes: JSONDict = {"text": plain}
        preview = params.get("link_preview_options")
        if isinstance(preview, Mapping):
            changes["link_preview_options"] = dict(preview)
        source = (text, params.get("parse_mode"), params.get("entities"))
        return self._apply_edit(tracked, changes, params, source)

    async def _edit_message_caption(self, request: ApiRequest) -> JSONDict | bool:
        params = request.params
        caption = str(params.get("caption") or "")
        plain = self._render(caption, params.get("parse_mode"))
        if _utf16_len(plain) > _MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if params.get("inline_message_id"):
            return True
        tracked = self._editable(params)
        if "text" in tracked.data:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        source = (caption, params.get("parse_mode"), params.get("caption_entities"))
        return self._apply_edit(tracked, {"caption": plain}, params, source)

    async def _edit_message_reply_markup(self, request: ApiRequest) -> JSONDict | bool:
        if request.params.get("inline_message_id"):
            return True
        tracked = self._editable(request.params)
        return self._apply_edit(tracked, {}, request.params, None)

    async def _delete_message(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        tracked = self._find(chat.id, request.params.get("message_id"))
        if tracked is None or tracked.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        tracked.deleted = True
        return True

    async def _delete_messages(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        for message_id in request.params.get("message_ids") or []:
            tracked = self._find(chat.id, message_id)
            if tracked is not None:
                tracked.deleted = True
        return True

    async def _answer_callback_query(self, request: ApiRequest) -> bool:
        query_id = str(request.params.get("callback_query_id"))
        if query_id not in self._callback_queries or query_id in self.callback_answers:
            raise ApiError(400, _QUERY_INVALID)
        self.callback_answers[query_id] = dict(request.params)
        return True

    async def _answer_inline_query(self, request: ApiRequest) -> bool:
        query_id = str(request.params.get("inline_query_id"))
        if query_id not in self._inline_queries or query_id in self.inline_answers:
            raise ApiError(400, _QUERY_INVALID)
        results = request.params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if not all(isinstance(item, Mapping) and item.get("id") and item.get("type") for item in results):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        ids = [result["id"] for result in results]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        self.inline_answers[query_id] = dict(request.params)
        return True

    async def _send_chat_action(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        self._check_can_send(chat)
        if request.params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

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

    async def _get_chat(self, request: ApiRequest) -> JSONDict:
        chat = self._resolve_chat(request.params.get("chat_id"))
        info = chat.to_api()
        # Required by PTB 22.8's ChatFullInfo: accent_color_id, max_reaction_count, accepted_gift_types.
        info.update(
            accent_color_id=chat.id % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.type in ("group", "supergroup"):
            info["permissions"] = {"can_send_messages": True, "can_invite_users": True}
        info.update(self._chat_info.get(chat.id, {}))
        return info

    async def _get_chat_member(self, request: ApiRequest) -> JSONDict:
        chat = self._resolve_chat(request.params.get("chat_id"))
        raw_user_id: Any = request.params.get("user_id")
        try:
            user_id = int(raw_user_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        return self._member(chat.id, user_id)

    async def _get_chat_administrators(self, request: ApiRequest) -> list[JSONDict]:
        chat = self._resolve_chat(request.params.get("chat_id"))
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            member
            for (chat_id, _), member in self._members.items()
            if chat_id == chat.id and member["status"] in ("creator", "administrator")
        ]

    async def _get_chat_member_count(self, request: ApiRequest) -> int:
        chat = self._resolve_chat(request.params.get("chat_id"))
        if chat.type == "private":
            return 2
        present = {"creator", "administrator", "member", "restricted"}
        users = {
            user_id
            for (chat_id, user_id), member in self._members.items()
            if chat_id == chat.id and member["status"] in present
        }
        users.add(self.bot_id)
        return len(users)

    async def _get_file(self, request: ApiRequest) -> JSONDict:
        stored = self.files.get(str(request.params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > _MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.to_file()

    async def _leave_chat(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        self.set_member(chat, self.bot_id, "left")
        return True


# --------------------------------------------------------------------------------------------------------
# pytest fixture
# --------------------------------------------------------------------------------------------------------


@pytest_asyncio.fixture(name="botapi")
async def botapi_fixture() -> AsyncIterator[FakeBotApi]:
    """A started :class:`FakeBotApi` for one test, stopped at teardown.

    Teardown fails the test if the fake crashed or (``strict``) the bot called an unknown method, because
    PTB turns such 404s into ``InvalidToken`` errors that handlers might swallow.  Make it available with
    ``from tests.fakebotapi import botapi  # noqa: F401`` in a test module or ``conftest.py``.
    """
    api = FakeBotApi()
    await api.start()
    try:
        yield api
    finally:
        await api.stop()
    problems = api.problems()
    if problems:
        raise AssertionError("FakeBotApi problems:\n  " + "\n  ".join(problems) + "\n" + api.report())


botapi = botapi_fixture
"""The same fixture under its own name, for ``from tests.fakebotapi import botapi`` in ``conftest.py``.

In a *test* module import ``botapi_fixture`` instead: ruff reports F811 when a test parameter shadows an
imported name.
"""
