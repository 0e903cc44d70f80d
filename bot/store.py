"""All of Dossier's SQL, behind one class, so another backend (PostgreSQL) can replace it later.

SQLite in WAL mode: readers never block the single writer, and a crash mid-transaction leaves the file as
it was before that transaction. The schema is built by small numbered migrations, each in one
transaction, recorded in ``PRAGMA user_version`` (the pattern of sqlite-utils' migrations).
"""

from __future__ import annotations

import secrets
import sqlite3
import threading
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from bot.errors import DossierError


@dataclass(frozen=True)
class Document:
    id: int
    source: str
    title: str
    published: date | None
    text: str
    sha256: str
    added_at: datetime
    added_by: str


@dataclass(frozen=True)
class NewDocument:
    source: str
    title: str
    published: date | None
    text: str
    sha256: str
    added_by: str


@dataclass(frozen=True)
class SearchSession:
    id: str
    query: str
    user_id: int | None
    chat_id: int | None
    expires_at: datetime

    def expired(self, now: datetime | None = None) -> bool:
        return (now or datetime.now(UTC)) >= self.expires_at


@dataclass(frozen=True)
class Subscription:
    chat_id: int
    thread_id: int | None
    kind: str  # "user" or "group"
    subscribed_by: int | None
    cursor: int
    digest_time: str | None
    last_run_at: datetime


@dataclass(frozen=True)
class InFlightPart:
    """A digest part recorded as being delivered and not yet confirmed (see bot/digest.py)."""

    chat_id: int
    upto_id: int
    message_id: int | None
    started_at: datetime


@dataclass(frozen=True)
class CorpusFile:
    path: str
    size: int
    mtime_ns: int
    doc_id: int | None


