"""How a query word reaches the corpus's spellings it may mean: typo neighbours and completions.

A word typed wrong or unfinished is matched to the *folded spellings* the corpus has (``textnorm``: the
transliteration variants of a word fold to one spelling, so "Masadikov" and "Masadykov" are already one).
A typo neighbour is a spelling within ``max_edits`` edits, found by symmetric delete (``DeleteIndex``); a
completion is a spelling the word begins. The index (``memory.py``) scores what is found here.
"""

from __future__ import annotations

import bisect
import itertools
import zlib
from collections.abc import Callable, Collection, Iterable
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
from rapidfuzz import process
from rapidfuzz.distance import OSA

from bot.search import snapshot
from bot.search.phrases import distinct
from bot.textnorm import fold

MAX_PREFIX_EXPANSIONS = 40
MAX_FUZZY_EXPANSIONS = 40
MAX_WORD_LETTERS = 40
RARE_FORM_COUNT = 2  # measured on the known-item set: 3 costs clean queries 0.0025 MRR
RARE_FORM_RATIO = 20
MIN_DROPPED_LENGTH = 6  # a typed word this long may have lost two letters
# ... unless the corpus has it as typed, more often than a typo: a real word's two-letters-longer
# neighbours are other words (measured: the same MRR on every known-item and name kind, 76 of 2,963
# queries reordered below their first relevant hit, topical top 10s unchanged; a fifth of an English
# word's expansion time)
DROPPED_MAX_COUNT = RARE_FORM_COUNT
MIN_INDEXED_LETTERS = 3  # the shortest spelling the delete index lists
_LETTERS = "abcdefghijklmnopqrstuvwz"  # what folded spellings are made of ("x" and "y" fold away)


def max_edits(length: int) -> int:
    """Typo tolerance scaled to word length: short words must be exact, longer ones may have 1, then 2.
    Nothing past MAX_WORD_LETTERS: no real word is that long, and pasted junk must not cost seconds."""
    if length < 4 or length > MAX_WORD_LETTERS:
        return 0
    return 1 if length < 8 else 2


@snapshot.register
class DeleteIndex:
    """One-deletion variants of the vocabulary's spellings, for symmetric-delete typo lookup.

    Kept as sorted CRC32 hashes and spelling numbers in numpy arrays rather than a dict of strings: a
    snapshot then loads in milliseconds, where a dict of 250,000 variants took most of a restart. A hash
    collision only adds a candidate, which the exact distance check then drops. New spellings are only
    listed when added and hashed all together at the next lookup: a bulk ingest hashes 350,000
    variants in one pass instead of updating a dict per variant, and an upload costs one sorted
    insertion into the arrays at the next search."""

    def __init__(self) -> None:
        self.spellings: list[str] = []
        self._hashes: npt.NDArray[np.uint32] = np.empty(0, dtype=np.uint32)
        self._owners: npt.NDArray[np.int32] = np.empty(0, dtype=np.int32)
        self._pending_from = 0  # spellings from this number on are not hashed yet

    def add(self, spelling: str) -> None:
        """List a spelling for the next ``compact``; one shorter than MIN_INDEXED_LETTERS is not listed
        (its deletions are nearly every short spelling, and a word needs four letters for a typo)."""
        if len(spelling) >= MIN_INDEXED_LETTERS:
            self.spellings.append(spelling)

    def compact(self) -> None:
        new = self.spellings[self._pending_from :]
        if not new:
            return
        variants: list[str] = []
        counts: list[int] = []
        for spelling in new:
            variants_of = deletions(spelling)
            variants.extend(variants_of)
            counts.append(len(variants_of))
        hashes = np.fromiter(map(zlib.crc32, map(str.encode, variants)), dtype=np.uint32, count=len(variants))
        owners = np.repeat(np.arange(self._pending_from, len(self.spellings), dtype=np.int32), counts)
        order = np.argsort(hashes, kind="stable")
        hashes, owners = hashes[order], owners[order]
        at = np.searchsorted(self._hashes, hashes, side="right")
        self._hashes, self._owners = np.insert(self._hashes, at, hashes), np.insert(self._owners, at, owners)
        self._pending_from = len(self.spellings)

    def lookup(self, variants: Iterable[str]) -> set[str]:
        """Spellings having one of ``variants`` among their one-deletion variants."""
        if not self.spellings:
            return set()  # (the Cyrillic spellings' index over an English corpus: no variant to hash)
        self.compact()
        # Sorted and once each: a sorted search over the big hash array resumes where the previous key
        # ended (cache-friendly), and a query word's variants repeat hashes.
        # (by sort: np.unique's first call also imported numpy.ma, 13 ms of a process's first query)
        keys = distinct(np.fromiter(map(zlib.crc32, map(str.encode, variants)), dtype=np.uint32))
        lo = np.searchsorted(self._hashes, keys, side="left")
        hi = np.searchsorted(self._hashes, keys, side="right")
        found: set[int] = set()
        for a, b in zip(lo.tolist(), hi.tolist(), strict=True):
            if b > a:
                found.update(self._owners[a:b].tolist())
        return {self.spellings[n] for n in found}

    def __getstate__(self) -> dict[str, Any]:
        self.compact()
        return self.__dict__.copy()


