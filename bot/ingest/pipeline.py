"""The write path: documents stored, then indexed. Every writer (upload, ``python -m bot ingest``, corpus
scan, ``add_prepared``) ends in ``IngestPipeline.store_batch``.

Writes go to SQLite first, in one transaction per document (per batch for a scan), and only then to the
in-memory indexes, so a crash can lose index work (rebuilt at start-up) but never a stored document. An
upload's original is fsynced before the row that refers to it commits (``bot.ingest.originals``).
"""

from __future__ import annotations

import errno
import json
import logging
import os
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Protocol

from bot.errors import StoreFull
from bot.ingest import neardup
from bot.ingest.formats import DEFAULT_LIMITS, Extracted, Extraction, Limits, Skipped, extract
from bot.ingest.neardup import NearDupCache
from bot.ingest.originals import KeptOriginals, clean_name
from bot.ingest.prepare import IngestError, Prepared, prepare_text
from bot.ingest.report import IngestReport, Outcome, Status, os_reason
from bot.ingest.story import best_story, story_text
from bot.messages import Coded
from bot.models import CorpusFile, NewDocument, Progress
from bot.people import EXTRACTOR_VERSION
from bot.people.service import PeopleService, people_json
from bot.store import Store, Tx

log = logging.getLogger(__name__)

STAGE_CHUNK = 64  # uploaded documents whose originals are fsynced together (each still commits alone)
_INTERRUPTED = Coded("ingest.interrupted")  # a staged document's place in the report until it is committed

_DocPeople = tuple[int, date | None, str]  # a document's people as stored (JSON)


class Indexing(Protocol):
    """What the pipeline needs from the search index: documents added, with their words when known."""

    def add_many(
        self, docs: Iterable[tuple[int, str, str, date | None]], words: Sequence[list[str]] | None = None
    ) -> None: ...


@dataclass(frozen=True)
class Pending:
    """A document on its way to the store, with what is known about it already."""

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


