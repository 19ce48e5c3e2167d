"""The liaison's fill-in workbook (报送模板) and reading returned workbooks back (导入).

`build_template` makes the workbook for one unit: a sheet of instructions (说明), the
form (填报) with drop-downs that refuse other values, and the unit stored inside the
workbook (a defined name and a hidden sheet), not only in the file name.

`read_workbook` reads what Excel, WPS and LibreOffice write back: date cells or dates
as text, numbers as numbers or text, blank rows anywhere, extra columns. Columns are
found by their header text. Every row is validated before anything is written; each
bad cell is reported as `FILE!C7: 原因`. Files are checked as zip archives (size,
unzipped size, compression ratio) before openpyxl opens them.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import unicodedata
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from ..definitions.catalog import Catalog
from ..errors import ShuangzhengError, UsageProblem
from ..ledger.entries import (
    clean_text,
    coerce_color,
    parse_metrics,
    reference_problems,
    text_problems,
    validate,
)
from ..ledger.format import COLOR_MEANINGS, COLOR_NAMES, Entry
from ..ledger.storage import derived_id
from ..periods import Period, now_iso, parse_date
from ..render.xlsx import (
    BODY_FONT,
    BORDER,
    CENTER,
    DATE_FORMAT,
    FONT_NAME,
    TITLE_FONT,
    WRAP,
    header_row,
    print_setup,
    put,
    stamp,
)

FORM_SHEET = "填报"
HELP_SHEET = "说明"
META_SHEET = "_meta"
UNIT_NAME = "shuangzheng_unit"
TEMPLATE_KIND = "shuangzheng-template"
#: Columns of the form, in order, with their widths (in characters; CJK counts 2).
COLUMNS: tuple[tuple[str, int], ...] = (
    ("日期", 12),
    ("活动", 22),
    ("自评颜色", 10),
    ("进展情况", 48),
    ("存在问题", 28),
    ("下步打算", 28),
    ("数据", 24),
    ("填报人", 10),
)
HEADERS = tuple(name for name, _ in COLUMNS)
REQUIRED = ("日期", "活动", "进展情况")
FORM_HEADER_ROW = 2
FORM_ROWS = 300
COLOR_CHOICES = ("绿", "蓝", "黄", "红")
DV_LITERAL_LIMIT = 255  # Excel's limit on a list typed into a validation

#: Limits for files to import (a returned template is a few dozen KB).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
HEADER_SEARCH_ROWS = 20


# ====================================================================== template


def activity_choice(catalog: Catalog, number: int) -> str:
    """How an activity appears in the drop-down: `4.共建文明城市`."""
    return f"{number}.{catalog.short(number)}"


def build_template(catalog: Catalog, unit: str, period: Period, as_of: dt.date) -> Workbook:
    """The fill-in workbook for one unit's liaison."""
    acts = catalog.activities_of(unit)
    choices = [activity_choice(catalog, a) for a in acts]
    unit_name = catalog.name(unit)
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    form = wb.create_sheet(FORM_SHEET)
    meta = wb.create_sheet(META_SHEET)
    _write_help(help_ws, catalog, unit, period, acts)
    _write_meta(meta, catalog, unit, period, choices)
    _write_form(form, catalog, unit_name, period, choices)
    meta.sheet_state = "hidden"
    wb.active = 1
    form.sheet_view.tabSelected = True
    help_ws.sheet_view.tabSelected = False
    wb.defined_names[UNIT_NAME] = DefinedName(UNIT_NAME, attr_text=f'"{unit}"')
    stamp(wb, as_of, f"{catalog.campaign.short_name}进展填报 · {unit_name} · {period.label}")
    return wb


