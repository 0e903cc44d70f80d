"""The Dossier service: the store and the search index kept in step, and the operations on both.

Every transport (Telegram, console, CLI, tests) goes through one ``Dossier``. Writes go to SQLite first,
in one transaction per document, and only then to the in-memory index, so a crash can lose index work
(rebuilt at start-up) but never a stored document.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from bot.index import MemoryIndex, SearchResult
from bot.ingest import TEXT_SUFFIXES, IngestError, Prepared, prepare_path
from bot.query import Query
from bot.snippets import Snippet, make_snippet
from bot.store import CorpusFile, Document, NewDocument, Store
from bot.textnorm import Analyzer

log = logging.getLogger(__name__)

Progress = Callable[[int, int, str], None]
Status = Literal["added", "updated", "duplicate", "skipped"]


@dataclass(frozen=True)
class IngestOutcome:
    source: str
    status: Status
    doc_id: int | None = None
    title: str | None = None
    reason: str | None = None


SCAN_BATCH = 256


@dataclass(frozen=True)
class _Pending:
    prepared: Prepared
    added_by: str
    corpus_file: CorpusFile | None = None
    replaces: int | None = None


@dataclass
class ScanReport:
    seen: int = 0
    unchanged: int = 0
    outcomes: list[IngestOutcome] = field(default_factory=list)
    seconds: float = 0.0

    def count(self, status: Status) -> int:
        return sum(1 for o in self.outcomes if o.status == status)

    def summary(self) -> str:
        return (
            f"{self.count('added')} added, {self.count('updated')} updated, "
            f"{self.count('duplicate')} duplicates, {self.count('skipped')} skipped, "
            f"{self.unchanged} unchanged ({self.seconds:.1f} s)"
        )


@dataclass(frozen=True)
class SearchHit:
    doc: Document
    score: float
    snippet: Snippet


@dataclass(frozen=True)
class SearchPage:
    query: Query
    hits: list[SearchHit]
    total: int
    offset: int
    suggestion: str | None
    stop_words_only: bool = False


class Dossier:
    """Store + index. Thread-safe: index reads and writes are serialised by one lock (searches take about
    a millisecond, so a lock costs less than a copy of the index would)."""

    def __init__(self, store: Store, index: MemoryIndex, data_dir: Path) -> None:
        self.store = store
        self.index = index
        self.analyzer = index.analyzer
        self.data_dir = data_dir
        self._lock = threading.RLock()

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(cls, data_dir: Path, progress: Progress | None = None) -> Dossier:
        """Open (or create) the store in ``data_dir`` and bring the index up: from its snapshot when the
        snapshot matches the store, else rebuilt from the stored documents."""
        store = Store(data_dir / "dossier.sqlite3")
        analyzer = Analyzer()
        snapshot = data_dir / "index.pickle"
        stamp = str(store.generation())
        index = MemoryIndex.load(snapshot, stamp, analyzer)
        dossier = cls(store, index or MemoryIndex(analyzer), data_dir)
        if index is None:
            dossier.rebuild_index(progress)
        return dossier

    def close(self) -> None:
        self.store.close()

    @property
    def _snapshot(self) -> Path:
        return self.data_dir / "index.pickle"

    def save_index(self) -> None:
        with self._lock:
            self.index.save(self._snapshot, str(self.store.generation()))

    def rebuild_index(self, progress: Progress | None = None) -> None:
        """A fresh index from every stored document, built aside and swapped in whole."""
        started = time.perf_counter()
        total = self.store.count_documents()
        fresh = MemoryIndex(self.analyzer)
        chunk: list[tuple[int, str, str, date | None]] = []
        for n, doc in enumerate(self.store.iter_documents(), start=1):
            chunk.append((doc.id, doc.title, doc.text, doc.published))
            if len(chunk) == SCAN_BATCH or n == total:
                fresh.add_many(chunk)
                chunk.clear()
            if progress and (n % 500 == 0 or n == total):
                progress(n, total, doc.source)
        fresh.add_many(chunk)  # documents stored while this ran (``total`` was counted before)
        with self._lock:
            self.index = fresh
            self.save_index()
        log.info("index built: %d documents in %.1f s", len(fresh), time.perf_counter() - started)

    # ----------------------------------------------------------------- writes
    def add_prepared(self, prepared: Prepared, added_by: str) -> IngestOutcome:
        """Store one document (unless its text is already stored) and index it."""
        return self._store_batch([_Pending(prepared, added_by)])[0]

    def _store_batch(self, batch: list[_Pending]) -> list[IngestOutcome]:
        """Store a batch of documents in one transaction, then index them.

        One transaction per batch rather than per file: a corpus scan of 20,000 files is otherwise
        dominated by commits. A crash rolls back the batch and the next scan reads those files again, so
        nothing is half-stored; uploads pass batches of one."""
        outcomes: list[IngestOutcome] = []
        to_index: list[tuple[int, Prepared]] = []
        with self._lock:
            with self.store.transaction() as db:
                seen: dict[str, int] = {}
                for item in batch:
                    p = item.prepared
                    existing = seen.get(p.sha256) or self.store.find_by_hash(p.sha256)
                    if existing is not None and existing != item.replaces:
                        if item.corpus_file is not None:
                            self.store.record_corpus_file(db, _with_doc(item.corpus_file, existing))
                        outcomes.append(
                            IngestOutcome(
                                p.source, "duplicate", existing, p.title, f"same text as #{existing}"
                            )
                        )
                        continue
                    new = NewDocument(p.source, p.title, p.published, p.text, p.sha256, item.added_by)
                    status: Status
                    if item.replaces is not None and self.store.exists(item.replaces):
                        self.store.replace_document(db, item.replaces, new)
                        doc_id, status = item.replaces, "updated"
                    else:
                        doc_id, status = self.store.insert_document(db, new), "added"
                    seen[p.sha256] = doc_id
                    if item.corpus_file is not None:
                        self.store.record_corpus_file(db, _with_doc(item.corpus_file, doc_id))
                    outcomes.append(IngestOutcome(p.source, status, doc_id, p.title))
                    to_index.append((doc_id, p))
            self.index.add_many((doc_id, p.title, p.text, p.published) for doc_id, p in to_index)
        return outcomes

    def scan_corpus(self, corpus_dir: Path, progress: Progress | None = None) -> ScanReport:
        """Ingest new and changed ``.txt``/``.md`` files of the corpus folder; unchanged ones are skipped
        on size and modification time without being read."""
        started = time.perf_counter()
        report = ScanReport()
        known = self.store.corpus_files()
        paths = sorted(
            (p for p in corpus_dir.rglob("*") if p.suffix.lower() in TEXT_SUFFIXES and p.is_file()),
            key=lambda p: p.parts,  # the order of Path comparison, without its cost per comparison
        )
        report.seen = len(paths)
        batch: list[_Pending] = []
        rejected: list[CorpusFile] = []

        def flush() -> None:
            if batch:
                report.outcomes.extend(self._store_batch(batch))
                batch.clear()
            if rejected:
                # Remembered, so an unchanged bad file is not re-read and re-reported on every scan.
                with self._lock, self.store.transaction() as db:
                    for entry in rejected:
                        self.store.record_corpus_file(db, entry)
                rejected.clear()

        todo: list[tuple[str, Path, CorpusFile, CorpusFile | None]] = []
        for path in paths:
            rel = path.relative_to(corpus_dir).as_posix()
            try:
                st = path.stat()
            except OSError as exc:
                log.warning("corpus file %s skipped: %s", rel, exc.strerror or exc)
                report.outcomes.append(IngestOutcome(rel, "skipped", reason=exc.strerror or str(exc)))
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
        for n, ((rel, _, entry, old), result) in enumerate(zip(todo, _prepare_all(items), strict=True), 1):
            done = report.unchanged + n
            if progress and (done % 500 == 0 or done == len(paths)):
                progress(done, len(paths), rel)
            if not isinstance(result, Prepared):
                reason = (result.strerror or str(result)) if isinstance(result, OSError) else str(result)
                log.warning("corpus file %s skipped: %s", rel, reason)
                report.outcomes.append(IngestOutcome(rel, "skipped", reason=reason))
                if isinstance(result, IngestError):
                    rejected.append(entry)
                continue
            batch.append(_Pending(result, "corpus", entry, old.doc_id if old else None))
            if len(batch) >= SCAN_BATCH:
                flush()
        flush()
        if any(o.status in ("added", "updated") for o in report.outcomes):
            self.save_index()
        report.seconds = time.perf_counter() - started
        return report

    # ----------------------------------------------------------------- reads
    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchPage:
        with self._lock:
            result: SearchResult = self.index.search(query, limit=limit, offset=offset)
        docs = self.store.get_many([h.doc_id for h in result.hits])
        hits = [
            SearchHit(
                docs[h.doc_id], h.score, make_snippet(docs[h.doc_id].text, result.match_keys, self.analyzer)
            )
            for h in result.hits
            if h.doc_id in docs
        ]
        return SearchPage(query, hits, result.total, offset, result.suggestion, result.stop_words_only)

    def search_ids(self, query: Query, limit: int = 10) -> list[int]:
        """Just the ranked ids: what benchmarks time, without snippets or store reads."""
        with self._lock:
            return [h.doc_id for h in self.index.search(query, limit=limit).hits]

    def document(self, doc_id: int) -> Document | None:
        return self.store.get(doc_id)

    def __len__(self) -> int:
        return len(self.index)


PARALLEL_FROM = 2000  # files to read before a worker process pays for its start (about half a second)


def _prepare_all(items: list[tuple[str, str]]) -> Iterator[Prepared | IngestError | OSError]:
    """Each corpus file read and prepared, in order. A big scan by a single-threaded process (the
    first start, the CLI, benchmarks) reads and parses in a forked worker while this process stores
    and indexes: on two cores that takes a fifth off the Reuters build. Anything with threads (the
    running bot scans from a worker thread) stays in process: forking a threaded process can copy a
    lock that another thread holds, and "spawn" would re-run the caller's main module."""
    if len(items) < PARALLEL_FROM or (os.cpu_count() or 1) < 2 or threading.active_count() > 1:
        yield from map(prepare_path, items)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(prepare_path, items, chunksize=64)


def _with_doc(entry: CorpusFile, doc_id: int) -> CorpusFile:
    return CorpusFile(entry.path, entry.size, entry.mtime_ns, doc_id)
