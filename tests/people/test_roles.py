"""Roles read next to a name: titles before it (English, Russian, dotted), appositions after it, and
what is no role (a title heading its own clause, places after a plural title)."""

from __future__ import annotations

from datetime import date

from bot.people import PeopleIndex, Role, extract


def test_russian_titles_before_the_name_and_their_organisation_after_the_title() -> None:
    day = date(2024, 5, 1)
    (m,) = extract("Генеральный секретарь ОДКБ Таалатбек Масадыков заявил, что работа идёт.", day)
    assert (m.name, m.evidence, m.role) == (
        "Таалатбек Масадыков",
        "stated",
        Role("Генеральный секретарь", "ОДКБ", day),
    )
    (m,) = extract("Президент Казахстана Касым-Жомарт Токаев заявил это.", day)
    assert (m.name, m.role) == ("Касым-Жомарт Токаев", Role("Президент", "Казахстана", day))
    (m,) = extract("Вчера министр иностранных дел России Сергей Лавров сказал это.", day)
    assert (m.name, m.role) == ("Сергей Лавров", Role("Министр", "иностранных дел России", day))
    index = PeopleIndex()
    index.add_document(1, date(2024, 5, 1), extract("Генеральный секретарь ОДКБ Таалатбек Масадыков заявил."))
    (match,) = index.find("секретарь")
    assert match.kind == "role" and match.person.name == "Таалатбек Масадыков"


def test_chief_of_staff_before_a_name_is_a_role() -> None:
    (m,) = extract("White House chief of staff Donald Regan said the talks failed.", date(1987, 2, 1))
    assert m.role == Role("Chief of Staff", "White House", date(1987, 2, 1))
    (m,) = extract("Chief of Staff Donald Regan said so.")
    assert (m.name, m.role and m.role.title) == ("Donald Regan", "Chief of Staff")
    found = extract("He named Thomas Griscom, a longtime aide to chief of staff Howard Baker, to the post.")
    assert {(x.name, x.role and x.role.title) for x in found} == {
        ("Thomas Griscom", "Aide"),
        ("Howard Baker", "Chief of Staff"),
    }
    index = PeopleIndex()
    index.add_document(1, date(1987, 2, 1), extract("White House chief of staff Donald Regan said no."))
    (match,) = index.find("chief of staff")
    assert match.kind == "role" and match.person.name == "Donald Regan"


def test_a_title_after_a_comma_that_heads_its_own_clause_is_no_apposition() -> None:
    # Wire copy: the title after the comma is the subject of the next clause, not the name before it.
    text = "In response to questions from Reuters, the Henley spokesman\nsaid the filing was late."
    assert extract(text) == []
    (m,) = extract("In an interview with Reuters, chairman G. Robert Durham\nsaid demand was strong.")
    assert (m.name, m.role and m.role.title) == ("G. Robert Durham", "Chairman")
    (m,) = extract("Paul Volcker, chairman of the Federal Reserve Board, said rates would hold.")
    assert (m.name, m.role and m.role.title) == ("Paul Volcker", "Chairman")
    found = extract("Swire may join the new airport for Hong Kong, chairman of both Michael Miles said.")
    assert [(x.name, x.role) for x in found if x.evidence == "stated"] == []
    (m, _) = extract("Taalatbek Masadykov, the new Secretary General of the CSTO. Zas said so.")
    assert (m.name, m.role and m.role.title) == ("Taalatbek Masadykov", "Secretary General")


def test_places_listed_after_a_plural_title_are_no_holders() -> None:
    found = extract("Finance ministers of Britain, Canada, France and Japan agreed on Sunday.")
    assert [m for m in found if m.evidence == "stated" or m.role is not None] == []
    found = extract("The talks were with Japan and Canada, including Secretary of State\nGeorge Shultz.")
    assert [(m.name, m.role and m.role.title) for m in found] == [("George Shultz", "Secretary")]
    (m,) = extract("The president of Kazakhstan, Kassym-Jomart Tokayev, declared it.")
    assert m.role == Role("President", "Kazakhstan")


