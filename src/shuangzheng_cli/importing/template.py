"""The liaison's fill-in workbook (报送模板) for one unit.

`build_template` makes it: a sheet of instructions (说明), the form (填报) with drop-downs,
and the unit stored inside the workbook (a defined name and a hidden sheet `_meta`, which
also keeps the period and the template's own id), not only in the file name. The instructions and the validations
say the same thing: the activity may be picked from the list or typed as its number (the
list's validation informs, it does not refuse), dates start at the campaign's start.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.workbook.defined_name import DefinedName
from openpyxl.worksheet.datavalidation import DataValidation

from .. import __version__
from ..definitions.catalog import Catalog
from ..ledger.format import COLOR_MEANINGS, COLOR_NAMES
from ..ledger.storage import new_id
from ..periods import Period
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
#: The `_meta` key of the template's id: random, one per generated template (so two templates of
#: the same unit and period are two workbooks). It is what makes a resend "the same workbook":
#: an imported row's id is derived from its content and this id (see `reading.row_id`).
TEMPLATE_ID = "template_id"
TEMPLATE_ID_ROW = 8
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


def campaign_start(catalog: Catalog) -> dt.date:
    """The earliest date a row may carry: the first phase's start (as `add` and `import` check)."""
    return catalog.phases[0].start


def activity_choice(catalog: Catalog, number: int) -> str:
    """How an activity appears in the drop-down: `4.共建文明城市`."""
    return f"{number}.{catalog.short(number)}"


def build_template(catalog: Catalog, unit: str, period: Period, as_of: dt.date, template_id: str | None = None) -> Workbook:
    """The fill-in workbook for one unit's liaison; `template_id` defaults to a fresh random id."""
    acts = catalog.activities_of(unit)
    choices = [activity_choice(catalog, a) for a in acts]
    unit_name = catalog.name(unit)
    wb = Workbook()
    help_ws = wb.active
    help_ws.title = HELP_SHEET
    form = wb.create_sheet(FORM_SHEET)
    meta = wb.create_sheet(META_SHEET)
    _write_help(help_ws, catalog, unit, period, acts)
    _write_meta(meta, catalog, unit, period, choices, template_id or new_id())
    _write_form(form, catalog, unit_name, period, choices)
    meta.sheet_state = "hidden"
    wb.active = 1
    form.sheet_view.tabSelected = True
    help_ws.sheet_view.tabSelected = False
    wb.defined_names[UNIT_NAME] = DefinedName(UNIT_NAME, attr_text=f'"{unit}"')
    stamp(wb, as_of, f"{catalog.campaign.short_name}进展填报 · {unit_name} · {period.label}")
    return wb


def _write_help(ws: Any, catalog: Catalog, unit: str, period: Period, acts: list[int]) -> None:
    start = campaign_start(catalog).isoformat()
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
        "活动（必填）：从下拉列表中选择本单位承担的活动（“编号.简称”），也可只写编号，如 4"
        "（Excel/WPS 会弹出提示，点“确定”即保留）。",
        "自评颜色（选填）：从下拉列表中选择 绿 / 蓝 / 黄 / 红："
        + "；".join(f"{COLOR_NAMES[c]}＝{COLOR_MEANINGS[c]}" for c in ("green", "blue", "yellow", "red"))
        + "。",
        "进展情况（必填）：写清做了什么、规模和效果，不超过 2000 字。",
        "存在问题、下步打算（选填）：各不超过 2000 字。",
        "数据（选填）：写成“名称=数量”，多项用“；”分隔或分行写，如：场次=3；参与人数=120。数量可写 1,200 或 3场。",
        "填报人：填写本行内容的人员姓名。",
        "请勿修改表头，勿删除隐藏的工作表，勿使用公式；可在右侧增加备注列（导入时不读取）。隐藏的行和隐藏的工作表不会导入。",
        "填好后直接保存（.xlsx 或 .xls 均可；WPS 请选“Excel 文件”），发回市“双争”办公室。"
        "同一文件重复发送不会重复记录；在本文件上改了内容再发的，办公室核对后以新的为准。"
        "补报（同一天同一活动又做了一项）请在本文件中另起一行，或用新生成的模板填写，不要复制已发出的文件后删改。",
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


def _write_meta(ws: Any, catalog: Catalog, unit: str, period: Period, choices: list[str], template_id: str) -> None:
    rows = [
        ("kind", TEMPLATE_KIND),
        ("unit", unit),
        ("unit_name", catalog.name(unit)),
        ("period", period.label),
        ("period_start", period.start.isoformat()),
        ("period_end", period.end.isoformat()),
        ("version", __version__),
        (TEMPLATE_ID, template_id),
    ]
    for i, (key, value) in enumerate(rows, start=1):
        put(ws, i, 1, key)
        put(ws, i, 2, value)
    assert len(rows) == TEMPLATE_ID_ROW
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

    activity_dv = DataValidation(  # informs, does not refuse: a typed number (4) is allowed, as 说明 says
        type="list",
        formula1=activity_list_formula(choices),
        allow_blank=True,
        showErrorMessage=True,
        errorStyle="information",
        errorTitle="活动",
        error="所填内容不在下拉列表中。只写活动编号（如 4）可以，点“确定”保留；否则请点“取消”后从列表中选择。",
        showInputMessage=True,
        promptTitle="活动",
        prompt="从下拉列表中选择，或只写编号",
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
    start = campaign_start(catalog)
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
    # the fill-in rows print with their grid in every program (Excel counts formatted empty
    # cells as used; LibreOffice and WPS print only cells with content unless told)
    ws.print_area = f"A1:{get_column_letter(len(COLUMNS))}{last}"


def activity_list_formula(choices: list[str]) -> str:
    """The drop-down's source: a typed list when it fits, else the list kept on the hidden sheet."""
    literal = '"' + ",".join(choices) + '"'
    if len(literal) <= DV_LITERAL_LIMIT and not any("," in c or '"' in c for c in choices):
        return literal
    return f"{quote_sheetname(META_SHEET)}!$A$11:$A${10 + len(choices)}"
