"""Reply models as plain text (console, CLI) and as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from bot.core import SearchHit
from bot.digest import DigestReply
from bot.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    HelpReply,
    IngestReply,
    Reply,
    SearchReply,
    TextReply,
)
from bot.uploads import FileResult, IngestReport

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
    raise TypeError(f"no text rendering for {type(reply).__name__}")


def _render_search(reply: SearchReply, color: bool) -> str:
    page = reply.page
    lines = list(reply.notes)
    if not page.hits:
        lines.append(f"Nothing found for “{page.query.text}”.")
        if page.suggestion:
            lines.append(f"Did you mean: {page.suggestion}?")
        return "\n".join(lines)
    lines.append(
        f"{page.total} result{'s' if page.total != 1 else ''} for “{page.query.text}”"
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


def result_line(r: FileResult) -> list[str]:
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
    for r in report.results[:REPORT_MAX_LINES]:
        lines += result_line(r)
    if len(report.results) > REPORT_MAX_LINES:
        lines.append(f"…and {len(report.results) - REPORT_MAX_LINES} more.")
    return lines


def confirm_delete_lines(reply: ConfirmDeleteReply) -> list[str]:
    doc = reply.doc
    date = doc.published.isoformat() if doc.published else "undated"
    return [
        f"Delete #{doc.id} “{doc.title}” ({date} · {doc.source})?",
        "This removes the document, its search entries and everything stored with it.",
    ]
