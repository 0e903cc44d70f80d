"""Reply models as plain text (console, CLI) and as JSON-ready dicts, in the reader's language (``lang``:
message ids from ``bot.texts`` through the catalog, dates by ``bot.i18n``). Titles, names, sources and
document text are shown as they are."""

from __future__ import annotations

from typing import Any

from bot import messages, texts
from bot.commands.lang import CONSOLE_LANG_USAGE, LANG_USAGE
from bot.commands.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    FollowListReply,
    FollowPickReply,
    HelpReply,
    IngestReply,
    LanguageReply,
    PersonEntry,
    Reply,
    SearchReply,
    TextReply,
    WhoReply,
)
from bot.digest import DigestReply
from bot.follows import texts as ft
from bot.i18n import NATIVE_NAMES, Language, Msg, say, translator
from bot.ingest.report import IngestReport, Outcome
from bot.models import SearchHit, SearchPage
from bot.people import Person, RoleRecord
from bot.people.cards import day, role_lines, role_text

BOLD, RESET = "\033[1m", "\033[0m"
REPORT_MAX_LINES = 100  # files listed one by one in an ingest report; the rest are counted


def text_lines(reply: TextReply, lang: Language = "en") -> tuple[str, ...]:
    """A text reply's lines in ``lang``, its problem (a ``UserError``) worded from its code and params by
    the one table in ``bot.messages``: both renderers word errors here."""
    lines = tuple(say(line, lang) for line in reply.lines)
    if reply.problem is None:
        return lines
    return (messages.message(reply.problem.code, reply.problem.params, lang), *lines[1:])


def admin_mark(lang: Language) -> str:
    """What /help writes after an admin command: `` (admins)``."""
    return " " + translator(lang).gettext(texts.ADMIN_MARK)


def render(reply: Reply, lang: Language = "en", *, color: bool = False) -> str:
    t = translator(lang)
    if isinstance(reply, TextReply):
        return "\n".join(text_lines(reply, lang))
    if isinstance(reply, HelpReply):
        lines = [say(reply.intro, lang), ""]
        usages = [f"/{cmd.name} {t.gettext(cmd.args) if cmd.args else ''}".rstrip() for cmd in reply.commands]
        width = max(map(len, usages), default=0)  # one column, however long the reader's words for the args
        for cmd, usage in zip(reply.commands, usages, strict=True):
            mark = admin_mark(lang) if cmd.admin_only else ""
            example = t.gettext(texts.FOR_EXAMPLE).format(example=f"/{t.gettext(cmd.example)}")
            lines.append(f"  {usage:<{width}}  {t.gettext(cmd.summary)}{mark}   {example}")
        lines += ["", *(say(line, lang) for line in reply.footer)]
        return "\n".join(lines)
    if isinstance(reply, SearchReply):
        return _render_search(reply, color, lang)
    if isinstance(reply, DigestReply):
        count = Msg(texts.NEW_DOCUMENTS_SHORT, n=reply.total)
        lines = [say(Msg(texts.PREVIEW, digest=count) if reply.preview else count, lang)]
        for entry in reply.entries:
            lines += ["", f"#{entry.doc.id} {entry.doc.title}", f"   {day(entry.doc.published, lang)}"]
            lines.append(f"   {entry.extract}")
            if entry.people:
                lines.append(f"   {t.gettext(texts.PEOPLE)} " + ", ".join(entry.people))
            if entry.also:
                ids = ", ".join(f"#{d.id}" for d in entry.also)
                lines.append(
                    "   "
                    + t.ngettext(*texts.MORE_SOURCES, len(entry.also)).format(n=len(entry.also), ids=ids)
                )
        if reply.unlisted:
            lines += ["", t.gettext(texts.AND_MORE).format(n=reply.unlisted)]
        return "\n".join(lines)
    if isinstance(reply, DocumentReply):
        doc = reply.doc
        return f"#{doc.id} {doc.title}\n{day(doc.published, lang)} · {doc.source}\n\n{doc.text}"
    if isinstance(reply, IngestReply):
        return "\n".join(report_lines(reply.report, lang))
    if isinstance(reply, ConfirmDeleteReply):
        confirm = t.gettext(texts.TYPE_DELETE_YES).format(id=reply.doc.id)
        return "\n".join([*confirm_delete_lines(reply, lang), confirm])
    if isinstance(reply, WhoReply):
        return "\n".join(who_lines(reply, lang))
    if isinstance(reply, LanguageReply):
        return "\n".join(language_lines(reply, lang))
    if isinstance(reply, FollowListReply | FollowPickReply):
        return "\n".join(follow_lines(reply, lang))
    raise TypeError(f"no text rendering for {type(reply).__name__}")


