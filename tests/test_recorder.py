"""One recorder policy (记录人) for the command line and the Python API: --by / by=, then
SHUANGZHENG_BY, then `git config shuangzheng.recorder`, then git's user.name, then the login."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

LIBRARY = """
from shuangzheng_cli.ledger.entries import progress
import sys
print(progress("xcb", 1, "动员会", date="2022-11-01", by=sys.argv[1] or None).by)
"""


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    """No global or system git configuration, a known login name, no SHUANGZHENG_BY unless given."""
    empty = tmp_path / "empty-gitconfig"
    empty.touch()
    env = {k: v for k, v in os.environ.items() if k != "SHUANGZHENG_BY"}
    env |= {"GIT_CONFIG_GLOBAL": str(empty), "GIT_CONFIG_NOSYSTEM": "1", "LOGNAME": "login-wang", "USER": "login-wang"}
    return env | extra


def _git(ws: Path, *args: str) -> None:
    subprocess.run(["git", "-C", str(ws), "config", *args], check=True, env=_env(ws))


def _cli_recorder(ws: Path, env: dict[str, str], by: str = "") -> str:
    args = ["add", "-u", "xcb", "-a", "1", "-t", "动员会", "-d", "2022-11-01"] + (["--by", by] if by else [])
    proc = subprocess.run(
        [sys.executable, "-m", "shuangzheng_cli", "--root", str(ws), *args],
        env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    last = (ws / "ledgers" / "2022" / "xcb.jsonl").read_text(encoding="utf-8").splitlines()[-1]
    return json.loads(last)["by"]


def _library_recorder(ws: Path, env: dict[str, str], by: str = "") -> str:
    proc = subprocess.run(
        [sys.executable, "-c", LIBRARY, by], cwd=ws, env=env, capture_output=True, text=True, timeout=120, check=False
    )
    assert proc.returncode == 0, proc.stderr
    return proc.stdout.strip()


@pytest.mark.parametrize(
    ("setup", "env_by", "given", "expected"),
    [
        ({}, None, "", "login-wang"),
        ({"user.name": "Zhang San"}, None, "", "Zhang San"),
        ({"user.name": "Zhang San", "shuangzheng.recorder": "李四"}, None, "", "李四"),
        ({"shuangzheng.recorder": "李四"}, "赵六", "", "赵六"),
        ({"shuangzheng.recorder": "李四"}, "赵六", "钱七", "钱七"),
    ],
    ids=["login", "git-user", "git-recorder", "environment", "given"],
)
def test_cli_and_library_record_the_same_name(
    workspace: Path, tmp_path: Path, setup: dict[str, str], env_by: str | None, given: str, expected: str
) -> None:
    for key, value in setup.items():
        _git(workspace, key, value)
    env = _env(tmp_path, **({"SHUANGZHENG_BY": env_by} if env_by else {}))
    assert _cli_recorder(workspace, env, given) == expected
    assert _library_recorder(workspace, env, given) == expected
