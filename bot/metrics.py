"""The bot's Prometheus metrics: one ``Metrics`` per running bot, each in its own registry.

The core counts what it does (searches, ingests, the replies its command layer makes) and the Telegram
adapters count what only they see (updates, digests' fates, rate-limit waits); both increment the same
``Metrics``, which the Dossier carries (``Dossier.metrics``). Nothing here knows Telegram or HTTP:
``bot/metrics_server.py`` serves the registry on ``DOSSIER_METRICS_PORT``.

A registry of its own, not prometheus_client's global one: two bots in one process (the tests start
many) never share or double-register a counter.

Every label has a small fixed set of values: a refusal's reason is the family of its code
(``bot.ingest.report.refusal_family``), never its wording (which names files and document ids).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

from prometheus_client import (
    GC_COLLECTOR,
    CollectorRegistry,
    Counter,
    Gauge,
    Histogram,
    PlatformCollector,
    ProcessCollector,
)

from bot.ingest.report import IngestReport, Outcome, refusal_family

# Searches take about a millisecond on a 20,000-document corpus; a long query over a large one, tens.
SEARCH_BUCKETS: Final = (0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5)

DIGEST_OUTCOMES: Final = ("sent", "failed", "retried", "blocked")
ALERT_OUTCOMES: Final = ("sent", "failed", "held", "blocked")
"""sent: a digest delivered whole; failed: a delivery that hit an error (tried again in five minutes or
at the next run); retried: a delivery made by that retry; blocked: the chat refused the bot (blocked it,
removed it) and its subscription ended."""

WAIT_CAUSES: Final = ("pacing", "retry_after", "network")
"""pacing: a message held back by Telegram's limits (30 a second, 20 a minute per group) or while another
call's 429 is waited out; retry_after: Telegram answered 429 and said how long to wait; network: a 5xx or
a connection that never reached Telegram, tried again after a backoff."""


class Metrics:
    """Every metric of one bot, in ``registry``. Counters are named without ``_total``: the exposition
    adds it (``dossier_updates_total``)."""

    def __init__(self) -> None:
        self.registry = CollectorRegistry()
        r = self.registry
        # What any Prometheus dashboard expects of a Python process: CPU, memory, open files, GC, version.
        ProcessCollector(registry=r)
        PlatformCollector(registry=r)
        r.register(GC_COLLECTOR)
        self.updates = Counter(
            "dossier_updates",
            "Telegram updates handled, by kind (message, callback_query, ...)",
            ["kind"],
            registry=r,
        )
        self.replies = Counter(
            "dossier_replies",
            "Replies the command layer made, by command (search, who, ..., upload, inline, page, unknown)",
            ["command"],
            registry=r,
        )
        self.search_seconds = Histogram(
            "dossier_search_seconds",
            "Time to answer one search: the index, the documents' rows and the snippets",
            buckets=SEARCH_BUCKETS,
            registry=r,
        )
        self.documents_ingested = Counter(
            "dossier_documents_ingested",
            "Documents stored by uploads, corpus scans and python -m bot ingest, by status (added, updated)",
            ["status"],
            registry=r,
        )
        self.documents_refused = Counter(
            "dossier_documents_refused",
            "Files or archive members that gave no new document, by reason (duplicate, empty, too_big, ...)",
            ["reason"],
            registry=r,
        )
        self.digests = Counter(
            "dossier_digests",
            "Digest deliveries to a chat, by outcome (sent, failed, retried, blocked)",
            ["outcome"],
            registry=r,
        )
        self.alerts = Counter(
            "dossier_alerts",
            "Follow alerts to a chat, by outcome (sent; failed: tried again at the next run; held: owed but "
            "in the chat's quiet hours, counted at each run that held it; blocked: the chat's follows ended)",
            ["outcome"],
            registry=r,
        )
        self.rate_limit_waits = Counter(
            "dossier_rate_limit_waits",
            "Telegram calls that waited, by cause (pacing: the message limits; retry_after: Telegram "
            "answered 429; network: a 5xx or no connection, tried again)",
            ["cause"],
            registry=r,
        )
        self.rate_limit_wait_seconds = Counter(
            "dossier_rate_limit_wait_seconds", "Seconds spent in those waits, by cause", ["cause"], registry=r
        )
        self.index_documents = Gauge("dossier_index_documents", "Documents in the search index", registry=r)
        # Series that exist from the start at 0, so a rate() over them has a beginning.
        for status in ("added", "updated"):
            self.documents_ingested.labels(status=status)
        for outcome in DIGEST_OUTCOMES:
            self.digests.labels(outcome=outcome)
        for outcome in ALERT_OUTCOMES:
            self.alerts.labels(outcome=outcome)
        for cause in WAIT_CAUSES:
            self.rate_limit_waits.labels(cause=cause)
            self.rate_limit_wait_seconds.labels(cause=cause)

    def reply(self, command: str) -> None:
        self.replies.labels(command=command).inc()

    def digest(self, outcome: str) -> None:
        self.digests.labels(outcome=outcome).inc()

    def alert(self, outcome: str) -> None:
        self.alerts.labels(outcome=outcome).inc()

    def waited(self, cause: str, seconds: float) -> None:
        self.rate_limit_waits.labels(cause=cause).inc()
        self.rate_limit_wait_seconds.labels(cause=cause).inc(seconds)

    def ingested(self, report: IngestReport) -> None:
        """Every document of a finished ingest: stored ones by status, the rest by reason."""
        self.count_outcomes(report.outcomes)

    def count_outcomes(self, outcomes: Iterable[Outcome]) -> None:
        for outcome in outcomes:
            if outcome.status in ("added", "updated"):
                self.documents_ingested.labels(status=outcome.status).inc()
            else:
                self.documents_refused.labels(reason=refusal_family(outcome)).inc()
