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

from bot.commands import Caller
from bot.i18n import N_, script_language, translator
from bot.models import SearchPage
from handlers.caller import language_of
from handlers.context import DossierContext
from handlers.render import date_text, inline_summary

PAGE = 20  # Telegram shows at most 50 a page; 20 keeps answers small and fast
MAX_OFFSET = 1000
TYPE_WORDS = N_("Type words to search the dossier")


async def inline_query(update: Update, context: DossierContext) -> None:
    query = update.inline_query
    if query is None:
        return
    services = context.services
    members_only = services.policy.members_only
    allowed = await services.members.allowed(services.policy, context.bot, query.from_user.id, None)
    # Every answer is personal: Telegram would otherwise cache one for everyone who types the same
    # words, and ours are written in the asker's language (dates, the summary).
    cache = 0 if members_only else 60
    if not allowed:
        await query.answer([], cache_time=0, is_personal=True)
        return
    # No chat in an inline query: the user's own /lang choice, else their Telegram language, else the
    # language of the words typed.
    user = query.from_user
    asking = Caller(
        user.id,
        None,
        transport="telegram",
        language_code=user.language_code,
        written_in=script_language(query.query),
    )
    lang = language_of(asking, context)
    text = query.query.strip()
    offset = int(query.offset) if query.offset.isdigit() else 0
    if not text or offset > MAX_OFFSET:
        await query.answer(
            [],
            cache_time=cache,
            is_personal=True,
            button=InlineQueryResultsButton(
                text=translator(lang).gettext(TYPE_WORDS), start_parameter="help"
            ),
        )
        return
    page: SearchPage | None = await asyncio.to_thread(services.commands.inline_search, text, PAGE, offset)
    if page is None:  # words that cannot be searched (a bad since:/until:): nothing, and nothing cached
        await query.answer([], cache_time=0, is_personal=True)
        return
    results = [
        InlineQueryResultArticle(
            id=str(hit.doc.id),
            title=hit.doc.title[:200],
            description=f"#{hit.doc.id} · {date_text(hit.doc, lang)} · {hit.snippet.text[:150]}",
            input_message_content=InputTextMessageContent(
                inline_summary(hit, lang),
                parse_mode=ParseMode.HTML,
                link_preview_options=LinkPreviewOptions(True),
            ),
        )
        for hit in page.hits
    ]
    more = offset + PAGE < page.total
    await query.answer(
        results,
        cache_time=cache,
        is_personal=True,
        next_offset=str(offset + PAGE) if more else "",
    )
