"""Synonyms (bot/search/synonyms.py): the same language's other words for a thing, read from Solr's
``synonyms.txt`` format, searched as alternatives of the word typed, and counted by follows."""

from __future__ import annotations

from bot.core import Dossier
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query
from bot.search.synonyms import SHIPPED, Synonyms
from bot.textnorm import Analyzer
from tests.test_follows import add, follow, matched

ANALYZER = Analyzer()


def parsed(text: str) -> Synonyms:
    return Synonyms.parse(text, ANALYZER.keys)


def key(word: str) -> str:
    return ANALYZER.keys(word)[0]


def indexed(*docs: tuple[str, str]) -> MemoryIndex:
    """An index of (title, body) documents, numbered from 1."""
    index = MemoryIndex()
    index.add_many([(i, title, f"{title}\n{body}", None) for i, (title, body) in enumerate(docs, 1)])
    return index


def found(index: MemoryIndex, query: str) -> list[int]:
    return [h.doc_id for h in index.search(parse_query(query)).hits]


def test_an_equivalence_line_makes_each_word_count_for_each_other() -> None:
    syn = parsed("canola, rapeseed, oilseed rape\n")
    assert (key("canola"),) in syn.of(key("rapeseed"))
    assert (key("rapeseed"),) in syn.of(key("canola"))
    # a phrase is matched in documents, never looked up as a query word
    assert (key("oilseed"), key("rape")) in syn.of(key("rapeseed"))
    assert syn.of(key("rape")) == ()


def test_an_explicit_mapping_counts_one_way_and_forms_and_comments_do_not_matter() -> None:
    syn = parsed("# vegetable oils\nOleins => oil  # palm olein is palm oil\n\n")
    assert syn.of(key("oil")) == ((key("olein"),),)
    assert syn.of(key("olein")) == ()


def test_stop_words_of_a_phrase_are_left_out_as_the_index_leaves_them() -> None:
    syn = parsed("ОДКБ, Организация Договора о коллективной безопасности\n")
    (phrase,) = syn.of(key("ОДКБ"))
    assert len(phrase) == 4 and key("о") not in phrase


def test_the_shipped_list_parses_and_names_the_commodities_market_copy_uses() -> None:
    syn = Synonyms.load(ANALYZER.keys, SHIPPED)
    assert (key("canola"),) in syn.of(key("rapeseed"))
    assert (key("jobless"),) in syn.of(key("unemployment"))
    assert (key("olein"),) in syn.of(key("oil"))


def test_a_search_finds_the_synonym_and_ranks_the_word_as_typed_first() -> None:
    index = indexed(
        ("Canola seeding", "Canola seeding in Saskatchewan is 60 pct complete."),
        ("Rapeseed seeding", "Rapeseed seeding in Saskatchewan is 60 pct complete."),
        ("Wheat seeding", "Wheat seeding in Saskatchewan is 60 pct complete."),
    )
    assert found(index, "rapeseed") == [2, 1]
    assert found(index, "canola") == [1, 2]


def test_a_one_way_mapping_widens_only_the_query_it_points_to() -> None:
    index = indexed(
        ("India buys olein", "India bought 6,000 tonnes of RBD palm olein at its tender."),
        ("Crude oil prices", "Crude oil prices rose on the spot market."),
    )
    assert found(index, "oil") == [2, 1]
    assert found(index, "olein") == [1]


def test_a_follow_fires_on_the_synonyms_and_not_on_another_sense(dossier: Dossier) -> None:
    """On the follow benchmark a "palm oil" follow missed every "RBD palm olein" tender, a "rapeseed"
    follow the canola crop reports: both were judged relevant by reading. "Rape" is a sense of the
    lexicon's "рапс", not a synonym: a rapeseed follow stays off the court report."""
    follow(dossier, "query", "palm oil")
    follow(dossier, "query", "rapeseed")
    tender = add(
        dossier,
        "SAUDI ARABIA BUYS RBD PALM OLEIN",
        "Saudi Arabia bought 4,000 tonnes of Malaysian refined bleached deodorised palm olein for "
        "June shipment at around 356 dlrs per tonne, traders said.",
    )
    canola = add(
        dossier,
        "CANADA CANOLA AREA SEEN UP",
        "Canola plantings are forecast at 3.2 mln acres, up five pct, and canola stocks are lower.",
    )
    crime = add(
        dossier,
        "COURT JAILS MAN FOR RAPE",
        "A court jailed a man for rape on Monday; the rape trial had lasted a week, the rape victim's "
        "lawyer said.",
    )
    found = matched(dossier)
    assert tender in found and canola in found and crime not in found


def test_russian_synonyms_and_an_acronym_spelt_out_are_found() -> None:
    index = indexed(
        ("Рынок труда", "Число безработных в стране выросло на пять процентов."),
        ("Саммит", "Организация Договора о коллективной безопасности провела саммит в Минске."),
        ("Погода", "В Минске ожидается дождь, саммит перенесли."),
    )
    assert found(index, "безработица") == [1]
    assert found(index, "саммит ОДКБ")[0] == 2
