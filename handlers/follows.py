"""Follows over Telegram: the job that matches new documents and sends instant alerts, and the buttons
under /follow and /following.

The job runs every ``ALERT_INTERVAL`` seconds: the matcher (``bot.follows.matcher``) records the hits of
every document that arrived since its cursor, then each chat owed an alert gets one folded message
(``bot.follows.alerts``), under its own lock, paced by the rate limiter like every message. A chat in its
quiet hours is skipped until they end (an alert already in flight is still finished).
"""

from __future__ import annotations

import asyncio
import logging
from datetime import datetime
from typing import Any

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, Forbidden, TelegramError

from bot.commands.replies import Reply, TextReply
from bot.digest import MessageGone
from bot.follows.alerts import ALERT_INTERVAL, abandon_alert, build_alert, deliver_alert, in_quiet_hours
from bot.follows.matcher import FollowMatcher
from bot.render_text import text_lines
from handlers.callbacks import decode_follow_edit, decode_follow_pick
from handlers.caller import FRESH, caller_for, language_of, with_chat_admin
from handlers.chat import reply_to_button, stale_button
from handlers.context import DossierApp, DossierContext
from handlers.digest import TelegramParts
from handlers.render import render
from handlers.render_follows import alert_message

log = logging.getLogger(__name__)

JOB_NAME = "follows"
SOON_JOB = "follows-soon"
SOON = 2.0  # seconds from documents stored to the alert run that takes them
MATCHER_KEY = "follow_matcher"
LOCKS_KEY = "alert_locks"
PARALLEL_CHATS = 16


def schedule_follows(app: DossierApp, interval: float | None = None) -> None:
    """The alert job, every ``interval`` seconds (``ALERT_INTERVAL``), first a few seconds after start
    (an alert a kill left in flight is finished then)."""
    jq = app.job_queue
    if jq is None:
        return
    interval = interval or ALERT_INTERVAL
    for job in jq.get_jobs_by_name(JOB_NAME):
        job.schedule_removal()
    jq.run_repeating(follows_job, interval=interval, first=min(interval, 2.0), name=JOB_NAME)


def alert_soon(app: DossierApp) -> None:
    """An alert run ``SOON`` seconds after documents were stored (an upload, a corpus scan, another
    process's documents caught up), besides the regular job: an upload's alert then comes within
    seconds, not up to ``ALERT_INTERVAL`` later. One pending at a time; nothing when alerts are not
    scheduled."""
    jq = app.job_queue
    if jq is None or not jq.get_jobs_by_name(JOB_NAME) or jq.get_jobs_by_name(SOON_JOB):
        return
    jq.run_once(follows_job, when=SOON, name=SOON_JOB)


def _matcher(bot_data: dict[Any, Any], context: DossierContext) -> FollowMatcher:
    matcher = bot_data.get(MATCHER_KEY)
    if not isinstance(matcher, FollowMatcher):
        matcher = bot_data[MATCHER_KEY] = FollowMatcher(context.services.dossier)
    return matcher


def _lock(bot_data: dict[Any, Any], chat_id: int) -> asyncio.Lock:
    locks: dict[int, asyncio.Lock] = bot_data.setdefault(LOCKS_KEY, {})
    return locks.setdefault(chat_id, asyncio.Lock())


async def follows_job(context: DossierContext) -> None:
    """Match what arrived, then send every chat its alert. One failing chat never holds up the others."""
    dossier = context.services.dossier
    recorded = await asyncio.to_thread(_matcher(context.bot_data, context).run)
    if recorded:
        log.info("follows: %d new hits", recorded)
    chats = await asyncio.to_thread(dossier.store.alert_chats)
    gate = asyncio.Semaphore(PARALLEL_CHATS)

    async def one(chat_id: int) -> None:
        async with gate:
            await send_alert(context, chat_id)

    await asyncio.gather(*(one(c) for c in chats))


async def _allowed(context: DossierContext, chat_id: int) -> bool:
    """A private chat's reader is its user; a group's alerts rest on a member who made one of its
    follows still being allowed (as a group's digest rests on who subscribed it)."""
    services = context.services
    if chat_id > 0:
        return await services.members.allowed(services.policy, context.bot, chat_id, None)
    follows = await asyncio.to_thread(services.dossier.store.follows, chat_id)
    for by in dict.fromkeys(f.created_by for f in follows):
        if await services.members.allowed(services.policy, context.bot, by, chat_id):
            return True
    return False


