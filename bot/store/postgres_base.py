"""What the PostgreSQL store's mixins share: the opaque transaction, the connection and its lock, the
generation bookkeeping, and PostgreSQL's refusals in the domain's words (``bot/store/postgres.py``
composes the mixins into ``PostgresStore``).

One connection per store, guarded by a lock, like the SQLite store: the bot calls the store from worker
threads, and its writes are short. A connection the server dropped (a restart, a failover) is opened again
at the next call; the call that found it dropped fails with ``StoreError``.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager, contextmanager
from typing import Any

import psycopg
from psycopg import errors as pg_errors
from psycopg.conninfo import conninfo_to_dict

from bot.errors import DuplicateText, NoSuchDocument, StoreError, StoreFull
from bot.store import Tx
from bot.store.sql import POSTGRES, _SqlBase

Connection = psycopg.Connection[tuple[Any, ...]]


class _PgTx(Tx):
    """The connection, and the documents this transaction inserted: rows that belong to one of those
    need no check that it exists (no one else can delete it before this commits), so they are sent without
    waiting for an answer (the transaction runs in pipeline mode: one round trip at its end)."""

    __slots__ = ("db", "inserted")

    def __init__(self, db: Connection) -> None:
        self.db = db
        self.inserted: set[int] = set()


def where(url: str) -> str:
    """A database URL as it may be shown and logged: host, port and database, never the password."""
    try:
        params = conninfo_to_dict(url)
    except psycopg.ProgrammingError:
        return "postgresql://(unreadable URL)"
    host, port, name = params.get("host", ""), params.get("port", ""), params.get("dbname", "")
    return f"postgresql://{host}{':' if port else ''}{port}/{name}"


def one_line(exc: Exception) -> str:
    """A driver's message as one line (libpq adds hints on lines of their own)."""
    return " ".join(str(exc).split()) or type(exc).__name__


def connect(url: str) -> Connection:
    """A new connection in autocommit mode (transactions are explicit), its times in UTC.

    Its commits do not wait for the server's disk flush (``synchronous_commit = off``): the durability
    SQLite has in WAL mode with ``synchronous=NORMAL``, which the SQLite store uses. A killed Dossier
    loses nothing it committed; a crash of the server or its machine may lose the last fraction of a
    second of commits, never part of one (the write-ahead log keeps their order, so an upload's
    original is never lost while its document is kept). Without it every document an ingest commits
    waits for a flush (about 6 ms on the benchmark machine: twice SQLite's time for Reuters-21578). A URL
    that sets ``synchronous_commit`` itself (``?options=-c%20synchronous_commit%3Don``) keeps its own."""
    conn = psycopg.connect(url, autocommit=True)
    conn.execute("SET TIME ZONE 'UTC'")
    if "synchronous_commit" not in str(conninfo_to_dict(url).get("options", "")):
        conn.execute("SET synchronous_commit = off")
    return conn


