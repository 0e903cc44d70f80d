"""Commands that report progress (/reindex, and files being read): one status message, edited as the
work goes on, that finally shows the answer."""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Callable

from telegram import Message
from telegram.constants import ParseMode
from telegram.error import BadRequest, TelegramError

from bot.commands import Caller, CommandSpec
from bot.i18n import N_, Language, translator
from handlers.caller import language_of
from handlers.context import DossierContext
from handlers.render import Rendered, render
from handlers.send import NO_PREVIEW, send

log = logging.getLogger(__name__)

PROGRESS_EVERY = 1.0  # seconds between edits of a status message (Telegram throttles faster edits)
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


REINDEXING = N_("Reindexing…")
# TRANSLATORS: {what} is one of the two phases below; "Reindexing: reading the originals, 40/120…".
REINDEXING_PHASE = N_("Reindexing: {what}, {done}/{total}…")
READING_ORIGINALS = N_("reading the originals")
BUILDING_INDEX = N_("building the search index")


def reindex_label(lang: Language) -> Label:
    t = translator(lang)

    def label(done: int, total: int, phase: str) -> str:
        phase_message = READING_ORIGINALS if phase == "originals" else BUILDING_INDEX
        what = t.gettext(phase_message)
        return t.gettext(REINDEXING_PHASE).format(what=what, done=done, total=total)

    return label


async def long_command(
    message: Message, context: DossierContext, text: str, caller: Caller, spec: CommandSpec
) -> None:
    """A ``long_running`` command (/reindex, the only one): a status message at once, edited with
    progress, then with the result. One refused outright gets its refusal alone."""
    commands = context.services.commands
    lang = language_of(caller, context)
    if spec.admin_only and not caller.is_admin:
        await send(message, render(commands.handle(text, caller), lang))
        return
    status = await message.reply_text(translator(lang).gettext(REINDEXING))
    editor = ProgressEditor(status, reindex_label(lang))
    try:
        reply = await asyncio.to_thread(commands.handle, text, caller, editor)
    finally:
        await editor.close()
    await show(status, message, render(reply, lang))
