"""`report week`, `report half-year`, `score`, `bulletin` on the command line: every format.

The workspace holds the hand-made definitions and ledger of `test_reports_core.py`; the
figures asserted here are the hand-worked ones from that file.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import openpyxl
import pytest


@pytest.fixture
def run(run_reports):  # noqa: ANN001, ANN201
    return run_reports


def _headings(md: str) -> list[str]:
    return [line for line in md.splitlines() if line.startswith("#")]


# ------------------------------------------------------------ report week


def test_week_markdown(run) -> None:
    r = run("report", "week", "2022-W39", "--format", "md")
    assert r.code == 0, r.err
    assert _headings(r.out) == [
        "# 双争活动周报 2022年第39周（09-26 至 10-02，截至 2022-10-02）",
        "## 一、概况",
        "## 二、颜色变化（2 项，变差的 1 项在前）",
        "## 三、各单位报送（5 个单位）",
        "## 四、本周未报送的单位（1 个）",
        "## 五、红色事项（1 项）",
        "## 六、本周指标汇总（按活动）",
        "## 七、工作亮点（4 条）",
    ]
    assert "本周 5 个单位报送进展 5 条，督导检查 2 次；1 个单位本周未报送" in r.out
    changes = r.out.split("## 二")[1].split("## 三")[0]
    assert changes.index("乙局 | 🟩绿 → 🟨黄 | 变差") < changes.index("甲局 | 🟨黄 → 🟦蓝 | 好转")
    assert "| 1.活动一 | 2 | 场次 3，参与人数 30 |" in r.out
    assert "| 2.活动二 | 3 | 场次 4 |" in r.out


def test_week_json_and_a_day_of_the_week(run) -> None:
    r = run("report", "week", "2022-09-28", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["week"] == "2022-W39" and data["as_of"] == "2022-10-02"
    assert [u["name"] for u in data["units"]] == ["甲局", "丁局", "乙局", "丙局", "戊局"]
    assert [m["metrics"] for m in data["metrics"]] == [{"场次": 3, "参与人数": 30}, {"场次": 4}]


def test_week_table_and_top(run) -> None:
    r = run("report", "week", "2022-W39", "--top", "1")
    assert r.code == 0, r.err
    assert "工作亮点（共 4 条，列前 1 条）" in r.out
    assert "丁局" in r.out and "变差" in r.out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("2022-W50", "--as-of", "2022-10-02"), "尚未开始"),
        (("2022-09",), "不是一周"),
        (("第三周",), "无效"),
    ],
)
def test_week_bad_arguments(run, args, message) -> None:
    r = run("report", "week", *args)
    assert r.code == 2
    assert message in r.err


# ------------------------------------------------------------ report half-year


def test_half_year_markdown_for_one_unit(run) -> None:
    r = run("report", "half-year", "2022H2", "--unit", "甲局", "--as-of", "2022-10-31", "-f", "md")
    assert r.code == 0, r.err
    assert _headings(r.out) == [
        "# 甲局“双争”活动2022年下半年工作情况报告",
        "## 一、总体情况",
        "## 二、各项活动开展情况",
        "### （一）1.活动一",
        "### （二）2.活动二",
    ]
    assert "报送活动进展 7 次，接受督导检查 1 次" in r.out
    # the month-end columns, and no separate "现状" column when as-of is a month end
    assert "| 活动 | 报送（次） | 指标合计 | 9月末 | 10月末 | 问题（条） | 检查（次） |" in r.out
    assert "| 1.活动一 | 5 | 场次 6，参与人数 170 | 🟨黄 | 🟦蓝 | 2 | 1 |" in r.out
    assert "| 2.活动二 | 2 | 场次 3 | 🟦蓝 | 🟥红 | 0 | 0 |" in r.out
    assert "  - 2022-09-13：基层参与面不广" in r.out
    assert "2022-09-21 督导，结论 🟨黄：台账不全（后续处理：整改）" in r.out


def test_half_year_office_view(run) -> None:
    r = run("report", "half-year", "2022H2", "--as-of", "2022-10-31", "-f", "md")
    assert r.code == 0, r.err
    top = [h for h in _headings(r.out) if h.startswith("## ") or h.startswith("# ")]
    assert top == [
        "# 双争活动2022年下半年各单位情况汇总",
        *(f"## {u}“双争”活动2022年下半年工作情况报告" for u in ["甲局", "乙局", "丁局", "丙局", "戊局"]),
    ]


def test_half_year_json(run) -> None:
    r = run("report", "half-year", "2022H2", "-u", "甲局", "--as-of", "2022-10-31", "-f", "json")
    data = json.loads(r.out)
    assert data["month_ends"] == ["2022-09-30", "2022-10-31"]
    (unit,) = data["units"]
    first = unit["activities"][0]
    assert set(first) >= {"entries", "metrics", "month_end_colors", "problems", "inspections"}
    assert [c["color"] for c in first["month_end_colors"]] == ["yellow", "blue"]


def test_half_year_xlsx(run, tmp_path: Path) -> None:
    out = tmp_path / "半年.xlsx"
    r = run("report", "half-year", "2022H2", "--as-of", "2022-10-31", "-f", "xlsx", "-o", str(out))
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["汇总", "甲局", "乙局", "丁局", "丙局", "戊局"]
    summary = [row for row in wb["汇总"].iter_rows(min_row=4, values_only=True)]
    # 甲局: 2 activities, 7 reports, 1 inspection; as of 10/31 red 1 (act 2), blue 1 (act 1)
    assert summary[0] == ("甲局", 2, 7, 1, 1, 0, 1, 0)
    sheet = wb["甲局"]
    headers = [c.value for c in sheet[4]]
    assert headers[:7] == ["活动", "报送（次）", "首次报送", "最近报送", "指标合计", "9月末", "10月末"]
    row = [c.value for c in sheet[5]]
    assert row[0] == "1.活动一" and row[1] == 5 and row[5:7] == ["黄", "蓝"]
    assert sheet.cell(5, 6).fill.start_color.rgb.endswith("FFE699")  # yellow fill from rules.colors
    # refuses to overwrite, then --force replaces
    again = run("report", "half-year", "2022H2", "-f", "xlsx", "-o", str(out))
    assert again.code == 1 and "已存在" in again.err
    forced = run("report", "half-year", "2022H2", "-u", "乙局", "-f", "xlsx", "-o", str(out), "--force")
    assert forced.code == 0, forced.err
    assert openpyxl.load_workbook(out).sheetnames == ["乙局"]


def test_half_year_needs_a_half(run) -> None:
    r = run("report", "half-year", "2022Q3")
    assert r.code == 2 and "不是半年" in r.err


# ------------------------------------------------------------ score


def test_score_json(run) -> None:
    r = run("score", "--year", "2022", "--as-of", "2022-10-02", "-f", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert [(u["name"], u["rank"], u["score"]) for u in data["units"]] == [
        ("丙局", 1, 100.0), ("戊局", 1, 100.0), ("乙局", 3, 91.67), ("甲局", 4, 72.23), ("丁局", 5, 0.0),
    ]
    jia = data["units"][3]["components"]
    assert jia["timeliness"]["points"] == 30 and jia["color"]["points"] == 17.68  # 33/56 × 30, see test_reports_core
    assert jia["inspections"]["detail"]["deductions"] == 3
    assert data["weights"] == {"timeliness": 40, "color": 30, "inspections": 20, "targets": 10}
    assert "报送及时率" in data["method"]


def test_score_csv_and_top(run) -> None:
    r = run("score", "--year", "2022", "--as-of", "2022-10-02", "-f", "csv", "--top", "1")
    rows = list(csv.reader(io.StringIO(r.out)))
    assert rows[0][:3] == ["名次", "单位", "总分"]
    # top 1 keeps both units that share rank 1
    assert [(row[0], row[1], row[2]) for row in rows[1:]] == [("1", "丙局", "100.0"), ("1", "戊局", "100.0")]


def test_score_table_shows_every_component(run) -> None:
    r = run("score", "--year", "2022", "--as-of", "2022-10-02")
    assert r.code == 0, r.err
    assert "及时得分" in r.out and "四色得分" in r.out and "目标得分" in r.out
    assert "各项满分（权重）：报送及时 40、四色状态 30、督导检查 20、目标完成 10" in r.out
    assert "6/8 75.0%" in r.out  # 甲局's timeliness
    assert "2 次，扣 21" in r.out  # 丁局's inspections
    assert "没有承担数量目标" in r.out


def test_score_xlsx(run, tmp_path: Path) -> None:
    out = tmp_path / "考核.xlsx"
    r = run("score", "--year", "2022", "--as-of", "2022-10-02", "-f", "xlsx", "-o", str(out))
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(out)
    assert wb.sheetnames == ["年度考核", "计分办法"]
    ws = wb["年度考核"]
    assert ws.cell(3, 1).value == "名次"
    jia = [c.value for c in ws[7]]
    assert jia[:7] == [4, "甲局", 72.23, 6, 8, 0.75, 30]


def test_score_before_the_campaign(run) -> None:
    r = run("score", "--year", "2021", "--as-of", "2022-10-02")
    assert r.code == 2 and "无从考核" in r.err


# ------------------------------------------------------------ bulletin


def test_bulletin_markdown_reads_in_order(run) -> None:
    r = run("bulletin", "--as-of", "2022-10-02")
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    assert lines[0] == "# 关于“双争”活动开展情况的通报"
    assert lines[2] == "（2022年10月2日）"
    assert _headings(r.out)[1:] == [
        "## 一、总体情况",
        "## 二、通报批评",
        "### （一）连续 2 周及以上红色的单位和活动",
        "### （二）督导检查要求约谈、通报的单位",
        "## 三、表扬",
        "## 四、下步要求",
    ]
    assert "1. 丁局：1.活动一，已连续 2 周红色" in r.out
    assert "1. 丁局：2022-09-30 督导“1.活动一”，结论为红色：仍未启动；处理：约谈（待约谈）。" in r.out
    assert "1. 丙局：2.活动二，累计报送 4 次，场次 8。" in r.out
    assert lines[-1] == "2022年10月2日" and lines[-3] == "市“双争”活动领导小组办公室"


def test_bulletin_json(run) -> None:
    data = json.loads(run("bulletin", "--as-of", "2022-10-02", "-f", "json").out)
    assert set(data) == {"title", "issuer", "as_of", "overall", "totals", "criticism", "praise", "requirements"}
    assert [c["followup"] for c in data["criticism"]["inspections"]] == [["约谈"], ["通报"]]
    assert data["praise"][0]["metrics"] == {"场次": 8}


def test_report_help_is_chinese(run) -> None:
    r = run("report", "--help")
    assert r.code == 0
    assert "周报" in r.out and "half-year" in r.out
