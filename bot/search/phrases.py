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
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

# Consecutive tokens, each one of a set of key ids ("terrorist attack": two tokens, one key each)
Alternative = tuple[frozenset[int], ...]
Slot = tuple[Alternative, ...]  # a query word, or a run of them: any one of its alternatives
Pattern = tuple[Slot, ...]  # the phrase: its slots side by side, in order


def slot_keys(slot: Slot) -> set[int]:
    """Every key id a slot may match through: a document matching it holds one of them."""
    return {kid for alt in slot for keys in alt for kid in keys}


def phrase_mask(
    pattern: Pattern, seqs: Sequence[array[int]], candidates: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Of the ``candidates`` (slots that hold some key of every slot of the pattern), those whose
    sequence holds the pattern's slots side by side, in order."""
    out = np.zeros_like(candidates)
    arrays = [[[_keys_array(keys) for keys in alt] for alt in slot] for slot in pattern]
    for doc in np.flatnonzero(candidates).tolist():
        out[doc] = holds(arrays, np.frombuffer(seqs[doc], dtype=np.int32))
    return out


def _keys_array(keys: frozenset[int]) -> npt.NDArray[np.int32]:
    return np.fromiter(sorted(keys), dtype=np.int32, count=len(keys))


def _among(tokens: npt.NDArray[np.int32], keys: npt.NDArray[np.int32]) -> npt.NDArray[np.bool_]:
    """Which of ``tokens`` are one of ``keys`` (a comparison for one key: most words have one)."""
    return tokens == keys[0] if len(keys) == 1 else np.isin(tokens, keys)


_NONE = np.empty(0, dtype=np.intp)


def holds(pattern: Sequence[Sequence[Sequence[npt.NDArray[np.int32]]]], seq: npt.NDArray[np.int32]) -> bool:
    """Whether the token sequence ``seq`` holds ``pattern`` (per slot, per alternative, the key ids of each
    of its tokens): the places the first slot starts are found in one pass, and only they are followed."""
    n = len(seq)
    at: npt.NDArray[np.intp] | None = None  # where the next slot may start (None: anywhere)
    for slot in pattern:
        ends: list[npt.NDArray[np.intp]] = []
        for alt in slot:
            m = len(alt)
            if at is None:
                ok = np.flatnonzero(_among(seq[: max(n - m + 1, 0)], alt[0]))
                rest = enumerate(alt[1:], 1)
            else:
                ok = at[at <= n - m]
                rest = enumerate(alt)
            for j, keys in rest:
                if not len(ok):
                    break
                ok = ok[_among(seq[ok + j], keys)]
            ends.append(ok + m)
        # one alternative's ends are ascending and distinct already
        at = ends[0] if len(ends) == 1 else np.unique(np.concatenate(ends)) if ends else _NONE
        if not len(at):
            return False
    return True
