"""Stored queries matched against arriving documents (a percolator): what a query follow fires on.

A search scores every document against one query; a follow needs the opposite, every stored query against
one document, hundreds of times a minute during an upload. So the queries are inverted once: each query
word is expanded as ``/search`` expands it (``MemoryIndex._expand``: the word's own keys, its Cyrillic or
Latin spellings, its transliterations, its lexicon translations, typo neighbours), and every key of those
expansions points back at the (query, word) pairs it can satisfy. An arriving document's keys then find
only the queries that share a key with it, and only those are checked, against that document alone.

A search ranks and a follow does not (every match is an alert), so a follow keeps the same tolerance
but adds a floor, so that one stray fuzzy word does not fire an alert:

- every content word of the query must match (a follow is a standing filter: two follows are an OR);
- a typo neighbour counts only for a word the corpus does not have at all (the follow itself misspelt),
  or for a word of ``FUZZY_MIN_LETTERS`` letters or more when the neighbour is rare beside it (in
  ``TYPO_MAX_DF`` documents, or ``TYPO_RARITY`` times fewer than the word): a typo is a rare variant,
  so "gold" does not fire on "good" or "golf", nor "barley" on "barely", nor "copper" on "Cooper"; a
  common neighbour still counts when the lexicon translates it as it translates the word (a spelling
  of the word: "aluminum" for "aluminium", both "алюминий");
- a near spelling that is a word of its own (the lexicon translates it: "parley") or a name (capitalised
  past a sentence's start: "Marley") is not a typo of a follow typed in lower case; on the follow
  benchmark both fired a barley follow (barley read P 0.739 -> 0.794);
- a translation matches words of its own language only: "copper" is "медь", keyed "med" as the Latin
  "Med" of Club Med is (copper read P 0.824 -> 0.897); and a weaker gloss counts only when the lexicon
  translates it back to the word (``BACK_GLOSS_SHARE``): "пшеница" is also glossed "corn", but "corn"
  is first "кукуруза", and corn tenders are not wheat (wheat read P 0.653 -> 0.928, R 0.836 -> 0.880);
- each word's alternatives count only from ``MIN_WEIGHT`` of an exact match (a word two edits away is not
  the word when one edit away or the word itself exists);
- the words must carry the document: the mean over the query's words of the BM25 saturation
  ``tf / (tf + norm)`` (the same title and lead boosts and length normalisation as the index) reaches
  ``RELEVANCE_FLOOR``. One passing mention deep in a long story is below it; the word in the title or
  the lead, or said twice, is above it. Words typed in lower case are words of one thing ("palm oil"):
  each must reach the floor alone, or a story full of petroleum "oil" that names palm oil once in
  passing fires (palm-oil read P 0.684 -> 0.939, R 0.800 -> 0.813); a name's words keep the mean (a
  story says "Herrington" after it said "John Herrington" once).

A word inside a firm's name is the firm, not the word (``bot.search.firms``: "Magma Copper Co" does
not fire a copper follow, nor "Newmont Gold" said again after "Newmont Gold Co"), as a person follow
leaves firms out. Likewise a word inside a person's name is the person: "director Melvin L. Gold" and
"John Cotton, an Arizona businessman" fire no gold or cotton follow typed in lower case (the people
extractor's mentions, read only once such a follow would fire; a follow typed as a name, or of a word the
lexicon does not know, "tasmagambetov", keeps them). Excluded words, phrases and date bounds
hold as they do in ``/search``.

This is the in-memory engine's companion and reads its internals (word numbers, keys, postings, the
expansion): another engine would bring its own percolator (``FollowMatcher`` skips query follows when
the engine is not a ``MemoryIndex``).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import islice

import numpy as np
from rapidfuzz import process
from rapidfuzz.distance import Levenshtein

from bot.search import index_words
from bot.search.expand import Expansion, max_edits
from bot.search.firms import without_firms
from bot.search.memory import MemoryIndex
from bot.search.query import Query
from bot.search.ranking import K1, LEAD_BOOST, LEAD_TOKENS, TITLE_BOOST, B
from bot.textnorm import STOP_WORDS, WORD_RE, Token, is_cyrillic

FUZZY_MIN_LETTERS = 6
TYPO_MAX_DF = 2  # a spelling in this few documents may be a typo of a word the corpus has ...
TYPO_RARITY = 10  # ... or one this many times rarer than the word
MIN_WEIGHT = 0.5
RELEVANCE_FLOOR = 0.55
TABLE_SHARE = 0.4  # of a document's words that are numbers, from which it is a table of figures
ROW_WORDS = 6  # a line of this few words is a row of a table (a wire story's lines hold ten or more) ...
ROW_SHARE = 0.6  # ... and a document whose lines are this share rows is a table ...
MIN_ROWS = 5  # ... once it has this many


def is_table(text: str) -> bool:
    """A table of figures (prices, volumes, loan rates): a word of it fires a follow only from its title.
    Read by people, such tables (LME ring volumes, USDA loan reports, cash grain closes) are about the
    market they tabulate, not each commodity in a row: 26 of the 29 judged tables that did not name the
    followed word in their title were not wanted (``bench/follow-judging.md``). A table is told by its
    figures (``TABLE_SHARE`` of its words numbers) or by its shape: most of its lines rows of a few words
    (``ROW_WORDS``), as the farmer-owned reserve prices are (wheat, corn, oats, barley and sorghum a row
    each, with words enough between the figures to pass the first test): barley read P 0.794 -> 0.946,
    wheat 0.944 -> 0.967 on the follow benchmark."""
    words = WORD_RE.findall(text)
    if not words:
        return False
    if sum(w[0].isdigit() for w in words) >= TABLE_SHARE * len(words):
        return True
    lines = [line for line in text.splitlines() if line.strip()]
    rows = sum(len(line.split()) <= ROW_WORDS for line in lines)
    return rows >= MIN_ROWS and rows >= ROW_SHARE * len(lines)


BACK_GLOSS_SHARE = 0.9  # a weaker gloss is a synonym when it translates back to the word this near its best
VARIANT_WORDS = 3  # a neighbour's words (under one key) whose translations are compared
REBUILD_DRIFT = 0.1  # build anew once the live documents have changed by this share


@dataclass(frozen=True)
class Percolation:
    """A stored query a document matched: how strongly (the mean saturation, 0 to 1) and the index keys
    that matched (to mark the passage)."""

    query_id: int
    strength: float
    keys: frozenset[str]


@dataclass(frozen=True)
class _Term:
    # key id -> its share of a match, only those that count for a follow: 1 for the word, its spellings
    # and typo neighbours, a translation its weight over the best translation's
    alts: dict[int, float]
    groups: dict[tuple[int, ...], float]  # phrase glosses (every key present) -> their share
    # key id -> the words under that key that are other words, not this one (``_other_words``)
    others: dict[int, frozenset[str]]


@dataclass(frozen=True)
class _Stored:
    query: Query
    terms: tuple[_Term, ...]
    excluded: frozenset[str]  # keys of excluded words
    phrases: tuple[tuple[str, ...], ...]  # primary keys of each phrase's words
    words: tuple[str, ...]  # the content words, as expanded
    each: bool  # every word must carry the document alone (words of a thing, not a name's)
    things: bool  # every word a lexicon word in lower case: a person's name holding one is not it


class Percolator:
    """Stored queries inverted over one ``MemoryIndex``, kept up to date with it and with the follows:
    ``add`` and ``remove`` a query, ``sync`` after documents arrived (their new words may add
    alternatives to a stored word: only the words they can reach are expanded again). The caller holds
    the index's lock while building, syncing and matching."""

    def __init__(self, index: MemoryIndex, queries: Iterable[tuple[int, Query]]) -> None:
        self._index = index
        self._stored: dict[int, _Stored] = {}
        self._by_key: dict[int, list[tuple[int, int]]] = defaultdict(list)
        self._keys_of_word: dict[str, tuple[int, ...]] = {}
        # What a new word of the corpus may change: a stored word's expansion reaches spellings a few
        # edits away (typo neighbours, swaps, dropped letters) and its own and its translations' keys;
        # the word -> the queries holding it.
        self._words: dict[str, set[int]] = defaultdict(set)
        self._spelling: dict[str, str] = {}  # stored word -> its folded spelling
        self._triggers: dict[str, set[str]] = defaultdict(set)  # key -> the stored words it may reach
        self._words_of_key: dict[int, list[str]] = defaultdict(list)
        self._key_words_seen = 0
        self._counted: set[str] = set()  # words counted apart in documents (``_Term.others``)
        self.words_seen = len(index._word_num)  # the index's vocabulary these expansions reflect
        self.live_at_build = index._live
        for query_id, query in queries:
            self.add(query_id, query)

    def __len__(self) -> int:
        return len(self._stored)

    def __contains__(self, query_id: int) -> bool:
        return query_id in self._stored

    def stale(self) -> bool:
        """Whether the index has grown or shrunk by ``REBUILD_DRIFT`` since this was built: the document
        frequencies that decide which typo neighbours count have moved, so build anew."""
        live = self._index._live
        return abs(live - self.live_at_build) > REBUILD_DRIFT * max(self.live_at_build, 1)

    def add(self, query_id: int, query: Query) -> None:
        self.remove(query_id)
        self._add(query_id, query)

    def remove(self, query_id: int) -> None:
        stored = self._stored.pop(query_id, None)
        if stored is None:
            return
        for kid in {kid for term in stored.terms for kid in (*term.alts, *(g[0] for g in term.groups))}:
            pairs = [pair for pair in self._by_key.get(kid, ()) if pair[0] != query_id]
            if pairs:
                self._by_key[kid] = pairs
            else:
                self._by_key.pop(kid, None)
        for word in stored.words:
            holders = self._words.get(word)
            if holders is not None:
                holders.discard(query_id)

    def sync(self) -> int:
        """Take in the words the index learned since the last sync: every stored query holding a word
        one of them may be an alternative of is expanded again. Returns how many queries were."""
        index = self._index
        total = len(index._word_num)
        if total == self.words_seen:
            return 0
        new = list(islice(index._word_num, self.words_seen, None))
        self.words_seen = total
        live = {w for w, holders in self._words.items() if holders}
        if not live:
            return 0
        affected: set[str] = set()
        by_spelling: dict[str, list[str]] = defaultdict(list)
        for w in live:
            by_spelling[self._spelling.get(w, "")].append(w)
        # A stored spelling reaches new ones up to its typo tolerance away, and one more for a swap
        # before folding; one too short for typos only its own spelling.
        reach: dict[int, list[str]] = defaultdict(list)
        for sf in by_spelling:
            if sf and max_edits(len(sf)):
                reach[max_edits(len(sf)) + 1].append(sf)
        for word in new:
            for key in index.analyzer.keys(word):
                affected.update(self._triggers.get(key, ()))
            if word.isdigit():
                continue
            sf = index.analyzer.surface_fold(word)
            affected.update(by_spelling.get(sf, ()))
            for edits, choices in reach.items():
                for near, _, _ in process.extract(
                    sf, choices, scorer=Levenshtein.distance, score_cutoff=edits, limit=None
                ):
                    affected.update(by_spelling[near])
        queries = {q for w in affected for q in self._words.get(w, ())}
        for query_id in queries:
            self.add(query_id, self._stored[query_id].query)
        return len(queries)

    def _add(self, query_id: int, query: Query) -> None:
        index = self._index
        positive = [*query.words, *(w for p in query.phrases for w in p)]
        content = list(dict.fromkeys(w for w in positive if w not in STOP_WORDS))
        if not content:
            return
        typed_as_names = {w.lower() for w in WORD_RE.findall(query.text) if w[:1].isupper()}
        terms = tuple(
            self._term(index._expander.expand(word, prefix=False), word, word in typed_as_names)
            for word in content
        )
        analyzer = index.analyzer
        excluded = frozenset(k for w in query.excluded for k in analyzer.keys(w))
        phrases = tuple(
            tuple(keys[0] if (keys := analyzer.keys(w)) else "" for w in p) for p in query.phrases
        )
        named = bool(typed_as_names & set(content))
        each = len(terms) > 1 and not named
        things = not named and all(is_lexicon_word(index, w) for w in content)
        self._stored[query_id] = _Stored(query, terms, excluded, phrases, tuple(content), each, things)
        for t, term in enumerate(terms):
            for kid in {*term.alts, *(g[0] for g in term.groups)}:
                self._by_key[kid].append((query_id, t))
        for word in content:
            self._watch(word)
            self._words[word].add(query_id)

    def _watch(self, word: str) -> None:
        """Note what new vocabulary may change ``word``'s expansion (``sync``)."""
        if word in self._spelling:
            return
        index = self._index
        self._spelling[word] = "" if word.isdigit() else index.analyzer.surface_fold(word)
        keys = set(index.analyzer.keys(word))
        for gloss, _ in index._translator.glosses(word):
            keys.update(gloss)
        for key in list(keys):
            for phrase in index._translator.synonyms.of(key):
                keys.update(phrase)
        for key in keys:
            self._triggers[key].add(word)

    def _term(self, exp: Expansion, word: str, typed_as_name: bool) -> _Term:
        """The alternatives of a query word that count for a follow (module docstring)."""
        index = self._index
        names, keys = index._expander.names, index._expander._keys
        exact_df = max((index._df(k) for k, (_, exact) in exp.alts.items() if exact), default=0)
        long_word = len(index.analyzer.surface_fold(word)) >= FUZZY_MIN_LETTERS
        typo_df = max(TYPO_MAX_DF, exact_df // TYPO_RARITY)

        def fuzzy_ok(kid: int) -> bool:
            """A neighbour is a typo of the word when the word is not in the corpus (the follow is
            misspelt), or when the word is long and the neighbour rare beside it: "barely" is not a typo
            of "barley", nor "Cooper" of "copper". A common neighbour still counts when it is the same
            word spelt another way (``_variant``: aluminium, aluminum). A word the corpus lacks typed in
            lower case is a common word: its typos are not names ("nikel" is nickel, not Nikkei, Nike)."""
            if exact_df == 0:
                return typed_as_name or not names.is_name(keys[kid])
            if self._variant(kid, word):
                return True
            return (
                long_word
                and index._df(kid) <= typo_df
                and (typed_as_name or not names.is_name(keys[kid]))
                and not self._own_word(kid)
            )

        best = max((w for w, _ in exp.alts.values()), default=0.0)
        floor = min(MIN_WEIGHT, best)
        # Translations weighted as search weights them, relative to the best one: a weaker gloss must
        # carry the document more ("пшеница" is wheat; its gloss "corn" alone fires only when corn
        # is what the story is about).
        best_gloss = max(
            [w for k, (w, _) in exp.alts.items() if k in exp.translated] + list(exp.groups.values()),
            default=1.0,
        )

        def counts(kid: int, weight: float, exact: bool) -> bool:
            if kid in exp.synonyms:
                return True  # another word for the thing, as sure as the word (``synonyms.py``)
            if weight < floor:
                return False
            if kid in exp.translated:
                return exact or self._gloss_ok(kid, word, weight / best_gloss)
            return exact or fuzzy_ok(kid)

        alts = {
            kid: (weight / best_gloss if kid in exp.translated else 1.0)
            for kid, (weight, exact) in exp.alts.items()
            if counts(kid, weight, exact)
        }
        groups = {
            kids: 1.0 if kids in exp.synonym_groups else weight / best_gloss
            for kids, weight in exp.groups.items()
            if weight >= floor or kids in exp.synonym_groups
        }
        others = {kid: words for kid in alts if exp.alts[kid][1] and (words := self._other_words(kid, word))}
        for kid in alts:
            if kid in exp.translated and not exp.alts[kid][1] and (words := self._other_script(kid, word)):
                others[kid] = words
        self._counted.update(w for words in others.values() for w in words)
        return _Term(alts, groups, others)

    def _variant(self, kid: int, word: str) -> bool:
        """Whether a near spelling of the corpus is the word spelt another way, not another word: the
        lexicon's best translation of the two is the same ("aluminium" and "aluminum" are both
        "алюминий"; "barely" is not "ячмень"). British and American spellings of a commodity share
        its documents; a typo neighbour that is a word of its own must not."""
        glosses = self._index._translator.glosses
        mine = glosses(word)
        if not mine:
            return False
        best = mine[0][0]
        return any(
            (theirs := glosses(other)) and theirs[0][0] == best
            for other in self._key_words().get(kid, ())[:VARIANT_WORDS]
        )

    def _own_word(self, kid: int) -> bool:
        """Whether a near spelling is a word of its own (the lexicon translates it): a typo is not a
        word ("parley" is not a misspelt "barley")."""
        glosses = self._index._translator.glosses
        return any(glosses(other) for other in self._key_words().get(kid, ())[:VARIANT_WORDS])

    def _gloss_ok(self, kid: int, word: str, share: float) -> bool:
        """A translation counts when it is the best one, or when the lexicon translates it back to the
        word (a synonym): "corn" is a weaker gloss of "пшеница" (British corn, grain) but is first
        "кукуруза", maize; corn stories are not wheat."""
        if share >= 1.0:
            return True
        index = self._index
        glosses = index._translator.glosses
        mine = set(index.analyzer.keys(word))
        for other in self._key_words().get(kid, ())[:VARIANT_WORDS]:
            back = glosses(other)
            top = back[0][1] if back else 0.0
            if any(w >= BACK_GLOSS_SHARE * top and mine.intersection(keys) for keys, w in back):
                return True
        return False

    def _other_script(self, kid: int, word: str) -> frozenset[str]:
        """A translation is a word of the other language: the corpus's words under its key written in
        the follow's own script are not it ("copper" is "медь", keyed "med" as the Latin "Med" of Club
        Med is)."""
        cyrillic = is_cyrillic(word)
        return frozenset(w for w in self._key_words().get(kid, ()) if is_cyrillic(w) == cyrillic)

    def _other_words(self, kid: int, word: str) -> frozenset[str]:
        """The words of the corpus that share the word's key only through the transliteration fold and
        are words of their own: "copper" folds as "cooper" and "cooperation" do (doubled letters are
        one for transliterated names), and a follow of copper must not fire on them. Grouped by
        ``Analyzer.spelling_key``, a group counts as another word when it is common beside the followed
        word's own (as a typo neighbour must be rare, ``TYPO_RARITY``); a rare one is a variant of it.
        A Cyrillic word, one the corpus does not have or has rarely beside the other, keeps every word
        of its key."""
        index = self._index
        if is_cyrillic(word):
            return frozenset()
        analyzer = index.analyzer
        mine = analyzer.spelling_key(word)
        counts: dict[str, int] = defaultdict(int)
        members: dict[str, list[str]] = defaultdict(list)
        for other in self._key_words().get(kid, ()):
            group = analyzer.spelling_key(other)
            counts[group] += int(index._word_count.view[index._word_num[other]])
            members[group].append(other)
        own = counts.get(mine, 0)
        common = max(TYPO_MAX_DF, own // TYPO_RARITY)
        return frozenset(
            w
            for g, ws in members.items()
            # A group is another word when common beside the followed spelling, and that spelling not
            # rare beside it: a follow typed "Herington" is a typo of the corpus's "Herrington".
            if g != mine and counts[g] > common and own * TYPO_RARITY >= counts[g]
            for w in ws
        )

    def _key_words(self) -> dict[int, list[str]]:
        """Primary key id -> the corpus's words under it, made once and extended with new words."""
        index = self._index
        total = len(index._word_num)
        if self._key_words_seen < total:
            primary = index._word_primary.view
            for word in islice(index._word_num, self._key_words_seen, None):
                kid = int(primary[index._word_num[word]])
                if kid >= 0:
                    self._words_of_key[kid].append(word)
            self._key_words_seen = total
        return self._words_of_key

    # ----------------------------------------------------------------- matching
    def _word_keys(self, word: str) -> tuple[int, ...]:
        keys = self._keys_of_word.get(word)
        if keys is None:
            index = self._index
            num = index._word_num.get(word)
            if num is None:
                keys = ()
            else:
                primary = int(index._word_primary.view[num])
                keys = ((primary,) if primary >= 0 else ()) + index._word_extra.get(num, ())
                self._keys_of_word[word] = keys  # a miss is not kept: the word may come
        return keys

    def document_keys(self, title: str, text: str) -> tuple[dict[int, float], list[int], dict[str, float]]:
        """A document's keys with their boosted term frequencies (as the index counts them), its
        body's primary keys in order (for phrases), and the same frequencies of the words some stored
        word must tell apart from itself (``_Term.others``). Words in firms' names are not counted
        (``bot.search.firms``: "Magma Copper Co" is not copper)."""
        title, text = without_firms(title, text)
        tf: defaultdict[int, float] = defaultdict(float)
        apart: defaultdict[str, float] = defaultdict(float)
        counted = self._counted
        seq: list[int] = []
        for word in index_words(text):
            keys = self._word_keys(word)
            for k in keys:
                tf[k] += 1.0
            if keys:
                if word in counted:
                    if word not in apart and len(seq) < LEAD_TOKENS:
                        apart[word] += LEAD_BOOST  # as its key's: once, when in the lead
                    apart[word] += 1.0
                seq.append(keys[0])
        for k in set(seq[:LEAD_TOKENS]):
            tf[k] += LEAD_BOOST
        for word in WORD_RE.findall(title.lower()):
            for k in self._word_keys(word):
                tf[k] += TITLE_BOOST
            if word in counted:
                apart[word] += TITLE_BOOST
        return dict(tf), seq, dict(apart)

    def match(
        self,
        doc_id: int,
        title: str,
        text: str,
        published: date | None,
        persons: Callable[[], Sequence[tuple[int, int]]] | None = None,
    ) -> list[Percolation]:
        """The stored queries this (indexed) document matches, above the relevance floor. ``persons``
        gives where the text names persons (start, end): asked only once a query typed in lower case
        passes, whose words there do not count."""
        if not self._stored:
            return []
        tf, seq, apart = self.document_keys(title, text)
        index = self._index
        candidates: dict[int, set[int]] = defaultdict(set)
        for kid in tf:
            for query_id, t in self._by_key.get(kid, ()):
                candidates[query_id].add(t)
        slot = index._slot_of.get(doc_id)
        doclen = float(index._doclen[slot]) if slot is not None else float(len(seq))
        avgdl = max(index._total_len / max(index._live, 1), 1.0)
        norm = K1 * (1.0 - B + B * doclen / avgdl)
        out: list[Percolation] = []
        table: bool | None = None  # worked out for the first query the document passes
        title_keys: set[str] = set()
        unnamed: tuple[dict[int, float], dict[str, float]] | None = None  # persons' names blanked
        for query_id, terms_hit in candidates.items():
            stored = self._stored[query_id]
            if len(terms_hit) < len(stored.terms):
                continue
            carried = self._carried(stored, tf, apart, norm)
            if carried is not None and stored.things and persons is not None:
                # A word of a thing inside a person's name is the person: "Melvin L. Gold" is not gold.
                if unnamed is None:
                    spans = persons()
                    if spans:
                        blanked, _, blanked_apart = self.document_keys(title, _blank_spans(text, spans))
                        unnamed = (blanked, blanked_apart)
                    else:
                        unnamed = (tf, apart)
                if unnamed[0] is not tf:
                    carried = self._carried(stored, *unnamed, norm)
            if carried is None:
                continue
            strength, matched = carried
            if table is None:
                table = is_table(text)
                title_keys = {k for w in WORD_RE.findall(title) for k in index.analyzer.keys(w)}
            if table and not matched & title_keys:
                continue  # one row of a table of figures: the word is not what the table is about
            if not self._admits(stored, tf, seq, published):
                continue
            out.append(Percolation(query_id, strength, frozenset(matched)))
        return out

    def _carried(
        self, stored: _Stored, tf: dict[int, float], apart: dict[str, float], norm: float
    ) -> tuple[float, set[str]] | None:
        """How strongly the query's words carry a document of these term frequencies (the mean BM25
        saturation over its words) and the keys that matched, or None below the relevance floor."""
        keys = self._index._keys
        strengths: list[float] = []
        matched: set[str] = set()
        for term in stored.terms:
            best = 0.0
            for kid, share in term.alts.items():
                f = tf.get(kid, 0.0)
                if f and kid in term.others:
                    f -= sum(apart.get(w, 0.0) for w in term.others[kid])
                if f > 0:
                    best = max(best, share * f / (f + norm))
                    matched.add(keys[kid])
            for group, share in term.groups.items():
                if all(k in tf for k in group):
                    f = min(tf[k] for k in group)
                    best = max(best, share * f / (f + norm))
                    matched.update(keys[k] for k in group)
            strengths.append(best)
        strength = sum(strengths) / len(strengths)
        if min(strengths) <= 0 or (min(strengths) if stored.each else strength) < RELEVANCE_FLOOR:
            return None
        return strength, matched

    def _admits(
        self, stored: _Stored, tf: dict[int, float], seq: Sequence[int], published: date | None
    ) -> bool:
        """Excluded words, phrases and date bounds, as ``/search`` applies them."""
        query, key_id = stored.query, self._index._key_id
        if any(key_id.get(k, -1) in tf for k in stored.excluded):
            return False
        if (query.since or query.until) and published is None:
            return False
        if query.since and published is not None and published < query.since:
            return False
        if query.until and published is not None and published > query.until:
            return False
        for phrase in stored.phrases:
            kids = [key_id.get(k, -1) for k in phrase]
            if -1 in kids or not _contains(seq, kids):
                return False
        return True

    def tokens(self, text: str) -> list[Token]:
        """The text's words as the index reads them (to mark the passage an alert quotes)."""
        return self._index.analyzer.tokens(text)


def is_lexicon_word(index: object, word: str) -> bool:
    """Whether the lexicon translates ``word`` (a word of the language: "gold", "пшеница"), as a name of
    a person alone ("tasmagambetov") it does not. False for an engine other than ``MemoryIndex``."""
    return isinstance(index, MemoryIndex) and bool(index._translator.glosses(word.lower()))


def word_documents(index: object, word: str) -> int | None:
    """How many documents hold ``word`` itself (its own keys: no typo neighbours, no translations), or
    None for an engine other than ``MemoryIndex``. The caller holds the index's lock."""
    if not isinstance(index, MemoryIndex):
        return None
    ids = [index._key_id[k] for k in index.analyzer.keys(word) if k in index._key_id]
    return max((index._df(k) for k in ids), default=0)


def _blank_spans(text: str, spans: Sequence[tuple[int, int]]) -> str:
    """``text`` with the spans blanked (same length: positions hold)."""
    chars = list(text)
    for start, end in spans:
        chars[start:end] = " " * (end - start)
    return "".join(chars)


def _contains(seq: Sequence[int], phrase: Sequence[int]) -> bool:
    if not phrase or len(phrase) > len(seq):
        return False
    arr = np.asarray(seq, dtype=np.int64)
    n = len(phrase)
    starts = np.flatnonzero(arr[: len(arr) - n + 1] == phrase[0])
    return any(list(arr[s : s + n]) == list(phrase) for s in starts.tolist())
