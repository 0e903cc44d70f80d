"""Scale check: per engine and per corpus size, build, memory, disk, restart and latency in one run.

``python bench/search_bench.py --scale 100000,300000`` runs this (or ``python bench/scale.py --sizes ...``).
Every figure comes from a fresh process per engine and size, so one engine's memory is not another's:

* build: a process streams the replicated corpus (``stream``: copies ``<id>-r2``, ``-r3``, ... made by
  ``search_bench.replica_text`` one at a time, so the corpus is never all in memory) into the engine,
  in batches of 256 as a scan does, and saves it to disk. Build CPU (user+system of that process) and
  wall, its peak RSS, and the size of what it wrote.
* serve: a second process opens the saved index and runs every known-item query. Restart to first
  search is from that process's start (before its imports) to the end of its first query (and the CPU
  time it took, which a loaded machine inflates less); serving memory
  is its anonymous RSS after the queries (heap: what the process owns), beside its file-backed RSS (pages
  of mapped files, the OS's cache, shared and evictable). The queries run twice: p95 of the first pass
  (``cold p95``: caches and mapped pages filling) and p50/p95 of the second (a bot that has run a while),
  in wall time and in the process's CPU time: on a loaded machine the wall time of the same queries
  swings threefold between runs with the waits for a core, the CPU time much less.

Engines: ``dossier-disk`` (``bot.search.disk.DiskIndex``), ``dossier-memory`` (``MemoryIndex``), and the
anchors ``tantivy-fuzzy`` and ``fts5`` built on disk with the queries ``anchors.py`` gives them. Dossier's
engines index a document as its pipeline does (title: the first line); the anchors the whole file.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

T0 = time.time()
HERE = Path(__file__).resolve().parent
ENGINES = ("dossier-disk", "dossier-memory", "tantivy-fuzzy", "fts5")
BATCH = 256
STAMP = "scale-bench"
# A pass over the queries stops after this long (FTS5 takes seconds over some prefixes at a million
# documents): its figures are then over the queries it answered, ``queries`` says how many.
PASS_BUDGET_S = 150.0
COLUMNS = (  # title, key, width, format
    ("docs", "docs", 9, ","),
    ("engine", "engine", 15, ""),
    ("build cpu", "build_cpu_s", 9, ".1f"),
    ("wall", "build_wall_s", 7, ".1f"),
    ("peak MB", "peak_mb", 8, ".0f"),
    ("disk MB", "disk_mb", 8, ".0f"),
    ("anon MB", "anon_mb", 8, ".0f"),
    ("file MB", "file_mb", 8, ".0f"),
    ("restart s", "restart_s", 9, ".2f"),
    ("cpu", "restart_cpu_s", 5, ".2f"),
    ("cold p95", "cold_p95_ms", 8, ".2f"),
    ("p50 ms", "p50_ms", 7, ".2f"),
    ("p95 ms", "p95_ms", 7, ".2f"),
    ("cpu p50", "cpu_p50_ms", 7, ".2f"),
    ("cpu p95", "cpu_p95_ms", 7, ".2f"),
    ("queries", "queries", 7, ""),
)


def stream(bench_dir: Path, size: int) -> Iterator[tuple[str, str]]:
    """(id, file text) of the corpus replicated up to ``size`` documents, made one at a time."""
    sys.path.insert(0, str(HERE))
    from search_bench import CORPUS_FILE, load_corpus, replica_text

    docs = load_corpus(bench_dir / CORPUS_FILE, None)
    n, copy_no = 0, 1
    while n < size:
        for d in docs:
            if n >= size:
                return
            yield (d.id, d.text) if copy_no == 1 else (f"{d.id}-r{copy_no}", replica_text(d.text, copy_no))
            n += 1
        copy_no += 1


def memory_status() -> dict[str, float]:
    """RssAnon, RssFile and VmHWM of this process in MB (Linux)."""
    out: dict[str, float] = {}
    with open("/proc/self/status", encoding="ascii") as fh:
        for line in fh:
            key, _, value = line.partition(":")
            if key in ("RssAnon", "RssFile", "VmHWM"):
                out[key] = int(value.split()[0]) / 1024
    return out


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    return ordered[round(q / 100 * (len(ordered) - 1))]


def cpu_s() -> float:
    r = resource.getrusage(resource.RUSAGE_SELF)
    return r.ru_utime + r.ru_stime


# --- children: one engine, one job ---------------------------------------------------------------


def child_build(engine: str, size: int, folder: Path, bench_dir: Path) -> dict[str, Any]:
    folder.mkdir(parents=True, exist_ok=True)
    docs = stream(bench_dir, size)
    cpu0, wall0 = cpu_s(), time.perf_counter()
    if engine.startswith("dossier"):
        from bot.search.disk import DiskIndex
        from bot.search.memory import MemoryIndex

        ix = DiskIndex() if engine == "dossier-disk" else MemoryIndex()
        batch: list[tuple[int, str, str, None]] = []
        ids: list[str] = []
        for doc_id, text in docs:
            ids.append(doc_id)
            batch.append((len(ids), text.split("\n", 1)[0], text, None))
            if len(batch) == BATCH:
                ix.add_many(batch)
                batch = []
        ix.add_many(batch)
        ix.save(folder / "index", STAMP)
        (folder / "ids.json").write_text(json.dumps(ids))
    else:
        sys.path.insert(0, str(HERE))
        from anchors import Doc, make_anchor

        anchor: Any = make_anchor(engine)
        anchor.build_on_disk((Doc(i, t) for i, t in docs), folder)
    cpu, wall = cpu_s() - cpu0, time.perf_counter() - wall0
    disk = sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    return {
        "build_cpu_s": cpu,
        "build_wall_s": wall,
        "peak_mb": memory_status()["VmHWM"],
        "disk_mb": disk / 2**20,
    }


def child_serve(engine: str, folder: Path, query_file: Path) -> dict[str, Any]:
    queries = [json.loads(line)["query"] for line in query_file.read_text().splitlines() if line.strip()]
    if engine.startswith("dossier"):
        from bot.search.disk import DiskIndex
        from bot.search.memory import MemoryIndex
        from bot.search.query import parse_query

        cls = DiskIndex if engine == "dossier-disk" else MemoryIndex
        ix = cls.open(folder / "index", STAMP)
        if ix is None:
            raise SystemExit(f"{engine}: no index at {folder}")
        ids = json.loads((folder / "ids.json").read_text())

        def search(text: str) -> list[str]:
            return [ids[h.doc_id - 1] for h in ix.search(parse_query(text), limit=10).hits]

        def forget() -> None:
            """The second pass repeats every query: Dossier's per-word expansion cache would answer
            them, which no anchor has; emptied, so the pass measures warm pages, not memoised words."""
            ix._expander._cache.clear()
    else:
        sys.path.insert(0, str(HERE))
        from anchors import make_anchor

        anchor: Any = make_anchor(engine)
        anchor.open_on_disk(folder)
        search = anchor.search

        def forget() -> None:
            pass

    start = time.perf_counter()
    search(queries[0])
    first_search = time.time() - T0
    first_search_cpu = cpu_s()
    first_ms = (time.perf_counter() - start) * 1000
    people_row = serve_people(folder)
    cold: list[float] = []  # the first pass after the restart: pages and caches filled as queries come
    warm: list[float] = []  # the same queries again: what a bot that has run a while answers in
    warm_cpu: list[float] = []  # the CPU time of each (a loaded machine adds waits to the wall time)
    for latencies in (cold, warm):
        forget()
        ends = time.perf_counter() + PASS_BUDGET_S
        for text in queries:
            if time.perf_counter() > ends:
                break
            start, cpu = time.perf_counter(), time.process_time()
            search(text)
            latencies.append((time.perf_counter() - start) * 1000)
            if latencies is warm:
                warm_cpu.append((time.process_time() - cpu) * 1000)
    mem = memory_status()
    return people_row | {
        "restart_s": first_search,
        "restart_cpu_s": first_search_cpu,
        "first_ms": first_ms,
        "cold_p95_ms": percentile(cold, 95),
        "p50_ms": percentile(warm, 50),
        "p95_ms": percentile(warm, 95),
        "cpu_p50_ms": percentile(warm_cpu, 50),
        "cpu_p95_ms": percentile(warm_cpu, 95),
        "queries": len(warm),
        "anon_mb": mem["RssAnon"],
        "file_mb": mem["RssFile"],
    }


# --- the people index (dossier-disk only): built, saved and served beside the search index ---------

# What the serve process asks ``/who`` first (a person of Reuters' ``people`` labels), then a post.
WHO_NAME = "James Baker"
WHO_POST = "treasury secretary"
PEOPLE_COLUMNS = (  # title, key, width, format
    ("docs", "docs", 9, ","),
    ("extract cpu", "people_extract_cpu_s", 11, ".1f"),
    ("index cpu", "people_index_cpu_s", 9, ".1f"),
    ("peak MB", "people_peak_mb", 8, ".0f"),
    ("disk MB", "people_disk_mb", 8, ".0f"),
    ("persons", "persons", 8, ","),
    ("to /who s", "restart_who_s", 9, ".2f"),
    ("who ms", "who_ms", 7, ".1f"),
    ("post ms", "who_post_ms", 7, ".1f"),
    ("who anon", "who_anon_mb", 8, ".0f"),
    ("anon MB", "anon_mb", 8, ".0f"),
    ("rebuild s", "people_rebuild_s", 9, ".1f"),
)


class MentionFile:
    """The store as ``PeopleService`` reads it, over the mentions the build wrote (``mentions.jsonl``,
    one ``[doc_id, published ordinal, mentions JSON]`` a line): what ``document_people`` would hold."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def documents_without_people(self, extractor: int) -> list[int]:
        return []

    def iter_people(self) -> Iterator[tuple[int, Any, str]]:
        from datetime import date

        with self.path.open(encoding="utf-8") as fh:
            for line in fh:
                doc_id, day, data = json.loads(line)
                yield doc_id, date.fromordinal(day) if day else None, data


