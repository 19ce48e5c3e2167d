"""The four-color board on screen: `status` (挂图作战) and `alerts` (预警与约谈)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..board.rules import BOARD_COLORS, Board, BoardIndex, CellStatus, interviews
from ..board.rules import alerts as board_alerts
from ..definitions.catalog import Catalog
from ..errors import UsageProblem
from ..ledger.format import COLOR_MEANINGS, NOT_STARTED, parse_color
from ..ledger.storage import Ledger
from ..render.terminal import (
    MD_SQUARES,
    Column,
    color_name,
    display_width,
    rows_to_markdown,
    to_json,
)
from .common import AsOfOpt, Fmt, FormatOpt, State, as_of_date, state
from .root import app


class View(StrEnum):
    matrix = "matrix"
    list = "list"
    units = "units"


def load_index(st: State, as_of: dt.date) -> BoardIndex:
    """Read the ledger up to `as_of` and index it for the board (voids applied)."""
    ledger = st.ledger()
    entries = ledger.entries(until=as_of)
    _note_skipped(st, ledger)
    return BoardIndex(st.catalog, entries)


def load_board(st: State, as_of: dt.date) -> Board:
    """The board on one date, streamed from the ledger (flat memory), or the cached answer if nothing changed."""
    from ..board.stream import cached_board

    ledger = st.ledger()
    board = cached_board(st.catalog, ledger, as_of)
    _note_skipped(st, ledger)
    return board


def _note_skipped(st: State, ledger: Ledger) -> None:
    if ledger.skipped:
        first = ledger.skipped[0]
        st.out.message(f"注意：台账中有 {len(ledger.skipped)} 行无法读取，已跳过（首处 {first.place}）。运行 shuangzheng check 查看。")


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


def legend(board: Board, squares: bool = False) -> str:
    """Totals per color (未开始 only when there is any) and what each color means."""
    totals = board.totals()
    mark = (lambda c: MD_SQUARES[c]) if squares else (lambda c: "")
    parts = [f"{mark(c)}{color_name(c)} {totals[c]}" for c in BOARD_COLORS if c != NOT_STARTED or totals[c]]
    meanings = "，".join(f"{color_name(c)}={COLOR_MEANINGS[c]}" for c in ("red", "yellow", "blue", "green"))
    return f"合计 {len(board.cells)} 格：" + "  ".join(parts) + f"\n图例：{meanings}"


def legend_text(board: Board, console: Any):  # noqa: ANN201 - a rich Text
    """The legend for a terminal: each color's name styled as the cells are (plain text without color)."""
    from rich.text import Text

    from ..render.terminal import color_text

    if console.no_color or console.color_system is None:
        return Text(legend(board))
    totals = board.totals()
    text = Text(f"合计 {len(board.cells)} 格：")
    for c in BOARD_COLORS:
        if c == NOT_STARTED and not totals[c]:
            continue
        text.append_text(color_text(c))
        text.append(f" {totals[c]}  ")
    text.rstrip()
    text.append("\n图例：")
    for i, c in enumerate(("red", "yellow", "blue", "green")):
        text.append("，" if i else "")
        text.append_text(color_text(c))
        text.append(f"{COLOR_MEANINGS[c]}")
    return text


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
    Column("activity", "活动"),
    Column("unit", "单位"),
    Column("color", "状态", color=True),
    Column("last_report", "最近报送", no_wrap=True),
    Column("days_since", "距今（天）", justify="right"),
    Column("reasons", "原因"),
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
    Column("cells", "红黄事项"),
]


def _compact_rows(catalog: Catalog, board: Board, sep: str = "、") -> list[dict[str, Any]]:
    """One row per activity: its counts and its red and yellow units (the board when units don't fit)."""
    rows = []
    per_activity: dict[int, list[CellStatus]] = {}
    for c in board.cells:
        per_activity.setdefault(c.activity, []).append(c)
    for number, cells in per_activity.items():
        totals = board.totals(cells)
        rows.append(
            {
                "category": catalog.activities[number].category,
                "activity": f"{number}.{catalog.short(number)}",
                "worst": max(cells, key=lambda c: c.severity).color,
                **{c: totals[c] for c in BOARD_COLORS},
                "red_units": _names(catalog, [c.unit for c in cells if c.color == "red"], sep),
                "yellow_units": _names(catalog, [c.unit for c in cells if c.color == "yellow"], sep),
            }
        )
    return rows


