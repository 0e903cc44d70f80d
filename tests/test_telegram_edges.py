"""The Telegram issue's remaining promises, each through the fake Bot API server with the real Application:
a failing command-menu registration, webhook mode with its secret token, every command in /help, the
members-only policy for admins, allowed user ids, buttons and the membership cache, and a crash inside a
button handler."""

from __future__ import annotations

import asyncio
import html
import logging
import signal
import socket
import sys
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from bot.commands import COMMANDS
from handlers.caller import NOT_ALLOWED
from handlers.errors import SORRY
from handlers.ratelimit import NETWORK_RETRIES
from tests.conftest import REPO, Runner, bot_env
from tests.fakebotapi import TOKEN, FakeBotApi


async def test_a_failing_command_menu_is_logged_and_the_bot_carries_on(
    botapi: FakeBotApi, run_bot: Runner, caplog: pytest.LogCaptureFixture
) -> None:
    # Failing on every try (the transport retries a 5xx itself before giving up).
    botapi.fail_next(
        "setMyCommands", status=500, description="Internal Server Error", times=NETWORK_RETRIES + 1
    )
    with caplog.at_level(logging.WARNING, logger="handlers.app"):
        async with run_bot():
            refused = await botapi.wait_for("setMyCommands", ok=False)
            assert refused.status == 500
            botapi.user_message("/help")
            helped = await botapi.wait_for("sendMessage")
    assert any("could not register the command menu" in r.getMessage() for r in caplog.records)
    text = helped.params["text"]
    for cmd in (c for c in COMMANDS if not c.admin_only):  # every command a user may use, with an example
        example = html.escape(cmd.example, quote=False)
        assert f"/{cmd.name}" in text and f"<code>/{example}</code>" in text, cmd.name
    assert not botapi.sent("setMyCommands", ok=True)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


async def listening(port: int, timeout: float = 10.0) -> None:  # noqa: ASYNC109
    """PTB registers the webhook (setWebhook) before its server listens: wait for the port to open."""
    async with asyncio.timeout(timeout):
        while True:
            try:
                _, writer = await asyncio.open_connection("127.0.0.1", port)
            except OSError:
                await asyncio.sleep(0.05)
                continue
            writer.close()
            await writer.wait_closed()
            return


