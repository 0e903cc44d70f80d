"""What Dossier keeps: the store's contract, one small Protocol per aggregate, and the way to open one.

The contract is backend-neutral: no caller outside this package sees a database connection or a
database exception. The pieces:

- ``Tx``: an opaque token for one open write transaction. ``store.transaction()`` yields it; write
  methods take it, so a caller can add its own rows to a document's transaction (all committed, or none)
  without knowing what a transaction is made of. Each implementation maps it to its connection.
- one Protocol per aggregate, following the tables: ``DocumentStore``, ``PeopleStore``,
  ``CorpusFileStore``, ``OriginalStore`` (with ``OriginalBytes``), ``SignatureStore``,
  ``SubscriptionStore``, ``SessionStore``, ``Meta``; and ``Store``, all of them together with
  ``transaction`` and ``close``.
- ``IndexStamps``: the search-index snapshot's staleness bookkeeping, which still lives in the store for
  now (it belongs beside the engine's snapshot; only ``Meta.generation`` is the store's own).
- errors: ``bot.errors.StoreError`` and its subclasses (``DamagedStore``, ``DuplicateText``,
  ``NoSuchDocument``), raised by every backend in place of the database's own exceptions.

``tests/test_store.py`` is the conformance suite: every method here, run against each implementation
(``bot.store.sqlite.SqliteStore`` and ``bot.store.postgres.PostgresStore``).
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import AbstractContextManager
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Protocol

from bot.errors import DamagedStore, DuplicateText, NoSuchDocument, StoreError
from bot.models import CorpusFile, Document, InFlightPart, NewDocument, SearchSession, Subscription

__all__ = [
    "CorpusFileStore",
    "DamagedStore",
    "DocumentHead",
    "DocumentStore",
    "DuplicateText",
    "IndexStamps",
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


class IndexStamps(Protocol):
    """Whether an in-memory search index kept up to date with this store's writes can be snapshotted
    as current: bookkeeping that belongs beside the engine's snapshot, kept here until it moves there."""

    def snapshot_stamp(self) -> str | None:
        """The generation such an index reflects, or None when another process changed the documents."""
        ...

    def trust_current(self) -> None:
        """An index is being built from what is stored now: it will reflect every write so far."""
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
    LanguageStore,
    SessionStore,
    Meta,
    IndexStamps,
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
