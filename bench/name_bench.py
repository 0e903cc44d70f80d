"""Name-variant and real-misspelling benchmark: Dossier against the anchors on ``bench/name-queries.jsonl``.

Run from anywhere as ``python bench/name_bench.py`` (see ``--help``). The queries and how they are
judged (by the documents Reuters' editors labelled with the person; a misspelled query by its source
document) are described in ``make_name_queries.py``, which wrote them. Corpus, engines and timing are
``search_bench.py``'s (same documents in the same order, same ``python -m bot eval`` contract for
Dossier, the same in-process anchors and Typesense): this is a sibling that imports its running of
engines, with its own kinds and targets.

Targets for Dossier (issue 18): first on every kind; names in other romanizations at least 97% and names
typed in Cyrillic at least 85% of its MRR@10 on correctly spelled names; real misspellings at least 96% of
the same queries spelled right (``misspelled-source``).
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Sequence
from pathlib import Path

from search_bench import (
    CORPUS_FILE,
    DEFAULT_TIMEOUT_S,
    DOSSIER,
    ENGINE_NAMES,
    Check,
    EngineResult,
    bench_dir_from,
    fmt,
    load_corpus,
    load_queries,
    run_anchor,
    run_dossier,
    score,
    table,
    with_engine_list,
)

HERE = Path(__file__).resolve().parent
DEFAULT_QUERIES = HERE / "name-queries.jsonl"
KINDS = ("clean", "romanized", "cyrillic", "misspelled-source", "misspelled")
# kind -> (the kind it is compared with, the share of that kind's MRR it must keep)
RATIOS = {
    "romanized": ("clean", 0.97),
    "cyrillic": ("clean", 0.85),
    "misspelled": ("misspelled-source", 0.96),
}


def checks(results: dict[str, EngineResult]) -> list[Check]:
    dossier = results.get(DOSSIER)
    if dossier is None:
        return []
    out: list[Check] = []
    for kind, (base, need) in RATIOS.items():
        ratio = dossier.mrr[kind] / dossier.mrr[base] if dossier.mrr[base] else 0.0
        out.append(Check(f"MRR@10 {kind} >= {need:.0%} of {base}", ratio, ratio >= need))
    for kind in KINDS:
        best = max((r.mrr[kind] for n, r in results.items() if n != DOSSIER), default=None)
        if best is not None:
            name = f"MRR@10 {kind} above every anchor's (best {best:.3f})"
            out.append(Check(name, dossier.mrr[kind], dossier.mrr[kind] > best))
    return out


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "--engines", default=",".join(ENGINE_NAMES), help=f"comma-separated, from {','.join(ENGINE_NAMES)}"
    )
    ap.add_argument(
        "--queries", type=Path, default=DEFAULT_QUERIES, help="query JSONL (make_name_queries.py)"
    )
    ap.add_argument("--bench-dir", help="data folder (default: $DOSSIER_BENCH_DIR or <repo>/../shared/bench)")
    ap.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds allowed for dossier eval"
    )
    return with_engine_list(ap, ap.parse_args(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus_file = bench_dir_from(args.bench_dir) / CORPUS_FILE
    if not corpus_file.is_file():
        raise SystemExit(f"{corpus_file} not found: set --bench-dir or $DOSSIER_BENCH_DIR (see --help)")
    docs = load_corpus(corpus_file, None)
    queries = load_queries(args.queries, {d.id for d in docs})
    kinds = [k for k in KINDS if any(q.kind == k for q in queries)]
    counts = ", ".join(f"{k} {sum(q.kind == k for q in queries)}" for k in kinds)
    print(
        f"{len(docs):,} documents, {len(queries)} queries ({counts}); engines: {', '.join(args.engine_list)}"
    )
    results: dict[str, EngineResult] = {}
    for name in args.engine_list:
        start = time.perf_counter()
        run = run_dossier(docs, queries, args.timeout) if name == DOSSIER else run_anchor(name, docs, queries)
        results[name] = score(name, run, queries, kinds)
        print(f"  {name}: done in {time.perf_counter() - start:.1f} s", flush=True)
    print(table(list(results.values()), kinds))
    targets = checks(results)
    if targets:
        print("targets for dossier:")
        for c in targets:
            verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[c.passed]
            print(f"  {verdict}  {c.name}  ({fmt(c.value, 3)})")
    return 0


if __name__ == "__main__":
    sys.exit(main())
