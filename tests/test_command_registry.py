"""The one list of commands (``bot.commands.COMMANDS``) is what Telegram routes, what /help lists and what
the menu offers; the button protocol and the error words each have one home too."""

from __future__ import annotations

import io
import pickle

import pytest
from telegram.ext import CallbackQueryHandler, CommandHandler

from bot.commands import COMMANDS, Caller, Commands, command_named
from bot.commands.replies import HelpReply, TextReply
from bot.console import run_console
from bot.core import Dossier
from bot.dates import DateBoundError, parse_bound
from bot.errors import DossierError, DuplicateText, StoreError, UserError
from bot.ingest import IngestError
from bot.messages import ENGLISH, message
from bot.render_text import render
from bot.schedule import ScheduleError
from bot.settings import Settings, SettingsError
from handlers import callbacks
from handlers.app import build_application
from handlers.render import render as render_html
from tests.fakebotapi import TOKEN


def registered_commands(settings: Settings, dossier: Dossier) -> set[str]:
    app = build_application(settings, dossier, token=TOKEN)
    return {
        name
        for group in app.handlers.values()
        for handler in group
        if isinstance(handler, CommandHandler)
        for name in handler.commands
    }


def test_telegram_routes_exactly_the_registered_commands(settings: Settings, dossier: Dossier) -> None:
    names = {name for spec in COMMANDS for name in spec.names}
    assert "start" in names  # an alias of /help, which Telegram sends when a user first opens the bot
    assert registered_commands(settings, dossier) == names


def test_every_button_kind_is_routed_by_its_codec(settings: Settings, dossier: Dossier) -> None:
    app = build_application(settings, dossier, token=TOKEN)
    patterns = {
        h.pattern.pattern  # type: ignore[union-attr]
        for group in app.handlers.values()
        for h in group
        if isinstance(h, CallbackQueryHandler) and h.pattern is not None
    }
    expected = {
        callbacks.OPEN_PATTERN,
        callbacks.PAGE_PATTERN,
        callbacks.WHO_PATTERN,
        callbacks.DELETE_PATTERN,
        callbacks.LANG_PATTERN,
        callbacks.FOLLOW_PICK_PATTERN,
        callbacks.FOLLOW_EDIT_PATTERN,
    }
    assert patterns == expected


def test_help_lists_every_command_a_caller_may_use(commands: Commands) -> None:
    for caller, expected in [
        (Caller(is_admin=True, transport="telegram"), [spec.name for spec in COMMANDS]),
        (Caller(user_id=5, transport="telegram"), [spec.name for spec in COMMANDS if not spec.admin_only]),
    ]:
        reply = commands.handle("/help", caller)
        assert isinstance(reply, HelpReply)
        assert [c.name for c in reply.commands] == expected
        text, html = render(reply), render_html(reply).messages[0].html
        for name in expected:
            assert f"/{name}" in text and f"/{name}" in html, name
    assert commands.handle("/start", Caller()) == commands.handle("/help", Caller())


def test_console_help_lists_only_what_works_there(dossier: Dossier, settings: Settings) -> None:
    """The console has no chats and takes no files: no digest, follow or upload command in its /help, in
    either language (Telegram's /help lists them all, above)."""
    chat_only = {"subscribe", "unsubscribe", "digest", "digest_time", "follow", "following", "unfollow"}
    chat_only |= {"quiet", "add"}
    out = io.StringIO()
    run_console(dossier, settings, io.StringIO("/help\n/lang ru\n/help\n"), out)
    helps = [block for block in out.getvalue().split("\n\n") if "/search <" in block]
    assert len(helps) == 2 and "/search <слова>" in helps[1]
    for listing in helps:
        listed = {line.split()[0][1:] for line in listing.splitlines() if line.startswith("  /")}
        assert listed == {spec.name for spec in COMMANDS} - chat_only
    assert {spec.name for spec in COMMANDS if "console" not in spec.transports} == chat_only


def test_the_registry_says_what_the_transport_does_around_a_command() -> None:
    def flagged(flag: str) -> set[str]:
        return {spec.name for spec in COMMANDS if getattr(spec, flag)}

    assert flagged("needs_chat_admin") == {
        "subscribe",
        "unsubscribe",
        "digest_time",
        "lang",
        "follow",
        "unfollow",
        "quiet",
    }
    assert flagged("reschedules_digest") == {"subscribe", "unsubscribe", "digest_time"}
    assert flagged("long_running") == {"reindex"}
    assert flagged("admin_only") == {"add", "delete", "reindex", "stats"}
    assert command_named("start") is command_named("help") and command_named("nope") is None


