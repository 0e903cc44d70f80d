"""Questions in plain words (/ask, and questions after /search, in the console and in private chats) and
never a bare "nothing found" when some of the words match: over the bundled corpus, through the command
layer and the console's renderer."""

from __future__ import annotations

import io

import pytest

from bot.commands import Caller, Commands, command_named
from bot.commands.questions import content_words, is_question, without_question_words
from bot.commands.replies import SearchReply, TextReply, WhoReply
from bot.console import run_console
from bot.core import Dossier
from bot.render_text import render
from bot.search.query import parse_query
from bot.settings import Settings
from tests.conftest import seed_id

HOLDERS = ["Stanislav Zas", "Imangali Tasmagambetov", "Taalatbek Masadykov"]  # in date order


def holders(reply: object) -> list[str]:
    assert isinstance(reply, WhoReply) and reply.kind == "role", reply
    return [e.person.name for e in reply.entries]


# ----------------------------------------------------------------- telling a question from a search
@pytest.mark.parametrize(
    ("text", "question", "words"),
    [
        ("Кто генсек ОДКБ?", True, ["генсек", "ОДКБ"]),
        ("who is the CSTO secretary general?", True, ["CSTO", "secretary", "general"]),
        ("кто такой Масадыков?", True, ["Масадыков"]),
        ("когда Масадыков стал генсеком?", True, ["Масадыков", "стал", "генсеком"]),
        ("what did Zas say at Valdai?", True, ["Zas", "say", "Valdai"]),
        ("where is Valdai", True, ["Valdai"]),  # a question word first: no "?" needed
        ("Masadykov secretary general", False, ["Masadykov", "secretary", "general"]),
        ("who", False, []),  # nothing asked about: a search for the word
        ("", False, []),
    ],
)
def test_questions_and_their_content_words(text: str, question: bool, words: list[str]) -> None:
    assert is_question(text) is question
    assert content_words(text) == words


def test_question_words_never_reach_the_search() -> None:
    query = without_question_words(parse_query("Когда и где Зас выступал на Валдае? since:2020"))
    assert query.words == ("зас", "выступал", "валдае")
    assert query.since is not None  # operators stay


# ----------------------------------------------------------------- questions about posts and people
@pytest.mark.parametrize(
    "question",
    ["Кто генсек ОДКБ?", "who is the CSTO secretary general?", "кто генеральный секретарь ОДКБ?"],
)
def test_a_question_about_a_post_gets_its_holders_in_date_order(commands: Commands, question: str) -> None:
    assert holders(commands.handle(question, Caller(transport="console"))) == HOLDERS
    assert holders(commands.handle(f"/ask {question}", Caller(transport="console"))) == HOLDERS
    assert holders(commands.handle(f"/search {question}", Caller(transport="console"))) == HOLDERS


def test_who_reads_a_russian_post_through_the_lexicon(commands: Commands) -> None:
    """/who itself: "генсек ОДКБ" (and the inflected "генсеком ОДКБ") is the CSTO's Secretary General."""
    assert holders(commands.who("генсек ОДКБ")) == HOLDERS
    assert holders(commands.who("генсеком ОДКБ")) == HOLDERS
    assert commands.who("Масадыков").kind == "person"  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "question", ["кто такой Масадыков?", "когда Масадыков стал генсеком?", "/ask who is Masadikov"]
)
def test_a_question_about_a_person_gets_their_card(commands: Commands, question: str) -> None:
    reply = commands.handle(question, Caller(transport="console"))
    assert isinstance(reply, WhoReply) and reply.kind == "person"
    assert reply.entries[0].person.name == "Taalatbek Masadykov"
    text = render(reply)
    assert "Secretary General, CSTO" in text  # the card says which post, and since when it is known


def test_another_question_gets_the_documents_and_the_passage_that_answers_it(
    commands: Commands, dossier: Dossier
) -> None:
    reply = commands.handle("what did Zas say at Valdai?", Caller(transport="console"))
    assert isinstance(reply, SearchReply)
    valdai = seed_id(dossier, "004")
    assert [h.doc.id for h in reply.page.hits] == [valdai]
    assert reply.answer is not None and reply.answer.doc.id == valdai
    assert set(reply.page.query.words) == {"zas", "say", "valdai"}  # no "what", "did", "at"
    text = render(reply)
    assert text.startswith(f"The best answer, from #{valdai} CSTO says NATO’s build-up")
    assert "Stanislav *Zas* said at the *Valdai* international discussion club" in text.splitlines()[1]


def test_a_plain_search_is_no_question(commands: Commands) -> None:
    reply = commands.handle("/search Zas Valdai", Caller(transport="console"))
    assert isinstance(reply, SearchReply) and reply.answer is None


def test_ask_is_a_command_like_any_other(commands: Commands) -> None:
    spec = command_named("ask")
    assert spec is not None and not spec.admin_only
    assert "/ask <question>" in render(commands.help())
    empty = commands.handle("/ask", Caller(transport="console"))
    assert isinstance(empty, TextReply) and empty.error
    assert render(empty) == "Ask a question in plain words, e.g. /ask who is the CSTO secretary general?"


