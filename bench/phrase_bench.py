"""Phrase benchmark: quoted phrases in English and Russian over Reuters-21578, Dossier beside Tantivy.

Run from anywhere as ``python bench/phrase_bench.py`` (see ``--help``). Issue 18's latency target (p95
within 2x Tantivy's fuzzy queries) holds for cross-language queries too, and a quoted phrase typed in the
other language is the costliest of them: each word stands for its translations and sound-alikes, and the
documents holding every word must have their token sequences read (``bot/search/phrases.py``).

* Dossier is built as ``search_bench.py`` and ``topical_bench.py`` build it (the corpus written as
  ``<id>.txt`` files in file-name order, ``Dossier.open(..., people=False)`` then ``scan_corpus``, what
  ``python -m bot eval`` does), but in this process, so that each query can be timed in CPU time.
* The queries, made from the corpus with a fixed seed (``--seed``): the most frequent two-word runs
  of content words in the corpus's text (the costliest phrases: many documents hold both words) and
  runs of two or three words drawn at random from it, each quoted; each of them in Russian, word by
  word through the lexicon's likeliest translation (a lemma: "прибыль компания"); and the topical
  needs of ``topical-queries.jsonl`` (en and ru) quoted whole. ``--phrases-from FILE`` adds the
  Cyrillic string literals of several words of Python files (the tests' Russian cases), quoted.
* Latency: ``time.thread_time`` around ``Dossier.search_ids`` (the page of 10, what ``eval`` times),
  the minimum over ``--repeat`` runs of each query: the machine is shared, and CPU time of this thread
  plus the minimum see through other processes' load. Shown per language as p50, p95 and max, in ms;
  wall-clock p95 (minimum over the repeats too) beside it.
* Anchors, in this process and timed the same way: Tantivy's phrase query (positions; the English
  phrases only: Tantivy has no translations, so a Russian phrase finds nothing in an English corpus)
  and its fuzzy query over the same words (``anchors.TantivyEngine``, the issue's yardstick).
* ``--dump OUT`` writes every query's total and ranked hits (the first ``DUMP_LIMIT``, with scores);
  ``--compare IN`` prints each query whose total or hits differ from such a file (the check that a
  change to phrase matching keeps results identical: dump with the old code, compare with the new).
* ``--corpus-dir DIR`` runs over a folder of ``.txt`` files instead (the bundled ``corpus``).
"""

from __future__ import annotations

import argparse
import ast
import json
import random
import re
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import tantivy
from anchors import Doc, TantivyEngine, query_terms
from search_bench import CORPUS_FILE, bench_dir_from, load_corpus, percentile, write_corpus_folder

from bot.core import Dossier
from bot.search import SearchEngine
from bot.search.query import parse_query
from bot.search.translate import Lexicon
from bot.textnorm import STOP_WORDS, Analyzer, is_cyrillic

HERE = Path(__file__).resolve().parent
TOPICAL = (HERE / "topical-queries.jsonl", HERE / "topical-queries-heldout.jsonl")
WORD_RE = re.compile(r"[^\W\d_]+")
DUMP_LIMIT = 200
LANGS = ("en", "ru")


@dataclass(frozen=True)
class Phrase:
    text: str  # the query as typed, quotes included
    lang: str
    kind: str  # frequent, random, topical, tests


@dataclass
class Timing:
    cpu_ms: float
    wall_ms: float


# --- queries --------------------------------------------------------------------------------------


def content_runs(text: str, n: int) -> Iterable[tuple[str, ...]]:
    """Runs of ``n`` consecutive words of ``text`` that start and end with a word that is no stop word."""
    words = [w.lower() for w in WORD_RE.findall(text)]
    for i in range(len(words) - n + 1):
        run = tuple(words[i : i + n])
        if run[0] not in STOP_WORDS and run[-1] not in STOP_WORDS and all(len(w) > 1 for w in run):
            yield run


def corpus_phrases(docs: Sequence[Doc], n_frequent: int, n_random: int, seed: int) -> list[Phrase]:
    """The corpus's most frequent two-word runs, then runs of two or three words drawn at random."""
    counts: Counter[tuple[str, ...]] = Counter()
    for doc in docs:
        counts.update(content_runs(doc.text, 2))
    out = [Phrase(quoted(run), lang_of(run), "frequent") for run, _ in counts.most_common(n_frequent)]
    rng = random.Random(seed)
    seen = {p.text for p in out}
    for _ in range(n_random * 20):
        if len(out) >= n_frequent + n_random:
            break
        runs = list(content_runs(rng.choice(docs).text, rng.choice((2, 2, 3))))
        if runs:
            run = rng.choice(runs)
            phrase = Phrase(quoted(run), lang_of(run), "random")
            if phrase.text not in seen:
                seen.add(phrase.text)
                out.append(phrase)
    return out


