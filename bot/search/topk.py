"""The best few scores of many: what a search reranks, found without sorting or partitioning them all."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

SAMPLE_EVERY = 64  # one score in this many gives the first guess at the threshold


def top_indices(scores: npt.NDArray[np.float32], want: int) -> npt.NDArray[np.intp]:
    """Indices of the ``want`` highest ``scores`` (all of them when there are no more), in no order.

    ``np.argpartition`` over a million candidates costs milliseconds, the most of a query on a
    common word. A threshold from a sample of the scores (the best few of every 64th) keeps usually a
    few hundred; when at least ``want`` pass it, the best ``want`` are among them, so the answer is
    exact, and else the whole array is partitioned. Equal scores at the boundary: any of them."""
    n = len(scores)
    if want >= n:
        return np.arange(n)
    chosen = np.arange(n)
    sample = scores[::SAMPLE_EVERY]
    k = min(len(sample), max(4 * want // SAMPLE_EVERY, 8))
    if k < len(sample):
        guess = np.partition(sample, len(sample) - k)[len(sample) - k]
        above = np.flatnonzero(scores >= guess)
        if len(above) >= want:
            chosen = above
    part = scores[chosen]
    if len(part) == want:
        return chosen
    return chosen[np.argpartition(-part, want - 1)[:want]]
