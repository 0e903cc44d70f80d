"""/subscribe, /unsubscribe, /digest_time and /digest, and when the next digest is due."""

from __future__ import annotations

from datetime import UTC, datetime

from bot.commands.caller import Caller
from bot.commands.replies import Reply, TextReply
from bot.core import Dossier
from bot.digest import PeopleLookup, build_digest
from bot.schedule import Schedule, ScheduleError, daily_at, parse_hhmm, parse_schedule
from bot.settings import Settings

NO_CHAT = "Digests are delivered to Telegram chats; subscribe from one."
NOT_SUBSCRIBED_YET = "This chat is not subscribed yet: /subscribe first."


class DigestCommands:
    def __init__(self, dossier: Dossier, settings: Settings, people: PeopleLookup | None) -> None:
        self.dossier = dossier
        self.settings = settings
        self.people = people  # the names listed under each digest entry

    def _guard(self, caller: Caller) -> TextReply | None:
        """Why ``caller`` may not change this chat's subscription, or None when they may."""
        if caller.chat_id is None:
            return TextReply.of(NO_CHAT, error=True)
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
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        kind = "group" if caller.chat_type == "group" else "user"
        created = self.dossier.subscribe(caller.chat_id, caller.thread_id, kind, caller.user_id)
        existing = created or self.dossier.subscription(caller.chat_id)
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
        refusal = self._guard(caller)
        if refusal:
            return refusal
        assert caller.chat_id is not None
        if self.dossier.unsubscribe(caller.chat_id):
            return TextReply.of("Unsubscribed: no more digests here. /subscribe to start again.")
        return TextReply.of("This chat is not subscribed, so there is nothing to stop.", error=True)

    def digest_time(self, args: str, caller: Caller) -> Reply:
        refusal = self._guard(caller)
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
            if not self.dossier.set_digest_time(caller.chat_id, None):
                return TextReply.of(NOT_SUBSCRIBED_YET, error=True)
            return TextReply.of("Digests follow the shared schedule again.", self.next_due_text(None))
        try:
            at = parse_hhmm(args)
        except ScheduleError as exc:
            return TextReply.of_error(exc)
        if not self.dossier.set_digest_time(caller.chat_id, f"{at:%H:%M}"):
            return TextReply.of(NOT_SUBSCRIBED_YET, error=True)
        return TextReply.of(
            f"Digests now come daily at {at:%H:%M} ({self.settings.timezone}).",
            self.next_due_text(f"{at:%H:%M}"),
        )

    def digest_preview(self, caller: Caller) -> Reply:
        """What the next digest would hold, without advancing anything."""
        if caller.chat_id is None:
            return TextReply.of(NO_CHAT, error=True)
        sub = self.dossier.subscription(caller.chat_id)
        if sub is None:
            return TextReply.of("This chat is not subscribed: /subscribe to get digests.", error=True)
        digest = build_digest(
            self.dossier.store, sub, datetime.now(UTC), self.people, preview=True, tz=self.settings.tz
        )
        if digest is None:
            return TextReply.of("Nothing new since the last digest.", self.next_due_text(sub.digest_time))
        return digest
