"""Digests: the core (schedules, composition, exactly-once cursor) and the bot delivering them on a short
schedule through the fake Bot API server."""

from __future__ import annotations

import asyncio
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands import Caller, Commands
from bot.core import Dossier
from bot.digest import DigestPart, build_digest, deliver, key_extract
from bot.ingest import prepare_text
from bot.replies import TextReply
from bot.schedule import ScheduleError, parse_hhmm, parse_schedule
from handlers.context import DossierApp, Services
from tests.conftest import Runner
from tests.fakebotapi import ApiError, ApiRequest, FakeBotApi

UTC_ZONE = ZoneInfo("UTC")
FAST = {"DOSSIER_DIGEST_SCHEDULE": "every 1s"}


def add_docs(dossier: Dossier, n: int, tag: str = "news", title_words: int = 6) -> list[int]:
    ids = []
    for i in range(n):
        title = f"{tag.capitalize()} item {i} " + " ".join(f"word{k}" for k in range(title_words))
        lead = f"The first sentence of {tag} item {i} says what happened in the region today."
        body = f"{title}\n\n{lead} More follows."
        outcome = dossier.add_prepared(prepare_text(f"{tag}-{i}.txt", body), added_by="test")
        assert outcome.doc_id is not None
        ids.append(outcome.doc_id)
    return ids


def listed_ids(text: str) -> list[int]:
    return [int(x) for x in re.findall(r"<b>#(\d+)</b>", text)]


