"""People: extraction on the real seed articles, alias merging, roles and their timeline, the index kept up
to date by ingest and restarts, /who in the command layer, the CLI, and Telegram through the fake server."""

from __future__ import annotations

import json
import sqlite3
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from bot.commands import Caller, Commands
from bot.core import Dossier
from bot.people import (
    EXTRACTOR_VERSION,
    PeopleIndex,
    Role,
    RoleRecord,
    extract,
    mentions_from_json,
    mentions_to_json,
)
from bot.render_text import CARD_ROLES_SHOWN, card_lines, render, role_lines, who_json
from bot.replies import PersonEntry, TextReply, WhoReply
from handlers.render import MESSAGE_LIMIT
from handlers.render import who as who_html
from tests.conftest import SEED_CORPUS, Runner, seed_id
from tests.fakebotapi import BOT_USERNAME, FakeBotApi
from tests.test_cli import run

NON_PERSONS = (
    "Crocus City Hall",
    "Mangistau",
    "Golan Heights",
    "Valdai",
    "Astana Declaration",
    "National Defense",
    "Creative Commons",
)


def _caller() -> Caller:
    return Caller(transport="console")


def card(commands: Commands, query: str) -> WhoReply:
    reply = commands.handle(f"/who {query}", _caller())
    assert isinstance(reply, WhoReply) and reply.kind == "person", (query, reply)
    return reply


# ------------------------------------------------------------------------------ the seeds


def test_seed_people_their_roles_and_spellings(dossier: Dossier) -> None:
    people = {p.name: p for p in dossier.all_people()}
    masadykov = people["Taalatbek Masadykov"]
    assert "Talatbek Masadikov" in masadykov.aliases
    assert {(r.title, r.org) for r in masadykov.roles} >= {("Secretary General", "CSTO")}
    assert sorted(masadykov.documents) == sorted([seed_id(dossier, "000"), seed_id(dossier, "001")])
    assert not any("Masadikov" in name or "Masadykov" in name for name in people if name != masadykov.name)
    for name in ("R. Otunbayeva", "K. Imnadze"):
        assert [(r.title, r.org) for r in people[name].roles] == [("Special Representative", "UN")]
    assert [(r.title, r.org, r.date) for r in people["Kassym-Jomart Tokayev"].roles] == [
        ("President", "Kazakhstan", date(2022, 2, 9))
    ]
    assert [(r.title, r.org) for r in people["Imangali Tasmagambetov"].roles] == [
        ("Secretary General", "CSTO")
    ]
    assert people["Stanislav Zas"].roles[0].doc_id == seed_id(dossier, "004")


def test_non_persons_are_never_listed(dossier: Dossier) -> None:
    texts = [doc.text for doc in dossier.store.iter_documents()]
    for thing in ("Crocus City Hall", "Golan Heights", "Valdai", "Astana Declaration", "Creative Commons"):
        assert any(thing in t for t in texts), thing  # the trap is really in the seeds
    spellings = [s for p in dossier.all_people() for s in (p.name, *p.aliases)]
    for thing in NON_PERSONS:
        assert not any(thing.split()[0] in s for s in spellings), (thing, spellings)


def test_countries_and_firms_are_not_people_whatever_they_say() -> None:
    """Reuters-21578 made persons of "Japan" (59 documents), "Belgium" and the banks of bond syndicates."""
    text = (
        "JAPAN SAYS IT WILL CUT SURPLUS\n\nJapan said it would act. The bloc, of which Belgium is current "
        "president, met. Taiwan, one of the founders, stayed away. Saudi Arabia said output fell. Япония "
        "заявила о росте.\n\nThe bonds were priced at par, said lead manager Societe Generale. Another issue "
        "came with Banque Paribas as lead\nmanager. Goldman, Sachs and Co was sole manager; Smith Barney, "
        "Harris Upham and Co analyst Edward Atorino lowered his rating."
    )
    names = {m.name for m in extract(text, date(1987, 3, 30))}
    assert names == {"Edward Atorino"}


def test_a_country_that_is_a_surname_and_a_firm_a_person_heads() -> None:
    text = (
        "Projections by Jerry Jordan, who is an economist at First Interstate, were cited. Jordan expects "
        "growth of two pct, said Thomas McKiernan, McKiernan and Co chairman."
    )
    found = [(m.surface, m.name) for m in extract(text)]
    assert ("Jordan", "Jerry Jordan") in found
    assert ("Thomas McKiernan", "Thomas McKiernan") in found


def test_a_firm_before_its_analyst_or_after_of_is_not_the_speaker_and_titles_stay_out_of_names() -> None:
    text = (
        '"Prices are up," said Merrill Lynch analyst Thomas Kurlack. Zimmer of Merrill Lynch said she '
        "would cut it. U.S. House Speaker Jim Wright said he was concerned. Investor Paul Bilzerian said he "
        "sold. Wright later said more."
    )
    mentions = extract(text)
    named = {m.name for m in mentions if m.evidence != "weak"}
    assert named == {"Thomas Kurlack", "Jim Wright", "Paul Bilzerian"}
    assert [m.role.title for m in mentions if m.surface == "Jim Wright" and m.role] == ["Speaker"]
    assert [m.name for m in mentions if m.surface == "Wright"] == ["Jim Wright"]


def test_places_unions_and_short_names_of_organisations_are_no_people() -> None:
    text = (
        "The Attorney General of New York said it would appeal. Negotiators for General Motors Corp and the "
        "United Auto Workers union resumed talks. Eishiro Saito, chairman of the Federation of Economic "
        "Organizations (Keidanren), said the yen was too high. The governors of Sao Paulo, Rio de Janeiro "
        "and Minas Gerais were in Brasilia. Dole welcomed the selection of Republican David Karnes, "
        "who said he was glad. Secretary of State George Shultz' Moscow talks went on."
    )
    named = {m.name for m in extract(text) if m.evidence != "weak"}
    assert named == {"Eishiro Saito", "David Karnes", "George Shultz"}


