"""One document as the extractor reads it: its context (``_DocCtx``: caps lines, Title Case lines,
acronyms, sentence ends, all computed at most once), the capitalised runs and the name-shaped candidates
in them, and the sentence around a mention."""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from bot.people.lexicon import _SENTENCE_ABBREV, _SENTENCE_END_RE
from bot.people.model import Role
from bot.people.words import PARTICLE


@dataclass(slots=True)
class _Cand:
    """A name-shaped stretch of a capitalised run, with what was learned about it."""

    words: list[str]  # without possessive 's
    kinds: Sequence[str]
    start: int
    end: int
    possessive: bool = False
    vetoed: bool = False
    strong: bool = False  # title/role/courtesy title/apposition/initial: a person even as one word
    medium: bool = False  # speech verb, "said X,", ", who": a person when the name has two words
    employer: bool = False  # right after "of": a speech verb after it is its employee's
    place: bool = False  # a country's name: a person only as the surname of a full name ("Jerry Jordan")
    courtesy: bool = False  # strong only by a dotted courtesy title: "Mr. Rooter Corp" is a firm's name
    firm: bool = False  # vetoed as an organisation's name ("Merrill Lynch Capital Markets"): evidence for
    # the whole collection that the name is no person's
    role: Role | None = None
    name: str = ""
    given: tuple[str, ...] = ()  # the words before the surname, particles left out (asked very often)

    def __post_init__(self) -> None:
        if len(self.words) > 1:
            pairs = zip(self.words[:-1], self.kinds[:-1], strict=True)
            self.given = tuple(w for w, k in pairs if k != PARTICLE)

    @property
    def surname(self) -> str:
        return self.words[-1]


@dataclass(slots=True)
class _Run:
    start: int
    words: tuple[str, ...]  # as written, possessives included
    infos: tuple[tuple[str, str, bool], ...]
    kinds: tuple[str, ...]
    offsets: list[int] | None = None
    prev: tuple[str, str] | None = None  # word and punctuation before the run
    title: Role | None = None  # a dotted title right before the run ("Sen. Bob Dole"): its first name's post
    honorific: bool = False  # a dotted courtesy title right before it ("Mr. Smith")

    def offsets_in(self, text: str) -> list[int]:
        if self.offsets is None:
            if len(self.words) == 1:  # most runs: one capitalised word
                self.offsets = [self.start]
                return self.offsets
            pos, out = self.start, []
            for w in self.words:
                pos = text.find(w, pos)
                out.append(pos)
                pos += len(w)
            self.offsets = out
        return self.offsets


def _word_char(c: str) -> bool:
    """A character a word goes on with (``[\\w'’-]``): "traders'" and "so-called" are one word each."""
    return c.isalnum() or c in "_'’-"


@dataclass(slots=True)
class _DocCtx:
    text: str
    published: date | None
    caps_lines: list[tuple[int, int]]
    title_lines: dict[int, bool] = field(default_factory=dict)
    paren_roles: list[tuple[int, Role]] = field(default_factory=list)
    acronyms: dict[str, str] | None = None
    sentence_ends: list[int] | None = None
    want_sentences: bool = True

    def written_lowercase(self, word: str) -> bool:
        """Does the text also write ``word`` in lower case ("Traders said" and "traders expect")? Then a
        capitalised one is a common word at the start of a sentence, not a name."""
        low = word.lower()
        if not low or not ("a" <= low[0] <= "z" or "а" <= low[0] <= "я" or low[0] == "ё"):
            return False
        if not all(_word_char(c) for c in low[1:]):
            return False
        # The word's occurrences, each bounded like a whole word: few candidates ask, so this costs less
        # than a set of every lowercase word of the text.
        text, n = self.text, len(low)
        pos = text.find(low)
        while pos >= 0:
            if (pos == 0 or not _word_char(text[pos - 1])) and (
                pos + n == len(text) or not _word_char(text[pos + n])
            ):
                return True
            pos = text.find(low, pos + 1)
        return False

    def in_caps_line(self, pos: int) -> bool:
        """Is ``pos`` on an all-capitals line (a wire headline)? Lines are sorted: a bisection, since a
        long document asks this for every capitalised run."""
        k = bisect_right(self.caps_lines, (pos, len(self.text) + 1)) - 1
        return k >= 0 and self.caps_lines[k][0] <= pos < self.caps_lines[k][1]

    def in_title_line(self, pos: int) -> bool:
        """A Title Case line (a web headline): capital letters there are no evidence of a name."""
        start = self.text.rfind("\n", 0, pos) + 1
        known = self.title_lines.get(start)
        if known is None:
            end = self.text.find("\n", pos)
            long_words = [w for w in self.text[start : end if end >= 0 else None].split() if len(w) >= 4]
            capital = sum(w[0].isupper() for w in long_words)
            known = len(long_words) >= 3 and capital >= 0.75 * len(long_words)
            self.title_lines[start] = known
        return known

    def prev_of(self, run: _Run) -> tuple[str, str]:
        """The word and the punctuation mark (if any) right before a run: ("the", ""), ("Kazakhstan", ",")."""
        if run.prev is None:
            before = self.text[max(0, run.start - 40) : run.start].rstrip()
            punct = before[-1:] if before and not before[-1].isalnum() else ""
            if punct:
                before = before[:-1].rstrip()
            word = before.rsplit(None, 1)[-1] if before else ""
            run.prev = (word.rstrip(".") if word[:1].isalpha() else "", punct)
        return run.prev


def sentence_at(text: str, start: int, end: int) -> str:
    """The sentence of ``text`` around the span ``start:end`` (a stored mention), as ``extract`` gives it."""
    return _sentence(_DocCtx(text, None, []), start, end)


MAX_SENTENCE_CHARS = 600  # text without full stops (lists, tables) is not one sentence: a window of it


def _sentence(ctx: _DocCtx, start: int, end: int) -> str:
    lo, hi = _sentence_bounds(ctx, start, end)
    head = tail = ""
    if hi - lo > MAX_SENTENCE_CHARS:
        new_lo = max(lo, start - MAX_SENTENCE_CHARS // 3)
        new_hi = min(hi, max(end, new_lo + MAX_SENTENCE_CHARS))
        if new_lo > lo:
            new_lo = ctx.text.find(" ", new_lo, start) + 1 or new_lo
            head = "… "
        if new_hi < hi:
            space = ctx.text.rfind(" ", end, new_hi)
            new_hi = space if space > end else new_hi
            tail = " …"
        lo, hi = new_lo, new_hi
    return head + " ".join(ctx.text[lo:hi].split()) + tail


def _sentence_bounds(ctx: _DocCtx, start: int, end: int) -> tuple[int, int]:
    """The sentence around a span: it ends at . ! ? (not after an initial or a known abbreviation) or at a
    blank line. Boundaries are computed once per document, and only for documents that name someone."""
    if ctx.sentence_ends is None:
        ends = [0]
        for m in _SENTENCE_END_RE.finditer(ctx.text):
            before = ctx.text[max(0, m.start() - 6) : m.start()].split()
            last = before[-1].lower().lstrip('("“') if before else ""
            if m.group().startswith(".") and (
                last in _SENTENCE_ABBREV or (len(last) == 1 and last.isalpha())
            ):
                continue
            ends.append(m.end())
        ctx.sentence_ends = ends
    ends = ctx.sentence_ends
    k = bisect_right(ends, start) - 1
    lo = ends[k]
    nxt = bisect_right(ends, end - 1)
    hi = ends[nxt] if nxt < len(ends) else len(ctx.text)
    return lo, max(hi, end)