def child_build_people(size: int, folder: Path, bench_dir: Path) -> dict[str, Any]:
    """The people part of a scan over the same documents (ids as ``child_build`` numbers them): each
    document's mentions extracted (``people_json``, as the pipeline stores them; their CPU apart from
    the index's), added to a ``PeopleIndex`` as stored, clustered, and saved as the bot saves its
    persons; the mentions written where the serve process reads them as the bot reads its store."""
    from bot.dates import publication_date
    from bot.people import PeopleIndex
    from bot.people.saved import save
    from bot.people.service import people_json

    folder.mkdir(parents=True, exist_ok=True)
    index = PeopleIndex()
    extract_cpu = index_cpu = 0.0
    with (folder / "mentions.jsonl").open("w", encoding="utf-8") as out:
        for doc_id, (_, text) in enumerate(stream(bench_dir, size), start=1):
            published = publication_date(text)
            cpu0 = cpu_s()
            data = people_json(text, published)
            cpu1 = cpu_s()
            index.add_stored(doc_id, published, data)
            index_cpu += cpu_s() - cpu1
            extract_cpu += cpu1 - cpu0
            out.write(json.dumps([doc_id, published.toordinal() if published else 0, data]) + "\n")
    cpu0 = cpu_s()
    persons = len(index.persons())  # clustered, as a scan does before its end
    save(index, folder / "people.snapshot", STAMP)
    index_cpu += cpu_s() - cpu0
    disk = sum(p.stat().st_size for p in folder.rglob("people.snapshot*") if p.is_file())
    disk += sum(p.stat().st_size for p in (folder / "people.snapshot.d").iterdir())
    return {
        "people_extract_cpu_s": extract_cpu,
        "people_index_cpu_s": index_cpu,
        "people_peak_mb": memory_status()["VmHWM"],
        "people_disk_mb": disk / 2**20,
        "persons": persons,
    }


