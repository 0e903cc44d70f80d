"""What Dossier keeps: the store's contract, one small Protocol per aggregate, and the way to open one.

The contract is backend-neutral: no caller outside this package sees a database connection or a
database exception. The pieces:

- ``Tx``: an opaque token for one open write transaction. ``store.transaction()`` yields it; write
  methods take it, so a caller can add its own rows to a document's transaction (all committed, or none)
  without knowing what a transaction is made of. Each implementation maps it to its connection.
- one Protocol per aggregate, following the tables: ``DocumentStore``, ``PeopleStore``,
  ``CorpusFileStore``, ``OriginalStore`` (with ``OriginalBytes``), ``SignatureStore``,
  ``SubscriptionStore``, ``FollowStore``, ``SessionStore``, ``LanguageStore``, ``Meta``, ``ChangeFeed``,
  ``Leases``; and ``Store``, all of them together with ``transaction`` and ``close``.
- ``ChangeFeed`` and ``Leases``: what lets several processes share one store (issue 19): the documents
  changed since a generation, so each process keeps its in-memory indexes in step, and named leases,
  so that a digest run, a chat's delivery or a corpus scan is done by one process at a time.
- errors: ``bot.errors.StoreError`` and its subclasses (``DamagedStore``, ``DuplicateText``,
  ``NoSuchDocument``), raised by every backend in place of the database's own exceptions.

``tests/test_store.py`` is the conformance suite: every method here, run against each implementation
(``bot.store.sqlite.SqliteStore`` and ``bot.store.postgres.PostgresStore``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.errors import DamagedStore, DuplicateText, NoSuchDocument, StoreError
from bot.models import (
    CorpusFile,
    Document,
    Follow,
    FollowHit,
    InFlightPart,
    NewDocument,
    NewFollowHit,
    SearchSession,
    Subscription,
)

__all__ = [
    "ChangeFeed",
    "CorpusFileStore",
    "DamagedStore",
    "DocumentChange",
    "DocumentHead",
    "DocumentStore",
    "DuplicateText",
    "FollowStore",
    "LanguageStore",
    "Leases",
    "Meta",
    "NoSuchDocument",
    "OriginalBytes",
    "OriginalStore",
    "PeopleStore",
    "SessionStore",
    "SignatureStore",
    "Store",
    "StoreError",
    "SubscriptionStore",
    "Tx",
    "open_store",
]

DocumentHead = tuple[str, str, date | None]  # (source, title, published): a document without its text


class Tx:
    """One open write transaction, as an opaque token: callers only hand it back to the store's write
    methods. Each backend subclasses it with what it needs (the SQLite one: its connection)."""

    __slots__ = ()


class DocumentStore(Protocol):
    """The documents. Every change to them bumps ``Meta.generation``."""

    def insert_document(self, tx: Tx, doc: NewDocument) -> int:
        """Insert inside a caller's transaction; returns the new id. ``DuplicateText`` when another
        document has the same text (by hash)."""
        ...

    def replace_document(self, tx: Tx, doc_id: int, doc: NewDocument) -> None:
        """New content for an existing id (a corpus file that changed keeps its #id); ``DuplicateText``
        as for ``insert_document``."""
        ...

    def delete_document(self, tx: Tx, doc_id: int) -> bool:
        """Delete a document and, with it, every row that belongs to it; False when there was none."""
        ...

    def find_by_hash(self, sha256: str) -> int | None: ...

    def get(self, doc_id: int) -> Document | None: ...

    def exists(self, doc_id: int) -> bool: ...

    def get_many(self, ids: Sequence[int]) -> dict[int, Document]: ...

    def iter_documents(self, batch: int = 500) -> Iterator[Document]:
        """Every document in id order, fetched in batches so a big corpus is never all in memory."""
        ...

    def count_documents(self) -> int: ...

    def documents_after(self, doc_id: int, limit: int) -> tuple[list[Document], int, int]:
        """The first ``limit`` documents with id above ``doc_id``, how many there are in all, and the
        highest id among them (0 when none)."""
        ...

    def document_heads(self, doc_ids: Sequence[int]) -> dict[int, DocumentHead]:
        """(source, title, published) of these documents, without their text: a person's card lists
        hundreds of documents on a big corpus."""
        ...


class PeopleStore(Protocol):
    """The people each document names, as extracted at ingest (JSON, by ``bot.people``)."""

    def set_people(self, tx: Tx, doc_id: int, extractor: int, mentions_json: str) -> None:
        """A document's extracted mentions, inside the caller's transaction; replaces earlier ones."""
        ...

    def iter_people(self, batch: int = 2000) -> Iterator[tuple[int, date | None, str]]:
        """(doc_id, published, mentions JSON) of every document with stored mentions, in id order."""
        ...

    def people_of(self, doc_ids: Sequence[int]) -> dict[int, str]:
        """Stored mentions JSON of these documents (those that have any)."""
        ...

    def documents_without_people(self, extractor: int) -> list[int]:
        """Documents whose mentions are missing (stored before people existed) or from an older extractor."""
        ...


class CorpusFileStore(Protocol):
    """Files of the corpus folder already read: size and mtime tell an unchanged file without reading it."""

    def corpus_files(self) -> dict[str, CorpusFile]: ...

    def record_corpus_file(self, tx: Tx, entry: CorpusFile) -> None: ...

    def corpus_path_of(self, doc_id: int) -> str | None: ...


class OriginalBytes(Protocol):
    """The original files' bytes, kept by a store that keeps them itself (PostgreSQL: so that processes
    on other machines read them too), by the names ``OriginalStore`` records. A SQLite store keeps none:
    they are files under ``<data>/originals`` (``bot.ingest.originals``)."""

    def put_original_bytes(self, files: Sequence[tuple[str, bytes]]) -> set[str]:
        """Store these (name, bytes) in one committed transaction; the names that were not stored yet."""
        ...

    def read_original_bytes(self, file: str) -> bytes | None: ...

    def remove_original_bytes(self, file: str) -> None:
        """Delete a file unless a document refers to it."""
        ...

    def remove_unused_original_bytes(self, older_than: float) -> int:
        """Delete files no document refers to, stored more than ``older_than`` seconds ago."""
        ...

    def original_bytes_size(self) -> int: ...


class OriginalStore(Protocol):
    """Which kept original an uploaded document was read from (``OriginalBytes`` or a file under
    ``<data>/originals``)."""

    def original_bytes(self) -> OriginalBytes | None:
        """Where this store keeps the original files' bytes, or None: it keeps none (files beside it)."""
        ...

    def add_original(self, tx: Tx, doc_id: int, file: str, kind: str, size: int) -> None: ...

    def original_of(self, doc_id: int) -> tuple[str, str] | None:
        """The stored original's file name and kind, or None (corpus-folder documents have none)."""
        ...

    def original_files(self) -> set[str]: ...

    def original_users(self, file: str) -> int:
        """How many documents refer to this original file."""
        ...