def in_russian(phrases: Iterable[Phrase], analyzer: Analyzer, lexicon: Lexicon) -> list[Phrase]:
    """Each English phrase word by word in the lexicon's likeliest Russian lemma (none when a word has
    no translation of one word)."""
    out: list[Phrase] = []
    for phrase in phrases:
        if phrase.lang != "en":
            continue
        words: list[str] = []
        for word in query_words(phrase.text):
            keys = analyzer.keys(word)
            found = [lemma for lemma, _ in lexicon.translate_en(keys[0])] if keys else []
            single = [lemma for lemma in found if " " not in lemma]
            if not single:
                break
            words.append(single[0])
        else:
            out.append(Phrase(quoted(words), "ru", phrase.kind))
    return out


def topical_phrases() -> list[Phrase]:
    out: list[Phrase] = []
    for path in TOPICAL:
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                need = json.loads(line)
                out.extend(
                    Phrase(quoted(query_words(need[lang])), lang, "topical")
                    for lang in LANGS
                    if len(query_words(need[lang])) > 1
                )
    return out


def literal_phrases(paths: Iterable[Path]) -> list[Phrase]:
    """The Cyrillic string literals of several words in Python files, each quoted."""
    out: dict[str, Phrase] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str):
                words = query_words(node.value)
                if 1 < len(words) <= 6 and any(map(is_cyrillic, words)):
                    out.setdefault(quoted(words), Phrase(quoted(words), "ru", "tests"))
    return list(out.values())


def query_words(text: str) -> list[str]:
    return WORD_RE.findall(text.replace('"', " "))


def quoted(words: Sequence[str]) -> str:
    return '"' + " ".join(words) + '"'


def lang_of(words: Sequence[str]) -> str:
    return "ru" if any(map(is_cyrillic, words)) else "en"


# --- running --------------------------------------------------------------------------------------


def timed(search: Callable[[], Any], repeat: int) -> Timing:
    """The minimum CPU time of this thread, and the minimum wall time, over ``repeat`` runs."""
    cpu, wall = [], []
    for _ in range(repeat):
        c0, w0 = time.thread_time(), time.perf_counter()
        search()
        cpu.append(time.thread_time() - c0)
        wall.append(time.perf_counter() - w0)
    return Timing(min(cpu) * 1000, min(wall) * 1000)


def run_dossier(
    docs: Sequence[Doc], phrases: Sequence[Phrase], repeat: int, dump: Path | None, compare: Path | None
) -> dict[str, Timing]:
    with tempfile.TemporaryDirectory(prefix="dossier-phrase-bench-") as tmp:
        corpus = Path(tmp) / "corpus"
        write_corpus_folder(docs, corpus)
        started = time.perf_counter()
        dossier = Dossier.open(Path(tmp) / "data", people=False)
        dossier.scan_corpus(corpus)
        print(f"dossier: {len(dossier):,} documents indexed in {time.perf_counter() - started:.1f} s")
        try:
            if dump is not None or compare is not None:
                with dossier.locked_index() as index:
                    results = all_results(index, phrases, dossier)
                if dump is not None:
                    dump.write_text(json.dumps(results, ensure_ascii=False, indent=0), encoding="utf-8")
                    print(f"dossier: {len(results)} queries' results written to {dump}")
                if compare is not None:
                    compare_results(json.loads(compare.read_text(encoding="utf-8")), results)
            out: dict[str, Timing] = {}
            for p in phrases:
                query = parse_query(p.text)
                out[p.text] = timed(lambda q=query: dossier.search_ids(q, limit=10), repeat)
        finally:
            dossier.close()
    return out


def all_results(index: SearchEngine, phrases: Sequence[Phrase], dossier: Dossier) -> dict[str, Any]:
    """Every query's total and its first ``DUMP_LIMIT`` hits (the stored file's name, and the score)."""
    names = {doc.id: doc.source.rsplit("/", 1)[-1] for doc in dossier.store.iter_documents()}
    out: dict[str, Any] = {}
    for p in phrases:
        result = index.search(parse_query(p.text), limit=DUMP_LIMIT)
        out[p.text] = {"total": result.total, "hits": [[names[h.doc_id], repr(h.score)] for h in result.hits]}
    return out


def compare_results(before: dict[str, Any], after: dict[str, Any]) -> None:
    """Print the queries whose total or hits differ, and how many of the queries asked both times."""
    common = [q for q in after if q in before]
    differing = [q for q in common if before[q] != after[q]]
    for q in differing:
        b, a = before[q], after[q]
        print(f"DIFFERS {q}: total {b['total']} -> {a['total']}")
        for rank, (x, y) in enumerate(zip(b["hits"], a["hits"], strict=False), 1):
            if x != y:
                print(f"  #{rank}: {x} -> {y}")
        if len(b["hits"]) != len(a["hits"]):
            print(f"  hits {len(b['hits'])} -> {len(a['hits'])}")
    matched = sum(1 for q in common if after[q]["total"])
    print(
        f"compare: {len(common)} queries in both runs ({matched} with hits, "
        f"{sum(after[q]['total'] for q in common):,} hits in all): {len(differing)} differ"
    )