def _write_help(ws: Any, catalog: Catalog, unit: str, period: Period, acts: list[int]) -> None:
    start = catalog.phases[0].start.isoformat()
    u = catalog.units.get(unit) or catalog.groups.get(unit)
    liaison = u.liaison if u is not None else None
    lines: list[tuple[str, Any]] = [
        ("title", f"{catalog.campaign.short_name}进展填报 · 填写说明"),
        ("kv", ("填报单位", f"{catalog.name(unit)}（编号 {unit}）")),
        ("kv", ("填报时段", f"{period.label}（{period.start.isoformat()} 至 {period.end.isoformat()}）")),
    ]
    if liaison is not None:
        contact = f"{liaison.name}" + (f"（{liaison.phone}）" if liaison.phone else "")
        lines.append(("kv", ("联络员", contact)))
    lines.append(("kv", ("报送对象", catalog.campaign.office or "“双争”活动领导小组办公室")))
    lines.append(("blank", None))
    steps = [
        f"在“{FORM_SHEET}”表中，每开展一项工作填一行，可以填多行；行与行之间留有空行不影响导入。",
        f"日期（必填）：工作开展的日期，写成 2022-09-21，也可写 2022/9/21、2022.9.21 或 2022年9月21日；"
        f"不得早于活动开始日 {start}，也不得晚于报送当天。",
        "活动（必填）：从下拉列表中选择本单位承担的活动（“编号.简称”），也可只写编号，如 4。",
        "自评颜色（选填）：从下拉列表中选择 绿 / 蓝 / 黄 / 红："
        + "；".join(f"{COLOR_NAMES[c]}＝{COLOR_MEANINGS[c]}" for c in ("green", "blue", "yellow", "red"))
        + "。",
        "进展情况（必填）：写清做了什么、规模和效果，不超过 2000 字。",
        "存在问题、下步打算（选填）：各不超过 2000 字。",
        "数据（选填）：写成“名称=数量”，多项用“；”分隔，如：场次=3；参与人数=120。",
        "填报人：填写本行内容的人员姓名。",
        "请勿修改表头和表名，勿删除隐藏的工作表，勿使用公式；可在右侧增加备注列（导入时不读取）。",
        "填好后直接保存为 .xlsx 格式（WPS 请选“Excel 文件”），发回市“双争”办公室。同一文件重复发送不会重复记录。",
    ]
    for i, step in enumerate(steps, start=1):
        lines.append(("step", f"{i}. {step}"))
    lines.append(("blank", None))
    lines.append(("head", ("编号", "本单位承担的活动", "报送频次")))
    for a in acts:
        act = catalog.activities[a]
        lines.append(("act", (a, f"{catalog.short(a)}：{act.title}", catalog.interval(a).name)))
    row = 1
    for kind, value in lines:
        if kind == "title":
            put(ws, row, 1, value, font=TITLE_FONT)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
        elif kind == "kv":
            put(ws, row, 1, value[0], font=Font(name=FONT_NAME, size=10, bold=True))
            put(ws, row, 2, value[1], font=BODY_FONT, alignment=WRAP)
            ws.merge_cells(start_row=row, start_column=2, end_row=row, end_column=3)
        elif kind == "step":
            put(ws, row, 1, value, font=BODY_FONT, alignment=WRAP)
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=3)
            ws.row_dimensions[row].height = 30
        elif kind == "head":
            header_row(ws, row, value)
        elif kind == "act":
            put(ws, row, 1, value[0], font=BODY_FONT, border=BORDER, alignment=CENTER)
            put(ws, row, 2, value[1], font=BODY_FONT, border=BORDER, alignment=WRAP)
            put(ws, row, 3, value[2], font=BODY_FONT, border=BORDER, alignment=CENTER)
            ws.row_dimensions[row].height = 30
        row += 1
    ws.column_dimensions["A"].width = 12
    ws.column_dimensions["B"].width = 90
    ws.column_dimensions["C"].width = 12
    print_setup(ws, landscape=False)


def _write_meta(ws: Any, catalog: Catalog, unit: str, period: Period, choices: list[str]) -> None:
    rows = [
        ("kind", TEMPLATE_KIND),
        ("unit", unit),
        ("unit_name", catalog.name(unit)),
        ("period", period.label),
        ("period_start", period.start.isoformat()),
        ("period_end", period.end.isoformat()),
        ("version", __version__),
    ]
    for i, (key, value) in enumerate(rows, start=1):
        put(ws, i, 1, key)
        put(ws, i, 2, value)
    put(ws, 10, 1, "activities")
    for i, choice in enumerate(choices, start=11):
        put(ws, i, 1, choice)


