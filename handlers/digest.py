"""Scheduled digests through PTB's JobQueue, delivered exactly once per document.

The schedule is rebuilt from the store at start-up; a run missed while the bot was down is made up once
(coalesced). Each chat's delivery runs under its own lock and re-reads its cursor inside it, so two runs
that overlap (start-up catch-up and a scheduled run) cannot send the same document twice.

Several processes on one store (replicas, issue 19) each run the schedule; leases (``bot.leases``) make
it one delivery:

- a scheduled run takes the lease of its slot (``digest-run:<job>:<slot start>``); the other processes'
  runs of that slot find it taken and only come back to check ``CHECK_AFTER`` later;
- each chat's delivery takes the chat's lease (``digest-chat:<id>``), renewed while it works and asked
  again before each part, and re-reads the subscription inside it: a chat whose run for this slot is
  marked (after its delivery) is skipped, so each chat is served once per slot by one process;
- a check (a process that found the run or a chat taken) delivers to the slot's chats not yet marked,
  so when the holder is killed mid-run the others carry on once its leases run out: its in-flight part
  is finished by editing its message (``bot.digest``), nothing lost and nothing sent twice.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Job

from bot.digest import DigestPart, LeaseLost, MessageGone, abandon, build_digest, deliver
from bot.follows.alerts import with_follows
from bot.leases import LEASE_TTL
from bot.models import Subscription
from handlers.context import DossierApp, DossierContext, Services
from handlers.ratelimit import retry_after_seconds
from handlers.render import OutMessage, digest_parts

log = logging.getLogger(__name__)

GLOBAL_JOB = "digest:all"
PARALLEL_CHATS = 16  # deliveries in flight at once; the rate limiter paces the actual sends
# A delivery that failed for a passing reason is tried again this soon, not only at the next scheduled
# run (a day away under a daily schedule).
RETRY_FAILED = timedelta(minutes=5)
LOCKS_KEY = "digest_locks"
RETRY_JOB = "digest-retry:"  # the job name's prefix; the chat id follows
# A run or a chat another process holds is checked again once that process's lease could have run out.
CHECK_AFTER = timedelta(seconds=LEASE_TTL + 2)


@dataclass(frozen=True)
class SlotCheck:
    """A job's data: deliver the run of ``slot`` to the chats that have not had it (all on the shared
    schedule when ``chat_ids`` is None)."""

    slot: datetime
    chat_ids: tuple[int, ...] | None = None


def slot_start(now: datetime, interval: timedelta | None) -> datetime:
    """The scheduled moment a run that fires at ``now`` belongs to, the same in every process: an
    interval schedule's runs fall in whole intervals since the epoch, a cron schedule's on the minute."""
    step = interval.total_seconds() if interval is not None else 60.0
    return datetime.fromtimestamp(now.timestamp() // step * step, UTC)


def chat_lock(bot_data: dict[Any, Any], chat_id: int) -> asyncio.Lock:
    """The lock one chat's deliveries take, kept with the Application: an asyncio lock belongs to the
    event loop it first waited in, so a process-wide table breaks the next Application on another loop
    (and would grow for ever)."""
    locks: dict[int, asyncio.Lock] = bot_data.setdefault(LOCKS_KEY, {})
    return locks.setdefault(chat_id, asyncio.Lock())


def chat_job_name(chat_id: int) -> str:
    return f"digest:{chat_id}"


def schedule_digests(app: DossierApp) -> None:
    """(Re)build every digest job from the store and make up runs missed while the bot was down."""
    services: Services = app.bot_data["services"]
    jq = app.job_queue
    if jq is None:
        raise RuntimeError("the digest needs PTB's JobQueue (python-telegram-bot[job-queue])")
    for job in jq.jobs():
        if job.name and job.name.startswith("digest:"):
            job.schedule_removal()
    schedule = services.commands.schedule_for(None)
    if schedule.interval is not None:
        jq.run_repeating(digest_job, interval=schedule.interval, first=schedule.interval, name=GLOBAL_JOB)
    else:
        jq.run_custom(digest_job, job_kwargs={"trigger": schedule.trigger}, name=GLOBAL_JOB)
    now = datetime.now(UTC)
    # A digest part a kill interrupted is finished right away, whatever the chat's schedule: its
    # opening line may be standing alone in the chat.
    missed: list[int] = services.dossier.store.inflight_chats()
    for sub in services.dossier.subscriptions():
        if sub.digest_time:
            reschedule_chat(app, sub.chat_id, sub)
        due = services.commands.schedule_for(sub.digest_time).missed_since(sub.last_run_at, now)
        if due and sub.chat_id not in missed:
            missed.append(sub.chat_id)
    if missed:
        log.info("making up missed digests for %d chats", len(missed))
        jq.run_once(digest_job, when=0, data=missed, name="digest:catch-up")


def reschedule_chat(app: DossierApp, chat_id: int, sub: Subscription | None) -> None:
    """A subscriber's own daily time replaces the shared schedule for that chat (none once unsubscribed)."""
    jq = app.job_queue
    if jq is None:
        return
    for job in jq.get_jobs_by_name(chat_job_name(chat_id)):
        job.schedule_removal()
    if sub is not None and sub.digest_time:
        services: Services = app.bot_data["services"]
        trigger = services.commands.schedule_for(sub.digest_time).trigger
        jq.run_custom(
            digest_job, job_kwargs={"trigger": trigger}, data=[sub.chat_id], name=chat_job_name(sub.chat_id)
        )


