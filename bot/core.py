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
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import suppress
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, Literal

from bot import neardup
from bot.formats import DEFAULT_LIMITS, DOCUMENT_SUFFIXES, Extracted, Limits, Outcome, Skipped, extract
from bot.index import MemoryIndex, SearchResult
from bot.ingest import IngestError, Prepared, prepare_text
from bot.query import Query
from bot.snippets import Snippet, make_snippet
from bot.store import CorpusFile, Document, NewDocument, Store
from bot.textnorm import Analyzer
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
        self.originals = Originals(data_dir / "originals")
        self._lock = threading.RLock()
        # Near-duplicate signatures in memory: loaded (and backfilled) on the first upload, not at open.
        self._neardup: neardup.NearDupIndex | None = None
        self._neardup_stale = False

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
            stamp = self.store.snapshot_stamp()
            if stamp is None:  # rebuilt from the store at the next start instead
                log.info("index snapshot not saved: another process changed the store meanwhile")
                return
            self.index.save(self._snapshot, stamp)

    def rebuild_index(self, progress: Progress | None = None) -> None:
        """A fresh index from every stored document, built aside and swapped in whole."""
        started = time.perf_counter()
        self.store.trust_current()
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
                    self._store_extras(db, doc_id, item)
                    if item.corpus_file is not None:
                        self.store.record_corpus_file(db, _with_doc(item.corpus_file, doc_id))
                    outcomes.append(IngestOutcome(p.source, status, doc_id, p.title))
                    to_index.append((doc_id, p))
            self.index.add_many((doc_id, p.title, p.text, p.published) for doc_id, p in to_index)
        return outcomes

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
            self._neardup_stale = True  # their signatures are computed when next needed
            self.save_index()
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
            people=self._people_of(outcome.doc_id),
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
        """Hook: the names of the people found in a stored document, for the ingest report (wired to the
        people index when that is merged; nothing until then)."""
        return ()

    def _forget_extras(self, doc_id: int) -> None:
        """Hook: in-memory state of a deleted document beyond the search and near-duplicate indexes
        (people, when merged). Its stored rows go with the document by ``ON DELETE CASCADE``."""

    def people_count(self) -> int | None:
        """Hook: how many people are known, for /stats (None until people are merged in)."""
        return None

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
        if not report.results:
            return
        entry = {
            "at": datetime.now(UTC).isoformat(timespec="seconds"),
            "by": added_by,
            "name": report.name[:200],
            "added": report.count("added"),
            "duplicates": report.count("duplicate"),
            "skipped": report.count("skipped"),
        }
        with self.store.transaction() as db:
            self.store.set_meta(db, "last_ingest", json.dumps(entry, ensure_ascii=False))

    def delete_document(self, doc_id: int) -> Document | None:
        """Remove a document: its row and everything stored with it (original reference, signature, and
        by cascade any other per-document rows) in one transaction, then its index entries and, when no
        other document uses it, its original file. None when there is no such document."""
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
        yield from map(_prepare_corpus_path, items)
        return
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("fork")) as pool:
        yield from pool.map(_prepare_corpus_path, items, chunksize=64)


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
