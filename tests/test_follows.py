"""Follows: the matcher (persons through the people index, queries through the percolator and its
relevance floor), alerts delivered exactly once, quiet hours, and the bot through the fake Bot API:
/follow, /following with its buttons, /unfollow, /quiet, folded alerts, a group's digest section."""

from __future__ import annotations

import asyncio
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from bot.commands import Caller, Commands
from bot.commands.replies import FollowListReply, FollowPickReply, TextReply
from bot.core import Dossier
from bot.digest import DigestPart, MessageGone
from bot.follows.alerts import ALERT_INTERVAL, abandon_alert, build_alert, deliver_alert, in_quiet_hours
from bot.follows.matcher import FollowMatcher
from bot.ingest import prepare_text
from bot.models import Follow
from handlers.context import DossierApp, Services
from tests.conftest import Runner
from tests.fakebotapi import FakeBotApi

ME = Caller(user_id=11, chat_id=11, transport="telegram")


def add(dossier: Dossier, title: str, body: str) -> int:
    outcome = dossier.add_prepared(
        prepare_text(f"{title[:30]}-{abs(hash(body))}.txt", f"{title}\n\n{body}"), "t"
    )
    assert outcome.doc_id is not None
    return outcome.doc_id


def follow(dossier: Dossier, kind: str, target: str, chat: int = 11, mode: str = "instant") -> Follow:
    return dossier.store.add_follow(chat, None, kind, target, target, mode, 1)[0]


def matched(dossier: Dossier, chat: int = 11) -> dict[int, set[str]]:
    """Run the matcher; each document of ``chat``'s unsent hits with the follows it matched."""
    FollowMatcher(dossier).run()
    out: dict[int, set[str]] = {}
    for hit in dossier.store.unsent_hits(chat, 1000) + dossier.store.digest_hits(chat, 0, 10**9):
        out.setdefault(hit.doc_id, set()).add(hit.label)
    return out


# ----------------------------------------------------------------- matching
def test_a_query_follow_forgives_typos_transliteration_and_the_other_language(dossier: Dossier) -> None:
    follow(dossier, "query", "coffee harvest")
    follow(dossier, "query", "Tasmagambetov -sanctions")  # an operator: words, not the person
    follow(dossier, "query", "кофе")
    coffee = add(dossier, "Coffee harvest fails", "The coffee harvest in Brazil failed after frost hit.")
    typo = add(dossier, "Envoy named", "Imangali Tasmagambetv was named envoy to Moscow on Monday.")
    latin = add(dossier, "Тасмагамбетов назначен", "Имангали Тасмагамбетов назначен послом в Москве.")
    found = matched(dossier)
    assert found[coffee] == {"coffee harvest", "кофе"}  # one document, both follows named
    assert found[typo] == {"Tasmagambetov -sanctions"} and found[latin] == {"Tasmagambetov -sanctions"}


def test_one_stray_fuzzy_word_or_a_passing_mention_fires_nothing(dossier: Dossier) -> None:
    follow(dossier, "query", "gold")
    follow(dossier, "query", "coffee")
    add(dossier, "Golf results", "A good golf player won the cup; the hold was cold and bold.")
    long_body = " ".join(f"Trade talks item {i} went on with tariffs and quotas." for i in range(60))
    add(dossier, "Trade talks continue", long_body + " Delegates drank coffee.")
    both = add(dossier, "Gold and coffee", "Gold rose. Coffee fell. Gold traders and coffee buyers met.")
    assert matched(dossier) == {both: {"gold", "coffee"}}


