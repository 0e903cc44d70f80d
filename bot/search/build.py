"""Indexing a batch of documents at once: its words, and the postings and token sequences it adds.

The index (``memory.py``) numbers a batch's words through its vocabulary; what is worked out here from
those numbers is array arithmetic over every token of the batch at once, with no Python step per token
or per document: building a million documents' index is then mostly the tokenizing and one dictionary
lookup per token, both in C.

A document's postings are its keys with a weight each: one per body token, ``TITLE_BOOST`` per title
token, and ``LEAD_BOOST`` once for each key among its first ``LEAD_TOKENS`` body tokens (the lead). All
of a batch's (document, key, class) entries are packed into one integer each and sorted together; a run
of equal (document, key) is then one posting, its weight the sum over the run (the lead's extra weight
counted once).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from itertools import chain
from typing import Any

import numpy as np
import numpy.typing as npt

from bot.search.ranking import LEAD_BOOST, LEAD_TOKENS, TITLE_BOOST
from bot.textnorm import ASCII_WORD_BYTES, word_list

IntArray = npt.NDArray[np.int32]
CountArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float32]

BODY, TITLE, LEAD = 0, 1, 2  # what an entry is: a body token, a title token, a body token of the lead
_WEIGHTS = np.array([1.0, TITLE_BOOST, 1.0 + LEAD_BOOST])  # a lead token is a body token too
_CLASS_BITS = 2
_NONE = np.empty(0, dtype=np.int32)


def words_of(texts: Sequence[str]) -> tuple[list[str], CountArray]:
    """The words of every text in one list (each text's as ``textnorm.word_list``), and how many each
    text has. ASCII texts are read in one pass over them joined by blanks (so no word spans two), each
    text's words counted by where words begin in its part of the joined bytes."""
    if not all(map(str.isascii, texts)):
        lists = [word_list(text) for text in texts]
        return list(chain.from_iterable(lists)), np.array([len(w) for w in lists], dtype=np.int64)
    joined = " ".join(texts).encode("ascii").translate(ASCII_WORD_BYTES)
    blank = np.frombuffer(joined, dtype=np.uint8) == 32
    begins = np.empty(len(blank) + 1, dtype=np.int64)  # words begun before each byte
    begins[0] = 0
    starts = ~blank
    starts[1:] &= blank[:-1]
    np.cumsum(starts, out=begins[1:])
    lengths = np.fromiter(map(len, texts), dtype=np.int64, count=len(texts))
    ends = np.cumsum(lengths + 1) - 1  # where each text ends in the joined bytes
    counts = begins[ends] - begins[ends - lengths]
    return joined.decode("ascii").split(), counts


def extra_entries(
    nums: IntArray, docs: IntArray, has_extra: npt.NDArray[np.bool_], extra: Mapping[int, tuple[int, ...]]
) -> tuple[IntArray, IntArray]:
    """(document, key) of the other keys of multi-key words (Russian lemmas) among the tokens ``nums``
    (word numbers) of documents ``docs``: each such token gives each of its word's other keys. The keys
    are looked up once per distinct word, not per token."""
    at = np.flatnonzero(has_extra[nums])
    if not len(at):
        return _NONE, _NONE
    words, which = np.unique(nums[at], return_inverse=True)
    lists = [extra[w] for w in words.tolist()]
    sizes = np.array([len(keys) for keys in lists], dtype=np.int64)
    flat = np.fromiter(chain.from_iterable(lists), dtype=np.int32, count=int(sizes.sum()))
    per_token = sizes[which]
    firsts = (np.cumsum(sizes) - sizes)[which]  # where each token's word's keys begin in ``flat``
    runs = np.cumsum(per_token) - per_token
    picks = np.repeat(firsts - runs, per_token) + np.arange(int(per_token.sum()))
    return np.repeat(docs[at], per_token).astype(np.int32), flat[picks]


@dataclass
class Batch:
    """What a batch of documents adds to the index."""

    docs: IntArray  # postings: the document (0 .. n_docs - 1) ...
    kids: IntArray  # ... the key, in (document, key) order ...
    tf: FloatArray  # ... and its weight
    seq: IntArray  # every document's body keys in order (tokens without a key left out), one after another
    seq_len: CountArray  # how many of ``seq`` each document has
    lengths: npt.NDArray[np.float64]  # BM25 length: body tokens, title tokens weighted by TITLE_BOOST


def batch(
    n_docs: int,
    n_keys: int,
    body: tuple[IntArray, IntArray],
    title: tuple[IntArray, IntArray],
    body_extra: tuple[IntArray, IntArray],
    title_extra: tuple[IntArray, IntArray],
) -> Batch:
    """The postings, token sequences and lengths of ``n_docs`` documents from (primary key, document) of
    every body and title token (key -1: nothing indexable) and (document, key) of the other keys of
    multi-key words (``extra_entries``)."""
    body_kid, body_doc = body
    title_kid, title_doc = title
    body_ok, title_ok = body_kid >= 0, title_kid >= 0
    seq, seq_doc = body_kid[body_ok], body_doc[body_ok]
    seq_len = np.bincount(seq_doc, minlength=n_docs).astype(np.int64)
    title_len = np.bincount(title_doc[title_ok], minlength=n_docs)
    seq_start = np.cumsum(seq_len) - seq_len
    in_lead = (np.arange(len(seq)) - seq_start[seq_doc]) < LEAD_TOKENS
    key_bits = max(n_keys - 1, 1).bit_length()
    shift = key_bits + _CLASS_BITS
    # 32 bits when they hold it (a batch of a scan's size): sorting them costs half of 64
    wide = n_docs >= 1 << (31 - shift)
    dtype: type[np.signedinteger[Any]] = np.int64 if wide else np.int32

    def packed(docs: IntArray, kids: IntArray, cls: int) -> npt.NDArray[np.signedinteger[Any]]:
        return (docs.astype(dtype) << shift) | (kids.astype(dtype) << _CLASS_BITS) | cls

    lead_or_body = np.where(in_lead, LEAD, BODY).astype(dtype)
    entries = np.concatenate(
        [
            packed(seq_doc, seq, 0) | lead_or_body,
            packed(title_doc[title_ok], title_kid[title_ok], TITLE),
            packed(*body_extra, BODY),
            packed(*title_extra, TITLE),
        ]
    )
    entries.sort(kind="stable")  # runs sorted by document already: faster than quicksort
    cls = entries & ((1 << _CLASS_BITS) - 1)
    weights = _WEIGHTS[cls]
    repeated = np.zeros(len(entries), dtype=bool)
    repeated[1:] = entries[1:] == entries[:-1]
    weights[repeated & (cls == LEAD)] = 1.0  # a key of the lead counts LEAD_BOOST once
    pairs = entries >> _CLASS_BITS
    new = np.empty(len(pairs), dtype=bool)
    new[:1] = True
    np.not_equal(pairs[1:], pairs[:-1], out=new[1:])
    firsts = np.flatnonzero(new)
    tf = np.add.reduceat(weights, firsts) if len(firsts) else np.empty(0)
    pairs = pairs[firsts]
    return Batch(
        (pairs >> key_bits).astype(np.int32),
        (pairs & ((1 << key_bits) - 1)).astype(np.int32),
        tf.astype(np.float32),
        seq.astype(np.int32),
        seq_len,
        seq_len + TITLE_BOOST * title_len,
    )
