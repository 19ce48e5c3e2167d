"""The weekly ledger workbook (周台账): 台账, 挂图, 本期记录, 统计.

A pure function of (definitions, entries, period, as-of date) → an openpyxl Workbook
and the streamed rows of its 本期记录 sheet; the CLI reads the ledger (`read_export_data`)
and saves the result (atomically, see `excel.save_atomic`). Every cell goes through the
safe-cell rule (`excel.put`, or `excel.StreamedRows` for the rows of 本期记录, which can be
100k for a year), so ledger text never becomes a formula.

Memory stays bounded by the catalog, not the ledger: the entries are read once for the
board (without their text) and an index of the period's entries by (date, at, id); the
period's entries are then read again one at a time, in that order, and each goes
straight into its 本期记录 row and into its 台账 cell (as much text as a cell holds).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from array import array
from collections import Counter
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook
from openpyxl.chart import BarChart, Reference
from openpyxl.styles import Alignment
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.worksheet import Worksheet

from ..board.rules import Board, BoardIndex, CellStatus
from ..definitions.catalog import Catalog
from ..errors import Problem, ShuangzhengError
from ..ledger.format import COLOR_MEANINGS, COLORS, NOT_STARTED, SEVERITY, Entry, followup_label
from ..ledger.storage import Ledger, open_ledger_file, pread
from ..periods import Period
from .text import color_name, display_width
from .xlsx import (
    BODY_FONT,
    BORDER,
    CENTER,
    HEADER_FONT,
    MAX_CELL_CHARS,
    NOT_STARTED_FILL,
    TITLE_FONT,
    UNWRITABLE_RE,
    WRAP,
    StreamedRows,
    fill,
    fit_columns,
    fit_rows,
    header_row,
    print_setup,
    put,
    save_atomic,
    stamp,
)

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
    #: entries of the period, up to as_of, voids applied: a list (any order), or an iterable
    #: that yields them in (date, at, id) order (`PeriodEntries`, read once)
    entries: Iterable[Entry]
    #: the ledger lines skipped (what `check` rejects), from `read_export_data`
    problems: list[Problem] = field(default_factory=list)


@dataclass
class ExportBook:
    """The built workbook, with the streamed rows of its 本期记录 sheet (saved together by `save`)."""

    workbook: Workbook
    records: StreamedRows

    @property
    def record_count(self) -> int:
        return self.records.count

    def save(self, path: Path, *, force: bool, as_of: dt.date) -> None:
        try:
            save_atomic(self.workbook, path, force=force, as_of=as_of, streamed=[self.records])
        finally:
            self.records.close()


def default_filename(catalog: Catalog, period: Period) -> str:
    return f"{catalog.campaign.short_name}台账-{period.label}.xlsx".replace("/", "-")


def color_fill(catalog: Catalog, color: str | None):  # noqa: ANN201 - openpyxl PatternFill
    style = catalog.rules.colors.get(color or "")
    return fill(style.fill if style else NOT_STARTED_FILL)


def build_workbook(data: ExportData) -> ExportBook:
    catalog = data.catalog
    wb = Workbook()
    ledger_ws = wb.active
    ledger_ws.title = SHEETS[0]
    map_ws = wb.create_sheet(SHEETS[1])
    records_ws = wb.create_sheet(SHEETS[2])
    stats_ws = wb.create_sheet(SHEETS[3])
    # One pass over the period's entries: the rows of 本期记录, and each cell's text for 台账.
    texts: dict[tuple[int, str], _CellTexts] = {}
    records = _records_sheet(records_ws, data, texts)
    try:
        _ledger_sheet(ledger_ws, data, texts)
        _map_sheet(map_ws, data)
        _stats_sheet(stats_ws, data)
        stamp(wb, data.as_of, f"{catalog.campaign.short_name}台账 {data.period.label}（截至 {data.as_of.isoformat()}）")
    except BaseException:
        records.close()
        raise
    return ExportBook(wb, records)


# ------------------------------------------------------------ reading the ledger

_KINDS = ("progress", "inspection", "followup")


def read_export_data(catalog: Catalog, ledger: Ledger, period: Period, as_of: dt.date) -> ExportData:
    """The boards and the period's entries for `build_workbook`, in memory bounded by the catalog.

    Reads with the one reader (`ledger.reader.Scan`: what `check` accepts, voids and duplicates
    applied, the lines skipped returned as problems), but keeps each entry only without its text
    (the board's rules never look at text) and, for the period's entries, where they are.
    """
    from ..ledger.reader import Scan
    from ..periods import today

    scan = Scan.of(ledger, catalog, today())
    labels = [ledger.label(p) for p in scan.files]
    sink, problems = scan.run(make_sink=lambda: _Slim(period, as_of))
    assert isinstance(sink, _Slim)
    index = BoardIndex(catalog, sink.for_board)
    sink.for_board = []
    previous_period = period.previous()
    board = index.board(as_of)
    previous = index.board(min(previous_period.end, as_of))
    del index
    sink.found.sort()
    entries = PeriodEntries(ledger, scan.files, sink.found, labels)
    return ExportData(catalog, period, as_of, board, previous, previous_period, entries, problems)


class _Slim:
    """The reader's sink for the export: every counted entry without its text, and where the period's are."""

    def __init__(self, period: Period, as_of: dt.date):
        self.first, self.last, self.upto = period.start.isoformat(), period.end.isoformat(), as_of.isoformat()
        self.for_board: list[Entry] = []
        self.found: list[tuple[tuple[dt.date, str, str], int, int]] = []  # (sort key, file, line) of the period's entries
        self.shared: dict = {}  # one object per day, unit, kind, metric name…

    def take(self, obj: Any, index: int, number: int, voided: bool) -> None:  # noqa: ANN401
        """The reader's sink: an accepted line (`fastcheck.Line`)."""
        kind, text = obj.kind, obj.date
        if voided or kind not in _KINDS or text > self.upto:
            return
        shared = self.shared
        day = shared.get(text)
        if day is None:
            day = shared[text] = dt.date.fromisoformat(text)
        get = getattr
        metrics = get(obj, "metrics", None)
        due = get(obj, "due", None)
        slim = Entry(  # what the board's rules read: no text
            id=obj.id, kind=shared.setdefault(kind, kind), date=day, unit=shared.setdefault(obj.unit, obj.unit),
            activity=obj.activity, at=obj.at, color=get(obj, "color", None), method=get(obj, "method", None),
            followup=get(obj, "followup", None), ref=get(obj, "ref", None), result=get(obj, "result", None),
            due=dt.date.fromisoformat(due) if due else None, metrics={shared.setdefault(k, k): v for k, v in metrics.items()} if metrics else {},
        )
        self.for_board.append(slim)
        if self.first <= text <= self.last and kind != "followup":  # the records sheet lists progress and inspections
            self.found.append((slim.sort_key, index, number))


class PeriodEntries:
    """The period's entries in (date, at, id) order, read back one at a time from the ledger files.

    `len()` is known in advance; iterating reads each line again by its place (file, line)
    found by `read_export_data`. A line that is no longer the entry found there (the file
    was rewritten meanwhile, e.g. by `git pull`) stops the export with a clear message.
    """

    def __init__(
        self, ledger: Ledger, files: Sequence[Path], found: Sequence[tuple[tuple[dt.date, str, str], int, int]], labels: Sequence[str]
    ):
        self._ledger = ledger
        self._files = list(files)
        self._labels = list(labels)
        self._file_of = array("L", (f for _, f, _ in found))
        self._line_of = array("Q", (line for _, _, line in found))
        self._ids = [key[2] for key, _, _ in found]

    def __len__(self) -> int:
        return len(self._ids)

    def __iter__(self) -> Iterator[Entry]:
        fds: dict[int, int] = {}
        starts: dict[int, array] = {}
        labels: dict[int, str] = {}
        try:
            for i, number in enumerate(self._file_of):
                path = self._files[number]
                line = self._line_of[i]
                fd = fds.get(number)
                if fd is None:
                    fd = fds[number] = open_ledger_file(path)
                    starts[number] = _line_starts(fd)
                    labels[number] = self._labels[number]
                entry = self._read(labels[number], fd, starts[number], line)
                if entry is None or entry.id != self._ids[i]:
                    raise ShuangzhengError(
                        f"{self._ledger.label(path)} 在导出过程中被改动（第 {line} 行）：请重新运行 export"
                    )
                yield entry
        finally:
            for fd in fds.values():
                os.close(fd)

    @staticmethod
    def _read(label: str, fd: int, starts: array, line: int) -> Entry | None:
        if line >= len(starts):
            return None
        data = pread(fd, starts[line] - starts[line - 1], starts[line - 1])
        if line == 1:
            data = data.removeprefix(b"\xef\xbb\xbf")
        try:
            return Entry.from_record(json.loads(data), label, line)
        except (KeyError, TypeError, ValueError):
            return None


def _line_starts(fd: int) -> array:
    """Byte offsets where each line of a file starts (and where the last ends)."""
    starts = array("Q", [0])
    offset = 0
    while chunk := pread(fd, 1 << 20, offset):  # in chunks: a huge line is never held whole
        at = chunk.find(b"\n")
        while at >= 0:
            starts.append(offset + at + 1)
            at = chunk.find(b"\n", at + 1)
        offset += len(chunk)
    if starts[-1] != offset:
        starts.append(offset)
    return starts


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


@dataclass
class _Dated:
    """The dated lines of one 台账 cell, kept only as far as a cell shows them.

    `text()` is one line per item, dated when there is more than one. Items come in
    (date, at, id) order; once there are two or more and their lines are longer than a
    cell holds, later ones are dropped: the cell shows the same cut text either way.
    """

    items: list[tuple[dt.date, str]] = field(default_factory=list)
    length: int = 0  # characters of the dated lines so far, control characters removed, with separators
    full: bool = False

    def add(self, day: dt.date, text: str) -> None:
        if not text or self.full:
            return
        self.items.append((day, text))
        self.length += len(f"{day.month}月{day.day}日：") + len(UNWRITABLE_RE.sub("", text)) + 1
        if len(self.items) >= 2 and self.length > MAX_CELL_CHARS + 2:
            self.full = True

    def text(self) -> str:
        return _dated(self.items)


@dataclass
class _CellTexts:
    """本期进展, 存在问题 and 下步打算 of one 台账 cell."""

    progress: _Dated = field(default_factory=_Dated)
    problems: _Dated = field(default_factory=_Dated)
    next: _Dated = field(default_factory=_Dated)

    def add(self, e: Entry) -> None:
        if not self.progress.full:
            self.progress.add(e.date, _progress_text(e))
        if e.kind == "progress":
            self.problems.add(e.date, e.problems)
            self.next.add(e.date, e.next)


def _dated(items: list[tuple[dt.date, str]]) -> str:
    """One line per item; dated when there is more than one."""
    items = [(d, t) for d, t in items if t]
    if len(items) == 1:
        return items[0][1]
    return "\n".join(f"{d.month}月{d.day}日：{t}" for d, t in items)


def _progress_text(e: Entry) -> str:
    if e.kind == "inspection":
        follow = f"，{followup_label(e.followup)}" if e.followup else ""
        return f"【{e.method}·{color_name(e.color)}{follow}】{e.text}"
    text = e.text
    if e.metrics:
        text += "（" + "；".join(f"{k}={_num(v)}" for k, v in e.metrics.items()) + "）"
    return text


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() else str(v)


# ------------------------------------------------------------ 台账


def _ledger_sheet(ws: Worksheet, data: ExportData, texts: dict[tuple[int, str], _CellTexts]) -> None:
    catalog = data.catalog
    headers = LEDGER_HEADERS
    _title(ws, f"{catalog.campaign.short_name}周台账（{_period_text(data)}，截至 {data.as_of.isoformat()}）", len(headers))
    _legend(ws, 2, 1, catalog, data.board.totals())
    header_row(ws, LEDGER_HEADER_ROW, headers)
    row = LEDGER_HEADER_ROW
    empty = _CellTexts()
    for number, cell in enumerate(data.board.cells, start=1):
        row += 1
        activity = catalog.activities[cell.activity]
        mine = texts.get((cell.activity, cell.unit), empty)
        unit = catalog.name(cell.unit) + ("（牵头）" if catalog.lead(cell.activity) == cell.unit else "")
        values = [
            number,
            catalog.categories[activity.category].name,
            f"{cell.activity}.{catalog.short(cell.activity)}",
            unit,
            mine.progress.text(),
            mine.problems.text(),
            mine.next.text(),
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


def _records_sheet(ws: Worksheet, data: ExportData, texts: dict[tuple[int, str], _CellTexts]) -> StreamedRows:
    """Every entry of the period, one streamed row each; also fills `texts` for the 台账 sheet."""
    catalog = data.catalog
    headers = RECORD_HEADERS
    entries = data.entries
    if isinstance(entries, Sequence):
        entries = sorted(entries, key=lambda e: e.sort_key)
    rows = StreamedRows(ws, first_row=3)
    try:
        _record_rows(rows, catalog, entries, texts)
    except BaseException:
        rows.close()
        raise
    _title(ws, f"本期记录（{_period_text(data)}，截至 {data.as_of.isoformat()}，共 {rows.count} 条）", len(headers))
    header_row(ws, 2, headers)
    col = {h: i for i, h in enumerate(headers, start=1)}
    ws.freeze_panes = "A3"
    ws.auto_filter.ref = f"A2:{get_column_letter(len(headers))}{max(rows.last_row, 3)}"
    widths = fit_columns(ws, first_row=2, measured=rows.widths,
                         caps={col["内容"]: 50, col["存在问题"]: 28, col["下步打算"]: 28,
                               col["佐证材料"]: 30, col["记录时间"]: 28, col["数据"]: 24})
    ws.column_dimensions[get_column_letter(col["日期"])].width = 12
    widths[col["日期"]] = 12
    rows.fit_rows(widths)
    print_setup(ws, title_rows="1:2")
    return rows


def _record_rows(
    rows: StreamedRows, catalog: Catalog, entries: Iterable[Entry], texts: dict[tuple[int, str], _CellTexts]
) -> None:
    color_column = RECORD_HEADERS.index("颜色")
    plain = rows.style(border=BORDER, font=BODY_FONT, alignment=WRAP)
    colored: dict[str, int] = {}
    styles = [plain] * len(RECORD_HEADERS)
    activities: dict[int, str] = {}
    units: dict[str, str] = {}
    for e in entries:
        activity = activities.get(e.activity)
        if activity is None:
            activity = activities[e.activity] = (
                f"{e.activity}.{catalog.short(e.activity)}" if e.activity in catalog.activities else str(e.activity)
            )
        unit = units.get(e.unit)
        if unit is None:
            unit = units[e.unit] = catalog.name(e.unit)
        values = [
            e.id,
            e.date,
            unit,
            activity,
            "进展" if e.kind == "progress" else (e.method or "检查"),
            color_name(e.color) if e.color else "",
            e.text,
            e.problems,
            e.next,
            "；".join(f"{k}={_num(v)}" for k, v in e.metrics.items()) if e.metrics else "",
            "\n".join(e.evidence),
            followup_label(e.followup) if e.kind == "inspection" else "",
            e.by,
            e.at,
        ]
        if e.color:
            style = colored.get(e.color)
            if style is None:
                style = colored[e.color] = rows.style(
                    border=BORDER, font=BODY_FONT, alignment=CENTER, fill=color_fill(catalog, e.color)
                )
            row_styles = styles.copy()
            row_styles[color_column] = style
            rows.append(values, row_styles)
        else:
            rows.append(values, styles)
        cell = texts.get((e.activity, e.unit))
        if cell is None:
            cell = texts[(e.activity, e.unit)] = _CellTexts()
        cell.add(e)


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
