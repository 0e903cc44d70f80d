"""How soon a document another process adds is found by the running bot (issue 19: within 5 s, p95).

The real bot (``python -m bot run`` against the fake Bot API on 127.0.0.1) serves a store holding the
Reuters-21578 corpus; this process opens the same store as a second process and adds documents one at a
time, each with a word no other document has, at random moments (so they fall anywhere in the bot's
polling second). After each commit it asks the bot ``/search <word>`` until the reply lists the new
document: the time from the commit to that reply is the propagation delay.

    python bench/propagation_bench.py [--additions 50] [--seed 0] [--corpus DIR]
                                      [--postgres [--database-url URL]]

``--postgres``: the store in a fresh PostgreSQL database (``bench/postgres.py``: an embedded server with
fsync and synchronous commits on, or ``--database-url``) instead of SQLite.

Prints the delay's median, p95 and maximum, with the anchors of the same run: the bot's polling interval
(``handlers.app.FOLLOW_EVERY``), the round trip of a ``/search`` for an indexed word (the resolution of
the measurement), and what the bot's catch-up costs when nothing changed (timed here, on the same store).
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import random
import signal
import statistics
import string
import sys
import tempfile
import time
from collections.abc import Callable
from contextlib import nullcontext
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from postgres import fresh_databases  # noqa: E402
from reuters import materialize  # noqa: E402

from bot.core import Dossier  # noqa: E402
from bot.ingest import prepare_text  # noqa: E402
from handlers.app import FOLLOW_EVERY  # noqa: E402
from tests.conftest import bot_env  # noqa: E402
from tests.fakebotapi import FakeBotApi  # noqa: E402


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, round(p / 100 * len(ordered)) - 1))]


async def ask(botapi: FakeBotApi, text: str) -> str:
    botapi.user_message(text)
    reply = await botapi.wait_for("sendMessage", timeout=30)
    return str(reply.params.get("text", ""))


async def run(args: argparse.Namespace, work: Path, new_database: Callable[[], str]) -> int:
    rng = random.Random(args.seed)
    corpus = args.corpus or materialize(work / "corpus")
    data = work / "data"
    url = new_database() or None
    started = time.perf_counter()
    writer = Dossier.open(data, database_url=url)
    writer.scan_corpus(corpus)
    print(
        f"store: {'PostgreSQL' if url else 'SQLite'}, {len(writer)} documents"
        f" ({time.perf_counter() - started:.0f} s to build)",
        flush=True,
    )
    async with FakeBotApi(strict=False) as botapi:
        log = (work / "bot.log").open("wb")
        env = bot_env(botapi, corpus, data, **({"DOSSIER_DATABASE_URL": url} if url else {}))
        bot = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stderr=log
        )
        try:
            await botapi.wait_for("setMyCommands", timeout=120)
            await ask(botapi, "/search bahia cocoa")  # warm
            round_trips = []
            for _ in range(20):
                t0 = time.perf_counter()
                assert "#" in await ask(botapi, "/search bahia cocoa")
                round_trips.append(time.perf_counter() - t0)
            idle = []
            for _ in range(200):
                t0 = time.perf_counter()
                writer.catch_up()
                idle.append(time.perf_counter() - t0)
            delays = []
            for i in range(args.additions):
                await asyncio.sleep(rng.uniform(0, 2 * FOLLOW_EVERY))
                word = "".join(rng.choice(string.ascii_lowercase) for _ in range(12))
                name = f"propagation-{i:03d}.txt"
                text = f"Propagation note {i}\n\nThe {word} entry was filed by another process today."
                outcome = writer.add_prepared(prepare_text(name, text), added_by="bench")
                assert outcome.status == "added", outcome
                committed = time.perf_counter()
                while name not in await ask(botapi, f"/search {word}"):
                    if time.perf_counter() - committed > 60:
                        raise SystemExit(f"addition {i} not found by the bot in 60 s")
                delays.append(time.perf_counter() - committed)
                print(f"addition {i:>3}: found after {delays[-1] * 1000:6.0f} ms", flush=True)
        finally:
            bot.send_signal(signal.SIGTERM)
            await asyncio.wait_for(bot.wait(), 30)
            log.close()
            writer.close()
    print()
    print(f"propagation over {len(delays)} additions (commit in one process -> found by the bot's /search):")
    print(
        f"  median {statistics.median(delays):.2f} s   p95 {pct(delays, 95):.2f} s   max {max(delays):.2f} s"
        "   (target: p95 within 5 s)"
    )
    print("anchors, same run:")
    print(f"  the bot looks for other processes' changes every {FOLLOW_EVERY:.1f} s")
    print(f"  /search round trip for an indexed word: median {statistics.median(round_trips) * 1000:.0f} ms")
    print(f"  a catch-up when nothing changed: median {statistics.median(idle) * 1e6:.0f} us")
    return 0 if pct(delays, 95) <= 5.0 else 1


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--additions", type=int, default=50)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--corpus", type=Path, help="default: Reuters-21578 from DOSSIER_BENCH_DIR")
    parser.add_argument("--postgres", action="store_true", help="store in PostgreSQL instead of SQLite")
    parser.add_argument("--database-url", help="with --postgres: a server's maintenance database URL")
    args = parser.parse_args()
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    with (
        tempfile.TemporaryDirectory(prefix="dossier-propagation-") as tmp,
        fresh_databases(args.database_url) if args.postgres else nullcontext(lambda: "") as new_database,
    ):
        return asyncio.run(run(args, Path(tmp), new_database))


if __name__ == "__main__":
    sys.exit(main())
