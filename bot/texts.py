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
# TRANSLATORS: /ask without a question; {example} is a command to copy.
ASK_HOW = N_("Ask a question in plain words, e.g. {example}")

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
