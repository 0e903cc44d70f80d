"""Docs that are tested: every command and setting is documented where a newcomer looks."""

from __future__ import annotations

import re

from bot.cli import build_parser
from bot.commands import COMMANDS
from bot.settings import Settings
from tests.conftest import REPO

README = (REPO / "README.md").read_text(encoding="utf-8")
ENV_EXAMPLE = (REPO / ".env.example").read_text(encoding="utf-8")


def setting_names() -> list[str]:
    return [str(f.validation_alias) for f in Settings.model_fields.values()]


def test_every_setting_is_in_env_example_and_readme() -> None:
    for name in setting_names():
        assert re.search(rf"^{name}=", ENV_EXAMPLE, re.MULTILINE), f"{name} missing from .env.example"
        assert f"`{name}`" in README, f"{name} missing from README"


def test_every_chat_command_is_in_the_readme() -> None:
    for cmd in COMMANDS:
        assert f"`/{cmd.name}" in README, f"/{cmd.name} missing from README"


def test_every_cli_subcommand_is_in_the_readme() -> None:
    parser = build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    for name in sub.choices:  # type: ignore[union-attr]
        assert f"python -m bot {name}" in README, f"`python -m bot {name}` missing from README"


def test_quick_start_has_exactly_two_commands() -> None:
    section = README.split("## Quick start", 1)[1].split("```sh", 1)[1].split("```", 1)[0]
    commands = [line for line in section.strip().splitlines() if line.strip()]
    assert len(commands) == 2
    assert "python3 -m bot" in commands[0] and "pytest" in commands[1]


def test_the_container_image_holds_every_package_and_runs_the_bot() -> None:
    """The Dockerfile copies what ``pip install .`` packages (a new top-level package left out would
    install an image that fails at its first import) and runs the command the README documents."""
    import tomllib

    dockerfile = (REPO / "Dockerfile").read_text(encoding="utf-8")
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))
    packages = [p.rstrip("*") for p in project["tool"]["setuptools"]["packages"]["find"]["include"]]
    copied = set(re.findall(r"^COPY (\S+) \./", dockerfile, re.MULTILINE))
    assert packages and set(packages) <= copied, f"{set(packages) - copied} not copied into the image"
    assert 'CMD ["python", "-m", "bot", "run"]' in dockerfile
    assert "docker run" in README and "USER dossier" in dockerfile
