"""Sending what ``render`` made of a reply: every part as a reply to the message asked in."""

from __future__ import annotations

from telegram import InputFile, LinkPreviewOptions, Message
from telegram.constants import ParseMode

from handlers.render import Rendered

NO_PREVIEW = LinkPreviewOptions(is_disabled=True)


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
