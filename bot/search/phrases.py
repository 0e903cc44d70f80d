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
    for slot in np.flatnonzero(candidates).tolist():
        out[slot] = holds(pattern, np.frombuffer(seqs[slot], dtype=np.int32))
    return out


def holds(pattern: Pattern, seq: npt.NDArray[np.int32]) -> bool:
    """Whether the token sequence ``seq`` holds ``pattern``: one pass over it per alternative, with the
    positions where the next slot may start carried from slot to slot."""
    n = len(seq)
    member: dict[frozenset[int], npt.NDArray[np.bool_]] = {}

    def where(keys: frozenset[int]) -> npt.NDArray[np.bool_]:
        found = member.get(keys)
        if found is None:
            found = member[keys] = np.isin(seq, np.fromiter(keys, dtype=np.int32, count=len(keys)))
        return found

    at = np.ones(n + 1, dtype=bool)  # at[p]: the next slot may start at token p
    for slot in pattern:
        after = np.zeros(n + 1, dtype=bool)
        for alt in slot:
            m = len(alt)
            if m > n:
                continue
            ok = at[: n - m + 1].copy()
            for j, keys in enumerate(alt):
                ok &= where(keys)[j : n - m + 1 + j]
            after[m:] |= ok
        at = after
        if not at.any():
            return False
    return True
