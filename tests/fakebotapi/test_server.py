"""Tests of the fake Bot API server, one call at a time: single methods through a bare PTB ``Bot``, the
server's mechanics over raw HTTP, and the update JSON the simulated users build, parsed by PTB.

The end-to-end tests with a running Application are in test_fakebotapi.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import aiohttp
import pytest
from telegram import (
    Bot,
    ChatMemberAdministrator,
    ChatMemberBanned,
    ChatMemberLeft,
    ChatMemberMember,
    ChatMemberOwner,
    ChatMemberRestricted,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, EndPointNotFound

from tests.fakebotapi import (
    BOT_USERNAME,
    TOKEN,
    FakeBotApi,
)


def bot_for(api: FakeBotApi) -> Bot:
    """A bare ``Bot`` (no Application) for tests of single methods."""
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)


# --------------------------------------------------------------------------------------------------------
# Single methods through a bare Bot
# --------------------------------------------------------------------------------------------------------


async def test_edit_errors_match_telegram(botapi: FakeBotApi) -> None:
    async with bot_for(botapi) as bot:
        message = await bot.send_message(botapi.default_user.id, "same")
        with pytest.raises(BadRequest, match=r"(?i)message is not modified"):
            await bot.edit_message_text("same", chat_id=message.chat_id, message_id=message.message_id)
        formatted = await bot.edit_message_text(
            "<b>same</b>", chat_id=message.chat_id, message_id=message.message_id, parse_mode=ParseMode.HTML
        )
        assert isinstance(formatted, type(message)) and formatted.text == "same"
        assert formatted.edit_date is not None
        assert await bot.delete_message(message.chat_id, message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to edit not found"):
            await bot.edit_message_text("new", chat_id=message.chat_id, message_id=message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to delete not found"):
            await bot.delete_message(message.chat_id, message.message_id)
        with pytest.raises(BadRequest, match=r"(?i)message to be replied not found"):
            await bot.send_message(message.chat_id, "re", reply_to_message_id=999)
    assert botapi.message(message.chat_id, message.message_id).deleted


async def test_chat_member_statuses_parse_into_ptb_subclasses(botapi: FakeBotApi) -> None:
    group = botapi.group(supergroup=True)
    expected = {
        "creator": ChatMemberOwner,
        "administrator": ChatMemberAdministrator,
        "member": ChatMemberMember,
        "restricted": ChatMemberRestricted,
        "left": ChatMemberLeft,
        "kicked": ChatMemberBanned,
    }
    async with bot_for(botapi) as bot:
        for status, cls in expected.items():
            user = botapi.user(status.title())
            botapi.set_member(group, user, status)  # type: ignore[arg-type]
            member = await bot.get_chat_member(group.id, user.id)
            assert type(member) is cls, status
        admins = await bot.get_chat_administrators(group.id)
        stranger = await bot.get_chat_member(group.id, 424242)
        info = await bot.get_chat(group.id)
        count = await bot.get_chat_member_count(group.id)
    assert sorted(type(admin).__name__ for admin in admins) == ["ChatMemberAdministrator", "ChatMemberOwner"]
    assert isinstance(stranger, ChatMemberLeft)
    assert (info.id, info.type, info.max_reaction_count) == (group.id, "supergroup", 11)
    assert count == 5  # creator, admin, member, restricted (still a member) and the bot


async def test_migrated_group_raises_chat_migrated(botapi: FakeBotApi) -> None:
    group = botapi.group()
    supergroup = botapi.migrate_group(group)
    old_update, new_update = botapi.updates[-2:]
    async with bot_for(botapi) as bot:
        assert Update.de_json(old_update, bot).effective_message.migrate_to_chat_id == supergroup.id  # type: ignore[union-attr]
        assert Update.de_json(new_update, bot).effective_message.migrate_from_chat_id == group.id  # type: ignore[union-attr]
        with pytest.raises(ChatMigrated) as caught:
            await bot.send_message(group.id, "hello?")
    assert caught.value.new_chat_id == supergroup.id


async def test_files_unknown_id_and_path(botapi: FakeBotApi) -> None:
    stored = botapi.register_file(b"\x00\x01binary", file_name="blob.bin")
    async with bot_for(botapi) as bot:
        file = await bot.get_file(stored.file_id)
        assert bytes(await file.download_as_bytearray()) == b"\x00\x01binary"
        with pytest.raises(BadRequest, match=r"(?i)invalid file_id"):
            await bot.get_file("nope")
    missing = f"{botapi.base_file_url}{TOKEN}/documents/missing.txt"
    async with aiohttp.ClientSession() as session, session.get(missing) as response:
        assert response.status == 404


async def test_send_document_upload_is_recorded(botapi: FakeBotApi) -> None:
    async with bot_for(botapi) as bot:
        message = await bot.send_document(
            botapi.default_user.id,
            b"a,b\n1,2\n",
            filename="table.csv",
            caption="Your *export*",
            parse_mode=ParseMode.MARKDOWN_V2,
        )
        again = await bot.send_document(botapi.default_user.id, message.document.file_id)  # type: ignore[union-attr]
    upload = botapi.sent("sendDocument")[0]
    assert upload.files["document"].filename == "table.csv"
    assert upload.files["document"].content == b"a,b\n1,2\n"
    assert upload.params["caption"] == "Your *export*"
    assert message.caption == "Your export" and message.document is not None
    assert message.document.file_size == 8
    assert again.document is not None and again.document.file_id == message.document.file_id


async def test_unknown_method_is_404_and_reported(botapi: FakeBotApi) -> None:
    async with bot_for(botapi) as bot:
        with pytest.raises(EndPointNotFound):
            await bot.do_api_request("send_unicorn")
    assert [call.method for call in botapi.unknown_methods] == ["sendUnicorn"]
    assert botapi.unknown_methods[0].response == {
        "ok": False,
        "error_code": 404,
        "description": "Not Found: method not found",
    }
    assert "unknown Bot API method 'sendUnicorn'" in botapi.problems()[0]
    botapi.unknown_methods.clear()  # expected here; the fixture would fail the test otherwise


async def test_set_handler_adds_a_method(botapi: FakeBotApi) -> None:
    def get_star_balance(request: Any) -> dict[str, int]:
        return {"amount": 7}

    botapi.set_handler("getMyStarBalance", get_star_balance)
    async with bot_for(botapi) as bot:
        balance = await bot.get_my_star_balance()
    assert balance.amount == 7
    assert botapi.sent("getMyStarBalance")[0].ok


async def test_markup_errors_surface_as_bad_request(botapi: FakeBotApi) -> None:
    async with bot_for(botapi) as bot:
        with pytest.raises(BadRequest, match=r"(?i)can't parse entities: character '\.' is reserved"):
            await bot.send_message(botapi.default_user.id, "Done.", parse_mode=ParseMode.MARKDOWN_V2)
        ok = await bot.send_message(botapi.default_user.id, "Done\\.", parse_mode=ParseMode.MARKDOWN_V2)
    assert ok.text == "Done."


# --------------------------------------------------------------------------------------------------------
# Server mechanics over raw HTTP
# --------------------------------------------------------------------------------------------------------


async def test_params_from_json_form_and_multipart(botapi: FakeBotApi) -> None:
    url = f"{botapi.base_url}{TOKEN}"
    markup = '{"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}'
    async with aiohttp.ClientSession() as session:
        async with session.post(f"{url}/sendMessage", json={"chat_id": "1001", "text": "42"}) as response:
            assert (await response.json())["ok"]
        form = {"chat_id": "1001", "text": "true", "reply_markup": markup}
        async with session.post(f"{url}/sendMessage", data=form) as response:
            assert (await response.json())["result"]["reply_markup"]["inline_keyboard"][0][0]["text"] == "A"
        multipart = aiohttp.FormData()
        multipart.add_field("chat_id", "1001")
        multipart.add_field("caption", "123")
        multipart.add_field("document", b"hello", filename="hi.txt", content_type="text/plain")
        async with session.post(f"{url}/sendDocument", data=multipart) as response:
            assert (await response.json())["result"]["document"]["file_name"] == "hi.txt"
        async with session.get(f"{url}/getChat", params={"chat_id": "1001"}) as response:
            assert (await response.json())["result"]["id"] == 1001
        async with session.post(f"{botapi.base_url}999:WRONG/getMe") as response:
            assert response.status == 401
    as_json, as_form, as_multipart, as_get = botapi.sent()
    assert as_json.params == {"chat_id": 1001, "text": "42"}  # text stays a string
    assert as_form.params["text"] == "true"
    assert as_form.params["reply_markup"] == {"inline_keyboard": [[{"text": "A", "callback_data": "a"}]]}
    assert as_multipart.params == {"chat_id": 1001, "caption": "123"}
    assert as_multipart.files["document"].content == b"hello"
    assert as_get.method == "getChat"


async def test_long_poll_offsets_conflict_and_shutdown(botapi: FakeBotApi) -> None:
    url = f"{botapi.base_url}{TOKEN}/getUpdates"
    async with aiohttp.ClientSession() as session:

        async def poll(**params: Any) -> dict[str, Any]:
            async with session.post(url, json=params) as response:
                body: dict[str, Any] = await response.json()
                return body

        parked = asyncio.create_task(poll(timeout=30))
        await botapi.wait_until(lambda: botapi.parked_polls == 1, what="a parked poll")
        update = botapi.user_message("hi")
        first = await parked
        assert [u["update_id"] for u in first["result"]] == [botapi.updates[-1]["update_id"]]
        assert first["result"][0]["message"] == update
        again = await poll(timeout=0)  # not confirmed yet: delivered again
        assert len(again["result"]) == 1
        confirmed = await poll(offset=botapi.updates[-1]["update_id"] + 1, timeout=0)
        assert confirmed["result"] == []

        older = asyncio.create_task(poll(timeout=30))
        await botapi.wait_until(lambda: botapi.parked_polls == 1, what="a parked poll")
        newer = asyncio.create_task(poll(timeout=30))
        conflict = await older
        assert conflict["error_code"] == 409
        await botapi.wait_until(lambda: botapi.parked_polls == 1, what="the newer poll to park")
        started = time.perf_counter()
        await botapi.stop()
        assert (await newer)["result"] == []
        assert time.perf_counter() - started < 1.0


async def test_wait_for_timeout_lists_recorded_calls(botapi: FakeBotApi) -> None:
    async with bot_for(botapi) as bot:
        await bot.send_message(botapi.default_user.id, "only this")
    with pytest.raises(AssertionError) as caught:
        await botapi.wait_for("editMessageText", timeout=0.05)
    report = str(caught.value)
    assert "timed out after 0.05s waiting for 1 editMessageText call(s)" in report
    assert '"text": "only this"' in report


async def test_fail_next_scoping_and_defaults(botapi: FakeBotApi) -> None:
    other = botapi.user("Carol")
    async with bot_for(botapi) as bot:  # initialize() calls getMe: inject after it
        botapi.fail_next("sendMessage", 400, chat_id=other.id, times=2)
        botapi.fail_next("*", 500)
        with pytest.raises(Exception, match="Internal Server Error"):
            await bot.send_chat_action(botapi.default_user.id, "typing")
        await bot.send_message(botapi.default_user.id, "unaffected")
        for _ in range(2):
            with pytest.raises(BadRequest, match=r"(?i)injected"):
                await bot.send_message(other.id, "x")
        await bot.send_message(other.id, "recovered")
    assert [call.status for call in botapi.sent()] == [200, 500, 200, 400, 400, 200]  # getMe first


# --------------------------------------------------------------------------------------------------------
# Update JSON built by the simulated users parses in PTB
# --------------------------------------------------------------------------------------------------------


async def test_simulated_updates_parse_in_ptb(botapi: FakeBotApi) -> None:
    carol = botapi.user("Carol", username="carol", language_code="de")
    group = botapi.group()
    async with bot_for(botapi) as bot:
        sent = await bot.send_message(
            carol.id,
            "Menu",
            reply_markup=InlineKeyboardMarkup([[InlineKeyboardButton("Go", callback_data="go")]]),
        )
        botapi.user_message("héllo 👋 /echo@dossier_test_bot x", user=carol, chat=group)
        botapi.press_button(botapi.last_message(carol.id), "go")
        botapi.inline_query("abc", user=carol, offset="10")
        botapi.user_document(b"%PDF", "a.pdf", user=carol)
        botapi.channel_post("post")
        parsed = [Update.de_json(update, bot) for update in botapi.updates]
    message, callback, inline, document, post = parsed
    assert message.effective_message is not None and message.effective_user is not None
    assert message.effective_user.language_code == "de"
    assert list(message.effective_message.parse_entities([MessageEntity.BOT_COMMAND]).values()) == [
        f"/echo@{BOT_USERNAME}"
    ]
    assert callback.callback_query is not None and callback.callback_query.message is not None
    assert callback.callback_query.message.message_id == sent.message_id
    assert callback.callback_query.chat_instance and callback.callback_query.data == "go"
    assert inline.inline_query is not None and inline.inline_query.offset == "10"
    assert document.effective_message is not None and document.effective_message.document is not None
    assert document.effective_message.document.mime_type == "application/pdf"
    assert post.channel_post is not None and post.channel_post.sender_chat is not None