@dataclass
class Expansion:
    """A query word's alternatives: key id -> (weight, is_exact), and groups of key ids (a phrase that
    translates the word) -> weight: a document matches a group when it holds every key of it."""

    alts: dict[int, tuple[float, bool]] = field(default_factory=dict)
    groups: dict[tuple[int, ...], float] = field(default_factory=dict)
    translated: set[int] = field(default_factory=set)  # keys offered as translations of the word
    sounded: set[int] = field(default_factory=set)  # keys offered as sounding like it, and kept as such
    synonyms: set[int] = field(default_factory=set)  # keys offered as its synonyms (``synonyms.py``)
    synonym_groups: set[tuple[int, ...]] = field(default_factory=set)  # groups offered as such

    def offer(self, key_id: int, weight: float, exact: bool) -> bool:
        """Offer an alternative; whether it was taken (it weighs more than the key's earlier offer)."""
        old = self.alts.get(key_id)
        if old is None or weight > old[0]:
            self.alts[key_id] = (weight, exact)
            return True
        return False

    def offer_group(self, key_ids: tuple[int, ...], weight: float) -> None:
        if weight > self.groups.get(key_ids, 0.0):
            self.groups[key_ids] = weight

    def copy(self) -> Expansion:
        return Expansion(
            dict(self.alts),
            dict(self.groups),
            set(self.translated),
            set(self.sounded),
            set(self.synonyms),
            set(self.synonym_groups),
        )

    @property
    def key_ids(self) -> set[int]:
        """Every key this word may match through, in a group or alone."""
        return set(self.alts).union(*self.groups)

    def __bool__(self) -> bool:
        return bool(self.alts or self.groups)


