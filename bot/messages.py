"""The words for every error code (``bot.errors``): one table, worded in the reader's language through the
catalog (``bot/locale``), so the code that raises never words an error itself.

Templates are ``str.format`` strings over the error's ``params``; each is a message id (``N_``), and its
English is exactly what users and operators have always been shown (tests assert much of it).

Some reasons are still worded in English where they are raised (``bot/formats.py``, ``bot/core.py``,
``bot/query.py``: a file's ingest reason, a reindex's "kept" reason, a query's notes). ``reason_message``
recognises them by their English and gives them a message id, so they reach a Russian reader in Russian;
a reason it does not know is shown as it is. When those modules raise with codes, their rows move into
``ENGLISH`` and the patterns go.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from typing import Final

from bot.i18n import N_, Language, Msg, say, translator

ENGLISH: dict[str, str] = {
    "error": N_("something went wrong"),
    # ingest (bot/ingest.py, bot/formats.py)
    "ingest.reason": "{reason}",  # a reason still worded where it is raised (see reason_message)
    "ingest.empty": N_("the file is empty"),
    "ingest.binary": N_("the file is binary, not text"),
    "ingest.unknown_encoding": N_("the file's text encoding could not be recognised"),
    "ingest.no_words": N_("the file has no words in it"),
    "ingest.not_plain_text": N_("{source}: only .txt and .md files are read here"),
    # since:/until: (bot/dates.py)
    "date.not_a_date": N_("“{value}” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD"),
    "date.no_such_month": N_("“{value}” has no month {month}"),
    "date.no_such_day": N_("“{value}” is not a real day"),
    # schedules and /digest_time (bot/schedule.py)
    "schedule.interval_too_small": N_("{text!r}: the interval must be at least 1"),
    "schedule.unreadable": N_(
        "{text!r} is neither a cron expression like '0 9 * * *' nor an interval like 'every 15m'"
    ),
    "schedule.not_a_time": N_("“{text}” is not a time of day: use HH:MM, e.g. /digest_time 08:30"),
    # the store (bot/store/)
    "store.cannot_open": N_("cannot open the store at {path}: {reason}"),
    "store.damaged": N_(
        "the database {path} is damaged ({reason}): restore it from a backup, or move it (and its -wal "
        "file) aside and start again to build a new one from the corpus folder"
    ),
    "store.newer_schema": N_(
        "the store at {path} has schema version {found}, newer than this Dossier ({known}): upgrade Dossier"
    ),
    "store.duplicate_text": N_("a document with the same text is already stored"),
    "store.no_such_document": N_("document #{doc_id} is not stored"),
    "store.constraint": N_("the store refused a write: {reason}"),
    "store.full": N_("the disk under the store is full"),
    "store.unavailable": N_("the database {where} cannot be used: {reason}"),
    "store.target_not_empty": N_(
        "the database {where} already holds Dossier data (table {table}): migrate-store copies into an "
        "empty database only"
    ),
    # settings (bot/settings.py)
    "settings.invalid": "{problems}",
    "settings.no_corpus_dir": N_(
        "DOSSIER_CORPUS_DIR: the folder {path!r} does not exist "
        "(create it, or point the setting at your documents)"
    ),
    # hostile or broken input, and a full disk (bot/ingest/)
    "ingest.html_too_deep": N_("this page is too deeply nested to read (more than {limit} levels)"),
    "ingest.html_too_slow": N_("this page is too complex to read in time (over {seconds} seconds)"),
    "ingest.html_unreadable": N_("this page could not be read"),
    "ingest.disk_full": N_("the disk is full, nothing was added"),
}


def message(code: str, params: Mapping[str, object], lang: Language = "en") -> str:
    """The words for an error code in ``lang``."""
    template = ENGLISH.get(code)
    if template is None:  # a code without words yet: still say something an operator can trace
        return f"{code} {dict(params)!r}" if params else code
    if code == "ingest.reason":
        return say(reason_message(str(params.get("reason", ""))), lang)
    return translator(lang).gettext(template).format(**params)


# ----------------------------------------------------------------- reasons still worded in English
_REASONS: Final[tuple[str, ...]] = (
    # bot/formats.py: what a file is, and why it is not read
    N_("the file is empty"),
    N_("an old Microsoft Office file (.doc, .xls) or a password-protected one; save it as .docx or PDF"),
    N_("an RTF file is not read; save it as .docx, PDF or .txt"),
    N_("a gzip archive is not opened; send a .zip"),
    N_("a 7-Zip archive is not opened; send a .zip"),
    N_("a RAR archive is not opened; send a .zip"),
    N_("an image, not a document (text in images is not read)"),
    N_("the file is named {suffix} but is not a PDF"),
    N_("the file is named {suffix} but is not a Word document (it is not a zip archive)"),
    N_("the file is named {suffix} but is not a zip archive"),
    N_("{suffix} files are not read; send .txt, .md, .html, .pdf, .docx or .zip"),
    N_("the .docx file is damaged or unreadable"),
    N_("the zip archive is damaged"),
    N_("the zip archive is damaged or unreadable"),
    N_("the .docx file has no document in it (word/document.xml is missing)"),
    N_("only Word .docx files are read among office documents; save it as .docx or PDF"),
    N_("the file is too big ({size}; the limit is {limit})"),
    N_("the document has no text"),
    N_("the PDF is encrypted (protected by a password)"),
    N_("the PDF has more than {n} pages"),
    N_("the PDF is damaged or unreadable"),
    N_("the PDF has no text layer (scanned pages); OCR is not done"),
    N_("the archive has {n} entries; the limit is {limit}"),
    N_("the archive unpacks to {size}; the limit is {limit}"),
    N_("unsafe path (absolute or with ..); left out"),
    N_("a symbolic link, not a file; left out"),
    N_("nested archives are not opened"),
    N_("the archive has no files in it"),
    N_("the file is encrypted (protected by a password)"),
    N_("the file is compressed {ratio} to 1, a likely zip bomb; refused"),
    N_("the file unpacks to more than its header says; refused"),
    N_("the file is compressed with a method that is not supported"),
    N_("the file is damaged (its content does not match its header)"),
    # bot/core.py: ingest and reindex
    N_("no such file or folder"),
    N_("interrupted"),
    N_("same text as #{id}"),
    N_("its original is now an archive"),
    N_("its text now reads the same as another document's"),
    N_("an archive in the corpus folder is not unpacked; use `python -m bot ingest`"),
    # bot/query.py: notes under a search
    N_("Your query was long: only its first {n} characters were used."),
    N_("Left out a word of {n} letters: no word is that long."),
    N_("Your query was long: only its first {n} words were used."),
    N_("since: is after until:, so no date can match."),
)
_FIELD = re.compile(r"\\\{(\w+)\\\}")


def _pattern(template: str) -> re.Pattern[str]:
    """The English of ``template`` with each ``{field}`` matching any text."""
    return re.compile(_FIELD.sub(lambda m: f"(?P<{m.group(1)}>.+?)", re.escape(template)) + r"\Z", re.DOTALL)


_PATTERNS: Final = tuple((_pattern(t), t) for t in _REASONS)


def reason_message(text: str) -> Msg | str:
    """A reason or note worded in English by the code that found it, as a message to translate; one that
    is not in the table stays as it is (shown untranslated rather than lost)."""
    for pattern, template in _PATTERNS:
        m = pattern.match(text)
        if m:
            return Msg(template, **m.groupdict())
    return text
