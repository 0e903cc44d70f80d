"""The bot's Prometheus metrics: one ``Metrics`` per running bot, each in its own registry.

The core counts what it does (searches, ingests, the replies its command layer makes) and the Telegram
adapters count what only they see (updates, digests' fates, rate-limit waits); both increment the same
``Metrics``, which the Dossier carries (``Dossier.metrics``). Nothing here knows Telegram or HTTP:
``bot/metrics_server.py`` serves the registry on ``DOSSIER_METRICS_PORT``.

A registry of its own, not prometheus_client's global one: two bots in one process (the tests start
many) never share or double-register a counter.

Every label has a small fixed set of values: a refusal's reason is its kind (``refusal_reason``), never
its wording (which names files and document ids).
"""

from __future__ import annotations

import re
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

from bot.ingest.report import IngestReport, Outcome

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
                self.documents_refused.labels(reason=refusal_reason(outcome)).inc()


# ----------------------------------------------------------------- a refusal's reason, as a label
# Each reason's English (as bot/messages.py lists it, ``{field}`` for what varies) and its kind. A reason
# not listed here is counted as "other": add it when a new refusal is written.
_KINDS: Final[dict[str, tuple[str, ...]]] = {
    "empty": (
        "the file is empty",
        "the document has no text",
        "the file has no words in it",
        "the archive has no files in it",
    ),
    "not_text": ("the file is binary, not text", "the file's text encoding could not be recognised"),
    "unsupported_format": (
        "an old Microsoft Office file (.doc, .xls) or a password-protected one; save it as .docx or PDF",
        "an RTF file is not read; save it as .docx, PDF or .txt",
        "a gzip archive is not opened; send a .zip",
        "a 7-Zip archive is not opened; send a .zip",
        "a RAR archive is not opened; send a .zip",
        "an image, not a document (text in images is not read)",
        "{suffix} files are not read; send .txt, .md, .html, .pdf, .docx or .zip",
        "only Word .docx files are read among office documents; save it as .docx or PDF",
        "{source}: only .txt and .md files are read here",
        "nested archives are not opened",
        "an archive in the corpus folder is not unpacked; use `python -m bot ingest`",
        "the file is compressed with a method that is not supported",
    ),
    "misnamed": (
        "the file is named {suffix} but is not a PDF",
        "the file is named {suffix} but is not a Word document (it is not a zip archive)",
        "the file is named {suffix} but is not a zip archive",
    ),
    "damaged": (
        "the .docx file is damaged or unreadable",
        "the zip archive is damaged",
        "the zip archive is damaged or unreadable",
        "the .docx file has no document in it (word/document.xml is missing)",
        "the PDF is damaged or unreadable",
        "the file is damaged (its content does not match its header)",
        "this page could not be read",
    ),
    "encrypted": (
        "the PDF is encrypted (protected by a password)",
        "the file is encrypted (protected by a password)",
    ),
    "no_text_layer": ("the PDF has no text layer (scanned pages); OCR is not done",),
    "too_big": ("the file is too big ({size}; the limit is {limit})",),
    "over_limit": (
        "the PDF has more than {n} pages",
        "the archive has {n} entries; the limit is {limit}",
        "the archive unpacks to {size}; the limit is {limit}",
        "this page is too deeply nested to read (more than {limit} levels)",
        "this page is too complex to read in time (over {seconds} seconds)",
    ),
    "zip_bomb": (
        "the file is compressed {ratio} to 1, a likely zip bomb; refused",
        "the file unpacks to more than its header says; refused",
    ),
    "unsafe_member": ("unsafe path (absolute or with ..); left out", "a symbolic link, not a file; left out"),
    "disk_full": ("the disk is full, nothing was added",),
    "missing": ("no such file or folder",),
    "interrupted": ("interrupted",),
}
_FIELD = re.compile(r"\\\{\w+\\\}")
_PATTERNS: Final = tuple(
    (re.compile(_FIELD.sub(".+?", re.escape(text)) + r"\Z", re.DOTALL), kind)
    for kind, texts in _KINDS.items()
    for text in texts
)
REFUSAL_REASONS: Final = ("duplicate", *_KINDS, "other")
"""Every value of ``dossier_documents_refused_total``'s ``reason`` label."""


def refusal_reason(outcome: Outcome) -> str:
    """The kind of reason a file gave no new document: ``duplicate`` for a text already stored, else the
    kind its reason's wording belongs to (``other`` for an operating system's error or a new reason)."""
    if outcome.status == "duplicate":
        return "duplicate"
    text = outcome.reason or ""
    for pattern, kind in _PATTERNS:
        if pattern.match(text):
            return kind
    return "other"
