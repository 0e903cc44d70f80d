"""The SQLite store: all of Dossier's SQL, one mixin per aggregate of ``bot.store``'s protocols.

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
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, suppress
from datetime import UTC, date, datetime
from pathlib import Path

from bot.errors import DamagedStore, StoreError
from bot.models import CorpusFile, Document, NewDocument
from bot.store import DocumentHead, Tx
from bot.store.migrations import migrate, schema_version
from bot.store.sql_chats import _Languages, _Sessions
from bot.store.sql_follows import _Follows
from bot.store.sqlite_base import _Base, _chunks, _marks, _refusals, _SqliteTx
from bot.store.sqlite_chats import _Subscriptions
from bot.store.sqlite_shared import _Changes, _Leases

_DOC_COLUMNS = "id, source, title, published, text, sha256, added_at, added_by"


class _Documents(_Base):
    def find_by_hash(self, sha256: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return int(row[0]) if row else None

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

    def get(self, doc_id: int) -> Document | None:
        with self._lock:
            row = self._db.execute(f"SELECT {_DOC_COLUMNS} FROM documents WHERE id = ?", (doc_id,)).fetchone()
        return _document(row) if row else None

    def exists(self, doc_id: int) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]:
        out: dict[int, Document] = {}
        with self._lock:
            for chunk in _chunks(ids):
                rows = self._db.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE id IN ({_marks(chunk)})", chunk
                ).fetchall()
                out.update((int(r[0]), _document(r)) for r in rows)
        return out

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, fetched in batches so a big corpus is never all in memory."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?", (last, batch)
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = int(rows[-1][0])

    def count_documents(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    def documents_after(self, doc_id: int, limit: int) -> tuple[list[Document], int, int]:
        """The first ``limit`` documents with id above ``doc_id``, how many there are in all, and the
        highest id among them (0 when none)."""
        with self._lock:
            count, top = self._db.execute(
                "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM documents WHERE id > ?", (doc_id,)
            ).fetchone()
            rows = self._db.execute(
                f"SELECT {_DOC_COLUMNS} FROM documents WHERE id > ? ORDER BY id LIMIT ?", (doc_id, limit)
            ).fetchall()
        return [_document(r) for r in rows], int(count), int(top)

    def document_heads(self, doc_ids: Sequence[int]) -> dict[int, DocumentHead]:
        """(source, title, published) of these documents, without their text: a person's card lists
        hundreds of documents on a big corpus."""
        out: dict[int, DocumentHead] = {}
        with self._lock:
            for chunk in _chunks(doc_ids):
                rows = self._db.execute(
                    f"SELECT id, source, title, published FROM documents WHERE id IN ({_marks(chunk)})", chunk
                ).fetchall()
                for r in rows:
                    out[int(r[0])] = (str(r[1]), str(r[2]), date.fromisoformat(r[3]) if r[3] else None)
        return out


class _People(_Base):
    def set_people(self, tx: Tx, doc_id: int, extractor: int, mentions_json: str) -> None:
        """A document's extracted mentions, inside the caller's transaction; replaces earlier ones."""
        with _refusals(doc_id):
            self._conn(tx).execute(
                "INSERT INTO document_people (doc_id, extractor, mentions) VALUES (?, ?, ?)"
                " ON CONFLICT(doc_id) DO UPDATE SET extractor = excluded.extractor,"
                " mentions = excluded.mentions",
                (doc_id, extractor, mentions_json),
            )

    def iter_people(self, batch: int = 2000) -> Iterator[tuple[int, date | None, str]]:
        """(doc_id, published, mentions JSON) of every document with stored mentions, in id order."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT p.doc_id, d.published, p.mentions FROM document_people p"
                    " JOIN documents d ON d.id = p.doc_id WHERE p.doc_id > ? ORDER BY p.doc_id LIMIT ?",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), date.fromisoformat(row[1]) if row[1] else None, str(row[2])
            last = int(rows[-1][0])

    def people_of(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """Stored mentions JSON of these documents (those that have any)."""
        out: dict[int, str] = {}
        with self._lock:
            for chunk in _chunks(doc_ids):
                rows = self._db.execute(
                    f"SELECT doc_id, mentions FROM document_people WHERE doc_id IN ({_marks(chunk)})", chunk
                ).fetchall()
                out.update((int(r[0]), str(r[1])) for r in rows)
        return out

    def documents_without_people(self, extractor: int) -> list[int]:
        """Documents whose mentions are missing (stored before people existed) or from an older extractor."""
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id FROM documents d LEFT JOIN document_people p ON p.doc_id = d.id"
                " WHERE p.doc_id IS NULL OR p.extractor < ? ORDER BY d.id",
                (extractor,),
            ).fetchall()
        return [int(r[0]) for r in rows]


