"""The words both renderers show for follows (Telegram's HTML and the console's plain text), as message
ids (the conventions of ``bot/texts.py``)."""

from __future__ import annotations

from bot.i18n import N_, NP_

FOLLOWS_HEADER = N_("This chat follows:")
FOLLOWS_NONE = N_("This chat follows nothing yet. /follow a person or words to hear of new documents.")
# TRANSLATORS: how a follow's documents come: after each line of /following.
MODE_INSTANT = N_("instant")
MODE_DIGEST = N_("in the digest")
PERSON = N_("person")
WORDS = N_("words")
QUIET_HOURS = N_("Quiet hours: {start}–{end}")
# TRANSLATORS: a button under /following: stop following {label}, a person's name or the words followed
# as typed (cut with "…" when long).
REMOVE_BUTTON = N_("✕ {label}")
# TRANSLATORS: a button under /following: switch follow {n} to the other way of delivery.
TO_DIGEST_BUTTON = N_("{n}: to the digest")
TO_INSTANT_BUTTON = N_("{n}: instant")
UNFOLLOW_HINT = N_("Remove one with its button or /unfollow <n>.")
# TRANSLATORS: /follow of a name several persons carry; {query} is the name as typed.
WHICH_PERSON = N_("Several people are called “{query}”. Which one should this chat follow?")
AS_WORDS_HINT = N_('To follow the words themselves, put them in quotes: /follow "{query}"')
# TRANSLATORS: an alert's header; {label} is a follow's name (a person or a query).
ALERT_MATCH = NP_("{n} new document matches {label}", "{n} new documents match {label}")
ALERT_MATCH_MANY = NP_(
    "{n} new document matches your follows: {labels}", "{n} new documents match your follows: {labels}"
)
MATCHES = N_("Matches:")
ALERT_MORE = NP_("… and {n} more document.", "… and {n} more documents.")
# TRANSLATORS: the heading of a digest's section of documents matching a follow ({label}).
DIGEST_FOLLOW = N_("Following {label}")
