"""One bot replica, for the tests and benchmarks of several bots on one store (tests/test_replicas.py,
the ``replicas`` scenario of tests/faultsuite.py).

``python -m bot run`` with two differences: the data folder is not taken for this process
(``bot.datalock`` allows one bot per SQLite folder; the store, its change feed and its leases are what
several replicas share, and what these tests exercise), and with ``--no-updates`` it does not poll
Telegram (a replica behind a webhook that no update reaches: its jobs run, digests included). On
PostgreSQL the replicas are plain ``python -m bot run`` processes.

    python -m tests.replica [--no-updates]
"""

from __future__ import annotations

import asyncio
import logging
import signal
import sys

from bot.cli import open_dossier
from bot.settings import load_settings
from handlers.app import build_application, run_bot
from handlers.context import DossierApp


async def jobs_only(app: DossierApp) -> None:
    """The Application started as ``run_polling`` would start it, without polling, until SIGTERM."""
    stop = asyncio.Event()
    loop = asyncio.get_running_loop()
    loop.add_signal_handler(signal.SIGTERM, stop.set)
    loop.add_signal_handler(signal.SIGINT, stop.set)
    await app.initialize()
    if app.post_init is not None:
        await app.post_init(app)
    await app.start()
    try:
        await stop.wait()
    finally:
        await app.stop()
        if app.post_stop is not None:
            await app.post_stop(app)
        await app.shutdown()
        if app.post_shutdown is not None:
            await app.post_shutdown(app)


def main(argv: list[str]) -> int:
    settings = load_settings()
    logging.basicConfig(level=settings.log_level, stream=sys.stderr)
    dossier = open_dossier(settings, scan=False, beside=True)
    if "--no-updates" in argv:
        asyncio.run(jobs_only(build_application(settings, dossier)))
        return 0
    return run_bot(settings, dossier)


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
