"""The PostgreSQL store: ``bot.store``'s protocols over one PostgreSQL database, one mixin per aggregate
(the twin of ``bot/store/sqlite.py``), chosen by ``DOSSIER_DATABASE_URL``.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime
from typing import Any

import psycopg

from bot.errors import DuplicateText, StoreError
from bot.models import CorpusFile, Document, NewDocument
from bot.store import DocumentHead, Tx
from bot.store.postgres_base import Connection, _Base, _PgTx, connect, one_line, where
from bot.store.postgres_chats import _Subscriptions
from bot.store.postgres_migrations import migrate, schema_version
from bot.store.postgres_originals import _OriginalFiles, _Originals
from bot.store.postgres_shared import _Changes, _Leases
from bot.store.sql_chats import _Languages, _Sessions
from bot.store.sql_follows import _Follows

_DOC_COLUMNS = "id, source, title, published, text, sha256, added_at, added_by"


class _Documents(_Base):
    def find_by_hash(self, sha256: str) -> int | None:
        with self._use() as db:
            row = db.execute("SELECT id FROM documents WHERE sha256 = %s", (sha256,)).fetchone()
        return int(row[0]) if row else None

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

    def get(self, doc_id: int) -> Document | None:
        with self._use() as db:
            row = db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = %s", (doc_id,)).fetchone()
        return _document(row) if row else None

    def exists(self, doc_id: int) -> bool:
        with self._use() as db:
            return db.execute("SELECT 1 FROM documents WHERE id = %s", (doc_id,)).fetchone() is not None

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]:
        if not ids:
            return {}
        with self._use() as db:
            rows = db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ANY(%s)", (list(ids),)
            ).fetchall()
        return {int(r[0]): _document(r) for r in rows}

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, fetched in batches so a big corpus is never all in memory."""
        last = 0
        while True:
            with self._bulk() as db:
                rows = db.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > %s ORDER BY id LIMIT %s", (last, batch)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = int(rows[-1][0])

    def count_documents(self) -> int:
        with self._use() as db:
            row = db.execute("SELECT COUNT(*) FROM documents").fetchone()
        return int(row[0]) if row else 0

    def documents_after(self, doc_id: int, limit: int) -> tuple[list[Document], int, int]:
        """The first ``limit`` documents with id above ``doc_id``, how many there are in all, and the
        highest id among them (0 when none)."""
        with self._use() as db:
            head = db.execute(
                "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM documents WHERE id > %s", (doc_id,)
            ).fetchone()
            rows = db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > %s ORDER BY id LIMIT %s", (doc_id, limit)
            ).fetchall()
        count, top = head if head else (0, 0)
        return [_document(r) for r in rows], int(count), int(top)

    def document_heads(self, doc_ids: Sequence[int]) -> dict[int, DocumentHead]:
        """(source, title, published) of these documents, without their text."""
        if not doc_ids:
            return {}
        with self._use() as db:
            rows = db.execute(
                "SELECT id, source, title, published FROM documents WHERE id = ANY(%s)", (list(doc_ids),)
            ).fetchall()
        return {int(r[0]): (str(r[1]), str(r[2]), r[3]) for r in rows}