def _write_form(ws: Any, catalog: Catalog, unit_name: str, period: Period, choices: list[str]) -> None:
    last_col = get_column_letter(len(COLUMNS))
    put(
        ws, 1, 1,
        f"{unit_name} · {catalog.campaign.short_name}进展填报（{period.label}）　红色表头为必填列，填写说明见“{HELP_SHEET}”表",
        font=Font(name=FONT_NAME, size=12, bold=True),
        alignment=Alignment(wrap_text=True, vertical="center"),
    )
    ws.merge_cells(f"A1:{last_col}1")
    ws.row_dimensions[1].height = 24
    header_row(ws, FORM_HEADER_ROW, HEADERS)
    for column, name in enumerate(HEADERS, start=1):
        if name in REQUIRED:  # the header text stays exact; the mark is a red font and a note row
            ws.cell(row=FORM_HEADER_ROW, column=column).font = Font(name=FONT_NAME, size=11, bold=True, color="C00000")
    first, last = FORM_HEADER_ROW + 1, FORM_HEADER_ROW + FORM_ROWS
    for row in range(first, last + 1):
        for column, name in enumerate(HEADERS, start=1):
            cell = ws.cell(row=row, column=column)
            cell.border = BORDER
            cell.font = BODY_FONT
            cell.alignment = CENTER if name in ("日期", "自评颜色", "填报人") else WRAP
            if name == "日期":
                cell.number_format = DATE_FORMAT
    for column, (_, width) in enumerate(COLUMNS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    ws.freeze_panes = f"A{first}"

    def rng(name: str) -> str:
        letter = get_column_letter(HEADERS.index(name) + 1)
        return f"{letter}{first}:{letter}{last}"

    activity_dv = DataValidation(
        type="list",
        formula1=activity_list_formula(choices),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="活动不在本单位的任务中",
        error="请从下拉列表中选择本单位承担的活动（编号.简称）。",
        showInputMessage=True,
        promptTitle="活动",
        prompt="从下拉列表中选择",
    )
    activity_dv.add(rng("活动"))
    color_dv = DataValidation(
        type="list",
        formula1='"' + ",".join(COLOR_CHOICES) + '"',
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="stop",
        errorTitle="颜色无效",
        error="自评颜色只能选 绿 / 蓝 / 黄 / 红。",
    )
    color_dv.add(rng("自评颜色"))
    start = catalog.phases[0].start
    date_dv = DataValidation(
        type="date",
        operator="greaterThanOrEqual",
        formula1=f"DATE({start.year},{start.month},{start.day})",
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="warning",
        errorTitle="日期",
        error=f"请填写 2022-09-21 这样的日期，且不早于活动开始日 {start.isoformat()}。",
    )
    date_dv.add(rng("日期"))
    for dv in (activity_dv, color_dv, date_dv):
        ws.add_data_validation(dv)
    print_setup(ws, title_rows=f"1:{FORM_HEADER_ROW}")


def activity_list_formula(choices: list[str]) -> str:
    """The drop-down's source: a typed list when it fits, else the list kept on the hidden sheet."""
    literal = '"' + ",".join(choices) + '"'
    if len(literal) <= DV_LITERAL_LIMIT and not any("," in c or '"' in c for c in choices):
        return literal
    return f"{quote_sheetname(META_SHEET)}!$A$11:$A${10 + len(choices)}"


# ====================================================================== import: the file


@dataclass(frozen=True)
class BadCell:
    """One bad cell of a returned workbook: `FILE!C7: 原因`."""

    file: str
    sheet: str
    row: int
    column: int
    message: str

    @property
    def place(self) -> str:
        ref = f"{get_column_letter(self.column)}{self.row}" if self.column else f"第{self.row}行"
        where = f"{self.file}!" if self.sheet == FORM_SHEET else f"{self.file}!{self.sheet}!"
        return where + ref if self.row else self.file

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"

    @property
    def order(self) -> tuple[str, str, int, int]:
        return (self.file, self.sheet, self.row, self.column)


@dataclass
class FileResult:
    """What one workbook holds: its unit, its rows as entries, and its bad cells."""

    label: str
    unit: str | None = None
    rows: int = 0
    entries: list[Entry] = field(default_factory=list)
    repeated: int = 0  # rows identical to an earlier row of the same workbook: recorded once
    bad: list[BadCell] = field(default_factory=list)
    sheets: list[str] = field(default_factory=list)


def check_archive(path: Path, label: str) -> None:
    """Refuse what is not a reasonable .xlsx before openpyxl sees it (size, zip bomb, format)."""
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageProblem(f"找不到文件 {label}") from None
    except OSError as exc:
        raise ShuangzhengError(f"无法读取 {label}：{exc.strerror}") from None
    if not path.is_file():
        raise UsageProblem(f"{label} 不是文件")
    if size > MAX_FILE_BYTES:
        raise ShuangzhengError(
            f"{label} 太大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）：报送模板通常只有几十 KB，请检查是否发错了文件"
        )
    with open(path, "rb") as f:
        head = f.read(8)
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ShuangzhengError(f"{label} 是旧版 .xls（或加密的）工作簿：请在 Excel/WPS 中“另存为” .xlsx 后再导入")
    if not zipfile.is_zipfile(path):
        raise ShuangzhengError(f"{label} 不是 .xlsx 工作簿（文件内容不是 Excel 2007 及以后的格式）：请用 Excel/WPS 另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ShuangzhengError(f"{label} 已损坏，无法作为 .xlsx 打开") from None
    if len(infos) > MAX_MEMBERS:
        raise ShuangzhengError(f"{label} 内含 {len(infos)} 个部件，远超正常工作簿，出于安全拒绝读取")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise ShuangzhengError(
            f"{label} 解压后有 {total / 1024 / 1024:.0f} MB（上限 {MAX_UNZIPPED_BYTES // 1024 // 1024} MB），"
            "可能是“压缩炸弹”，出于安全拒绝读取"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ShuangzhengError(
                f"{label} 中的 {info.filename} 压缩比为 {ratio:.0f} 倍（上限 {MAX_RATIO} 倍），"
                "可能是“压缩炸弹”，出于安全拒绝读取"
            )
    if total > 1024 * 1024 and total / max(packed, 1) > MAX_RATIO:
        raise ShuangzhengError(f"{label} 的压缩比超过 {MAX_RATIO} 倍，可能是“压缩炸弹”，出于安全拒绝读取")
    names = {i.filename for i in infos}
    if "xl/workbook.xml" not in names and "[Content_Types].xml" not in names:
        raise ShuangzhengError(f"{label} 是 zip 压缩包，但不是 .xlsx 工作簿")


# ====================================================================== import: reading rows

_HEADER_ALIASES = {
    "日期": ("日期", "工作日期", "开展日期", "时间"),
    "活动": ("活动", "活动名称", "活动项目", "任务"),
    "自评颜色": ("自评颜色", "颜色", "自评", "四色"),
    "进展情况": ("进展情况", "进展", "工作进展", "工作内容"),
    "存在问题": ("存在问题", "问题"),
    "下步打算": ("下步打算", "下一步打算", "打算"),
    "数据": ("数据", "数量", "数据指标"),
    "填报人": ("填报人", "填表人", "记录人"),
}
_HEADER_LOOKUP = {alias: name for name, aliases in _HEADER_ALIASES.items() for alias in aliases}
_PAREN = re.compile(r"[（(][^）)]*[）)]")
_ACTIVITY_FORM = re.compile(r"^第?\s*(\d+)\s*项?\s*(?:[.．、:：\s]\s*(.*))?$", re.S)


def _header_key(value: Any) -> str | None:
    if not isinstance(value, str):
        return None
    text = unicodedata.normalize("NFKC", value)
    text = _PAREN.sub("", text)
    text = "".join(text.split()).strip("*＊")
    return _HEADER_LOOKUP.get(text)


def workbook_unit(wb: Any) -> tuple[str | None, str]:
    """The unit the template was made for: its defined name, else its hidden sheet."""
    names = getattr(wb, "defined_names", None)
    if names is not None and UNIT_NAME in names:
        text = (names[UNIT_NAME].attr_text or "").strip()
        if len(text) >= 2 and text[0] == text[-1] == '"':
            return text[1:-1], f"定义名称 {UNIT_NAME}"
    if META_SHEET in wb.sheetnames:
        ws = wb[META_SHEET]
        ws.reset_dimensions()
        for row in ws.iter_rows(min_row=1, max_row=20, max_col=2, values_only=True):
            if len(row) >= 2 and row[0] == "unit" and isinstance(row[1], str):
                return row[1].strip(), f"隐藏表 {META_SHEET}"
    return None, ""


def read_workbook(
    path: Path,
    label: str,
    catalog: Catalog,
    *,
    today: dt.date,
    unit_hint: str | None = None,
    by: str | None = None,
    default_by: Any = None,
) -> FileResult:
    """Read one returned workbook into entries, collecting every bad cell (nothing is written).

    `by` (the --by option) names the recorder of every row; otherwise a row's 填报人,
    else `default_by()` (the configured recorder, asked for only when needed).
    """
    check_archive(path, label)
    try:
        wb = load_workbook(path, read_only=True, data_only=False)
    except Exception as exc:  # openpyxl raises many kinds on a damaged file
        raise ShuangzhengError(f"{label} 无法作为 Excel 工作簿打开（文件损坏或格式不符：{type(exc).__name__}）") from None
    try:
        return _read(wb, label, catalog, today=today, unit_hint=unit_hint, by=by, default_by=default_by)
    finally:
        wb.close()


def _read(wb: Any, label: str, catalog: Catalog, *, today: dt.date, unit_hint: str | None, by: str | None, default_by: Any) -> FileResult:
    result = FileResult(label)
    stored, where = workbook_unit(wb)
    unit = None
    if stored is not None:
        if not catalog.is_reporting_unit(stored):
            raise ShuangzhengError(f"{label} 的{where}记录的单位编号 '{stored}' 不在 units.yaml 中（模板来自别的工作区？）；可用 --unit 指定单位")
        unit = stored
    if unit_hint is not None:
        hinted = catalog.resolve_unit(unit_hint)
        if not catalog.is_reporting_unit(hinted):
            members = "、".join(catalog.name(m) for m in catalog.expand(hinted)[:5])
            raise UsageProblem(f"'{catalog.name(hinted)}' 是单位组，请写具体单位，如 {members}…")
        if unit is not None and hinted != unit:
            raise UsageProblem(
                f"{label} 是 {catalog.name(unit)}（{unit}）的模板，与 --unit 指定的 {catalog.name(hinted)}（{hinted}）不符：请核对文件"
            )
        unit = hinted
    if unit is None:
        raise UsageProblem(
            f"{label} 中找不到填报单位（没有定义名称 {UNIT_NAME}，也没有隐藏表 {META_SHEET}，"
            "可能不是用 shuangzheng template 生成的）：请用 --unit 指定是哪个单位的报送"
        )
    result.unit = unit
    sheets = [name for name in wb.sheetnames if name not in (META_SHEET, HELP_SHEET)]
    if FORM_SHEET in sheets:
        sheets = [FORM_SHEET] + [s for s in sheets if s != FORM_SHEET]
    seen_ids: set[str] = set()
    for name in sheets:
        ws = wb[name]
        ws.reset_dimensions()
        found = _read_sheet(ws, name, label, unit, catalog, today, by, default_by, seen_ids, result)
        if found:
            result.sheets.append(name)
    if not result.sheets:
        raise ShuangzhengError(
            f"{label} 中找不到填报表：需要一张表头含“日期”“活动”“进展情况”的工作表（表头不要改名）"
        )
    return result


def _read_sheet(
    ws: Any,
    sheet: str,
    label: str,
    unit: str,
    catalog: Catalog,
    today: dt.date,
    by: str | None,
    default_by: Any,
    seen_ids: set[str],
    result: FileResult,
) -> bool:
    rows = enumerate(ws.iter_rows(), start=1)
    columns: dict[str, int] | None = None
    for number, row in rows:
        found: dict[str, int] = {}
        dupes = []
        for index, cell in enumerate(row, start=1):
            key = _header_key(cell.value)
            if key is None:
                continue
            if key in found:
                dupes.append(BadCell(label, sheet, number, index, f"表头“{key}”重复（已在 {get_column_letter(found[key])}{number}）"))
            else:
                found[key] = index
        if all(k in found for k in REQUIRED):
            columns = found
            result.bad += dupes
            break
        if number >= HEADER_SEARCH_ROWS:
            return False
    if columns is None:
        return False
    for number, row in rows:
        _read_row(row, number, columns, sheet, label, unit, catalog, today, by, default_by, seen_ids, result)
    return True


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _read_row(
    row: tuple[Any, ...],
    number: int,
    columns: dict[str, int],
    sheet: str,
    label: str,
    unit: str,
    catalog: Catalog,
    today: dt.date,
    by: str | None,
    default_by: Any,
    seen_ids: set[str],
    result: FileResult,
) -> None:
    cells = {name: (row[col - 1] if col <= len(row) else None) for name, col in columns.items()}
    values = {name: getattr(cell, "value", None) for name, cell in cells.items()}
    content = ("日期", "活动", "进展情况", "存在问题", "下步打算", "数据")
    if all(_is_blank(values.get(name)) for name in content):
        return  # a blank row (a color or a name alone is not a report)
    result.rows += 1
    bad: list[BadCell] = []

    def complain(name: str, message: str) -> None:
        bad.append(BadCell(label, sheet, number, columns[name], message))

    for name, cell in cells.items():
        kind = getattr(cell, "data_type", None)
        if kind == "f":
            complain(name, f"单元格含公式（{str(values[name])[:30]}），请改为直接填写内容（复制后“选择性粘贴→数值”）")
        elif kind == "e":
            complain(name, f"单元格是错误值 {values[name]}，请改为直接填写内容")
    if bad:
        result.bad += bad
        return

    day = _date(values.get("日期"), complain)
    if day is not None:
        for problem in reference_problems(None, None, day, catalog, today):
            complain("日期", problem)

    activity = _activity(values.get("活动"), catalog, complain)
    if activity is not None:
        for problem in reference_problems(unit, activity, None, catalog, today):
            complain("活动", problem)

    color = None
    if "自评颜色" in columns:
        raw = values.get("自评颜色")
        color, issue = coerce_color(None if _is_blank(raw) else _text(raw))
        if issue:
            complain("自评颜色", issue)

    texts = {}
    for name, key in (("进展情况", "text"), ("存在问题", "problems"), ("下步打算", "next")):
        texts[key] = clean_text(_text(values.get(name))) if name in columns else ""
        for problem in text_problems({key: texts[key]}, required=("text",) if key == "text" else ()):
            complain(name, problem)

    metrics: dict[str, float] = {}
    if "数据" in columns and not _is_blank(values.get("数据")):
        raw = values.get("数据")
        if isinstance(raw, int | float) and not isinstance(raw, bool):
            complain("数据", f"数据 '{_text(raw)}' 缺少名称：应写成 名称=数量，如 场次=3")
        else:
            metrics, issues = parse_metrics(unicodedata.normalize("NFKC", _text(raw)))
            for issue in issues:
                complain("数据", issue)
            for key in metrics:
                if len(key) > 50:
                    complain("数据", f"数据名称 '{key[:20]}…' 超过 50 字")

    filled_by = clean_text(_text(values.get("填报人"))) if "填报人" in columns else ""
    if len(filled_by) > 100:
        complain("填报人", "填报人超过 100 字")
    if bad:
        result.bad += bad
        return
    assert day is not None and activity is not None
    recorder = by or filled_by or default_by()
    metric_text = json.dumps(metrics, ensure_ascii=False, sort_keys=True)
    entry_id = derived_id(
        unit, sheet, day.isoformat(), str(activity), color or "",
        texts["text"], texts["problems"], texts["next"], metric_text, filled_by,
    )
    if entry_id in seen_ids:  # the same row twice in one workbook: recorded once
        result.repeated += 1
        return
    seen_ids.add(entry_id)
    entry = Entry(
        id=entry_id,
        kind="progress",
        date=day,
        unit=unit,
        activity=activity,
        by=recorder,
        at=now_iso(),
        color=color,
        metrics=metrics,
        **texts,
    )
    leftover = validate(entry, catalog, today)
    if leftover:  # a rule the cell checks above did not cover
        result.bad.append(BadCell(label, sheet, number, 0, "；".join(leftover)))
        return
    result.entries.append(entry)


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    return str(value)


def _date(value: Any, complain: Any) -> dt.date | None:
    if _is_blank(value):
        complain("日期", "日期不能为空")
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, dt.time | dt.timedelta):
        complain("日期", "这是时间而不是日期：请写成 2022-09-21")
        return None
    if isinstance(value, bool):
        complain("日期", "日期无效：请写成 2022-09-21")
        return None
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    try:
        return parse_date(text)
    except UsageProblem:
        hint = "（看起来是 Excel 日期序号：请把单元格格式设为“日期”）" if re.fullmatch(r"4\d{4}(\.\d+)?", text) else ""
        complain("日期", f"日期 '{text}' 无效：请写成 2022-09-21 这样的真实日期{hint}")
        return None


def _activity(value: Any, catalog: Catalog, complain: Any) -> int | None:
    if _is_blank(value):
        complain("活动", "活动不能为空：请从下拉列表中选择")
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", _text(value)).strip()
    m = _ACTIVITY_FORM.match(text)
    if m:
        number = int(m[1])
        if number not in catalog.activities:
            complain("活动", f"未知活动 '{text}'：活动编号为 1–{max(catalog.activities)}")
            return None
        rest = (m[2] or "").strip()
        if rest:
            act = catalog.activities[number]
            if rest not in (catalog.short(number), act.title) and rest not in act.title:
                complain("活动", f"活动 '{text}' 的编号与名称不符：{number} 号活动是“{catalog.short(number)}”")
                return None
        return number
    try:
        return catalog.resolve_activity(text)
    except UsageProblem as exc:
        complain("活动", exc.message)
        return None


def read_files(
    files: Iterable[tuple[Path, str]],
    catalog: Catalog,
    **options: Any,
) -> Iterator[FileResult]:
    for path, label in files:
        yield read_workbook(path, label, catalog, **options)