def test_surname_only_mentions_count_for_the_person() -> None:
    zas_text = (SEED_CORPUS / "004_4c3000b3cf1095f3.txt").read_text(encoding="utf-8")
    bare = [m for m in extract(zas_text, date(2022, 2, 9)) if m.surface == "Zas"]
    assert len(bare) >= 3 and {m.name for m in bare} == {"Stanislav Zas"}
    assert any(m.sentence.startswith("Zas said") or "Zas said" in m.sentence for m in bare)
    interview = (SEED_CORPUS / "001_e3fd5c041af71694.txt").read_text(encoding="utf-8")
    emphasized = [m for m in extract(interview) if m.surface == "Masadikov" and "emphasized" in m.sentence]
    assert emphasized and {m.name for m in emphasized} == {"Talatbek Masadikov"}


def test_who_secretary_general_is_a_timeline(commands: Commands, dossier: Dossier) -> None:
    reply = commands.handle("/who secretary general", _caller())
    assert isinstance(reply, WhoReply) and reply.kind == "role"
    names = [e.person.name for e in reply.entries]
    assert names == ["Stanislav Zas", "Imangali Tasmagambetov", "Taalatbek Masadykov"]
    cited = [e.roles[0] for e in reply.entries]
    assert [r.date for r in cited[:2]] == [date(2022, 2, 9), date(2024, 12, 5)]
    assert cited[0].doc_id == seed_id(dossier, "004") and cited[1].doc_id == seed_id(dossier, "002")
    text = render(reply)
    assert text.index("Zas") < text.index("Tasmagambetov") < text.index("Masadykov")
    assert "the latest" in text.splitlines()[-1] and "#" in text


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Масадыков", "Taalatbek Masadykov"),
        ("masadikov", "Taalatbek Masadykov"),
        ("MASADYKOV", "Taalatbek Masadykov"),
        ("masad", "Taalatbek Masadykov"),
        ("zas", "Stanislav Zas"),
        ("Tasmagambetv", "Imangali Tasmagambetov"),
        ("otunbayeva", "R. Otunbayeva"),
        ("Imnadze", "K. Imnadze"),
        ("kassym-jomart tokayev", "Kassym-Jomart Tokayev"),
    ],
)
def test_who_finds_a_person_in_any_spelling(commands: Commands, query: str, name: str) -> None:
    assert card(commands, query).entries[0].person.name == name


def test_person_card_content(commands: Commands, dossier: Dossier) -> None:
    entry = card(commands, "masadikov").entries[0]
    ids = [d.id for d in entry.documents]
    assert sorted(ids) == sorted([seed_id(dossier, "000"), seed_id(dossier, "001")])
    assert all(d.sentence and ("Masad" in d.sentence) for d in entry.documents)
    text = render(WhoReply("masadikov", "person", (entry,)))
    assert "Also written: Talatbek Masadikov" in text
    assert "Secretary General, CSTO" in text and f"#{seed_id(dossier, '001')}" in text


def test_no_match_suggests_the_nearest_names(commands: Commands) -> None:
    reply = commands.handle("/who Masodikof", _caller())
    assert isinstance(reply, WhoReply) and reply.kind == "none"
    assert [p.name for p in reply.suggestions][:1] == ["Taalatbek Masadykov"]
    assert "No one called “Masodikof”" in render(reply)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/who", "Whom are you looking for?"),
        ("/who    ", "Whom are you looking for?"),
        ("/who " + "masadykov " * 200, "too long for a name or a role"),
        ("/who x", "One letter could be anyone"),
        ("/who 12345", "has no letters"),
        ("/who ?!", "has no letters"),
    ],
)
def test_bad_input_is_explained(commands: Commands, text: str, expected: str) -> None:
    reply = commands.handle(text, _caller())
    assert isinstance(reply, TextReply) and reply.error
    assert expected in render(reply)


def test_html_in_a_query_is_escaped(commands: Commands) -> None:
    reply = commands.handle("/who <b>zas</b><script>", _caller())
    assert isinstance(reply, WhoReply) and reply.kind == "none"
    (message,) = who_html(reply).messages
    assert "<b>zas" not in message.html and "&lt;b&gt;zas&lt;/b&gt;&lt;script&gt;" in message.html


# ------------------------------------------------------------------------------ merging


def _index(docs: list[tuple[int, str]]) -> PeopleIndex:
    index = PeopleIndex()
    for doc_id, text in docs:
        index.add_document(doc_id, date(1987, 3, doc_id), extract(text, date(1987, 3, doc_id)))
    return index


BAKERS = [
    (1, "Dollar\n\nTreasury Secretary James Baker said the dollar was stable. Baker added more."),
    (2, "Reagan aide\n\nWhite House Chief of Staff Howard Baker told reporters the talks went on."),
    (3, "Baker again\n\nTreasury Secretary Baker said the dollar should fall."),
    (4, "Testimony\n\nJames A. Baker, the Treasury Secretary, testified for an hour."),
]


def test_same_surname_different_people_stay_apart_and_order_does_not_matter() -> None:
    forward = _index(BAKERS)
    backward = _index(list(reversed(BAKERS)))
    for index in (forward, backward):
        people = {p.name: p for p in index.persons()}
        assert set(people) == {"James Baker", "Howard Baker"}
        assert sorted(people["James Baker"].documents) == [1, 3, 4]
        assert "James A. Baker" in people["James Baker"].aliases
        assert people["Howard Baker"].documents == (2,)
    matches = forward.find("baker")
    assert {m.person.name for m in matches} == {"James Baker", "Howard Baker"}


