"""The bot as a Russian reader meets it: numbers, dates and words in Russian replies, with no English
left in them, through the command layer and the console renderer."""

from __future__ import annotations

import re

from bot.commands import Caller, Commands
from bot.render_text import render

ADMIN = Caller(is_admin=True, transport="console")
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
