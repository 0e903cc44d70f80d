"""Topical benchmark: information needs asked in English and in Russian, judged by Reuters' own labels.

Run from anywhere as ``python bench/topical_bench.py`` (see ``--help``); the held-out set with
``--queries bench/topical-queries-heldout.jsonl``. Corpus and anchors are those of ``search_bench.py``
(same documents in the same order, same ``python -m bot eval`` contract for Dossier, same in-process
anchors plus Typesense), so the two benchmarks measure one engine set-up; this one is a sibling module
rather than more of ``search_bench.py`` because it judges differently (sets of relevant documents drawn
from the corpus's labels, graded metrics, two languages per need) and shares only the running of
engines, which it imports.

* A need (``bench/topical-queries.jsonl``): ``{"qid", "en", "ru", "labels": {"topics", "places",
  "orgs"}}``. A document is relevant when it carries EVERY label the need lists; the labels are the
  human judgments of Reuters' editors that ship with the corpus (``../shared/bench/README.md``).
  Each need becomes two queries, ``<qid>-en`` and ``<qid>-ru``, with the same relevant set; Dossier
  sees only ``qid`` and the text.
* Metrics over the top 10, averaged over needs, per language: P@10 (relevant hits / 10), MRR@10
  (1 / rank of the first relevant hit), nDCG@10 (binary gains, log2 discount, ideal = min(10, |rel|)
  relevant hits first). ``ru/en`` is the ratio of the Russian to the English nDCG@10: how much of its
  English quality an engine keeps when the same need is asked in Russian. Latency p95 per language
  is shown too (cross-language queries must stay fast).
* Targets for Dossier (issue 18): ru/en nDCG@10 >= 0.85, and English P@10 above every anchor's.
* ``--limit-docs N`` keeps the first N documents (indicative figures only, for development).
"""

from __future__ import annotations

import argparse
import gzip
import json
import math
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from anchors import TOP_K, Doc
from search_bench import (
    CORPUS_FILE,
    DEFAULT_TIMEOUT_S,
    DOSSIER,
    ENGINE_NAMES,
    Query,
    Run,
    bench_dir_from,
    file_text,
    percentile,
    run_anchor,
    run_dossier,
    with_engine_list,
)

HERE = Path(__file__).resolve().parent
DEFAULT_QUERIES = HERE / "topical-queries.jsonl"
LANGS = ("en", "ru")
LABEL_KINDS = ("topics", "places", "orgs")
MIN_RELEVANT = 10
RU_EN_TARGET = 0.85


@dataclass(frozen=True)
class Need:
    """One information need: its text in each language and the labels a relevant document carries."""

    qid: str
    text: dict[str, str]
    labels: dict[str, frozenset[str]]


@dataclass
class LangScore:
    """Mean figures of one engine over the needs asked in one language."""

    p10: float
    mrr10: float
    ndcg10: float
    p95_ms: float


@dataclass
class TopicalResult:
    engine: str
    langs: dict[str, LangScore]
    ru_en_ndcg: float


# --- data -----------------------------------------------------------------------------------------


def load_labelled_corpus(path: Path, limit: int | None) -> tuple[list[Doc], dict[str, dict[str, set[str]]]]:
    """Documents as ``search_bench.load_corpus`` gives them, and each document's labels by id."""
    docs: list[Doc] = []
    labels: dict[str, dict[str, set[str]]] = {}
    with gzip.open(path, "rt", encoding="utf-8") as fh:
        for line in fh:
            if limit is not None and len(docs) >= limit:
                break
            record = json.loads(line)
            docs.append(Doc(record["id"], file_text(record)))
            labels[record["id"]] = {kind: set(record.get(kind) or ()) for kind in LABEL_KINDS}
    return sorted(docs, key=lambda d: d.id + ".txt"), labels


def load_needs(path: Path) -> list[Need]:
    needs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            if line.strip():
                obj = json.loads(line)
                needs.append(
                    Need(
                        obj["qid"],
                        {lang: obj[lang] for lang in LANGS},
                        {k: frozenset(obj["labels"].get(k, ())) for k in LABEL_KINDS},
                    )
                )
    return needs


def relevant_ids(need: Need, labels: dict[str, dict[str, set[str]]]) -> frozenset[str]:
    """Every document that carries all the labels the need lists."""
    return frozenset(
        doc_id
        for doc_id, have in labels.items()
        if all(need.labels[kind] <= have[kind] for kind in LABEL_KINDS)
    )


def queries_of(needs: Sequence[Need], relevant: dict[str, frozenset[str]]) -> list[Query]:
    """Two queries per need, ``<qid>-en`` and ``<qid>-ru``; ``kind`` holds the language."""
    return [Query(f"{n.qid}-{lang}", n.text[lang], lang, relevant[n.qid]) for n in needs for lang in LANGS]


