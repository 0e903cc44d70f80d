"""Two whole bots on one store (issue 19): an upload to one is found by a search in the other, a digest to
100 subscribers goes out once in all, and one of them killed mid-digest is carried on by the other with
nothing lost and nothing sent twice (the fault suite's ``replicas`` scenario, tests/faultsuite.py).

The bots are real processes (``tests/replica.py``: ``python -m bot run`` without the SQLite data-folder
lock) against the fake Bot API. ``backend`` is the environment naming the store they share: SQLite in
their data folder, or a new database on the session's PostgreSQL server (tests/pgserver.py).
"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from bot.core import Dossier
from tests.fakebotapi import Call, FakeBotApi
from tests.faultsuite import (
    Bot,
    Sizes,
    Trial,
    check_digests,
    check_store,
    count,
    prepare_digest,
    replica_data,
    run_trial,
    until,
)

BACKENDS = ("postgres", "sqlite")


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> dict[str, str]:
    """The environment the bots need for the store they share."""
    if request.param == "postgres":
        return {"DOSSIER_DATABASE_URL": str(request.getfixturevalue("pg_url"))}
    return {}


def final(call: Call) -> bool:
    """An upload's answer (its status message edited: progress edits say "Reading …")."""
    return not str(call.params.get("text", "")).startswith(("Reading ", "Reindexing"))


@pytest.mark.timeout(180)
async def test_an_upload_to_one_bot_is_found_by_a_search_in_the_other(
    backend: dict[str, str], tmp_path: Path
) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    trial = Trial("upload-search", 0)
    # Each bot polls its own fake server, so that the test knows which bot gets which update.
    async with FakeBotApi(strict=False) as api_one, FakeBotApi(strict=False) as api_two:
        admin = {**backend, "DOSSIER_ADMIN_IDS": str(api_two.default_user.id)}
        url = backend.get("DOSSIER_DATABASE_URL")
        # The store made and its (empty) index saved first, as in prepare_digest: replicas sharing the
        # folder (SQLite) load it rather than each writing a new one into the same files at once.
        ready = Dossier.open(data, database_url=url)
        ready.save_index()
        ready.close()
        one = await Bot.start(api_one, corpus, replica_data(data, 0, url), backend, replica=True)
        two = await Bot.start(api_two, corpus, replica_data(data, 1, url), admin, replica=True)
        try:
            await api_one.wait_for("setMyCommands", timeout=60)
            await api_two.wait_for("setMyCommands", timeout=60)
            text = b"Aardvark survey\n\nThe aardvark survey of the Karoo found forty burrows.\n"
            api_two.user_document(text, "aardvark.txt")
            answer = await api_two.wait_for("editMessageText", final, timeout=60)
            assert "aardvark.txt" in answer.params["text"] and "added" in answer.params["text"]
            for _ in range(50):  # the other bot applies it within about a second
                api_one.user_message("/search aardvark survey")
                reply = await api_one.wait_for("sendMessage", timeout=30)
                if "aardvark.txt" in reply.params["text"]:
                    break
                await asyncio.sleep(0.2)
            assert "aardvark.txt" in reply.params["text"]
            assert one.alive() and two.alive()
        finally:
            await one.stop()
            await two.stop()
    assert trial.outcome == "ok"


@pytest.mark.timeout(300)
async def test_a_digest_to_100_subscribers_is_sent_once_by_two_bots(
    backend: dict[str, str], tmp_path: Path
) -> None:
    corpus, data = tmp_path / "corpus", tmp_path / "data"
    corpus.mkdir()
    trial = Trial("replicas-digest", 0)
    async with FakeBotApi(strict=False) as botapi:
        url = backend.get("DOSSIER_DATABASE_URL")
        chats, new = prepare_digest(data, botapi, Sizes(digest_chats=100, digest_docs=16), url)
        env = {**backend, "DOSSIER_DIGEST_SCHEDULE": "every 1s"}
        bots = [
            await Bot.start(botapi, corpus, replica_data(data, k, url), env, replica=True, polls=False)
            for k in range(2)
        ]
        try:
            owed = "SELECT COUNT(*) FROM subscriptions WHERE cursor < ?"
            await until(
                trial,
                bots[0],
                lambda: (
                    count(data, owed, new[-1], url=url) == 0
                    and count(data, "SELECT COUNT(*) FROM digest_inflight", url=url) == 0
                ),
                "delivery to every subscriber",
            )
            await asyncio.sleep(3)  # three more scheduled runs of both bots: none may send anything
            await botapi.settle()
            assert all(b.alive() for b in bots)
        finally:
            for bot in bots:
                await bot.stop()
    check_store(trial, data, [], url)
    check_digests(trial, botapi, chats, new)
    assert (trial.outcome, trial.detail, trial.stray) == ("ok", "", 0)


@pytest.mark.timeout(300)
async def test_a_bot_killed_mid_digest_is_carried_on_by_the_other(
    backend: dict[str, str], request: pytest.FixtureRequest
) -> None:
    # The fault suite's ``replicas`` scenario (40 subscribers, a random kill of either bot), each trial
    # on a store of its own.
    for seed in range(2):
        url = request.getfixturevalue("pg_server").database() if backend else None
        trial = await run_trial("replicas", seed, Sizes(digest_chats=40, digest_docs=16, database_url=url))
        assert (trial.outcome, trial.detail) == ("ok", ""), f"seed {seed}"
