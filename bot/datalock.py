"""One bot per SQLite data folder.

Two bots polling Telegram with one token take each other's updates away (Telegram answers the older
poll with 409 Conflict), and a second process that serves users on one SQLite folder is a deployment
mistake more often than a plan: replicas belong on a shared database server. So the second bot (or
console, or CLI search) is stopped at start with one line naming the first. ``python -m bot ingest``
is the exception (``bot.cli.open_dossier``): it only adds documents, SQLite's WAL lets it write beside
the bot, and the bot applies its documents to its indexes within a second or two (``bot/changes.py``);
the digest and the corpus scan are leased (``bot/leases.py``), so no work is done twice either way.
The lock is an advisory ``flock`` on a file in the data folder:
the kernel releases it when its holder exits, however it exits (SIGKILL included), so a crash never
leaves a stale lock behind.

A process forked from the holder (the first corpus scan reads big batches in forked workers) would hold
the lock too, and outlive a holder killed with SIGKILL: such workers wait for ever on a queue whose other
end they hold themselves, so the restart was refused, naming the dead process. A forked child therefore
lets go of the lock and is killed when its parent dies (Linux's PR_SET_PDEATHSIG).
"""

from __future__ import annotations

import ctypes
import fcntl
import os
import signal
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
            f"the data folder {data_dir} is in use by {holder}; stop it first (one bot per SQLite data "
            "folder: `python -m bot ingest` may run beside it, replicas need PostgreSQL)"
        ) from None
    handle.seek(0)
    handle.truncate()
    handle.write(f"process {os.getpid()} on {socket.gethostname()} ({' '.join(sys.argv)[:200]})\n")
    handle.flush()
    _held[key] = handle


_PR_SET_PDEATHSIG = 1


def _forked_child(parent: int) -> None:
    if not _held:
        return
    for handle in _held.values():
        handle.close()  # the parent's lock stays: it holds the same open file
    _held.clear()
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _fork_hooks() -> None:
    parent = [os.getpid()]
    os.register_at_fork(
        before=lambda: parent.__setitem__(0, os.getpid()), after_in_child=lambda: _forked_child(parent[0])
    )


_fork_hooks()