# --- scoring --------------------------------------------------------------------------------------


def precision_at_10(hits: Sequence[str], relevant: frozenset[str]) -> float:
    return sum(h in relevant for h in hits[:TOP_K]) / TOP_K


def mrr_at_10(hits: Sequence[str], relevant: frozenset[str]) -> float:
    for rank, doc_id in enumerate(hits[:TOP_K], start=1):
        if doc_id in relevant:
            return 1.0 / rank
    return 0.0


def ndcg_at_10(hits: Sequence[str], relevant: frozenset[str]) -> float:
    """Binary-gain nDCG: a relevant hit at rank r earns 1/log2(r+1); divided by the best possible."""
    dcg = sum(1.0 / math.log2(rank + 1) for rank, h in enumerate(hits[:TOP_K], start=1) if h in relevant)
    ideal = sum(1.0 / math.log2(rank + 1) for rank in range(1, min(TOP_K, len(relevant)) + 1))
    return dcg / ideal if ideal else 0.0


def score_topical(engine: str, run: Run, queries: Sequence[Query]) -> TopicalResult:
    langs: dict[str, LangScore] = {}
    for lang in LANGS:
        mine = [q for q in queries if q.kind == lang]
        hits = [run.rankings.get(q.qid, []) for q in mine]
        n = len(mine) or 1
        langs[lang] = LangScore(
            p10=sum(precision_at_10(h, q.relevant) for h, q in zip(hits, mine, strict=True)) / n,
            mrr10=sum(mrr_at_10(h, q.relevant) for h, q in zip(hits, mine, strict=True)) / n,
            ndcg10=sum(ndcg_at_10(h, q.relevant) for h, q in zip(hits, mine, strict=True)) / n,
            p95_ms=percentile([run.latencies_ms[q.qid] for q in mine if q.qid in run.latencies_ms], 95),
        )
    en = langs["en"].ndcg10
    return TopicalResult(engine, langs, langs["ru"].ndcg10 / en if en else 0.0)


def targets(results: dict[str, TopicalResult]) -> list[tuple[str, float, bool]]:
    """(name, value, passed) for Dossier's two topical targets, when Dossier ran."""
    d = results.get(DOSSIER)
    if d is None:
        return []
    checks = [(f"ru/en nDCG@10 >= {RU_EN_TARGET:.2f}", d.ru_en_ndcg, d.ru_en_ndcg >= RU_EN_TARGET)]
    anchors = [r.langs["en"].p10 for name, r in results.items() if name != DOSSIER]
    if anchors:
        best = max(anchors)
        checks.append(
            (f"en P@10 above every anchor's (best {best:.3f})", d.langs["en"].p10, d.langs["en"].p10 > best)
        )
    return checks


# --- output ---------------------------------------------------------------------------------------


def table(results: Sequence[TopicalResult]) -> str:
    width = 18
    group = f"{'P@10':>6} {'MRR@10':>6} {'nDCG10':>6} {'p95 ms':>7}"
    head1 = f"{'':<{width}} | {'en':<{len(group)}} | {'ru':<{len(group)}} |"
    head2 = f"{'engine':<{width}} | {group} | {group} | {'ru/en nDCG':>10}"
    lines = [head1, head2, "-" * len(head2)]
    for r in results:
        cells = " | ".join(
            f"{s.p10:>6.3f} {s.mrr10:>6.3f} {s.ndcg10:>6.3f} {s.p95_ms:>7.2f}"
            for s in (r.langs[lang] for lang in LANGS)
        )
        lines.append(f"{r.engine:<{width}} | {cells} | {r.ru_en_ndcg:>10.3f}")
    return "\n".join(lines)


def with_median_latencies(done: Sequence[Run]) -> Run:
    """The first run's rankings (the same in every run) and each query's median latency over the runs:
    each run is a fresh process, so every query is cold in each; the median sees through a busy spell."""
    first = done[0]
    medians = {qid: statistics.median(r.latencies_ms[qid] for r in done) for qid in first.latencies_ms}
    return Run(first.rankings, medians, first.build_s, first.rss_mb)


def latency_table(repeats: dict[str, list[Run]], queries: Sequence[Query]) -> str:
    """Each run's p95 per engine and language, and Dossier's p95 over Tantivy fuzzy's English one (the
    latency target: within 2x)."""
    lines = ["p95 ms per run (each a fresh process; queries in the same order):"]
    by_lang = {lang: [q.qid for q in queries if q.kind == lang] for lang in LANGS}

    def p95(run: Run, lang: str) -> float:
        return percentile([run.latencies_ms[q] for q in by_lang[lang] if q in run.latencies_ms], 95)

    for name, done in repeats.items():
        cells = "  ".join(f"{lang} " + " ".join(f"{p95(r, lang):5.2f}" for r in done) for lang in LANGS)
        lines.append(f"  {name:<16} {cells}")
    fuzzy = repeats.get("tantivy-fuzzy")
    if DOSSIER in repeats and fuzzy:
        for lang in LANGS:
            ratios = [p95(d, lang) / p95(t, "en") for d, t in zip(repeats[DOSSIER], fuzzy, strict=True)]
            lines.append(
                f"  dossier {lang} / tantivy-fuzzy en, per run: "
                + " ".join(f"{r:.2f}" for r in ratios)
                + f"  (median {statistics.median(ratios):.2f})"
            )
    return "\n".join(lines)