def serve_people(folder: Path) -> dict[str, Any]:
    """After the first search: the people started as the bot starts them, the first ``/who`` from the
    saved persons, then the wait for the background build (so that it is in the heap measured at the
    end, and the query passes do not share the interpreter with it)."""
    if not (folder / "people.snapshot").exists():
        return {}
    people = PeopleServing(folder)
    return people.first_who() | people.rebuilt()


class PeopleServing:
    """The serve process's people: ``PeopleService`` started as ``Dossier.open`` starts it (the saved
    persons loaded, the index rebuilt from the stored mentions in the background), asked ``/who``
    through ``who``, the function the bot's ``/who`` calls."""

    def __init__(self, folder: Path) -> None:
        import threading

        from bot.people.saved import load
        from bot.people.service import PeopleService

        store: Any = MentionFile(folder / "mentions.jsonl")
        self.service = PeopleService(store, threading.RLock())
        self.started = time.perf_counter()
        self.service.start(load(folder / "people.snapshot", STAMP))
        self.built_in = 0.0

        def watch() -> None:
            self.service.build_failure()  # returns when the build has ended
            self.built_in = time.perf_counter() - self.started

        self.watcher = threading.Thread(target=watch, daemon=True)
        self.watcher.start()

    def first_who(self) -> dict[str, Any]:
        """Restart to the end of the first ``/who`` (a name), then a post: after the first search."""
        start = time.perf_counter()
        found = self.service.who(WHO_NAME)
        restart_who = time.time() - T0
        who_ms = (time.perf_counter() - start) * 1000
        start = time.perf_counter()
        post = self.service.who(WHO_POST)
        post_ms = (time.perf_counter() - start) * 1000
        if not found or not post:
            raise SystemExit(f"/who found nobody: {WHO_NAME!r} {len(found)}, {WHO_POST!r} {len(post)}")
        return {
            "restart_who_s": restart_who,
            "who_ms": who_ms,
            "who_post_ms": post_ms,
            "who_anon_mb": memory_status()["RssAnon"],
        }

    def rebuilt(self) -> dict[str, Any]:
        """Waits for the background build to end: how long it took from the start."""
        self.watcher.join()
        return {"people_rebuild_s": self.built_in}


