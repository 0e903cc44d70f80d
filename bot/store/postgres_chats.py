"""The PostgreSQL store's chat side: subscriptions and their cursors, digest parts in flight, the languages
chosen with /lang, and search paging sessions (mixins of ``PostgresStore`` in ``bot/store/postgres.py``,
the twins of ``bot/store/sqlite_chats.py``)."""

from __future__ import annotations

import secrets
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from bot.models import InFlightPart, SearchSession, Subscription
from bot.store.postgres_base import _Base


class _Subscriptions(_Base):
    _SUB_COLUMNS = "chat_id, thread_id, kind, subscribed_by, cursor, digest_time, last_run_at"

    def subscribe(
        self, chat_id: int, thread_id: int | None, kind: str, by: int | None
    ) -> Subscription | None:
        """A new subscription starting after the newest document; None when the chat is already subscribed."""
        now = datetime.now(UTC)
        with self._use() as db:  # one statement: atomic on its own
            cur = db.execute(
                "INSERT INTO subscriptions (chat_id, thread_id, kind, subscribed_by, created_at, cursor,"
                " last_run_at) SELECT %s, %s, %s, %s, %s, COALESCE(MAX(id), 0), %s FROM documents"
                " ON CONFLICT (chat_id) DO NOTHING",
                (chat_id, thread_id, kind, by, now, now),
            )
        return self.subscription(chat_id) if cur.rowcount else None

    def unsubscribe(self, chat_id: int) -> bool:
        with self._use() as db:  # one statement: atomic on its own
            return db.execute("DELETE FROM subscriptions WHERE chat_id = %s", (chat_id,)).rowcount > 0

    def subscription(self, chat_id: int) -> Subscription | None:
        with self._use() as db:
            row = db.execute(
                f"SELECT {self._SUB_COLUMNS} FROM subscriptions WHERE chat_id = %s", (chat_id,)
            ).fetchone()
        return _subscription(row) if row else None

    def subscriptions(self) -> list[Subscription]:
        with self._use() as db:
            rows = db.execute(f"SELECT {self._SUB_COLUMNS} FROM subscriptions ORDER BY chat_id").fetchall()
        return [_subscription(r) for r in rows]

    def count_subscriptions(self) -> dict[str, int]:
        """Subscribed chats by kind: ``{"user": 3, "group": 1}``."""
        with self._use() as db:
            rows = db.execute("SELECT kind, COUNT(*) FROM subscriptions GROUP BY kind").fetchall()
        return {str(r[0]): int(r[1]) for r in rows}

    def set_digest_time(self, chat_id: int, at: str | None) -> bool:
        with self._use() as db:  # one statement: atomic on its own
            cur = db.execute("UPDATE subscriptions SET digest_time = %s WHERE chat_id = %s", (at, chat_id))
        return cur.rowcount > 0

    def advance_cursor(self, chat_id: int, doc_id: int) -> None:
        """Record a confirmed delivery up to ``doc_id``. Never moves backwards."""
        with self._use() as db:  # one statement: atomic on its own
            db.execute(
                "UPDATE subscriptions SET cursor = GREATEST(cursor, %s) WHERE chat_id = %s", (doc_id, chat_id)
            )

    # A digest part in flight (bot/digest.py), as in the SQLite store.
    def part_opening(self, chat_id: int, upto_id: int) -> None:
        """A digest part up to ``upto_id`` is about to be posted to ``chat_id``: recorded before the
        request, with no message id yet."""
        with self._use() as db:  # one statement: atomic on its own
            db.execute(
                "INSERT INTO digest_inflight (chat_id, upto_id, message_id, started_at)"
                " SELECT chat_id, %s, NULL, %s FROM subscriptions WHERE chat_id = %s"
                " ON CONFLICT (chat_id) DO UPDATE SET upto_id = excluded.upto_id, message_id = NULL,"
                " started_at = excluded.started_at",
                (upto_id, datetime.now(UTC), chat_id),
            )

    def part_opened(self, chat_id: int, upto_id: int, message_id: int) -> None:
        """Telegram accepted the opening message of the in-flight part: the id to edit it by."""
        with self._use() as db:  # one statement: atomic on its own
            db.execute(
                "UPDATE digest_inflight SET message_id = %s, upto_id = %s WHERE chat_id = %s",
                (message_id, upto_id, chat_id),
            )

    def part_delivered(self, chat_id: int, upto_id: int) -> None:
        """The in-flight part is confirmed whole: the cursor moves to ``upto_id`` (never backwards) and the
        in-flight record goes, in one transaction."""
        with self._write() as db:
            db.execute(
                "UPDATE subscriptions SET cursor = GREATEST(cursor, %s) WHERE chat_id = %s",
                (upto_id, chat_id),
            )
            db.execute("DELETE FROM digest_inflight WHERE chat_id = %s", (chat_id,))

    def part_abandoned(self, chat_id: int) -> None:
        """Forget an in-flight part whose documents are no longer owed (none left above the cursor)."""
        with self._use() as db:  # one statement: atomic on its own
            db.execute("DELETE FROM digest_inflight WHERE chat_id = %s", (chat_id,))

    def inflight_part(self, chat_id: int) -> InFlightPart | None:
        with self._use() as db:
            row = db.execute(
                "SELECT chat_id, upto_id, message_id, started_at FROM digest_inflight WHERE chat_id = %s",
                (chat_id,),
            ).fetchone()
        if row is None:
            return None
        message_id = int(row[2]) if row[2] is not None else None
        return InFlightPart(int(row[0]), int(row[1]), message_id, row[3])

    def inflight_chats(self) -> list[int]:
        """Chats with a digest part a kill interrupted: reconciled right after start."""
        with self._use() as db:
            rows = db.execute("SELECT chat_id FROM digest_inflight ORDER BY chat_id").fetchall()
        return [int(r[0]) for r in rows]

    def mark_run(self, chat_id: int, at: datetime) -> None:
        with self._use() as db:  # one statement: atomic on its own
            db.execute("UPDATE subscriptions SET last_run_at = %s WHERE chat_id = %s", (at, chat_id))

    def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its subscription and its language follow it to the new id."""
        with self._write() as db:
            # The old chat's language replaces any the new id has (SQLite: UPDATE OR REPLACE).
            if db.execute(
                "SELECT 1 FROM language_choices WHERE scope = 'chat' AND id = %s", (old_id,)
            ).fetchone():
                db.execute("DELETE FROM language_choices WHERE scope = 'chat' AND id = %s", (new_id,))
                db.execute(
                    "UPDATE language_choices SET id = %s WHERE scope = 'chat' AND id = %s", (new_id, old_id)
                )
            # A part in flight to the old chat has its opening message there, where no edit reaches.
            db.execute("DELETE FROM digest_inflight WHERE chat_id = %s", (old_id,))
            if db.execute("SELECT 1 FROM subscriptions WHERE chat_id = %s", (new_id,)).fetchone():
                db.execute("DELETE FROM subscriptions WHERE chat_id = %s", (old_id,))
                return False
            cur = db.execute("UPDATE subscriptions SET chat_id = %s WHERE chat_id = %s", (new_id, old_id))
        return cur.rowcount > 0


class _Languages(_Base):
    """The interface languages chosen with /lang."""

    def language_choices(self, user_id: int | None, chat_id: int | None) -> tuple[str | None, str | None]:
        """(the user's own language, the chat's language), None where nothing was chosen."""
        with self._use() as db:
            rows = db.execute(
                "SELECT scope, language FROM language_choices WHERE (scope = 'user' AND id = %s)"
                " OR (scope = 'chat' AND id = %s)",
                (user_id, chat_id),
            ).fetchall()
        found = {str(scope): str(language) for scope, language in rows}
        return found.get("user"), found.get("chat")

    def set_language_choice(self, scope: str, id: int, language: str | None, set_by: int | None) -> None:
        """Choose ``language`` for a user or a chat (``scope`` 'user' or 'chat'); None forgets the choice."""
        with self._use() as db:  # one statement: atomic on its own
            if language is None:
                db.execute("DELETE FROM language_choices WHERE scope = %s AND id = %s", (scope, id))
                return
            db.execute(
                "INSERT INTO language_choices (scope, id, language, set_by, set_at)"
                " VALUES (%s, %s, %s, %s, %s)"
                " ON CONFLICT (scope, id) DO UPDATE SET language = excluded.language,"
                " set_by = excluded.set_by, set_at = excluded.set_at",
                (scope, id, language, set_by, datetime.now(UTC)),
            )


class _Sessions(_Base):
    def create_search_session(
        self, query: str, user_id: int | None, chat_id: int | None, ttl: timedelta
    ) -> SearchSession:
        now = datetime.now(UTC)
        with self._use() as db:  # one statement: atomic on its own
            while True:
                sid = secrets.token_urlsafe(6)  # 8 characters, 48 random bits
                cur = db.execute(
                    "INSERT INTO search_sessions (id, query, user_id, chat_id, created_at, expires_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s) ON CONFLICT (id) DO NOTHING",
                    (sid, query, user_id, chat_id, now, now + ttl),
                )
                if cur.rowcount:
                    break  # else that id is taken: draw another
        return SearchSession(sid, query, user_id, chat_id, now + ttl)

    def get_search_session(self, sid: str) -> SearchSession | None:
        with self._use() as db:
            row = db.execute(
                "SELECT id, query, user_id, chat_id, expires_at FROM search_sessions WHERE id = %s", (sid,)
            ).fetchone()
        if row is None:
            return None
        return SearchSession(row[0], row[1], row[2], row[3], row[4])

    def purge_search_sessions(self, now: datetime | None = None) -> int:
        """Forget expired paging state; returns how many sessions went."""
        with self._use() as db:  # one statement: atomic on its own
            cur = db.execute(
                "DELETE FROM search_sessions WHERE expires_at <= %s", (now or datetime.now(UTC),)
            )
        return cur.rowcount


def _subscription(row: Sequence[Any]) -> Subscription:
    return Subscription(
        chat_id=int(row[0]),
        thread_id=int(row[1]) if row[1] is not None else None,
        kind=str(row[2]),
        subscribed_by=int(row[3]) if row[3] is not None else None,
        cursor=int(row[4]),
        digest_time=str(row[5]) if row[5] is not None else None,
        last_run_at=row[6],
    )
