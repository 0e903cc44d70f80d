"""Who is asking, and a line of input split into command and arguments: what every transport hands the
command layer."""

from __future__ import annotations

import re
from dataclasses import dataclass

from bot.i18n import Language


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as the core needs to know."""

    user_id: int | None = None
    chat_id: int | None = None
    is_admin: bool = False
    transport: str = "console"
    chat_type: str = "private"  # "private", "group" (groups and supergroups) or "channel"
    thread_id: int | None = None  # the forum topic asked in, where digests then go
    is_chat_admin: bool = False  # an administrator of the group asked in
    language_code: str | None = None  # Telegram's language of the person asking ("ru", "en-GB"), if known
    language: Language | None = None  # the language the asker chose for this run: the console's --lang
    # What their message is written in (``bot.commands.written_language``); for a pressed button, the
    # language of the message it came with.
    written_in: Language | None = None


def chat_setting_refusal(caller: Caller, no_chat: str, from_channel: str, admins_only: str) -> str | None:
    """Which of the three refusals (message ids) applies when ``caller`` asks to change a chat's own
    settings (its digest, its follows), or None when they may: it must be asked in a chat, not from a
    channel, and in a group by its administrators (or a bot admin)."""
    if caller.chat_id is None:
        return no_chat
    if caller.chat_type == "channel":
        return from_channel
    if caller.chat_type == "group" and not (caller.is_chat_admin or caller.is_admin):
        return admins_only
    return None


_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def split_command(text: str) -> tuple[str, str] | None:
    """``/search@dossier_bot foo`` -> ``("search", "foo")``; None when the text is not a command."""
    m = _COMMAND_RE.match(text.strip())
    if not m:
        return None
    return m.group(1).lower(), (m.group(3) or "").strip()
