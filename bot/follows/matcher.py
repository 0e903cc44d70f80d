"""Arriving documents matched against every chat's follows, each document exactly once.

The matcher walks the documents above the match cursor (``FollowStore.follow_cursor``) in id order, a
batch at a time, and records the batch's hits together with the cursor's move
(``FollowStore.record_hits``, a compare-and-set: a second replica matching the same batch is refused
and moves on). A document is matched only once it is in the search index and the people index (they are
updated together, under the Dossier's lock, after the document's transaction): the walk stops at the
first one that is not yet, and the next run takes it up.

- a person follow matches a document whose extracted persons include that person (the people index has
  already merged the spellings and inflections of the name, and left firms and namesakes out; spellings
  in another script it keeps apart are joined by ``_identities``): person keys, looked up per document,
  no text read;
- a query follow goes through ``bot.search.percolate.Percolator``: the follows' queries inverted over
  the search index, rebuilt when the index or the follows change, so that only follows sharing a key
  with the document are checked.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core import Dossier
from bot.models import Document, Follow, NewFollowHit
from bot.people import mentions_from_json, sentence_at
from bot.search.memory import MemoryIndex
from bot.search.percolate import Percolator
from bot.search.query import parse_query
from bot.search.snippets import make_snippet

log = logging.getLogger(__name__)

BATCH = 500  # documents read and matched per step (an upload's size)
PASSAGE_CHARS = 400
IDENTITY_SCORE = 90.0  # /who's name score (0-100) at which another person is the followed one


@dataclass(frozen=True)
class _PercolatorState:
    index_id: int
    generation: int
    queries: tuple[tuple[int, str], ...]
    percolator: Percolator


class FollowMatcher:
    """Matches what arrived since the cursor; ``run`` is called by a job (and after uploads)."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self._state: _PercolatorState | None = None

    def run(self, batch: int = BATCH) -> int:
        """Match every document above the cursor that is indexed; returns the hits recorded."""
        store = self.dossier.store
        recorded = 0
        while True:
            cursor = store.follow_cursor()
            docs, _, _ = store.documents_after(cursor, batch)
            if not docs:
                return recorded
            follows = store.follows()
            self._refresh_people(follows)
            hits, upto = self.match(docs, follows)
            if upto == cursor:
                return recorded  # the next document is not indexed yet
            if store.record_hits(cursor, upto, hits):
                recorded += len(hits)
            if upto != docs[-1].id:
                return recorded

    def match(self, docs: Sequence[Document], follows: Sequence[Follow]) -> tuple[list[NewFollowHit], int]:
        """The hits of ``docs`` (in id order) and the last document matched: documents from the first
        one not yet indexed on are left for later."""
        queries = [f for f in follows if f.kind == "query"]
        persons = self._identities(follows)
        hits: list[NewFollowHit] = []
        upto = docs[0].id - 1 if docs else 0
        for doc in docs:
            found = self._match_one(doc, queries, persons)
            if found is None:
                break
            hits.extend(found)
            upto = doc.id
        return hits, upto

    def _match_one(
        self, doc: Document, queries: Sequence[Follow], persons: dict[str, list[Follow]]
    ) -> list[NewFollowHit] | None:
        out: list[NewFollowHit] = []
        with self.dossier.locked_index() as index:
            if doc.id not in index:
                return None
            if queries:
                percolator = self._percolator(index, queries)
                by_id = {f.id: f for f in queries}
                for p in percolator.match(doc.id, doc.title, doc.text, doc.published) if percolator else ():
                    follow = by_id[p.query_id]
                    if doc.id > follow.after_id:
                        words = percolator.highlighter_words(doc.text, p.keys) if percolator else []
                        out.append(_hit(follow, doc.id, make_snippet(doc.text, words).marked("", "")))
            if persons:
                named = [f for p in self.dossier.people_in(doc.id) for f in persons.get(p.key, ())]
                if named:
                    passage = self._person_passage(doc, {f.label for f in named})
                    out.extend(_hit(f, doc.id, passage) for f in named if doc.id > f.after_id)
        return out

    def _identities(self, follows: Sequence[Follow]) -> dict[str, list[Follow]]:
        """Person key -> the person follows it satisfies. A follow is of an identity, not of one cluster
        of the people index: the persons that ``/who`` of the followed person's name answers with
        ``IDENTITY_SCORE`` or more are the same person written another way (the index keeps a name in
        Cyrillic apart from its Latin spelling when no document joins them); a namesake with another
        first name, or a firm, scores below it or is not a person at all."""
        out: dict[str, list[Follow]] = {}
        for f in follows:
            if f.kind != "person":
                continue
            keys = {f.target}
            person = self.dossier.person(f.target) if self.dossier.people_failure() is None else None
            if person is not None:
                keys.update(
                    m.person.key
                    for m in self.dossier.who(person.name, limit=20)
                    if m.kind == "name" and m.score >= IDENTITY_SCORE
                )
            for key in keys:
                out.setdefault(key, []).append(f)
        return out

    def _percolator(self, index: object, queries: Sequence[Follow]) -> Percolator | None:
        """The follows' queries inverted over the index as it is now (rebuilt when either changed)."""
        if not isinstance(index, MemoryIndex):
            return None  # another engine: query follows need the in-memory index's keys
        key = tuple((f.id, f.target) for f in queries)
        generation = self.dossier.store.generation()
        state = self._state
        if (
            state is None
            or state.index_id != id(index)
            or state.generation != generation
            or state.queries != key
        ):
            percolator = Percolator(index, [(f.id, parse_query(f.target)) for f in queries])
            state = self._state = _PercolatorState(id(index), generation, key, percolator)
        return state.percolator

    def _person_passage(self, doc: Document, names: set[str]) -> str:
        """The sentence naming the person (the first one that states a role, else the first)."""
        stored = self.dossier.store.people_of([doc.id]).get(doc.id)
        if stored is None:
            return ""
        mentions = mentions_from_json(stored, sentences=False)
        persons = {p.name: p for p in self.dossier.people_in(doc.id)}
        wanted = set(names)
        for name in names:
            person = persons.get(name)
            if person is not None:
                wanted.update(person.aliases)
        mine = [m for m in mentions if m.name in wanted or m.surface in wanted] or mentions
        best = next((m for m in mine if m.role is not None), mine[0] if mine else None)
        return sentence_at(doc.text, best.start, best.end)[:PASSAGE_CHARS] if best else ""

    def _refresh_people(self, follows: Sequence[Follow]) -> None:
        """A followed person whose key the people index no longer lists (a fuller canonical name was
        chosen as documents arrived) is found again by the name the follow shows."""
        if self.dossier.people_failure() is not None:
            return
        for f in follows:
            if f.kind != "person" or self.dossier.person(f.target) is not None:
                continue
            matches = [m for m in self.dossier.who(f.label, limit=1) if m.kind == "name"]
            if matches:
                log.info("follow %d: person %r is now %r", f.id, f.target, matches[0].person.key)
                self.dossier.store.set_follow_target(f.id, matches[0].person.key)


def _hit(follow: Follow, doc_id: int, passage: str) -> NewFollowHit:
    return NewFollowHit(follow.chat_id, doc_id, follow.id, follow.mode, passage[:PASSAGE_CHARS])
