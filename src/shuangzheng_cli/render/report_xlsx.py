"""Workbooks of the reports: the half-year report (one sheet per unit) and the annual score.

The weekly workbook (周台账) is `weekly`; what every workbook shares (the safe cell, widths,
fills, atomic saving) is `xlsx`. openpyxl is imported with this module.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from openpyxl import Workbook

from ..ledger.format import followup_label
from .tables import SCORE_DETAIL_HEADERS, score_detail, score_marks, section_intro
from .text import (
    activity_label,
    color_name,
    half_label,
    metrics_text,
    month_header,
    one_line,
)
from .xlsx import (
    BORDER,
    WRAP,
    fill,
    fit_columns,
    fit_rows,
    header_row,
    heading_rows,
    print_setup,
    put,
    save_atomic,
    stamp,
)

if TYPE_CHECKING:
    from .. import reports
    from ..definitions.catalog import Catalog


def sheet_name(name: str, used: set[str]) -> str:
    """A sheet name Excel accepts (no `[]:*?/\\`, at most 31 characters), unique in `used`."""
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "单位"
    out, i = base, 2
    while out in used:
        suffix = f"({i})"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out)
    return out


#: Number formats: counts as integers, scores and points with two decimals, shares as percentages.
COUNT = "0"
POINTS = "0.00"
PERCENT = "0.0%"
#: Points per line of wrapped 10-point Chinese text (CJK faces are taller than Latin ones).
CJK_LINE = 16.0


def half_year(report: reports.HalfYearReport, catalog: Catalog, path: Path, *, force: bool, office: bool) -> None:
    """One sheet per unit (with a 汇总 sheet first in the office view), colors filled; saved atomically."""
    label = half_label(report.period.start)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    fills = {c: fill(style.fill) for c, style in catalog.rules.colors.items()}
    if office:
        ws = wb.create_sheet(sheet_name("汇总", used))
        headers = ["单位", "承担活动（项）", "报送进展（次）", "督导检查（次）", "红", "黄", "蓝", "绿"]
        header_row(ws, 3, headers)
        for r, section in enumerate(report.units, start=4):
            t = section.totals()
            values = [catalog.name(section.unit), len(section.activities), section.progress, section.inspections,
                      t["red"], t["yellow"], t["blue"], t["green"]]  # fmt: skip
            for c, value in enumerate(values, start=1):
                put(ws, r, c, value, border=BORDER, number_format=COUNT if c > 1 else "General")
        widths = fit_columns(ws, first_row=3)
        heading_rows(ws, widths, [f"{catalog.campaign.short_name}{label}各单位情况汇总（截至 {report.as_of}）"])
        print_setup(ws, widths, header_row=3)
        ws.freeze_panes = "B4"
    headers = ["活动", "报送（次）", "首次报送", "最近报送", "指标合计"]
    headers += [month_header(d) for d in report.month_ends]
    headers += [f"现状（{report.as_of:%m-%d}）", "现状原因", "存在问题", "下步打算", "督导检查"]
    for section in report.units:
        name = catalog.name(section.unit)
        ws = wb.create_sheet(sheet_name(name, used))
        header_row(ws, 4, headers)
        for r, a in enumerate(section.activities, start=5):
            values: list[Any] = [activity_label(catalog, a.activity), a.progress, a.first, a.last, metrics_text(a.metrics)]
            colors = [c for _, c in a.month_colors] + [a.color]
            values += [color_name(c) for c in colors]
            values += [
                "；".join(a.reasons),
                "\n".join(f"{d}：{one_line(t)}" for d, t in a.problems),
                a.next,
                "\n".join(
                    f"{e.date} {e.method} {color_name(e.color)}：{one_line(e.text)}（{followup_label(e.followup)}）"
                    for e in a.inspections
                ),
            ]
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value, border=BORDER, alignment=WRAP)
                if c == 2:
                    cell.number_format = COUNT
                k = c - 6
                if 0 <= k < len(colors) and colors[k] in fills:
                    cell.fill = fills[colors[k]]
        # long texts wrap at a readable width, so that a unit's sheet fits the page width at a
        # scale that can still be read
        caps = {1: 16, 5: 24, len(headers) - 3: 24, len(headers) - 2: 30, len(headers) - 1: 20, len(headers): 30}
        widths = fit_columns(ws, first_row=4, caps=caps)
        fit_rows(ws, widths, first_row=5, line_height=CJK_LINE)
        heading_rows(ws, widths, [f"{name}“双争”活动{label}工作情况（截至 {report.as_of}）",
                                section_intro(section, report, catalog)])
        print_setup(ws, widths, header_row=4)
        ws.freeze_panes = "B5"
    stamp(wb, report.as_of, f"{label}报告")
    save_atomic(wb, path, force=force, as_of=report.as_of)


def score(assessment: reports.Assessment, catalog: Catalog, path: Path, *, force: bool) -> None:
    """The annual score (年度考核): every unit's figures, and the scoring method on its own sheet."""
    from ..reports.score import SCORING_TEXT

    wb = Workbook()
    ws = wb.active
    ws.title = "年度考核"
    title = f"{catalog.campaign.short_name}{assessment.year}年度考核（{assessment.start} 至 {assessment.end}）"
    header_row(ws, 3, SCORE_DETAIL_HEADERS)
    formats = [score_format(h) for h in SCORE_DETAIL_HEADERS]
    last = len(SCORE_DETAIL_HEADERS)  # 说明: wrapped at its capped width, so the sheet prints whole
    for r, values in enumerate(score_detail(assessment, catalog), start=4):
        for k, value in enumerate(values, start=1):
            cell = put(ws, r, k, value, border=BORDER, **({"alignment": WRAP} if k == last else {}))
            if formats[k - 1] and isinstance(value, int | float):
                cell.number_format = formats[k - 1]
    # columns as wide as their figures; the headers wrap onto two lines
    widths = fit_columns(ws, first_row=4, minimum=8, caps={last: 50})
    ws.row_dimensions[3].height = 2 * CJK_LINE + 4
    fit_rows(ws, widths, first_row=4, line_height=CJK_LINE)
    # the weights, and the full marks of units whose weights were spread (the 得分 columns carry none)
    marks = score_marks(assessment) + "".join(assessment.spread_notes) + "计分办法见“计分办法”工作表。"
    heading_rows(ws, widths, [title, marks])
    print_setup(ws, widths, header_row=3)
    ws.freeze_panes = "C4"
    notes = wb.create_sheet("计分办法")
    lines = SCORING_TEXT.splitlines() + [""] + assessment.notes
    for r, line in enumerate(lines, start=1):
        put(notes, r, 1, line, alignment=WRAP)
    notes.column_dimensions["A"].width = 100
    fit_rows(notes, {1: 100}, first_row=1)
    print_setup(notes, {1: 100})
    stamp(wb, assessment.end, f"{assessment.year}年度考核")
    save_atomic(wb, path, force=force, as_of=assessment.end)


def score_format(header: str) -> str | None:
    """The number format of a column of the score's detail, by its header: shares as
    percentages, scores and points with two decimals, counts as integers; None for text."""
    if header.endswith(("率", "占比", "比率", "完成度")):
        return PERCENT
    if header.endswith(("得分", "总分", "扣分")):
        return POINTS
    if header.startswith("名次") or header.endswith(("（期）", "（次）", "格·天")):
        return COUNT
    return None