def test_a_lower_case_typo_of_a_word_the_corpus_lacks_is_not_a_name(dossier: Dossier) -> None:
    """ "nikel" is not in the corpus: its neighbours nickel, Nikkei and Nike are all one edit or two away;
    typed in lower case it is a common word, so the names (written capitalised past a sentence's start)
    do not fire. Typed capitalised, a name may be what was meant."""
    for i in range(3):
        add(dossier, f"Tokyo stocks {i}", f"In Tokyo the Nikkei average rose {i} pct; the Nikkei gained.")
        add(dossier, f"Sports shoes {i}", f"Shares of Nike rose {i} pct as Nike sold more shoes.")
    follow(dossier, "query", "nikel")
    metal = add(dossier, "Nickel output rises", "World nickel output rose; nickel prices fell.")
    index = add(dossier, "Tokyo stocks close", "In Tokyo the Nikkei average fell; the Nikkei lost ground.")
    shoes = add(dossier, "Nike results", "Shares of Nike fell as Nike sold fewer shoes.")
    assert matched(dossier) == {metal: {"nikel"}}
    assert index not in matched(dossier) and shoes not in matched(dossier)


def test_a_table_of_figures_fires_a_word_follow_only_when_its_title_names_the_word(dossier: Dossier) -> None:
    """LME ring volumes list copper as one row among many: the table is about the market, not copper."""
    follow(dossier, "query", "copper")
    rows = "Copper 12,400 13,100 950. Zinc 4,150 4,300 120. Lead 2,200 2,250 75. Nickel 310 320 18."
    volumes = add(dossier, "LME metal ring volumes - Apr 7", f"{rows} Tin 55 60 3. Alum 9,800 9,950 410.")
    titled = add(dossier, "Copper stocks 12,400 tonnes - Apr 7", f"{rows} Copper 12,400 13,100 950 1,200.")
    story = add(dossier, "Copper price rises", "Copper rose on strikes at mines; copper stocks fell.")
    found = matched(dossier)
    assert volumes not in found and {titled, story} <= set(found)


def test_a_common_word_is_not_the_typo_of_another(dossier: Dossier) -> None:
    for i in range(3):
        add(dossier, f"Barley crop {i}", f"The barley crop of region {i} grew; barley exports rose.")
    for i in range(3):  # a common word of its own, not a rare variant of "barley"
        add(dossier, f"Prices barely moved {i}", f"Prices barely moved on day {i}; they barely changed.")
    follow(dossier, "query", "barley")
    add(dossier, "Markets barely moved", "Markets barely moved; barely anyone traded.")
    kept = add(dossier, "Barley exports", "Barley exports rose; barley stocks fell.")
    assert set(matched(dossier)) == {kept}


def test_a_word_folded_together_with_another_common_word_is_told_apart(dossier: Dossier) -> None:
    """ "copper" folds as "cooperation" and "Cooper" do (doubled letters are one, for transliterated
    names): where the corpus has both as words of their own, a copper follow fires on copper only."""
    for i in range(4):
        add(dossier, f"Cooperation pact {i}", f"Economic cooperation grew in year {i}; cooperation deepened.")
        add(dossier, f"Copper output {i}", f"Copper output of mine {i} rose; copper prices held.")
    for i in range(12):
        add(dossier, f"Energy report {i}", f"Energy Secretary John Herrington spoke on oil, day {i}.")
    add(dossier, "Energy misprint", "Energy Secretary John Herington spoke on gas.")
    follow(dossier, "query", "copper")
    # names followed as words (an excluded word keeps them so; alone, they would be the persons)
    follow(dossier, "query", "Tasmagambetov -sanctions")
    follow(dossier, "query", "Herington -sanctions")  # the follow misspelt as the corpus once is
    pact = add(dossier, "Cooperation talks", "Cooperation talks resumed; both sides want cooperation.")
    mine = add(dossier, "Copper mine", "The copper mine reopened; copper shipments resume.")
    typo = add(dossier, "Envoy named", "Imangali Tasmagambetv was named envoy to Moscow on Monday.")
    energy = add(dossier, "Herrington on oil", "Energy Secretary John Herrington said oil imports rose.")
    found = matched(dossier)
    assert pact not in found and found[mine] == {"copper"} and found[typo] == {"Tasmagambetov -sanctions"}
    assert found[energy] == {"Herington -sanctions"}


