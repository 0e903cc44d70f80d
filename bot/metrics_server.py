"""The operations listener on ``DOSSIER_METRICS_PORT``: ``/healthz`` (``bot.health``) and Prometheus
``/metrics`` (``bot.metrics``), in both polling and webhook mode, off unless the port is set.

Its own port, beside the webhook's rather than on it: PTB's ``run_webhook`` serves one route from a
tornado application of its own making with no public way to add another, and taking the webhook over
(``updater=None`` and a server of ours, as PTB's ``customwebhookbot`` example does) would mean re-doing
what ``run_webhook`` does around it (setWebhook with the secret, bootstrap retries, signals, the orderly
stop). A port of its own also keeps ``/metrics`` off the address the internet reaches through the TLS
proxy, and is the same in both modes, so the container's HEALTHCHECK need not know the mode.

A thread, not the bot's event loop: it starts before the Dossier opens, so ``/healthz`` answers 503
"starting" while the index loads (which can take a minute) instead of refusing connections, and a busy
event loop never delays a health check. Each request is served in a thread of its own.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from socketserver import ThreadingMixIn
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server
from wsgiref.types import StartResponse, WSGIEnvironment

from prometheus_client import CollectorRegistry, make_wsgi_app

from bot.health import Health
from bot.settings import Settings, SettingsError

log = logging.getLogger(__name__)


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True  # a scrape in progress never holds up the bot's exit


class _QuietHandler(WSGIRequestHandler):
    def log_message(self, format: str, *args: Any) -> None:
        """Not a line per scrape on stderr (Prometheus scrapes every 15 s, Docker checks every 30 s)."""


def ops_app(registry: CollectorRegistry, health: Health) -> Any:
    """The WSGI application: ``/healthz``, ``/metrics``, and 404 for anything else."""
    metrics = make_wsgi_app(registry)

    def app(environ: WSGIEnvironment, start_response: StartResponse) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/metrics":
            result: Iterable[bytes] = metrics(environ, start_response)
            return result
        if path == "/healthz":
            report = health.check()
            body = json.dumps(report.as_json()).encode()
            status = "200 OK" if report.ok else "503 Service Unavailable"
            start_response(
                status,
                [
                    ("Content-Type", "application/json"),
                    ("Content-Length", str(len(body))),
                    ("Cache-Control", "no-store"),
                ],
            )
            return [body]
        start_response("404 Not Found", [("Content-Type", "text/plain")])
        return [b"not found: try /healthz or /metrics\n"]

    return app


class MetricsServer:
    """The listener, bound at construction (port 0 picks a free one: ``port`` says which)."""

    def __init__(self, listen: str, port: int, registry: CollectorRegistry, health: Health) -> None:
        try:
            self._server = make_server(
                listen, port, ops_app(registry, health), _ThreadingServer, _QuietHandler
            )
        except OSError as exc:
            raise SettingsError(
                "settings.invalid",
                problems=f"DOSSIER_METRICS_PORT: cannot listen on {listen}:{port} ({exc.strerror or exc})",
            ) from exc
        self.port = int(self._server.server_address[1])
        self._thread = threading.Thread(target=self._server.serve_forever, name="metrics-http", daemon=True)

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        if self._thread.is_alive():  # shutdown() waits for a serve_forever that was never started
            self._server.shutdown()
            self._thread.join()
        self._server.server_close()


@contextmanager
def serving(
    settings: Settings, registry: CollectorRegistry, health: Health
) -> Iterator[MetricsServer | None]:
    """The listener for the block's duration when ``DOSSIER_METRICS_PORT`` is set; None otherwise."""
    if settings.metrics_port is None:
        yield None
        return
    server = MetricsServer(settings.metrics_listen, settings.metrics_port, registry, health)
    server.start()
    log.info("serving /healthz and /metrics on %s:%d", settings.metrics_listen, server.port)
    try:
        yield server
    finally:
        server.stop()
