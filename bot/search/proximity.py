"""How close a document's matched words stand: the proximity part of the index's ranking (``memory.py``)."""

from __future__ import annotations

import math
from array import array
from collections import Counter

import numpy as np
import numpy.typing as npt


def proximity(seq_of_doc: array[int], term_bits: npt.NDArray[np.int64], n_terms: int) -> float:
    """1.0 when the matched words stand side by side, falling off as they spread out.

    ``term_bits`` maps every key id to the bit set of the query terms it matches (built once per
    query), so finding a document's matched positions is one gather instead of a set test per token:
    this runs for every reranked candidate and used to be most of a query's time."""
    seq = np.frombuffer(seq_of_doc, dtype=np.int32)
    codes = term_bits[seq]
    positions = np.flatnonzero(codes)
    if len(positions) < 2:
        return 0.0
    events: list[tuple[int, int]] = []
    for pos, code in zip(positions.tolist(), codes[positions].tolist(), strict=True):
        t = 0
        while code:
            if code & 1:
                events.append((pos, t))
            code >>= 1
            t += 1
    present = {t for _, t in events}
    need = len(present)
    if need < 2:
        return 0.0
    best = math.inf
    window: Counter[int] = Counter()
    left = 0
    for pos, t in events:
        window[t] += 1
        while len(window) == need:
            best = min(best, pos - events[left][0] + 1)
            lt = events[left][1]
            window[lt] -= 1
            if not window[lt]:
                del window[lt]
            left += 1
    # One word may stand for several query terms (a phrase's translation is an alternative of each of
    # its words): the window is then shorter than the terms it holds, which is no slack, not less.
    slack = max(best - need, 0)
    return (need - 1) / (n_terms - 1) / (1.0 + slack / 2.0)