def _names(catalog: Catalog, units: list[str], sep: str = "、", limit: int = 10) -> str:
    names = [short_unit(catalog, u) for u in units]
    if len(names) > limit:
        return sep.join(names[:limit]) + f" 等 {len(names)} 个"
    return sep.join(names)


def _category_label(catalog: Catalog, number: int, short: bool = False) -> str:
    """`1. 严谨严实推进文明教育`; short: `1. 文明教育` (the words after 推进), for narrow terminals."""
    name = catalog.categories[number].name
    if short and "推进" in name and name.rsplit("推进", 1)[1]:
        name = name.rsplit("推进", 1)[1]
    return f"{number}. {name}"


def _grid_width(first: int, headers: list[str]) -> int:
    """Columns a bordered table needs: each column its width plus padding and a border."""
    return first + 3 + sum(max(display_width(h), 4) + 3 for h in headers) + 1


def _print_matrix(st: State, catalog: Catalog, board: Board, title: str) -> None:
    """The battle map on a terminal, in the first layout that fits its width.

    1. activities × units, one colored cell each (few units: `--unit`, `--activity`);
    2. units × activities, when the activities fit across but the units do not (`--activity 6`);
    3. one row per activity with its counts and the names of its red and yellow units.
    """
    from rich import box
    from rich.table import Table
    from rich.text import Text

    from ..render.terminal import color_text

    out = st.out
    console = out.console
    width = console.width
    box_style = box.ASCII if out.ascii_borders else box.SQUARE
    if not board.cells:
        console.print(title)
        console.print("没有符合条件的格子。")
        return
    units = list(dict.fromkeys(c.unit for c in board.cells))
    numbers = list(dict.fromkeys(c.activity for c in board.cells))
    categories = list(dict.fromkeys(catalog.activities[n].category for n in numbers))
    act_labels = {n: f"{n}.{catalog.short(n)}" for n in numbers}
    unit_labels = {u: short_unit(catalog, u) for u in units}
    dot = Text("·", style="dim")

    def table(first: str) -> Table:
        t = Table(title=title, box=box_style, title_justify="left")
        t.add_column(first, no_wrap=True)
        return t

    def by_category() -> list[tuple[int, list[int]]]:
        return [(k, [n for n in numbers if catalog.activities[n].category == k]) for k in categories]

    first = max(display_width(x) for x in [*act_labels.values(), *(_category_label(catalog, k) for k in categories)])
    if _grid_width(first, list(unit_labels.values())) <= width:
        grid = table("活动")
        for u in units:
            grid.add_column(unit_labels[u], justify="center", no_wrap=True)
        for k, members in by_category():
            grid.add_row(Text(_category_label(catalog, k), style="bold"), *[""] * len(units))
            for i, n in enumerate(members):
                cells = [board.cell(n, u) for u in units]
                grid.add_row(
                    act_labels[n], *[color_text(c.color) if c else dot for c in cells], end_section=i == len(members) - 1
                )
        console.print(grid)
        console.print(legend_text(board, console))
        return

    first = max(display_width(x) for x in unit_labels.values())
    if len(numbers) < len(units) and _grid_width(first, list(act_labels.values())) <= width:
        grid = table("单位")
        for n in numbers:
            grid.add_column(act_labels[n], justify="center", no_wrap=True)
        for u in units:
            cells = [board.cell(n, u) for n in numbers]
            grid.add_row(unit_labels[u], *[color_text(c.color) if c else dot for c in cells])
        console.print(grid)
        console.print(legend_text(board, console))
        return

    rows = _compact_rows(catalog, board, sep=" ")
    narrow = width < 100
    show_worst = not narrow
    show_not_started = any(r["not_started"] for r in rows)
    compact = table("活动")
    if show_worst:
        compact.add_column("最差", justify="center", no_wrap=True)
    for c in ("red", "yellow", "blue", "green"):
        compact.add_column(color_name(c), justify="right", no_wrap=True)
    if show_not_started:
        compact.add_column("未开始", justify="right", no_wrap=True)
    compact.add_column("红色单位", ratio=3, overflow="fold")
    compact.add_column("黄色单位", ratio=2, overflow="fold")
    for k, _members in by_category():
        label = Text(_category_label(catalog, k, short=narrow), style="bold")
        compact.add_row(label, *[""] * (len(compact.columns) - 1))
        member_rows = [r for r in rows if r["category"] == k]
        for i, row in enumerate(member_rows):
            cells: list[Any] = [row["activity"]]
            if show_worst:
                cells.append(color_text(row["worst"]))
            cells += [_count(row[c], c) for c in ("red", "yellow", "blue", "green")]
            if show_not_started:
                cells.append(str(row["not_started"]))
            cells += [row["red_units"], row["yellow_units"]]
            compact.add_row(*cells, end_section=i == len(member_rows) - 1)
    console.print(compact)
    console.print(legend_text(board, console))


