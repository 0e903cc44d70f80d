"""Reply models as plain text (console, CLI) and as JSON-ready dicts."""

from __future__ import annotations

from typing import Any

from bot.core import SearchHit
from bot.digest import DigestReply
from bot.replies import DocumentReply, HelpReply, Reply, SearchReply, TextReply

BOLD, RESET = "\033[1m", "\033[0m"


def render(reply: Reply, *, color: bool = False) -> str:
    if isinstance(reply, TextReply):
        return "\n".join(reply.lines)
    if isinstance(reply, HelpReply):
        lines = [reply.intro, ""]
        for cmd in reply.commands:
            usage = f"/{cmd.name} {cmd.args}".rstrip()
            lines.append(f"  {usage:<18} {cmd.summary}   e.g. /{cmd.example}")
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
