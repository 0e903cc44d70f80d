"""The command layer: ``/search x`` in, a reply model out, the same for Telegram, the console and the CLI.

Transports only split a message into command and arguments and say who is asking (``Caller``); every
rule about what a command means, what is valid and what the user is told lives here.

``COMMANDS`` is the one list of commands. Everything else is built from it: /help, dispatch
(``Commands.handle``, which also does the admin check), the Telegram ``CommandHandler`` and command menu
(``handlers/``), and which commands need a group administrator, reschedule a chat's digest or report their
progress. Adding a command is one ``CommandSpec`` here and, usually, one method in the family module:

- ``search.py``: /search, its pages, inline results, /doc
- ``ask.py``: /ask, and questions asked anywhere else (``questions.py`` tells a question from a search)
- ``who.py``: /who and its pick buttons
- ``digest.py``: /subscribe, /unsubscribe, /digest_time, /digest
- ``follow.py``: /follow, /following, /unfollow, /quiet, and the buttons under them
- ``admin.py``: uploads, /add, /delete, /reindex, /stats
- ``lang.py``: /lang, and which language each reply and digest is in

A command's ``summary`` and ``args`` are message ids (``N_``): /help and the command menu show them in the
reader's language. So is the ``example`` of a command that takes words (a Russian reader is shown
``/who Масадыков``); the others (``/doc 3``) are typed the same in any language.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypedDict, Unpack

from bot.commands.admin import AdminCommands, admins_only
from bot.commands.ask import AskCommands
from bot.commands.caller import Caller, split_command
from bot.commands.digest import DigestCommands
from bot.commands.follow import FollowCommands
from bot.commands.lang import LangCommands, chat_language, reply_language
from bot.commands.questions import is_question
from bot.commands.replies import CommandInfo, HelpReply, Reply, TextReply
from bot.commands.search import QUERY_HELP, SEARCH_PAGE_SIZE, SearchCommands
from bot.commands.who import WhoCommands
from bot.core import Dossier
from bot.digest import PeopleLookup
from bot.i18n import N_, NP_, Language, Msg, script_language
from bot.models import Progress, SearchPage
from bot.schedule import Schedule
from bot.settings import Settings
from bot.texts import ASK_EXAMPLE

__all__ = [
    "COMMANDS",
    "CONSOLE",
    "IN_CHATS",
    "TELEGRAM",
    "Caller",
    "CommandSpec",
    "Commands",
    "command_named",
    "command_names",
    "split_command",
    "written_language",
]

Run = Callable[["Commands", str, Caller, "Progress | None"], Reply]

TELEGRAM, CONSOLE = "telegram", "console"  # the transports that run /help (``Caller.transport``)
IN_CHATS = (TELEGRAM,)

UNKNOWN_COMMAND = N_("I don't know the command /{name}.")
SEND_HELP = N_("Send /help to see what I can do.")
# TRANSLATORS: /help in a private chat and the console; the question is an example a reader of your
# language would type.
PLAIN_WORDS = N_("No command needed: words are a search, and a question is answered: who is Zas?")
COMMANDS_IN_GROUPS = N_(
    "In a group I answer commands only (with or without @my name); in a private chat with me, plain words "
    "are a search."
)
# TRANSLATORS: the first line of /help; {n} documents.
HELP_INTRO = NP_(
    "Dossier answers questions about {n} document. "
    "Search forgives typos, other transliterations and Cyrillic/Latin spellings.",
    "Dossier answers questions about {n} documents. "
    "Search forgives typos, other transliterations and Cyrillic/Latin spellings.",
)


@dataclass(frozen=True, kw_only=True)
class CommandSpec(CommandInfo):
    """One command: how /help shows it (the ``CommandInfo`` fields), how it is run, and what the
    transport must do around it."""

    run: Run  # (commands, arguments, caller, progress) -> reply
    needs_chat_admin: bool = False  # in a group, the transport asks Telegram if the caller administers it
    reschedules_digest: bool = False  # it may change the chat's subscription: the digest job is redone after
    long_running: bool = False  # answered with a status message edited with ``progress`` as the work goes on
    aliases: tuple[str, ...] = ()  # other names that run it; /help does not list them
    # Where it does something: /help and Telegram's command menu list it only there. A command about a chat
    # (its digest, its follows) or a file sent to one is Telegram's; elsewhere it only says so when typed.
    transports: tuple[str, ...] = (TELEGRAM, CONSOLE)
    # Its arguments are words of the asker's own (a query, a question, a name), so their script tells the
    # language to answer in; other commands take keywords (/quiet off, /lang auto) or numbers.
    free_words: bool = False

    @property
    def names(self) -> tuple[str, ...]:
        return (self.name, *self.aliases)


class _Flags(TypedDict, total=False):
    admin_only: bool
    needs_chat_admin: bool
    reschedules_digest: bool
    long_running: bool
    transports: tuple[str, ...]
    aliases: tuple[str, ...]


def _plain(name: str, summary: str, *, run: Run, **flags: Unpack[_Flags]) -> CommandSpec:
    """A command that takes no arguments: /help shows it bare, and its example is its name."""
    return CommandSpec(name, "", summary, name, run=run, **flags)


COMMANDS: tuple[CommandSpec, ...] = (
    CommandSpec(
        "search",
        N_("<words>"),
        N_("find documents; typos and other spellings are fine"),
        # TRANSLATORS: an example in /help, typed after "/" as a reader of your language would; it must find
        # something in the bundled corpus (corpus/).
        N_('search Tasmagambetv "secretary general" since:2024'),
        free_words=True,
        run=lambda c, args, caller, _: c.search(args, caller=caller, paged=caller.transport != "console"),
    ),
    CommandSpec(
        "ask",
        N_("<question>"),
        N_("a question in plain words, English or Russian: who holds a post, who someone is, what was said"),
        ASK_EXAMPLE,
        free_words=True,
        run=lambda c, args, caller, _: c.ask(args, caller=caller, paged=caller.transport != "console"),
    ),
    CommandSpec(
        "doc",
        N_("<id>"),
        N_("show one document in full"),
        "doc 3",
        run=lambda c, args, caller, _: c.search_commands.doc(args),
    ),
    CommandSpec(
        "who",
        N_("<name or role>"),
        N_("a person: spellings, roles, documents; or who held a role"),
        # TRANSLATORS: an example in /help, typed after "/" as a reader of your language would.
        N_("who Masadikov"),
        free_words=True,
        run=lambda c, args, caller, _: c.who(args),
    ),
    _plain(
        "subscribe",
        N_("get a digest of new documents (in groups: admins only)"),
        run=lambda c, args, caller, _: c.subscribe(caller),
        needs_chat_admin=True,
        reschedules_digest=True,
        transports=IN_CHATS,
    ),
    _plain(
        "unsubscribe",
        N_("stop the digest"),
        run=lambda c, args, caller, _: c.digest_commands.unsubscribe(caller),
        needs_chat_admin=True,
        reschedules_digest=True,
        transports=IN_CHATS,
    ),
    _plain(
        "digest",
        N_("show now what the next digest would contain"),
        run=lambda c, args, caller, _: c.digest_commands.digest_preview(caller),
        transports=IN_CHATS,
    ),
    CommandSpec(
        "digest_time",
        N_("<HH:MM | off>"),
        N_("get your digest daily at this time instead (off: back to the shared schedule)"),
        "digest_time 08:30",
        run=lambda c, args, caller, _: c.digest_commands.digest_time(args, caller),
        needs_chat_admin=True,
        reschedules_digest=True,
        transports=IN_CHATS,
    ),
    CommandSpec(
        "follow",
        N_("<person or words>"),
        N_("alerts when new documents name a person or match words (in groups: admins only)"),
        # TRANSLATORS: an example in /help, typed after "/" as a reader of your language would.
        N_("follow Masadykov"),
        free_words=True,
        run=lambda c, args, caller, _: c.follow_commands.follow(args, caller),
        needs_chat_admin=True,
        transports=IN_CHATS,
    ),
    _plain(
        "following",
        N_("what this chat follows, with buttons to remove each"),
        run=lambda c, args, caller, _: c.follow_commands.following(caller),
        transports=IN_CHATS,
    ),
    CommandSpec(
        "unfollow",
        N_("<n>"),
        N_("stop following number n of /following"),
        "unfollow 1",
        run=lambda c, args, caller, _: c.follow_commands.unfollow(args, caller),
        needs_chat_admin=True,
        transports=IN_CHATS,
    ),
    CommandSpec(
        "quiet",
        N_("<HH:MM-HH:MM | off>"),
        N_("hold instant alerts during these hours until they end"),
        "quiet 22:00-08:00",
        run=lambda c, args, caller, _: c.follow_commands.quiet(args, caller),
        needs_chat_admin=True,
        transports=IN_CHATS,
    ),
    CommandSpec(
        "lang",
        "<ru | en | auto>",
        N_("the bot's language: yours in a private chat, the group's in a group (its admins)"),
        "lang ru",
        run=lambda c, args, caller, _: c.lang_commands.lang(args, caller),
        needs_chat_admin=True,
    ),
    _plain("help", N_("this list"), run=lambda c, args, caller, _: c.help(caller), aliases=("start",)),
    _plain(
        "add",
        N_("send a file with this caption to add it (in private chats any file will do)"),
        admin_only=True,
        run=lambda c, args, caller, _: c.admin_commands.add_hint(caller),
        transports=IN_CHATS,
    ),
    CommandSpec(
        "delete",
        N_("<id>"),
        N_("remove a document (asks to confirm)"),
        "delete 3",
        admin_only=True,
        run=lambda c, args, caller, _: c.admin_commands.delete(args, caller),
    ),
    _plain(
        "reindex",
        N_("rebuild everything from the stored originals"),
        admin_only=True,
        run=lambda c, args, caller, progress: c.admin_commands.reindex(progress),
        long_running=True,
    ),
    _plain(
        "stats",
        N_("documents, people, subscribers, store size, last ingest"),
        admin_only=True,
        run=lambda c, args, caller, _: c.admin_commands.stats(),
    ),
)
_BY_NAME: dict[str, CommandSpec] = {name: spec for spec in COMMANDS for name in spec.names}


def command_named(name: str) -> CommandSpec | None:
    """The command ``/name`` runs (its own name or an alias), or None."""
    return _BY_NAME.get(name)


def written_language(text: str | None) -> Language | None:
    """The language a message to the bot is written in (``bot.i18n.script_language``), or None when it
    does not show: plain words and the arguments of a command that takes words (/search, /ask, /who,
    /follow) count; a command's name, and arguments such as ``off``, ``auto`` or ``3``, do not."""
    if not text:
        return None
    parsed = split_command(text)
    if parsed is None:
        return script_language(text)
    spec = command_named(parsed[0])
    return script_language(parsed[1]) if spec is not None and spec.free_words else None


