"""The stores' follows: what chats follow, the hits the matcher recorded, each chat's alert cursor, alert
in flight and quiet hours (a mixin of ``SqliteStore`` and ``PostgresStore``, over ``bot.store.sql``; the
contract is ``bot.store.FollowStore``).

The match cursor is a compare-and-set on its meta row: the ``UPDATE`` locks the row until the transaction
commits (SQLite: the one writer's lock), so of two replicas recording the same documents' hits one waits,
then finds the value changed and is told it lost; the hits' ``seq`` are drawn under that lock and so
commit in order.
"""

from __future__ import annotations

from collections.abc import Sequence
from contextlib import closing
from datetime import UTC, datetime

from bot.models import Follow, FollowHit, InFlightPart, NewFollowHit
from bot.store.sql import _SqlBase

_FOLLOW_COLUMNS = "id, chat_id, thread_id, kind, target, label, mode, after_id, created_by"
_HIT_COLUMNS = "h.seq, h.chat_id, h.doc_id, h.follow_id, f.label, h.mode, h.passage"
FOLLOW_CURSOR = "follow_cursor"


class _Follows(_SqlBase):
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
        sql, now = self._sql, self._dialect.stamp(datetime.now(UTC))
        with self._write() as db:
            top = db.execute("SELECT COALESCE(MAX(id), 0) FROM documents").fetchone()
            newest = int(top[0]) if top else 0
            made = db.execute(
                sql(
                    "INSERT INTO follows (chat_id, thread_id, kind, target, label, mode, after_id,"
                    " created_by, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)"
                    " ON CONFLICT (chat_id, kind, target) DO NOTHING"
                ),
                (chat_id, thread_id, kind, target, label, mode, newest, by, now),
            ).rowcount
            # The match cursor starts at the first follow: documents stored before it are never matched.
            db.execute(
                sql("INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO NOTHING"),
                (FOLLOW_CURSOR, str(newest)),
            )
            db.execute(
                sql(
                    "INSERT INTO follow_chats (chat_id, thread_id) VALUES (?, ?)"
                    " ON CONFLICT (chat_id) DO UPDATE SET thread_id = excluded.thread_id"
                ),
                (chat_id, thread_id),
            )
            row = db.execute(
                sql(f"SELECT {_FOLLOW_COLUMNS} FROM follows WHERE chat_id = ? AND kind = ? AND target = ?"),
                (chat_id, kind, target),
            ).fetchone()
        assert row is not None  # made or found, in this transaction
        return _follow(row), made > 0

    def follows(self, chat_id: int | None = None) -> list[Follow]:
        with self._read() as db:
            if chat_id is None:
                rows = db.execute(f"SELECT {_FOLLOW_COLUMNS} FROM follows ORDER BY id").fetchall()
            else:
                rows = db.execute(
                    self._sql(f"SELECT {_FOLLOW_COLUMNS} FROM follows WHERE chat_id = ? ORDER BY id"),
                    (chat_id,),
                ).fetchall()
        return [_follow(r) for r in rows]

    def remove_follow(self, chat_id: int, follow_id: int) -> Follow | None:
        with self._statement() as db:
            rows = db.execute(
                self._sql(f"DELETE FROM follows WHERE chat_id = ? AND id = ? RETURNING {_FOLLOW_COLUMNS}"),
                (chat_id, follow_id),
            ).fetchall()
        return _follow(rows[0]) if rows else None

    def set_follow_mode(self, chat_id: int, follow_id: int, mode: str) -> bool:
        with self._statement() as db:
            cur = db.execute(
                self._sql("UPDATE follows SET mode = ? WHERE chat_id = ? AND id = ?"),
                (mode, chat_id, follow_id),
            )
        return cur.rowcount > 0

    def set_follow_target(self, follow_id: int, target: str) -> None:
        with self._statement() as db:
            # Another follow of the chat may hold that key already: then this one stays as it was.
            db.execute(
                self._sql(
                    "UPDATE follows SET target = ? WHERE id = ? AND NOT EXISTS (SELECT 1 FROM follows o"
                    " WHERE o.chat_id = follows.chat_id AND o.kind = follows.kind AND o.target = ?)"
                ),
                (target, follow_id, target),
            )

    def follow_person(self, follow_id: int, target: str, label: str) -> bool:
        with self._statement() as db:
            # Only a query follow, and not when the chat follows that person already.
            cur = db.execute(
                self._sql(
                    "UPDATE follows SET kind = 'person', target = ?, label = ?"
                    " WHERE id = ? AND kind = 'query' AND NOT EXISTS (SELECT 1 FROM follows o"
                    " WHERE o.chat_id = follows.chat_id AND o.kind = 'person' AND o.target = ?)"
                ),
                (target, label, follow_id, target),
            )
            return bool(cur.rowcount)

    def follow_cursor(self) -> int:
        sql = self._sql
        with self._write() as db:
            # ``WHERE true``: SQLite reads an ``ON`` after a bare ``SELECT ... FROM`` as a join's.
            db.execute(
                sql(
                    "INSERT INTO meta (key, value) SELECT ?, CAST(COALESCE(MAX(id), 0) AS TEXT)"
                    " FROM documents WHERE true ON CONFLICT (key) DO NOTHING"
                ),
                (FOLLOW_CURSOR,),
            )
            row = db.execute(sql("SELECT value FROM meta WHERE key = ?"), (FOLLOW_CURSOR,)).fetchone()
        return int(row[0]) if row else 0

    def record_hits(self, expected: int, upto: int, hits: Sequence[NewFollowHit]) -> bool:
        sql, now = self._sql, self._dialect.stamp(datetime.now(UTC))
        with self._write() as db:
            won = db.execute(
                sql("UPDATE meta SET value = ? WHERE key = ? AND value = ?"),
                (str(upto), FOLLOW_CURSOR, str(expected)),
            ).rowcount
            if won == 0:
                return False
            # A follow or document removed since the match: its hit is not recorded.
            with closing(db.cursor()) as cur:
                cur.executemany(
                    sql(
                        "INSERT INTO follow_hits (chat_id, doc_id, follow_id, mode, passage, found_at)"
                        " SELECT ?, d.id, f.id, ?, ?, ? FROM documents d, follows f"
                        " WHERE d.id = ? AND f.id = ? ON CONFLICT (follow_id, doc_id) DO NOTHING"
                    ),
                    [(h.chat_id, h.mode, h.passage, now, h.doc_id, h.follow_id) for h in hits],
                )
        return True

    def alert_chats(self) -> list[int]:
        with self._read() as db:
            rows = db.execute(
                "SELECT c.chat_id FROM follow_chats c WHERE c.inflight_seq IS NOT NULL OR EXISTS (SELECT 1"
                " FROM follow_hits h WHERE h.chat_id = c.chat_id AND h.mode = 'instant'"
                " AND h.seq > c.alerted_seq) ORDER BY c.chat_id"
            ).fetchall()
        return [int(r[0]) for r in rows]

    def unsent_hits(self, chat_id: int, limit: int) -> list[FollowHit]:
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    f"SELECT {_HIT_COLUMNS} FROM follow_hits h JOIN follows f ON f.id = h.follow_id"
                    " JOIN follow_chats c ON c.chat_id = h.chat_id"
                    " WHERE h.chat_id = ? AND h.mode = 'instant' AND h.seq > c.alerted_seq"
                    " ORDER BY h.seq LIMIT ?"
                ),
                (chat_id, limit),
            ).fetchall()
        return [_hit(r) for r in rows]

    def digest_hits(self, chat_id: int, after_doc: int, upto_doc: int) -> list[FollowHit]:
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    f"SELECT {_HIT_COLUMNS} FROM follow_hits h JOIN follows f ON f.id = h.follow_id"
                    " WHERE h.chat_id = ? AND h.mode = 'digest' AND h.doc_id > ? AND h.doc_id <= ?"
                    " ORDER BY h.doc_id, h.seq"
                ),
                (chat_id, after_doc, upto_doc),
            ).fetchall()
        return [_hit(r) for r in rows]

    def alert_opening(self, chat_id: int, upto_seq: int, stale_before: datetime) -> bool:
        stamp = self._dialect.stamp
        with self._statement() as db:
            cur = db.execute(
                self._sql(
                    "UPDATE follow_chats SET inflight_seq = ?, inflight_message = NULL, inflight_at = ?"
                    " WHERE chat_id = ? AND (inflight_seq IS NULL OR inflight_at < ?)"
                ),
                (upto_seq, stamp(datetime.now(UTC)), chat_id, stamp(stale_before)),
            )
        return cur.rowcount > 0

    def alert_opened(self, chat_id: int, upto_seq: int, message_id: int) -> None:
        with self._statement() as db:
            db.execute(
                self._sql("UPDATE follow_chats SET inflight_seq = ?, inflight_message = ? WHERE chat_id = ?"),
                (upto_seq, message_id, chat_id),
            )

    def alert_delivered(self, chat_id: int, upto_seq: int) -> None:
        with self._statement() as db:
            db.execute(
                self._sql(
                    f"UPDATE follow_chats SET alerted_seq = {self._dialect.greatest}(alerted_seq, ?),"
                    " inflight_seq = NULL, inflight_message = NULL, inflight_at = NULL WHERE chat_id = ?"
                ),
                (upto_seq, chat_id),
            )

    def alert_inflight(self, chat_id: int) -> InFlightPart | None:
        return self._inflight(
            "SELECT chat_id, inflight_seq, inflight_message, inflight_at FROM follow_chats"
            " WHERE chat_id = ? AND inflight_seq IS NOT NULL",
            chat_id,
        )

    def follow_thread(self, chat_id: int) -> int | None:
        with self._read() as db:
            row = db.execute(
                self._sql("SELECT thread_id FROM follow_chats WHERE chat_id = ?"), (chat_id,)
            ).fetchone()
        return int(row[0]) if row is not None and row[0] is not None else None

    def set_quiet_hours(self, chat_id: int, hours: tuple[str, str] | None) -> None:
        start, end = hours if hours is not None else (None, None)
        with self._statement() as db:
            db.execute(
                self._sql(
                    "INSERT INTO follow_chats (chat_id, quiet_from, quiet_until) VALUES (?, ?, ?)"
                    " ON CONFLICT (chat_id) DO UPDATE SET quiet_from = excluded.quiet_from,"
                    " quiet_until = excluded.quiet_until"
                ),
                (chat_id, start, end),
            )

    def quiet_hours(self, chat_id: int) -> tuple[str, str] | None:
        with self._read() as db:
            row = db.execute(
                self._sql("SELECT quiet_from, quiet_until FROM follow_chats WHERE chat_id = ?"),
                (chat_id,),
            ).fetchone()
        if row is None or row[0] is None or row[1] is None:
            return None
        return str(row[0]), str(row[1])


def _follow(row: Sequence[object]) -> Follow:
    return Follow(
        id=int(str(row[0])),
        chat_id=int(str(row[1])),
        thread_id=int(str(row[2])) if row[2] is not None else None,
        kind=str(row[3]),
        target=str(row[4]),
        label=str(row[5]),
        mode=str(row[6]),
        after_id=int(str(row[7])),
        created_by=int(str(row[8])) if row[8] is not None else None,
    )


def _hit(row: Sequence[object]) -> FollowHit:
    return FollowHit(
        seq=int(str(row[0])),
        chat_id=int(str(row[1])),
        doc_id=int(str(row[2])),
        follow_id=int(str(row[3])),
        label=str(row[4]),
        mode=str(row[5]),
        passage=str(row[6]),
    )
