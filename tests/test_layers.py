"""The package's layers: the command line is thin and nothing below it depends on it."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "src" / "shuangzheng_cli"
MODULES = sorted(PACKAGE.rglob("*.py"))


def _imports(path: Path) -> set[str]:
    """Every module `path` imports (anywhere in it), relative imports made absolute."""
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    package = parts[:-1]  # a module and an __init__ both sit in their folder's package
    out = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = list(package[: len(package) - node.level + 1]) if node.level else []
            module = ".".join([*base, *(node.module.split(".") if node.module else [])])
            out.add(module)
            out.update(f"{module}.{alias.name}" for alias in node.names)
    return out


@pytest.mark.parametrize(
    "path",
    [p for p in MODULES if "cli" not in p.relative_to(PACKAGE).parts[:1] and p.name != "__main__.py"],
    ids=lambda p: p.relative_to(PACKAGE).as_posix(),
)
def test_nothing_outside_cli_imports_typer_or_the_cli(path: Path) -> None:
    bad = {m for m in _imports(path) if m.split(".")[0] in ("typer", "click") or m.startswith("shuangzheng_cli.cli")}
    assert not bad


@pytest.mark.parametrize("path", sorted((PACKAGE / "cli").glob("*.py")), ids=lambda p: p.name)
def test_cli_modules_stay_thin(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= 300


def test_the_scan_sees_imports() -> None:
    """The scan itself: the Typer layer is seen importing Typer and its siblings, a command module its renderers."""
    found = _imports(PACKAGE / "cli" / "build.py")
    assert "typer" in found and "shuangzheng_cli.cli.commands" in found and "shuangzheng_cli.cli.root" in found
    assert "shuangzheng_cli.render.markdown" in _imports(PACKAGE / "cli" / "report_cmds.py")


def test_only_the_typer_layer_imports_typer() -> None:
    """The commands are plain functions declared as data: only `cli.build` and `cli.root` make the Typer app."""
    users = {p.name for p in (PACKAGE / "cli").glob("*.py") if any(m.split(".")[0] in ("typer", "click") for m in _imports(p))}
    assert users == {"build.py", "root.py"}
