"""Simulated users: what a person does in Telegram, turned into Bot API ``Update`` JSON for ``getUpdates``."""

from __future__ import annotations

import copy
from collections.abc import Mapping, Sequence
from typing import Any

from telegram import Update

from tests.fakebotapi.entities import command_entities
from tests.fakebotapi.messages import MessageStore
from tests.fakebotapi.values import (
    Call,
    FakeChat,
    FakeUser,
    JSONDict,
    MemberStatus,
    TrackedMessage,
    now,
    without_reply,
)


class SimulatedUsers(MessageStore):
    """Users send messages and documents, edit them, press buttons, type inline queries, block the bot."""

    def queue_update(self, kind: str, payload: JSONDict, *, malformed: bool = False) -> JSONDict:
        """Queue a raw update ``{"update_id": N, kind: payload}`` for ``getUpdates``; returns it.

        An update PTB cannot parse is refused (a test's mistake, usually) unless ``malformed`` says it is
        the point: fault injection of what Telegram may one day send that this PTB cannot read."""
        update_id = next(self._update_ids)
        update = {"update_id": update_id, kind: payload}
        try:
            # PTB's Updater logs an unparsable update and re-fetches it forever (poll_interval=0): fail here.
            Update.de_json(copy.deepcopy(update), None)
        except Exception as exc:
            if not malformed:
                raise ValueError(f"PTB cannot parse this {kind} update: {exc!r}\n{update}") from exc
        else:
            if malformed:
                raise ValueError(f"PTB parses this {kind} update: it is not malformed\n{update}")
        self._last_update_id = update_id
        self._pending.append(update)
        self.updates.append(update)
        for poller in list(self._pollers):
            if not poller.done():
                poller.set_result("update")
        self._notify()
        return update

    def user_message(
        self,
        text: str,
        *,
        user: FakeUser | None = None,
        chat: FakeChat | None = None,
        thread_id: int | None = None,
        reply_to: TrackedMessage | Mapping[str, Any] | int | None = None,
        entities: Sequence[JSONDict] | None = None,
    ) -> JSONDict:
        """``user`` sends ``text`` in ``chat`` (default: their private chat with the bot).

        ``/commands`` get ``bot_command`` entities automatically (override with ``entities``).  In a forum
        supergroup pass ``thread_id`` for a topic message (``message_thread_id`` + ``is_topic_message``).
        Returns the ``Message`` dict.
        """
        user = user or self.default_user
        chat = self._sender_chat(user, chat)
        if chat.type == "channel":
            raise ValueError("users do not post in channels; use channel_post()")
        extra: JSONDict = {"text": text}
        found_entities = list(entities) if entities is not None else command_entities(text)
        if found_entities:
            extra["entities"] = found_entities
        message = self._user_message(user, chat, extra, thread_id=thread_id, reply_to=reply_to)
        self.queue_update("message", message)
        return message

    def user_document(
        self,
        content: bytes,
        file_name: str = "document.txt",
        *,
        mime_type: str | None = None,
        caption: str | None = None,
        user: FakeUser | None = None,
        chat: FakeChat | None = None,
        thread_id: int | None = None,
    ) -> JSONDict:
        """``user`` sends a document; its bytes are registered so ``getFile`` + download return them.

        A caption that is a command gets ``caption_entities`` with a ``bot_command``, like on Telegram
        (note PTB's ``CommandHandler`` ignores captions; filter on ``filters.Caption`` instead).
        """
        user = user or self.default_user
        chat = self._sender_chat(user, chat)
        stored = self.register_file(content, file_name=file_name, mime_type=mime_type)
        extra: JSONDict = {"document": stored.to_document()}
        if caption is not None:
            extra["caption"] = caption
            caption_entities = command_entities(caption)
            if caption_entities:
                extra["caption_entities"] = caption_entities
        message = self._user_message(user, chat, extra, thread_id=thread_id, reply_to=None)
        self.queue_update("message", message)
        return message

    def user_edit(self, message: TrackedMessage | Mapping[str, Any], text: str) -> JSONDict:
        """The author edits a message they sent earlier: queues ``edited_message`` (or channel variant)."""
        tracked = self._tracked(message)
        if tracked.from_bot:
            raise ValueError("user_edit() edits a user's message; the bot edits its own with editMessageText")
        new = dict(tracked.data)
        new["text"] = text
        new["edit_date"] = now()
        new.pop("entities", None)
        found_entities = command_entities(text)
        if found_entities:
            new["entities"] = found_entities
        tracked.versions.append(tracked.data)
        tracked.data = new
        kind = "edited_channel_post" if new["chat"]["type"] == "channel" else "edited_message"
        self.queue_update(kind, new)
        return new

    def channel_post(self, text: str, *, chat: FakeChat | None = None) -> JSONDict:
        """A post in a channel the bot administers (``sender_chat`` is the channel, no ``from``)."""
        chat = chat or self._default_channel()
        if chat.type != "channel":
            raise ValueError(f"chat {chat.id} is a {chat.type}, not a channel")
        extra: JSONDict = {"text": text, "sender_chat": chat.to_api()}
        found_entities = command_entities(text)
        if found_entities:
            extra["entities"] = found_entities
        message = self._new_message(chat, sender=None, extra=extra)
        self._track(message, from_bot=False)
        self.queue_update("channel_post", message)
        return message

    def press_button(
        self,
        message: TrackedMessage | Call | Mapping[str, Any],
        data: str | None = None,
        *,
        text: str | None = None,
        user: FakeUser | None = None,
        check: bool = True,
    ) -> JSONDict:
        """``user`` presses an inline button on a bot message: queues a ``callback_query``.

        Pick the button by its label (``text=``) or its ``callback_data`` (``data``).  With ``check`` the
        button must be on the message's *current* keyboard; ``check=False`` simulates a stale client.
        ``message`` may be a :class:`TrackedMessage`, the :class:`Call` that sent it, or a Message dict.
        Returns the ``CallbackQuery`` dict (its ``id`` is what ``answerCallbackQuery`` must answer).
        """
        tracked = self._tracked(message)
        buttons = tracked.buttons()
        if text is not None:
            matching = [b for b in buttons if b.get("text") == text and "callback_data" in b]
            if not matching:
                labels = [b.get("text") for b in buttons]
                raise ValueError(f"message {tracked.message_id} has no callback button {text!r}: {labels}")
            data = str(matching[0]["callback_data"])
        if data is None:
            raise ValueError("press_button() needs data= or text=")
        if check and data not in [b.get("callback_data") for b in buttons]:
            datas = [b.get("callback_data") for b in buttons]
            raise ValueError(
                f"message {tracked.message_id} has no button with callback_data {data!r} (has {datas}); "
                "pass check=False to simulate a stale keyboard"
            )
        chat = self._chats[tracked.chat_id]
        presser = user or (self._users.get(chat.id) if chat.type == "private" else None) or self.default_user
        query: JSONDict = {
            "id": str(next(self._query_ids)),
            "from": presser.to_api(),
            "message": dict(tracked.data),
            "chat_instance": str(abs(chat.id) * 7919 + 104729),
            "data": data,
        }
        self._callback_queries[query["id"]] = query
        self.queue_update("callback_query", query)
        return query

    def inline_query(
        self,
        query: str,
        *,
        user: FakeUser | None = None,
        offset: str = "",
        chat_type: str | None = "sender",
    ) -> JSONDict:
        """``user`` types ``@bot query`` somewhere: queues an ``inline_query``; returns it."""
        user = user or self.default_user
        payload: JSONDict = {
            "id": str(next(self._query_ids)),
            "from": user.to_api(),
            "query": query,
            "offset": offset,
        }
        if chat_type is not None:
            payload["chat_type"] = chat_type
        self._inline_queries[payload["id"]] = payload
        self.queue_update("inline_query", payload)
        return payload

    def migrate_group(
        self, chat: FakeChat, *, new_id: int | None = None, user: FakeUser | None = None
    ) -> FakeChat:
        """Upgrade a basic group to a supergroup, as Telegram reports it (two service messages).

        Afterwards sends to the old id fail with 400 + ``migrate_to_chat_id`` (PTB raises ``ChatMigrated``).
        Returns the new supergroup.
        """
        if chat.type != "group":
            raise ValueError(f"only basic groups migrate; chat {chat.id} is a {chat.type}")
        user = user or self.default_user
        new_chat = self.group(chat.title or "", id=new_id, supergroup=True)
        old_message = self._new_message(chat, sender=user.to_api(), extra={"migrate_to_chat_id": new_chat.id})
        self._track(old_message, from_bot=False)
        self._migrated[chat.id] = new_chat.id
        for (chat_id, user_id), member in list(self._members.items()):
            if chat_id == chat.id:
                self._members[(new_chat.id, user_id)] = member
        self.queue_update("message", old_message)
        new_message = self._new_message(
            new_chat, sender=user.to_api(), extra={"migrate_from_chat_id": chat.id}
        )
        self._track(new_message, from_bot=False)
        self.queue_update("message", new_message)
        return new_chat

    def my_chat_member(
        self,
        chat: FakeChat,
        *,
        new_status: MemberStatus,
        old_status: MemberStatus | None = None,
        user: FakeUser | None = None,
    ) -> JSONDict:
        """The bot's membership in ``chat`` changes (added to a group, blocked in private, ...).

        Queues ``my_chat_member`` and updates what ``getChatMember`` and sending report.  In a private chat
        ``new_status="kicked"`` is "user blocked the bot": later sends fail with 403 like on Telegram.
        """
        user = user or (self._users.get(chat.id) if chat.type == "private" else None) or self.default_user
        old = self._member(chat.id, self.bot_id)
        if old_status is not None:
            old = self._member_json(self.bot_id, old_status, {})
        new = self.set_member(chat, self.bot_id, new_status)
        payload: JSONDict = {
            "chat": chat.to_api(),
            "from": user.to_api(),
            "date": now(),
            "old_chat_member": old,
            "new_chat_member": new,
        }
        self.queue_update("my_chat_member", payload)
        return payload

    def block_bot(self, user: FakeUser | None = None) -> JSONDict:
        """``user`` blocks the bot (``my_chat_member`` member -> kicked in their private chat)."""
        user = user or self.default_user
        chat = self.private_chat(user)
        return self.my_chat_member(chat, new_status="kicked", old_status="member", user=user)

    def _sender_chat(self, user: FakeUser, chat: FakeChat | None) -> FakeChat:
        self._users.setdefault(user.id, user)
        if chat is None:
            return self.private_chat(user)
        self._chats.setdefault(chat.id, chat)
        if chat.type in ("group", "supergroup") and (chat.id, user.id) not in self._members:
            self._members[(chat.id, user.id)] = self._member_json(user.id, "member", {})
        return chat

    def _default_channel(self) -> FakeChat:
        for chat in self._chats.values():
            if chat.type == "channel":
                return chat
        return self.channel()

    def _user_message(
        self,
        user: FakeUser,
        chat: FakeChat,
        extra: JSONDict,
        *,
        thread_id: int | None,
        reply_to: TrackedMessage | Mapping[str, Any] | int | None,
    ) -> JSONDict:
        fields: JSONDict = dict(extra)
        if thread_id is not None:
            fields["message_thread_id"] = thread_id
            if chat.is_forum:
                fields["is_topic_message"] = True
        if reply_to is not None:
            target = self.message(chat, reply_to) if isinstance(reply_to, int) else self._tracked(reply_to)
            fields["reply_to_message"] = without_reply(target.data)
        message = self._new_message(chat, sender=user.to_api(), extra=fields)
        self._track(message, from_bot=False)
        return message
