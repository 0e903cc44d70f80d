"""A person's card: its posts (one line per post, its organisation by one name), its documents, a
long card split under Telegram's limit, and when /who answers with one card rather than choices."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from pathlib import Path

from bot.commands import Commands
from bot.commands.replies import PersonEntry, WhoReply
from bot.core import Dossier
from bot.people import PeopleIndex, RoleRecord, extract
from bot.people.cards import role_lines
from bot.render_text import CARD_ROLES_SHOWN, card_lines, render
from handlers.render import MESSAGE_LIMIT
from handlers.render import who as who_html
from tests.conftest import seed_id
from tests.people.conftest import card


def test_person_card_content(commands: Commands, dossier: Dossier) -> None:
    entry = card(commands, "masadikov").entries[0]
    ids = [d.id for d in entry.documents]
    assert sorted(ids) == sorted([seed_id(dossier, "000"), seed_id(dossier, "001")])
    assert all(d.sentence and ("Masad" in d.sentence) for d in entry.documents)
    text = render(WhoReply("masadikov", "person", (entry,)))
    assert "Also written: Talatbek Masadikov" in text
    assert "Secretary General, CSTO" in text and f"#{seed_id(dossier, '001')}" in text


def test_a_far_better_documented_namesake_gets_the_card(
    dossier: Dossier, corpus_dir: Path, commands: Commands
) -> None:
    for i in range(5):
        (corpus_dir / f"zas_{i}.txt").write_text(
            f"Zas, part {i}\n\n0{i + 1} March 2023\n\nCSTO Secretary-General Stanislav Zas said more, {i}.\n",
            encoding="utf-8",
        )
    (corpus_dir / "nikolai.txt").write_text(
        "Budget\n\n02 May 2023\n\nDeputy Finance Minister Nikolai Zas said the budget was tight.\n",
        encoding="utf-8",
    )
    dossier.scan_corpus(corpus_dir)
    reply = card(commands, "zas")
    assert reply.entries[0].person.name == "Stanislav Zas" and len(reply.entries[0].documents) == 6
    assert [p.name for p in reply.others] == ["Nikolai Zas"]
    assert "Also matching: Nikolai Zas" in render(reply)
    (message,) = who_html(reply).messages
    assert message.keyboard is not None
    labels = [b.text for row in message.keyboard.inline_keyboard for b in row]
    assert "Nikolai Zas" in labels and "Open #" in labels[0]


def test_a_long_card_is_split_under_the_limit(dossier: Dossier, corpus_dir: Path, commands: Commands) -> None:
    for i in range(14):
        (corpus_dir / f"zas_{i:02d}.txt").write_text(
            f"Zas speaks, part {i}\n\n{i + 1:02d} March 2023\n\nCSTO Secretary-General Stanislav Zas said "
            + "that <b>security</b> & cooperation matter " * 40
            + f"in meeting {i}.\n",
            encoding="utf-8",
        )
    dossier.scan_corpus(corpus_dir)
    reply = card(commands, "zas")
    messages = who_html(reply).messages
    assert len(messages) >= 2 and all(len(m.html) <= MESSAGE_LIMIT for m in messages)
    html = "".join(m.html for m in messages)
    assert "<b>security</b>" not in html and "&lt;b&gt;security&lt;/b&gt; &amp;" in html
    assert "…and 5 more" in html  # 15 documents, ten shown
    assert messages[-1].keyboard is not None


def test_a_card_lists_each_post_once_with_its_first_and_last_statement() -> None:
    def rec(title: str, org: str | None, day: int | None, doc: int) -> RoleRecord:
        return RoleRecord(title, org, date(1987, 3, day) if day else None, doc)

    roles = (
        rec("Treasury Secretary", "U.S.", 2, 11),
        rec("Treasury Secretary", None, 3, 12),
        rec("Treasury Secretary", "U.S.", 9, 13),
        rec("Chief of Staff", "White House", 20, 14),
        rec("Treasury Secretary", "U.S.", None, 15),
    )
    lines = [line.text() for line in role_lines(roles)]
    assert lines == [
        "Treasury Secretary, U.S. — 1987-03-02 to 1987-03-09, 4 documents (first #11)",
        "Chief of Staff, White House — 1987-03-20, #14",
    ]
    many = tuple(rec(f"Envoy {k}", "UN", k, k) for k in range(1, CARD_ROLES_SHOWN + 4))
    index = PeopleIndex()
    index.add_document(1, date(1987, 3, 1), extract("UN envoy Miroslav Jenca said the talks went well."))
    (person,) = index.persons()
    card = card_lines(PersonEntry(replace(person, roles=many), ()))
    assert sum(line.startswith("  Envoy") for line in card) == CARD_ROLES_SHOWN
    assert "  …and 3 more posts" in card


def test_a_post_stated_with_a_shorter_name_of_its_organisation_is_one_post() -> None:
    def rec(org: str | None, day: int, doc: int, title: str = "Chairman") -> RoleRecord:
        return RoleRecord(title, org, date(1987, 3, day), doc)

    roles = (
        rec("Fed", 1, 1),
        rec("Federal Reserve Board", 2, 2),
        rec("Federal Reserve", 3, 3),
        rec("Federal Reserve Board", 4, 4),
        rec("Reserve", 5, 5),
        rec("World Bank", 6, 6, "President"),
        rec("Central Bank", 7, 7, "President"),
        rec("World Bank", 8, 8, "President"),
    )
    lines = [line.text() for line in role_lines(roles)]
    assert lines == [
        "Chairman, Fed — 1987-03-01, #1",  # an abbreviation, not a run of the fuller name's words
        "Chairman, Federal Reserve Board — 1987-03-02 to 1987-03-05, 4 documents (first #2)",
        "President, World Bank — 1987-03-06 to 1987-03-08, 2 documents (first #6)",
        "President, Central Bank — 1987-03-07, #7",  # another bank
    ]


def rec(title: str, org: str | None, day: int) -> RoleRecord:
    """A role stated on 1987-03-``day`` by document ``day``."""
    return RoleRecord(title, org, date(1987, 3, day), day)


def test_a_title_stated_alone_joins_the_organisation_nearly_all_statements_name() -> None:
    usual = tuple(rec("Treasury Secretary", "U.S.", d) for d in range(1, 11))
    roles = (*usual, rec("Treasury Secretary", "United States", 11), rec("Treasury Secretary", None, 12))
    texts = [line.text() for line in role_lines(roles)]
    # "United States" is the U.S. by another name: one post, shown by its most stated name.
    assert texts == ["Treasury Secretary, U.S. — 1987-03-01 to 1987-03-12, 12 documents (first #1)"]
    split = (rec("President", "Brazil", 1), rec("President", "Argentina", 2), rec("President", None, 3))
    assert [line.label for line in role_lines(split)] == [
        "President, Brazil",
        "President, Argentina",
        "President",
    ]


def test_a_country_is_one_organisation_on_a_card_whether_named_or_by_its_adjective() -> None:
    # "Japanese Prime Minister", "Prime Minister of Japan" and a bare "Prime Minister": one post, named
    # by the country (the adjective alone would read "Prime Minister, Japanese").
    roles = (
        *(rec("Prime Minister", "Japanese", d) for d in range(1, 6)),
        rec("Prime Minister", "Japan", 6),
        rec("Prime Minister", None, 7),
        rec("Finance Minister", "West German", 8),
    )
    assert [line.text() for line in role_lines(roles)] == [
        "Prime Minister, Japan — 1987-03-01 to 1987-03-07, 7 documents (first #1)",
        "Finance Minister, West Germany — 1987-03-08, #8",
    ]
    # A title's words in another order are the same post.
    reordered = (
        rec("Assistant Treasury Secretary", "U.S.", 1),
        rec("Treasury Assistant Secretary", "U.S.", 2),
    )
    assert [line.text() for line in role_lines(reordered)] == [
        "Assistant Treasury Secretary, U.S. — 1987-03-01 to 1987-03-02, 2 documents (first #1)"
    ]
    # Only the adjective stated: still the country's name; an organisation of the country stays itself.
    lone = (rec("President", "Brazilian Central Bank", 1), rec("Ambassador", "French", 2))
    assert [line.label for line in role_lines(lone)] == [
        "President, Brazilian Central Bank",
        "Ambassador, France",
    ]