# --- CLI ------------------------------------------------------------------------------------------


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument(
        "--engines", default=",".join(ENGINE_NAMES), help=f"comma-separated, from {','.join(ENGINE_NAMES)}"
    )
    ap.add_argument("--queries", type=Path, default=DEFAULT_QUERIES, help="topical needs (JSONL)")
    ap.add_argument("--limit-docs", type=int, help="keep the first N documents (indicative figures)")
    ap.add_argument("--bench-dir", help="data folder (default: $DOSSIER_BENCH_DIR or <repo>/../shared/bench)")
    ap.add_argument("--json", type=Path, dest="json_out", help="also write all figures to this JSON file")
    ap.add_argument(
        "--timeout", type=float, default=DEFAULT_TIMEOUT_S, help="seconds allowed for dossier eval"
    )
    ap.add_argument(
        "--runs",
        type=int,
        default=1,
        help="run every engine this many times, interleaved; latency is each query's median over the runs",
    )
    return with_engine_list(ap, ap.parse_args(argv))


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    corpus_file = bench_dir_from(args.bench_dir) / CORPUS_FILE
    if not corpus_file.is_file():
        raise SystemExit(f"{corpus_file} not found: set --bench-dir or $DOSSIER_BENCH_DIR (see --help)")
    docs, labels = load_labelled_corpus(corpus_file, args.limit_docs)
    needs = load_needs(args.queries)
    relevant = {n.qid: relevant_ids(n, labels) for n in needs}
    thin = [f"{qid} ({len(ids)})" for qid, ids in relevant.items() if len(ids) < MIN_RELEVANT]
    if thin and not args.limit_docs:
        print(f"warning: needs with fewer than {MIN_RELEVANT} relevant documents: {', '.join(thin)}")
    queries = queries_of(needs, relevant)
    print(
        f"{len(docs):,} documents, {len(needs)} needs x {len(LANGS)} languages "
        f"({args.queries.name}); engines: {', '.join(args.engine_list)}",
        flush=True,
    )
    results: dict[str, TopicalResult] = {}
    runs: dict[str, Run] = {}
    repeats: dict[str, list[Run]] = {name: [] for name in args.engine_list}
    for round_no in range(args.runs):
        for name in args.engine_list:  # interleaved, so a busy spell of the machine hits every engine
            start = time.perf_counter()
            if name == DOSSIER:
                run = run_dossier(docs, queries, args.timeout)
            else:
                run = run_anchor(name, docs, queries)
            repeats[name].append(run)
            if round_no == 0:
                print(f"  {name}: done in {time.perf_counter() - start:.1f} s", flush=True)
    for name, done in repeats.items():
        runs[name] = with_median_latencies(done)
        results[name] = score_topical(name, runs[name], queries)
    print(table(list(results.values())))
    if args.runs > 1:
        print(latency_table(repeats, queries))
    checks = targets(results)
    if checks:
        print("targets for dossier:")
        for name, value, ok in checks:
            print(f"  {'PASS' if ok else 'FAIL'}  {name}  ({value:.3f})")
    if args.json_out:
        write_json(args.json_out, args, len(docs), needs, relevant, results, runs, checks)
    return 0


def write_json(
    path: Path,
    args: argparse.Namespace,
    n_docs: int,
    needs: Sequence[Need],
    relevant: dict[str, frozenset[str]],
    results: dict[str, TopicalResult],
    runs: dict[str, Run],
    checks: Sequence[tuple[str, float, bool]],
) -> None:
    """Every figure, plus per engine and query the top 10 ids, for digging into a need."""
    payload: dict[str, Any] = {
        "meta": {
            "when": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "queries": str(args.queries),
            "docs": n_docs,
            "needs": {n.qid: len(relevant[n.qid]) for n in needs},
            "limit_docs": args.limit_docs,
        },
        "engines": {name: asdict(r) for name, r in results.items()},
        "rankings": {name: run.rankings for name, run in runs.items()},
        "targets": [{"name": n, "value": v, "passed": ok} for n, v, ok in checks],
    }
    path.write_text(json.dumps(payload, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


if __name__ == "__main__":
    sys.exit(main())
