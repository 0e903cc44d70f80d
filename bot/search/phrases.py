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
SlotArray = npt.NDArray[np.intp]
SEPARATOR = 2**31 - 1  # between two documents' tokens: no key has this id
_SEPARATOR_BYTES = np.array([SEPARATOR], dtype=np.int32).tobytes()
CHUNK_TOKENS = 1 << 20  # candidates' tokens read at once (4 MiB)

# Consecutive tokens, each one of a set of key ids ("terrorist attack": two tokens, one key each)
Alternative = tuple[frozenset[int], ...]
Slot = tuple[Alternative, ...]  # a query word, or a run of them: any one of its alternatives
Pattern = tuple[Slot, ...]  # the phrase: its slots side by side, in order


def slot_keys(slot: Slot) -> set[int]:
    """Every key id a slot may match through: a document matching it holds one of them."""
    return {kid for alt in slot for keys in alt for kid in keys}


def candidates(
    pattern: Pattern, postings: Callable[[int], IntArray], df: Callable[[int], int], within: SlotArray
) -> SlotArray:
    """Of ``within`` (slots, ascending), those holding some key of every slot of the pattern, ascending.

    Sparse throughout: the rarest slot's documents (by its keys' document frequencies) among ``within``
    first, then each other slot, rarest first, keeps the candidates holding one of its keys (a binary
    search in each key's postings, which are in slot order): the cost follows the postings and
    candidates read, not the size of the corpus."""
    slots = sorted((sorted(slot_keys(slot)) for slot in pattern), key=lambda keys: sum(map(df, keys)))
    if not slots or not len(within):
        return _NO_SLOTS
    first = [docs[_member(docs, within)] for docs in map(postings, slots[0])]
    cand = first[0].astype(np.intp) if len(first) == 1 else np.unique(np.concatenate(first)).astype(np.intp)
    for keys in slots[1:]:
        if not len(cand):
            break
        held = np.zeros(len(cand), dtype=bool)
        for kid in keys:
            held |= _member(cand, postings(kid))
        cand = cand[held]
    return cand


def _member(values: npt.NDArray[Any], sorted_: npt.NDArray[Any]) -> npt.NDArray[np.bool_]:
    """Which of ``values`` are in the ascending array ``sorted_``."""
    if not len(sorted_):
        return np.zeros(len(values), dtype=bool)
    at = np.searchsorted(sorted_, values)
    at[at == len(sorted_)] = 0
    return np.asarray(sorted_[at] == values)


def phrase_docs(pattern: Pattern, tokens: Tokens, cand: SlotArray) -> SlotArray:
    """Of the candidates ``cand`` (slots, ascending, holding some key of every slot of the pattern:
    ``candidates``), those whose token sequence holds the pattern's slots side by side, in order.

    The candidates' tokens are read into one array, a bounded number of them at a time, each document's
    followed by ``SEPARATOR`` (a key id no token has), and the pattern is followed over all of them at
    once (``ends``): no match can run across a separator, so each match lies in one document, and a
    search costs a few numpy passes per chunk instead of a few per candidate (one per candidate made a
    cross-language phrase of common words cost 70 ms over Reuters)."""
    if not len(cand):
        return _NO_SLOTS
    matchers = [[[_matcher(keys) for keys in alt] for alt in slot] for slot in pattern]
    found: list[SlotArray] = []
    counts = tokens.counts(cand)
    for a, b in _chunks(counts):
        part, lengths = cand[a:b], counts[a:b] + 1  # each document's tokens and its separator
        starts = np.cumsum(lengths) - lengths
        at = ends(matchers, tokens.joined(part))
        if len(at):
            found.append(part[np.unique(np.searchsorted(starts, at - 1, side="right") - 1)])
    return np.concatenate([_NO_SLOTS, *found])


def _chunks(counts: npt.NDArray[np.int64]) -> Iterator[tuple[int, int]]:
    """Consecutive ranges of documents (of ``counts`` tokens each) holding about ``CHUNK_TOKENS`` tokens
    (or one longer document)."""
    upto = np.cumsum(counts)
    a = 0
    while a < len(counts):
        b = int(np.searchsorted(upto, (int(upto[a - 1]) if a else 0) + CHUNK_TOKENS, side="right"))
        b = max(b, a + 1)
        yield a, b
        a = b


