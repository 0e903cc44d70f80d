"""Writing files so that a crash leaves either the old version or the new one, never a mix.

The saved search index (``bot/search/disk.py``), the saved persons (``bot/people/saved.py``) and the
uploaded originals (``bot/ingest/originals.py``) all write new files beside the old ones and switch over
in one rename; a rename survives a power cut only once its directory is synced as well.
"""

from __future__ import annotations

import json
import os
from collections.abc import Collection
from pathlib import Path
from typing import Any


def fsync_path(path: Path) -> None:
    """Flush a file, or a directory's entries (a rename in it), to disk. A directory that cannot be
    opened or synced (Windows) is left as it is: there a rename is as durable as the OS makes it."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        if path.is_dir():
            return
        raise
    try:
        os.fsync(fd)
    except OSError:
        if not path.is_dir():
            raise
    finally:
        os.close(fd)


def switch_manifest(path: Path, manifest: dict[str, Any], folder: Path, keep: Collection[str]) -> None:
    """Point the JSON manifest at ``path`` to new files in one rename (written and synced first), then
    delete the files of ``folder`` it no longer names (``keep``: the names it does). A crash before the
    rename leaves the old manifest and its files whole; after it, at worst stale files a later switch
    deletes."""
    tmp = path.with_name(path.name + ".tmp")
    with tmp.open("w", encoding="utf-8") as fh:
        json.dump(manifest, fh)
        fh.flush()
        os.fsync(fh.fileno())
    tmp.replace(path)
    fsync_path(path.parent)
    for old in folder.iterdir():
        if old.name not in keep:
            old.unlink(missing_ok=True)
