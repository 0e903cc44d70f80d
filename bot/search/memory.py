"""The search index: BM25 over normalised keys, with per-word typo and prefix expansion.

Why not SQLite FTS5 or Tantivy: FTS5 has no fuzzy matching at all, and Tantivy scores a fuzzy term as a
constant, so it either ranks clean queries badly or drowns misspelled words under exact ones (see
``bench/``). Here every expansion of a query word (the word itself, its typo neighbours, its completions)
is a real vocabulary key scored with *its own* BM25 statistics, weighted below an exact match, and a
document takes the best of a word's expansions, so typing a word wrong costs a little rank, not the answer.

The index lives in memory (numpy arrays per key), is built from the store, grows incrementally as
documents arrive, and is saved to a snapshot file so that a restart does not re-read every document
(``memory_snapshot.py``).
It is one implementation of ``bot.search.SearchEngine``; what a query word is searched by (its typo
neighbours, completions, translations and sound-alikes, and their weights) is in ``expander.py``, how
near spellings are found in ``expand.py``.
"""

from __future__ import annotations

import math
from array import array
from collections.abc import Iterable, MutableMapping, MutableSequence, Sequence
from itertools import chain, repeat
from operator import itemgetter
from typing import Any, Self

import numpy as np
import numpy.typing as npt

from bot.search import Highlighter, Hit, IndexedDoc, SearchResult, Word, build, snapshot
from bot.search.capitals import Capitals, NameShares
from bot.search.crosslang import Translator
from bot.search.expand import Candidates, DeleteIndex, Expansion
from bot.search.expander import Expander, Surface
from bot.search.memory_snapshot import _EMPTY_SLOTS, _EMPTY_TF, MemorySnapshot
from bot.search.phrases import ListedTokens, Tokens, candidates, member, phrase_docs
from bot.search.postings import stable_order
from bot.search.query import Query
from bot.search.ranking import Hits, any_live, bm25_norms, expansion_scores, rank_page, sum_words
from bot.search.sound import SoundIndex
from bot.search.suggest import Suggester
from bot.textnorm import STOP_WORDS, Analyzer, is_cyrillic

FloatArray = npt.NDArray[np.float32]
IntArray = npt.NDArray[np.int32]

MERGE_AT = 4_000_000  # pending (document, key) pairs merged into the postings at once (the disk index:
# a tail run; at this size a million documents make 21, under its MAX_RUNS, so none is merged again)


@snapshot.register
class _Column:
    """A growable numpy column (amortised doubling). Never resized in place, so a view handed out
    earlier stays valid: ``array.array`` refuses to grow while numpy views of it exist."""

    def __init__(self, dtype: type[np.generic], data: npt.NDArray[Any] | None = None) -> None:
        self._data: npt.NDArray[Any] = np.empty(1024, dtype=dtype) if data is None else data.copy()
        self.size = 0 if data is None else len(data)

    def append(self, value: float) -> None:
        if self.size == len(self._data):
            grown = np.empty(max(2 * len(self._data), 1024), dtype=self._data.dtype)
            grown[: self.size] = self._data[: self.size]
            self._data = grown
        self._data[self.size] = value
        self.size += 1

    @property
    def view(self) -> npt.NDArray[Any]:
        return self._data[: self.size]

    def __getstate__(self) -> npt.NDArray[Any]:
        return self.view.copy()

    def __setstate__(self, data: npt.NDArray[Any]) -> None:
        self._data, self.size = data, len(data)


