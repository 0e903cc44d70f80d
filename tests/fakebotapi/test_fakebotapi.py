"""Tests of the fake Bot API server (the tests/fakebotapi package) with a tiny real PTB application.

Each test drives the bot through the simulated-users API and checks both sides: what PTB parsed (so the
server's JSON shapes satisfy PTB's ``de_json``) and what the server recorded.  Synchronisation is always
``wait_for``/``settle``/futures, never sleeps, so a regression shows up as a failure, not a flaky pass.
Single calls through a bare ``Bot`` and raw HTTP are in test_server.py, text rendering in test_entities.py.
"""

from __future__ import annotations

import asyncio
import time
from typing import Any

import pytest
from telegram import (
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    InlineQueryResultArticle,
    InputTextMessageContent,
    Update,
)
from telegram.error import Forbidden
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

from tests.fakebotapi import (
    BOT_USERNAME,
    AnyApplication,
    FakeBotApi,
    botapi_fixture,  # noqa: F401  (provides the "botapi" fixture)
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
