"""The Dossier service: the store and the search index kept in step, and the operations on both.

Every transport (Telegram, console, CLI, tests) goes through one ``Dossier``. Writes go to SQLite first,
in one transaction per document, and only then to the search index, so a crash can lose index work
(rebuilt at start-up) but never a stored document.

``Dossier`` is a facade: it composes the parts and owns the search index. The write path is
``bot.ingest.pipeline`` (with ``scan`` and ``reindex``), the people index and its background build are
``bot.people.service`` (which also states the one lock rule), near-duplicate signatures are
``bot.ingest.neardup.NearDupCache``.
"""

from __future__ import annotations

import json
import logging
import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from pathlib import Path
from typing import Any

from bot import heap
from bot.changes import CATCH_UP_BATCH, ChangeFollower
from bot.ingest import SCAN_BATCH, Limits
from bot.ingest.neardup import NearDupCache
from bot.ingest.originals import ORPHAN_GRACE_SECONDS, kept_originals
from bot.ingest.pipeline import IngestPipeline
from bot.ingest.reindex import reindex
from bot.ingest.report import IngestReport, ScanReport
from bot.ingest.scan import scan_corpus
from bot.leases import LeaseKeeper
from bot.metrics import Metrics
from bot.models import Document, Progress, ReindexReport, SearchHit, SearchPage, Stats
from bot.people import saved as saved_people
from bot.people.service import PeopleService
from bot.search import SearchEngine, SearchResult
from bot.search.disk import DiskIndex
from bot.search.query import Query
from bot.search.snippets import make_snippet
from bot.settings import DB_FILE
from bot.store import Store, open_store

log = logging.getLogger(__name__)


PEOPLE_FILE = "people.snapshot"  # the persons as of the last close: /who answers while they are rebuilt
SCAN_LEASE = "corpus-scan"  # the lease of the process scanning the corpus folder
SNAPSHOT_FILE = "index.snapshot"  # the search index's manifest beside the store (files: index.snapshot.d/)


def store_identity(store: Store) -> str:
    """A random id given to a store when first asked, kept in its meta table: a snapshot is bound to the
    store it was made from, so one copied in beside another store with the same write count is not
    taken for current (what remains: a store restored from a backup and then written to until its
    generation equals the snapshot's; delete ``index.snapshot`` after restoring a backup)."""
    identity = store.get_meta("store_id")
    if identity is None:
        with store.transaction() as tx:
            store.set_meta(tx, "store_id", uuid.uuid4().hex)
        identity = store.get_meta("store_id")
    return identity or ""


def snapshot_stamp(store: Store, generation: int) -> str:
    """What a snapshot (the index's, the persons') is bound to: this store, at this write generation."""
    return f"{store_identity(store)}:{generation}"


def replayable(saved: str | None, store: Store, generation: int, indexed: int) -> int | None:
    """The generation of a snapshot saved with stamp ``saved`` when it is worth opening and bringing up
    to date by replaying the store's changes since then (``ChangeFollower.replay_index``): a snapshot
    of this store, not ahead of it, with fewer changes to replay than a rebuild would index
    (``indexed``: the documents the store holds). None when a rebuild is the way."""
    identity, _, number = (saved or "").rpartition(":")
    if identity != store_identity(store) or not number.isdigit():
        return None
    at = int(number)
    return at if at <= generation and generation - at <= max(indexed, CATCH_UP_BATCH) else None


