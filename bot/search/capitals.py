"""How often the corpus writes each word capitalised: what tells a name from a common word.

A name is written with a capital wherever it stands ("Thatcher", "Kohl", "Baker" as James Baker); a
common word only where a sentence starts ("Desire", "Hog"). The share of a spelling's occurrences that
are capitalised (``NameShares``) therefore says whether the corpus uses it as a name, which decides
three things a lexicon cannot (it has "baker" and "hog" too): a spelling that sounds like a query word is
offered only when it is a name or sounds nearly the same (``Тэтчер`` over a corpus without Thatcher must
not find "desire"); a rare spelling is not taken for a misspelling of a common word when it is a name
("Ping" of Wang Ping is not "paying"); and a capitalised Russian query word, a name, prefers a
name to a common word among what it may mean ("Де Клерк" is De Clercq, not "clerk").

Counted in document bodies as the index reads them, per lowercased word (the index's word numbers), at
the cost of one regular expression pass over each text. A word counts as capitalised when an upper-case
letter is followed by a lower-case one: a headline or notice in capitals, and an acronym, say nothing.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Mapping
from itertools import repeat

import numpy as np
import numpy.typing as npt

from bot.search import snapshot

# Latin (with its accented letters), Greek and Cyrillic, upper and lower case
_UPPER = "".join(c for c in map(chr, range(0x530)) if c.isupper())
_LOWER = "".join(c for c in map(chr, range(0x530)) if c.islower())
# A token of ``textnorm.WORD_RE`` (letters and digits) that starts with a capital followed by a small
# letter (the look-behind, no letter or digit before the capital, tried only at a capital)
_U, _L = re.escape(_UPPER), re.escape(_LOWER)
_CAPITALISED = re.compile(rf"[{_U}](?<![^\W_][{_U}])[{_L}][^\W_]*")
# Such a token where a sentence starts (after a full stop, question or exclamation mark, with a closing
# quote or not, and white space) or a paragraph does (a blank or indented line; a single line break is
# where a wrapped text goes on): every word is capitalised there ("Despite the rain"), which says nothing.
# Looked for from the punctuation or line break, which are rarer than capitals.
_STARTING = re.compile(rf"[.!?\n][\"”’']?\s+([{_U}][{_L}][^\W_]*)")
NAME_SHARE = 0.3  # of a spelling's occurrences capitalised past a sentence start, from which it is a name


@snapshot.register
class Capitals:
    """Capitalised occurrences per word number (``MemoryIndex._word_num``), in document bodies."""

    def __init__(self) -> None:
        self.counts: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)

    def add(self, texts: Iterable[str], word_num: Mapping[str, int], n_words: int) -> None:
        """Count the capitalised words of ``texts``, whose words are all numbered in ``word_num`` already
        (a word that is not, a title's, is left out)."""
        text = "\n\n" + "\n\n".join(texts)
        capital = _numbers(_CAPITALISED.findall(text), word_num)
        starting = _numbers(_STARTING.findall(text), word_num)
        if len(self.counts) < n_words:
            grown = np.zeros(max(n_words, 2 * len(self.counts)), dtype=np.float64)
            grown[: len(self.counts)] = self.counts
            self.counts = grown
        # every capital where a sentence starts is among the capitals: those left are past one
        self.counts[:n_words] += np.bincount(capital, minlength=n_words)[:n_words]
        self.counts[:n_words] -= np.bincount(starting, minlength=n_words)[:n_words]


def _numbers(found: list[str], word_num: Mapping[str, int]) -> npt.NDArray[np.int64]:
    """The word numbers of words as written (lowercased), those numbered."""
    spellings = " ".join(found).lower().split()
    nums = np.fromiter(map(word_num.get, spellings, repeat(-1)), dtype=np.int64, count=len(spellings))
    return nums[nums >= 0]


def capitalised(text: str) -> Counter[str]:
    """The words of ``text`` written capitalised past the start of a sentence, a paragraph or the text,
    as written, and how often."""
    found = Counter(_CAPITALISED.findall(text))
    found.subtract(_STARTING.findall("\n\n" + text))
    return +found  # only those left


class NameShares:
    """The capitalised share of each folded spelling (the sum over the words that fold to it), worked
    out on first use over one state of the vocabulary."""

    def __init__(
        self,
        capitals: Capitals,
        word_surface: npt.NDArray[np.int32],
        word_count: npt.NDArray[np.float64],
        number_of: Callable[[str], int | None],
    ) -> None:
        self._capitals = capitals
        self._word_surface = word_surface
        self._word_count = word_count
        self._number_of = number_of  # a folded spelling's number (``Surface.number``), None if unknown
        self._shares: npt.NDArray[np.float64] | None = None

    def __call__(self, spelling: str) -> float:
        """The share of ``spelling``'s body occurrences written capitalised (0 when it has none)."""
        shares = self.prepare()
        number = self._number_of(spelling)
        return float(shares[number]) if number is not None and number < len(shares) else 0.0

    def prepare(self) -> npt.NDArray[np.float64]:
        """Every spelling's share, worked out once (on first use, or beforehand: ``MemoryIndex.warm``)."""
        if self._shares is None:
            self._shares = self._compute()
        return self._shares

    def is_name(self, spelling: str) -> bool:
        return self(spelling) >= NAME_SHARE

    def _compute(self) -> npt.NDArray[np.float64]:
        surface, count = self._word_surface, self._word_count
        n = len(surface)
        caps = np.zeros(n, dtype=np.float64)
        m = min(n, len(self._capitals.counts))
        caps[:m] = self._capitals.counts[:m]
        has = surface >= 0
        size = int(surface.max()) + 1 if n and has.any() else 0
        totals = np.bincount(surface[has], weights=count[has], minlength=size)
        capital = np.bincount(surface[has], weights=caps[has], minlength=size)
        with np.errstate(divide="ignore", invalid="ignore"):
            # one more occurrence, not capitalised, as a prior: two "Kol" of three say little
            shares = capital / (totals + 1.0)
        return np.minimum(shares, 1.0)
