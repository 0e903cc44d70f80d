"""Follow precision and recall judged by reading (tests/follow_scoring.py) on synthetic judgements, and
the committed blind sample (bench/follow_pool.py's files) is consistent and shows judges nothing but the
follow and the document."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path

import pytest

from tests.follow_scoring import (
    KeyItem,
    estimate,
    estimates,
    load_judgements,
    load_key,
    load_strata,
)

BENCH = Path(__file__).resolve().parent.parent / "bench"
STRATA = {"L+": {"a", "b", "c", "d"}, "M": {"e", "f", "g", "h", "i", "j", "k", "l"}}
HITS = {"a", "b", "e", "f", "z"}  # z: a hit in neither stratum


def test_cells_split_by_hit_weight_each_judged_share_up_to_its_size() -> None:
    judged = [("L+", "a", True), ("L+", "c", True), ("M", "e", True), ("M", "g", False), ("M", "h", False)]
    est = estimate(STRATA, judged, HITS)
    assert est is not None
    # L+: hits {a,b} share 1 -> 2, misses {c,d} share 1 -> 2; M: hits {e,f} share 1 -> 2, six misses 0.
    assert est.relevant == pytest.approx(6.0)
    assert est.relevant_hits == pytest.approx(4.0)
    assert (est.hits, est.hits_outside, est.judged) == (5, 1, 5)
    assert est.precision == pytest.approx(4 / 5)  # z counts as not relevant
    assert est.recall == pytest.approx(4 / 6)


def test_a_cell_nobody_judged_takes_its_strata_share() -> None:
    est = estimate(STRATA, [("L+", "c", True), ("M", "g", False), ("M", "k", True)], HITS)
    assert est is not None
    # L+ all relevant (4, of which hits 2); M half relevant (4, of which hits e,f: 1).
    assert est.relevant == pytest.approx(8.0)
    assert est.relevant_hits == pytest.approx(3.0)
    assert est.precision == pytest.approx(3 / 5)
    assert est.recall == pytest.approx(3 / 8)


def test_no_estimate_while_a_nonempty_stratum_is_unjudged_and_an_empty_one_needs_none() -> None:
    assert estimate(STRATA, [("L+", "a", True)], HITS) is None
    est = estimate({"L+": {"a"}, "M": set()}, [("L+", "a", False)], {"a"})
    assert est is not None and (est.relevant, est.precision, est.recall) == (0.0, 0.0, 0.0)


def test_a_census_counts_its_documents_as_judged_and_the_samples_weight_the_rest() -> None:
    # M's hits {e, f} and misses {g, h} were judged by a census (e relevant); i and k by the random
    # sample, outside the census (k relevant): they stand for M's unjudged misses {j, l}.
    census = {"M": {"e", "f", "g", "h"}}
    judged = [
        ("L+", "a", True),
        ("L+", "c", True),
        ("M", "e", True),
        ("M", "f", False),
        ("M", "g", False),
        ("M", "h", False),
        ("M", "i", False),
        ("M", "k", True),
    ]
    est = estimate(STRATA, judged, HITS, census)
    assert est is not None
    # L+ 4 (hits 2); M hits: e only -> 1; M misses: g, h, i, k judged (1) + {j, l} at 1/2 -> 2.
    assert est.relevant == pytest.approx(4 + 1 + 2)
    assert est.relevant_hits == pytest.approx(2 + 1)
    # Without the census the same judgements are a sample: M's misses g, h, i, k stand for six at 1/4.
    plain = estimate(STRATA, judged, HITS)
    assert plain is not None and plain.relevant == pytest.approx(4 + 1 + 6 / 4)


def test_a_census_document_never_stands_for_the_unjudged() -> None:
    # The census judged e, f (hits) and g (a miss), all relevant; the sample's only M item outside it,
    # i, is not: the four unjudged misses take i's share, not g's.
    census = {"M": {"e", "f", "g"}}
    judged = [("L+", "a", True), ("M", "e", True), ("M", "f", True), ("M", "g", True), ("M", "i", False)]
    est = estimate(STRATA, judged, HITS, census)
    assert est is not None
    assert est.relevant == pytest.approx(4 + 2 + 1)
    assert est.relevant_hits == pytest.approx(2 + 2)
    plain = estimate(STRATA, judged, HITS)  # as a sample, g and i stand for the six misses at 1/2
    assert plain is not None and plain.relevant == pytest.approx(4 + 2 + 3)


def test_a_judged_document_outside_its_stratum_is_an_error() -> None:
    with pytest.raises(ValueError, match="not in stratum"):
        estimate(STRATA, [("L+", "e", True)], HITS)


def test_files_round_trip_and_judgements_are_matched_by_item(tmp_path: Path) -> None:
    key = [
        KeyItem("i1", "coffee", "L+", "a", 4, 1),
        KeyItem("i2", "coffee", "M", "g", 8, 2),
        KeyItem("i3", "coffee", "M", "e", 8, 2),
        KeyItem("i4", "reagan", "L+", "x", 1, 1),
    ]
    key_file, judged_file, strata_file = tmp_path / "key", tmp_path / "judged", tmp_path / "strata"
    key_file.write_text("\n".join(json.dumps(k.__dict__) for k in key) + "\n")
    judged_file.write_text(
        '{"item": "i1", "relevant": true, "reason": "about coffee quotas"}\n\n'
        '{"item": "i2", "relevant": true, "reason": "first thought"}\n'
        '{"item": "i2", "relevant": false, "reason": "Coffee is a firm"}\n'
        '{"item": "i3", "relevant": true, "reason": "coffee exports"}\n'
    )
    strata_file.write_text(json.dumps({"coffee": {k: sorted(v) for k, v in STRATA.items()}, "reagan": {}}))
    assert load_key(key_file) == key
    judgements = load_judgements(judged_file)
    assert judgements == {"i1": True, "i2": False, "i3": True}  # the later line wins
    found = estimates(key, judgements, load_strata(strata_file), {"coffee": HITS, "reagan": set()})
    coffee, reagan = found["coffee"], found["reagan"]
    assert coffee is not None and coffee.relevant == pytest.approx(4 + 2)  # M: hits 1, misses 0
    assert reagan is not None and reagan.hits == 0  # no strata frozen for it: nothing relevant known
    assert load_judgements(tmp_path / "absent") == {} and load_key(tmp_path / "absent") == []
    with pytest.raises(ValueError, match="not in the key"):
        estimates(key, {"i9": True}, {}, {})
    judged_file.write_text('{"item": "i1", "relevant": "yes"}\n')
    with pytest.raises(ValueError, match="true or false"):
        load_judgements(judged_file)


def items_and_parts(stem: str) -> tuple[list[dict[str, object]], list[dict[str, object]]]:
    """A sample's items for the judges (``<stem>.jsonl``) and its three parts, one after another."""
    items = [json.loads(line) for line in (BENCH / f"{stem}.jsonl").read_text().splitlines()]
    parts = [
        json.loads(line) for n in (1, 2, 3) for line in (BENCH / f"{stem}-{n}.jsonl").read_text().splitlines()
    ]
    return items, parts


