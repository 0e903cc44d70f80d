"""Inline mode: ``@bot words`` in any chat lists matching documents to post.

An inline query carries no chat, so access is decided on the user alone, and with
``DOSSIER_ACCESS=members`` results are personal and never cached by Telegram for others.
"""

from __future__ import annotations

import asyncio

from telegram import (
    InlineQueryResultArticle,
    InlineQueryResultsButton,
    InputTextMessageContent,
    LinkPreviewOptions,
    Update,
)
from telegram.constants import ParseMode

from bot.core import SearchPage
from bot.dates import DateBoundError
from bot.search.query import parse_query
from handlers.context import DossierContext
from handlers.render import date_text, inline_summary

PAGE = 20  # Telegram shows at most 50 a page; 20 keeps answers small and fast
MAX_OFFSET = 1000


async def inline_query(update: Update, context: DossierContext) -> None:
    query = update.inline_query
    if query is None:
        return
    services = context.services
    members_only = services.policy.members_only
    allowed = await services.members.allowed(services.policy, context.bot, query.from_user.id, None)
    cache = 0 if members_only else 60
    if not allowed:
        await query.answer([], cache_time=0, is_personal=True)
        return
    text = query.query.strip()
    offset = int(query.offset) if query.offset.isdigit() else 0
    if not text or offset > MAX_OFFSET:
        await query.answer(
            [],
            cache_time=cache,
            is_personal=members_only,
            button=InlineQueryResultsButton(text="Type words to search the dossier", start_parameter="help"),
        )
        return
    try:
        parsed = parse_query(text)
    except DateBoundError:
        await query.answer([], cache_time=0, is_personal=members_only)
        return
    page: SearchPage = await asyncio.to_thread(services.dossier.search, parsed, PAGE, offset)
    results = [
        InlineQueryResultArticle(
            id=str(hit.doc.id),
            title=hit.doc.title[:200],
            description=f"#{hit.doc.id} · {date_text(hit.doc)} · {hit.snippet.text[:150]}",
            input_message_content=InputTextMessageContent(
                inline_summary(hit), parse_mode=ParseMode.HTML, link_preview_options=LinkPreviewOptions(True)
            ),
        )
        for hit in page.hits
    ]
    more = offset + PAGE < page.total
    await query.answer(
        results,
        cache_time=cache,
        is_personal=members_only,
        next_offset=str(offset + PAGE) if more else "",
    )