def test_the_console_answers_questions(dossier: Dossier, settings: Settings) -> None:
    out = io.StringIO()
    # (in English as asked with --lang; without it a Cyrillic question is answered in Russian:
    # tests/test_reply_language.py)
    run_console(dossier, settings, io.StringIO("Кто генсек ОДКБ?\nкто такой Масадыков?\n"), out, lang="en")
    text = out.getvalue()
    assert "Who held “генсек ОДКБ”, oldest first:" in text
    assert [text.index(name) for name in HOLDERS] == sorted(text.index(name) for name in HOLDERS)
    assert "Also written: Talatbek Masadikov, Masadikov" in text


def test_paging_an_asked_question_stays_a_question(commands: Commands, dossier: Dossier) -> None:
    """A question asked with /ask and no question mark keeps its question words out of the later pages."""
    for i in range(6):
        text = f"Valdai note {i}\n\nValdai club session {i}."
        dossier.ingest_upload(f"valdai{i}.txt", text.encode(), "test")
    caller = Caller(user_id=1, chat_id=1, transport="telegram")
    first = commands.handle("/ask how was valdai", caller)
    assert isinstance(first, SearchReply) and first.session is not None
    second = commands.search_page(first.session, 5, caller)
    assert isinstance(second, SearchReply)
    assert second.page.query.words == ("valdai",)


# ----------------------------------------------------------------- never a bare "nothing found"
def search(commands: Commands, text: str) -> SearchReply:
    reply = commands.handle(f"/search {text}", Caller(transport="console"))
    assert isinstance(reply, SearchReply)
    return reply


def test_documents_matching_most_words_and_the_words_nothing_matched(commands: Commands) -> None:
    # A word no document has in any language ("finch"; крокус, the example, now finds Crocus).
    reply = search(commands, "Masadykov зяблик")
    assert [h.doc.source[:3] for h in reply.page.hits] == ["001", "000"]
    assert reply.page.unmatched_words == ("зяблик",) and reply.page.partial
    lines = render(reply).splitlines()
    assert lines[1:3] == [
        "No document has all your words; these match most of them.",
        "Nothing matched: зяблик",
    ]


def test_words_that_all_match_but_never_together(commands: Commands) -> None:
    reply = search(commands, "masadykov valdai")
    assert reply.page.partial and reply.page.unmatched_words == ()
    assert {h.doc.source[:3] for h in reply.page.hits} == {"000", "001", "004"}
    assert "No document has all your words; these match most of them." in render(reply)
    assert "Nothing matched" not in render(reply)


def test_a_full_match_says_nothing_about_parts(commands: Commands) -> None:
    reply = search(commands, "Zas Valdai")
    assert not reply.page.partial and reply.page.unmatched_words == ()
    assert "most of them" not in render(reply)


def test_a_phrase_no_document_has_falls_back_to_its_words(commands: Commands) -> None:
    reply = search(commands, '"valdai masadykov"')
    assert reply.page.total == 3 and reply.page.partial
    assert reply.page.query.phrases == (("valdai", "masadykov"),)  # the reply still repeats the query
    assert "No document has all your words" in render(reply)


def test_no_suggestion_in_another_script(commands: Commands) -> None:
    """Today's "interact crocus" and "одкб china": a Cyrillic word gets a Cyrillic suggestion or none."""
    for text in ("теракт крокус", "ОДКБ учения", "крокус"):
        assert search(commands, text).page.suggestion is None, text
        assert "Did you mean" not in render(search(commands, text))


def test_a_suggestion_never_replaces_a_word_that_matched(commands: Commands) -> None:
    reply = search(commands, "Masadykov tasmagmbtvo")  # the second word matches nothing as typed
    assert reply.page.unmatched_words == ("tasmagmbtvo",)
    assert reply.page.suggestion == "masadykov tasmagambetov"  # the first word is kept as typed
    assert render(reply).endswith("Did you mean: masadykov tasmagambetov?")
    assert search(commands, "masadykov zanzibar").page.suggestion is None  # "tangible" is not it


def test_a_suggestion_is_kept_only_when_it_finds_more(commands: Commands, dossier: Dossier) -> None:
    """A suggested word only in documents the query found already, none of which then has all its words,
    finds nothing more: it is dropped. ("qib" is too short for a typo: it matches nothing as typed.)"""
    dossier.ingest_upload("a.txt", b"Zorblat notes\n\nZorblat and quib.", "test")
    dossier.ingest_upload("b.txt", b"Zorblat memo\n\nZorblat and vemmick.", "test")
    raw = dossier.search(parse_query("zorblat qib vemmick"))
    assert raw.unmatched_words == ("qib",) and raw.suggestion == "zorblat quib vemmick"  # the engine's
    reply = search(commands, "zorblat qib vemmick")
    assert reply.page.total == 2 and reply.page.suggestion is None
    assert search(commands, "qib vemmick").page.suggestion == "quib vemmick"  # this finds more
