"""README.md and docs/ stay true: every command is documented, every command shown runs as shown,
and README.md stays a front door (short, with the set-up for Linux and Windows)."""

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
        if subcommands:  # a hidden one (`hub receive`, run by a git hook) is not for people to type
            names += [f"{name} {sub}" for sub, c in subcommands.items() if not getattr(c, "hidden", False)]
        else:
            names.append(name)
    return names


def _docs_text() -> str:
    files = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
    return "\n".join(f.read_text(encoding="utf-8") for f in files)


def test_every_command_appears_in_the_docs() -> None:
    text = _docs_text()
    missing = [name for name in _command_names() if f"shuangzheng {name}" not in text]
    assert not missing, f"README 与 docs/ 未介绍这些命令：{missing}"


def test_every_command_is_run_somewhere_in_the_docs() -> None:
    """Each command appears at least once as a `$ shuangzheng …` block that the README check re-runs."""
    text = _docs_text()
    shown = [name for name in _command_names() if f"$ shuangzheng {name}" in text]
    missing = [name for name in _command_names() if name not in shown and name != "init"]
    assert not missing, f"这些命令没有可重新运行的示例：{missing}"


def test_readme_is_a_front_door() -> None:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    assert len(text.splitlines()) < 300
    assert "make demo" in text and "make test" in text
    # the Windows set-up: a venv made by the py launcher, its Scripts\ folder, the module entry point
    assert "py -m venv .venv" in text
    assert "\\Scripts\\python -m pip install" in text
    assert "python -m shuangzheng_cli" in text
    for doc in ("docs/tour.md", "docs/rules.md", "docs/formats.md", "docs/git.md", "docs/reliability.md"):
        assert f"]({doc})" in text and (REPO / doc).is_file()


def test_readme_outputs_are_what_the_commands_print() -> None:
    """Runs every `$ shuangzheng …` block of the README in a scratch copy of examples/."""
    result = subprocess.run(
        [sys.executable, str(REPO / "scripts" / "readme.py"), "--check"],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stderr
