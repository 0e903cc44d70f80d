"""The crash fault suite: SIGKILL of the real bot process at random points (fixed seeds) of a corpus scan,
a zip upload, a digest to many subscribers and /reindex, then a restart and the checks of
``tests/faultsuite.py`` (nothing lost, nothing doubled, store integrity, nothing hung).

    python bench/fault_suite.py [--trials 20] [--scenario scan --scenario digest ...] [--seed 0]
                                [--postgres [--database-url URL]]

``--postgres``: the ``replicas`` scenario's bots share a fresh PostgreSQL database per trial
(``bench/postgres.py``: an embedded server with fsync and synchronous commits on, or ``--database-url``);
the other scenarios stay on SQLite (they restart one bot on its data folder).

Prints each trial as it ends, then per scenario the trials and outcomes (ok / lost / duplicated /
corrupted / crashed / hung), the stray digest opening lines, the orphan originals and the kills that
came only after the work had ended. Everything runs on 127.0.0.1 (the fake Bot API of
``tests/fakebotapi/``), in throwaway folders. Exits 1 if any trial was not ok.
"""

from __future__ import annotations

import argparse
import asyncio
import logging
import os
import sys
import time
from contextlib import nullcontext
from dataclasses import replace
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))
os.environ.setdefault("PTB_TIMEDELTA", "1")

from postgres import fresh_databases  # noqa: E402

from tests.faultsuite import SCENARIOS, Sizes, Trial, run_trial, summary  # noqa: E402


async def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--trials", type=int, default=20, help="trials per scenario (default 20)")
    parser.add_argument("--scenario", action="append", choices=sorted(SCENARIOS), help="default: all")
    parser.add_argument("--seed", type=int, default=0, help="first seed; trial k uses seed + k")
    parser.add_argument("--digest-chats", type=int, default=Sizes.digest_chats)
    parser.add_argument("--scan-files", type=int, default=Sizes.scan_files)
    parser.add_argument("--postgres", action="store_true", help="replicas on PostgreSQL instead of SQLite")
    parser.add_argument("--database-url", help="with --postgres: a server's maintenance database URL")
    args = parser.parse_args()
    # A killed bot cuts its requests off mid-body: the fake server's tracebacks about it are expected.
    logging.getLogger("aiohttp.server").setLevel(logging.CRITICAL)
    sizes = Sizes(scan_files=args.scan_files, digest_chats=args.digest_chats)
    trials: list[Trial] = []
    with fresh_databases(args.database_url) if args.postgres else nullcontext(lambda: "") as new_database:
        for name in args.scenario or list(SCENARIOS):
            for k in range(args.trials):
                started = time.perf_counter()
                url = new_database() if name == "replicas" else ""
                trial = await run_trial(name, args.seed + k, replace(sizes, database_url=url or None))
                trials.append(trial)
                extra = f" stray={trial.stray}" if trial.stray else ""
                extra += f" orphans={trial.orphans}" if trial.orphans else ""
                extra += " (killed after the work ended)" if trial.late else ""
                print(
                    f"{name:<8} seed {trial.seed:>3}: {trial.outcome:<10}"
                    f" {time.perf_counter() - started:5.1f} s{extra} {trial.detail}",
                    flush=True,
                )
    if args.postgres:
        print("replicas on PostgreSQL")
    print()
    print(summary(trials))
    return 0 if all(t.outcome == "ok" for t in trials) else 1


if __name__ == "__main__":
    sys.exit(asyncio.run(main()))
