"""The container, checked without one: the Dockerfile's own CMD and HEALTHCHECK command lines, read from
the file, run against a real ``python -m bot`` on the fake Bot API, with /healthz and /metrics on
``DOSSIER_METRICS_PORT``. (No Docker daemon runs where the tests run, and the base image is not at hand:
what is checked here is everything the image adds to ``python:3.11-slim``.)"""

from __future__ import annotations

import asyncio
import json
import shlex
import signal
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import aiohttp
import yaml

from bot.cli import build_parser
from tests.conftest import REPO, bot_env
from tests.fakebotapi import FakeBotApi
from tests.test_metrics import get, samples
from tests.test_telegram_edges import free_port, listening
from tests.test_uploads import upload


@dataclass
class Image:
    """What a Dockerfile says about the image it builds (the instructions this project uses)."""

    base: str = ""
    user: str = "root"
    env: dict[str, str] = field(default_factory=dict)
    volumes: list[str] = field(default_factory=list)
    cmd: list[str] = field(default_factory=list)
    healthcheck: list[str] = field(default_factory=list)
    healthcheck_options: dict[str, str] = field(default_factory=dict)


def instructions(text: str) -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments), continuation lines joined and comments left out."""
    out: list[tuple[str, str]] = []
    pending = ""
    for line in text.splitlines():
        if not pending and (not line.strip() or line.lstrip().startswith("#")):
            continue
        pending += line.rstrip()
        if pending.endswith("\\"):
            pending = pending[:-1] + " "
            continue
        word, _, rest = pending.strip().partition(" ")
        out.append((word.upper(), rest.strip()))
        pending = ""
    return out


def exec_form(args: str) -> list[str]:
    """CMD ["a", "b"] as Docker reads it; the shell form as ``sh -c`` would split it."""
    if args.startswith("["):
        parsed = json.loads(args)
        assert isinstance(parsed, list)
        return [str(a) for a in parsed]
    return shlex.split(args)


def read_image(path: Path = REPO / "Dockerfile") -> Image:
    image = Image()
    for word, args in instructions(path.read_text(encoding="utf-8")):
        if word == "FROM":
            image.base = args
        elif word == "USER":
            image.user = args
        elif word == "ENV":
            image.env.update(dict(pair.split("=", 1) for pair in shlex.split(args)))
        elif word == "VOLUME":
            image.volumes += exec_form(args)
        elif word == "CMD":
            image.cmd = exec_form(args)
        elif word == "HEALTHCHECK":
            options, _, command = args.partition("CMD ")
            image.healthcheck_options = dict(opt.lstrip("-").split("=", 1) for opt in options.split())
            image.healthcheck = exec_form(command.strip())
    return image


def here(argv: list[str]) -> list[str]:
    """A command line of the image run here: its ``python`` is this interpreter."""
    return [sys.executable if argv[0] == "python" else argv[0], *argv[1:]]


def test_the_image_is_slim_non_root_with_its_data_on_a_volume() -> None:
    image = read_image()
    assert image.base.startswith("python:3.11-slim")
    assert image.user not in ("", "root", "0")
    assert image.volumes == ["/data"] and image.env["DOSSIER_DATA_DIR"] == "/data"
    assert image.env["DOSSIER_METRICS_PORT"].isdigit()  # the HEALTHCHECK needs the listener on
    assert image.cmd[:3] == ["python", "-m", "bot"]
    subcommands = next(a for a in build_parser()._actions if a.dest == "command").choices
    assert subcommands is not None and image.cmd[3] in subcommands and image.cmd[3] == "run"
    assert image.healthcheck == ["python", "-m", "bot.healthcheck"]
    assert float(image.healthcheck_options["timeout"].rstrip("s")) > 4  # the check's own timeout is 4 s


def test_compose_runs_the_image_beside_postgresql_with_volumes() -> None:
    compose = yaml.safe_load((REPO / "compose.yaml").read_text(encoding="utf-8"))
    postgres, bot = compose["services"]["postgres"], compose["services"]["bot"]
    assert postgres["image"].startswith("postgres:16") and "healthcheck" in postgres
    assert "ports" not in postgres  # only the bot reaches the database
    assert bot["build"] == "." and bot["depends_on"]["postgres"]["condition"] == "service_healthy"
    env = bot["environment"]
    db = postgres["environment"]
    assert env["DOSSIER_DATABASE_URL"].startswith(f"postgresql://{db['POSTGRES_USER']}:")
    assert env["DOSSIER_DATABASE_URL"].endswith(f"@postgres:5432/{db['POSTGRES_DB']}")
    image = read_image()
    assert env["DOSSIER_DATA_DIR"] == image.env["DOSSIER_DATA_DIR"] == "/data"
    assert env["DOSSIER_METRICS_PORT"] == image.env["DOSSIER_METRICS_PORT"]
    assert bot["ports"] == [
        f"127.0.0.1:{image.env['DOSSIER_METRICS_PORT']}:{image.env['DOSSIER_METRICS_PORT']}"
    ]
    named = {v.split(":", 1)[0] for svc in (postgres, bot) for v in svc["volumes"]}
    assert named == set(compose["volumes"]) == {"postgres-data", "dossier-data"}
    assert "dossier-data:/data" in bot["volumes"]


async def run(argv: list[str], env: dict[str, str]) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        *argv, cwd=REPO, env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT
    )
    out, _ = await asyncio.wait_for(proc.communicate(), timeout=30)
    assert proc.returncode is not None
    return proc.returncode, out.decode()


async def test_the_image_cmd_serves_and_its_healthcheck_passes_once_ready(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    image = read_image()
    port = free_port()
    env = bot_env(botapi, big_corpus, data_dir)
    # The image's settings, but this test's folders and a free port on the loopback interface.
    env.update({k: v for k, v in image.env.items() if k not in ("DOSSIER_DATA_DIR", "DOSSIER_CORPUS_DIR")})
    env.update(
        DOSSIER_METRICS_PORT=str(port),
        DOSSIER_METRICS_LISTEN="127.0.0.1",
        DOSSIER_ADMIN_IDS=str(botapi.default_user.id),
    )
    check = here(image.healthcheck)
    rc, out = await run(check, env)
    assert rc == 1 and f"http://127.0.0.1:{port}/healthz" in out  # no bot yet: unhealthy, and why

    proc = await asyncio.create_subprocess_exec(
        *here(image.cmd), cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        # Unhealthy (nothing listening, or 503 "starting" while the index loads) until it is ready.
        async with asyncio.timeout(60):
            while (result := await run(check, env))[0] != 0:
                rc, out = result
                assert rc == 1 and ("starting" in out or "Connection refused" in out), out
                await asyncio.sleep(0.1)
        assert json.loads(result[1])["status"] == "ok"
        status, body = await asyncio.to_thread(get, port, "/healthz")
        assert status == 200 and json.loads(body)["documents"] > 0

        await botapi.wait_for("setMyCommands", timeout=30)
        before = samples((await asyncio.to_thread(get, port, "/metrics"))[1])
        botapi.user_message("/search zas valdai")
        sent = await botapi.wait_for("sendMessage", timeout=10)
        assert "004_4c3000b3cf1095f3.txt" in sent.params["text"]
        assert "added" in await upload(
            botapi, b"Quokka census on Rottnest Island\n\nRangers counted.\n", "q.txt"
        )

        status, body = await asyncio.to_thread(get, port, "/metrics")
        assert status == 200
        after = samples(body)

        def moved(name: str, **labels: str) -> float:
            key = (name, frozenset(labels.items()))
            return after.get(key, 0.0) - before.get(key, 0.0)

        assert moved("dossier_updates_total", kind="message") == 2
        assert moved("dossier_replies_total", command="search") == 1
        assert moved("dossier_replies_total", command="upload") == 1
        assert moved("dossier_search_seconds_count") == 1
        assert moved("dossier_search_seconds_bucket", le="+Inf") == 1
        assert moved("dossier_documents_ingested_total", status="added") == 1
        assert moved("dossier_index_documents") == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, stderr.decode()
    rc, out = await run(check, env)
    assert rc == 1  # stopped: unhealthy again


async def test_webhook_mode_serves_health_and_metrics_on_their_own_port(
    botapi: FakeBotApi, big_corpus: Path, data_dir: Path
) -> None:
    """With DOSSIER_WEBHOOK_URL the updates arrive on PTB's webhook server, and /healthz and /metrics are
    on DOSSIER_METRICS_PORT as in polling mode."""
    hook, secret = free_port(), "s3cret-Token_123"
    metrics = next(port for port in iter(free_port, None) if port != hook)
    env = bot_env(
        botapi,
        big_corpus,
        data_dir,
        DOSSIER_WEBHOOK_URL=f"http://127.0.0.1:{hook}/hook/",
        DOSSIER_WEBHOOK_LISTEN="127.0.0.1",
        DOSSIER_WEBHOOK_PORT=str(hook),
        DOSSIER_WEBHOOK_SECRET=secret,
        DOSSIER_METRICS_PORT=str(metrics),
    )
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=REPO, env=env, stderr=asyncio.subprocess.PIPE
    )
    try:
        url = (await botapi.wait_for("setWebhook", timeout=30)).params["url"]
        await listening(hook)
        status, body = await asyncio.to_thread(get, metrics, "/healthz")
        assert status == 200 and json.loads(body)["status"] == "ok"
        update: dict[str, Any] = {"update_id": 1, "message": botapi.user_message("/search zas valdai")}
        async with aiohttp.ClientSession() as session:
            headers = {"X-Telegram-Bot-Api-Secret-Token": secret}
            async with session.post(url, json=update, headers=headers) as response:
                assert response.status == 200
            async with session.get(f"http://127.0.0.1:{hook}/metrics") as response:
                assert response.status != 200  # not on the webhook's port, which the internet reaches
        assert "004_4c3000b3cf1095f3.txt" in (await botapi.wait_for("sendMessage", timeout=10)).params["text"]
        after = samples((await asyncio.to_thread(get, metrics, "/metrics"))[1])
        assert after[("dossier_updates_total", frozenset({("kind", "message")}))] == 1
        assert after[("dossier_replies_total", frozenset({("command", "search")}))] == 1
    finally:
        proc.send_signal(signal.SIGTERM)
        _, stderr = await asyncio.wait_for(proc.communicate(), timeout=20)
    assert proc.returncode == 0, stderr.decode()
