"""Web pages read in a worker process with a deadline, so no page can hold a core, or the bot, for long.

The depth limit (``html.MAX_DEPTH``) answers nested pages at once, but the parsers have slow paths of
their own: the standard library's ``html.parser`` takes 38 s over 60 KB of ``<a <a <a…`` (quadratic when
a tag never ends), and BeautifulSoup builds a tree at about 50,000 elements a second (a 19 MB page of
``<b>x</b>`` is a minute of CPU and gigabytes). Neither can be interrupted from another thread, so the
page is read in a child process that is killed at the deadline: the read is cancelled, its memory freed,
and the user told ``ingest.html_too_slow``.

One worker, started on first use ("spawn": the bot has threads, which rule out forking) and kept for the
next page; reads take turns. A killed worker is replaced on the next read.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
from multiprocessing.connection import Connection
from multiprocessing.process import BaseProcess

from bot.ingest.formats.html import decode_html, html_text
from bot.ingest.prepare import IngestError

_READY = "ready"
_START_SECONDS = 120  # a worker's start (imports) is not the page's fault; a loaded machine is slow


class _Reader:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.worker: tuple[BaseProcess, Connection] | None = None

    def read(self, data: bytes, seconds: int) -> str:
        with self.lock:
            _, conn = self._started()
            conn.send_bytes(data)
            if not conn.poll(seconds):
                self.stop()
                raise IngestError("ingest.html_too_slow", seconds=seconds)
            try:
                ok, value = conn.recv()
            except (EOFError, OSError):  # the worker died (out of memory, killed): not this page's text
                self.stop()
                raise IngestError("ingest.html_unreadable") from None
        if ok:
            return str(value)
        raise value

    def _started(self) -> tuple[BaseProcess, Connection]:
        if self.worker is not None and self.worker[0].is_alive():
            return self.worker
        self.stop()
        ours, theirs = multiprocessing.Pipe()
        process = multiprocessing.get_context("spawn").Process(
            target=_serve, args=(theirs,), name="dossier-html-reader", daemon=True
        )
        process.start()
        theirs.close()
        self.worker = (process, ours)
        if not ours.poll(_START_SECONDS) or ours.recv() != _READY:
            self.stop()
            raise IngestError("ingest.html_unreadable")
        return process, ours

    def stop(self) -> None:
        if self.worker is None:
            return
        process, conn = self.worker
        self.worker = None
        process.kill()
        process.join()
        conn.close()


_reader = _Reader()


def _forget_in_child() -> None:
    """A forked process (a worker of a big corpus scan) starts its own reader: the parent's pipe is the
    parent's."""
    global _reader
    _reader = _Reader()


os.register_at_fork(after_in_child=_forget_in_child)


def read_html(data: bytes, seconds: int) -> str:
    """``html_text(decode_html(data))``, in the worker; ``IngestError`` when the page cannot be read, or
    not within ``seconds``."""
    return _reader.read(data, seconds)


def _serve(conn: Connection) -> None:
    """The worker: pages in, texts (or the reason there is none) out, until the pipe closes."""
    conn.send(_READY)
    while True:
        try:
            data = conn.recv_bytes()
        except (EOFError, OSError):
            return
        try:
            conn.send((True, html_text(decode_html(data))))
        except IngestError as exc:
            conn.send((False, exc))
        except Exception:  # a parser bug on a strange page: that page is refused, the worker lives on
            conn.send((False, IngestError("ingest.html_unreadable")))