class SignatureStore(Protocol):
    """Near-duplicate signatures (``bot.ingest.neardup``) and the document each one was found to resemble."""

    def set_signature(
        self,
        tx: Tx,
        doc_id: int,
        sig: bytes,
        near_dup_of: int | None = None,
        similarity: float | None = None,
    ) -> None:
        """``NoSuchDocument`` when the document is gone (deleted meanwhile)."""
        ...

    def clear_signature(self, tx: Tx, doc_id: int) -> None: ...

    def iter_signatures(self, batch: int = 2000) -> Iterator[tuple[int, bytes]]: ...

    def documents_without_signature(self) -> list[int]: ...

    def count_near_duplicates(self) -> int: ...


class SubscriptionStore(Protocol):
    """Digest subscriptions. A cursor is the last document id whose delivery was confirmed."""

    def subscribe(
        self, chat_id: int, thread_id: int | None, kind: str, by: int | None
    ) -> Subscription | None:
        """A new subscription starting after the newest document; None when the chat is already subscribed."""
        ...

    def unsubscribe(self, chat_id: int) -> bool: ...

    def subscription(self, chat_id: int) -> Subscription | None: ...

    def subscriptions(self) -> list[Subscription]: ...

    def count_subscriptions(self) -> dict[str, int]:
        """Subscribed chats by kind: ``{"user": 3, "group": 1}``."""
        ...

    def set_digest_time(self, chat_id: int, at: str | None) -> bool: ...

    def advance_cursor(self, chat_id: int, doc_id: int) -> None:
        """Record a confirmed delivery up to ``doc_id``. Never moves backwards."""
        ...

    def part_opening(self, chat_id: int, upto_id: int) -> None:
        """A digest part up to ``upto_id`` is about to be posted: recorded in flight, no message yet."""
        ...

    def part_opened(self, chat_id: int, upto_id: int, message_id: int) -> None:
        """The in-flight part's opening message was accepted: the id to edit it by."""
        ...

    def part_delivered(self, chat_id: int, upto_id: int) -> None:
        """The in-flight part is confirmed: the cursor moves and the record goes, in one transaction."""
        ...

    def part_abandoned(self, chat_id: int) -> None:
        """Forget an in-flight part whose documents are no longer owed."""
        ...

    def inflight_part(self, chat_id: int) -> InFlightPart | None:
        """The part a kill left in flight to ``chat_id``, if any."""
        ...

    def inflight_chats(self) -> list[int]:
        """Chats with a part left in flight: reconciled right after start."""
        ...

    def mark_run(self, chat_id: int, at: datetime) -> None: ...

    def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its subscription follows it to the new id."""
        ...


class FollowStore(Protocol):
    """Follows (``bot/follows/``): what each chat follows, the documents that matched (hits), how far
    each chat's instant alerts are confirmed, the alert in flight, and quiet hours.

    Hits are written by whoever advances the global match cursor (``record_hits``, a compare-and-set:
    of two replicas matching the same documents, one records them and the other is told it lost). An
    alert is delivered like a digest part: recorded in flight before it is posted, given its message id,
    confirmed with the chat's alert cursor in one transaction (``bot/follows/deliver.py``)."""

    def add_follow(
        self,
        chat_id: int,
        thread_id: int | None,
        kind: str,
        target: str,
        label: str,
        mode: str,
        by: int | None,
    ) -> tuple[Follow, bool]:
        """The chat's follow of ``kind``/``target``, made now (True) or found already there (False);
        a new one matches only documents above the newest stored now."""
        ...

    def follows(self, chat_id: int | None = None) -> list[Follow]:
        """A chat's follows in the order they were made (every chat's when ``chat_id`` is None)."""
        ...

    def remove_follow(self, chat_id: int, follow_id: int) -> Follow | None:
        """Stop one follow of this chat (its pending hits go with it); None when it has no such follow."""
        ...

    def set_follow_mode(self, chat_id: int, follow_id: int, mode: str) -> bool: ...

    def set_follow_target(self, follow_id: int, target: str) -> None:
        """A followed person's key changed (the people index chose a fuller canonical name)."""
        ...

    def follow_person(self, follow_id: int, target: str, label: str) -> bool:
        """A query follow whose words name a person now known becomes a follow of that person (key
        ``target``, shown as ``label``); False (nothing changed) when it is no query follow any more or
        the chat follows that person already."""
        ...

    def follow_cursor(self) -> int:
        """The last document id matched against the follows (from the first follow made: the newest
        stored then; before any follow, the newest stored now)."""
        ...

    def record_hits(self, expected: int, upto: int, hits: Sequence[NewFollowHit]) -> bool:
        """Record ``hits`` and move the match cursor from ``expected`` to ``upto`` in one transaction;
        False (and nothing written) when the cursor is no longer ``expected`` (another replica did it).
        A hit already recorded (same follow and document) is not recorded twice."""
        ...

    def alert_chats(self) -> list[int]:
        """Chats with instant hits not yet confirmed, or an alert in flight."""
        ...

    def unsent_hits(self, chat_id: int, limit: int) -> list[FollowHit]:
        """A chat's instant hits above its alert cursor, oldest first."""
        ...

    def digest_hits(self, chat_id: int, after_doc: int, upto_doc: int) -> list[FollowHit]:
        """A chat's digest-mode hits on documents in (``after_doc``, ``upto_doc``], by document id."""
        ...

    def alert_opening(self, chat_id: int, upto_seq: int, stale_before: datetime) -> bool:
        """An alert up to hit ``upto_seq`` is about to be posted: recorded in flight, no message yet.
        A claim: False (nothing changed) while another alert to the chat was recorded in flight since
        ``stale_before`` (another replica is sending it; one left older than that was killed)."""
        ...

    def alert_opened(self, chat_id: int, upto_seq: int, message_id: int) -> None: ...

    def alert_delivered(self, chat_id: int, upto_seq: int) -> None:
        """The alert is confirmed: the chat's alert cursor moves to ``upto_seq`` (never backwards) and the
        in-flight record goes, in one transaction."""
        ...

    def alert_inflight(self, chat_id: int) -> InFlightPart | None:
        """The alert a kill left in flight to ``chat_id`` (``upto_id`` holds its hit ``seq``)."""
        ...

    def follow_thread(self, chat_id: int) -> int | None:
        """The forum topic a chat's alerts go to (the one its latest follow was made in)."""
        ...

    def set_quiet_hours(self, chat_id: int, hours: tuple[str, str] | None) -> None:
        """Hold instant alerts between two ``HH:MM`` times (None: never)."""
        ...

    def quiet_hours(self, chat_id: int) -> tuple[str, str] | None: ...


