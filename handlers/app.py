"""The Telegram ``Application``: built once from settings and the core, run by polling or webhook."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import secrets
from datetime import timedelta
from typing import Any
from urllib.parse import urlsplit

from telegram import BotCommand, Update
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, ContextTypes
from telegram.request import HTTPXRequest

from bot.access import AccessPolicy
from bot.commands import COMMANDS, TELEGRAM, Commands
from bot.core import Dossier
from bot.i18n import SOURCE_LANGUAGE, SUPPORTED, Language, translator
from bot.settings import Settings
from handlers import register
from handlers.access import MembershipCache
from handlers.context import DossierApp, DossierContext, Services
from handlers.digest import CHECK_AFTER, schedule_digests
from handlers.follows import alert_soon, schedule_follows
from handlers.ratelimit import MessageRateLimiter
from handlers.tolerantbot import TolerantBot

log = logging.getLogger(__name__)

PURGE_EVERY = timedelta(hours=6)
FIRST_CORPUS_SCAN = timedelta(seconds=1)
FOLLOW_EVERY = 1.0  # seconds between looks for other processes' document changes (bot/changes.py)
FOLLOW_TASK = "follow_changes"


def build_application(settings: Settings, dossier: Dossier, *, token: str | None = None) -> DossierApp:
    """The bot's Application, with its services in ``bot_data`` and every handler registered."""
    context_types = ContextTypes(context=DossierContext)
    bot = TolerantBot(  # an update it cannot read is skipped, never the end of polling
        token=token or settings.token or "",
        base_url=settings.api_url,
        base_file_url=settings.file_url,
        # What ApplicationBuilder would make: a pool for concurrent replies, one connection for polling.
        request=HTTPXRequest(connection_pool_size=256),
        get_updates_request=HTTPXRequest(connection_pool_size=1),
        # Waits out 429 RetryAfter, paces messages, counts its waits.
        rate_limiter=MessageRateLimiter(max_retries=3, metrics=dossier.metrics),
    )
    builder: Any = (
        ApplicationBuilder()
        .bot(bot)
        .context_types(context_types)
        .concurrent_updates(True)  # one slow request must not hold up everyone else
        .post_init(post_init)
        .post_shutdown(post_shutdown)
    )
    app: DossierApp = builder.build()
    app.bot_data["services"] = Services(
        settings=settings,
        dossier=dossier,
        commands=Commands(dossier, settings),
        policy=AccessPolicy.from_settings(settings),
        members=MembershipCache(),
    )
    register(app)
    return app


def menu(lang: Language) -> list[BotCommand]:
    """The command menu in ``lang``: every command of Telegram's but the admins', described in that
    language."""
    t = translator(lang)
    shown = [c for c in COMMANDS if not c.admin_only and TELEGRAM in c.transports]
    return [BotCommand(c.name, t.gettext(c.summary)[:256]) for c in shown]


async def post_init(app: DossierApp) -> None:
    # Originals a kill or a full disk left without their document, before anything new is written.
    await asyncio.to_thread(app.bot_data["services"].dossier.remove_orphan_originals)
    # The default menu in English, then one for each other language a Telegram user may have set. A
    # failure (after the transport's retries) leaves the rest for the next start: Telegram is not answering.
    for lang in SUPPORTED:
        try:
            code = None if lang == SOURCE_LANGUAGE else lang
            await app.bot.set_my_commands(menu(lang), language_code=code)
        except TelegramError as exc:
            log.warning("could not register the command menu for %s (continuing): %s", lang, exc)
            break
    if app.job_queue is not None:
        app.job_queue.run_repeating(purge_sessions_job, interval=PURGE_EVERY, first=60, name="purge-sessions")
        services: Services = app.bot_data["services"]
        interval = services.settings.corpus_scan_interval
        if interval is not None:
            # First a second after start: APScheduler moves a first run "now" (first=0) one whole
            # interval on, and files added while the bot was down must be found right after a restart.
            app.job_queue.run_repeating(
                corpus_scan_job, interval=interval, first=FIRST_CORPUS_SCAN, name="corpus-scan"
            )
    schedule_digests(app)
    app.bot_data[FOLLOW_TASK] = asyncio.create_task(follow_changes(app))
    schedule_follows(app)


