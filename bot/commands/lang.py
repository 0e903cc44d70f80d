"""/lang: which language the bot speaks to a user and in a chat, and the rule that decides it for every
reply and digest (``reply_language``, ``chat_language``) from the choices kept in the store."""

from __future__ import annotations

from bot.commands.caller import Caller
from bot.commands.replies import LanguageReply, Reply, TextReply
from bot.i18n import N_, SUPPORTED, Language, Msg, choose_language, language_of_code, parse_language
from bot.settings import Settings
from bot.store import Store

LANG_USAGE = N_("Choose with /lang ru or /lang en; /lang auto follows your Telegram language again.")
GROUP_LANG_ADMINS_ONLY = N_(
    "Only the group's administrators can set its language. To choose your own, send /lang to me in a "
    "private chat."
)
CONSOLE_LANG_USAGE = N_(
    "Choose with /lang ru or /lang en; /lang auto answers in the language you write in again."
)
FROM_A_CHANNEL = N_("The language cannot be set from a channel.")
AUTO_WORDS = ("auto", "default", "reset", "off", "авто")


def _known(value: str | None) -> Language | None:
    return next((lang for lang in SUPPORTED if lang == value), None)


def reply_language(store: Store, settings: Settings, caller: Caller) -> Language:
    """The language of a reply to ``caller``, for every front end (``bot.i18n.choose_language``): their
    own choice (/lang kept in the store, or the console's ``--lang``), in a group the chat's, else their
    Telegram language, else the language their message is written in, else ``DOSSIER_DEFAULT_LANGUAGE``."""
    user = chat = None
    if caller.user_id is not None or caller.chat_id is not None:  # the console and the CLI keep no choices
        user, chat = store.language_choices(caller.user_id, caller.chat_id)
    return choose_language(
        user_choice=caller.language or _known(user),
        chat_choice=_known(chat),
        language_code=caller.language_code,
        chat_is_group=caller.chat_type == "group",
        written_in=caller.written_in,
        default=settings.default_language,
    )


def chat_language(store: Store, settings: Settings, chat_id: int, kind: str) -> Language:
    """The language of a digest to a chat: a group's chosen language; a private chat's user's own choice,
    else the language it subscribed in (kept as the chat's); else ``DOSSIER_DEFAULT_LANGUAGE``."""
    user, chat = store.language_choices(chat_id if kind == "user" else None, chat_id)
    return _known(user) or _known(chat) or settings.default_language


class LangCommands:
    def __init__(self, store: Store, settings: Settings) -> None:
        self.store = store
        self.settings = settings

    def lang(self, args: str, caller: Caller) -> Reply:
        """``/lang`` shows the choice (with buttons to change it), ``/lang ru|en`` chooses, ``/lang auto``
        forgets the choice. In a private chat it is the user's own; in a group, the chat's (its
        administrators only)."""
        if caller.transport == "console":
            return self._console(args, caller)
        if caller.chat_type == "channel" or (caller.chat_id is None and caller.user_id is None):
            return TextReply.of(Msg(FROM_A_CHANNEL), error=True)
        group = caller.chat_type == "group"
        scope, owner = ("chat", caller.chat_id) if group else ("user", caller.user_id)
        assert owner is not None
        word = args.strip().lower()
        telegram = language_of_code(caller.language_code) is not None
        if not word:
            user, chat = self.store.language_choices(caller.user_id, caller.chat_id)
            chosen_here = _known(chat if group else user)
            return LanguageReply(
                "chat" if group else "user", chosen_here, changed=False, telegram_decides=telegram
            )
        chosen = None if word in AUTO_WORDS else parse_language(word)
        if chosen is None and word not in AUTO_WORDS:
            return TextReply.of(Msg(LANG_USAGE), error=True)
        if group and not (caller.is_chat_admin or caller.is_admin):
            return TextReply.of(Msg(GROUP_LANG_ADMINS_ONLY), error=True)
        self.store.set_language_choice(scope, owner, chosen, caller.user_id)
        return LanguageReply("chat" if group else "user", chosen, changed=True, telegram_decides=telegram)

    @staticmethod
    def _console(args: str, caller: Caller) -> Reply:
        """The console's /lang: a choice for this session (the console keeps it, as it keeps ``--lang``);
        nothing is stored, since the console has no user to keep it for."""
        word = args.strip().lower()
        if not word:
            return LanguageReply("console", caller.language, changed=False)
        chosen = None if word in AUTO_WORDS else parse_language(word)
        if chosen is None and word not in AUTO_WORDS:
            return TextReply.of(Msg(CONSOLE_LANG_USAGE), error=True)
        return LanguageReply("console", chosen, changed=True)