class SessionStore(Protocol):
    """Paging state for search result buttons, with an expiry, surviving restarts."""

    def create_search_session(
        self, query: str, user_id: int | None, chat_id: int | None, ttl: timedelta
    ) -> SearchSession: ...

    def get_search_session(self, sid: str) -> SearchSession | None: ...

    def purge_search_sessions(self, now: datetime | None = None) -> int:
        """Forget expired paging state; returns how many sessions went."""
        ...


class Meta(Protocol):
    """The store about itself: its schema, its write generation, small named values, its size."""

    @property
    def schema_version(self) -> int: ...

    def generation(self) -> int:
        """A count bumped by every change to the documents, committed with the change."""
        ...

    def get_meta(self, key: str) -> str | None: ...

    def set_meta(self, tx: Tx, key: str, value: str) -> None: ...

    def size_bytes(self) -> int:
        """What the store takes on disk (on a server: the database's size there, original files aside)."""
        ...


@dataclass(frozen=True, slots=True)
class DocumentChange:
    """The last change to one document id: ``seq`` is the generation it left (``Meta.generation``),
    ``writer`` the ``ChangeFeed.writer_id`` of the store connection that made it. Whether it was an
    addition, a new version or a deletion is read from the store: the document is there, or it is not."""

    seq: int
    doc_id: int
    writer: str


