"""The fake server itself: :class:`FakeBotApi`, its aiohttp HTTP layer and its PTB ``Application`` glue."""

from __future__ import annotations

import contextlib
import datetime as dtm
import inspect
import json
import logging
from collections.abc import AsyncIterator, Mapping, Sequence
from typing import Any, Final

from aiohttp import web
from telegram.error import TelegramError
from telegram.ext import ApplicationBuilder, BaseRateLimiter, CallbackContext

from tests.fakebotapi.faults import FaultInjection
from tests.fakebotapi.methods import BotApiMethods
from tests.fakebotapi.recording import Recording
from tests.fakebotapi.users import SimulatedUsers
from tests.fakebotapi.values import (
    BOT_USERNAME,
    TOKEN,
    AnyApplication,
    AnyApplicationBuilder,
    ApiError,
    ApiRequest,
    JSONDict,
    UploadedFile,
)

_LOGGER = logging.getLogger(__name__)


# Parameters whose Bot API type is String.  PTB form-encodes every value with ``json.dumps`` *except*
# strings, so a text of "42" arrives as ``42``; these names are never JSON-decoded.
_STRING_PARAMS: Final = frozenset(
    {
        "action",
        "animation",
        "audio",
        "business_connection_id",
        "callback_query_id",
        "caption",
        "currency",
        "custom_title",
        "description",
        "document",
        "emoji",
        "explanation",
        "file_id",
        "first_name",
        "icon_custom_emoji_id",
        "inline_message_id",
        "inline_query_id",
        "invite_link",
        "ip_address",
        "language_code",
        "last_name",
        "message_effect_id",
        "name",
        "next_offset",
        "parse_mode",
        "payload",
        "photo",
        "provider_token",
        "query",
        "question",
        "secret_token",
        "short_description",
        "start_parameter",
        "sticker",
        "switch_pm_parameter",
        "switch_pm_text",
        "text",
        "thumbnail",
        "title",
        "url",
        "username",
        "video",
        "video_note",
        "voice",
    }
)


