"""The shipped English–Russian lexicon: its lookups, its keys agreeing with the index's, and its licence."""

from __future__ import annotations

import hashlib

import pytest

from bot.search.translate import SHIPPED, Lexicon
from bot.textnorm import Analyzer

SUPPLEMENT = SHIPPED.parent / "supplement.tsv"


@pytest.fixture(scope="module")
def lex() -> Lexicon:
    return Lexicon.load()


@pytest.fixture(scope="module")
def analyzer() -> Analyzer:
    return Analyzer()


def en_key(analyzer: Analyzer, phrase: str) -> str:
    """An English word or phrase keyed as the index keys it."""
    return " ".join(analyzer.keys(w)[0] for w in phrase.lower().split())


def ru_lemma(analyzer: Analyzer, word: str) -> str:
    """A Russian word's first lemma, as the index's analyser reads it."""
    return str(analyzer.morph.parse(word.lower())[0].normal_form)


def keys_of(translations: list[tuple[str, float]]) -> list[str]:
    return [k for k, _w in translations]


def test_russian_news_words_reach_their_english_stems(lex: Lexicon, analyzer: Analyzer) -> None:
    assert keys_of(lex.translate_ru(ru_lemma(analyzer, "учения")))[0] == en_key(analyzer, "exercises")
    assert keys_of(lex.translate_ru(ru_lemma(analyzer, "нефти")))[0] == "oil"
    assert keys_of(lex.translate_ru(ru_lemma(analyzer, "генсек"))) == [en_key(analyzer, "secretary general")]
    assert keys_of(lex.translate_ru(ru_lemma(analyzer, "ОДКБ"))) == ["csto"]
    assert en_key(analyzer, "wheat") in keys_of(lex.translate_ru(ru_lemma(analyzer, "пшеницы")))
    # A phrase of lemmas is a key of its own.
    assert keys_of(lex.translate_ru("процентный ставка"))[0] == en_key(analyzer, "interest rate")


def test_english_stems_reach_russian_lemmas(lex: Lexicon, analyzer: Analyzer) -> None:
    assert keys_of(lex.translate_en("oil"))[0] == "нефть"
    assert keys_of(lex.translate_en("csto")) == ["одкб"]
    assert "генсек" in keys_of(lex.translate_en(en_key(analyzer, "secretary general")))
    assert "зерно" in keys_of(lex.translate_en(en_key(analyzer, "grain")))[:2]
    # From the dictionary alone (no supplement line): Mueller's first sense of "wheat".
    assert keys_of(lex.translate_en(en_key(analyzer, "wheat")))[0] == "пшеница"


def test_a_word_with_many_senses_keeps_its_first_senses_first(lex: Lexicon, analyzer: Analyzer) -> None:
    interest = lex.translate_en(en_key(analyzer, "interest"))
    keys = keys_of(interest)
    assert keys[0] == "интерес"  # Mueller's sense 1, before "выгода" (2) and "доля" (3)
    assert keys.index("интерес") < keys.index("выгода") < keys.index("доля")
    weights = [w for _k, w in interest]
    assert weights == sorted(weights, reverse=True)
    assert weights[0] == 1.0 and weights[-1] < weights[0]
    # "bank" the river bank is Mueller's first homonym, but the money bank's first sense still leads
    # every second sense of the others.
    bank = keys_of(lex.translate_en("bank"))
    assert bank.index("банк") < bank.index("берег")


def test_inflections_that_key_differently_come_along(lex: Lexicon, analyzer: Analyzer) -> None:
    # The index keys "markets" apart from "market" (it folds "ts" to "c" before stemming): a Russian
    # query for the market must reach both, at one weight, and both English keys lead back to рынок.
    markets = en_key(analyzer, "markets")
    assert markets != "market"
    out = dict(lex.translate_ru("рынок"))
    assert out["market"] == out[markets] == 1.0
    assert keys_of(lex.translate_en(markets))[0] == "рынок"


def test_unknown_words_translate_to_nothing(lex: Lexicon) -> None:
    assert lex.translate_ru("абырвалг") == []
    assert lex.translate_en("zzqx") == []
    assert lex.translate_en("") == []


def test_ё_and_case_do_not_matter(lex: Lexicon) -> None:
    assert lex.translate_ru("ЗЕРНО") == lex.translate_ru("зерно")
    assert lex.translate_ru("отчёт") == lex.translate_ru("отчет") != []


def test_load_is_cached_and_knows_its_phrases(lex: Lexicon) -> None:
    assert Lexicon.load() is lex
    assert lex.max_phrase_words == 3


def test_shipped_lexicon_is_built_from_the_current_supplement(lex: Lexicon, analyzer: Analyzer) -> None:
    """Every supplement pair is in the shipped file under the keys the index makes today: a change to the
    supplement, or to how the index keys words, needs `python bench/build_lexicon.py`."""
    text = SUPPLEMENT.read_bytes()
    assert lex.supplement_hash == hashlib.sha256(text).hexdigest()[:16]
    for line in text.decode("utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        ru, en = line.split("\t")[:2]
        ru_key = " ".join(ru_lemma(analyzer, w).replace("ё", "е") for w in ru.split())
        assert en_key(analyzer, en.replace("-", " ")) in keys_of(lex.translate_ru(ru_key)), line


def test_licence_ships_beside_the_data() -> None:
    folder = SHIPPED.parent
    assert SHIPPED.stat().st_size < 4_000_000
    assert "GNU General Public License" in (folder / "LICENSE.lexicon").read_text(encoding="utf-8")
    assert "GNU GENERAL PUBLIC LICENSE" in (folder / "GPL-2.txt").read_text(encoding="utf-8")
