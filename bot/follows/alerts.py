"""Instant alerts: a chat's unsent hits folded into one message, delivered exactly once, held in quiet
hours; and the digest's "follows" section.

Folding: every instant hit of a chat not yet confirmed goes into one alert, one entry per document (a
document several follows matched is listed once, naming them all, with the passage that matched), up to
``ALERT_LISTED`` entries and a count of the rest. The job that sends alerts runs every
``ALERT_INTERVAL`` seconds, so a burst (an upload of fifty reports on one person) is one message: "5 new
documents match Masadykov".

Exactly once, as a digest part is (``bot/digest.py`` explains the choice): the alert is recorded in
flight up to its last hit before anything is posted (``alert_opening``), its opening line is posted and
its message id recorded (``alert_opened``), the message is edited into the whole alert, and the chat's
alert cursor moves past its hits with the record cleared in one transaction (``alert_delivered``).
After a kill, an alert with a recorded message is finished by editing that message (an edit repeats
harmlessly); one killed before its id was written is posted anew, which can leave its opening line
standing alone, never a document alerted twice or lost. Replicas share the store: recording an alert
in flight is a claim (``alert_opening`` refuses while another alert to the chat was recorded less than
``CLAIM_SECONDS`` ago), so of two replicas only one posts it; one killed before recording its message
id leaves a claim the others take over once it is that old. Within a process a per-chat lock orders
the runs.
"""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import UTC, datetime, time, timedelta

from bot.digest import DigestEntry, DigestPart, DigestReply, MessageGone, PartSender, key_extract
from bot.models import Document, FollowHit
from bot.store import DocumentStore, FollowStore

ALERT_INTERVAL = 30  # seconds between alert runs: an alert comes within a minute of its document
ALERT_LISTED = 10  # documents listed in one alert; the rest are counted
UNSENT_MAX = 100_000
# An alert recorded in flight without its message id is another replica's for this long (its posting
# takes a second or two); after that it is taken as killed and posted anew.
CLAIM_SECONDS = timedelta(minutes=2)


@dataclass(frozen=True)
class AlertEntry:
    doc: Document
    follows: tuple[str, ...]  # the labels of the follows it matched
    passage: str


@dataclass(frozen=True)
class AlertReply:
    """One folded alert: up to ``ALERT_LISTED`` documents of ``total``, the follows they matched (in
    the order first matched), and the last hit it confirms."""

    entries: tuple[AlertEntry, ...]
    total: int
    labels: tuple[str, ...]
    upto_seq: int

    @property
    def unlisted(self) -> int:
        return self.total - len(self.entries)


def fold(hits: Sequence[FollowHit]) -> list[tuple[int, list[FollowHit]]]:
    """Hits grouped by document, in the order their documents were first matched."""
    by_doc: dict[int, list[FollowHit]] = {}
    for hit in hits:
        by_doc.setdefault(hit.doc_id, []).append(hit)
    return list(by_doc.items())


def build_alert(store: FollowStore, documents: DocumentStore, chat_id: int) -> AlertReply | None:
    """The alert owed to ``chat_id`` now, or None when nothing is."""
    hits = store.unsent_hits(chat_id, UNSENT_MAX)
    if not hits:
        return None
    grouped = fold(hits)
    listed = grouped[:ALERT_LISTED]
    docs = documents.get_many([doc_id for doc_id, _ in listed])
    entries = tuple(
        AlertEntry(docs[doc_id], tuple(dict.fromkeys(h.label for h in group)), group[0].passage)
        for doc_id, group in listed
        if doc_id in docs
    )
    labels = tuple(dict.fromkeys(h.label for h in hits))
    return AlertReply(entries, len(grouped), labels, max(h.seq for h in hits))


def parse_quiet(hours: tuple[str, str]) -> tuple[time, time]:
    start, end = (time(int(t[:2]), int(t[3:5])) for t in hours)
    return start, end


def in_quiet_hours(hours: tuple[str, str] | None, now: datetime) -> bool:
    """Whether ``now`` (in the team's zone) falls in the quiet hours; 22:00-08:00 spans midnight."""
    if hours is None:
        return False
    start, end = parse_quiet(hours)
    t = now.timetz().replace(tzinfo=None)
    if start <= end:
        return start <= t < end
    return t >= start or t < end


async def deliver_alert(
    store: FollowStore, chat_id: int, alert: AlertReply, payload: object, send: PartSender
) -> bool:
    """Send one alert exactly once (module docstring): finish the one in flight by editing its message,
    else record, open, fill and confirm. Errors propagate; the next run takes up what was not confirmed."""
    part = DigestPart(payload, alert.upto_seq)
    pending = await asyncio.to_thread(store.alert_inflight, chat_id)
    message_id = pending.message_id if pending is not None else None
    if message_id is not None:
        try:
            await send.fill(part, message_id)
        except MessageGone:
            message_id = None
    if message_id is None:
        stale_before = datetime.now(UTC) - CLAIM_SECONDS
        if not await asyncio.to_thread(store.alert_opening, chat_id, alert.upto_seq, stale_before):
            return False  # another replica is sending this chat's alert right now
        message_id = await send.open(part)
        await asyncio.to_thread(store.alert_opened, chat_id, alert.upto_seq, message_id)
        await send.fill(part, message_id)
    await asyncio.to_thread(store.alert_delivered, chat_id, alert.upto_seq)
    return True


async def abandon_alert(store: FollowStore, chat_id: int, send: PartSender) -> None:
    """An alert was left in flight but nothing is owed any more (its follows or documents were removed):
    its opening message goes, and so does the record."""
    pending = await asyncio.to_thread(store.alert_inflight, chat_id)
    if pending is None:
        return
    if pending.message_id is not None:
        await send.withdraw(pending.message_id)
    await asyncio.to_thread(store.alert_delivered, chat_id, pending.upto_id)


def with_follows(digest: DigestReply, hits: Sequence[FollowHit], documents: DocumentStore) -> DigestReply:
    """The digest with its "follows" section: the documents that matched the chat's digest-mode follows,
    under each follow's name, leading it (they stay in the list below too, where the cursor counts them)."""
    if not hits:
        return digest
    docs = documents.get_many(list(dict.fromkeys(h.doc_id for h in hits)))
    sections: dict[str, list[DigestEntry]] = {}
    for hit in hits:
        doc = docs.get(hit.doc_id)
        if doc is not None:
            sections.setdefault(hit.label, []).append(DigestEntry(doc, hit.passage or key_extract(doc)))
    return replace(digest, follows=tuple((label, tuple(entries)) for label, entries in sections.items()))
