"""The messages in every chat as the server knows them now, and the checks a send or edit must pass."""

from __future__ import annotations

import itertools
from collections.abc import Mapping
from typing import Any, Final

from tests.fakebotapi.directory import Directory
from tests.fakebotapi.entities import render_text
from tests.fakebotapi.values import (
    ApiError,
    Call,
    FakeChat,
    JSONDict,
    TrackedMessage,
    chat_id_of,
    now,
    without_reply,
)

_NOT_MODIFIED = (
    "Bad Request: message is not modified: specified new message content and reply markup are exactly "
    "the same as a current content and reply markup of the message"
)

_INLINE_BUTTON_ACTIONS: Final = frozenset(
    {
        "callback_data",
        "url",
        "switch_inline_query",
        "switch_inline_query_current_chat",
        "switch_inline_query_chosen_chat",
        "web_app",
        "login_url",
        "callback_game",
        "pay",
        "copy_text",
    }
)


class MessageStore(Directory):
    """Every message tracked per chat (edits and deletions included), and how the bot's are built."""

    def messages(
        self,
        chat: FakeChat | int,
        *,
        from_bot: bool | None = True,
        include_deleted: bool = False,
    ) -> list[TrackedMessage]:
        """Messages in ``chat`` in order: by default the bot's, current version, deleted ones left out."""
        return [
            tracked
            for tracked in self._messages.get(chat_id_of(chat), {}).values()
            if (from_bot is None or tracked.from_bot == from_bot) and (include_deleted or not tracked.deleted)
        ]

    def message(self, chat: FakeChat | int, message_id: int) -> TrackedMessage:
        """The message ``message_id`` in ``chat`` (also deleted ones; check ``.deleted``)."""
        chat_id = chat_id_of(chat)
        try:
            return self._messages[chat_id][message_id]
        except KeyError:
            known = sorted(self._messages.get(chat_id, {}))
            raise KeyError(f"no message {message_id} in chat {chat_id}; known ids: {known}") from None

    def last_message(self, chat: FakeChat | int, *, from_bot: bool = True) -> TrackedMessage:
        found = self.messages(chat, from_bot=from_bot)
        if not found:
            raise LookupError(f"no {'bot' if from_bot else 'user'} messages in chat {chat_id_of(chat)}")
        return found[-1]

    def text_of(self, chat: FakeChat | int, message_id: int) -> str | None:
        """Current text (or caption) of a message, after all edits, markup rendered to plain text."""
        return self.message(chat, message_id).text

    def _new_message(self, chat: FakeChat, *, sender: JSONDict | None, extra: Mapping[str, Any]) -> JSONDict:
        counter = self._message_ids.setdefault(chat.id, itertools.count(1))
        message: JSONDict = {"message_id": next(counter)}
        if sender is not None:
            message["from"] = sender
        message["chat"] = chat.to_api()
        message["date"] = now()
        message.update(extra)
        return message

    def _track(self, message: JSONDict, *, from_bot: bool, source: tuple[Any, ...] = ()) -> TrackedMessage:
        tracked = TrackedMessage(data=message, from_bot=from_bot, source=source)
        self._messages.setdefault(int(message["chat"]["id"]), {})[int(message["message_id"])] = tracked
        return tracked

    def _find(self, chat_id: int, message_id: Any) -> TrackedMessage | None:
        try:
            return self._messages.get(chat_id, {}).get(int(message_id))
        except (TypeError, ValueError):
            return None

    def _tracked(self, message: TrackedMessage | Call | Mapping[str, Any]) -> TrackedMessage:
        if isinstance(message, TrackedMessage):
            return message
        data = message.result if isinstance(message, Call) else message
        if not isinstance(data, Mapping) or "message_id" not in data or "chat" not in data:
            raise ValueError(f"not a message: {data!r}")
        return self.message(int(data["chat"]["id"]), int(data["message_id"]))

    def _bot_sender(self, chat: FakeChat) -> JSONDict | None:
        return None if chat.type == "channel" else self._user_json(self.bot_id)

    def _render(self, text: str, parse_mode: Any) -> str:
        if not self.check_markup:
            return text
        return render_text(text, str(parse_mode) if parse_mode else None)

    def _outgoing_fields(self, chat: FakeChat, params: Mapping[str, Any]) -> JSONDict:
        """Fields every send* method shares: thread, reply, keyboard, link preview (validated first)."""
        fields: JSONDict = {}
        if chat.type == "channel":
            fields["sender_chat"] = chat.to_api()
        thread = params.get("message_thread_id")
        if thread is not None and chat.is_forum:
            fields["message_thread_id"] = int(thread)
            fields["is_topic_message"] = True
        reply = params.get("reply_parameters")
        if reply is None and params.get("reply_to_message_id") is not None:
            reply = {
                "message_id": params["reply_to_message_id"],
                "allow_sending_without_reply": params.get("allow_sending_without_reply", False),
            }
        if isinstance(reply, Mapping):
            reply_chat = self._resolve_chat(reply["chat_id"]) if "chat_id" in reply else chat
            target = self._find(reply_chat.id, reply.get("message_id"))
            if target is not None and not target.deleted:
                fields["reply_to_message"] = without_reply(target.data)
            elif not reply.get("allow_sending_without_reply"):
                raise ApiError(400, "Bad Request: message to be replied not found")
        markup = params.get("reply_markup")
        if markup is not None:
            if not isinstance(markup, Mapping):
                raise ApiError(400, "Bad Request: can't parse reply keyboard markup JSON object")
            if "inline_keyboard" in markup:
                self._validate_inline_keyboard(markup)
                fields["reply_markup"] = dict(markup)
        preview = params.get("link_preview_options")
        if isinstance(preview, Mapping):
            fields["link_preview_options"] = dict(preview)
        return fields

    @staticmethod
    def _validate_inline_keyboard(markup: Mapping[str, Any]) -> None:
        rows = markup.get("inline_keyboard")
        if not isinstance(rows, list) or not all(isinstance(row, list) for row in rows):
            raise ApiError(400, 'Bad Request: field "inline_keyboard" must be an Array')
        for row in rows:
            for button in row:
                if not isinstance(button, Mapping) or not button.get("text"):
                    raise ApiError(400, "Bad Request: can't parse inline keyboard button: Text is empty")
                actions = _INLINE_BUTTON_ACTIONS.intersection(button)
                if len(actions) != 1:
                    raise ApiError(
                        400,
                        "Bad Request: can't parse inline keyboard button: Text buttons are unallowed in the "
                        "inline keyboard",
                    )
                data = button.get("callback_data")
                if data is not None and not 1 <= len(str(data).encode()) <= 64:
                    raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")

    def _editable(self, params: Mapping[str, Any]) -> TrackedMessage:
        chat = self._resolve_chat(params.get("chat_id"))
        tracked = self._find(chat.id, params.get("message_id"))
        if tracked is None or tracked.deleted:
            raise ApiError(400, "Bad Request: message to edit not found")
        if not tracked.from_bot:
            raise ApiError(400, "Bad Request: message can't be edited")
        return tracked

    def _apply_edit(
        self,
        tracked: TrackedMessage,
        changes: Mapping[str, Any],
        params: Mapping[str, Any],
        source: tuple[Any, ...] | None,
    ) -> JSONDict:
        """Edit a bot message in place; ``source`` is the raw (text, parse_mode, entities) if content changes.

        Telegram rejects an edit that changes nothing with ``message is not modified``; bots hit this when
        a user presses the same button twice, so the fake does too.  Content counts as unchanged when the
        rendered text *and* the raw markup are the same (a formatting-only change is a modification).
        """
        new = dict(tracked.data)
        new.update(changes)
        markup = params.get("reply_markup")
        if isinstance(markup, Mapping) and "inline_keyboard" in markup:
            self._validate_inline_keyboard(markup)
            new["reply_markup"] = dict(markup)
        else:
            # Like Telegram: an edit without an inline keyboard removes the one the message had.
            new.pop("reply_markup", None)
        content_same = all(new.get(key) == tracked.data.get(key) for key in changes) and (
            source is None or source == tracked.source
        )
        if content_same and new.get("reply_markup") == tracked.data.get("reply_markup"):
            raise ApiError(400, _NOT_MODIFIED)
        new["edit_date"] = now()
        tracked.versions.append(tracked.data)
        tracked.data = new
        if source is not None:
            tracked.source = source
        return new
