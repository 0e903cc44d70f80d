"""Shared fixtures: a real store in a temp folder, filled from the real seed corpus (no mocks)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

os.environ.setdefault("PTB_TIMEDELTA", "1")

from bot.commands import Caller, Commands
from bot.core import Dossier

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
def dossier(corpus_dir: Path, data_dir: Path) -> Iterator[Dossier]:
    d = Dossier.open(data_dir)
    d.scan_corpus(corpus_dir)
    yield d
    d.close()


@pytest.fixture
def commands(dossier: Dossier) -> Commands:
    return Commands(dossier)


@pytest.fixture
def console_caller() -> Caller:
    return Caller(is_admin=True, transport="console")


def seed_id(dossier: Dossier, prefix: str) -> int:
    """The #id of the seed file whose name starts with ``prefix`` (ids are assigned at ingest)."""
    for doc in dossier.store.iter_documents():
        if doc.source.startswith(prefix):
            return doc.id
    raise AssertionError(f"no seed {prefix}")