def test_excluded_words_phrases_and_dates_hold_as_in_search(dossier: Dossier) -> None:
    follow(dossier, "query", 'coffee -futures "coffee harvest"')
    add(dossier, "Coffee futures", "Coffee harvest news moved coffee futures higher in New York.")
    add(dossier, "Coffee prices", "Coffee prices rose as the harvest of coffee was late.")
    kept = add(dossier, "Coffee harvest late", "The coffee harvest was late this year in Colombia.")
    assert set(matched(dossier)) == {kept}


def test_only_documents_arriving_after_the_follow_match(dossier: Dossier) -> None:
    before = add(dossier, "Coffee before", "Coffee harvest news from before the follow was made.")
    follow(dossier, "query", "coffee harvest")
    after = add(dossier, "Coffee after", "Coffee harvest news from after the follow was made.")
    assert set(matched(dossier)) == {after} and before < after


def test_a_person_follow_takes_every_spelling_and_not_a_namesake_or_a_firm(dossier: Dossier) -> None:
    person = dossier.who("Masadykov")[0].person
    follow(dossier, "person", person.key)
    spelt = add(dossier, "CSTO chief speaks", "Secretary General Talatbek Masadikov said the CSTO is ready.")
    cyrillic = add(dossier, "Глава ОДКБ", "Генеральный секретарь ОДКБ Таалатбек Масадыков заявил о планах.")
    firm = add(dossier, "Masadykov Trading", "Shares of Masadykov Trading Co rose after the company said so.")
    found = matched(dossier)
    assert spelt in found and cyrillic in found and firm not in found
    hits = {h.doc_id: h.passage for h in dossier.store.unsent_hits(11, 10)}
    assert "Masadikov" in hits[spelt]  # the sentence that names him


def test_a_person_follow_fires_on_every_document_that_names_the_person(dossier: Dossier) -> None:
    """Named in the title, in the lead, or once deep in a long story about something else: each is a
    document the follower wants (judged by reading, ``bot.follows.salience``). A story that does not
    name them, though it speaks of their organisation, is not."""
    person = dossier.who("Masadykov")[0].person
    follow(dossier, "person", person.key)
    filler = " ".join(f"Trade talks item {i} went on with tariffs and quotas." for i in range(30))
    said = "Secretary General Talatbek Masadikov said the CSTO is ready."
    once = add(dossier, "Trade talks continue", f"{filler} {said}")
    lead = add(dossier, "Security talks open", f"{said} {filler}")
    titled = add(dossier, "Masadikov on trade", f"{filler} {said}")
    other = add(dossier, "CSTO talks go on", f"{filler} The CSTO secretariat said talks go on.")
    found = matched(dossier)
    assert {once, lead, titled} <= set(found) and other not in found


def test_a_common_spelling_variant_of_a_followed_word_counts_as_the_word(dossier: Dossier) -> None:
    """ "aluminum" is common beside "aluminium", as "barely" is beside "barley"; but the lexicon
    translates both as one word ("алюминий"): a spelling of the word, not another word."""
    for i in range(4):
        add(dossier, f"Aluminium output {i}", f"Aluminium output of smelter {i} rose; aluminium prices held.")
        add(dossier, f"Aluminum output {i}", f"Aluminum output of plant {i} rose; aluminum prices held.")
    follow(dossier, "query", "aluminium")
    american = add(dossier, "Aluminum smelter", "The aluminum smelter reopened; aluminum shipments resume.")
    assert american in matched(dossier)


def test_a_followed_word_inside_a_firms_name_is_the_firm(dossier: Dossier) -> None:
    follow(dossier, "query", "rubber")
    firm = add(dossier, "GOODYEAR <GT> NET RISES", "Goodyear Tire and Rubber Co said net income rose 12 pct.")
    ticker = add(dossier, "FIRESTONE RUBBER <FIR> SEES GAIN", "The company said sales of tyres rose.")
    kept = add(
        dossier, "Rubber prices rise", "Natural rubber prices rose in Kuala Lumpur; rubber stocks fell."
    )
    found = matched(dossier)
    assert firm not in found and ticker not in found and kept in found