# --- parent ---------------------------------------------------------------------------------------


def _child(args: list[str]) -> dict[str, Any]:
    proc = subprocess.run(
        [sys.executable, str(Path(__file__).resolve()), "child", *args],
        cwd=HERE.parent,
        capture_output=True,
        text=True,
        check=False,
    )
    if proc.returncode != 0:
        raise SystemExit(f"scale child {args[:3]} failed:\n{proc.stderr[-3000:]}")
    return dict(json.loads(proc.stdout.strip().splitlines()[-1]))


def run(
    sizes: Sequence[int],
    engines: Sequence[str],
    bench_dir: Path,
    query_file: Path,
    keep: Path | None = None,
) -> list[dict[str, Any]]:
    """Build and serve every engine at every size; print one row each as it finishes, return them all.

    ``keep``: built indexes are kept in this folder with their build figures, and one found there is
    served again instead of built (to measure search changes without rebuilding a million documents)."""
    rows: list[dict[str, Any]] = []
    header = " ".join(f"{title:>{width}}" for title, _, width, _ in COLUMNS)
    print(header, flush=True)
    with tempfile.TemporaryDirectory(prefix="dossier-scale-") as tmp:
        queries = Path(tmp) / "queries.jsonl"
        shutil.copy(query_file, queries)
        for size in sizes:
            for engine in engines:
                folder = (keep or Path(tmp)) / f"{engine}-{size}"
                row = {"docs": size, "engine": engine}
                built = folder / "build.json"
                if keep is not None and built.is_file():
                    row |= json.loads(built.read_text())
                else:
                    shutil.rmtree(folder, ignore_errors=True)
                    figures = _child(["build", engine, str(size), str(folder), str(bench_dir)])
                    if engine == "dossier-disk":
                        figures |= _child(["build-people", engine, str(size), str(folder), str(bench_dir)])
                    built.write_text(json.dumps(figures))
                    row |= figures
                row |= _child(["serve", engine, str(folder), str(queries)])
                if keep is None:
                    shutil.rmtree(folder, ignore_errors=True)
                rows.append(row)
                print(" ".join(f"{row[key]:>{width}{spec}}" for _, key, width, spec in COLUMNS), flush=True)
    print_people(rows)
    return rows