def follow_lines(reply: FollowListReply | FollowPickReply, lang: Language) -> list[str]:
    """/following's list, or /follow's choice of persons, as plain lines."""
    t = translator(lang)
    if isinstance(reply, FollowPickReply):
        lines = [t.gettext(ft.WHICH_PERSON).format(query=reply.query)]
        return lines + [f"  {p.name} — {person_summary(p, lang)}" for p in reply.persons]
    if not reply.follows:
        return [t.gettext(ft.FOLLOWS_NONE)]
    lines = [t.gettext(ft.FOLLOWS_HEADER)]
    for n, f in enumerate(reply.follows, start=1):
        kind = t.gettext(ft.PERSON if f.kind == "person" else ft.WORDS)
        mode = t.gettext(ft.MODE_INSTANT if f.mode == "instant" else ft.MODE_DIGEST)
        lines.append(f"  {n}. {f.label} ({kind}, {mode})")
    if reply.quiet:
        lines.append(t.gettext(ft.QUIET_HOURS).format(start=reply.quiet[0], end=reply.quiet[1]))
    return lines


def language_lines(reply: LanguageReply, lang: Language) -> list[str]:
    """/lang's answer, in the language now in effect (``lang``): what is chosen, and how to choose."""
    t = translator(lang)
    name = NATIVE_NAMES[lang]
    if reply.scope == "console":
        if reply.chosen is None:
            first = texts.LANGUAGE_IS_CONSOLE_AUTO
        else:
            first = texts.LANGUAGE_SET_USER if reply.changed else texts.LANGUAGE_IS_CONSOLE
        return [t.gettext(first).format(language=name), t.gettext(CONSOLE_LANG_USAGE)]
    if reply.scope == "chat":
        if reply.changed:
            first = texts.LANGUAGE_SET_CHAT if reply.chosen else texts.LANGUAGE_AUTO_CHAT
        else:
            first = texts.LANGUAGE_IS_CHAT if reply.chosen else texts.LANGUAGE_IS_CHAT_AUTO
    elif reply.changed:
        auto = texts.LANGUAGE_AUTO_USER if reply.telegram_decides else texts.LANGUAGE_AUTO_USER_WRITTEN
        first = texts.LANGUAGE_SET_USER if reply.chosen else auto
    else:
        auto = texts.LANGUAGE_IS_USER_AUTO if reply.telegram_decides else texts.LANGUAGE_IS_USER_WRITTEN
        first = texts.LANGUAGE_IS_USER_CHOSEN if reply.chosen else auto
    return [t.gettext(first).format(language=name), t.gettext(LANG_USAGE)]


# ----------------------------------------------------------------- /who (shared with the Telegram renderer)
CARD_DOCS_SHOWN = 10


CARD_ROLES_SHOWN = 8


def card_roles(roles: tuple[RoleRecord, ...], lang: Language = "en") -> tuple[list[str], int]:
    """The post lines a card shows and how many posts it leaves out (both renderers say so)."""
    posts = role_lines(roles)
    return [line.text(lang) for line in posts[:CARD_ROLES_SHOWN]], max(0, len(posts) - CARD_ROLES_SHOWN)


def person_summary(person: Person, lang: Language = "en") -> str:
    """One line about a person for a list: the latest role and how many documents."""
    n = len(person.documents)
    parts = [say(role_text(person.roles[-1]), lang)] if person.roles else []
    parts.append(translator(lang).ngettext(*texts.DOCUMENTS, n).format(n=n))
    return " · ".join(parts)


def who_lines(reply: WhoReply, lang: Language = "en") -> list[str]:
    t = translator(lang)
    if reply.kind == "none":
        lines = [t.gettext(texts.NO_ONE_CALLED).format(query=reply.query)]
        if reply.suggestions:
            lines.append(f"{t.gettext(texts.NEAREST_NAMES)} " + ", ".join(p.name for p in reply.suggestions))
        return lines
    if reply.kind == "choices":
        n = len(reply.entries)
        head = (
            t.ngettext(*texts.PEOPLE_MATCH, n).format(n=n, query=reply.query)
            if reply.query
            else t.gettext(texts.EVERYONE)
        )
        lines = [head]
        lines += [f"  {e.person.name} — {person_summary(e.person, lang)}" for e in reply.entries]
        if reply.query:
            lines.append(t.gettext(texts.ASK_AGAIN).format(name=reply.entries[0].person.name))
        return lines
    if reply.kind == "role":
        lines = [t.gettext(texts.WHO_HELD).format(query=reply.query)]
        if reply.earlier:
            lines.append(f"  ({t.ngettext(*texts.EARLIER_HOLDERS, reply.earlier).format(n=reply.earlier)})")
        lines += [f"  {holder_text(reply, k, lang=lang)}" for k in range(len(reply.entries))]
        return lines
    lines = card_lines(reply.entries[0], lang)
    if reply.others:
        lines.append(f"{t.gettext(texts.ALSO_MATCHING)} " + ", ".join(p.name for p in reply.others))
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