class _Base(_SqlBase):
    """What every aggregate shares: the connection, its lock, and the generation bookkeeping."""

    _dialect = POSTGRES
    url: str
    _db: Connection
    _lock: threading.RLock
    _bulk_db: Connection | None
    _bulk_lock: threading.Lock
    _closed: bool
    _writer: str  # this store's ``ChangeFeed.writer_id``

    @staticmethod
    def _tx(tx: Tx) -> _PgTx:
        if not isinstance(tx, _PgTx):
            raise TypeError(f"not a transaction of this store: {tx!r}")
        return tx

    @classmethod
    def _conn(cls, tx: Tx) -> Connection:
        return cls._tx(tx).db

    def _reconnect(self) -> Connection:
        """A new connection to the store's server; ``StoreError`` when it cannot be reached."""
        try:
            return connect(self.url)
        except psycopg.Error as exc:
            raise StoreError("store.unavailable", where=where(self.url), reason=one_line(exc)) from exc

    @contextmanager
    def _use(self) -> Iterator[Connection]:
        """The connection, under the lock, reopened if the server dropped it; PostgreSQL's errors leave as
        the domain's."""
        with self._lock:
            if self._db.closed and not self._closed:
                self._db = self._reconnect()
            with refusals():
                yield self._db

    def _read(self) -> AbstractContextManager[Connection]:
        return self._use()

    def _rows_with(self, select: str, column: str, ids: Sequence[int]) -> list[Any]:
        """One statement, the ids as one array parameter (``= ANY``)."""
        if not ids:
            return []
        with self._use() as db:
            return db.execute(f"{select} WHERE {column} = ANY(%s)", (list(ids),)).fetchall()

    def _statement(self) -> AbstractContextManager[Connection]:
        """One statement needs no transaction: the connection is in autocommit mode."""
        return self._use()

    def _scan(self) -> AbstractContextManager[Connection]:
        return self._bulk()

    @contextmanager
    def _bulk(self) -> Iterator[Connection]:
        """A second connection, opened when first needed, for reading every document, person or
        signature in batches (the index and people builds at start, in the background): the bot's
        searches and writes meanwhile do not wait for those batches to cross the network."""
        with self._bulk_lock:
            if self._closed:
                raise StoreError("store.unavailable", where=where(self.url), reason="closed")
            if self._bulk_db is None or self._bulk_db.closed:
                self._bulk_db = self._reconnect()
            with refusals():
                yield self._bulk_db

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        """One write transaction of several statements: all of it is committed, or none of it (a single
        statement needs none: the connection is in autocommit mode)."""
        with self._use() as db, db.transaction():
            yield db

    def _row_of(self, tx: Tx, doc_id: int | None, statement: str, params: tuple[object, ...]) -> None:
        """A row that belongs to document ``doc_id`` (the statement writes nothing when the document is
        not stored): ``NoSuchDocument`` then, the transaction still usable. For a document this
        transaction inserted, or none (None), the statement is only sent (no answer awaited)."""
        pg_tx = self._tx(tx)
        if doc_id is None or doc_id in pg_tx.inserted:
            pg_tx.db.execute(statement, params)
            return
        if pg_tx.db.execute(statement + " RETURNING 1", params).fetchone() is None:
            raise NoSuchDocument(doc_id=doc_id)

    def _bump(self, db: Connection, doc_id: int) -> None:
        """A change to document ``doc_id``, inside its transaction: the generation moves on and the
        change is recorded under it for other processes (``bot.store.ChangeFeed``). One statement, its
        answer not awaited (the transaction's pipeline sends it with the rest)."""
        db.execute(
            "WITH bump AS (UPDATE meta SET value = (value::bigint + 1)::text WHERE key = 'generation'"
            " RETURNING value::bigint AS seq)"
            " INSERT INTO document_changes (doc_id, seq, writer) SELECT %s, seq, %s FROM bump"
            " ON CONFLICT (doc_id) DO UPDATE SET seq = excluded.seq, writer = excluded.writer",
            (doc_id, self._writer),
        )

    def generation(self) -> int:
        with self._use() as db:
            row = db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()
        return int(row[0]) if row else 0


@contextmanager
def refusals(doc_id: int | None = None) -> Iterator[None]:
    """PostgreSQL's errors in the domain's words: a second copy of a text, a row for a document that is
    gone, a full disk, a server that cannot be reached."""
    try:
        yield
    except psycopg.Error as exc:
        raise domain_error(exc, doc_id) from exc


def domain_error(exc: psycopg.Error, doc_id: int | None = None) -> StoreError:
    if isinstance(exc, pg_errors.UniqueViolation) and exc.diag.constraint_name == "documents_sha256_key":
        return DuplicateText()
    if isinstance(exc, pg_errors.ForeignKeyViolation):
        return NoSuchDocument(doc_id=doc_id)
    if isinstance(exc, pg_errors.DiskFull):
        return StoreFull()
    if isinstance(exc, psycopg.IntegrityError):
        return StoreError("store.constraint", reason=exc.diag.message_primary or str(exc))
    return StoreError("store.unavailable", where="PostgreSQL", reason=one_line(exc))