class ChangeFeed(Protocol):
    """What other processes changed in the documents, so that a process keeps its in-memory indexes
    (search, people) in step with a store it shares (another replica, ``python -m bot ingest``).

    Every change to a document records ``(doc_id, seq, writer)`` in the writing transaction, replacing
    that id's earlier record; ``seq`` is the new ``Meta.generation``. Numbers must become visible in
    order: a reader that saw change N has seen every change below N. A counter row updated by every
    writing transaction gives that on any database (it serialises document writers, as SQLite does
    anyway); a bare sequence does not (a later number can commit first). A reader polls
    ``generation()`` (one row) and reads ``changes_since`` only when it moved; a server backend may also
    wake readers sooner (PostgreSQL's NOTIFY), but polling is the contract."""

    @property
    def writer_id(self) -> str:
        """This connection's random id, recorded with its own changes (which its process has applied)."""
        ...

    def changes_since(self, seq: int, limit: int = 1000) -> list[DocumentChange]:
        """The documents changed after generation ``seq``, oldest change first, at most ``limit``."""
        ...


class Leases(Protocol):
    """Named leases, so that a piece of work shared by several processes (a scheduled digest run, one
    chat's delivery, a corpus scan) is done by one of them at a time. A lease is held by ``holder`` (a
    process's id) until it expires ``ttl`` seconds after it was last taken or renewed; a holder killed
    mid-work stops renewing, and another process takes the work over once it has run out. Times are the
    database's to judge where it has a clock (a server); SQLite uses the host's."""

    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Take ``name`` for ``ttl`` seconds: True when it was free, expired, or ``holder``'s already
        (then it is extended); False while another holder's lease runs."""
        ...

    def renew_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Extend ``holder``'s lease to ``ttl`` seconds from now; False when it is not theirs any more
        (it ran out and another holder took it, or it was released)."""
        ...

    def release_lease(self, name: str, holder: str) -> None:
        """Give the lease up now (nothing when it is not ``holder``'s)."""
        ...

    def lease_holder(self, name: str) -> str | None:
        """Who holds ``name`` now; None when it is free or has run out. (A process restarted on the
        same host takes over the leases of its killed predecessor at once instead of waiting.)"""
        ...


class LanguageStore(Protocol):
    """The interface language a user chose for themselves, or a group's administrator for the group."""

    def language_choices(self, user_id: int | None, chat_id: int | None) -> tuple[str | None, str | None]:
        """(the user's own language, the chat's language), None where nothing was chosen."""
        ...

    def set_language_choice(self, scope: str, id: int, language: str | None, set_by: int | None) -> None:
        """Choose ``language`` for a ``scope`` 'user' or 'chat'; None forgets the choice."""
        ...


class Store(
    DocumentStore,
    PeopleStore,
    CorpusFileStore,
    OriginalStore,
    SignatureStore,
    SubscriptionStore,
    FollowStore,
    LanguageStore,
    SessionStore,
    Meta,
    ChangeFeed,
    Leases,
    Protocol,
):
    """Everything Dossier keeps, with one way to write several rows atomically."""

    def transaction(self) -> AbstractContextManager[Tx]:
        """One write transaction: all of it is committed, or none of it."""
        ...

    def close(self) -> None: ...


def open_store(path: Path, database_url: str | None = None) -> Store:
    """The store: the PostgreSQL database at ``database_url`` when one is given, else the SQLite file at
    ``path``; created and migrated when new (a SQLite file's integrity checked when not). ``StoreError``
    (``DamagedStore`` for a damaged file) when it cannot be used."""
    if database_url:
        from bot.store.postgres import PostgresStore

        return PostgresStore(database_url)
    from bot.store.sqlite import SqliteStore

    return SqliteStore(path)
