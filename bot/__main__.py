"""``python -m bot`` and the ``dossier`` script: the composition root.

The one module of bot/ that may import handlers/ (tests/test_architecture.py checks it): it hands the
command line the Telegram bot to run. handlers.app is imported only when the bot runs, so the other
commands (console, search, who, ingest, eval) start without loading python-telegram-bot.
"""

from __future__ import annotations

from collections.abc import Sequence

from bot import cli
from bot.core import Dossier
from bot.settings import Settings


def run_telegram(settings: Settings, dossier: Dossier) -> int:
    """The Telegram bot (handlers/) over ``dossier``, until it is stopped."""
    from handlers.app import run_bot

    return run_bot(settings, dossier)


def main(argv: Sequence[str] | None = None) -> int:
    return cli.main(argv, run_bot=run_telegram)


if __name__ == "__main__":
    raise SystemExit(main())
