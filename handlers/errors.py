"""One error handler: log the exception with the update that caused it, then tell the human plainly
(the shape of PTB's ``examples/errorhandlerbot.py``). The bot never dies on a bad update."""

from __future__ import annotations

import logging

from telegram import Update
from telegram.error import Forbidden, NetworkError, TelegramError

from bot.i18n import N_, translator
from handlers.caller import asker, language_of
from handlers.context import DossierContext

log = logging.getLogger(__name__)

SORRY = N_("Sorry, something went wrong on my side while answering that. Please try again in a moment.")


async def error_handler(update: object, context: DossierContext) -> None:
    error = context.error
    log.error("error while handling update %r", update, exc_info=error)
    if isinstance(error, Forbidden | NetworkError) or not isinstance(update, Update):
        return  # nobody to tell (blocked us), or telling would fail the same way
    try:
        try:
            sorry = translator(language_of(asker(update, context), context)).gettext(SORRY)
        except Exception:  # the store itself may be what failed: say it in English rather than not at all
            log.warning("could not choose the language of the apology", exc_info=True)
            sorry = SORRY
        if update.callback_query:
            await update.callback_query.answer(sorry, show_alert=True)
        elif update.effective_message and update.effective_chat:
            await update.effective_message.reply_text(sorry)
    except TelegramError:
        log.warning("could not tell the user about the error", exc_info=True)
