"""Who records an entry (记录人): one policy for the command line and the Python API alike.

In order: the name given (`--by`, or `by=` in Python), the environment variable
`SHUANGZHENG_BY`, `git config shuangzheng.recorder`, git's `user.name`, the login name.
git is asked in the workspace (`root`), so a repository's own setting wins over the global one.
"""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

from ..errors import UsageProblem

#: The environment variable that names the recorder for a session (scripts, tests, shared PCs).
ENV = "SHUANGZHENG_BY"
#: The git configuration keys asked, in order.
GIT_KEYS = ("shuangzheng.recorder", "user.name")


def _clean(value: str | None) -> str:
    """The name without white space around it and without control characters (as entries keep texts)."""
    return "".join(ch for ch in value or "" if ch.isprintable() or ch == " ").strip()


def _git_config(key: str, root: Path | str | None) -> str:
    """A git configuration value as seen from `root` (or the current folder); '' when unset or without git."""
    try:
        result = subprocess.run(
            ["git", "config", "--get", key],
            cwd=root or None,
            capture_output=True,
            text=True,
            timeout=5,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def _login() -> str:
    import getpass

    try:
        return getpass.getuser()
    except (OSError, KeyError, ImportError):
        return ""


def recorder(given: str | None = None, root: Path | str | None = None) -> str:
    """The recorder's name, the first of the sources above that gives one; `UsageProblem` when none does."""
    for name in (given, os.environ.get(ENV)):
        if _clean(name):
            return _clean(name)
    for key in GIT_KEYS:
        name = _clean(_git_config(key, root))
        if name:
            return name
    name = _clean(_login())
    if name:
        return name
    raise UsageProblem("无法确定记录人：请用 --by 指定，或运行 git config shuangzheng.recorder 姓名")
