"""The crash fault suite: the real bot process (``python -m bot run`` against the fake Bot API on
127.0.0.1) killed with SIGKILL at a random point of a corpus scan, a zip upload, a digest to many
subscribers and a /reindex, then started again and checked; and two bots on one store delivering a
digest, one of them killed and not restarted (``replicas``: the other must carry on).

Each trial ends in one outcome, the first that applies:

- ``crashed``: the restarted process died on its own;
- ``hung``: it did not finish the interrupted work (or answer) before the deadline;
- ``corrupted``: ``PRAGMA integrity_check`` is not ``ok``;
- ``lost``: a document is missing (not stored; a subscriber never got it);
- ``duplicated``: a document stored twice, or listed twice to one subscriber;
- ``ok``: none of these.

Besides the outcome a trial counts what is allowed but worth seeing: ``stray`` digest opening lines (the
one thing bot/digest.py says a kill can leave) and ``orphans`` (original files no document refers to).

The kill point is random with a fixed seed per trial: a target amount of progress (documents stored,
digest parts filled, seconds of a reindex) is drawn, the suite waits until the store or the server shows
it, then waits a random few milliseconds more and kills. No hook in the bot is used. Run it with
``python bench/fault_suite.py``; tests/test_faults.py runs a few trials of each.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import io
import random
import re
import signal
import sqlite3
import sys
import tempfile
import time
import zipfile
from collections import Counter
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

import psycopg

from bot.core import Dossier
from bot.ingest import prepare_text
from tests.conftest import REPO, bot_env
from tests.fakebotapi import FakeBotApi

OUTCOMES = ("ok", "lost", "duplicated", "corrupted", "crashed", "hung")
DEADLINE = 120.0  # seconds the restarted bot has to finish what the kill interrupted
_LISTED = re.compile(r"<b>#(\d+)</b>")
_WORDS = (
    "amber",
    "basalt",
    "cobalt",
    "delta",
    "ember",
    "fjord",
    "garnet",
    "harbor",
    "indigo",
    "jasper",
    "kelp",
)


@dataclass
class Trial:
    scenario: str
    seed: int
    outcome: str = "ok"
    detail: str = ""
    stray: int = 0
    orphans: int = 0
    late: bool = False  # the kill came after the work had ended (then it tested a plain restart)

    def fail(self, outcome: str, detail: str) -> None:
        if self.outcome == "ok":
            self.outcome, self.detail = outcome, detail


@dataclass
class Sizes:
    """How big each scenario is: the defaults are the suite's, tests/test_faults.py runs smaller ones."""

    scan_files: int = 2000
    zip_members: int = 300
    digest_chats: int = 200
    digest_docs: int = 16
    reindex_files: int = 3000
    # Where the ``replicas`` scenario's bots keep their store: a PostgreSQL database, or SQLite (None).
    database_url: str | None = None


class Stopped(Exception):
    """The restarted bot died or ran out of time: the trial's outcome is already set."""


@dataclass
class Bot:
    """One ``python -m bot run`` subprocess, its stderr kept in a file."""

    proc: asyncio.subprocess.Process
    log: Path
    ended: list[int] = field(default_factory=list)

    @classmethod
    async def start(
        cls,
        botapi: FakeBotApi,
        corpus: Path,
        data: Path,
        env: dict[str, str] | None = None,
        replica: bool = False,
        polls: bool = True,
    ) -> Bot:
        """``python -m bot run``; with ``replica``, one of several bots on the store
        (``tests/replica.py``), polling for updates only when ``polls``."""
        log = data.parent / f"bot-{time.monotonic_ns()}.log"
        command: tuple[str, ...] = ("bot", "run")
        if replica:
            command = ("tests.replica",) if polls else ("tests.replica", "--no-updates")
        with log.open("wb") as err:
            proc = await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                *command,
                cwd=REPO,
                env=bot_env(botapi, corpus, data, **(env or {})),
                stdout=asyncio.subprocess.DEVNULL,
                stderr=err,
            )
        return cls(proc, log)

    def alive(self) -> bool:
        return self.proc.returncode is None

    async def kill(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGKILL)
        await self.proc.wait()

    async def stop(self) -> None:
        if self.alive():
            self.proc.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(self.proc.wait(), 20)
            except TimeoutError:
                await self.kill()

    def tail(self) -> str:
        lines = self.log.read_text(errors="replace").strip().splitlines()
        return lines[-1][:200] if lines else f"exit {self.proc.returncode}"


