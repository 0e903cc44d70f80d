"""Bad input gets a clear answer and changes nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.commands import Caller, Commands
from bot.commands.replies import SearchReply, TextReply
from bot.core import Dossier
from bot.render_text import render


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/search", "Tell me what to look for"),
        ("/search    ", "Tell me what to look for"),
        ("/search ?!... ---", "no words"),
        ("/search the of and", "very common words"),
        ("/search nato since:yesterday", "is not a date"),
        ("/doc", "Which document?"),
        ("/doc abc", "is not a document number"),
        ("/doc 99999999999999999999999", "is not a document number"),
        ("/doc 424242", "There is no document #424242"),
        ("/whatever", "I don't know the command /whatever"),
    ],
)
def test_clear_answers(commands: Commands, console_caller: Caller, text: str, expected: str) -> None:
    reply = commands.handle(text, console_caller)
    assert isinstance(reply, TextReply) and reply.error
    assert expected in " ".join(reply.lines)


@pytest.mark.parametrize(
    "query",
    [
        "x" * 5000,
        "word " * 1000,
        "<script>alert('x')</script>",
        "'; DROP TABLE documents; --",
        ".*(a+)+$",
        "\x00\x01",
    ],
)
def test_hostile_queries_are_searched_safely(
    commands: Commands, console_caller: Caller, dossier: Dossier, query: str
) -> None:
    before = dossier.store.count_documents()
    reply = commands.handle("/search " + query, console_caller)
    assert isinstance(reply, SearchReply | TextReply)
    assert dossier.store.count_documents() == before


def test_long_query_says_it_was_cut(commands: Commands, console_caller: Caller) -> None:
    reply = commands.handle("/search " + "csto " * 200, console_caller)
    assert isinstance(reply, SearchReply) and reply.notes and "first 32 words" in reply.notes[0]


def test_a_pasted_page_of_junk_finds_nothing_and_is_not_echoed(
    commands: Commands, console_caller: Caller
) -> None:
    reply = commands.handle("/search " + "a" * 5000, console_caller)
    assert isinstance(reply, TextReply) and reply.error
    assert reply.lines[0] == "Your query has no words to search for."
    reply = commands.handle("/search csto " + "b" * 3000, console_caller)
    assert isinstance(reply, SearchReply) and reply.page.total == 5
    assert "Left out a word of 995 letters: no word is that long." in reply.notes
    text = render(reply)
    assert "b" * 80 not in text and "for “csto bbbb" in text


def test_bad_files_in_the_corpus_folder_are_skipped_and_reported(corpus_dir: Path, data_dir: Path) -> None:
    (corpus_dir / "binary.txt").write_bytes(bytes(range(256)) * 20)
    (corpus_dir / "empty.txt").write_bytes(b"")
    (corpus_dir / "blank.md").write_text("   \n\n\t  \n")
    (corpus_dir / "punct.txt").write_text("... --- !!!\n")
    (corpus_dir / "cp1251.txt").write_bytes(
        "Заголовок статьи о Ташкенте\n\nТекст статьи про ОДКБ.".encode("cp1251")
    )
    d = Dossier.open(data_dir)
    report = d.scan_corpus(corpus_dir)
    skipped = {o.source: o.reason for o in report.outcomes if o.status == "skipped"}
    assert set(skipped) == {"binary.txt", "empty.txt", "blank.md", "punct.txt"}
    assert "binary" in (skipped["binary.txt"] or "") and "empty" in (skipped["empty.txt"] or "")
    assert report.count("added") == 6  # five seeds and the cp1251 article
    # An unchanged bad file is not re-read or re-reported.
    again = d.scan_corpus(corpus_dir)
    assert again.outcomes == [] and again.unchanged == 10
