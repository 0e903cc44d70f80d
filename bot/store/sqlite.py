"""The SQLite store: one mixin per aggregate of ``bot.store``'s protocols, each adding to the SQL it shares
with the PostgreSQL store (``bot/store/sql_*.py``, over ``bot.store.sql``'s dialect) what SQLite does its
own way.

SQLite in WAL mode: readers never block the single writer, and a crash mid-transaction leaves the file as
it was before that transaction. The schema is built by ``bot.store.migrations``. One connection, guarded
by a lock: the bot's handlers call the store from worker threads, and SQLite wants one writer at a time
anyway. The opaque ``Tx`` of a write is ``_SqliteTx``, which carries that connection; SQLite's integrity
errors leave as the domain's ``DuplicateText`` and ``NoSuchDocument``.
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager, suppress
from datetime import UTC, datetime
from pathlib import Path

from bot.errors import DamagedStore, StoreError
from bot.models import NewDocument
from bot.store import Tx, sql_documents
from bot.store.migrations import migrate, schema_version
from bot.store.sql_changes import _Changes
from bot.store.sql_chats import _Languages, _Sessions
from bot.store.sql_documents import _CorpusFiles, _People, _Signatures
from bot.store.sql_follows import _Follows
from bot.store.sqlite_base import _Base, _refusals, _SqliteTx
from bot.store.sqlite_chats import _Subscriptions
from bot.store.sqlite_shared import _Leases


class _Documents(sql_documents._Documents, _Base):
    def insert_document(self, tx: Tx, doc: NewDocument) -> int:
        """Insert inside a caller's transaction (so the caller can add its own rows atomically)."""
        db = self._conn(tx)
        with _refusals():
            cur = db.execute(
                "INSERT INTO documents (source, title, published, text, sha256, added_at, added_by)"
                " VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    doc.source,
                    doc.title,
                    doc.published.isoformat() if doc.published else None,
                    doc.text,
                    doc.sha256,
                    datetime.now(UTC).isoformat(timespec="seconds"),
                    doc.added_by,
                ),
            )
        doc_id = int(cur.lastrowid or 0)
        self._bump(db, doc_id)
        return doc_id

    def replace_document(self, tx: Tx, doc_id: int, doc: NewDocument) -> None:
        """New content for an existing id (a corpus file that changed keeps its #id)."""
        db = self._conn(tx)
        with _refusals(doc_id):
            db.execute(
                "UPDATE documents SET source = ?, title = ?, published = ?, text = ?, sha256 = ?"
                " WHERE id = ?",
                (
                    doc.source,
                    doc.title,
                    doc.published.isoformat() if doc.published else None,
                    doc.text,
                    doc.sha256,
                    doc_id,
                ),
            )
        self._bump(db, doc_id)

    def delete_document(self, tx: Tx, doc_id: int) -> bool:
        db = self._conn(tx)
        cur = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if cur.rowcount:
            self._bump(db, doc_id)
        return cur.rowcount > 0


class _Originals(sql_documents._Originals, _Base):
    def original_bytes(self) -> None:
        """None: the original files are files under <data>/originals (``bot.ingest.originals``)."""
        return None


class _Meta(sql_documents._Meta, _Base):
    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self._db)

    def size_bytes(self) -> int:
        """The database on disk, write-ahead log included."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                total += Path(str(self.path) + suffix).stat().st_size
        return total


OPEN_ATTEMPTS = 8  # tries at opening a store another process is creating at the same moment


class SqliteStore(
    _Documents,
    _People,
    _CorpusFiles,
    _Originals,
    _Signatures,
    _Subscriptions,
    _Follows,
    _Languages,
    _Sessions,
    _Meta,
    _Changes,
    _Leases,
):
    """``bot.store.Store`` on one SQLite file: opened (created and migrated when new), its integrity
    checked first, so a damaged file stops start-up with one line instead of failing later."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._writer = secrets.token_hex(8)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
        except (OSError, sqlite3.Error) as exc:
            raise StoreError("store.cannot_open", path=path, reason=exc) from exc
        self._lock = threading.RLock()
        try:
            # The wait first: two processes opening a new store at once both switch it to WAL, and the
            # second would otherwise be refused at once ("database is locked").
            self._db.execute("PRAGMA busy_timeout=5000")
            for attempt in range(OPEN_ATTEMPTS):
                try:
                    self._prepare(path)
                    break
                except sqlite3.OperationalError as exc:
                    # Switching a new file to WAL can be refused without the busy wait while another
                    # process does the same; every step is safe to repeat (``migrate`` reads the version
                    # inside its transaction).
                    busy = exc.sqlite_errorcode & 0xFF in (sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED)
                    if not busy or attempt == OPEN_ATTEMPTS - 1:
                        raise
                    time.sleep(0.05 * (attempt + 1))
        except sqlite3.Error as exc:
            self._db.close()
            raise _opening_error(path, exc) from exc
        except StoreError:
            self._db.close()
            raise

    def _prepare(self, path: Path) -> None:
        self._db.execute("PRAGMA journal_mode=WAL")
        self._db.execute("PRAGMA synchronous=NORMAL")
        self._db.execute("PRAGMA foreign_keys=ON")
        self._check_integrity()
        migrate(self._db, path)

    def _check_integrity(self) -> None:
        """``PRAGMA quick_check``: every page and b-tree well formed (it skips only the comparison of
        indexes with their tables, so it reads the file once). A truncated or garbled file fails here."""
        problems = [str(r[0]) for r in self._db.execute("PRAGMA quick_check(3)").fetchall()]
        if problems != ["ok"]:
            raise DamagedStore(path=self.path, reason="; ".join(problems))

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One write transaction: all of it is committed, or none of it."""
        with self._write() as db:
            yield _SqliteTx(db)


def _opening_error(path: Path, exc: sqlite3.Error) -> StoreError:
    """A file SQLite cannot read as a database (garbled header, malformed pages) is damaged; any other
    failure (a locked or unreadable file) is a plain cannot-open."""
    if isinstance(exc, sqlite3.DatabaseError) and not isinstance(exc, sqlite3.OperationalError):
        return DamagedStore(path=path, reason=exc)
    return StoreError("store.cannot_open", path=path, reason=exc)
