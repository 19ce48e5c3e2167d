"""What every command shares: the workspace, the catalog, options, and how errors are shown."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from pathlib import Path
from typing import Annotated, TypeVar

import typer

from ..errors import UsageProblem
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


FormatOpt = Annotated[
    Fmt | None,
    typer.Option(
        "--format", "-f", case_sensitive=False, help="输出格式：table（表格，默认）、json、csv、md（Markdown）", show_default=False
    ),
]

#: What `-o FILE` writes, by the file's extension: the first of the formats listed that the
#: command has (`.txt` is the table as the terminal shows it, or `remind`'s plain text).
FILE_FORMATS = {
    ".txt": ("table", "text"),
    ".md": ("md",),
    ".json": ("json",),
    ".csv": ("csv",),
    ".xlsx": ("xlsx",),
    ".docx": ("docx",),
}
#: Formats written to a file by the renderer itself rather than printed.
BINARY_FORMATS = ("xlsx", "docx")

OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="写入文件，按扩展名选格式：.txt（表格）、.md、.json、.csv（带 BOM，Excel 直接打开）、.xlsx、.docx"
        "（本命令可用的见 --format）；同时给出 --format 时以 --format 为准",
        show_default=False,
    ),
]
ForceOpt = Annotated[bool, typer.Option("--force", help="-o 指定的文件已存在时替换（默认不覆盖）")]

F = TypeVar("F", bound=StrEnum)


def output_format(st: State, fmt: F | None, output: Path | None, force: bool, default: F) -> F:
    """The format asked for: `--format`, else the `-o` file's extension, else `default`.

    With `-o` and a format that is printed (table, md, json, csv), what the command prints goes
    to that file (`State.write_to`; CSV with a BOM); xlsx and docx are left to the command.
    Raises `UsageProblem` for an extension this command cannot write, or an existing file
    without `force`.
    """
    choices = type(default)
    if fmt is None:
        fmt = default
        if output is not None:
            names = [f for f in FILE_FORMATS.get(output.suffix.lower(), ()) if f in choices.__members__]
            if not names:
                allowed = "、".join(ext for ext, fs in FILE_FORMATS.items() if set(fs) & set(choices.__members__))
                raise UsageProblem(
                    f"-o {output}：本命令可写成 {allowed} 文件（按扩展名选择格式），或用 --format 指定格式"
                )
            fmt = choices(names[0])
    if output is not None and fmt.value not in BINARY_FORMATS:
        st.write_to(output, force=force, bom=fmt.value == "csv", table=fmt.value == "table")
    return fmt
UnitOpt = Annotated[str, typer.Option("--unit", "-u", help="单位：名称、别名或编号，如 市委宣传部 / 宣传部 / xcb")]
ActivityOpt = Annotated[str, typer.Option("--activity", "-a", help="活动：编号 1–18 或标题中的独有字词")]
PeriodOpt = Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP)]
AsOfOpt = Annotated[str | None, typer.Option("--as-of", help="截至日期 YYYY-MM-DD（默认今天，北京时间）")]


def as_of_date(text: str | None) -> dt.date:
    return parse_date(text, "--as-of 截至日期") if text else today()


def period_or_none(text: str | None) -> Period | None:
    return parse_period(text) if text else None
