"""The local console: the bot's commands in a terminal, or fed line by line through a pipe.

It exists so that anyone can try Dossier without a Telegram token, and so the command layer can be driven
by scripts; it goes through the same ``Commands`` as the Telegram handlers.
"""

from __future__ import annotations

import contextlib
import sys
from dataclasses import replace
from typing import TextIO

from bot.commands import Caller, Commands, written_language
from bot.commands.replies import LanguageReply
from bot.core import Dossier
from bot.i18n import N_, Language, translator
from bot.render_text import render
from bot.settings import Settings

PROMPT = "dossier> "
WELCOME = N_("Dossier console: {n} documents. Type /help, a /command, or just words to search. Ctrl-D quits.")


def run_console(
    dossier: Dossier,
    settings: Settings,
    stdin: TextIO | None = None,
    stdout: TextIO | None = None,
    lang: Language | None = None,
) -> int:
    """Answer lines until the input ends. ``lang`` (``--lang``) is the language of every reply; without
    it each reply is in the language of what was typed (``Commands.language_for``), and a line that shows
    none (``/help``, ``/doc 3``) is answered in that of the last line that did, so a session that asked in
    Russian goes on in Russian. ``/lang`` changes the choice for the rest of the session."""
    stdin = stdin or sys.stdin
    stdout = stdout or sys.stdout
    interactive = stdin.isatty() and stdout.isatty()
    commands = Commands(dossier, settings)
    # The console is the operator's own terminal: it may use admin commands.
    caller = Caller(user_id=None, chat_id=None, is_admin=True, transport="console", language=lang)
    if interactive:
        with contextlib.suppress(ImportError):
            import readline  # noqa: F401 - line editing and history for input()
        welcome = translator(commands.language_for(caller)).gettext(WELCOME)
        stdout.write(welcome.format(n=len(dossier)) + "\n")
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
        caller = replace(caller, written_in=written_language(line) or caller.written_in)
        reply = commands.handle(line, caller)
        if isinstance(reply, LanguageReply) and reply.scope == "console" and reply.changed:
            caller = replace(caller, language=reply.chosen)
        stdout.write(render(reply, commands.language_for(caller), color=interactive) + "\n")
        if not interactive:
            stdout.write("\n")
        stdout.flush()
    if interactive:
        stdout.write("\n")
    return 0