async def digest_job(context: DossierContext) -> None:
    """Deliver due digests: to the chats named in the job's data, else to every chat on the shared
    schedule. One failing chat never holds up the others. A scheduled run is one slot's, taken by one
    process (module docstring)."""
    services = context.services
    dossier = services.dossier
    job: Job[DossierContext] | None = context.job
    data = job.data if job is not None else None
    if job is not None and (job.name or "").startswith(RETRY_JOB):
        dossier.metrics.digest("retried")
    started = datetime.now(UTC)
    slot: datetime | None = None
    run: str | None = None  # the slot's lease, when this is the process that runs it
    if job is not None and job.name == GLOBAL_JOB:
        sync_chat_jobs(context.app, await asyncio.to_thread(dossier.subscriptions))
    if isinstance(data, SlotCheck):
        slot, chat_ids = data.slot, (list(data.chat_ids) if data.chat_ids is not None else None)
    else:
        chat_ids = data if isinstance(data, list) else None
        if job is not None and job.name is not None and _scheduled(job.name):
            sub_time = None
            if chat_ids is not None and len(chat_ids) == 1:
                own = await asyncio.to_thread(dossier.subscription, chat_ids[0])
                sub_time = own.digest_time if own is not None else None
            slot = slot_start(datetime.now(UTC), services.commands.schedule_for(sub_time).interval)
            run = f"digest-run:{job.name}:{slot.isoformat()}"
            if not await asyncio.to_thread(dossier.leases.take, run):
                # Another process runs this slot: back later for any chat it has not served.
                check_later(context, SlotCheck(slot, tuple(chat_ids) if chat_ids is not None else None))
                return
    subs = await asyncio.to_thread(dossier.subscriptions)
    if chat_ids is None:
        subs = [s for s in subs if not s.digest_time]
    else:
        subs = [s for s in subs if s.chat_id in chat_ids]
    if slot is not None:
        subs = [s for s in subs if s.last_run_at < slot]  # served in this slot already
    gate = asyncio.Semaphore(PARALLEL_CHATS)
    busy: list[int] = []

    async def one(sub: Subscription) -> None:
        async with gate:
            if await run_digest(context, sub.chat_id, slot) is None:
                busy.append(sub.chat_id)

    try:
        await asyncio.gather(*(one(s) for s in subs))
    finally:
        if run is not None:
            # Done: the slot's lease stays taken past the other processes' runs of it.
            await asyncio.to_thread(dossier.leases.keep, run, CHECK_AFTER.total_seconds() * 4)
    if busy:
        # Chats another process was serving (or a killed one held): checked again once its leases
        # could have run out; served then unless that process marked them since.
        check_later(context, SlotCheck(slot or started, tuple(busy)))


