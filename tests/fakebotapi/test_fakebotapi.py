"""Tests of the fake Bot API server (the tests/fakebotapi package) with a tiny real PTB application.

Each test drives the bot through the simulated-users API and checks both sides: what PTB parsed (so the
server's JSON shapes satisfy PTB's ``de_json``) and what the server recorded.  Synchronisation is always
``wait_for``/``settle``/futures, never sleeps, so a regression shows up as a failure, not a flaky pass.
"""

from __future__ import annotations

import asyncio
import string
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
    InlineQueryResultArticle,
    InputTextMessageContent,
    MessageEntity,
    Update,
)
from telegram.constants import ParseMode
from telegram.error import BadRequest, ChatMigrated, EndPointNotFound, Forbidden
from telegram.ext import (
    AIORateLimiter,
    CallbackQueryHandler,
    ChatMemberHandler,
    CommandHandler,
    ContextTypes,
    InlineQueryHandler,
    MessageHandler,
    filters,
)
from telegram.helpers import escape_markdown

from tests.fakebotapi import (
    BOT_USERNAME,
    TOKEN,
    AnyApplication,
    ApiError,
    FakeBotApi,
    botapi_fixture,  # noqa: F401  (provides the "botapi" fixture)
    command_entities,
    render_text,
)

# --------------------------------------------------------------------------------------------------------
# The tiny bot under test
# --------------------------------------------------------------------------------------------------------


