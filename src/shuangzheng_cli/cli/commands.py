"""The command line, declared once (httpie's `cli/definition.py` is the model).

Every command in the order help lists it, with the module under `cli/` that registers it;
the global options; and the parameters of the commands whose options are declared here.
From this table `cli.fast` parses the usual spellings of `add`, `inspect` and `check`
without Typer, `cli.build` makes the Typer commands, and `cli.main` knows which module
to import for a command. Pure data: importing it costs nothing (no Typer, no pydantic).

A command with `params=None` still declares its options in its module's Typer signature;
moving it here is a matter of listing its parameters and registering it with `cli.build`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

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
    multiple: bool = False  # repeatable; the values form a list
    show_default: bool = True

    @property
    def required(self) -> bool:
        return self.default is REQUIRED

    @property
    def is_flag(self) -> bool:
        return self.type is bool


@dataclass(frozen=True)
class Command:
    """A command: its name, the module that registers it, and (when declared here) its help and parameters."""

    name: str
    module: str
    help: str = ""
    params: tuple[Param, ...] | None = None
    run: str = ""  # the function of `cli.actions` that does it, called with the State and the parameters
    fast: bool = False  # its usual spellings run without Typer (`cli.fast`)


# ------------------------------------------------------------ parameters shared by several commands

UNIT = Param("unit", ("--unit", "-u"), "单位：名称、别名或编号，如 市委宣传部 / 宣传部 / xcb", default=REQUIRED)
ACTIVITY = Param("activity", ("--activity", "-a"), "活动：编号 1–18 或标题中的独有字词", default=REQUIRED)
DATE = Param("date", ("--date", "-d"), "工作发生的日期 YYYY-MM-DD（默认今天）")
BY = Param("by", ("--by",), "记录人（默认 SHUANGZHENG_BY、git config shuangzheng.recorder、git 用户名、登录名，依次取第一个）")

#: Options before the command: `shuangzheng --root DIR --ascii status`.
GLOBAL = (
    Param("root", ("--root",), "工作区目录（含 data/ 与 ledgers/）", show_default=False),
    Param(
        "ascii_borders", ("--ascii",), "用 ASCII 字符画表格边框（Windows 代码页 936 控制台不错位）", type=bool, default=False
    ),
)

# ------------------------------------------------------------ the commands, in the order help lists them

COMMANDS: tuple[Command, ...] = (
    Command("init", "definitions"),
    Command(
        "check",
        "definitions",
        "检查定义文件与全部台账，列出每个问题及其位置（文件:行）。有问题时退出码为 1。",
        (
            Param("repair", ("--repair",), "把不完整的末行移到旁边的 .torn 文件（不删除任何内容）", type=bool, default=False),
            Param(
                "since",
                ("--since",),
                "另查台账的历史：从这个提交（编号、分支名如 origin/main、标签；不在 HEAD 的历史中时从两者分开处算起）"
                "到 HEAD，已有记录没有被修改、删除、调换顺序，台账文件没有被删除或改名",
            ),
            Param(
                "staged",
                ("--staged",),
                "另查暂存区（提交前检查用）：只在末尾追加，且只改本克隆填报单位的台账",
                type=bool,
                default=False,
            ),
        ),
        run="run_check",
        fast=True,
    ),
    Command("units", "definitions"),
    Command("activities", "definitions"),
    Command(
        "add",
        "ledger_cmds",
        "记一条进展（台账）：单位、活动、进展情况，可附自评颜色、问题、打算、数据与佐证。",
        (
            UNIT,
            ACTIVITY,
            Param("text", ("--text", "-t"), "进展情况", default=REQUIRED),
            DATE,
            Param("color", ("--color", "-c"), "自评颜色：绿/蓝/黄/红 或 green/blue/yellow/red"),
            Param("problems", ("--problems",), "存在问题"),
            Param("next_steps", ("--next",), "下步打算"),
            Param("metric", ("--metric", "-m"), "数据，名称=数量，可重复：-m 场次=3 -m 参与人数=120", multiple=True),
            Param("evidence", ("--evidence", "-e"), "佐证材料（链接或路径），可重复", multiple=True),
            BY,
        ),
        run="add_progress",
        fast=True,
    ),
    Command(
        "inspect",
        "ledger_cmds",
        "记一次督导、抽查或暗访：检查结论（四色）与后续处理（整改、约谈、通报，可多项）。",
        (
            UNIT,
            ACTIVITY,
            Param("method", ("--method",), "方式：督导 / 抽查 / 暗访", default=REQUIRED),
            Param("color", ("--color", "-c"), "检查结论颜色：绿/蓝/黄/红", default=REQUIRED),
            Param("text", ("--text", "-t"), "检查发现", default=REQUIRED),
            Param(
                "followup",
                ("--followup",),
                "后续处理：无 / 整改 / 约谈 / 通报，可重复：--followup 约谈 --followup 通报",
                multiple=True,
            ),
            Param("due", ("--due",), "整改期限（仅用于 --followup 整改；默认按规则，检查之日起若干天）"),
            DATE,
            BY,
        ),
        run="add_inspection",
        fast=True,
    ),
    Command(
        "followup",
        "ledger_cmds",
        "记一条后续处理结果：检查要求的约谈已进行、已通报、整改完成，或整改验收通过/不通过。",
        (
            Param("ref", ("--ref",), "检查记录的编号（见 history）", default=REQUIRED),
            Param("result", ("--result",), "结果：已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过", default=REQUIRED),
            Param("text", ("--text", "-t"), "说明（可不填）"),
            Param("due", ("--due",), "验收不通过时的新整改期限（默认按规则，自记录之日起若干天）"),
            DATE,
            BY,
        ),
        run="add_followup",
    ),
    Command(
        "void",
        "ledger_cmds",
        "作废记录（可一次作废多条）：原记录保留在文件中，统计时不再计入。",
        (
            Param("entry_ids", (), "要作废的记录编号（见 history），可写多个", default=REQUIRED, multiple=True),
            Param("reason", ("--reason", "-r"), "作废原因", default=REQUIRED),
            DATE,
            BY,
        ),
        run="add_void",
    ),
    Command("history", "ledger_cmds"),
    Command("status", "board_cmds"),
    Command("alerts", "board_cmds"),
    Command("remind", "remind_cmd"),
    Command("export", "excel_cmds"),
    Command("template", "excel_cmds"),
    Command("import", "excel_cmds"),
    Command("report", "report_cmds"),
    Command("score", "report_cmds"),
    Command("bulletin", "report_cmds"),
    Command("hub", "hub_cmds"),
)

BY_NAME = {c.name: c for c in COMMANDS}
FAST = {c.name: c for c in COMMANDS if c.fast}


def command(name: str) -> Command:
    """The declared command `name` (KeyError when there is none)."""
    return BY_NAME[name]