async def send_alert(context: DossierContext, chat_id: int) -> bool:
    """Send ``chat_id`` the alert it is owed, if any and not in its quiet hours; True when one went."""
    services = context.services
    store = services.dossier.store
    async with _lock(context.bot_data, chat_id):
        pending = await asyncio.to_thread(store.alert_inflight, chat_id)
        quiet = await asyncio.to_thread(store.quiet_hours, chat_id)
        if pending is None and in_quiet_hours(quiet, datetime.now(services.settings.tz)):
            if await asyncio.to_thread(store.unsent_hits, chat_id, 1):
                services.dossier.metrics.alert("held")
            return False
        if not await _allowed(context, chat_id):
            log.info("alerts to chat %s held back: no longer allowed under DOSSIER_ACCESS", chat_id)
            return False
        thread_id = await asyncio.to_thread(store.follow_thread, chat_id)
        sender = TelegramParts(context, chat_id, thread_id)
        try:
            alert = await asyncio.to_thread(build_alert, store, store, chat_id)
            if alert is None:
                await abandon_alert(store, chat_id, sender)
                return False
            lang = services.commands.digest_language(chat_id, "user" if chat_id > 0 else "group")
            if not await deliver_alert(store, chat_id, alert, alert_message(alert, lang), sender):
                return False  # another replica is sending it
            services.dossier.metrics.alert("sent")
            return True
        except Forbidden as exc:
            # Blocked or removed from the chat, as a digest's subscription ends: its follows go.
            services.dossier.metrics.alert("blocked")
            for f in await asyncio.to_thread(store.follows, chat_id):
                await asyncio.to_thread(store.remove_follow, chat_id, f.id)
            log.warning("alert to chat %s refused (%s): its follows removed", chat_id, exc.message)
        except ChatMigrated as exc:
            await asyncio.to_thread(services.dossier.migrate_chat, chat_id, exc.new_chat_id)
            log.info("chat %s became %s: its follows follow", chat_id, exc.new_chat_id)
        except (TelegramError, MessageGone) as exc:
            services.dossier.metrics.alert("failed")
            log.warning("alert to chat %s failed (%s): retrying at the next run", chat_id, exc)
    return False


# ----------------------------------------------------------------- buttons
async def follow_pick_button(update: Update, context: DossierContext) -> None:
    """A person picked under /follow's choices: followed (in a group, by its administrators only)."""

    async def pick(data: str) -> Reply | None:
        key = decode_follow_pick(data)
        caller = await caller_for(update, context)
        if key is None or caller is None:
            return None
        caller = await with_chat_admin(caller, context, max_age=FRESH)
        return await asyncio.to_thread(
            context.services.commands.follow_commands.follow_pick, key, None, caller
        )

    await reply_to_button(update, context, pick)


async def follow_edit_button(update: Update, context: DossierContext) -> None:
    """✕ or the mode button under /following: done, and the list edited in place."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    decoded = decode_follow_edit(query.data or "")
    if decoded is None:
        await stale_button(update, context)
        return
    action, follow_id = decoded
    caller = await with_chat_admin(caller, context, max_age=FRESH)
    commands = context.services.commands.follow_commands
    lang = language_of(caller, context)
    note: str | None = None
    if action == "remove":
        done = await asyncio.to_thread(commands.remove, follow_id, caller)
        if isinstance(done, TextReply) and done.error:
            await query.answer(" ".join(text_lines(done, lang)), show_alert=True)
            return
        note = " ".join(text_lines(done, lang)) if isinstance(done, TextReply) else None
        reply = await asyncio.to_thread(commands.following, caller)
    else:
        reply = await asyncio.to_thread(commands.switch_mode, follow_id, caller)
        if isinstance(reply, TextReply):
            await query.answer(" ".join(text_lines(reply, lang)), show_alert=True)
            return
    part = render(reply, lang).messages[-1]
    try:
        await query.edit_message_text(part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    await query.answer(note)
