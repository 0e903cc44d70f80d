"""Scheduled digests through PTB's JobQueue, delivered exactly once per document.

The schedule is rebuilt from the store at start-up; a run missed while the bot was down is made up once
(coalesced). Each chat's delivery runs under its own lock and re-reads its cursor inside it, so two runs
that overlap (start-up catch-up and a scheduled run) cannot send the same document twice.
"""

from __future__ import annotations

import asyncio
import html
import logging
import re
from datetime import UTC, datetime, timedelta
from typing import Any

from telegram import LinkPreviewOptions, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, RetryAfter, TelegramError
from telegram.ext import Job

from bot.digest import DigestPart, MessageGone, abandon, build_digest, deliver
from bot.follows.alerts import with_follows
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
    schedule. One failing chat never holds up the others."""
    services = context.services
    job: Job[DossierContext] | None = context.job
    chat_ids = job.data if job is not None and isinstance(job.data, list) else None
    if job is not None and (job.name or "").startswith(RETRY_JOB):
        services.dossier.metrics.digest("retried")
    subs = await asyncio.to_thread(services.dossier.subscriptions)
    if chat_ids is None:
        subs = [s for s in subs if not s.digest_time]
    else:
        subs = [s for s in subs if s.chat_id in chat_ids]
    gate = asyncio.Semaphore(PARALLEL_CHATS)

    async def one(sub: Subscription) -> None:
        async with gate:
            await run_digest(context, sub.chat_id)

    await asyncio.gather(*(one(s) for s in subs))


async def run_digest(context: DossierContext, chat_id: int) -> int:
    """Send ``chat_id`` its digest if anything is new; returns how many parts were confirmed."""
    services = context.services
    dossier = services.dossier
    metrics = dossier.metrics
    moved_to: int | None = None
    async with chat_lock(context.bot_data, chat_id):
        # Fresh: the cursor may have moved while we waited.
        sub = await asyncio.to_thread(dossier.subscription, chat_id)
        if sub is None:
            return 0
        # A private chat's reader is its user; a group's digest rests on the team: the group itself is
        # one of the allowed chats, or the member who subscribed it still is one.
        reader, where = (sub.chat_id, None) if sub.kind == "user" else (sub.subscribed_by, sub.chat_id)
        if not await services.members.allowed(services.policy, context.bot, reader, where):
            # Someone who has left the team since subscribing: nothing is sent and the cursor stays,
            # so a returning member is owed the same digest. (Not ended: a failed membership check
            # must not cost a member their subscription.)
            log.info("digest to chat %s held back: no longer allowed under DOSSIER_ACCESS", chat_id)
            return 0
        now = datetime.now(UTC)
        # In a worker thread: it reads the store and the people index, which is still being built for a
        # second or two after a restart (when missed digests run); the event loop answers chats meanwhile.
        digest = await asyncio.to_thread(
            build_digest, dossier.store, sub, now, services.commands.people, tz=services.settings.tz
        )
        await asyncio.to_thread(dossier.mark_run, chat_id, now)
        store = dossier.store
        sender = TelegramParts(context, sub.chat_id, sub.thread_id)
        try:
            if digest is None:
                await abandon(store, chat_id, sender)
                return 0
            # The documents matching the chat's digest-mode follows lead it (bot/follows/alerts.py).
            hits = await asyncio.to_thread(store.digest_hits, chat_id, sub.cursor, digest.upto_id)
            digest = with_follows(digest, hits, store)
            # A group's chosen language, a private chat's user's (bot.commands.lang.chat_language).
            lang = services.commands.digest_language(chat_id, sub.kind)
            sent = await deliver(store, sub, digest, digest_parts(digest, lang=lang), sender)
            metrics.digest("sent")
            return sent
        except Forbidden as exc:
            metrics.digest("blocked")
            await asyncio.to_thread(dossier.unsubscribe, chat_id)
            log.warning("digest to chat %s refused (%s): subscription ended", chat_id, exc.message)
        except ChatMigrated as exc:
            await asyncio.to_thread(dossier.migrate_chat, chat_id, exc.new_chat_id)
            log.info("chat %s became %s: its subscription follows", chat_id, exc.new_chat_id)
            moved_to = exc.new_chat_id
        except RetryAfter as exc:
            log.warning(
                "digest to chat %s rate-limited past retries (%s): retrying soon or at the next run",
                chat_id,
                retry_after_seconds(exc),
            )
            metrics.digest("failed")
            retry_soon(context, chat_id)
        except (TelegramError, MessageGone) as exc:
            log.warning("digest to chat %s failed (%s): retrying soon or at the next run", chat_id, exc)
            metrics.digest("failed")
            retry_soon(context, chat_id)
    if moved_to is not None:
        return await run_digest(context, moved_to)
    return 0


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
