"""Telegram adapters: thin handlers over the core in ``bot/``. ``register`` is the one place where every
handler is added, in order."""

from __future__ import annotations

from telegram.ext import CallbackQueryHandler, CommandHandler, InlineQueryHandler, MessageHandler, filters

from handlers.chat import (
    command,
    open_button,
    page_button,
    private_text,
    stale_button,
    unknown_command,
    who_button,
)
from handlers.context import DossierApp
from handlers.digest import migrate_chat
from handlers.errors import error_handler
from handlers.inline import inline_query
from handlers.uploads import delete_button, document_message

CHAT_COMMANDS = ["start", "help", "search", "doc", "who", "subscribe", "unsubscribe", "digest", "digest_time"]
ADMIN_CHAT_COMMANDS = ["add", "delete", "reindex", "stats"]

# New messages only: edits of old messages and channel posts are not questions to answer again.
NEW_MESSAGE = filters.UpdateType.MESSAGE


def register(app: DossierApp) -> None:
    app.add_handlers(
        [
            CommandHandler(CHAT_COMMANDS, command, filters=NEW_MESSAGE),
            CommandHandler(ADMIN_CHAT_COMMANDS, command, filters=NEW_MESSAGE),
            MessageHandler(NEW_MESSAGE & filters.Document.ALL, document_message),
            CallbackQueryHandler(page_button, pattern=r"^s:"),
            CallbackQueryHandler(delete_button, pattern=r"^(del|keep):"),
            CallbackQueryHandler(open_button, pattern=r"^d:"),
            CallbackQueryHandler(who_button, pattern=r"^w:"),
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
