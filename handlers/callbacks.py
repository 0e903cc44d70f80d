"""The button protocol: what each kind of inline button carries as ``callback_data``, in one place.

One codec per kind: ``encode_<kind>`` makes the data (render.py), ``<KIND>_PATTERN`` routes it to its
handler (``handlers.register``), ``decode_<kind>`` reads it back, or gives None for data that is not
well formed (a button from an older version, or forged: the handler then says the button no longer works).

========  ==========================  =============================================
kind      data                        pressed
========  ==========================  =============================================
open      ``d:<doc id>``              "Open #id" under a search, a card, a digest
page      ``s:<session>:<offset>``    "‹ Prev" / "Next ›" under a search
who       ``w:<person key>``          a person under /who choices, holders, a card
delete    ``del:<id>`` / ``keep:<id>``  "Delete #id" / "Cancel" under /delete
lang      ``l:<en|ru|auto>``          a language (or "Automatic") under /lang
follow    ``fp:<person key>``         a person under /follow's choices
unfollow  ``fx:<follow id>``          "✕ n" under /following
mode      ``fm:<follow id>``          "n: instant" / "n: to the digest" under /following
========  ==========================  =============================================

Telegram accepts at most 64 bytes of callback data; only ``w:`` and ``fp:`` carry text that can be longer,
and it is cut (a cut key is looked up again as a name).
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

T = TypeVar("T")

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts


class _KeyCodec:
    """``<prefix><key>``, the key cut to Telegram's 64 bytes (a cut key is looked up again as a name)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        # A key of one character up to what the limit leaves.
        self._re = re.compile(rf"^{re.escape(prefix)}(.{{1,{CALLBACK_LIMIT - len(prefix)}}})$", re.DOTALL)

    def encode(self, key: str) -> str:
        room = CALLBACK_LIMIT - len(self.prefix)
        return self.prefix + key.encode()[:room].decode(errors="ignore")

    def decode(self, data: str) -> str | None:
        m = self._re.match(data)
        return m.group(1) if m else None


class _TaggedId(Generic[T]):
    """``<tag>:<id>``: a button about one thing by its id, its tag saying which of a few choices."""

    def __init__(self, choices: dict[str, T]) -> None:
        self._choices = choices
        self._re = re.compile(rf"^({'|'.join(choices)}):(\d{{1,18}})$")

    def decode(self, data: str) -> tuple[T, int] | None:
        """(the tag's choice, the id)."""
        m = self._re.match(data)
        return (self._choices[m.group(1)], int(m.group(2))) if m else None


# ----------------------------------------------------------------- open: d:<doc id>
OPEN_PATTERN = r"^d:"
_OPEN_RE = re.compile(r"^d:(\d{1,18})$")


def encode_open(doc_id: int) -> str:
    return f"d:{doc_id}"


def decode_open(data: str) -> int | None:
    m = _OPEN_RE.match(data)
    return int(m.group(1)) if m else None


# ----------------------------------------------------------------- page: s:<session>:<offset>
PAGE_PATTERN = r"^s:"
_PAGE_RE = re.compile(r"^s:([A-Za-z0-9_-]{4,16}):(\d{1,6})$")


def encode_page(session: str, offset: int) -> str:
    return f"s:{session}:{offset}"


def decode_page(data: str) -> tuple[str, int] | None:
    """(search session id, offset of the page to show)."""
    m = _PAGE_RE.match(data)
    return (m.group(1), int(m.group(2))) if m else None


# ----------------------------------------------------------------- who: w:<person key>
WHO_PATTERN = r"^w:"
_WHO = _KeyCodec("w:")  # w:(.{1,62})
encode_who = _WHO.encode
decode_who = _WHO.decode


# ----------------------------------------------------------------- delete: del:<id> / keep:<id>
DELETE_PATTERN = r"^(del|keep):"
_DELETE = _TaggedId({"del": True, "keep": False})  # (whether to delete, rather than keep; the id)


def encode_delete(doc_id: int) -> str:
    return f"del:{doc_id}"


def encode_keep(doc_id: int) -> str:
    return f"keep:{doc_id}"


decode_delete = _DELETE.decode


# ----------------------------------------------------------------- lang: l:<en|ru|auto>
LANG_PATTERN = r"^l:"
_LANG_RE = re.compile(r"^l:(en|ru|auto)$")


def encode_lang(choice: str) -> str:
    """``l:ru``; ``l:auto`` forgets the choice (Telegram's language decides again)."""
    return f"l:{choice}"


def decode_lang(data: str) -> str | None:
    """The argument of the ``/lang`` the button stands for: ``en``, ``ru`` or ``auto``."""
    m = _LANG_RE.match(data)
    return m.group(1) if m else None


# ----------------------------------------------------------------- follow: fp:<person key>
FOLLOW_PICK_PATTERN = r"^fp:"
_FOLLOW_PICK = _KeyCodec("fp:")  # fp:(.{1,61})
encode_follow_pick = _FOLLOW_PICK.encode
decode_follow_pick = _FOLLOW_PICK.decode


# ----------------------------------------------------------------- unfollow / mode: fx:<id> / fm:<id>
FOLLOW_EDIT_PATTERN = r"^f[xm]:"
_FOLLOW_EDIT = _TaggedId({"fx": "remove", "fm": "mode"})  # ("remove" or "mode", the follow's id)


def encode_unfollow(follow_id: int) -> str:
    return f"fx:{follow_id}"


def encode_switch_mode(follow_id: int) -> str:
    return f"fm:{follow_id}"


decode_follow_edit = _FOLLOW_EDIT.decode
