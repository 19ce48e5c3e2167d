"""What every command shares: the workspace, the catalog, options, and how errors are shown."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated

import typer

from ..periods import PERIOD_HELP, Period, parse_date, parse_period, today
from .state import State, recorder

__all__ = ["State", "recorder", "state"]


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


FormatOpt = Annotated[Fmt, typer.Option("--format", "-f", case_sensitive=False, help="输出格式：table（表格）、json、csv、md（Markdown）")]
UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="单位：名称、别名或编号，如 市委宣传部 / 宣传部 / xcb")]
ActivityOpt = Annotated[str, typer.Option("--activity", "-a", help="活动：编号 1–18 或标题中的独有字词")]
PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD（默认今天，北京时间）")]


def as_of_date(text: str | None) -> dt.date:
    return parse_date(text, "--as-of 截至日期") if text else today()


def period_or_none(text: str | None) -> Period | None:
    return parse_period(text) if text else None
