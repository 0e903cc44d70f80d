"""Near-duplicate signatures on the real seed corpus: the calibrated pair is found, the rest is not."""

from __future__ import annotations

import itertools

import pytest

from bot.ingest import neardup
from bot.ingest.prepare import decode
from bot.ingest.story import NEAR_DUP_THRESHOLD
from tests.conftest import SEED_CORPUS


def seed_texts() -> dict[str, str]:
    return {p.name[:3]: decode(p.read_bytes()) for p in sorted(SEED_CORPUS.glob("*.txt"))}


def test_seeds_000_and_001_are_near_duplicates_and_no_other_pair_is() -> None:
    sigs = {name: neardup.signature(text) for name, text in seed_texts().items()}
    assert neardup.similarity(sigs["000"], sigs["001"]) >= NEAR_DUP_THRESHOLD
    for a, b in itertools.combinations(sorted(sigs), 2):
        if (a, b) != ("000", "001"):
            assert neardup.similarity(sigs[a], sigs[b]) < NEAR_DUP_THRESHOLD, (a, b)


def test_index_finds_the_best_match_and_forgets_removed_documents() -> None:
    texts = seed_texts()
    index = neardup.NearDupIndex(capacity=2)  # forces the arrays to grow
    for n, name in enumerate(sorted(texts), start=1):
        if name != "001":
            index.add(n, neardup.signature(texts[name]))
    match = index.best(neardup.signature(texts["001"]))
    assert match is not None and match.doc_id == 1 and match.is_near_duplicate
    index.remove(1)
    assert 1 not in index and len(index) == len(texts) - 2
    after = index.best(neardup.signature(texts["001"]))
    assert after is not None and not after.is_near_duplicate


def test_signature_round_trip_and_stale_blobs() -> None:
    blob = neardup.signature("one two three four five six")
    assert neardup.similarity(blob, blob) == pytest.approx(1.0)
    assert neardup.Signature.from_bytes(blob).to_bytes() == blob
    with pytest.raises(ValueError, match="recompute"):
        neardup.Signature.from_bytes(b"\x02" + blob[1:])
    assert neardup.similarity(neardup.signature(""), blob) == 0.0


def test_best_many_agrees_with_best_one_at_a_time() -> None:
    texts = seed_texts()
    index = neardup.NearDupIndex()
    assert index.best_many([neardup.signature("x y z")]) == [None]
    for n, name in enumerate(sorted(texts), start=1):
        if name not in ("001", "003"):
            index.add(n, neardup.signature(texts[name]))
    sigs = [neardup.signature(texts[name]) for name in sorted(texts)]
    many = index.best_many(sigs)
    for sig, got in zip(sigs, many, strict=True):
        one = index.best(sig)
        assert got is not None and one is not None
        assert got.doc_id == one.doc_id and got.similarity == pytest.approx(one.similarity)
    assert many[1] is not None and many[1].doc_id == 1 and many[1].is_near_duplicate  # 001 resembles 000


def test_a_chance_agreement_with_a_huge_text_is_not_a_match() -> None:
    # An 18 MB page has millions of shingles; a short note has a handful. One of the 512 positions
    # agreeing by chance (b-bit values collide once in 65,536) was read as everything shared: "100%".
    words = [f"w{n}" for n in range(3000)]
    huge = neardup.compute(" ".join(words[(n * 7919) % 3000] + words[n % 2999] for n in range(200_000)))
    note = neardup.compute("A short note about the harbour strike in the spring")
    assert huge.shingles > 100_000 and note.shingles < 20
    mins = note.mins.copy()
    mins[0] = huge.mins[0]  # the chance collision
    lucky = neardup.Signature(note.shingles, mins)
    assert neardup.similarity(huge, lucky) < 0.01
    index = neardup.NearDupIndex()
    index.add(1, huge)
    match = index.best(lucky)
    assert match is not None and not match.is_near_duplicate


def test_a_text_reprinted_inside_a_longer_one_is_still_found() -> None:
    texts = seed_texts()
    longer = texts["000"] + "\n\n" + texts["002"]  # 330 of its 1,763 shingles: sqrt(330 / 1763) = 0.43
    assert neardup.similarity(neardup.signature(texts["000"]), neardup.signature(longer)) >= 0.3


def test_candidates_are_the_most_alike_above_the_floor_most_alike_first() -> None:
    texts = seed_texts()
    index = neardup.NearDupIndex()
    assert index.candidates_many([neardup.signature("x y z")]) == [[]]
    for n, name in enumerate(sorted(texts), start=1):
        index.add(n, neardup.signature(texts[name]))
    sig = neardup.signature(texts["000"])
    everyone = index.candidates(sig, k=5, floor=0.0)
    assert everyone[0].doc_id == 1 and len(everyone) == 5  # itself first
    assert [m.similarity for m in everyone] == sorted((m.similarity for m in everyone), reverse=True)
    top = index.candidates(sig, k=2, floor=0.0)
    assert top == everyone[:2] and top[1].doc_id == 2  # then its translation, 001
    assert [m.doc_id for m in index.candidates(sig)] == [1, 2]  # nothing else above CANDIDATE_FLOOR
    assert index.candidates_many([sig, sig], k=2, floor=0.0) == [top, top]
