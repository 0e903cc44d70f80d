"""/follow, /following, /unfollow and /quiet: what a chat follows, and how its alerts come.

``/follow <name>`` follows a person when the name is one in the people index (the same rule as /who: a
clear best match, or one far more documented than the next; several close ones are offered as buttons),
anything else as a query in the search's own language (``"exact phrase"``, ``-word``, ``since:``). Quotes
force a query: ``/follow "Baker Hughes"``. ``instant:`` or ``digest:`` before it chooses how its
documents come; by default instantly in a private chat and in the digest in a group.
"""

from __future__ import annotations

import re

from bot.commands.caller import Caller, chat_setting_refusal
from bot.commands.replies import FollowListReply, FollowPickReply, Reply, TextReply
from bot.core import Dossier
from bot.dates import DateBoundError
from bot.follows.naming import persons_named
from bot.i18n import N_, Msg
from bot.schedule import ScheduleError, parse_hhmm
from bot.search.query import parse_query

MAX_FOLLOWS = 50  # per chat
MAX_FOLLOW_TEXT = 200
MODES = ("instant", "digest")
_MODE_PREFIX = re.compile(r"^(instant|digest|сразу|дайджест)\s*:\s*", re.IGNORECASE)
_MODE_WORDS = {"instant": "instant", "digest": "digest", "сразу": "instant", "дайджест": "digest"}
_QUIET = re.compile(r"^\s*(\d{1,2}:\d{2})\s*[-–—]\s*(\d{1,2}:\d{2})\s*$")

NO_CHAT = N_("Follows are delivered to Telegram chats; follow from one.")
FROM_A_CHANNEL = N_("Follows cannot be managed from a channel.")
GROUP_ADMINS_ONLY = N_("Only the group's administrators can change what it follows.")
FOLLOW_WHAT = N_(
    "What should I follow? A person (/follow Masadykov) or words in the search's language "
    '(/follow "coffee prices" -futures). Start with instant: or digest: to choose how they come.'
)
TOO_LONG = N_("That is too long to follow: {n} characters at most.")
TOO_MANY = N_("This chat follows {n} things already, the most it can: /following to remove some.")
FOLLOWING_PERSON = N_("Following {name}: every document naming them, in any spelling.")
FOLLOWING_QUERY = N_("Following the words “{query}”.")
FOLLOWING_PHRASE = N_("Following the exact words “{query}”.")
ALREADY = N_("This chat already follows that.")
HOW_INSTANT = N_("New documents come as an alert within a minute of their arrival.")
HOW_DIGEST = N_("New documents lead this chat's next digest.")
NOT_SUBSCRIBED = N_("This chat has no digest yet: /subscribe to get one.")
SEE_LIST = N_("/following lists what this chat follows.")
NO_ONE_NOW = N_("That person is no longer in the index. Send /follow with the name again.")
WHICH_ONE = N_("Send /unfollow with a number from /following, e.g. /unfollow 1")
NO_SUCH_FOLLOW = N_("This chat has no follow number {n}: /following lists them.")
UNFOLLOWED = N_("No longer following {label}.")
QUIET_USAGE = N_("Give the quiet hours as /quiet 22:00-08:00, or /quiet off.")
QUIET_SET = N_("Quiet hours {start}–{end} ({zone}): instant alerts wait until they end.")
QUIET_OFF = N_("No quiet hours: instant alerts come at any time.")
NOT_A_QUERY = N_("Nothing to follow there: give words, not only operators.")


def default_mode(caller: Caller) -> str:
    return "digest" if caller.chat_type == "group" else "instant"


