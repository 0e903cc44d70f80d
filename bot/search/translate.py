"""English–Russian word translation for cross-language search, from a compiled lexicon shipped here.

A Russian query must find English documents and an English query Russian ones. Dossier does this by
*query translation*: each query word is looked up in a bilingual lexicon and its translations are
searched beside it. The lexicon (``data/en_ru.tsv.gz``, built by ``bench/build_lexicon.py`` from
Mueller's English–Russian dictionary, FreeDict, ISO 3166 country names and the hand-kept
``data/supplement.tsv``; licences in ``data/LICENSE.lexicon``) is keyed as the index keys words:

- English by the index's stem key (``Analyzer.keys(word)[0]``: ASCII fold, then Snowball, so "exercises"
  is ``eksercis``); this module returns such keys, ready to look up in the index;
- Russian by pymorphy3 normal form, lowercased, "ё" written "е" ("учения" -> ``учение``); this module
  returns lemmas, which the index keys through ``Analyzer.keys`` like any Russian word.

A key may be a phrase, its words' keys joined by one space (``генеральный секретарь`` ->
``secretari general``); ``max_phrase_words`` says how many consecutive query words are worth trying.

**Structured query translation.** A word's translations are alternatives for *one* query word, not new
query words: "учения" gives ``eksercis`` and ``dril``, and a document about military drills must not
score twice for matching both, nor a word with eight translations weigh eight times a word with one. The
scorer takes a word's translations as one disjunctive group (a document matches the group if it
matches any member; its term statistics are those of the group, as Pirkola's structured queries and
Darwish & Oard's probabilistic structured queries do), weighted by the member's ``weight`` here and
counted under a match in the query's own language, which is the surer evidence.

Weights fall with sense rank: 1.0 for the first translation, then ``_ROUND_DECAY`` per dictionary sense
round further down and ``_POSITION_DECAY`` per place in the list, so a word's first senses lead and
synonyms given in one sense stay close.
"""

from __future__ import annotations

import gzip
from bisect import bisect_left
from dataclasses import dataclass
from functools import cache
from pathlib import Path

SHIPPED = Path(__file__).resolve().parent / "data" / "en_ru.tsv.gz"

_ROUND_DECAY = 0.7
_POSITION_DECAY = 0.95
_MIN_WEIGHT = 0.1

Translations = list[tuple[str, float]]


def _weights(raw: str) -> Translations:
    """Parse one line's translations, 'key:round' tab-separated, into (key, weight) best first."""
    out: Translations = []
    first_round: int | None = None
    for pos, item in enumerate(raw.split("\t")):
        keys, _, rnd_text = item.rpartition(":")
        rnd = int(rnd_text)
        if first_round is None:
            first_round = rnd
        weight = round(max(_ROUND_DECAY ** (rnd - first_round) * _POSITION_DECAY**pos, _MIN_WEIGHT), 4)
        # "market|markec": one translation under the keys of its inflections (see build_lexicon.py)
        out.extend((key, weight) for key in keys.split("|"))
    return out


def normalise_ru(lemma: str) -> str:
    """A Russian lemma (or phrase of lemmas) as the lexicon keys it: lowercase, "ё" as "е", one space."""
    return " ".join(lemma.lower().replace("ё", "е").split())


@dataclass(frozen=True, slots=True)
class Lexicon:
    """Both directions of the lexicon, as the file's lines sorted whole ("E\\tkey\\t..." and
    "R\\tkey\\t..."). A key is found by bisection and its line parsed on lookup: loading is a decompress
    and a split (no dict of 95,000 entries to build), and a search touches only the words it asks about."""

    lines: list[str]
    header: tuple[str, ...] = ()  # the file's '#' lines: sources, and the supplement hash it was built from

    @staticmethod
    def load() -> Lexicon:
        """The shipped lexicon, read once per process."""
        return _load_shipped()

    @classmethod
    def from_text(cls, text: str) -> Lexicon:
        lines = text.splitlines()
        n_header = 0
        while n_header < len(lines) and lines[n_header].startswith("#"):
            n_header += 1
        header = tuple(line.lstrip("# ") for line in lines[:n_header])
        return cls(lines[n_header:], header)

    def _meta(self, name: str) -> str:
        prefix = f"{name}:"
        for line in self.header:
            if line.startswith(prefix):
                return line[len(prefix) :].strip()
        return ""

    @property
    def supplement_hash(self) -> str:
        """The hash of ``supplement.tsv`` this lexicon was built from: a test compares it with the file's."""
        return self._meta("supplement-sha256")

    @property
    def max_phrase_words(self) -> int:
        """The most words a key holds: how many consecutive query words are worth looking up together."""
        return int(self._meta("max-phrase-words") or 1)

    def _lookup(self, tag: str, key: str) -> Translations:
        prefix = f"{tag}\t{key}\t"
        at = bisect_left(self.lines, prefix)
        if at < len(self.lines) and self.lines[at].startswith(prefix):
            rest = self.lines[at][len(prefix) :]
            if rest.startswith("="):  # an inflected variant's key ("markec" for "markets"): its base's
                return self._lookup(tag, rest[1:])
            return _weights(rest)
        return []

    def has_en(self, stem: str) -> bool:
        """Whether the lexicon has an English stem key: a dictionary word rather than a name."""
        prefix = f"E\t{stem}\t"
        at = bisect_left(self.lines, prefix)
        return at < len(self.lines) and self.lines[at].startswith(prefix)

    def translate_ru(self, lemma: str) -> Translations:
        """English stem keys for a Russian lemma or lemma phrase, with weights, best first."""
        return self._lookup("R", normalise_ru(lemma))

    def translate_en(self, stem: str) -> Translations:
        """Russian lemmas for an English stem key or phrase of stem keys, with weights, best first."""
        return self._lookup("E", " ".join(stem.lower().split()))

    def __len__(self) -> int:
        return len(self.lines)


@cache
def _load_shipped() -> Lexicon:
    return Lexicon.from_text(gzip.decompress(SHIPPED.read_bytes()).decode("utf-8"))
