"""The stores' chat side: subscriptions and their cursors, digest parts in flight, the languages chosen with
/lang, and search paging sessions (mixins of ``SqliteStore`` and ``PostgresStore``, over
``bot.store.sql``). Moving a chat to a new id (``migrate_chat``) is each store's own: SQLite says it with
``UPDATE OR IGNORE``/``OR REPLACE`` (``bot/store/sqlite_chats.py``, ``bot/store/postgres_chats.py``); its
follows move the same way on both (``_move_follows``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from bot.models import InFlightPart, SearchSession, Subscription
from bot.store.sql import Connection, _SqlBase

_SUB_COLUMNS = "chat_id, thread_id, kind, subscribed_by, cursor, digest_time, last_run_at"


class _Subscriptions(_SqlBase):
    def _move_follows(self, db: Connection, old_id: int, new_id: int) -> None:
        """A chat's follows, their pending hits and its alert state go to its new id (part of
        ``migrate_chat``'s transaction); a follow or alert state the new id already has stays."""
        sql = self._sql
        db.execute(
            sql(
                "UPDATE follows AS f SET chat_id = ? WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM"
                " follows AS g WHERE g.chat_id = ? AND g.kind = f.kind AND g.target = f.target)"
            ),
            (new_id, old_id, new_id),
        )
        db.execute(sql("UPDATE follow_hits SET chat_id = ? WHERE chat_id = ?"), (new_id, old_id))
        db.execute(
            sql(
                "UPDATE follow_chats SET chat_id = ?, inflight_seq = NULL, inflight_message = NULL"
                " WHERE chat_id = ? AND NOT EXISTS (SELECT 1 FROM follow_chats WHERE chat_id = ?)"
            ),
            (new_id, old_id, new_id),
        )

    def subscribe(
        self, chat_id: int, thread_id: int | None, kind: str, by: int | None
    ) -> Subscription | None:
        """A new subscription starting after the newest document; None when the chat is already subscribed."""
        now = self._dialect.stamp(datetime.now(UTC))
        with self._statement() as db:
            # ``WHERE true``: SQLite reads an ``ON`` after a bare ``SELECT ... FROM`` as a join's.
            cur = db.execute(
                self._sql(
                    "INSERT INTO subscriptions (chat_id, thread_id, kind, subscribed_by, created_at, cursor,"
                    " last_run_at) SELECT ?, ?, ?, ?, ?, COALESCE(MAX(id), 0), ? FROM documents WHERE true"
                    " ON CONFLICT (chat_id) DO NOTHING"
                ),
                (chat_id, thread_id, kind, by, now, now),
            )
        return self.subscription(chat_id) if cur.rowcount else None

    def unsubscribe(self, chat_id: int) -> bool:
        with self._statement() as db:
            sql = self._sql("DELETE FROM subscriptions WHERE chat_id = ?")
            return db.execute(sql, (chat_id,)).rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        with self._read() as db:
            row = db.execute(
                self._sql(f"SELECT {_SUB_COLUMNS} FROM subscriptions WHERE chat_id = ?"), (chat_id,)
            ).fetchone()
        return self._subscription(row) if row else None

    def subscriptions(self) -> list[Subscription]:
        with self._read() as db:
            rows = db.execute(f"SELECT {_SUB_COLUMNS} FROM subscriptions ORDER BY chat_id").fetchall()
        return [self._subscription(r) for r in rows]

    def count_subscriptions(self) -> dict[str, int]:
        """Subscribed chats by kind: ``{"user": 3, "group": 1}``."""
        with self._read() as db:
            rows = db.execute("SELECT kind, COUNT(*) FROM subscriptions GROUP BY kind").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def set_digest_time(self, chat_id: int, at: str | None) -> bool:
        with self._statement() as db:
            cur = db.execute(
                self._sql("UPDATE subscriptions SET digest_time = ? WHERE chat_id = ?"), (at, chat_id)
            )
        return cur.rowcount > 0

    def advance_cursor(self, chat_id: int, doc_id: int) -> None:
        """Record a confirmed delivery up to ``doc_id``. Never moves backwards."""
        with self._statement() as db:
            db.execute(self._advance_sql(), (doc_id, chat_id))

    def _advance_sql(self) -> str:
        return self._sql(
            f"UPDATE subscriptions SET cursor = {self._dialect.greatest}(cursor, ?) WHERE chat_id = ?"
        )

    # A digest part in flight (bot/digest.py): recorded before anything is posted, confirmed with the
    # cursor advance in one transaction, finished by editing its message after a kill.
    def part_opening(self, chat_id: int, upto_id: int) -> None:
        """A digest part up to ``upto_id`` is about to be posted to ``chat_id``: recorded before the
        request, with no message id yet."""
        with self._statement() as db:
            db.execute(
                self._sql(
                    "INSERT INTO digest_inflight (chat_id, upto_id, message_id, started_at)"
                    " SELECT chat_id, ?, NULL, ? FROM subscriptions WHERE chat_id = ?"
                    " ON CONFLICT (chat_id) DO UPDATE SET upto_id = excluded.upto_id, message_id = NULL,"
                    " started_at = excluded.started_at"
                ),
                (upto_id, self._dialect.stamp(datetime.now(UTC)), chat_id),
            )

    def part_opened(self, chat_id: int, upto_id: int, message_id: int) -> None:
        """Telegram accepted the opening message of the in-flight part: the id to edit it by."""
        with self._statement() as db:
            db.execute(
                self._sql("UPDATE digest_inflight SET message_id = ?, upto_id = ? WHERE chat_id = ?"),
                (message_id, upto_id, chat_id),
            )

    def part_delivered(self, chat_id: int, upto_id: int) -> None:
        """The in-flight part is confirmed whole: the cursor moves to ``upto_id`` (never backwards) and the
        in-flight record goes, in one transaction."""
        with self._write() as db:
            db.execute(self._advance_sql(), (upto_id, chat_id))
            db.execute(self._sql("DELETE FROM digest_inflight WHERE chat_id = ?"), (chat_id,))

    def part_abandoned(self, chat_id: int) -> None:
        """Forget an in-flight part whose documents are no longer owed (none left above the cursor)."""
        with self._statement() as db:
            db.execute(self._sql("DELETE FROM digest_inflight WHERE chat_id = ?"), (chat_id,))

    def inflight_part(self, chat_id: int) -> InFlightPart | None:
        return self._inflight(
            "SELECT chat_id, upto_id, message_id, started_at FROM digest_inflight WHERE chat_id = ?", chat_id
        )

    def inflight_chats(self) -> list[int]:
        """Chats with a digest part a kill interrupted: reconciled right after start."""
        with self._read() as db:
            rows = db.execute("SELECT chat_id FROM digest_inflight ORDER BY chat_id").fetchall()
        return [int(r[0]) for r in rows]

    def mark_run(self, chat_id: int, at: datetime) -> None:
        with self._statement() as db:
            db.execute(
                self._sql("UPDATE subscriptions SET last_run_at = ? WHERE chat_id = ?"),
                (self._dialect.stamp(at), chat_id),
            )

    def _subscription(self, row: Sequence[object]) -> Subscription:
        return Subscription(
            chat_id=int(str(row[0])),
            thread_id=int(str(row[1])) if row[1] is not None else None,
            kind=str(row[2]),
            subscribed_by=int(str(row[3])) if row[3] is not None else None,
            cursor=int(str(row[4])),
            digest_time=str(row[5]) if row[5] is not None else None,
            last_run_at=self._dialect.read_stamp(row[6]),
        )