def test_a_kept_matcher_takes_in_new_follows_removed_ones_and_new_words(dossier: Dossier) -> None:
    """The bot keeps one matcher: its percolator and person identities are updated, not rebuilt, and
    match what a matcher made anew would."""
    matcher = FollowMatcher(dossier)
    coffee = follow(dossier, "query", "coffee")
    first = add(dossier, "Coffee harvest", "The coffee harvest in Brazil failed; coffee prices rose.")
    assert matcher.run() == 1
    follow(dossier, "query", "wombat")  # a word no document has yet: it comes with the next one
    person = dossier.who("Masadykov")[0].person
    follow(dossier, "person", person.key)
    assert dossier.store.remove_follow(11, coffee.id) is not None
    docs = [
        add(dossier, "Wombats dig", "Wombats dig burrows; a wombat colony grew on the dunes."),
        add(dossier, "Coffee again", "Coffee prices rose again; coffee stocks fell."),
        add(dossier, "Глава ОДКБ", "Генеральный секретарь ОДКБ Таалатбек Масадыков заявил о планах."),
    ]
    stored = dossier.store.get_many(docs)
    labels = {f.id: f.label for f in dossier.store.follows()}
    fresh, _ = FollowMatcher(dossier).match([stored[i] for i in docs], dossier.store.follows())
    assert matcher.run() == 2
    hits = dossier.store.unsent_hits(11, 100)
    got = {(h.doc_id, h.follow_id) for h in hits if h.doc_id != first}
    assert {(doc_id, labels[f]) for doc_id, f in got} == {(docs[0], "wombat"), (docs[2], person.key)}
    assert got == {(h.doc_id, h.follow_id) for h in fresh}


def test_documents_another_process_stores_are_matched_after_catch_up(data_dir: Path) -> None:
    mine, theirs = Dossier.open(data_dir), Dossier.open(data_dir)
    try:
        follow(mine, "query", "quokka")
        matcher = FollowMatcher(mine)
        assert matcher.run() == 0
        doc = add(theirs, "Quokka census", "Rottnest Island counted its quokkas; the quokka count rose.")
        assert matcher.run() == 0 and mine.store.follow_cursor() < doc  # not in this index yet: waits
        assert mine.catch_up() == 1
        assert matcher.run() == 1
        assert [h.doc_id for h in mine.store.unsent_hits(11, 10)] == [doc]
    finally:
        mine.close()
        theirs.close()


def test_two_replicas_record_a_batch_once(dossier: Dossier) -> None:
    follow(dossier, "query", "coffee harvest")
    add(dossier, "Coffee harvest", "The coffee harvest failed.")
    one, two = FollowMatcher(dossier), FollowMatcher(dossier)
    store = dossier.store
    cursor = store.follow_cursor()
    docs, _, _ = store.documents_after(cursor, 100)
    hits, upto = one.match(docs, store.follows())
    again, _ = two.match(docs, store.follows())
    assert store.record_hits(cursor, upto, hits) and not store.record_hits(cursor, upto, again)
    assert two.run() == 0 and len(store.unsent_hits(11, 10)) == 1


# ----------------------------------------------------------------- alerts
class Parts:
    """A PartSender in memory (as tests/test_digest.py has): message ids to what they hold."""

    def __init__(self, kill_after: str | None = None) -> None:
        self.messages: dict[int, object] = {}
        self.kill_after = kill_after

    async def open(self, part: DigestPart) -> int:
        message_id = len(self.messages) + 1
        self.messages[message_id] = "opening"
        if self.kill_after == "open":
            raise KeyboardInterrupt
        return message_id

    async def fill(self, part: DigestPart, message_id: int) -> None:
        if message_id not in self.messages:
            raise MessageGone("gone")
        self.messages[message_id] = part.payload
        if self.kill_after == "fill":
            raise KeyboardInterrupt

    async def withdraw(self, message_id: int) -> None:
        self.messages.pop(message_id, None)


