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
unfollow  ``fx:<follow id>``          "✕ <name>" under /following
mode      ``fm:<follow id>``          "n: instant" / "n: to the digest" under /following
========  ==========================  =============================================

Every button also carries the language of the message it came with, as a tag after the data
(``d:42~ru``; ``button_language`` reads it): a press is answered in that language when nothing about the
one who pressed says otherwise (``bot.i18n.choose_language``), so that the page after "Next ›", the card
under a pick or the document under a digest is in the language of the message they were pressed under, and
so are its buttons. Someone whose Telegram sends no language has only that to go by: the words they typed
are in their message, not in the press. Data from before the tags still decodes (its press is answered as
any other message without words).

Telegram accepts at most 64 bytes of callback data; only ``w:`` and ``fp:`` carry text that can be longer,
and it is cut (a cut key is looked up again as a name).
"""

from __future__ import annotations

import re
from typing import Generic, TypeVar

from bot.i18n import SUPPORTED, Language

T = TypeVar("T")

CALLBACK_LIMIT = 64  # bytes of callback_data Telegram accepts
LANGUAGE_TAG = "~"  # between a button's data and the language of the message it came with


def _tagged(data: str, lang: Language) -> str:
    return f"{data}{LANGUAGE_TAG}{lang}"


def _split_tag(data: str) -> tuple[str, Language | None]:
    body, tag, code = data.rpartition(LANGUAGE_TAG)
    lang = next((known for known in SUPPORTED if known == code), None) if tag else None
    return (body, lang) if lang is not None else (data, None)


def button_language(data: str | None) -> Language | None:
    """The language of the message a button came with, from its tag; None without one."""
    return _split_tag(data)[1] if data else None


def _body(data: str) -> str:
    """A button's data without its language tag: what each ``decode_<kind>`` reads."""
    return _split_tag(data)[0]


_TAG_BYTES = len(LANGUAGE_TAG) + 2  # "~ru"


class _KeyCodec:
    """``<prefix><key>``, the key cut to Telegram's 64 bytes (a cut key is looked up again as a name)."""

    def __init__(self, prefix: str) -> None:
        self.prefix = prefix
        # A key of one character up to what the limit leaves.
        self._re = re.compile(rf"^{re.escape(prefix)}(.{{1,{CALLBACK_LIMIT - len(prefix)}}})$", re.DOTALL)

    def encode(self, key: str, lang: Language) -> str:
        room = CALLBACK_LIMIT - len(self.prefix) - _TAG_BYTES
        return _tagged(self.prefix + key.encode()[:room].decode(errors="ignore"), lang)

    def decode(self, data: str) -> str | None:
        m = self._re.match(_body(data))
        return m.group(1) if m else None


class _TaggedId(Generic[T]):
    """``<tag>:<id>``: a button about one thing by its id, its tag saying which of a few choices."""

    def __init__(self, choices: dict[str, T]) -> None:
        self._choices = choices
        self._re = re.compile(rf"^({'|'.join(choices)}):(\d{{1,18}})$")

    def decode(self, data: str) -> tuple[T, int] | None:
        """(the tag's choice, the id)."""
        m = self._re.match(_body(data))
        return (self._choices[m.group(1)], int(m.group(2))) if m else None


# ----------------------------------------------------------------- open: d:<doc id>
OPEN_PATTERN = r"^d:"
_OPEN_RE = re.compile(r"^d:(\d{1,18})$")


def encode_open(doc_id: int, lang: Language) -> str:
    return _tagged(f"d:{doc_id}", lang)


def decode_open(data: str) -> int | None:
    m = _OPEN_RE.match(_body(data))
    return int(m.group(1)) if m else None


# ----------------------------------------------------------------- page: s:<session>:<offset>
PAGE_PATTERN = r"^s:"
_PAGE_RE = re.compile(r"^s:([A-Za-z0-9_-]{4,16}):(\d{1,6})$")


def encode_page(session: str, offset: int, lang: Language) -> str:
    return _tagged(f"s:{session}:{offset}", lang)


def decode_page(data: str) -> tuple[str, int] | None:
    """(search session id, offset of the page to show)."""
    m = _PAGE_RE.match(_body(data))
    return (m.group(1), int(m.group(2))) if m else None


# ----------------------------------------------------------------- who: w:<person key>
WHO_PATTERN = r"^w:"
_WHO = _KeyCodec("w:")  # w:(.{1,62})
encode_who = _WHO.encode
decode_who = _WHO.decode


# ----------------------------------------------------------------- delete: del:<id> / keep:<id>
DELETE_PATTERN = r"^(del|keep):"
_DELETE = _TaggedId({"del": True, "keep": False})  # (whether to delete, rather than keep; the id)


def encode_delete(doc_id: int, lang: Language) -> str:
    return _tagged(f"del:{doc_id}", lang)


def encode_keep(doc_id: int, lang: Language) -> str:
    return _tagged(f"keep:{doc_id}", lang)


decode_delete = _DELETE.decode


# ----------------------------------------------------------------- lang: l:<en|ru|auto>
LANG_PATTERN = r"^l:"
_LANG_RE = re.compile(r"^l:(en|ru|auto)$")


def encode_lang(choice: str, lang: Language) -> str:
    """``l:ru``; ``l:auto`` forgets the choice (Telegram's language decides again)."""
    return _tagged(f"l:{choice}", lang)


def decode_lang(data: str) -> str | None:
    """The argument of the ``/lang`` the button stands for: ``en``, ``ru`` or ``auto``."""
    m = _LANG_RE.match(_body(data))
    return m.group(1) if m else None


# ----------------------------------------------------------------- follow: fp:<person key>
FOLLOW_PICK_PATTERN = r"^fp:"
_FOLLOW_PICK = _KeyCodec("fp:")  # fp:(.{1,61})
encode_follow_pick = _FOLLOW_PICK.encode
decode_follow_pick = _FOLLOW_PICK.decode


# ----------------------------------------------------------------- unfollow / mode: fx:<id> / fm:<id>
FOLLOW_EDIT_PATTERN = r"^f[xm]:"
_FOLLOW_EDIT = _TaggedId({"fx": "remove", "fm": "mode"})  # ("remove" or "mode", the follow's id)


def encode_unfollow(follow_id: int, lang: Language) -> str:
    return _tagged(f"fx:{follow_id}", lang)


def encode_switch_mode(follow_id: int, lang: Language) -> str:
    return _tagged(f"fm:{follow_id}", lang)


decode_follow_edit = _FOLLOW_EDIT.decode
