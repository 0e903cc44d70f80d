"""Who may talk to the bot. A team's corpus is not for strangers, in any transport.

The policy is pure: it answers from the settings alone where it can, and says when the answer depends on
membership of the allowed chats, which only the transport can look up (Telegram's ``getChatMember``).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum

from bot.settings import Settings


class Verdict(Enum):
    ALLOW = "allow"
    DENY = "deny"
    ASK_MEMBERSHIP = "ask"  # allowed if a member of one of ``AccessPolicy.member_chats``


@dataclass(frozen=True)
class AccessPolicy:
    members_only: bool
    admin_ids: frozenset[int]
    allowed_user_ids: frozenset[int]
    member_chats: tuple[int, ...]

    @classmethod
    def from_settings(cls, settings: Settings) -> AccessPolicy:
        return cls(
            members_only=settings.access == "members",
            admin_ids=frozenset(settings.admin_ids),
            allowed_user_ids=frozenset(settings.allowed_user_ids),
            member_chats=tuple(settings.allowed_chat_ids),
        )

    def is_admin(self, user_id: int | None) -> bool:
        return user_id is not None and user_id in self.admin_ids

    def verdict(self, user_id: int | None, chat_id: int | None = None) -> Verdict:
        """Whether ``user_id`` (asking in ``chat_id``, if any) gets answers."""
        if not self.members_only:
            return Verdict.ALLOW
        if user_id is None:
            return Verdict.DENY  # anonymous admins and channels: no person to check
        if user_id in self.admin_ids or user_id in self.allowed_user_ids:
            return Verdict.ALLOW
        if chat_id is not None and chat_id in self.member_chats:
            return Verdict.ALLOW  # the message itself proves membership of an allowed group
        return Verdict.ASK_MEMBERSHIP if self.member_chats else Verdict.DENY
