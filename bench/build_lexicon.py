"""Compile the English–Russian lexicon that cross-language search ships: ``bot/search/data/en_ru.tsv.gz``.

Sources, in the order their translations rank:

1. ``bot/search/data/supplement.tsv``: hand-kept pairs a news corpus needs and 1961 dictionaries lack
   (ОДКБ/CSTO, ООН/UN, генсек/secretary general, теракт/terrorist attack, процентная ставка/interest rate);
2. V. K. Mueller's English–Russian dictionary, 7th edition (Debian ``mueller7-dict``, GPL-2+): about
   46,000 headwords with their senses in order, the largest English–Russian dictionary a package registry
   carries;
3. FreeDict English–Russian (Debian ``dict-freedict-eng-rus``, GPL-2+): only 1,700 headwords, but it has
   country names (Germany/Германия, Iran/Иран) that Mueller lacks;
4. the Russian names of countries from ISO 3166 as ``pycountry`` ships them (its gettext catalogues,
   LGPL-2.1), already a dependency of ``bot/places.py``.

Both dictionaries are English → Russian only (Debian carries no Russian → English one), so the Russian →
English side is the inverse: a Russian lemma's English stems are the headwords that give it, best first
by the sense rank at which they give it, then by how common the English word is (how often it occurs in
the dictionary's own examples, a general-language frequency that owes nothing to the search benchmark).

Keys are normalised the way the search index keys words: English words by ``Analyzer.keys`` (ASCII
fold, then the Snowball stemmer: "exercises" -> "eksercis"), Russian words by pymorphy3's first normal
form, lowercased, "ё" written "е". Multi-word glosses ("генеральный секретарь", "interest rate") are kept
as phrases of such keys joined by spaces, at most three words: a phrase is how Russian renders many
English compounds and acronyms, and a scorer that cannot use a phrase can skip it, while a dropped
phrase could not be recovered. Glosses with placeholders ("кому-л."), examples (any gloss with Latin
letters) and function words are dropped.

Getting the dictionaries (only to rebuild; the compiled file ships in the package):

    apt-get install mueller7-dict dict-freedict-eng-rus   # puts them in /usr/share/dictd
    python bench/build_lexicon.py                         # or --dictd DIR for another folder

The output is deterministic; ``tests/test_translate.py`` checks it was rebuilt after the supplement last
changed (the header records the supplement's hash).
"""

from __future__ import annotations

import argparse
import gettext
import gzip
import hashlib
import re
import sys
from collections import Counter, defaultdict
from collections.abc import Iterable, Iterator
from pathlib import Path

import pycountry
import pymorphy3

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from bot.textnorm import STOP_WORDS, WORD_RE, Analyzer  # noqa: E402

DATA = REPO / "bot" / "search" / "data"
OUT = DATA / "en_ru.tsv.gz"
SUPPLEMENT = DATA / "supplement.tsv"

MAX_EN_SENSES = 10  # sense rounds kept per English stem: Mueller's long tail is archaic or idiomatic
MAX_PER_EN = 12  # Russian lemmas kept per English stem
MAX_PER_RU = 8  # English stems kept per Russian lemma
MAX_PHRASE_WORDS = 3
# Sense rounds past this are not worth inverting: a Russian word given only as the 7th sense of an English
# headword would make that headword one of its translations, almost always a wrong one.
MAX_INVERT_ROUND = 4

_B64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"

