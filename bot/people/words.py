"""Words and their kinds: each word of a capitalised run is a courtesy title, a connector, a title word,
a modifier, an organisation's head, a common word, an acronym, an initial, a name particle or a name."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from bot.people.lexicon import (
    _ARTICLE_NAME_RE,
    _LOWER_RE,
    _WORD_RE,
    COMMON_WORDS,
    CONNECTORS,
    HONORIFICS,
    NAME_PARTICLES,
    ORG_ADJECTIVES,
    ORG_HEADS,
    ROLE_HEADS,
    ROLE_MODIFIERS,
    TITLE_TAILS,
    _words,
)
from bot.people.names import _morph
from bot.textnorm import is_cyrillic

# Word kinds.
HON, CONN, ROLE, MOD, ORG, COMMON, ACRONYM, INITIAL, PARTICLE, NAME = "HCRMOWAIPN"


def _singular(word: str) -> str:
    if word.endswith("ies") and len(word) > 4:
        return word[:-3] + "y"
    if word.endswith("s") and not word.endswith("ss") and len(word) > 3:
        return word[:-1]
    return word


def _is_role_word(low: str) -> bool:
    if low in ROLE_HEADS or _singular(low) in ROLE_HEADS:
        return True
    parts = low.split("-")
    return (
        len(parts) > 1
        and parts[0] in ROLE_HEADS | ROLE_MODIFIERS
        and all(p in ROLE_HEADS or p in ROLE_MODIFIERS or p in TITLE_TAILS or p == "in" for p in parts)
    )


@lru_cache(maxsize=200_000)
def _classify(base: str) -> str:
    """The kind of one word of a capitalised run; cached because names and titles repeat."""
    low = base.lower()
    if len(base) == 2 and base[1] == "." and base[0].isupper():
        return INITIAL
    if base.endswith("."):
        return HON if low[:-1] in HONORIFICS else ACRONYM
    if low in HONORIFICS:
        return HON
    if not base[0].isupper():
        if _ARTICLE_NAME_RE.match(base):
            return NAME  # "al-Sabah"
        if low in NAME_PARTICLES:
            return PARTICLE  # "Willy de Clercq"
        return CONN if low in CONNECTORS else COMMON
    if len(base) >= 2 and not _LOWER_RE.search(base):
        return ACRONYM
    if low.startswith("mid-"):
        return COMMON
    if _is_role_word(low):
        return ROLE
    if low in ROLE_MODIFIERS or low in TITLE_TAILS:
        return MOD
    if low in ORG_HEADS or _singular(low) in ORG_HEADS or _bank_name(low):
        return ORG
    if low in COMMON_WORDS or low in ORG_ADJECTIVES or len(base) < 2:
        return COMMON
    if low in NAME_PARTICLES:
        return PARTICLE
    if is_cyrillic(base) and _ru_place(base):
        return COMMON  # "Президент Казахстана Касым-Жомарт Токаев": the place, in the genitive
    if "-" in base and (base[1] == "-" or any(_compound_tail(p) for p in base.split("-")[1:])):
        return COMMON  # "Moscow-led", "Franco-German", "R-Ill" (but "Roh Tae-woo" is a name)
    return NAME


def _bank_name(low: str) -> bool:
    """ "Citibank", "Bundesbank", "Commerzbank", "Сбербанк": one word, a bank's name (not "interbank")."""
    return len(low) >= 6 and low.endswith(("bank", "банк")) and low != "interbank"


_COMPOUND_TAILS = _words(
    "led based owned run backed born made style like sized speaking controlled oriented related bound wide "
    "level term year day week month time page point type german french american british russian soviet"
)


def _ru_place(word: str) -> bool:
    """A Russian word every reading of which is a place name (Geox) and none a personal name."""
    parses = _morph().morph.parse(word)[:3]
    tags = [set(str(p.tag).replace(" ", ",").split(",")) for p in parses]
    return bool(tags) and all("Geox" in t and not {"Name", "Surn", "Patr"} & t for t in tags)


def _compound_tail(part: str) -> bool:
    low = part.lower()
    return low in _COMPOUND_TAILS or (part.islower() and (low.endswith(("ed", "ing")) or len(low) <= 2))


@lru_cache(maxsize=300_000)
def _info(word: str) -> tuple[str, str, bool]:
    """(kind, word without a possessive 's, possessive?) of one word as written."""
    possessive = len(word) > 2 and word.endswith(("'s", "’s", "'S", "’S"))
    if possessive:
        base = word[:-2]
    elif len(word) > 2 and word[-1] in "'’" and word[-2] in "zZxX":  # "George Shultz' Moscow talks"
        # (not after an "s": "Maize Producers' Association" is a plural, which an organisation's head follows)
        base, possessive = word[:-1], True
    else:
        base = word.rstrip("'’")
    return (_classify(base) if base else COMMON), base, possessive


@dataclass(frozen=True, slots=True)
class _Word:
    text: str
    kind: str
    possessive: bool = False

    @property
    def low(self) -> str:
        return self.text.lower()


@lru_cache(maxsize=100_000)
def _free_word(raw: str) -> _Word:
    """A word met outside a run (before or after a name): lowercase words keep their meaning."""
    kind, base, possessive = _info(raw)
    if base and not base[0].isupper():
        low = base.lower()
        if _is_role_word(low):
            kind = ROLE
        elif low in ROLE_MODIFIERS or low in TITLE_TAILS:
            kind = MOD
    return _Word(base, kind, possessive)


def _text_words(fragment: str) -> list[_Word]:
    return [_free_word(raw) for raw in _WORD_RE.findall(fragment)]
