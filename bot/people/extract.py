"""Extraction: the capitalised runs of a document, the candidates in them, and ``extract``, which judges
them (``evidence``) and decides within the document (``resolve``)."""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.people.document import _Cand, _DocCtx, _Run
from bot.people.evidence import _judge
from bot.people.headlines import _headline_speakers
from bot.people.lexicon import (
    _ARTICLE_AFTER,
    _ARTICLE_FIRST,
    _ARTICLE_RUN_RE,
    _CAPS_FIRST_LINE_RE,
    _CAPS_NEXT_LINE_RE,
    _RUN_RE,
    DOTTED_HONORIFICS,
    DOTTED_TITLES,
    MAX_NAME_TOKENS,
)
from bot.people.model import Mention, Role
from bot.people.resolve import _resolve
from bot.people.words import CONN, INITIAL, NAME, ORG, PARTICLE, ROLE, _info


def extract(
    text: str, published: date | None = None, *, sentences: bool = True, firms: list[str] | None = None
) -> list[Mention]:
    """Person mentions in one document, in text order. Pure: the same text always gives the same list.

    ``sentences=False`` leaves ``Mention.sentence`` empty: ingest stores offsets only and a card finds
    the few sentences it shows with ``sentence_at`` (a tenth of the extraction time, most of the storage).
    ``firms``, if given, receives the names the text shows to be organisations' ("Merrill Lynch Capital
    Markets", "Smith Barney, Harris Upham and Co"): stored with the mentions, they keep a name that is a
    firm in more documents than a person out of the people (``PeopleIndex``)."""
    ctx = _DocCtx(text, published, _caps_lines(text))
    ctx.want_sentences = sentences
    cands: list[_Cand] = []
    caps_words: list[tuple[int, str]] = []
    caps = ctx.caps_lines
    k, n_caps = 0, len(caps)
    # A run ending in a dotted post ("Wisconsin Rep.") waits for the next: only if a name follows is the
    # post split off it (else "... said Hun Sen. The ..." keeps its surname).
    held: _Dotted | None = None
    courtesy_at = -1  # where a run must start to follow "Mr." and be the name it stands before
    skip = 0  # the end of a run extended over an Arabic article: the runs inside it are its own
    for m in _RUN_RE.finditer(text):
        start, end = m.span()
        if start < skip:
            continue
        while k < n_caps and caps[k][1] <= start:  # runs come in text order: walk the caps lines along
            k += 1
        found = m.group()
        if text[end + 1 : end + 2] in _ARTICLE_FIRST and text.startswith(_ARTICLE_AFTER, end):
            longer = _ARTICLE_RUN_RE.match(text, start)
            if longer is not None and longer.end() > end:
                found, end = longer.group(), longer.end()
                skip = end
        words, infos, kinds, has_name = _run_words(found)
        in_caps = k < n_caps and caps[k][0] <= start
        title: Role | None = None  # a dotted post just before ("Sen. Bob Dole")
        if held is not None:
            before, held = held, None
            whole: _Run | None = before.run
            if before.name_at == start and not in_caps and _dotted_follows(words, kinds):
                title, whole = before.title, before.rest
            if whole is not None and (NAME in whole.kinds or INITIAL in whole.kinds):
                cands.extend(_candidates(ctx, whole))
        honorific = courtesy_at == start and not in_caps and _dotted_follows(words, kinds)
        courtesy_at = -1
        if in_caps:
            offsets = _Run(start, words, infos, kinds).offsets_in(text)
            caps_words.extend(zip(offsets, (i[1] for i in infos), strict=True))
            continue
        # Most runs hold no name ("The", "U.S."): a ``_Run`` only for those that may.
        if text.startswith(".", end) and infos[-1][1].lower() in _DOTTED:
            run = _Run(start, words, infos, kinds, None, None, title, honorific)
            dotted = _split_dotted(ctx, run, end)
            if dotted.title is not None:
                held = dotted
                continue  # a post: judged with the next run
            courtesy_at = dotted.name_at  # a courtesy title: no name in it ("Mr" is no name)
        if has_name:
            cands.extend(_candidates(ctx, _Run(start, words, infos, kinds, None, None, title, honorific)))
    if held is not None and (NAME in held.run.kinds or INITIAL in held.run.kinds):
        cands.extend(_candidates(ctx, held.run))
    weak_caps = _headline_speakers(text) if ctx.caps_lines and ctx.caps_lines[0][0] == 0 else []
    mentions = _resolve(ctx, cands, caps_words, weak_caps) if cands or weak_caps else []
    if firms is not None:
        # Not a name the same text also gives a person: "analyst Arvid Jauppi of Arvid Jauppi and Associates".
        people = {m.name for m in mentions}
        firms.extend(sorted({n for n in (" ".join(c.words) for c in cands if c.firm) if n not in people}))
    return mentions


def _caps_lines(text: str) -> list[tuple[int, int]]:
    """The spans of the text's all-capitals lines, in order."""
    first = _CAPS_FIRST_LINE_RE.match(text)
    out = [first.span()] if first is not None else []
    out.extend(m.span(1) for m in _CAPS_NEXT_LINE_RE.finditer(text))
    return out


_DOTTED = DOTTED_HONORIFICS | DOTTED_TITLES.keys()
_DOT_GAP_RE = re.compile(r"\.(?:[ \t\u00a0]+|[ \t\u00a0]*\n[ \t\u00a0]*)")


def _dotted_follows(words: tuple[str, ...], kinds: tuple[str, ...]) -> bool:
    """Is a run after "Sen." / "Mr." the name they stand before? Its first word must be a name: "Mr.
    Smith", not "Sen. The" (a sentence ending in a name, "... said Hun Sen. The ...")."""
    return kinds[0] in (NAME, INITIAL) and words[0].lower() not in _DOTTED


