"""What an ingest did, document by document: one vocabulary for uploads, ``python -m bot ingest`` and
corpus scans, read by the chat reply, the CLI summary and the logs.

- ``Outcome``: one document's fate (added, updated, a duplicate, skipped) and what is known about it.
- ``IngestReport``: every document of one ingest; ``ScanReport`` adds what a corpus scan did not read.
- ``REFUSAL_FAMILY``: the family of each reason a file gives no new document, the label it is counted
  under (``dossier_documents_refused_total{reason}``): a small fixed set, never the wording.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Final, Literal

from bot.messages import Coded

Status = Literal["added", "updated", "duplicate", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """One document's fate. ``reason`` says why a document was not stored (a duplicate, a skipped file):
    an ``ingest.`` code and its params, worded when shown. ``similar_to`` is set for a near-duplicate:
    stored, but resembling it."""

    source: str
    status: Status
    doc_id: int | None = None
    title: str | None = None
    published: date | None = None
    reason: Coded | None = None
    similar_to: int | None = None
    similarity: float | None = None
    people: tuple[str, ...] = ()  # the persons the stored document names


@dataclass
class IngestReport:
    """Every document of one ingest (a file, an archive, or a CLI run over many paths)."""

    name: str
    outcomes: list[Outcome] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter, repr=False)

    def count(self, status: Status) -> int:
        return sum(1 for r in self.outcomes if r.status == status)

    @property
    def near_duplicates(self) -> int:
        return sum(1 for r in self.outcomes if r.status == "added" and r.similar_to is not None)

    @property
    def stored(self) -> int:
        return self.count("added") + self.count("updated")

    def finish(self) -> IngestReport:
        self.seconds = time.perf_counter() - self.started
        return self

    def summary(self) -> str:
        parts = [f"{self.count('added')} added"]
        if self.count("updated"):
            parts.append(f"{self.count('updated')} updated")
        if self.near_duplicates:
            parts.append(f"{self.near_duplicates} of them near-duplicates")
        parts.append(f"{self.count('duplicate')} already stored")
        parts.append(f"{self.count('skipped')} skipped")
        return ", ".join(parts)


@dataclass
class ScanReport(IngestReport):
    """A corpus-folder scan: also how many files it saw, and how many it left unread as unchanged (same
    size and modification time as when last read)."""

    seen: int = 0
    unchanged: int = 0
    elsewhere: bool = False  # not scanned here: another process holds the scan (``Dossier.scan_corpus``)

    def summary(self) -> str:
        """The line the log shows after a scan."""
        return (
            f"{self.count('added')} added, {self.count('updated')} updated, "
            f"{self.count('duplicate')} duplicates, {self.count('skipped')} skipped, "
            f"{self.unchanged} unchanged ({self.seconds:.1f} s)"
        )


def os_reason(exc: OSError) -> Coded:
    """Why the operating system would not give a file: its own words (``strerror``), as they are."""
    return Coded("ingest.os_error", reason=exc.strerror or str(exc))


# Every ``ingest.`` code of ``bot.messages.ENGLISH`` has its family here (tests/test_codes.py checks): the
# dashboards' label values, kept as they were when they were worked out from the wording.
REFUSAL_FAMILY: Final[dict[str, str]] = {
    "ingest.duplicate": "duplicate",
    "ingest.empty": "empty",
    "ingest.no_text": "empty",
    "ingest.no_words": "empty",
    "ingest.zip_no_files": "empty",
    "ingest.binary": "not_text",
    "ingest.unknown_encoding": "not_text",
    "ingest.old_office": "unsupported_format",
    "ingest.rtf": "unsupported_format",
    "ingest.gzip": "unsupported_format",
    "ingest.seven_zip": "unsupported_format",
    "ingest.rar": "unsupported_format",
    "ingest.image": "unsupported_format",
    "ingest.unsupported": "unsupported_format",
    "ingest.office_not_docx": "unsupported_format",
    "ingest.not_plain_text": "unsupported_format",
    "ingest.nested_archive": "unsupported_format",
    "ingest.corpus_archive": "unsupported_format",
    "ingest.member_method": "unsupported_format",
    "ingest.not_pdf": "misnamed",
    "ingest.not_docx": "misnamed",
    "ingest.not_zip": "misnamed",
    "ingest.docx_damaged": "damaged",
    "ingest.docx_no_body": "damaged",
    "ingest.zip_damaged": "damaged",
    "ingest.zip_unreadable": "damaged",
    "ingest.pdf_damaged": "damaged",
    "ingest.member_damaged": "damaged",
    "ingest.html_unreadable": "damaged",
    "ingest.pdf_encrypted": "encrypted",
    "ingest.member_encrypted": "encrypted",
    "ingest.pdf_no_text_layer": "no_text_layer",
    "ingest.too_big": "too_big",
    "ingest.pdf_pages": "over_limit",
    "ingest.zip_members": "over_limit",
    "ingest.zip_total": "over_limit",
    "ingest.html_too_deep": "over_limit",
    "ingest.html_too_slow": "over_limit",
    "ingest.zip_bomb": "zip_bomb",
    "ingest.member_overflow": "zip_bomb",
    "ingest.unsafe_path": "unsafe_member",
    "ingest.symlink": "unsafe_member",
    "ingest.disk_full": "disk_full",
    "ingest.missing": "missing",
    "ingest.interrupted": "interrupted",
    "ingest.os_error": "other",  # the operating system's words: permission denied, a name too long, ...
}
REFUSAL_FAMILIES: Final = tuple(dict.fromkeys(REFUSAL_FAMILY.values()))
"""Every family, in a fixed order (``other`` last)."""


def refusal_family(outcome: Outcome) -> str:
    """The family of the reason a document was not stored (``other`` for one without a code listed)."""
    if outcome.status == "duplicate":
        return "duplicate"
    if outcome.reason is None:
        return "other"
    return REFUSAL_FAMILY.get(outcome.reason.code, "other")
