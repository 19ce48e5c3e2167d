"""Shared fixtures: the bundled catalog, fresh workspaces, and running the CLI in-process or as a real process."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from shuangzheng_cli.cli import main
from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.storage import Ledger
from shuangzheng_cli.workspace import bundled_data_dir

REPO = Path(__file__).resolve().parents[1]


@dataclass
class Result:
    code: int
    out: str
    err: str


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The real definitions, as shipped."""
    return Catalog.load(bundled_data_dir())


@pytest.fixture(autouse=True)
def _quiet_env(monkeypatch: pytest.MonkeyPatch) -> None:
    """No color, a fixed recorder, and no workspace leaking in from the environment."""
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("SHUANGZHENG_BY", "测试员")
    monkeypatch.delenv("SHUANGZHENG_ROOT", raising=False)
    monkeypatch.setenv("SHUANGZHENG_TODAY", "2022-11-30")
    monkeypatch.setenv("COLUMNS", "200")


@pytest.fixture
def cli(capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch):
    """Run `shuangzheng ARGS` in this process: returns Result(code, out, err)."""

    def run(*args: str, cwd: Path | None = None) -> Result:
        if cwd is not None:
            monkeypatch.chdir(cwd)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return run


@pytest.fixture(scope="session")
def initialized(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace made by `shuangzheng init` (real files, a real git repository), made once."""
    root = tmp_path_factory.mktemp("initialized") / "ws"
    assert main(["init", str(root)]) == 0
    return root


@pytest.fixture(scope="session")
def reports_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The hand-made definitions and ledger of `test_reports_core.py`, made once (read only)."""
    from test_reports_core import ENTRIES, write_definitions

    root = write_definitions(tmp_path_factory.mktemp("reports_ws"))
    Ledger(root, Catalog.load(root)).append(ENTRIES)
    return root


@pytest.fixture
def run_reports(cli, reports_ws: Path):  # noqa: ANN001, ANN201
    """`shuangzheng --root <reports_ws> ARGS`: returns Result(code, out, err)."""

    def go(*args: str) -> Result:
        return cli("--root", str(reports_ws), *args)

    return go


@pytest.fixture
def workspace(initialized: Path, tmp_path: Path) -> Path:
    """A fresh copy of the initialized workspace for one test (running `init` per test is slow)."""
    return Path(shutil.copytree(initialized, tmp_path / "ws", symlinks=True))


def run_process(*args: str, cwd: Path | None = None, env: dict[str, str] | None = None, timeout: float = 120) -> Result:
    """Run `python -m shuangzheng_cli ARGS` as a real subprocess."""
    full_env = {**os.environ, "NO_COLOR": "1", "SHUANGZHENG_BY": "测试员", **(env or {})}
    proc = subprocess.run(
        [sys.executable, "-m", "shuangzheng_cli", *map(str, args)],
        cwd=cwd,
        env=full_env,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    return Result(proc.returncode, proc.stdout, proc.stderr)
