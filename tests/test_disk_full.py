"""A full disk during an upload, and the originals a kill or a full disk leaves behind (issue 16, item
10): the real bot against the fake Bot API, the full disk injected where the originals are written."""

from __future__ import annotations

import errno
import os
import time
from pathlib import Path

import pytest

from bot.ingest.originals import Originals
from tests.conftest import Runner
from tests.fakebotapi import FakeBotApi
from tests.test_formats import make_zip
from tests.test_uploads import admin_settings, all_files, documents, rows, upload

MEMBERS = [
    ("walrus.txt", "Walrus haul-outs on the Chukchi coast\n\nWalruses rest on the ice."),
    ("puffin.txt", "Puffin colonies of the Faroe Islands\n\nPuffins nest in burrows."),
    ("ibex.txt", "Ibex on the cliffs of the Gran Paradiso\n\nIbexes climb dams for salt."),
]
DISK_FULL = "the disk is full, nothing was added"


def full(*_: object, **__: object) -> None:
    raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))


@pytest.mark.parametrize("where", ["third write", "fsync", "quota"])
async def test_a_full_disk_adds_nothing_and_leaves_no_originals(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    put = Originals.put
    writes = 0

    def put_until_full(self: Originals, data: bytes, kind: str, *, durable: bool = True) -> tuple[str, bool]:
        nonlocal writes
        writes += 1
        if writes == 3:
            code = errno.EDQUOT if where == "quota" else errno.ENOSPC
            raise OSError(code, os.strerror(code))
        return put(self, data, kind, durable=durable)

    if where == "fsync":
        monkeypatch.setattr(Originals, "sync", full)
    else:
        monkeypatch.setattr(Originals, "put", put_until_full)
    async with run_bot(**admin_settings(botapi)):
        before = documents(data_dir)
        reply = await upload(botapi, make_zip(MEMBERS), "animals.zip")
    assert "animals.zip: 0 added" in reply
    for name, _ in MEMBERS:
        assert f"✗ animals.zip/{name}: {DISK_FULL}" in reply
    assert documents(data_dir) == before  # the store unchanged
    assert all_files(data_dir / "originals") == [] if (data_dir / "originals").exists() else True


async def test_documents_committed_before_the_disk_filled_stay_whole(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # A chunk of 2: the first two members are committed, the third one's write fails.
    monkeypatch.setattr("bot.ingest.pipeline.STAGE_CHUNK", 2)
    put = Originals.put

    def put_until_full(self: Originals, data: bytes, kind: str, *, durable: bool = True) -> tuple[str, bool]:
        if b"Ibex" in data:
            full()
        return put(self, data, kind, durable=durable)

    monkeypatch.setattr(Originals, "put", put_until_full)
    async with run_bot(**admin_settings(botapi)):
        reply = await upload(botapi, make_zip(MEMBERS), "animals.zip")
    assert "animals.zip: 2 added" in reply and f"✗ animals.zip/ibex.txt: {DISK_FULL}" in reply
    files = [f for (f,) in rows(data_dir, "SELECT file FROM originals")]
    assert len(files) == 2
    assert sorted(
        p.relative_to(data_dir / "originals").as_posix() for p in all_files(data_dir / "originals")
    ) == (sorted(files))


async def test_orphan_originals_are_cleared_at_start(
    botapi: FakeBotApi, run_bot: Runner, data_dir: Path
) -> None:
    async with run_bot(**admin_settings(botapi)):
        await upload(botapi, make_zip(MEMBERS[:1]), "walrus.zip")
    [(kept,)] = rows(data_dir, "SELECT file FROM originals")
    originals = Originals(data_dir / "originals")
    old = [originals.put(f"left by a kill {n}".encode(), "text")[0] for n in range(3)]
    old.append(f"{kept[0]}/.tmp-0123456789ab")  # a write a kill cut short
    (data_dir / "originals" / old[-1]).write_bytes(b"half")
    young, _ = originals.put(b"being written by another process", "text")
    hour_ago = time.time() - 3600
    for name in [*old, kept]:
        os.utime(data_dir / "originals" / name, (hour_ago, hour_ago))
    async with run_bot(**admin_settings(botapi)):
        pass
    left = sorted(p.relative_to(data_dir / "originals").as_posix() for p in all_files(data_dir / "originals"))
    assert left == sorted([kept, young])
