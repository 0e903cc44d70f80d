"""``python -m bot ingest`` as users run it, and what a kill in the middle of an ingest leaves behind."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

from bot.core import SNAPSHOT_FILE, Dossier, snapshot_stamp
from bot.search.disk import DiskIndex
from bot.search.query import parse_query
from bot.store import open_store
from tests.conftest import REPO
from tests.test_cli import run
from tests.test_formats import make_pdf, make_zip


def write(folder: Path, files: dict[str, bytes]) -> Path:
    for name, data in files.items():
        (folder / name).parent.mkdir(parents=True, exist_ok=True)
        (folder / name).write_bytes(data)
    return folder


def test_ingest_files_folders_and_zips_with_a_summary(tmp_path: Path, env: dict[str, str]) -> None:
    incoming = write(
        tmp_path / "incoming",
        {
            "wombat.txt": b"Wombat burrows of Tasmania\n\nWombats dig.",
            "sub/okapi.pdf": make_pdf("Okapi sightings in the Ituri forest"),
            "pack.zip": make_zip(
                [("a.md", "# Tapir trails in Amazonia\nTapirs."), ("b.txt", b"\x00\x01" * 50)]
            ),
            "junk.txt": bytes(range(256)) * 8,
            ".hidden.txt": b"Hidden files are left alone entirely",
        },
    )
    single = write(tmp_path / "one", {"Записка.txt": "Заметка о встрече в Бишкеке".encode()}) / "Записка.txt"
    proc = run(["ingest", str(incoming), str(single)], env)
    assert proc.returncode == 0, proc.stderr
    out = proc.stdout
    assert "Wombat burrows of Tasmania — undated · wombat.txt" in out
    assert "Okapi sightings in the Ituri forest — undated · sub/okapi.pdf" in out
    assert "Tapir trails in Amazonia — undated · pack.zip/a.md" in out
    assert "✗ pack.zip/b.txt: the file is binary, not text" in out
    assert "✗ junk.txt: the file is binary, not text" in out
    assert "Записка.txt" in out and "Hidden" not in out
    summary = out.strip().splitlines()[-1]
    assert summary.startswith("4 added, 0 already stored, 2 skipped in ") and summary.endswith("documents/s)")
    again = run(["ingest", str(incoming), "--json"], env)
    assert json.loads(again.stdout) | {"seconds": 0, "docs_per_s": 0} == {
        "added": 0,
        "updated": 0,
        "near_duplicates": 0,
        "duplicates": 3,
        "skipped": 2,
        "seconds": 0,
        "docs_per_s": 0,
    }
    # Searchable by the next process (the snapshot was saved at the end of the run).
    found = run(["search", "tapirs", "--json"], env)
    assert [h["source"] for h in json.loads(found.stdout)["hits"]] == ["pack.zip/a.md"]
    missing = run(["ingest", str(tmp_path / "nope")], env)
    assert missing.returncode == 2 and "no such file or folder" in missing.stderr


def wait_for_file(path: Path, proc: subprocess.Popen[str], timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not path.exists():
        if proc.poll() is not None:
            raise AssertionError(f"ingest ended before the hold point: {proc.communicate()}")
        if time.monotonic() > deadline:
            raise AssertionError("ingest never reached the hold point")
        time.sleep(0.05)


def test_a_kill_mid_ingest_leaves_the_store_as_before_that_file(
    tmp_path: Path, env: dict[str, str], data_dir: Path
) -> None:
    first = write(tmp_path / "first", {"ibis.txt": b"Sacred ibis nesting season\n\nIbises nest."})
    assert run(["ingest", str(first)], env).returncode == 0  # the snapshot is now current
    animals = ["gecko", "lynx", "heron", "otter"]
    batch = write(
        tmp_path / "batch",
        {
            f"{k}_{a}.txt": f"Report {k} on the {a}\n\nThe {a}s of the valley.".encode()
            for k, a in enumerate(animals)
        },
    )
    flag = tmp_path / "holding"
    child_env = {k: v for k, v in os.environ.items() if not k.startswith(("DOSSIER_", "TELEGRAM_"))}
    child_env.update(env, DOSSIER_TEST_HOLD_INGEST=f"3:{flag}")  # the 3rd document waits in its transaction
    proc = subprocess.Popen(
        [sys.executable, "-m", "bot", "ingest", str(batch)],
        cwd=REPO,
        env=child_env,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        wait_for_file(flag, proc)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate()
    # Before reopening: two documents of the batch committed, the third not; the snapshot is stale.
    store = open_store(data_dir / "dossier.sqlite3")
    sources = [d.source for d in store.iter_documents()]
    stamp = snapshot_stamp(store, store.generation())
    store.close()
    assert sources[-3:] == ["ibis.txt", "0_gecko.txt", "1_lynx.txt"]
    assert DiskIndex.open(data_dir / SNAPSHOT_FILE, stamp) is None
    dossier = Dossier.open(data_dir)
    try:
        assert len(dossier) == dossier.store.count_documents() == len(sources)  # rebuilt, nothing orphaned
        assert dossier.search_ids(parse_query("lynxes valley"))
        assert not dossier.search_ids(parse_query("heron"))
    finally:
        dossier.close()
    db = sqlite3.connect(data_dir / "dossier.sqlite3")
    try:
        # Every uploaded document is whole: its original row and signature were committed with it.
        orphans = db.execute(
            "SELECT COUNT(*) FROM originals o LEFT JOIN documents d ON d.id = o.doc_id WHERE d.id IS NULL"
        ).fetchone()[0]
        whole = db.execute(
            "SELECT COUNT(*) FROM documents d JOIN originals o ON o.doc_id = d.id"
            " JOIN signatures s ON s.doc_id = d.id WHERE d.added_by = 'cli'"
        ).fetchone()[0]
        files = [r[0] for r in db.execute("SELECT file FROM originals")]
    finally:
        db.close()
    assert orphans == 0 and whole == 3
    assert all((data_dir / "originals" / f).is_file() for f in files)
    # The originals of the two documents not committed are on disk, unused; /reindex clears old ones.
    unused = [
        p
        for p in (data_dir / "originals").rglob("*")
        if p.is_file() and p.relative_to(data_dir / "originals").as_posix() not in files
    ]
    assert len(unused) == 2
    for p in unused:
        os.utime(p, (time.time() - 7200, time.time() - 7200))
    dossier = Dossier.open(data_dir)
    try:
        assert dossier.reindex().unused_removed == 2
    finally:
        dossier.close()
    assert not any(p.exists() for p in unused)
    # Run again: what was stored is recognised, the rest is added.
    rerun = run(["ingest", str(batch)], env)
    last = rerun.stdout.strip().splitlines()[-1]
    assert last.startswith("2 added") and "2 already stored, 0 skipped" in last
