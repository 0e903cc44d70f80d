"""Whether a document names a followed person: what a person follow fires on.

A person follow is a standing request to hear of the person ("tell me when anything new mentions
Masadykov"). An earlier rule asked more: the person named in the title, in the lead, or twice, since
Reuters-21578's ``people`` labels leave stories that name a person once untagged; by those labels it
halved the wrong alerts (precision 0.66 -> 0.83) for a little recall (0.94 -> 0.87). Judged by reading
instead (``bench/follow-judging.md``: a blind, stratified sample of the replay's documents, asking whether
the follower would want the alert), the stories that name a person once are mostly ones the follower
wants (the person speaks, acts or is the subject): the stricter rule kept precision 0.98 but recall 0.75;
any naming gives 0.91 and 0.93 over the 15 followed people (held out: 1.00/0.75 -> 0.91/0.85).

Names are found in the text by the person's surnames (the last word of each of its names and of the
spellings this document wrote it in), folded as the search folds transliterations, so a mention the
people extractor did not keep (a bare surname in a long story) still counts; and by the extractor's
own mentions of the person, which reach inflected forms ("Бейкера") that a word's fold does not.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from bot.people import HEADLINE, SPEECH, STATED, Mention, Person, english_first_name
from bot.people.lexicon import ORG_ADJECTIVES, ORG_HEADS
from bot.search.firms import without_firms
from bot.textnorm import WORD_RE, fold, to_ascii


def name_key(word: str) -> str:
    return fold(to_ascii(word.lower()))


@dataclass(frozen=True)
class DocumentShape:
    """A document's title words and body words (folded)."""

    title: frozenset[str]
    body: frozenset[str]

    @classmethod
    def of(cls, title: str, text: str) -> DocumentShape:
        at = text.find(title.rstrip("…")) if title else -1
        body_at = max(text.find("\n", at) + 1, 0) if at >= 0 else 0
        return cls(
            frozenset(name_key(w) for w in WORD_RE.findall(title)),
            frozenset(name_key(m.group()) for m in WORD_RE.finditer(text, body_at)),
        )


def is_flash(title: str, text: str) -> bool:
    """A wire flash: a headline and nothing else (its dateline is figures)."""
    head = title.rstrip("…")
    at = text.find(head) if head else -1
    rest = text if at < 0 else text[at + len(head) :].partition("\n")[2]  # past the headline's line
    return all(any(c.isdigit() for c in w) for w in WORD_RE.findall(rest))


def given_keys(persons: Iterable[Person]) -> frozenset[str]:
    """The folded words before the surname in the persons' names and spellings ("james", "karl", "otto")."""
    return frozenset(
        name_key(w) for p in persons for n in (p.name, *p.aliases) for w in WORD_RE.findall(n)[:-1]
    )


def flash_names(
    title: str, keys: frozenset[str], given: frozenset[str], is_word: Callable[[str], bool]
) -> bool:
    """Whether a flash's headline names the person by a surname (``keys``), as wires write a statement's
    first word ("TREASURY'S BAKER SAYS PARIS PACT ONLY A START", "LAWSON FORECASTS 2.5 BILLION STG
    DEFICIT", "... -Stoltenberg"). The people index gives such a bare surname a person only once that
    person dominates the surname (twice the documents of the next namesake): early in a year, "BAKER"
    was not yet James Baker before Howard Baker, and the follow missed the Treasury Secretary's flashes
    that every reader judged wanted (the person census, ``bench/follow-judging.md``). For a follow, the
    surname of the person followed is meant, unless the headline says otherwise: a firm's name
    ("BAKER INTERNATIONAL", "BAKER <BKO>", "BAKER HUGHES": a name-like word, one ``is_word`` does not
    know, right after it), or another first name before it ("HOWARD BAKER SAYS")."""
    clean = without_firms(title, "")[0]
    found = list(WORD_RE.finditer(clean))
    for i, m in enumerate(found):
        if name_key(m.group()) not in keys:
            continue
        if i and clean[found[i - 1].end() : m.start()].isspace():
            before = found[i - 1].group()
            if name_key(before) not in given and english_first_name(before):
                continue  # a namesake
        if i + 1 < len(found) and clean[m.end() : found[i + 1].start()].isspace():
            after = found[i + 1].group()
            low = after.lower()
            if low in ORG_HEADS or low in ORG_ADJECTIVES:
                continue  # an organisation named after someone
            if after[0].isupper() and not after.isdigit() and not is_word(low):
                continue  # a two-word name: a firm's ("BAKER HUGHES") or another person's
        return True
    return False


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


def carries(shape: Callable[[], DocumentShape], keys: frozenset[str], mine: Sequence[Mention]) -> bool:
    """Whether the person (``keys``: their folded surnames; ``mine``: the extractor's mentions of them)
    is named in the document: by the extractor, or by a surname in its title or body. ``shape`` is asked
    for only when the extractor's mentions do not answer (it reads every word of the text)."""
    if mine:
        return True
    words = shape()
    return bool(keys & words.title) or not keys.isdisjoint(words.body)


SURE_EVIDENCE = frozenset({STATED, SPEECH})


def person_spans(mentions: Iterable[Mention]) -> list[tuple[int, int]]:
    """Where the text surely names a person (start, end): a mention the extractor found stated or
    speaking ("director Melvin L. Gold", "Cotton, president of Finalco"), or one that opens with an
    English first name ("John Cotton, an Arizona businessman"). Not a bare capitalised pair the extractor
    only guessed at: "Winter Wheat - fair to good condition" is a crop report's line."""
    return [
        (m.start, m.end)
        for m in mentions
        if m.evidence in SURE_EVIDENCE
        or (m.evidence != HEADLINE and english_first_name(m.surface.split()[0]))
    ]
