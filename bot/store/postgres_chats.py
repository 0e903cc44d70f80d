"""The PostgreSQL store's own way to move a chat to a new id (the rest of the chat side is shared:
``bot/store/sql_chats.py``)."""

from __future__ import annotations

from bot.store import sql_chats
from bot.store.postgres_base import _Base


class _Subscriptions(sql_chats._Subscriptions, _Base):
    def migrate_chat(self, old_id: int, new_id: int) -> bool:
        """A group became a supergroup: its subscription, its language and its follows follow it to the
        new id (as SQLite's UPDATE OR IGNORE: a follow or alert state the new id already has stays)."""
        with self._write() as db:
            self._move_follows(db, old_id, new_id)
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
