"""The index on its own: ranking rules, typo tolerance by word length, removal and snapshots."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from bot.index import MemoryIndex, max_edits
from bot.query import parse_query

FILLER = " ".join(f"filler{i}" for i in range(40))


def build(*texts: str) -> MemoryIndex:
    ix = MemoryIndex()
    for i, text in enumerate(texts, start=1):
        ix.add(i, f"Doc {i}", text, None)
    return ix


def ids(ix: MemoryIndex, query: str) -> list[int]:
    return [h.doc_id for h in ix.search(parse_query(query), limit=10).hits]


def test_typo_budget_grows_with_word_length() -> None:
    assert [max_edits(n) for n in (2, 3, 4, 7, 8, 12, 41)] == [0, 0, 1, 1, 2, 2, 0]


def test_exact_match_outranks_a_rarer_more_frequent_typo_neighbour() -> None:
    # Doc 2 has "banker" (one edit from "tanker") five times and is short; doc 1 has "tanker" once in a
    # long text. The exact word must still win.
    ix = build(f"the tanker sailed {FILLER}", "banker banker banker banker banker", "nothing here")
    assert ids(ix, "tanker")[0] == 1


def test_one_typo_in_a_medium_word_and_two_in_a_long_word_are_forgiven() -> None:
    ix = build("the harbour was closed", "negotiations continued", "other text")
    assert ids(ix, "harbuor") == [1]  # swapped letters: one edit
    assert ids(ix, "negotiatoins") == [2]
    assert ids(ix, "negotaitoins") == [2]  # two edits, 12 letters


def test_short_words_must_be_exact() -> None:
    ix = build("the cat sat", "the car sat")
    assert ids(ix, "cat") == [1]


def test_fuzzy_expansion_is_scored_by_its_own_statistics() -> None:
    # "shipment" is common, "shipmint" (a real word of doc 3 here) rare: a typo "shipmemt" should rank
    # the docs by the statistics of the word they contain, both found.
    ix = build("shipment delayed", "shipment arrived", "shipmint odd word", "unrelated")
    found = ids(ix, "shipmemt")
    assert set(found) == {1, 2}


def test_remove_forgets_a_document() -> None:
    ix = build("alpha beta", "alpha gamma")
    ix.remove(1)
    assert ids(ix, "alpha") == [2]
    assert len(ix) == 1 and 1 not in ix


def test_add_again_replaces() -> None:
    ix = build("alpha beta")
    ix.add(1, "Doc 1", "gamma delta", None)
    assert ids(ix, "alpha") == [] and ids(ix, "gamma") == [1]


def test_date_filter_drops_undated_documents() -> None:
    ix = MemoryIndex()
    ix.add(1, "a", "summit news", date(2024, 3, 1))
    ix.add(2, "b", "summit news", None)
    ix.add(3, "c", "summit news", date(2023, 1, 1))
    assert ids(ix, "summit since:2024") == [1]
    assert set(ids(ix, "summit until:2023-12-31")) == {3}


def test_snapshot_round_trip_and_stamp_check(tmp_path: Path) -> None:
    ix = build("alpha beta", "gamma")
    path = tmp_path / "ix.pickle"
    ix.save(path, "7")
    loaded = MemoryIndex.load(path, "7")
    assert loaded is not None and ids(loaded, "alpha") == [1]
    assert MemoryIndex.load(path, "8") is None
    path.write_bytes(b"garbage")
    assert MemoryIndex.load(path, "7") is None


def test_stop_words_only() -> None:
    ix = build("the of and")
    result = ix.search(parse_query("the of"))
    assert result.stop_words_only and result.hits == []


def test_documents_added_after_a_search_are_found_by_the_next_one() -> None:
    # A search leaves numpy views of the postings behind; growing them in place used to fail with
    # "BufferError: cannot resize an array that is exporting buffers" on the next upload.
    ix = build("the harbour was closed", "negotiations continued")
    assert ids(ix, "harbour") == [1]
    ix.add(3, "Harbour news", "the harbour opened again", None)
    assert sorted(ids(ix, "harbour")) == [1, 3]
    assert ids(ix, "harbou") and 3 in ids(ix, "harbou")  # completions see the new document too


def test_a_snapshot_round_trip_keeps_postings_and_word_counts(tmp_path: Path) -> None:
    ix = build("tanker tanker harbour", "harbour closed", "Масадыков прибыл")
    before = {q: ids(ix, q) for q in ("harbour", "tanker", "harb", "масадыкову", "masadikov")}
    ix.save(tmp_path / "ix.pickle", "7")
    loaded = MemoryIndex.load(tmp_path / "ix.pickle", "7")
    assert loaded is not None
    assert {q: ids(loaded, q) for q in before} == before
    loaded.add(4, "More", "harbour tanker", None)
    assert 4 in ids(loaded, "tanker")