async def until(
    trial: Trial,
    bot: Bot | None,
    condition: Callable[[], bool],
    what: str,
    timeout: float = DEADLINE,  # noqa: ASYNC109
) -> None:
    """Wait for ``condition``; a dead bot makes the trial ``crashed``, the deadline ``hung``."""
    deadline = time.monotonic() + timeout
    while not condition():
        if bot is not None and not bot.alive():
            trial.fail("crashed", f"exited before {what}: {bot.tail()}")
            raise Stopped
        if time.monotonic() > deadline:
            trial.fail("hung", f"no {what} in {timeout:.0f} s")
            raise Stopped
        await asyncio.sleep(0.02)


def query(data: Path, sql: str, *args: object, url: str | None = None) -> list[tuple[object, ...]]:
    """Read the bot's store from outside: the SQLite file in ``data`` (WAL: readers never block its
    writer), or the PostgreSQL database at ``url`` (the same SQL, ``?`` marks turned into psycopg's)."""
    if url:
        try:
            return list(_reader(url).execute(sql.replace("?", "%s").encode(), args).fetchall())
        except psycopg.errors.UndefinedTable:
            return []  # its tables not created yet
    path = data / "dossier.sqlite3"
    if not path.exists():
        return []  # not created yet
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True, timeout=10)
    try:
        return list(db.execute(sql, args).fetchall())
    except sqlite3.OperationalError:
        return []  # its tables not created yet
    finally:
        db.close()


@functools.cache
def _reader(url: str) -> psycopg.Connection[tuple[object, ...]]:
    """One connection per database for the whole run (the checks poll every 20 ms)."""
    return psycopg.connect(url, autocommit=True)


def count(data: Path, sql: str, *args: object, url: str | None = None) -> int:
    rows = query(data, sql, *args, url=url)
    return int(str(rows[0][0])) if rows else 0


def check_store(trial: Trial, data: Path, expected: list[str], url: str | None = None) -> None:
    """Integrity (SQLite's check; PostgreSQL has none to ask), then every source in ``expected`` stored
    exactly once; orphan originals counted (SQLite keeps them as files)."""
    if url is None:
        integrity = query(data, "PRAGMA integrity_check")
        if [tuple(r) for r in integrity] != [("ok",)]:
            trial.fail("corrupted", f"integrity_check: {integrity[:3]}")
    stored = Counter(str(r[0]) for r in query(data, "SELECT source FROM documents", url=url))
    missing = [s for s in expected if stored[s] == 0]
    doubled = [s for s in expected if stored[s] > 1]
    if missing:
        trial.fail("lost", f"{len(missing)} documents missing, e.g. {missing[:3]}")
    if doubled:
        trial.fail("duplicated", f"{len(doubled)} documents stored twice, e.g. {doubled[:3]}")
    originals = data / "originals"
    if originals.is_dir() and url is None:
        kept = {str(r[0]) for r in query(data, "SELECT file FROM originals")}
        files = {str(p.relative_to(originals)) for p in originals.rglob("*") if p.is_file()}
        trial.orphans = len(files - kept)


def replica_data(data: Path, k: int, url: str | None) -> Path:
    """Replica ``k``'s data folder: on SQLite the one holding the store they share; on PostgreSQL one of
    its own, as deployed (what stays local is the search index, which each process writes)."""
    return data if url is None else data.with_name(f"{data.name}-replica{k}")


def sent_where(botapi: FakeBotApi, method: str, test: Callable[[str], bool]) -> int:
    """How many successful ``method`` calls had a text passing ``test``."""
    return sum(test(c.text or "") for c in botapi.sent(method, ok=True))


def unique_text(rng: random.Random, i: int, kind: str) -> tuple[str, str]:
    words = " ".join(rng.choice(_WORDS) for _ in range(12))
    title = f"{kind.capitalize()} bulletin {i}"
    return title, f"{title}\n\nThe {kind} office filed note {i} about {words}. It said more on day {i}.\n"


def write_corpus(folder: Path, n: int, rng: random.Random, kind: str) -> list[str]:
    folder.mkdir(parents=True, exist_ok=True)
    names = []
    for i in range(n):
        name = f"{kind}_{i:05d}.txt"
        (folder / name).write_text(unique_text(rng, i, kind)[1], encoding="utf-8")
        names.append(name)
    return names


async def bot_up(trial: Trial, botapi: FakeBotApi, bot: Bot) -> None:
    """The bot polls once it has started (setMyCommands comes first)."""
    before = len(botapi.sent("setMyCommands"))
    await until(trial, bot, lambda: len(botapi.sent("setMyCommands")) > before, "start-up")


