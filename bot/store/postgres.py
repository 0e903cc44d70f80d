"""The PostgreSQL store: ``bot.store``'s protocols over one PostgreSQL database, one mixin per aggregate
(the twin of ``bot/store/sqlite.py``: what both run as written is in ``bot/store/sql_*.py``), chosen by
``DOSSIER_DATABASE_URL``.

Every table lives in the database, the uploaded originals' bytes too (``original_files``), so processes
on other machines share everything but their search-index snapshot. The schema is built by
``bot.store.postgres_migrations``, the twin of SQLite's migrations. A refusal a caller may recover from
inside its transaction (a row for a document deleted meanwhile, a second copy of a text) is found by the
statement itself (``ON CONFLICT``, ``WHERE EXISTS``) rather than by an error, which in PostgreSQL would
abort the whole transaction.

For processes that coordinate (change notifications, leases), ``PostgresStore.url`` and
``PostgresStore.connect()`` give a connection of their own (``LISTEN`` needs one that is not shared), and
``PostgresStore.advisory_xact_lock`` takes a lock for the length of a transaction.
"""

from __future__ import annotations

import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime

import psycopg

from bot.errors import DuplicateText, StoreError
from bot.models import NewDocument
from bot.store import Tx, sql_documents
from bot.store.postgres_base import Connection, _Base, _PgTx, connect, one_line, where
from bot.store.postgres_chats import _Subscriptions
from bot.store.postgres_migrations import migrate, schema_version
from bot.store.postgres_originals import _OriginalFiles
from bot.store.postgres_shared import _Leases
from bot.store.sql_changes import _Changes
from bot.store.sql_chats import _Languages, _Sessions
from bot.store.sql_documents import _CorpusFiles, _Originals, _People, _Signatures
from bot.store.sql_follows import _Follows


class _Documents(sql_documents._Documents, _Base):
    def insert_document(self, tx: Tx, doc: NewDocument) -> int:
        """Insert inside a caller's transaction; ``DuplicateText`` (the transaction still usable) when the
        text is stored already. One statement (one round trip) with the generation's bump."""
        pg_tx = self._tx(tx)
        row = pg_tx.db.execute(
            "WITH ins AS (INSERT INTO documents (source, title, published, text, sha256, added_at, added_by)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s) ON CONFLICT (sha256) DO NOTHING RETURNING id),"
            " bump AS (UPDATE meta SET value = (value::bigint + 1)::text"
            " WHERE key = 'generation' AND EXISTS (SELECT 1 FROM ins) RETURNING value::bigint AS seq),"
            " change AS (INSERT INTO document_changes (doc_id, seq, writer) SELECT ins.id, bump.seq, %s"
            " FROM ins, bump ON CONFLICT (doc_id) DO UPDATE SET seq = excluded.seq, writer = excluded.writer)"
            " SELECT (SELECT id FROM ins)",
            (
                doc.source,
                doc.title,
                doc.published,
                doc.text,
                doc.sha256,
                datetime.now(UTC).replace(microsecond=0),
                doc.added_by,
                self._writer,
            ),
        ).fetchone()
        if row is None or row[0] is None:
            raise DuplicateText()
        pg_tx.inserted.add(int(row[0]))
        return int(row[0])

    def replace_document(self, tx: Tx, doc_id: int, doc: NewDocument) -> None:
        """New content for an existing id; ``DuplicateText`` when another document has that text."""
        db = self._conn(tx)
        replaced = db.execute(
            "UPDATE documents SET source = %s, title = %s, published = %s, text = %s, sha256 = %s"
            " WHERE id = %s AND NOT EXISTS (SELECT 1 FROM documents WHERE sha256 = %s AND id <> %s)"
            " RETURNING id",
            (doc.source, doc.title, doc.published, doc.text, doc.sha256, doc_id, doc.sha256, doc_id),
        ).fetchone()
        if replaced is None and db.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,)).fetchone():
            raise DuplicateText()
        self._bump(db, doc_id)

    def delete_document(self, tx: Tx, doc_id: int) -> bool:
        pg_tx = self._tx(tx)
        deleted = pg_tx.db.execute("DELETE FROM documents WHERE id = %s RETURNING id", (doc_id,)).fetchone()
        pg_tx.inserted.discard(doc_id)
        if deleted:
            self._bump(pg_tx.db, doc_id)
        return deleted is not None


class _Meta(sql_documents._Meta, _Base):
    @property
    def schema_version(self) -> int:
        with self._use() as db:
            return schema_version(db)

    def size_bytes(self) -> int:
        """The database's size on the server, without the original files (``original_bytes_size``)."""
        with self._use() as db:
            row = db.execute(
                "SELECT pg_database_size(current_database()) - pg_total_relation_size('original_files')"
            ).fetchone()
        return int(row[0]) if row else 0


class PostgresStore(
    _Documents,
    _People,
    _CorpusFiles,
    _Originals,
    _OriginalFiles,
    _Signatures,
    _Subscriptions,
    _Languages,
    _Sessions,
    _Follows,
    _Meta,
    _Changes,
    _Leases,
):
    """``bot.store.Store`` on a PostgreSQL database (``url``: ``postgresql://user:password@host/db``):
    connected, and migrated when behind. ``StoreError`` when the server cannot be reached or refuses."""

    def __init__(self, url: str) -> None:
        self.url = url
        self._closed = False
        self._lock = threading.RLock()
        self._bulk_lock = threading.Lock()
        self._bulk_db: Connection | None = None
        try:
            self._db = connect(url)
        except psycopg.Error as exc:
            raise StoreError("store.cannot_open", path=where(url), reason=one_line(exc)) from exc
        try:
            migrate(self._db, where(url))
        except psycopg.Error as exc:
            self._db.close()
            raise StoreError("store.cannot_open", path=where(url), reason=one_line(exc)) from exc
        except StoreError:
            self._db.close()
            raise
        self._writer = secrets.token_hex(8)

    def close(self) -> None:
        with self._lock:
            self._closed = True
            self._db.close()
        with self._bulk_lock:
            if self._bulk_db is not None:
                self._bulk_db.close()

    @contextmanager
    def transaction(self) -> Iterator[Tx]:
        """One write transaction: all of it is committed, or none of it. In pipeline mode: statements
        whose answer is not needed go out without a round trip each (an ingest sends seven a document)."""
        with self._use() as db, db.pipeline(), db.transaction():
            yield _PgTx(db)

    # For processes that coordinate through the database (not used by a single process).
    def connect(self) -> Connection:
        """A new connection of the caller's own (autocommit, UTC), e.g. for ``LISTEN``: close it when done."""
        return connect(self.url)

    @staticmethod
    def advisory_xact_lock(tx: Tx, key: int, *, wait: bool = True) -> bool:
        """Take the advisory lock ``key`` until ``tx`` ends (``wait=False``: only if free; False if not)."""
        db = _Base._conn(tx)
        if wait:
            db.execute("SELECT pg_advisory_xact_lock(%s)", (key,))
            return True
        row = db.execute("SELECT pg_try_advisory_xact_lock(%s)", (key,)).fetchone()
        return bool(row and row[0])
