"""Digest composition and the exactly-once delivery loop, independent of any transport.

A subscription's cursor is the last document id whose delivery was confirmed. A digest lists what lies
above it, split by the transport into parts at document boundaries; after each part is confirmed, the
cursor moves to that part's last document.

The window a cursor alone leaves open: Telegram accepts a part, the process dies before the cursor is
written, and the next run sends the part again. Telegram's Bot API has no idempotency key and a bot cannot
read a chat's history, so after such a kill nothing can ask Telegram whether a ``sendMessage`` arrived.
Three ways were weighed:

(a) record the part as in flight before sending it and, after a kill, count it as delivered, telling the
    reader in the next digest which documents may not have arrived. Nothing doubles, but with sixteen
    chats in flight at once a kill turns every part still on the wire into a notice instead of news:
    lost, if not silently.
(b) send each part in two steps: a short opening message (the part's first line), whose message id is
    recorded, then an edit of that message into the whole part. An edit is idempotent (Telegram answers
    "message is not modified" to a repeat), so a part whose id was recorded is finished by editing the
    same message however often the process dies. The only thing a kill can still double is the opening
    line: dead after Telegram accepted it and before its id was written, the part is posted anew and that
    one line stands alone above it. No document is listed twice or lost.
(c) probing the chat afterwards (editing guessed message ids to see which are the bot's) works on
    sequential ids in private chats only and risks touching the wrong message: rejected.

This module does (b). Each part is recorded in the store as in flight (``part_opening``) before its
opening message is posted, given the message id once Telegram returns it (``part_opened``) and cleared
with the cursor advance in one transaction once the edit is confirmed (``part_delivered``). A part found
in flight (after a kill, or an error mid-part) is reconciled by the chat's next delivery, which the
transport runs right after start: its first part always starts at the cursor, as the interrupted one
did, so it is edited into the recorded message (documents added meanwhile may make it longer).

One story from several sources is one entry (``bot.ingest.story``), placed at its first version; its
other versions may have higher ids than the next entries. A part's cursor therefore stops at its last
entry's first document, so a kill between parts can list such a version again, but never loses one.
"""

from __future__ import annotations

import asyncio
import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, tzinfo
from typing import Protocol

from bot.ingest.story import story_groups, story_text
from bot.models import Document, Subscription
from bot.store import DocumentStore, SubscriptionStore

MAX_LISTED = 20
EXTRACT_CHARS = 280
MAX_PEOPLE = 8  # per document: a roll-call of fifty names would crowd out the news (and the 4,096 limit)
_SENTENCE_END = re.compile(r"(?<=[.!?…])[\"»”’)]?\s+(?=[\"«“(A-ZА-ЯЁ0-9])")

PeopleLookup = Callable[[int], Sequence[str]]


@dataclass(frozen=True)
class DigestEntry:
    """One story: its first document, and the other documents telling the same story (``also``, in id
    order: reprints, translations, other outlets' versions; see ``bot.ingest.story``)."""

    doc: Document
    extract: str
    people: tuple[str, ...] = ()
    also: tuple[Document, ...] = ()

    @property
    def doc_ids(self) -> tuple[int, ...]:
        return (self.doc.id, *(d.id for d in self.also))


