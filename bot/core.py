"""The Dossier service: the store and the search index kept in step, and the operations on both.

Every transport (Telegram, console, CLI, tests) goes through one ``Dossier``. Writes go to SQLite first,
in one transaction per document, and only then to the in-memory index, so a crash can lose index work
(rebuilt at start-up) but never a stored document.
"""

from __future__ import annotations

import json
import logging
import multiprocessing
import os
import sqlite3
import threading
import time
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from bot import neardup
from bot.formats import DEFAULT_LIMITS, DOCUMENT_SUFFIXES, Extracted, Limits, Outcome, Skipped, extract
from bot.ingest import IngestError, Prepared, prepare_text
from bot.people import (
    EXTRACTOR_VERSION,
    Match,
    PeopleIndex,
    Person,
    extract_json,
    extract_json_many,
    mentions_from_json,
    sentence_at,
)
from bot.people import extract as extract_people
from bot.search import SearchEngine, SearchResult, index_words
from bot.search.memory import MemoryIndex
from bot.search.query import Query
from bot.search.snippets import Snippet, make_snippet
from bot.store import CorpusFile, Document, NewDocument, Store
from bot.uploads import FileResult, IngestReport, Originals, clean_name, hold_point

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
STAGE_CHUNK = 64  # uploaded documents whose originals are fsynced together (each still commits alone)


@dataclass(frozen=True)
class _Pending:
    prepared: Prepared
    added_by: str
    corpus_file: CorpusFile | None = None
    replaces: int | None = None
    original: tuple[str, str, int] | None = None  # stored original: file, kind, size
    signature: bytes | None = None  # near-duplicate signature (computed later when None)
    similar_to: int | None = None
    similarity: float | None = None
    mentions: str | None = None  # people already extracted (JSON), else extracted when stored
    words: list[str] | None = None  # ``index_words`` of the text, when a worker worked them out


PARALLEL_PEOPLE_MIN = 2 * SCAN_BATCH  # new files in a scan from which people are extracted in a worker


class _ExtractAhead:
    """People extraction for a big scan in a worker process, one batch ahead of storing: while the worker
    reads the people of batch k, this process stores and indexes batch k-1 and reads the files of k+1, so
    extraction costs CPU but little time. Without a worker (small scans) or if it fails, batches pass
    through unchanged and ``_store_batch`` extracts inline."""

    def __init__(self, parallel: bool) -> None:
        self._pool: ProcessPoolExecutor | None = None
        if parallel:
            self._pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("spawn"))
        self._waiting: tuple[list[_Pending], Future[list[str]]] | None = None

    def push(self, items: list[_Pending]) -> list[list[_Pending]]:
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

    def drain(self) -> list[list[_Pending]]:
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


@dataclass(frozen=True)
class PersonDocument:
    """A document that names a person, with the sentence that does (when asked for)."""

    id: int
    source: str
    title: str
    published: date | None
    sentence: str | None = None


_DocPeople = tuple[int, date | None, str]  # a document's people as stored (JSON)