def sync_chat_jobs(app: DossierApp, subs: list[Subscription]) -> None:
    """A chat's own digest time set or cleared through another process (its /digest_time went there):
    this process's per-chat jobs follow the store at each shared run, so that any process can serve it.
    (A time changed elsewhere from one hour to another is followed after a restart.)"""
    jq = app.job_queue
    if jq is None:
        return
    timed = {s.chat_id: s for s in subs if s.digest_time}
    for chat_id, sub in timed.items():
        if not jq.get_jobs_by_name(chat_job_name(chat_id)):
            reschedule_chat(app, chat_id, sub)
    for job in jq.jobs():
        name = job.name or ""
        if name != GLOBAL_JOB and _scheduled(name) and int(name[7:]) not in timed:
            job.schedule_removal()


def _scheduled(job_name: str) -> bool:
    """A job of the schedule (the shared one or a chat's own time), not a catch-up, retry or check."""
    return job_name == GLOBAL_JOB or (job_name.startswith("digest:") and job_name[7:].lstrip("-").isdigit())


def check_later(context: DossierContext, check: SlotCheck) -> None:
    jq = context.app.job_queue
    if jq is not None:
        jq.run_once(digest_job, when=CHECK_AFTER, data=check, name=f"digest-check:{check.slot.isoformat()}")


async def run_digest(context: DossierContext, chat_id: int, slot: datetime | None = None) -> int | None:
    """Send ``chat_id`` its digest if anything is new; returns how many parts were confirmed, or None
    when another process holds the chat (it is delivering to it now). With ``slot``, a chat whose run
    of that slot is marked already (by any process) is skipped."""
    leases = context.services.dossier.leases
    lease = f"digest-chat:{chat_id}"
    async with chat_lock(context.bot_data, chat_id):
        if not await asyncio.to_thread(leases.take, lease):
            return None
        try:
            sent, moved_to = await _run_leased(context, chat_id, slot, lease)
        finally:
            await asyncio.to_thread(leases.release, lease)
    if moved_to is not None:
        return await run_digest(context, moved_to)
    return sent


async def _run_leased(
    context: DossierContext, chat_id: int, slot: datetime | None, lease: str
) -> tuple[int, int | None]:
    """``run_digest`` with the chat's lock and lease held: the parts confirmed, and the chat's new id
    when it became a supergroup."""
    services = context.services
    dossier = services.dossier
    # Fresh: the cursor may have moved while we waited (here, or in another process).
    sub = await asyncio.to_thread(dossier.subscription, chat_id)
    if sub is None or (slot is not None and sub.last_run_at >= slot):
        return 0, None
    # A private chat's reader is its user; a group's digest rests on the team: the group itself is
    # one of the allowed chats, or the member who subscribed it still is one.
    reader, where = (sub.chat_id, None) if sub.kind == "user" else (sub.subscribed_by, sub.chat_id)
    if not await services.members.allowed(services.policy, context.bot, reader, where):
        # Someone who has left the team since subscribing: nothing is sent and the cursor stays,
        # so a returning member is owed the same digest. (Not ended: a failed membership check
        # must not cost a member their subscription.)
        log.info("digest to chat %s held back: no longer allowed under DOSSIER_ACCESS", chat_id)
        return 0, None
    now = datetime.now(UTC)
    # In a worker thread: it reads the store and the people index, which is still being built for a
    # second or two after a restart (when missed digests run); the event loop answers chats meanwhile.
    digest = await asyncio.to_thread(
        build_digest, dossier.store, sub, now, services.commands.people, tz=services.settings.tz
    )
    store = dossier.store
    sender = TelegramParts(context, sub.chat_id, sub.thread_id)

    async def still_mine() -> bool:
        return await asyncio.to_thread(dossier.leases.still_held, lease)

    try:
        if digest is None:
            await abandon(store, chat_id, sender)
            return 0, None
        # The documents matching the chat's digest-mode follows lead it (bot/follows/alerts.py).
        hits = await asyncio.to_thread(store.digest_hits, chat_id, sub.cursor, digest.upto_id)
        digest = with_follows(digest, hits, store)
        # A group's chosen language, a private chat's user's (bot.commands.lang.chat_language).
        lang = services.commands.digest_language(chat_id, sub.kind)
        parts = digest_parts(digest, lang=lang)
        sent = await deliver(store, sub, digest, parts, sender, still_mine)
        dossier.metrics.digest("sent")
        return sent, None
    except Forbidden as exc:
        dossier.metrics.digest("blocked")
        await asyncio.to_thread(dossier.unsubscribe, chat_id)
        log.warning("digest to chat %s refused (%s): subscription ended", chat_id, exc.message)
    except ChatMigrated as exc:
        await asyncio.to_thread(dossier.migrate_chat, chat_id, exc.new_chat_id)
        log.info("chat %s became %s: its subscription follows", chat_id, exc.new_chat_id)
        return 0, exc.new_chat_id
    except RetryAfter as exc:
        log.warning(
            "digest to chat %s rate-limited past retries (%s): retrying soon or at the next run",
            chat_id,
            retry_after_seconds(exc),
        )
        dossier.metrics.digest("failed")
        retry_soon(context, chat_id)
    except (TelegramError, MessageGone) as exc:
        log.warning("digest to chat %s failed (%s): retrying soon or at the next run", chat_id, exc)
        dossier.metrics.digest("failed")
        retry_soon(context, chat_id)
    except LeaseLost:
        log.warning("digest to chat %s stopped: its lease was lost to another process", chat_id)
    finally:
        # Marked once the delivery is over (not before it): a process killed mid-delivery leaves the
        # chat unmarked, so another one's check of this slot carries the delivery on.
        await asyncio.to_thread(dossier.mark_run, chat_id, now)
    return 0, None