def holder_text(reply: WhoReply, k: int, title: bool = True, lang: Language = "en") -> str:
    """``Stanislav Zas — Secretary-General, CSTO (2022-02-09) · #5 Title``."""
    entry = reply.entries[k]
    role = holder_role(entry)
    if role is None:
        return entry.person.name
    when = day(role.date, lang)
    if is_latest(reply, k):
        when += "; " + translator(lang).gettext(texts.THE_LATEST)
    doc = entry.document(role.doc_id)
    tail = f" {doc.title}" if doc and title else ""
    return f"{entry.person.name} — {say(role_text(role), lang)} ({when}) · #{role.doc_id}{tail}"


def card_lines(entry: PersonEntry, lang: Language = "en") -> list[str]:
    t = translator(lang)
    person = entry.person
    lines = [person.name]
    if person.aliases:
        lines.append(f"{t.gettext(texts.ALSO_WRITTEN)} " + ", ".join(person.aliases))
    if person.roles:
        lines.append(t.gettext(texts.ROLES) + ":")
        shown, hidden = card_roles(person.roles, lang)
        lines += [f"  {text}" for text in shown]
        if hidden:
            lines.append("  " + t.ngettext(*texts.MORE_POSTS, hidden).format(n=hidden))
    n = len(entry.documents)
    documents = t.gettext(texts.DOCUMENTS_COUNT).format(n=n)
    lines.append(f"{documents}, {t.gettext(texts.NEWEST_FIRST)}:")
    for doc in entry.documents[:CARD_DOCS_SHOWN]:
        lines.append(f"  #{doc.id} {day(doc.published, lang)} {doc.title}")
        if doc.sentence:
            lines.append(f"     “{doc.sentence}”")
    if n > CARD_DOCS_SHOWN:
        more = t.gettext(texts.MORE_DOCUMENTS).format(n=n - CARD_DOCS_SHOWN, command=f"/search {person.name}")
        lines.append(f"  {more}")
    return lines


def who_json(reply: Reply, query: str | None, lang: Language = "en") -> dict[str, Any]:
    """The ``--json`` shape of /who: {"query", "people": [{"name", "aliases", "roles": [{"role", "org",
    "date", "doc_id"}], "documents": [{"id", "source", "date", "title"}]}]}; a refusal adds "message"."""
    if not isinstance(reply, WhoReply):
        message = "\n".join(text_lines(reply, lang)) if isinstance(reply, TextReply) else ""
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


def partial_lines(page: SearchPage, lang: Language = "en") -> list[str]:
    """Above hits that match only part of the query: that they do, and the words nothing matched (both
    renderers say so, the Telegram one escaped)."""
    t = translator(lang)
    lines = [t.gettext(texts.PARTIAL_MATCH)] if page.partial and page.hits else []
    if page.unmatched_words and (page.hits or len(page.unmatched_words) < len(page.query.all_words)):
        lines.append(t.gettext(texts.NOTHING_MATCHED).format(words=", ".join(page.unmatched_words)))
    return lines


def _render_search(reply: SearchReply, color: bool, lang: Language = "en") -> str:
    t = translator(lang)
    page = reply.page
    lines = [say(note, lang) for note in reply.notes]
    if not page.hits:
        if page.offset:
            lines.append(t.gettext(texts.NO_MORE_RESULTS))
            return "\n".join(lines)
        # "Nothing found" first: the notes then say why, or what would find something.
        lines.insert(0, t.gettext(texts.NOTHING_FOUND).format(query=page.query.label))
        lines += partial_lines(page, lang)
        if page.suggestion:
            lines.append(t.gettext(texts.DID_YOU_MEAN).format(suggestion=page.suggestion))
        return "\n".join(lines)
    if reply.answer is not None:
        doc = reply.answer.doc
        passage = reply.answer.snippet.marked(*((BOLD, RESET) if color else ("*", "*")))
        lines += [t.gettext(texts.BEST_ANSWER).format(id=doc.id, title=doc.title), f"   {passage}", ""]
    results = t.ngettext(*texts.RESULTS, page.total).format(n=page.total)
    header = t.gettext(texts.RESULTS_FOR).format(results=results, query=page.query.label)
    if reply.page_count > 1:
        header += " " + t.gettext(texts.PAGE_OF_LONG).format(page=reply.page_number, pages=reply.page_count)
    lines.append(header)
    lines += partial_lines(page, lang)
    for hit in page.hits:
        lines += ["", *_hit_lines(hit, color, lang)]
    if page.suggestion:
        lines += ["", t.gettext(texts.DID_YOU_MEAN).format(suggestion=page.suggestion)]
    return "\n".join(lines)


