"""Adding documents from files: the pieces ``Dossier``'s ingest pipeline is made of.

- ``Originals``: every uploaded file (or archive member) is kept in ``<data>/originals`` under the
  SHA-256 of its bytes, written to a temporary file, fsynced and renamed into place *before* the document
  row that refers to it is committed. A crash in between leaves at most an unreferenced file, never a
  document whose original is missing. File names come from the hash alone, so a member named
  ``../../etc/passwd`` or ``/abs/path`` can never choose where anything is written.
- ``FileResult`` / ``IngestReport``: what happened to each file, for the reply, the CLI summary and logs.
- ``clean_name``: an uploaded file's name as a label that is safe to show and store.

No Telegram here: the same pipeline serves uploads, ``python -m bot ingest`` and the corpus folder.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Literal

from bot.formats import KIND_SUFFIX

FileStatus = Literal["added", "updated", "duplicate", "skipped"]

_NAME_MAX = 120
_FILE_RE = re.compile(r"^[0-9a-f]/[0-9a-f]{64}\.[a-z]{2,4}$")


@dataclass(frozen=True)
class FileResult:
    """One document's fate. ``similar_to`` is set for a near-duplicate: stored, but resembling it."""

    source: str
    status: FileStatus
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
    results: list[FileResult] = field(default_factory=list)
    seconds: float = 0.0
    started: float = field(default_factory=time.perf_counter, repr=False)

    def count(self, status: FileStatus) -> int:
        return sum(1 for r in self.results if r.status == status)

    @property
    def near_duplicates(self) -> int:
        return sum(1 for r in self.results if r.status == "added" and r.similar_to is not None)

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


def clean_name(name: str) -> str:
    """A file name as a label: the last path component, without control and bidirectional-override
    characters (a name with U+202E shows "txt.exe" as "exe.txt"), whitespace collapsed, at most 120
    characters. Any script is fine: "Отчёт.docx" stays "Отчёт.docx"."""
    base = re.split(r"[/\\]", unicodedata.normalize("NFC", name))[-1]
    base = "".join(ch for ch in base if unicodedata.category(ch) not in ("Cc", "Cf", "Cs", "Co"))
    base = " ".join(base.split())
    if len(base) > _NAME_MAX:
        _stem, dot, ext = base.rpartition(".")
        keep = ("." + ext) if dot and len(ext) <= 8 else ""
        base = base[: _NAME_MAX - len(keep) - 1] + "…" + keep
    return base or "document"


class Originals:
    """Uploaded files as they arrived, named by the SHA-256 of their bytes under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, kind: str, *, durable: bool = True) -> str:
        """Store ``data`` and return its name relative to the folder; already stored (same bytes):
        nothing is written. ``durable=False`` leaves the fsync to a later ``sync`` of many files."""
        digest = hashlib.sha256(data).hexdigest()
        # 16 folders by the first hex digit: few enough that fsyncing the folders of a chunk of new
        # files costs little, many enough to keep each folder small (62,500 files per million).
        name = f"{digest[0]}/{digest}{KIND_SUFFIX.get(kind, '.bin')}"
        target = self.root / name
        if target.exists() and target.stat().st_size == len(data):
            return name
        target.parent.mkdir(parents=True, exist_ok=True)
        tmp = target.parent / f".tmp-{secrets.token_hex(6)}"
        try:
            with open(tmp, "wb") as fh:
                fh.write(data)
                fh.flush()
                if durable:
                    os.fsync(fh.fileno())
            os.replace(tmp, target)
        finally:
            tmp.unlink(missing_ok=True)
        if durable:
            _fsync_dir(target.parent)
        return name

    def sync(self, names: Iterable[str]) -> None:
        """Make files written with ``durable=False`` (and their renames) durable: after the first
        fsync the file system has usually flushed the rest, so the others cost little."""
        folders: set[Path] = set()
        for name in names:
            path = self.path(name)
            fd = os.open(path, os.O_RDONLY)
            try:
                os.fsync(fd)
            finally:
                os.close(fd)
            folders.add(path.parent)
        for folder in folders:
            _fsync_dir(folder)

    def path(self, name: str) -> Path:
        if not _FILE_RE.match(name):  # names come from our own rows; anything else is not ours to open
            raise ValueError(f"not an original's name: {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def remove(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def remove_unused(self, used: set[str], older_than: float = 3600.0) -> int:
        """Delete files no document refers to: left by a crash between writing an original and
        committing its document. Only old ones: a recent file may belong to an upload in progress."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        for path in self.root.rglob("*"):
            name = path.relative_to(self.root).as_posix()
            if path.is_file() and name not in used and path.stat().st_mtime < cutoff:
                path.unlink(missing_ok=True)
                removed += 1
        return removed

    def size_bytes(self) -> int:
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


def _fsync_dir(folder: Path) -> None:
    """Make a rename durable (POSIX); a no-op where directories cannot be opened (Windows)."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)


# A test hook, not a setting: with DOSSIER_TEST_HOLD_INGEST=<n>:<flag file>, the n-th document this
# process stores waits inside its open transaction after touching the flag file, so a test can kill
# the process at exactly that point and check that the store is as it was before that document.
_HOLD = os.environ.get("DOSSIER_TEST_HOLD_INGEST", "")
_stored_count = 0


def hold_point() -> None:
    global _stored_count
    if not _HOLD:
        return
    _stored_count += 1
    n, _, flag = _HOLD.partition(":")
    if n.isdigit() and _stored_count == int(n) and flag:
        Path(flag).write_text("holding", encoding="utf-8")
        time.sleep(60)
