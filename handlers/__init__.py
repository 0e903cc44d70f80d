"""Telegram adapters: thin handlers over the core in ``bot/``. ``register`` is the one place where every
handler is added, in order."""

from __future__ import annotations

from telegram import Update
from telegram.ext import (
    CallbackQueryHandler,
    CommandHandler,
    InlineQueryHandler,
    MessageHandler,
    TypeHandler,
    filters,
)

from bot.commands import command_names
from handlers.callbacks import (
    DELETE_PATTERN,
    FOLLOW_EDIT_PATTERN,
    FOLLOW_PICK_PATTERN,
    LANG_PATTERN,
    OPEN_PATTERN,
    PAGE_PATTERN,
    WHO_PATTERN,
)
from handlers.chat import (
    command,
    lang_button,
    open_button,
    page_button,
    private_text,
    stale_button,
    unknown_command,
    who_button,
)
from handlers.context import DossierApp, DossierContext
from handlers.digest import migrate_chat
from handlers.errors import error_handler
from handlers.files import delete_button, document_message
from handlers.follows import follow_edit_button, follow_pick_button
from handlers.inline import inline_query

# New messages only: edits of old messages and channel posts are not questions to answer again.
NEW_MESSAGE = filters.UpdateType.MESSAGE


# Group -1 runs before the handlers (group 0) and lets every update through to them.
COUNTING_GROUP = -1


async def count_update(update: Update, context: DossierContext) -> None:
    """Every update the bot reads, by kind, in ``dossier_updates_total``."""
    context.services.dossier.metrics.updates.labels(kind=update_kind(update)).inc()


def update_kind(update: Update) -> str:
    """Which of Telegram's update fields ``update`` carries (``message``, ``callback_query``, ...)."""
    for kind in Update.ALL_TYPES:
        if getattr(update, kind, None) is not None:
            return str(kind)
    return "other"


def register(app: DossierApp) -> None:
    app.add_handler(TypeHandler(Update, count_update), group=COUNTING_GROUP)
    app.add_handlers(
        [
            CommandHandler(command_names(), command, filters=NEW_MESSAGE),  # every name in bot.commands
            MessageHandler(NEW_MESSAGE & filters.Document.ALL, document_message),
            CallbackQueryHandler(page_button, pattern=PAGE_PATTERN),
            CallbackQueryHandler(delete_button, pattern=DELETE_PATTERN),
            CallbackQueryHandler(open_button, pattern=OPEN_PATTERN),
            CallbackQueryHandler(who_button, pattern=WHO_PATTERN),
            CallbackQueryHandler(lang_button, pattern=LANG_PATTERN),
            CallbackQueryHandler(follow_pick_button, pattern=FOLLOW_PICK_PATTERN),
            CallbackQueryHandler(follow_edit_button, pattern=FOLLOW_EDIT_PATTERN),
            CallbackQueryHandler(stale_button),  # anything else: older versions, forged data
            InlineQueryHandler(inline_query),
            MessageHandler(filters.StatusUpdate.MIGRATE, migrate_chat),
            # Order matters: these two come after every CommandHandler.
            MessageHandler(NEW_MESSAGE & filters.ChatType.PRIVATE & filters.COMMAND, unknown_command),
            MessageHandler(
                NEW_MESSAGE & filters.ChatType.PRIVATE & filters.TEXT & ~filters.COMMAND, private_text
            ),
        ]
    )
    app.add_error_handler(error_handler)