def command_names() -> list[str]:
    """Every name a command answers to, aliases included: what a transport routes to ``handle``."""
    return list(_BY_NAME)


UNKNOWN_NAME_MAX = 64  # an unknown command is named back in full only up to this: a reply stays short


class Commands:
    """The command layer's one entry point: ``handle`` a line of input, plus the few operations a
    transport calls directly (buttons, uploads, inline mode, the CLI). The work is done by one object per
    family of commands."""

    def __init__(self, dossier: Dossier, settings: Settings, people: PeopleLookup | None = None) -> None:
        self.dossier = dossier
        self.settings = settings
        self.search_commands: SearchCommands = SearchCommands(dossier)
        self.who_commands: WhoCommands = WhoCommands(dossier)
        self.ask_commands: AskCommands = AskCommands(dossier, self.search_commands, self.who_commands)
        # Digest entries list the people each document names, from the people index unless told otherwise.
        self.digest_commands: DigestCommands = DigestCommands(
            dossier, settings, people if people is not None else dossier.people_names
        )
        self.admin_commands: AdminCommands = AdminCommands(dossier, settings)
        self.lang_commands: LangCommands = LangCommands(dossier.store, settings)
        self.follow_commands: FollowCommands = FollowCommands(dossier, settings.timezone)
        self.metrics = dossier.metrics  # replies counted by command (``dossier_replies_total``)

    def handle(self, text: str, caller: Caller, progress: Progress | None = None) -> Reply:
        """One line of input. Plain text (no leading ``/``) is taken as a search, or as a question when it
        reads as one (``search``). ``progress`` is told
        how a long command (/reindex) is getting on."""
        parsed = split_command(text)
        if parsed is None:
            self.metrics.reply("search")
            return self.search(text)
        name, args = parsed
        spec = command_named(name)
        if spec is None:
            self.metrics.reply("unknown")
            shown = name if len(name) <= UNKNOWN_NAME_MAX else name[: UNKNOWN_NAME_MAX - 1] + "…"
            return TextReply.of(Msg(UNKNOWN_COMMAND, name=shown), Msg(SEND_HELP), error=True)
        self.metrics.reply(spec.name)  # an alias (/start) under its command's name (help)
        if spec.admin_only and not caller.is_admin:
            return admins_only(name)
        return spec.run(self, args, caller, progress)

    def help(self, caller: Caller | None = None) -> HelpReply:
        """Every command that works where ``caller`` asks (the console has no chats, so no digests, follows
        or uploads: ``CommandSpec.transports``); admin commands only for admins, who see them marked as
        such."""
        admin = caller is not None and caller.is_admin
        footer = [Msg(QUERY_HELP)]
        if caller is None or caller.chat_type == "private":  # the console, and a private chat with the bot
            footer.append(Msg(PLAIN_WORDS))
        elif caller.chat_type == "group":  # ordinary messages there are the members' own
            footer.append(Msg(COMMANDS_IN_GROUPS))
        return HelpReply(
            intro=Msg(HELP_INTRO, n=len(self.dossier)),
            commands=tuple(
                c
                for c in COMMANDS
                if (admin or not c.admin_only) and (caller is None or caller.transport in c.transports)
            ),
            footer=tuple(footer),
        )

    def language_for(self, caller: Caller) -> Language:
        """The language to render a reply to ``caller`` in (``bot.commands.lang.reply_language``)."""
        return reply_language(self.dossier.store, self.settings, caller)

    def digest_language(self, chat_id: int, kind: str) -> Language:
        """The language of a digest to a chat (``bot.commands.lang.chat_language``)."""
        return chat_language(self.dossier.store, self.settings, chat_id, kind)

    @property
    def people(self) -> PeopleLookup | None:
        """The names listed under each digest entry (digest jobs and /digest use the same lookup)."""
        return self.digest_commands.people

    @people.setter
    def people(self, lookup: PeopleLookup | None) -> None:
        self.digest_commands.people = lookup

    # ----------------------------------------------------------------- called by transports directly
    def search(
        self,
        args: str,
        offset: int = 0,
        page_size: int = SEARCH_PAGE_SIZE,
        caller: Caller | None = None,
        paged: bool = False,
    ) -> Reply:
        """/search, and plain words: a question ("кто генсек ОДКБ?", "who is Zas") is answered as /ask
        answers it."""
        if is_question(args) and not offset:
            return self.ask(args, caller, paged)
        return self.search_commands.search(args, offset, page_size, caller, paged)

    def ask(self, args: str, caller: Caller | None = None, paged: bool = False) -> Reply:
        return self.ask_commands.ask(args, caller, paged)

    def search_page(
        self, session_id: str, offset: int, caller: Caller, page_size: int = SEARCH_PAGE_SIZE
    ) -> Reply:
        self.metrics.reply("page")
        return self.search_commands.search_page(session_id, offset, caller, page_size)

    def inline_search(self, text: str, limit: int, offset: int = 0) -> SearchPage | None:
        self.metrics.reply("inline")
        return self.search_commands.inline_search(text, limit, offset)

    def doc(self, args: str) -> Reply:
        """A document by its #id, for an "Open" button (``/doc`` goes through ``handle``)."""
        self.metrics.reply("open")
        return self.search_commands.doc(args)

    def who(self, args: str) -> Reply:
        return self.who_commands.who(args)

    def who_pick(self, key: str) -> Reply:
        self.metrics.reply("who_pick")
        return self.who_commands.who_pick(key)

    def who_all(self) -> Reply:
        return self.who_commands.who_all()

    def subscribe(self, caller: Caller) -> Reply:
        return self.digest_commands.subscribe(caller)

    def schedule_for(self, digest_time: str | None) -> Schedule:
        return self.digest_commands.schedule_for(digest_time)

    def upload_refusal(self, caller: Caller, name: str, size: int | None) -> TextReply | None:
        return self.admin_commands.upload_refusal(caller, name, size)

    def ingest_upload(
        self, name: str, data: bytes, caller: Caller, progress: Progress | None = None
    ) -> Reply:
        self.metrics.reply("upload")
        return self.admin_commands.ingest_upload(name, data, caller, progress)

    def delete_confirmed(self, doc_id: int, caller: Caller) -> TextReply:
        self.metrics.reply("delete_confirmed")
        return self.admin_commands.delete_confirmed(doc_id, caller)