async def settle(seconds: float) -> None:
    await asyncio.sleep(seconds)


# ----------------------------------------------------------------------------- scenarios
async def scan(trial: Trial, rng: random.Random, work: Path, botapi: FakeBotApi, sizes: Sizes) -> None:
    """The first scan of a corpus folder of small files, killed after a random number were stored."""
    corpus, data = work / "corpus", work / "data"
    names = write_corpus(corpus, sizes.scan_files, rng, "scan")
    stored = "SELECT COUNT(*) FROM corpus_files"
    target = rng.randint(1, sizes.scan_files - 1)
    bot = await Bot.start(botapi, corpus, data)
    try:
        await until(trial, bot, lambda: count(data, stored) >= target, "scan progress")
        await asyncio.sleep(rng.uniform(0, 0.05))
    finally:
        await bot.kill()
    bot = await Bot.start(botapi, corpus, data)
    try:
        await bot_up(trial, botapi, bot)
        await until(trial, bot, lambda: count(data, stored) >= sizes.scan_files, "finished scan")
    finally:
        await bot.stop()
    check_store(trial, data, names)


def make_zip(rng: random.Random, n: int) -> tuple[bytes, list[str]]:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        for i in range(n):
            zf.writestr(f"member_{i:04d}.txt", unique_text(rng, i, "upload")[1])
    return buf.getvalue(), [f"bulletins.zip/member_{i:04d}.txt" for i in range(n)]


async def upload(trial: Trial, rng: random.Random, work: Path, botapi: FakeBotApi, sizes: Sizes) -> None:
    """An admin's zip upload killed after a random number of its members were stored; after the restart
    the admin sends the same archive again (the bot said nothing final the first time), and every member
    must then be stored exactly once."""
    corpus, data = work / "corpus", work / "data"
    corpus.mkdir(parents=True)
    archive, members = make_zip(rng, sizes.zip_members)
    admin = {"DOSSIER_ADMIN_IDS": str(botapi.default_user.id)}
    stored = "SELECT COUNT(*) FROM documents"
    target = rng.randint(1, sizes.zip_members - 1)
    bot = await Bot.start(botapi, corpus, data, admin)
    try:
        await bot_up(trial, botapi, bot)
        botapi.user_document(archive, "bulletins.zip")
        await until(trial, bot, lambda: count(data, stored) >= target, "upload progress")
        await asyncio.sleep(rng.uniform(0, 0.05))
    finally:
        await bot.kill()
    bot = await Bot.start(botapi, corpus, data, admin)
    try:
        await bot_up(trial, botapi, bot)
        # The interrupted update may come again (its offset was not yet confirmed): let it finish first.
        last = -1
        while (now := count(data, stored)) != last:
            last = now
            await settle(2.0)
        reports = sent_where(botapi, "editMessageText", _final_upload)
        botapi.user_document(archive, "bulletins.zip")
        await until(
            trial,
            bot,
            lambda: sent_where(botapi, "editMessageText", _final_upload) > reports,
            "report on the upload sent again",
        )
    finally:
        await bot.stop()
    check_store(trial, data, members)


def _final_upload(text: str) -> bool:
    return text.startswith("<b>bulletins.zip:")


def _reindexed(text: str) -> bool:
    return text.startswith("Reindexed")


def prepare_digest(
    data: Path, botapi: FakeBotApi, sizes: Sizes, url: str | None = None
) -> tuple[list[int], list[int]]:
    """A store (SQLite in ``data``, or the PostgreSQL database at ``url``) with ``digest_chats``
    subscribers and ``digest_docs`` documents added since (long ones, so each digest is more than one
    part), written through the store's interface: the chat ids and the new document ids."""
    dossier = Dossier.open(data, database_url=url)
    try:
        chats = []
        for i in range(sizes.digest_chats):
            user = botapi.user(f"Reader{i}")
            assert dossier.store.subscribe(user.id, None, "user", user.id) is not None
            chats.append(user.id)
        new = []
        for i in range(sizes.digest_docs):
            # Filler words of its own per item: the same words but the number would be one story
            # (bot.ingest.story), listed as one entry.
            title = f"Digest item {i} " + " ".join(f"headword{i}x{k}" for k in range(60))
            lead = f"The first sentence of item {i} says what happened in the region today" + "".join(
                f" detail{i}x{k}" for k in range(25)
            )
            outcome = dossier.add_prepared(
                prepare_text(f"item-{i}.txt", f"{title}\n\n{lead}."), added_by="fault"
            )
            assert outcome.doc_id is not None
            new.append(outcome.doc_id)
        hours_ago = datetime.now(UTC) - timedelta(hours=3)  # overdue: the catch-up run at start sends it
        for sub in dossier.subscriptions():
            dossier.mark_run(sub.chat_id, hours_ago)
        # Its index saved, as a stopped bot leaves it: replicas sharing this folder (SQLite) then load it
        # rather than each writing a rebuilt one into the same files at once.
        dossier.save_index()
    finally:
        dossier.close()
    return chats, new