def _hit_lines(hit: SearchHit, color: bool, lang: Language = "en") -> list[str]:
    doc = hit.doc
    mark = (BOLD, RESET) if color else ("*", "*")
    date = day(doc.published, lang)
    return [f"#{doc.id} {doc.title}", f"   {date} · {doc.source}", f"   {hit.snippet.marked(*mark)}"]


def search_json(reply: Reply, query_text: str, lang: Language = "en") -> dict[str, Any]:
    """The ``--json`` shape of a search: {"query", "total", "hits": [...], "suggestion"}."""
    if not isinstance(reply, SearchReply):
        message = "\n".join(text_lines(reply, lang)) if isinstance(reply, TextReply) else ""
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


def report_summary(report: IngestReport, lang: Language = "en") -> str:
    """``3 added, 1 already stored, 0 skipped`` in ``lang`` (``IngestReport.summary`` in English)."""
    t = translator(lang)
    parts = [t.gettext(texts.ADDED).format(n=report.count("added"))]
    if report.count("updated"):
        parts.append(t.gettext(texts.UPDATED_COUNT).format(n=report.count("updated")))
    if report.near_duplicates:
        parts.append(t.gettext(texts.NEAR_DUPLICATES_COUNT).format(n=report.near_duplicates))
    parts.append(t.gettext(texts.DUPLICATES_COUNT).format(n=report.count("duplicate")))
    parts.append(t.gettext(texts.SKIPPED_COUNT).format(n=report.count("skipped")))
    return ", ".join(parts)


def report_header(report: IngestReport, lang: Language = "en") -> str:
    return f"{report.name}: {report_summary(report, lang)}"


def result_line(r: Outcome, lang: Language = "en") -> list[str]:
    """One document of an ingest report, in plain words (the Telegram renderer escapes these lines)."""
    t = translator(lang)
    if r.status in ("added", "updated"):
        verb = "" if r.status == "added" else " " + t.gettext(texts.UPDATED)
        lines = [f"✓ #{r.doc_id} {r.title} — {day(r.published, lang)} · {r.source}{verb}"]
        if r.similar_to is not None:
            if r.similarity is not None:
                near = t.gettext(texts.NEAR_DUPLICATE_SHARE).format(id=r.similar_to, share=r.similarity)
            else:
                near = t.gettext(texts.NEAR_DUPLICATE).format(id=r.similar_to)
            lines.append(f"   {near}")
        if r.people:
            lines.append(f"   {t.gettext(texts.PEOPLE)} " + ", ".join(r.people))
        return lines
    if r.status == "duplicate":
        stored = texts.ALREADY_STORED_TITLED if r.title else texts.ALREADY_STORED
        return ["= " + t.gettext(stored).format(source=r.source, id=r.doc_id, title=r.title)]
    return [f"✗ {r.source}: {say(r.reason or '', lang)}"]


def report_lines(report: IngestReport, lang: Language = "en") -> list[str]:
    """An ingest report: the summary, then every document (up to ``REPORT_MAX_LINES``)."""
    lines = [report_header(report, lang)]
    for r in report.outcomes[:REPORT_MAX_LINES]:
        lines += result_line(r, lang)
    if len(report.outcomes) > REPORT_MAX_LINES:
        lines.append(
            translator(lang).gettext(texts.AND_MORE).format(n=len(report.outcomes) - REPORT_MAX_LINES)
        )
    return lines


def confirm_delete_lines(reply: ConfirmDeleteReply, lang: Language = "en") -> list[str]:
    t = translator(lang)
    doc = reply.doc
    date = day(doc.published, lang)
    return [
        t.gettext(texts.CONFIRM_DELETE).format(id=doc.id, title=doc.title, date=date, source=doc.source),
        t.gettext(texts.DELETE_WARNING),
    ]
