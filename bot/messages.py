"""The words for every error code (``bot.errors``): one table, so a second interface language is one more
table, not a hunt through the code that raises.

Templates are ``str.format`` strings over the error's ``params``. The English here is exactly what users
and operators have always been shown; tests assert much of it.
"""

from __future__ import annotations

from collections.abc import Mapping

ENGLISH: dict[str, str] = {
    "error": "something went wrong",
    # ingest (bot/ingest.py, bot/formats.py)
    "ingest.reason": "{reason}",  # a reason still worded where it is raised (bot/formats.py for now)
    "ingest.empty": "the file is empty",
    "ingest.binary": "the file is binary, not text",
    "ingest.unknown_encoding": "the file's text encoding could not be recognised",
    "ingest.no_words": "the file has no words in it",
    "ingest.not_plain_text": "{source}: only .txt and .md files are read here",
    # since:/until: (bot/dates.py)
    "date.not_a_date": "“{value}” is not a date: use YYYY, YYYY-MM or YYYY-MM-DD",
    "date.no_such_month": "“{value}” has no month {month}",
    "date.no_such_day": "“{value}” is not a real day",
    # schedules and /digest_time (bot/schedule.py)
    "schedule.interval_too_small": "{text!r}: the interval must be at least 1",
    "schedule.unreadable": (
        "{text!r} is neither a cron expression like '0 9 * * *' nor an interval like 'every 15m'"
    ),
    "schedule.not_a_time": "“{text}” is not a time of day: use HH:MM, e.g. /digest_time 08:30",
    # the store (bot/store.py)
    "store.cannot_open": "cannot open the store at {path}: {reason}",
    "store.newer_schema": (
        "the store at {path} has schema version {found}, newer than this Dossier ({known}): upgrade Dossier"
    ),
    "store.duplicate_text": "a document with the same text is already stored",
    # settings (bot/settings.py)
    "settings.invalid": "{problems}",
    "settings.no_corpus_dir": (
        "DOSSIER_CORPUS_DIR: the folder {path!r} does not exist "
        "(create it, or point the setting at your documents)"
    ),
    # hostile or broken input, and a full disk (bot/ingest/)
    "ingest.html_too_deep": "this page is too deeply nested to read (more than {limit} levels)",
    "ingest.html_too_slow": "this page is too complex to read in time (over {seconds} seconds)",
    "ingest.html_unreadable": "this page could not be read",
    "ingest.disk_full": "the disk is full, nothing was added",
}

LANGUAGES: dict[str, dict[str, str]] = {"en": ENGLISH}


def message(code: str, params: Mapping[str, object], lang: str = "en") -> str:
    """The words for an error code in ``lang`` (English when that language lacks the code)."""
    template = LANGUAGES.get(lang, ENGLISH).get(code) or ENGLISH.get(code)
    if template is None:  # a code without words yet: still say something an operator can trace
        return f"{code} {dict(params)!r}" if params else code
    return template.format(**params)
