"""The bot as a Russian reader meets it: numbers, dates and words in Russian replies, with no English
left in them, through the command layer and the console renderer."""

from __future__ import annotations

import re

from bot.commands import COMMANDS, Caller, Commands
from bot.commands.follow import MAX_FOLLOWS
from bot.commands.replies import FollowListReply, SearchReply, WhoReply
from bot.i18n import Language
from bot.models import Follow
from bot.render_text import render
from handlers.render import MESSAGE_LIMIT, tg_len
from handlers.render import render as render_html
from handlers.render_follows import follow_list

ADMIN = Caller(is_admin=True, transport="console")
TELEGRAM_ADMIN = Caller(user_id=1, chat_id=1, is_admin=True, transport="telegram")
NBSP = "\u00a0"


def test_stats_say_when_and_by_what_in_the_reader_s_words(commands: Commands) -> None:
    ru = render(commands.handle("/stats", ADMIN), "ru")
    assert re.search(
        r"Последняя загрузка: \d{1,2} [а-я]+ \d{4}, \d\d:\d\d UTC, папка корпуса: corpus — ", ru
    ), ru
    en = render(commands.handle("/stats", ADMIN), "en")
    assert re.search(r"Last ingest: \d{4}-\d\d-\d\d \d\d:\d\d UTC by corpus folder: corpus — 5 added", en), en


def test_numbers_in_russian_replies_are_written_as_russian_writes_them(commands: Commands) -> None:
    long_query = render(commands.handle("/search " + "слово " * 300, ADMIN), "ru")
    assert f"учтены только первые символы, не больше 1{NBSP}000." in long_query  # not 1,000: a decimal
    assert "учтены только первые слова, не больше 32." in long_query
    assert "Your query was long: only its first 1,000 characters" in render(
        commands.handle("/search " + "word " * 300, ADMIN), "en"
    )
    reindexed = render(commands.handle("/reindex", ADMIN), "ru")
    assert re.search(r"Переиндексировано 5 документов за \d+,\d с", reindexed), reindexed


def test_help_gives_a_russian_reader_russian_examples_that_find_something(commands: Commands) -> None:
    text = render(commands.handle("/help", TELEGRAM_ADMIN), "ru")
    examples = dict(re.findall(r"например: /(\w+) ?(.*)$", text, re.MULTILINE))
    assert examples["search"] == "Тасмагамбетов генсек since:2024" and examples["who"] == "Масадыков"
    assert examples["ask"] == "кто генсек ОДКБ?" and examples["follow"] == "Масадыков"
    found = commands.handle(f"/search {examples['search']}", ADMIN)
    assert isinstance(found, SearchReply) and found.page.total and not found.page.partial
    assert isinstance(commands.handle(f"/who {examples['who']}", ADMIN), WhoReply)
    assert "кто генсек ОДКБ?" in render(commands.handle("/ask", ADMIN), "ru")
    english = commands.handle(f"/search {COMMANDS[0].example.removeprefix('search ')}", ADMIN)
    assert isinstance(english, SearchReply) and english.page.total and not english.page.partial


def test_help_says_where_plain_words_are_a_search(commands: Commands) -> None:
    private = render(commands.handle("/help", Caller(user_id=7, chat_id=7, transport="telegram")), "ru")
    assert private.endswith("Можно и без команд: слова — это поиск, а на вопрос я отвечу: кто такой Зась?")
    group = Caller(user_id=7, chat_id=-5, transport="telegram", chat_type="group")
    assert render(commands.handle("/help", group)).endswith(
        "In a group I answer commands only (with or without @my name); in a private chat with me, plain "
        "words are a search."
    )


def test_the_console_help_is_one_column_whatever_the_language(commands: Commands) -> None:
    """Each summary starts in the same column, however long the reader's words for the arguments."""
    for lang in ("en", "ru"):
        lines = [
            line for line in render(commands.handle("/help", ADMIN), lang).splitlines() if line[:3] == "  /"
        ]
        starts = {len(line) - len(line[2:].split("  ", 1)[1].lstrip(" ")) for line in lines}
        console = [spec for spec in COMMANDS if "console" in spec.transports]
        assert len(starts) == 1 and len(lines) == len(console), (lang, lines)


