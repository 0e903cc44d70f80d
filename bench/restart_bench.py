"""How fast Dossier is ready again on an existing store: a fresh process opens the store, maps the
search index and answers a first query, then a first /who (from the persons saved at the last close
while the people index is rebuilt). Also the cold first start (empty store) for comparison.

    python bench/restart_bench.py [--corpus DIR] [--runs 5] [--postgres [--database-url URL]]

DIR defaults to the Reuters corpus materialised from ../shared/bench into a temp folder. ``--postgres``:
the store in a fresh PostgreSQL database (``bench/postgres.py``), the data folder holding only the index
snapshot.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
from contextlib import nullcontext
from pathlib import Path

from postgres import fresh_databases
from reuters import BENCH, REPO, materialize

PROBE = """
import json, os, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bot.core import Dossier
from bot.search.query import parse_query
t1 = time.perf_counter()
d = Dossier.open(Path(sys.argv[1]), database_url=os.environ.get("DOSSIER_DATABASE_URL") or None)
t2 = time.perf_counter()
scan = sys.argv[2] == "scan"
if scan:
    d.scan_corpus(Path(sys.argv[3]))
t3 = time.perf_counter()
d.search_ids(parse_query("bahia cocoa"))
t4 = time.perf_counter()
d.who("volcker")
t5 = time.perf_counter()
took = []  # whole result pages (index, the hits' documents read from the store, snippets), in ms
if len(sys.argv) > 4:
    queries = [json.loads(line)["query"] for line in open(sys.argv[4], encoding="utf-8") if line.strip()]
    for q in queries[:400]:
        s = time.perf_counter()
        d.search(parse_query(q))
        took.append((time.perf_counter() - s) * 1000)
took.sort()
print(json.dumps({"imports": t1 - t0, "open": t2 - t1, "scan": t3 - t2, "first_query": t4 - t3,
                  "ready": t4 - t0, "who": t5 - t0, "docs": len(d),
                  "search_p50": took[len(took) // 2] if took else 0.0,
                  "search_p95": took[int(len(took) * 0.95)] if took else 0.0}))
d.close()
"""


def probe(
    data: Path, corpus: Path, scan: bool, database_url: str | None = None, queries: Path | None = None
) -> dict[str, float]:
    env = {k: v for k, v in os.environ.items() if k != "DOSSIER_DATABASE_URL"}
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(data), "scan" if scan else "noscan", str(corpus)]
        + ([str(queries)] if queries else []),
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--postgres", action="store_true", help="store in PostgreSQL instead of SQLite")
    parser.add_argument("--database-url", help="with --postgres: a server's maintenance database URL")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="dossier-restart-") as tmp,
        fresh_databases(args.database_url) if args.postgres else nullcontext(lambda: "") as new_database,
    ):
        corpus = args.corpus
        if corpus is None:
            corpus = materialize(Path(tmp) / "corpus")
        data = Path(tmp) / "data"
        queries = BENCH / "reuters-queries.jsonl"
        queries = queries if queries.is_file() else None
        url = new_database() or None
        print(f"store: {'PostgreSQL' if url else 'SQLite'}")
        cold = probe(data, corpus, scan=True, database_url=url)
        print(f"first start (empty store, {cold['docs']:.0f} files ingested): {cold['ready']:.2f} s")
        for label, scan in (
            ("restart, bot (corpus scan in background)", False),
            ("restart, CLI (corpus rescanned first)", True),
        ):
            # The searches (400 Reuters queries after the bot's restarts) do not count in "ready".
            runs = [probe(data, corpus, scan, url, None if scan else queries) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(
                f"{label}: ready in {med['ready']:.2f} s (median of {args.runs}: "
                f"imports {med['imports']:.2f}, open+snapshot {med['open']:.2f}, scan {med['scan']:.2f}, "
                f"first query {med['first_query'] * 1000:.1f} ms); first /who {med['who']:.2f} s"
            )
            if queries and not scan:
                print(
                    f"  then a whole result page (index, the hits read from the store, snippets) for 400 "
                    f"Reuters queries: median {med['search_p50']:.2f} ms, p95 {med['search_p95']:.2f} ms"
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
