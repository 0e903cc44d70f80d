"""One process per SQLite data folder.

Two processes on one SQLite store each keep their own search index and digest schedule: each one's
searches miss the other's uploads and every digest goes out twice. Several processes on one store are
supported on a shared database server, never on one SQLite folder, so the second process is stopped at
start with one line naming the first. The lock is an advisory ``flock`` on a file in the data folder:
the kernel releases it when its holder exits, however it exits (SIGKILL included), so a crash never
leaves a stale lock behind.
"""

from __future__ import annotations

import fcntl
import os
import socket
import sys
from pathlib import Path
from typing import IO

LOCK_NAME = "dossier.lock"

_held: dict[Path, IO[str]] = {}  # kept open for the life of the process: closing the file unlocks it


class DataFolderBusy(Exception):
    """Another process holds the data folder; the message is one line that names it."""


def lock_data_folder(data_dir: Path) -> None:
    """Take the data folder for this process, or raise ``DataFolderBusy``. Taking it again is a no-op."""
    key = data_dir.resolve()
    if key in _held:
        return
    data_dir.mkdir(parents=True, exist_ok=True)
    handle = (data_dir / LOCK_NAME).open("a+", encoding="utf-8")
    try:
        fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        handle.seek(0)
        holder = handle.read().strip() or "another process"
        handle.close()
        raise DataFolderBusy(
            f"the data folder {data_dir} is in use by {holder}; stop it first (one process per SQLite "
            "data folder: run replicas on PostgreSQL)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()} on {socket.gethostname()} ({' '.join(sys.argv)[:200]})\n")
    handle.flush()
    _held[key] = handle