def digest_deliveries(botapi: FakeBotApi, chat_id: int) -> tuple[Counter[int], int]:
    """What the reader of ``chat_id`` sees now: how often each document is listed over the bot's
    messages, and how many messages list none (opening lines never filled in)."""
    listed: Counter[int] = Counter()
    stray = 0
    for message in botapi.messages(chat_id):
        raw = str(message.source[0]) if message.source else (message.text or "")
        ids = [int(x) for x in _LISTED.findall(raw)]
        listed.update(ids)
        stray += not ids
    return listed, stray


async def digest(trial: Trial, rng: random.Random, work: Path, botapi: FakeBotApi, sizes: Sizes) -> None:
    """A digest to many subscribers, killed after a random number of parts were filled in; after the
    restart every subscriber must see each new document exactly once."""
    corpus, data = work / "corpus", work / "data"
    corpus.mkdir(parents=True)
    chats, new = prepare_digest(data, botapi, sizes)
    env = {"DOSSIER_DIGEST_SCHEDULE": "every 1s"}  # the first run a second after start

    def filled() -> int:
        return len(botapi.sent("editMessageText", ok=True))

    target = rng.randint(1, sizes.digest_chats * 2 - 1)  # most digests here are two parts
    bot = await Bot.start(botapi, corpus, data, env)
    try:
        await until(trial, bot, lambda: filled() >= target, "digest progress")
        await asyncio.sleep(rng.uniform(0, 0.05))
    finally:
        await bot.kill()
    # A second start finishes the parts left in flight at once and the rest at its first run.
    bot = await Bot.start(botapi, corpus, data, env)
    done = "SELECT COUNT(*) FROM subscriptions WHERE cursor < ?"
    try:
        await bot_up(trial, botapi, bot)
        await until(
            trial,
            bot,
            lambda: (
                count(data, done, new[-1]) == 0 and count(data, "SELECT COUNT(*) FROM digest_inflight") == 0
            ),
            "delivery to every subscriber",
        )
        await botapi.settle()
    finally:
        await bot.stop()
    check_store(trial, data, [])
    check_digests(trial, botapi, chats, new)


def check_digests(trial: Trial, botapi: FakeBotApi, chats: list[int], new: list[int]) -> None:
    """Every subscriber sees each new document exactly once (strays counted)."""
    lost = doubled = 0
    for chat in chats:
        listed, stray = digest_deliveries(botapi, chat)
        trial.stray += stray
        lost += any(listed[d] == 0 for d in new)
        doubled += any(listed[d] > 1 for d in new) or any(d not in new for d in listed)
    if lost:
        trial.fail("lost", f"{lost} of {len(chats)} subscribers missed a document")
    if doubled:
        trial.fail("duplicated", f"{doubled} of {len(chats)} subscribers got a document twice")


async def replicas(trial: Trial, rng: random.Random, work: Path, botapi: FakeBotApi, sizes: Sizes) -> None:
    """Two bots on one store deliver a digest to many subscribers; one is killed after a random number
    of parts were filled in and not restarted: the other carries its work on (the leases of a process
    gone from this host are taken over at once, a digest part it left in flight is finished by editing
    its message), and every subscriber sees each new document exactly once."""
    corpus, data = work / "corpus", work / "data"
    corpus.mkdir(parents=True)
    url = sizes.database_url
    chats, new = prepare_digest(data, botapi, sizes, url)
    env = {"DOSSIER_DIGEST_SCHEDULE": "every 1s", **({"DOSSIER_DATABASE_URL": url} if url else {})}

    def filled() -> int:
        return len(botapi.sent("editMessageText", ok=True))

    target = rng.randint(1, sizes.digest_chats * 2 - 1)
    killed = rng.randrange(2)
    bots = [
        await Bot.start(botapi, corpus, replica_data(data, k, url), env, replica=True, polls=False)
        for k in range(2)
    ]
    done = "SELECT COUNT(*) FROM subscriptions WHERE cursor < ?"
    try:
        await until(trial, bots[killed], lambda: filled() >= target, "digest progress")
        await asyncio.sleep(rng.uniform(0, 0.05))
        trial.late = count(data, done, new[-1], url=url) == 0
        await bots[killed].kill()
        survivor = bots[1 - killed]
        await until(
            trial,
            survivor,
            lambda: (
                count(data, done, new[-1], url=url) == 0
                and count(data, "SELECT COUNT(*) FROM digest_inflight", url=url) == 0
            ),
            "delivery to every subscriber",
            timeout=DEADLINE * 3,
        )
        await botapi.settle()
    finally:
        for bot in bots:
            await bot.stop()
    check_store(trial, data, [], url)
    check_digests(trial, botapi, chats, new)


