"""How long one digest run takes for many subscribers, through the fake Bot API server with the real
Application and its AIORateLimiter (about 30 messages a second overall, so 1,000 one-part digests cannot
take less than about 32 s).

    python bench/digest_bench.py [--subscribers 1000] [--docs 3] [--faults]

Everything runs on 127.0.0.1: the fake server of ``tests/fakebotapi/`` and the bot's Application from
``handlers.app.build_application`` in one event loop, on a throwaway store. The run is the scheduled job
itself (``handlers.digest.digest_job``), started through the JobQueue. Afterwards every subscriber's
confirmed digests are read back from the server's records and compared with the new documents: each must
have got every one of them exactly once, and its cursor must stand on the newest.

``--members`` runs under ``DOSSIER_ACCESS=members`` (every subscriber a member of the allowed group), so the
run also checks each subscriber's membership with ``getChatMember``, paced by the same limiter.

``--faults`` also blocks the bot for 2% of the chats (403), answers the first send of 0.5% with
``429 retry_after=1`` and of 1% with a 500; then a second run shows that the 500s are made up and nothing
is sent twice.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import logging
import os
import re
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.core import Dossier  # noqa: E402
from bot.ingest import prepare_text  # noqa: E402
from bot.settings import load_settings  # noqa: E402
from handlers.app import build_application  # noqa: E402
from handlers.context import DossierApp, DossierContext, Services  # noqa: E402
from handlers.digest import digest_job  # noqa: E402
from tests.fakebotapi import TOKEN, FakeBotApi, FakeUser  # noqa: E402

_LISTED = re.compile(r"<b>#(\d+)</b>")


@dataclass
class RunResult:
    wall_s: float
    sent_ok: int
    failed: int
    reply_s: float | None = None  # a user's /search answered while the run was sending


def add_docs(dossier: Dossier, n: int, tag: str) -> list[int]:
    ids = []
    for i in range(n):
        body = (
            f"{tag.capitalize()} bulletin {i} on regional security\n\n"
            f"The {tag} bulletin number {i} reports what the ministers agreed in Astana this week. "
            "A second sentence adds the detail that matters to the team."
        )
        outcome = dossier.add_prepared(prepare_text(f"{tag}-{i}.txt", body), added_by="bench")
        assert outcome.doc_id is not None
        ids.append(outcome.doc_id)
    return ids


async def one_run(botapi: FakeBotApi, app: DossierApp, asker: FakeUser | None = None) -> RunResult:
    """One run of the scheduled digest job, through the JobQueue, timed from its start to its end;
    with ``asker``, also how long a /search reply takes while the run holds the rate limiter."""
    assert app.job_queue is not None
    done: asyncio.Future[float] = asyncio.get_running_loop().create_future()
    calls_before = len(botapi.calls)

    async def timed_job(context: DossierContext) -> None:
        started = time.perf_counter()
        await digest_job(context)
        done.set_result(time.perf_counter() - started)

    app.job_queue.run_once(timed_job, when=0, name="bench-run")
    reply_s = None
    if asker is not None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(asyncio.shield(done), timeout=3)
    if asker is not None and not done.done():  # only a question asked while the run is sending
        asked = time.perf_counter()
        botapi.user_message("/search bulletin", user=asker)
        await botapi.wait_for("sendMessage", chat_id=asker.id, timeout=60)
        reply_s = time.perf_counter() - asked
    wall = await asyncio.wait_for(done, timeout=3600)
    skip = asker.id if asker is not None else None
    sends = [c for c in botapi.calls[calls_before:] if c.method in DIGEST_METHODS and c.chat_id != skip]
    return RunResult(wall, sum(c.ok for c in sends), sum(not c.ok for c in sends), reply_s)


DIGEST_METHODS = ("sendMessage", "editMessageText")  # a part's opening line, then the part


def deliveries(botapi: FakeBotApi) -> dict[int, Counter[int]]:
    """Per chat, how many times each document was listed in a confirmed digest message (a part is posted
    as an opening line, then edited into the whole part)."""
    got: dict[int, Counter[int]] = {}
    for call in botapi.sent("editMessageText", ok=True):
        text = call.text or ""
        if not text.startswith("<b>Preview"):  # continuation parts of a digest carry no header
            got.setdefault(int(call.chat_id), Counter()).update(int(x) for x in _LISTED.findall(text))
    return got


def check(
    botapi: FakeBotApi, services: Services, users: list[FakeUser], new: list[int], gone: set[int]
) -> tuple[int, list[str]]:
    """How many subscribers got exactly ``new`` once with the cursor on its last; what went wrong."""
    got = deliveries(botapi)
    exact, problems = 0, []
    for user in users:
        sub = services.dossier.store.subscription(user.id)
        counts = got.get(user.id, Counter())
        if user.id in gone:
            if sub is not None or counts:
                problems.append(f"blocked chat {user.id}: subscription={sub is not None} got={dict(counts)}")
            continue
        once = sorted(counts) == new and set(counts.values()) == {1}
        if once and sub is not None and sub.cursor == new[-1]:
            exact += 1
        else:
            cursor = sub.cursor if sub else None
            problems.append(f"chat {user.id}: got {dict(counts)}, cursor {cursor}, wanted {new} once")
    return exact, problems


async def bench(subscribers: int, docs: int, faults: bool, members: bool) -> int:
    logging.basicConfig(level=logging.ERROR, format="%(levelname)s %(name)s: %(message)s")
    with tempfile.TemporaryDirectory(prefix="dossier-digest-bench-") as tmp:
        data, corpus = Path(tmp) / "data", Path(tmp) / "corpus"
        corpus.mkdir()
        async with FakeBotApi() as botapi:
            team = botapi.group(title="Team", supergroup=True)
            access = (
                {"DOSSIER_ACCESS": "members", "DOSSIER_ALLOWED_CHAT_IDS": str(team.id)} if members else {}
            )
            settings = load_settings(
                **access,
                TELEGRAM_BOT_TOKEN=TOKEN,
                TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{botapi.port}",
                DOSSIER_CORPUS_DIR=str(corpus),
                DOSSIER_DATA_DIR=str(data),
                DOSSIER_CORPUS_SCAN="off",
                DOSSIER_DIGEST_SCHEDULE="0 9 * * *",  # the bench triggers the run itself
                DOSSIER_LOG_LEVEL="ERROR",
            )
            dossier = Dossier.open(data)
            add_docs(dossier, 5, "old")  # before the subscriptions: must not be sent
            users = [botapi.user(f"Reader{i}") for i in range(subscribers)]
            for user in users if members else ():
                botapi.set_member(team, user, "member")
            t0 = time.perf_counter()
            for user in users:
                dossier.store.subscribe(user.id, None, "user", user.id)
            subscribe_s = time.perf_counter() - t0
            new = add_docs(dossier, docs, "new")
            gone: set[int] = set()
            if faults:
                for user in users[::50]:  # 2%: the bot was blocked
                    botapi.block_bot(user)
                    gone.add(user.id)
                for user in users[7::200]:  # 0.5%: flood control on the first send
                    botapi.fail_next("sendMessage", status=429, retry_after=1, chat_id=user.id)
                for user in users[3::100]:  # 1%: a server error, retried at the next run
                    botapi.fail_next("sendMessage", status=500, chat_id=user.id)
            app = build_application(settings, dossier)
            services: Services = app.bot_data["services"]
            try:
                async with botapi.running(app, fail_on_handler_errors=False):
                    await botapi.wait_for("setMyCommands")
                    first = await one_run(botapi, app, botapi.user("Asker"))
                    second = await one_run(botapi, app) if faults else None
                    exact, problems = check(botapi, services, users, new, gone)
                    unsubscribed = sum(services.dossier.store.subscription(u) is None for u in gone)
            finally:
                dossier.close()
    print(f"subscribers: {subscribers}, new documents: {docs}, faults: {faults}, members-only: {members}")
    print(f"getChatMember calls: {len(botapi.sent('getChatMember'))}")
    print(f"subscribing {subscribers} chats in the store: {subscribe_s:.2f} s")
    for label, run in (("run 1", first), ("run 2", second)):
        if run is None:
            continue
        rate = run.sent_ok / run.wall_s if run.wall_s else 0.0
        print(
            f"{label}: wall {run.wall_s:.2f} s, messages sent {run.sent_ok} (+{run.failed} refused by the "
            f"server), {rate:.1f} messages/s"
        )
        if run.reply_s is not None:
            print(f"{label}: a /search asked 3 s into the run was answered in {run.reply_s:.2f} s")
    if faults:
        print(f"blocked chats whose subscription ended: {unsubscribed}/{len(gone)}")
    wanted = subscribers - len(gone)
    print(f"subscribers with exactly the new documents once and the cursor on the newest: {exact}/{wanted}")
    for line in problems[:10]:
        print("  problem:", line)
    return 0 if exact == wanted and not problems else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--subscribers", type=int, default=1000)
    parser.add_argument("--docs", type=int, default=3)
    parser.add_argument("--faults", action="store_true")
    parser.add_argument("--members", action="store_true", help="DOSSIER_ACCESS=members: each run checks")
    args = parser.parse_args()
    return asyncio.run(bench(args.subscribers, args.docs, args.faults, args.members))


if __name__ == "__main__":
    raise SystemExit(main())
