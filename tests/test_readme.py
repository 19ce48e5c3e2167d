"""README.md stays true: every command is documented, and every command it shows runs as shown."""

from __future__ import annotations

import subprocess
import sys

import typer
from conftest import REPO

from shuangzheng_cli.cli import app


def _command_names() -> list[str]:
    group = typer.main.get_command(app)
    names = []
    for name, command in group.commands.items():  # type: ignore[attr-defined]
        subcommands = getattr(command, "commands", None)
        if subcommands:
            names += [f"{name} {sub}" for sub in subcommands]
        else:
            names.append(name)
    return names


def test_every_command_appears_in_the_readme() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    missing = [name for name in _command_names() if f"shuangzheng {name}" not in text]
    assert not missing, f"README 未介绍这些命令：{missing}"


def test_readme_shows_the_two_commands() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert "make demo" in text and "make test" in text


def test_readme_outputs_are_what_the_commands_print() -> None:
    """Runs every `$ shuangzheng …` block of the README in a scratch copy of examples/."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
