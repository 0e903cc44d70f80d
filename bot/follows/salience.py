"""Whether a document is about a followed person, not only mentions them: what a person follow fires on.

A person follow is a standing request to hear of the person, and news names many people in passing
("the Reagan administration", a minister listed among a meeting's delegates). Editors who tag the people
a story is about (Reuters-21578's ``people`` annotation, ``bench/follow_bench.py``) leave such passing
names untagged, and an alert for each of them buried the ones that mattered (precision 0.66 at recall
0.94 over the 15 followed people). So the person must carry the document: named in its title, in its
lead (the first ``LEAD_WORDS`` words after the title, where news says who the story is about), or named
``MIN_MENTIONS`` times or more. That cut the alerts by a quarter: precision 0.83 at recall 0.87 (measured on
the same replay, stricter rules cost more recall than they gained precision: a third mention, 0.90 at
0.81; the title or lead alone, 0.94 at 0.74; the held-out people moved as the 15 did).

Names are counted in the text by the person's surnames (the last word of each of its names and of the
spellings this document wrote it in), folded as the search folds transliterations, so a mention the
people extractor did not keep (a bare surname in a long story) still counts; and by the extractor's
own mentions of the person, which reach inflected forms ("Бейкера") that a word's fold does not.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from bot.people import Mention, Person
from bot.textnorm import WORD_RE, fold, to_ascii

LEAD_WORDS = 40  # as the search index's lead (``memory.LEAD_TOKENS``)
MIN_MENTIONS = 2


def name_key(word: str) -> str:
    return fold(to_ascii(word.lower()))


@dataclass(frozen=True)
class DocumentShape:
    """A document's title words and body words (folded), where the body starts in the text and where
    its lead ends."""

    title: frozenset[str]
    body: tuple[str, ...]
    body_at: int
    lead_end: int

    @classmethod
    def of(cls, title: str, text: str) -> DocumentShape:
        at = text.find(title.rstrip("…")) if title else -1
        body_at = max(text.find("\n", at) + 1, 0) if at >= 0 else 0
        found = list(WORD_RE.finditer(text, body_at))
        lead_end = found[LEAD_WORDS].start() if len(found) > LEAD_WORDS else len(text)
        return cls(
            frozenset(name_key(w) for w in WORD_RE.findall(title)),
            tuple(name_key(m.group()) for m in found),
            body_at,
            lead_end,
        )


def person_mentions(persons: Iterable[Person], mentions: Sequence[Mention]) -> list[Mention]:
    """The document's mentions that name one of ``persons``."""
    names: set[str] = set()
    for p in persons:
        names.add(p.name)
        names.update(p.aliases)
    return [m for m in mentions if m.name in names or m.surface in names]


def surnames(persons: Iterable[Person], mine: Sequence[Mention]) -> frozenset[str]:
    """The folded last words of the persons' names and of this document's spellings of them."""
    out = set()
    for name in {*(n for p in persons for n in (p.name, *p.aliases)), *(m.surface for m in mine)}:
        words = WORD_RE.findall(name)
        if words:
            out.add(name_key(words[-1]))
    return frozenset(k for k in out if len(k) > 1)


def carries(shape: DocumentShape, keys: frozenset[str], mine: Sequence[Mention]) -> bool:
    """Whether the person (``keys``: their folded surnames; ``mine``: the extractor's mentions of them)
    is named in the title or the lead, or ``MIN_MENTIONS`` times or more."""
    if keys & shape.title or any(w in keys for w in shape.body[:LEAD_WORDS]):
        return True
    if any(m.start < shape.lead_end for m in mine):
        return True  # an inflected form in the title or lead, which the words' fold does not reach
    count = sum(1 for w in shape.body if w in keys)
    return max(count, len(mine)) >= MIN_MENTIONS