_TAG = re.compile(r"<[^>]+>")
OPENING_CHARS = 200


def opening_line(html_text: str) -> str:
    """The first line of a part as plain text ("Digest: 12 new documents", or a continuation's first
    title): what the reader's notification shows, and all a kill can leave standing alone."""
    for line in html_text.splitlines():
        plain = " ".join(html.unescape(_TAG.sub("", line)).split())
        if plain:
            return plain if len(plain) <= OPENING_CHARS else plain[: OPENING_CHARS - 1] + "…"
    return "…"


class TelegramParts:
    """bot.digest.PartSender over the Bot API: sendMessage for the opening line, editMessageText for
    the whole part (a repeat answered "message is not modified" is a success)."""

    def __init__(self, context: DossierContext, chat_id: int, thread_id: int | None) -> None:
        self.bot = context.bot
        self.chat_id = chat_id
        self.thread_id = thread_id

    async def open(self, part: DigestPart) -> int:
        assert isinstance(part.payload, OutMessage)
        message = await self.bot.send_message(
            self.chat_id,
            opening_line(part.payload.html),
            message_thread_id=self.thread_id,
            link_preview_options=LinkPreviewOptions(is_disabled=True),
        )
        return message.message_id

    async def fill(self, part: DigestPart, message_id: int) -> None:
        assert isinstance(part.payload, OutMessage)
        try:
            await self.bot.edit_message_text(
                part.payload.html,
                chat_id=self.chat_id,
                message_id=message_id,
                parse_mode=ParseMode.HTML,
                reply_markup=part.payload.keyboard,
                link_preview_options=LinkPreviewOptions(is_disabled=True),
            )
        except BadRequest as exc:
            reason = exc.message.lower()
            if "not modified" in reason:
                return  # this very content is there already: an earlier run's edit arrived
            if "not found" in reason or "can't be edited" in reason:
                raise MessageGone(exc.message) from exc
            raise

    async def withdraw(self, message_id: int) -> None:
        try:
            await self.bot.delete_message(self.chat_id, message_id)
        except BadRequest as exc:
            log.info("stray digest opening %s in chat %s stays: %s", message_id, self.chat_id, exc.message)


def retry_soon(context: DossierContext, chat_id: int) -> None:
    """One more try for one chat in RETRY_FAILED (once: a retry already waiting is not doubled). What
    was confirmed stays confirmed, so the retry sends only the rest."""
    jq = context.app.job_queue
    name = f"{RETRY_JOB}{chat_id}"
    if jq is None or jq.get_jobs_by_name(name):
        return
    jq.run_once(digest_job, when=RETRY_FAILED, data=[chat_id], name=name)


async def migrate_chat(update: Update, context: DossierContext) -> None:
    """A group became a supergroup: move its subscription (and its language) to the new chat id."""
    message = update.effective_message
    if message is None or not message.migrate_to_chat_id:
        return
    if await asyncio.to_thread(
        context.services.dossier.migrate_chat, message.chat_id, message.migrate_to_chat_id
    ):
        log.info("subscription moved from %s to %s", message.chat_id, message.migrate_to_chat_id)
