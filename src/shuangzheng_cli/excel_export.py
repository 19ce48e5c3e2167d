"""The weekly ledger workbook (周台账): 台账, 挂图, 本期记录, 统计.

A pure function of (definitions, entries, period, as-of date) → an openpyxl Workbook;
the CLI reads the ledger and saves the result (atomically, see `excel.save_atomic`).
Every cell is written through `excel.put`, so ledger text never becomes a formula.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from .board import Board, CellStatus
from .catalog import Catalog
from .excel import (
    BODY_FONT,
    BORDER,
    CENTER,
    HEADER_FONT,
    NOT_STARTED_FILL,
    TITLE_FONT,
    WRAP,
    fill,
    fit_columns,
    fit_rows,
    header_row,
    print_setup,
    put,
    stamp,
)
from .models import COLOR_MEANINGS, COLORS, FOLLOWUP_NAMES, NOT_STARTED, SEVERITY, Entry
from .periods import Period
from .render import color_name, display_width

SHEETS = ("台账", "挂图", "本期记录", "统计")
LEDGER_HEADERS = ("序号", "类别", "活动", "责任单位", "本期进展", "存在问题", "下步打算", "最近报送", "状态", "原因")
RECORD_HEADERS = (
    "编号", "日期", "单位", "活动", "类型", "颜色", "内容", "存在问题", "下步打算",
    "数据", "佐证材料", "后续处理", "记录人", "记录时间",
)
COUNT_COLORS = (*COLORS, NOT_STARTED)  # red, yellow, blue, green, not started: worst first
_RANK = {**SEVERITY, NOT_STARTED: -1}
LEDGER_HEADER_ROW = 3
STATS_LABEL_WIDTH = 34
CHART_ROWS = 18  # rows left free under the category table for the chart


@dataclass(frozen=True)
class ExportData:
    """What the workbook shows: the board now and at the end of the previous period, and the period's entries."""

    catalog: Catalog
    period: Period
    as_of: dt.date
    board: Board
    previous: Board
    previous_period: Period
    entries: Sequence[Entry]  # entries of the period, up to as_of, voids applied


def default_filename(catalog: Catalog, period: Period) -> str:
    return f"{catalog.campaign.short_name}台账-{period.label}.xlsx".replace("/", "-")


def color_fill(catalog: Catalog, color: str | None):  # noqa: ANN201 - openpyxl PatternFill
    style = catalog.rules.colors.get(color or "")
    return fill(style.fill if style else NOT_STARTED_FILL)


def build_workbook(data: ExportData) -> Workbook:
    catalog = data.catalog
    wb = Workbook()
    ledger_ws = wb.active
    ledger_ws.title = SHEETS[0]
    _ledger_sheet(ledger_ws, data)
    _map_sheet(wb.create_sheet(SHEETS[1]), data)
    _records_sheet(wb.create_sheet(SHEETS[2]), data)
    _stats_sheet(wb.create_sheet(SHEETS[3]), data)
    stamp(wb, data.as_of, f"{catalog.campaign.short_name}台账 {data.period.label}（截至 {data.as_of.isoformat()}）")
    return wb


def _period_text(data: ExportData) -> str:
    p = data.period
    return f"{p.label}：{p.start.isoformat()} 至 {p.end.isoformat()}"


def _title(ws: Worksheet, text: str, last_column: int) -> None:
    put(ws, 1, 1, text, font=TITLE_FONT, alignment=Alignment(vertical="center"))
    ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=last_column)
    ws.row_dimensions[1].height = 26


def _legend(
    ws: Worksheet, row: int, column: int, catalog: Catalog, counts: dict[str, int] | None = None, span: int = 1
) -> None:
    """The colors and what they mean (with the count of cells), each over `span` columns."""
    put(ws, row, column, "图例", font=HEADER_FONT, alignment=CENTER)
    for i, color in enumerate(COUNT_COLORS):
        meaning = COLOR_MEANINGS.get(color, "尚未开始")
        text = f"{color_name(color)}：{meaning}"
        if counts is not None:
            text += f"（{counts.get(color, 0)}）"
        first = column + 1 + i * span
        put(ws, row, first, text, fill=color_fill(catalog, color), border=BORDER, font=BODY_FONT, alignment=CENTER)
        if span > 1:
            ws.merge_cells(start_row=row, start_column=first, end_row=row, end_column=first + span - 1)
    ws.row_dimensions[row].height = 30


