"""The ``"exact phrase"`` filter of a search: which candidate documents hold the phrase's words in order.

The index (``memory.py``) keeps each document's primary key id per token (its *sequence*); a phrase is
kept as the key ids its words may stand for, so "exact" means the same words after normalisation (case,
transliteration, stemming, a Russian word's lemmas), not the same characters. A phrase typed in the other
language matches its translation (``crosslang.Translator.phrase_patterns``): each word's translations are
alternatives of that word, in the phrase's order ("генеральный директор", general director), and a run
of words the lexicon has as a phrase may stand for its gloss in the gloss's own order ("генеральный
секретарь", secretary general).

Only the documents holding some key of every slot are candidates (``candidates``), and their sequences
are read many at once, the pattern followed over all of them in a few numpy passes from its rarest slot
(``phrase_docs``, ``matches``): a scan per candidate made a cross-language phrase of common words cost
70 ms over Reuters, where a query costs a few. Every candidate is checked, so the count of documents
holding the phrase stays exact.
"""

from __future__ import annotations

from array import array
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]
OffArray = npt.NDArray[np.int64]
SlotArray = npt.NDArray[np.intp]
CHUNK_TOKENS = 1 << 20  # candidates' tokens read at once (4 MiB)
# The candidates' tokens are scanned where they lie, with the other documents' between them, when that
# costs less than copying them out (``COPY``: the unit of ``_pass_cost``) and the documents there holding
# the anchor slot's keys are at most ``IN_PLACE_ANCHOR`` times the candidates (``_read``)
COPY = 1.0
IN_PLACE_ANCHOR = 1.5

# Consecutive tokens, each one of a set of key ids ("terrorist attack": two tokens, one key each)
Alternative = tuple[frozenset[int], ...]
Slot = tuple[Alternative, ...]  # a query word, or a run of them: any one of its alternatives
Pattern = tuple[Slot, ...]  # the phrase: its slots side by side, in order


def slot_keys(slot: Slot) -> set[int]:
    """Every key id a slot may match through: a document matching it holds one of them."""
    return {kid for alt in slot for keys in alt for kid in keys}


def candidates(
    pattern: Pattern, postings: Callable[[int], IntArray], n_docs: int, within: SlotArray
) -> SlotArray:
    """Of ``within`` (slots, ascending), those holding some key of every slot of the pattern, ascending:
    a mask of every document per slot, set from its keys' postings (over Reuters, a sixth of the time
    of intersecting the postings themselves by binary search; a mask of a million documents is cleared
    in tens of microseconds)."""
    held = np.zeros(n_docs, dtype=bool)
    held[within] = True
    for slot in pattern:
        in_slot = np.zeros(n_docs, dtype=bool)
        for kid in slot_keys(slot):
            in_slot[postings(kid)] = True
        held &= in_slot
    return np.flatnonzero(held)


