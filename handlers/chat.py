"""Commands and buttons in chats: parse the update, ask the core, send what ``render`` made of it."""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable
from dataclasses import replace

from telegram import CallbackQuery, InputFile, LinkPreviewOptions, Message, Update
from telegram.constants import ChatMemberStatus, ChatType, ParseMode
from telegram.error import BadRequest, TelegramError

from bot.commands import EXPIRED, Caller, split_command
from bot.replies import Reply, TextReply
from handlers.context import DossierContext
from handlers.digest import reschedule_chat
from handlers.render import Rendered, render

log = logging.getLogger(__name__)

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)
NOT_ALLOWED = "Sorry, this bot answers only members of its team. Ask an admin to add you."
_PAGE_RE = re.compile(r"^s:([A-Za-z0-9_-]{4,16}):(\d{1,6})$")
_OPEN_RE = re.compile(r"^d:(\d{1,18})$")
_WHO_RE = re.compile(r"^w:(.{1,62})$", re.DOTALL)
SUBSCRIPTION_COMMANDS = {"subscribe", "unsubscribe", "digest_time"}
PROGRESS_COMMANDS = {"reindex"}  # answered with a status message edited as the work goes on


async def caller_for(update: Update, context: DossierContext) -> Caller | None:
    """Who is asking, or None (after a polite line in private, silence elsewhere) when not allowed."""
    services = context.services
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user else None
    chat_id = chat.id if chat else None
    if not await services.members.allowed(services.policy, context.bot, user_id, chat_id):
        if update.callback_query:
            await update.callback_query.answer(NOT_ALLOWED, show_alert=True)
        elif chat and chat.type == ChatType.PRIVATE and update.effective_message:
            await update.effective_message.reply_text(NOT_ALLOWED)
        return None
    message = update.effective_message
    chat_type = "private"
    if chat and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        chat_type = "group"
    elif chat and chat.type == ChatType.CHANNEL:
        chat_type = "channel"
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    return Caller(user_id, chat_id, services.policy.is_admin(user_id), "telegram", chat_type, thread_id)


async def is_group_admin(context: DossierContext, chat_id: int, user_id: int | None) -> bool:
    """Asked of Telegram each time: rare commands, and a demoted admin must lose the right at once."""
    if user_id is None:
        return False
    try:
        member = await context.bot.get_chat_member(chat_id, user_id)
    except TelegramError as exc:
        log.warning("could not check admin rights of %s in %s: %s", user_id, chat_id, exc)
        return False
    return member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)


async def send(message: Message, rendered: Rendered) -> None:
    """Send every part of a rendering as replies to ``message`` (threaded, in its forum topic)."""
    for part in rendered.messages:
        await message.reply_text(
            part.html, parse_mode=ParseMode.HTML, reply_markup=part.keyboard, link_preview_options=NO_PREVIEW
        )
    if rendered.file:
        f = rendered.file
        await message.reply_document(
            InputFile(f.data, filename=f.filename),
            caption=f.caption_html,
            parse_mode=ParseMode.HTML,
            reply_markup=f.keyboard,
        )


async def answer(update: Update, context: DossierContext, text: str) -> None:
    """Run one line through the command layer (off the event loop) and reply with the result."""
    message = update.effective_message
    if message is None:
        return
    caller = await caller_for(update, context)
    if caller is None:
        return
    name = (split_command(text) or ("", ""))[0]
    if name in SUBSCRIPTION_COMMANDS and caller.chat_type == "group" and caller.chat_id is not None:
        caller = replace(caller, is_chat_admin=await is_group_admin(context, caller.chat_id, caller.user_id))
    if name in PROGRESS_COMMANDS:
        from handlers.uploads import long_command  # it builds on this module

        await long_command(message, context, text, caller)
        return
    reply: Reply = await asyncio.to_thread(context.services.commands.handle, text, caller)
    await send(message, render(reply, context.bot.username))
    if name in SUBSCRIPTION_COMMANDS and caller.chat_id is not None:
        sub = context.services.dossier.store.subscription(caller.chat_id)
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


async def unknown_command(update: Update, context: DossierContext) -> None:
    """Unknown commands get a pointer to /help in private chats; in groups they may be for other bots."""
    message = update.effective_message
    if message is None or await caller_for(update, context) is None:
        return
    name = (message.text or "").split()[0] if message.text else "that"
    await message.reply_text(f"I don't know {name}. Send /help to see what I can do.")


async def page_button(update: Update, context: DossierContext) -> None:
    """Prev/Next under a search: the page is edited in place."""
    query = update.callback_query
    if query is None or await caller_for(update, context) is None:
        return
    m = _PAGE_RE.match(query.data or "")
    if m is None:
        await stale_button(update, context)
        return
    reply = await asyncio.to_thread(context.services.commands.search_page, m.group(1), int(m.group(2)))
    if isinstance(reply, TextReply):
        await query.answer(" ".join(reply.lines), show_alert=False)
        return
    part = render(reply).messages[0]
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
    await _reply_to_button(update, context, _OPEN_RE, context.services.commands.doc)


async def who_button(update: Update, context: DossierContext) -> None:
    """A person picked under a /who list (or a role's holders): their card, as a reply to that message."""
    await _reply_to_button(update, context, _WHO_RE, context.services.commands.who_pick)


async def _reply_to_button(
    update: Update, context: DossierContext, pattern: re.Pattern[str], command: Callable[[str], Reply]
) -> None:
    """A button whose data names one thing to show: the command's reply to what the button's pattern
    captured, sent as replies to the message the button is under."""
    query = update.callback_query
    if query is None or await caller_for(update, context) is None:
        return
    m = pattern.match(query.data or "")
    message = _accessible(query)
    if m is None or message is None:
        await stale_button(update, context)
        return
    reply = await asyncio.to_thread(command, m.group(1))
    await query.answer()
    await send(message, render(reply))


async def stale_button(update: Update, context: DossierContext) -> None:
    """Buttons from an older version, forged data, or a message too old to touch."""
    if update.callback_query:
        await update.callback_query.answer("This button no longer works. " + EXPIRED)


def _accessible(query: CallbackQuery) -> Message | None:
    message = query.message
    return message if isinstance(message, Message) else None
