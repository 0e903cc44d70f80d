"""The people index as a service: built in the background when Dossier opens, kept up to date by every
writer, read by /who, person cards and digests.

The concurrency rule, written once: Dossier has one lock (an ``RLock``) that serialises the search index,
the writers and the people index. The people index is built in a thread that never takes that lock,
because writers may hold it while they wait for the build (an upload's commit, a deletion): a build that
needed it would wait for them for ever. Nothing reads or changes the index until the build has set
``_ready``, so the build swaps it in without the lock. Everyone else goes through ``ready()``, which waits
for the build, takes the lock, and waits again under it: a rebuild that began meanwhile clears the flag
under this lock, and since the build does not need the lock, waiting while holding it is safe. Writers
wait too, so that no document stored during a build is missed.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

from bot import heap
from bot.models import PersonDocument
from bot.people import (
    EXTRACTOR_VERSION,
    Match,
    PeopleIndex,
    Person,
    extract_json,
    mentions_from_json,
    saved,
    sentence_at,
)
from bot.people import extract as extract_people
from bot.store import Store

log = logging.getLogger(__name__)

BACKFILL_BATCH = 256  # documents whose people are extracted and stored in one transaction


def people_json(text: str, published: date | None) -> str:
    """A document's people as stored, through ``extract_people``, which the people benchmark swaps."""
    return extract_json(text, published, extract_people)