class _CorpusFiles(_Base):
    def corpus_files(self) -> dict[str, CorpusFile]:
        with self._lock:
            rows = self._db.execute("SELECT path, size, mtime_ns, doc_id FROM corpus_files").fetchall()
        return {r[0]: CorpusFile(r[0], int(r[1]), int(r[2]), r[3]) for r in rows}

    def record_corpus_file(self, tx: Tx, entry: CorpusFile) -> None:
        with _refusals(entry.doc_id):
            self._conn(tx).execute(
                "INSERT INTO corpus_files (path, size, mtime_ns, doc_id) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
                " doc_id = excluded.doc_id",
                (entry.path, entry.size, entry.mtime_ns, entry.doc_id),
            )

    def corpus_path_of(self, doc_id: int) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT path FROM corpus_files WHERE doc_id = ? ORDER BY path LIMIT 1", (doc_id,)
            ).fetchone()
        return str(row[0]) if row else None


class _Originals(_Base):
    def original_bytes(self) -> None:
        """None: the original files are files under <data>/originals (``bot.ingest.originals``)."""
        return None

    def add_original(self, tx: Tx, doc_id: int, file: str, kind: str, size: int) -> None:
        with _refusals(doc_id):
            self._conn(tx).execute(
                "INSERT INTO originals (doc_id, file, kind, size) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(doc_id) DO UPDATE SET file = excluded.file, kind = excluded.kind,"
                " size = excluded.size",
                (doc_id, file, kind, size),
            )

    def original_of(self, doc_id: int) -> tuple[str, str] | None:
        """The stored original's file name and kind, or None (corpus-folder documents have none)."""
        with self._lock:
            row = self._db.execute("SELECT file, kind FROM originals WHERE doc_id = ?", (doc_id,)).fetchone()
        return (str(row[0]), str(row[1])) if row else None

    def original_files(self) -> set[str]:
        with self._lock:
            return {str(r[0]) for r in self._db.execute("SELECT DISTINCT file FROM originals")}

    def original_users(self, file: str) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM originals WHERE file = ?", (file,)).fetchone()
        return int(row[0])


class _Signatures(_Base):
    def set_signature(
        self,
        tx: Tx,
        doc_id: int,
        sig: bytes,
        near_dup_of: int | None = None,
        similarity: float | None = None,
    ) -> None:
        with _refusals(doc_id):
            self._conn(tx).execute(
                "INSERT INTO signatures (doc_id, sig, near_dup_of, similarity) VALUES (?, ?, ?, ?)"
                " ON CONFLICT(doc_id) DO UPDATE SET sig = excluded.sig,"
                " near_dup_of = COALESCE(excluded.near_dup_of, signatures.near_dup_of),"
                " similarity = COALESCE(excluded.similarity, signatures.similarity)",
                (doc_id, sig, near_dup_of, similarity),
            )

    def clear_signature(self, tx: Tx, doc_id: int) -> None:
        self._conn(tx).execute("DELETE FROM signatures WHERE doc_id = ?", (doc_id,))

    def iter_signatures(self, batch: int = 2000) -> Iterator[tuple[int, bytes]]:
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT doc_id, sig FROM signatures WHERE doc_id > ? ORDER BY doc_id LIMIT ?",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield int(row[0]), bytes(row[1])
            last = int(rows[-1][0])

    def documents_without_signature(self) -> list[int]:
        with self._lock:
            rows = self._db.execute(
                "SELECT d.id FROM documents d LEFT JOIN signatures s ON s.doc_id = d.id"
                " WHERE s.doc_id IS NULL ORDER BY d.id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def count_near_duplicates(self) -> int:
        with self._lock:
            row = self._db.execute("SELECT COUNT(*) FROM signatures WHERE near_dup_of IS NOT NULL").fetchone()
        return int(row[0])


class _Meta(_Base):
    @property
    def schema_version(self) -> int:
        with self._lock:
            return schema_version(self._db)

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def set_meta(self, tx: Tx, key: str, value: str) -> None:
        self._conn(tx).execute(
            "INSERT INTO meta (key, value) VALUES (?, ?)"
            " ON CONFLICT(key) DO UPDATE SET value = excluded.value",
            (key, value),
        )

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


def _document(row: Sequence[object]) -> Document:
    return Document(
        id=int(str(row[0])),
        source=str(row[1]),
        title=str(row[2]),
        published=date.fromisoformat(str(row[3])) if row[3] else None,
        text=str(row[4]),
        sha256=str(row[5]),
        added_at=datetime.fromisoformat(str(row[6])),
        added_by=str(row[7]),
    )
