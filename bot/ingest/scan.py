"""The corpus folder: new and changed files ingested in batches, unchanged ones skipped on size and
modification time without being read.

A big scan (the first start, the CLI, benchmarks) is read by forked worker processes, which also extract
each document's people; a big scan by the running bot, whose threads rule out forking, extracts people in
one spawned worker a batch ahead (``_ExtractAhead``); a small one does everything in this process.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
from collections import deque
from collections.abc import Callable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

from bot.ingest import SCAN_BATCH
from bot.ingest.formats import DOCUMENT_SUFFIXES, Extracted, extract
from bot.ingest.pipeline import IngestPipeline, Pending
from bot.ingest.prepare import IngestError, Prepared, prepare_text
from bot.ingest.report import Outcome, ScanReport, os_reason
from bot.models import CorpusFile, Progress
from bot.people import extract_json_many
from bot.people.service import people_json
from bot.search import index_words

log = logging.getLogger(__name__)

PARALLEL_PEOPLE_MIN = 2 * SCAN_BATCH  # new files in a scan from which people are extracted in a worker
PARALLEL_FROM = 2000  # files to read before worker processes pay for their start (about half a second)
READ_CHUNK = 64  # files a worker reads per task
READ_AHEAD = 8  # tasks in flight: enough to keep two workers busy, little to hold in memory

# A file read; its people (JSON) if asked; the words the index reads in it (when read by a worker).
_Read = tuple[Prepared | IngestError | OSError, str | None, list[str] | None]


def scan_corpus(
    pipeline: IngestPipeline,
    corpus_dir: Path,
    progress: Progress | None = None,
    keep_alive: Callable[[], object] | None = None,
) -> ScanReport:
    """Ingest new and changed documents (``.txt``, ``.md``, ``.html``, ``.pdf``, ``.docx``) of the
    corpus folder; unchanged ones are skipped on size and modification time without being read. The
    report is not finished: the caller's work after the scan (the index snapshot) counts in its time.
    ``keep_alive`` is called after every stored batch (the caller renews its lease on the scan)."""
    store, people = pipeline.store, pipeline.people
    report = ScanReport(corpus_dir.name)
    known = store.corpus_files()
    paths = sorted(
        (p for p in corpus_dir.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()),
        key=lambda p: p.parts,  # the order of Path comparison, without its cost per comparison
    )
    report.seen = len(paths)
    batch: list[Pending] = []
    rejected: list[CorpusFile] = []
    people.join()  # writers wait for it anyway; and a process with threads can't fork

    def flush(last: bool = False) -> None:
        ready = ahead.push(list(batch)) if batch else []
        batch.clear()
        for items in ready + (ahead.drain() if last else []):
            report.outcomes.extend(pipeline.store_batch(items))
            if keep_alive is not None:
                keep_alive()
        if rejected:
            # Remembered, so an unchanged bad file is not re-read and re-reported on every scan.
            with pipeline.lock, store.transaction() as tx:
                for entry in rejected:
                    store.record_corpus_file(tx, entry)
            rejected.clear()

    todo: list[tuple[str, Path, CorpusFile, CorpusFile | None]] = []
    for path in paths:
        rel = path.relative_to(corpus_dir).as_posix()
        try:
            st = path.stat()
        except OSError as exc:
            log.warning("corpus file %s skipped: %s", rel, exc.strerror or exc)
            report.outcomes.append(Outcome(rel, "skipped", reason=os_reason(exc)))
            continue
        entry = CorpusFile(rel, st.st_size, st.st_mtime_ns, None)
        old = known.get(rel)
        if old and old.size == entry.size and old.mtime_ns == entry.mtime_ns:
            report.unchanged += 1
            continue
        todo.append((rel, path, entry, old))
    if progress and report.unchanged and not todo:
        progress(len(paths), len(paths), "")
    items = [(rel, str(path)) for rel, path, _, _ in todo]
    forked = _can_fork(len(items))
    # People are extracted by the forked workers along with the text; without them, a big scan
    # extracts in a spawned worker one batch ahead (``_ExtractAhead``), a small one inline.
    ahead = _ExtractAhead(people.enabled and not forked and len(items) >= PARALLEL_PEOPLE_MIN)
    prepared = _prepare_all(items, forked, people=people.enabled)
    for n, ((rel, _, entry, old), read) in enumerate(zip(todo, prepared, strict=True), 1):
        result, mentions, words = read
        done = report.unchanged + n
        if progress and (done % 500 == 0 or done == len(paths)):
            progress(done, len(paths), rel)
        if not isinstance(result, Prepared):
            reason = os_reason(result) if isinstance(result, OSError) else result.reason
            log.warning("corpus file %s skipped: %s", rel, reason)
            report.outcomes.append(Outcome(rel, "skipped", reason=reason))
            if isinstance(result, IngestError):
                rejected.append(entry)
            continue
        replaces = old.doc_id if old else None
        batch.append(Pending(result, "corpus", entry, replaces, mentions=mentions, words=words))
        if len(batch) >= SCAN_BATCH:
            flush()
    try:
        flush(last=True)
    finally:
        ahead.close()
    if report.outcomes:
        added = report.count("added") + report.count("updated")
        pipeline.record_ingest(
            "corpus folder", corpus_dir.name, added, report.count("duplicate"), report.count("skipped")
        )
    return report


class _ExtractAhead:
    """People extraction for a big scan in a worker process, one batch ahead of storing: while the worker
    reads the people of batch k, this process stores and indexes batch k-1 and reads the files of k+1, so
    extraction costs CPU but little time. Without a worker (small scans) or if it fails, batches pass
    through unchanged and ``IngestPipeline.store_batch`` extracts inline."""

    def __init__(self, parallel: bool) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._waiting: tuple[list[Pending], Future[list[str]]] | None = None

    def push(self, items: list[Pending]) -> list[list[Pending]]:
        """Hand over a batch; returns the batches ready to store (the previous one, or this one)."""
        if self._pool is None:
            return [items]
        docs = [(i.prepared.text, i.prepared.published) for i in items]
        try:
            future = self._pool.submit(extract_json_many, docs)
        except Exception as exc:  # a broken pool: this batch and the rest are extracted inline
            log.warning("people extraction worker unavailable (%s): extracting in process", exc)
            self.close()
            return [*self.drain(), items]
        ready = self.drain()
        self._waiting = (items, future)
        return ready

    def drain(self) -> list[list[Pending]]:
        if self._waiting is None:
            return []
        items, future = self._waiting
        self._waiting = None
        try:
            found = future.result()
        except Exception as exc:  # a dead worker must not lose the batch: extract inline instead
            log.warning("people extraction worker failed (%s): extracting in process", exc)
            self.close()
            return [items]
        return [[replace(i, mentions=m) for i, m in zip(items, found, strict=True)]]

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(cancel_futures=True)
            self._pool = None


def _can_fork(files: int) -> bool:
    """Whether a scan of ``files`` new files is read by forked workers: only when that many, on more than
    one core, by a single-threaded process (the first start, the CLI, benchmarks). Forking a process
    with threads (the running bot scans from a worker thread) can copy a lock another thread holds, and
    "spawn" would re-run the caller's main module."""
    return files >= PARALLEL_FROM and (os.cpu_count() or 1) >= 2 and threading.active_count() == 1


