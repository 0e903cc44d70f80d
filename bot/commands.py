"""The command layer: ``/search x`` in, a reply model out, the same for Telegram, the console and the CLI.

Transports only split a message into command and arguments and say who is asking (``Caller``); every
rule about what a command means, what is valid and what the user is told lives here.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from bot.core import Dossier
from bot.dates import DateBoundError
from bot.query import parse_query
from bot.replies import CommandInfo, DocumentReply, HelpReply, Reply, SearchReply, TextReply

SEARCH_PAGE_SIZE = 5
SESSION_TTL = timedelta(days=7)
EXPIRED = "This search has expired. Send /search again."
MAX_DOC_ID = 2**62

COMMANDS: tuple[CommandInfo, ...] = (
    CommandInfo(
        "search",
        "<words>",
        "find documents; typos and other spellings are fine",
        'search Masadikov "secretary general" since:2024',
    ),
    CommandInfo("doc", "<id>", "show one document in full", "doc 3"),
    CommandInfo("help", "", "this list", "help"),
)

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


_COMMAND_RE = re.compile(r"^/([A-Za-z0-9_]+)(?:@(\w+))?(?:\s+(.*))?$", re.DOTALL)


def split_command(text: str) -> tuple[str, str] | None:
    """``/search@dossier_bot foo`` -> ``("search", "foo")``; None when the text is not a command."""
    m = _COMMAND_RE.match(text.strip())
    if not m:
        return None
    return m.group(1).lower(), (m.group(3) or "").strip()


class Commands:
    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier
        self._table: dict[str, Callable[[str, Caller], Reply]] = {
            "search": lambda args, caller: self.search(
                args, caller=caller, paged=caller.transport != "console"
            ),
            "doc": lambda args, caller: self.doc(args),
            "help": lambda args, caller: self.help(),
            "start": lambda args, caller: self.help(),
        }

    def handle(self, text: str, caller: Caller) -> Reply:
        """One line of input. Plain text (no leading ``/``) is taken as a search."""
        parsed = split_command(text)
        if parsed is None:
            return self.search(text)
        name, args = parsed
        handler = self._table.get(name)
        if handler is None:
            return TextReply.of(
                f"I don't know the command /{name}.", "Send /help to see what I can do.", error=True
            )
        return handler(args, caller)

    def help(self) -> HelpReply:
        return HelpReply(
            intro=(
                f"Dossier answers questions about {len(self.dossier)} documents. "
                "Search forgives typos, other transliterations and Cyrillic/Latin spellings."
            ),
            commands=COMMANDS,
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
            return TextReply.of("Your query has no words to search for.", QUERY_HELP, error=True)
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
