"""The store against real SQLite files: migrations, dedup, restart keeps ids."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from bot.core import Dossier
from bot.ingest import prepare_text
from bot.search.query import parse_query
from bot.store import MIGRATIONS, Store, StoreError


def test_fresh_store_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    store = Store(tmp_path / "s.sqlite3")
    assert store.schema_version == len(MIGRATIONS)
    mode = sqlite3.connect(tmp_path / "s.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_store_from_a_newer_dossier_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    db.execute("PRAGMA user_version = 999")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        Store(tmp_path / "s.sqlite3")


def test_same_content_is_stored_once(tmp_path: Path) -> None:
    d = Dossier.open(tmp_path)
    first = d.add_prepared(prepare_text("a.txt", "Hello   World\nagain"), added_by="test")
    second = d.add_prepared(prepare_text("b.txt", "hello world again"), added_by="test")
    assert first.status == "added"
    assert second.status == "duplicate" and second.doc_id == first.doc_id
    assert d.store.count_documents() == 1
    doc = d.document(first.doc_id or 0)
    assert doc is not None and doc.added_by == "test" and len(doc.sha256) == 64


def test_restart_keeps_ids_and_does_not_reread_unchanged_files(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    first = d.scan_corpus(corpus_dir)
    ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    d.close()
    assert first.count("added") == 5

    d2 = Dossier.open(data_dir)
    again = d2.scan_corpus(corpus_dir)
    assert again.unchanged == 5 and again.outcomes == []
    assert {doc.source: doc.id for doc in d2.store.iter_documents()} == ids
    assert len(d2) == 5  # index came back (from its snapshot)
    d2.close()


def test_changed_file_keeps_its_id_and_new_file_gets_the_next(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    target = corpus_dir / "004_4c3000b3cf1095f3.txt"
    target.write_text(
        target.read_text(encoding="utf-8") + "\nAn added line about Zanzibar.\n", encoding="utf-8"
    )
    (corpus_dir / "005_new.md").write_text("# New report\n\nNothing about Zanzibar.\n", encoding="utf-8")
    report = d.scan_corpus(corpus_dir)
    assert report.count("updated") == 1 and report.count("added") == 1
    new_ids = {doc.source: doc.id for doc in d.store.iter_documents()}
    assert new_ids["004_4c3000b3cf1095f3.txt"] == ids["004_4c3000b3cf1095f3.txt"]
    assert new_ids["005_new.md"] == max(ids.values()) + 1
    from bot.search.query import parse_query

    found = {h.doc.id for h in d.search(parse_query("zanzibar")).hits}
    assert found == {new_ids["004_4c3000b3cf1095f3.txt"], new_ids["005_new.md"]}


def test_stale_index_snapshot_is_rebuilt(corpus_dir: Path, data_dir: Path) -> None:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    # A document committed to the store without the snapshot being saved, as after a crash.
    d.add_prepared(prepare_text("late.txt", "Late arrival about Zanzibar"), added_by="test")
    d.close()
    d2 = Dossier.open(data_dir)
    from bot.search.query import parse_query

    assert [h.doc.source for h in d2.search(parse_query("zanzibar")).hits] == ["late.txt"]


def test_a_scan_read_by_a_worker_process_stores_what_a_serial_scan_stores(
    corpus_dir: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import threading

    import bot.ingest.scan

    (corpus_dir / "junk.txt").write_bytes(b"\x00\x01binary\x00" * 50)
    (corpus_dir / "empty.md").write_bytes(b"")

    def scan(parallel_from: int, where: str) -> tuple[list[object], list[tuple[str, str]], list[str]]:
        monkeypatch.setattr(bot.ingest.scan, "PARALLEL_FROM", parallel_from)
        d = Dossier.open(tmp_path / where)
        report = d.scan_corpus(corpus_dir)
        docs: list[object] = [(doc.id, doc.source, doc.title, doc.sha256) for doc in d.store.iter_documents()]
        people = sorted(d.store.iter_people(), key=lambda row: row[0])  # people extracted by the workers
        docs += people
        outcomes: list[tuple[str, str]] = sorted((o.source, o.status) for o in report.outcomes)
        names = [p.name for p in d.all_people()]
        found = [h.doc.id for h in d.search(parse_query("masadikov")).hits]
        d.close()
        return docs, outcomes, [*names, *map(str, found)]

    assert threading.active_count() == 1  # else the scan stays in process and this compares nothing
    assert scan(1, "forked") == scan(10**9, "serial")
    assert ("junk.txt", "skipped") in scan(1, "again")[1]
