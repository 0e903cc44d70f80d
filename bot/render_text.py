"""Reply models as plain text (console, CLI) and as JSON-ready dicts."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot.digest import DigestReply
from bot.ingest.report import IngestReport, Outcome
from bot.models import SearchHit
from bot.people import Person, RoleRecord, role_key
from bot.places import country_named
from bot.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    HelpReply,
    IngestReply,
    PersonEntry,
    Reply,
    SearchReply,
    TextReply,
    WhoReply,
)

BOLD, RESET = "\033[1m", "\033[0m"
REPORT_MAX_LINES = 100  # files listed one by one in an ingest report; the rest are counted
ADMIN_MARK = " (admins)"


def render(reply: Reply, *, color: bool = False) -> str:
    if isinstance(reply, TextReply):
        return "\n".join(reply.lines)
    if isinstance(reply, HelpReply):
        lines = [reply.intro, ""]
        for cmd in reply.commands:
            usage = f"/{cmd.name} {cmd.args}".rstrip()
            mark = ADMIN_MARK if cmd.admin_only else ""
            lines.append(f"  {usage:<18} {cmd.summary}{mark}   e.g. /{cmd.example}")
        lines += ["", *reply.footer]
        return "\n".join(lines)
    if isinstance(reply, SearchReply):
        return _render_search(reply, color)
    if isinstance(reply, DigestReply):
        lines = [f"{'Preview: ' if reply.preview else ''}{reply.total} new document(s)"]
        for entry in reply.entries:
            date = entry.doc.published.isoformat() if entry.doc.published else "undated"
            lines += ["", f"#{entry.doc.id} {entry.doc.title}", f"   {date}", f"   {entry.extract}"]
            if entry.people:
                lines.append("   People: " + ", ".join(entry.people))
        if reply.unlisted:
            lines += ["", f"…and {reply.unlisted} more."]
        return "\n".join(lines)
    if isinstance(reply, DocumentReply):
        doc = reply.doc
        date = doc.published.isoformat() if doc.published else "undated"
        return f"#{doc.id} {doc.title}\n{date} · {doc.source}\n\n{doc.text}"
    if isinstance(reply, IngestReply):
        return "\n".join(report_lines(reply.report))
    if isinstance(reply, ConfirmDeleteReply):
        return "\n".join([*confirm_delete_lines(reply), f"Type /delete {reply.doc.id} yes to delete it."])
    if isinstance(reply, WhoReply):
        return "\n".join(who_lines(reply))
    raise TypeError(f"no text rendering for {type(reply).__name__}")


# ----------------------------------------------------------------- /who (shared with the Telegram renderer)
CARD_DOCS_SHOWN = 10


def day(d: date | None) -> str:
    return d.isoformat() if d else "undated"


def role_text(role: RoleRecord) -> str:
    """``Secretary General, CSTO`` (``former`` when the text says so); a country named by its adjective
    by its name ("Prime Minister, Japan" for "Japanese Prime Minister")."""
    title = f"former {role.title}" if role.former else role.title
    if not role.org:
        return title
    country = country_named(role.org)
    return f"{title}, {country[0] if country and country[1] else role.org}"


CARD_ROLES_SHOWN = 8


@dataclass(frozen=True)
class RoleLine:
    """One post on a person's card, however many documents state it, with the first and the last date
    stated (a card of James Baker names "Treasury Secretary" in 90 documents, not in 90 lines)."""

    label: str  # "Treasury Secretary, U.S."
    first: RoleRecord
    last: RoleRecord  # the last dated statement (the first if none is dated)
    documents: int

    def text(self) -> str:
        """``Treasury Secretary, U.S. — 1987-02-26 to 1987-10-20, 41 documents (first #7659)``."""
        first, last = self.first, self.last
        if self.documents == 1:
            return f"{self.label} — {day(first.date)}, #{first.doc_id}"
        span = day(first.date) if first.date == last.date else f"{day(first.date)} to {day(last.date)}"
        return f"{self.label} — {span}, {self.documents} documents (first #{first.doc_id})"


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


def card_roles(roles: tuple[RoleRecord, ...]) -> tuple[list[str], int]:
    """The post lines a card shows and how many posts it leaves out (both renderers say so)."""
    posts = role_lines(roles)
    return [line.text() for line in posts[:CARD_ROLES_SHOWN]], max(0, len(posts) - CARD_ROLES_SHOWN)


def person_summary(person: Person) -> str:
    """One line about a person for a list: the latest role and how many documents."""
    n = len(person.documents)
    parts = [role_text(person.roles[-1])] if person.roles else []
    parts.append(f"{n} document{'s' if n != 1 else ''}")
    return " · ".join(parts)


def who_lines(reply: WhoReply) -> list[str]:
    if reply.kind == "none":
        lines = [f"No one called “{reply.query}” in the documents."]
        if reply.suggestions:
            lines.append("Nearest names: " + ", ".join(p.name for p in reply.suggestions))
        return lines
    if reply.kind == "choices":
        head = f"{len(reply.entries)} people match “{reply.query}”:" if reply.query else "Everyone:"
        lines = [head]
        lines += [f"  {e.person.name} — {person_summary(e.person)}" for e in reply.entries]
        if reply.query:
            lines.append("Ask again with the full name, e.g. /who " + reply.entries[0].person.name)
        return lines
    if reply.kind == "role":
        lines = [f"Who held “{reply.query}”, oldest first:"]
        if reply.earlier:
            lines.append(f"  ({reply.earlier} earlier holder(s) not shown)")
        lines += [f"  {holder_text(reply, k)}" for k in range(len(reply.entries))]
        return lines
    lines = card_lines(reply.entries[0])
    if reply.others:
        lines.append("Also matching: " + ", ".join(p.name for p in reply.others))
    return lines


def holder_role(entry: PersonEntry) -> RoleRecord | None:
    """The role record a holder line cites: the first that names the organisation, else the first."""
    return next((r for r in entry.roles if r.org), entry.roles[0] if entry.roles else None)


def is_latest(reply: WhoReply, k: int) -> bool:
    """The last holder is "the latest" when there is an earlier one and it does not share its date."""
    if k != len(reply.entries) - 1 or k == 0:
        return False
    last, before = holder_role(reply.entries[k]), holder_role(reply.entries[k - 1])
    return last is not None and before is not None and last.date != before.date


def holder_text(reply: WhoReply, k: int, title: bool = True) -> str:
    """``Stanislav Zas — Secretary-General, CSTO (2022-02-09) · #5 Title``."""
    entry = reply.entries[k]
    role = holder_role(entry)
    if role is None:
        return entry.person.name
    when = day(role.date) + ("; the latest" if is_latest(reply, k) else "")
    doc = entry.document(role.doc_id)
    tail = f" {doc.title}" if doc and title else ""
    return f"{entry.person.name} — {role_text(role)} ({when}) · #{role.doc_id}{tail}"


def card_lines(entry: PersonEntry) -> list[str]:
    person = entry.person
    lines = [person.name]
    if person.aliases:
        lines.append("Also written: " + ", ".join(person.aliases))
    if person.roles:
        lines.append("Roles:")
        shown, hidden = card_roles(person.roles)
        lines += [f"  {text}" for text in shown]
        if hidden:
            lines.append(f"  …and {hidden} more posts")
    n = len(entry.documents)
    lines.append(f"Documents ({n}), newest first:")
    for doc in entry.documents[:CARD_DOCS_SHOWN]:
        lines.append(f"  #{doc.id} {day(doc.published)} {doc.title}")
        if doc.sentence:
            lines.append(f"     “{doc.sentence}”")
    if n > CARD_DOCS_SHOWN:
        lines.append(f"  …and {n - CARD_DOCS_SHOWN} more: /search {person.name}")
    return lines


def who_json(reply: Reply, query: str | None) -> dict[str, Any]:
    """The ``--json`` shape of /who: {"query", "people": [{"name", "aliases", "roles": [{"role", "org",
    "date", "doc_id"}], "documents": [{"id", "source", "date", "title"}]}]}; a refusal adds "message"."""
    if not isinstance(reply, WhoReply):
        message = "\n".join(reply.lines) if isinstance(reply, TextReply) else ""
        return {"query": query, "people": [], "message": message}
    people = [
        {
            "name": e.person.name,
            "aliases": list(e.person.aliases),
            "roles": [
                {
                    "role": r.title,
                    "org": r.org,
                    "date": r.date.isoformat() if r.date else None,
                    "doc_id": r.doc_id,
                }
                for r in e.person.roles
            ],
            "documents": [
                {
                    "id": d.id,
                    "source": d.source,
                    "date": day(d.published) if d.published else None,
                    "title": d.title,
                }
                for d in e.documents
            ],
        }
        for e in reply.entries
    ]
    out: dict[str, Any] = {"query": query, "people": people}
    if reply.kind == "none" and reply.suggestions:
        out["suggestions"] = [p.name for p in reply.suggestions]
    return out


def _render_search(reply: SearchReply, color: bool) -> str:
    page = reply.page
    lines = list(reply.notes)
    if not page.hits:
        lines.append(f"Nothing found for “{page.query.label}”.")
        if page.suggestion:
            lines.append(f"Did you mean: {page.suggestion}?")
        return "\n".join(lines)
    lines.append(
        f"{page.total} result{'s' if page.total != 1 else ''} for “{page.query.label}”"
        + (f" (page {reply.page_number} of {reply.page_count})" if reply.page_count > 1 else "")
    )
    for hit in page.hits:
        lines += ["", *_hit_lines(hit, color)]
    return "\n".join(lines)


def _hit_lines(hit: SearchHit, color: bool) -> list[str]:
    doc = hit.doc
    date = doc.published.isoformat() if doc.published else "undated"
    mark = (BOLD, RESET) if color else ("*", "*")
    return [f"#{doc.id} {doc.title}", f"   {date} · {doc.source}", f"   {hit.snippet.marked(*mark)}"]


def search_json(reply: Reply, query_text: str) -> dict[str, Any]:
    """The ``--json`` shape of a search: {"query", "total", "hits": [...], "suggestion"}."""
    if not isinstance(reply, SearchReply):
        message = "\n".join(reply.lines) if isinstance(reply, TextReply) else ""
        return {"query": query_text, "total": 0, "hits": [], "suggestion": None, "message": message}
    page = reply.page
    return {
        "query": query_text,
        "total": page.total,
        "hits": [
            {
                "id": hit.doc.id,
                "source": hit.doc.source,
                "title": hit.doc.title,
                "date": hit.doc.published.isoformat() if hit.doc.published else None,
                "score": round(hit.score, 4),
                "snippet": hit.snippet.text,
                "highlights": [list(span) for span in hit.snippet.highlights],
            }
            for hit in page.hits
        ],
        "suggestion": page.suggestion,
    }


def report_header(report: IngestReport) -> str:
    return f"{report.name}: {report.summary()}"


def result_line(r: Outcome) -> list[str]:
    """One document of an ingest report, in plain words (the Telegram renderer escapes these lines)."""
    if r.status in ("added", "updated"):
        date = r.published.isoformat() if r.published else "undated"
        verb = "" if r.status == "added" else " (updated)"
        lines = [f"✓ #{r.doc_id} {r.title} — {date} · {r.source}{verb}"]
        if r.similar_to is not None:
            share = f", {r.similarity:.0%} of the wording shared" if r.similarity is not None else ""
            lines.append(f"   near-duplicate: resembles #{r.similar_to}{share}")
        if r.people:
            lines.append("   People: " + ", ".join(r.people))
        return lines
    if r.status == "duplicate":
        title = f" “{r.title}”" if r.title else ""
        return [f"= {r.source}: already stored as #{r.doc_id}{title}, not added again"]
    return [f"✗ {r.source}: {r.reason}"]


def report_lines(report: IngestReport) -> list[str]:
    """An ingest report: the summary, then every document (up to ``REPORT_MAX_LINES``)."""
    lines = [report_header(report)]
    for r in report.outcomes[:REPORT_MAX_LINES]:
        lines += result_line(r)
    if len(report.outcomes) > REPORT_MAX_LINES:
        lines.append(f"…and {len(report.outcomes) - REPORT_MAX_LINES} more.")
    return lines


def confirm_delete_lines(reply: ConfirmDeleteReply) -> list[str]:
    doc = reply.doc
    date = doc.published.isoformat() if doc.published else "undated"
    return [
        f"Delete #{doc.id} “{doc.title}” ({date} · {doc.source})?",
        "This removes the document, its search entries and everything stored with it.",
    ]
