"""Membership checks for ``DOSSIER_ACCESS=members``: ``getChatMember`` on the allowed chats, cached
briefly so a busy group does not cost one API call per message."""

from __future__ import annotations

import logging
import time

from telegram import Bot
from telegram.constants import ChatMemberStatus
from telegram.error import TelegramError

from bot.access import AccessPolicy, Verdict

log = logging.getLogger(__name__)

CACHE_SECONDS = 300.0
ADMIN_CACHE_SECONDS = 60.0  # "briefly": a demoted administrator loses the right to upload within a minute
_MEMBER_STATUSES = {ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR, ChatMemberStatus.MEMBER}


class MembershipCache:
    def __init__(self, ttl: float = CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[int, tuple[float, bool]] = {}

    async def allowed(self, policy: AccessPolicy, bot: Bot, user_id: int | None, chat_id: int | None) -> bool:
        verdict = policy.verdict(user_id, chat_id)
        if verdict is not Verdict.ASK_MEMBERSHIP or user_id is None:
            return verdict is Verdict.ALLOW
        now = time.monotonic()
        cached = self._cache.get(user_id)
        if cached and cached[0] > now:
            return cached[1]
        result = False
        for group in policy.member_chats:
            try:
                member = await bot.get_chat_member(group, user_id)
            except TelegramError as exc:  # bot not in that chat, chat gone: not proof of membership
                log.warning("membership check of user %s in chat %s failed: %s", user_id, group, exc)
                continue
            status = member.status
            if status in _MEMBER_STATUSES or (
                status == ChatMemberStatus.RESTRICTED and getattr(member, "is_member", False)
            ):
                result = True
                break
        self._cache[user_id] = (now + self.ttl, result)
        return result


class ChatAdminCache:
    """Is this user an administrator of this group? ``getChatMember``, remembered for a minute."""

    def __init__(self, ttl: float = ADMIN_CACHE_SECONDS) -> None:
        self.ttl = ttl
        self._cache: dict[tuple[int, int], tuple[float, bool]] = {}

    async def is_admin(self, bot: Bot, chat_id: int, user_id: int | None) -> bool:
        if user_id is None:
            return False
        now = time.monotonic()
        cached = self._cache.get((chat_id, user_id))
        if cached and cached[0] > now:
            return cached[1]
        try:
            member = await bot.get_chat_member(chat_id, user_id)
        except TelegramError as exc:
            log.warning("could not check admin rights of %s in %s: %s", user_id, chat_id, exc)
            return False  # not cached: the next try asks again
        result = member.status in (ChatMemberStatus.OWNER, ChatMemberStatus.ADMINISTRATOR)
        self._cache[(chat_id, user_id)] = (now + self.ttl, result)
        return result
