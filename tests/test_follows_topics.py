"""Topic follows (a word followed through the percolator): what a word's alternatives may and may not
fire on, in the shapes of the follow benchmark's wire stories (``bench/follow_bench.py``)."""

from __future__ import annotations

from bot.core import Dossier
from tests.test_follows import add, follow, matched


def test_a_translation_counts_only_in_its_own_language(dossier: Dossier) -> None:
    """ "copper" is "медь", keyed "med" as the Latin "Med" of Club Med and Sci-Med is: an English
    follow's Russian gloss matches Russian words, not English ones that fold the same."""
    follow(dossier, "query", "copper")
    club = add(
        dossier,
        "CLUB MED ASKS SHAREHOLDER APPROVAL FOR CAPITAL INCREASE",
        "Club Med said it would ask shareholders to approve a capital increase. Club Med shares rose, "
        "and Club Med said the new shares would fund villages in Asia. Med officials gave no figures.",
    )
    russian = add(dossier, "Цены на медь выросли", "Медь подорожала на Лондонской бирже: медь в дефиците.")
    story = add(dossier, "Cyprus lowers copper price", "Cyprus lowered its copper price; copper stocks fell.")
    found = matched(dossier)
    assert club not in found and {russian, story} <= set(found)


def test_a_near_spelling_that_is_a_word_or_a_name_of_its_own_is_not_a_typo(dossier: Dossier) -> None:
    """A follow typed right reaches the corpus's rare near spellings as its typos; but "parley" is a word
    the lexicon translates (talks) and "Marley" a name (capitalised past a sentence's start), neither a
    misspelt "barley" (on the benchmark both fired a barley follow)."""
    for i in range(3):
        add(dossier, f"Barley crop {i}", f"The barley crop of region {i} grew; barley exports rose.")
    follow(dossier, "query", "barley")
    talks = add(
        dossier,
        "FRANCO-GERMAN PARLEY FAILS TO UNBLOCK FARM TALKS",
        "A Franco-German parley failed to unblock EC farm price talks. Ministers said the parley "
        "showed deep divisions on the green currency system.",
    )
    firm = add(
        dossier,
        "CRANE ACQUIRES ASSETS OF MARLEY UNIT",
        "Crane said it acquired the assets of a unit of The Marley company. Terms were not disclosed; "
        "the unit makes cooling towers, and officials of Marley said the sale closes a review.",
    )
    kept = add(dossier, "Spain to sell barley to Saudi Arabia", "Spain sold 200,000 tonnes of barley.")
    found = matched(dossier)
    assert talks not in found and firm not in found and kept in found


def test_a_weaker_gloss_that_is_first_another_word_does_not_fire(dossier: Dossier) -> None:
    """ "пшеница" is wheat, and the lexicon also glosses it "corn" (British for grain); but "corn" is
    first "кукуруза", maize: a corn tender is not a wheat story (seven such alerts on the benchmark,
    all judged not wanted)."""
    follow(dossier, "query", "пшеница")
    corn = add(
        dossier,
        "TAIWAN TO TENDER FOR 450,000 TONNES U.S. CORN",
        "Taiwan will tender for 450,000 tonnes of U.S. corn for shipment in May. The corn tender "
        "closes Tuesday; corn imports this year are put at 4.5 mln tonnes.",
    )
    wheat = add(dossier, "Egypt cancels soft wheat tender", "Egypt cancelled its tender for soft wheat.")
    found = matched(dossier)
    assert corn not in found and wheat in found
