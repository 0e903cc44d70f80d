"""Health and metrics: /healthz through its states, and the counters the running bot moves (its real
Application against the fake Bot API). The end-to-end run over DOSSIER_METRICS_PORT is in test_deploy."""

from __future__ import annotations

import asyncio
import json
import urllib.error
import urllib.request
from datetime import timedelta

import pytest
from prometheus_client.parser import text_string_to_metric_families
from telegram.error import RetryAfter

from bot.core import Dossier
from bot.health import STARTING, Health
from bot.ingest.report import REFUSAL_FAMILIES, Outcome, Status, refusal_family
from bot.messages import Coded
from bot.metrics import Metrics
from bot.metrics_server import MetricsServer
from bot.settings import SettingsError, load_settings
from handlers.context import DossierApp, Services
from handlers.ratelimit import MessageRateLimiter
from tests.conftest import Runner
from tests.fakebotapi import FakeBotApi
from tests.test_digest import add_docs, eventually
from tests.test_uploads import admin_settings, upload


def get(port: int, path: str) -> tuple[int, str]:
    """One GET on the listener: (status, body), errors included."""
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as exc:
        with exc:
            return exc.code, exc.read().decode()


def samples(text: str) -> dict[tuple[str, frozenset[tuple[str, str]]], float]:
    """Every sample of a /metrics page, by name and labels."""
    return {
        (s.name, frozenset(s.labels.items())): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
    }


def services(app: DossierApp) -> Services:
    s = app.bot_data["services"]
    assert isinstance(s, Services)
    return s


def value(metrics: Metrics, name: str, **labels: str) -> float:
    return metrics.registry.get_sample_value(name, labels) or 0.0


async def test_healthz_starting_then_ok_then_failing_with_the_store(dossier: Dossier) -> None:
    health = Health()
    server = MetricsServer("127.0.0.1", 0, dossier.metrics.registry, health)
    server.start()
    try:
        status, body = await asyncio.to_thread(get, server.port, "/healthz")
        assert (status, json.loads(body)) == (503, {"status": "starting", "reason": STARTING})

        health.ready(dossier)
        status, body = await asyncio.to_thread(get, server.port, "/healthz")
        assert (status, json.loads(body)) == (200, {"status": "ok", "documents": len(dossier)})

        status, body = await asyncio.to_thread(get, server.port, "/metrics")
        assert status == 200
        assert samples(body)[("dossier_index_documents", frozenset())] == len(dossier)
        assert ("process_cpu_seconds_total", frozenset()) in samples(body)
        assert (await asyncio.to_thread(get, server.port, "/"))[0] == 404

        dossier.store.close()  # the store goes away under the running bot
        status, body = await asyncio.to_thread(get, server.port, "/healthz")
        answer = json.loads(body)
        assert status == 503 and answer["status"] == "failing"
        assert answer["reason"].startswith("the store does not answer: ")
    finally:
        server.stop()


def test_a_busy_metrics_port_is_one_clear_line(dossier: Dossier) -> None:
    taken = MetricsServer("127.0.0.1", 0, dossier.metrics.registry, Health())
    try:
        with pytest.raises(
            SettingsError, match=f"DOSSIER_METRICS_PORT: cannot listen on 127.0.0.1:{taken.port}"
        ):
            MetricsServer("127.0.0.1", taken.port, Metrics().registry, Health())
    finally:
        taken.stop()


def test_metrics_port_setting() -> None:
    assert load_settings().metrics_port is None  # off unless set
    assert load_settings(DOSSIER_METRICS_PORT="").metrics_port is None
    assert load_settings(DOSSIER_METRICS_PORT="off").metrics_port is None
    assert load_settings(DOSSIER_METRICS_PORT="9464").metrics_port == 9464
    with pytest.raises(SettingsError, match="DOSSIER_METRICS_PORT"):
        load_settings(DOSSIER_METRICS_PORT="99999")


def test_each_registry_is_its_own() -> None:
    one, two = Metrics(), Metrics()
    one.reply("search")
    assert value(one, "dossier_replies_total", command="search") == 1
    assert value(two, "dossier_replies_total", command="search") == 0


def test_refusal_reasons_are_kinds_not_wordings() -> None:
    def kind(status: Status, code: str, **params: object) -> str:
        return refusal_family(Outcome("x.txt", status, reason=Coded(code, **params)))

    assert kind("duplicate", "ingest.duplicate", id=12) == "duplicate"
    assert kind("skipped", "ingest.too_big", size="25.0 MB", limit="20 MB") == "too_big"
    assert kind("skipped", "ingest.pdf_pages", n=2000) == "over_limit"
    assert kind("skipped", "ingest.unsupported", suffix=".exe") == "unsupported_format"
    assert kind("skipped", "ingest.zip_bomb", ratio="400") == "zip_bomb"
    assert kind("skipped", "ingest.os_error", reason="Permission denied") == "other"
    assert set(REFUSAL_FAMILIES) >= {"duplicate", "empty", "not_text", "disk_full", "other"}