def _prepare_all(items: list[tuple[str, str]], forked: bool, people: bool) -> Iterator[_Read]:
    """Each corpus file read and prepared, in order; by forked workers when ``forked``, which then also
    extract its people (the most expensive step: 0.5 ms a document against 0.1 for reading). Two
    workers share that while this process stores and indexes."""
    if not forked:
        for item in items:
            yield _prepare_corpus_path(item), None, None
        return
    chunks = [items[k : k + READ_CHUNK] for k in range(0, len(items), READ_CHUNK)]
    in_flight: deque[Future[list[_Read]]] = deque()
    with ProcessPoolExecutor(max_workers=2, mp_context=multiprocessing.get_context("fork")) as pool:
        # A bounded window rather than ``pool.map``, which queues every file at once: workers that run
        # ahead of storing would otherwise pile up read texts (and their word lists) in memory.
        for chunk in chunks:
            in_flight.append(pool.submit(_read_chunk, chunk, people))
            if len(in_flight) >= READ_AHEAD:
                yield from in_flight.popleft().result()
        while in_flight:
            yield from in_flight.popleft().result()


def _read_chunk(items: list[tuple[str, str]], people: bool) -> list[_Read]:
    return [_read_in_worker(item, people) for item in items]


def _read_in_worker(item: tuple[str, str], people: bool) -> _Read:
    result = _prepare_corpus_path(item)
    if not isinstance(result, Prepared):
        return result, None, None
    found = None
    if people:
        found = people_json(result.text, result.published)
    return result, found, index_words(result.text)


def _prepare_corpus_path(item: tuple[str, str]) -> Prepared | IngestError | OSError:
    """Read and prepare one corpus file, returning the failure instead of raising it: what a worker
    process sends back for each file of a large scan."""
    rel, path = item
    try:
        with open(path, "rb") as fh:
            return _prepare_corpus_file(rel, fh.read())
    except (IngestError, OSError) as exc:
        return exc


def _prepare_corpus_file(rel: str, data: bytes) -> Prepared:
    """A corpus-folder file as one document, read by its content like an upload."""
    outcomes = extract(rel, data)
    if len(outcomes) != 1 or not isinstance(outcomes[0], Extracted):
        raise IngestError("ingest.corpus_archive")
    return prepare_text(rel, outcomes[0].text)
