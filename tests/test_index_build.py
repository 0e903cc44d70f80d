"""Building the index a batch at a time (``bot/search/build.py``, ``postings.merged``): the fast paths give
what the plain ones give: the regex's words, a naive sum of each document's key weights, and a merge
of runs done posting by posting."""

from __future__ import annotations

import random
from collections import defaultdict
from pathlib import Path

import numpy as np
import pytest

from bot.search import build, postings
from bot.search.disk import DiskIndex
from bot.search.memory import MemoryIndex
from bot.search.postings import Run
from bot.search.query import parse_query
from bot.search.ranking import LEAD_BOOST, LEAD_TOKENS, TITLE_BOOST
from bot.textnorm import WORD_RE, word_list

TEXTS = [
    "The Harbour_master said: 1,000 tons (of GRAIN) left at 9am -- it's done.",
    "",
    "   ",
    "Масадыков прибыл в Москву; Pöhl and Schlüter met №5",
    "x_y__z under_score 3.14 e-mail a\tb\nc",
    "ALL CAPS and MiXeD cAsE words",
]


def test_word_list_finds_the_words_of_the_regex() -> None:
    for text in TEXTS:
        assert word_list(text) == WORD_RE.findall(text.lower())


@pytest.mark.parametrize("texts", [TEXTS, [t for t in TEXTS if t.isascii()], [], [""]])
def test_words_of_a_batch_are_each_texts_words_in_order(texts: list[str]) -> None:
    words, counts = build.words_of(texts)
    expected = [WORD_RE.findall(t.lower()) for t in texts]
    assert words == [w for ws in expected for w in ws]
    assert counts.tolist() == [len(ws) for ws in expected]


def test_a_batch_sums_each_documents_key_weights() -> None:
    rng = random.Random(7)
    n_docs, n_keys = 9, 40
    body = [[rng.randrange(-1, n_keys) for _ in range(rng.randrange(0, 90))] for _ in range(n_docs)]
    title = [[rng.randrange(-1, n_keys) for _ in range(rng.randrange(0, 6))] for _ in range(n_docs)]
    extra = [(rng.randrange(n_docs), rng.randrange(n_keys), rng.random() < 0.5) for _ in range(30)]
    expected: dict[tuple[int, int], float] = defaultdict(float)
    for d in range(n_docs):
        seq = [k for k in body[d] if k >= 0]
        for k in seq:
            expected[d, k] += 1.0
        for k in set(seq[:LEAD_TOKENS]):
            expected[d, k] += LEAD_BOOST
        for k in title[d]:
            if k >= 0:
                expected[d, k] += TITLE_BOOST
    for d, k, in_title in extra:
        expected[d, k] += TITLE_BOOST if in_title else 1.0

    def flat(groups: list[list[int]]) -> tuple[np.ndarray, np.ndarray]:
        kids = np.array([k for g in groups for k in g], dtype=np.int32)
        return kids, np.repeat(np.arange(len(groups), dtype=np.int32), [len(g) for g in groups])

    def pairs(in_title: bool) -> tuple[np.ndarray, np.ndarray]:
        chosen = [(d, k) for d, k, t in extra if t == in_title]
        return np.array([d for d, _ in chosen], np.int32), np.array([k for _, k in chosen], np.int32)

    got = build.batch(n_docs, n_keys, flat(body), flat(title), pairs(False), pairs(True))
    assert list(zip(got.docs.tolist(), got.kids.tolist(), strict=True)) == sorted(expected)
    assert got.tf.tolist() == [expected[p] for p in sorted(expected)]
    assert got.seq.tolist() == [k for g in body for k in g if k >= 0]
    assert got.seq_len.tolist() == [sum(k >= 0 for k in g) for g in body]
    assert got.lengths.tolist() == [
        sum(k >= 0 for k in b) + TITLE_BOOST * sum(k >= 0 for k in t)
        for b, t in zip(body, title, strict=True)
    ]


