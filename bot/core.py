"""The Dossier service: the store and the search index kept in step, and the operations on both.

Every transport (Telegram, console, CLI, tests) goes through one ``Dossier``. Writes go to SQLite first,
in one transaction per document, and only then to the in-memory index, so a crash can lose index work
(rebuilt at start-up) but never a stored document.
"""

from __future__ import annotations

import logging
import multiprocessing
import sqlite3
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Literal

from bot.index import MemoryIndex, SearchResult
from bot.ingest import TEXT_SUFFIXES, IngestError, Prepared, prepare_file
from bot.people import (
    EXTRACTOR_VERSION,
    Match,
    Mention,
    PeopleIndex,
    Person,
    extract,
    extract_json_many,
    mentions_from_json,
    mentions_to_json,
    sentence_at,
)
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
    mentions: str | None = None  # people already extracted (JSON), else extracted when stored


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


_DocPeople = tuple[int, date | None, list[Mention]]


class Dossier:
    """Store + index. Thread-safe: index reads and writes are serialised by one lock (searches take about
    a millisecond, so a lock costs less than a copy of the index would)."""

    def __init__(self, store: Store, index: MemoryIndex, data_dir: Path) -> None:
        self.store = store
        self.index = index
        self.analyzer = index.analyzer
        self.data_dir = data_dir
        self.people = PeopleIndex()  # rebuilt from stored mentions at open, then kept up to date
        self._lock = threading.RLock()
        # Set while ``people`` is usable. ``open`` builds it in a thread so that search answers at once;
        # people readers and document writers wait for it (writers so that no document is missed).
        self._people_ready = threading.Event()
        self._people_ready.set()
        self._people_thread: threading.Thread | None = None

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
            dossier.rebuild_index(progress, people=False)
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
            self.index.save(self._snapshot, str(self.store.generation()))

    def rebuild_index(self, progress: Progress | None = None, people: bool = True) -> None:
        """A fresh index from every stored document, built aside and swapped in whole (and, with
        ``people``, a fresh people index)."""
        started = time.perf_counter()
        total = self.store.count_documents()
        fresh = MemoryIndex(self.analyzer)
        for n, doc in enumerate(self.store.iter_documents(), start=1):
            fresh.add(doc.id, doc.title, doc.text, doc.published)
            if progress and (n % 500 == 0 or n == total):
                progress(n, total, doc.source)
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
        self._people_ready.clear()
        self._build_people()

    def _build_people(self) -> None:
        """From the stored mentions (no text is re-read), after extracting those of documents stored
        without them (before people existed, or by an older extractor). Writers wait meanwhile, so no
        document ingested during the build is missed; a failure leaves an empty index, logged."""
        started = time.perf_counter()
        try:
            backfilled = self._backfill_people()
            fresh = PeopleIndex()
            for doc_id, published, data in self.store.iter_people():
                fresh.add_document(doc_id, published, mentions_from_json(data, sentences=False))
            persons = len(fresh.persons())  # cluster now rather than on the first /who
            with self._lock:
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
                    mentions = extract(doc.text, doc.published, sentences=False)
                    self.store.set_people(db, doc.id, EXTRACTOR_VERSION, mentions_to_json(mentions))
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
        to_index: list[tuple[int, Prepared]] = []
        people: list[_DocPeople] = []
        self._people_ready.wait()  # the people index is being built at start-up: add to the built one
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
                    people.append(self._store_people(db, doc_id, p, item.mentions))
            for doc_id, p in to_index:
                self.index.add(doc_id, p.title, p.text, p.published)
            for doc_id, published, mentions in people:
                self.people.add_document(doc_id, published, mentions)
        return outcomes

    def _store_people(
        self, db: sqlite3.Connection, doc_id: int, p: Prepared, found: str | None = None
    ) -> _DocPeople:
        """Extract a document's people (unless a worker did: ``found``) and store them in the document's
        own transaction (replacing a replaced document's); the caller updates the in-memory index once
        that has committed. Offsets only: a card finds its few sentences in the text later."""
        if found is None:
            found = mentions_to_json(extract(p.text, p.published, sentences=False))
        self.store.set_people(db, doc_id, EXTRACTOR_VERSION, found)
        return doc_id, p.published, mentions_from_json(found, sentences=False)

    def forget_people(self, doc_id: int) -> None:
        """Drop a deleted document's people from the index (its stored mentions go with the document's
        row, by ``ON DELETE CASCADE``). Call after the deletion has committed."""
        self._people_ready.wait()
        with self._lock:
            self.people.remove_document(doc_id)

    def scan_corpus(self, corpus_dir: Path, progress: Progress | None = None) -> ScanReport:
        """Ingest new and changed ``.txt``/``.md`` files of the corpus folder; unchanged ones are skipped
        on size and modification time without being read."""
        started = time.perf_counter()
        report = ScanReport()
        known = self.store.corpus_files()
        paths = sorted(p for p in corpus_dir.rglob("*") if p.is_file() and p.suffix.lower() in TEXT_SUFFIXES)
        report.seen = len(paths)
        batch: list[_Pending] = []
        rejected: list[CorpusFile] = []
        ahead = _ExtractAhead(len(paths) - len(known) >= PARALLEL_PEOPLE_MIN)

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

        for n, path in enumerate(paths, start=1):
            rel = path.relative_to(corpus_dir).as_posix()
            try:
                st = path.stat()
                entry = CorpusFile(rel, st.st_size, st.st_mtime_ns, None)
                old = known.get(rel)
                if old and old.size == entry.size and old.mtime_ns == entry.mtime_ns:
                    report.unchanged += 1
                    continue
                prepared = prepare_file(rel, path.read_bytes())
            except (OSError, IngestError) as exc:
                reason = (exc.strerror or str(exc)) if isinstance(exc, OSError) else str(exc)
                log.warning("corpus file %s skipped: %s", rel, reason)
                report.outcomes.append(IngestOutcome(rel, "skipped", reason=reason))
                if not isinstance(exc, OSError):
                    rejected.append(entry)
                continue
            finally:
                if progress and (n % 500 == 0 or n == len(paths)):
                    progress(n, len(paths), rel)
            batch.append(_Pending(prepared, "corpus", entry, old.doc_id if old else None))
            if len(batch) >= SCAN_BATCH:
                flush()
        try:
            flush(last=True)
        finally:
            ahead.close()
        if any(o.status in ("added", "updated") for o in report.outcomes):
            self.save_index()
            with self._lock:
                self.people.persons()  # merge the new mentions now, not on the next /who
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


def _with_doc(entry: CorpusFile, doc_id: int) -> CorpusFile:
    return CorpusFile(entry.path, entry.size, entry.mtime_ns, doc_id)