class FollowCommands:
    def __init__(self, dossier: Dossier, timezone: str) -> None:
        self.dossier = dossier
        self.timezone = timezone

    def _guard(self, caller: Caller) -> TextReply | None:
        """Why ``caller`` may not change this chat's follows, or None when they may."""
        why = chat_setting_refusal(caller, NO_CHAT, FROM_A_CHANNEL, GROUP_ADMINS_ONLY)
        return TextReply.of(Msg(why), error=True) if why is not None else None

    def follow(self, args: str, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        text = " ".join(args.split())
        mode = default_mode(caller)
        prefix = _MODE_PREFIX.match(text)
        if prefix:
            mode, text = _MODE_WORDS[prefix.group(1).lower()], text[prefix.end() :]
        if not text:
            return TextReply.of(Msg(FOLLOW_WHAT), error=True)
        if len(text) > MAX_FOLLOW_TEXT:
            return TextReply.of(Msg(TOO_LONG, n=MAX_FOLLOW_TEXT), error=True)
        persons = persons_named(self.dossier, text)
        if len(persons) > 1:
            return FollowPickReply(text, tuple(persons), mode)
        if persons:
            return self._add(caller, "person", persons[0].key, persons[0].name, mode)
        try:
            query = parse_query(text)
        except DateBoundError as exc:
            return TextReply.of_error(exc)
        if query.is_empty:
            return TextReply.of(Msg(NOT_A_QUERY), Msg(FOLLOW_WHAT), error=True)
        return self._add(caller, "query", text, text, mode)

    def follow_pick(self, key: str, mode: str | None, caller: Caller) -> Reply:
        """A person picked under /follow's choices (``fp:<key>``)."""
        refusal = self._guard(caller)
        if refusal:
            return refusal
        person = self.dossier.person(key)
        if person is None:
            return TextReply.of(Msg(NO_ONE_NOW), error=True)
        return self._add(caller, "person", person.key, person.name, mode or default_mode(caller))

    def _add(self, caller: Caller, kind: str, target: str, label: str, mode: str) -> Reply:
        assert caller.chat_id is not None
        store = self.dossier.store
        if len(store.follows(caller.chat_id)) >= MAX_FOLLOWS:
            return TextReply.of(Msg(TOO_MANY, n=MAX_FOLLOWS), error=True)
        follow, created = store.add_follow(
            caller.chat_id, caller.thread_id, kind, target, label, mode, caller.user_id
        )
        if not created:
            if follow.mode != mode:
                store.set_follow_mode(caller.chat_id, follow.id, mode)
            lines = [Msg(ALREADY), Msg(HOW_INSTANT if mode == "instant" else HOW_DIGEST)]
            return TextReply.of(*lines)
        what = Msg(FOLLOWING_PERSON, name=label) if kind == "person" else _following_words(label)
        lines = [what, Msg(HOW_INSTANT if mode == "instant" else HOW_DIGEST)]
        if mode == "digest" and self.dossier.subscription(caller.chat_id) is None:
            lines.append(Msg(NOT_SUBSCRIBED))
        lines.append(Msg(SEE_LIST))
        return TextReply.of(*lines)

    def following(self, caller: Caller) -> Reply:
        if caller.chat_id is None:
            return TextReply.of(Msg(NO_CHAT), error=True)
        store = self.dossier.store
        return FollowListReply(tuple(store.follows(caller.chat_id)), store.quiet_hours(caller.chat_id))

    def unfollow(self, args: str, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        raw = args.strip().lstrip("#")
        if not raw.isdecimal():
            return TextReply.of(Msg(WHICH_ONE), error=True)
        follows = self.dossier.store.follows(caller.chat_id)
        n = int(raw[:6])
        if not 1 <= n <= len(follows):
            return TextReply.of(Msg(NO_SUCH_FOLLOW, n=n), error=True)
        return self.remove(follows[n - 1].id, caller)

    def remove(self, follow_id: int, caller: Caller) -> Reply:
        """One follow removed by its id (a button under /following, or /unfollow)."""
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        gone = self.dossier.store.remove_follow(caller.chat_id, follow_id)
        if gone is None:
            return self.following(caller)
        return TextReply.of(Msg(UNFOLLOWED, label=gone.label))

    def switch_mode(self, follow_id: int, caller: Caller) -> Reply:
        """Instant <-> digest for one follow (a button under /following); the list again."""
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        store = self.dossier.store
        follow = next((f for f in store.follows(caller.chat_id) if f.id == follow_id), None)
        if follow is not None:
            store.set_follow_mode(
                caller.chat_id, follow_id, "digest" if follow.mode == "instant" else "instant"
            )
        return self.following(caller)

    def quiet(self, args: str, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        text = args.strip().lower()
        if text in ("off", "none", "выкл", "нет"):
            self.dossier.store.set_quiet_hours(caller.chat_id, None)
            return TextReply.of(Msg(QUIET_OFF))
        m = _QUIET.match(text)
        if not m:
            current = self.dossier.store.quiet_hours(caller.chat_id)
            if not text and current:
                return TextReply.of(Msg(QUIET_SET, start=current[0], end=current[1], zone=self.timezone))
            return TextReply.of(Msg(QUIET_USAGE), error=bool(text))
        try:
            start, end = (f"{parse_hhmm(t):%H:%M}" for t in m.groups())
        except ScheduleError as exc:
            return TextReply.of_error(exc, Msg(QUIET_USAGE))
        self.dossier.store.set_quiet_hours(caller.chat_id, (start, end))
        return TextReply.of(Msg(QUIET_SET, start=start, end=end, zone=self.timezone))


def _following_words(label: str) -> Msg:
    """What a new follow of words says: one quoted phrase (``"coffee harvest"``) without its own quotes
    inside ours (“"coffee harvest"” read as a typo)."""
    inner = label[1:-1]
    if len(label) > 2 and label[0] == label[-1] == '"' and '"' not in inner:
        return Msg(FOLLOWING_PHRASE, query=inner)
    return Msg(FOLLOWING_QUERY, query=label)
