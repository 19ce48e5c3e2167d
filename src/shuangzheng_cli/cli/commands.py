"""The command line, declared once (httpie's `cli/definition.py` is the model).

Here: what a command and a parameter are, the options several commands share, the global
options, and the index of every command (in the order help lists it) naming the module under
`cli/` that declares it: each such module ends with `COMMANDS`, its commands as data, next to
the plain functions that do them. From this data `cli.fast` parses the usual spellings of
every command without Typer, and `cli.build` makes the Typer app; `cli.main` imports only the
module of the command asked for. Pure data: importing it costs nothing (no Typer, no pydantic).
"""

from __future__ import annotations

import importlib
from collections.abc import Callable
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from ..periods import PERIOD_HELP

#: The default of a parameter that must be given.
REQUIRED: Any = ...


@dataclass(frozen=True)
class Param:
    """One option (`flags` its spellings) or, without flags, one positional argument."""

    name: str  # the Python parameter it fills
    flags: tuple[str, ...]
    help: str
    type: type = str  # str, int, Path; bool is a flag without a value
    default: Any = None  # REQUIRED: must be given
    multiple: bool = False  # repeatable (an argument: one or more); the values form a list
    show_default: bool = True
    min: int | None = None  # an int's range, both ends included
    max: int | None = None
    choices: tuple[str, ...] = ()  # the values it takes, matched regardless of case
    aliases: tuple[tuple[str, str], ...] = ()  # other names of the choices, (name, choice): 列表 → list
    metavar: str = ""  # an argument's name in help and usage (编号, 文件); an option's comes from its type unless given

    @property
    def accepted(self) -> tuple[str, ...]:
        """Every value that may be written: the choices, then their other names (`aliases`)."""
        return (*self.choices, *(name for name, _ in self.aliases))

    def choice(self, text: str) -> str | None:
        """The choice `text` names (a choice in any case, or an alias of one); None if none."""
        lowered = text.lower()
        if lowered in self.choices:
            return lowered
        return next((choice for name, choice in self.aliases if name.lower() == lowered), None)

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def is_flag(self) -> bool:
        return self.type is bool


@dataclass(frozen=True)
class Command:
    """A command: its name (`report week` in a group), help, parameters, and the function that does it,
    called with the invocation's `State` and the parameters as keywords; an int result is the exit code."""

    name: str
    help: str
    params: tuple[Param, ...]
    run: Callable[..., object]
    hidden: bool = False


@dataclass(frozen=True)
class Group:
    """A command with subcommands (`report week`); `markup`: help text may hold rich markup."""

    help: str
    markup: bool = True


# ------------------------------------------------------------ parameters shared by several commands

UNIT = Param("unit", ("--unit", "-u"), "单位：名称、别名或编号，如 市委宣传部 / 宣传部 / xcb", default=REQUIRED)
ACTIVITY = Param("activity", ("--activity", "-a"), "活动：编号 1–18 或标题中的独有字词", default=REQUIRED)
DATE = Param("date", ("--date", "-d"), "工作发生的日期 YYYY-MM-DD（默认今天）")
CATEGORY = Param("category", ("--category", "-c"), "类别编号 1–5", type=int, min=1, max=99)
BY = Param("by", ("--by",), "记录人（默认 SHUANGZHENG_BY、git config shuangzheng.recorder、git 用户名、登录名，依次取第一个）")
AS_OF = Param("as_of", ("--as-of",), "截至日期 YYYY-MM-DD（默认今天，北京时间）")
PERIOD = Param("period", ("--period", "-p"), PERIOD_HELP)
OUTPUT = Param(
    "output",
    ("--output", "-o"),
    "写入文件，格式按扩展名：.txt .md .json .csv .xlsx .docx（本命令可用的见 --format；.csv 带 BOM，Excel 可直接打开）。"
    "同时给出 --format 时，扩展名须与之相符，其他扩展名按 --format 写",
    type=Path,
    show_default=False,
)
FORCE = Param("force", ("--force",), "替换已存在的 -o 文件（默认不覆盖）", type=bool, default=False)


def formats(*choices: str, help: str) -> Param:  # noqa: A002 - the option's help
    """`--format/-f`: one of `choices`, the first being the default (`common.output_format`)."""
    return Param("fmt", ("--format", "-f"), help, choices=choices, show_default=False, metavar="格式")


#: `--format` of the listings: a table, or the same rows as JSON, CSV or Markdown.
FORMAT = formats("table", "json", "csv", "md", help="输出格式：table（表格，默认）、json、csv、md（Markdown）")
#: `--format`, `-o` and `--force` of a listing.
LISTING = (FORMAT, OUTPUT, FORCE)


def optional(param: Param, help: str | None = None) -> Param:  # noqa: A002
    """A shared option as a command takes it: not required (a filter), with its own help if given."""
    return replace(param, default=None, help=help or param.help)


#: Options before the command: `shuangzheng --root DIR --ascii status`.
GLOBAL = (
    Param("root", ("--root",), "工作区目录（含 data/ 与 ledgers/）", show_default=False),
    Param(
        "ascii_borders", ("--ascii",), "用 ASCII 字符画表格边框（Windows 代码页 936 控制台不错位）", type=bool, default=False
    ),
)

# ------------------------------------------------------------ every command, in the order help lists it

#: Command (or group) name → the module under `cli/` whose `COMMANDS` declare it.
INDEX: dict[str, str] = {
    "init": "definitions",
    "check": "definitions",
    "units": "definitions",
    "activities": "definitions",
    "add": "ledger_cmds",
    "inspect": "ledger_cmds",
    "followup": "ledger_cmds",
    "void": "ledger_cmds",
    "history": "ledger_cmds",
    "status": "board_cmds",
    "alerts": "board_cmds",
    "remind": "remind_cmd",
    "export": "excel_cmds",
    "template": "excel_cmds",
    "import": "excel_cmds",
    "score": "report_cmds",
    "bulletin": "report_cmds",
    "report": "report_cmds",
    "hub": "hub_cmds",
}

GROUPS: dict[str, Group] = {
    "report": Group("报表：周报（信息简报）、半年报告。年度考核见 score，通报见 bulletin。", markup=False),
    "hub": Group(
        "市“双争”办的共享仓库（裸 git 仓库）：每次推送都检查台账只在末尾追加、推送后的版本通过 check，否则拒绝推送。"
    ),
}


def declared(module: str) -> tuple[Command, ...]:
    """The commands the module `cli.<module>` declares (importing it)."""
    return importlib.import_module(f"{__package__}.{module}").COMMANDS


def find(name: str) -> Command | None:
    """The command `name` (`status`, `report week`), importing only its module; None if there is none."""
    module = INDEX.get(name.split(" ")[0])
    if module is None:
        return None
    return next((c for c in declared(module) if c.name == name), None)


def every() -> list[Command]:
    """Every declared command, in the order help lists them (importing every command module)."""
    return [c for module in dict.fromkeys(INDEX.values()) for c in declared(module)]
