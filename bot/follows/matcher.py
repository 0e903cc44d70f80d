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
- a wire flash (a headline and nothing else) also matches a person follow whose surname its headline
  says, unless the headline makes it a firm's or a namesake's (``bot.follows.salience.flash_names``):
  the people index gives a bare surname a person only once that person dominates it;
- a query follow goes through ``bot.search.percolate.Percolator``: the follows' queries inverted over
  the search index, so that only follows sharing a key with the document are checked.

Both are kept across runs and updated, not made anew whenever the store changes (that cost a lone
arriving document about 1.5 s with 1,000 follows; ``bench/follow_bench.py``): a new or removed follow is
added or taken out, the persons of each document are checked once against the followed names
(``bot.people.Identities``), and the words new documents bring reach only the stored words they can
change (``Percolator.sync``).
"""

from __future__ import annotations

import functools
import logging
import threading
from collections.abc import Sequence
from dataclasses import dataclass

from bot.core import Dossier
from bot.follows.naming import persons_named, reads_as_name
from bot.follows.salience import (
    DocumentShape,
    carries,
    flash_names,
    given_keys,
    is_flash,
    person_mentions,
    person_spans,
    surnames,
)
from bot.models import Document, Follow, NewFollowHit
from bot.people import Identities, Mention, Person, mentions_from_json, sentence_at
from bot.search import Word
from bot.search.memory import MemoryIndex
from bot.search.percolate import Percolator, is_lexicon_word
from bot.search.query import parse_query
from bot.search.snippets import make_snippet
from bot.textnorm import Token

log = logging.getLogger(__name__)

_Named = tuple[Follow, list[Person]]  # a person follow a document names, and the persons that do

BATCH = 500  # documents read and matched per step (an upload's size)
PASSAGE_CHARS = 400
RECHECK_DOCS = 200  # documents matched before a follow that reads as a name is looked up again
IDENTITY_SCORE = 90.0  # /who's name score (0-100) at which another person is the followed one


@dataclass(frozen=True)
class _Followed:
    """A followed person as the matcher needs it: the name ``/who`` is asked with, and the folded
    surnames and first names a wire flash's headline is read by (``flash_names``)."""

    name: str
    surnames: frozenset[str]
    given: frozenset[str]


@dataclass(frozen=True)
class _PersonFollows:
    follows: tuple[Follow, ...]
    by_target: dict[str, list[Follow]]  # the followed person's key -> its follows
    identities: Identities  # follow id -> the followed person's name
    by_surname: dict[str, list[tuple[Follow, _Followed]]]  # a followed person's folded surname -> its follows

    def of(self, persons: Sequence[Person]) -> dict[int, _Named]:
        """The follows the persons of one document satisfy, each once, with the persons that do."""
        by_id = {f.id: f for f in self.follows}
        out: dict[int, _Named] = {}
        for p in persons:
            for f in self.by_target.get(p.key, ()):
                out.setdefault(f.id, (f, []))[1].append(p)
            for follow_id in self.identities.of(p):
                out.setdefault(follow_id, (by_id[follow_id], []))[1].append(p)
        return out


@dataclass(frozen=True)
class _PercolatorState:
    index_id: int
    queries: dict[int, str]  # follow id -> its query, as the percolator holds them
    percolator: Percolator


