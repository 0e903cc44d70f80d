"""What the corpus writes capitalised tells a name from a common word (bot/search/capitals.py), and what
search makes of it: a sound match needs a name or all but the same sound, a rare name is no misspelling,
a capitalised Russian word is a name before a dictionary word."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from bot.search.capitals import Capitals, NameShares, capitalised
from bot.search.disk import DiskIndex
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query


def test_a_capitalised_word_is_a_capital_followed_by_a_small_letter_past_a_sentence_start() -> None:
    text = "Then Thatcher met KOHL and de Clercq; the Desire of Пёль, ёлка, OPEC's O'Neill 3M"
    assert list(capitalised(text).elements()) == ["Thatcher", "Clercq", "Desire", "Пёль", "Neill"]
    # every word is capitalised where a sentence or the text starts: that says nothing
    text = 'Despite the rain, Kohl came.  Despite it, "Yes." Despite\n\nDespite all. Poehl? Despite.'
    assert list(capitalised(text).elements()) == ["Kohl", "Yes"]
    # a single line break is where a wrapped line goes on
    found = capitalised("President Richard von\nWeizsaecker met him.\n Then")
    assert list(found.elements()) == ["Richard", "Weizsaecker"]


def test_the_capitalised_share_is_counted_per_word_and_summed_per_spelling() -> None:
    words = {"thatcher": 0, "desire": 1, "kohl": 2}
    capitals = Capitals()
    capitals.add(
        ["Then Thatcher said the desire was there.", "So Thatcher's desire. Desire, said Thatcher."], words, 3
    )
    assert capitals.counts.tolist() == [3.0, 0.0, 0.0]
    # one spelling per word here; word 2 occurs once, in capitals that say nothing (KOHL)
    shares = NameShares(
        capitals,
        np.array([0, 1, 2], dtype=np.int32),
        np.array([3.0, 3.0, 1.0]),
        {"thatcher": 0, "desire": 1, "kohl": 2}.get,
    )
    # one uncapitalised occurrence more as a prior: a spelling seen once or twice says little
    assert shares("thatcher") == pytest.approx(0.75)
    assert shares("desire") == 0.0
    assert shares("kohl") == 0.0 and shares("unknown") == 0.0
    assert shares.is_name("thatcher") and not shares.is_name("desire")


SEEDLESS = [
    "The ministers said their desire to meet was strong, and the teacher agreed.",
    "A desire for lower rates moved the markets on Tuesday.",
    "Crocus bulbs and tulips sold well this spring.",
]


@pytest.fixture(scope="module")
def seedless() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, text.split(" said")[0], text, None) for i, text in enumerate(SEEDLESS)])
    return idx


def test_a_name_the_corpus_lacks_does_not_find_a_common_word_that_sounds_like_it(
    seedless: MemoryIndex,
) -> None:
    # Тэтчер sounds like "desire" (teSer, teSir) as much as like Thatcher (taSer): without Thatcher in
    # the corpus it matches nothing, rather than "desire"
    result = seedless.search(parse_query("Тэтчер"))
    assert result.hits == [] and result.unmatched_words == ("тэтчер",)


def test_a_common_word_that_sounds_the_same_is_still_found(seedless: MemoryIndex) -> None:
    hits = seedless.search(parse_query("крокусы")).hits
    assert hits and hits[0].doc_id == 2


RANKED = [
    "Chinese Finance Minister Wang Ping said the budget deficit would rise.",  # 0
    *[f"The company is paying {n} cents, paying out more than before." for n in range(12)],  # 1..12
    "Kollmorgen Corp <KOL> said third quarter net rose.",  # 13
    "Chancellor Helmut Kohl said the coalition would hold. Kohl met farmers.",  # 14
    "Prices of soybean pellets rose; pellets and meal were in demand.",  # 15
    "Bundesbank president Karl Otto Poehl said rates would not change.",  # 16
    "EC Commissioner Willy De Clercq said the Community would retaliate.",  # 17
    "A bank clerk was arrested; the clerk had taken the money. Clerks protested.",  # 18
    "Taiwan vice minister Wang Chien-shien said reserves rose.",  # 19
    "Irish Agriculture Minister Ray MacSharry said the budget would be cut.",  # 20
    "The Mac computer and a sharp share rise: Freddie Mac said so.",  # 21
    "Norwegian Oil Minister Arne Oeien said output would be held.",  # 22
    "Oxford Energy <OEN> said its plant would open.",  # 23
]


def titled(texts: list[str]) -> list[tuple[int, str, str, None]]:
    return [(i, text.split(" said")[0], text, None) for i, text in enumerate(texts)]


@pytest.fixture(scope="module", params=["memory", "disk"])
def ranked(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> MemoryIndex:
    if request.param == "memory":
        idx = MemoryIndex()
        idx.add_many(titled(RANKED))
        return idx
    # saved and opened again: the counts live in the index's files
    path = Path(tmp_path_factory.mktemp("capitals")) / "index"
    disk = DiskIndex()
    disk.add_many(titled(RANKED))
    disk.save(path, "stamp")
    opened = DiskIndex.open(path, "stamp")
    assert opened is not None
    return opened


def first(index: MemoryIndex, query: str) -> int:
    hits = index.search(parse_query(query)).hits
    assert hits, query
    return hits[0].doc_id


def test_a_rare_name_is_not_taken_for_a_misspelling_of_a_common_word(ranked: MemoryIndex) -> None:
    # "ping" is once in the corpus beside "paying" 24 times, a letter apart: a rare misspelling would count
    # as the common word, but the corpus writes this one as a name
    assert first(ranked, "ping") == 0


def test_a_hyphenated_name_sounding_like_a_corpus_name_weighs_its_syllables_as_halves(
    ranked: MemoryIndex,
) -> None:
    # Wade-Giles "Ping-chien" is the one name Bingqian would be; here Ping: the "Chien" of Chien-shien
    # alone is half a name, not a whole word
    assert first(ranked, "Wang Ping-chien") == 0


def test_a_russian_name_whose_transliteration_is_a_rare_word_finds_the_name(ranked: MemoryIndex) -> None:
    assert first(ranked, "Коль") == 14  # not Kollmorgen's ticker KOL
    assert first(ranked, "Пёль") == 16  # ё is German ö: not "pellets"


def test_a_capitalised_russian_word_beside_a_foreign_one_is_a_name_before_a_dictionary_word(
    ranked: MemoryIndex,
) -> None:
    assert first(ranked, "Де Клерк") == 17
    # typed as a common word, it is one
    assert first(ranked, "клерк") == 18


def test_a_name_typed_apart_finds_it_written_together(ranked: MemoryIndex) -> None:
    # a particle written apart or not: "Mac Sharry" is MacSharry, a name in the corpus; "mac" and "sharp"
    # alone are other words
    assert first(ranked, "Mac Sharry") == 20


def test_a_norwegian_o_with_a_stroke_is_written_oe_as_a_german_umlaut_is(ranked: MemoryIndex) -> None:
    assert first(ranked, "Øien") == 22