def distinct(values: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct ``values``, ascending (a sort: ``np.unique``'s hashing took longer on these)."""
    return _runs(np.sort(values))


def _runs(ascending: npt.NDArray[Any]) -> npt.NDArray[Any]:
    """The distinct values of an ascending array."""
    if len(ascending) < 2:
        return ascending
    return ascending[np.concatenate(([True], ascending[1:] != ascending[:-1]))]


def member(values: npt.NDArray[Any], sorted_: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which of ``values`` are in the ascending array ``sorted_``."""
    if not len(sorted_):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_, values)
    at[at == len(sorted_)] = 0
    return np.asarray(sorted_[at] == values)


def phrase_docs(pattern: Pattern, tokens: Tokens, cand: SlotArray, df: Callable[[int], int]) -> SlotArray:
    """Of the candidates ``cand`` (slots, ascending, holding some key of every slot of the pattern:
    ``candidates``), those whose token sequence holds the pattern's slots side by side, in order.

    The pattern is followed over many documents' tokens at once (``matches``), a bounded number of the
    candidates' tokens at a time, from its rarest slot (``df``: the documents holding a key): a few numpy
    passes per chunk instead of a few per candidate. A chunk's tokens are copied out of their documents
    one after another or, when the candidates are most of the documents they are kept among, scanned
    where they lie (``_read``); a match is kept when it starts and ends in the same document, one of the
    candidates."""
    if not len(cand):
        return _NO_SLOTS
    matchers = [[[_matcher(keys) for keys in alt] for alt in slot] for slot in pattern]
    firsts = [{kid for alt in slot for kid in alt[0]} for slot in pattern]
    rarity = [sum(map(df, keys)) for keys in firsts]
    anchor = min(range(len(pattern)), key=rarity.__getitem__)
    anchor_share = rarity[anchor] / max(len(tokens), 1)  # of all documents, those holding the anchor's keys
    found: list[SlotArray] = []
    counts = tokens.counts(cand)
    for a, b in _chunks(counts):
        part = cand[a:b]
        seq, starts, docs = _read(tokens, part, counts[a:b], _first(matchers[anchor]), anchor_share)
        first, end = matches(matchers, anchor, seq)
        if len(first):
            doc = np.searchsorted(starts, first, side="right") - 1
            doc = docs[distinct(doc[doc == np.searchsorted(starts, end - 1, side="right") - 1])]
            found.append(doc if docs is part else doc[member(doc, part)])
    return np.concatenate([_NO_SLOTS, *found])


def _read(
    tokens: Tokens, part: SlotArray, counts: OffArray, anchor: Matcher, anchor_share: float
) -> tuple[IntArray, OffArray, SlotArray]:
    """The tokens of the documents ``part`` (their ``counts``) one after another, where each document's
    start, and the documents (slots) they are of: those of ``part``, copied out; or every document from
    the first of ``part`` to its last, where they lie, when a pass of the ``anchor`` over them costs less
    than copying the candidates' out and a pass over those, and the candidates are most of the documents
    there holding the anchor's keys (``anchor_share`` of all documents hold them), so that the others
    add few places to follow."""
    lo, hi = int(part[0]), int(part[-1]) + 1
    if hi - lo > len(part) and anchor_share * (hi - lo) <= IN_PLACE_ANCHOR * len(part):
        span = tokens.span(lo, hi)
        scan = _pass_cost(anchor)
        if span is not None and len(span[0]) * scan <= int(counts.sum()) * (COPY + scan):
            return span[0], span[1], np.arange(lo, hi, dtype=np.intp)
    return tokens.joined(part), np.cumsum(counts) - counts, part


def _pass_cost(matcher: Matcher) -> float:
    """What a pass of ``matcher`` over a token costs, in ``COPY``'s unit (over a million tokens: a copy
    1.2 ms, a comparison 0.1 ms, a table's take 1 ms, finding the places 0.2 ms)."""
    return 0.08 * len(matcher) + 0.15 if isinstance(matcher, tuple) else 1.0


def _chunks(counts: OffArray) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of documents (of ``counts`` tokens each) holding about ``CHUNK_TOKENS`` tokens
    (or one longer document)."""
    upto = np.cumsum(counts)
    a = 0
    while a < len(counts):
        b = int(np.searchsorted(upto, (int(upto[a - 1]) if a else 0) + CHUNK_TOKENS, side="right"))
        b = max(b, a + 1)
        yield a, b
        a = b


# Which tokens are one of a set of key ids: the ids themselves when there are a few (most words have one
# key), compared one by one; else a table by key id, ``np.take`` of which costs about as much as six
# comparisons (over a million tokens: 0.1 ms a comparison, 1 ms a take, 10 ms an ``np.isin``).
Matcher = tuple[int, ...] | npt.NDArray[np.bool_]
COMPARED_KEYS = 6


def _matcher(keys: Iterable[int]) -> Matcher:
    ids = sorted(set(keys))
    if len(ids) <= COMPARED_KEYS:
        return tuple(ids)
    table = np.zeros(ids[-1] + 2, dtype=bool)  # the last entry: every larger id
    table[ids] = True
    return table


def _among(tokens: IntArray, keys: Matcher) -> npt.NDArray[np.bool_]:
    """Which of ``tokens`` are one of ``keys``."""
    held: npt.NDArray[np.bool_]
    if isinstance(keys, tuple):
        held = tokens == keys[0]
        for kid in keys[1:]:
            held |= tokens == kid
    else:  # (a table's last entry stands for every larger id, and key ids are never negative)
        held = np.take(keys, tokens, mode="clip")
    return held


def _union(keys: Sequence[Matcher]) -> Matcher:
    """A matcher of any of several matchers' keys."""
    return _matcher(k for m in keys for k in (m if isinstance(m, tuple) else np.flatnonzero(m[:-1]).tolist()))


_NONE = np.empty(0, dtype=np.intp)
_NO_SLOTS: SlotArray = np.empty(0, dtype=np.intp)


def _first(slot: Sequence[Sequence[Matcher]]) -> Matcher:
    """A matcher of the first tokens of a slot's alternatives: where it may start."""
    return _union([alt[0] for alt in slot]) if len(slot) > 1 else slot[0][0]


Chains = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]  # where each chain of slots starts, and ends


def matches(pattern: Sequence[Sequence[Sequence[Matcher]]], anchor: int, seq: IntArray) -> Chains:
    """Where the matches of ``pattern`` (per slot, per alternative, a matcher of each of its tokens) in
    the token sequence ``seq`` start, and where they end (one past their last token). The places slot
    ``anchor`` may start are found in one pass over ``seq`` (for all its alternatives at once), and only
    they are followed: forwards through the slots from it, then backwards through those before it."""
    at = np.flatnonzero(_among(seq, _first(pattern[anchor])))
    chains: Chains = (at, at)
    for i, slot in enumerate(pattern[anchor:]):
        # (an anchor of one alternative: its first token is where the pass found it)
        chains = _step(slot, chains, seq, forwards=True, found=i == 0 and len(slot) == 1)
    for slot in reversed(pattern[:anchor]):
        chains = _step(slot, chains, seq, forwards=False)
    return chains


def _step(
    slot: Sequence[Sequence[Matcher]], chains: Chains, seq: IntArray, *, forwards: bool, found: bool = False
) -> Chains:
    """The chains that one of the slot's alternatives continues: after their end, or before their start
    (``found``: the first token of the slot's one alternative is known to be there)."""
    n = len(seq)
    out: list[Chains] = []
    for alt in slot:
        m = len(alt)
        first, end = chains
        at = end if forwards else first - m  # where the alternative's first token would be
        ok = (at <= n - m) & (at >= 0)
        first, end, at = first[ok], end[ok], at[ok]
        for j, keys in enumerate(alt[1:] if found else alt, 1 if found else 0):
            if not len(at):
                break
            ok = _among(seq[at + j], keys)
            first, end, at = first[ok], end[ok], at[ok]
        out.append((first, end + m) if forwards else (at, end))
    if len(out) == 1:
        return out[0]
    # alternatives may end two chains alike: one of each kept
    pairs = distinct(np.concatenate([f.astype(np.int64) * (n + 1) + e for f, e in out]))
    return (pairs // (n + 1)).astype(np.intp), (pairs % (n + 1)).astype(np.intp)


class Tokens(Protocol):
    """The documents' token sequences (key ids), many read at once: a phrase's candidates."""

    def __len__(self) -> int:
        """How many documents (slots) there are."""
        ...

    def counts(self, slots: SlotArray) -> OffArray:
        """How many tokens each of the documents ``slots`` has."""
        ...

    def joined(self, slots: SlotArray) -> IntArray:
        """The tokens of the documents ``slots``, one document's after another's."""
        ...

    def span(self, lo: int, hi: int) -> tuple[IntArray, OffArray] | None:
        """The tokens of documents ``lo .. hi - 1`` where they are kept one after another, and where
        each document's start in them; None when they are not kept so."""
        ...


class ListedTokens:
    """``Tokens`` of an array per document (``MemoryIndex``)."""

    def __init__(self, seqs: Sequence[array[int]]) -> None:
        self.seqs = seqs

    def __len__(self) -> int:
        return len(self.seqs)

    def counts(self, slots: SlotArray) -> OffArray:
        seqs = self.seqs
        return np.fromiter((len(seqs[s]) for s in slots.tolist()), dtype=np.int64, count=len(slots))

    def joined(self, slots: SlotArray) -> IntArray:
        return _joined(map(self.seqs.__getitem__, slots.tolist()))

    def span(self, lo: int, hi: int) -> None:
        return None


def joined_rows(tokens: IntArray, off: OffArray, rows: SlotArray) -> IntArray:
    """``Tokens.joined`` of documents kept one after another in ``tokens``, document ``r``'s at
    ``tokens[off[r]:off[r + 1]]`` (the disk index's base and tail batches)."""
    if len(rows) > 1:  # consecutive documents are one slice
        cut = np.flatnonzero(np.diff(rows) != 1) + 1
        lo, hi = rows[np.concatenate(([0], cut))], rows[np.concatenate((cut - 1, [len(rows) - 1]))] + 1
    else:
        lo, hi = rows, rows + 1
    view = tokens.data
    return _joined(map(view.__getitem__, map(slice, off[lo].tolist(), off[hi].tolist())))


def span_rows(tokens: IntArray, off: OffArray, lo: int, hi: int) -> tuple[IntArray, OffArray]:
    """``Tokens.span`` of rows ``lo .. hi - 1`` of documents kept as ``joined_rows`` reads them."""
    return tokens[int(off[lo]) : int(off[hi])], off[lo:hi] - off[lo]


def _joined(parts: Iterable[array[int] | memoryview]) -> IntArray:
    """Documents' tokens (int32 buffers) one after another: one ``bytes.join``, in C (a tenth of the time
    of numpy's gather by an index per token, and half a concatenation's)."""
    return np.frombuffer(b"".join(parts), dtype=np.int32)
