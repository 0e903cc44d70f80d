"""Merging across documents: namesakes kept apart, spellings and short first names merged, bare
surnames and headline words attached only where the collection shows who they are, firms left out."""

from __future__ import annotations

from datetime import date

from bot.people import PeopleIndex, extract, mentions_to_json
from tests.people.conftest import index_by_day

BAKERS = [
    (1, "Dollar\n\nTreasury Secretary James Baker said the dollar was stable. Baker added more."),
    (2, "Reagan aide\n\nWhite House Chief of Staff Howard Baker told reporters the talks went on."),
    (3, "Baker again\n\nTreasury Secretary Baker said the dollar should fall."),
    (4, "Testimony\n\nJames A. Baker, the Treasury Secretary, testified for an hour."),
]


def test_same_surname_different_people_stay_apart_and_order_does_not_matter() -> None:
    forward = index_by_day(BAKERS)
    backward = index_by_day(list(reversed(BAKERS)))
    for index in (forward, backward):
        people = {p.name: p for p in index.persons()}
        assert set(people) == {"James Baker", "Howard Baker"}
        assert sorted(people["James Baker"].documents) == [1, 3, 4]
        assert "James A. Baker" in people["James Baker"].aliases
        assert people["Howard Baker"].documents == (2,)
    matches = forward.find("baker")
    assert {m.person.name for m in matches} == {"James Baker", "Howard Baker"}


