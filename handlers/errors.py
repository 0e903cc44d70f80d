"""One error handler: log the exception with the update that caused it, then tell the human plainly
(the shape of PTB's ``examples/errorhandlerbot.py``). The bot never dies on a bad update."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from handlers.context import DossierContext

log = logging.getLogger(__name__)

SORRY = "Sorry, something went wrong on my side while answering that. Please try again in a moment."


async def error_handler(update: object, context: DossierContext) -> None:
    error = context.error
    log.error("error while handling update %r", update, exc_info=error)
    if isinstance(error, Forbidden | NetworkError) or not isinstance(update, Update):
        return  # nobody to tell (blocked us), or telling would fail the same way
    try:
        if update.callback_query:
            await update.callback_query.answer(SORRY, show_alert=True)
        elif update.effective_message and update.effective_chat:
            await update.effective_message.reply_text(SORRY)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
