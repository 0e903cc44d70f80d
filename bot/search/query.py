"""The query language, the same for every transport.

``words in any order``, ``"exact phrase"``, ``-excluded``, ``since:2024-01``, ``until:2024-12-31``.
Parsing never fails on odd input: unknown ``name:value`` operators and stray quotes are read as words, so a
user who types ``C++: what?`` gets a search, not an error. Only a malformed date bound is an error, because
silently dropping it would return results the user asked to exclude.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date

from bot.dates import parse_bound
from bot.messages import Coded
from bot.textnorm import WORD_RE

MAX_QUERY_CHARS = 1000
MAX_TERMS = 32
# Longer than any dictionary word (the longest English one has 45 letters): pasted junk ("aaaa…"), which
# would otherwise fold down to a short word and match it.
MAX_WORD_LETTERS = 60
SHOWN_CHARS = 80  # of the query, where a reply repeats it ("3 results for “...”")

_TOKEN_RE = re.compile(r'"([^"]*)"?|(\S+)')
_OPERATOR_RE = re.compile(r"(since|until|from|to):(.*)", re.IGNORECASE)


@dataclass(frozen=True)
class Query:
    """A parsed query. ``words`` are the free words (ranked, typo-tolerant), ``phrases`` must appear as
    written (after normalisation), ``excluded`` must not appear."""

    text: str
    words: tuple[str, ...] = ()
    phrases: tuple[tuple[str, ...], ...] = ()
    excluded: tuple[str, ...] = ()
    since: date | None = None
    until: date | None = None
    truncated: bool = False
    notes: tuple[Coded, ...] = field(default=())  # what the reader should know (``query.`` codes)

    @property
    def label(self) -> str:
        """The query as a reply repeats it: a pasted page is not echoed back whole."""
        if len(self.text) <= SHOWN_CHARS:
            return self.text
        return self.text[: SHOWN_CHARS - 1].rstrip() + "…"

    @property
    def is_empty(self) -> bool:
        return not self.words and not self.phrases

    @property
    def all_words(self) -> tuple[str, ...]:
        """Every positive word, free or inside a phrase, in the order typed."""
        out = list(self.words)
        for phrase in self.phrases:
            out.extend(phrase)
        return tuple(out)


def _words(text: str) -> list[str]:
    return [m.group().lower() for m in WORD_RE.finditer(text)]


def parse_query(text: str) -> Query:
    """Parse user input into a Query. Raises ``DateBoundError`` only for a malformed date bound."""
    raw = text.strip()
    truncated = len(raw) > MAX_QUERY_CHARS
    raw = raw[:MAX_QUERY_CHARS]
    words: list[str] = []
    phrases: list[tuple[str, ...]] = []
    excluded: list[str] = []
    since: date | None = None
    until: date | None = None
    notes: list[Coded] = []
    for m in _TOKEN_RE.finditer(raw):
        quoted, bare = m.group(1), m.group(2)
        if quoted is not None:
            phrase = _words(quoted)
            if len(phrase) == 1:
                words.extend(phrase)
            elif phrase:
                phrases.append(tuple(phrase))
            continue
        op = _OPERATOR_RE.fullmatch(bare)
        if op and op.group(2):
            name = op.group(1).lower()
            if name in ("since", "from"):
                since = parse_bound(op.group(2), upper=False)
            else:
                until = parse_bound(op.group(2), upper=True)
            continue
        if bare.startswith("-") and len(bare) > 1:
            excluded.extend(_words(bare[1:]))
            continue
        words.extend(_words(bare))
    if truncated:
        notes.append(Coded("query.long_text", n=MAX_QUERY_CHARS))
    overlong = [w for w in words if len(w) > MAX_WORD_LETTERS]
    if overlong:
        words = [w for w in words if len(w) <= MAX_WORD_LETTERS]
        phrases = [p for p in phrases if all(len(w) <= MAX_WORD_LETTERS for w in p)]
        notes.append(Coded("query.long_word", n=len(overlong[0])))
    n_terms = len(words) + sum(len(p) for p in phrases)
    if n_terms > MAX_TERMS:
        truncated = True
        words = words[: max(0, MAX_TERMS - sum(len(p) for p in phrases))]
        notes.append(Coded("query.many_words", n=MAX_TERMS))
    if since and until and since > until:
        notes.append(Coded("query.dates_crossed"))
    return Query(
        text=raw,
        words=tuple(words),
        phrases=tuple(phrases),
        excluded=tuple(excluded),
        since=since,
        until=until,
        truncated=truncated,
        notes=tuple(notes),
    )
