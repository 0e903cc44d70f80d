"""Who is asking: an update as the command layer's ``Caller``, after the access check, and whether they
administer the group they ask in."""

from __future__ import annotations

import logging
import time
from dataclasses import replace
from typing import TYPE_CHECKING

from telegram import Bot, Update
from telegram.constants import ChatMemberStatus, ChatType
from telegram.error import TelegramError

from bot.commands import Caller, written_language
from bot.i18n import N_, Language, translator
from handlers.callbacks import button_language

if TYPE_CHECKING:
    from handlers.context import DossierContext

log = logging.getLogger(__name__)

NOT_ALLOWED = N_("Sorry, this bot answers only members of its team. Ask an admin to add you.")
ADMIN_CACHE_SECONDS = 60.0  # how old an answer an upload accepts: a demoted admin loses it within a minute
FRESH = 0.0  # changing a chat's digest accepts no remembered answer: a demoted admin loses it at once


def asker(update: Update, context: DossierContext) -> Caller:
    """Who sent ``update``, before any access check: enough to choose the language of a refusal."""
    user = update.effective_user
    chat = update.effective_chat
    user_id = user.id if user else None
    message = update.effective_message
    chat_type = "private"
    if chat and chat.type in (ChatType.GROUP, ChatType.SUPERGROUP):
        chat_type = "group"
    elif chat and chat.type == ChatType.CHANNEL:
        chat_type = "channel"
    thread_id = message.message_thread_id if message and message.is_topic_message else None
    # What they wrote, for the language it is in: a message, not the bot's own under a pressed button. A
    # press stands for words in the language of the message it came with (``handlers.callbacks``).
    written = update.message or update.edited_message
    pressed = update.callback_query
    if written:
        written_in = written_language(written.text)
    else:
        written_in = button_language(pressed.data) if pressed else None
    return Caller(
        user_id,
        chat.id if chat else None,
        context.services.policy.is_admin(user_id),
        "telegram",
        chat_type,
        thread_id,
        language_code=user.language_code if user else None,
        written_in=written_in,
    )


def language_of(caller: Caller, context: DossierContext) -> Language:
    """The language to answer ``caller`` in (their /lang, the group's, their Telegram's, their message's,
    the default: ``bot.commands.lang.reply_language``)."""
    return context.services.commands.language_for(caller)


async def caller_for(update: Update, context: DossierContext) -> Caller | None:
    """Who is asking, or None (after a polite line in private, silence elsewhere) when not allowed."""
    services = context.services
    caller = asker(update, context)
    chat = update.effective_chat
    # A message in an allowed group proves its sender a member; a button press there does not (anyone
    # who can see the message can press, a former member too), so a press is checked by who pressed.
    proving_chat = None if update.callback_query else caller.chat_id
    if not await services.members.allowed(services.policy, context.bot, caller.user_id, proving_chat):
        refusal = translator(language_of(caller, context)).gettext(NOT_ALLOWED)
        if update.callback_query:
            await update.callback_query.answer(refusal, show_alert=True)
        elif chat and chat.type == ChatType.PRIVATE and update.effective_message:
            await update.effective_message.reply_text(refusal)
        return None
    return caller


async def with_chat_admin(caller: Caller, context: DossierContext, *, max_age: float) -> Caller:
    """``caller`` with ``is_chat_admin`` filled in when they ask in a group (see ``ChatAdmins``)."""
    if caller.chat_type != "group" or caller.chat_id is None:
        return caller
    admins = context.services.chat_admins
    is_admin = await admins.is_admin(context.bot, caller.chat_id, caller.user_id, max_age=max_age)
    return replace(caller, is_chat_admin=is_admin)


class ChatAdmins:
    """Is this user an administrator of this group? The one lookup (``getChatMember``), and its caching
    policy: every answer is remembered with the time it was given, and each caller states how old an
    answer it accepts (``max_age`` seconds). Changing a chat's digest is rare and accepts none
    (``FRESH``); uploads come in bursts and accept ``ADMIN_CACHE_SECONDS``. A failed lookup counts as
    "not an administrator" and is not remembered: the next try asks again."""

    def __init__(self) -> None:
        self._answers: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int | None, *, max_age: float) -> bool:
        if user_id is None:
            return False
        now = time.monotonic()
        remembered = self._answers.get((chat_id, user_id))
        if remembered and now - remembered[0] < max_age:
            return remembered[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("could not check admin rights of %s in %s: %s", user_id, chat_id, exc)
            return False
        result = member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
        self._answers[(chat_id, user_id)] = (now, result)
        return result
