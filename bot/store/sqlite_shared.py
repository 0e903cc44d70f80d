"""The SQLite store's named leases (a mixin of ``SqliteStore`` in ``bot/store/sqlite.py``; the change feed
is shared with PostgreSQL: ``bot/store/sql_changes.py``).

Plain SQL that PostgreSQL runs as written (``INSERT ... ON CONFLICT ... DO UPDATE ... WHERE``); only the
clock differs: SQLite has none shared beyond the host's, so lease times are the host's epoch seconds.
"""

from __future__ import annotations

import time

from bot.store.sqlite_base import _Base


class _Leases(_Base):
    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Take ``name`` when it is free, expired or ``holder``'s already; expired leases are cleared on
        the way (a lease per scheduled digest run would otherwise pile up)."""
        now = time.time()
        with self._write() as db:
            db.execute("DELETE FROM leases WHERE expires_at < ?", (now,))
            cur = db.execute(
                "INSERT INTO leases (name, holder, expires_at) VALUES (?, ?, ?)"
                " ON CONFLICT(name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                " WHERE leases.holder = excluded.holder",
                (name, holder, now + ttl),
            )
        return cur.rowcount > 0

    def renew_lease(self, name: str, holder: str, ttl: float) -> bool:
        with self._write() as db:
            cur = db.execute(
                "UPDATE leases SET expires_at = ? WHERE name = ? AND holder = ?",
                (time.time() + ttl, name, holder),
            )
        return cur.rowcount > 0

    def release_lease(self, name: str, holder: str) -> None:
        with self._write() as db:
            db.execute("DELETE FROM leases WHERE name = ? AND holder = ?", (name, holder))

    def lease_holder(self, name: str) -> str | None:
        with self._lock:
            row = self._db.execute(
                "SELECT holder FROM leases WHERE name = ? AND expires_at >= ?", (name, time.time())
            ).fetchone()
        return str(row[0]) if row else None
