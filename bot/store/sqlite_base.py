"""What the SQLite store's mixins share: the opaque transaction, the connection and its lock, the
generation and change bookkeeping, and SQLite's refusals in the domain's words (``bot/store/sqlite.py``
composes the mixins into ``SqliteStore``)."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path
from typing import Any

from bot.errors import DuplicateText, NoSuchDocument, StoreError, StoreFull
from bot.store import Tx
from bot.store.sql import SQLITE, _SqlBase


class _SqliteTx(Tx):
    __slots__ = ("db",)

    def __init__(self, db: sqlite3.Connection) -> None:
        self.db = db


class _Base(_SqlBase):
    """What every aggregate shares: the connection, its lock, and the generation bookkeeping."""

    _dialect = SQLITE
    path: Path
    _db: sqlite3.Connection
    _lock: threading.RLock
    _writer: str  # this connection's ``ChangeFeed.writer_id``

    @staticmethod
    def _conn(tx: Tx) -> sqlite3.Connection:
        if not isinstance(tx, _SqliteTx):
            raise TypeError(f"not a transaction of this store: {tx!r}")
        return tx.db

    def _bump(self, db: sqlite3.Connection, doc_id: int) -> None:
        """A change to document ``doc_id``, inside its transaction: the generation moves on and the
        change is recorded under it for other processes (``bot.store.ChangeFeed``)."""
        cur = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(cur + 1),))
        db.execute(
            "INSERT INTO document_changes (doc_id, seq, writer) VALUES (?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET seq = excluded.seq, writer = excluded.writer",
            (doc_id, cur + 1, self._writer),
        )

    @contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction on the connection: all of it is committed, or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
                self._db.execute("COMMIT")
            except BaseException as exc:
                if self._db.in_transaction:
                    self._db.execute("ROLLBACK")
                if isinstance(exc, sqlite3.OperationalError) and exc.sqlite_errorcode == sqlite3.SQLITE_FULL:
                    raise StoreFull() from exc
                raise

    def _read(self) -> AbstractContextManager[sqlite3.Connection]:
        return _Held(self)

    def _scan(self) -> AbstractContextManager[sqlite3.Connection]:
        return self._read()

    def _row_of(self, tx: Tx, doc_id: int | None, statement: str, params: tuple[object, ...]) -> None:
        """Its row count tells whether the row was written (an upsert's update counts); a foreign key
        the statement breaks (a ``near_dup_of`` that is gone) leaves as ``NoSuchDocument`` too."""
        db = self._conn(tx)
        with _refusals(doc_id):
            if db.execute(statement, params).rowcount == 0 and doc_id is not None:
                raise NoSuchDocument(doc_id=doc_id)

    def _rows_with(self, select: str, column: str, ids: Sequence[int]) -> list[Any]:
        """In chunks, each under SQLite's limit on bound parameters, under one hold of the lock."""
        rows: list[Any] = []
        with self._lock:
            for chunk in _chunks(ids):
                rows += self._db.execute(f"{select} WHERE {column} IN ({_marks(chunk)})", chunk).fetchall()
        return rows

    def _statement(self) -> AbstractContextManager[sqlite3.Connection]:
        """A write of one statement is a write transaction all the same: its ``BEGIN IMMEDIATE`` waits for
        the other writers, and a full disk leaves as ``StoreFull``."""
        return self._write()

    def generation(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])


class _Held(AbstractContextManager[sqlite3.Connection]):
    """A store's connection under its lock, for reads: a plain context manager, since a read takes a few
    microseconds and a generator-based one would add a fifth to it."""

    __slots__ = ("_store",)

    def __init__(self, store: _Base) -> None:
        self._store = store

    def __enter__(self) -> sqlite3.Connection:
        self._store._lock.acquire()
        return self._store._db

    def __exit__(self, *exc: object) -> None:
        self._store._lock.release()


@contextmanager
def _refusals(doc_id: int | None = None) -> Iterator[None]:
    """SQLite's constraint errors in the domain's words: a second copy of a text, a row for a document
    that is gone."""
    try:
        yield
    except sqlite3.IntegrityError as exc:
        text = str(exc)
        if "documents.sha256" in text:
            raise DuplicateText() from exc
        if "FOREIGN KEY" in text:
            raise NoSuchDocument(doc_id=doc_id) from exc
        raise StoreError("store.constraint", reason=text) from exc


def _chunks(ids: Sequence[int], size: int = 500) -> Iterator[tuple[int, ...]]:
    """Ids in chunks, each under SQLite's limit on bound parameters."""
    for k in range(0, len(ids), size):
        yield tuple(ids[k : k + size])


def _marks(ids: Sequence[int]) -> str:
    return ",".join("?" * len(ids))