@pytest.mark.parametrize(
    ("data", "decode", "expected"),
    [
        (callbacks.encode_open(42, "en"), callbacks.decode_open, 42),
        (callbacks.encode_page("AbC-_123", 10, "ru"), callbacks.decode_page, ("AbC-_123", 10)),
        (callbacks.encode_who("masadykov#2", "en"), callbacks.decode_who, "masadykov#2"),
        (callbacks.encode_delete(7, "ru"), callbacks.decode_delete, (True, 7)),
        (callbacks.encode_keep(7, "en"), callbacks.decode_delete, (False, 7)),
        ("d:x", callbacks.decode_open, None),
        ("s:abc:1", callbacks.decode_page, None),  # a session id is at least four characters
        ("del:", callbacks.decode_delete, None),
        ("w:", callbacks.decode_who, None),
        (callbacks.encode_follow_pick("james baker", "ru"), callbacks.decode_follow_pick, "james baker"),
        (callbacks.encode_unfollow(3, "en"), callbacks.decode_follow_edit, ("remove", 3)),
        (callbacks.encode_switch_mode(3, "ru"), callbacks.decode_follow_edit, ("mode", 3)),
        ("fx:", callbacks.decode_follow_edit, None),
    ],
)
def test_button_data_round_trips(data: str, decode: object, expected: object) -> None:
    assert callable(decode) and decode(data) == expected


def test_a_button_carries_the_language_of_its_message() -> None:
    assert callbacks.button_language(callbacks.encode_open(42, "ru")) == "ru"
    assert callbacks.button_language(callbacks.encode_unfollow(3, "en")) == "en"
    assert callbacks.button_language("d:42") is None and callbacks.decode_open("d:42") == 42  # older buttons
    assert callbacks.button_language("d:42~de") is None and callbacks.decode_open("d:42~de") is None


def test_a_who_button_fits_telegram_even_for_a_long_key() -> None:
    data = callbacks.encode_who("Абдуллаев" * 10, "ru")  # 18 bytes a name: far over 64 bytes
    assert len(data.encode()) <= callbacks.CALLBACK_LIMIT
    key = callbacks.decode_who(data)
    assert key is not None and ("Абдуллаев" * 10).startswith(key)


def test_the_error_tree() -> None:
    for user_error in (IngestError, DateBoundError, ScheduleError):
        assert issubclass(user_error, UserError) and issubclass(user_error, ValueError)
    assert issubclass(DuplicateText, StoreError)
    for error in (UserError, StoreError, SettingsError):
        assert issubclass(error, DossierError)


def test_an_error_is_a_code_and_params_worded_from_the_one_table() -> None:
    with pytest.raises(DateBoundError) as caught:
        parse_bound("2024-13", upper=False)
    error = caught.value
    assert (error.code, error.params) == ("date.no_such_month", {"value": "2024-13", "month": 13})
    assert str(error) == message(error.code, error.params) == "“2024-13” has no month 13"
    assert all(code.count(".") <= 1 for code in ENGLISH)
    # An error read in a worker process comes back whole.
    again = pickle.loads(pickle.dumps(IngestError("ingest.not_plain_text", source="a.pdf")))
    assert again.code == "ingest.not_plain_text"
    assert str(again) == "a.pdf: only .txt and .md files are read here"
    # A reason recorded rather than raised is its code and params too, and comes back whole.
    assert str(IngestError("ingest.pdf_damaged")) == "the PDF is damaged or unreadable"
    reason = pickle.loads(pickle.dumps(IngestError("ingest.pdf_pages", n=2000).reason))
    assert (reason.code, reason.params, reason) == (
        "ingest.pdf_pages",
        {"n": 2000},
        "the PDF has more than 2000 pages",
    )


def test_a_user_error_reply_is_worded_by_both_renderers(commands: Commands, console_caller: Caller) -> None:
    reply = commands.handle("/search nato since:yesterday", console_caller)
    assert isinstance(reply, TextReply) and reply.error and isinstance(reply.problem, DateBoundError)
    assert reply.problem.code == "date.not_a_date"
    words = "“yesterday” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"
    assert render(reply) == words
    assert render_html(reply).messages[0].html == words


def test_inline_mode_searches_through_the_command_layer(commands: Commands) -> None:
    page = commands.inline_search("Masadykov", limit=20)
    assert page is not None and page.hits
    assert commands.inline_search("nato since:yesterday", limit=20) is None