async def test_a_burst_is_one_alert_delivered_once_across_kills(
    dossier: Dossier, monkeypatch: pytest.MonkeyPatch
) -> None:
    follow(dossier, "query", "coffee harvest")
    ids = [add(dossier, f"Coffee harvest {i}", f"The coffee harvest report number {i}.") for i in range(5)]
    FollowMatcher(dossier).run()
    store = dossier.store
    alert = build_alert(store, store, 11)
    assert alert is not None and alert.total == 5 and [e.doc.id for e in alert.entries] == ids
    assert alert.labels == ("coffee harvest",)
    killed = Parts(kill_after="open")
    with pytest.raises(KeyboardInterrupt):
        await deliver_alert(store, 11, alert, "whole alert", killed)
    assert store.alert_inflight(11) is not None and store.unsent_hits(11, 10)  # nothing confirmed
    parts = Parts()
    # No id recorded: a claim this fresh may be another replica's, posting it now; once old, it is
    # taken as killed and the alert posted anew.
    assert not await deliver_alert(store, 11, alert, "whole alert", parts) and not parts.messages
    monkeypatch.setattr("bot.follows.alerts.CLAIM_SECONDS", timedelta(0))
    assert await deliver_alert(store, 11, alert, "whole alert", parts)
    assert list(parts.messages.values()) == ["whole alert"] and build_alert(store, store, 11) is None
    # Killed after the edit, before the confirmation: the restart edits the same message again.
    more = add(dossier, "Coffee harvest 6", "The coffee harvest report number six.")
    FollowMatcher(dossier).run()
    second = build_alert(store, store, 11)
    assert second is not None and [e.doc.id for e in second.entries] == [more]
    killed = Parts(kill_after="fill")
    with pytest.raises(KeyboardInterrupt):
        await deliver_alert(store, 11, second, "second", killed)
    killed.kill_after = None
    await deliver_alert(store, 11, second, "second", killed)
    assert list(killed.messages.values()) == ["second"] and store.alert_chats() == []
    await abandon_alert(store, 11, killed)  # nothing in flight: nothing happens


def test_quiet_hours_span_midnight() -> None:
    assert in_quiet_hours(("22:00", "08:00"), datetime(2026, 1, 1, 23, 30))
    assert in_quiet_hours(("22:00", "08:00"), datetime(2026, 1, 1, 7, 59))
    assert not in_quiet_hours(("22:00", "08:00"), datetime(2026, 1, 1, 8, 0))
    assert in_quiet_hours(("13:00", "14:00"), datetime(2026, 1, 1, 13, 0))
    assert not in_quiet_hours(None, datetime(2026, 1, 1, 13, 0))


# ----------------------------------------------------------------- commands
def test_follow_commands_in_a_private_chat(commands: Commands, dossier: Dossier) -> None:
    reply = commands.handle("/follow Masadykov", ME)
    assert isinstance(reply, TextReply) and "Following Taalatbek Masadykov" in str(reply.lines[0])
    assert "alert within a minute" in str(reply.lines[1])
    commands.handle('/follow digest: "coffee harvest" -futures', ME)
    listed = commands.handle("/following", ME)
    assert isinstance(listed, FollowListReply)
    assert [(f.kind, f.label, f.mode) for f in listed.follows] == [
        ("person", "Taalatbek Masadykov", "instant"),
        ("query", '"coffee harvest" -futures', "digest"),
    ]
    assert "already follows" in str(commands.handle("/follow Masadykov", ME).lines[0])  # type: ignore[union-attr]
    for bad in ("/unfollow", "/unfollow x", "/unfollow 9", "/follow", "/follow -x", "/quiet 25:00-08:00"):
        answer = commands.handle(bad, ME)
        assert isinstance(answer, TextReply) and answer.error, bad
    gone = commands.handle("/unfollow 1", ME)
    assert isinstance(gone, TextReply) and "No longer following Taalatbek Masadykov" in str(gone.lines[0])
    assert "22:00–08:00" in str(commands.handle("/quiet 22:00-08:00", ME).lines[0])  # type: ignore[union-attr]
    assert dossier.store.quiet_hours(11) == ("22:00", "08:00")
    commands.handle("/quiet off", ME)
    assert dossier.store.quiet_hours(11) is None