class Dossier:
    """Store + index. Thread-safe: index reads and writes are serialised by one lock (searches take about
    a millisecond, so a lock costs less than a copy of the index would)."""

    def __init__(self, store: Store, index: SearchEngine, data_dir: Path) -> None:
        self.store = store
        self.index = index
        self.data_dir = data_dir
        self.originals = Originals(data_dir / "originals")
        self._lock = threading.RLock()
        self.people = PeopleIndex()  # rebuilt from stored mentions at open, then kept up to date
        # Set while ``people`` is usable. ``open`` builds it in a thread so that search answers at once;
        # people readers and document writers wait for it (writers so that no document is missed).
        self._people_ready = threading.Event()
        self._people_ready.set()
        self._people_thread: threading.Thread | None = None
        self._people_enabled = True
        # Near-duplicate signatures in memory: loaded (and backfilled) on the first upload, not at open.
        self._neardup: neardup.NearDupIndex | None = None
        self._neardup_stale = False

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls,
        data_dir: Path,
        progress: Progress | None = None,
        *,
        people: bool = True,
        engine: type[SearchEngine] = MemoryIndex,
    ) -> Dossier:
        """Open (or create) the store in ``data_dir`` and bring the index up: from its snapshot when the
        snapshot matches the store, else rebuilt from the stored documents.

        ``people=False`` is a search-only Dossier (the benchmark contract's throwaway store): no people
        are extracted or indexed, and documents it stores get theirs at the next open with people."""
        store = Store(data_dir / "dossier.sqlite3")
        snapshot = data_dir / "index.pickle"
        stamp = str(store.generation())
        index = engine.open(snapshot, stamp)
        dossier = cls(store, index or engine(), data_dir)
        dossier._people_enabled = people
        if index is None:
            dossier.rebuild_index(progress, people=False)
        if people:
            dossier._start_people()
        return dossier

    def close(self) -> None:
        if self._people_thread is not None:
            self._people_thread.join()
        self.store.close()

    @property
    def _snapshot(self) -> Path:
        return self.data_dir / "index.pickle"

    def save_index(self) -> None:
        with self._lock:
            stamp = self.store.snapshot_stamp()
            if stamp is None:  # rebuilt from the store at the next start instead
                log.info("index snapshot not saved: another process changed the store meanwhile")
                return
            self.index.save(self._snapshot, stamp)

    def rebuild_index(self, progress: Progress | None = None, people: bool = True) -> None:
        """A fresh index from every stored document, built aside and swapped in whole (and, with
        ``people``, a fresh people index)."""
        started = time.perf_counter()
        self.store.trust_current()
        total = self.store.count_documents()
        fresh = self.index.empty()
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
        if people:
            self.rebuild_people()

    def _start_people(self) -> None:
        """Build the people index in a thread (1-2 s on Reuters-21578): a restart answers searches at
        once, and /who, digests and ingest wait for it."""
        self._people_ready.clear()
        self._people_thread = threading.Thread(target=self._build_people, name="people-index", daemon=True)
        self._people_thread.start()

    def rebuild_people(self) -> None:
        """A fresh people index from the mentions stored with the documents, now (see ``_build_people``)."""
        self._people_ready.wait()
        with self._lock:  # a writer is either wholly before this (and stored) or waits for the build
            self._people_ready.clear()
        self._build_people()

    def _build_people(self) -> None:
        """From the stored mentions (no text is re-read), after extracting those of documents stored
        without them (before people existed, or by an older extractor). Writers wait meanwhile, so no
        document ingested during the build is missed; a failure leaves an empty index, logged.

        The build never takes ``self._lock``: writers may hold it while they wait for the build (an
        upload's commit, a deletion), so a build that needed it would wait for them for ever. Nothing
        reads or changes ``self.people`` until the build has set ``_people_ready``, so the swap is safe
        without it."""
        started = time.perf_counter()
        try:
            backfilled = self._backfill_people()
            fresh = PeopleIndex()
            for doc_id, published, data in self.store.iter_people():
                fresh.add_stored(doc_id, published, data)
            persons = len(fresh.persons())  # cluster now rather than on the first /who
            self.people = fresh
        except Exception:
            log.exception("people index could not be built; /who answers from what arrives from now on")
            return
        finally:
            self._people_ready.set()
        log.info(
            "people index built: %d persons (%d documents extracted anew) in %.2f s",
            persons,
            backfilled,
            time.perf_counter() - started,
        )

    def _backfill_people(self) -> int:
        missing = self.store.documents_without_people(EXTRACTOR_VERSION)
        for k in range(0, len(missing), SCAN_BATCH):
            docs = self.store.get_many(missing[k : k + SCAN_BATCH])
            with self.store.transaction() as db:
                for doc in docs.values():
                    found = _people_json(doc.text, doc.published)
                    self.store.set_people(db, doc.id, EXTRACTOR_VERSION, found)
        return len(missing)

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
        to_index: list[tuple[int, Prepared, list[str] | None]] = []
        people: list[_DocPeople] = []
        self._people_ready.wait()  # the people index is being built: add to the built one
        with self._lock:
            # Again under the lock, for a rebuild that began meanwhile (it clears the flag under this
            # lock); the build does not need the lock, so waiting while holding it is safe.
            self._people_ready.wait()
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
                    self._store_extras(db, doc_id, item)
                    if item.corpus_file is not None:
                        self.store.record_corpus_file(db, _with_doc(item.corpus_file, doc_id))
                    outcomes.append(IngestOutcome(p.source, status, doc_id, p.title))
                    to_index.append((doc_id, p, item.words))
                    if self._people_enabled:
                        people.append(self._store_people(db, doc_id, p, item.mentions))
            given = [w for _, _, w in to_index if w is not None]
            self.index.add_many(
                [(doc_id, p.title, p.text, p.published) for doc_id, p, _ in to_index],
                given if len(given) == len(to_index) else None,
            )
            for doc_id, published, data in people:
                self.people.add_stored(doc_id, published, data)
        return outcomes

    def _store_people(
        self, db: sqlite3.Connection, doc_id: int, p: Prepared, found: str | None = None
    ) -> _DocPeople:
        """Extract a document's people (unless a worker did: ``found``) and store them in the document's
        own transaction (replacing a replaced document's); the caller updates the in-memory index once
        that has committed. Offsets only: a card finds its few sentences in the text later."""
        if found is None:
            found = _people_json(p.text, p.published)
        self.store.set_people(db, doc_id, EXTRACTOR_VERSION, found)
        return doc_id, p.published, found

    def forget_people(self, doc_id: int) -> None:
        """Drop a deleted document's people from the index (its stored mentions go with the document's
        row, by ``ON DELETE CASCADE``). Call after the deletion has committed."""
        self._people_ready.wait()
        with self._lock:
            self.people.remove_document(doc_id)

    def scan_corpus(self, corpus_dir: Path, progress: Progress | None = None) -> ScanReport:
        """Ingest new and changed documents (``.txt``, ``.md``, ``.html``, ``.pdf``, ``.docx``) of the
        corpus folder; unchanged ones are skipped on size and modification time without being read."""
        started = time.perf_counter()
        report = ScanReport()
        known = self.store.corpus_files()
        paths = sorted(
            (p for p in corpus_dir.rglob("*") if p.suffix.lower() in DOCUMENT_SUFFIXES and p.is_file()),
            key=lambda p: p.parts,  # the order of Path comparison, without its cost per comparison
        )
        report.seen = len(paths)
        batch: list[_Pending] = []
        rejected: list[CorpusFile] = []
        if self._people_thread is not None:
            self._people_thread.join()  # writers wait for it anyway; and a process with threads can't fork

        def flush(last: bool = False) -> None:
            ready = ahead.push(list(batch)) if batch else []
            batch.clear()
            for items in ready + (ahead.drain() if last else []):
                report.outcomes.extend(self._store_batch(items))
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
        forked = _can_fork(len(items))
        # People are extracted by the forked workers along with the text; without them, a big scan
        # extracts in a spawned worker one batch ahead (``_ExtractAhead``), a small one inline.
        ahead = _ExtractAhead(self._people_enabled and not forked and len(items) >= PARALLEL_PEOPLE_MIN)
        prepared = _prepare_all(items, forked, people=self._people_enabled)
        for n, ((rel, _, entry, old), read) in enumerate(zip(todo, prepared, strict=True), 1):
            result, mentions, words = read
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
            replaces = old.doc_id if old else None
            batch.append(_Pending(result, "corpus", entry, replaces, mentions=mentions, words=words))
            if len(batch) >= SCAN_BATCH:
                flush()
        try:
            flush(last=True)
        finally:
            ahead.close()
        if report.outcomes:
            added = report.count("added") + report.count("updated")
            self._record_ingest(
                "corpus folder", corpus_dir.name, added, report.count("duplicate"), report.count("skipped")
            )
        if any(o.status in ("added", "updated") for o in report.outcomes):
            self._neardup_stale = True  # their signatures are computed when next needed
            self.save_index()
            with self._lock:
                self.people.persons()  # merge the new mentions now, not on the next /who
        report.seconds = time.perf_counter() - started
        return report

    # ----------------------------------------------------------------- uploads and admin operations
    def ingest_upload(
        self,
        name: str,
        data: bytes,
        added_by: str,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> IngestReport:
        """One uploaded file (an archive: each member on its own) through the whole pipeline: type from
        the content, text, exact and near duplicates, the original kept, then the document committed.
        ``progress`` is told about each member of an archive."""
        report = IngestReport(clean_name(name))
        self._ingest_file(report, report.name, data, added_by, progress, limits or DEFAULT_LIMITS)
        self._record_last_ingest(report, added_by)
        return report.finish()

    def ingest_paths(
        self,
        paths: Sequence[Path],
        added_by: str,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> IngestReport:
        """Files, folders (every file in them, hidden ones left out) and archives, through the same
        pipeline as an upload, one file at a time; the search index snapshot is saved at the end."""
        report = IngestReport(", ".join(str(p) for p in paths))
        files: list[tuple[Path, str]] = []
        for root in paths:
            if root.is_dir():
                for path in sorted(root.rglob("*")):
                    rel = path.relative_to(root)
                    if path.is_file() and not any(part.startswith(".") for part in rel.parts):
                        files.append((path, "/".join(clean_name(part) for part in rel.parts)))
            elif root.is_file():
                files.append((root, clean_name(root.name)))
            else:
                report.results.append(FileResult(str(root), "skipped", reason="no such file or folder"))
        limits = limits or DEFAULT_LIMITS

        def stream() -> Iterator[tuple[Outcome | FileResult, Callable[[str], None] | None]]:
            done_files = 0

            def tick(label: str) -> None:
                nonlocal done_files
                done_files += 1
                if progress:
                    progress(done_files, len(files), label)

            for path, label in files:
                outcomes: list[Outcome | FileResult]
                try:
                    outcomes = list(extract(label, path.read_bytes(), limits=limits))
                except OSError as exc:
                    outcomes = [FileResult(label, "skipped", reason=exc.strerror or str(exc))]
                except IngestError as exc:
                    outcomes = [FileResult(label, "skipped", reason=str(exc))]
                last = len(outcomes) - 1
                for k, outcome in enumerate(outcomes):
                    # The file counts as done once its last document has its result.
                    yield outcome, (tick if k == last else None)

        self._ingest_stream(report, stream(), added_by)
        if report.stored:
            self.save_index()
        self._record_last_ingest(report, added_by)
        return report.finish()

    def _ingest_file(
        self,
        report: IngestReport,
        name: str,
        data: bytes,
        added_by: str,
        progress: Progress | None,
        limits: Limits,
    ) -> None:
        try:
            outcomes = extract(name, data, limits=limits)
        except IngestError as exc:
            report.results.append(FileResult(name, "skipped", reason=str(exc)))
            return
        finished = 0

        def tick(source: str) -> None:
            nonlocal finished
            finished += 1
            if progress and len(outcomes) > 1:
                progress(finished, len(outcomes), source)

        self._ingest_stream(report, ((o, tick) for o in outcomes), added_by)

    def _ingest_stream(
        self,
        report: IngestReport,
        items: Iterable[tuple[Outcome | FileResult, Callable[[str], None] | None]],
        added_by: str,
    ) -> None:
        """Documents in order, each committed in a transaction of its own. Their originals are written
        a chunk at a time and fsynced together before any of those documents is committed: one flush
        of the file system per chunk instead of two per document. ``done`` is called once an item has
        its result."""
        staged: list[tuple[int, Extracted, Prepared, bytes, str, Callable[[str], None] | None]] = []

        def flush() -> None:
            if not staged:
                return
            self.originals.sync(file for *_, file, _ in staged)
            # Near-duplicates among what was stored before this chunk, all looked up in one pass; the
            # chunk's own earlier documents are compared as each one is committed.
            with self._lock:
                matches = self._neardup_index().best_many([sig for _, _, _, sig, _, _ in staged])
            local = neardup.NearDupIndex(capacity=len(staged))
            for (slot, ex, p, sig, file, done), match in zip(staged, matches, strict=True):
                nearer = local.best(sig) if len(local) else None
                if nearer is not None and (match is None or nearer.similarity > match.similarity):
                    match = nearer
                result = self._commit(ex, p, sig, file, added_by, match)
                if result.status == "added" and result.doc_id is not None:
                    local.add(result.doc_id, sig)
                report.results[slot] = result
                if done:
                    done(ex.source)
            # The people of each new document, read once the chunk is in: the people index re-merges
            # what changed once per chunk rather than once per document (a block as big as "Baker"
            # re-clusters whenever it changes).
            for slot, *_ in staged:
                stored = report.results[slot]
                if stored.status == "added" and stored.doc_id is not None:
                    report.results[slot] = replace(stored, people=self._people_of(stored.doc_id))
            staged.clear()

        for item, done in items:
            result: FileResult
            if isinstance(item, FileResult):
                result = item
            elif isinstance(item, Skipped):
                result = FileResult(item.source, "skipped", reason=item.reason)
            else:
                try:
                    p = prepare_text(item.source, item.text)
                except IngestError as exc:
                    result = FileResult(item.source, "skipped", reason=str(exc))
                else:
                    existing = self.store.find_by_hash(p.sha256)
                    if existing is not None:
                        result = self._duplicate(item.source, existing)
                    else:
                        sig = neardup.signature(p.text)
                        file = self.originals.put(item.data, item.kind, durable=False)
                        report.results.append(FileResult(item.source, "skipped", reason="interrupted"))
                        staged.append((len(report.results) - 1, item, p, sig, file, done))
                        if len(staged) >= STAGE_CHUNK:
                            flush()
                        continue
            report.results.append(result)
            if done:
                done(result.source)
        flush()

    def _commit(
        self, ex: Extracted, p: Prepared, sig: bytes, file: str, added_by: str, match: neardup.Match | None
    ) -> FileResult:
        """One document whose original is already durable on disk, with the stored document most like
        it: its row, original reference and signature in one transaction, then the in-memory indexes."""
        self._people_ready.wait()  # before the lock, so that searches go on while the people index builds
        with self._lock:
            similar = match if match is not None and match.is_near_duplicate else None
            pending = _Pending(
                p,
                added_by,
                original=(file, ex.kind, len(ex.data)),
                signature=sig,
                similar_to=similar.doc_id if similar else None,
                similarity=round(similar.similarity, 3) if similar else None,
            )
            outcome = self._store_batch([pending])[0]
            if outcome.status != "added" or outcome.doc_id is None:  # the same text earlier in this run
                return self._duplicate(ex.source, outcome.doc_id or 0)
            self._neardup_index().add(outcome.doc_id, sig)
        return FileResult(
            ex.source,
            "added",
            outcome.doc_id,
            p.title,
            p.published,
            similar_to=pending.similar_to,
            similarity=pending.similarity,
        )

    def _duplicate(self, source: str, doc_id: int) -> FileResult:
        doc = self.store.get(doc_id)
        return FileResult(
            source,
            "duplicate",
            doc_id,
            doc.title if doc else None,
            doc.published if doc else None,
            reason=f"same text as #{doc_id}",
        )

    def _store_extras(self, db: sqlite3.Connection, doc_id: int, item: _Pending) -> None:
        """The rows that belong to a document, in its own transaction: its original and its signature
        (a changed corpus file's old signature is dropped, to be recomputed when next needed)."""
        if item.original is not None:
            file, kind, size = item.original
            self.store.add_original(db, doc_id, file, kind, size)
        if item.signature is not None:
            self.store.set_signature(db, doc_id, item.signature, item.similar_to, item.similarity)
        elif item.replaces is not None:
            self.store.clear_signature(db, doc_id)
        hold_point()

    def _people_of(self, doc_id: int) -> tuple[str, ...]:
        """The names of the people found in a stored document, for the ingest report."""
        return tuple(self.people_names(doc_id))

    def _forget_extras(self, doc_id: int) -> None:
        """In-memory state of a deleted document beyond the search and near-duplicate indexes: its
        people. Its stored rows go with the document by ``ON DELETE CASCADE``."""
        self.forget_people(doc_id)

    def people_count(self) -> int | None:
        """How many people are known, for /stats."""
        return len(self.all_people())

    def _neardup_index(self) -> neardup.NearDupIndex:
        """The signatures of every stored document, loaded on first use; documents stored without one
        (from the corpus folder) get theirs computed and stored here. Call with the lock held."""
        with self._lock:
            if self._neardup is None:
                index = neardup.NearDupIndex(capacity=max(1024, self.store.count_documents() + 64))
                for doc_id, blob in self.store.iter_signatures():
                    with suppress(ValueError):  # another signature version: recomputed below
                        index.add(doc_id, blob)
                self._neardup, self._neardup_stale = index, True
            if self._neardup_stale:
                self._backfill_signatures(self._neardup)
                self._neardup_stale = False
            return self._neardup

    def prepare_near_duplicates(self) -> int:
        """Compute the signatures documents lack (those from the corpus folder) without holding the
        lock, so searches go on meanwhile, then load them all; returns how many were computed. The bot
        runs this in the background after a corpus scan, so the next upload does not wait for it."""
        missing = self.store.documents_without_signature()
        for k in range(0, len(missing), SCAN_BATCH):
            docs = self.store.get_many(missing[k : k + SCAN_BATCH])
            sigs = {doc_id: neardup.signature(doc.text) for doc_id, doc in docs.items()}
            with self.store.transaction() as db:
                for doc_id, blob in sigs.items():
                    with suppress(sqlite3.IntegrityError):  # deleted meanwhile
                        self.store.set_signature(db, doc_id, blob)
        with self._lock:
            if missing or self._neardup is None:
                self._neardup = None  # reloaded whole: the rows just stored are not in memory yet
            self._neardup_index()
        return len(missing)

    def _backfill_signatures(self, index: neardup.NearDupIndex) -> None:
        missing = [i for i in self.store.documents_without_signature() if i not in index]
        for k in range(0, len(missing), SCAN_BATCH):
            docs = self.store.get_many(missing[k : k + SCAN_BATCH])
            sigs = {doc_id: neardup.signature(doc.text) for doc_id, doc in docs.items()}
            with self.store.transaction() as db:
                for doc_id, blob in sigs.items():
                    self.store.set_signature(db, doc_id, blob)
            for doc_id, blob in sigs.items():
                index.add(doc_id, blob)
        if missing:
            log.info("near-duplicate signatures computed for %d documents", len(missing))

    def _record_last_ingest(self, report: IngestReport, added_by: str) -> None:
        if report.results:
            counts = (report.count("added"), report.count("duplicate"), report.count("skipped"))
            self._record_ingest(added_by, report.name, *counts)

    def _record_ingest(self, by: str, name: str, added: int, duplicates: int, skipped: int) -> None:
        """What /stats shows as the last ingest: an upload, a CLI ingest, or a corpus scan that found
        something (an unchanged folder at every start is no news)."""
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "by": by,
            "name": name[:200],
            "added": added,
            "duplicates": duplicates,
            "skipped": skipped,
        }
        with self.store.transaction() as db:
            self.store.set_meta(db, "last_ingest", json.dumps(entry, ensure_ascii=False))

    def delete_document(self, doc_id: int) -> Document | None:
        """Remove a document: its row and everything stored with it (original reference, signature, and
        by cascade any other per-document rows) in one transaction, then its index entries and, when no
        other document uses it, its original file. None when there is no such document."""
        self._people_ready.wait()  # before the lock, so that searches go on while the people index builds
        with self._lock:
            doc = self.store.get(doc_id)
            if doc is None:
                return None
            original = self.store.original_of(doc_id)
            with self.store.transaction() as db:
                self.store.delete_document(db, doc_id)
            self.index.remove(doc_id)
            if self._neardup is not None:
                self._neardup.remove(doc_id)
            self._forget_extras(doc_id)
        if original is not None and self.store.original_users(original[0]) == 0:
            self.originals.remove(original[0])
        log.info("document #%d deleted (%s)", doc_id, doc.source)
        return doc

    def reindex(
        self, corpus_dir: Path | None = None, progress: Progress | None = None, limits: Limits | None = None
    ) -> ReindexReport:
        """Rebuild everything from the stored originals: each document's text, title, date and signature
        read again from its original (an upload's kept file, a corpus document's file in the folder),
        then the search index built afresh. A document whose original is gone or no longer reads keeps
        what is stored, and is listed."""
        report = ReindexReport()
        started = time.perf_counter()
        total = self.store.count_documents()
        batch: list[tuple[Document, Prepared | None, str | None]] = []

        def flush() -> None:
            with self._lock, self.store.transaction() as db:
                for doc, p, why in batch:
                    if why is not None:
                        report.kept.append((doc.id, why))
                    text = p.text if p is not None else doc.text
                    if p is not None and (p.sha256, p.title, p.published) != (
                        doc.sha256,
                        doc.title,
                        doc.published,
                    ):
                        new = NewDocument(doc.source, p.title, p.published, p.text, p.sha256, doc.added_by)
                        try:
                            self.store.replace_document(db, doc.id, new)
                            report.changed += 1
                        except sqlite3.IntegrityError:
                            report.kept.append((doc.id, "its text now reads the same as another document's"))
                            text = doc.text
                    self.store.set_signature(db, doc.id, neardup.signature(text))
            batch.clear()

        for n, doc in enumerate(self.store.iter_documents(), start=1):
            p, why = self._reread(doc, corpus_dir, limits or DEFAULT_LIMITS)
            report.reread += p is not None
            batch.append((doc, p, why))
            if len(batch) >= SCAN_BATCH:
                flush()
            if progress and (n % 200 == 0 or n == total):
                progress(n, total, "originals")
        if batch:
            flush()
        report.documents = total
        self.rebuild_index(lambda done, all_, name: progress(done, all_, "index") if progress else None)
        with self._lock:
            self._neardup = None  # reloaded from the fresh signatures when next needed
        report.unused_removed = self.originals.remove_unused(self.store.original_files())
        report.seconds = time.perf_counter() - started
        return report

    def _reread(
        self, doc: Document, corpus_dir: Path | None, limits: Limits
    ) -> tuple[Prepared | None, str | None]:
        """A document prepared again from its original, or None and why not."""
        stored = self.store.original_of(doc.id)
        try:
            if stored is not None:
                file = stored[0]
                data = self.originals.read(file)
                name = f"original{Path(file).suffix}"
            else:
                rel = self.store.corpus_path_of(doc.id)
                if rel is None or corpus_dir is None:
                    return None, None  # stored as text only: nothing to read again
                data = (corpus_dir / rel).read_bytes()
                name = rel
            outcomes = extract(name, data, limits=limits)
            if len(outcomes) != 1 or not isinstance(outcomes[0], Extracted):
                return None, "its original is now an archive"
            return prepare_text(doc.source, outcomes[0].text), None
        except OSError as exc:
            return None, f"original unavailable ({exc.strerror or exc})"
        except (IngestError, ValueError) as exc:
            return None, f"original no longer reads ({exc})"

    def stats(self) -> Stats:
        raw = self.store.get_meta("last_ingest")
        last: dict[str, Any] | None = json.loads(raw) if raw else None
        return Stats(
            documents=self.store.count_documents(),
            near_duplicates=self.store.count_near_duplicates(),
            people=self.people_count(),
            subscribers=self.store.count_subscriptions(),
            database_bytes=self.store.size_bytes(),
            originals_bytes=self.originals.size_bytes(),
            last_ingest=last,
        )

    # ----------------------------------------------------------------- reads
    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchPage:
        with self._lock:
            result: SearchResult = self.index.search(query, limit=limit, offset=offset)
        docs = self.store.get_many([h.doc_id for h in result.hits])
        hits = [
            SearchHit(doc, h.score, make_snippet(doc.text, result.highlighter(doc.text)))
            for h in result.hits
            if (doc := docs.get(h.doc_id)) is not None
        ]
        return SearchPage(query, hits, result.total, offset, result.suggestion, result.stop_words_only)

    def search_ids(self, query: Query, limit: int = 10) -> list[int]:
        """Just the ranked ids: what benchmarks time, without snippets or store reads."""
        with self._lock:
            return [h.doc_id for h in self.index.search(query, limit=limit).hits]

    def document(self, doc_id: int) -> Document | None:
        return self.store.get(doc_id)

    # ----------------------------------------------------------------- people
    def who(self, query: str, limit: int = 10) -> list[Match]:
        """Persons matching a name (any spelling, script, case or its beginning) or holders of a role."""
        self._people_ready.wait()
        with self._lock:
            return self.people.find(query, limit=limit)

    def person(self, key: str) -> Person | None:
        self._people_ready.wait()
        with self._lock:
            return self.people.person(key)

    def suggest_people(self, query: str, limit: int = 3) -> list[Person]:
        self._people_ready.wait()
        with self._lock:
            return self.people.suggest(query, limit=limit)

    def all_people(self) -> list[Person]:
        self._people_ready.wait()
        with self._lock:
            return self.people.persons()

    def people_names(self, doc_id: int) -> list[str]:
        """The names of the persons a document mentions: what a digest entry lists."""
        self._people_ready.wait()
        with self._lock:
            return [p.name for p in self.people.persons_in(doc_id)]

    def person_documents(self, person: Person, sentences: int = 0) -> list[PersonDocument]:
        """The documents naming ``person``, newest first, undated ones after the dated (newest added
        first), with the mentioning sentence for the first ``sentences`` of them."""
        ids = [int(d) for d in person.documents]
        heads = self.store.document_heads(ids)

        def newest(i: int) -> tuple[bool, date, int]:
            return heads[i][2] is not None, heads[i][2] or date.min, i

        order = sorted(heads, key=newest, reverse=True)
        names = {person.name, *person.aliases}
        stored = self.store.people_of(order[:sentences])
        texts = self.store.get_many(list(stored)) if stored else {}
        out: list[PersonDocument] = []
        for doc_id in order:
            source, title, published = heads[doc_id]
            sentence = None
            if doc_id in stored and doc_id in texts:
                mentions = mentions_from_json(stored[doc_id], sentences=False)
                mine = [m for m in mentions if m.name in names or m.surface in names]
                best = next((m for m in mine if m.role is not None), mine[0] if mine else None)
                sentence = sentence_at(texts[doc_id].text, best.start, best.end) if best else None
            out.append(PersonDocument(doc_id, source, title, published, sentence))
        return out

    def __len__(self) -> int:
        return len(self.index)


PARALLEL_FROM = 2000  # files to read before worker processes pay for their start (about half a second)
READ_CHUNK = 64  # files a worker reads per task
READ_AHEAD = 8  # tasks in flight: enough to keep two workers busy, little to hold in memory

# A file read; its people (JSON) if asked; the words the index reads in it (when read by a worker).
_Read = tuple[Prepared | IngestError | OSError, str | None, list[str] | None]


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
        found = _people_json(result.text, result.published)
    return result, found, index_words(result.text)


def _people_json(text: str, published: date | None) -> str:
    """A document's people as stored, through ``extract_people``, which the people benchmark swaps."""
    return extract_json(text, published, extract_people)


def _with_doc(entry: CorpusFile, doc_id: int) -> CorpusFile:
    return CorpusFile(entry.path, entry.size, entry.mtime_ns, doc_id)


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
        raise IngestError("an archive in the corpus folder is not unpacked; use `python -m bot ingest`")
    return prepare_text(rel, outcomes[0].text)


@dataclass
class ReindexReport:
    documents: int = 0
    reread: int = 0  # read again from an original
    changed: int = 0  # whose text, title or date came out different
    kept: list[tuple[int, str]] = field(default_factory=list)  # kept as stored, and why
    unused_removed: int = 0  # originals no document refers to (left by a crash), deleted
    seconds: float = 0.0


@dataclass(frozen=True)
class Stats:
    documents: int
    near_duplicates: int
    people: int | None
    subscribers: dict[str, int]
    database_bytes: int
    originals_bytes: int
    last_ingest: dict[str, Any] | None
