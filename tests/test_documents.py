"""The reports as Word 公文 (`-o FILE.docx`): 通报, 半年报告 (a unit's and the office's), 考核结果,
信息简报 — written by the command line, re-read with python-docx.

The workspace is the hand-made one of `test_reports_core.py` (campaign from Monday
2022-09-05); the figures asserted are the hand-worked ones of `test_reports_cli.py`.
"""

from __future__ import annotations

from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml.ns import qn
from docx.shared import Mm, Pt
from test_reports_core import CATALOG_YAML, ENTRIES, write_definitions

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.storage import Ledger


@pytest.fixture
def run(run_reports):  # noqa: ANN001, ANN201
    return run_reports


def face(run) -> str:  # noqa: ANN001
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:eastAsia"))


def texts(doc) -> list[str]:  # noqa: ANN001
    return [p.text for p in doc.paragraphs]


def assert_gongwen_page(doc) -> None:  # noqa: ANN001
    """A4 portrait, margins 37/35/28/26 mm, a PAGE field in both footers (GB/T 9704)."""
    s = doc.sections[0]
    assert (round(s.page_width.mm), round(s.page_height.mm)) == (210, 297)
    assert [round(x.mm) for x in (s.top_margin, s.bottom_margin, s.left_margin, s.right_margin)] == [37, 35, 28, 26]
    for footer in (s.footer, s.even_page_footer):
        assert [i.text.strip() for i in footer._element.iter(qn("w:instrText"))] == ["PAGE"]


def make(run, tmp_path: Path, name: str, *args: str):  # noqa: ANN001, ANN201
    path = tmp_path / name
    r = run(*args, "-o", str(path))
    assert r.code == 0, r.err
    assert f"已生成 {path}" in r.err and r.out == ""
    return docx.Document(str(path))


def test_bulletin_docx(run, tmp_path: Path) -> None:
    doc = make(run, tmp_path, "通报.docx", "bulletin", "--as-of", "2022-10-02")
    assert_gongwen_page(doc)
    lines = texts(doc)
    title = doc.paragraphs[0]
    assert title.text == "关于“双争”活动开展情况的通报"
    assert (face(title.runs[0]), title.runs[0].font.size) == ("方正小标宋简体", Pt(22))
    assert lines[2] == "各乡镇（区、办），市直各单位，中省直驻霸各单位："
    headings = {p.text: p for p in doc.paragraphs if p.text in ("一、总体情况", "二、通报批评", "三、表扬", "四、下步要求")}
    assert list(headings) == ["一、总体情况", "二、通报批评", "三、表扬", "四、下步要求"]
    assert all(face(p.runs[0]) == "黑体" for p in headings.values())
    second = next(p for p in doc.paragraphs if p.text.startswith("（一）连续 2 周"))
    assert face(second.runs[0]) == "楷体_GB2312"
    # one red cell and two follow-ups: short lists stay in the body as `1.` items, bold
    red = next(p for p in doc.paragraphs if p.text.startswith("1.丁局："))
    assert red.runs[0].bold and face(red.runs[0]) == "仿宋_GB2312"
    assert "1.活动一，已连续 2 周红色" in red.text
    assert any(t.startswith("1.丙局：2.活动二，累计报送 4 次，场次 8。最近一次：") for t in lines)
    body = next(p for p in doc.paragraphs if p.text.startswith("为推动"))
    assert body.runs[0].font.size == Pt(16) and face(body.runs[0]) == "仿宋_GB2312"
    # signature and date, right-aligned, no attachment
    assert lines[-2:] == ["市“双争”活动领导小组办公室", "2022年10月2日"]
    assert doc.paragraphs[-1].alignment == WD_ALIGN_PARAGRAPH.RIGHT
    assert not any(t.startswith("附件") for t in lines)


def test_week_briefing_docx(run, tmp_path: Path) -> None:
    doc = make(run, tmp_path, "简报.docx", "report", "week", "2022-W39")
    assert_gongwen_page(doc)
    lines = texts(doc)
    # the campaign's first week is W36 (from Monday 2022-09-05): W39 is the 4th issue
    assert lines[:2] == ["“双争”活动简报", "第4期"]
    assert str(doc.paragraphs[0].runs[0].font.color.rgb) == "E60012"
    assert lines[3] == "市“双争”活动领导小组办公室\t2022年10月2日"
    assert doc.paragraphs[3]._p.pPr.find(qn("w:pBdr")) is not None  # the red rule
    assert "2022年第39周“双争”活动开展情况" in lines
    assert "二、颜色变化（2 项，变差的 1 项在前）" in lines
    assert lines[-3:] == [
        "报：廊坊市文明委，市委、市政府有关领导同志",
        "送：市文明委各成员单位",
        "发：各乡镇（区、办），市直各单位，中省直驻霸各单位",
    ]
    units = next(t for t in doc.tables if t.rows[0].cells[0].text == "单位")
    assert units.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    # 甲局 reported twice in W39 (9/27 activity 1, 9/29 activity 2) and was not inspected
    assert [c.text for c in units.rows[1].cells] == ["甲局", "2", "0"]