def run_tantivy(docs: Sequence[Doc], phrases: Sequence[Phrase], repeat: int) -> dict[str, dict[str, Timing]]:
    """Tantivy's phrase query and its fuzzy query (the search benchmark's anchor) over each phrase's words."""
    engine = TantivyEngine("tantivy-fuzzy", exact_boost=None)
    engine.build(docs)
    searcher = engine._searcher
    assert searcher is not None
    schema = engine._schema

    def phrase_search(terms: list[str]) -> list[str]:
        query = tantivy.Query.phrase_query(schema, "text", terms)
        result = searcher.search(query, 10, count=True)
        return [str(searcher.doc(address)["id"][0]) for _score, address in result.hits]

    out: dict[str, dict[str, Timing]] = {"tantivy-phrase": {}, "tantivy-fuzzy": {}}
    for p in phrases:
        terms = query_terms(p.text)
        if len(terms) > 1:
            out["tantivy-phrase"][p.text] = timed(lambda t=terms: phrase_search(t), repeat)
        words = " ".join(terms)
        out["tantivy-fuzzy"][p.text] = timed(lambda w=words: engine.search(w), repeat)
    engine.close()
    return out


# --- report ---------------------------------------------------------------------------------------


def table(results: dict[str, dict[str, Timing]], phrases: Sequence[Phrase]) -> str:
    lines = [
        f"{'engine':<16} {'lang':<4} {'kind':<9} {'n':>4}  "
        f"{'p50':>7} {'p95':>7} {'max':>7}  {'wall p95':>8}  (ms)"
    ]
    kinds = ["all", *dict.fromkeys(p.kind for p in phrases)]
    for engine, timings in results.items():
        for lang in LANGS:
            for kind in kinds:
                picked = [
                    timings[p.text]
                    for p in phrases
                    if p.lang == lang and (kind == "all" or p.kind == kind) and p.text in timings
                ]
                if not picked:
                    continue
                cpu = [t.cpu_ms for t in picked]
                wall = [t.wall_ms for t in picked]
                lines.append(
                    f"{engine:<16} {lang:<4} {kind:<9} {len(picked):>4}  {percentile(cpu, 50):>7.2f} "
                    f"{percentile(cpu, 95):>7.2f} {max(cpu):>7.2f}  {percentile(wall, 95):>8.2f}"
                )
    return "\n".join(lines)


def slowest(timings: dict[str, Timing], n: int) -> str:
    worst = sorted(timings.items(), key=lambda kv: -kv[1].cpu_ms)[:n]
    return "\n".join(f"  {t.cpu_ms:8.2f} ms  {q}" for q, t in worst)


def folder_docs(folder: Path) -> list[Doc]:
    return [Doc(p.stem, p.read_text(encoding="utf-8")) for p in sorted(folder.glob("*.txt"))]


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--bench-dir", help="shared bench folder (default: $DOSSIER_BENCH_DIR)")
    ap.add_argument("--corpus-dir", type=Path, help="a folder of .txt files instead of Reuters")
    ap.add_argument("--limit-docs", type=int, help="only the first N Reuters documents (indicative)")
    ap.add_argument("--frequent", type=int, default=100, help="most frequent two-word runs (default 100)")
    ap.add_argument("--random", type=int, default=150, help="runs drawn at random (default 150)")
    ap.add_argument("--seed", type=int, default=18)
    ap.add_argument("--repeat", type=int, default=5, help="runs per query, the minimum kept (default 5)")
    ap.add_argument("--phrases-from", type=Path, nargs="*", default=[], help="Python files' Cyrillic phrases")
    ap.add_argument("--no-anchor", action="store_true", help="Dossier alone")
    ap.add_argument("--dump", type=Path, help="write every query's total and hits (JSON)")
    ap.add_argument("--compare", type=Path, help="print the queries whose results differ from a --dump")
    ap.add_argument("--slowest", type=int, default=10, help="list the N slowest Dossier queries")
    return ap.parse_args(argv)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    if args.corpus_dir is not None:
        docs = folder_docs(args.corpus_dir)
        source = str(args.corpus_dir)
    else:
        path = bench_dir_from(args.bench_dir) / CORPUS_FILE
        docs = load_corpus(path, args.limit_docs)
        source = str(path)
    analyzer = Analyzer()
    phrases = corpus_phrases(docs, args.frequent, args.random, args.seed)
    phrases += in_russian(phrases, analyzer, Lexicon.load())
    if args.corpus_dir is None:
        phrases += topical_phrases()
    phrases += literal_phrases(args.phrases_from)
    phrases = list({p.text: p for p in phrases}.values())
    n_lang = {lang: sum(p.lang == lang for p in phrases) for lang in LANGS}
    print(f"{len(docs):,} documents ({source}); {len(phrases)} quoted phrases: {n_lang}")
    print(f"latency: CPU time of the searching thread, minimum of {args.repeat} runs per query")
    results = {"dossier": run_dossier(docs, phrases, args.repeat, args.dump, args.compare)}
    if not args.no_anchor:
        results.update(run_tantivy(docs, phrases, args.repeat))
    print(table(results, phrases))
    if args.slowest:
        print(f"slowest Dossier queries (CPU ms):\n{slowest(results['dossier'], args.slowest)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
