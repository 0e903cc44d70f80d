"""Whether the words of a follow name a person of the people index: ``/follow`` asks when a follow is
made, and the matcher asks again of a follow made as words that read as a name (``reads_as_name``), once
documents have brought the person ("/follow John Herington" before any document named the Energy
Secretary follows his words; once the people index knows John Herrington, it follows him).
"""

from __future__ import annotations

from bot.core import Dossier
from bot.people import Person
from bot.people.cards import CLEAR_LEAD, dominates
from bot.search.percolate import is_lexicon_word, word_documents
from bot.textnorm import WORD_RE

PERSON_SCORE = 80.0  # a name match at least this good (0-100) is a person, not words
PERSON_SHARE = 0.3  # ... and, for one word, its persons name at least this share of the word's documents
MAX_CHOICES = 6
NAME_WORDS = 4  # a name of more words than this is not followed as a person later on


def persons_named(dossier: Dossier, text: str) -> list[Person]:
    """The persons ``text`` names (several: the user picks), or none: it is followed as words. Quotes,
    an operator or an excluded word make it words."""
    if any(ch in text for ch in '"«»“”:') or text.startswith("-") or " -" in text:
        return []
    if dossier.people_failure() is not None:
        return []
    matches = [m for m in dossier.who(text, limit=50) if m.kind == "name" and m.score >= PERSON_SCORE]
    if not matches:
        return []
    close = [m for m in matches if matches[0].score - m.score < CLEAR_LEAD][:MAX_CHOICES]
    persons = [close[0].person] if len(close) == 1 or dominates(close[0].person, close[1].person) else []
    persons = persons or [m.person for m in close]
    if len(text.split()) == 1 and not _mostly_a_name(dossier, text, persons):
        return []
    return persons


def reads_as_name(dossier: Dossier, text: str) -> bool:
    """Whether a follow's words may be a person's name: one to ``NAME_WORDS`` plain words (no quotes,
    operators or dates), each capitalised ("John Herington") or not a word of the lexicon
    ("tasmagambetov"): "coffee prices" is not looked up again and again."""
    words = text.split()
    if not 0 < len(words) <= NAME_WORDS or not all(WORD_RE.fullmatch(w) and not w.isdigit() for w in words):
        return False
    if all(w[:1].isupper() for w in words):
        return True
    with dossier.locked_index() as index:
        return not any(is_lexicon_word(index, w) for w in words)


def _mostly_a_name(dossier: Dossier, word: str, persons: list[Person]) -> bool:
    """Whether a single word is used in the documents mostly as these persons' name: "Baker" is
    (James and Howard Baker account for most documents with the word), "coffee" is not, though a
    misread "de Janeiro Coffee" is a person of the index, nor "gold" for Peter Goldie."""
    with dossier.locked_index() as index:
        total = word_documents(index, word)  # the word itself, not its typo neighbours ("banker")
    named = len({d for p in persons for d in p.documents})
    return not total or named >= PERSON_SHARE * total
