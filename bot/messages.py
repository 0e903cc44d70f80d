"""The words for every code: an error's (``bot.errors``), a refused file's or a kept document's reason, a
search's note. One table, worded in the reader's language through the catalog (``bot/locale``), so the
code that raises or records one never words it itself.

Templates are ``str.format`` strings over the code's ``params``; each is a message id (``N_``), and its
English is exactly what users and operators have always been shown (tests assert much of it). A value
that is already words is passed worded; a number is passed as a number, and the template's format spec
(``{n:,}``) writes it with the reader's separators; a size is passed as ``bot.i18n.Bytes``, written with
its unit in the reader's language ("20.0 MB", "20,0 МБ").

An error carries its code and params (``DossierError``); a reason or a note that is recorded rather than
raised is a ``Coded``: the code and params as a ``Msg``, so a reply model carries it and the renderers word
it like any other message, and as a ``str`` it is its English, which logs and the CLI read.
"""

from __future__ import annotations

from collections.abc import Mapping

from bot.i18n import N_, Language, Msg

ENGLISH: dict[str, str] = {
    "error": N_("something went wrong"),
    # why a file (or an archive member) gave no new document: every ``ingest.`` code is one, and has its
    # family, the label it is counted under (``bot.ingest.report.REFUSAL_FAMILY``)
    # ... its text (bot/ingest/prepare.py, bot/ingest/formats/)
    "ingest.empty": N_("the file is empty"),
    "ingest.binary": N_("the file is binary, not text"),
    "ingest.unknown_encoding": N_("the file's text encoding could not be recognised"),
    "ingest.no_words": N_("the file has no words in it"),
    "ingest.no_text": N_("the document has no text"),
    "ingest.not_plain_text": N_("{source}: only .txt and .md files are read here"),
    # ... its type (bot/ingest/formats/detect.py): recognised but not read, with what the user can do
    "ingest.old_office": N_(
        "an old Microsoft Office file (.doc, .xls) or a password-protected one; save it as .docx or PDF"
    ),
    "ingest.rtf": N_("an RTF file is not read; save it as .docx, PDF or .txt"),
    "ingest.gzip": N_("a gzip archive is not opened; send a .zip"),
    "ingest.seven_zip": N_("a 7-Zip archive is not opened; send a .zip"),
    "ingest.rar": N_("a RAR archive is not opened; send a .zip"),
    "ingest.image": N_("an image, not a document (text in images is not read)"),
    "ingest.office_not_docx": N_(
        "only Word .docx files are read among office documents; save it as .docx or PDF"
    ),
    "ingest.unsupported": N_("{suffix} files are not read; send .txt, .md, .html, .pdf, .docx or .zip"),
    "ingest.not_pdf": N_("the file is named {suffix} but is not a PDF"),
    "ingest.not_docx": N_("the file is named {suffix} but is not a Word document (it is not a zip archive)"),
    "ingest.not_zip": N_("the file is named {suffix} but is not a zip archive"),
    "ingest.too_big": N_("the file is too big ({size}; the limit is {limit})"),
    # ... its format (bot/ingest/formats/: pdf, docx, html, deadline)
    "ingest.docx_damaged": N_("the .docx file is damaged or unreadable"),
    "ingest.docx_no_body": N_("the .docx file has no document in it (word/document.xml is missing)"),
    "ingest.pdf_encrypted": N_("the PDF is encrypted (protected by a password)"),
    "ingest.pdf_pages": N_("the PDF has more than {n} pages"),
    "ingest.pdf_damaged": N_("the PDF is damaged or unreadable"),
    "ingest.pdf_no_text_layer": N_("the PDF has no text layer (scanned pages); OCR is not done"),
    "ingest.html_too_deep": N_("this page is too deeply nested to read (more than {limit} levels)"),
    "ingest.html_too_slow": N_("this page is too complex to read in time (over {seconds} seconds)"),
    "ingest.html_unreadable": N_("this page could not be read"),
    # ... an archive and its members (bot/ingest/formats/archive.py)
    "ingest.zip_damaged": N_("the zip archive is damaged"),
    "ingest.zip_unreadable": N_("the zip archive is damaged or unreadable"),
    "ingest.zip_members": N_("the archive has {n} entries; the limit is {limit}"),
    "ingest.zip_total": N_("the archive unpacks to {size}; the limit is {limit}"),
    "ingest.zip_no_files": N_("the archive has no files in it"),
    "ingest.nested_archive": N_("nested archives are not opened"),
    "ingest.unsafe_path": N_("unsafe path (absolute or with ..); left out"),
    "ingest.symlink": N_("a symbolic link, not a file; left out"),
    "ingest.member_encrypted": N_("the file is encrypted (protected by a password)"),
    "ingest.zip_bomb": N_("the file is compressed {ratio} to 1, a likely zip bomb; refused"),
    "ingest.member_overflow": N_("the file unpacks to more than its header says; refused"),
    "ingest.member_method": N_("the file is compressed with a method that is not supported"),
    "ingest.member_damaged": N_("the file is damaged (its content does not match its header)"),
    # ... the pipeline, the CLI and the corpus folder (bot/ingest/pipeline.py, scan.py)
    "ingest.duplicate": N_("same text as #{id}"),
    "ingest.missing": N_("no such file or folder"),
    "ingest.os_error": "{reason}",  # the operating system's words (``strerror``), shown as they are
    "ingest.interrupted": N_("interrupted"),
    "ingest.disk_full": N_("the disk is full, nothing was added"),
    "ingest.corpus_archive": N_(
        "an archive in the corpus folder is not unpacked; use `python -m bot ingest`"
    ),
    # why a reindex kept a document as stored (bot/ingest/reindex.py); {reason} is an ``ingest.`` reason
    # or the operating system's words
    "reindex.now_archive": N_("its original is now an archive"),
    "reindex.same_text": N_("its text now reads the same as another document's"),
    "reindex.unavailable": N_("original unavailable ({reason})"),
    "reindex.unreadable": N_("original no longer reads ({reason})"),
    # notes under a search (bot/search/query.py)
    "query.long_text": N_("Your query was long: only its first {n:,} characters were used."),
    "query.long_word": N_("Left out a word of {n:,} letters: no word is that long."),
    "query.many_words": N_("Your query was long: only its first {n} words were used."),
    "query.dates_crossed": N_("since: is after until:, so no date can match."),
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
}


def message(code: str, params: Mapping[str, object], lang: Language = "en") -> str:
    """The words for an error code in ``lang``, its params written as a ``Msg``'s are (a size, a number
    with the reader's separators)."""
    template = ENGLISH.get(code)
    if template is None:  # a code without words yet: still say something an operator can trace
        return f"{code} {dict(params)!r}" if params else code
    return Msg(template, **params).say(lang)


class Coded(Msg):
    """A reason or a note recorded with its code and params rather than raised: a ``Msg`` whose template
    is the code's in ``ENGLISH``, so the renderers word it in the reader's language (``say``,
    ``say_html``, or as a param of another message), and whose ``str`` is its English."""

    code: str

    def __new__(cls, code: str, /, **params: object) -> Coded:
        self = super().__new__(cls, ENGLISH[code], **params)
        self.code = code
        return self

    def __reduce__(self) -> tuple[object, ...]:
        # A ``str`` subclass is rebuilt from its value by default, and the value is the English, not a code.
        return _coded, (self.code, dict(self.params))


def _coded(code: str, params: dict[str, object]) -> Coded:
    return Coded(code, **params)
