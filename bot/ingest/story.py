"""Same story or same template: the check a near-duplicate candidate has to pass before it is flagged.

Shared wording alone (``bot.ingest.neardup``) cannot tell a story retold from a wire template filled in
again. Reuters-21578 shows it: at the old rule, "10% of the three-word shingles shared", half of its
20,841 articles had a near-duplicate, mostly dividend notices, quarterly results tables, money-market
and auction reports, and commodity prices, whose fixed wording ("Qtly div 25 cts vs 25 cts prior Pay
May 15 Record April 20") is most of the text. Among 313 pairs judged by reading both texts
(``bench/neardup-pairs.jsonl``), 125 of the 181 pairs the old rule flagged were different events,
mostly on one template.

What a template pair has that a retold story has not: its figures and names differ. So a text is also
read as its *skeleton*, the same words with every figure (a word with a digit) and every name (a
capitalised word other than a function word such as "The" or "В") replaced by a placeholder, and two
texts are one story when

- their wording overlaps (Ochiai coefficient of the exact three-word shingle sets, the measure
  ``neardup`` estimates) by at least ``NEAR_DUP_THRESHOLD``,
- the wording overlap is at least ``SKELETON_SHARE`` of the skeleton overlap: masking figures and
  names barely adds to what a retold story shares (they are the same figures and names), whereas two
  dividend notices share twice as much skeleton as wording,
- and they were published at most ``MAX_DAYS_APART`` days apart when both dates are known: "New
  Zealand cancels weekly T-bill tender" comes back two weeks later in nearly the same words, a story
  filed on Friday and again on Monday is kept.

Calibrated on 215 of the judged pairs and checked on the 98 held out (``bench/neardup_bench.py``). The
skeleton ratio separated best of the features tried (figures masked alone, the overlap of names and
figures taken as sets, the distance in days): on the calibration part every flag at 0.9 was right, and
no lower share kept that. What it missed (recall 0.58) was mostly a one-line flash beside the story or
table that follows it (the flash has few words, the table many figures it lacks) and two reports of one
trading session with the prices moved on. So a second test (rule 2, ``RULE_VERSION``) also flags a
candidate when

- both were published the same day,
- their headlines are about one subject (``same_subject``: one headline starts with the name the other
  puts before its stock symbol, or with its first three words; symbols, when both have them, shared),
- and the wording overlap is at least ``SUBJECT_SKELETON_SHARE`` of the skeleton overlap (some wording of
  its own beyond one template's).

Containment (the share of the shorter text's shingles found in the longer) was tried for the flashes
first: a flash's few shingles are as often found in another company's table of the same template. The
headline is what a flash and its story share. On the 313 pairs it raised recall to 0.88 (calibration)
and 0.83 (held-out) with one more wrong flag (two days' farmer-owned reserve prices, filed the same
day); on Reuters it flags 893 more documents, of which 39 drawn at random were read: 34 the same story,
5 not (a report and its denial, one bank's two bond issues, two funds of one name before their symbols
told them apart, one company's results table and its bankruptcy statement, two Bank of Japan
interventions filed the same GMT day).

The translation pair among the seeds (000 TASS, 001 CSTO Allies: one interview, two English
translations) shares 0.137 of its wording and, its names spelled differently (Masadykov, Masadikov),
exactly as much of its skeleton: it stays flagged.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date

from bot.textnorm import WORD_RE

NEAR_DUP_THRESHOLD = 0.10  # wording overlap at or above which two texts may be one story
SKELETON_SHARE = 0.9  # the wording overlap must be at least this share of the skeleton overlap
MAX_DAYS_APART = 3
SUBJECT_SKELETON_SHARE = 0.3  # the same-day same-subject test: less than this is a template still
RULE_VERSION = 2  # bump when the rule changes: stored flags are judged again once (``NearDupCache.prepare``)
SUBJECT_WORDS = 3  # a headline without a ticker is about its first three words
SHINGLE_WORDS = 3
MAX_WORDS = 20_000  # words read from a text: past them a story's identity is settled, memory stays bounded

_FIGURE = "\x00#"
_NAME = "\x00N"

# Function words written with a capital at the start of a sentence: not names. (A name that starts a
# sentence is still a name; a function word there is the only common capitalised word.)
_FUNCTION_WORDS = """
    a an the this that these those there here it its he she they we i you his her their our my
    in on at of for to from by with as and but or if when while after before during under over about
    against among between since until into than then also however meanwhile some many most other such
    no not all any each both new last first next
    в во на по с со к ко из за для о об от до при у и а но или что это этот эта эти он она оно они мы
    я вы его ее её их как так также если когда после перед во время между через над под без еще ещё"""
_NOT_NAMES = frozenset(_FUNCTION_WORDS.split())


@dataclass(frozen=True, eq=False)
class StoryText:
    """What the check reads of a text: its shingles, its skeleton's shingles and its date."""

    shingles: frozenset[int]
    skeleton: frozenset[int]
    published: date | None
    subject: tuple[str, ...] = ()  # what the headline is about (``headline_subject``)
    headline: tuple[str, ...] = ()  # the headline's words, tickers and company suffixes left out
    tickers: frozenset[str] = frozenset()  # the headline's stock symbols ("<FFC>", "(CFBK.O)")


def _shingles(words: list[str]) -> frozenset[int]:
    n = len(words) - SHINGLE_WORDS + 1
    if n < 1:
        return frozenset([hash(tuple(words))]) if words else frozenset()
    return frozenset(hash(tuple(words[i : i + SHINGLE_WORDS])) for i in range(n))