# Structure marks of a Mueller entry: homonym (_I, _II), part of speech (1., 2.), sense (1), 10)) and
# sub-sense (а), б)). They become control characters before anything else is cut.
_HOMONYM_RE = re.compile(r"(?<!\S)_(?:I|II|III|IV|V|VI|VII)(?=\s|$)")
_POS_RE = re.compile(r"(?<!\S)\d+\.(?=\s)")
_SENSE_RE = re.compile(r"(?<!\S)\d+\)")
_SUBSENSE_RE = re.compile(r"(?<!\S)[абвгдеж]\)")
_BLOCK, _SENSE = "\x02", "\x01"
_PAREN_RE = re.compile(r"\([^()\x01\x02]*\)")
_BRACE_RE = re.compile(r"\{[^{}]*\}")
_PRON_RE = re.compile(r"\[[^\]]*\]")
# Style and field labels (_воен., _attr., _pl.), their unmarked kin, and "smb."-style placeholders.
_LABEL_RE = re.compile(
    r"(?<!\S)(?:_\S+|обыкн\.|особ\.|тж\.|преим\.|букв\.|гл\.\s*обр\.|и\s*т\.\s*п\.|и\s*т\.\s*д\.|"
    r"и\s*пр\.|т\.\s*е\.|напр\.|перен\.|разг\.|pl:?|attr\.?)(?=\s|$|[,;])"
)
_PLACEHOLDER_RE = re.compile(r"\S+-л\.")
_LATIN_RE = re.compile(r"[A-Za-z]")
_RU_WORD_RE = re.compile(r"^[а-яё]+(?:-[а-яё]+)*$")
_FUNCTION_POS = frozenset({"PREP", "CONJ", "PRCL", "INTJ", "NPRO", "PRED"})


def read_dictd(folder: Path, name: str) -> Iterator[tuple[str, str]]:
    """(headword, entry text) of a dictd database, in index order, without its 00-database-* entries."""
    with gzip.open(folder / f"{name}.dict.dz") as f:  # dictzip is gzip with a seek table
        raw = f.read()
    for line in (folder / f"{name}.index").read_text(encoding="utf-8").splitlines():
        head, offset, length = line.split("\t")
        if head.startswith("00-database") or head.startswith("00database"):
            continue
        start, size = _b64(offset), _b64(length)
        yield head, raw[start : start + size].decode("utf-8")


def _b64(text: str) -> int:
    n = 0
    for ch in text:
        n = n * 64 + _B64.index(ch)
    return n


def mueller_senses(entry: str) -> list[list[list[str]]]:
    """An entry's glosses, grouped as blocks (homonym x part of speech) of senses of glosses."""
    body = " ".join(entry.split("\n")[1:])
    body = _PRON_RE.sub(" ", body)
    body = _HOMONYM_RE.sub(_BLOCK, body)
    body = _POS_RE.sub(_BLOCK, body)
    body = _SENSE_RE.sub(_SENSE, body)
    body = _SUBSENSE_RE.sub(_SENSE, body)
    for _ in range(3):  # nested parentheses, innermost first
        body = _PAREN_RE.sub(" ", body)
    body = _BRACE_RE.sub(" ", body)
    blocks: list[list[list[str]]] = []
    for block in body.split(_BLOCK):
        senses = [glosses for sense in block.split(_SENSE) if (glosses := _glosses(sense))]
        if senses:
            blocks.append(senses)
    return blocks


def _glosses(sense: str) -> list[str]:
    """The Russian glosses of one sense: ';' parts without Latin letters, split at commas."""
    out: list[str] = []
    for part in sense.split(";"):
        if _LATIN_RE.search(_LABEL_RE.sub(" ", part)) or "=" in part:
            continue  # an example ("oil of vitriol купоросное масло") or a cross-reference
        for gloss in part.split(","):
            cleaned = _PLACEHOLDER_RE.sub(" ", _LABEL_RE.sub(" ", gloss)).strip(" .:!?-")
            if cleaned:
                out.append(cleaned)
    return out


def sense_rounds(blocks: list[list[list[str]]]) -> list[list[str]]:
    """Glosses in rank order: the first sense of every block, then every block's second, and so on.

    Dictionary order is sense order within a block, but blocks are homonyms and parts of speech: "bank"
    lists the river bank's homonym before the money bank's, so reading the entry straight through would
    put "банк" after a dozen senses of embankment. Taking senses round by round keeps each homonym's
    first sense near the top."""
    rounds: list[list[str]] = []
    for i in range(max((len(b) for b in blocks), default=0)):
        rounds.append([g for b in blocks if i < len(b) for g in b[i]])
    return rounds


