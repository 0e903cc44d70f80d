"""Roles: "[org] [modifiers] HEAD [tail] [of|at|for ORG]" around a name."""

from __future__ import annotations

from collections.abc import Sequence

from bot.people.lexicon import (
    COMMON_WORDS,
    DETERMINERS,
    LEADING_TITLE_WORDS,
    ORG_ADJECTIVES,
    ORG_NOUNS,
    ORG_PREPOSITIONS,
    PAST_STATUS,
    ROLE_HEADS,
    STATUS_WORDS,
    TITLE_OF_TAILS,
    TITLE_TAILS,
)
from bot.people.model import Role
from bot.people.words import ACRONYM, COMMON, CONN, HON, INITIAL, MOD, NAME, ROLE, _singular, _Word
from bot.textnorm import is_cyrillic


def _is_org_word(w: _Word) -> bool:
    """Can this word be part of an organisation's name after "of"/"at"?"""
    if w.kind == CONN:
        return True
    if w.low in ORG_NOUNS:
        return True
    if not w.text[:1].isupper():
        return False
    return w.kind != COMMON or w.low in ORG_ADJECTIVES or w.low not in COMMON_WORDS


def _title_span(words: Sequence[_Word], at: int) -> tuple[int, int]:
    """Extend a role head at ``at`` over neighbouring role words: "Deputy Prime Minister General"."""
    lo = at
    while lo > 0 and words[lo - 1].kind in (ROLE, MOD) and not words[lo - 1].possessive:
        lo -= 1
    hi = at + 1
    while hi < len(words) and words[hi].kind in (ROLE, MOD) and not words[hi - 1].possessive:
        hi += 1
    while hi > at + 1 and words[hi - 1].kind == MOD and words[hi - 1].low not in TITLE_TAILS:
        hi -= 1  # a title ends in a head: "Secretary General", not "Secretary ... Foreign"
    return lo, hi


def _org_text(words: Sequence[_Word]) -> str | None:
    start, end = 0, len(words)
    while start < end and (
        words[start].kind == CONN or words[start].low in DETERMINERS or words[start].text in ORG_NOUNS
    ):
        start += 1
    while end > start and words[end - 1].kind == CONN:
        end -= 1
    return " ".join(w.text for w in words[start:end]) or None


def _parse_role(words: Sequence[_Word], *, tail: str, strict_pre: bool = False) -> Role | None:
    """A role phrase in ``words``.

    ``tail`` says what may follow the title. "name": the phrase runs up to a name, so only "of ORG" may
    follow ("Director of the Institute ... Fyodor Voitolovsky"); "any": an apposition after a name, where
    the clause may go on, but not into another name (", Transport Secretary John Moore" is *his* title).
    ``strict_pre``: nothing but articles, status words and the organisation may precede the title (a clause
    before a comma: "The president of Kazakhstan, Kassym-Jomart Tokayev").
    """
    for at, w in enumerate(words):
        if w.kind != ROLE:
            continue
        lo, hi = _title_span(words, at)
        role = _role_from(words, lo, hi, tail=tail, strict_pre=strict_pre)
        if role is not None or tail == "any":
            return role  # only the first title of an apposition counts
    return None


def _org_before(words: Sequence[_Word], lo: int, *, strict: bool) -> tuple[list[_Word], bool] | None:
    """The organisation right before a title ("CSTO", "Japan's", "Federal Reserve Board") and whether a
    past status word ("former") stands there; None when ``strict`` and something else does."""
    org: list[_Word] = []
    former = False
    k = lo - 1
    while k >= 0:
        w = words[k]
        if w.low in STATUS_WORDS and (w.text.islower() or w.low in ("former", "outgoing", "incoming")):
            former = former or w.low in PAST_STATUS
        elif w.low in DETERMINERS:
            break
        elif (
            (w.text[:1].isupper() and w.kind not in (HON, COMMON))
            or (org and w.text[:1].isupper() and w.low in ORG_ADJECTIVES)  # "Federal Reserve", "New York"
            or w.possessive
            or w.low in ORG_NOUNS
            or (w.kind == CONN and org and k > 0 and words[k - 1].text[:1].isupper())
        ):
            if former:
                break
            org.insert(0, w)
        else:
            if strict:
                return None
            break
        k -= 1
    if strict and any(w.low not in DETERMINERS and w.low not in STATUS_WORDS for w in words[: k + 1]):
        return None
    return org, former


