"""Where the shared benchmark data lives, and the Reuters corpus as a folder of ``.txt`` files."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BENCH = Path(os.environ.get("DOSSIER_BENCH_DIR") or REPO.parent / "shared" / "bench")


def materialize(target: Path) -> Path:
    """Write Reuters-21578 into ``target`` the way ``materialize.py`` does (one ``<id>.txt`` each)."""
    subprocess.run(
        [sys.executable, str(BENCH / "materialize.py"), str(BENCH / "reuters21578.jsonl.gz"), str(target)],
        check=True,
        capture_output=True,
    )
    return target
