"""How fast Dossier is ready again on an existing store: a fresh process opens the store, maps the
search index and answers a first query, then a first /who (from the persons saved at the last close
while the people index is rebuilt). Also the cold first start (empty store) for comparison.

    python bench/restart_bench.py [--corpus DIR] [--runs 5]

DIR defaults to the Reuters corpus materialised from ../shared/bench into a temp folder.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

from reuters import REPO, materialize

PROBE = """
import json, sys, time
t0 = time.perf_counter()
from pathlib import Path
from bot.core import Dossier
from bot.search.query import parse_query
t1 = time.perf_counter()
d = Dossier.open(Path(sys.argv[1]))
t2 = time.perf_counter()
scan = sys.argv[2] == "scan"
if scan:
    d.scan_corpus(Path(sys.argv[3]))
t3 = time.perf_counter()
d.search_ids(parse_query("bahia cocoa"))
t4 = time.perf_counter()
d.who("volcker")
t5 = time.perf_counter()
print(json.dumps({"imports": t1 - t0, "open": t2 - t1, "scan": t3 - t2, "first_query": t4 - t3,
                  "ready": t4 - t0, "who": t5 - t0, "docs": len(d)}))
d.close()
"""


def probe(data: Path, corpus: Path, scan: bool) -> dict[str, float]:
    out = subprocess.run(
        [sys.executable, "-c", PROBE, str(data), "scan" if scan else "noscan", str(corpus)],
        cwd=REPO,
        capture_output=True,
        text=True,
        check=True,
    )
    return dict(json.loads(out.stdout.strip().splitlines()[-1]))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path)
    parser.add_argument("--runs", type=int, default=5)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="dossier-restart-") as tmp:
        corpus = args.corpus
        if corpus is None:
            corpus = materialize(Path(tmp) / "corpus")
        data = Path(tmp) / "data"
        cold = probe(data, corpus, scan=True)
        print(f"first start (empty store, {cold['docs']:.0f} files ingested): {cold['ready']:.2f} s")
        for label, scan in (
            ("restart, bot (corpus scan in background)", False),
            ("restart, CLI (corpus rescanned first)", True),
        ):
            runs = [probe(data, corpus, scan) for _ in range(args.runs)]
            med = {k: statistics.median(r[k] for r in runs) for k in runs[0]}
            print(
                f"{label}: ready in {med['ready']:.2f} s (median of {args.runs}: "
                f"imports {med['imports']:.2f}, open+snapshot {med['open']:.2f}, scan {med['scan']:.2f}, "
                f"first query {med['first_query'] * 1000:.1f} ms); first /who {med['who']:.2f} s"
            )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
