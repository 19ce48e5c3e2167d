"""What every command shares: the workspace, the catalog, options, and how errors are shown."""

from __future__ import annotations

import datetime as dt
import os
import subprocess
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Annotated

import typer

from ..catalog import Catalog
from ..errors import UsageProblem
from ..ledger import Ledger
from ..periods import PERIOD_HELP, Period, parse_date, parse_period, today
from ..render import Output
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


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    if not isinstance(obj, State):
        obj = State()
        ctx.find_root().obj = obj
    return obj


class Fmt(StrEnum):
    table = "table"
    json = "json"
    csv = "csv"
    md = "md"


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", help="输出格式：table（表格）、json、csv、md（Markdown）")]
UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="单位：名称、别名或编号，如 市委宣传部 / 宣传部 / xcb")]
ActivityOpt = Annotated[str, typer.Option("--activity", "-a", help="活动：编号 1–18 或标题中的独有字词")]
PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD（默认今天，北京时间）")]


def as_of_date(text: str | None) -> dt.date:
    return parse_date(text, "截至日期") if text else today()


def period_or_none(text: str | None) -> Period | None:
    return parse_period(text) if text else None


def recorder(explicit: str | None, ws: Workspace) -> str:
    """Who records: --by, else `git config shuangzheng.recorder`, else git's user.name, else the login."""
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