def test_a_dotted_title_before_a_name_is_its_post_and_no_name_of_its_own() -> None:
    text = (
        '"It is a snake pit," said Wisconsin Rep. Toby Roth. Reagan met Sen.\nBob Dole on Monday.\n'
        "Mr. Smith, who runs a bakery, agreed. Mr. Rooter Corp said it rescinded the pact, and Mr. Rooter "
        "said it would sue. Cambodia's leader is Hun Sen. The talks go on."
    )
    found = {
        (m.name, m.evidence, m.role.title if m.role else None, m.role.org if m.role else None)
        for m in extract(text)
    }
    assert ("Toby Roth", "stated", "Representative", "Wisconsin") in found
    assert ("Bob Dole", "stated", "Senator", None) in found
    assert ("Smith", "stated", None, None) in found
    names = {f[0] for f in found}
    assert "Hun Sen" in names  # no name after "Sen.": the run keeps its surname
    assert not names & {"Wisconsin Rep", "Wisconsin", "Sen", "Rep", "Rooter"}  # Mr. Rooter is a firm here


def test_an_organisation_after_and_is_another_titles_not_the_name_before() -> None:
    text = (
        "Reagan met Vice-President George Bush and Senate Minority Leader Robert Dole on Monday, and "
        "Dainippon Ink and Chemicals Inc said it would buy the unit."
    )
    firms: list[str] = []
    found = {m.name: m.role for m in extract(text, firms=firms)}
    bush, dole = found["George Bush"], found["Robert Dole"]
    assert bush is not None and bush.title == "Vice-President"
    assert dole is not None and (dole.title, dole.org) == ("Leader", "Senate Minority")
    assert "Dainippon Ink" not in found and "Dainippon Ink" in firms
    text = "He said Byrd and House Speaker Jim Wright agreed."
    wright = {m.name: m.role for m in extract(text)}["Jim Wright"]
    assert wright is not None and wright.org == "House"  # not "Byrd and House"
    text = "Brazilian Science and Technology Minister Renato Archer said."
    archer = {m.name: m.role for m in extract(text)}["Renato Archer"]
    assert archer is not None and archer.org == "Brazilian Science and Technology"


def test_an_organisations_adjective_stays_in_its_name() -> None:
    text = (
        "Federal Reserve Board Chairman Paul Volcker and New York Stock Exchange Chairman John Phelan "
        "spoke. Using President Reagan as a shield, Outgoing United States Ambassador Mike Mansfield said."
    )
    orgs = {m.name: (m.role.org, m.role.former) if m.role else None for m in extract(text)}
    assert orgs["Paul Volcker"] == ("Federal Reserve Board", False)
    assert orgs["John Phelan"] == ("New York Stock Exchange", False)
    assert orgs["Reagan"] == (None, False)  # not President of "Using"
    assert orgs["Mike Mansfield"] == ("United States", True)


def test_an_acronym_ends_no_apposition_and_a_leading_deputy_belongs_to_the_title() -> None:
    text = (
        "Talks are close, said David Mulford, Assistant Secretary of the U.S. Treasury. Prices rose, "
        "said Frederick Meinke, analyst at E.F. Hutton Co. He expects more.\n"
        "Deputy U.S. Trade Representative Michael Smith said so. Acting SEC Chairman Charles Cox agreed. "
        "Vice Chairman and Chief Financial Officer John Reed said nothing."
    )
    roles = {m.name: (m.role.title, m.role.org) for m in extract(text) if m.role}
    assert roles["David Mulford"] == ("Assistant Secretary", "U.S. Treasury")  # the organisation was "U"
    assert roles["Frederick Meinke"] == ("Analyst", "E.F. Hutton Co")  # was "E"
    assert roles["Michael Smith"] == ("Deputy Trade Representative", "U.S.")  # was of "Deputy U.S."
    assert roles["Charles Cox"] == ("Acting Chairman", "SEC")
    assert roles["John Reed"][0] != "Vice Officer"  # a title after "Vice", not an organisation