def _entries_by_cell(entries: Iterable[Entry]) -> dict[tuple[int, str], list[Entry]]:
    out: dict[tuple[int, str], list[Entry]] = {}
    for e in sorted(entries, key=lambda e: e.sort_key):
        out.setdefault((e.activity, e.unit), []).append(e)
    return out


def _dated(items: list[tuple[dt.date, str]]) -> str:
    """One line per item; dated when there is more than one."""
    items = [(d, t) for d, t in items if t]
    if len(items) == 1:
        return items[0][1]
    return "\n".join(f"{d.month}月{d.day}日：{t}" for d, t in items)


def _progress_text(e: Entry) -> str:
    if e.kind == "inspection":
        follow = f"，{FOLLOWUP_NAMES.get(e.followup or 'none', e.followup)}" if e.followup not in (None, "none") else ""
        return f"【{e.method}·{color_name(e.color)}{follow}】{e.text}"
    text = e.text
    if e.metrics:
        text += "（" + "；".join(f"{k}={_num(v)}" for k, v in e.metrics.items()) + "）"
    return text


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


# ------------------------------------------------------------ 台账


def _ledger_sheet(ws: Worksheet, data: ExportData) -> None:
    catalog = data.catalog
    headers = LEDGER_HEADERS
    _title(ws, f"{catalog.campaign.short_name}周台账（{_period_text(data)}，截至 {data.as_of.isoformat()}）", len(headers))
    _legend(ws, 2, 1, catalog, data.board.totals())
    header_row(ws, LEDGER_HEADER_ROW, headers)
    by_cell = _entries_by_cell(data.entries)
    row = LEDGER_HEADER_ROW
    for number, cell in enumerate(data.board.cells, start=1):
        row += 1
        activity = catalog.activities[cell.activity]
        mine = by_cell.get((cell.activity, cell.unit), [])
        progress = [e for e in mine if e.kind == "progress"]
        unit = catalog.name(cell.unit) + ("（牵头）" if catalog.lead(cell.activity) == cell.unit else "")
        values = [
            number,
            catalog.categories[activity.category].name,
            f"{cell.activity}.{catalog.short(cell.activity)}",
            unit,
            _dated([(e.date, _progress_text(e)) for e in mine]),
            _dated([(e.date, e.problems) for e in progress]),
            _dated([(e.date, e.next) for e in progress]),
            cell.last_report,
            color_name(cell.color),
            "；".join(cell.reasons),
        ]
        for column, value in enumerate(values, start=1):
            style = {"border": BORDER, "font": BODY_FONT, "alignment": WRAP}
            if headers[column - 1] in ("序号", "最近报送"):
                style["alignment"] = CENTER
            if headers[column - 1] == "状态":
                style["alignment"] = CENTER
                style["fill"] = color_fill(catalog, cell.color)
                style["font"] = HEADER_FONT
            put(ws, row, column, value, **style)
    last = get_column_letter(len(headers))
    ws.freeze_panes = f"A{LEDGER_HEADER_ROW + 1}"
    ws.auto_filter.ref = f"A{LEDGER_HEADER_ROW}:{last}{max(row, LEDGER_HEADER_ROW + 1)}"
    col = {h: i for i, h in enumerate(headers, start=1)}
    widths = fit_columns(
        ws,
        first_row=LEDGER_HEADER_ROW,
        caps={col["本期进展"]: 50, col["存在问题"]: 28, col["下步打算"]: 28, col["原因"]: 36, col["类别"]: 24},
    )
    ws.column_dimensions[get_column_letter(col["最近报送"])].width = max(widths.get(col["最近报送"], 0), 12)
    widths[col["最近报送"]] = 12
    fit_rows(ws, widths, first_row=LEDGER_HEADER_ROW + 1)
    print_setup(ws, title_rows=f"1:{LEDGER_HEADER_ROW}")


# ------------------------------------------------------------ 挂图