class IngestPipeline:
    """Stores documents and keeps the search, people and near-duplicate indexes in step, under the
    Dossier's lock (``PeopleService.ready`` takes it)."""

    def __init__(
        self,
        store: Store,
        originals: KeptOriginals,
        index: Callable[[], Indexing],
        people: PeopleService,
        neardup_cache: NearDupCache,
        lock: threading.RLock,
    ) -> None:
        # The parts a scan and a reindex work with too.
        self.store = store
        self.originals = originals
        self.people = people
        self.neardup = neardup_cache
        self.lock = lock
        self._index = index  # the current search index (a rebuild swaps it)

    def add_prepared(self, prepared: Prepared, added_by: str) -> Outcome:
        """Store one document (unless its text is already stored) and index it."""
        return self.store_batch([Pending(prepared, added_by)])[0]

    def store_batch(self, batch: list[Pending]) -> list[Outcome]:
        """Store a batch of documents in one transaction, then index them.

        One transaction per batch rather than per file: a corpus scan of 20,000 files is otherwise
        dominated by commits. A crash rolls back the batch and the next scan reads those files again, so
        nothing is half-stored; uploads pass batches of one."""
        outcomes: list[Outcome] = []
        to_index: list[tuple[int, Prepared, list[str] | None]] = []
        people: list[_DocPeople] = []
        # The people index is being built: add to the built one (writers wait, so none is missed).
        with self.people.ready() as people_index:
            with self.store.transaction() as tx:
                seen: dict[str, int] = {}
                for item in batch:
                    p = item.prepared
                    existing = seen.get(p.sha256) or self.store.find_by_hash(p.sha256)
                    if existing is not None and existing != item.replaces:
                        if item.corpus_file is not None:
                            self.store.record_corpus_file(tx, _with_doc(item.corpus_file, existing))
                        same = Coded("ingest.duplicate", id=existing)
                        outcomes.append(Outcome(p.source, "duplicate", existing, p.title, reason=same))
                        continue
                    new = NewDocument(p.source, p.title, p.published, p.text, p.sha256, item.added_by)
                    status: Status
                    if item.replaces is not None and self.store.exists(item.replaces):
                        self.store.replace_document(tx, item.replaces, new)
                        doc_id, status = item.replaces, "updated"
                    else:
                        doc_id, status = self.store.insert_document(tx, new), "added"
                    seen[p.sha256] = doc_id
                    self._store_extras(tx, doc_id, item)
                    if item.corpus_file is not None:
                        self.store.record_corpus_file(tx, _with_doc(item.corpus_file, doc_id))
                    outcomes.append(Outcome(p.source, status, doc_id, p.title))
                    to_index.append((doc_id, p, item.words))
                    if self.people.enabled:
                        people.append(self._store_people(tx, doc_id, p, item.mentions))
            given = [w for _, _, w in to_index if w is not None]
            self._index().add_many(
                [(doc_id, p.title, p.text, p.published) for doc_id, p, _ in to_index],
                given if len(given) == len(to_index) else None,
            )
            for doc_id, published, data in people:
                people_index.add_stored(doc_id, published, data)
        return outcomes

    def _store_people(self, tx: Tx, doc_id: int, p: Prepared, found: str | None = None) -> _DocPeople:
        """Extract a document's people (unless a worker did: ``found``) and store them in the document's
        own transaction (replacing a replaced document's); the caller updates the in-memory index once
        that has committed. Offsets only: a card finds its few sentences in the text later."""
        if found is None:
            found = people_json(p.text, p.published)
        self.store.set_people(tx, doc_id, EXTRACTOR_VERSION, found)
        return doc_id, p.published, found

    def _store_extras(self, tx: Tx, doc_id: int, item: Pending) -> None:
        """The rows that belong to a document, in its own transaction: its original and its signature
        (a changed corpus file's old signature is dropped, to be recomputed when next needed)."""
        if item.original is not None:
            file, kind, size = item.original
            self.store.add_original(tx, doc_id, file, kind, size)
        if item.signature is not None:
            self.store.set_signature(tx, doc_id, item.signature, item.similar_to, item.similarity)
        elif item.replaces is not None:
            self.store.clear_signature(tx, doc_id)
        hold_point()

    # ----------------------------------------------------------------- uploads and the CLI
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
        pipeline as an upload, one file at a time (the caller saves the search index snapshot)."""
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
                report.outcomes.append(Outcome(str(root), "skipped", reason=Coded("ingest.missing")))
        limits = limits or DEFAULT_LIMITS

        def stream() -> Iterator[tuple[Extraction | Outcome, Callable[[str], None] | None]]:
            done_files = 0

            def tick(label: str) -> None:
                nonlocal done_files
                done_files += 1
                if progress:
                    progress(done_files, len(files), label)

            for path, label in files:
                outcomes: list[Extraction | Outcome]
                try:
                    outcomes = list(extract(label, path.read_bytes(), limits=limits))
                except OSError as exc:
                    outcomes = [Outcome(label, "skipped", reason=os_reason(exc))]
                except IngestError as exc:
                    outcomes = [Outcome(label, "skipped", reason=exc.reason)]
                last = len(outcomes) - 1
                for k, outcome in enumerate(outcomes):
                    # The file counts as done once its last document has its result.
                    yield outcome, (tick if k == last else None)

        self._ingest_stream(report, stream(), added_by)
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
            report.outcomes.append(Outcome(name, "skipped", reason=exc.reason))
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
        items: Iterable[tuple[Extraction | Outcome, Callable[[str], None] | None]],
        added_by: str,
    ) -> None:
        """Documents in order, each committed in a transaction of its own. Their originals are written
        a chunk at a time and fsynced together before any of those documents is committed: one flush
        of the file system per chunk instead of two per document. ``done`` is called once an item has
        its result."""
        staged: list[tuple[int, Extracted, Prepared, bytes, str, Callable[[str], None] | None]] = []
        written: set[str] = set()  # originals the staged chunk wrote (not there before it)

        def flush() -> None:
            if not staged:
                return
            self.originals.sync(file for *_, file, _ in staged)
            # Near-duplicate candidates among what was stored before this chunk, all looked up in one
            # pass, their texts read in one query; the chunk's own earlier documents are compared as each
            # one is committed. A candidate is flagged only when it tells the same story
            # (bot.ingest.story), which reads both texts.
            with self.lock:
                found = self.neardup.index().candidates_many([sig for _, _, _, sig, _, _ in staged])
            stories = self.neardup.stories(m.doc_id for cands in found for m in cands)
            local = neardup.NearDupIndex(capacity=len(staged))
            chunk: dict[int, Prepared] = {}
            for (slot, ex, p, sig, file, done), cands in zip(staged, found, strict=True):
                if len(local):
                    cands = sorted([*cands, *local.candidates(sig)], key=lambda m: -m.similarity)
                for m in cands[: neardup.CANDIDATES]:
                    if m.doc_id not in stories and m.doc_id in chunk:
                        q = chunk[m.doc_id]
                        stories[m.doc_id] = story_text(q.text, q.published, q.title)
                same = (
                    best_story(
                        story_text(p.text, p.published, p.title),
                        [m.doc_id for m in cands[: neardup.CANDIDATES]],
                        stories,
                    )
                    if cands
                    else None
                )
                match = neardup.Match(*same) if same else None
                result = self._commit(ex, p, sig, file, added_by, match)
                if result.status == "added" and result.doc_id is not None:
                    local.add(result.doc_id, sig)
                    chunk[result.doc_id] = p
                report.outcomes[slot] = result
                if done:
                    done(ex.source)
            # The people of each new document, read once the chunk is in: the people index re-merges
            # what changed once per chunk rather than once per document (a block as big as "Baker"
            # re-clusters whenever it changes).
            for slot, *_ in staged:
                stored = report.outcomes[slot]
                if stored.status == "added" and stored.doc_id is not None:
                    report.outcomes[slot] = replace(stored, people=tuple(self.people.names_in(stored.doc_id)))
            staged.clear()
            written.clear()

        try:
            self._stage_all(report, items, staged, written, flush)
        except (OSError, StoreFull) as exc:
            if not _disk_full(exc):
                raise
            self._disk_full(report, staged, written, exc)

    def _stage_all(
        self,
        report: IngestReport,
        items: Iterable[tuple[Extraction | Outcome, Callable[[str], None] | None]],
        staged: list[tuple[int, Extracted, Prepared, bytes, str, Callable[[str], None] | None]],
        written: set[str],
        flush: Callable[[], None],
    ) -> None:
        """``_ingest_stream``'s loop: each item's outcome, or the item staged (its original written)."""
        for item, done in items:
            result: Outcome
            if isinstance(item, Outcome):
                result = item
            elif isinstance(item, Skipped):
                result = Outcome(item.source, "skipped", reason=item.reason)
            else:
                try:
                    p = prepare_text(item.source, item.text)
                except IngestError as exc:
                    result = Outcome(item.source, "skipped", reason=exc.reason)
                else:
                    existing = self.store.find_by_hash(p.sha256)
                    if existing is not None:
                        result = self._duplicate(item.source, existing)
                    else:
                        sig = neardup.signature(p.text)
                        report.outcomes.append(Outcome(item.source, "skipped", reason=_INTERRUPTED))
                        file, wrote = self.originals.put(item.data, item.kind, durable=False)
                        if wrote:
                            written.add(file)
                        staged.append((len(report.outcomes) - 1, item, p, sig, file, done))
                        if len(staged) >= STAGE_CHUNK:
                            flush()
                        continue
            report.outcomes.append(result)
            if done:
                done(result.source)
        flush()

    def _disk_full(
        self,
        report: IngestReport,
        staged: list[tuple[int, Extracted, Prepared, bytes, str, Callable[[str], None] | None]],
        written: set[str],
        exc: Exception,
    ) -> None:
        """The disk filled up during an ingest: what was committed stays (each document is whole), the
        staged rest is reported as not added, the originals written for it are removed (unless a document
        committed meanwhile uses one), and nothing further is read."""
        log.error("the disk is full: %s stopped, the rest of it not added (%s)", report.name, exc)
        for file in written:
            if self.store.original_users(file) == 0:
                self.originals.remove(file)
        reason = Coded("ingest.disk_full")
        report.outcomes[:] = [
            replace(o, reason=reason) if o.status == "skipped" and o.reason == _INTERRUPTED else o
            for o in report.outcomes
        ]
        staged.clear()
        written.clear()

    def _commit(
        self, ex: Extracted, p: Prepared, sig: bytes, file: str, added_by: str, match: neardup.Match | None
    ) -> Outcome:
        """One document whose original is already durable on disk, with the stored document most like
        it: its row, original reference and signature in one transaction, then the in-memory indexes."""
        with self.people.ready():
            similar = match  # a candidate that tells the same story (see _ingest_stream)
            pending = Pending(
                p,
                added_by,
                original=(file, ex.kind, len(ex.data)),
                signature=sig,
                similar_to=similar.doc_id if similar else None,
                similarity=round(similar.similarity, 3) if similar else None,
            )
            outcome = self.store_batch([pending])[0]
            if outcome.status != "added" or outcome.doc_id is None:  # the same text earlier in this run
                return self._duplicate(ex.source, outcome.doc_id or 0)
            self.neardup.index().add(outcome.doc_id, sig)
        return Outcome(
            ex.source,
            "added",
            outcome.doc_id,
            p.title,
            p.published,
            similar_to=pending.similar_to,
            similarity=pending.similarity,
        )

    def _duplicate(self, source: str, doc_id: int) -> Outcome:
        doc = self.store.get(doc_id)
        return Outcome(
            source,
            "duplicate",
            doc_id,
            doc.title if doc else None,
            doc.published if doc else None,
            reason=Coded("ingest.duplicate", id=doc_id),
        )

    # ----------------------------------------------------------------- what /stats shows
    def _record_last_ingest(self, report: IngestReport, added_by: str) -> None:
        if report.outcomes:
            counts = (report.count("added"), report.count("duplicate"), report.count("skipped"))
            self.record_ingest(added_by, report.name, *counts)

    def record_ingest(self, by: str, name: str, added: int, duplicates: int, skipped: int) -> None:
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
        with self.store.transaction() as tx:
            self.store.set_meta(tx, "last_ingest", json.dumps(entry, ensure_ascii=False))


def _disk_full(exc: Exception) -> bool:
    """ENOSPC or EDQUOT from a write or fsync, or the store's own "disk is full" (``StoreFull``)."""
    if isinstance(exc, OSError):
        return exc.errno in (errno.ENOSPC, errno.EDQUOT)
    return isinstance(exc, StoreFull)


def _with_doc(entry: CorpusFile, doc_id: int) -> CorpusFile:
    return CorpusFile(entry.path, entry.size, entry.mtime_ns, doc_id)


# A test hook, not a setting: with DOSSIER_TEST_HOLD_INGEST=<n>:<flag file>, the n-th document this
# process stores waits inside its open transaction after touching the flag file, so a test can kill
# the process at exactly that point and check that the store is as it was before that document.
_HOLD = os.environ.get("DOSSIER_TEST_HOLD_INGEST", "")
_stored_count = 0


def hold_point() -> None:
    global _stored_count
    if not _HOLD:
        return
    _stored_count += 1
    n, _, flag = _HOLD.partition(":")
    if n.isdigit() and _stored_count == int(n) and flag:
        Path(flag).write_text("holding", encoding="utf-8")
        time.sleep(60)