class Dossier:
    """Store + index. Thread-safe: index reads and writes are serialised by one lock (searches take about
    a millisecond, so a lock costs less than a copy of the index would)."""

    def __init__(
        self, store: Store, index: SearchEngine, data_dir: Path, metrics: Metrics | None = None
    ) -> None:
        self.store = store
        self.index = index
        self.data_dir = data_dir
        # Searches, ingests and replies are counted here; the transport adds its own (bot/metrics.py).
        self.metrics = metrics if metrics is not None else Metrics()
        self.metrics.index_documents.set_function(lambda: len(self.index))
        self._lock = threading.RLock()
        self._closed = False
        self._settled = False  # the heap settled once: the index is frozen from then on (``_settle``)
        self._originals = kept_originals(store, data_dir / "originals")
        self._people = PeopleService(store, self._lock)
        self._neardup = NearDupCache(store, self._lock)
        self._pipeline = IngestPipeline(
            store, self._originals, lambda: self.index, self._people, self._neardup, self._lock
        )
        # Other processes' writes to a shared store, applied to the indexes (``catch_up``, polled by the
        # bot), and this process's leases on work several processes share (digests, corpus scans).
        self._follower = ChangeFollower(store, lambda: self.index, self._people, self._neardup, self._lock)
        self.catch_up = self._follower.catch_up
        self.leases = LeaseKeeper(store)
        # False in a process that adds documents beside a running bot in one data folder (``python -m
        # bot ingest``): the bot owns the index files there and catches up with what this one stores;
        # two processes writing one folder's index files would collide.
        self.writes_snapshots = True
        # Plain pass-throughs, documented where they are defined.
        self.add_prepared = self._pipeline.add_prepared  # one prepared document stored and indexed
        self.prepare_near_duplicates = self._neardup.prepare  # after a corpus scan, in the background
        self.near_duplicates_current = self._neardup.rule_current  # else prepare judges them all again
        # People (``PeopleService``: the build thread and the one way in, ``ready()``).
        self.who = self._people.who
        self.person = self._people.person
        self.listed_people = self._people.listed
        self.suggest_people = self._people.suggest
        self.all_people = self._people.all
        self.people_count = self._people.count
        self.people_names = self._people.names_in  # what a digest entry lists
        self.people_in = self._people.persons_in  # what a person follow matches on
        self.person_documents = self._people.documents_of
        self.forget_people = self._people.forget
        self.rebuild_people = self._people.rebuild
        self.people_failure = self._people.build_failure  # why /who cannot answer, or None
        # Subscriptions and search sessions, for the commands and the digest jobs.
        self.subscriptions = store.subscriptions
        self.subscription = store.subscription
        self.subscribe = store.subscribe
        self.unsubscribe = store.unsubscribe
        self.set_digest_time = store.set_digest_time
        self.mark_run = store.mark_run
        self.migrate_chat = store.migrate_chat
        self.create_search_session = store.create_search_session
        self.search_session = store.get_search_session
        self.purge_search_sessions = store.purge_search_sessions

    # ----------------------------------------------------------------- lifecycle
    @classmethod
    def open(
        cls,
        data_dir: Path,
        progress: Progress | None = None,
        *,
        people: bool = True,
        engine: type[SearchEngine] = DiskIndex,
        db_path: Path | None = None,
        database_url: str | None = None,
        metrics: Metrics | None = None,
        writes_snapshots: bool = True,
    ) -> Dossier:
        """Open (or create) the store (the PostgreSQL database at ``database_url``, ``Settings.store_url``,
        when given; else SQLite at ``db_path``, ``Settings.db_path``, by default the one in ``data_dir``)
        and bring the index up: from its snapshot when the snapshot matches the store, else
        rebuilt from the stored documents. ``StoreError`` when the store cannot be used (``DamagedStore``
        for a file that fails its integrity check).

        ``people=False`` is a search-only Dossier (the benchmark contract's throwaway store): no people
        are extracted or indexed, and documents it stores get theirs at the next open with people.

        ``metrics``: where its searches and ingests are counted (a running bot's, served on
        ``DOSSIER_METRICS_PORT``); by default a registry of its own."""
        data_dir.mkdir(parents=True, exist_ok=True)  # the index snapshot (and SQLite's originals) live here
        store = open_store(db_path or data_dir / DB_FILE, database_url)
        (data_dir / "index.pickle").unlink(missing_ok=True)  # the old format's snapshot, never read again
        generation = store.generation()
        stamp = snapshot_stamp(store, generation)
        # The index saved for this very store state; else one saved a few changes ago (the process was
        # killed before its next save), opened and brought up to date by replaying those changes;
        # else (another store, a damaged file, more changes than documents) a rebuild.
        path = data_dir / SNAPSHOT_FILE
        saved = engine.saved_stamp(path)
        behind = replayable(saved, store, generation, store.count_documents())
        index = engine.open(path, saved) if saved is not None and behind is not None else None
        dossier = cls(store, index or engine(), data_dir, metrics)
        dossier.writes_snapshots = writes_snapshots
        dossier._people.enabled = people
        dossier._follower.applied = generation  # a rebuild reads the store as it is then
        if index is None:
            dossier.rebuild_index(progress, people=False)
        elif behind is not None and behind < generation:
            touched = dossier._follower.replay_index(behind, generation)
            if touched is None:
                log.warning("index saved at a store state its change log does not lead from: rebuilding")
                dossier.rebuild_index(progress, people=False)  # which sets ``applied`` to the store's
            else:
                log.info("index saved %d changes ago: %d documents updated", generation - behind, touched)
                dossier.save_index()
                dossier._settle()  # (a rebuild settles itself)
        else:
            dossier._settle()
        if people:
            dossier._people.start(saved_people.load(data_dir / PEOPLE_FILE, stamp))
        return dossier

    def close(self) -> None:
        if self._closed:  # a second close (a test's fixture after the test closed it) does nothing
            return
        self._closed = True
        self._people.join()
        try:
            self.save_people()
        except Exception:  # a speed-up for the next start, never a reason to fail closing the store
            log.exception("the persons were not saved for the next start (they are rebuilt then)")
        self.leases.close()
        self.store.close()

    def save_people(self) -> None:
        """Keep the persons for /who to answer at the next start while the people index is rebuilt
        (at close and at the bot's shutdown: it costs seconds at a million documents)."""
        if not self._people.enabled or not self.writes_snapshots:
            return
        with self._lock:  # as ``save_index``: other processes' changes applied first, writers held
            self._people.save(self.data_dir / PEOPLE_FILE, self._caught_up_stamp())

    def save_index(self) -> None:
        """The search index's snapshot, stamped with the generation it reflects: other processes'
        changes are applied first, and this process's writers wait (the lock), so it reflects the store
        as of that generation. Another process writing meanwhile only makes it one a restart rebuilds."""
        if not self.writes_snapshots:
            return
        with self._lock:
            self.index.save(self.data_dir / SNAPSHOT_FILE, self._caught_up_stamp())

    def _settle(self, replaced: bool = False) -> None:
        """After a bulk build or load, before queries: the index builds what its first queries would
        (``SearchEngine.warm``), then the heap is settled (``bot/heap.py``: what is new collected, the
        survivors kept out of the collector's walks; ``replaced``: a frozen index was replaced and is
        freed too)."""
        with self._lock:
            self.index.warm()
        heap.settle(replaced)
        self._settled = True

    def _caught_up_stamp(self) -> str:
        """With the lock held: other processes' changes applied, and the stamp of the store state the
        indexes now reflect (what both snapshots, the index's and the persons', are bound to)."""
        self.catch_up()
        return snapshot_stamp(self.store, self._follower.applied)

    def rebuild_index(self, progress: Progress | None = None, people: bool = True) -> None:
        """A fresh index from every stored document, built aside and swapped in whole (and, with
        ``people``, a fresh people index)."""
        started = time.perf_counter()
        # Changes after this generation may or may not be read below: applied again later (idempotent).
        generation = self.store.generation()
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
            self._follower.applied = generation
            self.save_index()
        self._settle(replaced=self._settled)  # an index frozen before is freed only so
        log.info("index built: %d documents in %.1f s", len(fresh), time.perf_counter() - started)
        if people:
            self.rebuild_people()

    # ----------------------------------------------------------------- writes
    def scan_corpus(self, corpus_dir: Path, progress: Progress | None = None) -> ScanReport:
        """New and changed files of the corpus folder (``bot.ingest.scan``), then the snapshot saved. One
        process scans at a time (a lease): another one scanning the same folder meanwhile would read every
        file again only to find it stored (the unique hash keeps each one stored once anyway); what the
        scanning process stores reaches this one through ``catch_up``."""
        # Renewed by the scan itself after each batch: a thread renewing it would keep a first scan
        # from forking its readers.
        with self.leases.hold(SCAN_LEASE, renew=False) as mine:
            if not mine:
                log.info("corpus scan skipped: another process is scanning the folder")
                report = ScanReport(corpus_dir.name, elsewhere=True)
                report.finish()
                return report
            report = scan_corpus(
                self._pipeline, corpus_dir, progress, lambda: self.leases.still_held(SCAN_LEASE)
            )
            self.metrics.ingested(report)
        if report.stored:
            self._neardup.mark_stale()  # their signatures are computed when next needed
            self.save_index()
            self._people.all()  # merge the new mentions now, not on the next /who
            self._settle()
        report.finish()
        return report

    def ingest_paths(
        self,
        paths: Sequence[Path],
        added_by: str,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> IngestReport:
        """Files, folders and archives through the upload pipeline; the snapshot is saved at the end."""
        report = self._pipeline.ingest_paths(paths, added_by, progress, limits)
        self.metrics.ingested(report)
        if report.stored:
            self.save_index()
        return report.finish()

    def ingest_upload(
        self,
        name: str,
        data: bytes,
        added_by: str,
        progress: Progress | None = None,
        limits: Limits | None = None,
    ) -> IngestReport:
        """One uploaded file (an archive: each of its members) through the pipeline
        (``IngestPipeline.ingest_upload``), counted in the metrics."""
        report = self._pipeline.ingest_upload(name, data, added_by, progress, limits)
        self.metrics.ingested(report)
        return report

    def reindex(
        self, corpus_dir: Path | None = None, progress: Progress | None = None, limits: Limits | None = None
    ) -> ReindexReport:
        """Every document read again from its original, then the indexes rebuilt (``bot.ingest.reindex``)."""
        return reindex(self._pipeline, self.rebuild_index, corpus_dir, progress, limits)

    def remove_orphan_originals(self, older_than: float = ORPHAN_GRACE_SECONDS) -> int:
        """Kept files no document refers to, left by a kill or a full disk between writing an upload's
        original and committing its document: cleared at start (one listing, one query). Files younger
        than ``older_than`` stay: a ``python -m bot ingest`` may be writing them right now."""
        removed = self._originals.remove_unused(self.store.original_files(), older_than)
        if removed:
            log.info("%d kept files no document used (left by a crash) removed", removed)
        return removed

    def delete_document(self, doc_id: int) -> Document | None:
        """Remove a document: its row and everything stored with it (original reference, signature, and
        by cascade any other per-document rows) in one transaction, then its index entries and, when no
        other document uses it, its original file. None when there is no such document."""
        with self._people.ready():
            doc = self.store.get(doc_id)
            if doc is None:
                return None
            original = self.store.original_of(doc_id)
            with self.store.transaction() as tx:
                self.store.delete_document(tx, doc_id)
            self.index.remove(doc_id)
            self._neardup.forget(doc_id)
            self._people.forget(doc_id)
        if original is not None and self.store.original_users(original[0]) == 0:
            self._originals.remove(original[0])
        log.info("document #%d deleted (%s)", doc_id, doc.source)
        return doc

    def stats(self) -> Stats:
        raw = self.store.get_meta("last_ingest")
        last: dict[str, Any] | None = json.loads(raw) if raw else None
        return Stats(
            documents=self.store.count_documents(),
            near_duplicates=self.store.count_near_duplicates(),
            people=self.people_count(),
            subscribers=self.store.count_subscriptions(),
            database_bytes=self.store.size_bytes(),
            originals_bytes=self._originals.size_bytes(),
            last_ingest=last,
            people_failure=self.people_failure() if self._people.enabled else None,
        )

    # ----------------------------------------------------------------- reads
    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchPage:
        with self.metrics.search_seconds.time():
            with self._lock:
                result: SearchResult = self.index.search(query, limit=limit, offset=offset)
            docs = self.store.get_many([h.doc_id for h in result.hits])
            hits = [
                SearchHit(doc, h.score, make_snippet(doc.text, result.highlighter(doc.text)))
                for h in result.hits
                if (doc := docs.get(h.doc_id)) is not None
            ]
        return SearchPage(
            query,
            hits,
            result.total,
            offset,
            result.suggestion,
            result.stop_words_only,
            result.unmatched_words,
            result.partial,
        )

    @contextmanager
    def locked_index(self) -> Iterator[SearchEngine]:
        """The search index with the lock held, for a reader that needs more than one call of it (the
        follows' matcher inverts its queries over the index, then matches documents against them)."""
        with self._lock:
            yield self.index

    def search_ids(self, query: Query, limit: int = 10) -> list[int]:
        """Just the ranked ids: what benchmarks time, without snippets or store reads."""
        with self._lock:
            return [h.doc_id for h in self.index.search(query, limit=limit).hits]

    def document(self, doc_id: int) -> Document | None:
        return self.store.get(doc_id)

    def __len__(self) -> int:
        return len(self.index)
