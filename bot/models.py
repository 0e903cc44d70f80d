"""The value types shared across Dossier: what the store holds, what a search or a person's page
returns, and what /stats and a reindex report. Plain frozen dataclasses, no behaviour beyond a check or
two, so the store, the core, the commands and both renderers can share them without importing each
other."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any

from bot.messages import Coded
from bot.search.query import Query
from bot.search.snippets import Snippet

# Long work reports how far it is: (done, total, the name of what was just done).
Progress = Callable[[int, int, str], None]


# ----------------------------------------------------------------- stored rows
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
class Follow:
    """A chat's follow (``bot/follows/``): a person (``kind`` "person", ``target`` the person's key in the
    people index) or a query (``kind`` "query", ``target`` the query as typed), shown under ``label``.
    ``mode`` is "instant" (an alert within a minute) or "digest" (leads the chat's next digest);
    ``after_id`` is the newest document when it was made: only documents above it can match."""

    id: int
    chat_id: int
    thread_id: int | None
    kind: str
    target: str
    label: str
    mode: str
    after_id: int
    created_by: int | None = None


@dataclass(frozen=True)
class FollowHit:
    """A document that matched a follow, with the passage that matched; ``seq`` orders a chat's hits
    (its alerts are confirmed up to a ``seq``, like a digest's cursor)."""

    seq: int
    chat_id: int
    doc_id: int
    follow_id: int
    label: str
    mode: str
    passage: str


@dataclass(frozen=True)
class NewFollowHit:
    chat_id: int
    doc_id: int
    follow_id: int
    mode: str
    passage: str


@dataclass(frozen=True)
class CorpusFile:
    path: str
    size: int
    mtime_ns: int
    doc_id: int | None


# ----------------------------------------------------------------- answers
@dataclass(frozen=True)
class SearchHit:
    doc: Document
    score: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchPage:
    query: Query
    hits: list[SearchHit]
    total: int
    offset: int
    suggestion: str | None
    stop_words_only: bool = False
    unmatched_words: tuple[str, ...] = ()  # query words no document matched (``SearchResult``)
    partial: bool = False  # no hit has every query word


@dataclass(frozen=True)
class PersonDocument:
    """A document that names a person, with the sentence that does (when asked for)."""

    id: int
    source: str
    title: str
    published: date | None
    sentence: str | None = None


@dataclass(frozen=True)
class Stats:
    documents: int
    near_duplicates: int
    people: int | None
    subscribers: dict[str, int]
    database_bytes: int
    originals_bytes: int
    last_ingest: dict[str, Any] | None
    people_failure: str | None = None  # why the people index could not be built, when it could not


@dataclass
class ReindexReport:
    documents: int = 0
    reread: int = 0  # read again from an original
    changed: int = 0  # whose text, title or date came out different
    kept: list[tuple[int, Coded]] = field(default_factory=list)  # kept as stored, and why (``reindex.``)
    unused_removed: int = 0  # originals no document refers to (left by a crash), deleted
    seconds: float = 0.0
