"""Names as compared: surname keys (folded, Russian in the nominative), first names that agree
(initials, transliterations, English nicknames), the parts of a full name, and sound keys for Cyrillic
queries."""

from __future__ import annotations

from collections.abc import Sequence
from functools import lru_cache

from nicknames import NickNamer
from rapidfuzz import fuzz

from bot.people.lexicon import _ARTICLES, _RU_SURNAME_CASE_RE, NAME_PARTICLES, NAME_SUFFIXES
from bot.textnorm import Analyzer, fold, is_cyrillic, to_ascii


@lru_cache(maxsize=200_000)
def _surname_key(word: str) -> str:
    """The folded form of one name word, a Russian one in the nominative: "Масадыкову" -> "masadikov"."""
    if is_cyrillic(word):
        word = _ru_base(word.lower())
    article, dash, rest = word.partition("-")
    if dash and rest and article.lower() in _ARTICLES:
        word = rest  # "al-Sabah" is filed under Sabah
    return fold(to_ascii(word))


@lru_cache(maxsize=50_000)
def _ru_base(word: str) -> str:
    m = _RU_SURNAME_CASE_RE.match(word)
    if m is not None:
        return m.group(1)
    for parse in _morph().morph.parse(word)[:2]:
        if {"Surn", "Name", "Patr"} & set(str(parse.tag).replace(" ", ",").split(",")):
            return str(parse.normal_form)
    return word


@lru_cache(maxsize=1)
def _morph() -> Analyzer:
    return Analyzer()


def _given_compatible(a: Sequence[str], b: Sequence[str]) -> bool:
    """First names agree when both are present: equal after folding, close (transliteration variants), one
    the beginning of the other (Alex / Alexander), or an initial of the other. A missing one agrees. So
    must second ones when both have one: "George H. W. Bush" is not "George W. Bush"."""
    if not a or not b:
        return True
    return _first_names_agree(a[0], b[0]) and (len(a) < 2 or len(b) < 2 or _first_names_agree(a[1], b[1]))


@lru_cache(maxsize=100_000)
def _first_names_agree(x: str, y: str) -> bool:
    fx, fy = _surname_key(x.rstrip(".")), _surname_key(y.rstrip("."))
    if not fx or not fy:
        return True
    if len(fx) == 1 or len(fy) == 1:
        return fx[0] == fy[0]
    if fx == fy or (min(len(fx), len(fy)) >= 3 and (fx.startswith(fy) or fy.startswith(fx))):
        return True
    return fuzz.ratio(fx, fy) >= 80 or fy in _nicknames(fx) or fx in _nicknames(fy)


_NICKNAMES = NickNamer()


def _same_in_text(a: Sequence[str], b: Sequence[str]) -> bool:
    """``_given_compatible``, or, within one text, the first names of one the last ones of the other: "Bra
    Kanon" after "Minister Denis Bra Kanon", "Cavaco Silva" after "Anibal Cavaco Silva" (two-word
    surnames), "Otto Poehl" after "Karl Otto Poehl"."""
    if _given_compatible(a, b):
        return True
    n = len(a)
    return (
        0 < n < len(b)
        and not english_first_name(a[0])  # "Ross Perot" is not "Texan H. Ross Perot"'s surname
        and [_surname_key(x) for x in a] == [_surname_key(x) for x in b[-n:]]
    )


@lru_cache(maxsize=20_000)
def english_first_name(word: str) -> bool:
    """An English first name or short form ("Lee", "Kim", "James"), from the ``nicknames`` dataset."""
    low = word.lower()
    return bool(_NICKNAMES.nicknames_of(low) or _NICKNAMES.canonicals_of(low))


@lru_cache(maxsize=20_000)
def _nicknames(first: str) -> frozenset[str]:
    """The English short forms of a first name ("jim", "jimmy" of "james"): "Jim Wright" and "James
    Wright" are one Speaker of the House. From the ``nicknames`` dataset; a name only agrees with its own
    short forms, not with the other names that share one ("Al" is Albert's and Alan's, who stay apart)."""
    return frozenset(_NICKNAMES.nicknames_of(first))


@lru_cache(maxsize=100_000)
def _split_name(name: str) -> tuple[tuple[str, ...], str]:
    """("Willy",) and "De Clercq" for "Willy De Clercq": particles go with the surname, and so does a
    generational suffix ("John Johnstone Jr" is a Johnstone, not one of the many people surnamed "Jr")."""
    parts = name.split()
    k = len(parts) - 1
    if k > 1 and parts[k].rstrip(".").lower() in NAME_SUFFIXES:
        k -= 1
    while k > 0 and parts[k - 1].lower() in NAME_PARTICLES:
        k -= 1
    return tuple(parts[:k]), " ".join(parts[k:])


def _suffix(name: str) -> str:
    """A name's generational suffix, if any: "Stewart Bainum Sr" and "Stewart Bainum Jr" are two."""
    last = name.rsplit(None, 1)[-1].rstrip(".").lower()
    return last if last in NAME_SUFFIXES else ""


# English spellings of one sound, and Russian transcriptions of English ones, onto one form; applied to
# folded ASCII words, in this order.
_SOUND_PAIRS = (
    ("dzh", "j"),
    ("dz", "z"),
    ("tch", "ch"),
    ("th", "t"),
    ("ck", "k"),
    ("gh", "g"),
    ("q", "k"),
    ("ch", "C"),
    ("sh", "S"),
    ("zh", "j"),
)


@lru_cache(maxsize=100_000)
def _sound_key(key: str) -> str:
    """A folded name word as it sounds, roughly: one spelling per sound, vowels after the first letter
    dropped, repeats collapsed ("baker" and "beiker" are "bkr", "grenspan" and "grinspen" "grnspn").
    Only Cyrillic query words are matched this way: the same Latin spelling is matched letter by letter."""
    out = key
    for old, new in _SOUND_PAIRS:
        if old in out:
            out = out.replace(old, new)
    out = out.replace("c", "k")  # what is left of "c" after "ch" ("ts" is folded to "c" before this)
    if not out:
        return ""
    # A vowel or "w" to start with is one sound class ("Icahn", "Айкан"; "Weinberger", "Уайнбергер"); after
    # it vowels, "h", "v" and "w" go ("Lawson", "Лоусон"; "Miyazawa", "Миядзава").
    head = "A" if out[0] in "aeiouw" else out[0]
    tail = [ch for ch in out[1:] if ch not in "aeiouhvw"]
    squeezed = [head]
    for ch in tail:
        if ch != squeezed[-1]:
            squeezed.append(ch)
    return "".join(squeezed)
