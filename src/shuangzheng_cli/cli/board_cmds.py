"""The four-color board on screen: `status` (挂图作战) and `alerts` (预警与约谈)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..board import BOARD_COLORS, Board, BoardIndex, CellStatus, alerts as board_alerts, interviews
from ..catalog import Catalog
from ..errors import UsageProblem
from ..models import COLOR_MEANINGS, parse_color
from ..render import MD_SQUARES, Column, color_name, display_width, rows_to_markdown, to_json
from . import app
from .common import ActivityOpt, AsOfOpt, Fmt, FormatOpt, State, UnitOpt, as_of_date, state


class View(StrEnum):
    matrix = "matrix"
    list = "list"
    units = "units"


def load_index(st: State, as_of: dt.date) -> BoardIndex:
    """Read the ledger up to `as_of` and index it for the board (voids applied)."""
    ledger = st.ledger()
    entries = ledger.entries(until=as_of)
    if ledger.skipped:
        first = ledger.skipped[0]
        st.out.message(f"注意：台账中有 {len(ledger.skipped)} 行无法读取，已跳过（首处 {first.place}）。运行 shuangzheng check 查看。")
    return BoardIndex(st.catalog, entries)


def select(
    catalog: Catalog,
    board: Board,
    *,
    category: int | None = None,
    activity: str | None = None,
    unit: str | None = None,
    color: str | None = None,
) -> Board:
    """Keep only the cells the options ask for."""
    keep_units: set[str] | None = None
    number = None
    wanted_color = None
    if category is not None and category not in catalog.categories:
        raise UsageProblem(f"未知类别 {category}：类别编号为 {min(catalog.categories)}–{max(catalog.categories)}")
    if activity:
        number = catalog.resolve_activity(activity)
    if unit:
        uid = catalog.resolve_unit(unit)
        keep_units = set(catalog.expand(uid)) | {uid}
    if color:
        wanted_color = parse_color(color)
        if wanted_color is None and color.strip() in ("未开始", "not_started"):
            wanted_color = "not_started"
        if wanted_color is None:
            raise UsageProblem(f"颜色 '{color}' 无效：可写 红/黄/蓝/绿 或 red/yellow/blue/green")

    def keep(c: CellStatus) -> bool:
        return (
            (category is None or catalog.activities[c.activity].category == category)
            and (number is None or c.activity == number)
            and (keep_units is None or c.unit in keep_units)
            and (wanted_color is None or c.color == wanted_color)
        )

    return board.filter(keep)


def legend(board: Board) -> str:
    totals = board.totals()
    parts = [f"{color_name(c)} {totals[c]}" for c in BOARD_COLORS]
    meanings = "，".join(f"{color_name(c)}={COLOR_MEANINGS[c]}" for c in ("red", "yellow", "blue", "green"))
    return f"合计 {len(board.cells)} 格：" + "  ".join(parts) + f"\n图例：{meanings}"


def short_unit(catalog: Catalog, unit: str) -> str:
    """A unit's name for a narrow column: without the leading 市/市委 where that stays clear."""
    name = catalog.name(unit)
    if unit in catalog.groups:
        return name
    for prefix in ("市委", "市"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


def _list_rows(catalog: Catalog, board: Board) -> list[dict[str, Any]]:
    return [
        {
            "activity": f"{c.activity}.{catalog.short(c.activity)}",
            "unit": catalog.name(c.unit),
            "color": c.color,
            "last_report": c.last_report,
            "days_since": c.days_since,
            "reasons": "；".join(c.reasons),
        }
        for c in board.cells
    ]


LIST_COLUMNS = [
    Column("activity", "活动", max_width=16),
    Column("unit", "单位"),
    Column("color", "状态", color=True),
    Column("last_report", "最近报送"),
    Column("days_since", "距今（天）", justify="right"),
    Column("reasons", "原因", max_width=60),
]


def _unit_rows(catalog: Catalog, board: Board) -> list[dict[str, Any]]:
    rows = []
    per_unit: dict[str, list[CellStatus]] = {}
    for c in board.cells:
        per_unit.setdefault(c.unit, []).append(c)
    for unit, cells in per_unit.items():
        totals = board.totals(cells)
        worst = sorted((c for c in cells if c.color in ("red", "yellow")), key=lambda c: -c.severity)
        rows.append(
            {
                "unit": catalog.name(unit),
                "worst": max(cells, key=lambda c: c.severity).color,
                **{c: totals[c] for c in BOARD_COLORS},
                "cells": "；".join(f"{c.activity}.{catalog.short(c.activity)}（{color_name(c.color)}）" for c in worst[:4])
                + ("…" if len(worst) > 4 else ""),
            }
        )
    rows.sort(key=lambda r: (-r["red"], -r["yellow"], r["unit"]))
    return rows


UNIT_COLUMNS = [
    Column("unit", "单位"),
    Column("worst", "最差", color=True),
    Column("red", "红", justify="right"),
    Column("yellow", "黄", justify="right"),
    Column("blue", "蓝", justify="right"),
    Column("green", "绿", justify="right"),
    Column("cells", "红黄事项", max_width=60),
]


def _compact_rows(catalog: Catalog, board: Board) -> list[dict[str, Any]]:
    """One row per activity: its counts and its red and yellow units (the board when units don't fit)."""
    rows = []
    per_activity: dict[int, list[CellStatus]] = {}
    for c in board.cells:
        per_activity.setdefault(c.activity, []).append(c)
    for number, cells in per_activity.items():
        totals = board.totals(cells)
        reds = _names(catalog, [c.unit for c in cells if c.color == "red"])
        yellows = _names(catalog, [c.unit for c in cells if c.color == "yellow"])
        worst = max(cells, key=lambda c: c.severity).color
        rows.append(
            {
                "category": catalog.activities[number].category,
                "activity": f"{number}.{catalog.short(number)}",
                "worst": worst,
                **{c: totals[c] for c in BOARD_COLORS},
                "red_units": reds,
                "yellow_units": yellows,
            }
        )
    return rows


def _names(catalog: Catalog, units: list[str], limit: int = 10) -> str:
    names = [short_unit(catalog, u) for u in units]
    if len(names) > limit:
        return "、".join(names[:limit]) + f" 等 {len(names)} 个"
    return "、".join(names)


COMPACT_COLUMNS = [
    Column("activity", "活动", min_width=22),
    Column("worst", "最差", color=True),
    Column("red", "红", justify="right"),
    Column("yellow", "黄", justify="right"),
    Column("blue", "蓝", justify="right"),
    Column("green", "绿", justify="right"),
    Column("not_started", "未开始", justify="right"),
    Column("red_units", "红色单位", max_width=40),
    Column("yellow_units", "黄色单位", max_width=30),
]


def _print_matrix(st: State, catalog: Catalog, board: Board, title: str) -> None:
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..render import color_text

    out = st.out
    units = list(dict.fromkeys(c.unit for c in board.cells))
    width = out.console.width
    need = 22 + sum(max(display_width(short_unit(catalog, u)), 4) + 3 for u in units)
    box_style = box.ASCII if out.ascii_borders else box.SQUARE
    if units and need <= width:
        table = Table(title=title, box=box_style, title_justify="left")
        table.add_column("活动", min_width=22)
        for u in units:
            table.add_column(short_unit(catalog, u), justify="center", no_wrap=True)
        current = None
        for number in dict.fromkeys(c.activity for c in board.cells):
            category = catalog.activities[number].category
            if category != current:
                current = category
                table.add_row(Text(f"{category}. {catalog.categories[category].name}", style="bold"), *[""] * len(units))
            cells = []
            for u in units:
                c = board.cell(number, u)
                cells.append(color_text(c.color) if c else Text("·", style="dim"))
            table.add_row(f"  {number}.{catalog.short(number)}", *cells)
        out.console.print(table)
        out.console.print(legend(board))
        return
    rows = _compact_rows(catalog, board)
    table = out.rich_table([], COMPACT_COLUMNS, title=title)
    current = None
    for row in rows:
        if row["category"] != current:
            current = row["category"]
            table.add_row(Text(f"{current}. {catalog.categories[current].name}", style="bold"), *[""] * (len(COMPACT_COLUMNS) - 1))
        cells: list[Any] = []
        for col in COMPACT_COLUMNS:
            value = row[col.key]
            cells.append(color_text(value) if col.color else Text(str(value) if value not in ("", 0) else ("" if value == "" else "0")))
        table.add_row(*cells)
    out.console.print(table)
    out.console.print(legend(board))


def _markdown_matrix(catalog: Catalog, board: Board, title: str) -> str:
    rows = _compact_rows(catalog, board)
    lines = [f"## {title}", ""]
    current = None
    header = "| 活动 | 最差 | 🟥红 | 🟨黄 | 🟦蓝 | 🟩绿 | 红色单位 | 黄色单位 |"
    for row in rows:
        if row["category"] != current:
            current = row["category"]
            lines += ["", f"### {current}. {catalog.categories[current].name}", "", header, "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
        worst = f"{MD_SQUARES[row['worst']]}{color_name(row['worst'])}"
        lines.append(
            f"| {row['activity']} | {worst} | {row['red']} | {row['yellow']} | {row['blue']} | {row['green']} | {row['red_units']} | {row['yellow_units']} |"
        )
    totals = board.totals()
    lines += ["", "合计：" + "，".join(f"{MD_SQUARES[c]}{color_name(c)} {totals[c]}" for c in BOARD_COLORS)]
    return "\n".join(lines) + "\n"


@app.command()
def status(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    category: Annotated[int | None, typer.Option("--category", "-c", help="只看某一类别（1–5）")] = None,
    activity: Annotated[str | None, ActivityOpt] = None,
    unit: Annotated[str | None, UnitOpt] = None,
    color: Annotated[str | None, typer.Option("--color", help="只看某种颜色：红/黄/蓝/绿")] = None,
    view: Annotated[View, typer.Option("--view", help="matrix（挂图，默认）、list（逐格）、units（按单位）")] = View.matrix,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """四色挂图：每项活动 × 每个责任单位的红/黄/蓝/绿，及其原因。"""
    st = state(ctx)
    catalog = st.catalog
    day = as_of_date(as_of)
    board = select(
        catalog, load_index(st, day).board(day), category=category, activity=activity, unit=unit, color=color
    )
    title = f"{catalog.campaign.short_name}四色挂图（截至 {day}）"
    if fmt == Fmt.json:
        st.out.text(to_json(board.to_json()))
        return
    if view == View.list or fmt == Fmt.csv and view == View.matrix:
        st.out.table(_list_rows(catalog, board), LIST_COLUMNS, fmt=fmt.value, title=title, caption=legend(board))
    elif view == View.units:
        st.out.table(_unit_rows(catalog, board), UNIT_COLUMNS, fmt=fmt.value, title=title, caption=legend(board))
    elif fmt == Fmt.md:
        st.out.text(_markdown_matrix(catalog, board, title))
    else:
        _print_matrix(st, catalog, board, title)


@app.command()
def alerts(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """预警：红色、黄色事项（最严重、最久未报送的在前），以及应约谈的单位。"""
    st = state(ctx)
    catalog = st.catalog
    day = as_of_date(as_of)
    index = load_index(st, day)
    board = index.board(day)
    bad = board_alerts(board)
    talks = interviews(index, day)
    if fmt == Fmt.json:
        st.out.text(
            to_json(
                {
                    "as_of": day.isoformat(),
                    "alerts": [c.to_json() | {"days_since": c.days_since} for c in bad],
                    "interviews": [
                        {"unit": i.unit, "name": catalog.name(i.unit), "reasons": list(i.reasons)} for i in talks
                    ],
                }
            )
        )
        return
    rows = _list_rows(catalog, Board(day, tuple(bad)))
    talk_rows = [{"unit": catalog.name(i.unit), "reasons": "；".join(i.reasons)} for i in talks]
    talk_cols = [Column("unit", "单位"), Column("reasons", "约谈事由", max_width=80)]
    need = catalog.rules.interview_after_weeks
    talk_title = f"应约谈单位（{len(talks)}）：连续 {need} 周红色，或检查要求约谈且尚无新的检查"
    if fmt == Fmt.md:
        st.out.text(rows_to_markdown(rows, LIST_COLUMNS, f"预警事项（截至 {day}，{len(rows)} 项）"))
        st.out.text(rows_to_markdown(talk_rows, talk_cols, talk_title))
        return
    if fmt == Fmt.csv:
        st.out.table(rows, LIST_COLUMNS, fmt="csv")
        return
    st.out.table(rows, LIST_COLUMNS, title=f"预警事项（截至 {day}，{len(rows)} 项）")
    st.out.table(talk_rows, talk_cols, title=talk_title)
