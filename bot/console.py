"""The local console: the bot's commands in a terminal, or fed line by line through a pipe.

It exists so that anyone can try Dossier without a Telegram token, and so the command layer can be driven
by scripts; it goes through the same ``Commands`` as the Telegram handlers.
"""

from __future__ import annotations

import contextlib
import sys
from typing import TextIO

from bot.commands import Caller, Commands
from bot.core import Dossier
from bot.i18n import N_, translator
from bot.render_text import render
from bot.settings import Settings

PROMPT = "dossier> "
WELCOME = N_("Dossier console: {n} documents. Type /help, a /command, or just words to search. Ctrl-D quits.")


def run_console(
    dossier: Dossier, settings: Settings, stdin: TextIO | None = None, stdout: TextIO | None = None
) -> int:
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    commands = Commands(dossier, settings)
    # The console is the operator's own terminal: it may use admin commands.
    caller = Caller(user_id=None, chat_id=None, is_admin=True, transport="console")
    lang = settings.default_language  # --lang, else DOSSIER_DEFAULT_LANGUAGE
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
        stdout.write(translator(lang).gettext(WELCOME).format(n=len(dossier)) + "\n")
    while True:
        try:
            line = input(PROMPT) if interactive else stdin.readline()
        except EOFError:
            break
        if not interactive and line == "":
            break
        line = line.strip()
        if not line:
            continue
        if line in ("/quit", "/exit"):
            break
        reply = commands.handle(line, caller)
        stdout.write(render(reply, lang, color=interactive) + "\n")
        if not interactive:
            stdout.write("\n")
        stdout.flush()
    if interactive:
        stdout.write("\n")
    return 0
