"""The public data of the people subsystem: what a document says (``Role``, ``Mention``) and what the
index merges it into (``RoleRecord``, ``Person``, ``Match``); ``role_key``, how titles compare."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from functools import lru_cache

from bot.people.words import _singular
from bot.textnorm import fold, to_ascii

DocId = int | str


@dataclass(frozen=True, slots=True)
class Role:
    """A post the text says someone holds: ``Role("Secretary General", "CSTO")``. ``former`` when the text
    says so ("former Treasury Secretary"); ``date`` is the publication date of the statement."""

    title: str
    org: str | None = None
    date: date | None = None
    former: bool = False

    @property
    def key(self) -> str:
        return role_key(self.title)


STATED, SPEECH, WEAK, HEADLINE = "stated", "speech", "weak", "headline"
_STRENGTH = {HEADLINE: -1, WEAK: 0, SPEECH: 1, STATED: 2}


@dataclass(frozen=True, slots=True)
class Mention:
    """One place where a document names a person.

    ``name`` is the fullest form of the name *in this document*: for ``Masadikov emphasized`` it is
    ``Talatbek Masadikov`` when the document introduced him so. ``evidence`` is the best the document
    offers for that name: ``"stated"`` (a title, role, apposition, initial or courtesy title says it is a
    person), ``"speech"`` (only a speech verb: "Paul Volcker said"; companies speak too, so the index wants
    more before it lists such a name), ``"weak"`` (a bare word before a speech verb, an all-caps headline
    "LAWSON SAYS"; kept only to be attributed to a person known from other documents), ``"headline"`` (a
    word of an all-caps headline that reads as a surname, "BOESKY AIDE ...": attributed only to a person
    who dominates that surname in the collection, see ``_attach_headlines``).
    """

    name: str
    surface: str
    start: int
    end: int
    sentence: str
    role: Role | None = None
    evidence: str = STATED

    @property
    def confident(self) -> bool:
        return _STRENGTH[self.evidence] > 0


@dataclass(frozen=True, slots=True)
class RoleRecord:
    """A role as held by a merged person, with the document and date that state it."""

    title: str
    org: str | None
    date: date | None
    doc_id: DocId
    former: bool = False

    @property
    def key(self) -> str:
        return role_key(self.title)


@dataclass(frozen=True, slots=True)
class Person:
    """One person across documents. ``key`` is the folded canonical name (stable while the canonical
    spelling is); ``aliases`` are the other spellings seen; ``roles`` dated ones first, oldest first;
    ``documents`` in the order they were added."""

    key: str
    name: str
    aliases: tuple[str, ...]
    roles: tuple[RoleRecord, ...]
    documents: tuple[DocId, ...]
    mentions: int
    evidence: str = STATED


@dataclass(frozen=True, slots=True)
class Match:
    """An answer to ``/who``: the person, how well the query matched (0-100), and for a role query the
    matching roles, oldest first."""

    person: Person
    score: float
    kind: str  # "name" or "role"
    roles: tuple[RoleRecord, ...] = ()

    @property
    def since(self) -> date | None:
        dated = [r.date for r in self.roles if r.date is not None]
        return min(dated) if dated else None


@lru_cache(maxsize=20_000)
def role_key(title: str) -> str:
    """A title as compared: folded, singular, hyphens as spaces (``Secretary-General`` = ``secretary
    general``), Russian title words in English, so that "Генеральный секретарь" and "Secretary General"
    are one post to ``/who secretary general`` and to ``/who генеральный секретарь`` (words compare as
    a set, so the order does not matter)."""
    keys = [_singular(fold(to_ascii(w))) for w in re.split(r"[\s\-]+", title) if w]
    return " ".join(k if k not in _RU_TITLE_KEYS else role_key(_RU_TITLE_KEYS[k]) for k in keys)


def is_ru_title_word(word: str) -> bool:
    """Whether ``role_key`` reads this Russian word, as written, as an English title word."""
    return _singular(fold(to_ascii(word))) in _RU_TITLE_KEYS


# Russian title words (as ``role_key`` folds them) and the English title words they compare as.
_RU_TITLE_KEYS = {
    "generalni": "general",
    "sekretar": "secretary",
    "gensek": "secretary general",
    "gensekretar": "secretary general",
    "prezident": "president",
    "premer": "prime",
    "ministr": "minister",
    "predsedatel": "chairman",
    "zamestitel": "deputy",
    "posol": "ambassador",
    "glava": "head",
    "rukovoditel": "head",
    "direktor": "director",
    "predstavitel": "representative",
    "specialni": "special",
    "spiker": "speaker",
    "gubernator": "governor",
    "mer": "mayor",
    "kancler": "chancellor",
    "sovetnik": "adviser",
    "pomoshchnik": "aide",
    "nachalnik": "chief",
    "inostranih": "foreign",
    "del": "affairs",
    "oboroni": "defense",
    "finansov": "finance",
}