# Which tokens are one of a set of key ids: the id itself when there is one (most words have one key),
# else a table by key id (``np.take`` of it: a tenth of ``np.isin``'s time over a million tokens).
Matcher = int | npt.NDArray[np.bool_]


def _matcher(keys: frozenset[int]) -> Matcher:
    if len(keys) == 1:
        return next(iter(keys))
    table = np.zeros(max(keys) + 2, dtype=bool)  # the last entry: every larger id (SEPARATOR too)
    table[list(keys)] = True
    return table


def _among(tokens: IntArray, keys: Matcher) -> npt.NDArray[np.bool_]:
    """Which of ``tokens`` are one of ``keys``."""
    # (a table's last entry stands for every larger id, and key ids are never negative)
    held: npt.NDArray[np.bool_]
    held = tokens == keys if isinstance(keys, int) else np.take(keys, tokens, mode="clip")
    return held


def _union(keys: Sequence[Matcher]) -> Matcher:
    """A matcher of any of several matchers' keys."""
    ids = {k for m in keys for k in ([m] if isinstance(m, int) else np.flatnonzero(m[:-1]).tolist())}
    return _matcher(frozenset(ids))


_NONE = np.empty(0, dtype=np.intp)
_NO_SLOTS: SlotArray = np.empty(0, dtype=np.intp)


def ends(pattern: Sequence[Sequence[Sequence[Matcher]]], seq: IntArray) -> npt.NDArray[np.intp]:
    """Where the matches of ``pattern`` (per slot, per alternative, a matcher of each of its tokens) in
    the token sequence ``seq`` end (one past their last token), ascending. The places the first slot
    starts are found in one pass over ``seq`` (for all its alternatives at once), and only they are
    followed."""
    n = len(seq)
    at: npt.NDArray[np.intp] | None = None  # where the next slot may start (None: anywhere)
    for slot in pattern:
        found: list[npt.NDArray[np.intp]] = []
        if at is None:  # the first slot: where any alternative's first token is
            first = _union([alt[0] for alt in slot]) if len(slot) > 1 else slot[0][0]
            at = np.flatnonzero(_among(seq, first))
        for alt in slot:
            m = len(alt)
            ok = at[at <= n - m]
            for j, keys in enumerate(alt):
                if not len(ok):
                    break
                ok = ok[_among(seq[ok + j], keys)]
            found.append(ok + m)
        # one alternative's ends are ascending and distinct already
        at = found[0] if len(found) == 1 else np.unique(np.concatenate(found)) if found else _NONE
        if not len(at):
            return _NONE
    return _NONE if at is None else at


class Tokens(Protocol):
    """The documents' token sequences (key ids), many read at once: a phrase's candidates."""

    def counts(self, slots: SlotArray) -> npt.NDArray[np.int64]:
        """How many tokens each of the documents ``slots`` has."""
        ...

    def joined(self, slots: SlotArray) -> IntArray:
        """The tokens of the documents ``slots`` one after another, each document's followed by
        ``SEPARATOR``."""
        ...


class ListedTokens:
    """``Tokens`` of an array per document (``MemoryIndex``)."""

    def __init__(self, seqs: Sequence[array[int]]) -> None:
        self.seqs = seqs

    def counts(self, slots: SlotArray) -> npt.NDArray[np.int64]:
        seqs = self.seqs
        return np.fromiter((len(seqs[s]) for s in slots.tolist()), dtype=np.int64, count=len(slots))

    def joined(self, slots: SlotArray) -> IntArray:
        return _joined(map(self.seqs.__getitem__, slots.tolist()))


def joined_rows(tokens: IntArray, off: npt.NDArray[np.int64], rows: SlotArray) -> IntArray:
    """``Tokens.joined`` of documents kept one after another in ``tokens``, document ``r``'s at
    ``tokens[off[r]:off[r + 1]]`` (the disk index's base and tail batches)."""
    view = tokens.data
    return _joined(map(view.__getitem__, map(slice, off[rows].tolist(), off[rows + 1].tolist())))


def _joined(parts: Iterable[array[int] | memoryview]) -> IntArray:
    """Documents' tokens (int32 buffers), each followed by ``SEPARATOR``: one ``bytes.join``, in C (a
    tenth of the time of numpy's gather by an index per token, and a fifth of a concatenation)."""
    return np.frombuffer(_SEPARATOR_BYTES.join([*parts, b""]), dtype=np.int32)
