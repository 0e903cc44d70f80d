"""The misspellings people really make (issue 18, item 2), over small corpora of their own."""

from __future__ import annotations

from pathlib import Path

from bot.core import Dossier
from bot.search.memory import MemoryIndex
from bot.search.query import parse_query
from bot.textnorm import to_ascii
from tests.test_search_seeds import top_sources


def build(texts: list[str]) -> MemoryIndex:
    idx = MemoryIndex()
    idx.add_many([(i, text.split(".")[0], text, None) for i, text in enumerate(texts)])
    return idx


def first_text(idx: MemoryIndex, texts: list[str], query: str) -> str:
    return texts[idx.search(parse_query(query)).hits[0].doc_id]


def test_a_swapped_pair_in_a_short_word_finds_it() -> None:
    # "jospeh" folds two edits from "joseph" ("josef": ph is f), though it is one swap from it
    texts = ["Joseph Smith spoke to the board.", "The board met on Monday."]
    assert first_text(build(texts), texts, "jospeh") == texts[0]


def test_two_dropped_letters_find_the_word() -> None:
    texts = ["Talks resume on Wednesday.", "Wendy sold the shares.", "Sales rose."]
    assert first_text(build(texts), texts, "wensday") == texts[0]


def test_a_rare_misspelling_in_the_corpus_does_not_outrank_the_right_word() -> None:
    texts = [f"The competitiveness of industry {i} improved." for i in range(30)]
    texts += ["Its competiveness fell sharply."]
    assert "competitiveness" in first_text(build(texts), texts, "competiveness")


def test_a_misspelling_the_corpus_has_finds_the_commoner_word_it_misspells() -> None:
    texts = [f"Despite the rain, market {i} opened." for i in range(30)]
    texts += [f"The trade dispute {i} went on." for i in range(3)]
    texts += ["Dispite everything, prices rose."]
    assert first_text(build(texts), texts, "dispite").startswith("Despite")


def test_an_unfinished_last_word_does_not_outrank_the_fuzzy_words_before_it(dossier: Dossier) -> None:
    # "hol" completes to "holding" (004), "crokus siti" are typos of 003's "Crocus City"
    assert top_sources(dossier, "crokus siti hol", 1) == ["003"]


def test_the_russian_press_spelling_of_valdai_finds_it(dossier: Dossier) -> None:
    assert top_sources(dossier, "Валдай", 1) == ["004"]


def test_a_translated_russian_word_looks_for_near_spellings_in_cyrillic_only(tmp_path: Path) -> None:
    # A translated word keeps only near spellings in its own script (a Latin one is an accident of
    # transliteration); they are looked up in the Cyrillic spellings' own delete index, which a restart
    # derives again from the saved spellings.
    idx = build(["Урожая не будет.", "Urozhain was the name of the ship.", "Урожайность выросла."])
    sf, typed = idx.analyzer.surface_fold("урожай"), to_ascii("урожай")
    cyrillic = {"урожая", "урожайность"}
    folded = {idx.analyzer.surface_fold(w): w for w in [*cyrillic, "urozhain"]}

    def near(index: MemoryIndex, own_script: bool) -> set[str]:
        found = index._candidates.near(sf, typed, scan=False, cyrillic=True, own_script=own_script)
        return {folded.get(c, c) for c in found}

    assert "urozhain" in near(idx, own_script=False)
    own = near(idx, own_script=True)
    assert own == {c for c in near(idx, own_script=False) if c in cyrillic} and own
    idx.save(tmp_path / "index", "s1")
    reopened = MemoryIndex.open(tmp_path / "index", "s1")
    assert reopened is not None and near(reopened, own_script=True) == own