async def reindex(trial: Trial, rng: random.Random, work: Path, botapi: FakeBotApi, sizes: Sizes) -> None:
    """/reindex killed a random moment after it started; after the restart every document is there once
    under its id, the bot answers a search, and a second /reindex completes."""
    corpus, data = work / "corpus", work / "data"
    names = write_corpus(corpus, sizes.reindex_files, rng, "reindex")
    dossier = Dossier.open(data)
    try:
        dossier.scan_corpus(corpus)
    finally:
        dossier.close()
    before = sorted((int(str(r[0])), str(r[1])) for r in query(data, "SELECT id, source FROM documents"))
    admin = {"DOSSIER_ADMIN_IDS": str(botapi.default_user.id)}
    bot = await Bot.start(botapi, corpus, data, admin)
    try:
        await bot_up(trial, botapi, bot)
        botapi.user_message("/reindex")
        await botapi.wait_for("sendMessage", lambda c: (c.text or "").startswith("Reindexing"), timeout=30)
        await asyncio.sleep(rng.uniform(0, sizes.reindex_files / 3500))  # about the length of the run
    finally:
        trial.late = sent_where(botapi, "editMessageText", _reindexed) > 0
        await bot.kill()
    bot = await Bot.start(botapi, corpus, data, admin)
    try:
        await bot_up(trial, botapi, bot)
        botapi.user_message("/search reindex bulletin 7")
        await until(
            trial, bot, lambda: sent_where(botapi, "sendMessage", lambda t: "#" in t) > 0, "search answer"
        )
        reports = sent_where(botapi, "editMessageText", _reindexed)
        botapi.user_message("/reindex")
        await until(
            trial,
            bot,
            lambda: sent_where(botapi, "editMessageText", _reindexed) > reports,
            "second /reindex",
        )
    finally:
        await bot.stop()
    after = sorted((int(str(r[0])), str(r[1])) for r in query(data, "SELECT id, source FROM documents"))
    check_store(trial, data, names)
    if trial.outcome == "ok" and after != before:
        trial.fail("lost", f"ids changed: {len(before)} before, {len(after)} after")


Scenario = Callable[[Trial, random.Random, Path, FakeBotApi, Sizes], Awaitable[None]]
SCENARIOS: dict[str, Scenario] = {
    "scan": scan,
    "upload": upload,
    "digest": digest,
    "reindex": reindex,
    "replicas": replicas,
}


async def run_trial(name: str, seed: int, sizes: Sizes) -> Trial:
    trial = Trial(name, seed)
    rng = random.Random(f"{name}:{seed}")
    with tempfile.TemporaryDirectory(prefix=f"faults-{name}-") as tmp:
        async with FakeBotApi(strict=False) as botapi:
            with contextlib.suppress(Stopped):
                await SCENARIOS[name](trial, rng, Path(tmp), botapi, sizes)
    return trial


def summary(trials: list[Trial]) -> str:
    """One line per scenario: trials, then every outcome's count, then strays and orphans."""
    lines = [
        f"{'scenario':<9} {'trials':>6} "
        + " ".join(f"{o:>10}" for o in OUTCOMES)
        + "      stray   orphans  late kills"
    ]
    for name in SCENARIOS:
        mine = [t for t in trials if t.scenario == name]
        if not mine:
            continue
        counts = Counter(t.outcome for t in mine)
        lines.append(
            f"{name:<9} {len(mine):>6} "
            + " ".join(f"{counts[o]:>10}" for o in OUTCOMES)
            + f" {sum(t.stray for t in mine):>10} {sum(t.orphans for t in mine):>9}"
            + f" {sum(t.late for t in mine):>11}"
        )
    return "\n".join(lines)
