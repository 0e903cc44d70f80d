"""The command layer: ``/search x`` in, a reply model out, the same for Telegram, the console and the CLI.

Transports only split a message into command and arguments and say who is asking (``Caller``); every
rule about what a command means, what is valid and what the user is told lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from bot.core import Dossier, Progress
from bot.dates import DateBoundError
from bot.digest import PeopleLookup, build_digest
from bot.formats import Limits
from bot.people import Person, RoleRecord
from bot.replies import (
    CommandInfo,
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
from bot.schedule import Schedule, ScheduleError, daily_at, parse_hhmm, parse_schedule
from bot.search.query import parse_query
from bot.settings import Settings, load_settings
from bot.uploads import clean_name

SEARCH_PAGE_SIZE = 5
SESSION_TTL = timedelta(days=7)
EXPIRED = "This search has expired. Send /search again."
MAX_DOC_ID = 2**62
MAX_WHO_QUERY = 120  # longer than any name with its title: a pasted paragraph, not a question
CARD_SENTENCES = 10  # documents on a person's card that come with the sentence naming them
MAX_CHOICES = 8
MAX_HOLDERS = 12
CLEAR_LEAD = 10.0  # a name match this much better than the next is the answer, not one of several
DOMINANT_DOCS = (
    5  # ... and so is one named in this many times the documents of the next (and at least this many)
)
WHO_HELP = (
    "Ask with a name in any spelling (/who Masadykov, /who Масадыков, /who zas) "
    "or a role (/who secretary general)."
)

COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo(
        "search",
        "<words>",
        "find documents; typos and other spellings are fine",
        'search Masadikov "secretary general" since:2024',
    ),
    CommandInfo("doc", "<id>", "show one document in full", "doc 3"),
    CommandInfo(
        "who", "<name or role>", "a person: spellings, roles, documents; or who held a role", "who Masadikov"
    ),
    CommandInfo("subscribe", "", "get a digest of new documents (in groups: admins only)", "subscribe"),
    CommandInfo("unsubscribe", "", "stop the digest", "unsubscribe"),
    CommandInfo("digest", "", "show now what the next digest would contain", "digest"),
    CommandInfo(
        "digest_time",
        "<HH:MM | off>",
        "get your digest daily at this time instead (off: back to the shared schedule)",
        "digest_time 08:30",
    ),
    CommandInfo("help", "", "this list", "help"),
    CommandInfo(
        "add", "", "send a file with this caption to add it (in private chats any file will do)", "add",
        admin_only=True,
    ),
    CommandInfo("delete", "<id>", "remove a document (asks to confirm)", "delete 3", admin_only=True),
    CommandInfo("reindex", "", "rebuild everything from the stored originals", "reindex", admin_only=True),
    CommandInfo(
        "stats", "", "documents, people, subscribers, store size, last ingest", "stats", admin_only=True
    ),
)
ADMIN_COMMANDS = frozenset(c.name for c in COMMANDS if c.admin_only)
NOT_UPLOADER = "Sorry, only the bot's admins can add documents. Nothing was downloaded."

QUERY_HELP = (
    'Query language: words in any order; "exact phrase"; -word to exclude; '
    "since:2024-01 and until:2024-12-31 to filter by date (YYYY, YYYY-MM or YYYY-MM-DD)."
)


@dataclass(frozen=True)
class Caller:
    """Who is asking, as far as the core needs to know."""

    user_id: int | None = None
    chat_id: int | None = None
    is_admin: bool = False
    transport: str = "console"
    chat_type: str = "private"  # "private", "group" (groups and supergroups) or "channel"
    thread_id: int | None = None  # the forum topic asked in, where digests then go
    is_chat_admin: bool = False  # an administrator of the group asked in


_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def split_command(text: str) -> tuple[str, str] | None:
    """``/search@dossier_bot foo`` -> ``("search", "foo")``; None when the text is not a command."""
    m = _COMMAND_RE.match(text.strip())
    if not m:
        return None
    return m.group(1).lower(), (m.group(3) or "").strip()


def _dominates(top: Person, runner_up: Person) -> bool:
    """/who reagan: Ronald Reagan (385 documents) is the answer, Michael Reagan (1) a footnote to it;
    James Baker (242) and Howard Baker (23) are a choice."""
    return (
        len(top.documents) >= DOMINANT_DOCS * max(1, len(runner_up.documents))
        and len(top.documents) >= DOMINANT_DOCS
    )


class Commands:
    def __init__(
        self, dossier: Dossier, settings: Settings | None = None, people: PeopleLookup | None = None
    ) -> None:
        self.dossier = dossier
        self.settings = settings or load_settings()
        # Digest entries list the people each document names, from the people index unless told otherwise.
        self.people: PeopleLookup | None = people if people is not None else dossier.people_names
        self._table: dict[str, Callable[[str, Caller], Reply]] = {
            "search": lambda args, caller: self.search(
                args, caller=caller, paged=caller.transport != "console"
            ),
            "doc": lambda args, caller: self.doc(args),
            "who": lambda args, caller: self.who(args),
            "help": lambda args, caller: self.help(caller),
            "start": lambda args, caller: self.help(caller),
            "subscribe": lambda args, caller: self.subscribe(caller),
            "unsubscribe": lambda args, caller: self.unsubscribe(caller),
            "digest": lambda args, caller: self.digest_preview(caller),
            "digest_time": lambda args, caller: self.digest_time(args, caller),
            "add": lambda args, caller: self.add_hint(caller),
            "delete": lambda args, caller: self.delete(args, caller),
            "reindex": lambda args, caller: self.reindex(caller),
            "stats": lambda args, caller: self.stats(),
        }

    def handle(self, text: str, caller: Caller, progress: Progress | None = None) -> Reply:
        """One line of input. Plain text (no leading ``/``) is taken as a search. ``progress`` is told
        how a long command (/reindex) is getting on."""
        parsed = split_command(text)
        if parsed is None:
            return self.search(text)
        name, args = parsed
        handler = self._table.get(name)
        if handler is None:
            return TextReply.of(
                f"I don't know the command /{name}.", "Send /help to see what I can do.", error=True
            )
        if name in ADMIN_COMMANDS and not caller.is_admin:
            return TextReply.of(f"Sorry, /{name} is for the bot's admins only.", error=True)
        if name == "reindex":
            return self.reindex(caller, progress)
        return handler(args, caller)

    def help(self, caller: Caller | None = None) -> HelpReply:
        """Every command; admin commands only for admins, who see them marked as such."""
        admin = caller is not None and caller.is_admin
        return HelpReply(
            intro=(
                f"Dossier answers questions about {len(self.dossier)} documents. "
                "Search forgives typos, other transliterations and Cyrillic/Latin spellings."
            ),
            commands=tuple(c for c in COMMANDS if admin or not c.admin_only),
            footer=(QUERY_HELP,),
        )

    def search(
        self,
        args: str,
        offset: int = 0,
        page_size: int = SEARCH_PAGE_SIZE,
        caller: Caller | None = None,
        paged: bool = False,
    ) -> Reply:
        """A page of results. ``paged`` keeps the query server-side under a short id (for buttons) when
        there is more than one page."""
        if not args.strip():
            return TextReply.of(
                "Tell me what to look for, e.g. /search Masadykov secretary general", QUERY_HELP, error=True
            )
        try:
            query = parse_query(args)
        except DateBoundError as exc:
            return TextReply.of(str(exc), error=True)
        if query.is_empty:
            notes = query.notes
            return TextReply.of("Your query has no words to search for.", *notes, QUERY_HELP, error=True)
        page = self.dossier.search(query, limit=page_size, offset=max(0, offset))
        if page.stop_words_only:
            return TextReply.of(
                "Your query only has very common words (like “the” or “of”), which every document has.",
                "Add a more specific word.",
                error=True,
            )
        session = None
        if paged and page.total > page_size:
            who = caller or Caller()
            session = self.dossier.store.create_search_session(args, who.user_id, who.chat_id, SESSION_TTL).id
        return SearchReply(page, page_size, query.notes, session)

    def search_page(self, session_id: str, offset: int, page_size: int = SEARCH_PAGE_SIZE) -> Reply:
        """Another page of a search started earlier (a Prev/Next button), or why it cannot be shown."""
        session = self.dossier.store.get_search_session(session_id)
        if session is None or session.expired():
            return TextReply.of(EXPIRED, error=True)
        reply = self.search(session.query, offset=offset, page_size=page_size)
        if isinstance(reply, SearchReply):
            return SearchReply(reply.page, page_size, reply.notes, session.id)
        return reply

    def doc(self, args: str) -> Reply:
        raw = args.strip().lstrip("#")
        if not raw:
            return TextReply.of("Which document? Give its number, e.g. /doc 3", error=True)
        if not raw.isdigit() or int(raw) > MAX_DOC_ID:
            return TextReply.of(
                f"“{raw[:40]}” is not a document number. Use the #number from a search.", error=True
            )
        doc = self.dossier.document(int(raw))
        if doc is None:
            return TextReply.of(f"There is no document #{int(raw)}.", error=True)
        return DocumentReply(doc)

    # ----------------------------------------------------------------- people
    def who(self, args: str) -> Reply:
        """``/who <name or role>``: a person's card, a role's holders in date order, a short list of close
        matches, or nobody with the nearest names. Bad input is explained, never searched."""
        query = " ".join(args.split())
        if not query:
            return TextReply.of("Whom are you looking for?", WHO_HELP, error=True)
        if len(query) > MAX_WHO_QUERY:
            return TextReply.of(
                f"That is {len(query):,} characters, too long for a name or a role.", WHO_HELP, error=True
            )
        letters = sum(ch.isalpha() for ch in query)
        if letters == 0:
            return TextReply.of(f"“{query[:40]}” has no letters, so it names no one.", WHO_HELP, error=True)
        if letters < 2:
            return TextReply.of("One letter could be anyone: give at least two.", WHO_HELP, error=True)
        matches = self.dossier.who(query, limit=200)
        if not matches:
            return WhoReply(query, "none", suggestions=tuple(self.dossier.suggest_people(query)))
        if matches[0].kind == "role":
            shown = matches[-MAX_HOLDERS:]  # the latest holders: oldest first, the newest last
            entries = tuple(self._entry(m.person, roles=m.roles) for m in shown)
            return WhoReply(query, "role", entries, earlier=len(matches) - len(shown))
        close = [m for m in matches if matches[0].score - m.score < CLEAR_LEAD][:MAX_CHOICES]
        top = close[0].person
        if len(close) == 1 or _dominates(top, close[1].person):
            others = tuple(m.person for m in close[1:])
            return WhoReply(query, "person", (self._entry(top, CARD_SENTENCES),), others=others)
        return WhoReply(query, "choices", tuple(self._entry(m.person) for m in close))

    def who_pick(self, key: str) -> Reply:
        """A pick button (``w:<key>``): that person's card. A key that no longer names a listed person
        (the corpus changed the canonical spelling) is asked again as a name."""
        person = self.dossier.person(key)
        if person is not None:
            return WhoReply(person.name, "person", (self._entry(person, CARD_SENTENCES),))
        return self.who(key.split("#")[0])

    def who_all(self) -> WhoReply:
        """Every person (``python -m bot who --all``), the most documented first."""
        return WhoReply("", "choices", tuple(self._entry(p) for p in self.dossier.all_people()))

    def _entry(self, person: Person, sentences: int = 0, roles: tuple[RoleRecord, ...] = ()) -> PersonEntry:
        return PersonEntry(person, tuple(self.dossier.person_documents(person, sentences)), roles)

    # ----------------------------------------------------------------- digests
    def _digest_guard(self, caller: Caller) -> TextReply | None:
        """Why ``caller`` may not change this chat's subscription, or None when they may."""
        if caller.chat_id is None:
            return TextReply.of("Digests are delivered to Telegram chats; subscribe from one.", error=True)
        if caller.chat_type == "channel":
            return TextReply.of("Digests cannot be managed from a channel.", error=True)
        if caller.chat_type == "group" and not (caller.is_chat_admin or caller.is_admin):
            return TextReply.of("Only the group's administrators can change its digest.", error=True)
        return None

    def schedule_for(self, digest_time: str | None) -> Schedule:
        tz = self.settings.tz
        if digest_time:
            return daily_at(parse_hhmm(digest_time), tz)
        return parse_schedule(self.settings.digest_schedule, tz)

    def next_due_text(self, digest_time: str | None) -> str:
        now = datetime.now(self.settings.tz)
        schedule = self.schedule_for(digest_time)
        due = schedule.next_after(now)
        when = due.strftime("%Y-%m-%d %H:%M %Z") if due else "never"
        rule = f"every day at {digest_time}" if digest_time else f"on the schedule “{schedule.text}”"
        return f"The next digest is due {when} ({rule}), if anything new has arrived by then."

    def subscribe(self, caller: Caller) -> Reply:
        refusal = self._digest_guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        kind = "group" if caller.chat_type == "group" else "user"
        created = self.dossier.store.subscribe(caller.chat_id, caller.thread_id, kind, caller.user_id)
        existing = created or self.dossier.store.subscription(caller.chat_id)
        due = self.next_due_text(existing.digest_time if existing else None)
        if created is None:
            return TextReply.of("This chat is already subscribed.", due)
        who = "This group is" if kind == "group" else "You are"
        return TextReply.of(
            f"{who} subscribed. Each digest lists the documents added since the one before; the first "
            "holds what arrives from now on.",
            due,
            "Change the hour with /digest_time HH:MM, stop with /unsubscribe.",
        )

    def unsubscribe(self, caller: Caller) -> Reply:
        refusal = self._digest_guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        if self.dossier.store.unsubscribe(caller.chat_id):
            return TextReply.of("Unsubscribed: no more digests here. /subscribe to start again.")
        return TextReply.of("This chat is not subscribed, so there is nothing to stop.", error=True)

    def digest_time(self, args: str, caller: Caller) -> Reply:
        refusal = self._digest_guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        if not args.strip():
            return TextReply.of(
                "At what time? Give it as HH:MM, e.g. /digest_time 08:30 (or /digest_time off for the "
                "shared schedule)",
                error=True,
            )
        if args.strip().lower() in ("off", "default", "reset"):
            if not self.dossier.store.set_digest_time(caller.chat_id, None):
                return TextReply.of("This chat is not subscribed yet: /subscribe first.", error=True)
            return TextReply.of("Digests follow the shared schedule again.", self.next_due_text(None))
        try:
            at = parse_hhmm(args)
        except ScheduleError as exc:
            return TextReply.of(str(exc), error=True)
        if not self.dossier.store.set_digest_time(caller.chat_id, f"{at:%H:%M}"):
            return TextReply.of("This chat is not subscribed yet: /subscribe first.", error=True)
        return TextReply.of(
            f"Digests now come daily at {at:%H:%M} ({self.settings.timezone}).",
            self.next_due_text(f"{at:%H:%M}"),
        )

    def digest_preview(self, caller: Caller) -> Reply:
        """What the next digest would hold, without advancing anything."""
        if caller.chat_id is None:
            return TextReply.of("Digests are delivered to Telegram chats; subscribe from one.", error=True)
        sub = self.dossier.store.subscription(caller.chat_id)
        if sub is None:
            return TextReply.of("This chat is not subscribed: /subscribe to get digests.", error=True)
        digest = build_digest(
            self.dossier.store, sub, datetime.now(UTC), self.people, preview=True, tz=self.settings.tz
        )
        if digest is None:
            return TextReply.of("Nothing new since the last digest.", self.next_due_text(sub.digest_time))
        return digest

    # ----------------------------------------------------------------- adding and removing documents
    @property
    def upload_limits(self) -> Limits:
        return Limits(max_file_bytes=self.settings.max_upload_bytes)

    def may_upload(self, caller: Caller) -> bool:
        """Admins anywhere; in a group also its administrators, when the settings allow it."""
        if caller.is_admin:
            return True
        return caller.chat_type == "group" and self.settings.group_admins_can_upload and caller.is_chat_admin

    def upload_refusal(self, caller: Caller, name: str, size: int | None) -> TextReply | None:
        """Why a file must not even be downloaded, or None. Asked before the download, from what
        Telegram says about the file."""
        if not self.may_upload(caller):
            return TextReply.of(NOT_UPLOADER, error=True)
        limit = self.settings.max_upload_mb
        if size is not None and size > self.settings.max_upload_bytes:
            return TextReply.of(
                f"{clean_name(name)} is {size / 2**20:.1f} MB; the limit is {limit} MB, so it was not "
                "downloaded.",
                "Split it (a .zip of smaller files works too), or raise DOSSIER_MAX_UPLOAD_MB with a "
                "self-hosted Bot API server.",
                error=True,
            )
        if size == 0:
            return TextReply.of(f"{clean_name(name)} is empty: nothing to add.", error=True)
        return None

    def ingest_upload(
        self, name: str, data: bytes, caller: Caller, progress: Progress | None = None
    ) -> Reply:
        """A downloaded file through the ingest pipeline; the reply is its ingest report."""
        if not self.may_upload(caller):
            return TextReply.of(NOT_UPLOADER, error=True)
        who = f"{caller.transport}:{caller.user_id}" if caller.user_id is not None else caller.transport
        report = self.dossier.ingest_upload(name, data, who, progress, self.upload_limits)
        return IngestReply(report)

    def add_hint(self, caller: Caller) -> Reply:
        if caller.transport == "console":
            return TextReply.of("Add files from the shell: python -m bot ingest PATH...")
        where = "with the caption /add" if caller.chat_type == "group" else "here (any caption or none)"
        return TextReply.of(
            f"Send a file {where}: .txt, .md, .html, .pdf, .docx, or a .zip of them, up to "
            f"{self.settings.max_upload_mb} MB."
        )

    def _doc_id(self, raw: str) -> int | TextReply:
        raw = raw.strip().lstrip("#")
        if not raw:
            return TextReply.of("Which document? Give its number, e.g. /delete 3", error=True)
        if not raw.isdigit() or int(raw) > MAX_DOC_ID:
            return TextReply.of(
                f"“{raw[:40]}” is not a document number. Use the #number from a search.", error=True
            )
        return int(raw)

    def delete(self, args: str, caller: Caller) -> Reply:
        """``/delete 3`` asks to confirm (a button in Telegram); ``/delete 3 yes`` deletes at once
        (the console's way of pressing the button)."""
        words = args.split()
        parsed = self._doc_id(words[0] if words else "")
        if isinstance(parsed, TextReply):
            return parsed
        if len(words) > 1 and words[1].lower() in ("yes", "confirm"):
            return self.delete_confirmed(parsed, caller)
        doc = self.dossier.document(parsed)
        if doc is None:
            return TextReply.of(f"There is no document #{parsed}.", error=True)
        return ConfirmDeleteReply(doc)

    def delete_confirmed(self, doc_id: int, caller: Caller) -> TextReply:
        if not caller.is_admin:  # a confirm button can be pressed by anyone in a group
            return TextReply.of("Sorry, /delete is for the bot's admins only.", error=True)
        doc = self.dossier.delete_document(doc_id)
        if doc is None:
            return TextReply.of(f"There is no document #{doc_id} (already deleted?).", error=True)
        return TextReply.of(
            f"Deleted #{doc_id} “{doc.title}”: the document, its search entries and everything stored "
            "with it."
        )

    def reindex(self, caller: Caller, progress: Progress | None = None) -> Reply:
        if not caller.is_admin:
            return TextReply.of("Sorry, /reindex is for the bot's admins only.", error=True)
        report = self.dossier.reindex(self.settings.corpus_dir, progress, self.upload_limits)
        lines = [
            f"Reindexed {report.documents} documents in {report.seconds:.1f} s: {report.reread} read again "
            f"from their originals, {report.changed} came out different; search index rebuilt."
        ]
        if report.unused_removed:
            lines.append(f"{report.unused_removed} kept files no document used (left by a crash) removed.")
        if report.kept:
            lines.append(f"{len(report.kept)} kept as stored:")
            lines += [f"#{doc_id}: {why}" for doc_id, why in report.kept[:20]]
            if len(report.kept) > 20:
                lines.append(f"…and {len(report.kept) - 20} more.")
        return TextReply.of(*lines)

    def stats(self) -> Reply:
        s = self.dossier.stats()
        subs = s.subscribers
        lines = [
            f"Documents: {s.documents} ({s.near_duplicates} flagged as near-duplicates)",
            f"People: {s.people}" if s.people is not None else "People: not indexed in this version",
            f"Subscribers: {sum(subs.values())} ({subs.get('user', 0)} private chats, "
            f"{subs.get('group', 0)} groups)",
            f"Store: {_size(s.database_bytes + s.originals_bytes)} (database {_size(s.database_bytes)}, "
            f"originals {_size(s.originals_bytes)})",
        ]
        last = s.last_ingest
        if last:
            lines.append(
                f"Last ingest: {last['at'].replace('T', ' ')} by {last['by']}: {last['name']} — "
                f"{last['added']} added, {last['duplicates']} already stored, {last['skipped']} skipped"
            )
        else:
            lines.append("Last ingest: none since this store was created")
        return TextReply.of(*lines)


def _size(n: int) -> str:
    if n < 1024 * 1024:
        return f"{n / 1024:.0f} KB"
    return f"{n / 2**20:.1f} MB"
