"""The files documents came from, kept as they arrived, and the names they are shown under.

- ``Originals``: every uploaded file (or archive member) is kept in ``<data>/originals`` under the
  SHA-256 of its bytes, written to a temporary file, fsynced and renamed into place *before* the document
  row that refers to it is committed. A crash in between leaves at most an unreferenced file, never a
  document whose original is missing. File names come from the hash alone, so a member named
  ``../../etc/passwd`` or ``/abs/path`` can never choose where anything is written.
- ``StoreOriginals``: the same, kept by the store itself when it keeps files (``bot.store.OriginalBytes``:
  PostgreSQL, so processes on other machines read them too): a chunk's files committed in one
  transaction, before the documents that refer to them. ``kept_originals`` picks one for a store.
- ``clean_name``: an uploaded file's name as a label that is safe to show and store.

No Telegram here: the same pipeline serves uploads, ``python -m bot ingest`` and the corpus folder.
"""

from __future__ import annotations

import errno
import hashlib
import os
import re
import secrets
import threading
import time
import unicodedata
from collections.abc import Iterable
from pathlib import Path
from typing import Protocol

from bot.durable import fsync_path
from bot.ingest.formats import KIND_SUFFIX
from bot.store import OriginalBytes, OriginalStore

_NAME_MAX = 120
# Unused originals younger than this are kept by the clean-up at start: another process (a
# ``python -m bot ingest``) may be between writing them and committing their documents.
ORPHAN_GRACE_SECONDS = 60.0
_FILE_RE = re.compile(r"^[0-9a-f]/[0-9a-f]{64}\.[a-z]{2,4}$")


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


def original_name(data: bytes, kind: str) -> str:
    """An original's name, from its bytes alone: ``<first hex digit>/<sha256>.<suffix>``. 16 folders by
    the first hex digit: few enough that fsyncing the folders of a chunk of new files costs little, many
    enough to keep each folder small (62,500 files per million)."""
    digest = hashlib.sha256(data).hexdigest()
    return f"{digest[0]}/{digest}{KIND_SUFFIX.get(kind, '.bin')}"


class KeptOriginals(Protocol):
    """Where uploaded files are kept as they arrived, by ``original_name``: ``Originals`` (a folder) or
    ``StoreOriginals`` (the store)."""

    def put(self, data: bytes, kind: str, *, durable: bool = True) -> tuple[str, bool]: ...

    def sync(self, names: Iterable[str]) -> None: ...

    def read(self, name: str) -> bytes: ...

    def remove(self, name: str) -> None: ...

    def remove_unused(self, used: set[str], older_than: float = 3600.0) -> int: ...

    def size_bytes(self) -> int: ...


def kept_originals(store: OriginalStore, folder: Path) -> KeptOriginals:
    """The store's own keeping of originals when it has one (PostgreSQL), else files in ``folder``."""
    keeper = store.original_bytes()
    return StoreOriginals(keeper) if keeper is not None else Originals(folder)


class Originals:
    """Uploaded files as they arrived, named by the SHA-256 of their bytes under one folder."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def put(self, data: bytes, kind: str, *, durable: bool = True) -> tuple[str, bool]:
        """Store ``data``; its name relative to the folder, and whether this call wrote it (already
        stored, same bytes: nothing is written). ``durable=False`` leaves the fsync to a later ``sync``
        of many files."""
        name = original_name(data, kind)
        target = self.root / name
        if target.exists() and target.stat().st_size == len(data):
            return name, False
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
            fsync_path(target.parent)
        return name, True

    def sync(self, names: Iterable[str]) -> None:
        """Make files written with ``durable=False`` (and their renames) durable: after the first
        fsync the file system has usually flushed the rest, so the others cost little."""
        folders: set[Path] = set()
        for name in names:
            path = self.path(name)
            fsync_path(path)
            folders.add(path.parent)
        for folder in folders:
            fsync_path(folder)

    def path(self, name: str) -> Path:
        if not _FILE_RE.match(name):  # names come from our own rows; anything else is not ours to open
            raise ValueError(f"not an original's name: {name!r}")
        return self.root / name

    def read(self, name: str) -> bytes:
        return self.path(name).read_bytes()

    def remove(self, name: str) -> None:
        self.path(name).unlink(missing_ok=True)

    def remove_unused(self, used: set[str], older_than: float = 3600.0) -> int:
        """Delete files no document refers to (``used``: one query): left by a crash or a full disk
        between writing an original and committing its document, or a temporary file a crash cut short.
        Only files older than ``older_than`` seconds: a recent one may belong to an ingest in progress.
        One listing of the 16 folders; only the files not in ``used`` are looked at further."""
        if not self.root.is_dir():
            return 0
        cutoff = time.time() - older_than
        removed = 0
        with os.scandir(self.root) as folders:
            for folder in folders:
                if not folder.is_dir(follow_symlinks=False):
                    continue
                with os.scandir(folder.path) as entries:
                    for entry in entries:
                        if f"{folder.name}/{entry.name}" in used or not entry.is_file(follow_symlinks=False):
                            continue
                        try:
                            if entry.stat(follow_symlinks=False).st_mtime < cutoff:
                                os.unlink(entry.path)
                                removed += 1
                        except FileNotFoundError:  # removed meanwhile (a delete, another clean-up)
                            continue
        return removed

    def size_bytes(self) -> int:
        if not self.root.is_dir():
            return 0
        return sum(p.stat().st_size for p in self.root.rglob("*") if p.is_file())


class StoreOriginals:
    """Uploaded files kept by the store itself (``bot.store.OriginalBytes``), by ``original_name``.

    ``put(durable=False)`` holds the bytes until ``sync`` stores a chunk of them in one transaction,
    committed before any document that refers to them (as ``Originals`` fsyncs its files first): a
    crash in between leaves at most unreferenced files, which ``remove_unused`` clears."""

    def __init__(self, keeper: OriginalBytes) -> None:
        self._keeper = keeper
        self._pending: dict[str, bytes] = {}
        self._lock = threading.Lock()  # uploads run in several threads; a sync is whole before the next

    def put(self, data: bytes, kind: str, *, durable: bool = True) -> tuple[str, bool]:
        """Store ``data`` (now, or at the next ``sync`` when not ``durable``); its name, and whether it
        was new (one held for ``sync`` counts as new: it may be removed if its document fails)."""
        name = original_name(data, kind)
        if durable:
            with self._lock:
                return name, name in self._keeper.put_original_bytes([(name, data)])
        with self._lock:
            self._pending[name] = data
        return name, True

    def sync(self, names: Iterable[str]) -> None:
        with self._lock:
            files = [(name, self._pending.pop(name)) for name in set(names) if name in self._pending]
            self._keeper.put_original_bytes(files)

    def read(self, name: str) -> bytes:
        with self._lock:
            held = self._pending.get(name)
        data = held if held is not None else self._keeper.read_original_bytes(name)
        if data is None:
            raise FileNotFoundError(errno.ENOENT, "no such original", name)
        return data

    def remove(self, name: str) -> None:
        """Forget the file, unless a document refers to it (the store checks in the same statement)."""
        with self._lock:
            self._pending.pop(name, None)
        self._keeper.remove_original_bytes(name)

    def remove_unused(self, used: set[str], older_than: float = 3600.0) -> int:
        """Files no document refers to, stored more than ``older_than`` seconds ago (the store checks the
        references itself, in the same statement: ``used`` is for the folder's kind)."""
        return self._keeper.remove_unused_original_bytes(older_than)

    def size_bytes(self) -> int:
        return self._keeper.original_bytes_size()
