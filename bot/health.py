"""What ``/healthz`` answers: whether this bot can serve its users right now.

Healthy means both halves of a Dossier answer: the search index is loaded (the Dossier is open: its
store opened and checked, its index read from the snapshot or rebuilt, and on a first start the corpus
read) and the store answers a cheap query. Anything else is unhealthy, with the reason: still starting,
or a store that fails (a damaged or vanished file, a database that went away). ``bot/metrics_server.py``
serves it as 200 or 503 with a short JSON body.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from bot.core import Dossier

STARTING = "the search index is loading"


@dataclass(frozen=True)
class HealthReport:
    status: Literal["ok", "starting", "failing"]
    reason: str | None = None
    documents: int | None = None  # in the search index

    @property
    def ok(self) -> bool:
        return self.status == "ok"

    def as_json(self) -> dict[str, object]:
        body: dict[str, object] = {"status": self.status}
        if self.reason is not None:
            body["reason"] = self.reason
        if self.documents is not None:
            body["documents"] = self.documents
        return body


class Health:
    """Starting until ``ready`` is given the open Dossier; from then on each ``check`` asks its store."""

    def __init__(self) -> None:
        self._dossier: Dossier | None = None
        self._lock = threading.Lock()  # checks run in the listener's threads

    def ready(self, dossier: Dossier) -> None:
        with self._lock:
            self._dossier = dossier

    def check(self) -> HealthReport:
        with self._lock:
            dossier = self._dossier
        if dossier is None:
            return HealthReport("starting", STARTING)
        try:
            dossier.store.generation()  # one row read by its key: the store answers, and fast
        except Exception as exc:  # whatever the backend raises, the answer is "unhealthy", with why
            return HealthReport("failing", f"the store does not answer: {exc}")
        return HealthReport("ok", documents=len(dossier))
