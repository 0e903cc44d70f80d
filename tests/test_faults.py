"""The crash fault suite (tests/faultsuite.py) in CI: the real bot process killed with SIGKILL at random
points (fixed seeds) of a scan, an upload, a digest to many subscribers and a /reindex, then restarted;
nothing lost, nothing doubled, the store intact, nothing hung. ``python bench/fault_suite.py`` runs 20
trials of each."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.datalock import DataFolderBusy, lock_data_folder
from tests.conftest import REPO
from tests.faultsuite import Sizes, run_trial

# Small enough for CI (a few seconds a trial), big enough that every kill lands mid-work: the scan
# forks its readers from 500 files on, and 40 two-part digests outlast the rate limiter's first second.
CI_SIZES = Sizes(scan_files=600, zip_members=120, digest_chats=40, digest_docs=16, reindex_files=1500)
TRIALS = 2


@pytest.mark.timeout(300)
@pytest.mark.parametrize("scenario", ["scan", "upload", "digest", "reindex", "replicas"])
async def test_a_kill_loses_nothing_and_doubles_nothing(scenario: str) -> None:
    for seed in range(TRIALS):
        trial = await run_trial(scenario, seed, CI_SIZES)
        assert (trial.outcome, trial.detail) == ("ok", ""), f"{scenario} seed {seed}"


def test_a_forked_worker_does_not_keep_the_data_folder_after_its_parent_is_killed(tmp_path: Path) -> None:
    # Found by the suite: a scan's forked readers outlived a killed bot, holding its lock, and the
    # restart was refused ("in use by process <the dead one>").
    script = textwrap.dedent(
        f"""
        import os, signal, time
        from pathlib import Path
        from bot.datalock import lock_data_folder
        lock_data_folder(Path({str(tmp_path)!r}))
        if os.fork() == 0:
            time.sleep(30)  # a worker that would wait for ever
            os._exit(0)
        print(os.getpid(), flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
        """
    )
    done = subprocess.run([sys.executable, "-c", script], cwd=REPO, capture_output=True, timeout=30)
    assert done.returncode == -9
    try:
        lock_data_folder(tmp_path)  # free at once: the child let go of it and died with its parent
    except DataFolderBusy as exc:
        pytest.fail(str(exc))
