"""Digest composition and the exactly-once delivery loop, independent of any transport.

A subscription's cursor is the last document id whose delivery was confirmed. A digest lists what lies
above it, split by the transport into parts at document boundaries; after each part is confirmed, the
cursor moves to that part's last document. A crash, restart or network failure between parts therefore
resends nothing already confirmed and loses nothing unconfirmed.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo

from bot.models import Document, Subscription
from bot.store import DocumentStore, SubscriptionStore

MAX_LISTED = 20
EXTRACT_CHARS = 280
MAX_PEOPLE = 8  # per document: a roll-call of fifty names would crowd out the news (and the 4,096 limit)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”’)]?\s+(?=[\"«“(A-ZА-ЯЁ0-9])")

PeopleLookup = Callable[[int], Sequence[str]]


@dataclass(frozen=True)
class DigestEntry:
    doc: Document
    extract: str
    people: tuple[str, ...] = ()


@dataclass(frozen=True)
class DigestReply:
    """What a chat's next digest holds: up to MAX_LISTED entries of ``total`` new documents."""

    entries: tuple[DigestEntry, ...]
    total: int
    period_start: datetime
    period_end: datetime
    upto_id: int  # the cursor once everything in this digest is delivered
    preview: bool = False

    @property
    def unlisted(self) -> int:
        return self.total - len(self.entries)


def key_extract(doc: Document, limit: int = EXTRACT_CHARS) -> str:
    """One or two sentences that say what the document is about: news puts that in its lead, so the
    first full sentences after the title, skipping datelines and short fragments."""
    lines = [" ".join(line.split()) for line in doc.text.splitlines() if line.strip()]
    title = doc.title.strip()
    cut = title.endswith("…")  # a long title line is stored cut, with an ellipsis
    stem = title.rstrip("…").strip()

    def is_title(line: str) -> bool:
        line = line.lstrip("# ")
        return line == stem or (cut and bool(stem) and line.startswith(stem))

    body = " ".join(line for line in lines if not is_title(line))
    sentences = [s.strip() for s in _SENTENCE_END.split(body) if len(s.split()) >= 6]
    out = ""
    for sentence in sentences[:2]:
        candidate = f"{out} {sentence}".strip()
        if len(candidate) > limit:
            break
        out = candidate
    if not out and sentences:
        out = sentences[0][: limit - 1].rsplit(" ", 1)[0] + "…"
    return out


def build_digest(
    store: DocumentStore,
    sub: Subscription,
    now: datetime,
    people: PeopleLookup | None = None,
    preview: bool = False,
    tz: tzinfo = UTC,
) -> DigestReply | None:
    """The digest owed to ``sub``, or None when nothing was added since its cursor. Its period is given
    in ``tz``, the time zone the team reads its schedule in (``DOSSIER_TIMEZONE``)."""
    docs, total, top = store.documents_after(sub.cursor, MAX_LISTED)
    if not total:
        return None
    entries = tuple(
        DigestEntry(doc, key_extract(doc), tuple(people(doc.id))[:MAX_PEOPLE] if people else ())
        for doc in docs
    )
    return DigestReply(entries, total, sub.last_run_at.astimezone(tz), now.astimezone(tz), top, preview)


@dataclass(frozen=True)
class DigestPart:
    """One message of a digest as the transport will send it, and the last document it carries."""

    payload: object
    last_doc_id: int


SendPart = Callable[[DigestPart], Awaitable[None]]


async def deliver(
    store: SubscriptionStore,
    sub: Subscription,
    digest: DigestReply,
    parts: Sequence[DigestPart],
    send: SendPart,
) -> int:
    """Send ``parts`` in order, advancing the cursor after each confirmed one. Errors propagate (the
    caller decides: blocked chats end, rate limits wait, others retry next run); what was confirmed
    before the error stays confirmed. Returns the number of parts sent."""
    sent = 0
    for i, part in enumerate(parts):
        await send(part)
        last = digest.upto_id if i == len(parts) - 1 else part.last_doc_id
        await asyncio.to_thread(store.advance_cursor, sub.chat_id, last)  # off the event loop
        sent += 1
    return sent
