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
from bot.search.proximity import proximities, term_codes
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
# Postings past one in this many documents are combined in arrays of every document rather than sorted:
# at that share a pass over every document costs less than the sort.
DENSE_SHARE = 8


def bm25_norms(doclen: FloatArray, avgdl: float) -> FloatArray:
    """BM25's length normalisation of every document (the denominator's ``k1 * (1 - b + b * dl/avgdl)``)."""
    return K1 * (1.0 - B + B * doclen / avgdl)


# The slots a query word matches, ascending, and its score in each; or (None, its score in every document)
# when it matches a good share of them (a common word: then adding whole arrays costs less than indexing).
Hits = tuple[IntArray | None, FloatArray]
# The postings of several keys at once: (slots, tf, counts), in blocks of ``counts[i]`` postings, block i
# of key ``kids[i % len(kids)]`` (a block per key and per part the postings are stored in); a key's
# postings in slot order.
PostingsOf = Callable[[Sequence[int]], tuple[IntArray, FloatArray, npt.NDArray[np.int64]]]
_NO_SCORES: FloatArray = np.empty(0, dtype=np.float32)


def expansion_scores(
    exp: Expansion,
    postings_of: PostingsOf,
    df: Callable[[int], int],
    idf: Callable[[int], float],
    norms: FloatArray,
) -> Hits:
    """One query word's BM25 score in the documents it matches: the best of its expansions (``exp.alts``:
    key id -> (weight, exact)), each scored on its own key's statistics (``postings_of``, ``df``, ``idf``)
    and weighted under an exact match; ``norms`` is ``bm25_norms`` of every document.

    Sparse: the work follows the postings of the word's keys, not the number of documents, and the keys
    are read and scored together (a misspelled word has dozens of small typo neighbours, each of which
    cost a few numpy calls of its own)."""
    exact_idf = max((idf(df(k)) for k, (_, ex) in exp.alts.items() if ex), default=None)
    # A word's translations share one IDF at most, that of all of them together (the group's
    # statistics, as structured queries have it): else a rare, odd sense ("epoch-making" for
    # "мировой") outscores the common one ("global") by its rarity alone.
    group_df = sum(df(k) for k in exp.translated) + sum(min(map(df, g)) for g in exp.groups)
    group_idf = idf(group_df) if group_df else math.inf
    # Likewise the spellings that sound like the word: else the rarest sound-alike wins by rarity.
    sound_df = sum(df(k) for k in exp.sounded)
    sound_idf = idf(sound_df) if sound_df else math.inf

    def factor(key_df: int, weight: float, exact: bool, translated: bool, sounded: bool) -> float:
        """The weight times the IDF a key of ``key_df`` documents is scored with."""
        key_idf = idf(key_df)
        if not exact and exact_idf is not None:
            # A typo neighbour or translation of a word the corpus has may not outscore the word
            # itself by being rarer.
            key_idf = min(key_idf, exact_idf)
        if translated:
            key_idf = min(key_idf, group_idf)
        if sounded:
            key_idf = min(key_idf, sound_idf)
        return weight * key_idf

    kids = list(exp.alts)
    slots, tf, counts = postings_of(kids)
    key_dfs = counts.reshape(-1, len(kids)).sum(axis=0).tolist() if kids else []
    factors = [
        factor(n, weight, exact, kid in exp.translated, kid in exp.sounded) if n else 0.0
        for kid, (weight, exact), n in zip(kids, exp.alts.values(), key_dfs, strict=True)
    ]
    weights = np.array(factors, dtype=np.float32)
    per_block = np.tile(weights, len(counts) // len(kids)) if kids else weights
    parts = [(slots, tf, weights[0] if len(kids) == 1 else np.repeat(per_block, counts))]
    for group, weight in exp.groups.items():
        # A phrase gloss: the documents holding all its words, scored as its rarest word there.
        rarest = min(group, key=df)
        g_slots, g_tf, _ = postings_of([rarest])
        keep = np.ones(len(g_slots), dtype=bool)
        for kid in group:
            if kid != rarest:
                keep &= np.isin(g_slots, postings_of([kid])[0], assume_unique=True)
        if keep.any():
            n_kept = int(keep.sum())
            g_factor = np.float32(factor(n_kept, weight, False, True, False))
            parts.append((g_slots[keep], g_tf[keep], np.full(n_kept, g_factor)))
    if len(parts) > 1:
        slots = np.concatenate([p[0] for p in parts])
        tf = np.concatenate([p[1] for p in parts])
        weighted = np.concatenate([np.broadcast_to(p[2], len(p[0])) for p in parts])
    else:
        weighted = parts[0][2]
    # The same float32 arithmetic, term by term, as one key's ``(weight * idf) * tf * (k1 + 1) /
    # (tf + norm)``, so the same scores (in place: a common word's postings are millions long).
    contrib = np.multiply(weighted, tf, dtype=np.float32)
    contrib *= K1 + 1.0
    denominator = norms[slots]
    denominator += tf
    contrib /= denominator
    several = len(kids) > 1 or len(parts) > 1
    if len(slots) * DENSE_SHARE > len(norms):
        dense = np.zeros(len(norms), dtype=np.float32)
        if several:  # the best expansion per document
            np.maximum.at(dense, slots, contrib)
        else:  # a key lists a document once
            dense[slots] = contrib
        return None, dense
    if several:
        slots, contrib = _best_per_slot(slots, contrib)
    positive = contrib > 0  # a completion weighted 0 (a word seen in titles only) matches nothing
    if not positive.all():
        slots, contrib = slots[positive], contrib[positive]
    return slots.astype(np.int32, copy=False), contrib


def _best_per_slot(slots: IntArray, contrib: FloatArray) -> tuple[IntArray, FloatArray]:
    """The slots of several keys' postings (each key's in slot order), ascending and once each, with
    the best of their contributions: a stable sort merges the sorted runs, then each slot's maximum."""
    order = np.argsort(slots, kind="stable")
    slots, contrib = slots[order], contrib[order]
    starts = np.flatnonzero(np.concatenate(([True], slots[1:] != slots[:-1])))
    return slots[starts], np.maximum.reduceat(contrib, starts) if len(starts) else contrib


def sum_words(hits: Sequence[Hits], n_docs: int) -> tuple[npt.NDArray[np.intp], FloatArray, FloatArray]:
    """The documents any query word matched (slots, ascending), their summed score and the count of
    words each matched. The sum runs word by word in float32, as a dense ``total += scores`` did, so
    the totals are the same to the bit."""
    hits = [h for h in hits if h[0] is None or len(h[0])]
    if not hits:
        return np.empty(0, dtype=np.intp), _NO_SCORES, _NO_SCORES
    if len(hits) == 1:
        slots, scores = hits[0]
        if slots is None:
            union = np.flatnonzero(scores > 0)
            return union, scores[union], np.ones(len(union), dtype=np.float32)
        return slots.astype(np.intp), scores.copy(), np.ones(len(slots), dtype=np.float32)
    sparse = [s for s, _ in hits if s is not None]
    if len(sparse) < len(hits) or sum(map(len, sparse)) * DENSE_SHARE > n_docs:
        # Most documents: summed in arrays of every document, then the matched ones read back.
        total = np.zeros(n_docs, dtype=np.float32)
        matched = np.zeros(n_docs, dtype=np.float32)
        for slots, scores in hits:
            if slots is None:
                total += scores
                matched += scores > 0
            else:
                where = slots.astype(np.intp)
                total[where] += scores
                matched[where] += 1.0
        union = np.flatnonzero(matched > 0)
        return union, total[union], matched[union]
    every = np.concatenate(sparse)
    order = np.argsort(every, kind="stable")
    ordered = every[order]
    first = np.concatenate(([True], ordered[1:] != ordered[:-1]))
    union = ordered[first].astype(np.intp)
    where = np.empty(len(every), dtype=np.intp)
    where[order] = np.cumsum(first) - 1
    total = np.zeros(len(union), dtype=np.float32)
    matched = np.zeros(len(union), dtype=np.float32)
    at = 0
    for slots, scores in zip(sparse, (scores for _, scores in hits), strict=True):
        pos = where[at : at + len(slots)]
        total[pos] += scores
        matched[pos] += 1.0
        at += len(slots)
    return union, total, matched


def any_live(hits: Hits, alive: npt.NDArray[np.bool_] | None) -> bool:
    """Whether a query word matched a live document (``alive`` None: every document is)."""
    slots, scores = hits
    if slots is None:
        return bool(np.any(scores) if alive is None else np.any((scores > 0) & alive))
    return bool(len(slots) if alive is None else alive[slots].any())


def rank_page(
    candidates: npt.NDArray[np.intp],
    total: FloatArray,
    matched: FloatArray,
    term_keys: Sequence[set[int]],
    seqs: Sequence[array[int]],
    sort_key: Sequence[int],
    offset: int,
    limit: int,
) -> list[tuple[float, int]]:
    """The page ``offset:offset + limit`` of the candidates (slots), best first, as (score, slot).

    A candidate's score is its summed BM25 (``total``, one per candidate) rewarded for matching more of
    the query's words (``matched``, one per candidate: coordination) and, among the best, for matched
    words standing close together (proximity, read from the document's token sequence ``seqs[slot]``).
    ``term_keys`` holds the key ids each query word was searched by; ``sort_key[slot]`` breaks ties (the
    document id: a stable order for paging).
    """
    n_terms = max(len(term_keys), 1)
    coordination = 1.0 + COORDINATION * (matched - 1.0) / max(n_terms - 1, 1)
    scores = (total * coordination).astype(np.float32)
    want = min(len(candidates), max(offset + limit, RERANK_POOL))
    top = top_indices(scores, want)
    ranked: list[tuple[float, int]] = []
    multi = sum(1 for k in term_keys if k) > 1
    keys, bits = term_codes(term_keys if multi else ())
    # Best first: once a candidate could not reach the page even with the largest proximity boost,
    # no later one can, and proximity (a scan of each document's tokens) is not worked out for them.
    # The boost is at most 1 + PROXIMITY, a key that answers two query words included (proximity never
    # counts the window shorter than the terms it holds: ``proximity.py``).
    order = top[np.argsort(-scores[top], kind="stable")]
    # The page's floor is at least the (offset + limit)-th best score before boosts (a boost never
    # lowers one): the candidates that could pass the test below are known beforehand, so their
    # proximities are worked out together (``proximities``), not one document at a time.
    n_page = offset + limit
    floor = float(scores[order[n_page - 1]]) if len(order) >= n_page else -math.inf
    boosted: dict[int, float] = {}
    if multi:
        reach = order[(scores[order] * np.float32(1.0 + PROXIMITY) >= floor) & (matched[order] >= 2)].tolist()
        near = proximities([seqs[int(candidates[j])] for j in reach], keys, bits, len(term_keys))
        boosted = dict(zip(reach, near.tolist(), strict=True))
    page: list[float] = []  # the best offset + limit scores so far, a min-heap
    for j in order.tolist():
        slot = int(candidates[j])
        score = float(scores[j])
        if len(page) == offset + limit and score * (1.0 + PROXIMITY) < page[0]:
            break
        if multi and matched[j] >= 2:  # fewer matched terms: no pair to stand close together
            score *= 1.0 + PROXIMITY * boosted[j]
        ranked.append((score, slot))
        (heapq.heappush if len(page) < offset + limit else heapq.heappushpop)(page, score)
    ranked.sort(key=lambda x: (-x[0], sort_key[x[1]]))
    return ranked[offset : offset + limit]
