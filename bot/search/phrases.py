"""The ``"exact phrase"`` filter of a search: which candidate documents hold the phrase's words in order.

The index (``memory.py``) keeps each document's primary key id per token (its *sequence*); a phrase is
kept as the key ids its words may stand for, so "exact" means the same words after normalisation (case,
transliteration, stemming, a Russian word's lemmas), not the same characters. A phrase typed in the other
language matches its translation (``crosslang.Translator.phrase_patterns``): each word's translations are
alternatives of that word, in the phrase's order ("генеральный директор", general director), and a run
of words the lexicon has as a phrase may stand for its gloss in the gloss's own order ("генеральный
секретарь", secretary general). Only the documents that hold some key of every slot are scanned.
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
# What copying a token out of its document costs (the unit of ``_cost``): the candidates are scanned
# where they lie, among the other documents, when that costs less (``_read``)
GATHER = 1.0

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
    of intersecting the postings themselves by binary search, and a mask of a million documents is
    cleared in microseconds)."""
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


def phrase_docs(pattern: Pattern, tokens: Tokens, cand: SlotArray) -> SlotArray:
    """Of the candidates ``cand`` (slots, ascending, holding some key of every slot of the pattern:
    ``candidates``), those whose token sequence holds the pattern's slots side by side, in order.

    The pattern is followed over many documents' tokens at once (``matches``), a bounded number of the
    candidates' tokens at a time: a few numpy passes per chunk instead of a few per candidate (one per
    candidate made a cross-language phrase of common words cost 70 ms over Reuters). A chunk's tokens are
    copied out of their documents one after another, or, when the candidates are most of the documents
    they are stored among, scanned where they lie, the others' with them (``IN_PLACE``); a match is
    kept when it starts and ends in the same document, one of the candidates."""
    if not len(cand):
        return _NO_SLOTS
    matchers = [[[_matcher(keys) for keys in alt] for alt in slot] for slot in pattern]
    anchor = min(range(len(matchers)), key=lambda i: _cost(_first(matchers[i])))
    found: list[SlotArray] = []
    counts = tokens.counts(cand)
    for a, b in _chunks(counts):
        part = cand[a:b]
        seq, starts, docs = _read(tokens, part, counts[a:b], _cost(_first(matchers[anchor])))
        first, end = matches(matchers, anchor, seq)
        if len(first):
            doc = np.searchsorted(starts, first, side="right") - 1
            doc = docs[distinct(doc[doc == np.searchsorted(starts, end - 1, side="right") - 1])]
            found.append(doc if docs is part else doc[member(doc, part)])
    return np.concatenate([_NO_SLOTS, *found])


def _read(
    tokens: Tokens, part: SlotArray, counts: OffArray, scan_cost: float
) -> tuple[IntArray, OffArray, SlotArray]:
    """The tokens of the documents ``part`` (their ``counts``) one after another, where each document's
    start, and the documents (slots) they are of: those of ``part`` copied out, or, when scanning the
    tokens of every document from the first of ``part`` to its last where they lie costs less, those."""
    lo, hi = int(part[0]), int(part[-1]) + 1
    if hi - lo > len(part):
        span = tokens.span(lo, hi)
        if span is not None and len(span[0]) * scan_cost < int(counts.sum()) * (GATHER + scan_cost):
            return span[0], span[1], np.arange(lo, hi, dtype=np.intp)
    return tokens.joined(part), np.cumsum(counts) - counts, part


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


def _cost(matcher: Matcher) -> float:
    """What a pass of ``matcher`` over a token costs, in GATHER's unit (measured over a million tokens)."""
    return 0.07 * len(matcher) + 0.15 if isinstance(matcher, tuple) else 0.8


Chains = tuple[npt.NDArray[np.intp], npt.NDArray[np.intp]]  # where each chain of slots starts, and ends


def matches(pattern: Sequence[Sequence[Sequence[Matcher]]], anchor: int, seq: IntArray) -> Chains:
    """Where the matches of ``pattern`` (per slot, per alternative, a matcher of each of its tokens) in
    the token sequence ``seq`` start, and where they end (one past their last token). The places slot
    ``anchor`` may start are found in one pass over ``seq`` (for all its alternatives at once), and only
    they are followed: forwards through the slots from it, then backwards through those before it."""
    at = np.flatnonzero(_among(seq, _first(pattern[anchor])))
    chains: Chains = (at, at)
    for slot in pattern[anchor:]:
        chains = _step(slot, chains, seq, forwards=True)
    for slot in reversed(pattern[:anchor]):
        chains = _step(slot, chains, seq, forwards=False)
    return chains


def _step(slot: Sequence[Sequence[Matcher]], chains: Chains, seq: IntArray, *, forwards: bool) -> Chains:
    """The chains that one of the slot's alternatives continues: after their end, or before their start."""
    n = len(seq)
    out: list[Chains] = []
    for alt in slot:
        m = len(alt)
        first, end = chains
        at = end if forwards else first - m  # where the alternative's first token would be
        ok = (at <= n - m) & (at >= 0)
        first, end, at = first[ok], end[ok], at[ok]
        for j, keys in enumerate(alt):
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
    view = tokens.data
    return _joined(map(view.__getitem__, map(slice, off[rows].tolist(), off[rows + 1].tolist())))


def span_rows(tokens: IntArray, off: OffArray, lo: int, hi: int) -> tuple[IntArray, OffArray]:
    """``Tokens.span`` of rows ``lo .. hi - 1`` of documents kept as ``joined_rows`` reads them."""
    return tokens[int(off[lo]) : int(off[hi])], off[lo:hi] - off[lo]


def _joined(parts: Iterable[array[int] | memoryview]) -> IntArray:
    """Documents' tokens (int32 buffers) one after another: one ``bytes.join``, in C (a tenth of the time
    of numpy's gather by an index per token, and half a concatenation's)."""
    return np.frombuffer(b"".join(parts), dtype=np.int32)