class _Languages(_SqlBase):
    """The interface languages chosen with /lang."""

    def language_choices(self, user_id: int | None, chat_id: int | None) -> tuple[str | None, str | None]:
        """(the user's own language, the chat's language), None where nothing was chosen."""
        with self._read() as db:
            rows = db.execute(
                self._sql(
                    "SELECT scope, language FROM language_choices WHERE (scope = 'user' AND id = ?)"
                    " OR (scope = 'chat' AND id = ?)"
                ),
                (user_id, chat_id),
            ).fetchall()
        found = {str(scope): str(language) for scope, language in rows}
        return found.get("user"), found.get("chat")

    def set_language_choice(self, scope: str, id: int, language: str | None, set_by: int | None) -> None:
        """Choose ``language`` for a user or a chat (``scope`` 'user' or 'chat'); None forgets the choice."""
        sql = self._sql
        with self._statement() as db:
            if language is None:
                db.execute(sql("DELETE FROM language_choices WHERE scope = ? AND id = ?"), (scope, id))
                return
            db.execute(
                sql(
                    "INSERT INTO language_choices (scope, id, language, set_by, set_at)"
                    " VALUES (?, ?, ?, ?, ?)"
                    " ON CONFLICT (scope, id) DO UPDATE SET language = excluded.language,"
                    " set_by = excluded.set_by, set_at = excluded.set_at"
                ),
                (scope, id, language, set_by, self._dialect.stamp(datetime.now(UTC))),
            )


class _Sessions(_SqlBase):
    def create_search_session(
        self, query: str, user_id: int | None, chat_id: int | None, ttl: timedelta
    ) -> SearchSession:
        now, stamp = datetime.now(UTC), self._dialect.stamp
        with self._statement() as db:
            while True:
                sid = secrets.token_urlsafe(6)  # 8 characters, 48 random bits
                cur = db.execute(
                    self._sql(
                        "INSERT INTO search_sessions (id, query, user_id, chat_id, created_at, expires_at)"
                        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING"
                    ),
                    (sid, query, user_id, chat_id, stamp(now), stamp(now + ttl)),
                )
                if cur.rowcount:
                    break  # else that id is taken: draw another
        return SearchSession(sid, query, user_id, chat_id, now + ttl)

    def get_search_session(self, sid: str) -> SearchSession | None:
        with self._read() as db:
            row = db.execute(
                self._sql("SELECT id, query, user_id, chat_id, expires_at FROM search_sessions WHERE id = ?"),
                (sid,),
            ).fetchone()
        if row is None:
            return None
        return SearchSession(row[0], row[1], row[2], row[3], self._dialect.read_stamp(row[4]))

    def purge_search_sessions(self, now: datetime | None = None) -> int:
        """Forget expired paging state; returns how many sessions went."""
        with self._statement() as db:
            cur = db.execute(
                self._sql("DELETE FROM search_sessions WHERE expires_at <= ?"),
                (self._dialect.stamp(now or datetime.now(UTC)),),
            )
        return cur.rowcount
