"""Per-invocation state (workspace, catalog, output) and who records: shared by the Typer
commands and the fast path of `cli.fast`, so neither needs the other (this module imports no Typer)."""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field

from ..definitions.catalog import Catalog
from ..errors import ShuangzhengError, UsageProblem
from ..ledger.storage import Ledger
from ..render.terminal import Output
from ..render.text import plain
from ..workspace import Workspace, find_workspace


@dataclass
class State:
    """Per-invocation state, set by the app callback from the global options."""

    root: str | None = None
    ascii: bool = False
    _workspace: Workspace | None = None
    _catalog: Catalog | None = None
    out: Output = field(default_factory=Output)

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = find_workspace(self.root)
        return self._workspace

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.workspace.data_root)
        return self._catalog

    def ledger(self, *, write: bool = False) -> Ledger:
        ws = self.workspace
        if write:
            return Ledger(ws.require_writable())
        if ws.root is None:
            return Ledger(ws.data_root / "__no_workspace__")
        return Ledger(ws.root)


def recorder(explicit: str | None, ws: Workspace) -> str:
    """Who records: --by, else `git config shuangzheng.recorder`, else git's user.name, else the login."""
    import subprocess

    if explicit and explicit.strip():
        return explicit.strip()
    env = os.environ.get("SHUANGZHENG_BY")
    if env:
        return env.strip()
    for key in ("shuangzheng.recorder", "user.name"):
        try:
            result = subprocess.run(
                ["git", "config", "--get", key],
                cwd=ws.root or None,
                capture_output=True,
                text=True,
                timeout=5,
                check=False,
            )
        except (OSError, subprocess.SubprocessError):
            break
        if result.returncode == 0 and result.stdout.strip():
            return result.stdout.strip()
    try:
        return os.getlogin()
    except OSError:
        raise UsageProblem("无法确定记录人：请用 --by 指定，或运行 git config shuangzheng.recorder 姓名") from None


def show_error(exc: ShuangzhengError) -> int:
    """A library error as the user sees it (`错误：…` on stderr, data shown as plain text); its exit code."""
    sys.stdout.flush()
    sys.stderr.write(f"错误：{plain(str(exc))}\n")
    return exc.code