def test_short_first_names_merge_and_generational_suffixes_are_no_surname() -> None:
    index = index_by_day(
        [
            (1, "Budget\n\nHouse Speaker Jim Wright said the budget was late."),
            (2, "Budget\n\nHouse Speaker James Wright told reporters he would wait."),
            (3, "Deal\n\nChairman John W. Johnstone Jr said the deal was done."),
            (4, "Deal\n\nPresident Jack E. Manning Jr said sales rose."),
            (5, "Budget\n\nSenator Albert Gore said no. Senator Alan Gore said yes."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    wright = [p for p in people.values() if "Wright" in p.name]
    assert len(wright) == 1 and sorted(wright[0].documents) == [1, 2]
    assert {"John W. Johnstone Jr", "Jack E. Manning Jr"} <= set(people)  # John/Jack, but two surnames
    assert {"Albert Gore", "Alan Gore"} <= set(people)  # no nicknames of each other
    bushes = index_by_day(
        [
            (1, "Visit\n\nPresident George H. W. Bush said he would go."),
            (2, "Visit\n\nPresident George W. Bush said he would stay."),
            (3, "Visit\n\nVice President George Bush said he agreed."),
        ]
    )
    assert {p.name for p in bushes.persons()} == {"George H. W. Bush", "George W. Bush"}


def test_transliterations_merge_and_role_timeline_orders_by_date() -> None:
    index = PeopleIndex()
    docs = [
        (10, date(2025, 3, 1), "Talks\n\nCSTO Secretary General Talatbek Masadikov said the bloc was ready."),
        (11, date(2022, 1, 5), "Earlier\n\nCSTO Secretary General Stanislav Zas said much the same."),
        (
            12,
            date(2025, 6, 1),
            "Later\n\nTaalatbek Masadykov, the Secretary General of the CSTO, met envoys.",
        ),
    ]
    for doc_id, day, text in docs:
        index.add_document(doc_id, day, extract(text, day))
    people = index.persons()
    assert len(people) == 2 and people[0].documents == (10, 12)  # one Masadykov, whatever the spelling
    assert {people[0].name, *people[0].aliases} >= {"Talatbek Masadikov", "Taalatbek Masadykov"}
    holders = index.holders("secretary general")
    assert [m.person.name for m in holders] == ["Stanislav Zas", people[0].name]
    assert holders[0].since == date(2022, 1, 5) and holders[1].since == date(2025, 3, 1)


def test_a_full_name_after_of_joins_a_person_known_elsewhere_and_makes_no_one_alone() -> None:
    known = (1, "Fed\n\nFed chairman Alan Greenspan said rates would stay.")
    named = (2, "Markets\n\nMarkets weighed the nomination of Alan Greenspan to succeed the chairman.")
    index = index_by_day([known, named])
    (person,) = [p for p in index.persons() if p.name == "Alan Greenspan"]
    assert sorted(person.documents) == [1, 2]
    alone = index_by_day([named])  # a weak mention never starts a person of its own
    assert "Alan Greenspan" not in {p.name for p in alone.persons()}
    bank = index_by_day([(3, "Shares\n\nThe advice of Morgan Stanley was to wait.")])
    assert not bank.persons()


def _stated(doc_id: int, name: str) -> tuple[int, str]:
    return (doc_id, f"REPORT {doc_id}\n\nChairman {name} said the plan would go ahead, item {doc_id}.")


def _index_of(docs: list[tuple[int, str]]) -> PeopleIndex:
    index = PeopleIndex()
    for doc_id, text in docs:
        index.add_document(doc_id, date(1987, 3, 1), extract(text, date(1987, 3, 1)))
    return index


def _docs_of(index: PeopleIndex, name: str) -> list[int]:
    (person,) = [p for p in index.persons() if p.name == name]
    return sorted(int(d) for d in person.documents)


def test_a_headline_only_item_counts_for_the_person_the_collection_knows() -> None:
    known = [_stated(k, "Ivan Boesky") for k in range(1, 9)]
    known += [_stated(k, "James Baker") for k in range(9, 17)]
    items = [
        (101, "BOESKY AIDE DAVIDOFF CONSENTS TO SEC PENALTIES; AGREES TO HELP INVESTIGATION\n1987-04-07"),
        (102, "FEDERAL COURT DISMISSES SUIT AGAINST IVAN BOESKY, COURT CLERK SAYS\n1987-04-13"),
        (103, "MIYAZAWA LEAVES HOTEL FOR MEETING WITH BAKER AT TREASURY\n1987-04-08"),
        # Not him: a body that does not name him, companies, a name that goes on.
        (104, "SEC TALKS WITH BOESKY\n1987-04-01\n\nThe talks went on all day, officials said."),
        (105, "BAKER HUGHES RIG COUNT RISES\n1987-04-03"),
        (106, "BAKER INTERNATIONAL TO SELL PUMP UNIT\n1987-04-03"),
        (107, "BAKER, FENTRESS AND CO <BKFR> VOTES DIVIDEND\n1987-04-03"),
        (108, "BAKER COMMUNICATIONS INC YEAR LOSS\n1987-04-03"),
        (109, "GOLD OPENS FIRMER IN BAKER\n1987-04-03"),
    ]
    index = _index_of(known + items)
    assert _docs_of(index, "Ivan Boesky") == [*range(1, 9), 101, 102]
    assert _docs_of(index, "James Baker") == [*range(9, 17), 103]
    names = {p.name for p in index.persons()}
    assert names == {"Ivan Boesky", "James Baker"}  # a headline word never makes a person ("Davidoff")
    assert {m.surface: m.evidence for m in extract(items[0][1])}["BOESKY"] == "headline"
    assert "Ivan Boesky" in [m.name for m in extract(items[1][1]) if m.evidence == "headline"]
    for _, text in items[3:]:
        assert not [m for m in extract(text) if m.evidence == "headline" and "Baker" in m.name], text


def test_a_headline_word_used_more_than_the_person_is_not_the_person() -> None:
    """Alan Bond, stated in eight texts, is not the "BOND" of five headlines (8 < 2 x 5), and a bare
    headline word needs a person of at least eight documents: a namesake of three gets nothing."""
    known = [_stated(k, "Alan Bond") for k in range(1, 9)]
    known += [_stated(k, "Charles Rose") for k in range(9, 12)]
    bonds = [(100 + k, f"CANADA SELLS {k}-YEAR BOND TODAY\n1987-04-0{k}") for k in range(1, 6)]
    roses = [(200, "U.S. CONSUMER CREDIT ROSE 536 MLN DLRS IN JAN\n1987-03-06")]
    index = _index_of(known + bonds + roses)
    assert _docs_of(index, "Alan Bond") == list(range(1, 9))
    assert _docs_of(index, "Charles Rose") == list(range(9, 12))
    fewer = _index_of(known + bonds[:2])  # two headlines against eight texts: the word is his
    assert _docs_of(fewer, "Alan Bond") == [*range(1, 9), 101, 102]


def test_a_common_plural_is_nobody_and_a_bare_name_joins_only_a_close_spelling() -> None:
    index = index_by_day(
        [
            (1, "Stocks\n\nChairman Oliver S. Travers said the bank would grow."),
            (2, "Stocks\n\nPrices rose, traders said. Traders said he raised his rating of the stock."),
            (3, "Stocks\n\nTraders said the market was calm."),
            (4, "Bid\n\nIts advisor, Smith Barney, Harris Upham And Co Inc, will seek buyers."),
        ]
    )
    (travers,) = [p for p in index.persons() if "Travers" in p.name]
    assert travers.documents == (1,) and "Traders" not in travers.aliases
    assert {p.name for p in index.persons()} == {"Oliver S. Travers"}


def test_a_misspelt_short_surname_merges_but_a_bare_lookalike_does_not_join() -> None:
    index = index_by_day(
        [
            (1, "Rates\n\nFed Chairman Paul Volcker said rates would hold."),
            (2, "Rates\n\nFed Chairman Paul Vocker said rates would hold."),
            (3, "Film\n\nDirector John M. Huston said the film was done."),
            (4, "Oil\n\nHouston said output fell, according to the company."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    assert sorted(people["Paul Volcker"].documents) == [1, 2]
    assert people["John M. Huston"].documents == (3,)


def test_a_name_more_often_a_firms_than_a_persons_is_not_listed_and_forgotten_with_its_documents() -> None:
    texts = {
        1: "Deal\n\nKidder Peabody said he would sell the shares.",
        2: "Deal\n\nKidder Peabody and Co Inc said it bought the shares.",
        3: "Deal\n\nKidder Peabody Group advised the buyer.",
        4: "Cars\n\nDetroit analyst Arvid Jauppi of Arvid Jauppi and Associates said sales fell.",
    }
    index = PeopleIndex()
    for doc_id, text in texts.items():
        firms: list[str] = []
        mentions = extract(text, firms=firms)
        index.add_stored(doc_id, None, mentions_to_json(mentions, firms))
    names = {p.name for p in index.persons()}
    assert "Arvid Jauppi" in names and "Kidder Peabody" not in names
    index.remove_document(2)
    index.remove_document(3)
    assert "Kidder Peabody" in {p.name for p in index.persons()}  # now a person in more documents


def test_a_short_surname_misspelt_merges_only_with_the_same_first_names_and_post() -> None:
    index = index_by_day(
        [
            (1, "Talks\n\nSecretary of State George Shultz said the talks would go on."),
            (2, "Visit\n\nSecretary of State George Schultz will stop over on his way home."),
            (3, "Budget\n\nWhite House Chief of Staff Donald Regan said the budget was fine."),
            (4, "Speech\n\nPresident Ronald Reagan said the budget was fine."),
            (5, "Shipping\n\nChairman James R. Barker said the sale was done."),
            (6, "Dollar\n\nChairman James Baker said the dollar was stable."),
        ]
    )
    people = {p.name: p for p in index.persons()}
    assert sorted(people["George Shultz"].documents) == [1, 2]
    assert "George Schultz" in people["George Shultz"].aliases
    assert people["Donald Regan"].documents == (3,)  # a first name only close, and another post
    assert people["Ronald Reagan"].documents == (4,)
    assert people["James R. Barker"].documents == (5,)  # the same post, but not all the same first names
    assert people["James Baker"].documents == (6,)


def test_a_word_that_starts_firms_names_is_no_person_of_its_own() -> None:
    docs = [(k, f"Brokers\n\nShearson Lehman Brothers said on day {k} it would buy bonds.") for k in (1, 2)]
    docs.append((3, "Offer\n\nThe offer will succeed, said Shearson, the dealer manager of the offer."))
    index = PeopleIndex()
    for doc_id, text in docs:
        firms: list[str] = []
        mentions = extract(text, firms=firms)
        index.add_stored(doc_id, None, mentions_to_json(mentions, firms))
    assert "Shearson" not in {p.name for p in index.persons()}  # a firm's first word in two documents
    index.remove_document(1)
    index.remove_document(2)
    assert "Shearson" in {p.name for p in index.persons()}  # its only documents now call it a manager