class MemoryIndex(MemorySnapshot):
    """In-memory BM25 index with typo/prefix expansion. Not thread-safe: one writer, calls serialised by
    the caller (the core runs it on one worker)."""

    def __init__(self, analyzer: Analyzer | None = None) -> None:
        self.analyzer = analyzer or Analyzer()
        self._translator = Translator(self.analyzer)
        # Per document (slot): kept as abstract sequences so that DiskIndex (disk.py) can map them.
        self._doc_ids: MutableSequence[int] = []
        self._slot_of: MutableMapping[int, int] = {}
        self._alive = bytearray()
        self._doclen = array("f")
        self._dates = array("i")  # date ordinal, 0 when unknown
        self._seqs: MutableSequence[array[int]] = []  # primary key id per token, for phrases and proximity
        self._key_id: dict[str, int] = {}
        self._keys: list[str] = []
        # Postings per key id: slots and term frequencies, in slot order. Documents added since the last
        # read wait in ``_pending`` and are merged in one sort (``_merge``): a bulk ingest then costs a
        # few numpy calls per document instead of a Python step per distinct word.
        self._post_slots: list[IntArray] = []
        self._post_tf: list[FloatArray] = []
        self._pending: list[tuple[IntArray, IntArray, FloatArray]] = []  # (slots, key ids, tf)
        self._pending_pairs = 0
        # Every distinct lowercased word seen: its number, primary key, other keys, surface, count.
        self._word_num: dict[str, int] = {}
        self._word_primary = _Column(np.int32)  # -1: nothing indexable
        self._word_surface = _Column(np.int32)  # -1: no surface (numbers)
        self._word_count = _Column(np.float64)  # occurrences in document bodies
        self._capitals = Capitals()  # capitalised occurrences per word (``capitals.py``)
        self._word_extra: dict[int, tuple[int, ...]] = {}  # the other keys of multi-key (Russian) words
        self._word_has_extra = _Column(np.bool_)
        self._surfaces: dict[str, Surface] = {}
        self._deletes = DeleteIndex()
        self._sounds = SoundIndex()
        # The spellings written in Cyrillic and their delete index: a typo scan, and a translated Russian
        # word's near spellings, look only among its own script's (``expand.py``)
        self._cyrillic_surfaces: set[str] = set()
        self._cyrillic_deletes = DeleteIndex()
        self._live = 0
        self._total_len = 0.0
        self._reset_caches()

    # ----------------------------------------------------------------- state
    def _reset_caches(self) -> None:
        self._np_surface_counts: npt.NDArray[np.float64] | None = None
        self._np_doclen: FloatArray | None = None
        self._np_alive: npt.NDArray[np.bool_] | None = None
        self._np_dates: IntArray | None = None
        surfaces = self._surfaces
        older: Candidates | None = getattr(self, "_candidates", None)
        self._candidates = Candidates(
            surfaces,
            self._deletes,
            self._surface_count,
            self._cyrillic_surfaces.__contains__,
            self._cyrillic_deletes,
        )
        if older is not None:
            self._candidates.carry_from(older)
        self._expander = Expander(
            self.analyzer,
            self._translator,
            surfaces,
            self._key_id,
            self._keys,
            self._live_key,
            self._df,
            self._surface_count,
            self._candidates,
            self._sounds,
            NameShares(self._capitals, self._word_surface.view, self._word_count.view, self._surface_number),
        )
        self._np_norms: tuple[float, FloatArray] | None = None

    def empty(self) -> Self:
        """A new, empty index sharing this one's analyzer (and so its per-word caches)."""
        return type(self)(self.analyzer)

    def __len__(self) -> int:
        return self._live

    def __contains__(self, doc_id: int) -> bool:
        slot = self._slot_of.get(doc_id)
        return slot is not None and bool(self._alive[slot])

    # ----------------------------------------------------------------- building
    def _key_of(self, key: str) -> int:
        kid = self._key_id.get(key)
        if kid is None:
            kid = len(self._keys)
            self._key_id[key] = kid
            self._keys.append(key)
            self._post_slots.append(_EMPTY_SLOTS)
            self._post_tf.append(_EMPTY_TF)
        return kid

    def _register(self, word: str) -> int:
        """Number a new lowercased word, registering its keys and its folded spelling."""
        ids = tuple(self._key_of(key) for key in self.analyzer.keys(word))
        sf = "" if (not ids or word.isdigit()) else self.analyzer.surface_fold(word)
        num = len(self._word_num)
        self._word_num[word] = num
        self._word_primary.append(ids[0] if ids else -1)
        self._word_surface.append(self._add_surface(sf, word, ids) if sf else -1)
        self._word_count.append(0)
        self._word_has_extra.append(len(ids) > 1)
        if len(ids) > 1:
            self._word_extra[num] = ids[1:]
        return num

    def _register_new(
        self,
        body: list[str],
        body_nums: IntArray,
        body_doc: IntArray,
        title: list[str],
        title_nums: IntArray,
        title_doc: IntArray,
    ) -> None:
        """Number the words of a batch not seen before, in order of first appearance, document by
        document, body then title, and fill their numbers in (the -1s of ``body_nums``, ``title_nums``)."""
        body_at, title_at = np.flatnonzero(body_nums < 0), np.flatnonzero(title_nums < 0)
        words = [body[i] for i in body_at.tolist()] + [title[i] for i in title_at.tolist()]
        place = np.concatenate([body_doc[body_at] * 2, title_doc[title_at] * 2 + 1])
        known = self._word_num
        for i in np.argsort(place, kind="stable").tolist():
            if words[i] not in known:
                self._register(words[i])
        body_nums[body_at] = [known[w] for w in words[: len(body_at)]]
        title_nums[title_at] = [known[w] for w in words[len(body_at) :]]

    def _add_surface(self, sf: str, word: str, ids: tuple[int, ...]) -> int:
        entry = self._surfaces.get(sf)
        if entry is None:
            entry = self._surfaces[sf] = Surface(ids, len(self._surfaces), word)
            self._deletes.add(sf)
            self._sounds.add(sf)
            if is_cyrillic(word):
                self._cyrillic_surfaces.add(sf)
                self._cyrillic_deletes.add(sf)
        elif not set(ids) <= set(entry.keys):
            entry.keys = tuple(dict.fromkeys(entry.keys + ids))
        return entry.number

    def add_many(self, docs: Iterable[IndexedDoc], words: Sequence[list[str]] | None = None) -> None:
        """Index documents (replacing earlier versions with the same ids), a batch at a time. ``words``,
        when given, are ``index_words`` of each text, worked out already (by a scan's worker process).

        The batch's tokens are numbered through the vocabulary in one lookup each, then turned into
        postings all at once (``build.py``): Python does a little work per new word and none per token
        or per document, which made building the index most of an ingest."""
        batch = list(docs)
        if len({d[0] for d in batch}) < len(batch):  # one id twice: the later version wins, in order
            for doc in batch:
                self.add_many([doc])
            return
        if words is not None and len(words) != len(batch):
            raise ValueError("add_many: one word list per document")
        for doc_id, *_ in batch:
            if doc_id in self._slot_of:
                self.remove(doc_id)
        if not batch:
            return
        if words is None:
            body, body_len = build.words_of([text for _, _, text, _ in batch])
        else:
            body, body_len = list(chain.from_iterable(words)), np.array([len(w) for w in words], np.int64)
        title, title_len = build.words_of([heading for _, heading, _, _ in batch])
        in_batch = np.arange(len(batch), dtype=np.int32)  # each token's document, by its place here
        body_doc, title_doc = np.repeat(in_batch, body_len), np.repeat(in_batch, title_len)
        body_nums, title_nums = self._numbers(body), self._numbers(title)
        if (body_nums < 0).any() or (title_nums < 0).any():
            self._register_new(body, body_nums, body_doc, title, title_nums, title_doc)
        self._word_count.view[:] += np.bincount(body_nums, minlength=self._word_count.size)
        self._capitals.add((text for _, _, text, _ in batch), self._word_num, len(self._word_num))
        primary, has_extra = self._word_primary.view, self._word_has_extra.view
        new = build.batch(
            len(batch),
            len(self._keys),
            (primary[body_nums], body_doc),
            (primary[title_nums], title_doc),
            build.extra_entries(body_nums, body_doc, has_extra, self._word_extra),
            build.extra_entries(title_nums, title_doc, has_extra, self._word_extra),
        )
        first_slot = len(self._doc_ids)
        self._pending.append((new.docs + first_slot, new.kids, new.tf))
        self._pending_pairs += len(new.docs)
        if self._pending_pairs > MERGE_AT:  # keeps a big build's transient copies small
            self._merge()
        ids = [doc_id for doc_id, *_ in batch]
        self._add_slots(ids, new.seq, new.seq_len)
        self._alive.extend(bytes([1]) * len(batch))
        self._doclen.frombytes(new.lengths.astype(np.float32).tobytes())
        self._dates.extend([published.toordinal() if published else 0 for *_, published in batch])
        self._live += len(batch)
        self._total_len += float(new.lengths.sum())  # whole numbers: the same sum in any order
        self._sounds.compact()
        self._reset_caches()

    def _numbers(self, words: list[str]) -> IntArray:
        """The number of each word (-1: not seen before): one dictionary lookup per token, in C (an
        ``itemgetter`` of them all: a fifth faster than a lookup called per token, most of a build)."""
        known = self._word_num
        try:
            found = itemgetter(*words)(known) if len(words) > 1 else tuple(known[w] for w in words)
        except KeyError:  # a batch with new words
            return np.fromiter(map(known.get, words, repeat(-1)), dtype=np.int32, count=len(words))
        return np.fromiter(found, dtype=np.int32, count=len(words))

    def _add_slots(self, ids: list[int], seq: IntArray, seq_len: npt.NDArray[np.int64]) -> None:
        """Give documents ``ids`` the next slots, with their body keys (``seq``, ``seq_len`` each)."""
        first = len(self._doc_ids)
        self._doc_ids.extend(ids)
        self._slot_of.update(zip(ids, range(first, first + len(ids)), strict=True))
        for part in np.split(seq, np.cumsum(seq_len)[:-1]):
            tokens = array("i")
            tokens.frombytes(part.tobytes())
            self._seqs.append(tokens)

    def _merge(self) -> None:
        """Move pending documents into the postings: one stable sort by key, one concatenation per
        key touched. Keeps slot order within a key (batches are pending in slot order)."""
        if not self._pending:
            return
        pending, self._pending, self._pending_pairs = self._pending, [], 0
        slots = np.concatenate([s for s, _, _ in pending])
        kids = np.concatenate([k for _, k, _ in pending])
        tfs = np.concatenate([t for _, _, t in pending])
        order = stable_order(kids)
        kids, slots, tfs = kids[order], slots[order], tfs[order]
        cuts = (np.flatnonzero(np.diff(kids)) + 1).tolist()
        post_slots, post_tf = self._post_slots, self._post_tf
        for lo, hi in zip([0, *cuts], [*cuts, len(kids)], strict=True):
            kid = int(kids[lo])
            if len(post_slots[kid]):
                post_slots[kid] = np.concatenate([post_slots[kid], slots[lo:hi]])
                post_tf[kid] = np.concatenate([post_tf[kid], tfs[lo:hi]])
            else:
                post_slots[kid], post_tf[kid] = slots[lo:hi], tfs[lo:hi]

    def remove(self, doc_id: int) -> None:
        """Forget a document. Its postings stay until the next rebuild but never match again."""
        slot = self._slot_of.pop(doc_id, None)
        if slot is None or not self._alive[slot]:
            return
        self._alive[slot] = 0
        self._live -= 1
        self._total_len -= self._doclen[slot]
        self._seqs[slot] = array("i")
        self._reset_caches()

    # ----------------------------------------------------------------- numpy views
    def _postings(self, kid: int) -> tuple[IntArray, FloatArray]:
        self._merge()
        return self._post_slots[kid], self._post_tf[kid]

    def _postings_of(self, kids: Sequence[int]) -> tuple[IntArray, FloatArray, npt.NDArray[np.int64]]:
        """The postings of several keys at once: (slots, tf, counts), one block per key
        (``ranking.PostingsOf``)."""
        parts = [self._postings(kid) for kid in kids]
        return (
            np.concatenate([_EMPTY_SLOTS, *(s for s, _ in parts)]),
            np.concatenate([_EMPTY_TF, *(t for _, t in parts)]),
            np.array([len(s) for s, _ in parts], dtype=np.int64),
        )

    def _surface_count(self, sf: str) -> float:
        """How often a folded spelling occurs in document bodies (the sum over the words folding to it)."""
        return float(self._surface_counts()[self._surfaces[sf].number])

    def _surface_counts(self) -> npt.NDArray[np.float64]:
        if self._np_surface_counts is None:
            surface = self._word_surface.view
            has = surface >= 0
            counts = np.asarray(
                np.bincount(surface[has], weights=self._word_count.view[has], minlength=len(self._surfaces)),
                np.float64,
            )
            self._np_surface_counts = counts
        return self._np_surface_counts

    def _surface_number(self, sf: str) -> int | None:
        entry = self._surfaces.get(sf)
        return entry.number if entry is not None else None

    def _arrays(self) -> tuple[FloatArray, npt.NDArray[np.bool_], IntArray]:
        if self._np_doclen is None or self._np_alive is None or self._np_dates is None:
            self._np_doclen = np.frombuffer(self._doclen, dtype=np.float32).copy()
            self._np_alive = np.frombuffer(bytes(self._alive), dtype=np.uint8).astype(bool)
            self._np_dates = np.frombuffer(self._dates, dtype=np.int32).copy()
        return self._np_doclen, self._np_alive, self._np_dates

    def _df(self, kid: int) -> int:
        self._merge()
        return len(self._post_slots[kid])

    def _live_key(self, key: str) -> int | None:
        """The id of a key some document holds, or None."""
        kid = self._key_id.get(key)
        return kid if kid is not None and self._df(kid) else None

    def _idf(self, df: int) -> float:
        n = max(self._live, 1)
        df = min(df, n)  # removed documents stay in postings until a rebuild
        return math.log(1.0 + (n - df + 0.5) / (df + 0.5))

    def _suggester(self) -> Suggester:
        surfaces = self._surfaces

        def display(sf: str) -> str:
            return surfaces[sf].display

        candidates = self._candidates
        return Suggester(
            surfaces,
            self._deletes,
            candidates.starting_with,
            self._surface_count,
            self.analyzer.surface_fold,
            display,
        )

    def warm(self) -> None:
        """What the first queries would otherwise build or load on their way, done now (after a bulk
        build or a load): the vocabulary's lookups (sorted, by length, the delete indexes hashed, the
        spellings' counts and capitalised shares), the per-document arrays, and the Russian morphology
        dictionary. Over Reuters-21578 the first English query of a process took 35 ms and the first
        Russian one 56 ms, of which these were all but 2."""
        self._merge()
        self._deletes.compact()
        self._cyrillic_deletes.compact()
        self._candidates.prepare()
        self._surface_counts()
        self._expander.names.prepare()
        self._arrays()
        self.analyzer.morph  # noqa: B018 - loaded by being read

    # ----------------------------------------------------------------- search
    def _norms(self, doclen: FloatArray, avgdl: float) -> FloatArray:
        """BM25's length normalisation of every document, worked out once per index state rather than
        per posting of every expansion (the same float32 arithmetic, so the same scores)."""
        if self._np_norms is None or self._np_norms[0] != avgdl:
            self._np_norms = (avgdl, bm25_norms(doclen, avgdl))
        return self._np_norms[1]

    def _term_scores(self, exp: Expansion, norms: FloatArray) -> Hits:
        return expansion_scores(exp, self._postings_of, self._df, self._idf, norms)

    def _holding(self, slots: npt.NDArray[np.intp], kids: Iterable[int]) -> npt.NDArray[np.bool_]:
        """Which of ``slots`` hold any of the keys ``kids``."""
        held = np.zeros(len(slots), dtype=bool)
        for kid in kids:
            held |= np.isin(slots, self._postings(kid)[0])
        return held

    def _tokens(self) -> Tokens:
        """The documents' token sequences as a phrase reads them (``phrases.py``)."""
        return ListedTokens(self._seqs)

    def _phrase_docs(self, phrase: tuple[str, ...], within: npt.NDArray[np.intp]) -> npt.NDArray[np.intp]:
        """Of ``within`` (slots, ascending), the documents holding the phrase or one of its translations
        (``phrases.py``), ascending. A document one pattern matched is not scanned for the next."""
        found: list[npt.NDArray[np.intp]] = []
        rest = within
        for pattern in self._expander.phrase_patterns(phrase):
            cand = candidates(pattern, lambda kid: self._postings(kid)[0], len(self._doc_ids), rest)
            hit = phrase_docs(pattern, self._tokens(), cand, self._df)
            if len(hit):
                found.append(hit)
                rest = rest[~member(rest, hit)]
        return found[0] if len(found) == 1 else np.sort(np.concatenate([np.empty(0, dtype=np.intp), *found]))

    def search(self, query: Query, limit: int = 10, offset: int = 0) -> SearchResult:
        if query.is_empty or not self._live:
            return SearchResult([], 0)
        words = list(query.words)
        phrase_words = [w for p in query.phrases for w in p]
        positive = words + phrase_words
        content_at = [i for i, w in enumerate(positive) if w not in STOP_WORDS]
        content = [positive[i] for i in content_at]
        if not content:
            return SearchResult([], 0, stop_words_only=True)
        doclen, alive, dates = self._arrays()
        avgdl = max(self._total_len / max(self._live, 1), 1.0)
        all_alive = self._live == len(self._doc_ids)
        word_hits: list[Hits] = []
        term_keys: list[set[int]] = []
        match_keys: set[str] = set()
        last = words[-1] if words and not query.phrases else None
        scored_terms = content
        neighbours = self._expander.neighbours(query, words)
        unmatched: list[str] = []  # words no live document has in any spelling tried
        prefix_cap = 1.0  # the weakest best match of the words before the last
        for i, word in enumerate(scored_terms):
            is_last = word == last and i == len(scored_terms) - 1
            exp = self._expander.expand(word, prefix=is_last, prefix_cap=prefix_cap if is_last else 1.0)
            exp = neighbours.widen(content_at[i], exp)
            if exp.alts:
                prefix_cap = min(prefix_cap, max(w for w, _ in exp.alts.values()))
            if not exp:
                term_keys.append(set())
                unmatched.append(word)
                continue
            hits = self._term_scores(exp, self._norms(doclen, avgdl))
            word_hits.append(hits)
            if not any_live(hits, None if all_alive else alive):
                unmatched.append(word)
            term_keys.append(exp.key_ids)
            match_keys.update(self._keys[k] for k in exp.key_ids)
        # Only the documents some word matched are filtered and ranked: the cost follows the postings
        # read, not the size of the corpus.
        slots, total, matched = sum_words(word_hits, len(self._doc_ids))
        keep = np.ones(len(slots), dtype=bool)
        if not all_alive:
            keep &= alive[slots]
        if query.since or query.until:
            lo = query.since.toordinal() if query.since else 1
            hi = query.until.toordinal() if query.until else 10**9
            on = dates[slots]
            keep &= (on >= lo) & (on <= hi)
        for word in query.excluded:
            kids = [self._key_id[k] for k in self.analyzer.keys(word) if k in self._key_id]
            if kids:
                keep &= ~self._holding(slots, kids)
        if query.phrases:
            within = slots[keep]
            for phrase in query.phrases:
                within = self._phrase_docs(phrase, within)
            keep = member(slots, within)
        if not keep.all():
            candidates, total, matched = slots[keep], total[keep], matched[keep]
        else:
            candidates = slots
        unmatched_words = tuple(dict.fromkeys(unmatched))
        suggestion = self._suggester().suggest(positive, unmatched_words) if unmatched_words else None
        if not len(candidates):
            highlighter = self._highlighter(frozenset(match_keys))
            return SearchResult([], 0, highlighter, suggestion, unmatched_words=unmatched_words)
        page = rank_page(candidates, total, matched, term_keys, self._seqs, self._doc_ids, offset, limit)
        found = [Hit(self._doc_ids[slot], score) for score, slot in page]
        partial = bool(matched.max() < len(scored_terms))
        return SearchResult(
            found,
            len(candidates),
            self._highlighter(frozenset(match_keys)),
            suggestion,
            unmatched_words=unmatched_words,
            partial=partial,
        )

    def _highlighter(self, match_keys: frozenset[str]) -> Highlighter:
        """A text's words marked with the keys of theirs that counted as a match: the text is read with
        this index's analyzer, so a word is marked exactly when the search would have matched it."""
        analyzer = self.analyzer

        def words(text: str) -> list[Word]:
            return [Word(t.start, t.end, match_keys.intersection(t.keys)) for t in analyzer.tokens(text)]

        return words
