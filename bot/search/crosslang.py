"""A query word's translations into the other language, as index keys: what cross-language search offers.

The index (``memory.py``) searches a query word's translations as *alternatives of that one word*
(structured query translation, see ``translate.py``): they join the word's typo neighbours and
completions in its ``Expansion``, so a document takes the best of them and a word with five
translations counts once. Only a word in the other language's script is translated: a Cyrillic word
gets English keys, a Latin word Russian ones. A name typed in the other script is already joined by
transliteration (``textnorm``), and it keeps winning: a translation is weighted below a match in the
query's own language, and its IDF is capped at that match's.

A gloss may be a phrase ("теракт" -> "terrorist attack"). It is offered as a *group*: a document must
hold every word of it (in any order), and scores as the phrase's rarest word. Offering the rarest word
alone would let "world wide" (for "мировой") match any text with "wide", and requiring the words side
by side would cost a scan of each candidate's tokens and miss "attack by terrorists".
"""

from __future__ import annotations

from collections.abc import Callable

from bot.search.expand import Expansion
from bot.search.translate import Lexicon
from bot.textnorm import STOP_WORDS, Analyzer, is_cyrillic

# One gloss: the index keys of its words (one for a word, several for a phrase), and its lexicon weight.
Gloss = tuple[tuple[str, ...], float]
MAX_CACHED = 50_000


class Translator:
    """Looks query words up in the lexicon and keys their glosses as the index keys text."""

    def __init__(self, analyzer: Analyzer, lexicon: Lexicon | None = None) -> None:
        self.analyzer = analyzer
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        self._cache: dict[str, tuple[Gloss, ...]] = {}

    def glosses(self, word: str) -> tuple[Gloss, ...]:
        """The other language's glosses of a lowercased query word, best first (none for a number)."""
        cached = self._cache.get(word)
        if cached is None:
            if len(self._cache) > MAX_CACHED:
                self._cache.clear()
            cached = self._cache[word] = self._lookup(word)
        return cached

    def offer(self, word: str, exp: Expansion, key_id: Callable[[str], int | None], share: float) -> bool:
        """Offer the word's glosses the corpus has (``key_id``: a key's id, None when no document holds
        it) as alternatives of it, at ``share`` of their lexicon weight; whether there were any."""
        offered = False
        for keys, weight in self.glosses(word):
            ids = [key_id(k) for k in keys]
            kids = tuple(k for k in ids if k is not None)
            if len(kids) < len(ids):
                continue  # the corpus lacks (a word of) this gloss
            if len(kids) == 1:
                exp.offer(kids[0], share * weight, False)
                exp.translated.add(kids[0])
            else:
                exp.offer_group(tuple(sorted(set(kids))), share * weight)
            offered = True
        return offered

    def _lookup(self, word: str) -> tuple[Gloss, ...]:
        if not word or word.isdigit():
            return ()
        best: dict[tuple[str, ...], float] = {}
        if is_cyrillic(word):
            for lemma in self.analyzer.lemmas(word):
                for gloss, weight in self.lexicon.translate_ru(lemma):
                    # English glosses are stem keys already; "seller s market" loses its lone "s"
                    keys = tuple(k for k in gloss.split() if k not in STOP_WORDS and len(k) > 1)
                    if keys and weight > best.get(keys, 0.0):
                        best[keys] = weight
        else:
            word_keys = self.analyzer.keys(word)
            if not word_keys:
                return ()
            for lemma, weight in self.lexicon.translate_en(word_keys[0]):
                keys = self._russian_keys(lemma.split())
                if keys and weight > best.get(keys, 0.0):
                    best[keys] = weight
        return tuple(sorted(best.items(), key=lambda kv: -kv[1]))

    def _russian_keys(self, lemma_words: list[str]) -> tuple[str, ...]:
        out: list[str] = []
        for w in lemma_words:
            if w in STOP_WORDS:
                continue
            key = self.analyzer.lemma_key(w)
            if key:
                out.append(key)
        return tuple(out)
