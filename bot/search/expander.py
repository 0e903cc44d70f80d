"""How a query word reaches the index's keys: the alternatives a word is searched by, and their weights.

A word is matched through its own keys (exact), the corpus's spellings within its typo distance, the
completions of an unfinished last word, its translations into the other language (``crosslang.py``) and
the spellings that sound like it (``sound.py``), each a real vocabulary key weighted below an exact
match; the index (``memory.py``) scores every alternative with its own statistics and lets a document
take the best of them. How near spellings are found is in ``expand.py``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.search.capitals import NameShares
from bot.search.crosslang import Gloss, Translator, offer_glosses
from bot.search.expand import Candidates, Expansion
from bot.search.phrases import Pattern
from bot.search.query import Query
from bot.search.sound import SoundIndex, korean_forms, query_spellings, read_back, transcribed_spellings
from bot.textnorm import WORD_RE, Analyzer, is_cyrillic, to_ascii

FUZZY_WEIGHT = {1: 0.55, 2: 0.35}  # share of an exact match's score that a typo neighbour earns
PREFIX_WEIGHT = 0.9  # a completion of the last, unfinished word
PREFIX_FREQ_EXP = 0.2  # how much a completion's frequency share scales its weight
# Share of a match in the query's own language that a translation earns (times its lexicon weight): below
# an exact match, so a name that transliteration joins keeps winning over a dictionary word.
TRANSLATION_WEIGHT = 0.8
# Share of an exact match that a spelling sounding like a word the corpus lacks earns, times the
# likeness of their sound spellings (``sound.py``): well under a typo neighbour.
SOUND_WEIGHT = 0.5
# The least likeness of two sound spellings to count, for a query word in Cyrillic and in Latin letters:
# a word typed in the corpus's own letters that sounds only roughly like a spelling is more likely its
# typo ("tasmagmbtvo", 0.69) than another romanization, which changes a few letters (Ryschkow, 0.83).
SOUND_SIMILARITY = {True: 0.5, False: 0.8}
MAX_SOUND_EXPANSIONS = 10
MAX_STEM_SPELLINGS = 200  # spellings looked at for a key's (``_has_latin_spelling``)
TRANSCRIBED_SHARE = 0.8  # of a sound-alike's likeness, for one found by a transcription rule (``sound.py``)
# Of a sound-alike's likeness, when a transcription rule reads the word back letter for letter to a name
# the corpus has (``read_back``): that is the name, the others are guesses (Миттеран: Mitterrand, not
# Mediterranee)
READ_BACK_OTHERS = 0.5
SYLLABLE_SHARE = 0.5  # of a word's weight, for a syllable of a hyphenated name, and for the whole name's
MAX_SYLLABLE = 5  # letters: hyphenated words this short are joined as syllables (Hsiao-ping, Tzu-yang)
CROSS_SCRIPT_SHARE = 0.5  # of a typo neighbour's weight, for one written in the query word's other script
# Of a translation's weight, for a word typed as a name when the translation is not one (``as_name``)
NAMED_TRANSLATION_SHARE = 0.5
SOUND_DICTIONARY_SHARE = 0.7  # of a sound-alike's weight, for a common word (``capitals.py``: not a name)
# The least likeness of sound spellings for a common word to count as sounding like a query word
SOUND_COMMON_SIMILARITY = 0.9

# German umlauts and their Danish and Norwegian kin, as those languages write them without the marks
_UMLAUT_DIGRAPHS = {"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ø": "oe", "æ": "ae"}
_UMLAUTS = re.compile("[äöüßøæ]")


@dataclass
class Neighbours:
    """What a query word's neighbours add to it: the lexicon phrase it is part of ("денежная масса",
    money supply), the Korean name it is part of ("No Tae-u"), the hyphenated syllables it is one of
    ("Tzu-yang"). By the word's position in the query; ``widen`` adds them to its expansion."""

    expander: Expander
    phrases: dict[int, tuple[tuple[Gloss, ...], int]]
    korean: dict[int, tuple[str, ...]]
    syllables: dict[int, tuple[str, ...]]
    cyrillic: bool
    named: dict[int, str] = field(default_factory=dict)  # Russian words typed as names (``named``)
    joined: dict[int, tuple[str, ...]] = field(default_factory=dict)  # a name typed apart (``joined``)

    def widen(self, at: int, exp: Expansion) -> Expansion:
        if not any(
            at in found for found in (self.phrases, self.korean, self.syllables, self.named, self.joined)
        ):
            return exp
        exp = exp.copy()  # the word's own expansion is cached for other queries
        if at in self.named:
            self.expander.as_name(self.named[at], exp)
        if at in self.joined:  # two words, one name, matched by each as it would be written apart
            for sf in self.joined[at]:
                for kid in self.expander.surface_keys(sf):
                    exp.offer(kid, 1.0, True)
        if at in self.phrases:
            glosses, run = self.phrases[at]
            # the phrase weighs as one translated word, shared among the words it covers
            offer_glosses(glosses, exp, self.expander.live_key, TRANSLATION_WEIGHT / run)
        if at in self.korean:
            self.expander.offer_forms(self.korean[at], exp)
        if at in self.syllables:  # two words, one name
            own = dict(exp.alts)
            if self.expander.offer_sounds(self.syllables[at], exp, SYLLABLE_SHARE, self.cyrillic):
                # the name sounds like one the corpus has: each syllable is half of it ("Ping-chien" is
                # Bingqian before the "Chien" of Chien-shien), not a word of its own ("per-share")
                for kid, (weight, exact) in own.items():
                    if exp.alts[kid] == (weight, exact):
                        exp.alts[kid] = (weight * SYLLABLE_SHARE, exact)
        return exp


