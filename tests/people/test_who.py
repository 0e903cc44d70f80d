"""/who: a name in any spelling, script or case, a role as a timeline, bad input explained; in the
command layer, the CLI, the console and Telegram."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

from bot.commands import Commands
from bot.commands.replies import TextReply, WhoReply
from bot.core import Dossier
from bot.people import PeopleIndex, extract
from bot.render_text import render, who_json
from handlers.render import who as who_html
from tests.conftest import Runner, seed_id
from tests.fakebotapi import BOT_USERNAME, FakeBotApi
from tests.people.conftest import caller, card, index_by_day
from tests.test_cli import run


def test_who_secretary_general_is_a_timeline(commands: Commands, dossier: Dossier) -> None:
    reply = commands.handle("/who secretary general", caller())
    assert isinstance(reply, WhoReply) and reply.kind == "role"
    names = [e.person.name for e in reply.entries]
    assert names == ["Stanislav Zas", "Imangali Tasmagambetov", "Taalatbek Masadykov"]
    cited = [e.roles[0] for e in reply.entries]
    assert [r.date for r in cited[:2]] == [date(2022, 2, 9), date(2024, 12, 5)]
    assert cited[0].doc_id == seed_id(dossier, "004") and cited[1].doc_id == seed_id(dossier, "002")
    text = render(reply)
    assert text.index("Zas") < text.index("Tasmagambetov") < text.index("Masadykov")
    assert "the latest" in text.splitlines()[-1] and "#" in text


@pytest.mark.parametrize(
    ("query", "name"),
    [
        ("Масадыков", "Taalatbek Masadykov"),
        ("masadikov", "Taalatbek Masadykov"),
        ("MASADYKOV", "Taalatbek Masadykov"),
        ("masad", "Taalatbek Masadykov"),
        ("zas", "Stanislav Zas"),
        ("Tasmagambetv", "Imangali Tasmagambetov"),
        ("otunbayeva", "R. Otunbayeva"),
        ("Imnadze", "K. Imnadze"),
        ("kassym-jomart tokayev", "Kassym-Jomart Tokayev"),
    ],
)
def test_who_finds_a_person_in_any_spelling(commands: Commands, query: str, name: str) -> None:
    assert card(commands, query).entries[0].person.name == name


def test_no_match_suggests_the_nearest_names(commands: Commands) -> None:
    reply = commands.handle("/who Masodikof", caller())
    assert isinstance(reply, WhoReply) and reply.kind == "none"
    assert [p.name for p in reply.suggestions][:1] == ["Taalatbek Masadykov"]
    assert "No one called “Masodikof”" in render(reply)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("/who", "Whom are you looking for?"),
        ("/who    ", "Whom are you looking for?"),
        ("/who " + "masadykov " * 200, "too long for a name or a role"),
        ("/who x", "One letter could be anyone"),
        ("/who 12345", "has no letters"),
        ("/who ?!", "has no letters"),
    ],
)
def test_bad_input_is_explained(commands: Commands, text: str, expected: str) -> None:
    reply = commands.handle(text, caller())
    assert isinstance(reply, TextReply) and reply.error
    assert expected in render(reply)


def test_html_in_a_query_is_escaped(commands: Commands) -> None:
    reply = commands.handle("/who <b>zas</b><script>", caller())
    assert isinstance(reply, WhoReply) and reply.kind == "none"
    (message,) = who_html(reply).messages
    assert "<b>zas" not in message.html and "&lt;b&gt;zas&lt;/b&gt;&lt;script&gt;" in message.html


def test_russian_and_english_titles_are_one_post() -> None:
    index = PeopleIndex()
    texts = [
        (date(2022, 2, 9), "CSTO Secretary General Stanislav Zas said the talks went well."),
        (date(2024, 5, 1), "Генеральный секретарь ОДКБ Таалатбек Масадыков заявил, что работа идёт."),
        (date(2023, 3, 1), "Вчера министр иностранных дел России Сергей Лавров сказал это."),
    ]
    for doc_id, (day, text) in enumerate(texts, 1):
        index.add_document(doc_id, day, extract(text, day))
    for query in ("secretary general", "генеральный секретарь", "генсек"):
        holders = index.find(query)
        assert [m.person.name for m in holders] == ["Stanislav Zas", "Таалатбек Масадыков"], query
        assert all(m.kind == "role" for m in holders)
    assert [m.person.name for m in index.find("csto secretary general")] == ["Stanislav Zas"]
    (lavrov,) = index.find("foreign minister")
    assert lavrov.kind == "role" and lavrov.person.name == "Сергей Лавров"
    assert [r.title for r in lavrov.roles] == ["Министр"]


def test_a_russian_query_finds_an_english_name_by_its_sound() -> None:
    index = index_by_day(
        [
            (1, "Dollar\n\nTreasury Secretary James Baker said the dollar was stable."),
            (2, "Dollar\n\nTreasury Secretary James Baker said it again."),
            (3, "Futures\n\nGerald Beyer, senior vice president of the CME, said volume rose."),
            (4, "Rates\n\nFed Chairman Alan Greenspan said no. Chancellor Nigel Lawson agreed."),
        ]
    )
    expected = (("Бейкер", "James Baker"), ("Гринспен", "Alan Greenspan"), ("Лоусон", "Nigel Lawson"))
    for query, name in expected:
        assert index.find(query)[0].person.name == name, query
    assert index.find("Beiker")[0].person.name == "Gerald Beyer"  # Latin letters are matched as spelt


def test_a_russian_query_finds_a_french_name_as_search_hears_it() -> None:
    """ "Ширак" is Chirac: Russian writes the French ch by ear (ш), which the rough sound key keeps
    apart from an English ch; ``/search`` hears them as one, and so does ``/who``."""
    index = index_by_day(
        [
            (1, "France\n\nFrench Prime Minister Jacques Chirac said the franc was stable."),
            (2, "Budget\n\nPrime Minister Jacques Chirac said it again."),
        ]
    )
    assert index.find("Ширак")[0].person.name == "Jacques Chirac"
    assert index.find("Ширака")[0].person.name == "Jacques Chirac"


def test_a_given_name_written_in_cyrillic_by_its_sound_finds_the_person() -> None:
    """ "Жак" is not "Jacques" letter by letter, nor by the surname's sound keys; with "Ширак" beside it,
    a given name beginning with the same sound is enough. Another given name is another person."""
    index = index_by_day(
        [
            (1, "France\n\nFrench Prime Minister Jacques Chirac said the franc was stable."),
            (2, "Budget\n\nPrime Minister Jacques Chirac said it again."),
        ]
    )
    assert [m.person.name for m in index.find("Жак Ширак")] == ["Jacques Chirac"]
    assert index.find("Пьер Ширак") == []


def test_a_role_asked_with_of_and_a_country_finds_the_holders_stated_with_its_adjective() -> None:
    index = index_by_day(
        [
            (1, "Tokyo\n\nJapanese Prime Minister Yasuhiro Nakasone said the yen was too strong."),
            (2, "Ottawa\n\nCanadian Prime Minister Brian Mulroney said trade talks went well."),
        ]
    )
    assert [m.person.name for m in index.find("prime minister of japan")] == ["Yasuhiro Nakasone"]
    assert [m.person.name for m in index.find("canada prime minister")] == ["Brian Mulroney"]


def test_a_role_asked_with_a_country_by_any_of_its_names_finds_the_countrys_holders_only() -> None:
    index = index_by_day(
        [
            (1, "Paris\n\nFrench Finance Minister Edouard Balladur said the franc was stable."),
            (2, "Washington\n\nU.S. President Ronald Reagan said he would veto the bill."),
            (3, "Brasilia\n\nBrazilian President Jose Sarney said the debt talks would resume."),
            (4, "Rio\n\nBrazilian Central Bank President Francisco Gros said reserves were low."),
        ]
    )
    assert [m.person.name for m in index.find("finance minister of france")] == ["Edouard Balladur"]
    assert [m.person.name for m in index.find("president of the united states")] == ["Ronald Reagan"]
    # The president of Brazil, not the president of a Brazilian bank.
    assert [m.person.name for m in index.find("president of brazil")] == ["Jose Sarney"]


def test_cli_who_json(env: dict[str, str]) -> None:
    proc = run(["who", "masadikov", "--json"], env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) == {"query", "people"} and out["query"] == "masadikov"
    (person,) = out["people"]
    assert set(person) == {"name", "aliases", "roles", "documents"}
    assert person["name"] == "Taalatbek Masadykov" and "Talatbek Masadikov" in person["aliases"]
    assert all(set(r) == {"role", "org", "date", "doc_id"} for r in person["roles"])
    assert all(set(d) == {"id", "source", "date", "title"} for d in person["documents"])
    assert {d["source"][:3] for d in person["documents"]} == {"000", "001"}
    proc = run(["who", "--all", "--json"], env)
    every = json.loads(proc.stdout)
    names = {p["name"] for p in every["people"]}
    assert every["query"] is None and len(names) == 9
    assert {"Stanislav Zas", "R. Otunbayeva", "K. Imnadze", "Kassym-Jomart Tokayev"} <= names
    proc = run(["who", "x"], env)
    assert proc.returncode == 1 and "One letter" in proc.stdout
    proc = run(["who", "secretary", "general"], env)
    assert proc.returncode == 0 and "Stanislav Zas" in proc.stdout


def test_who_json_of_a_refusal_keeps_the_shape(commands: Commands) -> None:
    out = who_json(commands.who(""), "")
    assert out["people"] == [] and "Whom" in out["message"]


def test_console_answers_who(env: dict[str, str]) -> None:
    proc = run(["console"], env, stdin="/who zas\n/who\n/help\n")
    assert proc.returncode == 0, proc.stderr
    assert "Stanislav Zas" in proc.stdout and "Secretary-General, CSTO — 2022-02-09" in proc.stdout
    assert "Whom are you looking for?" in proc.stdout and "/who <name or role>" in proc.stdout


async def test_who_in_private_and_in_a_group(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot():
        botapi.user_message("/who Масадыков")
        sent = await botapi.wait_for("sendMessage")
        text = sent.params["text"]
        assert "<b>Taalatbek Masadykov</b>" in text and "Talatbek Masadikov" in text
        assert sent.params["parse_mode"] == "HTML"
        group = botapi.group(forum=True)
        asked = botapi.user_message(f"/who@{BOT_USERNAME} secretary general", chat=group, thread_id=7)
        sent = await botapi.wait_for("sendMessage", chat_id=group.id)
        assert sent.params["message_thread_id"] == 7
        assert sent.params["reply_parameters"]["message_id"] == asked["message_id"]
        body = sent.params["text"]
        assert body.index("Stanislav Zas") < body.index("Imangali Tasmagambetov") < body.index("Masadykov")
        botapi.user_message("/who")
        usage = await botapi.wait_for("sendMessage")
        assert "Whom are you looking for?" in usage.params["text"]
        botapi.user_message("/who <script>alert(1)</script>")
        escaped = await botapi.wait_for("sendMessage")
        assert "&lt;script&gt;" in escaped.params["text"]


async def test_pick_buttons_open_a_card(botapi: FakeBotApi, run_bot: Runner, big_corpus: Path) -> None:
    (big_corpus / "other_zas.txt").write_text(
        "Another Zas\n\n02 May 2023\n\nDeputy Finance Minister Nikolai Zas said the budget was tight.\n",
        encoding="utf-8",
    )
    async with run_bot():
        botapi.user_message("/who zas")
        sent = await botapi.wait_for("sendMessage")
        assert "2</b> people match" in sent.params["text"]
        buttons = [b for row in sent.params["reply_markup"]["inline_keyboard"] for b in row]
        assert {b["text"] for b in buttons} == {"Stanislav Zas", "Nikolai Zas"}
        assert all(
            b["callback_data"].startswith("w:") and len(b["callback_data"].encode()) <= 64 for b in buttons
        )
        botapi.press_button(sent, text="Nikolai Zas")
        picked = await botapi.wait_for("sendMessage", lambda c: "Nikolai Zas" in (c.text or ""))
        assert "Deputy Finance Minister" in picked.params["text"] and "Stanislav" not in picked.params["text"]
        assert (await botapi.wait_for("answerCallbackQuery")).ok
        botapi.press_button(sent, data="w:nobody at all", check=False)
        gone = await botapi.wait_for("sendMessage", lambda c: "No one called" in (c.text or ""))
        assert "nobody at all" in gone.params["text"]
