"""Merging across documents: the mentions of one surname block clustered into persons."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any, TypeVar

from rapidfuzz import fuzz

from bot.people.model import _STRENGTH, HEADLINE, DocId, Person, Role, RoleRecord
from bot.people.names import _given_compatible, _split_name, _suffix, _surname_key


@dataclass(slots=True)
class _Item:
    """All mentions of one name in one document."""

    doc_id: DocId
    order: int  # insertion order of the document: ties, and the place of undated roles
    published: date | None
    name: str
    given: tuple[str, ...]
    skey: str
    count: int
    evidence: str
    surfaces: tuple[str, ...]
    roles: tuple[Role, ...]

    @property
    def confident(self) -> bool:
        return _STRENGTH[self.evidence] > 0

    @property
    def first_name(self) -> str | None:
        """The folded first name when it is written out in full (not an initial)."""
        if not self.given or self.given[0].endswith(".") or len(self.given[0]) < 2:
            return None
        return _surname_key(self.given[0])


@dataclass(slots=True)
class _Cluster:
    items: list[_Item] = field(default_factory=list)
    docs: set[DocId] = field(default_factory=set)
    titles: set[str] = field(default_factory=set)
    givens: list[tuple[str, ...]] = field(default_factory=list)
    skeys: set[str] = field(default_factory=set)

    def add(self, items: Iterable[_Item]) -> None:
        for x in items:
            self.items.append(x)
            self.docs.add(x.doc_id)
            self.titles.update(r.key for r in x.roles)
            self.skeys.add(x.skey)
            if x.given and x.given not in self.givens:
                self.givens.append(x.given)


_Row = tuple[str, str, str, "Role | None"]  # what the index keeps of a mention: name, surface, evidence, role
_T = TypeVar("_T")


class _Shared:
    """One object per value: the names, spellings and dates of a million documents' mentions repeat
    (James Baker in tens of thousands of them), and each document's stored JSON decodes into objects of
    its own. Kept once, the index's items cost a third of the heap they did. Grows with the distinct
    values (the vocabulary of names), not with the documents."""

    def __init__(self) -> None:
        self._values: dict[Any, Any] = {}

    def __call__(self, value: _T) -> _T:
        found: _T = self._values.setdefault(value, value)
        return found


def _items(
    doc_id: DocId, order: int, published: date | None, rows: list[_Row], share: _Shared | None = None
) -> list[_Item]:
    same = share or _Shared()
    groups: dict[str, list[_Row]] = defaultdict(list)
    for row in rows:
        groups[row[0]].append(row)
    out: list[_Item] = []
    for name, ms in groups.items():
        given, surname = _split_name(name)
        skey = _surname_key(surname.replace(" ", ""))
        if not skey:
            continue
        out.append(
            _Item(
                doc_id=doc_id,
                order=order,
                published=same(published),
                name=same(name),
                given=same(given),
                skey=same(skey),
                count=len(ms),
                evidence=same(max((m[2] for m in ms), key=_STRENGTH.__getitem__)),
                surfaces=same(tuple(dict.fromkeys(m[1] for m in ms))),
                roles=same(tuple(dict.fromkeys(m[3] for m in ms if m[3] is not None))),
            )
        )
    return out


def _cluster_block(items: list[_Item]) -> list[_Cluster]:
    """Persons within one surname block.

    Full names first, the most specific and best documented first; each joins the person with whose every
    first name it agrees (and whose surname is close), else starts a new person. Then bare surnames join:
    the person of the same document, else the only candidate, else the one whose role they share, else one
    with at least twice the documents of the next; otherwise a confident bare surname is a person of its
    own, and a weak one is dropped. Only names with some confident mention start a person.
    """
    variants: dict[tuple[str, str], list[_Item]] = defaultdict(list)
    bares: list[_Item] = []
    heads = [x for x in items if _from_headline(x)]
    for x in items if not heads else [x for x in items if not _from_headline(x)]:
        if x.given:
            # By first name and the initial of a second one: "George H. W. Bush" and "George W. Bush" are
            # two variants, which a bare "George Bush" may join only one of.
            second = _surname_key(x.given[1].rstrip("."))[:1] if len(x.given) > 1 else ""
            variants[(_surname_key(x.given[0].rstrip(".")) + " " + second, x.skey)].append(x)
        else:
            bares.append(x)

    def specificity(group: list[_Item]) -> tuple[int, int, int, int, str]:
        first = group[0].given[0]
        return (
            0 if first.endswith(".") or len(first) == 1 else 1,
            max(len(x.given) for x in group),
            len({x.doc_id for x in group}),
            int(any(x.confident for x in group)),
            group[0].name,
        )

    clusters: list[_Cluster] = []
    for group in sorted(variants.values(), key=specificity, reverse=True):
        rep = group[0]
        titles = {r.key for x in group for r in x.roles}
        fitting = [
            c
            for c in clusters
            if all(_given_compatible(rep.given, g) for g in c.givens)
            and any(s == rep.skey or _close_surnames(s, rep, titles, c) for s in c.skeys)
            and _suffix(rep.name) == _suffix(c.items[0].name)
        ]
        if fitting:
            max(fitting, key=lambda c: (rep.skey in c.skeys, len(c.docs))).add(group)
        elif any(x.confident for x in group):
            cluster = _Cluster()
            cluster.add(group)
            clusters.append(cluster)
    leftover: dict[str, list[_Item]] = defaultdict(list)
    for x in bares:
        target = _bare_target(x, clusters)
        if target is not None:
            target.add([x])
        else:
            leftover[x.skey].append(x)
    for group in leftover.values():
        if any(x.confident for x in group):
            cluster = _Cluster()
            cluster.add(group)
            clusters.append(cluster)
    _attach_headlines(heads, clusters)
    return clusters


def _firm_evidence(firms: Iterable[str]) -> set[str]:
    """The names a document's firms make suspect: each firm's name, and the first word of a longer one
    ("Shearson said" in a collection full of "Shearson Lehman Brothers"), once per document."""
    out: set[str] = set()
    for name in firms:
        out.add(name)
        first, _, rest = name.partition(" ")
        if rest and not first.endswith("."):
            out.add(first)
    return out


def _close_surnames(skey: str, rep: _Item, titles: set[str], cluster: _Cluster) -> bool:
    """May a full name of surname key ``rep.skey`` join a person known under ``skey``? Close spellings of
    seven letters or more may; shorter ones only with the very same first names and a post in common
    ("George Schultz" and "George Shultz", both Secretary of State; but not "Donald Regan" and "Ronald
    Reagan", nor "James R. Barker" and James Baker, whose names are not all "James R.")."""
    if fuzz.ratio(skey, rep.skey) < 85:
        return False
    if max(len(skey), len(rep.skey)) >= 7:
        return True
    given = [_surname_key(g.rstrip(".")) for g in rep.given]
    return (
        len(given[0]) > 1
        and all([_surname_key(g.rstrip(".")) for g in other] == given for other in cluster.givens)
        and bool(titles & cluster.titles)
    )


def _headline_fits(x: _Item, cluster: _Cluster) -> bool:
    """Can a headline name be this person? Only a person with a written-out first name ("BOND" is not
    "Bond" of nobody's documents, "FORD" no company a headline calls by one word), whose confident
    mentions carry that very surname, and, for "IVAN BOESKY", that very first name."""
    first = x.first_name
    return any(
        y.skey == x.skey and y.first_name is not None and (first is None or y.first_name == first)
        for y in cluster.items
        if y.confident
    )


def _from_headline(x: _Item) -> bool:
    """A name only read off an all-caps headline ("BOESKY AIDE ..."), in this document."""
    return x.evidence == HEADLINE


HEADLINE_MIN_DOCS = 8


def _attach_headlines(heads: list[_Item], clusters: list[_Cluster]) -> None:
    """Headline mentions join persons, never start one: the person the same document names, else the
    person who dominates the surname (at least twice the documents of the next namesake) when the texts
    state that person in at least twice as many documents as headlines use the word on their own. A word
    that headlines use more than that ("SELLS", "HAS", "MOODY'S") is mostly something else; and a bare
    word only joins a person of at least ``HEADLINE_MIN_DOCS`` documents ("BOND" is not Alan Bond of six)."""
    if not heads:
        return
    docs_before = {id(c): len(c.docs) for c in clusters}
    known = set().union(*(c.docs for c in clusters)) if clusters else set()
    alone: dict[str, set[DocId]] = defaultdict(set)
    for x in heads:
        if x.doc_id not in known:
            alone[x.skey].add(x.doc_id)
    for x in heads:
        pool = [c for c in clusters if _headline_fits(x, c)]
        same_doc = [c for c in pool if x.doc_id in c.docs]
        if len(same_doc) == 1:
            same_doc[0].add([x])
            continue
        ranked = sorted(pool, key=lambda c: -docs_before[id(c)])
        if not ranked or (len(ranked) > 1 and docs_before[id(ranked[0])] < 2 * docs_before[id(ranked[1])]):
            continue
        top = docs_before[id(ranked[0])]
        if top >= 2 * len(alone[x.skey]) and (x.first_name is not None or top >= HEADLINE_MIN_DOCS):
            ranked[0].add([x])


def _bare_target(x: _Item, clusters: list[_Cluster]) -> _Cluster | None:
    # A person of this very spelling, else of a close and long one ("Tasmagambetv" for Tasmagambetov; but
    # "Traders" is no misspelling of Travers, whose block it shares, nor "Houston" of John M. Huston).
    pool = [c for c in clusters if x.skey in c.skeys] or [
        c
        for c in clusters
        if len(x.skey) >= 7 and any(len(s) >= 7 and fuzz.ratio(x.skey, s) >= 90 for s in c.skeys)
    ]
    if not pool:
        return None
    same_doc = [c for c in pool if x.doc_id in c.docs]
    if len(same_doc) == 1:
        return same_doc[0]
    if len(pool) == 1:
        return pool[0]
    titles = {r.key for r in x.roles}
    if titles:
        shared = [c for c in pool if titles & c.titles]
        if len(shared) == 1:
            return shared[0]
    ranked = sorted(pool, key=lambda c: -len(c.docs))
    return ranked[0] if len(ranked[0].docs) >= 2 * len(ranked[1].docs) else None


def _person_of(items: list[_Item], existing: Mapping[str, Person]) -> Person:
    """A person snapshot. Canonical name: the spelling with a full first name used in the most documents
    (then most mentions, then the first seen); aliases: every other spelling seen."""
    by_name: dict[str, list[_Item]] = defaultdict(list)
    for x in items:
        by_name[x.name].append(x)

    def rank(name: str) -> tuple[int, int, int, int, int, str]:
        group = by_name[name]
        given = group[0].given
        return (
            int(bool(given) and not given[0].endswith(".") and len(given[0]) > 1),
            int(bool(given)),
            len({x.doc_id for x in group}),
            sum(x.count for x in group),
            -min(x.order for x in group),
            name,
        )

    canonical = max(by_name, key=rank)
    seen: dict[str, None] = {}
    canonical_words = canonical.split()
    for x in sorted(items, key=lambda x: x.order):
        for spelling in (x.name, *x.surfaces):
            spelling = " ".join(spelling.split())
            if spelling.isupper() and len(spelling) > 3:
                spelling = spelling.title()
            if spelling != canonical and spelling not in canonical_words:
                seen.setdefault(spelling, None)
    return Person(
        key=_unique_key(" ".join(_surname_key(p) for p in canonical_words), canonical, existing),
        name=canonical,
        aliases=tuple(seen),
        roles=_role_records(items),
        documents=tuple(dict.fromkeys(x.doc_id for x in sorted(items, key=lambda x: x.order))),
        mentions=sum(x.count for x in items),
        evidence=max((x.evidence for x in items), key=_STRENGTH.__getitem__),
    )


def _unique_key(key: str, name: str, existing: Mapping[str, Person]) -> str:
    base, n = key, 2
    while key in existing and existing[key].name != name:
        key, n = f"{base}#{n}", n + 1
    return key


def _role_records(items: list[_Item]) -> tuple[RoleRecord, ...]:
    """One record per title, organisation and document; a title without organisation is dropped when the
    same document gives it with one. Dated records first, oldest first."""
    records: dict[tuple[str, str, DocId], RoleRecord] = {}
    orders: dict[DocId, int] = {}
    for x in items:
        orders[x.doc_id] = x.order
        for r in x.roles:
            records.setdefault(
                (r.key, (r.org or "").lower(), x.doc_id),
                RoleRecord(r.title, r.org, x.published, x.doc_id, r.former),
            )
    with_org = {(t, d) for (t, o, d) in records if o}
    kept = [r for (t, o, d), r in records.items() if o or (t, d) not in with_org]
    kept.sort(key=lambda r: (r.date is None, r.date or date.min, orders[r.doc_id]))
    return tuple(kept)