class PeopleService:
    """The ``PeopleIndex``, its background build and its readiness; see the module docstring for the
    lock rule. ``enabled=False`` is a search-only Dossier: nothing is extracted when documents are
    stored (they get their people at the next open with people)."""

    def __init__(self, store: Store, lock: threading.RLock, enabled: bool = True) -> None:
        self._store = store
        self._lock = lock
        self.enabled = enabled
        self._index = PeopleIndex()  # rebuilt from stored mentions at open, then kept up to date
        # Set while ``_index`` is usable. ``start`` builds it in a thread so that search answers at once;
        # people readers and document writers wait for it (writers so that no document is missed).
        self._ready = threading.Event()
        self._ready.set()
        self._thread: threading.Thread | None = None
        # The persons saved at the last close (``bot/people/saved.py``), read while the build runs.
        self._saved: PeopleIndex | None = None
        # Why the last build failed (a damaged store, say), or None: /who and /stats say so rather than
        # answering from an empty index as though nobody were named.
        self.failure: str | None = None

    # ----------------------------------------------------------------- building
    def start(self, saved: PeopleIndex | None = None) -> None:
        """Build the people index in a thread (1-2 s on Reuters-21578, a minute a million documents): a
        restart answers searches at once; /who and cards read ``saved`` (the persons saved for this very
        store state) meanwhile, or wait for the build when there is none; digests and ingest wait."""
        self._saved = saved
        self._ready.clear()
        self._thread = threading.Thread(target=self._build, name="people-index", daemon=True)
        self._thread.start()

    def join(self) -> None:
        """Wait for a build started by ``start`` to end (a process with threads cannot fork)."""
        if self._thread is not None:
            self._thread.join()

    def rebuild(self) -> None:
        """A fresh people index from the mentions stored with the documents, now (see ``_build``)."""
        self._ready.wait()
        with self._lock:  # a writer is either wholly before this (and stored) or waits for the build
            self._ready.clear()
        self._build(replaced=True)

    def _build(self, replaced: bool = False) -> None:
        """From the stored mentions (no text is re-read), after extracting those of documents stored
        without them (before people existed, or by an older extractor). Writers wait meanwhile, so no
        document ingested during the build is missed; a failure leaves the index as it was, logged as an
        ERROR and kept in ``failure`` for /who and /stats to tell. Never takes the lock (module
        docstring)."""
        started = time.perf_counter()
        try:
            backfilled = self._backfill()
            fresh = PeopleIndex()
            for doc_id, published, data in self._store.iter_people():
                fresh.add_stored(doc_id, published, data)
            persons = len(fresh.persons())  # cluster now rather than on the first /who
            self._index = fresh
            self.failure = None
        except Exception as exc:
            self.failure = str(exc) or type(exc).__name__
            log.exception("people index could not be built; /who answers from what arrives from now on")
            return
        finally:
            self._ready.set()
            self._saved = None
        # The persons are long-lived too: out of the collector's walks (``bot/heap.py``); a rebuild's old
        # index was frozen and is freed only by a whole collection
        heap.settle(replaced)
        log.info(
            "people index built: %d persons (%d documents extracted anew) in %.2f s",
            persons,
            backfilled,
            time.perf_counter() - started,
        )

    def _backfill(self) -> int:
        missing = self._store.documents_without_people(EXTRACTOR_VERSION)
        for k in range(0, len(missing), BACKFILL_BATCH):
            docs = self._store.get_many(missing[k : k + BACKFILL_BATCH])
            with self._store.transaction() as tx:
                for doc in docs.values():
                    self._store.set_people(
                        tx, doc.id, EXTRACTOR_VERSION, people_json(doc.text, doc.published)
                    )
        return len(missing)

    def build_failure(self) -> str | None:
        """Why the people index could not be built, or None when it was (waits for a build under way)."""
        self._ready.wait()
        return self.failure

    # ----------------------------------------------------------------- access
    @contextmanager
    def ready(self) -> Iterator[PeopleIndex]:
        """The people index once built, with the lock held: the one way in (module docstring)."""
        self._ready.wait()  # before the lock, so that searches go on while the people index builds
        with self._lock:
            self._ready.wait()  # a rebuild that began meanwhile
            yield self._index

    @contextmanager
    def reading(self) -> Iterator[PeopleIndex]:
        """For reads only: the saved persons while the build runs (they are the store's: no writer goes
        before the build), else the built index as ``ready()`` gives it."""
        saved = self._saved
        if saved is not None and not self._ready.is_set():
            yield saved
            return
        with self.ready() as people:
            yield people

    def save(self, path: Path, stamp: str) -> None:
        """Keep the persons for the next start (``bot/people/saved.py``); nothing after a failed build."""
        with self.ready() as people:
            if self.failure is None:
                saved.save(people, path, stamp)

    def who(self, query: str, limit: int = 10) -> list[Match]:
        """Persons matching a name (any spelling, script, case or its beginning) or holders of a role."""
        with self.reading() as people:
            return people.find(query, limit=limit)

    def person(self, key: str) -> Person | None:
        with self.reading() as people:
            return people.person(key)

    def listed(self, keys: Iterable[str]) -> set[str]:
        """Which of ``keys`` are persons' keys now (under one turn of the lock: a follow job's check)."""
        with self.ready() as people:
            return {key for key in keys if people.person(key) is not None}

    def suggest(self, query: str, limit: int = 3) -> list[Person]:
        with self.reading() as people:
            return people.suggest(query, limit=limit)

    def all(self) -> list[Person]:
        """Every person (clustering what changed since the last call; waits for a build under way)."""
        with self.ready() as people:
            return people.persons()

    def count(self) -> int:
        return len(self.all())

    def names_in(self, doc_id: int) -> list[str]:
        """The names of the persons a document mentions: what a digest entry lists."""
        with self.ready() as people:
            return [p.name for p in people.persons_in(doc_id)]

    def persons_in(self, doc_id: int) -> list[Person]:
        """The persons a document mentions (what a person follow matches on)."""
        with self.ready() as people:
            return people.persons_in(doc_id)

    def forget(self, doc_id: int) -> None:
        """Drop a deleted document's people from the index (its stored mentions go with the document's
        row, by ``ON DELETE CASCADE``). Call after the deletion has committed."""
        with self.ready() as people:
            people.remove_document(doc_id)

    def documents_of(self, person: Person, sentences: int = 0) -> list[PersonDocument]:
        """The documents naming ``person``, newest first, undated ones after the dated (newest added
        first), with the mentioning sentence for the first ``sentences`` of them."""
        ids = [int(d) for d in person.documents]
        heads = self._store.document_heads(ids)

        def newest(i: int) -> tuple[bool, date, int]:
            return heads[i][2] is not None, heads[i][2] or date.min, i

        order = sorted(heads, key=newest, reverse=True)
        names = {person.name, *person.aliases}
        stored = self._store.people_of(order[:sentences])
        texts = self._store.get_many(list(stored)) if stored else {}
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
