"""The PostgreSQL store's named leases (a mixin of ``PostgresStore`` in ``bot/store/postgres.py``; the twin
of ``bot/store/sqlite_shared.py``; the change feed is shared: ``bot/store/sql_changes.py``).

Lease times are the server's clock (``clock_timestamp()``, seconds since the epoch), not the hosts':
replicas on several machines then agree on when a lease has run out whatever their own clocks say.
"""

from __future__ import annotations

from bot.store.postgres_base import _Base

_NOW = "extract(epoch FROM clock_timestamp())::float8"


class _Leases(_Base):
    def acquire_lease(self, name: str, holder: str, ttl: float) -> bool:
        """Take ``name`` when it is free, expired or ``holder``'s already (one statement: two processes
        racing for it meet at the primary key). Other expired leases are cleared on the way, skipping
        rows another transaction has locked (no waiting, no deadlock)."""
        with self._use() as db:
            db.execute(
                "DELETE FROM leases WHERE name IN (SELECT name FROM leases"
                f" WHERE expires_at < {_NOW} AND name <> %s FOR UPDATE SKIP LOCKED)",
                (name,),
            )
            row = db.execute(
                f"INSERT INTO leases (name, holder, expires_at) VALUES (%s, %s, {_NOW} + %s::float8)"
                " ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, expires_at = excluded.expires_at"
                f" WHERE leases.holder = excluded.holder OR leases.expires_at < {_NOW}"
                " RETURNING 1",
                (name, holder, ttl),
            ).fetchone()
        return row is not None

    def renew_lease(self, name: str, holder: str, ttl: float) -> bool:
        with self._use() as db:
            row = db.execute(
                f"UPDATE leases SET expires_at = {_NOW} + %s::float8 WHERE name = %s AND holder = %s"
                " RETURNING 1",
                (ttl, name, holder),
            ).fetchone()
        return row is not None

    def release_lease(self, name: str, holder: str) -> None:
        with self._use() as db:
            db.execute("DELETE FROM leases WHERE name = %s AND holder = %s", (name, holder))

    def lease_holder(self, name: str) -> str | None:
        with self._use() as db:
            row = db.execute(
                f"SELECT holder FROM leases WHERE name = %s AND expires_at >= {_NOW}", (name,)
            ).fetchone()
        return str(row[0]) if row else None
