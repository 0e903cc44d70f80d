"""Commands and buttons in chats: parse the update, ask the core, send what ``render`` made of it."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable

from telegram import CallbackQuery, Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.commands import UNKNOWN_NAME_MAX, command_named, split_command
from bot.commands.replies import Reply, TextReply
from bot.commands.search import EXPIRED
from bot.i18n import N_, translator
from bot.render_text import text_lines
from handlers.callbacks import decode_lang, decode_open, decode_page, decode_who
from handlers.caller import FRESH, asker, caller_for, language_of, with_chat_admin
from handlers.context import DossierContext
from handlers.digest import reschedule_chat
from handlers.progress import long_command
from handlers.render import render
from handlers.send import NO_PREVIEW, send


async def answer(update: Update, context: DossierContext, text: str) -> None:
    """Run one line through the command layer (off the event loop) and reply with the result."""
    message = update.effective_message
    if message is None:
        return
    caller = await caller_for(update, context)
    if caller is None:
        return
    spec = command_named((split_command(text) or ("", ""))[0])
    if spec is not None and spec.needs_chat_admin:
        caller = await with_chat_admin(caller, context, max_age=FRESH)
    if spec is not None and spec.long_running:
        await long_command(message, context, text, caller, spec)
        return
    reply: Reply = await asyncio.to_thread(context.services.commands.handle, text, caller)
    # The language is chosen after the command ran: an answer to /lang is in the language just chosen.
    await send(message, render(reply, language_of(caller, context), bot_username=context.bot.username))
    if spec is not None and spec.reschedules_digest and caller.chat_id is not None:
        sub = await asyncio.to_thread(context.services.dossier.subscription, caller.chat_id)
        reschedule_chat(context.app, caller.chat_id, sub)


async def command(update: Update, context: DossierContext) -> None:
    """/search, /doc, /help, /start: the command layer knows them all."""
    if update.effective_message and update.effective_message.text:
        await answer(update, context, update.effective_message.text)


async def private_text(update: Update, context: DossierContext) -> None:
    """Plain words in a private chat are a search: the quickest way to ask."""
    message = update.effective_message
    if message and message.text:
        await answer(update, context, "/search " + message.text)


UNKNOWN = N_("I don't know {name}. Send /help to see what I can do.")
THAT = N_("that")
STALE_BUTTON = N_("This button no longer works.")


async def unknown_command(update: Update, context: DossierContext) -> None:
    """Unknown commands get a pointer to /help in private chats; in groups they may be for other bots."""
    message = update.effective_message
    if message is None or (caller := await caller_for(update, context)) is None:
        return
    t = translator(language_of(caller, context))
    name = (message.text or "").split()[0] if message.text else t.gettext(THAT)
    if len(name) > UNKNOWN_NAME_MAX:  # a reply must stay a short pointer, whatever was sent
        name = name[: UNKNOWN_NAME_MAX - 1] + "…"
    await message.reply_text(t.gettext(UNKNOWN).format(name=name))


async def page_button(update: Update, context: DossierContext) -> None:
    """Prev/Next under a search: the page is edited in place."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    decoded = decode_page(query.data or "")
    if decoded is None:
        await stale_button(update, context)
        return
    lang = language_of(caller, context)
    reply = await asyncio.to_thread(context.services.commands.search_page, *decoded, caller)
    if isinstance(reply, TextReply):
        await query.answer(" ".join(text_lines(reply, lang)), show_alert=False)
        return
    part = render(reply, lang).messages[0]
    try:
        await query.edit_message_text(
            part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard, link_preview_options=NO_PREVIEW
        )
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    await query.answer()


async def open_button(update: Update, context: DossierContext) -> None:
    """The "Open #id" button under a search: the document, as replies to that message."""
    commands = context.services.commands

    async def open_doc(data: str) -> Reply | None:
        doc_id = decode_open(data)
        return None if doc_id is None else await asyncio.to_thread(commands.doc, str(doc_id))

    await reply_to_button(update, context, open_doc)


async def who_button(update: Update, context: DossierContext) -> None:
    """A person picked under a /who list (or a role's holders): their card, as a reply to that message."""
    commands = context.services.commands

    async def pick(data: str) -> Reply | None:
        key = decode_who(data)
        return None if key is None else await asyncio.to_thread(commands.who_pick, key)

    await reply_to_button(update, context, pick)


async def reply_to_button(
    update: Update, context: DossierContext, answer_to: Callable[[str], Awaitable[Reply | None]]
) -> None:
    """A button whose data names one thing to show: ``answer_to`` decodes the data and asks the command
    layer (None: not data of its kind), and the reply goes out as replies to the message the button is
    under."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    message = _accessible(query)
    reply = await answer_to(query.data or "") if message is not None else None
    if message is None or reply is None:
        await stale_button(update, context)
        return
    await query.answer()
    await send(message, render(reply, language_of(caller, context)))


async def lang_button(update: Update, context: DossierContext) -> None:
    """A language under /lang: chosen as ``/lang <code>`` would (in a group, by its administrators
    only), and the question edited to the answer, in the language now in effect."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    choice = decode_lang(query.data or "")
    if choice is None:
        await stale_button(update, context)
        return
    caller = await with_chat_admin(caller, context, max_age=FRESH)
    reply = await asyncio.to_thread(context.services.commands.handle, f"/lang {choice}", caller)
    lang = language_of(caller, context)
    if isinstance(reply, TextReply):  # refused: said to the one who pressed, the question stays
        await query.answer(" ".join(text_lines(reply, lang)), show_alert=True)
        return
    part = render(reply, lang).messages[0]
    try:
        await query.edit_message_text(part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard)
    except BadRequest as exc:
        if "not modified" not in str(exc).lower():
            raise
    await query.answer()


async def stale_button(update: Update, context: DossierContext) -> None:
    """Buttons from an older version, forged data, or a message too old to touch."""
    if update.callback_query:
        t = translator(language_of(asker(update, context), context))
        await update.callback_query.answer(f"{t.gettext(STALE_BUTTON)} {t.gettext(EXPIRED)}")


def _accessible(query: CallbackQuery) -> Message | None:
    message = query.message
    return message if isinstance(message, Message) else None