async def post_shutdown(app: DossierApp) -> None:
    follow = app.bot_data.pop(FOLLOW_TASK, None)
    if isinstance(follow, asyncio.Task):
        follow.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await follow
    services = app.bot_data.get("services")
    if isinstance(services, Services):
        services.dossier.save_index()
        services.dossier.save_people()
        services.dossier.leases.close()  # what it still holds is free for the other processes at once


async def follow_changes(app: DossierApp) -> None:
    """Documents other processes on the store add or delete (another replica, ``python -m bot ingest``)
    reach this one's search and people indexes within about ``FOLLOW_EVERY``: one read of one row when
    nothing changed. A task rather than a job: a long catch-up (another process's big scan) must not
    make the scheduler warn about skipped runs. Documents applied are matched against the follows
    shortly after (``alert_soon``)."""
    dossier: Dossier = app.bot_data["services"].dossier
    while True:
        await asyncio.sleep(FOLLOW_EVERY)
        try:
            if await asyncio.to_thread(dossier.catch_up):
                alert_soon(app)
        except Exception:  # the store out of reach for a moment: tried again next turn
            log.exception("could not apply other processes' document changes")


async def purge_sessions_job(context: DossierContext) -> None:
    """Expired search paging state is dropped; its buttons then answer that the search expired."""
    gone = await asyncio.to_thread(context.services.dossier.purge_search_sessions)
    if gone:
        log.info("purged %d expired search sessions", gone)


async def corpus_scan_job(context: DossierContext) -> None:
    """New and changed files in the corpus folder, through the same pipeline as every other ingest."""
    services = context.services
    report = await asyncio.to_thread(services.dossier.scan_corpus, services.settings.corpus_dir)
    jq = context.app.job_queue
    if report.elsewhere and jq is not None:
        # Another process scans (or a killed one held the scan): again once its lease could have run out.
        jq.run_once(corpus_scan_job, when=CHECK_AFTER, name="corpus-scan-check")
    if report.stored:
        alert_soon(context.app)
    if report.outcomes:
        log.info("corpus scan: %s", report.summary())
    if report.outcomes or not services.dossier.near_duplicates_current():
        # Signatures for near-duplicate checks of later uploads, computed now rather than on the first,
        # the scanned documents judged as an upload is; flags of an older rule judged again, once.
        await asyncio.to_thread(services.dossier.prepare_near_duplicates)


def run_bot(settings: Settings, dossier: Dossier) -> int:
    app = build_application(settings, dossier)
    if settings.webhook_url:
        secret = (
            settings.webhook_secret.get_secret_value()
            if settings.webhook_secret
            else secrets.token_urlsafe(32)
        )
        public = settings.webhook_url.rstrip("/")
        # The local path repeats the public URL's path (``https://host/dossier/`` -> ``/dossier/<random>``):
        # a proxy that forwards the path unchanged then reaches the bot, and the random tail keeps the
        # endpoint unguessable even before the secret is checked.
        path = "/".join(p for p in (urlsplit(public).path.strip("/"), secrets.token_urlsafe(16)) if p)
        log.info("serving a webhook on %s:%d", settings.webhook_listen, settings.webhook_port)
        app.run_webhook(
            listen=settings.webhook_listen,
            port=settings.webhook_port,
            url_path=path,
            webhook_url=f"{public}/{path.rsplit('/', 1)[-1]}",
            secret_token=secret,
            allowed_updates=Update.ALL_TYPES,
        )
    else:
        log.info("polling Telegram for updates")
        app.run_polling(allowed_updates=Update.ALL_TYPES)
    return 0