def test_a_common_word_that_some_person_carries_is_followed_as_words(
    commands: Commands, dossier: Dossier
) -> None:
    add(dossier, "Coffee board", "Chairman John Coffee said the board would meet again.")
    for i in range(6):
        add(dossier, f"Coffee prices {i}", f"Coffee prices rose on day {i} as coffee stocks fell.")
    assert [m.person.name for m in dossier.who("coffee") if m.kind == "name"] == ["John Coffee"]
    reply = commands.handle("/follow coffee", ME)
    assert isinstance(reply, TextReply) and "the words “coffee”" in str(reply.lines[0])


def test_an_ambiguous_name_asks_which_one(commands: Commands, dossier: Dossier) -> None:
    for role, first, n in (("Treasury Secretary", "James", 4), ("Senator", "Howard", 3)):
        for i in range(n):
            add(
                dossier, f"Baker news {first} {i}", f"{role} {first} Baker said on day {i} that all was well."
            )
    reply = commands.handle("/follow Baker", ME)
    assert isinstance(reply, FollowPickReply)
    assert {p.name for p in reply.persons} >= {"James Baker", "Howard Baker"}
    key = next(p.key for p in reply.persons if p.name == "Howard Baker")
    picked = commands.follow_commands.follow_pick(key, None, ME)
    assert isinstance(picked, TextReply) and "Following Howard Baker" in str(picked.lines[0])
    quoted = commands.handle('/follow "Baker"', ME)  # quotes: the words, not a person
    assert isinstance(quoted, TextReply) and "words" in str(quoted.lines[0])


# ----------------------------------------------------------------- the bot
def services(app: DossierApp) -> Services:
    s = app.bot_data["services"]
    assert isinstance(s, Services)
    return s


