"""The PostgreSQL store's follows: what chats follow, the hits the matcher recorded, each chat's alert cursor,
alert in flight and quiet hours (a mixin of ``PostgresStore``; the twin of ``bot/store/sqlite_follows.py``,
the contract is ``bot.store.FollowStore``).

The match cursor is a compare-and-set on its meta row: the ``UPDATE`` locks the row until the transaction
commits, so of two replicas recording the same documents' hits one waits, then finds the value changed and
is told it lost; the hits' ``seq`` are drawn under that lock and so commit in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime

from bot.models import Follow, FollowHit, InFlightPart, NewFollowHit
from bot.store.postgres_base import _Base
from bot.store.sqlite_follows import FOLLOW_CURSOR, _follow, _hit

_FOLLOW_COLUMNS = "id, chat_id, thread_id, kind, target, label, mode, after_id, created_by"
_HIT_COLUMNS = "h.seq, h.chat_id, h.doc_id, h.follow_id, f.label, h.mode, h.passage"


class _Follows(_Base):
    def add_follow(
        self,
        chat_id: int,
        thread_id: int | None,
        kind: str,
        target: str,
        label: str,
        mode: str,
        by: int | None,
    ) -> tuple[Follow, bool]:
        with self._write() as db:
            top = db.execute("SELECT COALESCE(MAX(id), 0) FROM documents").fetchone()
            newest = int(top[0]) if top else 0
            made = db.execute(
                "INSERT INTO follows (chat_id, thread_id, kind, target, label, mode, after_id, created_by,"
                " created_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s)"
                " ON CONFLICT (chat_id, kind, target) DO NOTHING RETURNING id",
                (chat_id, thread_id, kind, target, label, mode, newest, by, datetime.now(UTC)),
            ).fetchone()
            # The match cursor starts at the first follow: documents stored before it are never matched.
            db.execute(
                "INSERT INTO meta (key, value) VALUES (%s, %s) ON CONFLICT (key) DO NOTHING",
                (FOLLOW_CURSOR, str(newest)),
            )
            db.execute(
                "INSERT INTO follow_chats (chat_id, thread_id) VALUES (%s, %s)"
                " ON CONFLICT (chat_id) DO UPDATE SET thread_id = excluded.thread_id",
                (chat_id, thread_id),
            )
            row = db.execute(
                f"SELECT {_FOLLOW_COLUMNS} FROM follows WHERE chat_id = %s AND kind = %s AND target = %s",
                (chat_id, kind, target),
            ).fetchone()
        assert row is not None  # made or found, in this transaction
        return _follow(row), made is not None

    def follows(self, chat_id: int | None = None) -> list[Follow]:
        with self._use() as db:
            if chat_id is None:
                rows = db.execute(f"SELECT {_FOLLOW_COLUMNS} FROM follows ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    f"SELECT {_FOLLOW_COLUMNS} FROM follows WHERE chat_id = %s ORDER BY id", (chat_id,)
                ).fetchall()
        return [_follow(r) for r in rows]

    def remove_follow(self, chat_id: int, follow_id: int) -> Follow | None:
        with self._use() as db:
            row = db.execute(
                f"DELETE FROM follows WHERE chat_id = %s AND id = %s RETURNING {_FOLLOW_COLUMNS}",
                (chat_id, follow_id),
            ).fetchone()
        return _follow(row) if row is not None else None

    def set_follow_mode(self, chat_id: int, follow_id: int, mode: str) -> bool:
        with self._use() as db:
            row = db.execute(
                "UPDATE follows SET mode = %s WHERE chat_id = %s AND id = %s RETURNING 1",
                (mode, chat_id, follow_id),
            ).fetchone()
        return row is not None

    def set_follow_target(self, follow_id: int, target: str) -> None:
        with self._use() as db:
            # Another follow of the chat may hold that key already: then this one stays as it was.
            db.execute(
                "UPDATE follows SET target = %s WHERE id = %s AND NOT EXISTS (SELECT 1 FROM follows o"
                " WHERE o.chat_id = follows.chat_id AND o.kind = follows.kind AND o.target = %s)",
                (target, follow_id, target),
            )

    def follow_cursor(self) -> int:
        with self._write() as db:
            db.execute(
                "INSERT INTO meta (key, value) SELECT %s, COALESCE(MAX(id), 0)::text FROM documents"
                " ON CONFLICT (key) DO NOTHING",
                (FOLLOW_CURSOR,),
            )
            row = db.execute("SELECT value FROM meta WHERE key = %s", (FOLLOW_CURSOR,)).fetchone()
        return int(row[0]) if row else 0

    def record_hits(self, expected: int, upto: int, hits: Sequence[NewFollowHit]) -> bool:
        now = datetime.now(UTC)
        with self._write() as db:
            won = db.execute(
                "UPDATE meta SET value = %s WHERE key = %s AND value = %s RETURNING 1",
                (str(upto), FOLLOW_CURSOR, str(expected)),
            ).fetchone()
            if won is None:
                return False
            # A follow or document removed since the match: its hit is not recorded.
            with db.cursor() as cur:
                cur.executemany(
                    "INSERT INTO follow_hits (chat_id, doc_id, follow_id, mode, passage, found_at)"
                    " SELECT %s, d.id, f.id, %s, %s, %s FROM documents d, follows f"
                    " WHERE d.id = %s AND f.id = %s ON CONFLICT (follow_id, doc_id) DO NOTHING",
                    [(h.chat_id, h.mode, h.passage, now, h.doc_id, h.follow_id) for h in hits],
                )
        return True

    def alert_chats(self) -> list[int]:
        with self._use() as db:
            rows = db.execute(
                "SELECT c.chat_id FROM follow_chats c WHERE c.inflight_seq IS NOT NULL OR EXISTS (SELECT 1"
                " FROM follow_hits h WHERE h.chat_id = c.chat_id AND h.mode = 'instant'"
                " AND h.seq > c.alerted_seq) ORDER BY c.chat_id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def unsent_hits(self, chat_id: int, limit: int) -> list[FollowHit]:
        with self._use() as db:
            rows = db.execute(
                f"SELECT {_HIT_COLUMNS} FROM follow_hits h JOIN follows f ON f.id = h.follow_id"
                " JOIN follow_chats c ON c.chat_id = h.chat_id"
                " WHERE h.chat_id = %s AND h.mode = 'instant' AND h.seq > c.alerted_seq"
                " ORDER BY h.seq LIMIT %s",
                (chat_id, limit),
            ).fetchall()
        return [_hit(r) for r in rows]

    def digest_hits(self, chat_id: int, after_doc: int, upto_doc: int) -> list[FollowHit]:
        with self._use() as db:
            rows = db.execute(
                f"SELECT {_HIT_COLUMNS} FROM follow_hits h JOIN follows f ON f.id = h.follow_id"
                " WHERE h.chat_id = %s AND h.mode = 'digest' AND h.doc_id > %s AND h.doc_id <= %s"
                " ORDER BY h.doc_id, h.seq",
                (chat_id, after_doc, upto_doc),
            ).fetchall()
        return [_hit(r) for r in rows]

    def alert_opening(self, chat_id: int, upto_seq: int, stale_before: datetime) -> bool:
        with self._use() as db:
            row = db.execute(
                "UPDATE follow_chats SET inflight_seq = %s, inflight_message = NULL, inflight_at = %s"
                " WHERE chat_id = %s AND (inflight_seq IS NULL OR inflight_at < %s) RETURNING 1",
                (upto_seq, datetime.now(UTC), chat_id, stale_before),
            ).fetchone()
        return row is not None

    def alert_opened(self, chat_id: int, upto_seq: int, message_id: int) -> None:
        with self._use() as db:
            db.execute(
                "UPDATE follow_chats SET inflight_seq = %s, inflight_message = %s WHERE chat_id = %s",
                (upto_seq, message_id, chat_id),
            )

    def alert_delivered(self, chat_id: int, upto_seq: int) -> None:
        with self._use() as db:
            db.execute(
                "UPDATE follow_chats SET alerted_seq = GREATEST(alerted_seq, %s), inflight_seq = NULL,"
                " inflight_message = NULL, inflight_at = NULL WHERE chat_id = %s",
                (upto_seq, chat_id),
            )

    def alert_inflight(self, chat_id: int) -> InFlightPart | None:
        with self._use() as db:
            row = db.execute(
                "SELECT chat_id, inflight_seq, inflight_message, inflight_at FROM follow_chats"
                " WHERE chat_id = %s AND inflight_seq IS NOT NULL",
                (chat_id,),
            ).fetchone()
        if row is None:
            return None
        message_id = int(row[2]) if row[2] is not None else None
        return InFlightPart(int(row[0]), int(row[1]), message_id, row[3])

    def follow_thread(self, chat_id: int) -> int | None:
        with self._use() as db:
            row = db.execute("SELECT thread_id FROM follow_chats WHERE chat_id = %s", (chat_id,)).fetchone()
        return int(row[0]) if row is not None and row[0] is not None else None

    def set_quiet_hours(self, chat_id: int, hours: tuple[str, str] | None) -> None:
        start, end = hours if hours is not None else (None, None)
        with self._use() as db:
            db.execute(
                "INSERT INTO follow_chats (chat_id, quiet_from, quiet_until) VALUES (%s, %s, %s)"
                " ON CONFLICT (chat_id) DO UPDATE SET quiet_from = excluded.quiet_from,"
                " quiet_until = excluded.quiet_until",
                (chat_id, start, end),
            )

    def quiet_hours(self, chat_id: int) -> tuple[str, str] | None:
        with self._use() as db:
            row = db.execute(
                "SELECT quiet_from, quiet_until FROM follow_chats WHERE chat_id = %s", (chat_id,)
            ).fetchone()
        if row is None or row[0] is None or row[1] is None:
            return None
        return str(row[0]), str(row[1])
