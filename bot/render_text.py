"""Reply models as plain text (console, CLI) and as JSON-ready dicts, in the reader's language (``lang``:
message ids from ``bot.texts`` through the catalog, dates by ``bot.i18n``). Titles, names, sources and
document text are shown as they are."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from datetime import date
from typing import Any

from bot import messages, texts
from bot.commands.lang import LANG_USAGE
from bot.commands.replies import (
    ConfirmDeleteReply,
    DocumentReply,
    HelpReply,
    IngestReply,
    LanguageReply,
    PersonEntry,
    Reply,
    SearchReply,
    TextReply,
    WhoReply,
)
from bot.core import SearchHit
from bot.digest import DigestReply
from bot.i18n import NATIVE_NAMES, Language, Msg, format_date, say, translator
from bot.messages import reason_message
from bot.people import Person, RoleRecord, role_key
from bot.places import country_named
from bot.uploads import FileResult, IngestReport

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
        for cmd in reply.commands:
            usage = f"/{cmd.name} {t.gettext(cmd.args) if cmd.args else ''}".rstrip()
            mark = admin_mark(lang) if cmd.admin_only else ""
            example = t.gettext(texts.FOR_EXAMPLE).format(example=f"/{cmd.example}")
            lines.append(f"  {usage:<18} {t.gettext(cmd.summary)}{mark}   {example}")
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
    raise TypeError(f"no text rendering for {type(reply).__name__}")


def language_lines(reply: LanguageReply, lang: Language) -> list[str]:
    """/lang's answer, in the language now in effect (``lang``): what is chosen, and how to choose."""
    t = translator(lang)
    name = NATIVE_NAMES[lang]
    if reply.scope == "chat":
        if reply.changed:
            first = texts.LANGUAGE_SET_CHAT if reply.chosen else texts.LANGUAGE_AUTO_CHAT
        else:
            first = texts.LANGUAGE_IS_CHAT if reply.chosen else texts.LANGUAGE_IS_CHAT_AUTO
    elif reply.changed:
        first = texts.LANGUAGE_SET_USER if reply.chosen else texts.LANGUAGE_AUTO_USER
    else:
        first = texts.LANGUAGE_IS_USER_CHOSEN if reply.chosen else texts.LANGUAGE_IS_USER_AUTO
    return [t.gettext(first).format(language=name), t.gettext(LANG_USAGE)]


# ----------------------------------------------------------------- /who (shared with the Telegram renderer)
CARD_DOCS_SHOWN = 10


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


CARD_ROLES_SHOWN = 8


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


def _render_search(reply: SearchReply, color: bool, lang: Language = "en") -> str:
    t = translator(lang)
    page = reply.page
    lines = [say(reason_message(note), lang) for note in reply.notes]
    if not page.hits:
        if page.offset:
            lines.append(t.gettext(texts.NO_MORE_RESULTS))
            return "\n".join(lines)
        lines.append(t.gettext(texts.NOTHING_FOUND).format(query=page.query.label))
        if page.suggestion:
            lines.append(t.gettext(texts.DID_YOU_MEAN).format(suggestion=page.suggestion))
        return "\n".join(lines)
    results = t.ngettext(*texts.RESULTS, page.total).format(n=page.total)
    header = t.gettext(texts.RESULTS_FOR).format(results=results, query=page.query.label)
    if reply.page_count > 1:
        header += " " + t.gettext(texts.PAGE_OF_LONG).format(page=reply.page_number, pages=reply.page_count)
    lines.append(header)
    for hit in page.hits:
        lines += ["", *_hit_lines(hit, color, lang)]
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


def result_line(r: FileResult, lang: Language = "en") -> list[str]:
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
    return [f"✗ {r.source}: {say(reason_message(r.reason or ''), lang)}"]


def report_lines(report: IngestReport, lang: Language = "en") -> list[str]:
    """An ingest report: the summary, then every document (up to ``REPORT_MAX_LINES``)."""
    lines = [report_header(report, lang)]
    for r in report.results[:REPORT_MAX_LINES]:
        lines += result_line(r, lang)
    if len(report.results) > REPORT_MAX_LINES:
        lines.append(
            translator(lang).gettext(texts.AND_MORE).format(n=len(report.results) - REPORT_MAX_LINES)
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