def _map_sheet(ws: Worksheet, data: ExportData) -> None:
    """Activities down, units across; each cell its color, counts at the ends."""
    catalog = data.catalog
    board = data.board
    units = list(dict.fromkeys(c.unit for c in board.cells))
    activities = list(dict.fromkeys(c.activity for c in board.cells))
    first_unit_col = 3
    count_col = first_unit_col + len(units)
    _title(ws, f"挂图作战：四色图（{_period_text(data)}，截至 {data.as_of.isoformat()}）", min(count_col + 4, 30))
    _legend(ws, 2, 2, catalog, board.totals(), span=5)
    header = 3
    put(ws, header, 1, "类别", font=HEADER_FONT, border=BORDER, alignment=CENTER)
    put(ws, header, 2, "活动", font=HEADER_FONT, border=BORDER, alignment=CENTER)
    vertical = Alignment(horizontal="center", vertical="center", text_rotation=255, wrap_text=False)
    longest = 0
    for i, unit in enumerate(units):
        name = catalog.name(unit)
        longest = max(longest, len(name))
        put(ws, header, first_unit_col + i, name, font=HEADER_FONT, border=BORDER, alignment=vertical)
    for j, color in enumerate(COUNT_COLORS):
        put(ws, header, count_col + j, color_name(color), font=HEADER_FONT, border=BORDER,
            alignment=CENTER, fill=color_fill(catalog, color))
    ws.row_dimensions[header].height = min(409, 14 * longest + 8)
    row = header
    category_start: dict[int, int] = {}
    for number in activities:
        row += 1
        category = catalog.activities[number].category
        if category not in category_start:
            category_start[category] = row
            put(ws, row, 1, f"{category}.{catalog.categories[category].name}", font=BODY_FONT,
                border=BORDER, alignment=CENTER)
        put(ws, row, 2, f"{number}.{catalog.short(number)}", font=BODY_FONT, border=BORDER, alignment=WRAP)
        counts: Counter[str] = Counter()
        for i, unit in enumerate(units):
            status = board.cell(number, unit)
            if status is None:
                put(ws, row, first_unit_col + i, None, border=BORDER)
                continue
            counts[status.color] += 1
            put(ws, row, first_unit_col + i, _short_color(status.color), font=BODY_FONT, border=BORDER,
                alignment=CENTER, fill=color_fill(catalog, status.color))
        for j, color in enumerate(COUNT_COLORS):
            put(ws, row, count_col + j, counts.get(color, 0), font=BODY_FONT, border=BORDER, alignment=CENTER)
    last_activity_row = row
    starts = sorted(category_start.items(), key=lambda kv: kv[1])
    for k, (_category, start) in enumerate(starts):
        end = starts[k + 1][1] - 1 if k + 1 < len(starts) else last_activity_row
        if end > start:
            ws.merge_cells(start_row=start, start_column=1, end_row=end, end_column=1)
    for color in COUNT_COLORS:  # per unit: how many of its cells have each color
        row += 1
        put(ws, row, 2, f"{color_name(color)}（个）", font=HEADER_FONT, border=BORDER,
            fill=color_fill(catalog, color), alignment=CENTER)
        for i, unit in enumerate(units):
            n = sum(1 for c in board.cells if c.unit == unit and c.color == color)
            put(ws, row, first_unit_col + i, n or None, font=BODY_FONT, border=BORDER, alignment=CENTER)
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 18
    for i in range(len(units)):
        ws.column_dimensions[get_column_letter(first_unit_col + i)].width = 4.5
    for j in range(len(COUNT_COLORS)):
        ws.column_dimensions[get_column_letter(count_col + j)].width = 7
    fit_rows(ws, {1: 12, 2: 18}, first_row=header + 1)
    ws.freeze_panes = ws.cell(row=header + 1, column=first_unit_col).coordinate
    print_setup(ws, title_rows=f"1:{header}")
    ws.page_setup.paperSize = ws.PAPERSIZE_A3
    ws.print_title_cols = "A:B"


def _short_color(color: str) -> str:
    return "未" if color == NOT_STARTED else color_name(color)


# ------------------------------------------------------------ 本期记录


