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


def test_a_firms_name_said_again_without_its_company_form_is_still_the_firm(dossier: Dossier) -> None:
    """ "Holly Sugar Corp" is "Holly Sugar" and "Holly Sugar's banker" in the lines after: the firm's
    name, said again, carries no sugar (a bid for the firm is company news, judged not wanted)."""
    follow(dossier, "query", "sugar")
    bid = add(
        dossier,
        "DISNEY FAMILY MAKES BID FOR HOLLY SUGAR <HLY>",
        "The Roy Disney family said it made a bid to acquire Holly Sugar Corp for cash and securities. "
        "It submitted the bid to Holly Sugar's investment banker. The offer was for each share of Holly "
        "Sugar outstanding; the family already holds 101,300 Holly Sugar shares.",
    )
    kept = add(dossier, "Australia sells sugar to USSR", "Australia sold 180,000 tonnes of raw sugar.")
    found = matched(dossier)
    assert bid not in found and kept in found


def test_each_word_of_a_lower_case_follow_must_carry_the_document(dossier: Dossier) -> None:
    """A follow of "palm oil" is a follow of palm oil: a story full of (petroleum) oil that names palm
    oil once, late, is not about it, though the mean over the two words passed the floor."""
    follow(dossier, "query", "palm oil")
    crude = " ".join(
        f"Oil output of field {i} rose as oil prices held and oil exports grew." for i in range(8)
    )
    economy = add(
        dossier,
        "INDONESIA LIMITS OIL PRICE IMPACT",
        f"{crude} Indonesia also exports timber, coffee and palm oil.",
    )
    kept = add(
        dossier, "Pakistan buys palm oil", "Pakistan bought 6,000 tonnes of RBD palm oil; palm oil rose."
    )
    found = matched(dossier)
    assert economy not in found and kept in found


def test_a_table_told_by_its_rows_fires_a_word_only_from_its_title(dossier: Dossier) -> None:
    """The farmer-owned reserve's prices: a row per grain, with words enough between the figures that
    the share of numbers does not make it a table; its shape does (short rows)."""
    follow(dossier, "query", "barley")
    rows = (
        "The U.S. Agriculture Department\nreported the farmer-owned reserve national five-day average\n"
        "price through April 7 as follows (Dlrs/Bu-Sorghum Cwt) -\n Natl Loan Release Call\n"
        " Avge Rate-X Level Price Price\n Wheat 2.63 2.40 IV 4.65 --\n V 4.65 --\n VI 4.45 --\n"
        " Corn 1.38 1.92 IV 3.15 3.15\n V 3.25 --\n X - 1986 Rates.\n Natl Loan Release Call\n"
        " Avge Rate-X Level Price Price\n Oats 1.58 0.99 V 1.65 -- \n Barley 1.52 1.56 IV 2.55 2.55\n"
        " V 2.65 -- \n Sorghum 2.53 3.25-Y IV 5.36 5.36\n V 5.54 -- \n Reserves I, II and III have "
        "matured. Level IV reflects\ngrain entered after Oct 6, 1981 for feedgrain and after July\n23, "
        "1981 for wheat. Level V wheat/barley after 5/14/82,\ncorn/sorghum after 7/1/82. Level VI covers "
        "wheat entered after\nJanuary 19, 1984. X-1986 rates. Y-dlrs per CWT (100 lbs)."
    )
    table = add(dossier, "NATIONAL AVERAGE PRICES FOR FARMER-OWNED RESERVE", rows)
    titled = add(dossier, "BARLEY RESERVE PRICES", rows)
    found = matched(dossier)
    assert table not in found and titled in found


def test_a_word_inside_a_persons_name_is_the_person(dossier: Dossier) -> None:
    """ "director Melvin L. Gold" is a person (the people extractor says so), not gold; a follow typed in
    lower case is a thing and does not fire on him. A follow typed as a name is the name, and does. A
    capitalised pair the extractor only guessed at ("Winter Wheat - fair") stays a word."""
    follow(dossier, "query", "gold")
    follow(dossier, "query", "Cotton")
    follow(dossier, "query", "wheat")
    named = add(
        dossier,
        "HYDRO OPTICS CHAIRMAN RESIGNS",
        "Hydro Optics Inc said Kenneth S. Roth has resigned as president and chairman. It said director "
        "Melvin L. Gold has been named chairman and chief executive officer.",
    )
    cotton = add(
        dossier,
        "BUSINESSMAN HAS 8.9 PCT OF DEL E. WEBB",
        "John Cotton, an Arizona businessman, told the Securities and Exchange Commission he has acquired "
        "8.9 pct of Del E. Webb Investment Properties. Cotton, president of Finalco Group, said he bought "
        "the stake for investment purposes only.",
    )
    kept = add(dossier, "Gold price rises in London", "The price of gold rose in London as the dollar fell.")
    crops = add(
        dossier,
        "LOUISIANA WEEKLY CROP REPORT",
        "The Louisiana weekly USDA state crop report said there were 2.4 days suitable for fieldwork.\n"
        "Winter Wheat - fair to good condition. eight pct headed vs 27 pct a year ago.",
    )
    found = matched(dossier)
    assert named not in found and found[kept] == {"gold"} and found[cotton] == {"Cotton"}
    assert found[crops] == {"wheat"}


def test_a_firms_name_said_again_loses_every_form_and_takes_the_storys_case(dossier: Dossier) -> None:
    """ "Rio Tinto-Zinc Corp Plc" is "RIO TINTO-ZINC" in the headline (both forms off), and a headline's
    "MAGMA COPPER <MGMA>" is "Magma Copper" in the story: the firm each time, not zinc or copper."""
    follow(dossier, "query", "zinc")
    follow(dossier, "query", "copper")
    results = add(
        dossier,
        "RIO TINTO-ZINC NET ATTRIBUTABLE PROFIT LOWER",
        "Year to December 31, 1986. Net attributable profit 263.9 mln stg vs 279.6 mln.\n"
        "Full name of company is Rio Tinto-Zinc Corp Plc <RTZL.L>.",
    )
    shares = add(
        dossier,
        "MAGMA COPPER <MGMA> TO SELL SHARES",
        "Magma Copper said it plans to sell four mln shares; Magma Copper will use the proceeds to cut debt.",
    )
    kept = add(
        dossier, "Zinc and copper prices rise", "Zinc prices rose on the LME; copper prices also rose."
    )
    found = matched(dossier)
    assert results not in found and shares not in found and found[kept] == {"zinc", "copper"}