@dataclass(frozen=True)
class DigestReply:
    """What a chat's next digest holds: entries for up to MAX_LISTED of ``total`` new documents, one
    entry per story."""

    entries: tuple[DigestEntry, ...]
    total: int
    period_start: datetime
    period_end: datetime
    upto_id: int  # the cursor once everything in this digest is delivered
    preview: bool = False
    # What matched the chat's digest-mode follows, by follow name: it leads the digest (bot/follows/).
    follows: tuple[tuple[str, tuple[DigestEntry, ...]], ...] = ()

    @property
    def unlisted(self) -> int:
        return self.total - sum(len(e.doc_ids) for e in self.entries)


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
    in ``tz``, the time zone the team reads its schedule in (``DOSSIER_TIMEZONE``). Documents telling one
    story make one entry, placed at the first of them: the same story from three outlets is one entry
    with two more sources, not three entries."""
    docs, total, top = store.documents_after(sub.cursor, MAX_LISTED)
    if not total:
        return None
    by_id = {doc.id: doc for doc in docs}
    groups = story_groups({doc.id: story_text(doc.text, doc.published, doc.title) for doc in docs})
    entries = tuple(
        DigestEntry(
            by_id[first],
            key_extract(by_id[first]),
            tuple(people(first))[:MAX_PEOPLE] if people else (),
            tuple(by_id[i] for i in rest),
        )
        for first, *rest in groups
    )
    return DigestReply(entries, total, sub.last_run_at.astimezone(tz), now.astimezone(tz), top, preview)


@dataclass(frozen=True)
class DigestPart:
    """One message of a digest as the transport will send it, and the last document it carries: its
    last entry's first document. The cursor moves there, not past it: an entry's other sources may have
    higher ids than a later part's entries, and a cursor past those would lose them if the process died
    between parts (it lists such a source again instead)."""

    payload: object
    last_doc_id: int


class MessageGone(Exception):
    """Raised by a transport's ``fill``: the opening message can no longer be edited (the reader deleted
    it, or it is too old), so the part has to be posted anew."""


class PartSender(Protocol):
    """How a transport delivers one part in two steps (see the module docstring)."""

    async def open(self, part: DigestPart) -> int:
        """Post the part's opening line; returns the message id Telegram gave it."""

    async def fill(self, part: DigestPart, message_id: int) -> None:
        """Edit message ``message_id`` into the whole part. Idempotent: an edit that changes nothing
        counts as done. Raises MessageGone when the message cannot be edited any more."""

    async def withdraw(self, message_id: int) -> None:
        """Remove an opening message whose part is no longer owed (best effort)."""


class LeaseLost(Exception):
    """This process no longer holds the chat's lease (``bot.leases``): another process may be delivering
    to it, so nothing more is sent from here. What was confirmed stays confirmed."""


async def deliver(
    store: SubscriptionStore,
    sub: Subscription,
    digest: DigestReply,
    parts: Sequence[DigestPart],
    send: PartSender,
    still_mine: Callable[[], Awaitable[bool]] | None = None,
) -> int:
    """Send ``parts`` in order, each recorded as in flight before anything is posted and confirmed with
    the cursor advance. A part left in flight by an earlier run is finished first, by editing its
    recorded message. Errors propagate (the caller decides: blocked chats end, rate limits wait, others
    retry next run); what was confirmed before the error stays confirmed, and a part whose opening
    message was recorded is finished by the next run, not posted again. ``still_mine`` is asked before
    each part when several processes share the store: False (the chat's lease was lost) raises
    ``LeaseLost`` before anything more is sent. Returns the parts confirmed."""
    sent = 0
    pending = await asyncio.to_thread(store.inflight_part, sub.chat_id)
    for i, part in enumerate(parts):
        if still_mine is not None and not await still_mine():
            raise LeaseLost(sub.chat_id)
        last = digest.upto_id if i == len(parts) - 1 else part.last_doc_id
        # Only the first part can be the interrupted one: that one started at the cursor too.
        message_id = pending.message_id if pending is not None and i == 0 else None
        if message_id is not None:
            try:
                await send.fill(part, message_id)
            except MessageGone:
                message_id = None
        if message_id is None:
            # The store off the event loop: a scan's transaction may hold it for a moment.
            await asyncio.to_thread(store.part_opening, sub.chat_id, last)
            message_id = await send.open(part)
            await asyncio.to_thread(store.part_opened, sub.chat_id, last, message_id)
            await send.fill(part, message_id)
        await asyncio.to_thread(store.part_delivered, sub.chat_id, last)
        sent += 1
    return sent


async def abandon(store: SubscriptionStore, chat_id: int, send: PartSender) -> None:
    """A chat has nothing new although a part was left in flight (its documents were deleted since):
    its opening message goes, and so does the record."""
    pending = store.inflight_part(chat_id)
    if pending is None:
        return
    if pending.message_id is not None:
        await send.withdraw(pending.message_id)
    store.part_abandoned(chat_id)
