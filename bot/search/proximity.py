"""How close a document's matched words stand: the proximity part of the index's ranking (``memory.py``)."""

from __future__ import annotations

from array import array

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
    matched = codes[positions]
    # Each present term's positions; the shortest window holding them all ends at a matched position
    # and starts at the earliest of the terms' last positions up to there: a few numpy calls per term
    # instead of a Python step per matched position (this was a quarter of a query's time).
    per_term = [positions[(matched >> t) & 1 == 1] for t in range(n_terms)]
    present = [p for p in per_term if len(p)]
    need = len(present)
    if need < 2:
        return 0.0
    start = positions.astype(np.int64)
    for pos in present:
        i = np.searchsorted(pos, positions, side="right") - 1
        start = np.minimum(start, np.where(i >= 0, pos[np.maximum(i, 0)], -1))
    whole = start >= 0  # windows that have seen every present term
    best = int((positions[whole] - start[whole]).min()) + 1
    # One word may stand for several query terms (a phrase's translation is an alternative of each of
    # its words): the window is then shorter than the terms it holds, which is no slack, not less.
    slack = max(best - need, 0)
    return (need - 1) / (n_terms - 1) / (1.0 + slack / 2.0)
