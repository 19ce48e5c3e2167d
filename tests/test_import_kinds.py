# ruff: noqa: F811  (the fixtures `workspace` and `template` come from test_excel_template_import)
"""Returned workbooks as offices really send them (issue 11, and the workbook parts of issue 16).

Each test builds its quirky workbook from a template made by `template` (openpyxl edits, or
zip/XML edits where openpyxl cannot write the quirk) and asserts what lands in the ledger,
or the message and that nothing was written.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import zipfile
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pytest
from test_excel_template_import import GOOD_ROW, fill, pristine, snapshot, template, workspace  # noqa: F401

FORM_XML = "xl/worksheets/sheet2.xml"  # the 填报 sheet of a template written by openpyxl


def edit_zip(path: Path, edits: dict[str, Callable[[bytes], bytes]], out: Path | None = None) -> Path:
    """Rewrite members of an .xlsx (member name → function of its bytes); returns the new file."""
    out = out or path
    with zipfile.ZipFile(path) as src:
        members = [(info, src.read(info.filename)) for info in src.infolist()]
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info, data in members:
            for name, change in edits.items():
                if name == info.filename or (name == "*" and info.filename.endswith((".xml", ".rels"))):
                    data = change(data)
            dst.writestr(info, data)
    return out


def history(cli, root: Path) -> list[dict]:
    return json.loads(cli("--root", root, "history", "--format", "json").out)


def row(day: object = "2022-09-21", activity: object = "1", text: str = "宣讲一场", metrics: object = None, by: object = "张三",
        color: object = None) -> list:
    return [day, activity, color, text, None, None, metrics, by]


# ------------------------------------------------------------------ 1. copied and renamed sheets


def test_copied_sheet_rows_are_recorded_once_and_sheets_are_named(workspace: Path, template: Path, cli) -> None:
    wb = openpyxl.load_workbook(template)
    for column, value in enumerate(GOOD_ROW, start=1):
        wb["填报"].cell(row=3, column=column, value=value)
    copy = wb.copy_worksheet(wb["填报"])
    copy.title = "填报 (2)"  # as WPS names a copy
    copy.cell(row=5, column=1, value="2022-09-22")
    for column, value in enumerate(row(day="2022-09-22", text="副本里多的一行")[1:], start=2):
        copy.cell(row=5, column=column, value=value)
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "读取 3 行，新增 2 条，已存在 0 条，完全相同的行 1 行（只记一次）；读取的工作表：填报、填报 (2)" in result.out
    assert sorted(e["text"] for e in history(cli, workspace)) == ["举办理论宣讲 3 场", "副本里多的一行"]


def test_a_renamed_sheet_sent_again_adds_nothing(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: GOOD_ROW})
    assert cli("--root", workspace, "import", template).code == 0
    before = snapshot(workspace)
    wb = openpyxl.load_workbook(template)
    wb["填报"].title = "填报（第48周）"
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "读取 1 行，新增 0 条，已存在 1 条；读取的工作表：填报（第48周）" in result.out
    assert snapshot(workspace) == before


@pytest.mark.parametrize("state", ["hidden", "veryHidden"])
def test_a_hidden_sheet_is_named_and_not_read(workspace: Path, template: Path, cli, state: str) -> None:
    """Issue 16 item 5 too: a veryHidden sheet with rows is never read silently."""
    wb = openpyxl.load_workbook(template)
    for column, value in enumerate(GOOD_ROW, start=1):
        wb["填报"].cell(row=3, column=column, value=value)
    secret = wb.copy_worksheet(wb["填报"])
    secret.title = "填报 (2)"
    for column, value in enumerate(row(day="2022-09-23", text="藏起来的一行"), start=1):
        secret.cell(row=4, column=column, value=value)
    secret.sheet_state = state
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    kind = "深度隐藏（veryHidden）" if state == "veryHidden" else "隐藏"
    assert f"注意：{template}!填报 (2): {kind}的工作表有 4 行内容，未读取" in result.err
    assert "读取的工作表：填报\n" in result.out
    assert [e["text"] for e in history(cli, workspace)] == ["举办理论宣讲 3 场"]


# ------------------------------------------------------------------ 2. a corrected resend


def test_a_corrected_resend_is_listed_and_replaced_only_when_asked(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(metrics="场次=1；参与人数=60"), 4: row(day="2022-09-22", text="另一行不变")})
    assert cli("--root", workspace, "import", template).code == 0
    first = {e["text"]: e["id"] for e in history(cli, workspace)}
    fill(template, {3: row(text="宣讲一场（更正）", metrics="场次=1；参与人数=65")})
    before = snapshot(workspace)
    expected = (
        f"  {template}!第3行（2022-09-21 活动1，原记录 {first['宣讲一场']}）："
        "进展情况 宣讲一场 → 宣讲一场（更正）；数据 场次=1；参与人数=60 → 场次=1；参与人数=65"
    )
    for args in ([], ["--dry-run"]):
        result = cli("--root", workspace, "import", *args, template)
        assert result.code == 1
        assert "有 1 行与同一工作簿先前导入的记录单位、活动、日期相同而内容不同" in result.err and "未导入任何记录" in result.err
        assert expected in result.err and "--replace" in result.err
        assert snapshot(workspace) == before
    result = cli("--root", workspace, "import", "--replace", template)
    assert result.code == 0, result.err
    assert expected in result.err and "旧记录已作废" in result.err
    assert "读取 2 行，新增 1 条，已存在 1 条" in result.out
    now = history(cli, workspace)  # voided entries are not listed
    assert sorted((e["text"], e["metrics"].get("参与人数")) for e in now) == [("另一行不变", None), ("宣讲一场（更正）", 65)]
    lines = [json.loads(x) for x in (workspace / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()]
    voids = [x for x in lines if x["kind"] == "void"]
    assert len(voids) == 1 and voids[0]["ref"] == first["宣讲一场"] and "导入更正" in voids[0]["text"]
    assert len(lines) == 4  # two rows, the void, the corrected row: nothing rewritten
    assert cli("--root", workspace, "check").code == 0
    again = cli("--root", workspace, "import", "--replace", template)
    assert again.code == 0 and "新增 0 条，已存在 2 条" in again.out


def test_the_superseded_workbook_sent_again_says_its_row_was_replaced(workspace: Path, template: Path, cli, tmp_path: Path) -> None:
    """The first version, imported again after its corrected resend replaced a row: nothing is
    recorded, and the row counted as already there is said to be the voided old version."""
    fill(template, {3: row(metrics="场次=1；参与人数=60"), 4: row(day="2022-09-22", text="另一行不变")})
    original = tmp_path / "原版.xlsx"
    original.write_bytes(template.read_bytes())
    assert cli("--root", workspace, "import", template).code == 0
    fill(template, {3: row(text="宣讲一场（更正）", metrics="场次=1；参与人数=65")})
    assert cli("--root", workspace, "import", "--replace", template).code == 0
    before = snapshot(workspace)
    result = cli("--root", workspace, "import", original)
    assert result.code == 0, result.err
    assert "新增 0 条，已存在 2 条（其中 1 条是已被更正版本代替、已作废的旧版本，不再记入）" in result.out
    assert snapshot(workspace) == before


def test_the_first_and_the_corrected_file_in_one_run(workspace: Path, template: Path, cli, tmp_path: Path) -> None:
    first = fill(template, {3: row(metrics="参与人数=60")})
    second = tmp_path / "更正后.xlsx"
    second.write_bytes(first.read_bytes())
    fill(second, {3: row(metrics="参与人数=65")})
    result = cli("--root", workspace, "import", first, second)
    assert result.code == 1 and f"{second}!第3行" in result.err and "参与人数=60 → 参与人数=65" in result.err
    assert snapshot(workspace) == {}
    result = cli("--root", workspace, "import", "--replace", first, second)
    assert result.code == 0, result.err
    assert [e["metrics"] for e in history(cli, workspace)] == [{"参与人数": 65}]
    assert len((workspace / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()) == 1  # the older never written


def test_two_rows_of_one_day_in_one_workbook_are_not_corrections(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(text="上午宣讲"), 4: row(text="下午宣讲")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "新增 2 条" in result.out


def test_an_entry_added_by_hand_is_not_taken_for_an_earlier_import(workspace: Path, template: Path, cli) -> None:
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "办公室记的", "--date", "2022-09-21").code == 0
    fill(template, {3: row()})
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert len(history(cli, workspace)) == 2


def ledger_lines(root: Path) -> list[dict]:
    return [json.loads(x) for x in (root / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()]


FIRST = row(day="2022-09-28", activity="12.争当文明市民", text="组织专题学习，开展活动 4 场", metrics="场次=4；参与人数=205")


def test_another_workbook_for_the_same_day_and_activity_is_new_records(workspace: Path, template: Path, cli, tmp_path: Path) -> None:
    """The newcomer's finding: a 补报 on a new template of the same unit and week is not a correction."""
    fill(template, {3: FIRST})
    assert cli("--root", workspace, "import", template).code == 0
    late = tmp_path / "补报模板.xlsx"
    result = cli("--root", workspace, "template", "--unit", "宣传部", "--period", "2022-W39", "-o", late)
    assert result.code == 0, result.err
    fill(late, {3: row(day="2022-09-28", activity="12", text="下午又在胜芳镇开展文明市民宣讲 1 场"),
                4: row(day="2022-09-28", activity="12", text="晚上开展第二场宣讲")})
    for args in (["--dry-run"], ["--replace"]):
        result = cli("--root", workspace, "import", *args, late)
        assert result.code == 0, result.err
        assert "更正" not in result.err and "作废" not in result.err
        assert "读取 2 行，" + ("可新增" if args == ["--dry-run"] else "新增") + " 2 条，已存在 0 条" in result.out
    lines = ledger_lines(workspace)
    assert [x["kind"] for x in lines] == ["progress"] * 3  # the original 4 场/205 人 stays, nothing voided
    assert sorted(e["text"] for e in history(cli, workspace)) == sorted(
        ["组织专题学习，开展活动 4 场", "下午又在胜芳镇开展文明市民宣讲 1 场", "晚上开展第二场宣讲"])
    assert "合计：读取 3 行，新增 0 条，已存在 3 条" in cli("--root", workspace, "import", template, late).out  # resends add nothing