async def echo(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    await update.effective_message.reply_text(" ".join(context.args or []) or "empty")


async def menu(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_message is not None
    keyboard = InlineKeyboardMarkup(
        [
            [
                InlineKeyboardButton("Yes", callback_data="choice:yes"),
                InlineKeyboardButton("No", callback_data="choice:no"),
            ]
        ]
    )
    await update.effective_message.reply_text("Pick one", reply_markup=keyboard)


async def on_choice(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.callback_query
    assert query is not None and query.data is not None
    choice = query.data.removeprefix("choice:")
    await query.answer(f"Saved {choice}")
    await query.edit_message_text(f"You chose {choice}")


async def on_inline(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    query = update.inline_query
    assert query is not None
    result = InlineQueryResultArticle(
        id="1", title=f"Search: {query.query}", input_message_content=InputTextMessageContent(query.query)
    )
    await query.answer([result], cache_time=0)


async def on_document(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    message = update.effective_message
    assert message is not None and message.document is not None
    file = await message.document.get_file()
    data = await file.download_as_bytearray()
    await message.reply_text(f"{message.document.file_name} ({message.caption}): {bytes(data).decode()}")


async def whoami(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """Exercises getChatMember, getChat (ChatFullInfo) and set/getMyCommands through PTB's parsers."""
    message, user = update.effective_message, update.effective_user
    assert message is not None and user is not None
    member = await context.bot.get_chat_member(message.chat_id, user.id)
    chat = await context.bot.get_chat(message.chat_id)
    await context.bot.set_my_commands([("echo", "Repeat text"), ("menu", "Show a menu")])
    commands = await context.bot.get_my_commands()
    names = ",".join(command.command for command in commands)
    await message.reply_text(f"{chat.title}|{type(member).__name__}|{names}")


async def on_edit(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.edited_message is not None
    await update.edited_message.reply_text(f"edited: {update.edited_message.text}")


async def on_channel_post(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.channel_post is not None
    await context.bot.send_message(update.channel_post.chat_id, f"seen: {update.channel_post.text}")


async def on_my_chat_member(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    change = update.my_chat_member
    assert change is not None
    if change.new_chat_member.status == "member" and change.chat.type != "private":
        await context.bot.send_message(change.chat.id, "Thanks for adding me")


def make_app(api: FakeBotApi, **kwargs: Any) -> AnyApplication:
    app = api.build_app(**kwargs)
    app.add_handler(CommandHandler("echo", echo))
    app.add_handler(CommandHandler("menu", menu))
    app.add_handler(CommandHandler("whoami", whoami))
    app.add_handler(CallbackQueryHandler(on_choice, pattern=r"^choice:"))
    app.add_handler(InlineQueryHandler(on_inline))
    app.add_handler(MessageHandler(filters.Document.ALL, on_document))
    app.add_handler(MessageHandler(filters.UpdateType.EDITED_MESSAGE & filters.TEXT, on_edit))
    app.add_handler(MessageHandler(filters.UpdateType.CHANNEL_POST, on_channel_post))
    app.add_handler(ChatMemberHandler(on_my_chat_member, ChatMemberHandler.MY_CHAT_MEMBER))
    return app


def bot_for(api: FakeBotApi) -> Bot:
    """A bare ``Bot`` (no Application) for tests of single methods."""
    return Bot(TOKEN, base_url=api.base_url, base_file_url=api.base_file_url)


# --------------------------------------------------------------------------------------------------------
# End-to-end through a running Application
# --------------------------------------------------------------------------------------------------------


async def test_startup_handshake_and_get_me(botapi: FakeBotApi) -> None:
    app = make_app(botapi)
    async with botapi.running(app):
        me = await app.bot.get_me()
        await botapi.wait_until(lambda: botapi.parked_polls == 1, what="a parked long poll")
    assert app.bot.username == BOT_USERNAME
    assert me.is_bot and me.can_join_groups and me.supports_inline_queries
    assert [call.method for call in botapi.sent()][:2] == ["getMe", "deleteWebhook"]
    assert {call.params["timeout"] for call in botapi.sent("getUpdates")} == {10, 0}  # long poll, cleanup


async def test_echo_in_private_chat_and_message_ids_increase(botapi: FakeBotApi) -> None:
    async with botapi.running(make_app(botapi)):
        botapi.user_message("/echo hello world")
        first = await botapi.wait_for("sendMessage")
        botapi.user_message("/echo again")
        second = await botapi.wait_for("sendMessage")
    chat_id = botapi.default_user.id
    assert (first.chat_id, first.params["text"]) == (chat_id, "hello world")
    assert second.params["text"] == "again"
    assert "reply_parameters" not in first.params  # PTB quotes only outside private chats
    assert second.result["message_id"] > first.result["message_id"]
    assert [m.text for m in botapi.messages(chat_id)] == ["hello world", "again"]
    assert [m.text for m in botapi.messages(chat_id, from_bot=False)] == ["/echo hello world", "/echo again"]


async def test_group_command_for_another_bot_is_ignored(botapi: FakeBotApi) -> None:
    group = botapi.group()
    async with botapi.running(make_app(botapi)):
        botapi.user_message("/echo@other_bot nope", chat=group)
        await botapi.settle()
        assert botapi.sent("sendMessage") == []
        sent = botapi.user_message(f"/echo@{BOT_USERNAME} yes", chat=group)
        call = await botapi.wait_for("sendMessage", chat_id=group.id)
    assert call.params["text"] == "yes"
    assert call.params["reply_parameters"]["message_id"] == sent["message_id"]
    assert call.result["reply_to_message"]["text"] == f"/echo@{BOT_USERNAME} yes"


async def test_inline_keyboard_callback_answers_and_edits(botapi: FakeBotApi) -> None:
    async with botapi.running(make_app(botapi)):
        botapi.user_message("/menu")
        sent = await botapi.wait_for("sendMessage")
        assert sent.params["reply_markup"]["inline_keyboard"][0][1]["callback_data"] == "choice:no"
        query = botapi.press_button(sent, text="Yes")
        answer = await botapi.wait_for("answerCallbackQuery")
        edit = await botapi.wait_for("editMessageText")
    message = botapi.message(sent.chat_id, sent.result["message_id"])
    assert answer.params == {"callback_query_id": query["id"], "text": "Saved yes"}
    assert edit.params["message_id"] == sent.result["message_id"]
    assert message.text == "You chose yes"
    assert message.reply_markup is None  # an edit without reply_markup drops the keyboard, as on Telegram
    assert [version["text"] for version in message.versions] == ["Pick one"]
    with pytest.raises(ValueError, match="no callback button"):
        botapi.press_button(message, text="Yes")


async def test_inline_query_is_answered(botapi: FakeBotApi) -> None:
    async with botapi.running(make_app(botapi)):
        query = botapi.inline_query("quarterly report")
        call = await botapi.wait_for("answerInlineQuery")
    assert call.params["inline_query_id"] == query["id"]
    [result] = call.params["results"]
    assert (result["type"], result["title"]) == ("article", "Search: quarterly report")
    assert botapi.inline_answers[query["id"]]["cache_time"] == 0


async def test_document_is_downloaded_by_the_bot(botapi: FakeBotApi) -> None:
    async with botapi.running(make_app(botapi)):
        message = botapi.user_document(b"quarterly numbers", "report.txt", caption="/ingest now")
        reply = await botapi.wait_for("sendMessage")
    assert reply.params["text"] == "report.txt (/ingest now): quarterly numbers"
    file_id = message["document"]["file_id"]
    assert botapi.sent("getFile")[0].params["file_id"] == file_id
    download = botapi.sent("downloadFile")[0]
    assert download.ok and download.params["file_path"] == botapi.files[file_id].file_path
    assert message["caption_entities"] == [{"type": "bot_command", "offset": 0, "length": 7}]
    assert message["document"]["mime_type"] == "text/plain"


async def test_group_admin_lookup_chat_info_and_commands(botapi: FakeBotApi) -> None:
    group = botapi.group("Finance", supergroup=True)
    botapi.set_member(group, botapi.default_user, "administrator", custom_title="Boss")
    async with botapi.running(make_app(botapi)):
        botapi.user_message("/whoami", chat=group)
        reply = await botapi.wait_for("sendMessage")
    assert reply.params["text"] == "Finance|ChatMemberAdministrator|echo,menu"
    assert botapi.commands() == [
        {"command": "echo", "description": "Repeat text"},
        {"command": "menu", "description": "Show a menu"},
    ]


async def test_rate_limit_429_is_retried_by_aioratelimiter(botapi: FakeBotApi) -> None:
    botapi.fail_next("sendMessage", 429, retry_after=0.05)
    app = make_app(botapi, rate_limiter=AIORateLimiter(max_retries=2))
    async with botapi.running(app):
        botapi.user_message("/echo persistent")
        call = await botapi.wait_for("sendMessage", ok=True)
    assert call.params["text"] == "persistent"
    attempts = botapi.sent("sendMessage")
    assert [attempt.status for attempt in attempts] == [429, 200]
    assert attempts[0].response["parameters"] == {"retry_after": 0.05}
    assert botapi.messages(call.chat_id)[0].message_id == call.result["message_id"]  # the 429 had no effect


async def test_403_reaches_the_error_handler_as_forbidden(botapi: FakeBotApi) -> None:
    app = make_app(botapi)
    seen: asyncio.Future[object] = asyncio.get_running_loop().create_future()

    async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
        if not seen.done():
            seen.set_result(context.error)

    app.add_error_handler(on_error)
    botapi.fail_next("sendMessage", 403)
    async with botapi.running(app):
        botapi.user_message("/echo anyone there?")
        async with asyncio.timeout(5):
            error = await seen
        assert isinstance(error, Forbidden)
        assert error.message == "Forbidden: bot was blocked by the user"
        assert botapi.handler_errors == [error]
        botapi.handler_errors.clear()  # expected: keep running() from failing the test


async def test_blocked_user_and_my_chat_member(botapi: FakeBotApi) -> None:
    group = botapi.group()
    app = make_app(botapi)
    async with botapi.running(app):
        botapi.my_chat_member(group, new_status="member", old_status="left")
        greeting = await botapi.wait_for("sendMessage", chat_id=group.id)
        botapi.block_bot()
        await botapi.settle()
        with pytest.raises(Forbidden, match="blocked by the user"):
            await app.bot.send_message(botapi.default_user.id, "still there?")
    assert greeting.params["text"] == "Thanks for adding me"
    assert botapi.updates[-1]["my_chat_member"]["new_chat_member"]["status"] == "kicked"


async def test_forum_topic_message_is_answered_in_its_thread(botapi: FakeBotApi) -> None:
    forum = botapi.group("Projects", forum=True)
    async with botapi.running(make_app(botapi)):
        asked = botapi.user_message("/echo in topic", chat=forum, thread_id=42)
        reply = await botapi.wait_for("sendMessage")
    assert asked["is_topic_message"] is True
    assert reply.params["message_thread_id"] == 42
    assert reply.params["reply_parameters"]["message_id"] == asked["message_id"]
    assert reply.result["is_topic_message"] is True


async def test_edited_message_and_channel_post(botapi: FakeBotApi) -> None:
    channel = botapi.channel()
    async with botapi.running(make_app(botapi)):
        original = botapi.user_message("frist")
        botapi.user_edit(original, "first")
        edited_reply = await botapi.wait_for("sendMessage")
        botapi.channel_post("news", chat=channel)
        channel_reply = await botapi.wait_for("sendMessage", chat_id=channel.id)
    assert edited_reply.params["text"] == "edited: first"
    assert botapi.message(original["chat"]["id"], original["message_id"]).text == "first"
    assert channel_reply.params["text"] == "seen: news"
    assert "from" not in channel_reply.result and channel_reply.result["sender_chat"]["id"] == channel.id


async def test_handler_exception_fails_running(botapi: FakeBotApi) -> None:
    async def broken(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        raise KeyError("missing")

    app = botapi.build_app()
    app.add_handler(CommandHandler("broken", broken))
    with pytest.raises(AssertionError, match="KeyError"):
        async with botapi.running(app):
            botapi.user_message("/broken")
            await botapi.wait_until(lambda: bool(botapi.handler_errors), what="the handler to fail")


async def test_settle_waits_until_handlers_finish(botapi: FakeBotApi) -> None:
    async def slow(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
        assert update.effective_chat is not None
        await update.effective_chat.send_action("typing")  # answered late by the server
        await update.effective_chat.send_message("done")

    app = botapi.build_app()
    app.add_handler(CommandHandler("slow", slow))
    botapi.delay("sendChatAction", 0.2)
    async with botapi.running(app):
        botapi.user_message("/slow")
        started = time.perf_counter()
        await botapi.settle()
        elapsed = time.perf_counter() - started
        assert [call.params["text"] for call in botapi.sent("sendMessage")] == ["done"]
    assert elapsed >= 0.2


async def test_post_init_and_shutdown_hooks_run_in_order(botapi: FakeBotApi) -> None:
    order: list[str] = []

    async def post_init(app: AnyApplication) -> None:
        order.append(f"post_init running={app.running}")

    async def post_stop(app: AnyApplication) -> None:
        order.append("post_stop")

    async def post_shutdown(app: AnyApplication) -> None:
        order.append("post_shutdown")

    app = botapi.builder().post_init(post_init).post_stop(post_stop).post_shutdown(post_shutdown).build()
    async with botapi.running(app):
        order.append("body")
    assert order == ["post_init running=False", "body", "post_stop", "post_shutdown"]


async def test_teardown_is_fast_with_a_parked_long_poll(botapi: FakeBotApi) -> None:
    app = make_app(botapi)
    async with botapi.running(app, poll_timeout=30):
        await botapi.wait_until(lambda: botapi.parked_polls == 1, what="a parked long poll")
        started = time.perf_counter()
    await botapi.stop()
    assert time.perf_counter() - started < 1.0


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


def test_command_entities_use_utf16_offsets() -> None:
    assert command_entities("/start") == [{"type": "bot_command", "offset": 0, "length": 6}]
    assert command_entities(f"/start@{BOT_USERNAME} go") == [
        {"type": "bot_command", "offset": 0, "length": 7 + len(BOT_USERNAME)}
    ]
    assert command_entities("👋 /help") == [{"type": "bot_command", "offset": 3, "length": 5}]
    assert command_entities("see http://x/y and a/b") == []


@pytest.mark.parametrize(
    ("text", "mode", "plain"),
    [
        ("<b>bold</b> &lt;tag&gt; &amp; <a href='https://x'>link</a>", "HTML", "bold <tag> & link"),
        ('<span class="tg-spoiler">s</span><tg-spoiler>t</tg-spoiler>', "HTML", "st"),
        ("*bold \\*text*", "MarkdownV2", "bold *text"),
        (
            "__underline__ ~strike~ ||spoiler|| [link](http://example.com/a_(b\\))",
            "MarkdownV2",
            "underline strike spoiler link",
        ),
        (
            "*bold _italic bold ~strike~ __underline italic bold___ bold*",
            "MarkdownV2",
            "bold italic bold strike underline italic bold bold",
        ),
        ("```python\nprint('x.y')\n```", "MarkdownV2", "print('x.y')\n"),
        (">quote\n**>expandable\n>more||", "MarkdownV2", "quote\nexpandable\nmore"),
        ("*bold* _it_ `code` [link](http://x.y)", "Markdown", "bold it code link"),
        ("plain < text.", None, "plain < text."),
    ],
)
def test_render_text_accepts_valid_markup(text: str, mode: str | None, plain: str) -> None:
    assert render_text(text, mode) == plain


@pytest.mark.parametrize(
    ("text", "mode", "error"),
    [
        ("a < b", "HTML", 'Unsupported start tag ""'),
        ("<blink>x</blink>", "HTML", 'Unsupported start tag "blink"'),
        ("<b>x</i>", "HTML", "Unmatched end tag"),
        ("<b>x", "HTML", 'Can\'t find end tag corresponding to start tag "b"'),
        ("Done.", "MarkdownV2", "Character '.' is reserved"),
        ("1-2", "MarkdownV2", "Character '-' is reserved"),
        ("*unclosed", "MarkdownV2", "Can't find end of Bold entity at byte offset 0"),
        ("`code", "MarkdownV2", "Can't find end of Code entity"),
        ("*bad", "Markdown", "Can't find end of the entity starting at byte offset 0"),
    ],
)
def test_render_text_rejects_invalid_markup(text: str, mode: str, error: str) -> None:
    with pytest.raises(ApiError) as caught:
        render_text(text, mode)
    assert caught.value.status == 400
    assert caught.value.description.startswith("Bad Request: can't parse entities: ")
    assert error in caught.value.description


def test_escape_markdown_output_is_valid_markdown_v2() -> None:
    text = string.printable
    assert render_text(escape_markdown(text, version=2), "MarkdownV2") == text
