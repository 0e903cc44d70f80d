"""Digests: the core (schedules, composition, exactly-once cursor) and the bot delivering them on a short
schedule through the fake Bot API server."""

from __future__ import annotations

import asyncio
import logging
import re
import sqlite3
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.commands import Caller, Commands
from bot.commands.replies import TextReply
from bot.core import Dossier
from bot.digest import DigestPart, DigestReply, MessageGone, abandon, build_digest, deliver, key_extract
from bot.i18n import format_datetime
from bot.ingest import prepare_text
from bot.models import Subscription
from bot.render_text import render
from bot.schedule import ScheduleError, parse_hhmm, parse_schedule
from bot.settings import Settings
from handlers.context import DossierApp, Services
from handlers.ratelimit import NETWORK_RETRIES
from handlers.render import render as render_html
from tests.conftest import Runner, bot_env, both_backends
from tests.fakebotapi import BOT_USERNAME, ApiError, ApiRequest, FakeBotApi

UTC_ZONE = ZoneInfo("UTC")
FAST = {"DOSSIER_DIGEST_SCHEDULE": "every 1s"}


def add_docs(
    dossier: Dossier, n: int, tag: str = "news", title_words: int = 6, lead_words: int = 0
) -> list[int]:
    ids = []
    for i in range(n):
        # Each item's filler words are its own: items of the same words but their number are one
        # story told again (bot.ingest.story), which a digest lists as one entry.
        title = f"{tag.capitalize()} item {i} " + " ".join(f"word{i}x{k}" for k in range(title_words))
        more = "".join(f" detail{i}x{k}" for k in range(lead_words))
        lead = f"The first sentence of {tag} item {i} says what happened in the region today{more}."
        body = f"{title}\n\n{lead} More follows."
        outcome = dossier.add_prepared(prepare_text(f"{tag}-{i}.txt", body), added_by="test")
        assert outcome.doc_id is not None
        ids.append(outcome.doc_id)
    return ids


def owed_digest(dossier: Dossier, n: int) -> tuple[Subscription, list[int], DigestReply]:
    """Chat 42 subscribed, then ``n`` new documents: its subscription, their ids and the digest owed."""
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    new = add_docs(dossier, n)
    digest = build_digest(dossier.store, sub, datetime.now(UTC))
    assert digest is not None
    return sub, new, digest


async def killed_delivering(
    dossier: Dossier, sub: Subscription, digest: DigestReply, part: DigestPart, after: str
) -> Parts:
    """``part`` delivered to chat 42 by a process killed right after the chat's ``after`` step ("open":
    the opening message, "fill": its edit); the chat as the kill left it."""
    chat = Parts(kill_after=after)
    with pytest.raises(KeyboardInterrupt):
        await deliver(dossier.store, sub, digest, [part], chat)
    return chat


async def subscribe(botapi: FakeBotApi, **where: Any) -> None:
    """/subscribe sent (``user``, ``chat``, ``thread_id`` as ``FakeBotApi.user_message`` takes them), and
    its answer awaited."""
    botapi.user_message("/subscribe", **where)
    await botapi.wait_for("sendMessage")


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


def test_key_extract_skips_a_long_title_stored_cut(dossier: Dossier) -> None:
    title = "An unusually long headline " + " ".join(f"word{k}" for k in range(40))
    lead = (
        "The ministers agreed on a new security plan in Astana this morning. "
        "The plan starts in May with joint exercises."
    )
    outcome = dossier.add_prepared(prepare_text("long-title.txt", f"{title}\n\n{lead}"), added_by="test")
    doc = dossier.store.get(outcome.doc_id or 0)
    assert doc is not None and doc.title.endswith("…")
    assert key_extract(doc) == lead


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