def test_merged_runs_keep_each_key_in_slot_order(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(postings, "CHUNK", 7)  # many blocks, and keys bigger than a block
    rng = random.Random(3)
    runs, entries, slot = [], [], 0
    for n_keys in (5, 12, 9, 12):  # runs made before later keys were numbered have fewer
        docs = [(slot + i, sorted(rng.sample(range(n_keys), rng.randrange(1, n_keys)))) for i in range(6)]
        slot += 6
        triples = [(s, k, float(rng.randrange(1, 5))) for s, ks in docs for k in ks]
        entries += triples
        pending = [
            (
                np.full(len(ks), s, np.int32),
                np.array(ks, np.int32),
                np.array([t for s2, _, t in triples if s2 == s], np.float32),
            )
            for s, ks in docs
        ]
        runs.append(postings.from_pending(pending, n_keys))
    new_slot = np.arange(slot, dtype=np.int32)
    new_slot[[2, 13]] = -1  # removed documents
    new_slot[new_slot >= 0] = np.arange(slot - 2, dtype=np.int32)
    for renumber in (None, new_slot):
        off, blocks = postings.merged(runs, 12, renumber)
        parts = list(blocks)
        got = Run(off, np.concatenate([s for s, _ in parts]), np.concatenate([t for _, t in parts]))
        for k in range(12):
            want = [
                (int(renumber[s]) if renumber is not None else s, t)
                for s, kk, t in sorted(entries)
                if kk == k and (renumber is None or renumber[s] >= 0)
            ]
            slots, tf = got.get(k)
            assert list(zip(slots.tolist(), tf.tolist(), strict=True)) == want
    merged = postings.merge(runs, 12)
    assert merged.off.tolist() == postings.merged(runs, 12)[0].tolist()


def test_stable_order_is_numpys_stable_argsort() -> None:
    rng = np.random.default_rng(5)
    for high in (50, 70_000, 2**31 - 1):
        kids = rng.integers(0, high, 5_000).astype(np.int32)
        assert (postings.stable_order(kids) == np.argsort(kids, kind="stable")).all()


def test_a_disk_index_of_many_runs_and_bases_ranks_as_one_built_at_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Tail runs merged while building, bases written over earlier bases, removed documents dropped."""
    monkeypatch.setattr("bot.search.memory.MERGE_AT", 40)
    monkeypatch.setattr("bot.search.disk.MAX_RUNS", 3)
    rng = random.Random(11)
    vocabulary = [
        "harbour",
        "tanker",
        "storm",
        "grain",
        "cocoa",
        "geneva",
        "fleet",
        "port",
        "north",
        "price",
        "масадыков",
        "москва",
    ]
    texts = [" ".join(rng.choices(vocabulary, k=rng.randrange(3, 60))) for _ in range(120)]
    whole = MemoryIndex()
    whole.add_many([(i, f"Doc {i}", t, None) for i, t in enumerate(texts)])
    disk = DiskIndex()
    for at in range(0, len(texts), 7):
        disk.add_many([(i, f"Doc {i}", texts[i], None) for i in range(at, min(at + 7, len(texts)))])
        if at % 35 == 0:
            disk.save(tmp_path / "ix", "s")
    for doc_id in (3, 50, 118):
        disk.remove(doc_id)
        whole.remove(doc_id)
    disk.save(tmp_path / "ix", "s")
    opened = DiskIndex.open(tmp_path / "ix", "s")
    assert opened is not None
    for query in ("harbour", "tanker storm", "grian", "москва", "masadikov fleet", '"storm grain"'):
        want = [(h.doc_id, round(h.score, 5)) for h in whole.search(parse_query(query), limit=20).hits]
        for ix in (disk, opened):
            assert [
                (h.doc_id, round(h.score, 5)) for h in ix.search(parse_query(query), limit=20).hits
            ] == want