class Normaliser:
    """Keys both languages the way the search index does."""

    def __init__(self) -> None:
        self.analyzer = Analyzer()
        self.morph = pymorphy3.MorphAnalyzer()
        self._ru: dict[str, str | None] = {}

    def en(self, phrase: str) -> str | None:
        """Stem keys of an English word or phrase, space-joined; None if it has a stop word only."""
        words = WORD_RE.findall(phrase.lower())
        if not words or len(words) > MAX_PHRASE_WORDS or all(w in STOP_WORDS for w in words):
            return None
        keys = []
        for w in words:
            k = self.analyzer.keys(w)
            if not k:
                return None
            keys.append(k[0])
        return " ".join(keys)

    def ru(self, phrase: str) -> str | None:
        """pymorphy3 normal forms of a Russian word or phrase, space-joined, 'ё' as 'е'."""
        words = phrase.lower().replace("ё", "е").split()
        if not words or len(words) > MAX_PHRASE_WORDS:
            return None
        lemmas = []
        for w in words:
            if not _RU_WORD_RE.match(w):
                return None
            lemma = self._ru_word(w, alone=len(words) == 1)
            if lemma is None:
                return None
            lemmas.append(lemma)
        return " ".join(lemmas)

    def _ru_word(self, word: str, *, alone: bool) -> str | None:
        key = f"{word}|{alone}"
        if key not in self._ru:
            # A gloss is mostly written in its dictionary form already: prefer the parse that keeps it
            # ("насыпь" the noun, not an imperative of "насыпать"), else the likeliest.
            parses = self.morph.parse(word)
            parse = next((p for p in parses if p.normal_form.replace("ё", "е") == word), parses[0])
            lemma: str | None = parse.normal_form.replace("ё", "е")
            if alone and parse.tag.POS in _FUNCTION_POS:
                lemma = None
            self._ru[key] = lemma
        return self._ru[key]


