"""The layering, checked on the source: bot/ is the transport-free core, handlers/ thin Telegram adapters.

bot/ never imports telegram or handlers (only bot/__main__.py, the composition root, hands the command
line the Telegram bot from handlers.app), and nothing but bot/store/ reaches into SQLite. Every
import counts, including those inside functions and under ``if TYPE_CHECKING:``.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

from tests.conftest import REPO


def imported_modules(path: Path) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) of every import in a module of the package whose folder holds it."""
    package = path.parent.name
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            # A relative import stays inside the package: ``from .x import y`` is package.x.
            base = node.module or ""
            yield node.lineno, f"{package}.{base}".rstrip(".") if node.level else base


def violations(folder: str, forbidden: tuple[str, ...], allowed: dict[str, tuple[str, ...]]) -> list[str]:
    """``file:line imports name`` for each import of a forbidden top-level package under ``folder``.

    ``allowed`` maps a file (relative to the repository) to the forbidden packages it may import anyway.
    """
    found = []
    for path in sorted((REPO / folder).rglob("*.py")):
        where = path.relative_to(REPO).as_posix()
        for line, name in imported_modules(path):
            top = name.split(".", 1)[0]
            if top in forbidden and top not in allowed.get(where, ()):
                found.append(f"{where}:{line} imports {name}")
    return found


def test_the_core_imports_neither_telegram_nor_the_handlers() -> None:
    assert violations("bot", ("telegram", "handlers"), {"bot/__main__.py": ("handlers",)}) == []


def test_the_handlers_never_touch_sqlite() -> None:
    assert violations("handlers", ("sqlite3",), {}) == []


def test_only_the_store_touches_sqlite() -> None:
    """SQLite stays behind ``bot.store``'s protocols, so another backend replaces one package."""
    assert (
        violations(
            "bot",
            ("sqlite3",),
            {
                "bot/store/sqlite.py": ("sqlite3",),
                "bot/store/sqlite_base.py": ("sqlite3",),
                "bot/store/migrations.py": ("sqlite3",),
                "bot/store/sqlite_to_postgres.py": ("sqlite3",),
            },
        )
        == []
    )


def test_only_the_postgresql_store_touches_psycopg() -> None:
    """PostgreSQL too stays behind ``bot.store``'s protocols: its driver is imported by its modules only."""
    store = {
        f"bot/store/{name}.py": ("psycopg",)
        for name in (
            "postgres",
            "postgres_base",
            "postgres_chats",
            "postgres_migrations",
            "postgres_originals",
        )
    }
    assert violations("bot", ("psycopg",), {**store, "bot/store/sqlite_to_postgres.py": ("psycopg",)}) == []
    assert violations("handlers", ("psycopg",), {}) == []


def test_every_kind_of_import_is_seen(tmp_path: Path) -> None:
    """The check reads plain, ``from``, function-local and relative imports (else it could pass blind)."""
    module = tmp_path / "bot" / "sample.py"
    module.parent.mkdir()
    module.write_text(
        "import telegram.ext\n"
        "from handlers import app\n"
        "def later() -> None:\n"
        "    from telegram import Update\n"
        "from . import core\n"
        "from .render_text import render\n",
        encoding="utf-8",
    )
    assert sorted(imported_modules(module)) == [
        (1, "telegram.ext"),
        (2, "handlers"),
        (4, "telegram"),
        (5, "bot"),
        (6, "bot.render_text"),
    ]
