"""The SQLite schema, built by small numbered migrations (the pattern of sqlite-utils' ``migrations.py``).

Each migration runs in its own transaction together with the record that it ran: the schema version in
``PRAGMA user_version``, so a crash leaves the file at the last whole step. To change the schema, append a
function to ``MIGRATIONS`` (never edit one that has shipped: stores out there have run it). Another backend
brings its own migrations; these are SQLite's.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path

from bot.errors import StoreError

Migration = Callable[[sqlite3.Connection], None]


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
    # MinHash signatures for near-duplicate detection (bot.ingest.neardup), and the document a new one was
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
    # The people each document names, as extracted at ingest (bot/people/), stored in the document's own
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
    # The interface language chosen with /lang: a user's own ('user', user id), and a chat's ('chat',
    # chat id), set by a group administrator or, for a private chat, remembered when it subscribes (its
    # digests then come in the language it subscribed in). No row: Telegram's language_code decides.
    db.execute(
        """CREATE TABLE language_choices (
            scope TEXT NOT NULL CHECK (scope IN ('user', 'chat')),
            id INTEGER NOT NULL,
            language TEXT NOT NULL,
            set_by INTEGER,
            set_at TEXT NOT NULL,
            PRIMARY KEY (scope, id)
        ) WITHOUT ROWID"""
    )


def _migration_7(db: sqlite3.Connection) -> None:
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


def _migration_8(db: sqlite3.Connection) -> None:
    # Several processes on one store (issue 19). ``document_changes``: the last change of each document
    # id, numbered by the generation it left in ``meta`` (bumped in the same transaction, so the numbers
    # become visible in order) and naming the writer (a store connection's random id): another process
    # reads what changed since the number its indexes reflect and applies it, skipping its own writes.
    # No reference to ``documents``: a deletion stays as a row that says so by the document's absence.
    db.execute(
        """CREATE TABLE document_changes (
            doc_id INTEGER PRIMARY KEY,
            seq INTEGER NOT NULL,
            writer TEXT NOT NULL
        )"""
    )
    db.execute("CREATE INDEX document_changes_seq ON document_changes(seq)")
    # Leases: a named piece of work (a digest run, one chat's delivery, a corpus scan) held by one
    # process until ``expires_at`` (seconds since the epoch), renewed while it works: a killed holder's
    # lease runs out and another process takes the work over.
    db.execute(
        """CREATE TABLE leases (
            name TEXT PRIMARY KEY,
            holder TEXT NOT NULL,
            expires_at REAL NOT NULL
        )"""
    )


def _migration_9(db: sqlite3.Connection) -> None:
    # Follows (bot/follows/): a chat follows a person (``target``: the person's key) or a query (the
    # query as typed); ``after_id`` is the newest document when the follow was made, so that only what
    # arrives afterwards can match.
    db.execute(
        """CREATE TABLE follows (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            thread_id INTEGER,
            kind TEXT NOT NULL CHECK (kind IN ('person', 'query')),
            target TEXT NOT NULL,
            label TEXT NOT NULL,
            mode TEXT NOT NULL CHECK (mode IN ('instant', 'digest')),
            after_id INTEGER NOT NULL,
            created_by INTEGER,
            created_at TEXT NOT NULL,
            UNIQUE (chat_id, kind, target)
        )"""
    )
    # Documents that matched a follow, with the passage that matched, written with the match cursor
    # (meta 'follow_cursor') in one transaction. ``seq`` orders a chat's hits: its instant alerts are
    # confirmed up to a seq. A hit goes with its document and with its follow.
    db.execute(
        """CREATE TABLE follow_hits (
            seq INTEGER PRIMARY KEY AUTOINCREMENT,
            chat_id INTEGER NOT NULL,
            doc_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            follow_id INTEGER NOT NULL REFERENCES follows(id) ON DELETE CASCADE,
            mode TEXT NOT NULL,
            passage TEXT NOT NULL,
            found_at TEXT NOT NULL,
            UNIQUE (follow_id, doc_id)
        )"""
    )
    db.execute("CREATE INDEX follow_hits_chat ON follow_hits(chat_id, seq)")
    # Per chat: instant alerts confirmed up to ``alerted_seq``; the alert in flight (recorded before it
    # is posted, its message id once Telegram gave one: bot/follows/deliver.py); the forum topic alerts
    # go to; quiet hours (``HH:MM`` to ``HH:MM``, in DOSSIER_TIMEZONE) holding instant alerts.
    db.execute(
        """CREATE TABLE follow_chats (
            chat_id INTEGER PRIMARY KEY,
            thread_id INTEGER,
            alerted_seq INTEGER NOT NULL DEFAULT 0,
            inflight_seq INTEGER,
            inflight_message INTEGER,
            inflight_at TEXT,
            quiet_from TEXT,
            quiet_until TEXT
        )"""
    )


MIGRATIONS: Sequence[Migration] = (
    _migration_1,
    _migration_2,
    _migration_3,
    _migration_4,
    _migration_5,
    _migration_6,
    _migration_7,
    _migration_8,
    _migration_9,
)


def schema_version(db: sqlite3.Connection) -> int:
    return int(db.execute("PRAGMA user_version").fetchone()[0])


def migrate(db: sqlite3.Connection, path: Path) -> None:
    """Bring the store at ``path`` (``db``, in autocommit mode) up to the latest schema: each migration
    not yet run, in order, in one transaction with its record. A store from a newer Dossier is refused.

    The version is read again inside each write transaction: two processes opening a new store at once
    (two replicas, the bot and ``python -m bot ingest``) take turns, and the second finds the step done
    instead of running it again ("table documents already exists")."""
    while True:
        db.execute("BEGIN IMMEDIATE")
        try:
            current = schema_version(db)
            if current > len(MIGRATIONS):
                raise StoreError("store.newer_schema", path=path, found=current, known=len(MIGRATIONS))
            if current == len(MIGRATIONS):
                db.execute("COMMIT")
                return
            MIGRATIONS[current](db)
            db.execute(f"PRAGMA user_version = {current + 1}")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        db.execute("COMMIT")
