"""A fake Telegram Bot API server that Dossier's tests run the real bot against.

Why a server and not mocks: python-telegram-bot (PTB) objects are frozen, its own test-suite uses hand-built
``Update`` objects, and none of the public emulators start with PTB 22 (see
``/work/shared/notes/testing-ptb.md``).  Speaking HTTP on 127.0.0.1 lets the bot run exactly as in
production -- the real ``Application``, ``Updater`` long polling, ``HTTPXRequest``, ``AIORateLimiter``,
``get_file`` + download -- while every response is parsed by PTB's ``de_json``, which is the contract
check: a field the server forgets that PTB declares required fails the test loudly.

The pieces, top to bottom:

* :class:`FakeBotApi` (server.py) -- an aiohttp server on ``127.0.0.1:<random port>`` with

  - the Bot API methods a bot like Dossier calls, with realistic errors (``message is not modified``,
    ``can't parse entities``, ``bot was blocked by the user``, migrated groups, unknown query ids)
    (methods.py, updates.py; parse_mode rendering in entities.py);
  - a *simulated users* API (:meth:`FakeBotApi.user_message`, :meth:`FakeBotApi.press_button`, ...)
    that builds Bot API ``Update`` JSON and queues it for ``getUpdates`` (users.py);
  - recording of every call (:attr:`FakeBotApi.calls`, :meth:`FakeBotApi.sent`,
    :meth:`FakeBotApi.wait_for`; recording.py) and of the messages in every chat, so a test can read a
    message's current text after the bot edited it (messages.py);
  - fault injection (:meth:`FakeBotApi.fail_next`, :meth:`FakeBotApi.delay`; faults.py).

* :meth:`FakeBotApi.build_app` / :meth:`FakeBotApi.builder` -- a PTB ``Application`` pointed at it.
* :meth:`FakeBotApi.running` -- runs an ``Application`` in-process the way ``run_polling`` does.
* :func:`botapi` -- the pytest fixture (one server per test; fixture.py).

Usage (``conftest.py`` registers this package as a plugin, ``pytest_plugins = ["tests.fakebotapi"]``, which
provides the fixture and has pytest rewrite the asserts in it)::

    from tests.fakebotapi import FakeBotApi

    async def test_start(botapi: FakeBotApi) -> None:
        app = botapi.build_app()
        app.add_handler(CommandHandler("start", start))
        async with botapi.running(app):
            botapi.user_message("/start")
            call = await botapi.wait_for("sendMessage")
        assert call.params["text"] == "Hello, Alice!"

Synchronisation never uses sleeps: :meth:`FakeBotApi.wait_for` returns as soon as the call arrives and
:meth:`FakeBotApi.settle` returns once the bot has fetched *and processed* every queued update (use it
before asserting that the bot did *not* do something).
"""

import os

from tests.fakebotapi.entities import command_entities, render_text
from tests.fakebotapi.fixture import botapi, botapi_fixture
from tests.fakebotapi.server import FakeBotApi
from tests.fakebotapi.values import (
    BOT_ID,
    BOT_USERNAME,
    TOKEN,
    AnyApplication,
    ApiError,
    ApiRequest,
    Call,
    FakeChat,
    FakeUser,
    JSONDict,
    StoredFile,
    TrackedMessage,
    UploadedFile,
)

# PTB 22.2+ warns (PTBDeprecationWarning) whenever a time period is read as an int unless this is set; the
# project runs pytest with ``filterwarnings = error``.  PTB reads the variable at call time, so setting it
# here, before any test code runs, is enough.
os.environ.setdefault("PTB_TIMEDELTA", "1")

__all__ = [
    "BOT_ID",
    "BOT_USERNAME",
    "TOKEN",
    "AnyApplication",
    "ApiError",
    "ApiRequest",
    "Call",
    "FakeBotApi",
    "FakeChat",
    "FakeUser",
    "JSONDict",
    "StoredFile",
    "TrackedMessage",
    "UploadedFile",
    "botapi",
    "botapi_fixture",
    "command_entities",
    "render_text",
]
