"""The words both renderers show (Telegram's HTML and the console's plain text), declared once as message
ids. Each id is today's English wording, so English replies stay as they are; ``bot/i18n.py`` gives the
conventions (``{name}`` placeholders, plain-text templates escaped by the HTML renderer).

Render with the reader's translator: ``t = translator(lang)``, then ``t.gettext(NOTHING_FOUND)``,
``t.ngettext(*RESULTS, total)``; fill the placeholders with ``.format``.
"""

from __future__ import annotations

from bot.i18n import N_, NP_

# ----------------------------------------------------------------- search
RESULTS = NP_("{n} result", "{n} results")
# TRANSLATORS: {results} is "{n} result(s)" above; the search header, e.g. "5 results for “visa”".
RESULTS_FOR = N_("{results} for “{query}”")
PAGE_OF_SHORT = N_("page {page}/{pages}")  # Telegram: after the header, " · page 2/5"
PAGE_OF_LONG = N_("(page {page} of {pages})")  # console
NOTHING_FOUND = N_("Nothing found for “{query}”.")
# TRANSLATORS: {suggestion} is a corrected query, in Telegram as a command to tap ("/search masadykov").
DID_YOU_MEAN = N_("Did you mean: {suggestion}?")
NO_MORE_RESULTS = N_("No more results.")
# TRANSLATORS: above results that match only some of the query's words.
PARTIAL_MATCH = N_("No document has all your words; these match most of them.")
# TRANSLATORS: {words} are the query's words that no document has, e.g. "крокус, zanzibar".
NOTHING_MATCHED = N_("Nothing matched: {words}")
# TRANSLATORS: a question's answer: the passage that best answers it follows, from this document.
BEST_ANSWER = N_("The best answer, from #{id} {title}:")
# TRANSLATORS: /ask without a question; /{example} is a command to copy (the example /help shows).
ASK_HOW = N_("Ask a question in plain words, e.g. /{example}")
# TRANSLATORS: an example in /help and after /ask alone, typed after "/" as a reader of your language would.
ASK_EXAMPLE = N_("ask who is the CSTO secretary general?")

# ----------------------------------------------------------------- buttons
OPEN_DOC = N_("Open #{id}")
PREV = N_("‹ Prev")
NEXT = N_("Next ›")
DELETE_DOC = N_("Delete #{id}")
CANCEL = N_("Cancel")

# ----------------------------------------------------------------- deleting a document
CONFIRM_DELETE = N_("Delete #{id} “{title}” ({date} · {source})?")
DELETE_WARNING = N_("This removes the document, its search entries and everything stored with it.")

# ----------------------------------------------------------------- /who
DOCUMENTS = NP_("{n} document", "{n} documents")
NO_ONE_CALLED = N_("No one called “{query}” in the documents.")
NEAREST_NAMES = N_("Nearest names:")
ALSO_MATCHING = N_("Also matching:")
# TRANSLATORS: a person's card, before the other spellings of their name.
ALSO_WRITTEN = N_("Also written:")
# TRANSLATORS: a person's card: the heading of the posts they held ("Secretary General, CSTO").
ROLES = N_("Roles")
MORE_POSTS = NP_("…and {n} more post", "…and {n} more posts")  # (English said "1 more posts" before)
# TRANSLATORS: a person's card: the heading of the documents naming them; "newest first" follows.
DOCUMENTS_COUNT = N_("Documents ({n})")
NEWEST_FIRST = N_("newest first")
# TRANSLATORS: after a card's first documents: how many more, and the command that finds them all.
MORE_DOCUMENTS = N_("…and {n} more: {command}")

# ----------------------------------------------------------------- digests and ingest reports
DIGEST = N_("Digest")
DIGEST_PREVIEW = N_("Preview of your next digest")
NEW_DOCUMENTS = NP_("{n} new document", "{n} new documents")
# TRANSLATORS: a document in a digest or an ingest report, before the names of the people it mentions.
PEOPLE = N_("People:")
MORE_SOURCES = NP_("+{n} more source: {ids}", "+{n} more sources: {ids}")  # the same story elsewhere
# TRANSLATORS: a document in an ingest report that replaced an older version: " (updated)" after it.
UPDATED = N_("(updated)")
# TRANSLATORS: {share} is a fraction written as a percentage ("85%").
NEAR_DUPLICATE_SHARE = N_("near-duplicate: resembles #{id}, {share:.0%} of the wording shared")
NEAR_DUPLICATE = N_("near-duplicate: resembles #{id}")
ALREADY_STORED_TITLED = N_("{source}: already stored as #{id} “{title}”, not added again")
ALREADY_STORED = N_("{source}: already stored as #{id}, not added again")
AND_MORE = N_("…and {n} more.")
# TRANSLATORS: the counts of an ingest report, joined by ", " ("3 added, 1 already stored, 0 skipped").
ADDED = N_("{n} added")
UPDATED_COUNT = N_("{n} updated")
NEAR_DUPLICATES_COUNT = N_("{n} of them near-duplicates")
DUPLICATES_COUNT = N_("{n} already stored")
SKIPPED_COUNT = N_("{n} skipped")

