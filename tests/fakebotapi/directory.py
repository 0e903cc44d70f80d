"""The users, chats, memberships and files the server knows, and the rules for sending to a chat."""

from __future__ import annotations

import mimetypes
import os
from collections.abc import Mapping
from typing import Any

from tests.fakebotapi.state import BotApiState
from tests.fakebotapi.values import (
    ApiError,
    FakeChat,
    FakeUser,
    JSONDict,
    MemberStatus,
    StoredFile,
    chat_id_of,
    user_id_of,
)


class Directory(BotApiState):
    """Registering simulated users, chats and files, and answering who is a member of what."""

    def user(
        self,
        first_name: str = "Bob",
        *,
        id: int | None = None,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "en",
        is_bot: bool = False,
    ) -> FakeUser:
        """Create (and register) a simulated user; ids are allocated from 1001 unless given."""
        user = FakeUser(
            id=next(self._user_ids) if id is None else id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            is_bot=is_bot,
        )
        self._users[user.id] = user
        return user

    def private_chat(self, user: FakeUser | None = None) -> FakeChat:
        """The private chat between ``user`` (default: :attr:`default_user`) and the bot."""
        user = user or self.default_user
        self._users.setdefault(user.id, user)
        chat = self._chats.get(user.id)
        if chat is None:
            chat = FakeChat(
                id=user.id,
                type="private",
                first_name=user.first_name,
                last_name=user.last_name,
                username=user.username,
            )
            self._chats[chat.id] = chat
        return chat

    def group(
        self,
        title: str = "Dossier team",
        *,
        id: int | None = None,
        supergroup: bool = False,
        forum: bool = False,
        username: str | None = None,
    ) -> FakeChat:
        """A basic group, or a supergroup (``supergroup=True``; ``forum=True`` implies it, with topics)."""
        is_super = supergroup or forum
        if id is None:
            id = -next(self._supergroup_ids if is_super else self._group_ids)
        chat = FakeChat(
            id=id,
            type="supergroup" if is_super else "group",
            title=title,
            username=username,
            is_forum=forum,
        )
        self._chats[chat.id] = chat
        return chat

    def channel(
        self,
        title: str = "Dossier news",
        *,
        id: int | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """A channel; the bot is an administrator of it unless :meth:`set_member` says otherwise."""
        chat_id = -next(self._channel_ids) if id is None else id
        chat = FakeChat(id=chat_id, type="channel", title=title, username=username)
        self._chats[chat.id] = chat
        return chat

    def chat(self, chat_id: int) -> FakeChat:
        """The registered chat with this id (``KeyError`` if none)."""
        return self._chats[chat_id]

    def set_member(
        self,
        chat: FakeChat | int,
        user: FakeUser | int,
        status: MemberStatus,
        **fields: Any,
    ) -> JSONDict:
        """Configure what ``getChatMember`` answers for ``user`` in ``chat`` (and ``getChatAdministrators``).

        ``fields`` override the defaults, e.g. ``can_delete_messages=False`` or ``custom_title="boss"``.
        Pass :attr:`bot_id` as ``user`` to set the bot's own status (``left``/``kicked`` make sends fail
        with 403, like on Telegram).  Returns the ``ChatMember`` JSON.
        """
        chat_id = chat_id_of(chat)
        user_id = user_id_of(user)
        member = self._member_json(user_id, status, fields)
        self._members[(chat_id, user_id)] = member
        return member

    def set_chat_info(self, chat: FakeChat | int, **fields: Any) -> None:
        """Extra ``ChatFullInfo`` fields ``getChat`` returns for ``chat`` (e.g. ``description="..."``)."""
        self._chat_info.setdefault(chat_id_of(chat), {}).update(fields)

    def register_file(
        self,
        content: bytes,
        *,
        file_name: str | None = None,
        mime_type: str | None = None,
        folder: str = "documents",
    ) -> StoredFile:
        """Make ``content`` downloadable: returns the file_id/file_unique_id/file_path the bot will see."""
        number = next(self._file_counter)
        if mime_type is None and file_name is not None:
            mime_type = mimetypes.guess_type(file_name)[0] or "application/octet-stream"
        suffix = os.path.splitext(file_name or "")[1] or ".bin"
        stored = StoredFile(
            file_id=f"BQACAgIAAxkBAAI{number:06d}fake",
            file_unique_id=f"AgADfake{number:06d}",
            file_path=f"{folder}/file_{number}{suffix}",
            content=bytes(content),
            file_name=file_name,
            mime_type=mime_type,
        )
        self.files[stored.file_id] = stored
        self._files_by_path[stored.file_path] = stored
        return stored

    def _user_json(self, user_id: int) -> JSONDict:
        if user_id == self.bot_id:
            return {key: self.bot_user[key] for key in ("id", "is_bot", "first_name", "username")}
        user = self._users.get(user_id)
        if user is not None:
            return user.to_api()
        return {"id": user_id, "is_bot": False, "first_name": f"User{user_id}"}

    def _member_json(self, user_id: int, status: MemberStatus, overrides: Mapping[str, Any]) -> JSONDict:
        member: JSONDict = {"status": status, "user": self._user_json(user_id)}
        if status == "creator":
            member["is_anonymous"] = False
        elif status == "administrator":
            member.update(
                can_be_edited=False,
                is_anonymous=False,
                can_manage_chat=True,
                can_delete_messages=True,
                can_manage_video_chats=True,
                can_restrict_members=True,
                can_promote_members=False,
                can_change_info=True,
                can_invite_users=True,
                can_post_stories=True,
                can_edit_stories=True,
                can_delete_stories=True,
                can_pin_messages=True,
            )
        elif status == "restricted":
            member.update(
                is_member=True,
                can_send_messages=False,
                can_send_audios=False,
                can_send_documents=False,
                can_send_photos=False,
                can_send_videos=False,
                can_send_video_notes=False,
                can_send_voice_notes=False,
                can_send_polls=False,
                can_send_other_messages=False,
                can_add_web_page_previews=False,
                can_change_info=False,
                can_invite_users=False,
                can_pin_messages=False,
                can_manage_topics=False,
                can_edit_tag=False,
                can_react_to_messages=False,  # PTB 22.8 raises TypeError without it
                until_date=0,
            )
        elif status == "kicked":
            member["until_date"] = 0
        elif status not in ("member", "left"):
            raise ValueError(f"unknown chat member status {status!r}")
        member.update(overrides)
        return member

    def _member(self, chat_id: int, user_id: int) -> JSONDict:
        member = self._members.get((chat_id, user_id))
        if member is not None:
            return member
        chat = self._chats.get(chat_id)
        if user_id == self.bot_id:
            is_channel = chat is not None and chat.type == "channel"
            status: MemberStatus = "administrator" if is_channel else "member"
        elif chat is not None and chat.type == "private":
            status = "member" if user_id == chat_id else "left"
        else:
            status = "left"
        return self._member_json(user_id, status, {})

    def _resolve_chat(self, chat_id: Any) -> FakeChat:
        if chat_id is None or chat_id == "":
            raise ApiError(400, "Bad Request: chat_id is empty")
        if isinstance(chat_id, str) and chat_id.startswith("@"):
            for chat in self._chats.values():
                if chat.username and chat.username.lower() == chat_id[1:].lower():
                    return chat
            raise ApiError(400, "Bad Request: chat not found")
        try:
            numeric = int(chat_id)
        except (TypeError, ValueError):
            raise ApiError(400, "Bad Request: chat not found") from None
        if numeric in self._migrated:
            raise ApiError(
                400,
                "Bad Request: group chat was upgraded to a supergroup chat",
                {"migrate_to_chat_id": self._migrated[numeric]},
            )
        known = self._chats.get(numeric)
        if known is not None:
            return known
        if self.strict_chats:
            raise ApiError(400, "Bad Request: chat not found")
        return self._auto_chat(numeric)

    def _auto_chat(self, chat_id: int) -> FakeChat:
        if chat_id > 0:
            user = self._users.get(chat_id) or self.user(f"User{chat_id}", id=chat_id)
            return self.private_chat(user)
        if str(chat_id).startswith("-100"):
            return self.group(f"Supergroup {chat_id}", id=chat_id, supergroup=True)
        return self.group(f"Group {chat_id}", id=chat_id)

    def _check_can_send(self, chat: FakeChat) -> None:
        status = self._member(chat.id, self.bot_id)["status"]
        if status not in ("kicked", "left"):
            return
        if chat.type == "private":
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        kind = {"group": "group", "supergroup": "supergroup", "channel": "channel"}[chat.type]
        if status == "kicked" and chat.type != "channel":
            raise ApiError(403, f"Forbidden: bot was kicked from the {kind} chat")
        raise ApiError(403, f"Forbidden: bot is not a member of the {kind} chat")