class FollowMatcher:
    """Matches what arrived since the cursor; ``run`` is called by a job (and after uploads)."""

    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self._state: _PercolatorState | None = None
        self._persons: _PersonFollows | None = None
        self._running = threading.Lock()
        # a followed person's key -> its name, folded surnames and first names (``flash_names``); stable
        # with the key
        self._followed: dict[str, _Followed] = {}
        self._named_at: dict[int, int] = {}  # a query follow that reads as a name -> cursor at its last check

    def run(self, batch: int = BATCH) -> int:
        """Match every document above the cursor that is indexed; returns the hits recorded. One run at
        a time (the regular job and one soon after an upload may overlap; the kept state is not shared)."""
        with self._running:
            return self._run(batch)

    def _run(self, batch: int) -> int:
        store = self.dossier.store
        recorded = 0
        while True:
            cursor = store.follow_cursor()
            docs, _, _ = store.documents_after(cursor, batch)
            if not docs:
                return recorded
            follows = store.follows()
            self._refresh_people(follows)
            if self._promote_names(follows, cursor):
                follows = store.follows()
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
        self, doc: Document, queries: Sequence[Follow], persons: _PersonFollows
    ) -> list[NewFollowHit] | None:
        out: list[NewFollowHit] = []
        with self.dossier.locked_index() as index:
            if doc.id not in index:
                return None
            if queries:
                percolator = self._percolator(index, queries)
                by_id = {f.id: f for f in queries}
                tokens: list[Token] | None = None  # the text read once, for every passage
                passages: dict[frozenset[str], str] = {}
                spans = functools.partial(self._person_spans, doc.id)
                for p in (
                    percolator.match(doc.id, doc.title, doc.text, doc.published, spans) if percolator else ()
                ):
                    follow = by_id[p.query_id]
                    if doc.id > follow.after_id and percolator is not None:
                        passage = passages.get(p.keys)
                        if passage is None:
                            tokens = tokens if tokens is not None else percolator.tokens(doc.text)
                            words = [Word(t.start, t.end, p.keys.intersection(t.keys)) for t in tokens]
                            passage = passages[p.keys] = make_snippet(doc.text, words).marked("", "")
                        out.append(_hit(follow, doc.id, passage))
            if persons.follows:
                named = persons.of(self.dossier.people_in(doc.id))
                named = {i: fp for i, fp in named.items() if doc.id > fp[0].after_id}
                flashed = self._flashed(doc, persons, named, index)
                if named or flashed:
                    out.extend(self._person_hits(doc, named, flashed))
        return out

    def _flashed(
        self, doc: Document, persons: _PersonFollows, named: dict[int, _Named], index: object
    ) -> list[Follow]:
        """The person follows a wire flash names by surname that the people index did not give it."""
        words = DocumentShape.of(doc.title, "").title
        wanted = {
            f.id: (f, known)
            for word in words
            for f, known in persons.by_surname.get(word, ())
            if f.id not in named and doc.id > f.after_id
        }
        if not wanted or not is_flash(doc.title, doc.text):
            return []
        return [
            f
            for f, known in wanted.values()
            if flash_names(doc.title, known.surnames, known.given, lambda w: is_lexicon_word(index, w))
        ]

    def _person_spans(self, doc_id: int) -> list[tuple[int, int]]:
        """Where the document names persons, by the people extractor's stored mentions (read only
        when a query follow in lower case would fire: its word inside a person's name does not count)."""
        stored = self.dossier.store.people_of([doc_id]).get(doc_id)
        return person_spans(mentions_from_json(stored, sentences=False)) if stored is not None else []

    def _person_hits(
        self, doc: Document, named: dict[int, _Named], flashed: Sequence[Follow] = ()
    ) -> list[NewFollowHit]:
        """The hits of the person follows whose person the document names (``bot.follows.salience``:
        by the extractor or by a surname in its text), each with the sentence naming the person, and of
        those a flash's headline names (``_flashed``), with the headline."""
        stored = self.dossier.store.people_of([doc.id]).get(doc.id)
        mentions = mentions_from_json(stored, sentences=False) if stored is not None else []
        shape = functools.cache(lambda: DocumentShape.of(doc.title, doc.text))
        kept: list[Follow] = []
        for follow, persons in named.values():
            mine = person_mentions(persons, mentions)
            if carries(shape, surnames(persons, mine), mine):
                kept.append(follow)
        out = [_hit(f, doc.id, doc.title) for f in flashed]
        if kept:
            passage = self._person_passage(doc, {f.label for f in kept}, mentions)
            out += [_hit(f, doc.id, passage) for f in kept]
        return out

    def _identities(self, follows: Sequence[Follow]) -> _PersonFollows:
        """The person follows and which persons satisfy them. A follow is of an identity, not of one
        cluster of the people index: its own person, and every person whose names ``/who`` of the
        followed person's name answers with ``IDENTITY_SCORE`` or more (the index keeps a name in
        Cyrillic apart from its Latin spelling when no document joins them); a namesake with another
        first name, or a firm, scores below it or is not a person at all. Kept across runs
        (``bot.people.Identities`` remembers each person's answer): made anew only when the person
        follows change, the followed names looked up once each."""
        persons = tuple(f for f in follows if f.kind == "person")
        state = self._persons
        if state is not None and state.follows == persons:
            return state
        usable = self.dossier.people_failure() is None
        names: list[tuple[int, str]] = []
        by_target: dict[str, list[Follow]] = {}
        by_surname: dict[str, list[tuple[Follow, _Followed]]] = {}
        for f in persons:
            by_target.setdefault(f.target, []).append(f)
            known = self._followed.get(f.target)
            if known is None and usable:
                person = self.dossier.person(f.target)
                if person is not None:
                    known = _Followed(person.name, surnames([person], []), given_keys([person]))
                    self._followed[f.target] = known
            if known is not None:
                names.append((f.id, known.name))
                for key in known.surnames:
                    by_surname.setdefault(key, []).append((f, known))
        state = self._persons = _PersonFollows(
            persons, by_target, Identities(names, IDENTITY_SCORE), by_surname
        )
        return state

    def _percolator(self, index: object, queries: Sequence[Follow]) -> Percolator | None:
        """The follows' queries inverted over the index, kept across runs: a new follow is added, a
        removed one taken out, the words new documents brought taken in (``Percolator.sync``); built
        anew for another index (a rebuild, a snapshot) or once the corpus has drifted
        (``Percolator.stale``)."""
        if not isinstance(index, MemoryIndex):
            return None  # another engine: query follows need the in-memory index's keys
        wanted = {f.id: f.target for f in queries}
        state = self._state
        if state is None or state.index_id != id(index) or state.percolator.stale():
            percolator = Percolator(index, [(i, parse_query(q)) for i, q in wanted.items()])
            state = self._state = _PercolatorState(id(index), wanted, percolator)
            return percolator
        percolator = state.percolator
        percolator.sync()
        if wanted != state.queries:
            for query_id, target in state.queries.items():
                if wanted.get(query_id) != target:
                    percolator.remove(query_id)
            for query_id, target in wanted.items():
                if state.queries.get(query_id) != target:
                    percolator.add(query_id, parse_query(target))
            state.queries.clear()
            state.queries.update(wanted)
        return percolator

    def _person_passage(self, doc: Document, names: set[str], mentions: Sequence[Mention]) -> str:
        """The sentence naming the person (the first one that states a role, else the first)."""
        if not mentions:
            return ""
        persons = {p.name: p for p in self.dossier.people_in(doc.id)}
        wanted = set(names)
        for name in names:
            person = persons.get(name)
            if person is not None:
                wanted.update(person.aliases)
        mine = [m for m in mentions if m.name in wanted or m.surface in wanted] or mentions
        best = next((m for m in mine if m.role is not None), mine[0] if mine else None)
        return sentence_at(doc.text, best.start, best.end)[:PASSAGE_CHARS] if best else ""

    def _promote_names(self, follows: Sequence[Follow], cursor: int) -> bool:
        """A query follow whose words read as a name ("John Herington", made before any document named
        him) becomes a follow of the person once the people index knows exactly one person by that name
        (``bot.follows.naming``, as ``/follow`` decides): from then on it matches every spelling and
        inflection, and a story that says only "Herrington said" (words required "John" too). Checked
        again after every ``RECHECK_DOCS`` documents; whether any changed."""
        if self.dossier.people_failure() is not None:
            return False
        changed = False
        queries = {f.id for f in follows if f.kind == "query"}
        for gone in self._named_at.keys() - queries:  # removed, or a person's already
            del self._named_at[gone]
        for f in follows:
            if f.kind != "query" or cursor - self._named_at.get(f.id, -RECHECK_DOCS) < RECHECK_DOCS:
                continue
            self._named_at[f.id] = cursor
            if not reads_as_name(self.dossier, f.target):
                continue
            persons = persons_named(self.dossier, f.target)
            if len(persons) == 1 and self.dossier.store.follow_person(f.id, persons[0].key, persons[0].name):
                log.info("follow %d: the words %r are now the person %r", f.id, f.target, persons[0].key)
                changed = True
        return changed

    def _refresh_people(self, follows: Sequence[Follow]) -> None:
        """A followed person whose key the people index no longer lists (a fuller canonical name was
        chosen as documents arrived) is found again by the name the follow shows."""
        if self.dossier.people_failure() is not None:
            return
        persons = [f for f in follows if f.kind == "person"]
        listed = self.dossier.listed_people(f.target for f in persons)
        for f in persons:
            if f.target in listed:
                continue
            matches = [m for m in self.dossier.who(f.label, limit=1) if m.kind == "name"]
            if matches:
                log.info("follow %d: person %r is now %r", f.id, f.target, matches[0].person.key)
                self.dossier.store.set_follow_target(f.id, matches[0].person.key)


def _hit(follow: Follow, doc_id: int, passage: str) -> NewFollowHit:
    return NewFollowHit(follow.chat_id, doc_id, follow.id, follow.mode, passage[:PASSAGE_CHARS])
