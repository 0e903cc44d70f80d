"""The ``"exact phrase"`` filter of a search: which candidate documents hold the phrase's words in order.

The index (``memory.py``) keeps each document's primary key id per token (its *sequence*); a phrase is
kept as the primary keys of its words, so "exact" means the same words after normalisation (case,
transliteration, stemming), not the same characters. Only the documents that hold every word of the
phrase are scanned, and each only up to its first occurrence.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt


def phrase_mask(
    kids: Sequence[int], seqs: Sequence[array[int]], candidates: npt.NDArray[np.bool_]
) -> npt.NDArray[np.bool_]:
    """Of the ``candidates`` (slots that hold every key of the phrase), those whose sequence holds the
    keys ``kids`` side by side, in order."""
    out = np.zeros_like(candidates)
    target = np.array(kids, dtype=np.int32)
    for slot in np.flatnonzero(candidates).tolist():
        seq = np.frombuffer(seqs[slot], dtype=np.int32)
        starts = np.flatnonzero(seq[: len(seq) - len(kids) + 1] == target[0])
        for s in starts:
            if np.array_equal(seq[s : s + len(kids)], target):
                out[slot] = True
                break
    return out
