"""The four-color board on screen: `status` (挂图作战) and `alerts` (预警与约谈)."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

from ..board.rules import Board, BoardIndex, interviews
from ..board.rules import alerts as board_alerts
from ..board.select import select
from ..render.data import to_json
from .commands import ACTIVITY, AS_OF, CATEGORY, FORMAT, LISTING, UNIT, Command, Param, optional
from .common import State, as_of_date, note_skipped, output_format


def load_index(st: State, as_of: dt.date, *, document: bool = False) -> BoardIndex:
    """Read the ledger up to `as_of` and index it for the board (voids applied).

    `document`: for a report, score or bulletin, which are refused outside a workspace."""
    reading = st.ledger(document=document).read(until=as_of)
    note_skipped(st, reading.problems)
    return BoardIndex(st.catalog, reading.entries)


def load_board(st: State, as_of: dt.date) -> Board:
    """The board on one date, streamed from the ledger (flat memory), or the cached answer if nothing changed."""
    from ..board.cache import cached_board

    board, problems = cached_board(st.catalog, st.ledger(), as_of)
    note_skipped(st, problems)
    return board


def status(
    st: State,
    *,
    as_of: str | None,
    category: int | None,
    activity: str | None,
    unit: str | None,
    color: str | None,
    view: str,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`status`: the board (cached when nothing changed), selected, as a matrix, a list of cells or per unit."""
    fmt = output_format(st, fmt, output, force, FORMAT.choices)
    catalog = st.catalog
    day = as_of_date(as_of)
    board = select(catalog, load_board(st, day), category=category, activity=activity, unit=unit, color=color)
    title = f"{catalog.campaign.short_name}四色挂图（截至 {day}）"
    if fmt == "json":  # the renderers of tables are imported only for the formats that need them
        st.out.text(to_json(board.to_json()))
        return
    from ..render import markdown
    from ..render.tables import LIST_COLUMNS, UNIT_COLUMNS, board_list_rows, board_unit_rows, legend
    from ..render.terminal import board_matrix, legend_text

    caption: Any = legend_text(st.out, board) if fmt == "table" else legend(board, squares=fmt == "md")
    if fmt == "csv":
        caption = None  # CSV is rows only
    if view == "list" or fmt == "csv" and view == "matrix":
        st.out.table(board_list_rows(catalog, board.cells), LIST_COLUMNS, fmt=fmt, title=title, caption=caption)
    elif view == "units":
        st.out.table(board_unit_rows(catalog, board), UNIT_COLUMNS, fmt=fmt, title=title, caption=caption)
    elif fmt == "md":
        st.out.text(markdown.board_matrix(catalog, board, title))
    else:
        board_matrix(st.out, catalog, board, title)


def alerts(st: State, *, as_of: str | None, fmt: str | None, output: Path | None, force: bool) -> None:
    """`alerts`: the red and yellow cells (worst and longest unreported first), and the units to talk to."""
    fmt = output_format(st, fmt, output, force, FORMAT.choices)
    catalog = st.catalog
    day = as_of_date(as_of)
    index = load_index(st, day)
    board = index.board(day)
    bad = board_alerts(board)
    talks = interviews(index, day)
    if fmt == "json":
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
    from ..render import markdown
    from ..render.tables import LIST_COLUMNS, Column, board_list_rows

    rows = board_list_rows(catalog, bad)
    talk_rows = [{"unit": catalog.name(i.unit), "reasons": "；".join(i.reasons)} for i in talks]
    talk_cols = [Column("unit", "单位"), Column("reasons", "约谈事由", max_width=80)]
    need = catalog.rules.interview_after_weeks
    talk_title = f"应约谈单位（{len(talks)}）：连续 {need} 周红色，或检查要求的约谈尚未进行（记 已约谈 后不再列出）"
    if fmt == "md":
        st.out.text(markdown.table(rows, LIST_COLUMNS, f"预警事项（截至 {day}，{len(rows)} 项）"))
        st.out.text(markdown.table(talk_rows, talk_cols, talk_title))
        return
    if fmt == "csv":
        st.out.table(rows, LIST_COLUMNS, fmt="csv")
        return
    st.out.table(rows, LIST_COLUMNS, title=f"预警事项（截至 {day}，{len(rows)} 项）")
    st.out.table(talk_rows, talk_cols, title=talk_title)


COMMANDS = (
    Command(
        "status",
        "四色挂图：每项活动 × 每个责任单位的红/黄/蓝/绿，及其原因。",
        (
            AS_OF,
            optional(CATEGORY, "只看某一类别（1–5）"),
            optional(ACTIVITY, "只看某项活动：编号 1–18 或标题中的独有字词"),
            optional(UNIT, "只看某个单位（单位组则看其全部成员）"),
            Param("color", ("--color",), "只看某种颜色：红/黄/蓝/绿"),
            Param(
                "view",
                ("--view",),
                "挂图（matrix，默认）、逐格（list）、按单位（units）；也可写 矩阵、列表、单位",
                default="matrix",
                choices=("matrix", "list", "units"),
                aliases=(("挂图", "matrix"), ("矩阵", "matrix"), ("逐格", "list"), ("列表", "list"),
                         ("按单位", "units"), ("单位", "units")),
                metavar="视图",
            ),
            *LISTING,
        ),
        status,
    ),
    Command(
        "alerts",
        "预警：红色、黄色事项（最严重、最久未报送的在前），以及应约谈的单位。",
        (AS_OF, *LISTING),
        alerts,
    ),
)
