"""Who is asking, and a line of input split into command and arguments: what every transport hands the
command layer."""

from __future__ import annotations

import re
from dataclasses import dataclass


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


_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def split_command(text: str) -> tuple[str, str] | None:
    """``/search@dossier_bot foo`` -> ``("search", "foo")``; None when the text is not a command."""
    m = _COMMAND_RE.match(text.strip())
    if not m:
        return None
    return m.group(1).lower(), (m.group(3) or "").strip()