async def test_webhook_mode_answers_only_calls_with_the_secret(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """``python -m bot run`` with DOSSIER_WEBHOOK_URL: PTB's webhook server registers itself with the
    secret and refuses updates that do not carry it."""
    port, secret = free_port(), "s3cret-Token_123"
    env = bot_env(
        botapi,
        big_corpus,
        data_dir,
        DOSSIER_WEBHOOK_URL=f"http://127.0.0.1:{port}/hook/",
        DOSSIER_WEBHOOK_LISTEN="127.0.0.1",
        DOSSIER_WEBHOOK_PORT=str(port),
        DOSSIER_WEBHOOK_SECRET=secret,
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        registered = await botapi.wait_for("setWebhook", timeout=30)
        url = registered.params["url"]
        assert url.startswith(f"http://127.0.0.1:{port}/hook/") and len(url) > len("http://127.0.0.1:/hook/")
        assert registered.params["secret_token"] == secret
        await listening(port)
        message = botapi.user_message("/search zas valdai")
        update: dict[str, Any] = {"update_id": 1, "message": message}
        async with aiohttp.ClientSession() as session:
            for wrong in ({}, {"X-Telegram-Bot-Api-Secret-Token": "guess"}):
                async with session.post(url, json=update, headers=wrong) as response:
                    assert response.status == 403
            right = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(url, json={**update, "update_id": 2}, headers=right) as response:
                assert response.status == 200
        sent = await botapi.wait_for("sendMessage", timeout=10)
        assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
        assert len(botapi.sent("sendMessage")) == 1  # the refused calls were not answered
        assert not botapi.sent("getUpdates")  # no polling in webhook mode
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, stderr.decode()


async def test_members_only_admins_allowed_ids_buttons_and_the_membership_cache(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    team = botapi.group(title="Team", supergroup=True)
    admin, listed, member, stranger = (botapi.user(n) for n in ("Ada", "Lee", "Mia", "Sam"))
    botapi.set_member(team, member, "member")
    elsewhere = botapi.group(title="Elsewhere")
    async with run_bot(
        DOSSIER_ACCESS="members",
        DOSSIER_ALLOWED_CHAT_IDS=str(team.id),
        DOSSIER_ADMIN_IDS=str(admin.id),
        DOSSIER_ALLOWED_USER_IDS=str(listed.id),
    ):
        for user in (admin, listed):  # neither is in the team group: the settings let them in
            botapi.user_message("/search zas", user=user)
            assert "004" in (await botapi.wait_for("sendMessage", chat_id=user.id)).params["text"]
        botapi.user_message("/search csto", user=member, chat=elsewhere)
        results = await botapi.wait_for("sendMessage", chat_id=elsewhere.id)
        assert "page 1/" in results.params["text"]
        botapi.user_message("/search zas", user=member)
        await botapi.wait_for("sendMessage", chat_id=member.id)
        member_checks = [c for c in botapi.sent("getChatMember") if c.params["user_id"] == member.id]
        assert len(member_checks) == 1  # the second question was answered from the cache
        # A stranger in the same group presses the member's buttons: refused, nothing edited.
        botapi.press_button(results, text="Next ›", user=stranger)
        refused = await botapi.wait_for("answerCallbackQuery")
        assert refused.params["text"] == NOT_ALLOWED and refused.params["show_alert"] is True
        botapi.press_button(results, text="Next ›", user=member)
        assert "page 2/" in (await botapi.wait_for("editMessageText")).params["text"]
        await botapi.settle()
        assert len(botapi.sent("editMessageText")) == 1


async def test_a_crash_in_a_button_handler_is_logged_with_its_update_and_answered(
    botapi: FakeBotApi, run_bot: Runner, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    from bot.commands import Commands

    def explode(self: Commands, *args: Any, **kwargs: Any) -> Any:
        raise RuntimeError("simulated bug in paging")

    async with run_bot():
        botapi.user_message("/search csto")
        first = await botapi.wait_for("sendMessage")
        monkeypatch.setattr(Commands, "search_page", explode)
        with caplog.at_level(logging.ERROR, logger="handlers.errors"):
            pressed = botapi.press_button(first, text="Next ›")
            sorry = await botapi.wait_for("answerCallbackQuery")
            await botapi.wait_until(lambda: bool(botapi.handler_errors))
        assert sorry.params["text"] == SORRY and sorry.params["show_alert"] is True
        assert [type(e) for e in botapi.handler_errors] == [RuntimeError]
        botapi.handler_errors.clear()
        logged = [r for r in caplog.records if r.name == "handlers.errors"]
        assert logged and logged[0].exc_info is not None and pressed["id"] in logged[0].getMessage()
        monkeypatch.undo()
        botapi.press_button(first, text="Next ›")
        assert "page 2/" in (await botapi.wait_for("editMessageText")).params["text"]


async def test_the_base_url_serves_api_calls_and_file_downloads(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """TELEGRAM_API_BASE_URL is the server root (a trailing slash is fine): methods and files go there."""
    from bot.core import Dossier
    from bot.settings import load_settings
    from handlers.app import build_application

    stored = botapi.register_file(b"Report text\n", file_name="report.txt")
    settings = load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{botapi.port}/",
        DOSSIER_CORPUS_DIR=str(big_corpus),
        DOSSIER_DATA_DIR=str(data_dir),
    )
    dossier = Dossier.open(data_dir)
    try:
        async with botapi.running(build_application(settings, dossier)) as app:
            telegram_file = await app.bot.get_file(stored.file_id)
            assert bytes(await telegram_file.download_as_bytearray()) == b"Report text\n"
    finally:
        dossier.close()
    assert botapi.sent("getFile", ok=True) and botapi.sent("downloadFile", ok=True)


async def test_membership_checks_are_not_paced_like_messages_to_the_group(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    """Each new user costs a getChatMember on the team group; AIORateLimiter's 20-a-minute group bucket
    would hold the 21st user of a minute for three seconds, the 25th for fifteen."""
    team = botapi.group(title="Team", supergroup=True)
    users = [botapi.user(f"Member{i}") for i in range(25)]
    for user in users:
        botapi.set_member(team, user, "member")
    async with run_bot(DOSSIER_ACCESS="members", DOSSIER_ALLOWED_CHAT_IDS=str(team.id)):
        await botapi.wait_for("setMyCommands")
        botapi.fail_next("getChatMember", status=429, retry_after=0.05)  # still waited out and retried
        for user in users:
            botapi.user_message("/search zas", user=user)
        answers = await botapi.wait_for_all("sendMessage", count=len(users), timeout=8)
    assert {c.chat_id for c in answers} == {u.id for u in users}
    assert all("004" in c.params["text"] for c in answers)
    assert len(botapi.sent("getChatMember", ok=True)) == len(users)
    assert len(botapi.sent("getChatMember", ok=False)) == 1