def test_briefing_number_and_distribution_from_the_definitions(cli, tmp_path: Path) -> None:
    custom = CATALOG_YAML.replace(
        "  office: '市“双争”活动领导小组办公室'\n",
        "  office: '市“双争”活动领导小组办公室'\n"
        "  briefing:\n    first_number: 10\n    first_week: 2022-09-14\n"
        "    report_to: 市委\n    send_to: ''\n    compiler: 市文明办\n",
    )
    root = write_definitions(tmp_path / "ws", custom)
    Ledger(root, Catalog.load(root)).append(ENTRIES)
    out = tmp_path / "b.docx"
    r = cli("--root", str(root), "report", "week", "2022-W39", "-o", str(out))
    assert r.code == 0, r.err
    lines = texts(docx.Document(str(out)))
    # 9/14 is in W37, numbered 10: W39 is 12
    assert lines[1] == "第12期" and lines[3].startswith("市文明办\t")
    assert lines[-2:] == ["报：市委", "发：各乡镇（区、办），市直各单位，中省直驻霸各单位"]
    # W28 is the 1st issue; a week before it has no number
    early = cli("--root", str(root), "report", "week", "2022-W27", "-o", str(tmp_path / "c.docx"))
    assert early.code == 2 and "此前的周没有期号" in early.err
    assert not (tmp_path / "c.docx").exists()


def test_half_year_docx_for_one_unit(run, tmp_path: Path) -> None:
    doc = make(run, tmp_path, "半年.docx", "report", "half-year", "2022H2", "-u", "甲局", "--as-of", "2022-10-31")
    assert_gongwen_page(doc)
    lines = texts(doc)
    title = "".join(lines[: lines.index("")])
    assert title == "甲局关于2022年下半年“双争”活动开展情况的报告"
    assert "市文明委：" in lines
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells] == ["活动", "报送（次）", "9月末", "10月末", "问题（条）", "检查（次）"]
    assert [c.text for c in table.rows[1].cells] == ["1.活动一", "5", "黄", "蓝", "2", "1"]
    assert "（一）1.活动一" in lines and "（二）2.活动二" in lines
    problems = next(p for p in doc.paragraphs if p.text.startswith("1.存在问题："))
    assert "2022年9月13日，基层参与面不广" in problems.text and problems.runs[0].bold
    assert lines[-2:] == ["甲局", "2022年10月31日"]


def test_half_year_docx_office_view_puts_the_units_in_an_attachment(run, tmp_path: Path) -> None:
    doc = make(run, tmp_path, "全市.docx", "report", "half-year", "2022H2", "--as-of", "2022-10-31")
    lines = texts(doc)
    assert "市文明委：" in lines
    assert "附件：1. 2022年下半年各单位“双争”活动情况汇总表" in lines and "2. 红色事项清单" in lines
    label = next(p for p in doc.paragraphs if p.text == "附件1")
    assert label.paragraph_format.page_break_before and face(label.runs[0]) == "黑体"
    summary = doc.tables[0]
    assert [c.text for c in summary.rows[0].cells][:2] == ["单位", "承担活动（项）"]
    # 甲局: 2 activities, 7 reports, 1 inspection; as of 10/31 red 1, yellow 0, blue 1, green 0
    assert [c.text for c in summary.rows[1].cells] == ["甲局", "2", "7", "1", "1", "0", "1", "0"]


def test_score_docx(run, tmp_path: Path) -> None:
    doc = make(run, tmp_path, "考核结果.docx", "score", "--year", "2022", "--as-of", "2022-10-02")
    assert_gongwen_page(doc)
    lines = texts(doc)
    assert lines[0] == "关于2022年度“双争”活动考核结果的通报"
    assert any("最高 100.00 分（丙局），最低 0.00 分（丁局）" in t for t in lines)
    (table,) = doc.tables
    assert [c.text for c in table.rows[0].cells][:3] == ["名次", "单位", "总分"]
    assert table.rows[0]._tr.trPr.find(qn("w:tblHeader")) is not None
    assert [c.text for c in table.rows[4].cells][:5] == ["4", "甲局", "72.23", "30.00", "17.68"]
    cell_run = table.rows[4].cells[1].paragraphs[0].runs[0]
    assert face(cell_run) == "仿宋_GB2312" and cell_run.font.size in (Pt(14), Pt(12))
    widths = [c.width for c in table.rows[0].cells]
    assert abs(sum(widths) - Mm(156)) < Mm(1)


def test_format_docx_without_o_names_the_file(run, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    r = run("bulletin", "--as-of", "2022-10-02", "--format", "docx")
    assert r.code == 0, r.err
    assert (tmp_path / "通报_2022-10-02.docx").is_file()