class FakeBotApi(SimulatedUsers, BotApiMethods, FaultInjection, Recording):
    """Fake Bot API server plus simulated users, call recording and fault injection.

    Everything runs in the test's event loop: the simulated-user methods are synchronous (they only queue
    updates), the waiting helpers are coroutines.  See the package docstring for an example.

    The class is assembled from mixins over one shared state (:class:`BotApiState`, state.py): users.py
    (simulated users), methods.py and updates.py (the Bot API methods), messages.py and directory.py (what
    the server knows), faults.py, recording.py; this module adds the HTTP layer and the PTB glue.
    """

    def __init__(
        self,
        *,
        token: str = TOKEN,
        username: str = BOT_USERNAME,
        first_name: str = "Dossier",
        strict: bool = True,
        strict_chats: bool = False,
        check_markup: bool = True,
    ) -> None:
        """Create a server (not yet listening; call :meth:`start` or use the :func:`botapi` fixture).

        ``strict``: the fixture fails the test at teardown if the bot called a method this server does not
        know (PTB turns the 404 into ``InvalidToken``/``EndPointNotFound``, which handlers may swallow).
        ``strict_chats``: unknown chat ids answer ``400 chat not found`` instead of being created on the fly.
        ``check_markup``: validate parse_mode markup like Telegram does (see :func:`render_text`).
        """
        super().__init__(
            token=token,
            username=username,
            first_name=first_name,
            strict=strict,
            strict_chats=strict_chats,
            check_markup=check_markup,
        )
        self.default_user = self.user("Alice", last_name="Example", username="alice")
        self._register_builtin_methods()

    # ---------------------------------------------------------------------------------------- lifecycle

    async def start(self) -> None:
        """Listen on 127.0.0.1 at a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/bot{token}/{method}", self._handle_api)
        app.router.add_route("GET", "/file/bot{token}/{file_path:.+}", self._handle_file)
        # shutdown_timeout: aiohttp otherwise waits up to 60 s for in-flight handlers on cleanup.
        self._runner = web.AppRunner(app, access_log=None, shutdown_timeout=2.0)
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self._port = int(self._runner.addresses[0][1])

    async def stop(self) -> None:
        """Stop listening; parked ``getUpdates`` and injected delays return at once so teardown is fast."""
        self._closing.set()
        for poller in list(self._pollers):
            if not poller.done():
                poller.set_result("closing")
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> FakeBotApi:
        await self.start()
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        await self.stop()

    @property
    def port(self) -> int:
        if self._port is None:
            raise RuntimeError("FakeBotApi is not started")
        return self._port

    @property
    def base_url(self) -> str:
        """For ``ApplicationBuilder().base_url()``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """For ``ApplicationBuilder().base_file_url()``; PTB appends the token."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    @property
    def parked_polls(self) -> int:
        """How many ``getUpdates`` requests are parked waiting for an update (1 once a bot is polling)."""
        return len(self._pollers)

    def problems(self) -> list[str]:
        """What the fixture fails on at teardown: crashes in this fake and (if strict) unknown methods."""
        found = [f"FakeBotApi crashed: {error}" for error in self.server_errors]
        if self.strict:
            found.extend(
                f"bot called unknown Bot API method {call.method!r} (add it to tests/fakebotapi/methods.py "
                "or use botapi.set_handler())"
                for call in self.unknown_methods
            )
        return found

    # ------------------------------------------------------------------------------- PTB application glue

    def builder(self) -> AnyApplicationBuilder:
        """An ``ApplicationBuilder`` with token, ``base_url`` and ``base_file_url`` set; add the rest."""
        builder: AnyApplicationBuilder = ApplicationBuilder()
        return builder.token(self.token).base_url(self.base_url).base_file_url(self.base_file_url)

    def build_app(self, *, rate_limiter: BaseRateLimiter[Any] | None = None) -> AnyApplication:
        """A default PTB ``Application`` talking to this server (optionally with e.g. ``AIORateLimiter``)."""
        builder = self.builder()
        if rate_limiter is not None:
            builder = builder.rate_limiter(rate_limiter)
        return builder.build()

    @contextlib.asynccontextmanager
    async def running(
        self,
        app: AnyApplication,
        *,
        poll_timeout: float = 10.0,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool = False,
        fail_on_handler_errors: bool = True,
    ) -> AsyncIterator[AnyApplication]:
        """Run ``app`` in-process exactly as ``Application.run_polling`` would, then shut it down.

        Order (PTB 22's ``run_polling``): ``initialize -> post_init -> updater.start_polling -> start``,
        teardown ``updater.stop -> stop -> post_stop -> shutdown -> post_shutdown``.  ``initialize()`` does
        *not* call ``post_init`` -- only ``run_polling``/``run_webhook`` do -- so it is called here, as are
        ``post_stop`` and ``post_shutdown``.  ``poll_interval`` is 0 and ``getUpdates`` long-polls with
        ``poll_timeout``; the server answers a parked poll as soon as an update is queued.

        Exceptions raised by the bot's handlers are collected in :attr:`handler_errors` (and logged) by an
        extra error handler; with ``fail_on_handler_errors`` the block fails at exit if any are left --
        ``clear()`` the list after asserting on errors you expected.
        """
        updater = app.updater
        if updater is None:
            raise RuntimeError("running() needs an Application with an Updater")
        self._app = app
        leftover: list[BaseException] = []
        app.add_error_handler(self._on_handler_error)
        try:
            await app.initialize()
            if app.post_init is not None:
                await app.post_init(app)
            await updater.start_polling(
                poll_interval=0,
                timeout=dtm.timedelta(seconds=poll_timeout),
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
                error_callback=self._on_polling_error,
            )
            await app.start()
            yield app
            leftover = list(self.handler_errors) if fail_on_handler_errors else []
        finally:
            if updater.running:
                await updater.stop()
            if app.running:
                await app.stop()
                if app.post_stop is not None:
                    await app.post_stop(app)
            await app.shutdown()
            if app.post_shutdown is not None:
                await app.post_shutdown(app)
            app.remove_error_handler(self._on_handler_error)
            self._app = None
        if leftover:
            summary = "; ".join(f"{type(error).__name__}: {error}" for error in leftover)
            message = f"the bot's handlers raised {len(leftover)} exception(s): {summary}"
            raise AssertionError(message) from leftover[0]

    async def _on_handler_error(self, update: object, context: CallbackContext[Any, Any, Any, Any]) -> None:
        error = context.error
        if error is None:
            return
        _LOGGER.error("handler raised while processing %r", update, exc_info=error)
        self.handler_errors.append(error)
        self._notify()

    def _on_polling_error(self, error: TelegramError) -> None:
        """PTB's default callback only logs; keep the error for :meth:`report` too."""
        _LOGGER.error("getUpdates polling failed: %s", error, exc_info=error)
        self.polling_errors.append(error)
        self._notify()

    # ------------------------------------------------------------------------------------ HTTP layer

    async def _handle_api(self, request: web.Request) -> web.StreamResponse:
        raw_method = request.match_info["method"]
        if request.match_info["token"] != self.token:
            body = {"ok": False, "error_code": 401, "description": "Unauthorized"}
            return web.json_response(body, status=401)
        try:
            params, files = await self._read_params(request)
        except ApiError as exc:
            self._record(raw_method, {}, {}, exc.status, exc.body())
            return web.json_response(exc.body(), status=exc.status)
        method = self._canonical.get(raw_method.lower())
        if method is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found: method not found"}
            _LOGGER.error(
                "FakeBotApi: the bot called %r, which this fake does not implement -- answering 404 "
                "(PTB raises InvalidToken/EndPointNotFound). Add it to tests/fakebotapi/methods.py or use "
                "botapi.set_handler().",
                raw_method,
            )
            self.unknown_methods.append(self._record(raw_method, params, files, 404, body))
            return web.json_response(body, status=404)

        status, body = await self._dispatch(method, params, files)
        self._record(method, params, files, status, body)
        return web.json_response(body, status=status)

    async def _dispatch(
        self, method: str, params: JSONDict, files: Mapping[str, UploadedFile]
    ) -> tuple[int, JSONDict]:
        fault = await self._faulted(method, params)
        if fault is not None:
            return fault.status, fault.body()
        try:
            result = self._handlers[method](ApiRequest(method=method, params=params, files=files))
            if inspect.isawaitable(result):
                result = await result
        except ApiError as exc:
            return exc.status, exc.body()
        except Exception as exc:
            _LOGGER.exception("FakeBotApi crashed handling %s %r", method, params)
            self.server_errors.append(f"{method}: {type(exc).__name__}: {exc}")
            self._notify()
            description = f"Internal Server Error: FakeBotApi: {exc}"
            return 500, {"ok": False, "error_code": 500, "description": description}
        return 200, {"ok": True, "result": result}

    async def _read_params(self, request: web.Request) -> tuple[JSONDict, dict[str, UploadedFile]]:
        params: JSONDict = {key: _decode_value(key, value) for key, value in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if not request.body_exists:
            return params, files
        if request.content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
            form = await request.post()
            for key, value in form.items():
                if isinstance(value, web.FileField):
                    files[key] = UploadedFile(
                        field=key,
                        filename=value.filename,
                        content_type=value.content_type,
                        content=value.file.read(),
                    )
                else:
                    text = value.decode() if isinstance(value, bytes | bytearray) else str(value)
                    params[key] = _decode_value(key, text)
            return params, files
        raw = await request.read()
        try:
            body = json.loads(raw) if raw.strip() else {}
        except ValueError:
            raise ApiError(400, "Bad Request: can't parse JSON object") from None
        if not isinstance(body, dict):
            raise ApiError(400, "Bad Request: JSON body must be an object")
        params.update({key: _decode_value(key, value) for key, value in body.items()})
        return params, files

    async def _handle_file(self, request: web.Request) -> web.StreamResponse:
        path = request.match_info["file_path"]
        stored = self._files_by_path.get(path) if request.match_info["token"] == self.token else None
        if stored is None:
            body = {"ok": False, "error_code": 404, "description": "Not Found"}
            _LOGGER.warning("FakeBotApi: download of unknown file path %r", path)
            self._record("downloadFile", {"file_path": path}, {}, 404, body)
            return web.json_response(body, status=404)
        self._record("downloadFile", {"file_path": path}, {}, 200, {"ok": True, "result": stored.file_id})
        content_type = stored.mime_type or "application/octet-stream"
        return web.Response(body=stored.content, headers={"Content-Type": content_type})


def _decode_value(name: str, value: Any) -> Any:
    """Undo PTB's form encoding: every non-string value was ``json.dumps``-ed, strings were sent as is."""
    if not isinstance(value, str) or name in _STRING_PARAMS:
        return value
    try:
        return json.loads(value)
    except ValueError:
        return value
