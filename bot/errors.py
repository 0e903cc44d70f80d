"""Dossier's exceptions: one hierarchy, drawn here as httpx draws its own (``httpx/_exceptions.py``).

The bases live in this module, with the store's errors (every store backend raises the same ones, so no
caller needs to know which backend it talks to); each other concrete class is defined beside the code that
raises it::

    DossierError                 anything Dossier raises on purpose
    ├── UserError                what a user sent or asked cannot be done: answered politely, not a fault
    │   ├── IngestError          a file that cannot become a document        (bot/ingest/prepare.py)
    │   ├── DateBoundError       a since:/until: value that is not a date     (bot/dates.py)
    │   └── ScheduleError        a schedule or time of day that is unreadable (bot/schedule.py)
    ├── StoreError               the store cannot be opened or used           (here: every backend)
    │   ├── DamagedStore         the store's file fails its integrity check   (here: every backend)
    │   ├── DuplicateText        a write would store a text the store holds   (here: every backend)
    │   └── NoSuchDocument       a write refers to a document not stored      (here: every backend)
    └── SettingsError            a setting has a bad value                    (bot/settings.py)

The three user errors stay ``ValueError`` subclasses as they always were: pydantic turns a ``ValueError``
raised in a validator (a bad ``DOSSIER_DIGEST_SCHEDULE``) into a validation error, and callers that catch
``ValueError`` keep working.

An error carries no wording of its own. It has a ``code``, a stable id such as ``"date.not_a_date"``, and
``params``, the values the wording needs (``{"value": "yesterday"}``); the words are made from those two by
``bot.messages.message`` when the error is shown, so another language can word it later without touching
the code that raised it. ``str(error)`` is that English wording, for logs and the CLI.
"""

from __future__ import annotations

from typing import ClassVar

from bot.messages import message


class DossierError(Exception):
    """The root: ``code`` names what went wrong, ``params`` holds the values its wording needs."""

    default_code: ClassVar[str] = "error"

    def __init__(self, code: str | None = None, /, **params: object) -> None:
        self.code = code or self.default_code
        self.params: dict[str, object] = params
        # ``args`` is the code alone: an error crossing a process pool is rebuilt from it, then its
        # ``__dict__`` (params included) is restored.
        super().__init__(self.code)

    def __str__(self) -> str:
        return message(self.code, self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.code!r}, **{self.params!r})"


class UserError(DossierError):
    """Something the user can fix: the transport shows the message, nobody is paged."""


class StoreError(DossierError):
    """The store cannot be opened or used (wrong path, newer schema, corrupt file)."""


class DamagedStore(StoreError):
    """The store's file is damaged (truncated, garbled, failing its integrity check): start-up stops with
    one line naming the file and what to do."""

    default_code = "store.damaged"


class StoreFull(StoreError):
    """The disk (or quota) under the store is full: the write was rolled back. The domain's name for
    SQLite's SQLITE_FULL, so the ingest pipeline can say "the disk is full" without knowing the backend."""

    default_code = "store.full"


class DuplicateText(StoreError):
    """A write would store a text (by its hash) that another document already has: the domain's name for
    what a database reports as a unique-constraint violation, so callers need not know the backend."""

    default_code = "store.duplicate_text"


class NoSuchDocument(StoreError):
    """A write refers to a document that is not stored (deleted meanwhile): a foreign-key violation,
    in the domain's words."""

    default_code = "store.no_such_document"