def _records_sheet(ws: Worksheet, data: ExportData) -> None:
    catalog = data.catalog
    headers = RECORD_HEADERS
    _title(ws, f"本期记录（{_period_text(data)}，截至 {data.as_of.isoformat()}，共 {len(data.entries)} 条）", len(headers))
    header_row(ws, 2, headers)
    row = 2
    for e in sorted(data.entries, key=lambda e: e.sort_key):
        row += 1
        kind = "进展" if e.kind == "progress" else (e.method or "检查")
        activity = f"{e.activity}.{catalog.short(e.activity)}" if e.activity in catalog.activities else str(e.activity)
        values = [
            e.id,
            e.date,
            catalog.name(e.unit),
            activity,
            kind,
            color_name(e.color) if e.color else "",
            e.text,
            e.problems,
            e.next,
            "；".join(f"{k}={_num(v)}" for k, v in e.metrics.items()),
            "\n".join(e.evidence),
            FOLLOWUP_NAMES.get(e.followup, e.followup) if e.kind == "inspection" and e.followup else "",
            e.by,
            e.at,
        ]
        for column, value in enumerate(values, start=1):
            style = {"border": BORDER, "font": BODY_FONT, "alignment": WRAP}
            if headers[column - 1] == "颜色" and e.color:
                style["fill"] = color_fill(catalog, e.color)
                style["alignment"] = CENTER
            put(ws, row, column, value, **style)
    col = {h: i for i, h in enumerate(headers, start=1)}
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(row, 3)}"
    widths = fit_columns(ws, first_row=2, caps={col["内容"]: 50, col["存在问题"]: 28, col["下步打算"]: 28,
                                                 col["佐证材料"]: 30, col["记录时间"]: 28, col["数据"]: 24})
    ws.column_dimensions[get_column_letter(col["日期"])].width = 12
    widths[col["日期"]] = 12
    fit_rows(ws, widths, first_row=3)
    print_setup(ws, title_rows="1:2")


# ------------------------------------------------------------ 统计


def changes(data: ExportData) -> list[tuple[CellStatus, CellStatus]]:
    """(before, now) for cells whose color changed since the previous period: worse first."""
    out = []
    for now in data.board.cells:
        before = data.previous.cell(now.activity, now.unit)
        if before is not None and before.color != now.color:
            out.append((before, now))
    order = {(c.activity, c.unit): i for i, c in enumerate(data.board.cells)}

    def key(pair: tuple[CellStatus, CellStatus]) -> tuple[int, int, int]:
        before, now = pair
        delta = _RANK[now.color] - _RANK[before.color]
        return (0 if delta > 0 else 1, -abs(delta), order[(now.activity, now.unit)])

    return sorted(out, key=key)


def _count_table(ws: Worksheet, row: int, label: str, rows: list[tuple[str, dict[str, int]]], catalog: Catalog) -> int:
    headers = (label, *(color_name(c) for c in COUNT_COLORS), "合计")
    for column, title in enumerate(headers, start=1):
        color = COUNT_COLORS[column - 2] if 2 <= column < 2 + len(COUNT_COLORS) else None
        put(ws, row, column, title, font=HEADER_FONT, border=BORDER, alignment=CENTER,
            fill=color_fill(catalog, color) if color else fill("D9D9D9"))
    for name, counts in rows:
        row += 1
        put(ws, row, 1, name, font=BODY_FONT, border=BORDER, alignment=WRAP)
        for j, color in enumerate(COUNT_COLORS, start=2):
            put(ws, row, j, counts.get(color, 0), font=BODY_FONT, border=BORDER, alignment=CENTER)
        put(ws, row, 2 + len(COUNT_COLORS), sum(counts.values()), font=BODY_FONT, border=BORDER, alignment=CENTER)
    return row


def _counts(cells: Iterable[CellStatus]) -> dict[str, int]:
    c = Counter(cell.color for cell in cells)
    return {color: c.get(color, 0) for color in COUNT_COLORS}


