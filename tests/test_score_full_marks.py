"""The score's points columns and the weights they are out of (newcomer's finding 2).

A unit without a quantity target has the target weight spread over the other three parts,
so its points can exceed the configured weights (37.50 under a header `及时(30)` read as a
calculation error). The points' headers now carry no weight; every output states the
weights and, for each kind of unit whose weights were spread, the full marks it is scored
out of. Figures are worked out by hand from the ledger of `test_reports_core.py`
(weights 40/30/20/10; only 甲局 carries a target, so 乙、丙、丁、戊 — 4 units — have none):
their full marks are 40×100/90 = 44.44, 30×100/90 = 33.33, 20×100/90 = 22.22.
"""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import docx
import openpyxl
import pytest

from shuangzheng_cli.reports.score import Component, spread_text

ARGS = ("score", "--year", "2022", "--as-of", "2022-10-02")
MARKS = "各项满分（权重）：报送及时 40、四色状态 30、督导检查 20、目标完成 10。"
SPREAD = "4 个单位没有承担数量目标（或目标尚无应完成量），目标完成的 10 分按比例分到其余三项，满分为报送及时 44.44、四色状态 33.33、督导检查 22.22。"
UNIT_NOTE = "目标完成无从计算，其 10 分按比例分到其余三项，满分为报送及时 44.44、四色状态 33.33、督导检查 22.22"


def test_table_headers_carry_no_weight_and_the_caption_gives_the_full_marks(run_reports) -> None:  # noqa: ANN001
    r = run_reports(*ARGS)
    assert r.code == 0, r.err
    lines = r.out.splitlines()
    header = next(line for line in lines if "名次" in line)
    assert [h in header for h in ("及时得分", "四色得分", "检查得分", "目标得分")] == [True] * 4
    assert "(40)" not in header and "(30)" not in header and "(10)" not in header
    assert any(line.startswith(MARKS) for line in lines)
    assert SPREAD in lines
    # 丙局: every window, green every day, no inspection → exactly the stated full marks
    bing = next(line for line in lines if "丙局" in line)
    assert [c.strip() for c in bing.split("│")[1:-1]][4:11:2] == ["44.44", "33.33", "22.22", "—"]


def test_explain_states_the_spreading_with_an_example(run_reports) -> None:  # noqa: ANN001
    r = run_reports(*ARGS, "--explain")
    assert r.code == 0, r.err
    assert "报送及时 30 × 100 ÷ 80 = 37.5、四色状态 37.5、督导检查 25（合计仍为 100）" in r.out
    assert SPREAD in r.out


def test_markdown_has_the_same_headers_and_note(run_reports) -> None:  # noqa: ANN001
    r = run_reports(*ARGS, "-f", "md")
    assert r.code == 0, r.err
    assert SPREAD in r.out.splitlines()
    assert "| 名次 | 单位 | 总分 | 按时/应报 | 及时得分 | 绿蓝/格·天 | 四色得分 | 检查扣分 | 检查得分 | 目标完成 | 目标得分 |" in r.out


def test_csv_names_each_units_full_marks(run_reports) -> None:  # noqa: ANN001
    r = run_reports(*ARGS, "-f", "csv")
    rows = {row[1]: row for row in csv.reader(io.StringIO(r.out))}
    assert rows["乙局"][-1] == UNIT_NOTE
    assert rows["丙局"][6] == "44.44" and rows["丙局"][-1] == UNIT_NOTE
    assert rows["甲局"][-1] == ""  # has a target: scored out of the configured weights


def test_json_keys_stay_and_effective_weights_are_the_full_marks(run_reports) -> None:  # noqa: ANN001
    data = json.loads(run_reports(*ARGS, "-f", "json").out)
    assert list(data) == ["year", "start", "end", "weights", "notes", "units", "method"]
    assert data["weights"] == {"timeliness": 40, "color": 30, "inspections": 20, "targets": 10}
    assert SPREAD in data["notes"]
    yi = next(u for u in data["units"] if u["name"] == "乙局")
    assert list(yi) == ["rank", "unit", "name", "score", "components", "notes"]
    assert list(yi["components"]["timeliness"]) == ["name", "share", "weight", "effective_weight", "points", "detail"]
    assert yi["components"]["timeliness"]["effective_weight"] == 44.4444
    assert yi["notes"] == [UNIT_NOTE]


def test_workbook_states_the_full_marks_above_the_table(run_reports, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "考核.xlsx"
    assert run_reports(*ARGS, "-o", str(out)).code == 0
    ws = openpyxl.load_workbook(out)["年度考核"]
    assert ws.cell(2, 1).value == MARKS + SPREAD + "计分办法见“计分办法”工作表。"
    assert ws.cell(3, 7).value == "及时得分"
    # the 说明 column wraps at its width, so its long notes print within the page
    last = ws.max_column
    assert ws.cell(3, last).value == "说明"
    assert all(ws.cell(r, last).alignment.wrap_text for r in range(4, ws.max_row + 1))


def test_word_attachment_headers_and_the_note_under_the_table(run_reports, tmp_path: Path) -> None:  # noqa: ANN001
    out = tmp_path / "考核结果.docx"
    assert run_reports(*ARGS, "-o", str(out)).code == 0
    doc = docx.Document(str(out))
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["名次", "单位", "总分", "报送及时", "四色状态", "督导检查", "目标完成"]
    assert [c.text for c in table.rows[1].cells][3:] == ["44.44", "33.33", "22.22", "—"]  # 丙局
    texts = [p.text for p in doc.paragraphs]
    note = "注：各项满分为报送及时 40 分、四色状态 30 分、督导检查 20 分、目标完成 10 分。" + SPREAD
    assert note in texts
    # under the table: the last paragraph of the document
    assert texts[-1] == note


@pytest.mark.parametrize(
    ("shares", "said"),
    [
        # only 报送及时 can be worked out: everything else goes to it
        ({"timeliness": 0.5}, "四色状态、督导检查、目标完成的 70 分全部归入报送及时，满分为报送及时 100"),
        # two left: 两项, not 二项
        ({"timeliness": 0.5, "color": 0.5}, "督导检查、目标完成的 40 分按比例分到其余两项，满分为报送及时 50、四色状态 50"),
    ],
)
def test_the_spread_is_said_in_plain_words(shares: dict[str, float], said: str) -> None:
    weights = {"timeliness": 30, "color": 30, "inspections": 20, "targets": 20}
    comps = {}
    for key, weight in weights.items():
        share = shares.get(key)
        kept = sum(weights[k] for k in shares)
        comps[key] = Component(key, share, weight, effective_weight=weight * 100 / kept if share is not None else 0.0)
    assert spread_text(comps) == said
