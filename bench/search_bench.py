"""Search benchmark: Dossier against four reference engines on Reuters-21578 known-item queries.

Run from anywhere as ``python bench/search_bench.py`` (see ``--help``). The data is read from the shared
bench folder (``<repo>/../shared/bench``, or ``$DOSSIER_BENCH_DIR``, or ``--bench-dir``) and is never
copied into the repository; its README describes the corpus, the queries and the anchors' figures.

What is measured, and why this way:

* Quality: MRR@10 and recall@10 per query kind. Clean MRR is the ceiling (a clean query can match several
  documents), so for Dossier the misspelled kinds are also shown as a ratio to clean.
* Speed: per-query latency with the text already in memory (anchors: timed here around ``search()``;
  Dossier: the ``ms`` it reports for each query), as p50/p95, and index build time.
* Memory: Dossier's peak RSS, taken from ``getrusage(RUSAGE_CHILDREN)`` after its process exits (this
  process starts no other children).
* Anchors run in-process (``anchors.py``; Typesense through its own server on 127.0.0.1, timed around
  the client call, see ``typesense_anchor.py``); Dossier runs as ``python -m bot eval --corpus DIR --queries
  FILE`` with the same interpreter and the repo root as working directory, on a folder of ``<id>.txt``
  files written exactly as ``materialize.py`` writes them. It must print one JSON line per query on
  stdout, ``{"qid", "hits": [ids best first], "ms"}``, and a JSON line with ``build_s`` on stderr.
  The query file it gets holds only ``qid`` and ``query``: the relevant ids and the kind stay here.
* Document order: the corpus sorted by file name, which is how a folder is listed and how the README's
  figures were obtained (anchors break score ties by insertion order, see ``anchors.py``).
* ``--scale 100000,300000`` is the scale check instead (``scale.py``): per engine and per size, build CPU
  and wall, peak and serving memory, disk, restart to first search, p50/p95, each engine built and then
  restarted in processes of its own, and the issue's targets for Dossier's disk index beside Tantivy in
  the same run. The corpus is replicated (``scale.stream``): copies ``reuters-123-r2``, ``-r3``, ...
  after the originals, a copy's date line moved on by a year per round and nothing else changed
  (byte-identical copies would be folded into one by Dossier's duplicate detection). Quality is not
  scored there: only the original id counts as a hit, so it would measure how an engine breaks ties
  between near-identical documents.
* ``--json OUT`` writes every figure, the targets, and per engine the rank and time of every query.
* ``--limit-docs N`` keeps the first N documents of the JSONL file and the queries whose relevant
  document is among them: for quick development runs, whose figures are only indicative.
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import resource
import sqlite3
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import scale
import tantivy
from anchors import ANCHOR_NAMES, TOP_K, Doc, make_anchor
from scale import ENGINES as SCALE_ENGINES

REPO_ROOT = Path(__file__).resolve().parent.parent
CORPUS_FILE = "reuters21578.jsonl.gz"
QUERIES_FILE = "reuters-queries.jsonl"
DOSSIER = "dossier"
ENGINE_NAMES = (DOSSIER, *ANCHOR_NAMES)
KINDS = ("clean", "case", "prefix", "typo1", "typo2", "translit")
MISSPELLED = ("prefix", "typo1", "typo2", "translit")
SCALE_TARGET_DOCS = 100_000
DEFAULT_TIMEOUT_S = 3600.0


@dataclass(frozen=True)
class Query:
    """A known-item query: ``relevant`` holds the id(s) of the document it was made from."""

    qid: str
    text: str
    kind: str
    relevant: frozenset[str]


@dataclass
class Run:
    """What one engine returned: ranked ids per qid, per-query latencies in ms, build time, peak RSS."""

    rankings: dict[str, list[str]]
    latencies_ms: dict[str, float]
    build_s: float
    rss_mb: float | None = None


@dataclass
class EngineResult:
    """The figures printed and written to JSON for one engine."""

    engine: str
    mrr: dict[str, float]
    recall: dict[str, float]
    p50_ms: float
    p95_ms: float
    build_s: float
    rss_mb: float | None
    unanswered: int
    ratio_to_clean: dict[str, float] = field(default_factory=dict)
    per_query: dict[str, QueryOutcome] = field(default_factory=dict)


@dataclass(frozen=True)
class QueryOutcome:
    """Per query, for digging into a result: rank of the relevant document (None: not in top 10), time."""

    rank: int | None
    ms: float | None


@dataclass(frozen=True)
class Check:
    """One target of the issue, evaluated on this run."""

    name: str
    value: float | None
    passed: bool | None  # None: not applicable in this run (e.g. Tantivy not run)


# --- data -----------------------------------------------------------------------------------------


def bench_dir_from(cli_value: str | None) -> Path:
    """``--bench-dir`` wins over ``$DOSSIER_BENCH_DIR``, which wins over the sibling ``shared/bench``."""
    if cli_value:
        return Path(cli_value)
    env = os.environ.get("DOSSIER_BENCH_DIR")
    return Path(env) if env else REPO_ROOT.parent / "shared" / "bench"


def file_text(record: dict[str, Any]) -> str:
    """A document's file content, byte for byte as ``materialize.py`` writes it."""
    head = f"{record['title']}\n{record.get('date') or ''}\n\n"
    return f"{head}{record['body']}\n"


