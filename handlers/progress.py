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


def _reindex_label(done: int, total: int, phase: str) -> str:
    what = "reading the originals" if phase == "originals" else "building the search index"
    return f"Reindexing: {what}, {done}/{total}…"


async def long_command(
    message: Message, context: DossierContext, text: str, caller: Caller, spec: CommandSpec
) -> None:
    """A ``long_running`` command (/reindex, the only one): a status message at once, edited with
    progress, then with the result. One refused outright gets its refusal alone."""
    commands = context.services.commands
    if spec.admin_only and not caller.is_admin:
        await send(message, render(commands.handle(text, caller)))
        return
    status = await message.reply_text("Reindexing…")
    editor = ProgressEditor(status, _reindex_label)
    try:
        reply = await asyncio.to_thread(commands.handle, text, caller, editor)
    finally:
        await editor.close()
    await show(status, message, render(reply))
