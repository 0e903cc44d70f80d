"""The quoted-phrase filter (bot/search/phrases.py): candidates' tokens read many documents at once, from
the memory index's arrays and from the disk index's base and tail alike, and a match never running
from one document into the next."""

from __future__ import annotations

import random
from array import array
from pathlib import Path

import numpy as np
import numpy.typing as npt
import pytest

from bot.search import phrases
from bot.search.disk import DiskIndex
from bot.search.memory import MemoryIndex
from bot.search.phrases import ListedTokens, Pattern, joined_rows, phrase_docs, span_rows
from bot.search.query import parse_query

# Consecutive documents where a phrase's first word ends one and its second starts the next
TEXTS = [
    "The harbour was closed by the storm",
    "Harbour masters reopened the port after the storm",
    "Talks on the future of the central",
    "Bank holidays were moved by the central bank",
    "Центральный банк снизил ставку",
    "Нефть подешевела, сообщил центральный",
    "Банк России сохранил ставку",
]


def top(index: MemoryIndex, query: str) -> list[int]:
    return sorted(h.doc_id for h in index.search(parse_query(query), limit=50).hits)


def indexes(tmp_path: Path) -> list[MemoryIndex]:
    """The texts in a memory index, in a disk index's tail, and in a saved disk index's base with more
    documents in its tail (two batches)."""
    memory, tail, based = MemoryIndex(), DiskIndex(), DiskIndex()
    docs = [(i, "", text, None) for i, text in enumerate(TEXTS, start=1)]
    memory.add_many(docs)
    tail.add_many(docs)
    based.add_many(docs[:3])
    based.save(tmp_path / "ix", "1")
    opened = DiskIndex.open(tmp_path / "ix", "1")
    assert opened is not None
    opened.add_many(docs[3:5])
    opened.add_many(docs[5:])
    return [memory, tail, opened]


def test_a_phrase_never_runs_from_one_document_into_the_next(tmp_path: Path) -> None:
    for index in indexes(tmp_path):
        assert top(index, '"storm harbour"') == []
        assert top(index, '"central bank"') == [4, 5]  # not 3 into 4; 5 is its translation
        assert top(index, '"центральный банк"') == [4, 5]  # not 6 into 7
        assert top(index, '"банк россии"') == [7]


def test_a_phrase_is_found_in_the_base_and_the_tail_alike(tmp_path: Path) -> None:
    expected = {q: top(indexes(tmp_path)[0], q) for q in ('"harbour masters"', '"the storm"', '"банк"')}
    for index in indexes(tmp_path)[1:]:
        assert {q: top(index, q) for q in expected} == expected
    assert expected['"the storm"'] == [1, 2]
    index = indexes(tmp_path)[2]
    index.remove(2)
    assert top(index, '"the storm"') == [1]


QUERIES = ('"the storm"', '"central bank"', '"центральный банк"', '"the central"', '"storm harbour"')


ALWAYS_COPIED = {"IN_PLACE_ANCHOR": -1.0}
ALWAYS_IN_PLACE = {"COPY": 1e9, "IN_PLACE_ANCHOR": 1e9}  # the documents between them too


@pytest.mark.parametrize(
    "settings",
    [{"CHUNK_TOKENS": 3}, ALWAYS_COPIED, ALWAYS_IN_PLACE],  # chunks: every document longer than one
)
def test_candidates_read_in_chunks_copied_or_in_place_find_the_same_documents(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, settings: dict[str, float]
) -> None:
    expected = [{q: top(index, q) for q in QUERIES} for index in indexes(tmp_path)]
    for name, value in settings.items():
        monkeypatch.setattr(phrases, name, value)
    assert [{q: top(index, q) for q in QUERIES} for index in indexes(tmp_path)] == expected


def naive(pattern: Pattern, seq: list[int]) -> bool:
    """Whether ``seq`` holds the pattern, by trying every start and every choice of alternatives."""

    def from_(slot: int, at: int) -> bool:
        if slot == len(pattern):
            return True
        return any(
            at + len(alt) <= len(seq)
            and all(seq[at + j] in keys for j, keys in enumerate(alt))
            and from_(slot + 1, at + len(alt))
            for alt in pattern[slot]
        )

    return any(from_(0, start) for start in range(len(seq)))


class Stored:
    """The same sequences kept one after another, as the disk index keeps them: read where they lie."""

    def __init__(self, seqs: list[array[int]]) -> None:
        self.tokens = np.concatenate([np.empty(0, np.int32), *(np.asarray(s, np.int32) for s in seqs)])
        self.off = np.concatenate([[0], np.cumsum([len(s) for s in seqs])]).astype(np.int64)

    def __len__(self) -> int:
        return len(self.off) - 1

    def counts(self, slots: npt.NDArray[np.intp]) -> npt.NDArray[np.int64]:
        return self.off[slots + 1] - self.off[slots]

    def joined(self, slots: npt.NDArray[np.intp]) -> npt.NDArray[np.int32]:
        return joined_rows(self.tokens, self.off, slots)

    def span(self, lo: int, hi: int) -> tuple[npt.NDArray[np.int32], npt.NDArray[np.int64]]:
        return span_rows(self.tokens, self.off, lo, hi)


@pytest.mark.parametrize("settings", [{}, ALWAYS_COPIED, ALWAYS_IN_PLACE])
def test_the_pattern_is_followed_as_a_scan_of_each_document_would(
    monkeypatch: pytest.MonkeyPatch, settings: dict[str, float]
) -> None:
    # Slots of several alternatives, of one or more tokens, each token one or several keys (a table of
    # them past COMPARED_KEYS); two documents in three candidates, their tokens copied or read in place
    for name, value in settings.items():
        monkeypatch.setattr(phrases, name, value)
    rng = random.Random(18)
    seqs = [array("i", (rng.randrange(12) for _ in range(rng.randrange(0, 30)))) for _ in range(300)]
    cand = np.array(sorted(rng.sample(range(len(seqs)), 200)), dtype=np.intp)  # runs of them, and gaps

    def df(kid: int) -> int:  # how many documents hold the key: its anchor is the rarest slot
        return sum(kid in seq for seq in seqs)

    def keys() -> frozenset[int]:
        return frozenset(rng.sample(range(13), rng.choice((1, 1, 2, 3, 8))))

    for _ in range(300):
        pattern = tuple(
            tuple(tuple(keys() for _ in range(rng.choice((1, 1, 2)))) for _ in range(rng.choice((1, 2, 3))))
            for _ in range(rng.choice((1, 2, 3)))
        )
        expected = [i for i in cand.tolist() if naive(pattern, list(seqs[i]))]
        for tokens in (ListedTokens(seqs), Stored(seqs)):
            assert phrase_docs(pattern, tokens, cand, df).tolist() == expected, pattern