def test_short_first_names_merge_and_generational_suffixes_are_no_surname() -> None:
    index = _index(
        [
            (1, "Budget\n\nHouse Speaker Jim Wright said the budget was late."),
            (2, "Budget\n\nHouse Speaker James Wright told reporters he would wait."),
            (3, "Deal\n\nChairman John W. Johnstone Jr said the deal was done."),
            (4, "Deal\n\nPresident Jack E. Manning Jr said sales rose."),
            (5, "Budget\n\nSenator Albert Gore said no. Senator Alan Gore said yes."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    wright = [p for p in people.values() if "Wright" in p.name]
    assert len(wright) == 1 and sorted(wright[0].documents) == [1, 2]
    assert {"John W. Johnstone Jr", "Jack E. Manning Jr"} <= set(people)  # John/Jack, but two surnames
    assert {"Albert Gore", "Alan Gore"} <= set(people)  # no nicknames of each other
    bushes = _index(
        [
            (1, "Visit\n\nPresident George H. W. Bush said he would go."),
            (2, "Visit\n\nPresident George W. Bush said he would stay."),
            (3, "Visit\n\nVice President George Bush said he agreed."),
        ]
    )
    assert {p.name for p in bushes.persons()} == {"George H. W. Bush", "George W. Bush"}


def test_transliterations_merge_and_role_timeline_orders_by_date() -> None:
    index = PeopleIndex()
    docs = [
        (10, date(2025, 3, 1), "Talks\n\nCSTO Secretary General Talatbek Masadikov said the bloc was ready."),
        (11, date(2022, 1, 5), "Earlier\n\nCSTO Secretary General Stanislav Zas said much the same."),
        (
            12,
            date(2025, 6, 1),
            "Later\n\nTaalatbek Masadykov, the Secretary General of the CSTO, met envoys.",
        ),
    ]
    for doc_id, day, text in docs:
        index.add_document(doc_id, day, extract(text, day))
    people = index.persons()
    assert len(people) == 2 and people[0].documents == (10, 12)  # one Masadykov, whatever the spelling
    assert {people[0].name, *people[0].aliases} >= {"Talatbek Masadikov", "Taalatbek Masadykov"}
    holders = index.holders("secretary general")
    assert [m.person.name for m in holders] == ["Stanislav Zas", people[0].name]
    assert holders[0].since == date(2022, 1, 5) and holders[1].since == date(2025, 3, 1)


def test_mentions_round_trip_through_json() -> None:
    text = (SEED_CORPUS / "003_6d6dcff479a2f79a.txt").read_text(encoding="utf-8")
    mentions = extract(text, date(2024, 4, 1))
    assert mentions_from_json(mentions_to_json(mentions)) == mentions
    assert all(m.sentence == "" for m in mentions_from_json(mentions_to_json(mentions), sentences=False))


# ------------------------------------------------------------------------------ ingest and restarts


def test_a_new_spelling_in_a_new_file_joins_the_known_person(
    dossier: Dossier, corpus_dir: Path, commands: Commands
) -> None:
    (corpus_dir / "new.txt").write_text(
        "CSTO chief speaks\n\n14 March 2025\n\nCSTO Secretary General Talaatbek Masadykov said the "
        "alliance would hold drills. Masadykov added that Kazakhstan agreed.\n",
        encoding="utf-8",
    )
    report = dossier.scan_corpus(corpus_dir)
    assert report.count("added") == 1
    new_id = report.outcomes[0].doc_id
    entry = card(commands, "Масадыков").entries[0]
    assert entry.person.name == "Taalatbek Masadykov"
    assert "Talaatbek Masadykov" in entry.person.aliases
    assert entry.documents[0].id == new_id and entry.documents[0].published == date(2025, 3, 14)
    assert "Masadykov" in (entry.documents[0].sentence or "")
    assert new_id is not None and "Taalatbek Masadykov" in dossier.people_names(new_id)
    assert commands.people is not None and "Taalatbek Masadykov" in commands.people(new_id)


def test_a_changed_file_replaces_its_people(dossier: Dossier, corpus_dir: Path, commands: Commands) -> None:
    zas_file = corpus_dir / "004_4c3000b3cf1095f3.txt"
    zas_id = seed_id(dossier, "004")
    zas_file.write_text(
        "A different story\n\n09 February 2022\n\nDeputy Minister Olga Petrenko said the drills were over.\n",
        encoding="utf-8",
    )
    assert dossier.scan_corpus(corpus_dir).count("updated") == 1
    assert isinstance(commands.handle("/who zas", _caller()), WhoReply)
    assert commands.handle("/who zas", _caller()).kind == "none"  # type: ignore[union-attr]
    assert dossier.people_names(zas_id) == ["Olga Petrenko"]
    stored = dossier.store.people_of([zas_id])[zas_id]
    assert [m.name for m in mentions_from_json(stored)] == ["Olga Petrenko"]


def test_restart_rebuilds_people_from_the_store_without_extracting(
    dossier: Dossier, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    before = [(p.name, p.aliases, p.documents) for p in dossier.all_people()]
    dossier.close()

    def no_extraction(*args: object, **kwargs: object) -> None:
        raise AssertionError("people were re-extracted at start-up")

    monkeypatch.setattr("bot.ingest.scan.extract", no_extraction)  # no file is read again
    monkeypatch.setattr("bot.people_service.extract_people", no_extraction)  # no text is read for people
    again = Dossier.open(data_dir)
    try:
        assert [(p.name, p.aliases, p.documents) for p in again.all_people()] == before
    finally:
        again.close()


def test_documents_stored_before_people_existed_are_extracted_once(dossier: Dossier, data_dir: Path) -> None:
    count = len(dossier.all_people())
    dossier.close()
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    db.execute("DELETE FROM document_people")  # as a store written before the migration
    db.commit()
    db.close()
    again = Dossier.open(data_dir)
    try:
        assert len(again.all_people()) == count
        assert again.store.documents_without_people(EXTRACTOR_VERSION) == []
    finally:
        again.close()


def test_forget_and_cascade_on_delete(dossier: Dossier) -> None:
    zas_id = seed_id(dossier, "004")
    with dossier.store.transaction() as db:
        assert dossier.store.delete_document(db, zas_id)
    dossier.forget_people(zas_id)
    assert dossier.store.people_of([zas_id]) == {}
    assert "Stanislav Zas" not in {p.name for p in dossier.all_people()}


def test_digest_entries_list_the_people(dossier: Dossier, commands: Commands) -> None:
    from datetime import UTC, datetime

    from bot.digest import build_digest
    from bot.models import Subscription

    sub = Subscription(1, None, "user", 1, 0, None, datetime.now(UTC))
    digest = build_digest(dossier.store, sub, datetime.now(UTC), commands.people)
    assert digest is not None
    people = {e.doc.id: e.people for e in digest.entries}
    assert set(people[seed_id(dossier, "004")]) == {"Stanislav Zas", "Kassym-Jomart Tokayev"}


# ------------------------------------------------------------------------------ rendering and the CLI


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


def test_cli_who_json(env: dict[str, str]) -> None:
    proc = run(["who", "masadikov", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"query", "people"} and out["query"] == "masadikov"
    (person,) = out["people"]
    assert set(person) == {"name", "aliases", "roles", "documents"}
    assert person["name"] == "Taalatbek Masadykov" and "Talatbek Masadikov" in person["aliases"]
    assert all(set(r) == {"role", "org", "date", "doc_id"} for r in person["roles"])
    assert all(set(d) == {"id", "source", "date", "title"} for d in person["documents"])
    assert {d["source"][:3] for d in person["documents"]} == {"000", "001"}
    proc = run(["who", "--all", "--json"], env)
    every = json.loads(proc.stdout)
    names = {p["name"] for p in every["people"]}
    assert every["query"] is None and len(names) == 9
    assert {"Stanislav Zas", "R. Otunbayeva", "K. Imnadze", "Kassym-Jomart Tokayev"} <= names
    proc = run(["who", "x"], env)
    assert proc.returncode == 1 and "One letter" in proc.stdout
    proc = run(["who", "secretary", "general"], env)
    assert proc.returncode == 0 and "Stanislav Zas" in proc.stdout


def test_who_json_of_a_refusal_keeps_the_shape(commands: Commands) -> None:
    out = who_json(commands.who(""), "")
    assert out["people"] == [] and "Whom" in out["message"]


# ------------------------------------------------------------------------------ Telegram


async def test_who_in_private_and_in_a_group(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        botapi.user_message("/who Масадыков")
        sent = await botapi.wait_for("sendMessage")
        text = sent.params["text"]
        assert "<b>Taalatbek Masadykov</b>" in text and "Talatbek Masadikov" in text
        assert sent.params["parse_mode"] == "HTML"
        group = botapi.group(forum=True)
        asked = botapi.user_message(f"/who@{BOT_USERNAME} secretary general", chat=group, thread_id=7)
        sent = await botapi.wait_for("sendMessage", chat_id=group.id)
        assert sent.params["message_thread_id"] == 7
        assert sent.params["reply_parameters"]["message_id"] == asked["message_id"]
        body = sent.params["text"]
        assert body.index("Stanislav Zas") < body.index("Imangali Tasmagambetov") < body.index("Masadykov")
        botapi.user_message("/who")
        usage = await botapi.wait_for("sendMessage")
        assert "Whom are you looking for?" in usage.params["text"]
        botapi.user_message("/who <script>alert(1)</script>")
        escaped = await botapi.wait_for("sendMessage")
        assert "&lt;script&gt;" in escaped.params["text"]


async def test_pick_buttons_open_a_card(botapi: FakeBotApi, run_bot: Runner, big_corpus: Path) -> None:
    (big_corpus / "other_zas.txt").write_text(
        "Another Zas\n\n02 May 2023\n\nDeputy Finance Minister Nikolai Zas said the budget was tight.\n",
        encoding="utf-8",
    )
    async with run_bot():
        botapi.user_message("/who zas")
        sent = await botapi.wait_for("sendMessage")
        assert "2</b> people match" in sent.params["text"]
        buttons = [b for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
        assert {b["text"] for b in buttons} == {"Stanislav Zas", "Nikolai Zas"}
        assert all(
            b["callback_data"].startswith("w:") and len(b["callback_data"].encode()) <= 64 for b in buttons
        )
        botapi.press_button(sent, text="Nikolai Zas")
        picked = await botapi.wait_for("sendMessage", lambda c: "Nikolai Zas" in (c.text or ""))
        assert "Deputy Finance Minister" in picked.params["text"] and "Stanislav" not in picked.params["text"]
        assert (await botapi.wait_for("answerCallbackQuery")).ok
        botapi.press_button(sent, data="w:nobody at all", check=False)
        gone = await botapi.wait_for("sendMessage", lambda c: "No one called" in (c.text or ""))
        assert "nobody at all" in gone.params["text"]


def test_a_fuller_name_is_not_folded_into_a_bare_one() -> None:
    text = "Visit\n\nPresident Reagan met the Pope. The statement said Reagan and Nancy Reagan would fly."
    mentions = extract(text, date(1987, 3, 4))
    assert {m.surface for m in mentions if m.name == "Reagan"} == {"Reagan"}


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


def _people_of(d: Dossier) -> list[tuple[str, tuple[str, ...], tuple[int | str, ...]]]:
    return [(p.name, p.aliases, p.documents) for p in d.all_people()]


def test_a_big_scan_extracts_in_a_worker_with_the_same_result(
    dossier: Dossier, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.ingest.scan.PARALLEL_PEOPLE_MIN", 1)
    monkeypatch.setattr("bot.ingest.scan.SCAN_BATCH", 2)  # three batches through the worker, one ahead
    parallel = Dossier.open(tmp_path / "parallel")
    try:
        report = parallel.scan_corpus(corpus_dir)
        assert report.count("added") == 5
        assert _people_of(parallel) == _people_of(dossier)
        stored = parallel.store.people_of([seed_id(parallel, "004")])
        assert "Stanislav Zas" in next(iter(stored.values()))
    finally:
        parallel.close()


def test_a_failing_worker_falls_back_to_extracting_in_process(
    dossier: Dossier, corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr("bot.ingest.scan.PARALLEL_PEOPLE_MIN", 1)
    monkeypatch.setattr("bot.ingest.scan.extract_json_many", lambda docs: [])  # cannot be sent to a worker
    fallback = Dossier.open(tmp_path / "fallback")
    try:
        assert fallback.scan_corpus(corpus_dir).count("added") == 5
        assert _people_of(fallback) == _people_of(dossier)
    finally:
        fallback.close()


def test_console_answers_who(env: dict[str, str]) -> None:
    proc = run(["console"], env, stdin="/who zas\n/who\n/help\n")
    assert proc.returncode == 0, proc.stderr
    assert "Stanislav Zas" in proc.stdout and "Secretary-General, CSTO — 2022-02-09" in proc.stdout
    assert "Whom are you looking for?" in proc.stdout and "/who <name or role>" in proc.stdout


def test_a_full_name_after_of_joins_a_person_known_elsewhere_and_makes_no_one_alone() -> None:
    known = (1, "Fed\n\nFed chairman Alan Greenspan said rates would stay.")
    named = (2, "Markets\n\nMarkets weighed the nomination of Alan Greenspan to succeed the chairman.")
    index = _index([known, named])
    (person,) = [p for p in index.persons() if p.name == "Alan Greenspan"]
    assert sorted(person.documents) == [1, 2]
    alone = _index([named])  # a weak mention never starts a person of its own
    assert "Alan Greenspan" not in {p.name for p in alone.persons()}
    bank = _index([(3, "Shares\n\nThe advice of Morgan Stanley was to wait.")])
    assert not bank.persons()


# ------------------------------------------------------------------------------ headlines, titles


def _stated(doc_id: int, name: str) -> tuple[int, str]:
    return (doc_id, f"REPORT {doc_id}\n\nChairman {name} said the plan would go ahead, item {doc_id}.")


def _index_of(docs: list[tuple[int, str]]) -> PeopleIndex:
    index = PeopleIndex()
    for doc_id, text in docs:
        index.add_document(doc_id, date(1987, 3, 1), extract(text, date(1987, 3, 1)))
    return index


def _docs_of(index: PeopleIndex, name: str) -> list[int]:
    (person,) = [p for p in index.persons() if p.name == name]
    return sorted(int(d) for d in person.documents)


def test_a_headline_only_item_counts_for_the_person_the_collection_knows() -> None:
    known = [_stated(k, "Ivan Boesky") for k in range(1, 9)]
    known += [_stated(k, "James Baker") for k in range(9, 17)]
    items = [
        (101, "BOESKY AIDE DAVIDOFF CONSENTS TO SEC PENALTIES; AGREES TO HELP INVESTIGATION\n1987-04-07"),
        (102, "FEDERAL COURT DISMISSES SUIT AGAINST IVAN BOESKY, COURT CLERK SAYS\n1987-04-13"),
        (103, "MIYAZAWA LEAVES HOTEL FOR MEETING WITH BAKER AT TREASURY\n1987-04-08"),
        # Not him: a body that does not name him, companies, a name that goes on.
        (104, "SEC TALKS WITH BOESKY\n1987-04-01\n\nThe talks went on all day, officials said."),
        (105, "BAKER HUGHES RIG COUNT RISES\n1987-04-03"),
        (106, "BAKER INTERNATIONAL TO SELL PUMP UNIT\n1987-04-03"),
        (107, "BAKER, FENTRESS AND CO <BKFR> VOTES DIVIDEND\n1987-04-03"),
        (108, "BAKER COMMUNICATIONS INC YEAR LOSS\n1987-04-03"),
        (109, "GOLD OPENS FIRMER IN BAKER\n1987-04-03"),
    ]
    index = _index_of(known + items)
    assert _docs_of(index, "Ivan Boesky") == [*range(1, 9), 101, 102]
    assert _docs_of(index, "James Baker") == [*range(9, 17), 103]
    names = {p.name for p in index.persons()}
    assert names == {"Ivan Boesky", "James Baker"}  # a headline word never makes a person ("Davidoff")
    assert {m.surface: m.evidence for m in extract(items[0][1])}["BOESKY"] == "headline"
    assert "Ivan Boesky" in [m.name for m in extract(items[1][1]) if m.evidence == "headline"]
    for _, text in items[3:]:
        assert not [m for m in extract(text) if m.evidence == "headline" and "Baker" in m.name], text


def test_a_headline_word_used_more_than_the_person_is_not_the_person() -> None:
    """Alan Bond, stated in eight texts, is not the "BOND" of five headlines (8 < 2 x 5), and a bare
    headline word needs a person of at least eight documents: a namesake of three gets nothing."""
    known = [_stated(k, "Alan Bond") for k in range(1, 9)]
    known += [_stated(k, "Charles Rose") for k in range(9, 12)]
    bonds = [(100 + k, f"CANADA SELLS {k}-YEAR BOND TODAY\n1987-04-0{k}") for k in range(1, 6)]
    roses = [(200, "U.S. CONSUMER CREDIT ROSE 536 MLN DLRS IN JAN\n1987-03-06")]
    index = _index_of(known + bonds + roses)
    assert _docs_of(index, "Alan Bond") == list(range(1, 9))
    assert _docs_of(index, "Charles Rose") == list(range(9, 12))
    fewer = _index_of(known + bonds[:2])  # two headlines against eight texts: the word is his
    assert _docs_of(fewer, "Alan Bond") == [*range(1, 9), 101, 102]


def test_analysts_of_a_two_word_firm_are_no_person() -> None:
    for text in (
        "Analysts of Morgan Stanley said the market would rise.",
        "Economists of Salomon Brothers expect a cut.",
    ):
        assert extract(text) == [], text
    (m,) = extract("The Republic of Belarus Alexander Shpakovsky said the talks were useful.")
    assert m.name == "Alexander Shpakovsky"
    (m,) = extract("Stanley said he would go.")
    assert m.name == "Stanley"


def test_russian_titles_before_the_name_and_their_organisation_after_the_title() -> None:
    day = date(2024, 5, 1)
    (m,) = extract("Генеральный секретарь ОДКБ Таалатбек Масадыков заявил, что работа идёт.", day)
    assert (m.name, m.evidence, m.role) == (
        "Таалатбек Масадыков",
        "stated",
        Role("Генеральный секретарь", "ОДКБ", day),
    )
    (m,) = extract("Президент Казахстана Касым-Жомарт Токаев заявил это.", day)
    assert (m.name, m.role) == ("Касым-Жомарт Токаев", Role("Президент", "Казахстана", day))
    (m,) = extract("Вчера министр иностранных дел России Сергей Лавров сказал это.", day)
    assert (m.name, m.role) == ("Сергей Лавров", Role("Министр", "иностранных дел России", day))
    index = PeopleIndex()
    index.add_document(1, date(2024, 5, 1), extract("Генеральный секретарь ОДКБ Таалатбек Масадыков заявил."))
    (match,) = index.find("секретарь")
    assert match.kind == "role" and match.person.name == "Таалатбек Масадыков"


def test_chief_of_staff_before_a_name_is_a_role() -> None:
    (m,) = extract("White House chief of staff Donald Regan said the talks failed.", date(1987, 2, 1))
    assert m.role == Role("Chief of Staff", "White House", date(1987, 2, 1))
    (m,) = extract("Chief of Staff Donald Regan said so.")
    assert (m.name, m.role and m.role.title) == ("Donald Regan", "Chief of Staff")
    found = extract("He named Thomas Griscom, a longtime aide to chief of staff Howard Baker, to the post.")
    assert {(x.name, x.role and x.role.title) for x in found} == {
        ("Thomas Griscom", "Aide"),
        ("Howard Baker", "Chief of Staff"),
    }
    index = PeopleIndex()
    index.add_document(1, date(1987, 2, 1), extract("White House chief of staff Donald Regan said no."))
    (match,) = index.find("chief of staff")
    assert match.kind == "role" and match.person.name == "Donald Regan"


def test_russian_and_english_titles_are_one_post() -> None:
    index = PeopleIndex()
    texts = [
        (date(2022, 2, 9), "CSTO Secretary General Stanislav Zas said the talks went well."),
        (date(2024, 5, 1), "Генеральный секретарь ОДКБ Таалатбек Масадыков заявил, что работа идёт."),
        (date(2023, 3, 1), "Вчера министр иностранных дел России Сергей Лавров сказал это."),
    ]
    for doc_id, (day, text) in enumerate(texts, 1):
        index.add_document(doc_id, day, extract(text, day))
    for query in ("secretary general", "генеральный секретарь", "генсек"):
        holders = index.find(query)
        assert [m.person.name for m in holders] == ["Stanislav Zas", "Таалатбек Масадыков"], query
        assert all(m.kind == "role" for m in holders)
    assert [m.person.name for m in index.find("csto secretary general")] == ["Stanislav Zas"]
    (lavrov,) = index.find("foreign minister")
    assert lavrov.kind == "role" and lavrov.person.name == "Сергей Лавров"
    assert [r.title for r in lavrov.roles] == ["Министр"]


def test_a_title_after_a_comma_that_heads_its_own_clause_is_no_apposition() -> None:
    # Wire copy: the title after the comma is the subject of the next clause, not the name before it.
    text = "In response to questions from Reuters, the Henley spokesman\nsaid the filing was late."
    assert extract(text) == []
    (m,) = extract("In an interview with Reuters, chairman G. Robert Durham\nsaid demand was strong.")
    assert (m.name, m.role and m.role.title) == ("G. Robert Durham", "Chairman")
    (m,) = extract("Paul Volcker, chairman of the Federal Reserve Board, said rates would hold.")
    assert (m.name, m.role and m.role.title) == ("Paul Volcker", "Chairman")
    found = extract("Swire may join the new airport for Hong Kong, chairman of both Michael Miles said.")
    assert [(x.name, x.role) for x in found if x.evidence == "stated"] == []
    (m, _) = extract("Taalatbek Masadykov, the new Secretary General of the CSTO. Zas said so.")
    assert (m.name, m.role and m.role.title) == ("Taalatbek Masadykov", "Secretary General")


def test_a_capitalised_common_word_the_text_also_writes_in_lower_case_is_no_name() -> None:
    assert extract("Traders said the market was weak. Some traders expect more selling.") == []
    (m,) = extract("Baker said the talks went well.")
    assert m.name == "Baker"  # a bare surname before a speech verb is still kept (weak)


def test_an_upload_report_names_the_people_of_each_new_document(dossier: Dossier, tmp_path: Path) -> None:
    first = tmp_path / "a.txt"
    first.write_text("Talks\n\nCSTO Secretary General Taalatbek Masadykov said the talks went well.\n")
    second = tmp_path / "b.txt"
    second.write_text("Visit\n\nForeign Minister Sergei Lavrov said he would visit Astana in May.\n")
    report = dossier.ingest_paths([first, second], "test")
    assert [(r.status, r.people) for r in report.outcomes] == [
        ("added", ("Taalatbek Masadykov",)),
        ("added", ("Sergei Lavrov",)),
    ]


def test_places_listed_after_a_plural_title_are_no_holders() -> None:
    found = extract("Finance ministers of Britain, Canada, France and Japan agreed on Sunday.")
    assert [m for m in found if m.evidence == "stated" or m.role is not None] == []
    found = extract("The talks were with Japan and Canada, including Secretary of State\nGeorge Shultz.")
    assert [(m.name, m.role and m.role.title) for m in found] == [("George Shultz", "Secretary")]
    (m,) = extract("The president of Kazakhstan, Kassym-Jomart Tokayev, declared it.")
    assert m.role == Role("President", "Kazakhstan")


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


def test_a_russian_query_finds_an_english_name_by_its_sound() -> None:
    index = _index(
        [
            (1, "Dollar\n\nTreasury Secretary James Baker said the dollar was stable."),
            (2, "Dollar\n\nTreasury Secretary James Baker said it again."),
            (3, "Futures\n\nGerald Beyer, senior vice president of the CME, said volume rose."),
            (4, "Rates\n\nFed Chairman Alan Greenspan said no. Chancellor Nigel Lawson agreed."),
        ]
    )
    expected = (("Бейкер", "James Baker"), ("Гринспен", "Alan Greenspan"), ("Лоусон", "Nigel Lawson"))
    for query, name in expected:
        assert index.find(query)[0].person.name == name, query
    assert index.find("Beiker")[0].person.name == "Gerald Beyer"  # Latin letters are matched as spelt


def test_a_common_plural_is_nobody_and_a_bare_name_joins_only_a_close_spelling() -> None:
    index = _index(
        [
            (1, "Stocks\n\nChairman Oliver S. Travers said the bank would grow."),
            (2, "Stocks\n\nPrices rose, traders said. Traders said he raised his rating of the stock."),
            (3, "Stocks\n\nTraders said the market was calm."),
            (4, "Bid\n\nIts advisor, Smith Barney, Harris Upham And Co Inc, will seek buyers."),
        ]
    )
    (travers,) = [p for p in index.persons() if "Travers" in p.name]
    assert travers.documents == (1,) and "Traders" not in travers.aliases
    assert {p.name for p in index.persons()} == {"Oliver S. Travers"}


def test_a_misspelt_short_surname_merges_but_a_bare_lookalike_does_not_join() -> None:
    index = _index(
        [
            (1, "Rates\n\nFed Chairman Paul Volcker said rates would hold."),
            (2, "Rates\n\nFed Chairman Paul Vocker said rates would hold."),
            (3, "Film\n\nDirector John M. Huston said the film was done."),
            (4, "Oil\n\nHouston said output fell, according to the company."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    assert sorted(people["Paul Volcker"].documents) == [1, 2]
    assert people["John M. Huston"].documents == (3,)


def test_a_name_more_often_a_firms_than_a_persons_is_not_listed_and_forgotten_with_its_documents() -> None:
    texts = {
        1: "Deal\n\nKidder Peabody said he would sell the shares.",
        2: "Deal\n\nKidder Peabody and Co Inc said it bought the shares.",
        3: "Deal\n\nKidder Peabody Group advised the buyer.",
        4: "Cars\n\nDetroit analyst Arvid Jauppi of Arvid Jauppi and Associates said sales fell.",
    }
    index = PeopleIndex()
    for doc_id, text in texts.items():
        firms: list[str] = []
        mentions = extract(text, firms=firms)
        index.add_stored(doc_id, None, mentions_to_json(mentions, firms))
    names = {p.name for p in index.persons()}
    assert "Arvid Jauppi" in names and "Kidder Peabody" not in names
    index.remove_document(2)
    index.remove_document(3)
    assert "Kidder Peabody" in {p.name for p in index.persons()}  # now a person in more documents


def test_a_bare_surname_with_a_title_goes_to_the_namesake_the_text_gives_that_title() -> None:
    text = (
        "Fed\n\nTreasury Secretary James Baker kept the talks going. White House Chief of Staff Howard "
        "Baker has a good relationship with his namesake. Volcker works closely with Treasury Secretary "
        "Baker on debt."
    )
    bare = [m for m in extract(text) if m.surface == "Baker"]
    found = [(m.name, m.role.title if m.role else None) for m in bare]
    assert found == [("James Baker", "Treasury Secretary")]


def test_a_dotted_title_before_a_name_is_its_post_and_no_name_of_its_own() -> None:
    text = (
        '"It is a snake pit," said Wisconsin Rep. Toby Roth. Reagan met Sen.\nBob Dole on Monday.\n'
        "Mr. Smith, who runs a bakery, agreed. Mr. Rooter Corp said it rescinded the pact, and Mr. Rooter "
        "said it would sue. Cambodia's leader is Hun Sen. The talks go on."
    )
    found = {
        (m.name, m.evidence, m.role.title if m.role else None, m.role.org if m.role else None)
        for m in extract(text)
    }
    assert ("Toby Roth", "stated", "Representative", "Wisconsin") in found
    assert ("Bob Dole", "stated", "Senator", None) in found
    assert ("Smith", "stated", None, None) in found
    names = {f[0] for f in found}
    assert "Hun Sen" in names  # no name after "Sen.": the run keeps its surname
    assert not names & {"Wisconsin Rep", "Wisconsin", "Sen", "Rep", "Rooter"}  # Mr. Rooter is a firm here


def test_banks_and_a_firms_analysts_are_no_persons_but_an_organisations_head_is() -> None:
    text = (
        "The loan was arranged by Banca Nazionale del Lavoro and Bank Leumi, according to committee "
        'chairman Citibank. "Sales are weak," said Dean Witter analyst Karen Gibbs. Representatives of '
        "the California State Teachers Retirement System said they object. Securities and Exchange "
        "Commission\nJohn Shad said he wanted a definition. West German Finance Minister Gerhard "
        "Stoltenberg and Bundesbank President Karl Otto Poehl arrived, and Minister of Social Affairs "
        "Louw de Graaf said the strike must end."
    )
    firms: list[str] = []
    names = {m.name for m in extract(text, firms=firms)}
    assert {"Karen Gibbs", "John Shad", "Gerhard Stoltenberg", "Karl Otto Poehl", "Louw de Graaf"} <= names
    assert not names & {"Citibank", "Dean Witter", "Nazionale del Lavoro", "Leumi", "Teachers Retirement"}
    assert "Dean Witter" in firms  # evidence for the whole collection that the name is a firm's


def test_a_family_name_written_first_and_a_two_word_surname_resolve_within_the_text() -> None:
    text = (
        "CHINA MUST CUT DEMAND, ZHAO SAYS\n\nChinese Premier Zhao Ziyang said the threat was over. Zhao "
        "said China should lower costs. Agriculture Minister Denis Bra Kanon will attend; Bra Kanon is due "
        "home on Friday. Lee said he agreed. Chrysler chairman Lee Iacocca spoke. Texan H. Ross Perot and "
        "Ross Perot"
    )
    found = [(m.surface.replace("\n", " "), m.name) for m in extract(text)]
    assert ("ZHAO", "Zhao Ziyang") in found
    assert ("Zhao", "Zhao Ziyang") in found
    assert ("Bra Kanon", "Denis Bra Kanon") in found
    assert ("Lee", "Lee") in found  # "Lee" is also an English first name: not Lee Iacocca
    assert ("Ross Perot", "Ross Perot") in found  # and so is "Ross": not the surname of "Texan H. Ross Perot"


def test_a_short_surname_misspelt_merges_only_with_the_same_first_names_and_post() -> None:
    index = _index(
        [
            (1, "Talks\n\nSecretary of State George Shultz said the talks would go on."),
            (2, "Visit\n\nSecretary of State George Schultz will stop over on his way home."),
            (3, "Budget\n\nWhite House Chief of Staff Donald Regan said the budget was fine."),
            (4, "Speech\n\nPresident Ronald Reagan said the budget was fine."),
            (5, "Shipping\n\nChairman James R. Barker said the sale was done."),
            (6, "Dollar\n\nChairman James Baker said the dollar was stable."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    assert sorted(people["George Shultz"].documents) == [1, 2]
    assert "George Schultz" in people["George Shultz"].aliases
    assert people["Donald Regan"].documents == (3,)  # a first name only close, and another post
    assert people["Ronald Reagan"].documents == (4,)
    assert people["James R. Barker"].documents == (5,)  # the same post, but not all the same first names
    assert people["James Baker"].documents == (6,)


def test_an_arabic_name_goes_on_after_its_article_and_is_filed_under_the_word_after_it() -> None:
    text = (
        "Oil\n\nKuwait's Oil Minister, Sheikh Ali al-Khalifa al-Sabah, said there were no plans for an "
        "emergency meeting. Syrian President Hafez al-Assad met him."
    )
    found = {m.name: m for m in extract(text)}
    assert found["Ali al-Khalifa al-Sabah"].role is not None
    assert "Hafez al-Assad" in found
    assert "Ali" not in found and "Hafez" not in found
    index = _index([(1, text), (2, "Syria\n\nPresident Assad said the talks would go on.")])
    assad = index.find("assad")[0]
    assert assad.person.name == "Hafez al-Assad"
    assert sorted(assad.person.documents) == [1, 2]


def test_a_word_that_starts_firms_names_is_no_person_of_its_own() -> None:
    docs = [(k, f"Brokers\n\nShearson Lehman Brothers said on day {k} it would buy bonds.") for k in (1, 2)]
    docs.append((3, "Offer\n\nThe offer will succeed, said Shearson, the dealer manager of the offer."))
    index = PeopleIndex()
    for doc_id, text in docs:
        firms: list[str] = []
        mentions = extract(text, firms=firms)
        index.add_stored(doc_id, None, mentions_to_json(mentions, firms))
    assert "Shearson" not in {p.name for p in index.persons()}  # a firm's first word in two documents
    index.remove_document(1)
    index.remove_document(2)
    assert "Shearson" in {p.name for p in index.persons()}  # its only documents now call it a manager


def test_an_organisation_after_and_is_another_titles_not_the_name_before() -> None:
    text = (
        "Reagan met Vice-President George Bush and Senate Minority Leader Robert Dole on Monday, and "
        "Dainippon Ink and Chemicals Inc said it would buy the unit."
    )
    firms: list[str] = []
    found = {m.name: m.role for m in extract(text, firms=firms)}
    bush, dole = found["George Bush"], found["Robert Dole"]
    assert bush is not None and bush.title == "Vice-President"
    assert dole is not None and (dole.title, dole.org) == ("Leader", "Senate Minority")
    assert "Dainippon Ink" not in found and "Dainippon Ink" in firms
    text = "He said Byrd and House Speaker Jim Wright agreed."
    wright = {m.name: m.role for m in extract(text)}["Jim Wright"]
    assert wright is not None and wright.org == "House"  # not "Byrd and House"
    text = "Brazilian Science and Technology Minister Renato Archer said."
    archer = {m.name: m.role for m in extract(text)}["Renato Archer"]
    assert archer is not None and archer.org == "Brazilian Science and Technology"


def test_an_organisations_adjective_stays_in_its_name() -> None:
    text = (
        "Federal Reserve Board Chairman Paul Volcker and New York Stock Exchange Chairman John Phelan "
        "spoke. Using President Reagan as a shield, Outgoing United States Ambassador Mike Mansfield said."
    )
    orgs = {m.name: (m.role.org, m.role.former) if m.role else None for m in extract(text)}
    assert orgs["Paul Volcker"] == ("Federal Reserve Board", False)
    assert orgs["John Phelan"] == ("New York Stock Exchange", False)
    assert orgs["Reagan"] == (None, False)  # not President of "Using"
    assert orgs["Mike Mansfield"] == ("United States", True)


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


def test_a_role_asked_with_of_and_a_country_finds_the_holders_stated_with_its_adjective() -> None:
    index = _index(
        [
            (1, "Tokyo\n\nJapanese Prime Minister Yasuhiro Nakasone said the yen was too strong."),
            (2, "Ottawa\n\nCanadian Prime Minister Brian Mulroney said trade talks went well."),
        ]
    )
    assert [m.person.name for m in index.find("prime minister of japan")] == ["Yasuhiro Nakasone"]
    assert [m.person.name for m in index.find("canada prime minister")] == ["Brian Mulroney"]


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


def test_a_role_asked_with_a_country_by_any_of_its_names_finds_the_countrys_holders_only() -> None:
    index = _index(
        [
            (1, "Paris\n\nFrench Finance Minister Edouard Balladur said the franc was stable."),
            (2, "Washington\n\nU.S. President Ronald Reagan said he would veto the bill."),
            (3, "Brasilia\n\nBrazilian President Jose Sarney said the debt talks would resume."),
            (4, "Rio\n\nBrazilian Central Bank President Francisco Gros said reserves were low."),
        ]
    )
    assert [m.person.name for m in index.find("finance minister of france")] == ["Edouard Balladur"]
    assert [m.person.name for m in index.find("president of the united states")] == ["Ronald Reagan"]
    # The president of Brazil, not the president of a Brazilian bank.
    assert [m.person.name for m in index.find("president of brazil")] == ["Jose Sarney"]


def test_an_acronym_ends_no_apposition_and_a_leading_deputy_belongs_to_the_title() -> None:
    text = (
        "Talks are close, said David Mulford, Assistant Secretary of the U.S. Treasury. Prices rose, "
        "said Frederick Meinke, analyst at E.F. Hutton Co. He expects more.\n"
        "Deputy U.S. Trade Representative Michael Smith said so. Acting SEC Chairman Charles Cox agreed. "
        "Vice Chairman and Chief Financial Officer John Reed said nothing."
    )
    roles = {m.name: (m.role.title, m.role.org) for m in extract(text) if m.role}
    assert roles["David Mulford"] == ("Assistant Secretary", "U.S. Treasury")  # the organisation was "U"
    assert roles["Frederick Meinke"] == ("Analyst", "E.F. Hutton Co")  # was "E"
    assert roles["Michael Smith"] == ("Deputy Trade Representative", "U.S.")  # was of "Deputy U.S."
    assert roles["Charles Cox"] == ("Acting Chairman", "SEC")
    assert roles["John Reed"][0] != "Vice Officer"  # a title after "Vice", not an organisation
