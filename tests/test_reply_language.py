"""Which language a reply is in, the one rule for every front end (``Commands.language_for``): an explicit
choice (/lang, --lang) first, a group's language, Telegram's language_code, then the language the message
is written in, then DOSSIER_DEFAULT_LANGUAGE. Driven through the real console, the real command line and
the real Application against the fake Bot API."""

from __future__ import annotations

import io

import pytest

from bot.commands import written_language
from bot.console import run_console
from bot.core import Dossier
from bot.i18n import Language, choose_language, script_language
from bot.settings import Settings
from tests.conftest import Runner
from tests.fakebotapi import FakeBotApi
from tests.test_cli import run


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Кто генсек ОДКБ?", "ru"),
        ("who is the CSTO secretary general?", "en"),
        ("Масадыков Masadykov", "ru"),  # as many Cyrillic letters as Latin: a Russian reader typed it
        ("ОДКБ since:2024-01", "ru"),  # the query language's words are not counted
        ("3", None),
        ("", None),
    ],
)
def test_the_script_tells_the_language(text: str, expected: Language | None) -> None:
    assert script_language(text) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("кто такой Зась", "ru"),  # plain words
        ("/search@dossier_bot ОДКБ", "ru"),
        ("/who Masadikov", "en"),
        ("/follow digest: кофе", "ru"),
        ("/ask кто генсек?", "ru"),
        ("/help", None),  # a command's own name is no language
        ("/lang auto", None),  # nor are keywords and numbers
        ("/quiet off", None),
        ("/doc 3", None),
        ("/nonsense слова", None),
    ],
)
def test_what_a_message_is_written_in(line: str, expected: Language | None) -> None:
    assert written_language(line) == expected


@pytest.mark.parametrize(
    ("user", "chat", "code", "group", "written", "default", "expected"),
    [
        ("en", None, None, False, "ru", "ru", "en"),  # an explicit choice first
        (None, "en", None, True, "ru", "ru", "en"),  # then a group's
        (None, None, "en", False, "ru", "ru", "en"),  # then Telegram's language
        (None, None, "de", False, "ru", "en", "ru"),  # a language the bot does not speak: the message's
        (None, None, None, False, "ru", "en", "ru"),  # no language_code (the console): the message's
        (None, None, None, False, "en", "ru", "en"),
        (None, None, None, False, None, "ru", "ru"),  # nothing tells: the default
    ],
)
def test_the_message_comes_after_telegram_and_before_the_default(
    user: Language | None,
    chat: Language | None,
    code: str | None,
    group: bool,
    written: Language | None,
    default: Language,
    expected: Language,
) -> None:
    got = choose_language(
        user_choice=user,
        chat_choice=chat,
        language_code=code,
        chat_is_group=group,
        written_in=written,
        default=default,
    )
    assert got == expected


def console(dossier: Dossier, settings: Settings, lines: str, lang: Language | None = None) -> str:
    """What a piped console session prints."""
    out = io.StringIO()
    run_console(dossier, settings, io.StringIO(lines), out, lang=lang)
    return out.getvalue()


def in_order(text: str, *parts: str) -> bool:
    """Each part is in ``text``, after the one before."""
    at = 0
    for part in parts:
        at = text.find(part, at)
        if at < 0:
            return False
        at += len(part)
    return True


def test_the_console_answers_in_the_language_it_is_asked_in(dossier: Dossier, settings: Settings) -> None:
    text = console(dossier, settings, "Кто генсек ОДКБ?\n/doc 3\n/search zas valdai\n/doc 3\n")
    assert in_order(
        text,
        "Кто занимал должность «генсек ОДКБ», начиная с самых ранних:",
        # /doc shows no language of its own: the session goes on in the last one it was written in
        "5 декабря 2024 · 002_",
        "1 result for “zas valdai”",
        "2024-12-05 · 002_",
    ), text


def test_the_console_keeps_an_explicit_choice(dossier: Dossier, settings: Settings) -> None:
    text = console(dossier, settings, "Кто генсек ОДКБ?\n", lang="en")
    assert text.startswith("Who held “генсек ОДКБ”, oldest first:")
    text = console(
        dossier, settings, "/lang\n/lang ru\n/search zas\n/lang auto\n/search zas\n/lang klingon\n"
    )
    assert in_order(
        text,
        "The console answers in the language you write in: Russian for Cyrillic, English for Latin letters.",
        "\n\nЯзык интерфейса: Русский.\nВыбор: /lang ru или /lang en",
        "\n\n1 результат по запросу «zas»",
        # back to the language of what was typed, the Latin "zas"
        "\n\nThe console answers in the language you write in",
        "\n\n1 result for “zas”",
        "\n\nChoose with /lang ru or /lang en; /lang auto answers in the language you write in again.",
    ), text


def test_the_command_line_answers_in_the_language_of_the_query(env: dict[str, str]) -> None:
    proc = run(["who", "Масадыков"], env)
    assert proc.returncode == 0, proc.stderr
    assert "Должности:" in proc.stdout and "Другие написания: " in proc.stdout
    proc = run(["search", "Масадыков", "--lang", "en"], env)
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("2 results for “Масадыков”")


async def test_telegram_without_a_language_answers_in_the_message_s(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    nobody = botapi.user("Аноним", language_code=None)
    german = botapi.user("Hans", language_code="de")
    english = botapi.user("Jane", language_code="en")
    async with run_bot(DOSSIER_DEFAULT_LANGUAGE="en"):
        botapi.user_message("кто генсек ОДКБ?", user=nobody)
        answered = await botapi.wait_for("sendMessage")
        text = answered.params["text"]
        assert text.startswith("Кто занимал должность «<b>генсек ОДКБ</b>»"), text
        botapi.user_message("/search масадыков", user=german)  # Telegram in a language the bot lacks
        found = await botapi.wait_for("sendMessage")
        assert "результата по запросу «масадыков»" in found.params["text"], found.params["text"]
        botapi.user_message("/search масадыков", user=english)  # Telegram's own language comes first
        found = await botapi.wait_for("sendMessage")
        assert "2</b> results for “масадыков”" in found.params["text"], found.params["text"]
        botapi.user_message("/who", user=german)  # nothing to tell by: the default
        asked = await botapi.wait_for("sendMessage")
        assert asked.params["text"].startswith("Whom are you looking for?")
        botapi.user_message("/lang", user=german)  # /lang says what decides for him
        shown = await botapi.wait_for("sendMessage")
        assert shown.params["text"].startswith(
            "Your language: English for now. Your Telegram's is not one I speak, so I answer in the language "
            "you write in."
        ), shown.params["text"]
        botapi.user_message("/lang auto", user=nobody)
        auto = await botapi.wait_for("sendMessage")
        assert auto.params["text"].startswith(
            "Your Telegram's language is not one I speak, so I now answer in the language you write in"
        ), auto.params["text"]