def test_a_row_copied_into_another_workbook_is_already_there(workspace: Path, template: Path, cli, tmp_path: Path) -> None:
    fill(template, {3: FIRST})
    assert cli("--root", workspace, "import", template).code == 0
    other = tmp_path / "另一份.xlsx"
    assert cli("--root", workspace, "template", "--unit", "xcb", "--period", "2022-W39", "-o", other).code == 0
    fill(other, {3: FIRST, 4: row(day="2022-09-28", activity="12", text="新的一行")})
    result = cli("--root", workspace, "import", other)
    assert result.code == 0, result.err
    assert "读取 2 行，新增 1 条，已存在 1 条" in result.out


def test_a_resend_with_a_changed_and_an_added_row_replaces_the_old_record_once(workspace: Path, template: Path, cli) -> None:
    """More new rows than old records of the day: one replaces it, the rest are new rows."""
    fill(template, {3: FIRST})
    assert cli("--root", workspace, "import", template).code == 0
    old = history(cli, workspace)[0]["id"]
    fill(template, {3: row(day="2022-09-28", activity="12", text="组织专题学习，开展活动 5 场", metrics="场次=5；参与人数=205"),
                    4: row(day="2022-09-28", activity="12", text="晚上开展第二场宣讲")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 1 and "有 1 行与同一工作簿先前导入的记录" in result.err
    assert f"{template}!第3行（2022-09-28 活动12，原记录 {old}）" in result.err and "第4行" not in result.err
    result = cli("--root", workspace, "import", "--replace", template)
    assert result.code == 0, result.err
    assert "读取 2 行，新增 2 条，已存在 0 条" in result.out
    voids = [x for x in ledger_lines(workspace) if x["kind"] == "void"]
    assert len(voids) == 1 and voids[0]["ref"] == old and f"{template}!第3行" in voids[0]["text"]
    assert sorted(e["text"] for e in history(cli, workspace)) == ["晚上开展第二场宣讲", "组织专题学习，开展活动 5 场"]
    assert cli("--root", workspace, "check").code == 0


def test_fewer_new_rows_than_changed_old_records_replace_one_each(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(text="上午宣讲"), 4: row(text="下午宣讲")})
    assert cli("--root", workspace, "import", template).code == 0
    fill(template, {3: row(text="全天宣讲"), 4: [None] * 8})
    result = cli("--root", workspace, "import", "--replace", template)
    assert result.code == 0, result.err
    assert "以下 1 行更正已导入的记录" in result.err and "上午宣讲 → 全天宣讲" in result.err
    assert len([x for x in ledger_lines(workspace) if x["kind"] == "void"]) == 1
    assert sorted(e["text"] for e in history(cli, workspace)) == ["下午宣讲", "全天宣讲"]  # a deleted row is not voided


def test_a_template_without_an_id_is_corrected_by_unit_activity_and_date(workspace: Path, template: Path, cli) -> None:
    """Templates made before templates had ids: the only identity is unit, activity and date (as before)."""
    wb = openpyxl.load_workbook(template)
    assert wb["_meta"]["A8"].value == "template_id"
    wb["_meta"]["A8"] = wb["_meta"]["B8"] = None
    wb.save(template)
    fill(template, {3: row(metrics="参与人数=60")})
    assert cli("--root", workspace, "import", template).code == 0
    fill(template, {3: row(metrics="参与人数=65"), 4: row(text="同一天的另一项")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 1 and "有 1 行" in result.err and "参与人数=60 → 参与人数=65" in result.err
    assert cli("--root", workspace, "import", "--replace", template).code == 0
    assert len([x for x in ledger_lines(workspace) if x["kind"] == "void"]) == 1


def test_a_changed_template_id_is_refused_by_its_cell(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row()})
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["B8"] = "改过 的"
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1 and f"{template}!_meta!B8: 模板编号 '改过 的' 无效" in result.err
    assert snapshot(workspace) == {}


# ------------------------------------------------------------------ 3. hidden rows


def test_hidden_rows_are_named_and_not_imported(workspace: Path, template: Path, cli) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    for r, values in {3: GOOD_ROW, 4: row(text="被筛选隐藏的行"), 6: row(day="2022-09-23", text="隐藏的空行以外")}.items():
        for column, value in enumerate(values, start=1):
            ws.cell(row=r, column=column, value=value)
    ws.row_dimensions[4].hidden = True
    ws.row_dimensions[5].hidden = True  # hidden and empty: nothing to say
    wb.save(template)
    assert b'hidden="1"' in zipfile.ZipFile(template).read(FORM_XML)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert f"注意：{template}!填报!第4行（隐藏）: 隐藏的行未导入" in result.err
    assert f"注意：{template}!第3行（2022-09-21）、{template}!第6行（2022-09-23）: 日期不在模板的填报时段" in result.err
    assert "第5行" not in result.err
    assert "读取 2 行，新增 2 条" in result.out
    assert "被筛选隐藏的行" not in {e["text"] for e in history(cli, workspace)}


# ------------------------------------------------------------------ 4. East-Asian built-in date formats


@pytest.mark.parametrize(("fmt_id", "date1904"), [(31, False), (27, False), (57, False), (31, True)])
def test_builtin_chinese_date_formats_are_dates(workspace: Path, template: Path, cli, fmt_id: int, date1904: bool) -> None:
    wb = openpyxl.load_workbook(template)
    if date1904:
        from openpyxl.utils.datetime import CALENDAR_MAC_1904

        wb.epoch = CALENDAR_MAC_1904
    for column, value in enumerate(row(day=dt.date(2022, 9, 21)), start=1):
        wb["填报"].cell(row=3, column=column, value=value)
    wb.save(template)

    def builtin(data: bytes) -> bytes:  # yyyy"年"m"月"d"日" as WPS writes it: an id, no <numFmt>
        data = re.sub(rb"<numFmts.*?</numFmts>", b"", data)
        return data.replace(b'numFmtId="164"', b'numFmtId="%d"' % fmt_id)

    edit_zip(template, {"xl/styles.xml": builtin})
    styles = zipfile.ZipFile(template).read("xl/styles.xml")
    assert b"<numFmt " not in styles and b'numFmtId="%d"' % fmt_id in styles
    assert isinstance(openpyxl.load_workbook(template)["填报"]["A3"].value, int | float)  # the quirk: a serial number
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert [e["date"] for e in history(cli, workspace)] == ["2022-09-21"]


# ------------------------------------------------------------------ 5. _x000D_


def test_excel_escapes_are_decoded_before_anything_is_stored(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(text="MARKER_TEXT", by="MARKER_BY")})
    edit_zip(template, {"*": lambda d: d.replace(b"MARKER_TEXT", b"\xe7\xac\xac\xe4\xb8\x80\xe6\xae\xb5_x000D_\n\xe7\xac\xac\xe4\xba\x8c\xe6\xae\xb5")
                             .replace(b"MARKER_BY", b"\xe5\xbc\xa0_x005F_\xe4\xb8\x89")})
    assert b"_x000D_" in b"".join(zipfile.ZipFile(template).read(n) for n in zipfile.ZipFile(template).namelist())
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    [entry] = history(cli, workspace)
    assert entry["text"] == "第一段\n第二段"
    assert entry["by"] == "张_三"  # _x005F_ is the escaped underscore
    assert "_x" not in (workspace / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8")


# ------------------------------------------------------------------ 6. merged cells


def test_a_merged_date_applies_to_every_row_it_covers(workspace: Path, template: Path, cli) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    ws["A4"] = dt.date(2022, 9, 22)
    ws.merge_cells("A4:A6")
    for r, text in ((4, "上午"), (5, "中午"), (6, "下午")):
        ws.cell(row=r, column=2, value="1")
        ws.cell(row=r, column=4, value=text)
    ws["H4"] = "张三"
    ws.merge_cells("H4:H6")
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    got = sorted((e["date"], e["text"], e["by"]) for e in history(cli, workspace))
    assert got == [("2022-09-22", "上午", "张三"), ("2022-09-22", "下午", "张三"), ("2022-09-22", "中午", "张三")]


def test_a_bad_merged_value_and_a_merged_text_are_named_as_merges(workspace: Path, template: Path, cli) -> None:
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    ws["A4"] = "2022/13/45"
    ws.merge_cells("A4:A5")
    ws["D7"] = "同一段话"
    ws.merge_cells("D7:D8")
    for r in (4, 5, 7, 8):
        ws.cell(row=r, column=2, value="1")
    ws["A7"], ws["A8"] = "2022-09-21", "2022-09-22"
    wb.save(template)
    before = snapshot(workspace)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert f"{template}!A5: 日期 '2022/13/45' 无效" in result.err and "（合并单元格 A4:A5）" in result.err
    assert f"{template}!D7: D7:D8 是跨 2 行的合并单元格：进展情况不能跨行合并" in result.err
    assert snapshot(workspace) == before


# ------------------------------------------------------------------ 7. Strict Open XML

STRICT = {
    b"http://schemas.openxmlformats.org/spreadsheetml/2006/main": b"http://purl.oclc.org/ooxml/spreadsheetml/main",
    b"http://schemas.openxmlformats.org/officeDocument/2006/relationships": b"http://purl.oclc.org/ooxml/officeDocument/relationships",
}


def test_strict_open_xml_is_read_without_a_library_warning(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: GOOD_ROW})

    def strict(data: bytes) -> bytes:
        for old, new in STRICT.items():
            data = data.replace(old, new)
        return data.replace(b"<workbook ", b'<workbook conformance="strict" ', 1)

    edit_zip(template, {"*": strict})
    assert b"purl.oclc.org" in zipfile.ZipFile(template).read("xl/workbook.xml")
    with pytest.warns(UserWarning):  # what openpyxl does with it
        assert openpyxl.load_workbook(template).sheetnames == []
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "Warning" not in result.err + result.out and "site-packages" not in result.err
    assert "（市委宣传部）：读取 1 行，新增 1 条" in result.out
    assert [e["metrics"] for e in history(cli, workspace)] == [{"场次": 3, "参与人数": 120}]


# ------------------------------------------------------------------ 8. .xls, .et, encrypted


def write_xls(path: Path, rows: dict[int, list], *, unit: str | None = "xcb", hidden_rows: tuple[int, ...] = (),
              merges: tuple[tuple[int, int, int, int, object], ...] = (), extra_sheet: int | None = None) -> Path:
    """An .xls as Excel 97–2003 / WPS 兼容模式 writes it: 填报 with the header on row 2, _meta hidden."""
    import xlwt

    wb = xlwt.Workbook(encoding="utf-8")
    ws = wb.add_sheet("填报")
    ws.write(0, 0, "市委宣传部 · 双争活动进展填报（2022-W39）")
    for c, name in enumerate(["日期", "活动", "自评颜色", "进展情况", "存在问题", "下步打算", "数据", "填报人"]):
        ws.write(1, c, name)
    cn_date = xlwt.easyxf(num_format_str='yyyy"年"m"月"d"日"')
    for r, values in rows.items():
        for c, value in enumerate(values):
            if value is not None:
                ws.write(r - 1, c, value, cn_date if isinstance(value, dt.date) else xlwt.Style.default_style)
    for r1, r2, c1, c2, value in merges:
        ws.write_merge(r1 - 1, r2 - 1, c1 - 1, c2 - 1, value, cn_date if isinstance(value, dt.date) else xlwt.Style.default_style)
    for r in hidden_rows:
        ws.row(r - 1).hidden = True
    if unit is not None:
        meta = wb.add_sheet("_meta")
        meta.write(0, 0, "kind")
        meta.write(0, 1, "shuangzheng-template")
        meta.write(1, 0, "unit")
        meta.write(1, 1, unit)
        meta.visibility = 1
    if extra_sheet is not None:
        other = wb.add_sheet("附表")
        other.write(0, 0, "藏着的内容")
        other.visibility = extra_sheet
    wb.save(str(path))
    return path


def test_xls_is_imported_like_xlsx(workspace: Path, cli) -> None:
    path = write_xls(workspace / "发回.xls", {
        3: [dt.date(2022, 9, 21), "1.理论学习宣讲", "绿", "举办理论宣讲 3 场", None, None, "场次=3；参与人数=1,200", "张三"],
        4: [dt.date(2022, 9, 22), 8.0, None, "被隐藏的行", None, None, None, "李四"],
        6: [None, 2.0, None, "合并日期的第一行", None, None, None, "王五"],
        7: [None, 2.0, None, "合并日期的第二行", None, None, None, "王五"],
    }, hidden_rows=(4,), merges=((6, 7, 1, 1, dt.date(2022, 9, 23)),), extra_sheet=2)
    assert path.read_bytes()[:4] == b"\xd0\xcf\x11\xe0"
    result = cli("--root", workspace, "import", path)
    assert result.code == 0, result.err
    assert f"{path}（市委宣传部）：读取 3 行，新增 3 条" in result.out
    assert f"{path}!填报!第4行（隐藏）" in result.err
    assert f"{path}!附表: 深度隐藏（veryHidden）的工作表有 1 行内容，未读取" in result.err
    got = sorted((e["date"], e["activity"], e["text"], e["metrics"]) for e in history(cli, workspace))
    assert got == [
        ("2022-09-21", 1, "举办理论宣讲 3 场", {"场次": 3, "参与人数": 1200}),
        ("2022-09-23", 2, "合并日期的第一行", {}),
        ("2022-09-23", 2, "合并日期的第二行", {}),
    ]


def test_xls_bad_cells_are_named_the_same_way(workspace: Path, cli) -> None:
    path = write_xls(workspace / "发回.xls", {3: ["2022/13/45", "99", None, "x", None, None, None, None]})
    result = cli("--root", workspace, "import", path)
    assert result.code == 1
    assert f"{path}!A3: 日期 '2022/13/45' 无效" in result.err and f"{path}!B3: 未知活动 '99'" in result.err
    assert snapshot(workspace) == {}


def test_et_and_encrypted_workbooks_are_refused_clearly(workspace: Path, cli) -> None:
    et = workspace / "发回.et"
    write_xls(et, {3: row()})
    result = cli("--root", workspace, "import", et)
    assert result.code == 1 and "WPS 表格专用的 .et 格式" in result.err and "另存为" in result.err
    # an OLE container without a BIFF workbook stream: what an encrypted .xlsx is
    locked = write_xls(workspace / "加密.xlsx", {3: row()})
    data = locked.read_bytes()
    name = "Workbook".encode("utf-16-le")
    assert name in data
    locked.write_bytes(data.replace(name, "Xorkbook".encode("utf-16-le")))
    result = cli("--root", workspace, "import", locked)
    assert result.code == 1 and "不是可读取的 .xls 工作簿（可能是加密的 .xlsx" in result.err
    assert "Traceback" not in result.err
    assert snapshot(workspace) == {}


# ------------------------------------------------------------------ 9. numbers as offices type them


def test_numbers_as_offices_type_them(workspace: Path, template: Path, cli) -> None:
    fill(template, {
        3: row(text="甲", metrics="参与人数=1,200；场次=3场"),
        4: row(text="乙", metrics="参与人数=1，200，场次＝２"),
        5: row(text="丙", metrics="参与人数=1 200\n覆盖人次=３４５６;场次=1"),
    })
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    got = {e["text"]: e["metrics"] for e in history(cli, workspace)}
    assert got == {
        "甲": {"参与人数": 1200, "场次": 3},
        "乙": {"参与人数": 1200, "场次": 2},
        "丙": {"参与人数": 1200, "覆盖人次": 3456, "场次": 1},
    }


def test_an_ambiguous_number_quotes_the_whole_cell(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(metrics="参与人数=1,20；场次=3")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert f"{template}!G3: “参与人数=1,20；场次=3”中：数据 '参与人数=1,20' 格式不对" in result.err
    assert snapshot(workspace) == {}


def test_add_reads_metric_lists_the_same_way(workspace: Path, cli) -> None:
    args = ["--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "宣讲", "--date", "2022-09-21"]
    assert cli(*args, "-m", "参与人数=1,200，场次=3场", "-m", "覆盖=１２").code == 0
    assert cli(*args, "-m", "场次=1\n人数=2").code == 0
    assert sorted(json.dumps(e["metrics"], ensure_ascii=False, sort_keys=True) for e in history(cli, workspace)) == [
        '{"人数": 2, "场次": 1}', '{"参与人数": 1200, "场次": 3, "覆盖": 12}',
    ]


# ------------------------------------------------------------------ 10. styled empty rows to row 1,048,576


def test_styled_empty_rows_to_the_last_row_are_skipped(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: GOOD_ROW, 40: row(day="2022-09-22", text="第40行")})

    def styled(data: bytes) -> bytes:
        data = re.sub(rb'<dimension ref="[^"]*"\s*/>', b'<dimension ref="A1:H1048576"/>', data)
        rows = b"".join(b'<row r="%d" s="9" customFormat="1"><c r="A%d" s="9"/></row>' % (n, n) for n in range(303, 1048577))
        return data.replace(b"</sheetData>", rows + b'<row r="1048576" hidden="1"/></sheetData>')

    edit_zip(template, {FORM_XML: styled})
    with zipfile.ZipFile(template) as zf:
        assert zf.getinfo(FORM_XML).file_size > 40_000_000
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "读取 2 行，新增 2 条" in result.out


def test_too_many_rows_are_refused_before_they_are_read(workspace: Path, template: Path, cli) -> None:
    """Issue 16 item 4: the template has 300 rows; a workbook of thousands of filled rows is refused."""
    wb = openpyxl.load_workbook(template)
    ws = wb["填报"]
    for r in range(3, 3 + 5001):
        ws.cell(row=r, column=1, value="2022-09-21")
        ws.cell(row=r, column=4, value="x")
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert "有内容的行超过 5000 行（报送模板只有 300 行）" in result.err
    assert snapshot(workspace) == {}


@pytest.mark.parametrize(
    ("change", "reason"),
    [
        (lambda d: d.replace(b"?>", b'?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>', 1)
         if d.startswith(b"<?xml") else b'<!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;">]>' + d,
         "含有 DTD 或实体声明"),
        (lambda d: d[: len(d) // 2], "不是完好的 XML"),
        (lambda d: d.replace(b"<sheetData>", b"<sheetData><row r=\"3\"><c r=\"A3\"><v>1</c></row>", 1), "不是完好的 XML"),
    ],
    ids=["entity-expansion", "truncated", "mismatched-tag"],
)
def test_malformed_sheet_xml_is_a_chinese_message(workspace: Path, template: Path, cli, change, reason: str) -> None:
    fill(template, {3: GOOD_ROW})
    edit_zip(template, {FORM_XML: change})
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert f"{template} 的 {FORM_XML} {reason}" in result.err
    assert "Traceback" not in result.err and "ParseError" not in result.err
    assert snapshot(workspace) == {}


# ------------------------------------------------------------------ 11. the unit in the workbook; the period


def test_a_visible_unit_that_disagrees_is_refused_unless_confirmed(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row()}, extra={"A1": "市委组织部 · 双争活动进展填报（2022-W39）"})
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert "表内显示的单位是 市委组织部（填报!A1），但模板是为 市委宣传部（xcb）生成的" in result.err
    assert "--unit zzb" in result.err and "--unit xcb" in result.err
    assert snapshot(workspace) == {}
    result = cli("--root", workspace, "import", "--unit", "宣传部", template)
    assert result.code == 0, result.err
    assert [e["unit"] for e in history(cli, workspace)] == ["xcb"]


def test_meta_and_defined_name_must_agree(workspace: Path, template: Path, cli) -> None:
    """Issue 16 item 5: the unit in _meta and in the defined name are the same, or the import is refused."""
    wb = openpyxl.load_workbook(template)
    wb["_meta"]["B2"] = "zzb"
    for column, value in enumerate(row(), start=1):
        wb["填报"].cell(row=3, column=column, value=value)
    wb.save(template)
    for args in ([], ["--unit", "xcb"]):
        result = cli("--root", workspace, "import", *args, template)
        assert result.code == 1
        assert "定义名称 shuangzheng_unit 记录的单位 'xcb' 与隐藏表 _meta 记录的 'zzb' 不一致" in result.err
    assert snapshot(workspace) == {}


def test_a_row_outside_the_period_is_imported_with_a_warning(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(day="2022-09-27"), 4: row(day="2022-10-08", text="下一周的事")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert f"注意：{template}!第4行（2022-10-08）: 日期不在模板的填报时段 2022-W39（2022-09-26 至 2022-10-02）内，已照常读取" in result.err
    assert "第3行" not in result.err
    assert "新增 2 条" in result.out


def test_many_rows_outside_the_period_make_one_short_notice(workspace: Path, template: Path, cli) -> None:
    fill(template, {r: row(day=f"2022-10-{r:02d}", text=f"第{r}行") for r in range(3, 13)})
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    t = str(template)
    assert f"注意：{t}!第3行（2022-10-03）、{t}!第4行（2022-10-04）、{t}!第5行（2022-10-05） 等 10 行: 日期不在模板的填报时段" in result.err
    assert len(result.err.splitlines()) == 1


# ------------------------------------------------------------------ what an imported line stamps


def test_an_imported_line_is_derived_from_the_workbook_not_the_clock(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(by=None), 4: row(text="有填报人", by="张三")})
    saved = dt.datetime(2022, 9, 30, 1, 2, 3, tzinfo=dt.UTC)  # when the liaison saved it (UTC in core.xml)

    def modified(data: bytes) -> bytes:
        return re.sub(rb"(<dcterms:modified[^>]*>)[^<]*", rb"\g<1>2022-09-30T01:02:03Z", data)

    edit_zip(template, {"docProps/core.xml": modified})
    assert cli("--root", workspace, "import", template).code == 0
    lines = [json.loads(x) for x in (workspace / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()]
    got = sorted((e["text"], e["by"], e["at"]) for e in lines)
    assert got == [("宣讲一场", "市委宣传部联络员", "2022-09-30T09:02:03+08:00"), ("有填报人", "张三", "2022-09-30T09:02:03+08:00")]
    assert saved.astimezone(dt.timezone(dt.timedelta(hours=8))).isoformat() == "2022-09-30T09:02:03+08:00"


# ------------------------------------------------------------------ 12. templates in liaisons' hands; other programs

FIXTURES = Path(__file__).parent / "fixtures" / "import"


def test_a_template_made_before_this_change_imports_as_before(workspace: Path, cli, tmp_path: Path) -> None:
    """Made, filled and imported by the code of commit 0b72754 (the fixture keeps both the
    filled workbook and the ledger lines that import wrote): the same rows are recognized."""
    book = tmp_path / "旧模板.xlsx"
    book.write_bytes((FIXTURES / "报送模板-0b72754-已填.xlsx").read_bytes())
    before = (FIXTURES / "报送模板-0b72754-导入结果.jsonl").read_text(encoding="utf-8")
    old_ids = [json.loads(x)["id"] for x in before.splitlines()]
    result = cli("--root", workspace, "import", "--dry-run", book)
    assert result.code == 0, result.err
    assert "读取 3 行，可新增 3 条，已存在 0 条" in result.out
    (workspace / "ledgers/2022").mkdir(parents=True, exist_ok=True)
    (workspace / "ledgers/2022/xcb.jsonl").write_text(before, encoding="utf-8")
    result = cli("--root", workspace, "import", book)
    assert result.code == 0, result.err
    assert "读取 3 行，新增 0 条，已存在 3 条" in result.out
    assert [e["id"] for e in history(cli, workspace)] == old_ids


@pytest.mark.parametrize("name", ["libreoffice另存-已填.xlsx", "libreoffice另存-已填.xls"])
def test_a_template_saved_again_by_libreoffice_imports(workspace: Path, cli, tmp_path: Path, name: str) -> None:
    """A filled template re-saved by LibreOffice 7 (`soffice --convert-to xlsx` / `xls`): another writer."""
    book = tmp_path / name
    book.write_bytes((FIXTURES / name).read_bytes())
    result = cli("--root", workspace, "import", book)
    assert result.code == 0, result.err
    assert "（市委宣传部）：读取 3 行，新增 3 条" in result.out
    got = [(e["date"], e["activity"], e["text"], e["metrics"], e["by"]) for e in history(cli, workspace)]
    assert got == [
        ("2022-09-26", 1, "举办理论宣讲 3 场\n覆盖三个社区", {"场次": 3, "参与人数": 1200}, "张三"),
        ("2022-09-27", 8, "立德树人主题班会", {"参与人数": 45}, "市委宣传部联络员"),
        ("2022-09-28", 11, "文明健康宣传进社区", {"场次": 2}, "李四"),
    ]


# ------------------------------------------------------------------ 13. the template agrees with itself


def test_instructions_and_validations_agree(template: Path, catalog) -> None:
    wb = openpyxl.load_workbook(template)
    help_text = "\n".join(str(c.value) for r in wb["说明"].iter_rows() for c in r if c.value)
    start = catalog.phases[0].start
    assert f"不得早于活动开始日 {start.isoformat()}" in help_text
    assert "也可只写编号" in help_text
    dvs = {str(dv.sqref): dv for dv in wb["填报"].data_validations.dataValidation}
    assert dvs["A3:A302"].formula1 == f"DATE({start.year},{start.month},{start.day})"
    assert dvs["B3:B302"].errorStyle != "stop"  # a typed 4 is kept, as 说明 says
    assert wb["填报"].print_area == "'填报'!$A$1:$H$302"  # the fill-in rows print with their grid


def test_a_number_typed_in_the_activity_column_imports(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: row(activity=8), 4: row(activity="１１", text="全角编号")})
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert sorted(e["activity"] for e in history(cli, workspace)) == [8, 11]
