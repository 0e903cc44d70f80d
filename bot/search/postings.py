"""Postings runs: for every key, the slots of the documents holding it and their weights, in one block.

A run is compressed-sparse-row: ``off[k]:off[k + 1]`` is key ``k``'s part of ``slots`` and ``tf``, in slot
order. The disk index (``disk.py``) keeps one big run mapped from disk (its *base*) and a few small runs
in memory for documents added since (its *tail*); ``merge`` turns several runs into one without a sort,
by counting: each key's block in the output is placed from the counts, then every run's entries are
scattered into it in slot order. It works a bounded chunk at a time, so compacting a million documents
needs memory for a chunk, not for the whole index.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

IntArray = npt.NDArray[np.int32]
FloatArray = npt.NDArray[np.float32]
OffArray = npt.NDArray[np.int64]

CHUNK = 4_000_000  # postings handled at once by ``merge``
# ``Run.gather`` copies blocks one by one up to this many keys, and one more per this many postings.
GATHER_SLICES = 16
GATHER_SLICE_SIZE = 512
_EMPTY_SLOTS: IntArray = np.empty(0, dtype=np.int32)
_EMPTY_TF: FloatArray = np.empty(0, dtype=np.float32)


@dataclass
class Run:
    """Postings of keys ``0 .. n_keys - 1`` (a key numbered later has none here)."""

    off: OffArray
    slots: IntArray
    tf: FloatArray

    @classmethod
    def empty(cls) -> Run:
        return cls(np.zeros(1, dtype=np.int64), _EMPTY_SLOTS, _EMPTY_TF)

    @property
    def n_keys(self) -> int:
        return len(self.off) - 1

    def __len__(self) -> int:
        return len(self.slots)

    def get(self, kid: int) -> tuple[IntArray, FloatArray]:
        if kid >= self.n_keys:
            return _EMPTY_SLOTS, _EMPTY_TF
        lo, hi = int(self.off[kid]), int(self.off[kid + 1])
        return self.slots[lo:hi], self.tf[lo:hi]

    def gather(self, kids: OffArray) -> tuple[IntArray, FloatArray, OffArray]:
        """The postings of several keys in one read: (slots, tf, counts), key ``kids[j]``'s block of
        ``counts[j]`` postings after those of ``kids[:j]``; keys numbered past this run have none."""
        lo = self.off[np.minimum(kids, self.n_keys)]  # a key past the run: an empty block at the end
        counts = self.off[np.minimum(kids + 1, self.n_keys)] - lo
        total = int(counts.sum())
        if len(kids) <= GATHER_SLICES + total // GATHER_SLICE_SIZE:
            # Few or big blocks: copied block by block (a copy is cheaper than an index per posting).
            blocks = [(a, a + n) for a, n in zip(lo.tolist(), counts.tolist(), strict=True) if n]
            if len(blocks) == 1:
                a, b = blocks[0]
                return self.slots[a:b], self.tf[a:b], counts
            return (
                np.concatenate([_EMPTY_SLOTS, *(self.slots[a:b] for a, b in blocks)]),
                np.concatenate([_EMPTY_TF, *(self.tf[a:b] for a, b in blocks)]),
                counts,
            )
        # Many small blocks: posting i of key j's block sits at lo[j] + (i - the block's first index).
        at = np.arange(total) + np.repeat(lo - (np.cumsum(counts) - counts), counts)
        return self.slots[at], self.tf[at], counts

    def df(self, kid: int) -> int:
        return int(self.off[kid + 1] - self.off[kid]) if kid < self.n_keys else 0

    def check(self) -> None:
        """Offsets that cannot slice outside the arrays (a damaged file is refused, not served)."""
        if len(self.off) < 1 or self.off[0] != 0 or self.off[-1] != len(self.slots):
            raise ValueError("postings offsets do not cover the postings")
        if len(self.tf) != len(self.slots) or np.any(np.diff(self.off) < 0):
            raise ValueError("postings offsets out of order")


def from_pending(pending: Sequence[tuple[IntArray, IntArray, FloatArray]], n_keys: int) -> Run:
    """A run from (slots, key ids, weights) triples, each in slot order: one stable sort by key."""
    slots = np.concatenate([s for s, _, _ in pending])
    kids = np.concatenate([k for _, k, _ in pending])
    tfs = np.concatenate([t for _, _, t in pending])
    order = stable_order(kids)
    off = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(np.bincount(kids, minlength=n_keys), out=off[1:])
    return Run(off, slots[order].astype(np.int32), tfs[order].astype(np.float32))


def stable_order(kids: IntArray) -> npt.NDArray[np.intp]:
    """``np.argsort(kids, kind="stable")`` of key ids (0 .. 2**31 - 1), in two passes of numpy's radix
    sort of 16 bits (one when every id fits in 16 bits): about three times faster than its merge sort
    of 32 bits, which was most of turning pending documents into a run."""
    order = np.argsort((kids & 0xFFFF).astype(np.uint16), kind="stable")
    if len(kids) and int(kids.max()) > 0xFFFF:
        order = order[np.argsort((kids[order] >> 16).astype(np.uint16), kind="stable")]
    return order


def _chunks(run: Run) -> Iterator[tuple[IntArray, IntArray, FloatArray]]:
    """(key ids, slots, weights) of a run, a bounded number of postings at a time, in key order."""
    a, n = 0, run.n_keys
    while a < n:
        b = int(np.searchsorted(run.off, run.off[a] + CHUNK, side="right")) - 1
        b = min(max(b, a + 1), n)
        lo, hi = int(run.off[a]), int(run.off[b])
        if hi > lo:
            lengths = np.diff(run.off[a : b + 1])
            kids = np.repeat(np.arange(a, b, dtype=np.int32), lengths)
            yield kids, np.asarray(run.slots[lo:hi]), np.asarray(run.tf[lo:hi])
        a = b


def merged(
    runs: Sequence[Run], n_keys: int, new_slot: IntArray | None = None
) -> tuple[OffArray, Iterator[tuple[IntArray, FloatArray]]]:
    """Every posting of ``runs`` (given in slot order: a key's block stays sorted) as one run: its
    offsets, and its slots and weights in order, a block of keys (about CHUNK postings) at a time. Each
    block is put together from every run's part for those keys, so the merged run is produced front to
    back: a compaction writes it to a file as it comes, never holding it whole.

    ``new_slot``, when given, renumbers slots (old -> new) and drops postings whose new slot is -1 (a
    removed document): a compaction."""

    def kept(kids: IntArray, slots: IntArray, tf: FloatArray) -> tuple[IntArray, IntArray, FloatArray]:
        if new_slot is None:
            return kids, slots, tf
        renumbered = new_slot[slots]
        keep = renumbered >= 0
        return kids[keep], renumbered[keep], tf[keep]

    counts = np.zeros(n_keys, dtype=np.int64)
    for run in runs:
        for chunk in _chunks(run):
            counts += np.bincount(kept(*chunk)[0], minlength=n_keys)
    off = np.zeros(n_keys + 1, dtype=np.int64)
    np.cumsum(counts, out=off[1:])

    def blocks() -> Iterator[tuple[IntArray, FloatArray]]:
        a = 0
        while a < n_keys:
            b = int(np.searchsorted(off, off[a] + CHUNK, side="right")) - 1
            b = min(max(b, a + 1), n_keys)
            size = int(off[b] - off[a])
            if size:
                slots_out: IntArray = np.empty(size, dtype=np.int32)
                tf_out: FloatArray = np.empty(size, dtype=np.float32)
                fill = off[a:b] - off[a]  # where each key's next posting goes in the block
                for run in runs:
                    ra, rb = min(a, run.n_keys), min(b, run.n_keys)
                    lo, hi = int(run.off[ra]), int(run.off[rb])
                    if hi == lo:
                        continue
                    kids = np.repeat(np.arange(ra - a, rb - a, dtype=np.int32), np.diff(run.off[ra : rb + 1]))
                    kids, slots, tf = kept(kids, np.asarray(run.slots[lo:hi]), np.asarray(run.tf[lo:hi]))
                    if not len(kids):
                        continue
                    starts = np.concatenate([[0], np.flatnonzero(np.diff(kids)) + 1])
                    first = kids[starts]
                    sizes = np.diff(np.append(starts, len(kids)))
                    pos = np.repeat(fill[first] - starts, sizes) + np.arange(len(kids))
                    slots_out[pos] = slots
                    tf_out[pos] = tf
                    fill[first] += sizes
                yield slots_out, tf_out
            a = b

    return off, blocks()


def merge(runs: Sequence[Run], n_keys: int) -> Run:
    """One run, in memory, holding every posting of ``runs`` (``merged``)."""
    off, blocks = merged(runs, n_keys)
    parts = list(blocks)
    return Run(
        off,
        np.concatenate([_EMPTY_SLOTS, *(s for s, _ in parts)]),
        np.concatenate([_EMPTY_TF, *(t for _, t in parts)]),
    )
