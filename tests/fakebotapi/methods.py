"""The Bot API method table, and the methods that send, edit and delete messages and read chats."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Final

from tests.fakebotapi.entities import utf16_len
from tests.fakebotapi.messages import MessageStore
from tests.fakebotapi.updates import UpdateMethods
from tests.fakebotapi.values import ApiError, ApiRequest, JSONDict, MethodHandler, StoredFile, UploadedFile

_MAX_TEXT = 4096
_MAX_CAPTION = 1024
_MAX_DOWNLOAD = 20 * 1024 * 1024
_QUERY_INVALID = "Bad Request: query is too old and response timeout expired or query ID is invalid"
_CHAT_ACTIONS: Final = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)


class BotApiMethods(UpdateMethods, MessageStore):
    """The built-in Bot API methods (:meth:`set_handler` adds or replaces one)."""

    def set_handler(self, method: str, handler: MethodHandler) -> None:
        """Add or replace a Bot API method: ``handler(ApiRequest)`` returns the result (sync or async).

        Raise :class:`ApiError` for an error response.  Calls are recorded like built-in ones.
        """
        self._handlers[method] = handler
        self._canonical[method.lower()] = method

    def _register_builtin_methods(self) -> None:
        builtin: dict[str, MethodHandler] = {
            "getMe": self._get_me,
            "getUpdates": self._get_updates,
            "deleteWebhook": self._delete_webhook,
            "setWebhook": self._set_webhook,
            "getWebhookInfo": self._get_webhook_info,
            "logOut": self._true,
            "close": self._true,
            "sendMessage": self._send_message,
            "editMessageText": self._edit_message_text,
            "editMessageCaption": self._edit_message_caption,
            "editMessageReplyMarkup": self._edit_message_reply_markup,
            "deleteMessage": self._delete_message,
            "deleteMessages": self._delete_messages,
            "answerCallbackQuery": self._answer_callback_query,
            "answerInlineQuery": self._answer_inline_query,
            "sendDocument": self._send_document,
            "sendChatAction": self._send_chat_action,
            "setMyCommands": self._set_my_commands,
            "deleteMyCommands": self._delete_my_commands,
            "getMyCommands": self._get_my_commands,
            "getChat": self._get_chat,
            "getChatMember": self._get_chat_member,
            "getChatAdministrators": self._get_chat_administrators,
            "getChatMemberCount": self._get_chat_member_count,
            "getFile": self._get_file,
            "leaveChat": self._leave_chat,
        }
        # Setters with no observable result here; recorded so tests can assert on their params.
        for name in (
            "setMyDescription",
            "setMyShortDescription",
            "setMyName",
            "setChatMenuButton",
            "setMyDefaultAdministratorRights",
            "pinChatMessage",
            "unpinChatMessage",
            "unpinAllChatMessages",
            "setMessageReaction",
        ):
            builtin[name] = self._true
        for name, handler in builtin.items():
            self.set_handler(name, handler)

    async def _send_message(self, request: ApiRequest) -> JSONDict:
        params = request.params
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_can_send(chat)
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._render(text, params.get("parse_mode"))
        if not plain.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        if utf16_len(plain) > _MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        fields = self._outgoing_fields(chat, params)
        message = self._new_message(chat, sender=self._bot_sender(chat), extra={"text": plain, **fields})
        self._track(
            message,
            from_bot=True,
            source=(text, params.get("parse_mode"), params.get("entities")),
        )
        return message

    async def _send_document(self, request: ApiRequest) -> JSONDict:
        params = request.params
        chat = self._resolve_chat(params.get("chat_id"))
        self._check_can_send(chat)
        stored = self._input_document(params.get("document"), request.files)
        extra: JSONDict = {"document": stored.to_document()}
        caption = params.get("caption")
        if caption:
            plain = self._render(str(caption), params.get("parse_mode"))
            if utf16_len(plain) > _MAX_CAPTION:
                raise ApiError(400, "Bad Request: message caption is too long")
            extra["caption"] = plain
        extra.update(self._outgoing_fields(chat, params))
        message = self._new_message(chat, sender=self._bot_sender(chat), extra=extra)
        self._track(
            message, from_bot=True, source=(caption, params.get("parse_mode"), params.get("caption_entities"))
        )
        return message

    def _input_document(self, value: Any, files: Mapping[str, UploadedFile]) -> StoredFile:
        upload: UploadedFile | None = None
        if isinstance(value, str) and value.startswith("attach://"):
            upload = files.get(value.removeprefix("attach://"))
        elif value is None:
            upload = files.get("document")
        elif isinstance(value, str) and value in self.files:
            return self.files[value]
        elif isinstance(value, str) and value.startswith(("http://", "https://")):
            name = value.rstrip("/").rsplit("/", 1)[-1] or "file"
            return self.register_file(b"", file_name=name)
        elif isinstance(value, str):
            raise ApiError(400, "Bad Request: wrong file identifier/HTTP URL specified")
        if upload is None:
            raise ApiError(400, "Bad Request: there is no document in the request")
        return self.register_file(
            upload.content, file_name=upload.filename or "document", mime_type=upload.content_type
        )

    async def _edit_message_text(self, request: ApiRequest) -> JSONDict | bool:
        params = request.params
        text = params.get("text")
        if not isinstance(text, str) or not text.strip():
            raise ApiError(400, "Bad Request: message text is empty")
        plain = self._render(text, params.get("parse_mode"))
        if utf16_len(plain) > _MAX_TEXT:
            raise ApiError(400, "Bad Request: message is too long")
        if params.get("inline_message_id"):
            return True
        tracked = self._editable(params)
        if "text" not in tracked.data:
            raise ApiError(400, "Bad Request: there is no text in the message to edit")
        changes: JSONDict = {"text": plain}
        preview = params.get("link_preview_options")
        if isinstance(preview, Mapping):
            changes["link_preview_options"] = dict(preview)
        source = (text, params.get("parse_mode"), params.get("entities"))
        return self._apply_edit(tracked, changes, params, source)

    async def _edit_message_caption(self, request: ApiRequest) -> JSONDict | bool:
        params = request.params
        caption = str(params.get("caption") or "")
        plain = self._render(caption, params.get("parse_mode"))
        if utf16_len(plain) > _MAX_CAPTION:
            raise ApiError(400, "Bad Request: message caption is too long")
        if params.get("inline_message_id"):
            return True
        tracked = self._editable(params)
        if "text" in tracked.data:
            raise ApiError(400, "Bad Request: there is no caption in the message to edit")
        source = (caption, params.get("parse_mode"), params.get("caption_entities"))
        return self._apply_edit(tracked, {"caption": plain}, params, source)

    async def _edit_message_reply_markup(self, request: ApiRequest) -> JSONDict | bool:
        if request.params.get("inline_message_id"):
            return True
        tracked = self._editable(request.params)
        return self._apply_edit(tracked, {}, request.params, None)

    async def _delete_message(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        tracked = self._find(chat.id, request.params.get("message_id"))
        if tracked is None or tracked.deleted:
            raise ApiError(400, "Bad Request: message to delete not found")
        tracked.deleted = True
        return True

    async def _delete_messages(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        for message_id in request.params.get("message_ids") or []:
            tracked = self._find(chat.id, message_id)
            if tracked is not None:
                tracked.deleted = True
        return True

    async def _answer_callback_query(self, request: ApiRequest) -> bool:
        query_id = str(request.params.get("callback_query_id"))
        if query_id not in self._callback_queries or query_id in self.callback_answers:
            raise ApiError(400, _QUERY_INVALID)
        self.callback_answers[query_id] = dict(request.params)
        return True

    async def _answer_inline_query(self, request: ApiRequest) -> bool:
        query_id = str(request.params.get("inline_query_id"))
        if query_id not in self._inline_queries or query_id in self.inline_answers:
            raise ApiError(400, _QUERY_INVALID)
        results = request.params.get("results")
        if not isinstance(results, list):
            raise ApiError(400, "Bad Request: can't parse inline query results JSON object")
        if not all(isinstance(item, Mapping) and item.get("id") and item.get("type") for item in results):
            raise ApiError(400, "Bad Request: RESULT_ID_INVALID")
        ids = [result["id"] for result in results]
        if len(set(ids)) != len(ids):
            raise ApiError(400, "Bad Request: RESULT_ID_DUPLICATE")
        self.inline_answers[query_id] = dict(request.params)
        return True

    async def _send_chat_action(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        self._check_can_send(chat)
        if request.params.get("action") not in _CHAT_ACTIONS:
            raise ApiError(400, "Bad Request: wrong parameter action in request")
        return True

    async def _get_chat(self, request: ApiRequest) -> JSONDict:
        chat = self._resolve_chat(request.params.get("chat_id"))
        info = chat.to_api()
        # Required by PTB 22.8's ChatFullInfo: accent_color_id, max_reaction_count, accepted_gift_types.
        info.update(
            accent_color_id=chat.id % 7,
            max_reaction_count=11,
            accepted_gift_types={
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        )
        if chat.type in ("group", "supergroup"):
            info["permissions"] = {"can_send_messages": True, "can_invite_users": True}
        info.update(self._chat_info.get(chat.id, {}))
        return info

    async def _get_chat_member(self, request: ApiRequest) -> JSONDict:
        chat = self._resolve_chat(request.params.get("chat_id"))
        raw_user_id: Any = request.params.get("user_id")
        try:
            user_id = int(raw_user_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: invalid user_id specified") from None
        return self._member(chat.id, user_id)

    async def _get_chat_administrators(self, request: ApiRequest) -> list[JSONDict]:
        chat = self._resolve_chat(request.params.get("chat_id"))
        if chat.type == "private":
            raise ApiError(400, "Bad Request: there are no administrators in the private chat")
        return [
            member
            for (chat_id, _), member in self._members.items()
            if chat_id == chat.id and member["status"] in ("creator", "administrator")
        ]

    async def _get_chat_member_count(self, request: ApiRequest) -> int:
        chat = self._resolve_chat(request.params.get("chat_id"))
        if chat.type == "private":
            return 2
        present = {"creator", "administrator", "member", "restricted"}
        users = {
            user_id
            for (chat_id, user_id), member in self._members.items()
            if chat_id == chat.id and member["status"] in present
        }
        users.add(self.bot_id)
        return len(users)

    async def _get_file(self, request: ApiRequest) -> JSONDict:
        stored = self.files.get(str(request.params.get("file_id")))
        if stored is None:
            raise ApiError(400, "Bad Request: invalid file_id")
        if stored.file_size > _MAX_DOWNLOAD:
            raise ApiError(400, "Bad Request: file is too big")
        return stored.to_file()

    async def _leave_chat(self, request: ApiRequest) -> bool:
        chat = self._resolve_chat(request.params.get("chat_id"))
        self.set_member(chat, self.bot_id, "left")
        return True
