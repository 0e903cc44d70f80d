"""Ingest throughput: documents per second for the Reuters-21578 folder through ``python -m bot ingest``
(the upload pipeline: type detection, text, exact and near duplicates, originals kept and fsynced, one
transaction per document), into a throwaway data dir.

    python bench/ingest_bench.py [--corpus DIR] [--runs 1] [--postgres [--database-url URL]]

DIR defaults to the Reuters corpus materialised from ../shared/bench into a temp folder (20,841 .txt).
Prints the pipeline's own figure (documents stored / seconds inside ``ingest_paths``) and the wall time
of the whole process (start-up and index snapshot included). ``--postgres``: into a fresh PostgreSQL
database per run instead of SQLite (``bench/postgres.py``: an embedded server, or ``--database-url``).
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

from postgres import fresh_databases
from reuters import REPO, materialize


def run_once(corpus: Path, tmp: Path, n: int, database_url: str | None = None) -> dict[str, float]:
    data, empty = tmp / f"data-{n}", tmp / f"empty-{n}"
    empty.mkdir()
    env = {**os.environ, "DOSSIER_DATA_DIR": str(data), "DOSSIER_CORPUS_DIR": str(empty)}
    env.pop("TELEGRAM_BOT_TOKEN", None)
    env.pop("DOSSIER_DATABASE_URL", None)
    if database_url:
        env["DOSSIER_DATABASE_URL"] = database_url
    started = time.perf_counter()
    out = subprocess.run(
        [sys.executable, "-m", "bot", "ingest", str(corpus), "--json"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    wall = time.perf_counter() - started
    summary = dict(json.loads(out.stdout.strip().splitlines()[-1]))
    summary["wall_s"] = wall
    return summary


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--runs", type=int, default=1)
    parser.add_argument("--postgres", action="store_true", help="store in PostgreSQL instead of SQLite")
    parser.add_argument("--database-url", help="with --postgres: a server's maintenance database URL")
    args = parser.parse_args()
    with (
        tempfile.TemporaryDirectory(prefix="dossier-ingest-") as tmp_name,
        fresh_databases(args.database_url) if args.postgres else nullcontext(lambda: "") as new_database,
    ):
        tmp = Path(tmp_name)
        corpus = args.corpus
        if corpus is None:
            corpus = materialize(tmp / "corpus")
        files = sum(1 for p in corpus.rglob("*") if p.is_file())
        print(f"store: {'PostgreSQL' if args.postgres else 'SQLite'}")
        runs = [run_once(corpus, tmp, n, new_database() or None) for n in range(args.runs)]
        for r in runs:
            stored = r["added"] + r["updated"]
            print(
                f"{files} files: {stored:.0f} stored ({r['near_duplicates']:.0f} flagged near-duplicates), "
                f"{r['duplicates']:.0f} duplicates, {r['skipped']:.0f} skipped; "
                f"pipeline {r['seconds']:.1f} s "
                f"= {r['docs_per_s']:.0f} documents/s; whole process {r['wall_s']:.1f} s "
                f"= {stored / r['wall_s']:.0f} documents/s"
            )
        if len(runs) > 1:
            print(f"median: {statistics.median(r['docs_per_s'] for r in runs):.0f} documents/s (pipeline)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
