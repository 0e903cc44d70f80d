"""Words of one language that name the same thing: "canola" is rapeseed, "jobless" is unemployment.

Typo tolerance, transliteration and translation reach the spellings and the other language of the word a
user typed, never another word of the same language. Yet market copy names one commodity several ways:
a follow of "rapeseed" missed the Saskatchewan crop report's "canola", one of "palm oil" every tender
for "RBD palm olein", one of "unemployment" the OECD outlook's "jobless total" (the follow benchmark's
readers judged them relevant). A thesaurus such as WordNet would add far more than it helps (its
synonyms of "gold" include "amber"), so, as Solr and Elasticsearch do, the equivalences are a short
hand-kept list (``data/synonyms.txt``) in Solr's ``synonyms.txt`` format:

- ``canola, rapeseed, colza, oilseed rape``: each counts for each other;
- ``olein => oil``: a document's "olein" counts for a query of "oil", not the other way round (Solr's
  explicit mapping, applied at index time there and read here as what a query word may match).

Entries are keyed as the index keys words (``Analyzer.keys``: the stem, the Russian lemma), so any
inflected form may be written. A query word is one word, so only one-word entries are looked up; an entry
of several words ("oilseed rape", "Collective Security Treaty Organization") is matched in a document as
a phrase gloss of the lexicon is, when the document holds all its words. A synonym is weighed as a
translation in the query's own language (``SYNONYM_WEIGHT``, under the word itself, and never scored as
rarer than it) and counts for a follow as the word does.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from bot.search.expand import Expansion
from bot.textnorm import STOP_WORDS

SHIPPED = Path(__file__).resolve().parent / "data" / "synonyms.txt"
SYNONYM_WEIGHT = 0.9  # under the word as typed: a document that says "rapeseed" leads a search for it

Phrase = tuple[str, ...]  # the keys of an entry's words


@dataclass(frozen=True)
class Synonyms:
    """A word's key -> the entries (phrases of keys) a document may hold instead of it."""

    table: dict[str, tuple[Phrase, ...]]

    @classmethod
    def parse(cls, text: str, keys: Callable[[str], Sequence[str]]) -> Synonyms:
        """Solr ``synonyms.txt`` lines (module docstring); ``keys`` keys a word as the index does.
        A line that keys to fewer than two entries (a stop word alone, a blank entry) adds nothing."""
        table: defaultdict[str, list[Phrase]] = defaultdict(list)

        def entries(part: str) -> list[tuple[Phrase, tuple[str, ...]]]:
            """Each entry's phrase of primary keys, and the keys it is looked up by (one word only)."""
            out = []
            for entry in part.split(","):
                words = [keys(w) for w in entry.split() if w.lower() not in STOP_WORDS]
                phrase = tuple(k[0] for k in words if k)
                if phrase:
                    out.append((phrase, tuple(words[0]) if len(words) == 1 else ()))
            return out

        for raw in text.splitlines():
            line = raw.split("#", 1)[0].strip()
            if not line:
                continue
            if "=>" in line:
                left, right = line.split("=>", 1)
                sources, targets = entries(left), entries(right)
            else:
                sources = targets = entries(line)
            for _, lookup in targets:
                for key in lookup:
                    for phrase, _ in sources:
                        if phrase != (key,) and phrase not in table[key]:
                            table[key].append(phrase)
        return cls({key: tuple(phrases) for key, phrases in table.items()})

    @classmethod
    def load(cls, keys: Callable[[str], Sequence[str]], path: Path = SHIPPED) -> Synonyms:
        return cls.parse(path.read_text(encoding="utf-8"), keys)

    def of(self, key: str) -> tuple[Phrase, ...]:
        return self.table.get(key, ())

    def offer(self, word_keys: Sequence[str], exp: Expansion, key_id: Callable[[str], int | None]) -> None:
        """Offer the synonyms the corpus has (``key_id``: a key's id, None when no live document holds
        it) of a query word keyed ``word_keys`` as its alternatives in ``exp``."""
        for key in word_keys:
            for phrase in self.of(key):
                ids = [key_id(k) for k in phrase]
                kids = tuple(k for k in ids if k is not None)
                if len(kids) < len(ids):
                    continue  # the corpus lacks (a word of) it
                if len(kids) == 1:
                    if exp.offer(kids[0], SYNONYM_WEIGHT, False):
                        exp.synonyms.add(kids[0])
                else:
                    group = tuple(sorted(set(kids)))
                    exp.offer_group(group, SYNONYM_WEIGHT)
                    exp.synonym_groups.add(group)