class Parts:
    """A PartSender in memory: ``messages`` maps message ids to what they now hold."""

    def __init__(self, fail_on: object = None, kill_after: str | None = None) -> None:
        self.messages: dict[int, object] = {}
        self.sent: list[object] = []  # payloads filled in, in order
        self.fail_on = fail_on
        self.kill_after = kill_after  # "open" or "fill": the process dies once that step was accepted

    async def open(self, part: DigestPart) -> int:
        if part.payload == self.fail_on:
            raise ConnectionError("network down")
        message_id = len(self.messages) + 1
        self.messages[message_id] = "opening"
        if self.kill_after == "open":
            raise KeyboardInterrupt  # a kill: nothing after this step runs
        return message_id

    async def fill(self, part: DigestPart, message_id: int) -> None:
        if message_id not in self.messages:
            raise MessageGone("message to edit not found")
        if self.messages[message_id] != part.payload:
            self.sent.append(part.payload)
        self.messages[message_id] = part.payload
        if self.kill_after == "fill":
            raise KeyboardInterrupt

    async def withdraw(self, message_id: int) -> None:
        self.messages.pop(message_id, None)


async def test_cursor_advances_per_confirmed_part(dossier: Dossier) -> None:
    sub, new, digest = owed_digest(dossier, 4)
    parts = [DigestPart("a", new[1]), DigestPart("b", new[3])]
    flaky = Parts(fail_on="b")
    sent = flaky.sent

    with pytest.raises(ConnectionError):
        await deliver(dossier.store, sub, digest, parts, flaky)
    after = dossier.store.subscription(42)
    assert after is not None and after.cursor == new[1] and sent == ["a"]
    rest = build_digest(dossier.store, after, datetime.now(UTC))
    assert rest is not None and [e.doc.id for e in rest.entries] == new[2:]


async def test_a_part_killed_after_its_edit_is_confirmed_not_resent(dossier: Dossier) -> None:
    # Issue 16 item 7: Telegram accepted the part, the process died before the cursor moved.
    sub, new, digest = owed_digest(dossier, 2)
    chat = await killed_delivering(dossier, sub, digest, DigestPart("a", new[1]), after="fill")
    pending = dossier.store.inflight_part(42)
    assert pending is not None and pending.message_id == 1 and dossier.store.inflight_chats() == [42]
    chat.kill_after = None
    again = dossier.store.subscription(42)
    assert again is not None and again.cursor == sub.cursor  # not confirmed: still owed
    assert await deliver(dossier.store, again, digest, [DigestPart("a", new[1])], chat) == 1
    assert chat.messages == {1: "a"} and chat.sent == ["a"]  # the same message, once
    done = dossier.store.subscription(42)
    assert done is not None and done.cursor == new[1] and dossier.store.inflight_part(42) is None


async def test_a_part_killed_after_its_opening_is_finished_in_that_message(dossier: Dossier) -> None:
    sub, new, digest = owed_digest(dossier, 3)
    chat = await killed_delivering(dossier, sub, digest, DigestPart("a", new[2]), after="open")
    # The kill came after Telegram's answer and before the id was written: the opening may stand alone.
    pending = dossier.store.inflight_part(42)
    assert pending is not None and pending.message_id is None
    chat.kill_after = None
    dossier.store.part_opened(42, new[2], 1)  # (had the id been written, as it is a moment later)
    assert await deliver(dossier.store, sub, digest, [DigestPart("a+", new[2])], chat) == 1
    assert chat.messages == {1: "a+"}


async def test_an_opening_the_reader_deleted_is_posted_anew(dossier: Dossier) -> None:
    sub, new, digest = owed_digest(dossier, 1)
    chat = await killed_delivering(dossier, sub, digest, DigestPart("a", new[0]), after="open")
    dossier.store.part_opened(42, new[0], 1)
    chat.kill_after = None
    await chat.withdraw(1)  # the reader deleted it
    assert await deliver(dossier.store, sub, digest, [DigestPart("a", new[0])], chat) == 1
    assert chat.messages == {1: "a"} and chat.sent == ["a"]


async def test_an_interrupted_part_with_nothing_left_owed_is_withdrawn(dossier: Dossier) -> None:
    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    new = add_docs(dossier, 1)
    dossier.store.part_opening(42, new[0])
    dossier.store.part_opened(42, new[0], 9)
    chat = Parts()
    chat.messages[9] = "opening"
    await abandon(dossier.store, 42, chat)
    assert chat.messages == {} and dossier.store.inflight_part(42) is None
    # Unsubscribing and a group's migration take the record with them.
    dossier.store.part_opening(42, new[0])
    assert dossier.store.unsubscribe(42) and dossier.store.inflight_chats() == []