def _count(n: int, color: str):  # noqa: ANN202 - a rich Text
    """A count in its color's text color (red and yellow bold), plain when zero."""
    from rich.text import Text

    styles = {"red": "bold red", "yellow": "bold yellow", "blue": "blue", "green": "green"}
    return Text(str(n), style=styles[color] if n else "dim")


def _markdown_matrix(catalog: Catalog, board: Board, title: str) -> str:
    rows = _compact_rows(catalog, board)
    lines = [f"## {title}"]
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
    shown = [c for c in BOARD_COLORS if c != NOT_STARTED or totals[c]]
    lines += ["", f"合计 {len(board.cells)} 格：" + "，".join(f"{MD_SQUARES[c]}{color_name(c)} {totals[c]}" for c in shown)]
    return "\n".join(lines) + "\n"


@app.command()
def status(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    category: Annotated[int | None, typer.Option("--category", "-c", help="只看某一类别（1–5）")] = None,
    activity: Annotated[str | None, typer.Option("--activity", "-a", help="只看某项活动：编号 1–18 或标题中的独有字词")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="只看某个单位（单位组则看其全部成员）")] = None,
    color: Annotated[str | None, typer.Option("--color", help="只看某种颜色：红/黄/蓝/绿")] = None,
    view: Annotated[View, typer.Option("--view", help="matrix（挂图，默认）、list（逐格）、units（按单位）")] = View.matrix,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """四色挂图：每项活动 × 每个责任单位的红/黄/蓝/绿，及其原因。"""
    st = state(ctx)
    catalog = st.catalog
    day = as_of_date(as_of)
    board = select(catalog, load_board(st, day), category=category, activity=activity, unit=unit, color=color)
    title = f"{catalog.campaign.short_name}四色挂图（截至 {day}）"
    if fmt == Fmt.json:
        st.out.text(to_json(board.to_json()))
        return
    caption: Any = legend_text(board, st.out.console) if fmt == Fmt.table else legend(board, squares=fmt == Fmt.md)
    if fmt == Fmt.csv:
        caption = None  # CSV is rows only
    if view == View.list or fmt == Fmt.csv and view == View.matrix:
        st.out.table(_list_rows(catalog, board), LIST_COLUMNS, fmt=fmt.value, title=title, caption=caption)
    elif view == View.units:
        st.out.table(_unit_rows(catalog, board), UNIT_COLUMNS, fmt=fmt.value, title=title, caption=caption)
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
                        {"unit": i.unit, "name": catalog.name(i.unit), "reasons": list(i.reasons),
                         "pending_days": i.pending_days}
                        for i in talks
                    ],
                }
            )
        )
        return
    rows = _list_rows(catalog, Board(day, tuple(bad)))
    talk_rows = [{"unit": catalog.name(i.unit), "reasons": "；".join(i.reasons)} for i in talks]
    talk_cols = [Column("unit", "单位"), Column("reasons", "约谈事由", max_width=80)]
    need = catalog.rules.interview_after_weeks
    talk_title = f"应约谈单位（{len(talks)}）：连续 {need} 周红色，或检查要求的约谈尚未进行（记 已约谈 后不再列出）"
    if fmt == Fmt.md:
        st.out.text(rows_to_markdown(rows, LIST_COLUMNS, f"预警事项（截至 {day}，{len(rows)} 项）"))
        st.out.text(rows_to_markdown(talk_rows, talk_cols, talk_title))
        return
    if fmt == Fmt.csv:
        st.out.table(rows, LIST_COLUMNS, fmt="csv")
        return
    st.out.table(rows, LIST_COLUMNS, title=f"预警事项（截至 {day}，{len(rows)} 项）")
    st.out.table(talk_rows, talk_cols, title=talk_title)
