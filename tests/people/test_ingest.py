"""People kept up to date by ingest: the seeds, new and changed files, restarts from the stored form,
deletes, digests, upload reports, and a big scan extracting in a worker."""

from __future__ import annotations

import sqlite3
from datetime import date
from pathlib import Path

import pytest

from bot.commands import Commands
from bot.commands.replies import WhoReply
from bot.core import Dossier
from bot.people import EXTRACTOR_VERSION, extract, mentions_from_json, mentions_to_json
from tests.conftest import SEED_CORPUS, seed_id
from tests.people.conftest import caller, card

NON_PERSONS = (
    "Crocus City Hall",
    "Mangistau",
    "Golan Heights",
    "Valdai",
    "Astana Declaration",
    "National Defense",
    "Creative Commons",
)


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


def test_mentions_round_trip_through_json() -> None:
    text = (SEED_CORPUS / "003_6d6dcff479a2f79a.txt").read_text(encoding="utf-8")
    mentions = extract(text, date(2024, 4, 1))
    assert mentions_from_json(mentions_to_json(mentions)) == mentions
    assert all(m.sentence == "" for m in mentions_from_json(mentions_to_json(mentions), sentences=False))


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
    assert isinstance(commands.handle("/who zas", caller()), WhoReply)
    assert commands.handle("/who zas", caller()).kind == "none"  # type: ignore[union-attr]
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
    monkeypatch.setattr("bot.people.service.extract_people", no_extraction)  # no text is read for people
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
