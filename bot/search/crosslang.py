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

Consecutive query words are looked up together too (``phrases``): "денежная масса" is "money supply",
which neither word's own glosses ("monetary", "mass") say. The phrase's gloss is offered to each word it
covers, as a group, at its weight shared out among them: a document holding "money supply" matches both
words, and the phrase weighs as one translated word ("крупного рогатого скота", cattle, counting three
times outweighed the rest of its query: topical ru nDCG@10 0.664 -> 0.648; shared, 0.663, and 0.714 on
the held-out needs, where it was 0.677)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from itertools import product

from bot.search.expand import Expansion
from bot.search.phrases import Alternative, Pattern, Slot
from bot.search.synonyms import Synonyms
from bot.search.translate import Lexicon
from bot.textnorm import STOP_WORDS, Analyzer, is_cyrillic

# One gloss: the index keys of its words (one for a word, several for a phrase), and its lexicon weight.
Gloss = tuple[tuple[str, ...], float]
MAX_CACHED = 50_000
MAX_PHRASE_LEMMAS = 2  # a phrase's word's likeliest lemmas tried (pymorphy3's further parses are rarer)


class Translator:
    """Looks query words up in the lexicon and keys their glosses as the index keys text."""

    def __init__(
        self, analyzer: Analyzer, lexicon: Lexicon | None = None, synonyms: Synonyms | None = None
    ) -> None:
        self.analyzer = analyzer
        self.lexicon = lexicon if lexicon is not None else Lexicon.load()
        # The same language's other words for a thing (``synonyms.py``), beside the other language's
        self.synonyms = synonyms if synonyms is not None else Synonyms.load(analyzer.keys)
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
        return offer_glosses(self.glosses(word), exp, key_id, share)

    def phrases(self, words: Sequence[str]) -> dict[int, tuple[tuple[Gloss, ...], int]]:
        """Glosses of runs of consecutive Russian words that the lexicon has as phrases ("денежная
        масса" -> "money supply") and the run's length, by the position of each word a run covers. The
        longest run wins a word; a run starts and ends with a word that is not a stop word (so it may
        hold one)."""
        out: dict[int, tuple[Gloss, ...]] = {}
        covered: dict[int, int] = {}  # the length of the run a word's glosses come from
        longest = self.lexicon.max_phrase_words
        for start in range(len(words)):
            for end in range(min(len(words), start + longest), start + 1, -1):
                run = words[start:end]
                if not all(map(is_cyrillic, run)) or run[0] in STOP_WORDS or run[-1] in STOP_WORDS:
                    continue
                found = self._phrase(tuple(run))
                if found:
                    for i in range(start, end):
                        if covered.get(i, 0) < end - start:
                            out[i], covered[i] = found, end - start
                    break
        return {i: (glosses, covered[i]) for i, glosses in out.items()}

    def _phrase(self, run: tuple[str, ...]) -> tuple[Gloss, ...]:
        key = " ".join(run)
        cached = self._cache.get(key)
        if cached is not None:
            return cached
        best: dict[tuple[str, ...], float] = {}
        for gloss, weight in self._run_glosses(run):
            keys = tuple(k for k in gloss if k not in STOP_WORDS and len(k) > 1)
            if keys and weight > best.get(keys, 0.0):
                best[keys] = weight
        found = self._cache[key] = tuple(sorted(best.items(), key=lambda kv: -kv[1]))
        return found

    def _run_glosses(self, run: Sequence[str]) -> list[Gloss]:
        """The lexicon's glosses of consecutive words as one phrase, every key of the gloss kept in its
        order: a Russian run by its words' likeliest lemmas, an English one by its words' keys (Russian
        glosses keyed as the index keys their lemmas)."""
        if all(map(is_cyrillic, run)):
            out: list[Gloss] = []
            for lemmas in product(*(self.analyzer.lemmas(w)[:MAX_PHRASE_LEMMAS] for w in run)):
                out.extend(
                    (tuple(gloss.split()), weight)
                    for gloss, weight in self.lexicon.translate_ru(" ".join(lemmas))
                )
            return out
        if any(map(is_cyrillic, run)):
            return []
        keys = [self.analyzer.keys(w) for w in run]
        if not all(keys):
            return []
        glosses = self.lexicon.translate_en(" ".join(k[0] for k in keys))
        found = [
            (tuple(self.analyzer.lemma_key(w) for w in lemma.split()), weight) for lemma, weight in glosses
        ]
        return [(k, weight) for k, weight in found if all(k)]

    def phrase_patterns(
        self,
        words: Sequence[str],
        key_id: Callable[[str], int | None],
        sounded: Callable[[str], Iterable[int]],
        gloss_key: Callable[[str, bool], int | None],
    ) -> list[Pattern]:
        """What a quoted phrase may stand for, as key ids (``key_id``: None for a key the index lacks):
        its words side by side, each as any of its own keys (every lemma of a Russian word: "генерального"
        as the index keys "генеральный") or a translation the index has (``gloss_key``: a gloss key's id,
        given whether it glosses Cyrillic words); and, for each run of words the lexicon has as a phrase,
        the same with the run replaced by its glosses, each in its own order ("генеральный секретарь" is
        "secretary general"). A name typed in the other script stands for the spellings that sound like it
        (``sounded``: "Крокус Сити Холл", Crocus City Hall). A pattern some slot of which the index lacks
        is left out."""
        slots = [self._word_slot(w, key_id, sounded(w), gloss_key) for w in words]
        out: list[Pattern] = []
        if all(slots):
            out.append(tuple(slots))
        for start in range(len(words)):
            for end in range(min(len(words), start + self.lexicon.max_phrase_words), start + 1, -1):
                run = words[start:end]
                slot = self._gloss_slot(self._run_glosses(run), _bound(gloss_key, is_cyrillic(run[0])))
                if slot:
                    pattern = [*slots[:start], slot, *slots[end:]]
                    if all(pattern):
                        out.append(tuple(pattern))
                    break
        return out

    def _word_slot(
        self,
        word: str,
        key_id: Callable[[str], int | None],
        sounded: Iterable[int],
        gloss_key: Callable[[str, bool], int | None],
    ) -> Slot:
        """A phrase word's slot: one token holding any of its own keys, the ``sounded`` ones or its
        one-word translations, or the tokens of a longer translation ("теракт", terrorist attack)."""
        one = {kid for k in self.analyzer.keys(word) if (kid := key_id(k)) is not None}
        one.update(sounded)
        cyrillic = is_cyrillic(word)
        longer: list[Gloss] = []
        for keys, weight in self.glosses(word):
            if len(keys) == 1:
                kid = gloss_key(keys[0], cyrillic)
                if kid is not None:
                    one.add(kid)
            else:
                longer.append((keys, weight))
        first: tuple[Alternative, ...] = ((frozenset(one),),) if one else ()
        return first + self._gloss_slot(longer, _bound(gloss_key, cyrillic))

    @staticmethod
    def _gloss_slot(glosses: Sequence[Gloss], key_id: Callable[[str], int | None]) -> Slot:
        """Glosses as a slot's alternatives, a token per key, those whose every key the index has."""
        out: dict[Alternative, None] = {}
        for keys, _ in glosses:
            ids = [key_id(k) for k in keys]
            if keys and all(kid is not None for kid in ids):
                out[tuple(frozenset((kid,)) for kid in ids if kid is not None)] = None
        return tuple(out)

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


def _bound(gloss_key: Callable[[str, bool], int | None], cyrillic: bool) -> Callable[[str], int | None]:
    """``gloss_key`` for the glosses of words in one script."""
    return lambda key: gloss_key(key, cyrillic)


def offer_glosses(
    glosses: Sequence[Gloss], exp: Expansion, key_id: Callable[[str], int | None], share: float
) -> bool:
    """Offer the glosses the corpus has (``key_id``: a key's id, None when no document holds it) as
    alternatives in ``exp``, at ``share`` of their lexicon weight; whether there were any."""
    offered = False
    for keys, weight in glosses:
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