def load_corpus(path: Path, limit: int | None) -> list[Doc]:
    """The first ``limit`` documents of the JSONL(.gz) file, sorted by file name like a folder listing."""
    opener = gzip.open if path.suffix == ".gz" else open
    docs: list[Doc] = []
    with opener(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(docs) >= limit:
                break
            record = json.loads(line)
            docs.append(Doc(record["id"], file_text(record)))
    return sorted(docs, key=lambda d: d.id + ".txt")


def load_queries(path: Path, doc_ids: set[str]) -> list[Query]:
    """Queries whose relevant document is in the corpus (all of them unless ``--limit-docs``)."""
    queries = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                q = json.loads(line)
                queries.append(Query(q["qid"], q["query"], q["kind"], frozenset(q["relevant"])))
    return [q for q in queries if q.relevant & doc_ids]


def replica_text(text: str, copy_no: int) -> str:
    """The text with its date line moved ``copy_no - 1`` years on, and nothing else changed.

    An exact copy would be folded into its original by Dossier's duplicate detection (same content
    hash), so the check would silently run on the original 20,841 documents. A different date keeps
    the copy distinct without adding or changing any word a query can match.
    """
    title, date, rest = text.split("\n", 2)
    year = date[:4]
    date = f"{int(year) + copy_no - 1}{date[4:]}" if year.isdigit() else f"{1986 + copy_no}-01-01"
    return f"{title}\n{date}\n{rest}"


def kinds_of(queries: Iterable[Query]) -> list[str]:
    """The known kinds in their usual order, then any others the query file brings."""
    present = {q.kind for q in queries}
    return [k for k in KINDS if k in present] + sorted(present - set(KINDS))


# --- running engines ------------------------------------------------------------------------------


def run_anchor(name: str, docs: Sequence[Doc], queries: Sequence[Query]) -> Run:
    """Build one anchor and time each query around ``search()`` alone."""
    engine = make_anchor(name)
    rankings: dict[str, list[str]] = {}
    latencies: dict[str, float] = {}
    try:
        start = time.perf_counter()
        engine.build(docs)
        build_s = time.perf_counter() - start
        for q in queries:
            start = time.perf_counter()
            rankings[q.qid] = engine.search(q.text)
            latencies[q.qid] = (time.perf_counter() - start) * 1000
    finally:
        engine.close()
    return Run(rankings, latencies, build_s)


def write_corpus_folder(docs: Iterable[Doc], folder: Path) -> None:
    """One ``<id>.txt`` per document, the way the bot ingests a corpus folder."""
    folder.mkdir(parents=True, exist_ok=True)
    for doc in docs:
        (folder / f"{doc.id}.txt").write_text(doc.text, encoding="utf-8")


def write_query_file(queries: Iterable[Query], path: Path) -> None:
    """Only qid and text: Dossier must not see which document is relevant or how the query was made."""
    with path.open("w", encoding="utf-8") as fh:
        for q in queries:
            fh.write(json.dumps({"qid": q.qid, "query": q.text}) + "\n")


def run_dossier(docs: Sequence[Doc], queries: Sequence[Query], timeout_s: float) -> Run:
    """Materialize the corpus and queries in a temp dir and run Dossier's batch ``eval`` over them."""
    with tempfile.TemporaryDirectory(prefix="dossier-bench-") as tmp:
        corpus_dir, query_file = Path(tmp) / "corpus", Path(tmp) / "queries.jsonl"
        write_corpus_folder(docs, corpus_dir)
        write_query_file(queries, query_file)
        cmd = [sys.executable, "-m", "bot", "eval", "--corpus", str(corpus_dir), "--queries", str(query_file)]
        try:
            proc = subprocess.run(
                cmd, cwd=REPO_ROOT, capture_output=True, text=True, timeout=timeout_s, check=False
            )
        except subprocess.TimeoutExpired:
            raise SystemExit(f"dossier eval did not finish within {timeout_s:.0f} s (--timeout)") from None
    rss_mb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss / 1024  # Linux reports KiB
    if proc.returncode != 0:
        tail = "\n".join(proc.stderr.splitlines()[-20:])
        raise SystemExit(f"dossier eval exited with {proc.returncode}:\n{tail}")
    rankings, latencies = parse_dossier_stdout(proc.stdout)
    build_s, indexed = parse_build_line(proc.stderr)
    if indexed is not None and indexed != len(docs):
        print(
            f"warning: dossier reports {indexed:,} documents indexed of {len(docs):,} files", file=sys.stderr
        )
    return Run(rankings, latencies, build_s, rss_mb)


def json_lines(text: str) -> Iterator[dict[str, Any]]:
    """The lines of ``text`` that are JSON objects; anything else (logs, warnings) is skipped."""
    for line in text.splitlines():
        line = line.strip()
        if not line.startswith("{"):
            continue
        try:
            obj = json.loads(line)
        except json.JSONDecodeError:
            continue
        if isinstance(obj, dict):
            yield obj


def parse_dossier_stdout(stdout: str) -> tuple[dict[str, list[str]], dict[str, float]]:
    """``{"qid", "hits", "ms"}`` lines into rankings (top 10 kept) and latencies."""
    rankings: dict[str, list[str]] = {}
    latencies: dict[str, float] = {}
    for obj in json_lines(stdout):
        if "qid" in obj and "hits" in obj:
            rankings[str(obj["qid"])] = [str(h) for h in obj["hits"]][:TOP_K]
            latencies[str(obj["qid"])] = float(obj["ms"])
    if any(h.endswith(".txt") for hits in rankings.values() for h in hits):
        print("warning: dossier returned hits ending in .txt; ids are file names without it", file=sys.stderr)
    return rankings, latencies


def parse_build_line(stderr: str) -> tuple[float, int | None]:
    """``build_s`` (and ``docs``, if given) of the last stderr JSON line with a ``build_s``.

    NaN when Dossier reported no build time, so the run still prints its other figures.
    """
    found = [obj for obj in json_lines(stderr) if "build_s" in obj]
    if not found:
        print('warning: dossier printed no {"build_s": ...} line on stderr', file=sys.stderr)
        return float("nan"), None
    docs = found[-1].get("docs")
    return float(found[-1]["build_s"]), int(docs) if docs is not None else None


# --- scoring --------------------------------------------------------------------------------------


def relevant_rank(hits: Sequence[str], relevant: frozenset[str]) -> int | None:
    """1-based rank of the first relevant id within the top 10, None if none is there."""
    for rank, doc_id in enumerate(hits[:TOP_K], start=1):
        if doc_id in relevant:
            return rank
    return None


def percentile(values: Sequence[float], q: float) -> float:
    """Linear-interpolated percentile; NaN for no values (so a broken engine shows, not crashes)."""
    return float(np.percentile(values, q)) if values else float("nan")


def score(engine: str, run: Run, queries: Sequence[Query], kinds: Sequence[str]) -> EngineResult:
    """MRR@10 and recall@10 per kind; a query the engine did not answer counts as a miss."""
    outcomes = {
        q.qid: QueryOutcome(
            relevant_rank(run.rankings.get(q.qid, []), q.relevant), run.latencies_ms.get(q.qid)
        )
        for q in queries
    }
    mrr: dict[str, float] = {}
    recall: dict[str, float] = {}
    for kind in kinds:
        ranks = [outcomes[q.qid].rank for q in queries if q.kind == kind]
        mrr[kind] = sum(1.0 / r for r in ranks if r is not None) / len(ranks)
        recall[kind] = sum(r is not None for r in ranks) / len(ranks)
    latencies = list(run.latencies_ms.values())
    clean = mrr.get("clean", 0.0)
    return EngineResult(
        engine=engine,
        mrr=mrr,
        recall=recall,
        p50_ms=percentile(latencies, 50),
        p95_ms=percentile(latencies, 95),
        build_s=run.build_s,
        rss_mb=run.rss_mb,
        unanswered=sum(q.qid not in run.rankings for q in queries),
        ratio_to_clean={k: (v / clean if clean else 0.0) for k, v in mrr.items() if k != "clean"},
        per_query=outcomes,
    )


# --- targets --------------------------------------------------------------------------------------


def check(name: str, value: float | None, ok: bool | None) -> Check:
    return Check(name, value, ok if value is not None else None)


def quality_checks(d: EngineResult) -> list[Check]:
    """The issue's quality targets: absolute MRR floors, and misspelled kinds close to clean."""
    mrr, ratio = d.mrr, d.ratio_to_clean
    floors = {"clean": 0.78, "prefix": 0.74, "typo1": 0.74, "translit": 0.74, "typo2": 0.70}
    checks = [
        check(f"MRR@10 {k} >= {v:.2f}", mrr.get(k), k in mrr and mrr[k] >= v) for k, v in floors.items()
    ]
    case_gap = abs(mrr["case"] - mrr["clean"]) if {"case", "clean"} <= mrr.keys() else None
    checks.append(
        check("MRR@10 case == clean (within 0.005)", case_gap, case_gap is not None and case_gap <= 0.005)
    )
    for kind in MISSPELLED:
        need = 0.90 if kind == "typo2" else 0.95
        value = ratio.get(kind)
        checks.append(
            check(f"MRR@10 {kind} >= {need:.0%} of clean", value, value is not None and value >= need)
        )
    return checks


def speed_checks(d: EngineResult, fuzzy_p95: float | None) -> list[Check]:
    """Latency relative to Tantivy-fuzzy measured in the same run (same machine, same load), and build."""
    bound = 2 * fuzzy_p95 if fuzzy_p95 is not None else None
    p95_name = (
        f"p95 <= 2x tantivy-fuzzy p95 ({bound:.2f} ms)"
        if bound is not None
        else "p95 <= 2x tantivy-fuzzy p95"
    )
    return [
        Check(p95_name, d.p95_ms, d.p95_ms <= bound if bound is not None else None),
        Check("p50 < 2 ms", d.p50_ms, d.p50_ms < 2.0),
        Check("build < 10 s", d.build_s, d.build_s < 10.0),
    ]


def targets(results: dict[str, EngineResult]) -> list[Check]:
    """Dossier's quality and speed targets for this run."""
    dossier = results.get(DOSSIER)
    if dossier is None:
        return []
    fuzzy = results.get("tantivy-fuzzy")
    return quality_checks(dossier) + speed_checks(dossier, fuzzy.p95_ms if fuzzy else None)


# --- output ---------------------------------------------------------------------------------------


def fmt(value: float | None, digits: int) -> str:
    return "-" if value is None else f"{value:.{digits}f}"


def table(results: Sequence[EngineResult], kinds: Sequence[str]) -> str:
    """One row per engine: MRR@10 and recall@10 per kind, then latency, build time and RSS."""
    short = {
        "translit": "trans",
        "misspelled-source": "msrc",
        "misspelled": "missp",
        "romanized": "roman",
        "cyrillic": "cyril",
    }
    cols = [short.get(k, k) for k in kinds]
    width = 18
    group = " ".join(f"{c:>6}" for c in cols)
    head1 = f"{'':<{width}} | {'MRR@10':<{len(group)}} | {'recall@10':<{len(group)}} |"
    head2 = (
        f"{'engine':<{width}} | {group} | {group} | {'p50 ms':>7} {'p95 ms':>7} {'build s':>7} {'RSS MB':>7}"
    )
    lines = [head1, head2, "-" * len(head2)]
    for r in results:
        mrr = " ".join(f"{r.mrr[k]:>6.3f}" for k in kinds)
        rec = " ".join(f"{r.recall[k]:>6.3f}" for k in kinds)
        timing = f"{r.p50_ms:>7.2f} {r.p95_ms:>7.2f} {r.build_s:>7.2f} {fmt(r.rss_mb, 0):>7}"
        lines.append(f"{r.engine:<{width}} | {mrr} | {rec} | {timing}")
    return "\n".join(lines)


def report(results: dict[str, EngineResult], checks: Sequence[Check], kinds: Sequence[str], note: str) -> str:
    """The table, Dossier's ratios to clean, unanswered-query warnings and the PASS/FAIL lines."""
    parts = [table(list(results.values()), kinds)]
    dossier = results.get(DOSSIER)
    if dossier is not None:
        ratios = "  ".join(f"{k} {v:.3f}" for k, v in dossier.ratio_to_clean.items())
        parts.append(f"dossier MRR@10 / clean: {ratios}")
    parts += [
        f"warning: {r.engine} left {r.unanswered} queries unanswered"
        for r in results.values()
        if r.unanswered
    ]
    if checks:
        parts.append(f"targets for dossier{note}:")
        for c in checks:
            verdict = {True: "PASS", False: "FAIL", None: "SKIP"}[c.passed]
            parts.append(f"  {verdict}  {c.name}  ({fmt(c.value, 3)})")
    return "\n".join(parts)


def meta(args: argparse.Namespace, bench_dir: Path, n_docs: int, queries: Sequence[Query]) -> dict[str, Any]:
    """Enough context in the JSON to tell two runs apart later."""
    kinds = kinds_of(queries)
    return {
        "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "bench_dir": str(bench_dir),
        "docs": n_docs,
        "queries": {k: sum(q.kind == k for q in queries) for k in kinds},
        "limit_docs": args.limit_docs,
        "scale": args.scale,
        "python": platform.python_version(),
        "sqlite": sqlite3.sqlite_version,
        "tantivy": getattr(tantivy, "__version__", "?"),
        "cpus": os.cpu_count(),
    }


def write_json(
    path: Path, info: dict[str, Any], results: dict[str, EngineResult], checks: Sequence[Check]
) -> None:
    payload = {
        "meta": info,
        "engines": {n: asdict(r) for n, r in results.items()},
        "targets": [asdict(c) for c in checks],
    }
    path.write_text(json.dumps(payload, indent=2) + "\n", encoding="utf-8")


# --- CLI ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "--engines", default=",".join(ENGINE_NAMES), help=f"comma-separated, from {','.join(ENGINE_NAMES)}"
    )
    ap.add_argument(
        "--limit-docs", type=int, help="keep the first N documents and the queries that find them"
    )
    ap.add_argument("--queries", type=Path, help=f"query JSONL (default: BENCH_DIR/{QUERIES_FILE})")
    ap.add_argument(
        "--scale",
        help=f"the scale check at these corpus sizes instead (comma-separated, e.g. {SCALE_TARGET_DOCS})",
    )
    ap.add_argument("--scale-engines", default=",".join(SCALE_ENGINES), help="engines of the scale check")
    ap.add_argument("--keep-index", type=Path, help="scale check: keep built indexes here, serve them again")
    ap.add_argument("--bench-dir", help="data folder (default: $DOSSIER_BENCH_DIR or <repo>/../shared/bench)")
    ap.add_argument("--json", type=Path, dest="json_out", help="also write all figures to this JSON file")
    ap.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds allowed for dossier eval"
    )
    return with_engine_list(ap, ap.parse_args(argv))