class Builder:
    """Collects ranked pairs (English key, Russian key, sense round, source order) from every source."""

    def __init__(self) -> None:
        self.norm = Normaliser()
        # en key -> ru key -> (sense round, source/headword order, reading order); the lowest wins
        self.en_ru: dict[str, dict[str, tuple[int, int, int]]] = defaultdict(dict)
        self._seq = 0
        self.surfaces: dict[str, set[str]] = defaultdict(set)  # en key -> the English words keyed to it
        self.supplement_en: set[tuple[str, str]] = set()
        self.en_freq: Counter[str] = Counter()
        self._headword_order: dict[str, list[str]] = defaultdict(list)

    def add(self, en: str, ru: str, rnd: int, order: int = 0, head: str = "") -> None:
        """Record a pair; ``order`` ranks sources and headwords within a round, then reading order."""
        if head:
            self.surfaces[en].add(head)
        self._seq += 1
        have = self.en_ru[en].get(ru)
        if have is None or (rnd, order, self._seq) < have:
            self.en_ru[en][ru] = (rnd, order, self._seq)

    def add_supplement(self, path: Path) -> None:
        for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not line.strip() or line.startswith("#"):
                continue
            cols = line.split("\t")
            if len(cols) < 2:
                raise SystemExit(f"{path}:{n}: expected 'russian<TAB>english', got {line!r}")
            ru, en = self.norm.ru(cols[0]), self.norm.en(cols[1])
            if ru is None or en is None:
                raise SystemExit(f"{path}:{n}: cannot key {cols[0]!r} / {cols[1]!r}")
            self.add(en, ru, 0, n - 1_000_000, cols[1])  # before every dictionary pair, in the file's order
            self.supplement_en.add((en, ru))

    def add_mueller(self, folder: Path) -> int:
        entries = list(read_dictd(folder, "mueller7"))
        for _head, entry in entries:  # English frequency: occurrences in the dictionary's own examples
            for w in WORD_RE.findall(_LATIN_ONLY_RE.sub(" ", entry.split("\n", 1)[-1]).lower()):
                if (k := self.norm.analyzer.keys(w)) and w.isascii():
                    self.en_freq[k[0]] += 1
        # Several headwords share a stem ("exercise", "exercised"): the shorter one, the base form, first.
        by_key: dict[str, list[tuple[str, str]]] = defaultdict(list)
        for head, entry in entries:
            if (en := self.norm.en(head)) is not None:
                by_key[en].append((head, entry))
        for en, group in by_key.items():
            group.sort(key=lambda he: (len(he[0]), he[0]))
            for order, (head, entry) in enumerate(group):
                for rnd, glosses in enumerate(sense_rounds(mueller_senses(entry))[:MAX_EN_SENSES]):
                    for gloss in glosses:
                        if (ru := self.norm.ru(gloss)) is not None:
                            self.add(en, ru, rnd + order, order, head)
        return len(entries)

    def add_freedict(self, folder: Path) -> int:
        n = 0
        for head, entry in read_dictd(folder, "freedict-eng-rus"):
            en = self.norm.en(head)
            if en is None:
                continue
            n += 1
            lines = [ln for ln in entry.split("\n")[1:] if ln.strip()]
            glosses = [g.strip() for ln in lines for g in re.split(r"[;,]", ln)]
            for gloss in glosses:
                if gloss and (ru := self.norm.ru(gloss.replace("\u2010", "-"))) is not None:
                    self.add(en, ru, 1, 5, head)  # after Mueller's first sense of the same word
        return n

    def add_countries(self) -> int:
        ru = gettext.translation("iso3166-1", pycountry.LOCALES_DIR, languages=["ru"])
        n = 0
        for country in pycountry.countries:
            names = {country.name, getattr(country, "common_name", country.name)}
            for name in names:
                en, ru_name = self.norm.en(name), self.norm.ru(ru.gettext(name))
                if en is not None and ru_name is not None and ru.gettext(name) != name:
                    self.add(en, ru_name, 0, 6, name)
                    n += 1
        return n

    def tables(self) -> tuple[Table, Table, dict[str, str]]:
        """Both directions, each key's translations best first with their sense round, and the English
        variant keys that stand for another key (see ``variants``)."""
        en_ru: dict[str, list[tuple[str, int]]] = {}
        ru_en_cands: dict[str, list[tuple[int, int, int, int, str]]] = defaultdict(list)
        for en, trans in self.en_ru.items():
            ranked = sorted(trans.items(), key=lambda kv: (kv[1], kv[0]))[:MAX_PER_EN]
            en_ru[en] = [(ru, rnd) for ru, (rnd, _order, _seq) in ranked]
            for ru, (rnd, order, _seq) in trans.items():
                if (en, ru) in self.supplement_en:  # hand-kept pairs first, in the file's order
                    ru_en_cands[ru].append((order, 0, 0, 0, en))
                elif rnd <= MAX_INVERT_ROUND:
                    # Among a round's candidates, single words before phrases ("minister" before
                    # "front bencher"), then the commoner English word.
                    ru_en_cands[ru].append((0, rnd, " " in en, -self.en_freq[en.split()[0]], en))
        variants = self.variants()
        aliases: dict[str, str] = {}
        for base, keys in variants.items():
            for v in keys:
                aliases.setdefault(v, base)
        ru_en: dict[str, list[tuple[str, int]]] = {}
        for ru, cands in ru_en_cands.items():
            cands.sort()
            kept = [(en, rnd) for _order, rnd, _phrase, _f, en in cands[:MAX_PER_RU]]
            ru_en[ru] = [("|".join((en, *variants.get(en, ()))), rnd) for en, rnd in kept]
        return en_ru, ru_en, aliases

    def variants(self) -> dict[str, list[str]]:
        """Keys that regular inflections of a key's words get and the key itself does not.

        The index folds spelling before it stems, and folding rewrites some inflections: "markets" folds
        to "markecs" ("ts" as "c") and stems to ``markec``, while "market" stems to ``market``; "added"
        loses a doubled letter and stems to ``ade``, "add" to ``ad``. A translation must reach both, so
        each key's inflected forms that key differently are looked up as its variants (never a key that
        is a headword of its own)."""
        out: dict[str, list[str]] = {}
        for key in sorted(self.en_ru):
            found: list[str] = []
            # Base forms only: "marketability"+"s" or "oiled"+"s" would make variants of "market" and
            # "oil" that no text has. The shortest surface, and near-equals ("add" beside "ad").
            surfaces = sorted(self.surfaces.get(key, ()), key=lambda w: (len(w), w))
            bases = [surfaces[0]] if surfaces else []
            bases += [w for w in surfaces[1:] if len(w) <= len(bases[0]) + 1 and not w.endswith(_INFLECTED)]
            for surface in bases:
                words = WORD_RE.findall(surface)
                if not words or words[-1].isupper():
                    continue  # no words, or an acronym ("CSTO", "GDP"): nothing to inflect
                words = [w.lower() for w in words]
                for form in _inflections(words[-1]):
                    v = self.norm.en(" ".join([*words[:-1], form]))
                    if v and v != key and v not in self.en_ru and v not in found:
                        found.append(v)
            if found:
                out[key] = found
        return out