async def eventually(condition: Callable[[], bool], timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """Wait for store state that no Bot API call announces (the fake's wait_until wakes on calls)."""
    async with asyncio.timeout(timeout):
        while not condition():  # noqa: ASYNC110 - nothing to wait on: the state lives in SQLite
            await asyncio.sleep(0.05)


def services(app: DossierApp) -> Services:
    s = app.bot_data["services"]
    assert isinstance(s, Services)
    return s


# ------------------------------------------------------------------------------------------ core


def test_schedules() -> None:
    cron = parse_schedule("0 9 * * *", UTC_ZONE)
    after = cron.next_after(datetime(2026, 1, 1, 10, 0, tzinfo=UTC))
    assert after == datetime(2026, 1, 2, 9, 0, tzinfo=UTC)
    assert cron.missed_since(datetime(2026, 1, 1, 8, 0, tzinfo=UTC), datetime(2026, 1, 3, 12, 0, tzinfo=UTC))
    assert not cron.missed_since(
        datetime(2026, 1, 1, 9, 30, tzinfo=UTC), datetime(2026, 1, 1, 20, tzinfo=UTC)
    )
    assert parse_schedule("every 15m", UTC_ZONE).interval == timedelta(minutes=15)
    assert parse_schedule("every 2s", UTC_ZONE).interval == timedelta(seconds=2)
    for bad in ("sometimes", "every 0s", "61 * * * *", ""):
        with pytest.raises(ScheduleError):
            parse_schedule(bad, UTC_ZONE)
    assert parse_hhmm("8:05").hour == 8
    for bad in ("25:99", "24:00", "noon", "", "12:60"):
        with pytest.raises(ScheduleError):
            parse_hhmm(bad)


def test_key_extract_takes_the_lead(dossier: Dossier) -> None:
    doc = next(d for d in dossier.store.iter_documents() if d.source.startswith("004"))
    extract = key_extract(doc)
    assert extract.startswith("The Collective Security Treaty Organization") or "CSTO" in extract
    assert 20 < len(extract) <= 280


def test_subscription_starts_now_and_digest_holds_exactly_the_new(dossier: Dossier) -> None:
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    now = datetime.now(UTC)
    assert build_digest(dossier.store, sub, now) is None  # the seeds predate the subscription
    new = add_docs(dossier, 3)
    digest = build_digest(dossier.store, sub, now)
    assert digest is not None and [e.doc.id for e in digest.entries] == new and digest.upto_id == new[-1]
    assert dossier.store.subscribe(42, None, "user", 7) is None  # no duplicate subscription


async def test_cursor_advances_per_confirmed_part(dossier: Dossier) -> None:
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    new = add_docs(dossier, 4)
    digest = build_digest(dossier.store, sub, datetime.now(UTC))
    assert digest is not None
    parts = [DigestPart("a", new[1]), DigestPart("b", new[3])]
    sent: list[object] = []

    async def flaky(part: DigestPart) -> None:
        if part.payload == "b":
            raise ConnectionError("network down")
        sent.append(part.payload)

    with pytest.raises(ConnectionError):
        await deliver(dossier.store, sub, digest, parts, flaky)
    after = dossier.store.subscription(42)
    assert after is not None and after.cursor == new[1] and sent == ["a"]
    rest = build_digest(dossier.store, after, datetime.now(UTC))
    assert rest is not None and [e.doc.id for e in rest.entries] == new[2:]


def test_subscription_rules_in_the_command_layer(dossier: Dossier) -> None:
    commands = Commands(dossier)
    console = Caller(transport="console", chat_id=None)
    assert isinstance(commands.subscribe(console), TextReply) and commands.subscribe(console).error
    member = Caller(user_id=5, chat_id=-100, chat_type="group", transport="telegram")
    refused = commands.handle("/subscribe", member)
    assert isinstance(refused, TextReply) and "administrators" in refused.lines[0]
    admin = Caller(
        user_id=6, chat_id=-100, chat_type="group", transport="telegram", is_chat_admin=True, thread_id=9
    )
    ok = commands.handle("/subscribe", admin)
    assert isinstance(ok, TextReply) and not ok.error and "next digest is due" in " ".join(ok.lines)
    sub = dossier.store.subscription(-100)
    assert sub is not None and sub.thread_id == 9 and sub.kind == "group"
    assert "already subscribed" in " ".join(commands.handle("/subscribe", admin).lines)  # type: ignore[union-attr]
    for text, expected in [("/digest_time 25:99", "not a time"), ("/digest_time", "At what time")]:
        reply = commands.handle(text, admin)
        assert isinstance(reply, TextReply) and reply.error and expected in " ".join(reply.lines)
    assert "unsubscribed" in " ".join(commands.handle("/unsubscribe", admin).lines).lower()  # type: ignore[union-attr]
    again = commands.handle("/unsubscribe", admin)
    assert isinstance(again, TextReply) and again.error and "not subscribed" in again.lines[0]


def test_migration_moves_the_subscription(dossier: Dossier) -> None:
    dossier.store.subscribe(-1, None, "group", 1)
    assert dossier.store.migrate_chat(-1, -1009)
    assert dossier.store.subscription(-1) is None and dossier.store.subscription(-1009) is not None


# ------------------------------------------------------------------------------------------ the bot


async def test_subscribe_then_one_digest_with_exactly_the_new(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe")
        confirm = await botapi.wait_for("sendMessage")
        assert "subscribed" in confirm.params["text"] and "next digest is due" in confirm.params["text"]
        botapi.user_message("/subscribe")
        twice = await botapi.wait_for("sendMessage")
        assert "already subscribed" in twice.params["text"]
        new = add_docs(services(app).dossier, 3)
        botapi.user_message("/digest")
        preview = await botapi.wait_for("sendMessage")
        assert "Preview" in preview.params["text"] and listed_ids(preview.params["text"]) == new
        digest = await botapi.wait_for("sendMessage", lambda c: "Digest: 3 new" in (c.text or ""), timeout=10)
        assert listed_ids(digest.params["text"]) == new
        assert "The first sentence of news item 0" in digest.params["text"]
        labels = [b["text"] for row in digest.params["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [f"Open #{i}" for i in new]
        # Nothing new: three more runs pass without a message.
        sent_before = len(botapi.sent("sendMessage"))
        sub = services(app).dossier.store.subscription(botapi.default_user.id)
        assert sub is not None
        await eventually(
            lambda: (
                (s := services(app).dossier.store.subscription(botapi.default_user.id)) is not None
                and s.last_run_at > sub.last_run_at + timedelta(seconds=2)
            ),
            timeout=10,
        )
        assert len(botapi.sent("sendMessage")) == sent_before
        assert services(app).dossier.store.subscription(botapi.default_user.id).cursor == new[-1]  # type: ignore[union-attr]


async def test_more_than_twenty_are_summarised(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe")
        await botapi.wait_for("sendMessage")
        add_docs(services(app).dossier, 25, title_words=2)
        digest = await botapi.wait_for(
            "sendMessage", lambda c: "Digest: 25 new" in (c.text or ""), timeout=10
        )
        assert len(listed_ids(digest.params["text"])) == 20
        assert "and 5 more" in digest.params["text"] and "/search since:" in digest.params["text"]


async def test_restart_between_parts_resends_nothing_and_loses_nothing(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    user = botapi.default_user
    original = botapi._handlers["sendMessage"]  # the fake's own implementation, wrapped below
    digest_sends = 0

    async def second_part_fails(request: ApiRequest) -> Any:
        nonlocal digest_sends
        if "<b>#" in str(request.params.get("text", "")) and "Preview" not in str(request.params.get("text")):
            digest_sends += 1
            if digest_sends == 2:
                raise ApiError(500, "Internal Server Error")
        result = original(request)
        return await result if hasattr(result, "__await__") else result

    botapi.set_handler("sendMessage", second_part_fails)
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe")
        await botapi.wait_for("sendMessage")
        new = add_docs(services(app).dossier, 16, title_words=60)  # long titles: several parts
        first = await botapi.wait_for(
            "sendMessage", lambda c: c.ok and "Digest:" in (c.text or ""), timeout=10
        )
        await eventually(lambda: digest_sends >= 2)
        cursor_after_failure = services(app).dossier.store.subscription(user.id).cursor  # type: ignore[union-attr]
    part_one = listed_ids(first.params["text"])
    assert part_one and part_one == new[: len(part_one)] and cursor_after_failure == part_one[-1]
    # A new process on the same store: the next run sends the rest, once.
    async with run_bot(**FAST) as app:
        await eventually(
            lambda: (
                (s := services(app).dossier.store.subscription(user.id)) is not None and s.cursor == new[-1]
            ),
            timeout=15,
        )
        await botapi.settle()
    delivered = [
        i
        for c in botapi.sent("sendMessage", ok=True)
        if "Digest" in (c.text or "")
        for i in listed_ids(c.text or "")
    ]
    assert sorted(delivered) == new and len(delivered) == len(set(delivered))


async def test_blocked_chat_ends_its_subscription_and_others_still_get_theirs(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    blocker, reader = botapi.user("Blocker"), botapi.user("Reader")
    async with run_bot(**FAST) as app:
        for u in (blocker, reader):
            botapi.user_message("/subscribe", user=u)
            await botapi.wait_for("sendMessage")
        botapi.block_bot(blocker)
        botapi.fail_next("sendMessage", status=429, retry_after=0.05, chat_id=reader.id)
        add_docs(services(app).dossier, 2)
        got = await botapi.wait_for("sendMessage", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10)
        assert got.chat_id == reader.id
        store = services(app).dossier.store
        await eventually(lambda: store.subscription(blocker.id) is None)
        assert store.subscription(reader.id) is not None


async def test_group_admins_only_and_topic(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Analysts", forum=True)
    boss, member = botapi.user("Boss"), botapi.user("Member")
    botapi.set_member(group, boss, "administrator")
    botapi.set_member(group, member, "member")
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe", user=member, chat=group, thread_id=77)
        refused = await botapi.wait_for("sendMessage")
        assert "administrators" in refused.params["text"]
        botapi.user_message("/subscribe", user=boss, chat=group, thread_id=77)
        await botapi.wait_for("sendMessage")
        add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for("sendMessage", lambda c: "Digest" in (c.text or ""), timeout=10)
        assert digest.params["message_thread_id"] == 77


async def test_chat_migrated_during_delivery(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Migrating")
    successor = botapi.group(title="Migrating", supergroup=True)
    boss = botapi.user("Boss")
    botapi.set_member(group, boss, "creator")
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe", user=boss, chat=group)
        await botapi.wait_for("sendMessage")
        botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=successor.id, chat_id=group.id)
        new = add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for(
            "sendMessage", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10
        )
        assert digest.chat_id == successor.id and listed_ids(digest.params["text"]) == new
        assert services(app).dossier.store.subscription(group.id) is None


async def test_basic_group_migration_message(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Old group")
    boss = botapi.user("Boss")
    botapi.set_member(group, boss, "creator")
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe", user=boss, chat=group)
        await botapi.wait_for("sendMessage")
        new_chat = botapi.migrate_group(group, user=boss)
        store = services(app).dossier.store
        await eventually(lambda: store.subscription(new_chat.id) is not None)
        assert store.subscription(group.id) is None
        add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for("sendMessage", lambda c: "Digest" in (c.text or ""), timeout=10)
        assert digest.chat_id == new_chat.id


async def test_missed_digest_is_sent_once_at_start_up(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    user = botapi.default_user
    async with run_bot() as app:  # the default daily 09:00 schedule
        botapi.user_message("/subscribe")
        await botapi.wait_for("sendMessage")
        add_docs(services(app).dossier, 2)
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    db.execute(
        "UPDATE subscriptions SET last_run_at = ?", ((datetime.now(UTC) - timedelta(days=3)).isoformat(),)
    )
    db.commit()
    db.close()
    async with run_bot():
        digest = await botapi.wait_for("sendMessage", lambda c: "Digest: 2 new" in (c.text or ""), timeout=10)
        assert digest.chat_id == user.id
        await botapi.settle()
    assert len([c for c in botapi.sent("sendMessage") if "Digest" in (c.text or "")]) == 1
