"""Files sent to the bot, the /delete confirm buttons, and commands that report progress (/reindex).

Thin: who may upload and what a file becomes are decided by the command layer and the core; this module
only checks group administrators with Telegram, downloads, and edits one status message as work goes on.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import re
from collections.abc import Callable
from dataclasses import replace

from telegram import Message, Update
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.commands import Caller
from bot.ingest.originals import clean_name
from bot.replies import Reply, TextReply
from handlers.chat import NO_PREVIEW, caller_for, send
from handlers.context import DossierContext
from handlers.render import Rendered, esc, render

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between edits of a status message (Telegram throttles faster edits)
_ADD_CAPTION_RE = re.compile(r"^/add(?:@(\w+))?(?:\s|$)", re.IGNORECASE)
_DELETE_RE = re.compile(r"^(del|keep):(\d{1,18})$")
Label = Callable[[int, int, str], str]


class ProgressEditor:
    """A ``Progress`` callback for work running in a thread: it keeps only the latest state, and a task
    on the event loop edits the status message to it at most every ``PROGRESS_EVERY`` seconds."""

    def __init__(self, status: Message, label: Label) -> None:
        self.status = status
        self.label = label
        self._loop = asyncio.get_running_loop()
        self._latest: tuple[int, int, str] | None = None
        self._wake = asyncio.Event()
        self._shown: str | None = None
        self._task = asyncio.create_task(self._pump())

    def __call__(self, done: int, total: int, name: str) -> None:  # from the worker thread
        self._latest = (done, total, name)
        self._loop.call_soon_threadsafe(self._wake.set)

    async def _pump(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            if self._latest is None:
                continue
            text = self.label(*self._latest)
            if text != self._shown:
                try:
                    await self.status.edit_text(text)
                    self._shown = text
                except TelegramError as exc:  # progress is a courtesy: never fail the work for it
                    log.info("progress edit failed: %s", exc)
            await asyncio.sleep(PROGRESS_EVERY)

    async def close(self) -> None:
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task


async def show(status: Message, question: Message, rendered: Rendered) -> None:
    """The final answer in the status message itself; parts that do not fit follow as replies."""
    rest = rendered.messages[1:]
    if rendered.messages:
        first = rendered.messages[0]
        try:
            await status.edit_text(
                first.html,
                parse_mode=ParseMode.HTML,
                reply_markup=first.keyboard,
                link_preview_options=NO_PREVIEW,
            )
        except BadRequest as exc:
            if "not modified" not in str(exc).lower():
                raise
    await send(question, Rendered(rest, rendered.file))


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
    if (
        not caller.is_admin
        and caller.chat_type == "group"
        and caller.chat_id is not None
        and services.settings.group_admins_can_upload
    ):
        is_admin = await services.chat_admins.is_admin(context.bot, caller.chat_id, caller.user_id)
        caller = replace(caller, is_chat_admin=is_admin)
    document = message.document
    name = clean_name(document.file_name or "document")  # shown in plain-text status lines
    commands = services.commands
    refusal = commands.upload_refusal(caller, name, document.file_size)
    if refusal is not None:
        await send(message, render(refusal))
        return
    status = await message.reply_text(f"Received {name}, reading it…")
    try:
        file = await document.get_file()
        data = bytes(await file.download_as_bytearray())
    except BadRequest as exc:
        log.warning("download of %r failed: %s", name, exc)
        reason = "it is too big for bots to download" if "too big" in str(exc).lower() else exc.message
        await status.edit_text(f"Telegram would not hand {name} over ({reason}); nothing was added.")
        return
    refusal = commands.upload_refusal(caller, name, len(data))  # the size Telegram announced may be absent
    if refusal is not None:
        await show(status, message, render(refusal))
        return
    editor = ProgressEditor(status, lambda done, total, member: f"Reading {name}: {done}/{total} files…")
    try:
        reply: Reply = await asyncio.to_thread(commands.ingest_upload, name, data, caller, editor)
    finally:
        await editor.close()
    await show(status, message, render(reply))


def _reindex_label(done: int, total: int, phase: str) -> str:
    what = "reading the originals" if phase == "originals" else "building the search index"
    return f"Reindexing: {what}, {done}/{total}…"


async def long_command(message: Message, context: DossierContext, text: str, caller: Caller) -> None:
    """/reindex: a status message at once, edited with progress, then with the result."""
    if not caller.is_admin:
        await send(message, render(context.services.commands.handle(text, caller)))
        return
    status = await message.reply_text("Reindexing…")
    editor = ProgressEditor(status, _reindex_label)
    try:
        reply = await asyncio.to_thread(context.services.commands.handle, text, caller, editor)
    finally:
        await editor.close()
    await show(status, message, render(reply))


async def delete_button(update: Update, context: DossierContext) -> None:
    """The Delete / Cancel buttons under a /delete question. Admins only, checked again here: anyone in
    a group can press a button."""
    query = update.callback_query
    if query is None or (caller := await caller_for(update, context)) is None:
        return
    m = _DELETE_RE.match(query.data or "")
    if m is None:
        await query.answer("This button no longer works.")
        return
    doc_id = int(m.group(2))
    if not caller.is_admin:
        await query.answer("Only the bot's admins can delete documents.", show_alert=True)
        return
    if m.group(1) == "keep":
        reply: TextReply = TextReply.of(f"Kept #{doc_id}; nothing was deleted.")
    else:
        reply = await asyncio.to_thread(context.services.commands.delete_confirmed, doc_id, caller)
    with contextlib.suppress(BadRequest):  # the question may be too old to edit; the answer still counts
        await query.edit_message_text(esc("\n".join(reply.lines)), parse_mode=ParseMode.HTML)
    await query.answer()