def _stats_sheet(ws: Worksheet, data: ExportData) -> None:
    catalog = data.catalog
    board = data.board
    _title(ws, f"统计（{_period_text(data)}，截至 {data.as_of.isoformat()}）", 7)
    put(ws, 2, 1, "一、按类别", font=HEADER_FONT)
    category_rows = []
    for number in sorted(catalog.categories):
        cells = [c for c in board.cells if catalog.activities[c.activity].category == number]
        category_rows.append((f"{number}.{catalog.categories[number].name}", _counts(cells)))
    top = 3
    row = _count_table(ws, top, "类别", category_rows, catalog)
    row += 1
    put(ws, row, 1, "合计", font=HEADER_FONT, border=BORDER, alignment=CENTER)
    totals = _counts(board.cells)
    for j, color in enumerate(COUNT_COLORS, start=2):
        put(ws, row, j, totals[color], font=HEADER_FONT, border=BORDER, alignment=CENTER)
    put(ws, row, 2 + len(COUNT_COLORS), sum(totals.values()), font=HEADER_FONT, border=BORDER, alignment=CENTER)
    _category_chart(ws, catalog, top, top + len(category_rows), anchor=f"A{row + 2}")

    row += 2 + CHART_ROWS
    put(ws, row, 1, "二、按单位（红、黄多的在前）", font=HEADER_FONT)
    units = list(dict.fromkeys(c.unit for c in board.cells))
    unit_rows = [(catalog.name(u), _counts(c for c in board.cells if c.unit == u)) for u in units]
    order = {name: i for i, (name, _) in enumerate(unit_rows)}
    unit_rows.sort(key=lambda r: (-r[1]["red"], -r[1]["yellow"], order[r[0]]))
    row = _count_table(ws, row + 1, "单位", unit_rows, catalog)

    row += 2
    prev = data.previous_period
    put(ws, row, 1, f"三、颜色变化（与上期 {prev.label} 末 {data.previous.as_of.isoformat()} 相比，变差的在前）", font=HEADER_FONT)
    row += 1
    change_headers = ("活动 · 单位", "上期", "本期", "变化", "原因")
    for column, title in enumerate(change_headers, start=1):
        put(ws, row, column, title, font=HEADER_FONT, border=BORDER, alignment=CENTER, fill=fill("D9D9D9"))
    _merge_reason(ws, row)
    pairs = changes(data)
    reason_rows: list[tuple[int, str]] = []
    for before, now in pairs:
        row += 1
        worse = _RANK[now.color] > _RANK[before.color]
        reasons = "；".join(now.reasons)
        put(ws, row, 1, f"{now.activity}.{catalog.short(now.activity)} · {catalog.name(now.unit)}",
            font=BODY_FONT, border=BORDER, alignment=WRAP)
        put(ws, row, 2, color_name(before.color), font=BODY_FONT, border=BORDER, alignment=CENTER,
            fill=color_fill(catalog, before.color))
        put(ws, row, 3, color_name(now.color), font=BODY_FONT, border=BORDER, alignment=CENTER,
            fill=color_fill(catalog, now.color))
        put(ws, row, 4, "变差" if worse else "好转", font=BODY_FONT, border=BORDER, alignment=CENTER)
        put(ws, row, 5, reasons, font=BODY_FONT, border=BORDER, alignment=WRAP)
        _merge_reason(ws, row)
        reason_rows.append((row, reasons))
    if not pairs:
        row += 1
        put(ws, row, 1, "无颜色变化", font=BODY_FONT)
    ws.column_dimensions["A"].width = STATS_LABEL_WIDTH
    for column in range(2, 8):
        ws.column_dimensions[get_column_letter(column)].width = 8
    ws.column_dimensions["H"].width = 30
    fit_rows(ws, {1: STATS_LABEL_WIDTH}, first_row=3)
    for r, reasons in reason_rows:  # merged E:H is 8 * 3 + 30 wide
        lines = max(1, -(-display_width(reasons) // (8 * 3 + 30 - 2)))
        first = max(1, -(-display_width(str(ws.cell(row=r, column=1).value)) // (STATS_LABEL_WIDTH - 1)))
        ws.row_dimensions[r].height = max(lines, first) * 14.0 + 4
    print_setup(ws, landscape=False)


def _merge_reason(ws: Worksheet, row: int) -> None:
    for column in range(6, 9):
        ws.cell(row=row, column=column).border = BORDER
    ws.merge_cells(start_row=row, start_column=5, end_row=row, end_column=8)


def _category_chart(ws: Worksheet, catalog: Catalog, header: int, last: int, anchor: str) -> None:
    chart = BarChart()
    chart.type = "bar"
    chart.grouping = "stacked"
    chart.overlap = 100
    chart.title = "各类别四色分布"
    chart.y_axis.title = "格数"
    chart.x_axis.scaling.orientation = "maxMin"  # first category on top, as in the table
    data = Reference(ws, min_col=2, max_col=1 + len(COUNT_COLORS), min_row=header, max_row=last)
    labels = Reference(ws, min_col=1, min_row=header + 1, max_row=last)
    chart.add_data(data, titles_from_data=True)
    chart.set_categories(labels)
    for series, color in zip(chart.series, COUNT_COLORS, strict=True):
        style = catalog.rules.colors.get(color)
        hex_color = style.fill if style else NOT_STARTED_FILL
        series.graphicalProperties.solidFill = hex_color.upper()
        series.graphicalProperties.line.solidFill = "808080"
    chart.legend.position = "b"
    chart.height = 8
    chart.width = 19
    ws.add_chart(chart, anchor)
