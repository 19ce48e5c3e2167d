"""The 公文 builder (`render.docx`): a document built here, saved, and re-read with python-docx.

Every figure expected below is GB/T 9704-2012's (A4, margins 37/35/28/26 mm, 22 lines of
28 characters, 二号 title, 三号 body, `— 1 —` page numbers in 四号), not the code's.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import docx
import pytest
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_LINE_SPACING
from docx.oxml.ns import qn
from docx.shared import Mm, Pt

from shuangzheng_cli.errors import ShuangzhengError
from shuangzheng_cli.render.docx import (
    OfficialDocument,
    TableColumn,
    column_widths,
)

W = qn("w:eastAsia")


def east_asian(run) -> str | None:  # noqa: ANN001
    fonts = run._element.rPr.find(qn("w:rFonts"))
    return None if fonts is None else fonts.get(W)


def latin(run) -> str | None:  # noqa: ANN001
    return run._element.rPr.find(qn("w:rFonts")).get(qn("w:ascii"))


def find(doc, text: str):  # noqa: ANN001, ANN201
    hits = [p for p in doc.paragraphs if text in p.text]
    assert hits, f"no paragraph with {text!r}"
    return hits[0]


def close(length, mm: float) -> bool:  # noqa: ANN001
    return abs(length - Mm(mm)) <= Mm(0.1)


@pytest.fixture
def document(tmp_path: Path):  # noqa: ANN201
    d = OfficialDocument("关于“双争”活动开展情况的通报", dt.date(2022, 11, 30))
    d.title()
    d.addressee("各乡镇（区、办），市直各单位")
    d.paragraph("现将截至2022年11月30日活动开展情况通报如下：")
    d.heading(1, "一、总体情况")
    d.heading(2, "（一）连续红色的单位")
    d.heading(3, "1.市委宣传部：", "连续 4 周红色。")
    rows = [[i, f"单位{i}", "超过 28 天未报送"] for i in range(1, 41)]
    d.table([TableColumn("序号", numeric=True), TableColumn("单位"), TableColumn("原因")], rows)
    d.attachment_note(["名单"])
    d.signature("市“双争”活动领导小组办公室")
    path = tmp_path / "通报.docx"
    d.save(path, force=False)
    return docx.Document(str(path))


def test_page_is_a4_portrait_with_the_standard_margins_and_grid(document) -> None:  # noqa: ANN001
    s = document.sections[0]
    assert close(s.page_width, 210) and close(s.page_height, 297)
    assert close(s.top_margin, 37) and close(s.bottom_margin, 35)
    assert close(s.left_margin, 28) and close(s.right_margin, 26)
    grid = s._sectPr.find(qn("w:docGrid"))
    assert grid.get(qn("w:type")) == "lines"
    # 225 mm of text height / 22 lines = 28.99 pt: 579 twentieths of a point (28.95 pt) still fit 22
    assert grid.get(qn("w:linePitch")) == "579"
    normal = document.styles["Normal"].paragraph_format  # every body paragraph's
    assert normal.line_spacing == Pt(28.95) and normal.line_spacing_rule == WD_LINE_SPACING.EXACTLY
    assert find(document, "现将截至").paragraph_format.line_spacing is None
    # 28 characters to the line: 16 pt characters set closer by the style's spacing fit 28, not 29
    spacing = int(document.styles["Normal"].element.rPr.find(qn("w:spacing")).get(qn("w:val"))) / 20
    assert 28 * (16 + spacing) <= Mm(156).pt < 29 * (16 + spacing)


def test_title_is_erhao_xiaobiaosong_centered(document) -> None:  # noqa: ANN001
    p = document.paragraphs[0]
    assert p.text == "关于“双争”活动开展情况的通报"
    assert p.alignment == WD_ALIGN_PARAGRAPH.CENTER
    (run,) = p.runs
    assert run.font.size == Pt(22)
    assert east_asian(run) == "方正小标宋简体"
    assert latin(run) == "Times New Roman"


def test_body_and_headings_faces_and_sizes(document) -> None:  # noqa: ANN001
    body = find(document, "现将截至")
    assert body.paragraph_format.first_line_indent == Pt(32)  # two characters of 16 pt
    for run in body.runs:
        assert run.font.size == Pt(16) and east_asian(run) == "仿宋_GB2312" and latin(run) == "Times New Roman"
    h1 = find(document, "一、总体情况").runs[0]
    assert (east_asian(h1), h1.font.size, h1.bold) == ("黑体", Pt(16), None)
    h2 = find(document, "（一）连续红色").runs[0]
    assert (east_asian(h2), h2.font.size) == ("楷体_GB2312", Pt(16))
    h3 = find(document, "1.市委宣传部")
    assert (east_asian(h3.runs[0]), h3.runs[0].bold) == ("仿宋_GB2312", True)
    assert h3.runs[1].text == "连续 4 周红色。" and not h3.runs[1].bold
    addressee = find(document, "各乡镇")
    assert addressee.text.endswith("：") and addressee.paragraph_format.first_line_indent in (None, 0)


def test_every_run_names_its_east_asian_face(document) -> None:  # noqa: ANN001
    runs = [r for p in document.paragraphs for r in p.runs]
    runs += [r for t in document.tables for row in t.rows for c in row.cells for p in c.paragraphs for r in p.runs]
    footer = document.sections[0].footer
    runs += [r for p in footer.paragraphs for r in p.runs]
    assert len(runs) > 20
    assert all(east_asian(r) for r in runs)


def test_signature_and_date_right_aligned_date_two_characters_right(document) -> None:  # noqa: ANN001
    paragraphs = document.paragraphs
    i = next(k for k, p in enumerate(paragraphs) if p.text == "市“双争”活动领导小组办公室")
    sig, date = paragraphs[i], paragraphs[i + 1]
    assert date.text == "2022年11月30日"
    assert sig.alignment == date.alignment == WD_ALIGN_PARAGRAPH.RIGHT
    char = Pt(15.75).mm  # one 16 pt character set 0.25 pt closer
    # 14 characters of signature, 7 of date (8 figures are half width): the signature stands
    # 2 characters from the right, so its first character is 16 from the right; the date's
    # first is 2 further right (14), and the date is 7 long: 7 characters from the right.
    assert abs(sig.paragraph_format.right_indent - Mm(2 * char)) < Mm(0.2)
    assert abs(date.paragraph_format.right_indent - Mm(7 * char)) < Mm(0.2)


def test_footer_has_a_page_field_between_dashes_outside_edge(document) -> None:  # noqa: ANN001
    s = document.sections[0]
    assert document.settings.odd_and_even_pages_header_footer
    for footer, align in ((s.footer, WD_ALIGN_PARAGRAPH.RIGHT), (s.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
        (p,) = footer.paragraphs
        assert p.alignment == align
        xml = p._p.xml
        assert "fldCharType=\"begin\"" in xml and "fldCharType=\"end\"" in xml
        instr = p._p.findall(".//" + qn("w:instrText"))
        assert [i.text.strip() for i in instr] == ["PAGE"]
        assert p.text.startswith("— ") and p.text.endswith(" —")
        assert all(r.font.size == Pt(14) for r in p.runs)  # 四号


def test_table_header_repeats_and_rows_do_not_split(document) -> None:  # noqa: ANN001
    (table,) = document.tables
    first = table.rows[0]._tr.trPr
    assert first.find(qn("w:tblHeader")) is not None
    assert table.rows[1]._tr.trPr.find(qn("w:tblHeader")) is None
    assert [c.text for c in table.rows[0].cells] == ["序号", "单位", "原因"]
    assert [c.text for c in table.rows[40].cells] == ["40", "单位40", "超过 28 天未报送"]
    run = table.rows[1].cells[1].paragraphs[0].runs[0]
    assert east_asian(run) == "仿宋_GB2312" and run.font.size in (Pt(14), Pt(12))
    assert east_asian(table.rows[0].cells[0].paragraphs[0].runs[0]) == "黑体"
    widths = [c.width for c in table.rows[0].cells]
    assert abs(sum(widths) - Mm(156)) < Mm(1)


def test_column_widths_keep_short_columns_whole_and_wrap_the_long_one() -> None:
    rows = [["1", "市委宣传部", "很长的原因" * 20]]
    widths = column_widths(["序号", "单位", "原因"], rows, Pt(14))
    assert abs(sum(widths) - Mm(156)) < Mm(0.5)
    # 市委宣传部 is 5 characters of 14 pt plus one for margins: 6 × 14 pt
    assert widths[1] >= Pt(6 * 14) - Pt(1)
    assert widths[2] > widths[1] > widths[0]


def test_existing_file_is_kept_without_force(tmp_path: Path) -> None:
    path = tmp_path / "a.docx"
    path.write_bytes(b"old")
    d = OfficialDocument("标题", dt.date(2022, 9, 1))
    d.title()
    with pytest.raises(ShuangzhengError, match="已存在"):
        d.save(path, force=False)
    assert path.read_bytes() == b"old"
    d.save(path, force=True)
    assert docx.Document(str(path)).paragraphs[0].text == "标题"
    assert [p.name for p in tmp_path.iterdir()] == ["a.docx"]  # no temporary file left


def test_briefing_masthead_red_rule_and_distribution(tmp_path: Path) -> None:
    d = OfficialDocument("简报", dt.date(2022, 11, 27))
    d.masthead("“双争”活动简报", "第2期", "市“双争”活动领导小组办公室", dt.date(2022, 9, 5))
    d.paragraph("正文。")
    d.distribution([("报", "市文明委"), ("送", ""), ("发", "各责任单位")])
    path = tmp_path / "简报.docx"
    d.save(path, force=False)
    doc = docx.Document(str(path))
    head = doc.paragraphs[0]
    assert head.text == "“双争”活动简报"
    assert str(head.runs[0].font.color.rgb) == "E60012"
    assert find(doc, "第2期").alignment == WD_ALIGN_PARAGRAPH.CENTER
    line = find(doc, "2022年9月5日")  # no zero padding
    assert line.text == "市“双争”活动领导小组办公室\t2022年9月5日"
    rule = line._p.pPr.find(qn("w:pBdr")).find(qn("w:bottom"))
    assert rule.get(qn("w:color")) == "E60012"
    texts = [p.text for p in doc.paragraphs]
    assert texts[-2:] == ["报：市文明委", "发：各责任单位"]  # an empty line is left out
