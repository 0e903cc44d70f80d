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
