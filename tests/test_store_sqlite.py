"""The SQLite store's own behaviour, on real files: WAL, migrations, the opaque transaction, and damaged
files (a garbled or truncated database stops start-up with one line; damaged people rows make /who and
/stats say the people index could not be built instead of "No one called …")."""

from __future__ import annotations

import logging
import sqlite3
import threading
from pathlib import Path

import pytest

import bot.store.migrations
from bot.commands import Caller, Commands
from bot.core import Dossier
from bot.errors import DamagedStore, StoreError
from bot.render_text import render
from bot.settings import Settings
from bot.store import Tx
from bot.store.migrations import MIGRATIONS
from bot.store.sqlite import SqliteStore
from tests.test_cli import run


def test_fresh_store_is_migrated_to_the_latest_version(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    assert store.schema_version == len(MIGRATIONS)
    mode = sqlite3.connect(tmp_path / "s.sqlite3").execute("PRAGMA journal_mode").fetchone()[0]
    assert mode == "wal"
    store.close()


def test_store_from_a_newer_dossier_is_refused(tmp_path: Path) -> None:
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    db.execute("PRAGMA user_version = 999")
    db.close()
    with pytest.raises(StoreError, match="newer"):
        SqliteStore(tmp_path / "s.sqlite3")


def test_a_failing_migration_leaves_the_store_at_the_last_whole_step(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    SqliteStore(tmp_path / "s.sqlite3").close()

    def half_done(db: sqlite3.Connection) -> None:
        db.execute("CREATE TABLE later (x INTEGER)")
        raise RuntimeError("power cut")

    monkeypatch.setattr(bot.store.migrations, "MIGRATIONS", (*MIGRATIONS, half_done))
    with pytest.raises(RuntimeError):
        SqliteStore(tmp_path / "s.sqlite3")
    db = sqlite3.connect(tmp_path / "s.sqlite3")
    assert db.execute("PRAGMA user_version").fetchone()[0] == len(MIGRATIONS)
    assert db.execute("SELECT 1 FROM sqlite_master WHERE name = 'later'").fetchone() is None
    db.close()


def test_the_transaction_token_is_opaque(tmp_path: Path) -> None:
    store = SqliteStore(tmp_path / "s.sqlite3")
    with store.transaction() as tx:
        assert isinstance(tx, Tx) and not isinstance(tx, sqlite3.Connection)
    with pytest.raises(TypeError):
        store.set_meta(Tx(), "k", "v")  # a token the store did not hand out
    store.close()


# ----------------------------------------------------------------- damaged files
@pytest.fixture
def stored(corpus_dir: Path, data_dir: Path) -> Path:
    """The data folder's database after the seed corpus was read, checkpointed into its one file."""
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    d.close()
    path = data_dir / "dossier.sqlite3"
    db = sqlite3.connect(path)
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    return path


def page_of(path: Path, table: str) -> tuple[int, int]:
    """(offset, size) of a table's root page in the file."""
    db = sqlite3.connect(path)
    root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = ?", (table,)).fetchone()[0]
    size = db.execute("PRAGMA page_size").fetchone()[0]
    db.close()
    return (root - 1) * size, size


def test_a_garbled_database_is_refused_as_damaged(stored: Path) -> None:
    data = bytearray(stored.read_bytes())
    data[:100] = b"\x13" * 100  # the header
    stored.write_bytes(bytes(data))
    with pytest.raises(DamagedStore) as caught:
        SqliteStore(stored)
    assert str(stored) in str(caught.value) and "restore it from a backup" in str(caught.value)


def test_a_truncated_database_is_refused_as_damaged(stored: Path) -> None:
    stored.write_bytes(stored.read_bytes()[: 4096 * 10])
    with pytest.raises(DamagedStore, match="damaged"):
        SqliteStore(stored)


def test_a_garbled_page_fails_the_integrity_check(stored: Path) -> None:
    offset, size = page_of(stored, "documents")
    data = bytearray(stored.read_bytes())
    data[offset : offset + size] = b"\xa5" * size
    stored.write_bytes(bytes(data))
    with pytest.raises(DamagedStore, match="damaged"):
        SqliteStore(stored)


def test_a_damaged_database_stops_start_up_with_one_line(stored: Path, env: dict[str, str]) -> None:
    stored.write_bytes(b"\x13" * 100 + stored.read_bytes()[100:])
    proc = run(["search", "csto"], env)
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1, proc.stderr
    assert lines[0].startswith(f"dossier: the database {stored} is damaged")
    assert "restore it from a backup" in lines[0] and "Traceback" not in proc.stderr


def damage_people_rows(path: Path) -> None:
    """Garbage over the stored mentions inside the people table's page, the page structure intact (so
    the start-up check passes, as it does for bit rot inside a row): reading them fails."""
    offset, size = page_of(path, "document_people")
    db = sqlite3.connect(path)
    values = [str(r[0]).encode() for r in db.execute("SELECT mentions FROM document_people")]
    db.close()
    data = bytearray(path.read_bytes())
    for value in values:
        at = data.index(value, offset, offset + size)
        data[at + 1 : at + len(value) - 1] = b"\xff" * (len(value) - 2)
    path.write_bytes(bytes(data))


def test_who_and_stats_say_the_people_index_could_not_be_built(
    stored: Path, data_dir: Path, settings: Settings, caplog: pytest.LogCaptureFixture
) -> None:
    damage_people_rows(stored)
    with caplog.at_level(logging.ERROR):
        dossier = Dossier.open(data_dir)
        commands = Commands(dossier, settings)
        who = render(commands.handle("/who Masadikov", Caller(transport="console")))
        stats = render(commands.handle("/stats", Caller(is_admin=True, transport="console")))
    dossier.close()
    assert "No one called" not in who
    assert "The people index could not be built: Could not decode to UTF-8" in who
    assert "People: unknown, the people index could not be built" in stats and "People: 0" not in stats
    assert any(r.levelno == logging.ERROR and "people index" in r.getMessage() for r in caplog.records)


def test_who_on_the_command_line_says_so_too(stored: Path, env: dict[str, str]) -> None:
    damage_people_rows(stored)
    proc = run(["who", "Masadikov"], env)
    assert proc.returncode == 1
    assert "people index could not be built" in proc.stdout and "No one called" not in proc.stdout
    assert "ERROR" in proc.stderr  # the log line the admins see


def test_processes_opening_a_new_store_at_once_migrate_it_once(tmp_path: Path) -> None:
    """Two replicas (or the bot and ``python -m bot ingest``) starting on a new store at the same moment:
    one runs each migration, the other finds it done (it used to run it again and fail)."""
    path = tmp_path / "dossier.sqlite3"
    start = threading.Barrier(6)
    failures: list[BaseException] = []

    def open_one() -> None:
        start.wait()
        try:
            SqliteStore(path).close()
        except BaseException as exc:
            failures.append(exc)

    threads = [threading.Thread(target=open_one) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert failures == []
    store = SqliteStore(path)
    assert store.schema_version == len(MIGRATIONS)
    store.close()
