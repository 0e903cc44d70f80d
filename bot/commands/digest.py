"""/subscribe, /unsubscribe, /digest_time and /digest, and when the next digest is due."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.caller import Caller, chat_setting_refusal
from bot.commands.lang import reply_language
from bot.commands.replies import Reply, TextReply
from bot.core import Dossier
from bot.digest import PeopleLookup, build_digest
from bot.follows.alerts import with_follows
from bot.i18n import N_, Msg
from bot.schedule import Schedule, ScheduleError, daily_at, parse_hhmm, parse_schedule
from bot.settings import Settings

NO_CHAT = N_("Digests are delivered to Telegram chats; subscribe from one.")
NOT_SUBSCRIBED_YET = N_("This chat is not subscribed yet: /subscribe first.")
FROM_A_CHANNEL = N_("Digests cannot be managed from a channel.")
GROUP_ADMINS_ONLY = N_("Only the group's administrators can change its digest.")
NEVER = N_("never")
EVERY_DAY_AT = N_("every day at {time}")
ON_THE_SCHEDULE = N_("on the schedule “{schedule}”")
# TRANSLATORS: {when} is a moment ("2026-03-14 09:00 MSK"), {rule} one of the two messages above.
NEXT_DUE = N_("The next digest is due {when} ({rule}), if anything new has arrived by then.")
ALREADY_SUBSCRIBED = N_("This chat is already subscribed.")
GROUP_SUBSCRIBED = N_(
    "This group is subscribed. Each digest lists the documents added since the one before; the first "
    "holds what arrives from now on."
)
USER_SUBSCRIBED = N_(
    "You are subscribed. Each digest lists the documents added since the one before; the first "
    "holds what arrives from now on."
)
HOW_TO_CHANGE = N_("Change the hour with /digest_time HH:MM, stop with /unsubscribe.")
UNSUBSCRIBED = N_("Unsubscribed: no more digests here. /subscribe to start again.")
NOTHING_TO_STOP = N_("This chat is not subscribed, so there is nothing to stop.")
AT_WHAT_TIME = N_(
    "At what time? Give it as HH:MM, e.g. /digest_time 08:30 (or /digest_time off for the shared schedule)"
)
SHARED_AGAIN = N_("Digests follow the shared schedule again.")
DAILY_AT = N_("Digests now come daily at {time} ({zone}).")
NOT_SUBSCRIBED = N_("This chat is not subscribed: /subscribe to get digests.")
# TRANSLATORS: /digest when nothing has arrived yet; {since} is a moment ("2026-03-14 09:00 UTC"): when the
# chat subscribed, or its last digest ran.
NOTHING_NEW = N_(
    "Nothing to preview yet: the next digest lists the documents added after {since}, and none has "
    "arrived so far."
)


class DigestCommands:
    def __init__(self, dossier: Dossier, settings: Settings, people: PeopleLookup | None) -> None:
        self.dossier = dossier
        self.settings = settings
        self.people = people  # the names listed under each digest entry

    def _guard(self, caller: Caller) -> TextReply | None:
        """Why ``caller`` may not change this chat's subscription, or None when they may."""
        why = chat_setting_refusal(caller, NO_CHAT, FROM_A_CHANNEL, GROUP_ADMINS_ONLY)
        return TextReply.of(Msg(why), error=True) if why is not None else None

    def schedule_for(self, digest_time: str | None) -> Schedule:
        tz = self.settings.tz
        if digest_time:
            return daily_at(parse_hhmm(digest_time), tz)
        return parse_schedule(self.settings.digest_schedule, tz)

    def next_due_text(self, digest_time: str | None) -> Msg:
        now = datetime.now(self.settings.tz)
        schedule = self.schedule_for(digest_time)
        due = schedule.next_after(now)
        when = due.astimezone(self.settings.tz) if due else Msg(NEVER)
        rule = (
            Msg(EVERY_DAY_AT, time=digest_time)
            if digest_time
            else Msg(ON_THE_SCHEDULE, schedule=schedule.text)
        )
        return Msg(NEXT_DUE, when=when, rule=rule)

    def subscribe(self, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        kind = "group" if caller.chat_type == "group" else "user"
        created = self.dossier.subscribe(caller.chat_id, caller.thread_id, kind, caller.user_id)
        existing = created or self.dossier.subscription(caller.chat_id)
        due = self.next_due_text(existing.digest_time if existing else None)
        if created is None:
            return TextReply.of(Msg(ALREADY_SUBSCRIBED), due)
        if kind == "user" and self.dossier.store.language_choices(None, caller.chat_id)[1] is None:
            # Its digests come in the language it subscribed in, unless the user chooses another.
            language = reply_language(self.dossier.store, self.settings, caller)
            self.dossier.store.set_language_choice("chat", caller.chat_id, language, None)
        return TextReply.of(
            Msg(GROUP_SUBSCRIBED if kind == "group" else USER_SUBSCRIBED), due, Msg(HOW_TO_CHANGE)
        )

    def unsubscribe(self, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        if self.dossier.unsubscribe(caller.chat_id):
            return TextReply.of(Msg(UNSUBSCRIBED))
        return TextReply.of(Msg(NOTHING_TO_STOP), error=True)

    def digest_time(self, args: str, caller: Caller) -> Reply:
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        if not args.strip():
            return TextReply.of(Msg(AT_WHAT_TIME), error=True)
        if args.strip().lower() in ("off", "default", "reset"):
            if not self.dossier.set_digest_time(caller.chat_id, None):
                return TextReply.of(Msg(NOT_SUBSCRIBED_YET), error=True)
            return TextReply.of(Msg(SHARED_AGAIN), self.next_due_text(None))
        try:
            at = parse_hhmm(args)
        except ScheduleError as exc:
            return TextReply.of_error(exc)
        if not self.dossier.set_digest_time(caller.chat_id, f"{at:%H:%M}"):
            return TextReply.of(Msg(NOT_SUBSCRIBED_YET), error=True)
        return TextReply.of(
            Msg(DAILY_AT, time=f"{at:%H:%M}", zone=self.settings.timezone), self.next_due_text(f"{at:%H:%M}")
        )

    def digest_preview(self, caller: Caller) -> Reply:
        """What the next digest would hold, without advancing anything. With nothing to show (always so
        right after /subscribe: a first digest holds what arrives from then on), what it will cover and
        when it is due instead: the documents added after the chat subscribed or its last digest ran."""
        if caller.chat_id is None:
            return TextReply.of(Msg(NO_CHAT), error=True)
        sub = self.dossier.subscription(caller.chat_id)
        if sub is None:
            return TextReply.of(Msg(NOT_SUBSCRIBED), error=True)
        digest = build_digest(
            self.dossier.store, sub, datetime.now(UTC), self.people, preview=True, tz=self.settings.tz
        )
        if digest is None:
            since = sub.last_run_at.astimezone(self.settings.tz)
            return TextReply.of(Msg(NOTHING_NEW, since=since), self.next_due_text(sub.digest_time))
        hits = self.dossier.store.digest_hits(sub.chat_id, sub.cursor, digest.upto_id)
        return with_follows(digest, hits, self.dossier.store)
