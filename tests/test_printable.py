"""Printable workbooks: the score and half-year workbooks, re-opened with openpyxl, print as
a person expects — every sheet fits the page width (landscape where wide), repeats its
header row, has a title that prints whole (merged across the table, wrapped), and shows
numbers in their formats (scores with two decimals, counts as integers, shares as %)."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest


@pytest.fixture
def run(run_reports):  # noqa: ANN001, ANN201
    return run_reports


def fits_page_width(sheet) -> bool:  # noqa: ANN001
    return (
        sheet.sheet_properties.pageSetUpPr.fitToPage
        and sheet.page_setup.fitToWidth == 1
        and sheet.page_setup.fitToHeight == 0
        and int(sheet.page_setup.paperSize) == int(sheet.PAPERSIZE_A4)
    )


def title_prints_whole(sheet, columns: int) -> bool:  # noqa: ANN001
    merged = [str(r) for r in sheet.merged_cells.ranges if r.min_row == 1]
    last = openpyxl.utils.get_column_letter(columns)
    return merged == [f"A1:{last}1"] and sheet["A1"].alignment.wrap_text


def test_score_workbook_prints(run, tmp_path: Path) -> None:
    out = tmp_path / "考核.xlsx"
    assert run("score", "--year", "2022", "--as-of", "2022-10-02", "-o", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    sheet = wb["年度考核"]
    assert fits_page_width(sheet)
    assert sheet.page_setup.orientation == "landscape"  # 18 columns
    assert sheet.print_title_rows == "$3:$3"
    assert title_prints_whole(sheet, 18)
    headers = [c.value for c in sheet[3]]
    jia = {h: c for h, c in zip(headers, sheet[7], strict=True)}
    assert jia["单位"].value == "甲局"
    assert (jia["总分"].value, jia["总分"].number_format) == (72.23, "0.00")
    assert (jia["及时得分"].value, jia["及时得分"].number_format) == (30, "0.00")
    assert (jia["按时报送（期）"].value, jia["按时报送（期）"].number_format) == (6, "0")
    assert (jia["报送及时率"].value, jia["报送及时率"].number_format) == (0.75, "0.0%")
    assert jia["名次"].number_format == "0"
    method = wb["计分办法"]
    assert fits_page_width(method) and method.page_setup.orientation == "portrait"


def test_half_year_workbook_prints_each_unit_on_whole_pages(run, tmp_path: Path) -> None:
    out = tmp_path / "半年.xlsx"
    assert run("report", "half-year", "2022H2", "--as-of", "2022-10-31", "-o", str(out)).code == 0
    wb = openpyxl.load_workbook(out)
    summary = wb["汇总"]
    assert fits_page_width(summary) and summary.print_title_rows == "$3:$3"
    assert title_prints_whole(summary, 8)
    assert summary.page_setup.orientation == "portrait"  # 8 narrow columns
    assert all(c.number_format == "0" for c in summary[4][1:])
    for name in ["甲局", "乙局", "丁局", "丙局", "戊局"]:
        sheet = wb[name]
        assert fits_page_width(sheet), name
        assert sheet.print_title_rows == "$4:$4"
        columns = len([c for c in sheet[4] if c.value])
        assert title_prints_whole(sheet, columns)
        assert sheet["A2"].value.startswith(f"{name}承担“双争”活动")  # the intro, merged too
        assert sheet["B5"].number_format == "0"
    # the unit's sheet is landscape (17 columns), long texts wrap at a bounded width
    jia = wb["甲局"]
    assert jia.page_setup.orientation == "landscape"
    assert max(d.width for d in jia.column_dimensions.values() if d.width) <= 32
