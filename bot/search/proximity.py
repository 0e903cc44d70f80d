"""How close a document's matched words stand: the proximity part of the index's ranking (``memory.py``)."""

from __future__ import annotations

from array import array
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

Int64Array = npt.NDArray[np.int64]
MAX_TERMS = 63  # the query terms a bit set of int64 holds; later ones count for no proximity


def term_codes(term_keys: Sequence[set[int]]) -> tuple[Int64Array, Int64Array]:
    """The key ids of a query's terms, ascending, and each one's bit set of the query terms it matches
    (bit ``t``: term ``t``): built once per query, and as long as the query's keys, not the vocabulary
    (an array over every key id cost more to allocate and clear than the scans it served)."""
    bits: dict[int, int] = {}
    for t, keys in enumerate(term_keys[:MAX_TERMS]):
        for k in keys:
            bits[k] = bits.get(k, 0) | (1 << t)
    keys_sorted = np.array(sorted(bits), dtype=np.int64)
    return keys_sorted, np.array([bits[k] for k in keys_sorted.tolist()], dtype=np.int64)


def proximities(
    seqs: Sequence[array[int]], keys: Int64Array, bits: Int64Array, n_terms: int
) -> npt.NDArray[np.float64]:
    """The proximity of each document (its token sequence in ``seqs``): 1.0 when the matched words
    stand side by side, falling off as they spread out; 0.0 with fewer than two terms matched.

    ``keys`` and ``bits`` are ``term_codes`` of the query. The documents are read together, in array
    operations over all their tokens at once: this runs for the reranked candidates of every query,
    and a loop per document (and per matched token) used to be most of a query's time."""
    n_docs = len(seqs)
    out = np.zeros(n_docs, dtype=np.float64)
    if not n_docs or not len(keys) or n_terms < 2:
        return out
    parts = [np.frombuffer(s, dtype=np.int32) for s in seqs]
    lengths = np.array([len(p) for p in parts], dtype=np.int64)
    tokens = np.concatenate(parts)
    starts = np.zeros(n_docs, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    at = np.searchsorted(keys, tokens)
    at[at == len(keys)] = 0
    positions = np.flatnonzero(keys[at] == tokens)  # matched tokens, in every document's coordinates
    if len(positions) < 2:
        return out
    codes = bits[at[positions]]
    doc = np.searchsorted(starts, positions, side="right") - 1  # each matched token's document
    firsts = np.flatnonzero(np.concatenate(([True], doc[1:] != doc[:-1])))
    docs_matched = doc[firsts]
    present = np.bitwise_or.reduceat(codes, firsts)  # the terms each document matched
    terms = np.arange(n_terms, dtype=np.int64)
    in_doc = (present[None, :] >> terms[:, None]) & 1  # term x document
    need = in_doc.sum(axis=0)
    # For each matched token taken as a window's right end, the last token at or before it of each
    # term the document matched: the shortest window ending there starts at the earliest of those.
    # A term's last token in an earlier document lies before this one's start: no window ends here.
    has = ((codes[None, :] >> terms[:, None]) & 1).astype(bool)
    last = np.maximum.accumulate(np.where(has, positions[None, :], -1), axis=1)
    n_matched = np.diff(np.append(firsts, len(positions)))
    run = np.repeat(np.arange(len(firsts)), n_matched)
    last = np.where(in_doc[:, run].astype(bool), last, np.iinfo(np.int64).max)
    left = last.min(axis=0)
    span = np.where(left >= starts[doc], positions - left + 1, np.iinfo(np.int64).max)
    best = np.minimum.reduceat(span, firsts)
    ok = (need >= 2) & (n_matched >= 2)  # one word answering two terms is no pair standing close
    # One word may stand for several query terms (a phrase's translation is an alternative of each of
    # its words): the window is then shorter than the terms it holds, which is no slack, not less.
    slack = np.maximum(best[ok] - need[ok], 0)
    out[docs_matched[ok]] = (need[ok] - 1) / (n_terms - 1) / (1.0 + slack / 2.0)
    return out
