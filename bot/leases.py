"""This process's leases (``bot.store.Leases``), renewed by one background thread while their work goes
on, so that a digest run, a chat's delivery or a corpus scan is done by one process at a time.

A lease outlives its holder only by its time to live: a process killed mid-work stops renewing, and
another process takes the work over once the lease has run out (``LEASE_TTL`` after the last renewal).
Work whose lease is lost (the renewals could not reach the store for that long) should stop before its
next irreversible step: ``still_held`` says so.
"""

from __future__ import annotations

import logging
import os
import secrets
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from bot.store import Leases

log = logging.getLogger(__name__)

LEASE_TTL = 20.0  # seconds a lease lasts unless renewed: how long a killed holder's work waits

_live: set[str] = set()  # the holders of this process (one per open Dossier)


def new_holder() -> str:
    """A name for this process among the store's lease holders: host and pid (for people reading the
    table), and a random part (a pid is reused after a restart)."""
    return f"{socket.gethostname()}:{os.getpid()}:{secrets.token_hex(4)}"


class LeaseKeeper:
    """Takes leases for this process and renews those held, four times per ``ttl``, in one daemon
    thread started with the first lease."""

    def __init__(self, store: Leases, ttl: float = LEASE_TTL, holder: str | None = None) -> None:
        self._store = store
        self.ttl = ttl
        self.holder = holder or new_holder()
        _live.add(self.holder)
        self._held: set[str] = set()  # renewed by the thread, or by the caller (``renew=False``)
        self._cond = threading.Condition()
        self._thread: threading.Thread | None = None
        self._closed = False

    def take(self, name: str, renew: bool = True) -> bool:
        """Take ``name`` (False while another process holds it); renewed until ``release`` or ``keep``,
        by the keeper's thread, or with ``renew=False`` by the caller's ``still_held`` (a corpus scan: a
        process with a thread no longer forks its readers). A lease held by a process of this host
        that is gone (a killed bot this one restarts) is taken at once, without waiting for it to run
        out."""
        if not self._store.acquire_lease(name, self.holder, self.ttl):
            holder = self._store.lease_holder(name)
            if holder is None or not self._gone(holder):
                return False
            log.info("lease %s taken over from %s, which is no longer running", name, holder)
            self._store.release_lease(name, holder)
            if not self._store.acquire_lease(name, self.holder, self.ttl):
                return False
        with self._cond:
            self._held.add(name)
            if renew and self._thread is None and not self._closed:
                self._thread = threading.Thread(target=self._renew_loop, name="leases", daemon=True)
                self._thread.start()
        return True

    def still_held(self, name: str) -> bool:
        """Renew ``name`` now: False when it was lost (then it is no longer renewed either)."""
        if name in self._held and self._store.renew_lease(name, self.holder, self.ttl):
            return True
        with self._cond:
            self._held.discard(name)
        return False

    def release(self, name: str) -> None:
        with self._cond:
            self._held.discard(name)
        self._store.release_lease(name, self.holder)

    def keep(self, name: str, seconds: float) -> None:
        """Stop renewing ``name`` but leave it taken for ``seconds`` more: work that is done and must not
        be done again by another process until then (a scheduled digest run)."""
        with self._cond:
            self._held.discard(name)
        self._store.acquire_lease(name, self.holder, seconds)

    @contextmanager
    def hold(self, name: str, renew: bool = True) -> Iterator[bool]:
        """``take`` for the block, released after it; yields whether the lease was taken."""
        taken = self.take(name, renew)
        try:
            yield taken
        finally:
            if taken:
                self.release(name)

    def close(self) -> None:
        """Stop renewing and give back every lease held (a stopped process's work is free at once)."""
        with self._cond:
            self._closed = True
            held, self._held = set(self._held), set()
            self._cond.notify_all()
        if self._thread is not None:
            self._thread.join()
        _live.discard(self.holder)
        for name in held:
            self._store.release_lease(name, self.holder)

    def _gone(self, holder: str) -> bool:
        """Whether ``holder`` (``new_holder``'s form) was a process of this host that has ended: its pid
        is free, or is this process's own while the holder is none of this process's (a container's
        restarted pid 1)."""
        host, pid = [*holder.split(":"), ""][:2]
        mine_host, mine_pid = self.holder.split(":")[:2]
        if host != mine_host or not pid.isdigit() or holder in _live:
            return False
        if pid == mine_pid:
            return True
        try:
            os.kill(int(pid), 0)
        except ProcessLookupError:
            return True
        except OSError:  # alive under another user
            return False
        return False

    def _renew_loop(self) -> None:
        while True:
            with self._cond:
                self._cond.wait(self.ttl / 4)
                if self._closed:
                    return
                names = sorted(self._held)
            for name in names:
                try:
                    if not self._store.renew_lease(name, self.holder, self.ttl):
                        log.warning("lease %s lost: another process may take its work over", name)
                        with self._cond:
                            self._held.discard(name)
                except Exception:  # the store out of reach for a moment: try again next turn
                    log.exception("lease %s could not be renewed", name)