def people_targets(rows: Sequence[dict[str, Any]]) -> list[tuple[str, float, bool]]:
    """The issue's people target: restart to the first ``/who`` under 5 s."""
    return [
        (f"restart to first /who < 5 s at {row['docs']:,}", row["restart_who_s"], row["restart_who_s"] < 5.0)
        for row in rows
        if "restart_who_s" in row
    ]


def print_people(rows: Sequence[dict[str, Any]]) -> None:
    """The people index's columns of the rows that have it (dossier-disk's)."""
    mine = [row for row in rows if "persons" in row]
    if mine:
        print("people (dossier-disk; anon MB: the whole process, search and people, at the end)")
        print(" ".join(f"{title:>{width}}" for title, _, width, _ in PEOPLE_COLUMNS))
    for row in mine:
        print(" ".join(f"{row[key]:>{width}{spec}}" for _, key, width, spec in PEOPLE_COLUMNS), flush=True)


def targets(rows: Sequence[dict[str, Any]]) -> list[tuple[str, float, bool]]:
    """The issue's targets for ``dossier-disk`` at each size, against ``tantivy-fuzzy`` of the same run."""
    out: list[tuple[str, float, bool]] = []
    for row in rows:
        if row["engine"] != "dossier-disk":
            continue
        at = f"at {row['docs']:,}"
        out.append((f"serving (anonymous) memory < 1024 MB {at}", row["anon_mb"], row["anon_mb"] < 1024))
        out.append((f"restart to first search < 2 s {at}", row["restart_s"], row["restart_s"] < 2.0))
        anchor = next((r for r in rows if r["engine"] == "tantivy-fuzzy" and r["docs"] == row["docs"]), None)
        if anchor is not None:
            ratio = row["build_cpu_s"] / anchor["build_cpu_s"]
            out.append((f"build CPU <= 3x tantivy-fuzzy's {at}", ratio, ratio <= 3.0))
            for kind, key in (("wall", "p95_ms"), ("CPU", "cpu_p95_ms")):
                bound = anchor[key]
                name = f"p95 ({kind}) <= tantivy-fuzzy's ({bound:.2f} ms) {at}"
                out.append((name, row[key], row[key] <= bound))
    return out


def main(argv: Sequence[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv and argv[0] == "child":
        job, engine = argv[1], argv[2]
        if job == "build":
            out = child_build(engine, int(argv[3]), Path(argv[4]), Path(argv[5]))
        elif job == "build-people":
            out = child_build_people(int(argv[3]), Path(argv[4]), Path(argv[5]))
        else:
            out = child_serve(engine, Path(argv[3]), Path(argv[4]))
        print(json.dumps(out))
        return 0
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0] if __doc__ else None)
    ap.add_argument("--sizes", default="100000", help="comma-separated corpus sizes")
    ap.add_argument("--engines", default=",".join(ENGINES))
    ap.add_argument(
        "--bench-dir",
        default=os.environ.get("DOSSIER_BENCH_DIR", str(HERE.parent.parent / "shared" / "bench")),
    )
    ap.add_argument("--queries", type=Path, help="known-item query JSONL (default: BENCH_DIR's)")
    ap.add_argument("--json", type=Path, dest="json_out")
    ap.add_argument("--keep-index", type=Path, help="keep built indexes here and serve them again")
    args = ap.parse_args(argv)
    bench_dir = Path(args.bench_dir)
    rows = run(
        [int(s) for s in args.sizes.split(",")],
        [e.strip() for e in args.engines.split(",") if e.strip()],
        bench_dir,
        args.queries or bench_dir / "reuters-queries.jsonl",
        args.keep_index,
    )
    checks = targets(rows) + people_targets(rows)
    print("targets for dossier-disk:")
    for name, value, passed in checks:
        print(f"  {'PASS' if passed else 'FAIL'}  {name}  ({value:.3f})")
    if args.json_out:
        args.json_out.write_text(json.dumps({"rows": rows, "targets": checks}, indent=2) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