_INFLECTED = ("s", "ed", "ing")


def _inflections(word: str) -> list[str]:
    """Regular plural, third person, past and -ing forms of an English word (over-generating is harmless:
    a form that no text has is a key no document holds)."""
    if not word.isalpha() or len(word) < 3 or not any(v in word for v in "aeiouy"):
        return []  # abbreviations ("dlrs", "pct") do not inflect
    vowels = "aeiou"
    forms = [word + "s", word + "es", word + "ed", word + "ing"]
    if word.endswith("e"):
        forms += [word + "d", word[:-1] + "ing"]
    if word.endswith("y") and word[-2] not in vowels:
        forms += [word[:-1] + "ies", word[:-1] + "ied"]
    if word[-1] not in vowels + "wxy" and word[-2] in vowels and word[-3] not in vowels:
        forms += [word + word[-1] + "ed", word + word[-1] + "ing"]
    return forms


Table = dict[str, list[tuple[str, int]]]
_LATIN_ONLY_RE = re.compile(r"[^A-Za-z' -]+")


def supplement_hash(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()[:16]


def write(path: Path, tables: Iterable[tuple[str, Table]], aliases: dict[str, str], header: str) -> None:
    """One line per key: 'E' or 'R', the key, then its translations as 'key:round', best first (on 'R'
    lines 'key|variant|...:round', an English key with its inflected variants); a variant key's own line
    is 'E', the key, and '=' with the key whose translations it shares."""
    body: list[str] = []
    for tag, table in tables:
        for key in table:
            body.append("\t".join([tag, key, *(f"{t}:{r}" for t, r in table[key])]))
    body.extend(f"E\t{v}\t={base}" for v, base in aliases.items())
    # Sorted as whole lines: the reader finds a key by bisection without building a dict.
    lines = [f"# {line}" for line in header.splitlines()] + sorted(body)
    data = ("\n".join(lines) + "\n").encode("utf-8")
    # mtime=0: the same input gives the same bytes, so a rebuild shows no diff
    with gzip.GzipFile(filename="", mode="wb", fileobj=path.open("wb"), mtime=0, compresslevel=9) as f:
        f.write(data)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--dictd", type=Path, default=Path("/usr/share/dictd"), help="dictd databases folder")
    parser.add_argument("--out", type=Path, default=OUT)
    parser.add_argument(
        "--supplement", type=Path, default=SUPPLEMENT, help="hand-kept pairs (to measure without)"
    )
    args = parser.parse_args()
    if not (args.dictd / "mueller7.index").exists():
        raise SystemExit(f"no mueller7 in {args.dictd}: apt-get install mueller7-dict dict-freedict-eng-rus")
    b = Builder()
    b.add_supplement(args.supplement)
    n_mueller = b.add_mueller(args.dictd)
    n_free = b.add_freedict(args.dictd)
    n_countries = b.add_countries()
    en_ru, ru_en, aliases = b.tables()
    header = (
        "English-Russian lexicon for Dossier's cross-language search; built by bench/build_lexicon.py.\n"
        "Sources: supplement.tsv; Mueller English-Russian Dictionary, 7th ed. (mueller7-dict, GPL-2+);\n"
        "FreeDict English-Russian (dict-freedict-eng-rus, GPL-2+); ISO 3166 Russian names (pycountry).\n"
        "See LICENSE.lexicon beside this file. Lines: E|R, key, translation:sense-round ... or =key\n"
        f"supplement-sha256: {supplement_hash(args.supplement)}\n"
        f"max-phrase-words: {MAX_PHRASE_WORDS}"
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    write(args.out, [("E", en_ru), ("R", ru_en)], aliases, header)
    print(
        f"{n_mueller} Mueller entries, {n_free} FreeDict entries, {n_countries} country names -> "
        f"{len(en_ru)} English keys (+{len(aliases)} variants), {len(ru_en)} Russian keys, "
        f"{args.out.stat().st_size / 1e6:.2f} MB"
    )


if __name__ == "__main__":
    main()