@dataclass
class Surface:
    """A folded spelling seen in the corpus, the keys it leads to, and how to show it in a suggestion.
    How often it occurs is derived from the per-word counts (``MemoryIndex._surface_count``)."""

    keys: tuple[int, ...]
    number: int
    display: str


def saved_surfaces(surfaces: dict[str, Surface]) -> tuple[list[Any], ...]:
    """The spellings as four plain lists for a snapshot: they load several times faster than 40,000
    small objects."""
    return (
        list(surfaces),
        [e.keys for e in surfaces.values()],
        [e.number for e in surfaces.values()],
        [e.display for e in surfaces.values()],
    )


def restored_surfaces(saved: Sequence[Any]) -> dict[str, Surface]:
    """``saved_surfaces`` read back."""
    spellings, keys, numbers, displays = saved
    return {sf: Surface(k, n, d) for sf, k, n, d in zip(spellings, keys, numbers, displays, strict=True)}


class Expander:
    """A query word's ``Expansion`` over one state of the index's vocabulary, cached per word. The index
    makes a new one whenever its vocabulary changes."""

    def __init__(
        self,
        analyzer: Analyzer,
        translator: Translator,
        surfaces: Mapping[str, Surface],
        key_id: Mapping[str, int],
        keys: Sequence[str],
        live_key: Callable[[str], int | None],
        df: Callable[[int], int],
        surface_count: Callable[[str], float],
        candidates: Candidates,
        sounds: SoundIndex,
        names: NameShares,
    ) -> None:
        self.analyzer = analyzer
        self.translator = translator
        self._surfaces = surfaces
        self._key_id = key_id
        self._keys = keys
        self.live_key = live_key  # a key's id when some live document holds it, else None
        self._df = df
        self._surface_count = surface_count
        self._candidates = candidates
        self._sounds = sounds
        self.names = names  # the capitalised share of a folded spelling: whether the corpus has it as a name
        self._cache: dict[tuple[str, bool, float], Expansion] = {}

    def expand(self, word: str, prefix: bool, prefix_cap: float = 1.0) -> Expansion:
        """``prefix_cap`` bounds a completion's weight: an unfinished last word may not outweigh what
        the words before it matched (all typo neighbours: a completion counts no more than they do)."""
        cache_key = (word, prefix, prefix_cap)
        cached = self._cache.get(cache_key)
        if cached is not None:
            return cached
        exp = Expansion()
        word_keys = self.analyzer.keys(word)
        for key in word_keys:
            kid = self._key_id.get(key)
            if kid is not None and self._df(kid):
                exp.offer(kid, 1.0, True)
        if not word.isdigit():
            self.translator.synonyms.offer(word_keys, exp, self.live_key)
            sf = self.analyzer.surface_fold(word)
            if sf in self._surfaces:
                for kid in self._surfaces[sf].keys:
                    exp.offer(kid, 1.0, True)
            cyrillic = is_cyrillic(word)
            translated = self.translator.offer(word, exp, self.live_key, TRANSLATION_WEIGHT)

            def same_script(cand: str) -> bool:
                """A translated word's near spellings in the other script are accidents of
                transliteration ("цены" is "ceni", one letter from "cent"), not typos: left out."""
                return not translated or is_cyrillic(self._surfaces[cand].display) == cyrillic

            near = self._candidates.near(
                sf, to_ascii(word), scan=not translated, cyrillic=cyrillic, own_script=translated
            )

            def guess(cand: str) -> bool:
                """A spelling in the other script is a guess at how a name is written there: a common
                word a letter off the word's transliteration is an accident ("Тэтчер" is not "teacher")."""
                return is_cyrillic(self._surfaces[cand].display) == cyrillic or self.names.is_name(cand)

            near = {c: d for c, d in near.items() if same_script(c)}
            for cand, d in near.items():
                # A near spelling in the other script is a letter off the word's transliteration, not
                # a typo of it: "Хоук" (Hawke) is "houk", a letter from "hour". It counts as a guess,
                # below a spelling that sounds like the word, and shares the sound-alikes' IDF: else a
                # rare one wins by rarity ("Ганди" is "Handy" before Gandhi).
                if not guess(cand):
                    continue
                own = is_cyrillic(self._surfaces[cand].display) == cyrillic
                weight = FUZZY_WEIGHT[d] * (1.0 if own else CROSS_SCRIPT_SHARE)
                for kid in self._surfaces[cand].keys:
                    if exp.offer(kid, weight, False) and not own:
                        exp.sounded.add(kid)
            # The rare form of a common word typed in its script, unless it is a name ("Ping" of Wang Ping
            # is not "paying"; "Хоги" is not "hogi", misspelled "hog")
            entry = self._surfaces.get(sf)
            rare = entry is not None and is_cyrillic(entry.display) == cyrillic and not self.names.is_name(sf)
            common = self._candidates.misspelled(sf, near) if rare else None
            if common is not None:
                # "competiveness", twice in the corpus beside "competitiveness" 93 times: the common
                # spelling counts as the exact match, the rare one as its typo neighbour.
                for kid in self._surfaces[sf].keys:
                    exp.alts[kid] = (FUZZY_WEIGHT[near[common]], False)
                for kid in self._surfaces[common].keys:
                    exp.alts[kid] = (1.0, True)
            if prefix and len(sf) >= 3:
                completions = [c for c in self._candidates.completions(sf) if same_script(c) and guess(c)]
                top = max((self._surface_count(c) for c in completions), default=1.0) or 1.0  # title-only: 0
                for cand in completions:
                    # The likelier completion of an unfinished word is the more frequent one. One in the
                    # other script completes the word's transliteration: a guess, as a near spelling
                    # there is ("Пёль" is not "pellets").
                    share = (self._surface_count(cand) / top) ** PREFIX_FREQ_EXP
                    own = is_cyrillic(self._surfaces[cand].display) == cyrillic
                    # (twice: a guess at the word's spelling, then at its end: "Чампи" is not Champion)
                    weight = min(PREFIX_WEIGHT * share * (1.0 if own else CROSS_SCRIPT_SHARE**2), prefix_cap)
                    for kid in self._surfaces[cand].keys:
                        if exp.offer(kid, weight, False) and not own:
                            exp.sounded.add(kid)
            # A translated word's sound-alikes in the other script are accidents, as its near spellings are
            if not translated and not self._has_as_typed(word, sf, exp):
                if cyrillic:
                    self._transliteration_as_sound(exp)
                self.offer_sounds(
                    query_spellings(word, sf),
                    exp,
                    1.0,
                    cyrillic,
                    transcribed_spellings(word),
                    read_back(word),
                )
        umlauts = _UMLAUTS.sub(lambda m: _UMLAUT_DIGRAPHS[m.group()], word)
        if umlauts != word:
            self._respell_umlauts(umlauts, exp)
        self._cache[cache_key] = exp
        return exp

    def _respell_umlauts(self, digraphs: str, exp: Expansion) -> None:
        """German spelling writes "Pöhl" as "Poehl", the same word; transliteration made it "pohl",
        another name (Pohl), a letter off: the digraph spelling is the exact match, the plain one a typo."""
        for kid in [kid for kid, (_, exact) in exp.alts.items() if exact]:
            exp.alts[kid] = (FUZZY_WEIGHT[1], False)
        for key in self.analyzer.keys(digraphs):
            found = self._key_id.get(key)
            if found is not None and self._df(found):
                exp.alts[found] = (1.0, True)

    def _transliteration_as_sound(self, exp: Expansion) -> None:
        """A Cyrillic word the corpus has only in Latin letters matched its transliteration, which is one
        guess at a foreign name's spelling among the sound-alikes, not the word as typed: "Коль" is
        "kol", but Kohl; "Хоги" is "hog". It is weighed as a sound-alike of full likeness (a common word,
        one the corpus does not write as a name, less) and shares their IDF, so the name the sound rules
        find stands level with it rather than under a rare transliteration ("Пёль" is "pel" 8 times)."""
        for kid in [kid for kid, (_, exact) in exp.alts.items() if exact]:
            name = self.names.is_name(self._keys[kid])
            exp.alts[kid] = (SOUND_WEIGHT * (1.0 if name else SOUND_DICTIONARY_SHARE), False)
            exp.sounded.add(kid)

    def _has_as_typed(self, word: str, sf: str, exp: Expansion) -> bool:
        """Whether the corpus has the word as typed, in its own script: "Дэн" (Deng) is not "den"."""
        if not any(exact for _, exact in exp.alts.values()):
            return False
        if not is_cyrillic(word):
            entry = self._surfaces.get(sf)
            return entry is None or not is_cyrillic(entry.display)
        # A Russian word, as typed or as one of its lemmas, written in Cyrillic in some document
        forms = [sf, *(self.analyzer.surface_fold(lemma) for lemma in self.analyzer.lemmas(word))]
        return any((e := self._surfaces.get(f)) is not None and is_cyrillic(e.display) for f in forms)

    def offer_sounds(
        self,
        spellings: Sequence[str],
        exp: Expansion,
        share: float,
        cyrillic: bool,
        transcribed: Sequence[str] = (),
        read_back: Sequence[str] = (),
    ) -> bool:
        """Offer the spellings that sound like ``spelling``: the MAX_SOUND_EXPANSIONS likeliest, by the
        likeness of their sound spellings; a dictionary word counts less than a name ("Айкан" is Icahn
        before "again")."""
        near = self._sounds.near(spellings, SOUND_SIMILARITY[cyrillic])
        # A spelling read back through a transcription rule is a likelier guess than a rough likeness
        # but less likely than the word's own transliteration ("Рейган" is Reagan before "ragan").
        for cand, sim in self._sounds.near(transcribed, SOUND_SIMILARITY[cyrillic]).items():
            near[cand] = max(near.get(cand, 0.0), TRANSCRIBED_SHARE * sim)
        # A name it reads the word back to letter for letter is no guess at its sound: it is the name
        # ("Чампи" is Ciampi by the Italian ci, not Zambia, which sounds as much alike)
        found = [cand for cand in read_back if cand in self._surfaces and self.names.is_name(cand)]
        if found:
            near = {cand: sim * READ_BACK_OTHERS for cand, sim in near.items()}
            near.update(dict.fromkeys(found, 1.0))
        weights: dict[str, float] = {}
        for cand, sim in near.items():
            name = self.names.is_name(cand)
            if not name and sim < SOUND_COMMON_SIMILARITY:
                # A common word must sound all but the same: "Тэтчер" sounds like "desire" as much as
                # like Thatcher (teSer: teSir, taSer); only the capital tells the name
                continue
            weights[cand] = SOUND_WEIGHT * share * sim * (1.0 if name else SOUND_DICTIONARY_SHARE)
        for cand in sorted(weights, key=lambda c: -weights[c])[:MAX_SOUND_EXPANSIONS]:
            for kid in self._surfaces[cand].keys:
                if exp.offer(kid, weights[cand], False):
                    exp.sounded.add(kid)
        return bool(weights)

    def neighbours(self, query: Query, words: Sequence[str]) -> Neighbours:
        """What the query's words add to each other (``Neighbours``)."""
        hyphen = "-" in query.text
        cyrillic = any(map(is_cyrillic, words))
        return Neighbours(
            self,
            self.translator.phrases(words) if cyrillic else {},
            korean_forms(words, query.text.lower()) if hyphen else {},
            self.hyphenated(query, words) if hyphen else {},
            cyrillic,
            self.named(query, words) if cyrillic else {},
            self.joined(words),
        )

    def phrase_patterns(self, phrase: Sequence[str]) -> list[Pattern]:
        """What a quoted phrase may stand for (``Translator.phrase_patterns``): a Cyrillic word also as
        the Latin spellings that sound like it (a name: "Крокус", Crocus); a Latin word's Russian
        translations only by keys no Latin spelling has, so an English phrase still matches English text
        exactly ("central bank" glosses as "ЦБ", whose key is English "CB"'s, and "incyude" is no word)."""

        def sounded(word: str) -> set[int]:
            return self.expand(word, prefix=False).sounded if is_cyrillic(word) else set()

        def gloss_key(key: str, cyrillic: bool) -> int | None:
            kid = self.live_key(key)
            return kid if kid is None or cyrillic or not self._has_latin_spelling(key, kid) else None

        return self.translator.phrase_patterns(phrase, self._key_id.get, sounded, gloss_key)

    def _has_latin_spelling(self, key: str, kid: int) -> bool:
        """Whether a spelling written in Latin letters has the key ``kid``: those start with the key (a
        stem is its folded word's start: "compani", company)."""
        for sf in self._candidates.starting_with(key)[:MAX_STEM_SPELLINGS]:
            entry = self._surfaces[sf]
            if kid in entry.keys and not is_cyrillic(entry.display):
                return True
        return False

    def surface_keys(self, sf: str) -> tuple[int, ...]:
        entry = self._surfaces.get(sf)
        return entry.keys if entry is not None else ()

    def joined(self, words: Sequence[str]) -> dict[int, tuple[str, ...]]:
        """Folded spellings of two consecutive words written together that the corpus has as a name, by
        the position of each: a name's particle is written apart or not ("Mac Sharry", MacSharry; "Aba
        al-Khail", Abal-Khail)."""
        out: dict[int, list[str]] = {}
        for i in range(len(words) - 1):
            if words[i].isdigit() or words[i + 1].isdigit():
                continue
            sf = self.analyzer.surface_fold(words[i] + words[i + 1])
            if sf in self._surfaces and self.names.is_name(sf):
                out.setdefault(i, []).append(sf)
                out.setdefault(i + 1, []).append(sf)
        return {i: tuple(found) for i, found in out.items()}

    def named(self, query: Query, words: Sequence[str]) -> dict[int, str]:
        """The Russian words of the query typed as a name, by position: capitalised past the query's first
        word (Russian writes only names so), and either transliterated a spelling the corpus writes as a
        name or beside a capitalised word the lexicon does not know ("Де Клерк": Klerk; Де). Such a word
        is a name before it is a dictionary word (``as_name``); "Банка Японии" is not one."""
        typed = [t for t in WORD_RE.findall(query.text) if t[:1].isupper() and t[1:2].islower()]
        if not typed:
            return {}
        text = WORD_RE.findall(query.text)
        capitalised = {t.lower() for t in typed}
        first = text[0].lower()

        def foreign(at: int) -> bool:
            """Whether the word at ``at`` is a capitalised Russian word the lexicon does not translate."""
            return (
                0 <= at < len(words)
                and words[at] in capitalised
                and is_cyrillic(words[at])
                and not self.translator.glosses(words[at])
            )

        out: dict[int, str] = {}
        for i, word in enumerate(words):
            if word not in capitalised or word == first or not is_cyrillic(word):
                continue
            if self.names.is_name(self.analyzer.surface_fold(word)) or foreign(i - 1) or foreign(i + 1):
                out[i] = word
        return out

    def as_name(self, word: str, exp: Expansion) -> None:
        """A translated word typed as a name (``named``) weighed as a name: its translations that the
        corpus does not write as names count as guesses below the spellings that sound like it, which it
        is searched by as a word the lexicon lacks is ("Клерк" is De Clercq before "clerk")."""
        if not exp.translated and not exp.groups:
            return  # not translated: the sound-alikes are in already
        for kid in exp.translated:
            weight, exact = exp.alts[kid]
            if not self.names.is_name(self._keys[kid]):
                exp.alts[kid] = (weight * NAMED_TRANSLATION_SHARE, exact)
        for kids in exp.groups:
            exp.groups[kids] *= NAMED_TRANSLATION_SHARE
        sf = self.analyzer.surface_fold(word)
        self._transliteration_as_sound(exp)
        self.offer_sounds(
            query_spellings(word, sf), exp, 1.0, True, transcribed_spellings(word), read_back(word)
        )

    def offer_forms(self, forms: Sequence[str], exp: Expansion) -> None:
        """Offer other spellings of the word that a romanization table says are the same name
        (``sound.korean_forms``): as the word itself."""
        for form in forms:
            entry = self._surfaces.get(self.analyzer.surface_fold(form))
            for kid in entry.keys if entry is not None else ():
                exp.offer(kid, 1.0, True)

    def _known(self, word: str) -> bool:
        """Whether some live document holds the word's first key."""
        keys = self.analyzer.keys(word)
        return bool(keys) and self.live_key(keys[0]) is not None

    def hyphenated(self, query: Query, words: Sequence[str]) -> dict[int, tuple[str, ...]]:
        """Sound spellings of consecutive words typed joined by a hyphen ("Tzu-yang", Wade-Giles for
        Ziyang), by the position of each, when they are short as syllables are or the corpus lacks one
        (not "export-import"): another system splits a name into syllables."""
        text = query.text.lower()
        out: dict[int, tuple[str, ...]] = {}
        for i in range(len(words) - 1):
            pair = words[i : i + 2]
            syllables = all(len(w) <= MAX_SYLLABLE for w in pair)
            if f"{words[i]}-{words[i + 1]}" in text and (syllables or not all(map(self._known, pair))):
                joined = words[i] + words[i + 1]
                out[i] = out[i + 1] = query_spellings(joined, self.analyzer.surface_fold(joined))
        return out
