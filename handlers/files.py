"""Files sent to the bot, and the /delete confirm buttons.

Thin: who may upload and what a file becomes are decided by the command layer and the core; this module
only checks group administrators with Telegram, downloads, and shows progress in one status message.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re

from telegram import Update
from telegram.constants import ParseMode
from telegram.error import BadRequest

from bot.commands.replies import Reply, TextReply
from bot.i18n import N_, Msg, translator
from bot.ingest.originals import clean_name
from bot.render_text import text_lines
from handlers.callbacks import decode_delete
from handlers.caller import ADMIN_CACHE_SECONDS, caller_for, language_of, with_chat_admin
from handlers.chat import STALE_BUTTON
from handlers.context import DossierContext
from handlers.follows import alert_soon
from handlers.progress import ProgressEditor, show
from handlers.render import esc, render
from handlers.send import send

log = logging.getLogger(__name__)

_ADD_CAPTION_RE = re.compile(r"^/add(?:@(\w+))?(?:\s|$)", re.IGNORECASE)

RECEIVED = N_("Received {name}, reading it…")
# TRANSLATORS: {reason} is the next message, or Telegram's own words (in English).
NOT_HANDED_OVER = N_("Telegram would not hand {name} over ({reason}); nothing was added.")
TOO_BIG_FOR_BOTS = N_("it is too big for bots to download")
READING_FILES = N_("Reading {name}: {done}/{total} files…")
ADMINS_DELETE_ONLY = N_("Only the bot's admins can delete documents.")
KEPT = N_("Kept #{id}; nothing was deleted.")


async def document_message(update: Update, context: DossierContext) -> None:
    """A file: in a private chat any file, in a group one captioned /add. Checked before downloading:
    who sends it and how big Telegram says it is."""
    message = update.effective_message
    if message is None or message.document is None:
        return
    if message.chat.type != "private":
        m = _ADD_CAPTION_RE.match(message.caption or "")
        if m is None or (m.group(1) and m.group(1).lower() != (context.bot.username or "").lower()):
            return  # a file for the group, or /add for another bot
    caller = await caller_for(update, context)
    if caller is None:
        return
    services = context.services
    if not caller.is_admin and services.settings.group_admins_can_upload:
        caller = await with_chat_admin(caller, context, max_age=ADMIN_CACHE_SECONDS)
    document = message.document
    name = clean_name(document.file_name or "document")  # shown in plain-text status lines
    commands = services.commands
    lang = language_of(caller, context)
    t = translator(lang)
    refusal = commands.upload_refusal(caller, name, document.file_size)
    if refusal is not None:
        await send(message, render(refusal, lang))
        return
    status = await message.reply_text(t.gettext(RECEIVED).format(name=name))
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        log.warning("download of %r failed: %s", name, exc)
        reason = t.gettext(TOO_BIG_FOR_BOTS) if "too big" in str(exc).lower() else exc.message
        await status.edit_text(t.gettext(NOT_HANDED_OVER).format(name=name, reason=reason))
        return
    refusal = commands.upload_refusal(caller, name, len(data))  # the size Telegram announced may be absent
    if refusal is not None:
        await show(status, message, render(refusal, lang))
        return
    reading = t.gettext(READING_FILES)
    editor = ProgressEditor(
        status, lambda done, total, member: reading.format(name=name, done=done, total=total)
    )
    try:
        reply: Reply = await asyncio.to_thread(commands.ingest_upload, name, data, caller, editor)
    finally:
        await editor.close()
    alert_soon(context.app)  # what it stored is matched against the follows within seconds
    await show(status, message, render(reply, lang))


async def delete_button(update: Update, context: DossierContext) -> None:
    """The Delete / Cancel buttons under a /delete question. Admins only, checked again here: anyone in
    a group can press a button."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    lang = language_of(caller, context)
    t = translator(lang)
    decoded = decode_delete(query.data or "")
    if decoded is None:
        await query.answer(t.gettext(STALE_BUTTON))
        return
    confirmed, doc_id = decoded
    if not caller.is_admin:
        await query.answer(t.gettext(ADMINS_DELETE_ONLY), show_alert=True)
        return
    if not confirmed:
        reply: TextReply = TextReply.of(Msg(KEPT, id=doc_id))
    else:
        reply = await asyncio.to_thread(context.services.commands.delete_confirmed, doc_id, caller)
    with contextlib.suppress(BadRequest):  # the question may be too old to edit; the answer still counts
        await query.edit_message_text(esc("\n".join(text_lines(reply, lang))), parse_mode=ParseMode.HTML)
    await query.answer()