def _migration_1(db: sqlite3.Connection) -> None:
    db.execute(
        """CREATE TABLE documents (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            source TEXT NOT NULL,
            title TEXT NOT NULL,
            published TEXT,
            text TEXT NOT NULL,
            sha256 TEXT NOT NULL UNIQUE,
            added_at TEXT NOT NULL,
            added_by TEXT NOT NULL
        )"""
    )
    # Files of the corpus folder already read: size and mtime tell an unchanged file without reading it.
    db.execute(
        """CREATE TABLE corpus_files (
            path TEXT PRIMARY KEY,
            size INTEGER NOT NULL,
            mtime_ns INTEGER NOT NULL,
            doc_id INTEGER REFERENCES documents(id) ON DELETE SET NULL
        )"""
    )
    # One row, bumped by every change to the documents: the search index snapshot is valid only for
    # the generation it was written at.
    db.execute("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
    db.execute("INSERT INTO meta VALUES ('generation', '0')")


def _migration_2(db: sqlite3.Connection) -> None:
    # Paging state for search result buttons: callback_data holds 64 bytes at most, so a button carries
    # a short id and the query lives here, with an expiry, surviving restarts.
    db.execute(
        """CREATE TABLE search_sessions (
            id TEXT PRIMARY KEY,
            query TEXT NOT NULL,
            user_id INTEGER,
            chat_id INTEGER,
            created_at TEXT NOT NULL,
            expires_at TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX search_sessions_expiry ON search_sessions(expires_at)")


def _migration_3(db: sqlite3.Connection) -> None:
    # One row per subscribed chat. ``cursor`` is the last document id whose delivery Telegram confirmed:
    # everything above it is still owed, nothing at or below it is sent again.
    db.execute(
        """CREATE TABLE subscriptions (
            chat_id INTEGER PRIMARY KEY,
            thread_id INTEGER,
            kind TEXT NOT NULL,
            subscribed_by INTEGER,
            created_at TEXT NOT NULL,
            cursor INTEGER NOT NULL,
            digest_time TEXT,
            last_run_at TEXT NOT NULL
        )"""
    )


def _migration_4(db: sqlite3.Connection) -> None:
    # Uploads. The original of an uploaded document is kept in the data dir under its content hash
    # (``file``, relative to ``<data>/originals``); its row goes with the document's, so a document and
    # its original reference are committed together or not at all.
    db.execute(
        """CREATE TABLE originals (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            file TEXT NOT NULL,
            kind TEXT NOT NULL,
            size INTEGER NOT NULL
        )"""
    )
    # MinHash signatures for near-duplicate detection (bot.neardup), and the document a new one was
    # found to resemble when it was added. Documents without a row get one computed when first needed.
    db.execute(
        """CREATE TABLE signatures (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            sig BLOB NOT NULL,
            near_dup_of INTEGER,
            similarity REAL
        )"""
    )


def _migration_5(db: sqlite3.Connection) -> None:
    # The people each document names, as extracted at ingest (bot/people.py), stored in the document's own
    # transaction: the people index is rebuilt from these rows at start-up without re-reading any text.
    # ``extractor`` is the extractor version that produced them; older rows are re-extracted. A deleted
    # document takes its row with it.
    db.execute(
        """CREATE TABLE document_people (
            doc_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            extractor INTEGER NOT NULL,
            mentions TEXT NOT NULL
        )"""
    )


def _migration_6(db: sqlite3.Connection) -> None:
    # The digest part being delivered to a chat, at most one per chat (a chat's parts go one at a time,
    # under its lock). Written before anything is sent and deleted in the transaction that moves the
    # cursor past the part, so a row found later is a part a kill interrupted (bot/digest.py).
    # ``message_id`` is the part's opening message once Telegram returned its id: the message the
    # next run edits into the whole part instead of posting another.
    db.execute(
        """CREATE TABLE digest_inflight (
            chat_id INTEGER PRIMARY KEY REFERENCES subscriptions(chat_id) ON DELETE CASCADE,
            upto_id INTEGER NOT NULL,
            message_id INTEGER,
            started_at TEXT NOT NULL
        )"""
    )


MIGRATIONS: Sequence[Callable[[sqlite3.Connection], None]] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
)


class StoreError(DossierError):
    """The store cannot be opened or used (wrong path, newer schema, corrupt file)."""


class DuplicateText(StoreError):
    """A write would store a text (by its hash) that another document already has: the domain's name for
    what SQLite reports as an ``IntegrityError``, so callers need not know SQLite."""

    default_code = "store.duplicate_text"


class Store:
    """The SQLite store. One connection, guarded by a lock: the bot's handlers call it from worker
    threads, and SQLite wants one writer at a time anyway."""

    def __init__(self, path: Path) -> None:
        self.path = path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            self._db = sqlite3.connect(path, check_same_thread=False, isolation_level=None)
            self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA synchronous=NORMAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._db.execute("PRAGMA busy_timeout=5000")
        except (OSError, sqlite3.Error) as exc:
            raise StoreError("store.cannot_open", path=path, reason=exc) from exc
        self._lock = threading.RLock()
        self.migrate()
        self._seen_generation = self.generation()
        self.foreign_writes = False

    def close(self) -> None:
        with self._lock:
            self._db.close()

    @contextmanager
    def transaction(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it is committed, or none of it."""
        with self._lock:
            self._db.execute("BEGIN IMMEDIATE")
            try:
                yield self._db
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
            self._db.execute("COMMIT")

    @property
    def schema_version(self) -> int:
        with self._lock:
            return int(self._db.execute("PRAGMA user_version").fetchone()[0])

    def migrate(self) -> None:
        current = self.schema_version
        if current > len(MIGRATIONS):
            raise StoreError("store.newer_schema", path=self.path, found=current, known=len(MIGRATIONS))
        for version, migration in enumerate(MIGRATIONS[current:], start=current + 1):
            with self.transaction() as db:
                migration(db)
                db.execute(f"PRAGMA user_version = {version}")

    # ----------------------------------------------------------------- documents
    def _bump(self, db: sqlite3.Connection) -> None:
        cur = int(db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])
        if cur != self._seen_generation:
            self.foreign_writes = True  # another process (python -m bot ingest, a console) wrote
        db.execute("UPDATE meta SET value = ? WHERE key = 'generation'", (str(cur + 1),))
        self._seen_generation = cur + 1

    def snapshot_stamp(self) -> str | None:
        """The generation an in-memory index kept up to date with this connection's own writes
        reflects, or None when another process has changed the documents since (then such an index
        lacks its documents, and a snapshot of it must not be taken for current)."""
        if self.foreign_writes or self.generation() != self._seen_generation:
            return None
        return str(self._seen_generation)

    def trust_current(self) -> None:
        """An index is being built from what is stored now: it will reflect every write so far."""
        self._seen_generation = self.generation()
        self.foreign_writes = False

    def generation(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT value FROM meta WHERE key = 'generation'").fetchone()[0])

    def find_by_hash(self, sha256: str) -> int | None:
        with self._lock:
            row = self._db.execute("SELECT id FROM documents WHERE sha256 = ?", (sha256,)).fetchone()
        return int(row[0]) if row else None

    def insert_document(self, db: sqlite3.Connection, doc: NewDocument) -> int:
        """Insert inside a caller's transaction (so the caller can add its own rows atomically)."""
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
        self._bump(db)
        return int(cur.lastrowid or 0)

    def replace_document(self, db: sqlite3.Connection, doc_id: int, doc: NewDocument) -> None:
        """New content for an existing id (a corpus file that changed keeps its #id)."""
        db.execute(
            "UPDATE documents SET source = ?, title = ?, published = ?, text = ?, sha256 = ? WHERE id = ?",
            (
                doc.source,
                doc.title,
                doc.published.isoformat() if doc.published else None,
                doc.text,
                doc.sha256,
                doc_id,
            ),
        )
        self._bump(db)

    def delete_document(self, db: sqlite3.Connection, doc_id: int) -> bool:
        cur = db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        if cur.rowcount:
            self._bump(db)
        return cur.rowcount > 0

    def get(self, doc_id: int) -> Document | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, source, title, published, text, sha256, added_at, added_by"
                " FROM documents WHERE id = ?",
                (doc_id,),
            ).fetchone()
        return _document(row) if row else None

    def exists(self, doc_id: int) -> bool:
        with self._lock:
            return self._db.execute("SELECT 1 FROM documents WHERE id = ?", (doc_id,)).fetchone() is not None

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]:
        if not ids:
            return {}
        marks = ",".join("?" * len(ids))
        with self._lock:
            rows = self._db.execute(
                "SELECT id, source, title, published, text, sha256, added_at, added_by"
                f" FROM documents WHERE id IN ({marks})",
                tuple(ids),
            ).fetchall()
        return {int(r[0]): _document(r) for r in rows}

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, fetched in batches so a big corpus is never all in memory."""
        last = 0
        while True:
            with self._lock:
                rows = self._db.execute(
                    "SELECT id, source, title, published, text, sha256, added_at, added_by"
                    " FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                    (last, batch),
                ).fetchall()
            if not rows:
                return
            for row in rows:
                yield _document(row)
            last = int(rows[-1][0])

    def count_documents(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM documents").fetchone()[0])

    # ----------------------------------------------------------------- people
    def set_people(self, db: sqlite3.Connection, doc_id: int, extractor: int, mentions_json: str) -> None:
        """A document's extracted mentions, inside the caller's transaction; replaces earlier ones."""
        db.execute(
            "INSERT INTO document_people (doc_id, extractor, mentions) VALUES (?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET extractor = excluded.extractor, mentions = excluded.mentions",
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
        if not doc_ids:
            return {}
        out: dict[int, str] = {}
        with self._lock:
            for k in range(0, len(doc_ids), 500):
                chunk = tuple(doc_ids[k : k + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT doc_id, mentions FROM document_people WHERE doc_id IN ({marks})", chunk
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

    def document_heads(self, doc_ids: Sequence[int]) -> dict[int, tuple[str, str, date | None]]:
        """(source, title, published) of these documents, without their text: a person's card lists
        hundreds of documents on a big corpus."""
        out: dict[int, tuple[str, str, date | None]] = {}
        with self._lock:
            for k in range(0, len(doc_ids), 500):
                chunk = tuple(doc_ids[k : k + 500])
                marks = ",".join("?" * len(chunk))
                rows = self._db.execute(
                    f"SELECT id, source, title, published FROM documents WHERE id IN ({marks})", chunk
                ).fetchall()
                for r in rows:
                    out[int(r[0])] = (str(r[1]), str(r[2]), date.fromisoformat(r[3]) if r[3] else None)
        return out

    # ----------------------------------------------------------------- corpus folder
    def corpus_files(self) -> dict[str, CorpusFile]:
        with self._lock:
            rows = self._db.execute("SELECT path, size, mtime_ns, doc_id FROM corpus_files").fetchall()
        return {r[0]: CorpusFile(r[0], int(r[1]), int(r[2]), r[3]) for r in rows}

    def record_corpus_file(self, db: sqlite3.Connection, entry: CorpusFile) -> None:
        db.execute(
            "INSERT INTO corpus_files (path, size, mtime_ns, doc_id) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(path) DO UPDATE SET size = excluded.size, mtime_ns = excluded.mtime_ns,"
            " doc_id = excluded.doc_id",
            (entry.path, entry.size, entry.mtime_ns, entry.doc_id),
        )

    # ----------------------------------------------------------------- originals and signatures
    def add_original(self, db: sqlite3.Connection, doc_id: int, file: str, kind: str, size: int) -> None:
        db.execute(
            "INSERT OR REPLACE INTO originals (doc_id, file, kind, size) VALUES (?, ?, ?, ?)",
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

    def corpus_path_of(self, doc_id: int) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT path FROM corpus_files WHERE doc_id = ? ORDER BY path LIMIT 1", (doc_id,)
            ).fetchone()
        return str(row[0]) if row else None

    def set_signature(
        self,
        db: sqlite3.Connection,
        doc_id: int,
        sig: bytes,
        near_dup_of: int | None = None,
        similarity: float | None = None,
    ) -> None:
        db.execute(
            "INSERT INTO signatures (doc_id, sig, near_dup_of, similarity) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(doc_id) DO UPDATE SET sig = excluded.sig,"
            " near_dup_of = COALESCE(excluded.near_dup_of, signatures.near_dup_of),"
            " similarity = COALESCE(excluded.similarity, signatures.similarity)",
            (doc_id, sig, near_dup_of, similarity),
        )

    def clear_signature(self, db: sqlite3.Connection, doc_id: int) -> None:
        db.execute("DELETE FROM signatures WHERE doc_id = ?", (doc_id,))

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

    def count_subscriptions(self) -> dict[str, int]:
        """Subscribed chats by kind: ``{"user": 3, "group": 1}``."""
        with self._lock:
            rows = self._db.execute("SELECT kind, COUNT(*) FROM subscriptions GROUP BY kind").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def set_meta(self, db: sqlite3.Connection, key: str, value: str) -> None:
        db.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)", (key, value))

    def get_meta(self, key: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
        return str(row[0]) if row else None

    def size_bytes(self) -> int:
        """The database on disk, write-ahead log included."""
        total = 0
        for suffix in ("", "-wal", "-shm"):
            with suppress(OSError):
                total += Path(str(self.path) + suffix).stat().st_size
        return total

    # ----------------------------------------------------------------- search sessions
    def create_search_session(
        self, query: str, user_id: int | None, chat_id: int | None, ttl: timedelta
    ) -> SearchSession:
        now = datetime.now(UTC)
        with self.transaction() as db:
            while True:
                sid = secrets.token_urlsafe(6)  # 8 characters, 48 random bits
                try:
                    db.execute(
                        "INSERT INTO search_sessions (id, query, user_id, chat_id, created_at, expires_at)"
                        " VALUES (?, ?, ?, ?, ?, ?)",
                        (sid, query, user_id, chat_id, now.isoformat(), (now + ttl).isoformat()),
                    )
                    break
                except sqlite3.IntegrityError:
                    continue
        return SearchSession(sid, query, user_id, chat_id, now + ttl)

    def get_search_session(self, sid: str) -> SearchSession | None:
        with self._lock:
            row = self._db.execute(
                "SELECT id, query, user_id, chat_id, expires_at FROM search_sessions WHERE id = ?", (sid,)
            ).fetchone()
        if row is None:
            return None
        return SearchSession(row[0], row[1], row[2], row[3], datetime.fromisoformat(row[4]))

    def purge_search_sessions(self, now: datetime | None = None) -> int:
        """Forget expired paging state; returns how many sessions went."""
        with self.transaction() as db:
            cur = db.execute(
                "DELETE FROM search_sessions WHERE expires_at <= ?", ((now or datetime.now(UTC)).isoformat(),)
            )
        return cur.rowcount

    # ----------------------------------------------------------------- subscriptions
    _SUB_COLUMNS = "chat_id, thread_id, kind, subscribed_by, cursor, digest_time, last_run_at"

    def subscribe(
        self, chat_id: int, thread_id: int | None, kind: str, by: int | None
    ) -> Subscription | None:
        """A new subscription starting after the newest document; None when the chat is already subscribed."""
        now = datetime.now(UTC).isoformat()
        with self.transaction() as db:
            cursor = int(db.execute("SELECT COALESCE(MAX(id), 0) FROM documents").fetchone()[0])
            cur = db.execute(
                "INSERT OR IGNORE INTO subscriptions (chat_id, thread_id, kind, subscribed_by, created_at,"
                " cursor, last_run_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (chat_id, thread_id, kind, by, now, cursor, now),
            )
        return self.subscription(chat_id) if cur.rowcount else None

    def unsubscribe(self, chat_id: int) -> bool:
        with self.transaction() as db:
            return db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (chat_id,)).rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        with self._lock:
            row = self._db.execute(
                f"SELECT {self._SUB_COLUMNS} FROM subscriptions WHERE chat_id = ?", (chat_id,)
            ).fetchone()
        return _subscription(row) if row else None

    def subscriptions(self) -> list[Subscription]:
        with self._lock:
            rows = self._db.execute(
                f"SELECT {self._SUB_COLUMNS} FROM subscriptions ORDER BY chat_id"
            ).fetchall()
        return [_subscription(r) for r in rows]

    def set_digest_time(self, chat_id: int, at: str | None) -> bool:
        with self.transaction() as db:
            cur = db.execute("UPDATE subscriptions SET digest_time = ? WHERE chat_id = ?", (at, chat_id))
        return cur.rowcount > 0

    def part_opening(self, chat_id: int, upto_id: int) -> None:
        """A digest part up to ``upto_id`` is about to be posted to ``chat_id``: recorded before the
        request, with no message id yet."""
        now = datetime.now(UTC).isoformat()
        with self.transaction() as db:
            db.execute(
                "INSERT OR REPLACE INTO digest_inflight (chat_id, upto_id, message_id, started_at)"
                " SELECT chat_id, ?, NULL, ? FROM subscriptions WHERE chat_id = ?",
                (upto_id, now, chat_id),
            )

    def part_opened(self, chat_id: int, upto_id: int, message_id: int) -> None:
        """Telegram accepted the opening message of the in-flight part: the id to edit it by."""
        with self.transaction() as db:
            db.execute(
                "UPDATE digest_inflight SET message_id = ?, upto_id = ? WHERE chat_id = ?",
                (message_id, upto_id, chat_id),
            )

    def part_delivered(self, chat_id: int, upto_id: int) -> None:
        """The in-flight part is confirmed whole: the cursor moves to ``upto_id`` (never backwards) and the
        in-flight record goes, in one transaction."""
        with self.transaction() as db:
            db.execute(
                "UPDATE subscriptions SET cursor = MAX(cursor, ?) WHERE chat_id = ?", (upto_id, chat_id)
            )
            db.execute("DELETE FROM digest_inflight WHERE chat_id = ?", (chat_id,))

    def part_abandoned(self, chat_id: int) -> None:
        """Forget an in-flight part whose documents are no longer owed (none left above the cursor)."""
        with self.transaction() as db:
            db.execute("DELETE FROM digest_inflight WHERE chat_id = ?", (chat_id,))

    def inflight_part(self, chat_id: int) -> InFlightPart | None:
        with self._lock:
            row = self._db.execute(
                "SELECT chat_id, upto_id, message_id, started_at FROM digest_inflight WHERE chat_id = ?",
                (chat_id,),
            ).fetchone()
        if row is None:
            return None
        message_id = int(row[2]) if row[2] is not None else None
        return InFlightPart(int(row[0]), int(row[1]), message_id, datetime.fromisoformat(row[3]))

    def inflight_chats(self) -> list[int]:
        """Chats with a digest part a kill interrupted: reconciled right after start."""
        with self._lock:
            rows = self._db.execute("SELECT chat_id FROM digest_inflight ORDER BY chat_id").fetchall()
        return [int(r[0]) for r in rows]

    def mark_run(self, chat_id: int, at: datetime) -> None:
        with self.transaction() as db:
            db.execute(
                "UPDATE subscriptions SET last_run_at = ? WHERE chat_id = ?", (at.isoformat(), chat_id)
            )

    def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its subscription follows it to the new id."""
        with self.transaction() as db:
            # A part in flight to the old chat has its opening message there, where no edit reaches.
            db.execute("DELETE FROM digest_inflight WHERE chat_id = ?", (old_id,))
            if db.execute("SELECT 1 FROM subscriptions WHERE chat_id = ?", (new_id,)).fetchone():
                db.execute("DELETE FROM subscriptions WHERE chat_id = ?", (old_id,))
                return False
            cur = db.execute("UPDATE subscriptions SET chat_id = ? WHERE chat_id = ?", (new_id, old_id))
        return cur.rowcount > 0

    def documents_after(self, doc_id: int, limit: int) -> tuple[list[Document], int, int]:
        """The first ``limit`` documents with id above ``doc_id``, how many there are in all, and the
        highest id among them (0 when none)."""
        with self._lock:
            count, top = self._db.execute(
                "SELECT COUNT(*), COALESCE(MAX(id), 0) FROM documents WHERE id > ?", (doc_id,)
            ).fetchone()
            rows = self._db.execute(
                "SELECT id, source, title, published, text, sha256, added_at, added_by"
                " FROM documents WHERE id > ? ORDER BY id LIMIT ?",
                (doc_id, limit),
            ).fetchall()
        return [_document(r) for r in rows], int(count), int(top)


def _subscription(row: Sequence[object]) -> Subscription:
    return Subscription(
        chat_id=int(str(row[0])),
        thread_id=int(str(row[1])) if row[1] is not None else None,
        kind=str(row[2]),
        subscribed_by=int(str(row[3])) if row[3] is not None else None,
        cursor=int(str(row[4])),
        digest_time=str(row[5]) if row[5] is not None else None,
        last_run_at=datetime.fromisoformat(str(row[6])),
    )


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
