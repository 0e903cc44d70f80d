"""Cross-language search: a Russian query finds English documents and an English query Russian ones,
through the lexicon's translations searched as alternatives of each query word (bot/search/crosslang.py)."""

from __future__ import annotations

import pytest

from bot.core import Dossier
from bot.search.crosslang import Translator
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query
from bot.search.snippets import make_snippet
from bot.textnorm import Analyzer
from tests.test_search_seeds import top_sources

# Short Russian news texts of our own, beside English ones on other subjects.
RUSSIAN_DOCS = [
    (1, "Урожай зерна", "Урожай зерна в этом году превысил прошлогодний, сообщили в министерстве."),
    (2, "Центробанк снизил ставку", "Центральный банк снизил ключевую ставку на полпроцента."),
    (3, "Добыча нефти", "Страны ОПЕК договорились сократить добычу нефти с марта."),
]
ENGLISH_DOCS = [
    (11, "Football results", "The home team won the cup final on Sunday."),
    (12, "Weather", "Heavy rain is expected in the north of the country."),
    (13, "Lev Tolstoy", "Lev Tolstoy wrote long novels about Russian families."),
    (14, "At the zoo", "The old lion of the city zoo has died."),
    (15, "Roads", "A wide road was opened between the two towns."),
]


@pytest.fixture(scope="module")
def index() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, title, f"{title}\n{body}", None) for i, title, body in RUSSIAN_DOCS + ENGLISH_DOCS])
    return idx


def top(index: MemoryIndex, query: str) -> list[int]:
    return [h.doc_id for h in index.search(parse_query(query)).hits]


@pytest.mark.parametrize("query", ["крокус", "теракт в Крокусе", "Крокус Сити Холл"])
def test_russian_queries_find_the_crocus_city_hall_document(dossier: Dossier, query: str) -> None:
    assert top_sources(dossier, query, 1) == ["003"]


def test_csto_joint_exercises_in_russian_find_001(dossier: Dossier) -> None:
    assert top_sources(dossier, "совместные учения ОДКБ", 1) == ["001"]


@pytest.mark.parametrize(
    ("query", "expected"),
    [("grain harvest", 1), ("central bank cuts its rate", 2), ("oil output", 3)],
)
def test_an_english_query_finds_a_russian_document_first(
    index: MemoryIndex, query: str, expected: int
) -> None:
    assert top(index, query)[0] == expected


def test_a_russian_query_finds_an_english_document(index: MemoryIndex) -> None:
    assert top(index, "лев в зоопарке")[0] == 14


def test_a_name_that_transliteration_joins_outranks_a_translation(index: MemoryIndex) -> None:
    # "Лев" is "Lev" by transliteration and "lion" by the dictionary: the name, in the query's own
    # spelling, wins.
    assert top(index, "Лев")[:2] == [13, 14]


def test_a_phrase_gloss_needs_all_its_words(index: MemoryIndex) -> None:
    # "мировой" glosses as "world wide" (among others): a text with "wide" alone is not about it.
    assert 15 not in top(index, "мировой")


def test_many_translations_of_one_word_count_once() -> None:
    idx = MemoryIndex()
    idx.add_many(
        [
            (1, "a", "price cost worth value of the goods", None),  # four glosses of "цена"
            (2, "b", "the price of oil", None),  # "цена" and "нефть"
            (3, "c", "filler words only here", None),
        ]
    )
    assert top(idx, "цена нефти")[0] == 2


def test_snippets_mark_translated_words(index: MemoryIndex) -> None:
    result = index.search(parse_query("нефть"))
    assert [h.doc_id for h in result.hits] == [3]
    assert top(index, "oil") == [3]
    text = "Страны ОПЕК договорились сократить добычу нефти с марта."
    english = index.search(parse_query("oil"))
    snippet = make_snippet(text, english.highlighter(text))
    assert [snippet.text[a:b] for a, b in snippet.highlights] == ["нефти"]


def test_only_the_other_languages_words_are_translated() -> None:
    tr = Translator(Analyzer())
    analyzer = tr.analyzer
    assert (("oil",), 1.0) in tr.glosses("нефть")
    assert ((analyzer.keys("нефть")[0],), 1.0) in tr.glosses("oil")
    assert tr.glosses("1987") == ()
    # an acronym, from the lexicon's supplement
    assert tr.glosses("одкб")[0] == (("csto",), 1.0)


def test_consecutive_russian_words_are_looked_up_as_a_lexicon_phrase() -> None:
    # "денежная масса" is "money supply": neither word's own glosses ("monetary", "mass") say so
    tr = Translator(Analyzer())
    phrases = tr.phrases(["денежная", "масса", "в", "марте"])
    assert set(phrases) == {0, 1}
    assert phrases[0][1] == 2 and (("monei", "supli"), 1.0) in phrases[0][0]
    idx = MemoryIndex()
    idx.add_many(
        [
            (1, "a", "The monetary reform was felt.", None),
            (2, "b", "Money supply grew in March, the central bank said.", None),
            (3, "c", "The mass of grain sold rose.", None),
        ]
    )
    assert top(idx, "денежная масса")[0] == 2


def test_a_quoted_russian_phrase_matches_its_english_translation(dossier: Dossier) -> None:
    # 002: "the CSTO Secretary General Imangali Tasmagambetov"; the lexicon has the phrase as "secretary
    # general", in English order, and an inflected phrase is the same phrase
    for query in ('Тасмагамбетов "генеральный секретарь"', 'Тасмагамбетов "генерального секретаря"'):
        assert top_sources(dossier, query, 1) == ["002"]


@pytest.fixture(scope="module")
def phrased() -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many(
        [
            (1, "a", "The secretary general said the talks went well.", None),
            (2, "b", "The general told the secretary of the club nothing.", None),
            (3, "c", "Генеральный секретарь ОДКБ провёл встречу.", None),
            (4, "d", "Центральный банк снизил ключевую ставку.", None),
            (5, "e", "Банк центральный, как ни странно, молчит.", None),
            (6, "f", "The central bank cut its key rate.", None),
            # "central bank" is "ЦБ" in the lexicon, whose key is this "CB"'s
            (7, "g", "CB and T Bancshares bought the State Bank of Carrolton.", None),
        ]
    )
    return idx


def test_a_quoted_english_phrase_still_matches_exactly(phrased: MemoryIndex) -> None:
    # the words in order in English; its translation in Russian; not the words apart or reversed
    assert sorted(top(phrased, '"secretary general"')) == [1, 3]
    assert top(phrased, '"bank central"') == [5]
    assert top(phrased, '"secretery general"') == []  # a word the corpus lacks is not guessed at


def test_a_quoted_phrase_matches_its_translation_word_by_word_in_order(phrased: MemoryIndex) -> None:
    # each word's translations stand for it, in the phrase's order: Russian adjective and noun as English
    assert sorted(top(phrased, '"central bank"')) == [4, 6]
    assert sorted(top(phrased, '"центрального банка"')) == [4, 6]
    assert top(phrased, '"general secretary"') == [3]


def test_a_quoted_name_in_the_other_script_matches_its_spelling(dossier: Dossier) -> None:
    assert top_sources(dossier, '"Крокус Сити Холл"') == ["003"]