@pytest.fixture
def fast_alerts(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("handlers.follows.ALERT_INTERVAL", 0.3)


def labels(call: Any) -> list[str]:
    return [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]


async def alerts_counted(app: DossierApp, outcome: str, at_least: float = 1.0) -> float:
    """The alerts counted with ``outcome`` once they reach ``at_least`` (counted just after delivery)."""
    registry = services(app).dossier.metrics.registry
    for _ in range(100):
        n = registry.get_sample_value("dossier_alerts_total", {"outcome": outcome}) or 0.0
        if n >= at_least:
            return n
        await asyncio.sleep(0.05)
    return n


@pytest.mark.usefixtures("fast_alerts")
async def test_follow_then_a_folded_alert_then_remove_by_button(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot() as app:
        botapi.user_message("/follow Masadykov")
        confirm = await botapi.wait_for("sendMessage")
        assert "Following Taalatbek Masadykov" in confirm.params["text"]
        dossier = services(app).dossier
        ids = [
            add(dossier, f"CSTO report {i}", f"Secretary General Talatbek Masadikov spoke at meeting {i}.")
            for i in range(3)
        ]
        alert = await botapi.wait_for(
            "editMessageText", lambda c: "new documents match" in (c.text or ""), timeout=10
        )
        assert "3 new documents match Taalatbek Masadykov" in alert.params["text"]
        assert labels(alert) == [f"Open #{i}" for i in ids]
        assert "Masadikov spoke at meeting 0" in alert.params["text"]
        assert await alerts_counted(app, "sent") == 1
        botapi.user_message("/following")
        listing = await botapi.wait_for("sendMessage", lambda c: "follows:" in (c.text or ""))
        assert "1. <b>Taalatbek Masadykov</b>" in listing.params["text"]
        assert labels(listing) == ["✕ Taalatbek Masadykov", "1: to the digest"]
        botapi.press_button(listing, text="✕ Taalatbek Masadykov")
        edited = await botapi.wait_for("editMessageText", lambda c: "nothing yet" in (c.text or ""))
        assert edited.params["message_id"] == listing.result["message_id"]
        add(dossier, "CSTO report 9", "Secretary General Talatbek Masadikov spoke again.")
        await asyncio.sleep(1.0)
        assert not [c for c in botapi.sent("sendMessage") if "match" in (c.text or "")][1:]


@pytest.mark.usefixtures("fast_alerts")
async def test_quiet_hours_hold_alerts_until_they_end(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot() as app:
        now = datetime.now(services(app).settings.tz)
        start, end = f"{(now.hour - 1) % 24:02d}:00", f"{(now.hour + 2) % 24:02d}:00"
        botapi.user_message('/follow "coffee harvest"')
        await botapi.wait_for("sendMessage")
        botapi.user_message(f"/quiet {start}-{end}")
        await botapi.wait_for("sendMessage", lambda c: "Quiet hours" in (c.text or ""))
        add(services(app).dossier, "Coffee harvest", "The coffee harvest failed in Brazil.")
        await asyncio.sleep(1.5)
        assert not botapi.sent("editMessageText")
        assert services(app).dossier.store.alert_chats() == [botapi.default_user.id]
        assert await alerts_counted(app, "held") >= 1 and await alerts_counted(app, "sent", 0) == 0
        botapi.user_message("/quiet off")
        alert = await botapi.wait_for("editMessageText", lambda c: "1 new document matches" in (c.text or ""))
        assert "coffee harvest" in alert.params["text"]
        assert await alerts_counted(app, "sent") == 1


async def test_an_upload_is_alerted_within_seconds_not_at_the_next_regular_run(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    async with run_bot(DOSSIER_ADMIN_IDS=str(botapi.default_user.id)):
        botapi.user_message('/follow "coffee harvest"')
        await botapi.wait_for("sendMessage")
        await asyncio.sleep(2.5)  # the regular job's first run is over: its next is ALERT_INTERVAL away
        botapi.user_document(b"Coffee harvest\n\nThe coffee harvest failed in Brazil.", "coffee.txt")
        alert = await botapi.wait_for(
            "editMessageText", lambda c: "1 new document matches" in (c.text or ""), timeout=10
        )
        assert "coffee harvest" in alert.params["text"] and ALERT_INTERVAL > 10


@pytest.mark.usefixtures("fast_alerts")
async def test_a_group_follows_in_its_digest_set_by_its_admins(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Analysts")
    boss, member = botapi.user("Boss"), botapi.user("Member")
    botapi.set_member(group, boss, "administrator")
    botapi.set_member(group, member, "member")
    async with run_bot(DOSSIER_DIGEST_SCHEDULE="every 1s") as app:
        botapi.user_message("/follow coffee", user=member, chat=group)
        refused = await botapi.wait_for("sendMessage")
        assert "administrators" in refused.params["text"]
        botapi.user_message("/subscribe", user=boss, chat=group)
        await botapi.wait_for("sendMessage")
        botapi.user_message("/follow coffee", user=boss, chat=group)
        confirm = await botapi.wait_for("sendMessage")
        assert "lead this chat's next digest" in confirm.params["text"]
        dossier = services(app).dossier
        other = add(dossier, "Tin prices", "Tin prices rose on the London market.")
        coffee = add(dossier, "Coffee exports", "Coffee exports from Brazil fell; coffee stocks grew.")
        digest = await botapi.wait_for("editMessageText", lambda c: "Digest" in (c.text or ""), timeout=10)
        text = digest.params["text"]
        assert "Following coffee" in text and text.index(f"#{coffee}") < text.index(f"#{other}")
        assert not [c for c in botapi.sent("sendMessage") if "match" in (c.text or "")]  # no instant alert


@pytest.mark.usefixtures("fast_alerts")
async def test_pick_a_person_by_button_and_switch_the_mode(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot() as app:
        dossier = services(app).dossier
        for role, first, n in (("Treasury Secretary", "James", 4), ("Senator", "Howard", 3)):
            for i in range(n):
                add(
                    dossier,
                    f"Baker news {first} {i}",
                    f"{role} {first} Baker said on day {i} that all was well.",
                )
        botapi.user_message("/follow Baker")
        choices = await botapi.wait_for("sendMessage")
        assert "Several people are called “Baker”" in choices.params["text"]
        botapi.press_button(choices, text="Howard Baker")
        picked = await botapi.wait_for("sendMessage")
        assert "Following Howard Baker" in picked.params["text"]
        botapi.user_message("/following")
        listing = await botapi.wait_for("sendMessage")
        botapi.press_button(listing, text="1: to the digest")
        edited = await botapi.wait_for("editMessageText", lambda c: "follows:" in (c.text or ""))
        assert "in the digest" in edited.params["text"] and labels(edited) == ["✕ Howard Baker", "1: instant"]
        assert [f.mode for f in dossier.store.follows(botapi.default_user.id)] == ["digest"]


@pytest.mark.usefixtures("fast_alerts")
async def test_what_arrived_while_the_bot_was_down_is_alerted_once(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot():
        botapi.user_message('/follow "coffee harvest"')
        await botapi.wait_for("sendMessage")
    offline = Dossier.open(data_dir)  # another process stores two reports while the bot is down
    try:
        ids = [
            add(offline, f"Coffee harvest {i}", f"The coffee harvest failed in region {i}.") for i in range(2)
        ]
    finally:
        offline.close()
    async with run_bot():
        alert = await botapi.wait_for(
            "editMessageText", lambda c: "2 new documents" in (c.text or ""), timeout=10
        )
        assert labels(alert) == [f"Open #{i}" for i in ids]
    async with run_bot():  # and again: nothing is alerted twice
        await asyncio.sleep(1.5)
    assert len([c for c in botapi.sent("sendMessage") if "match" in (c.text or "")]) == 1


def test_words_that_read_as_a_name_follow_the_person_once_documents_name_him(dossier: Dossier) -> None:
    """ "/follow John Herington" before any document named the Energy Secretary follows the words; once
    the people index knows John Herrington, the follow is his: a story that says only "Herrington" (the
    words wanted "John" too) reaches the chat, and /following shows his name."""
    follow(dossier, "query", "John Herington")
    follow(dossier, "query", "coffee prices")  # words that are no name stay words
    named = add(
        dossier,
        "U.S. oil imports rise",
        "Energy Secretary John Herrington said U.S. oil imports rose in March. Herrington said the "
        "administration would not seek an oil import fee.",
    )
    assert named in matched(dossier)
    now = {f.label: f.kind for f in dossier.store.follows(11)}
    assert now == {"John Herrington": "person", "coffee prices": "query"}
    later = add(
        dossier, "Herrington on imports", "Herrington told Congress the oil import fee was not needed."
    )
    assert matched(dossier)[later] == {"John Herrington"}


def test_a_wire_flash_naming_the_surname_fires_unless_a_firm_or_a_namesake(dossier: Dossier) -> None:
    """A headline and nothing else ("TREASURY'S BAKER SAYS ..."): the people index gives the bare
    surname no person while two Bakers are as often in the news, yet the follower of the Treasury
    Secretary wants his flashes (read: every such miss of the benchmark was wanted). A firm's name or
    another first name in the headline keeps it off."""
    for i in range(2):
        add(dossier, f"Treasury note {i}", f"Treasury Secretary James Baker said the dollar fell {i} pct.")
        add(dossier, f"White House note {i}", f"White House chief of staff Howard Baker said talks {i} end.")
    person = next(m.person for m in dossier.who("James Baker") if m.person.name == "James Baker")
    follow(dossier, "person", person.key)
    flash = add(dossier, "TREASURY'S BAKER SAYS DOLLAR FALL HAS GONE FAR ENOUGH", "")
    namesake = add(dossier, "HOWARD BAKER SAYS NO BUDGET DECISION YET", "")
    firm = add(dossier, "BAKER HUGHES RIG COUNT RISES TO 758", "")
    story = add(dossier, "BAKER SEES TALKS", "Talks on the budget went on, officials said on Monday.")
    found = matched(dossier)
    assert flash in found and namesake not in found and firm not in found and story not in found
    assert dossier.people_in(flash) == []  # the index alone would not have it
