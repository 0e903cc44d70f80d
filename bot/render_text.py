"""Reply models as plain text (console, CLI) and as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from bot import messages
from bot.commands.replies import (
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
from bot.digest import DigestReply
from bot.ingest.report import IngestReport, Outcome
from bot.models import SearchHit, SearchPage
from bot.people import Person, RoleRecord
from bot.people.cards import day, role_lines, role_text
from bot.texts import BEST_ANSWER, DID_YOU_MEAN, NOTHING_MATCHED, PARTIAL_MATCH

BOLD, RESET = "\033[1m", "\033[0m"
REPORT_MAX_LINES = 100  # files listed one by one in an ingest report; the rest are counted
ADMIN_MARK = " (admins)"


def text_lines(reply: TextReply, lang: str = "en") -> tuple[str, ...]:
    """A text reply's lines, its problem (a ``UserError``) worded from its code and params by the one
    table in ``bot.messages``: both renderers word errors here."""
    if reply.problem is None:
        return reply.lines
    return (messages.message(reply.problem.code, reply.problem.params, lang), *reply.lines[1:])


def render(reply: Reply, *, color: bool = False) -> str:
    if isinstance(reply, TextReply):
        return "\n".join(text_lines(reply))
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


CARD_ROLES_SHOWN = 8


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
        message = "\n".join(text_lines(reply)) if isinstance(reply, TextReply) else ""
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


def partial_lines(page: SearchPage) -> list[str]:
    """Above hits that match only part of the query: that they do, and the words nothing matched (both
    renderers say so, the Telegram one escaped)."""
    lines = [PARTIAL_MATCH] if page.partial and page.hits else []
    if page.unmatched_words and (page.hits or len(page.unmatched_words) < len(page.query.all_words)):
        lines.append(NOTHING_MATCHED.format(words=", ".join(page.unmatched_words)))
    return lines


def _render_search(reply: SearchReply, color: bool) -> str:
    page = reply.page
    lines = list(reply.notes)
    mark = (BOLD, RESET) if color else ("*", "*")
    if not page.hits:
        lines.append(f"Nothing found for “{page.query.label}”.")
        lines += partial_lines(page)
        if page.suggestion:
            lines.append(DID_YOU_MEAN.format(suggestion=page.suggestion))
        return "\n".join(lines)
    if reply.answer is not None:
        doc = reply.answer.doc
        lines += [
            BEST_ANSWER.format(id=doc.id, title=doc.title),
            f"   {reply.answer.snippet.marked(*mark)}",
            "",
        ]
    lines.append(
        f"{page.total} result{'s' if page.total != 1 else ''} for “{page.query.label}”"
        + (f" (page {reply.page_number} of {reply.page_count})" if reply.page_count > 1 else "")
    )
    lines += partial_lines(page)
    for hit in page.hits:
        lines += ["", *_hit_lines(hit, color)]
    if page.suggestion:
        lines += ["", DID_YOU_MEAN.format(suggestion=page.suggestion)]
    return "\n".join(lines)


def _hit_lines(hit: SearchHit, color: bool) -> list[str]:
    doc = hit.doc
    date = doc.published.isoformat() if doc.published else "undated"
    mark = (BOLD, RESET) if color else ("*", "*")
    return [f"#{doc.id} {doc.title}", f"   {date} · {doc.source}", f"   {hit.snippet.marked(*mark)}"]


def search_json(reply: Reply, query_text: str) -> dict[str, Any]:
    """The ``--json`` shape of a search: {"query", "total", "hits": [...], "suggestion"}."""
    if not isinstance(reply, SearchReply):
        message = "\n".join(text_lines(reply)) if isinstance(reply, TextReply) else ""
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