def test_subscription_rules_in_the_command_layer(dossier: Dossier, settings: Settings) -> None:
    commands = Commands(dossier, settings)
    console = Caller(transport="console", chat_id=None)
    refused_here = commands.subscribe(console)
    assert isinstance(refused_here, TextReply) and refused_here.error
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


def test_a_first_preview_says_what_the_first_digest_will_cover(dossier: Dossier, settings: Settings) -> None:
    """/digest right after /subscribe: no "since the last digest" (there was none), but from when the
    first digest counts and when it is due; once documents arrive, the preview lists them."""
    commands = Commands(dossier, settings)
    me = Caller(user_id=5, chat_id=5, transport="telegram")
    commands.handle("/subscribe", me)
    sub = dossier.store.subscription(5)
    assert sub is not None
    subscribed = sub.last_run_at.astimezone(settings.tz)
    preview = commands.handle("/digest", me)
    assert isinstance(preview, TextReply) and not preview.error
    english, russian = render(preview), render(preview, "ru")
    since = f"{subscribed:%Y-%m-%d %H:%M %Z}"
    assert english.startswith(
        f"Nothing to preview yet: the next digest lists the documents added after {since}, and none"
    ), english
    assert "The next digest is due " in english
    assert russian.startswith(
        f"Показать пока нечего: в следующий дайджест войдут документы, добавленные после "
        f"{format_datetime(subscribed, 'ru', settings.tz, zone=True)}, а их пока нет."
    ), russian
    new = add_docs(dossier, 2)
    assert listed_ids(render_html(commands.handle("/digest", me), "en").messages[0].html) == new


def test_migration_moves_the_subscription(dossier: Dossier) -> None:
    dossier.store.subscribe(-1, None, "group", 1)
    assert dossier.store.migrate_chat(-1, -1009)
    assert dossier.store.subscription(-1) is None and dossier.store.subscription(-1009) is not None


# ------------------------------------------------------------------------------------------ the bot


