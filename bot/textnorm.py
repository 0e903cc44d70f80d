"""Text normalisation shared by the index, the query parser and (later) the people index.

Every word is reduced to one or more *keys*. Two spellings that a reader would take for the same word must
reach the same key, whatever script or transliteration scheme they were typed in, so the pipeline is:

1. lowercase and transliterate to ASCII (``anyascii``): ``Масадыков`` -> ``masadykov``;
2. *fold* the spelling variants that transliteration schemes disagree on (y/i, x/ks, ph/f, kh/h, ts/c,
   doubled letters), so ``Masadikov`` and ``Masadykov`` both become ``masadikov``;
3. stem with the Snowball English stemmer (PyStemmer), after folding, so that two variants that fold alike
   are stemmed alike.

Russian words are first lemmatised with pymorphy3 (a dictionary-backed morphological analyser): the
inflected ``Масадыкову`` and ``Масадыковым`` both lemmatise to ``масадыков``. A Russian word can have
several plausible lemmas (``масадыков`` parses both as a surname and as a plural of ``масадык``), so it gets
one key per distinct lemma; a match on any of them counts.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache

import pymorphy3
import Stemmer
from anyascii import anyascii

# Letters and digits; underscores and everything else separate words. Apostrophes inside words are kept
# out on purpose: "Russia's" gives "russia" and "s", and the lone "s" is harmless.
WORD_RE = re.compile(r"[^\W_]+", re.UNICODE)
# ``WORD_RE`` on lowercased ASCII is the runs of [a-z0-9]: this table lowercases those bytes and blanks
# every other one, so ``bytes.split`` finds the same words several times faster than the regex.
ASCII_WORD_BYTES = bytes(
    c + 32 if 65 <= c <= 90 else c if 48 <= c <= 57 or 97 <= c <= 122 else 32 for c in range(256)
)
_CYRILLIC_RE = re.compile(r"[\u0400-\u04FF]")

_NON_ALNUM_RE = re.compile(r"[^a-z0-9]+")
# a letter the same letter follows: dropping each leaves one of a doubled letter (a literal replacement,
# which the regex engine applies without a per-match template)
_DOUBLED_RE = re.compile(r"([a-z])(?=\1)")
# Spelling pairs that transliteration schemes disagree on, applied in order: "x" must become "ks" before
# doubled letters collapse, "ph"/"kh" before a lone "h" could be touched.
_FOLD_PAIRS: tuple[tuple[str, str], ...] = (
    ("x", "ks"),
    ("ph", "f"),
    ("kh", "h"),
    ("ts", "c"),
    ("tz", "c"),
    ("y", "i"),
)

# Words too common to carry meaning on their own. A query made only of these is answered with a hint
# instead of every document in the corpus. Kept short on purpose: BM25's idf already discounts common
# words; this list only decides what a "query of only stop words" is.
STOP_WORDS: frozenset[str] = frozenset(
    [
        "a",
        "an",
        "and",
        "are",
        "as",
        "at",
        "be",
        "been",
        "but",
        "by",
        "for",
        "from",
        "had",
        "has",
        "have",
        "he",
        "her",
        "his",
        "i",
        "if",
        "in",
        "into",
        "is",
        "it",
        "its",
        "of",
        "on",
        "or",
        "our",
        "she",
        "so",
        "than",
        "that",
        "the",
        "their",
        "them",
        "they",
        "this",
        "to",
        "was",
        "we",
        "were",
        "what",
        "when",
        "which",
        "who",
        "will",
        "with",
        "you",
        "your",
        "не",
        "и",
        "в",
        "во",
        "на",
        "с",
        "со",
        "по",
        "к",
        "ко",
        "о",
        "об",
        "от",
        "для",
        "из",
        "у",
        "за",
        "что",
        "это",
        "как",
        "а",
        "но",
        "же",
        "ли",
        "бы",
        "то",
    ]
)

_MAX_LEMMAS = 3  # pymorphy3 parses beyond the third are rarely right and only add noise


@dataclass(frozen=True, slots=True)
class Token:
    """One word of a text: where it stands, how it was written, and its index keys."""

    start: int
    end: int
    surface: str  # lowercased, as written
    keys: tuple[str, ...]  # first key is the primary one, used for phrases and proximity

    @property
    def is_number(self) -> bool:
        return self.surface.isdigit()


# anyascii's transliteration of each letter from Latin-1 to Cyrillic (it reads a string letter by letter,
# in Python): the letters news is written in, as one ``str.translate`` table (a Russian word 2.6x faster).
_ASCII_OF = {cp: anyascii(chr(cp)) for cp in range(0x80, 0x500)}


def to_ascii(word: str) -> str:
    """Lowercase ASCII transliteration of one word."""
    if word.isascii():  # what anyascii leaves as it is
        return word.lower()
    out = word.translate(_ASCII_OF)
    return (out if out.isascii() else anyascii(word)).lower()


def fold(ascii_word: str) -> str:
    """Collapse transliteration variants of an ASCII word onto one spelling."""
    out = ascii_word if ascii_word.isalnum() and ascii_word.isascii() else _NON_ALNUM_RE.sub("", ascii_word)
    for old, new in _FOLD_PAIRS:
        if old in out:
            out = out.replace(old, new)
    return _DOUBLED_RE.sub("", out)


def word_list(text: str) -> list[str]:
    """The words of a text, lowercased, in order: ``WORD_RE.findall(text.lower())``, without the regex
    for an ASCII text (most of a news feed; building the index spent a fifth of its time here)."""
    if text.isascii():
        return text.encode("ascii").translate(ASCII_WORD_BYTES).decode("ascii").split()
    return WORD_RE.findall(text.lower())


def is_cyrillic(word: str) -> bool:
    return _CYRILLIC_RE.search(word) is not None


@lru_cache(maxsize=1)
def _shared_morph() -> pymorphy3.MorphAnalyzer:
    """One analyser per process, loaded on the first Russian word: English-only runs never pay for it,
    and its dictionaries are read-only, so every Analyzer can share it."""
    return pymorphy3.MorphAnalyzer()


class Analyzer:
    """Turns text into tokens with keys. Caches per distinct word: a corpus has far fewer distinct words
    than tokens, and pymorphy3 costs about 0.1 ms per parse."""

    def __init__(self) -> None:
        self._stemmer = Stemmer.Stemmer("english")
        self._morph: pymorphy3.MorphAnalyzer | None = None

    @property
    def morph(self) -> pymorphy3.MorphAnalyzer:
        if self._morph is None:
            self._morph = _shared_morph()
        return self._morph

    def keys(self, word: str) -> tuple[str, ...]:
        """The index keys of one lowercased word (empty when nothing indexable is left)."""
        return self._keys_cached(word)

    @lru_cache(maxsize=500_000)  # noqa: B019 - one Analyzer lives as long as the process
    def _keys_cached(self, word: str) -> tuple[str, ...]:
        if word.isdigit():
            return (word,)
        sources = list(self.lemmas(word)) if is_cyrillic(word) else [word]
        out: list[str] = []
        for src in sources:
            folded = self.surface_fold(src)
            if not folded:
                continue
            key = self._stemmer.stemWord(folded)
            if key not in out:
                out.append(key)
        return tuple(out)

    def spelling_key(self, word: str) -> str:
        """A Latin word's key without the transliteration fold: the stem of its ASCII spelling. Two
        words sharing a key may differ here ("copper" and "cooperation" both fold to "coper")."""
        return str(self._stemmer.stemWord(to_ascii(word)))

    def lemma_key(self, lemma: str) -> str:
        """The key of a word already in its normal form (a lexicon's Russian lemma): what ``keys`` gives
        for it, without asking pymorphy3 to parse it again."""
        folded = self.surface_fold(lemma)
        return self._stemmer.stemWord(folded) if folded else ""

    @lru_cache(maxsize=100_000)  # noqa: B019 - as below
    def lemmas(self, word: str) -> tuple[str, ...]:
        """A lowercased Russian word's distinct pymorphy3 normal forms, likeliest first."""
        out: list[str] = []
        for parse in self.morph.parse(word)[:_MAX_LEMMAS]:
            if parse.normal_form not in out:
                out.append(parse.normal_form)
        return tuple(out)

    @lru_cache(maxsize=500_000)  # noqa: B019 - as above; the index asks for a new word's keys, then this
    def surface_fold(self, word: str) -> str:
        """The folded, unstemmed spelling: what typo and prefix matching compare against."""
        return fold(to_ascii(word))

    def tokens(self, text: str) -> list[Token]:
        out: list[Token] = []
        for m in WORD_RE.finditer(text):
            surface = m.group().lower()
            keys = self.keys(surface)
            if keys:
                out.append(Token(m.start(), m.end(), surface, keys))
        return out


def normalize_for_hash(text: str) -> str:
    """The text as compared for exact duplicates: Unicode-normalised, case-folded, whitespace collapsed."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())