def test_telegram_help_in_russian(commands: Commands) -> None:
    html = "\n".join(m.html for m in render_html(commands.handle("/help", TELEGRAM_ADMIN), "ru").messages)
    assert "/delete &lt;номер&gt; — удалить документ (с подтверждением) <i>(для администраторов)</i>" in html
    assert "например: <code>/search Тасмагамбетов генсек since:2024</code>" in html
    assert "например: <code>/ask кто генсек ОДКБ?</code>" in html


def test_nothing_found_in_the_dates_asked_for_says_what_the_dates_left_out(commands: Commands) -> None:
    text = render(commands.handle("/search masadykov until:2023", ADMIN), "ru")
    assert text == (
        "По запросу «masadykov until:2023» ничего не найдено.\n"
        "Без since:/until: найдётся 2 документа (отбор по дате не учитывает документы без даты)."
    )
    nothing = render(commands.handle("/search walrus since:2020", ADMIN))
    assert nothing == "Nothing found for “walrus since:2020”."  # no note when the dates are not why


def test_a_query_of_only_minus_words_says_so(commands: Commands) -> None:
    text = render(commands.handle("/search -csto", ADMIN), "ru")
    assert text.startswith(
        "В запросе нет слов для поиска.\nСлова с минусом только исключают документы: добавьте слово"
    )


def test_a_long_following_list_goes_on_in_the_next_message() -> None:
    follows = tuple(
        Follow(
            n, 1, None, "query", f"q{n}", f"{n} " + "очень длинное название отслеживания " * 3, "digest", 0
        )
        for n in range(1, MAX_FOLLOWS + 1)
    )
    messages = follow_list(FollowListReply(follows), "ru").messages
    assert len(messages) > 1 and all(tg_len(m.html) <= MESSAGE_LIMIT for m in messages)
    text = "\n".join(m.html for m in messages)
    assert all(f"\n{n}. <b>" in text for n in range(1, MAX_FOLLOWS + 1))  # none cut off
    keyboard = messages[-1].keyboard
    assert keyboard is not None and sum(len(row) for row in keyboard.inline_keyboard) == 2 * MAX_FOLLOWS


def test_following_a_quoted_phrase_is_not_quoted_twice(commands: Commands) -> None:
    me = Caller(user_id=11, chat_id=11, transport="telegram")
    phrase = commands.handle('/follow "совместные учения"', me)
    assert render(phrase, "ru").startswith("Слежу за точной фразой «совместные учения».")
    words = commands.handle('/follow "coffee harvest" -futures', me)
    assert render(words).startswith('Following the words “"coffee harvest" -futures”.')


def test_following_buttons_name_what_they_remove() -> None:
    """Each remove button under /following names its follow (a long one cut after a whole word), not only
    its number, in either language; the mode buttons keep the list's numbers."""
    labels = ["Taalatbek Masadykov", '"coffee harvest" -futures', "совместные учения ОДКБ в Таджикистане"]
    follows = tuple(
        Follow(n, 1, None, "query", label, label, "instant", 0) for n, label in enumerate(labels, 1)
    )
    languages: list[tuple[Language, str]] = [("en", "to the digest"), ("ru", "в дайджест")]
    for lang, mode in languages:
        keyboard = follow_list(FollowListReply(follows), lang).messages[-1].keyboard
        assert keyboard is not None
        buttons = [[b.text for b in row] for row in keyboard.inline_keyboard]
        assert [row[0] for row in buttons] == [
            "✕ Taalatbek Masadykov",
            '✕ "coffee harvest"…',
            "✕ совместные учения ОДКБ…",
        ]
        assert [row[1] for row in buttons] == [f"{n}: {mode}" for n in range(1, 4)]