@both_backends
async def test_subscribe_then_one_digest_with_exactly_the_new(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        botapi.user_message("/subscribe")
        confirm = await botapi.wait_for("sendMessage")
        assert "subscribed" in confirm.params["text"] and "next digest is due" in confirm.params["text"]
        botapi.user_message("/subscribe")
        twice = await botapi.wait_for("sendMessage")
        assert "already subscribed" in twice.params["text"]
        new = add_docs_between_runs(app, 3)
        botapi.user_message("/digest")
        preview = await botapi.wait_for("sendMessage")
        assert "Preview" in preview.params["text"] and listed_ids(preview.params["text"]) == new
        digest = await botapi.wait_for(
            "editMessageText", lambda c: "Digest: 3 new" in (c.text or ""), timeout=10
        )
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
        await subscribe(botapi)
        add_docs_between_runs(app, 25, title_words=2)
        digest = await botapi.wait_for(
            "editMessageText", lambda c: "Digest: 25 new" in (c.text or ""), timeout=10
        )
        assert len(listed_ids(digest.params["text"])) == 20
        assert "and 5 more" in digest.params["text"] and "/search since:" in digest.params["text"]


@both_backends
async def test_restart_between_parts_resends_nothing_and_loses_nothing(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    user = botapi.default_user
    original = botapi._handlers["editMessageText"]  # the fake's own implementation, wrapped below
    digest_sends = 0
    first_process = True

    async def second_part_fails(request: ApiRequest) -> Any:
        # The second part fails for as long as the first process runs (a 5xx it would otherwise retry).
        nonlocal digest_sends
        if "<b>#" in str(request.params.get("text", "")) and "Preview" not in str(request.params.get("text")):
            digest_sends += 1
            if digest_sends >= 2 and first_process:
                raise ApiError(500, "Internal Server Error")
        result = original(request)
        return await result if hasattr(result, "__await__") else result

    botapi.set_handler("editMessageText", second_part_fails)
    async with run_bot(**FAST) as app:
        await subscribe(botapi)
        new = add_docs_between_runs(app, 16, title_words=60, lead_words=25)  # several parts
        first = await botapi.wait_for(
            "editMessageText", lambda c: c.ok and "Digest:" in (c.text or ""), timeout=10
        )
        await eventually(lambda: digest_sends >= 2)
        cursor_after_failure = services(app).dossier.store.subscription(user.id).cursor  # type: ignore[union-attr]
    first_process = False
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
        for c in botapi.sent("editMessageText", ok=True)
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
            await subscribe(botapi, user=u)
        botapi.block_bot(blocker)
        botapi.fail_next("sendMessage", status=429, retry_after=0.05, chat_id=reader.id)
        add_docs(services(app).dossier, 2)
        got = await botapi.wait_for(
            "editMessageText", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10
        )
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
        await subscribe(botapi, user=boss, chat=group, thread_id=77)
        add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for("sendMessage", lambda c: "Digest" in (c.text or ""), timeout=10)
        assert digest.params["message_thread_id"] == 77


async def test_chat_migrated_during_delivery(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Migrating")
    successor = botapi.group(title="Migrating", supergroup=True)
    boss = botapi.user("Boss")
    botapi.set_member(group, boss, "creator")
    async with run_bot(**FAST) as app:
        await subscribe(botapi, user=boss, chat=group)
        botapi.fail_next("sendMessage", status=400, migrate_to_chat_id=successor.id, chat_id=group.id)
        new = add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for(
            "editMessageText", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10
        )
        assert digest.chat_id == successor.id and listed_ids(digest.params["text"]) == new
        assert services(app).dossier.store.subscription(group.id) is None


async def test_basic_group_migration_message(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Old group")
    boss = botapi.user("Boss")
    botapi.set_member(group, boss, "creator")
    async with run_bot(**FAST) as app:
        await subscribe(botapi, user=boss, chat=group)
        new_chat = botapi.migrate_group(group, user=boss)
        store = services(app).dossier.store
        await eventually(lambda: store.subscription(new_chat.id) is not None)
        assert store.subscription(group.id) is None
        add_docs(services(app).dossier, 1)
        digest = await botapi.wait_for("editMessageText", lambda c: "Digest" in (c.text or ""), timeout=10)
        assert digest.chat_id == new_chat.id


async def test_missed_digest_is_sent_once_at_start_up(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    user = botapi.default_user
    async with run_bot() as app:  # the default daily 09:00 schedule
        await subscribe(botapi)
        add_docs(services(app).dossier, 2)
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    db.execute(
        "UPDATE subscriptions SET last_run_at = ?", ((datetime.now(UTC) - timedelta(days=3)).isoformat(),)
    )
    db.commit()
    db.close()
    async with run_bot():
        digest = await botapi.wait_for(
            "editMessageText", lambda c: "Digest: 2 new" in (c.text or ""), timeout=10
        )
        assert digest.chat_id == user.id
        await botapi.settle()
    assert len([c for c in botapi.sent("sendMessage") if "Digest" in (c.text or "")]) == 1


# ------------------------------------------------------------------------------------------ review additions


def test_cron_runs_in_the_team_time_zone() -> None:
    almaty = ZoneInfo("Asia/Almaty")  # UTC+5, no daylight saving
    cron = parse_schedule("0 9 * * *", almaty)
    fire = cron.next_after(datetime(2026, 3, 1, 5, 0, tzinfo=UTC))  # 10:00 in Almaty: today's has passed
    assert fire is not None and fire.astimezone(UTC) == datetime(2026, 3, 2, 4, 0, tzinfo=UTC)
    assert fire.astimezone(almaty).hour == 9


def test_chat_locks_belong_to_their_application() -> None:
    """Two Applications on two event loops in one process (as in the test suite) must not share the
    per-chat lock: a lock that waited in one loop raises in the next."""
    from handlers.digest import chat_lock

    async def contended(bot_data: dict[Any, Any]) -> None:
        lock = chat_lock(bot_data, 1001)
        async with lock:
            waiter = asyncio.create_task(lock.acquire())
            await asyncio.sleep(0)
        await waiter
        lock.release()

    for _ in range(2):
        asyncio.run(contended({}))


def add_docs_between_runs(app: DossierApp, n: int, **kwargs: Any) -> list[int]:
    """Add documents with the shared digest job paused, so that no run sees only some of them."""
    assert app.job_queue is not None
    (job,) = app.job_queue.get_jobs_by_name("digest:all")
    job.enabled = False
    try:
        return add_docs(services(app).dossier, n, **kwargs)
    finally:
        job.enabled = True


def digest_calls(botapi: FakeBotApi, chat_id: int | None = None) -> list[Any]:
    """Confirmed digest messages, continuation parts (which have no header) included."""
    return [
        c
        for c in botapi.sent("editMessageText", ok=True, chat_id=chat_id)
        if listed_ids(c.text or "") and not (c.text or "").startswith("<b>Preview")
    ]


async def test_bad_digest_commands_over_telegram_change_nothing(botapi: FakeBotApi, run_bot: Runner) -> None:
    group = botapi.group(title="Desk", supergroup=True)
    boss, member = botapi.user("Boss"), botapi.user("Member")
    botapi.set_member(group, boss, "administrator")
    botapi.set_member(group, member, "member")
    async with run_bot() as app:
        store = services(app).dossier.store
        for text, expected in [
            ("/unsubscribe", "not subscribed"),
            ("/digest", "not subscribed"),
            ("/digest_time 08:30", "not subscribed yet"),
        ]:
            botapi.user_message(text)
            assert expected in (await botapi.wait_for("sendMessage")).params["text"], text
        assert store.subscription(botapi.default_user.id) is None
        await subscribe(botapi)
        before = store.subscription(botapi.default_user.id)
        for text, expected in [
            ("/digest_time 25:99", "is not a time of day"),
            ("/digest_time", "At what time?"),
            ("/digest_time 8.30pm", "is not a time of day"),
            ("/subscribe", "already subscribed"),
        ]:
            botapi.user_message(text)
            assert expected in (await botapi.wait_for("sendMessage")).params["text"], text
        assert store.subscription(botapi.default_user.id) == before
        assert len(store.subscriptions()) == 1
        # In a group, only administrators: a member can neither subscribe, unsubscribe nor move the hour.
        botapi.user_message(f"/subscribe@{BOT_USERNAME}", user=boss, chat=group)
        assert "This group is subscribed" in (await botapi.wait_for("sendMessage")).params["text"]
        group_sub = store.subscription(group.id)
        for text in ("/unsubscribe", "/digest_time 07:00", "/subscribe"):
            botapi.user_message(text, user=member, chat=group)
            assert "administrators" in (await botapi.wait_for("sendMessage")).params["text"], text
        assert store.subscription(group.id) == group_sub
        assert app.job_queue is not None and not app.job_queue.get_jobs_by_name(f"digest:{group.id}")


async def test_own_digest_time_replaces_the_shared_schedule_and_survives_a_restart(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    shared, early = botapi.user("Shared"), botapi.user("Early")
    almaty = ZoneInfo("Asia/Almaty")
    settings = {**FAST, "DOSSIER_TIMEZONE": "Asia/Almaty"}
    async with run_bot(**settings) as app:
        for user in (shared, early):
            await subscribe(botapi, user=user)
        botapi.user_message("/digest_time 6:05", user=early)
        moved = await botapi.wait_for("sendMessage")
        assert "daily at 06:05 (Asia/Almaty)" in moved.params["text"]
        jq = app.job_queue
        assert jq is not None
        await eventually(lambda: bool(jq.get_jobs_by_name(f"digest:{early.id}")))  # set after the reply
        (job,) = jq.get_jobs_by_name(f"digest:{early.id}")
        assert job.next_t is not None and job.next_t.astimezone(almaty).strftime("%H:%M") == "06:05"
        new = add_docs_between_runs(app, 2)
        got = await botapi.wait_for(
            "editMessageText", lambda c: "Digest: 2 new" in (c.text or ""), timeout=10
        )
        assert got.chat_id == shared.id
        store = services(app).dossier.store
        ran = store.subscription(shared.id)
        assert ran is not None
        await eventually(  # two more shared runs: still nothing for the chat with its own hour
            lambda: store.subscription(shared.id).last_run_at > ran.last_run_at + timedelta(seconds=1)  # type: ignore[union-attr]
        )
        assert not digest_calls(botapi, early.id)
        assert store.subscription(early.id).cursor < new[0]  # type: ignore[union-attr]
    # Down over its 06:05: at start-up the job is rebuilt from the store and the missed digest sent once.
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    db.execute(
        "UPDATE subscriptions SET last_run_at = ? WHERE chat_id = ?",
        ((datetime.now(UTC) - timedelta(days=2)).isoformat(), early.id),
    )
    db.commit()
    db.close()
    async with run_bot(**settings) as app:
        assert app.job_queue is not None and app.job_queue.get_jobs_by_name(f"digest:{early.id}")
        caught_up = await botapi.wait_for(
            "editMessageText", lambda c: c.chat_id == early.id and "Digest" in (c.text or ""), timeout=10
        )
        assert listed_ids(caught_up.params["text"]) == new
        botapi.user_message("/unsubscribe", user=early)
        await botapi.wait_for("sendMessage", chat_id=early.id)
        await eventually(lambda: not app.job_queue.get_jobs_by_name(f"digest:{early.id}"))  # type: ignore[union-attr]
        await botapi.settle()
    assert len(digest_calls(botapi, early.id)) == 1 and len(digest_calls(botapi, shared.id)) == 1


async def test_a_slow_chat_does_not_delay_others_and_errors_retry_at_the_next_run(
    botapi: FakeBotApi, run_bot: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    slow, flaky, quick = botapi.user("Slow"), botapi.user("Flaky"), botapi.user("Quick")
    group = botapi.group(title="Kicked us")
    boss = botapi.user("Boss")
    botapi.set_member(group, boss, "creator")
    async with run_bot(**FAST) as app:
        for user, chat in ((slow, None), (flaky, None), (quick, None), (boss, group)):
            await subscribe(botapi, user=user, chat=chat)
        botapi.delay("sendMessage", 3.0, times=1, chat_id=slow.id)  # ample under a loaded machine
        # Failing on every try of this run (the transport retries a 5xx itself), so the next run sends it.
        botapi.fail_next("sendMessage", status=500, chat_id=flaky.id, times=NETWORK_RETRIES + 1)
        botapi.my_chat_member(group, new_status="kicked", old_status="member", user=boss)
        new = add_docs_between_runs(app, 2)
        with caplog.at_level(logging.WARNING, logger="handlers.digest"):
            first = await botapi.wait_for("editMessageText", lambda c: c.ok and "Digest" in (c.text or ""))
            assert first.chat_id == quick.id  # not held up by the slow chat's second
            for user in (slow, flaky):
                await botapi.wait_for(  # the flaky chat's run first waits out the transport's backoff
                    "editMessageText",
                    lambda c: c.ok and "Digest" in (c.text or ""),
                    chat_id=user.id,
                    timeout=20,
                )
            store = services(app).dossier.store
            await eventually(lambda: store.subscription(group.id) is None)
            await eventually(
                lambda: all(store.subscription(u.id).cursor == new[-1] for u in (slow, flaky, quick))  # type: ignore[union-attr]
            )
        # failed on every try of one run, then sent
        assert len(botapi.sent("sendMessage", ok=False, chat_id=flaky.id)) == NETWORK_RETRIES + 1
    for user in (slow, flaky, quick):
        assert [listed_ids(c.text or "") for c in digest_calls(botapi, user.id)] == [new]
    messages = [r.getMessage() for r in caplog.records]
    assert any(f"chat {flaky.id} failed" in m and "next run" in m for m in messages)
    assert any(f"chat {group.id} refused" in m and "subscription ended" in m for m in messages)


async def test_long_digest_is_split_at_document_boundaries(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        await subscribe(botapi)
        services(app).commands.people = lambda doc_id: ["Taalatbek Masadykov", f"<Evil & Co {doc_id}>"]
        new = add_docs_between_runs(app, 18, title_words=60, lead_words=25)
        user = botapi.default_user.id
        await eventually(lambda: services(app).dossier.store.subscription(user).cursor == new[-1])  # type: ignore[union-attr]
        titles = {i: services(app).dossier.store.get(i).title for i in new}  # type: ignore[union-attr]
        last_part = digest_calls(botapi, user)[-1]
        botapi.press_button(last_part, text=f"Open #{new[-1]}")  # the buttons open the documents
        opened = await botapi.wait_for("sendMessage", lambda c: (c.text or "").startswith(f"<b>#{new[-1]} "))
        assert "says what happened" in opened.params["text"]
    parts = digest_calls(botapi, user)  # (the opened document is not one: no "<b>#id</b>" listing)
    assert len(parts) >= 2
    texts = [c.params["text"] for c in parts]
    assert re.match(
        r"<b>Digest: 18 new documents</b>\n<i>\d{4}-\d\d-\d\d \d\d:\d\d – \d{4}-\d\d-\d\d \d\d:\d\d UTC</i>",
        texts[0],
    )
    ids_per_part = [listed_ids(t) for t in texts]
    assert [i for ids in ids_per_part for i in ids] == new  # in order, each once, none lost
    for text, ids, call in zip(texts, ids_per_part, parts, strict=True):
        assert len(text) <= 4096 and ids
        labels = [b["text"] for row in call.params["reply_markup"]["inline_keyboard"] for b in row]
        assert labels == [f"Open #{i}" for i in ids]  # each part's buttons open its own documents
        for doc in ids:  # every document whole in its part: title, extract and people
            block = text.split(f"<b>#{doc}</b>", 1)[1].split("<b>#", 1)[0]
            assert f"<b>{titles[doc]}</b>" in block and "says what happened" in block
            assert f"People: Taalatbek Masadykov, &lt;Evil &amp; Co {doc}&gt;" in block


async def test_a_killed_process_between_parts_resends_nothing_and_loses_nothing(
    botapi: FakeBotApi, run_bot: Runner, big_corpus: Path, data_dir: Path
) -> None:
    """The bot as a process, killed (SIGKILL) after the first part was confirmed while the second is in
    flight; a new process on the same store sends the rest, once."""
    import signal
    import sys

    from tests.conftest import REPO

    user = botapi.default_user
    dossier = Dossier.open(data_dir)
    dossier.scan_corpus(big_corpus)
    assert dossier.store.subscribe(user.id, None, "user", user.id) is not None
    new = add_docs(dossier, 16, title_words=60, lead_words=25)
    dossier.close()

    original = botapi._handlers["editMessageText"]
    held, release = asyncio.Event(), asyncio.Event()
    digest_sends = 0

    async def hold_the_second_part(request: ApiRequest) -> Any:
        nonlocal digest_sends
        if listed_ids(str(request.params.get("text", ""))):
            digest_sends += 1
            if digest_sends == 2:
                held.set()
                await release.wait()
                raise ApiError(502, "Bad Gateway")  # the sender is gone: nothing was delivered
        result = original(request)
        return await result if hasattr(result, "__await__") else result

    botapi.set_handler("editMessageText", hold_the_second_part)
    env = bot_env(
        botapi,
        big_corpus,
        data_dir,
        DOSSIER_DIGEST_SCHEDULE="every 1s",
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stderr=asyncio.subprocess.DEVNULL
    )
    try:
        async with asyncio.timeout(30):
            await held.wait()
    finally:
        proc.send_signal(signal.SIGKILL)
        await proc.wait()
        release.set()
    first = digest_calls(botapi, user.id)
    assert len(first) == 1
    part_one = listed_ids(first[0].params["text"])
    assert part_one == new[: len(part_one)] and len(part_one) < len(new)
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    (cursor,) = db.execute("SELECT cursor FROM subscriptions WHERE chat_id = ?", (user.id,)).fetchone()
    db.close()
    assert cursor == part_one[-1]  # confirmed and durable before the kill

    botapi.set_handler("editMessageText", original)
    async with run_bot(**FAST) as app:
        store = services(app).dossier.store
        await eventually(lambda: store.subscription(user.id).cursor == new[-1], timeout=15)  # type: ignore[union-attr]
        await botapi.settle()
    delivered = [i for c in digest_calls(botapi, user.id) for i in listed_ids(c.params["text"])]
    assert delivered == new  # in order, each exactly once


def test_people_per_entry_are_capped(dossier: Dossier) -> None:
    from bot.digest import MAX_PEOPLE

    sub = dossier.store.subscribe(42, None, "user", 42)
    assert sub is not None
    add_docs(dossier, 1)
    digest = build_digest(dossier.store, sub, datetime.now(UTC), lambda doc_id: [f"P{k}" for k in range(50)])
    assert digest is not None and digest.entries[0].people == tuple(f"P{k}" for k in range(MAX_PEOPLE))


async def test_members_only_a_subscriber_who_left_the_team_gets_nothing_until_back(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    team = botapi.group(title="Team", supergroup=True)
    leaver, stayer = botapi.user("Leaver"), botapi.user("Stayer")
    for user in (leaver, stayer):
        botapi.set_member(team, user, "member")
    async with run_bot(**FAST, DOSSIER_ACCESS="members", DOSSIER_ALLOWED_CHAT_IDS=str(team.id)) as app:
        services(app).members.ttl = 0  # every check asks Telegram: the test changes membership
        for user in (leaver, stayer):
            botapi.user_message("/subscribe", user=user)
            assert "subscribed" in (await botapi.wait_for("sendMessage", chat_id=user.id)).params["text"]
        botapi.set_member(team, leaver, "left")
        new = add_docs_between_runs(app, 2)
        await botapi.wait_for("editMessageText", lambda c: "Digest" in (c.text or ""), chat_id=stayer.id)
        store = services(app).dossier.store
        ran = store.subscription(leaver.id)
        assert ran is not None
        await eventually(  # two more runs ask about the leaver
            lambda: len([c for c in botapi.sent("getChatMember") if c.params["user_id"] == leaver.id]) >= 3
        )
        assert not digest_calls(botapi, leaver.id)
        assert store.subscription(leaver.id) == ran  # still subscribed, cursor where it was
        botapi.set_member(team, leaver, "member")  # back in the team: the held digest arrives, once
        back = await botapi.wait_for(
            "editMessageText", lambda c: "Digest" in (c.text or ""), chat_id=leaver.id
        )
        assert listed_ids(back.params["text"]) == new


def test_the_digest_period_is_shown_in_the_team_time_zone(dossier: Dossier) -> None:
    from handlers.render import OutMessage, digest_parts

    sub = dossier.store.subscribe(42, None, "user", 7)
    assert sub is not None
    add_docs(dossier, 1)
    now = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)

    def period_line(tz: ZoneInfo) -> str:
        digest = build_digest(dossier.store, sub, now, tz=tz)
        assert digest is not None
        first = digest_parts(digest)[0].payload
        assert isinstance(first, OutMessage)
        return first.html.split("\n")[1]

    assert period_line(ZoneInfo("Asia/Almaty")).endswith("2026-03-15 04:30 +05</i>")  # the next day there
    assert period_line(UTC_ZONE).endswith("2026-03-14 23:30 UTC</i>")


async def test_digest_time_off_goes_back_to_the_shared_schedule(botapi: FakeBotApi, run_bot: Runner) -> None:
    async with run_bot(**FAST) as app:
        await subscribe(botapi)
        botapi.user_message("/digest_time 06:05")
        await botapi.wait_for("sendMessage")
        jq = app.job_queue
        assert jq is not None
        me = botapi.default_user.id
        await eventually(lambda: bool(jq.get_jobs_by_name(f"digest:{me}")))
        botapi.user_message("/digest_time off")
        back = await botapi.wait_for("sendMessage", lambda c: "shared schedule again" in (c.text or ""))
        assert "next digest is due" in back.params["text"]
        await eventually(lambda: not jq.get_jobs_by_name(f"digest:{me}"))
        sub = services(app).dossier.store.subscription(me)
        assert sub is not None and sub.digest_time is None
        new = add_docs_between_runs(app, 1)
        got = await botapi.wait_for(
            "editMessageText", lambda c: "Digest: 1 new" in (c.text or ""), timeout=10
        )
        assert listed_ids(got.params["text"]) == new


async def test_a_failed_delivery_is_retried_soon_not_only_at_the_next_daily_run(
    botapi: FakeBotApi, run_bot: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.digest

    monkeypatch.setattr(handlers.digest, "RETRY_FAILED", timedelta(seconds=1))
    async with run_bot(DOSSIER_DIGEST_SCHEDULE="0 9 * * *") as app:
        await subscribe(botapi)
        me = botapi.default_user.id
        new = add_docs(services(app).dossier, 2)
        botapi.fail_next("sendMessage", status=500, chat_id=me)
        assert app.job_queue is not None
        app.job_queue.run_once(handlers.digest.digest_job, when=0)  # the 09:00 run, now
        got = await botapi.wait_for(
            "editMessageText", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10
        )
        assert listed_ids(got.params["text"]) == new
        await eventually(lambda: services(app).dossier.store.subscription(me).cursor == new[-1])  # type: ignore[union-attr]
        assert len(botapi.sent("sendMessage", ok=False, chat_id=me)) == 1
        assert not app.job_queue.get_jobs_by_name(f"digest-retry:{me}")  # done: nothing left waiting
