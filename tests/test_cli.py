"""The command line as users run it: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import REPO


def run(
    args: list[str], env_extra: dict[str, str], stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DOSSIER_", "TELEGRAM_"))}
    env.update(env_extra)
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )


def test_search_json_shape(env: dict[str, str]) -> None:
    proc = run(["search", "Масадыков", "--json", "--limit", "3"], env)
    assert proc.returncode == 0, proc.stderr
    out = json.loads(proc.stdout)
    assert set(out) >= {"query", "total", "hits", "suggestion"}
    assert out["query"] == "Масадыков" and out["total"] == 2
    assert {h["source"][:3] for h in out["hits"]} == {"000", "001"}
    assert set(out["hits"][0]) >= {"id", "source", "title", "date", "score", "snippet"}


def test_search_text_and_suggestion(env: dict[str, str]) -> None:
    proc = run(["search", "tasmagmbtvo"], env)
    assert proc.returncode == 0
    assert "Nothing found" in proc.stdout and "Did you mean: tasmagambetov?" in proc.stdout


def test_console_reads_piped_commands(env: dict[str, str]) -> None:
    proc = run([], env, stdin="/help\n/search zas valdai\n/doc 999\n/nonsense\n")
    assert proc.returncode == 0, proc.stderr
    assert "/search <words>" in proc.stdout
    assert "004_4c3000b3cf1095f3.txt" in proc.stdout
    assert "There is no document #999." in proc.stdout
    assert "I don't know the command /nonsense." in proc.stdout


def test_eval_contract(tmp_path: Path, env: dict[str, str]) -> None:
    corpus = tmp_path / "eval"
    corpus.mkdir()
    (corpus / "a-1.txt").write_text(
        "Cocoa review\n1987-02-26\n\nShowers continued in the Bahia cocoa zone.\n"
    )
    (corpus / "b-2.txt").write_text("Oil prices\n1987-02-27\n\nCrude oil prices rose sharply.\n")
    queries = tmp_path / "q.jsonl"
    queries.write_text(
        '{"qid": "q1", "query": "bahia coccoa", "kind": "typo1"}\n{"qid": "q2", "query": "crude"}\n'
    )
    proc = run(["eval", "--corpus", str(corpus), "--queries", str(queries)], env)
    assert proc.returncode == 0, proc.stderr
    lines = [json.loads(line) for line in proc.stdout.splitlines()]
    assert [line["qid"] for line in lines] == ["q1", "q2"]
    assert lines[0]["hits"] == ["a-1"] and lines[1]["hits"] == ["b-2"]
    assert all(isinstance(line["ms"], float | int) for line in lines)
    build = [json.loads(x) for x in proc.stderr.splitlines() if x.startswith("{")]
    assert build and build[0]["build_s"] >= 0


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"DOSSIER_ADMIN_IDS": "123,abc"}, "DOSSIER_ADMIN_IDS"),
        ({"DOSSIER_TIMEZONE": "Mars/Olympus"}, "DOSSIER_TIMEZONE"),
        ({"DOSSIER_CORPUS_DIR": "/nonexistent/folder"}, "DOSSIER_CORPUS_DIR"),
        ({"DOSSIER_DEFAULT_LANGUAGE": "de"}, "DOSSIER_DEFAULT_LANGUAGE: not a language the bot speaks"),
    ],
)
def test_bad_setting_stops_with_one_clear_line(
    env: dict[str, str], extra: dict[str, str], message: str
) -> None:
    proc = run(["search", "x"], {**env, **extra})
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and message in lines[0] and "Traceback" not in proc.stderr


def test_admin_ids_are_comma_separated() -> None:
    from bot.settings import load_settings

    os.environ["DOSSIER_ADMIN_IDS"] = "123, 456"
    try:
        assert load_settings().admin_ids == [123, 456]
    finally:
        del os.environ["DOSSIER_ADMIN_IDS"]