def with_engine_list(ap: argparse.ArgumentParser, args: argparse.Namespace) -> argparse.Namespace:
    """``--engines a,b`` as ``args.engine_list``, refusing names this benchmark does not know."""
    args.engine_list = [e.strip() for e in args.engines.split(",") if e.strip()]
    unknown = set(args.engine_list) - set(ENGINE_NAMES)
    if unknown:
        ap.error(f"unknown engine(s) {', '.join(sorted(unknown))}; known: {', '.join(ENGINE_NAMES)}")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    bench_dir = bench_dir_from(args.bench_dir)
    corpus_file, query_file = bench_dir / CORPUS_FILE, args.queries or bench_dir / QUERIES_FILE
    for path in (corpus_file, query_file):
        if not path.is_file():
            raise SystemExit(f"{path} not found: set --bench-dir or $DOSSIER_BENCH_DIR (see --help)")
    if args.scale:
        out = ["--json", str(args.json_out)] if args.json_out else []
        out += ["--keep-index", str(args.keep_index)] if args.keep_index else []
        sizes, engines = ["--sizes", args.scale], ["--engines", args.scale_engines]
        return scale.main(
            [*sizes, *engines, "--bench-dir", str(bench_dir), "--queries", str(query_file), *out]
        )
    docs = load_corpus(corpus_file, args.limit_docs)
    queries = load_queries(query_file, {d.id for d in docs})
    if not queries:
        raise SystemExit("no queries left: none of their relevant documents is in the corpus")
    kinds = kinds_of(queries)
    print(
        f"{len(docs):,} documents, {len(queries):,} queries; engines: {', '.join(args.engine_list)}",
        flush=True,
    )
    results: dict[str, EngineResult] = {}
    for name in args.engine_list:
        start = time.perf_counter()
        run = run_dossier(docs, queries, args.timeout) if name == DOSSIER else run_anchor(name, docs, queries)
        results[name] = score(name, run, queries, kinds)
        print(f"  {name}: done in {time.perf_counter() - start:.1f} s", flush=True)
    checks = targets(results)
    note = " (indicative: --limit-docs)" if args.limit_docs else ""
    print(report(results, checks, kinds, note))
    if args.json_out:
        write_json(args.json_out, meta(args, bench_dir, len(docs), queries), results, checks)
    return 0


if __name__ == "__main__":
    sys.exit(main())
