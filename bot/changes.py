"""Other processes' document changes applied to this process's in-memory indexes (issue 19).

Several processes may share one store: a second replica on PostgreSQL, ``python -m bot ingest`` beside
the bot on SQLite. Each keeps its own search index and people index in memory, so each one must learn
what the others stored or deleted. The store records every document change with the generation it left
and the connection that made it (``bot.store.ChangeFeed``); ``ChangeFollower.catch_up`` reads the changes
after the generation its indexes reflect, skips its own (already applied as they were written), reads
the changed documents by id and adds, replaces or removes them. Polled about once a second by the bot;
when nothing changed that is one read of one row.

The changes are read and applied under the Dossier's lock (through ``PeopleService.ready``), the lock
this process's own writers hold from their commit to their indexing: a document read here is never an
older version than one this process indexed meanwhile.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from datetime import date

from bot.ingest.neardup import NearDupCache
from bot.models import Document
from bot.people import PeopleIndex
from bot.people.service import PeopleService
from bot.search import SearchEngine
from bot.store import Store

log = logging.getLogger(__name__)

CATCH_UP_BATCH = 500  # changes read and applied per turn of the lock (searches go on between turns)


class ChangeFollower:
    """Keeps the search, people and near-duplicate indexes in step with other processes' writes.
    ``applied`` is the generation the indexes reflect."""

    def __init__(
        self,
        store: Store,
        index: Callable[[], SearchEngine],
        people: PeopleService,
        neardup: NearDupCache,
        lock: threading.RLock,
    ) -> None:
        self._store = store
        self._index = index
        self._people = people
        self._neardup = neardup
        self._lock = lock
        self.applied = 0

    def catch_up(self) -> int:
        """Apply every change other processes made since ``applied``; returns how many documents that
        touched. Cheap when nothing changed: one read of the generation."""
        if self._store.generation() == self.applied:
            return 0
        touched = 0
        while True:
            with self._people.ready() as people_index:
                changes = self._store.changes_since(self.applied, CATCH_UP_BATCH)
                if not changes:
                    break
                theirs = [c.doc_id for c in changes if c.writer != self._store.writer_id]
                if theirs:
                    self._apply(theirs, people_index)
                self.applied = changes[-1].seq
                touched += len(theirs)
        if touched:
            log.info("%d documents changed by another process applied to the indexes", touched)
        return touched

    def replay_index(self, since: int, until: int) -> int | None:
        """At start, over a search index saved at generation ``since`` (a kill or crash skipped the save
        that would have followed): every document change after it, this store's own included, applied
        to the search index alone; the people index is built from the store at start and has them.
        Returns how many documents that touched, and ``applied`` is then the last change's generation;
        or None when the changes recorded do not account for every generation from ``since`` to
        ``until`` (the store's at start): a store changed by other means, or older than its change
        log. The index cannot be trusted then: the caller rebuilds it."""
        self.applied = since
        touched = 0
        while True:
            with self._lock:
                changes = self._store.changes_since(self.applied, CATCH_UP_BATCH)
                if not changes:
                    return touched if self.applied >= until else None
                # Each change moves the generation on by one, in commit order.
                if [c.seq for c in changes] != list(range(self.applied + 1, self.applied + 1 + len(changes))):
                    return None
                doc_ids = list(dict.fromkeys(c.doc_id for c in changes))
                self._apply_index(doc_ids)
                self.applied = changes[-1].seq
                touched += len(doc_ids)

    def _apply(self, doc_ids: list[int], people_index: PeopleIndex) -> None:
        """With the lock held: the documents as stored now, added (replacing an older version) or, when
        gone, removed."""
        docs, gone = self._apply_index(doc_ids)
        if self._people.enabled:
            stored = self._store.people_of(list(docs))
            for doc_id, doc in docs.items():
                if doc_id in stored:
                    people_index.add_stored(doc_id, doc.published, stored[doc_id])
                else:  # stored by a process without people: extracted at the next start
                    people_index.remove_document(doc_id)
            for doc_id in gone:
                people_index.remove_document(doc_id)

    def _apply_index(self, doc_ids: list[int]) -> tuple[dict[int, Document], list[int]]:
        """With the lock held: the documents as stored now in the search index (and the near-duplicate
        cache); returns them and the ids of those that are gone."""
        docs = self._store.get_many(doc_ids)
        gone = [i for i in doc_ids if i not in docs]
        index = self._index()
        added: list[tuple[int, str, str, date | None]] = [
            (d.id, d.title, d.text, d.published) for d in docs.values()
        ]
        if added:
            index.add_many(added)
            self._neardup.reset()  # their signatures are in the store: reloaded when next needed
        for doc_id in gone:
            index.remove(doc_id)
            self._neardup.forget(doc_id)
        return docs, gone