class Candidates:
    """Typo neighbours and completions of a folded spelling among the corpus's spellings.

    Holds only lookups derived from the spellings, each built on its first use: the index makes a new
    ``Candidates`` whenever its vocabulary changes, and never saves one in a snapshot."""

    def __init__(
        self,
        spellings: Collection[str],
        deletes: DeleteIndex,
        count: Callable[[str], float],
        cyrillic: Callable[[str], bool] | None = None,
        cyrillic_deletes: DeleteIndex | None = None,
    ) -> None:
        self._spellings = spellings
        self._deletes = deletes
        # The Cyrillic spellings' own delete index: a translated Russian word keeps only near spellings
        # in its script, and over an English corpus looking them up among every spelling found nothing
        # for a quarter of a Russian query's time (``near(own_script=True)``)
        self._cyrillic_deletes = cyrillic_deletes
        self._count = count  # how often a spelling occurs: the likelier of two candidates is the commoner
        self._cyrillic = cyrillic  # whether a spelling is written in Cyrillic in the corpus (a set lookup)
        self._sorted: list[str] | None = None
        self._by_length: dict[tuple[bool, int], list[str]] | None = None
        self._by_length_upto = 0  # how many of the spellings (in insertion order) ``_by_length`` holds

    def carry_from(self, older: Candidates) -> None:
        """Take over the lookups ``older`` built from these same spellings, extended by the spellings
        added since (between rebuilds the vocabulary only grows, in insertion order, and a spelling's
        script never changes): an upload that adds one word then costs the next query its new
        spellings, not a sort and a split of the whole vocabulary (seconds at a million documents)."""
        if older._spellings is not self._spellings:
            return
        if older._sorted is not None:  # it holds the first len(older._sorted) spellings
            added = list(itertools.islice(self._spellings, len(older._sorted), None))
            self._sorted = older._sorted if not added else sorted(older._sorted + added)
        if older._by_length is not None:
            self._by_length = older._by_length
            self._by_length_upto = older._by_length_upto
            self._extend_by_length()

    def prepare(self) -> None:
        """Build the lookups now rather than on their first use (``MemoryIndex.warm``): the sorted
        spellings (completions) and the spellings by script and length (the two-substitution scan)."""
        self.starting_with("")
        if self._by_length is None:
            self._extend_by_length()

    def _extend_by_length(self) -> dict[tuple[bool, int], list[str]]:
        """``_by_length`` with the spellings it does not hold yet added (all of them the first time)."""
        by_length = self._by_length if self._by_length is not None else {}
        script = self._cyrillic or (lambda _: False)
        added = list(itertools.islice(self._spellings, self._by_length_upto, None))
        for surface in added:
            by_length.setdefault((script(surface), len(surface)), []).append(surface)
        self._by_length_upto += len(added)
        self._by_length = by_length
        return by_length

    def typos(
        self, sf: str, scan: bool = True, cyrillic: bool = False, own_script: bool = False
    ) -> dict[str, int]:
        """Up to MAX_FUZZY_EXPANSIONS spellings within ``max_edits`` of ``sf`` and their distances (when
        there are more: the nearest, then the most frequent). ``scan=False`` skips the slow path for
        two substitutions (a word that has other alternatives, translations, need not pay for it); that
        path looks only among spellings written in the word's script (``cyrillic``); ``own_script``: no
        other path looks elsewhere either."""
        edits = max_edits(len(sf))
        if not edits:
            return {}
        cands = self._within(sf, edits, scan, cyrillic, own_script)
        if len(cands) > MAX_FUZZY_EXPANSIONS:
            ranked = sorted(cands, key=lambda c: (cands[c], -self._count(c)))
            cands = {c: cands[c] for c in ranked[:MAX_FUZZY_EXPANSIONS]}
        return cands

    def near(
        self, sf: str, ascii_word: str, scan: bool = True, cyrillic: bool = False, own_script: bool = False
    ) -> dict[str, int]:
        """Every near spelling of a word and its distance: typo neighbours (``typos``), one swap of the
        word as typed (``swapped``), two dropped letters (``dropped``, counted as two edits);
        ``own_script``: only spellings written in the word's script (``cyrillic``)."""
        out = self.typos(sf, scan, cyrillic, own_script)
        for cand in self.swapped(ascii_word):
            if not own_script or self._in_script(cand, cyrillic):
                out[cand] = 1
        if sf not in self._spellings or self._count(sf) <= DROPPED_MAX_COUNT:
            for cand in self.dropped(sf, self._deletes_of(cyrillic, own_script)):
                if not own_script or self._in_script(cand, cyrillic):
                    out.setdefault(cand, 2)
        return out

    def _in_script(self, spelling: str, cyrillic: bool) -> bool:
        return (self._cyrillic is not None and self._cyrillic(spelling)) == cyrillic

    def _deletes_of(self, cyrillic: bool, own_script: bool) -> DeleteIndex:
        """The delete index to look a word's near spellings up in: the Cyrillic spellings' alone when
        only those count."""
        if own_script and cyrillic and self._cyrillic_deletes is not None:
            return self._cyrillic_deletes
        return self._deletes

    def misspelled(self, sf: str, near: dict[str, int]) -> str | None:
        """The common spelling that a rare one of the corpus most likely misspells, or None: a spelling
        seen at most RARE_FORM_COUNT times beside a near one seen RARE_FORM_RATIO times as often."""
        count = self._count(sf)
        if count > RARE_FORM_COUNT or not near:
            return None
        best = max(near, key=self._count)
        return best if self._count(best) >= RARE_FORM_RATIO * max(count, 1.0) else None

    def swapped(self, ascii_word: str) -> set[str]:
        """Spellings the word reaches by swapping two neighbouring letters *before* folding: "jospeh"
        folds to a spelling two edits from "joseph"'s ("josef"), though it is one swap from the word."""
        if not 4 <= len(ascii_word) <= MAX_WORD_LETTERS:
            return set()
        out = set()
        for i in range(len(ascii_word) - 1):
            if ascii_word[i] != ascii_word[i + 1]:
                sf = fold(ascii_word[:i] + ascii_word[i + 1] + ascii_word[i] + ascii_word[i + 2 :])
                if sf in self._spellings:
                    out.add(sf)
        return out

    def dropped(self, sf: str, deletes: DeleteIndex | None = None) -> set[str]:
        """Spellings that are ``sf`` with two letters put back ("wensdai" -> "wednesdai"): the two
        dropped letters the symmetric delete index cannot see (it holds the vocabulary's one-letter
        deletions). From MIN_DROPPED_LENGTH letters on: a short word minus two letters is another word."""
        deletes = deletes or self._deletes
        if not MIN_DROPPED_LENGTH <= len(sf) <= MAX_WORD_LETTERS or not deletes.spellings:
            return set()
        inserted = {sf[:i] + c + sf[i:] for i in range(len(sf) + 1) for c in _LETTERS}
        return {c for c in deletes.lookup(inserted) if len(c) == len(sf) + 2}

    def _within(
        self, sf: str, edits: int, scan: bool = True, cyrillic: bool = False, own_script: bool = False
    ) -> dict[str, int]:
        """Vocabulary spellings within ``edits`` edits (OSA: a swap of neighbours is one edit).

        Symmetric-delete lookup: the vocabulary is indexed by its one-letter deletions, the query's
        deletions up to ``edits`` are looked up there. This finds everything within one edit and, for
        two, everything but two substitutions, in microseconds instead of a scan of the vocabulary."""
        variants = {sf}
        frontier = {sf}
        for _ in range(edits):
            frontier = {v for w in frontier for v in deletions(w)}
            variants |= frontier
        found: dict[str, int] = {}
        for variant in variants:
            if variant in self._spellings and (not own_script or self._in_script(variant, cyrillic)):
                found.setdefault(variant, -1)
        for cand in self._deletes_of(cyrillic, own_script).lookup(variants):
            if not own_script or self._in_script(cand, cyrillic):
                found.setdefault(cand, -1)
        if edits >= 2 and not found and scan:
            # Two edits the delete index cannot see (two substitutions, two swaps): scan the spellings of
            # similar length. Rare, and only reached when nothing closer exists.
            for cand in self._scan_near(sf, edits, cyrillic):
                found.setdefault(cand, -1)
        out: dict[str, int] = {}
        for cand in found:
            if cand == sf:
                continue
            d = OSA.distance(sf, cand, score_cutoff=edits)
            if d <= edits:
                out[cand] = d
        return out

    def _scan_near(self, sf: str, edits: int, cyrillic: bool) -> list[str]:
        """Spellings within ``edits`` of ``sf`` by a scan of those of similar length written in the same
        script (the slow path). A Russian word two substitutions from an English spelling is an accident
        of transliteration ("сталелитейная" is not "stalelitejnaja"'s typo of anything), and skipping
        the English spellings made a Russian word's scan, a tenth of a Russian query, nearly free."""
        by_length = self._by_length if self._by_length is not None else self._extend_by_length()
        pool: list[str] = []
        for n in range(len(sf) - edits, len(sf) + edits + 1):
            pool.extend(by_length.get((cyrillic, n), ()))
        matches = process.extract(sf, pool, scorer=OSA.distance, score_cutoff=edits, limit=None)
        return [cand for cand, _, _ in matches]

    def starting_with(self, prefix: str) -> list[str]:
        """Spellings that begin with ``prefix``, in alphabetical order (a slice of the sorted vocabulary)."""
        if self._sorted is None:
            self._sorted = sorted(self._spellings)
        words = self._sorted
        lo = bisect.bisect_left(words, prefix)
        hi = bisect.bisect_left(words, prefix + "\x7f")
        return words[lo:hi]

    def completions(self, sf: str) -> list[str]:
        """Spellings that begin with ``sf`` (up to MAX_PREFIX_EXPANSIONS, the most frequent)."""
        cands = [w for w in self.starting_with(sf) if w != sf]
        if len(cands) > MAX_PREFIX_EXPANSIONS:
            cands.sort(key=lambda w: -self._count(w))
            cands = cands[:MAX_PREFIX_EXPANSIONS]
        return cands


def deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