# ----------------------------------------------------------------- digests (more)
# TRANSLATORS: the console's digest: "Preview: " before the count of new documents.
PREVIEW = N_("Preview: {digest}")
NEW_DOCUMENTS_SHORT = NP_("{n} new document(s)", "{n} new document(s)")  # console (English as before)
# TRANSLATORS: {command} is "/search since:2026-03-14 your words", set as code.
MORE_IN_DIGEST = N_("…and {n} more. Search them with {command}.")
# TRANSLATORS: the words a user types after "/search since:2026-03-14" in the digest's hint.
YOUR_WORDS = N_("your words")

# ----------------------------------------------------------------- /who (more)
# TRANSLATORS: a card's post held from one day to another ("2024-01-01 to 2024-06-30").
SPAN = N_("{start} to {end}")
POST_DOCUMENTS = NP_("{n} document (first #{id})", "{n} documents (first #{id})")
# TRANSLATORS: a past post: the title is the document's own words, in English ("former Prime Minister").
FORMER = N_("former {title}")
# TRANSLATORS: after the date of the last holder of a role ("2022-02-09; the latest").
THE_LATEST = N_("the latest")
EARLIER_HOLDERS = NP_("{n} earlier holder(s) not shown", "{n} earlier holder(s) not shown")
WHO_HELD = N_("Who held “{query}”, oldest first:")
PEOPLE_MATCH = NP_("{n} person matches “{query}”:", "{n} people match “{query}”:")
PEOPLE_MATCH_PICK = NP_("{n} person matches “{query}”. Pick one:", "{n} people match “{query}”. Pick one:")
EVERYONE = N_("Everyone:")
ASK_AGAIN = N_("Ask again with the full name, e.g. /who {name}")

# ----------------------------------------------------------------- deleting (more)
TYPE_DELETE_YES = N_("Type /delete {id} yes to delete it.")

# ----------------------------------------------------------------- /help
ADMIN_MARK = N_("(admins)")
# TRANSLATORS: under each command of /help: an example to tap, set as code.
FOR_EXAMPLE = N_("e.g. {example}")
# TRANSLATORS: {example} is "@dossier_bot words" set as code; "words" is the next message.
INLINE_HINT = N_("In any chat you can also type {example} to pick a document inline.")
WORDS = N_("words")

# ----------------------------------------------------------------- /lang
LANGUAGE_SET_USER = N_("Language set: {language}.")
LANGUAGE_SET_CHAT = N_("This group's language is now {language}.")
LANGUAGE_AUTO_USER = N_("Your language now follows your Telegram settings: {language}.")
LANGUAGE_AUTO_CHAT = N_("This group no longer has a language of its own: everyone is answered in theirs.")
LANGUAGE_IS_USER_CHOSEN = N_("Your language: {language} (chosen with /lang).")
LANGUAGE_IS_USER_AUTO = N_("Your language: {language} (from your Telegram settings).")
# TRANSLATORS: /lang for someone whose Telegram is set to a language the bot does not speak.
LANGUAGE_IS_USER_WRITTEN = N_(
    "Your language: {language} for now. Your Telegram's is not one I speak, so I answer in the language "
    "you write in."
)
LANGUAGE_AUTO_USER_WRITTEN = N_(
    "Your Telegram's language is not one I speak, so I now answer in the language you write in ({language} "
    "for now)."
)
LANGUAGE_IS_CHAT = N_("This group's language: {language} (set by its administrators).")
LANGUAGE_IS_CHAT_AUTO = N_("This group has no language of its own: everyone is answered in theirs.")
LANGUAGE_IS_CONSOLE = N_("The console answers in {language} (chosen with /lang or --lang).")
LANGUAGE_IS_CONSOLE_AUTO = N_(
    "The console answers in the language you write in: Russian for Cyrillic, English for Latin letters."
)
# TRANSLATORS: a /lang button: no choice of one's own, the language follows Telegram's settings.
AUTOMATIC = N_("Automatic")