async def test_the_running_bot_counts_updates_replies_searches_ingests_and_waits(
    botapi: FakeBotApi, run_bot: Runner
) -> None:
    async with run_bot(**admin_settings(botapi)) as app:
        metrics = services(app).dossier.metrics
        corpus = value(metrics, "dossier_documents_ingested_total", status="added")  # the fixture's scan
        await botapi.wait_for("setMyCommands")
        botapi.fail_next("sendMessage", status=429, retry_after=0.05)  # waited out, then sent
        botapi.user_message("/search zas")
        assert "004" in (await botapi.wait_for("sendMessage", ok=True)).params["text"]
        await botapi.wait_for("sendMessage", ok=False)  # the 429
        botapi.fail_next("sendMessage", status=502)  # Telegram's fault: tried again after a backoff
        botapi.user_message("/who zas")
        await botapi.wait_for("sendMessage", ok=True)
        await botapi.wait_for("sendMessage", ok=False)  # the 502
        botapi.user_message("zas valdai")  # plain words: a search
        await botapi.wait_for("sendMessage", ok=True)
        assert "added" in await upload(
            botapi, b"Quokka census on Rottnest Island\n\nRangers counted.\n", "q.txt"
        )
        assert "already" in await upload(
            botapi, b"Quokka census on Rottnest Island\n\nRangers counted.\n", "r.txt"
        )
        await upload(botapi, b"\x00\x01binary\x00" * 100, "b.txt")
        botapi.inline_query("zas")
        await botapi.wait_for("answerInlineQuery")
        await botapi.settle(app)

        assert value(metrics, "dossier_updates_total", kind="message") == 6
        assert value(metrics, "dossier_updates_total", kind="inline_query") == 1
        assert value(metrics, "dossier_replies_total", command="search") == 2
        assert value(metrics, "dossier_replies_total", command="who") == 1
        assert value(metrics, "dossier_replies_total", command="upload") == 3
        assert value(metrics, "dossier_replies_total", command="inline") == 1
        assert value(metrics, "dossier_search_seconds_count") == 3  # two searches and the inline one
        assert value(metrics, "dossier_search_seconds_sum") > 0
        assert value(metrics, "dossier_documents_ingested_total", status="added") == corpus + 1
        assert value(metrics, "dossier_documents_refused_total", reason="duplicate") == 1
        assert value(metrics, "dossier_documents_refused_total", reason="not_text") == 1
        assert value(metrics, "dossier_rate_limit_waits_total", cause="retry_after") == 1
        assert value(metrics, "dossier_rate_limit_wait_seconds_total", cause="retry_after") == pytest.approx(
            0.05
        )
        assert value(metrics, "dossier_rate_limit_waits_total", cause="network") == 1


async def test_digest_outcomes_sent_failed_retried_blocked(
    botapi: FakeBotApi, run_bot: Runner, monkeypatch: pytest.MonkeyPatch
) -> None:
    import handlers.digest

    monkeypatch.setattr(handlers.digest, "RETRY_FAILED", timedelta(seconds=0.2))
    blocker, reader = botapi.user("Blocker"), botapi.user("Reader")
    async with run_bot(DOSSIER_DIGEST_SCHEDULE="0 9 * * *") as app:
        metrics = services(app).dossier.metrics
        for u in (blocker, reader):
            botapi.user_message("/subscribe", user=u)
            await botapi.wait_for("sendMessage", chat_id=u.id)
        botapi.block_bot(blocker)
        add_docs(services(app).dossier, 2)
        # Telegram's final word on the reader's opening line: the delivery fails and is tried again soon.
        botapi.fail_next("sendMessage", status=400, description="Bad Request: not now", chat_id=reader.id)
        assert app.job_queue is not None
        app.job_queue.run_once(handlers.digest.digest_job, when=0)  # the 09:00 run, now
        await botapi.wait_for("editMessageText", lambda c: c.ok and "Digest" in (c.text or ""), timeout=10)
        store = services(app).dossier.store
        await eventually(lambda: store.subscription(blocker.id) is None)
        await eventually(lambda: value(metrics, "dossier_digests_total", outcome="sent") == 1)
        assert value(metrics, "dossier_digests_total", outcome="failed") == 1
        assert value(metrics, "dossier_digests_total", outcome="retried") == 1
        assert value(metrics, "dossier_digests_total", outcome="blocked") == 1


async def test_the_rate_limiter_counts_pacing_and_429_waits() -> None:
    metrics = Metrics()
    limiter = MessageRateLimiter(max_retries=2, metrics=metrics)
    await limiter.initialize()
    answers: list[RetryAfter | bool] = [RetryAfter(timedelta(seconds=0.05)), True]

    async def send() -> bool:
        answer = answers.pop(0) if answers else True
        if isinstance(answer, RetryAfter):
            raise answer
        return answer

    assert await limiter.process_request(send, (), {}, "sendMessage", {"chat_id": 1}, None) is True
    assert value(metrics, "dossier_rate_limit_waits_total", cause="retry_after") == 1
    assert value(metrics, "dossier_rate_limit_wait_seconds_total", cause="retry_after") == pytest.approx(0.05)
    assert value(metrics, "dossier_rate_limit_waits_total", cause="pacing") == 0
    # Forty messages at once: Telegram's limits let thirty a second through, the rest wait their turn.
    await asyncio.gather(
        *(limiter.process_request(send, (), {}, "sendMessage", {"chat_id": i}, None) for i in range(40))
    )
    assert value(metrics, "dossier_rate_limit_waits_total", cause="pacing") >= 1
    assert value(metrics, "dossier_rate_limit_wait_seconds_total", cause="pacing") > 0
    await limiter.shutdown()
