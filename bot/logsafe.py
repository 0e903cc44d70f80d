"""Secrets never reach the log: a filter that masks them in every record a handler writes.

The HTTP library logs each request's URL at INFO, and a Bot API URL carries the bot token
(``/bot<token>/getUpdates``); a traceback can carry it too. Quieting that one logger is not enough: any
library may log a URL at DEBUG, so the masking sits on the handlers, where every record passes, and
covers the message, its arguments, the traceback and the stack.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from urllib.parse import quote

MASK = "[secret]"


class SecretFilter(logging.Filter):
    """Replaces each secret (and its URL-encoded form) in a record with ``[secret]``."""

    def __init__(self, secrets: Iterable[str]) -> None:
        super().__init__()
        forms: set[str] = set()
        for secret in secrets:
            if secret:
                forms.update({secret, quote(secret, safe=""), quote(secret)})
        # Longest first, so a secret that contains another is masked whole.
        self._forms = sorted(forms, key=len, reverse=True)

    def redact(self, text: str) -> str:
        for form in self._forms:
            if form in text:
                text = text.replace(form, MASK)
        return text

    def filter(self, record: logging.LogRecord) -> bool:
        if not self._forms:
            return True
        try:
            message = record.getMessage()
        except Exception:  # a broken format string: keep the raw template, masked, rather than drop it
            message = str(record.msg)
        record.msg, record.args = self.redact(message), None
        if record.exc_info and not record.exc_text:
            record.exc_text = logging.Formatter().formatException(record.exc_info)
        if record.exc_text:
            record.exc_text = self.redact(record.exc_text)
        if record.stack_info:
            record.stack_info = self.redact(record.stack_info)
        return True


def mask_secrets(secrets: Iterable[str], logger: logging.Logger | None = None) -> SecretFilter:
    """Install one ``SecretFilter`` on every handler of ``logger`` (the root by default) and quiet the
    per-request INFO lines of the HTTP library (a long poll is one request every few seconds) and the
    Russian morphology's dictionary-loading lines (printed at every start, when the index warms up)."""
    target = logger or logging.getLogger()
    secret_filter = SecretFilter(secrets)
    for handler in target.handlers:
        handler.addFilter(secret_filter)
    for chatty in ("httpx", "pymorphy3"):
        logging.getLogger(chatty).setLevel(logging.WARNING)
    return secret_filter
