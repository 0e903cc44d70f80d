"""What an ingest did, document by document: one vocabulary for uploads, ``python -m bot ingest`` and
corpus scans, read by the chat reply, the CLI summary and the logs.

- ``Outcome``: one document's fate (added, updated, a duplicate, skipped) and what is known about it.
- ``IngestReport``: every document of one ingest; ``ScanReport`` adds what a corpus scan did not read.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from datetime import date
from typing import Literal

Status = Literal["added", "updated", "duplicate", "skipped"]


@dataclass(frozen=True)
class Outcome:
    """One document's fate. ``similar_to`` is set for a near-duplicate: stored, but resembling it."""

    source: str
    status: Status
    doc_id: int | None = None
    title: str | None = None
    published: date | None = None
    reason: str | None = None
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
