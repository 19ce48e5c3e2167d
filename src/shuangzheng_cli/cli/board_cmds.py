"""The four-color board on screen: `status` (挂图作战) and `alerts` (预警与约谈)."""

from __future__ import annotations

import datetime as dt
from enum import StrEnum
from typing import Annotated, Any

import typer

from ..board.rules import Board, BoardIndex, interviews
from ..board.rules import alerts as board_alerts
from ..board.select import select
from ..ledger.storage import Ledger
from ..render import markdown
from ..render.data import to_json
from ..render.tables import (
    LIST_COLUMNS,
    UNIT_COLUMNS,
    Column,
    board_list_rows,
    board_unit_rows,
    legend,
)
from ..render.terminal import board_matrix, legend_text
from .common import (
    AsOfOpt,
    Fmt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    State,
    as_of_date,
    output_format,
    state,
)
from .root import app


class View(StrEnum):
    matrix = "matrix"
    list = "list"
    units = "units"


def load_index(st: State, as_of: dt.date, *, document: bool = False) -> BoardIndex:
    """Read the ledger up to `as_of` and index it for the board (voids applied).

    `document`: for a report, score or bulletin, which are refused outside a workspace."""
    ledger = st.ledger(document=document)
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


@app.command()
def status(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    category: Annotated[int | None, typer.Option("--category", "-c", min=1, max=99, help="只看某一类别（1–5）")] = None,
    activity: Annotated[str | None, typer.Option("--activity", "-a", help="只看某项活动：编号 1–18 或标题中的独有字词")] = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="只看某个单位（单位组则看其全部成员）")] = None,
    color: Annotated[str | None, typer.Option("--color", help="只看某种颜色：红/黄/蓝/绿")] = None,
    view: Annotated[View, typer.Option("--view", help="matrix（挂图，默认）、list（逐格）、units（按单位）")] = View.matrix,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """四色挂图：每项活动 × 每个责任单位的红/黄/蓝/绿，及其原因。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, Fmt.table)
    catalog = st.catalog
    day = as_of_date(as_of)
    board = select(catalog, load_board(st, day), category=category, activity=activity, unit=unit, color=color)
    title = f"{catalog.campaign.short_name}四色挂图（截至 {day}）"
    if fmt == Fmt.json:
        st.out.text(to_json(board.to_json()))
        return
    caption: Any = legend_text(st.out, board) if fmt == Fmt.table else legend(board, squares=fmt == Fmt.md)
    if fmt == Fmt.csv:
        caption = None  # CSV is rows only
    if view == View.list or fmt == Fmt.csv and view == View.matrix:
        st.out.table(board_list_rows(catalog, board.cells), LIST_COLUMNS, fmt=fmt.value, title=title, caption=caption)
    elif view == View.units:
        st.out.table(board_unit_rows(catalog, board), UNIT_COLUMNS, fmt=fmt.value, title=title, caption=caption)
    elif fmt == Fmt.md:
        st.out.text(markdown.board_matrix(catalog, board, title))
    else:
        board_matrix(st.out, catalog, board, title)


@app.command()
def alerts(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """预警：红色、黄色事项（最严重、最久未报送的在前），以及应约谈的单位。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, Fmt.table)
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
    rows = board_list_rows(catalog, bad)
    talk_rows = [{"unit": catalog.name(i.unit), "reasons": "；".join(i.reasons)} for i in talks]
    talk_cols = [Column("unit", "单位"), Column("reasons", "约谈事由", max_width=80)]
    need = catalog.rules.interview_after_weeks
    talk_title = f"应约谈单位（{len(talks)}）：连续 {need} 周红色，或检查要求的约谈尚未进行（记 已约谈 后不再列出）"
    if fmt == Fmt.md:
        st.out.text(markdown.table(rows, LIST_COLUMNS, f"预警事项（截至 {day}，{len(rows)} 项）"))
        st.out.text(markdown.table(talk_rows, talk_cols, talk_title))
        return
    if fmt == Fmt.csv:
        st.out.table(rows, LIST_COLUMNS, fmt="csv")
        return
    st.out.table(rows, LIST_COLUMNS, title=f"预警事项（截至 {day}，{len(rows)} 项）")
    st.out.table(talk_rows, talk_cols, title=talk_title)
