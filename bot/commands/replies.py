"""Reply models: what a command answers, before any transport formats it.

Commands return these; ``handlers/`` renders them as Telegram HTML, ``bot.render_text`` as plain text for
the console and CLI. Nothing here is escaped or formatted: that is each renderer's job, so a document
containing ``<script>`` can never reach a chat unescaped by forgetting it in one command.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from bot.digest import DigestReply
from bot.errors import UserError
from bot.i18n import Language, Msg
from bot.ingest.report import IngestReport
from bot.models import Document, Follow, PersonDocument, SearchHit, SearchPage
from bot.people import Person, RoleRecord


@dataclass(frozen=True)
class CommandInfo:
    """A command as /help shows it; ``bot.commands.CommandSpec`` adds how it is run."""

    name: str
    args: str
    summary: str
    example: str
    admin_only: bool = False


@dataclass(frozen=True)
class TextReply:
    """A short message in plain words. ``error`` replies explain what went wrong and what to do.

    Each line is a ``bot.i18n.Msg`` (a message id and its params, worded in the reader's language by the
    renderer; as a ``str`` it is its English) or a plain string shown as it is. A reply to a ``UserError``
    keeps the error itself in ``problem``: ``lines[0]`` is its English wording, and the renderers word it
    again in the reader's language from its code and params (``bot.render_text.text_lines``)."""

    lines: tuple[str, ...]
    error: bool = False
    problem: UserError | None = None

    @classmethod
    def of(cls, *lines: str, error: bool = False) -> TextReply:
        return cls(tuple(lines), error)

    @classmethod
    def of_error(cls, problem: UserError, *lines: str) -> TextReply:
        """An error reply: the problem, then ``lines`` of advice."""
        return cls((str(problem), *lines), True, problem)


@dataclass(frozen=True)
class LanguageReply:
    """/lang: the language chosen for a user (in a private chat), for a group, or for a console session
    (``scope``), None when nothing is chosen there (Telegram's language, or the language of each message,
    decides), and whether this command just chose it. The transport shows buttons to choose; the console
    keeps a ``console`` choice for the rest of its session."""

    scope: Literal["user", "chat", "console"]
    chosen: Language | None
    changed: bool
    # Without a choice of a user's own: whether their Telegram's language decides (one the bot speaks),
    # or, when it is another one, the language of what they write.
    telegram_decides: bool = True


@dataclass(frozen=True)
class HelpReply:
    """/help: the intro (a message, with the number of documents), the commands (their ``summary`` and
    ``args`` are message ids) and the query language."""

    intro: str
    commands: tuple[CommandInfo, ...]
    footer: tuple[str, ...] = ()


@dataclass(frozen=True)
class SearchReply:
    page: SearchPage
    page_size: int
    notes: tuple[Msg, ...] = field(default=())  # the query's (``query.`` codes), and the command layer's
    session: str | None = None  # server-side paging state, when there are more pages
    answer: SearchHit | None = None  # for a question: the hit whose passage best answers it

    @property
    def page_number(self) -> int:
        return self.page.offset // self.page_size + 1

    @property
    def page_count(self) -> int:
        return max(1, -(-self.page.total // self.page_size))

    @property
    def has_prev(self) -> bool:
        return self.page.offset > 0

    @property
    def has_next(self) -> bool:
        return self.page.offset + self.page_size < self.page.total


@dataclass(frozen=True)
class DocumentReply:
    doc: Document


@dataclass(frozen=True)
class IngestReply:
    """What became of an uploaded file (each member of an archive): new #id, title, date, or why not."""

    report: IngestReport


@dataclass(frozen=True)
class ConfirmDeleteReply:
    """``/delete <id>`` asks first: the transport shows a confirm button (or, in the console, the
    command to type)."""

    doc: Document


@dataclass(frozen=True)
class PersonEntry:
    """One person as /who shows them: the merged person and the documents naming them, newest first
    (the first few with the sentence that names them)."""

    person: Person
    documents: tuple[PersonDocument, ...]
    roles: tuple[RoleRecord, ...] = ()  # for a role answer: the matching roles, oldest first

    def document(self, doc_id: int | str) -> PersonDocument | None:
        return next((d for d in self.documents if d.id == doc_id), None)


WhoKind = Literal["person", "role", "choices", "none"]


@dataclass(frozen=True)
class WhoReply:
    """The answer to /who: one person's card ("person"), the holders of a role in date order ("role"),
    several close matches to pick from ("choices"), or nobody, with the nearest names ("none")."""

    query: str
    kind: WhoKind
    entries: tuple[PersonEntry, ...] = ()
    suggestions: tuple[Person, ...] = ()
    earlier: int = 0  # for a role: older holders left out of ``entries``
    others: tuple[Person, ...] = ()  # for a card: others the query also matched, far less documented


@dataclass(frozen=True)
class FollowListReply:
    """/following: the chat's follows in order (numbered from 1, as /unfollow takes them) and its quiet
    hours. The transport shows a remove and a mode button per follow."""

    follows: tuple[Follow, ...]
    quiet: tuple[str, str] | None = None


@dataclass(frozen=True)
class FollowPickReply:
    """/follow of a name several persons answer to: the transport offers one button per person."""

    query: str
    persons: tuple[Person, ...]
    mode: str


Reply = (
    TextReply
    | HelpReply
    | SearchReply
    | DocumentReply
    | DigestReply
    | IngestReply
    | ConfirmDeleteReply
    | WhoReply
    | LanguageReply
    | FollowListReply
    | FollowPickReply
)
