"""A person's card: how the posts a collection states become the lines of a card, and when ``/who``
answers with one card rather than a list of choices. Both renderers (``bot.render_text`` for the console
and the CLI, ``handlers.render`` for Telegram) only format what these rules decide."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date

from bot import texts
from bot.i18n import Language, Msg, format_date, say, translator
from bot.people.model import Person, RoleRecord, role_key
from bot.people.places import country_named

CLEAR_LEAD = 10.0  # a name match this much better than the next is the answer, not one of several
# ... and so is one named in this many times the documents of the next (and at least this many)
DOMINANT_DOCS = 5


def dominates(top: Person, runner_up: Person) -> bool:
    """/who reagan: Ronald Reagan (385 documents) is the answer, Michael Reagan (1) a footnote to it;
    James Baker (242) and Howard Baker (23) are a choice."""
    return (
        len(top.documents) >= DOMINANT_DOCS * max(1, len(runner_up.documents))
        and len(top.documents) >= DOMINANT_DOCS
    )


def day(d: date | None, lang: Language = "en") -> str:
    """A day as ``lang`` writes it (``2026-03-14``, ``14 марта 2026``), or "undated"."""
    return format_date(d, lang)


def role_text(role: RoleRecord) -> str:
    """``Secretary General, CSTO`` (``former`` when the text says so, worded in the reader's language: a
    ``Msg``); a country named by its adjective by its name ("Prime Minister, Japan" for "Japanese Prime
    Minister"). The title and the organisation are the documents' own words."""
    title = Msg(texts.FORMER, title=role.title) if role.former else role.title
    if not role.org:
        return title
    country = country_named(role.org)
    return Msg("{title}, {org}", title=title, org=country[0] if country and country[1] else role.org)


@dataclass(frozen=True)
class RoleLine:
    """One post on a person's card, however many documents state it, with the first and the last date
    stated (a card of James Baker names "Treasury Secretary" in 90 documents, not in 90 lines)."""

    label: str  # "Treasury Secretary, U.S."
    first: RoleRecord
    last: RoleRecord  # the last dated statement (the first if none is dated)
    documents: int

    def text(self, lang: Language = "en") -> str:
        """``Treasury Secretary, U.S. — 1987-02-26 to 1987-10-20, 41 documents (first #7659)``."""
        first, last = self.first, self.last
        t = translator(lang)
        label = say(self.label, lang)
        if self.documents == 1:
            return f"{label} — {day(first.date, lang)}, #{first.doc_id}"
        span = day(first.date, lang)
        if first.date != last.date:
            span = t.gettext(texts.SPAN).format(start=span, end=day(last.date, lang))
        documents = t.ngettext(*texts.POST_DOCUMENTS, self.documents).format(
            n=self.documents, id=first.doc_id
        )
        return f"{label} — {span}, {documents}"


DOMINANT_ORG_SHARE = 0.9  # of a title's statements with an organisation, for those without one to join it


def role_lines(roles: tuple[RoleRecord, ...]) -> list[RoleLine]:
    """A person's roles as posts, in the order of their first statement (``roles`` comes dated first,
    oldest first). A country is one organisation however it is named ("Prime Minister, Japanese" and
    "Prime Minister, Japan"; "U.S." and "United States"); a title stated without its organisation goes
    with the organisation the person holds it at ("Treasury Secretary" with "Treasury Secretary, U.S."),
    when nearly all statements with one name that one (not when a president is stated of two countries);
    and a shorter name of the organisation goes with the fuller one ("Chairman, Federal Reserve" with
    "Chairman, Federal Reserve Board"). A title's words may come in any order."""
    country = _country_labels(roles)

    def org_of(r: RoleRecord) -> str | None:
        return country.get(r.org, r.org) if r.org else None

    stated: dict[tuple[bool, str], Counter[str]] = {}
    for r in roles:
        if org := org_of(r):
            stated.setdefault((r.former, _title_key(r.title)), Counter())[org] += 1
    fuller = {key: _fuller_orgs(counts) for key, counts in stated.items()}
    usual: dict[tuple[bool, str], str] = {}  # the organisation a title goes with when stated without one
    for key, counts in stated.items():
        merged: Counter[str] = Counter()
        for name, n in counts.items():
            merged[fuller[key].get(name, name)] += n
        (top, n), total = merged.most_common(1)[0], sum(merged.values())
        if n >= DOMINANT_ORG_SHARE * total:
            usual[key] = top
    groups: dict[tuple[bool, str, str | None], list[RoleRecord]] = {}
    for r in roles:
        key = (r.former, _title_key(r.title))
        org = org_of(r)
        post = fuller[key].get(org, org) if org else usual.get(key)
        groups.setdefault((*key, post), []).append(r)
    out = []
    for (former, _, post_org), members in groups.items():
        # The title as the post's own statements write it (a post's name is always stated by one).
        named = next(r for r in members if org_of(r) == post_org)
        dated = [r for r in members if r.date is not None]
        last = dated[-1] if dated else members[0]
        label = role_text(RoleRecord(named.title, post_org, named.date, named.doc_id, former))
        out.append(RoleLine(label, members[0], last, len({r.doc_id for r in members})))
    return out


def _title_key(title: str) -> str:
    """A title as one post: its words in any order ("Treasury Assistant Secretary" and "Assistant Treasury
    Secretary"), as ``role_key`` compares them."""
    return " ".join(sorted(role_key(title).split()))


def _country_labels(roles: tuple[RoleRecord, ...]) -> dict[str, str]:
    """The organisations of a card that name a country, to the one name the card gives it: the most
    stated of its names ("U.S." over "United States"), else, when only its adjective is stated, the
    country's ("Japanese" is shown as Japan)."""
    named: dict[str, Counter[str]] = {}
    adjectives: set[str] = set()
    for r in roles:
        found = country_named(r.org) if r.org else None
        if r.org and found is not None:
            named.setdefault(found[0], Counter())[r.org] += 1
            if found[1]:
                adjectives.add(r.org)
    out: dict[str, str] = {}
    for country, counts in named.items():
        nouns = [org for org, _ in counts.most_common() if org not in adjectives]
        out.update(dict.fromkeys(counts, nouns[0] if nouns else country))
    return out


def _fuller_orgs(counts: Counter[str]) -> dict[str, str]:
    """Each organisation a title is stated with, to the most stated name of the same post that holds it
    or that it holds, word for word ("Federal Reserve", "Reserve" and "U.S. Federal Reserve Board" to
    "Federal Reserve Board"): the most stated name takes every name related to it, then the next."""
    words = {org: org.lower().split() for org in counts}
    out: dict[str, str] = {}
    for canon in sorted(counts, key=lambda o: (-counts[o], -len(words[o]), o)):
        if canon in out:
            continue
        for org in counts:
            if org != canon and org not in out and _holds(words[org], words[canon]):
                out[org] = canon
        out[canon] = canon
    return {org: canon for org, canon in out.items() if org != canon}


def _holds(a: list[str], b: list[str]) -> bool:
    """Is one of two word lists a run of the other's words?"""
    short, long = (a, b) if len(a) <= len(b) else (b, a)
    n = len(short)
    return any(long[k : k + n] == short for k in range(len(long) - n + 1))