def _role_from(words: Sequence[_Word], lo: int, hi: int, *, tail: str, strict_pre: bool) -> Role | None:
    before = _org_before(words, lo, strict=strict_pre)
    if before is None:
        return None
    org_pre, former = before
    title_words = [w for w in words[lo:hi] if w.low not in STATUS_WORDS]
    # "Assistant U.S. Treasury Secretary": an assistant secretary of the U.S., not of "Assistant U.S."
    lead = 0
    while lead < len(org_pre) - 1 and org_pre[lead].low in LEADING_TITLE_WORDS:
        lead += 1
    if lead and org_pre[lead].kind != ROLE:  # not "Vice Chairman and Chief Financial Officer": two titles
        title_words, org_pre = [*org_pre[:lead], *title_words], org_pre[lead:]
    if not title_words or not any(w.kind == ROLE for w in title_words):
        return None
    rest = words[hi:]
    if len(rest) >= 2 and rest[0].low == "of" and rest[1].low in TITLE_OF_TAILS:
        title_words, rest = [*title_words, *rest[:2]], rest[2:]  # "White House chief of staff"
    org_post: list[_Word] = []
    if rest and tail == "name" and _genitive_org(title_words, rest):
        # "Генеральный секретарь ОДКБ Таалатбек Масадыков": the organisation as written
        title = _cyrillic_title(title_words) or ""
        return Role(title=title, org=" ".join(w.text for w in rest), former=former)
    if rest:
        if rest[0].low not in ORG_PREPOSITIONS and not (tail == "any" and rest[0].low in ("with", "and")):
            if tail == "name" or rest[0].kind in (NAME, INITIAL) or rest[0].text.islower():
                return None  # ", Transport Secretary John Moore" (his title), ", the executive authority"
        else:
            for w in rest[1:]:
                if not _is_org_word(w) or (w.kind == ROLE and tail == "any"):
                    break  # "Representatives of the UN Secretary-General": the organisation is "UN"
                org_post.append(w)
            if tail == "name" and (
                len(org_post) + 1 < len(rest) or not org_post or org_post[-1].kind == CONN
            ):
                return None  # "president of Kazakhstan": a name right after "of" is the organisation
    title = _cyrillic_title(title_words) or " ".join(_display_title(w.text) for w in title_words)
    return Role(title=title, org=_org_text(org_post) or _org_text(org_pre), former=former)


MAX_GENITIVE_ORG = 4


def _genitive_org(title_words: Sequence[_Word], rest: Sequence[_Word]) -> bool:
    """Russian puts the organisation after the title, in the genitive and without a preposition:
    "Генеральный секретарь ОДКБ", "Президент Казахстана", "министр иностранных дел России". A Russian
    title followed, up to the name, by a few Russian words or capitalised ones (an acronym, a place) has
    them as its organisation."""
    return (
        all(is_cyrillic(w.text) for w in title_words)
        and len(rest) <= MAX_GENITIVE_ORG
        and all(w.text[:1].isupper() or is_cyrillic(w.text) for w in rest)
    )


def _cyrillic_title(title_words: Sequence[_Word]) -> str | None:
    """A Russian title as Russian writes it: only its first letter capitalised ("Генеральный секретарь")."""
    if not all(is_cyrillic(w.text) for w in title_words):
        return None
    text = " ".join(w.text if w.kind == ACRONYM else w.text.lower() for w in title_words)
    return text[:1].upper() + text[1:]


def _plural_title(low: str) -> bool:
    """ "ministers", "representatives": a title head in the plural."""
    return low not in ROLE_HEADS and _singular(low) in ROLE_HEADS


def _display_title(word: str) -> str:
    """A title word as shown: capitalised, singular ("Representatives" -> "Representative")."""
    if word.islower():
        word = "-".join(p if p in ("in", "of", "at") else p.capitalize() for p in word.split("-"))
    low = word.lower()
    if _plural_title(low):
        return word[:-3] + "y" if low.endswith("ies") else word[:-1]
    return word