_HEADLINE_NOISE = frozenset(["the", "inc", "corp", "co", "ltd", "plc", "corporation", "and"])
_TICKER = re.compile(r"[<(][^>)]*[>)]")
_SYMBOL = re.compile(r"[<(]([A-Z0-9.]{1,8})[>)]")


def _headline_words(text: str) -> tuple[str, ...]:
    words = (w.strip(".,:;'\"-").casefold() for w in text.split())
    return tuple(w for w in words if w and w not in _HEADLINE_NOISE)


def headline_subject(title: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """What a headline is about, and its words. The subject is the name before a ticker ("FIREMAN'S
    FUND CORP <FFC> 3RD QTR NET": fireman's fund), the bracketed name of a private company ("<XYLOGICS
    INC> INITIAL OFFERING": xylogics), else the first ``SUBJECT_WORDS`` words ("LME NICKEL CLOSE",
    "TOKYO STOCK INDEX"). The words leave tickers out, so a flash without one still starts with the
    subject of the story with one."""
    title = title.strip()
    if title.startswith("<") and ">" in title:
        subject = _headline_words(title[1 : title.index(">")])
        rest = title[title.index(">") + 1 :]
        return subject, subject + _headline_words(_TICKER.sub(" ", rest))
    ticker = _TICKER.search(title)
    words = _headline_words(_TICKER.sub(" ", title))
    subject = _headline_words(title[: ticker.start()]) if ticker else words[:SUBJECT_WORDS]
    return subject, words


def story_text(text: str, published: date | None, title: str = "") -> StoryText:
    """Read a text for ``same_story`` (once per text: the sets are the costly part); ``title`` is its
    headline (``Document.title``), for the same-subject test."""
    words: list[str] = []
    skeleton: list[str] = []
    for raw in WORD_RE.findall(unicodedata.normalize("NFKC", text))[:MAX_WORDS]:
        word = raw.casefold()
        words.append(word)
        if any(c.isdigit() for c in raw):
            skeleton.append(_FIGURE)
        elif raw[0].isupper() and word not in _NOT_NAMES:
            skeleton.append(_NAME)
        else:
            skeleton.append(word)
    subject, headline = headline_subject(title)
    tickers = frozenset(_SYMBOL.findall(title))
    return StoryText(_shingles(words), _shingles(skeleton), published, subject, headline, tickers)


def same_subject(a: StoryText, b: StoryText) -> bool:
    """One headline starts with the other's subject: one company, market or speaker. Headlines with
    stock symbols must share one ("VMS MORTGAGE INVESTORS <VMLPZ>" and "VMS MORTGAGE INVESTORS <VMTGZ>"
    are two funds)."""
    if a.tickers and b.tickers and not a.tickers & b.tickers:
        return False
    return (bool(a.subject) and b.headline[: len(a.subject)] == a.subject) or (
        bool(b.subject) and a.headline[: len(b.subject)] == b.subject
    )


def ochiai(a: frozenset[int], b: frozenset[int]) -> float:
    """Shared over the geometric mean of the sizes (0 when either is empty)."""
    if not a or not b:
        return 0.0
    small, large = (a, b) if len(a) <= len(b) else (b, a)
    return len(small & large) / math.sqrt(len(a) * len(b))


def same_story(a: StoryText, b: StoryText) -> float | None:
    """The wording the two texts share (0..1) when they tell one story; None when they do not."""
    if a.published and b.published and abs((a.published - b.published).days) > MAX_DAYS_APART:
        return None
    wording = ochiai(a.shingles, b.shingles)
    skeleton = ochiai(a.skeleton, b.skeleton)
    if wording >= NEAR_DUP_THRESHOLD and wording >= SKELETON_SHARE * skeleton:
        return wording
    if (
        a.published is not None
        and a.published == b.published
        and wording >= SUBJECT_SKELETON_SHARE * skeleton
        and wording > 0
        and same_subject(a, b)
    ):
        return wording  # a flash and its story, or one session updated: same day, same subject
    return None  # one template, other figures or names


def best_story(
    new: StoryText, candidates: Iterable[int], texts: Mapping[int, StoryText]
) -> tuple[int, float] | None:
    """Among ``candidates`` (document ids, read in ``texts``), the one telling ``new``'s story with the
    most wording shared, and that share; None when none does."""
    best: tuple[int, float] | None = None
    for doc_id in candidates:
        other = texts.get(doc_id)
        share = same_story(new, other) if other is not None else None
        if share is not None and (best is None or share > best[1]):
            best = (doc_id, share)
    return best


def story_groups(texts: Mapping[int, StoryText]) -> list[list[int]]:
    """The texts grouped by story, each group in id order, groups in the order of their first id. A
    text joins a group when it tells the story of any text in it (single linkage, as a reader would
    put a third version beside either of the first two)."""
    ids = sorted(texts)
    parent = {i: i for i in ids}

    def root(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = parent[i]
        return i

    for k, a in enumerate(ids):
        for b in ids[k + 1 :]:
            if root(a) != root(b) and same_story(texts[a], texts[b]) is not None:
                parent[max(root(a), root(b))] = min(root(a), root(b))
    groups: dict[int, list[int]] = {}
    for i in ids:
        groups.setdefault(root(i), []).append(i)
    return [groups[r] for r in sorted(groups)]
