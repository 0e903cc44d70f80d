"""/search, its Prev/Next pages, inline mode's results, and /doc."""

from __future__ import annotations

from datetime import timedelta

from bot.commands.caller import Caller
from bot.commands.replies import DocumentReply, Reply, SearchReply, TextReply
from bot.core import Dossier
from bot.dates import DateBoundError
from bot.i18n import N_, Msg
from bot.models import SearchPage
from bot.search.query import parse_query

SEARCH_PAGE_SIZE = 5
SESSION_TTL = timedelta(days=7)
MAX_DOC_ID = 2**62

EXPIRED = N_("This search has expired. Send /search again.")
QUERY_HELP = N_(
    'Query language: words in any order; "exact phrase"; -word to exclude; '
    "since:2024-01 and until:2024-12-31 to filter by date (YYYY, YYYY-MM or YYYY-MM-DD)."
)
# TRANSLATORS: {command} is a command name such as "doc" or "delete".
WHICH_DOCUMENT = N_("Which document? Give its number, e.g. /{command} 3")
NOT_A_NUMBER = N_("“{text}” is not a document number. Use the #number from a search.")
WHAT_TO_LOOK_FOR = N_("Tell me what to look for, e.g. /search Masadykov secretary general")
NO_WORDS = N_("Your query has no words to search for.")
STOP_WORDS_ONLY = N_("Your query only has very common words (like “the” or “of”), which every document has.")
MORE_SPECIFIC = N_("Add a more specific word.")
NO_SUCH_DOCUMENT = N_("There is no document #{id}.")


def doc_number(raw: str, command: str) -> int | TextReply:
    """The document number in ``/doc 3`` or ``/delete #3``, or why there is none (``command`` names the
    command in the example)."""
    raw = raw.strip().lstrip("#")
    if not raw:
        return TextReply.of(Msg(WHICH_DOCUMENT, command=command), error=True)
    # isdecimal, not isdigit: "²" and "①" are digits to isdigit() and no number to int().
    if not raw.isdecimal() or int(raw) > MAX_DOC_ID:
        return TextReply.of(Msg(NOT_A_NUMBER, text=raw[:40]), error=True)
    return int(raw)


class SearchCommands:
    def __init__(self, dossier: Dossier) -> None:
        self.dossier = dossier

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
            return TextReply.of(Msg(WHAT_TO_LOOK_FOR), Msg(QUERY_HELP), error=True)
        try:
            query = parse_query(args)
        except DateBoundError as exc:
            return TextReply.of_error(exc)
        if query.is_empty:
            notes = query.notes
            return TextReply.of(Msg(NO_WORDS), *notes, Msg(QUERY_HELP), error=True)
        page = self.dossier.search(query, limit=page_size, offset=max(0, offset))
        if page.stop_words_only:
            return TextReply.of(Msg(STOP_WORDS_ONLY), Msg(MORE_SPECIFIC), error=True)
        session = None
        if paged and page.total > page_size:
            who = caller or Caller()
            session = self.dossier.create_search_session(args, who.user_id, who.chat_id, SESSION_TTL).id
        return SearchReply(page, page_size, query.notes, session)

    def search_page(
        self, session_id: str, offset: int, caller: Caller, page_size: int = SEARCH_PAGE_SIZE
    ) -> Reply:
        """Another page of a search started earlier (a Prev/Next button), or why it cannot be shown. A
        search pages only in the chat it was made in: its buttons are there, and a session id carried
        elsewhere (a forged button) must not show one chat's results in another."""
        session = self.dossier.search_session(session_id)
        if session is None or session.expired() or session.chat_id != caller.chat_id:
            return TextReply.of(Msg(EXPIRED), error=True)
        reply = self.search(session.query, offset=offset, page_size=page_size)
        if isinstance(reply, SearchReply):
            return SearchReply(reply.page, page_size, reply.notes, session.id)
        return reply

    def inline_search(self, text: str, limit: int, offset: int = 0) -> SearchPage | None:
        """Results for inline mode (``@bot words``): a bare page, no paging state kept (Telegram pages
        inline results itself), or None when the text cannot be searched (a bad date bound). Words with
        nothing to find simply give an empty page: there is no room for an explanation there."""
        try:
            query = parse_query(text)
        except DateBoundError:
            return None
        return self.dossier.search(query, limit, offset)

    def doc(self, args: str) -> Reply:
        parsed = doc_number(args, "doc")
        if isinstance(parsed, TextReply):
            return parsed
        doc = self.dossier.document(parsed)
        if doc is None:
            return TextReply.of(Msg(NO_SUCH_DOCUMENT, id=parsed), error=True)
        return DocumentReply(doc)