class _People(_Base):
    def set_people(self, tx: Tx, doc_id: int, extractor: int, mentions_json: str) -> None:
        """A document's extracted mentions, inside the caller's transaction; replaces earlier ones."""
        self._row_of(
            tx,
            doc_id,
            "INSERT INTO document_people (doc_id, extractor, mentions)"
            " SELECT id, %s, %s FROM documents WHERE id = %s"
            " ON CONFLICT (doc_id) DO UPDATE SET extractor = excluded.extractor,"
            " mentions = excluded.mentions",
            (extractor, mentions_json, doc_id),
        )

    def iter_people(self, batch: int = 2000) -> Iterator[tuple[int, date | None, str]]:
        """(doc_id, published, mentions JSON) of every document with stored mentions, in id order."""
        last = 0
        while True:
            with self._bulk() as db:
                rows = db.execute(
                    "SELECT p.doc_id, d.published, p.mentions FROM document_people p"
                    " JOIN documents d ON d.id = p.doc_id WHERE p.doc_id > %s ORDER BY p.doc_id LIMIT %s",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), row[1], str(row[2])
            last = int(rows[-1][0])

    def people_of(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """Stored mentions JSON of these documents (those that have any)."""
        if not doc_ids:
            return {}
        with self._use() as db:
            rows = db.execute(
                "SELECT doc_id, mentions FROM document_people WHERE doc_id = ANY(%s)", (list(doc_ids),)
            ).fetchall()
        return {int(r[0]): str(r[1]) for r in rows}

    def documents_without_people(self, extractor: int) -> list[int]:
        """Documents whose mentions are missing (stored before people existed) or from an older extractor."""
        with self._use() as db:
            rows = db.execute(
                "SELECT d.id FROM documents d LEFT JOIN document_people p ON p.doc_id = d.id"
                " WHERE p.doc_id IS NULL OR p.extractor < %s ORDER BY d.id",
                (extractor,),
            ).fetchall()
        return [int(r[0]) for r in rows]


class _CorpusFiles(_Base):
    def corpus_files(self) -> dict[str, CorpusFile]:
        with self._use() as db:
            rows = db.execute("SELECT path, size, mtime_ns, doc_id FROM corpus_files").fetchall()
        return {r[0]: CorpusFile(r[0], int(r[1]), int(r[2]), r[3]) for r in rows}

    def record_corpus_file(self, tx: Tx, entry: CorpusFile) -> None:
        self._row_of(
            tx,
            entry.doc_id,
            "INSERT INTO corpus_files (path, size, mtime_ns, doc_id)"
            " SELECT %s, %s, %s, %s"
            " WHERE %s::bigint IS NULL OR EXISTS (SELECT 1 FROM documents WHERE id = %s)"
            " ON CONFLICT (path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " doc_id = excluded.doc_id",
            (entry.path, entry.size, entry.mtime_ns, entry.doc_id, entry.doc_id, entry.doc_id),
        )

    def corpus_path_of(self, doc_id: int) -> str | None:
        with self._use() as db:
            row = db.execute(
                "SELECT path FROM corpus_files WHERE doc_id = %s ORDER BY path LIMIT 1", (doc_id,)
            ).fetchone()
        return str(row[0]) if row else None


class _Signatures(_Base):
    def set_signature(
        self,
        tx: Tx,
        doc_id: int,
        sig: bytes,
        near_dup_of: int | None = None,
        similarity: float | None = None,
    ) -> None:
        self._row_of(
            tx,
            doc_id,
            "INSERT INTO signatures (doc_id, sig, near_dup_of, similarity)"
            " SELECT id, %s, %s, %s FROM documents WHERE id = %s"
            " ON CONFLICT (doc_id) DO UPDATE SET sig = excluded.sig,"
            " near_dup_of = COALESCE(excluded.near_dup_of, signatures.near_dup_of),"
            " similarity = COALESCE(excluded.similarity, signatures.similarity)",
            (sig, near_dup_of, similarity, doc_id),
        )

    def clear_signature(self, tx: Tx, doc_id: int) -> None:
        self._conn(tx).execute("DELETE FROM signatures WHERE doc_id = %s", (doc_id,))

    def iter_signatures(self, batch: int = 2000) -> Iterator[tuple[int, bytes]]:
        last = 0
        while True:
            with self._bulk() as db:
                rows = db.execute(
                    "SELECT doc_id, sig FROM signatures WHERE doc_id > %s ORDER BY doc_id LIMIT %s",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), bytes(row[1])
            last = int(rows[-1][0])

    def documents_without_signature(self) -> list[int]:
        with self._use() as db:
            rows = db.execute(
                "SELECT d.id FROM documents d LEFT JOIN signatures s ON s.doc_id = d.id"
                " WHERE s.doc_id IS NULL ORDER BY d.id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count_near_duplicates(self) -> int:
        with self._use() as db:
            row = db.execute("SELECT COUNT(*) FROM signatures WHERE near_dup_of IS NOT NULL").fetchone()
        return int(row[0]) if row else 0


class _Meta(_Base):
    @property
    def schema_version(self) -> int:
        with self._use() as db:
            return schema_version(db)

    def get_meta(self, key: str) -> str | None:
        with self._use() as db:
            row = db.execute("SELECT value FROM meta WHERE key = %s", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, tx: Tx, key: str, value: str) -> None:
        self._conn(tx).execute(
            "INSERT INTO meta (key, value) VALUES (%s, %s)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

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


def _document(row: Sequence[Any]) -> Document:
    return Document(
        id=int(row[0]),
        source=str(row[1]),
        title=str(row[2]),
        published=row[3],
        text=str(row[4]),
        sha256=str(row[5]),
        added_at=row[6],
        added_by=str(row[7]),
    )