@dataclass(frozen=True, slots=True)
class _Dotted:
    """A run ending in a dotted abbreviation ("Wisconsin Rep", "Reagan and Sen", "Mr"), read as standing
    before a name."""

    run: _Run  # the run as found
    rest: _Run | None  # what is left of it to judge (a courtesy title leaves the run as it is)
    title: Role | None  # the post it gives the name; None for a courtesy title
    name_at: int  # where that name must start (-1: no name can follow)


def _split_dotted(ctx: _DocCtx, run: _Run, end: int) -> _Dotted:
    """``run`` read as standing before a name (``_Dotted``). A post takes the words before it, back to a
    connector, as its organisation ("Wisconsin Rep. Toby Roth")."""
    gap = _DOT_GAP_RE.match(ctx.text, end)
    at = gap.end() if gap is not None and gap.end() > end + 1 else -1  # "Rep.\nVic Fazio": wire lines break
    title = DOTTED_TITLES.get(run.infos[-1][1].lower())
    if title is None:
        return _Dotted(run, run, None, at)
    n = k = len(run.words) - 1
    while k > 0 and run.kinds[k - 1] not in (CONN, PARTICLE):
        k -= 1
    org = " ".join(i[1] for i in run.infos[k:n]) or None
    rest = _Run(run.start, run.words[:k], run.infos[:k], run.kinds[:k]) if k > 0 else None
    return _Dotted(run, rest, Role(title, org, ctx.published, False), at)


@lru_cache(maxsize=200_000)
def _run_words(run: str) -> tuple[tuple[str, ...], tuple[tuple[str, str, bool], ...], tuple[str, ...], bool]:
    """The words of a capitalised run as written, their ``_info``, their kinds, and whether one is
    name-like. Cached whole: most runs are the same few words over and over ("The", "Reuters", "U.S.")."""
    words = tuple(run.split())
    infos = tuple(_info(w) for w in words)
    kinds = tuple(i[0] for i in infos)
    return words, infos, kinds, NAME in kinds or INITIAL in kinds


@lru_cache(maxsize=20_000)
def _run_shape(kinds: tuple[str, ...]) -> tuple[tuple[int, int], ...]:
    """``_segments`` of a run's word kinds; runs of the same shape recur ("NN", "RRNN")."""
    return ((0, 1),) if len(kinds) == 1 else tuple(_segments(kinds))


def _segments(kinds: Sequence[str]) -> list[tuple[int, int]]:
    """Maximal stretches of name-like words (names, initials, particles inside), as index ranges."""
    out: list[tuple[int, int]] = []
    i, n = 0, len(kinds)
    while i < n:
        if (
            kinds[i] != NAME
            and kinds[i] != INITIAL
            and not (kinds[i] == PARTICLE and i + 1 < n and kinds[i + 1] == NAME)
        ):
            i += 1
            continue
        j = i + 1
        while j < n and (
            kinds[j] == NAME
            or kinds[j] == INITIAL
            or (kinds[j] == PARTICLE and j + 1 < n and kinds[j + 1] == NAME)
        ):
            j += 1
        while j > i + 1 and kinds[j - 1] == INITIAL:  # "Smith J." is not a name ending
            j -= 1
        out.append((i, j))
        i = j
    return out


def _candidates(ctx: _DocCtx, run: _Run) -> list[_Cand]:
    out: list[_Cand] = []
    infos = run.infos
    kinds = run.kinds
    floor = 0  # a title before a name belongs to it, not to a later name of the same run
    for i, j in _run_shape(kinds):  # a 1-word run: the caller saw that it is a name
        for k in range(i, j - 1):  # a possessive ends a name: "Japan's Kiichi Miyazawa"
            if infos[k][2]:
                j = k + 1
                break
        if i > 1 and _after_of(run.words, kinds, i):
            if j - i < 3:
                continue  # "Republic of Belarus", "Analysts of Morgan Stanley": the organisation's name
            i += 1  # "Republic of Belarus Alexander Shpakovsky": the first word belongs to the organisation
        if j - i > MAX_NAME_TOKENS:
            continue
        offsets = run.offsets_in(ctx.text)
        cand = _Cand(
            words=[infos[k][1] for k in range(i, j)],
            kinds=kinds[i:j],
            start=offsets[i],
            end=offsets[j - 1] + len(infos[j - 1][1]),
            possessive=infos[j - 1][2],
        )
        _judge(ctx, cand, run, i, j, floor)
        out.append(cand)
        if cand.strong or cand.medium:
            floor = j
        elif (
            not cand.vetoed
            and (i, j) == (0, 1)  # a one-word name opening the run
            and j + 1 < len(kinds)
            and infos[j][1] == "and"
            and kinds[j + 1] != NAME
            and ctx.prev_of(run)[1] != ","
        ):
            # "Baker and Japanese Finance Minister Kiichi Miyazawa": Baker is not his organisation (but
            # "Ernst and Whinney Chairman Ray J. Groves", "Brazilian Science and Technology Minister
            # Renato Archer", "Mines, Power and Steel Minister Bunu Sheriff Musa")
            floor = j + 1
    return out


def _after_of(words: Sequence[str], kinds: Sequence[str], i: int) -> bool:
    """Is word ``i`` the object of an "of" inside an organisation's or a title's name?"""
    k = i - 1
    if k >= 0 and words[k] == "the":
        k -= 1
    return k >= 0 and words[k] == "of" and any(x in (ROLE, ORG) for x in kinds[:k])
