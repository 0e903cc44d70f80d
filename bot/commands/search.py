"""/search, its Prev/Next pages, inline mode's results, and /doc."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from bot.commands.caller import Caller
from bot.commands.questions import is_question, without_question_words
from bot.commands.replies import DocumentReply, Reply, SearchReply, TextReply
from bot.core import Dossier
from bot.dates import DateBoundError
from bot.i18n import N_, NP_, Msg
from bot.models import SearchHit, SearchPage
from bot.search.query import Query, parse_query

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
ONLY_EXCLUDED = N_("Words with a minus only leave documents out: add a word to look for.")
# TRANSLATORS: under "Nothing found" for a query with since: or until:.
OUTSIDE_DATES = NP_(
    "Without since:/until: {n} document matches (a date filter leaves out undated documents).",
    "Without since:/until: {n} documents match (a date filter leaves out undated documents).",
)
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


def best_passage(page: SearchPage) -> SearchHit | None:
    """The hit on a page whose passage answers a question best: the one marking the most distinct words
    of it (the engine marks what matched), the higher ranked of two that mark as many."""
    if not page.hits:
        return None

    def distinct(hit: SearchHit) -> int:
        snippet = hit.snippet
        return len({snippet.text[a:b].lower() for a, b in snippet.highlights})

    return max(page.hits, key=lambda hit: (distinct(hit), -page.hits.index(hit)))


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
        question: bool | None = None,
    ) -> Reply:
        """A page of results. ``paged`` keeps the query server-side under a short id (for buttons) when
        there is more than one page. A ``question`` (by default: what reads as one, ``is_question``) is
        searched without its question words and answered with its best passage too."""
        if not args.strip():
            return TextReply.of(Msg(WHAT_TO_LOOK_FOR), Msg(QUERY_HELP), error=True)
        if question is None:
            question = is_question(args)
        try:
            query = parse_query(args)
        except DateBoundError as exc:
            return TextReply.of_error(exc)
        if question:
            query = without_question_words(query)
        if query.is_empty:
            notes: tuple[Msg, ...] = query.notes
            if query.excluded:
                notes = (*notes, Msg(ONLY_EXCLUDED))
            return TextReply.of(Msg(NO_WORDS), *notes, Msg(QUERY_HELP), error=True)
        page = self._page(query, page_size, max(0, offset))
        if page.stop_words_only:
            return TextReply.of(Msg(STOP_WORDS_ONLY), Msg(MORE_SPECIFIC), error=True)
        notes = query.notes
        if not page.total and not offset and (query.since or query.until):
            # Nothing in the dates asked for: say whether the words match elsewhere (one more search, only
            # when there is nothing to show), since undated documents are left out without a word.
            undated = self.dossier.search(replace(query, since=None, until=None), limit=1).total
            if undated:
                notes = (*notes, Msg(OUTSIDE_DATES, n=undated))
        session = None
        if paged and page.total > page_size:
            who = caller or Caller()
            # A question asked with /ask need not look like one: its pages must still be searched as one.
            kept = args if not question or is_question(args) else args.rstrip() + "?"
            session = self.dossier.create_search_session(kept, who.user_id, who.chat_id, SESSION_TTL).id
        answer = best_passage(page) if question and not page.offset else None
        return SearchReply(page, page_size, notes, session, answer)

    def _page(self, query: Query, limit: int, offset: int) -> SearchPage:
        """The search's page, never a bare "nothing found" when some of its words match: a phrase no
        document has is searched again as loose words (the hits then match only most of the query), and
        a "did you mean" is kept only when it finds more than the query did.

        Costs: a query whose words all match is searched once, as before; a phrase that matches nothing
        costs a second search, a suggestion one more (of a single hit)."""
        page = self.dossier.search(query, limit=limit, offset=offset)
        if not page.total and query.phrases:
            loose = self.dossier.search(replace(query, words=query.all_words, phrases=()), limit, offset)
            if loose.total:
                page = replace(loose, query=query, partial=True)
        if page.suggestion is not None and not self._finds_more(query, page):
            page = replace(page, suggestion=None)
        return page

    def _finds_more(self, query: Query, page: SearchPage) -> bool:
        """Whether the page's suggestion, searched instead, finds more documents, or some with all its
        words where the query found only partial matches."""
        assert page.suggestion is not None
        words = tuple(page.suggestion.split())
        tried = self.dossier.search(replace(query, words=words, phrases=()), limit=1)
        return tried.total > page.total or (bool(tried.total) and page.partial and not tried.partial)

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
