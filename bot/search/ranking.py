"""How the index's numbers become a ranking: BM25's constants and length norm, and the page of hits.

Kept apart from the index (``memory.py``, ``disk.py``) because none of it needs the index's state: the
page is ranked from per-document scores, the count of query words each document matched, and the token
sequences proximity reads. The percolator (``percolate.py``) scores one arriving document with the same
constants, so a follow fires on what a search would rank.

The constants were tuned on the Reuters benchmark (``bench/search_bench.py``) by error kind, not by
query.
"""

from __future__ import annotations

import heapq
import math
from array import array
from collections.abc import Callable, Sequence

import numpy as np
import numpy.typing as npt

from bot.search.expand import Expansion
from bot.search.proximity import proximity
from bot.search.topk import top_indices

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]

K1 = 1.2
B = 0.3
TITLE_BOOST = 2.0  # a title word counts as this many extra occurrences
LEAD_TOKENS = 40  # news puts what a story is about in its first sentence: the lead
LEAD_BOOST = 2.0  # a lead word counts as this many extra occurrences
COORDINATION = 1.0  # reward for matching more of the query's words
PROXIMITY = 0.3  # reward for matched words that stand close together
RERANK_POOL = 30


def bm25_norms(doclen: FloatArray, avgdl: float) -> FloatArray:
    """BM25's length normalisation of every document (the denominator's ``k1 * (1 - b + b * dl/avgdl)``)."""
    return K1 * (1.0 - B + B * doclen / avgdl)


def expansion_scores(
    exp: Expansion,
    postings: Callable[[int], tuple[IntArray, FloatArray]],
    df: Callable[[int], int],
    idf: Callable[[int], float],
    norms: FloatArray,
) -> FloatArray:
    """One query word's BM25 score in every document: the best of its expansions (``exp.alts``: key id ->
    (weight, exact)), each scored on its own key's statistics (``postings``, ``df``, ``idf``) and weighted
    under an exact match; ``norms`` is ``bm25_norms`` of every document."""
    scores = np.zeros(len(norms), dtype=np.float32)
    exact_idf = max((idf(df(k)) for k, (_, ex) in exp.alts.items() if ex), default=None)
    # A word's translations share one IDF at most, that of all of them together (the group's
    # statistics, as structured queries have it): else a rare, odd sense ("epoch-making" for
    # "мировой") outscores the common one ("global") by its rarity alone.
    group_df = sum(df(k) for k in exp.translated) + sum(min(map(df, g)) for g in exp.groups)
    group_idf = idf(group_df) if group_df else math.inf
    # Likewise the spellings that sound like the word: else the rarest sound-alike wins by rarity.
    sound_df = sum(df(k) for k in exp.sounded)
    sound_idf = idf(sound_df) if sound_df else math.inf

    def add(
        slots: IntArray, tf: FloatArray, weight: float, exact: bool, translated: bool, sounded: bool
    ) -> None:
        key_idf = idf(len(slots))
        if not exact and exact_idf is not None:
            # A typo neighbour or translation of a word the corpus has may not outscore the word
            # itself by being rarer.
            key_idf = min(key_idf, exact_idf)
        if translated:
            key_idf = min(key_idf, group_idf)
        if sounded:
            key_idf = min(key_idf, sound_idf)
        norm = norms[slots]
        contrib = (weight * key_idf) * tf * (K1 + 1.0) / (tf + norm)
        # A key lists a document once, so a plain gather/scatter is safe (and far faster than .at).
        scores[slots] = np.maximum(scores[slots], contrib.astype(np.float32, copy=False))

    for kid, (weight, exact) in exp.alts.items():
        slots, tf = postings(kid)
        if len(slots):
            add(slots, tf, weight, exact, kid in exp.translated, kid in exp.sounded)
    for kids, weight in exp.groups.items():
        # A phrase gloss: the documents holding all its words, scored as its rarest word there.
        rarest = min(kids, key=df)
        slots, tf = postings(rarest)
        keep = np.ones(len(slots), dtype=bool)
        for kid in kids:
            if kid != rarest:
                keep &= np.isin(slots, postings(kid)[0], assume_unique=True)
        if keep.any():
            add(slots[keep], tf[keep], weight, False, True, False)
    return scores


def rank_page(
    candidates: npt.NDArray[np.intp],
    total: FloatArray,
    matched: FloatArray,
    term_keys: Sequence[set[int]],
    n_keys: int,
    seqs: Sequence[array[int]],
    sort_key: Sequence[int],
    offset: int,
    limit: int,
) -> list[tuple[float, int]]:
    """The page ``offset:offset + limit`` of the candidates (slots), best first, as (score, slot).

    A candidate's score is its summed BM25 (``total``) rewarded for matching more of the query's words
    (coordination) and, among the best, for matched words standing close together (proximity, read from
    the document's token sequence ``seqs[slot]``). ``term_keys`` holds the key ids each query word was
    searched by; ``sort_key[slot]`` breaks ties (the document id: a stable order for paging).
    """
    n_terms = max(len(term_keys), 1)
    coordination = 1.0 + COORDINATION * (matched[candidates] - 1.0) / max(n_terms - 1, 1)
    scores = (total[candidates] * coordination).astype(np.float32)
    want = min(len(candidates), max(offset + limit, RERANK_POOL))
    top = top_indices(scores, want)
    ranked: list[tuple[float, int]] = []
    multi = sum(1 for k in term_keys if k) > 1
    term_bits = np.zeros(n_keys if multi else 0, dtype=np.int64)
    for t, keys in enumerate(term_keys if multi else ()):
        if keys:
            term_bits[np.fromiter(keys, dtype=np.int64)] |= np.int64(1) << t
    # Best first: once a candidate could not reach the page even with the largest proximity boost,
    # no later one can, and proximity (a scan of each document's tokens) is not worked out for them.
    # A key that answers two query words can boost more: then every candidate is scored.
    order = top[np.argsort(-scores[top], kind="stable")]
    bounded = not multi or not np.any(term_bits & (term_bits - 1))
    page: list[float] = []  # the best offset + limit scores so far, a min-heap
    for j in order.tolist():
        slot = int(candidates[j])
        score = float(scores[j])
        if bounded and len(page) == offset + limit and score * (1.0 + PROXIMITY) < page[0]:
            break
        if multi and matched[slot] >= 2:  # fewer matched terms: no pair to stand close together
            score *= 1.0 + PROXIMITY * proximity(seqs[slot], term_bits, len(term_keys))
        ranked.append((score, slot))
        (heapq.heappush if len(page) < offset + limit else heapq.heappushpop)(page, score)
    ranked.sort(key=lambda x: (-x[0], sort_key[x[1]]))
    return ranked[offset : offset + limit]