def test_the_committed_sample_is_blind_consistent_and_split_in_three() -> None:
    key = load_key(BENCH / "follow-judge-key.jsonl")
    items, parts = items_and_parts("follow-judge-items")
    strata = load_strata(BENCH / "follow-judge-strata.json")
    assert len(strata) == 40 and 500 <= len(key) <= 40 * 24
    assert parts == items and [i["item"] for i in items] == [k.item for k in key]
    assert all(set(i) == {"item", "follow", "doc_id", "text"} for i in items)  # nothing but these
    assert [i["doc_id"] for i in items] == [k.doc_id for k in key]
    drawn = Counter((k.follow, k.stratum) for k in key)
    assert len(set(zip((k.follow for k in key), (k.doc_id for k in key), strict=True))) == len(key)
    for k in key:
        members = strata[k.follow][k.stratum]
        assert k.doc_id in members and k.stratum_size == len(members)
        cap = 8 if k.stratum == "L+" else 16
        assert k.sample_size == drawn[k.follow, k.stratum] == min(len(members), cap)
    for follow, by in strata.items():
        assert not by["L+"] & by["M"], follow


def test_the_further_sample_is_blind_new_and_within_the_frozen_strata() -> None:
    # ``bench/follow_pool.py --extend``: more items for the topic follows, none drawn before
    first = load_key(BENCH / "follow-judge-key.jsonl")
    ext = load_key(BENCH / "follow-judge-key-ext.jsonl")
    items, parts = items_and_parts("follow-judge-items-ext")
    strata = load_strata(BENCH / "follow-judge-strata.json")
    assert parts == items and [i["item"] for i in items] == [k.item for k in ext]
    assert all(set(i) == {"item", "follow", "doc_id", "text"} for i in items)
    assert not {k.item for k in ext} & {k.item for k in first}
    assert not {(k.follow, k.doc_id) for k in ext} & {(k.follow, k.doc_id) for k in first}
    drawn = Counter((k.follow, k.stratum) for k in ext)
    for k in ext:
        members = strata[k.follow][k.stratum]
        assert k.doc_id in members and k.stratum_size == len(members)
        assert k.sample_size == drawn[k.follow, k.stratum] <= (8 if k.stratum == "L+" else 16)


def test_the_census_is_blind_new_within_the_strata_and_covers_its_cells() -> None:
    # ``bench/follow_pool.py --census``: every document of the topic follows' error cells judged once
    earlier = load_key(BENCH / "follow-judge-key.jsonl") + load_key(BENCH / "follow-judge-key-ext.jsonl")
    census = load_key(BENCH / "follow-judge-key-census.jsonl")
    items, parts = items_and_parts("follow-judge-items-census")
    strata = load_strata(BENCH / "follow-judge-strata.json")
    covered = load_strata(BENCH / "follow-judge-census.json")
    assert parts == items and [i["item"] for i in items] == [k.item for k in census]
    assert all(set(i) == {"item", "follow", "doc_id", "text"} for i in items)
    assert not {(k.follow, k.doc_id) for k in census} & {(k.follow, k.doc_id) for k in earlier}
    assert len({(k.follow, k.doc_id) for k in census}) == len(census)
    judged = {(k.follow, k.doc_id) for k in [*earlier, *census]}
    for k in census:
        assert k.doc_id in strata[k.follow][k.stratum] and k.doc_id in covered[k.follow][k.stratum]
    for follow, by in covered.items():
        for stratum, docs in by.items():
            assert docs <= strata[follow][stratum]
            assert all((follow, d) in judged for d in docs), (follow, stratum)
