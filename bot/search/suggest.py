"""The "did you mean" of a search: a word that matched nothing replaced by the nearest corpus spelling.

Reached only for a word the search found in no spelling at all (not within its typo distance, not by
translation), and the reply shows the suggestion, so it must be cheap: the nearest spellings are looked
up in the symmetric-delete index the typo search keeps (``expand.DeleteIndex``, the vocabulary's
one-letter deletions) with the word's own deletions, up to two, and among the spellings that begin as
the word does (a slice of the sorted vocabulary), instead of scanning the whole vocabulary (which cost
about 7 ms a word on Reuters). Two deletions of the word against one of the spelling reach every
spelling within two edits and most within three; a long word typed with a few letters dropped and a
pair swapped ("tasmagmbtvo") still begins like the name it means.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence

from rapidfuzz.distance import Levenshtein

from bot.search.expand import MAX_WORD_LETTERS, DeleteIndex, deletions
from bot.textnorm import is_cyrillic

# A "did you mean" word is at least this alike the word it replaces (share of letters kept): at half,
# "zanzibar" became "tangible", which shares only its length and four letters.
SUGGEST_SIMILARITY = 0.5
TWO_DELETIONS_FROM = 5  # letters: a shorter word minus two letters is hardly the word any more
SAME_START = 3  # letters a spelling shares with the word's beginning to be compared with it ...
MAX_SAME_START = 300  # ... or more, until at most this many spellings share them


class Suggester:
    """Nearest corpus spellings of unmatched query words, shown as they are written in the corpus."""

    def __init__(
        self,
        spellings: Collection[str],
        deletes: DeleteIndex,
        starting_with: Callable[[str], Sequence[str]],
        count: Callable[[str], float],
        fold: Callable[[str], str],
        display: Callable[[str], str],
    ) -> None:
        self._spellings = spellings
        self._deletes = deletes
        self._starting_with = starting_with  # the spellings that begin with a prefix
        self._count = count  # of two spellings as near, the commoner is the likelier meant
        self._fold = fold  # a query word's folded spelling
        self._display = display  # how a spelling is shown

    def nearest(self, sf: str) -> str | None:
        """The spelling nearest ``sf`` (by normalised Levenshtein similarity, then frequency) that is more
        than half alike, among those the deletion index reaches and those beginning alike; None when none
        is."""
        variants = {sf} | deletions(sf)
        if len(sf) >= TWO_DELETIONS_FROM:
            variants |= {v for w in deletions(sf) for v in deletions(w)}
        cands = {v for v in variants if v in self._spellings} | self._deletes.lookup(variants)
        for n in range(SAME_START, len(sf)):
            block = self._starting_with(sf[:n])
            if len(block) <= MAX_SAME_START:
                cands.update(block)
                break
        cands.discard(sf)
        best: tuple[float, float, str] | None = None
        for cand in cands:
            sim = Levenshtein.normalized_similarity(sf, cand)
            if sim <= SUGGEST_SIMILARITY:
                continue
            rank = (sim, self._count(cand), cand)
            if best is None or rank > best:
                best = rank
        return None if best is None else best[2]

    def suggest(self, words: Sequence[str], unmatched: Sequence[str]) -> str | None:
        """The query with each unmatched word replaced, or None when none could be. Only a word that
        matched nothing is replaced, and only by a spelling written in its own script (a Cyrillic word by
        a Cyrillic one, or not at all: "крокус" is not "crocus" to its reader, and cross-language matching
        is the search's job, not a suggestion's)."""
        replaced: dict[str, str] = {}
        for word in unmatched:
            sf = self._fold(word)
            if word.isdigit() or sf in self._spellings or not 3 <= len(sf) <= MAX_WORD_LETTERS:
                continue
            near = self.nearest(sf)
            if near is None:
                continue
            better = self._display(near)
            if is_cyrillic(better) == is_cyrillic(word):
                replaced[word] = better
        if not replaced:
            return None
        return " ".join(replaced.get(w, w) for w in words)
