"""The liaison's template and its import: real workbooks written and read with openpyxl."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest

from shuangzheng_cli.cli import main

XCB_ACTIVITIES = '"1.理论学习宣讲,2.我为霸州添光彩,3.见证新霸州,8.立德树人,11.文明健康,12.争当文明市民,13.讲述市民故事,14.身边的榜样"'


def snapshot(root: Path) -> dict[str, bytes]:
    """Every ledger file's bytes (to show nothing was written)."""
    return {str(p.relative_to(root)): p.read_bytes() for p in sorted((root / "ledgers").rglob("*.jsonl"))}


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A workspace (made by `init`) holding the template of 市委宣传部 for 2022-W39; tests copy it."""
    root = tmp_path_factory.mktemp("tpl") / "ws"
    mp = pytest.MonkeyPatch()
    mp.setenv("SHUANGZHENG_TODAY", "2022-11-30")
    try:
        assert main(["init", str(root)]) == 0
        args = ["--root", str(root), "template", "--unit", "宣传部", "--period", "2022-W39"]
        assert main([*args, "-o", str(root / "报送模板.xlsx")]) == 0
    finally:
        mp.undo()
    return root


@pytest.fixture
def workspace(pristine: Path, tmp_path: Path) -> Path:
    """A fresh copy of the pristine workspace (faster than running `init` for every test)."""
    root = tmp_path / "ws"
    shutil.copytree(pristine, root, symlinks=True)
    return root


@pytest.fixture
def template(workspace: Path) -> Path:
    return workspace / "报送模板.xlsx"


def test_template_command_output(tmp_path: Path, cli) -> None:
    path = tmp_path / "t.xlsx"
    result = cli("template", "--unit", "宣传部", "--period", "2022-W39", "-o", path)
    assert result.code == 0, result.err
    assert result.out.strip() == f"已生成 {path}：市委宣传部（xcb），2022-W39，可选活动 1、2、3、8、11、12、13、14"


def fill(path: Path, rows: dict[int, list], extra: dict[str, object] | None = None) -> Path:
    """Write rows (row number → values A..H) into the 填报 sheet, as a liaison would in Excel."""
    wb = openpyxl.load_workbook(path)
    ws = wb["填报"]
    for row, values in rows.items():
        for column, value in enumerate(values, start=1):
            ws.cell(row=row, column=column, value=value)
    for coordinate, value in (extra or {}).items():
        ws[coordinate] = value
    wb.save(path)
    return path


GOOD_ROW = [dt.date(2022, 9, 21), "1.理论学习宣讲", "绿", "举办理论宣讲 3 场", None, None, "场次=3；参与人数=120", "张三"]


# ------------------------------------------------------------------ template


def test_template_sheets_unit_and_validations(template: Path) -> None:
    wb = openpyxl.load_workbook(template)
    assert wb.sheetnames == ["说明", "填报", "_meta"]
    assert wb.active.title == "填报"
    assert wb["_meta"].sheet_state == "hidden"
    assert wb.defined_names["shuangzheng_unit"].attr_text == '"xcb"'
    meta = {r[0]: r[1] for r in wb["_meta"].iter_rows(min_row=1, max_row=7, values_only=True)}
    assert meta["unit"] == "xcb"
    assert meta["unit_name"] == "市委宣传部"
    assert meta["period"] == "2022-W39"
    assert meta["version"] == "0.1.0"

    ws = wb["填报"]
    assert [c.value for c in ws[2]] == ["日期", "活动", "自评颜色", "进展情况", "存在问题", "下步打算", "数据", "填报人"]
    assert ws.freeze_panes == "A3"
    assert ws["A302"].border.left.style == "thin"  # 300 formatted rows
    assert ws["A302"].number_format == "yyyy-mm-dd"
    dvs = {str(dv.sqref): dv for dv in ws.data_validations.dataValidation}
    assert dvs["B3:B302"].formula1 == XCB_ACTIVITIES
    assert dvs["C3:C302"].formula1 == '"绿,蓝,黄,红"'
    for key in ("B3:B302", "C3:C302"):
        assert dvs[key].type == "list"
        assert dvs[key].showErrorMessage is True
        assert not dvs[key].showDropDown  # True would hide the arrow
        assert dvs[key].error and dvs[key].errorTitle
    assert dvs["C3:C302"].errorStyle == "stop"
    # 说明 allows the activity's number alone: the activity list informs, it does not refuse
    assert dvs["B3:B302"].errorStyle == "information" and "只写活动编号" in dvs["B3:B302"].error
    help_text = "\n".join(str(c.value) for row in wb["说明"].iter_rows() for c in row if c.value)
    assert "市委宣传部" in help_text and "进展情况（必填）" in help_text and "场次=3；参与人数=120" in help_text


def test_template_refuses_existing_file_and_member_group(workspace: Path, template: Path, cli) -> None:
    before = template.read_bytes()
    result = cli("--root", workspace, "template", "--unit", "xcb", "--period", "2022-W39", "-o", template)
    assert result.code == 1
    assert "已存在" in result.err and "--force" in result.err
    assert template.read_bytes() == before
    result = cli("--root", workspace, "template", "--unit", "各乡镇", "-o", workspace / "x.xlsx")
    assert result.code == 2 and "单位组" in result.err
    assert not (workspace / "x.xlsx").exists()


def test_openpyxl_not_imported_at_startup() -> None:
    code = "import sys, shuangzheng_cli.cli; print('openpyxl' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


# ------------------------------------------------------------------ round trip


def filled_template(template: Path) -> Path:
    return fill(
        template,
        {
            3: GOOD_ROW,
            # row 4, 5: blank
            6: ["2022/9/26", 8, "蓝", "  立德树人主题班会\r\n两场  ", "参与面不广", "扩大覆盖", "参与人数=45", None],
            7: [None] * 8,
            9: ["2022年10月8日", "11", None, "文明健康宣传进社区", None, "下周继续", "场次=２", "李四"],
            10: ["2022.10.9", "身边的榜样", "黄", "评选身边好人", "进度偏慢", None, None, "王五"],
        },
        extra={"I2": "备注", "I3": "内部备注，不导入", "I5": "只有备注的行不算"},
    )


def test_round_trip(workspace: Path, template: Path, cli) -> None:
    filled_template(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert f"{template}（市委宣传部）：读取 4 行，新增 4 条，已存在 0 条" in result.out

    history = json.loads(cli("--root", workspace, "history", "--format", "json").out)
    got = [{k: r[k] for k in ("kind", "date", "unit", "activity", "by", "color", "text", "problems", "next", "metrics")} for r in history]
    assert got == [
        {"kind": "progress", "date": "2022-09-21", "unit": "xcb", "activity": 1, "by": "张三", "color": "green",
         "text": "举办理论宣讲 3 场", "problems": "", "next": "", "metrics": {"场次": 3, "参与人数": 120}},
        {"kind": "progress", "date": "2022-09-26", "unit": "xcb", "activity": 8, "by": "市委宣传部联络员", "color": "blue",
         "text": "立德树人主题班会\n两场", "problems": "参与面不广", "next": "扩大覆盖", "metrics": {"参与人数": 45}},
        {"kind": "progress", "date": "2022-10-08", "unit": "xcb", "activity": 11, "by": "李四", "color": None,
         "text": "文明健康宣传进社区", "problems": "", "next": "下周继续", "metrics": {"场次": 2}},
        {"kind": "progress", "date": "2022-10-09", "unit": "xcb", "activity": 14, "by": "王五", "color": "yellow",
         "text": "评选身边好人", "problems": "进度偏慢", "next": "", "metrics": {}},
    ]
    assert len({r["id"] for r in history}) == 4

    before = snapshot(workspace)
    again = cli("--root", workspace, "import", template)
    assert again.code == 0, again.err
    assert "读取 4 行，新增 0 条，已存在 4 条" in again.out
    assert snapshot(workspace) == before


def test_by_option_names_every_row(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: GOOD_ROW})
    assert cli("--root", workspace, "import", "--by", "办公室小王", template).code == 0
    history = json.loads(cli("--root", workspace, "history", "--format", "json").out)
    assert [r["by"] for r in history] == ["办公室小王"]


def test_dry_run_counts_and_writes_nothing(workspace: Path, template: Path, cli) -> None:
    filled_template(template)
    before = snapshot(workspace)
    result = cli("--root", workspace, "import", "--dry-run", template)
    assert result.code == 0, result.err
    assert "读取 4 行，可新增 4 条，已存在 0 条" in result.out
    assert "未写入" in result.out
    assert snapshot(workspace) == before


def test_rows_beyond_a_lying_dimension_are_read(workspace: Path, template: Path, cli) -> None:
    """Read-only mode trusts <dimension>: a file that says A1:H3 still has its row 40 read."""
    fill(template, {3: GOOD_ROW, 40: ["2022-09-22", "2", None, "第二行在很后面", None, None, None, "张三"]})
    patched = template.with_name("lying.xlsx")
    with zipfile.ZipFile(template) as src, zipfile.ZipFile(patched, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            data = src.read(info.filename)
            if info.filename == "xl/worksheets/sheet2.xml":
                assert b'<dimension ref="A1:I302"/>' in data or b"<dimension ref=" in data
                start = data.index(b"<dimension ref=")
                end = data.index(b"/>", start) + 2
                data = data[:start] + b'<dimension ref="A1:H3"/>' + data[end:]
            dst.writestr(info, data)
    result = cli("--root", workspace, "import", patched)
    assert result.code == 0, result.err
    assert "读取 2 行，新增 2 条" in result.out


# ------------------------------------------------------------------ bad cells: one test per kind

BAD_CELLS = [
    ("unknown activity", {2: "99"}, "B7", "未知活动 '99'"),
    ("activity not assigned", {2: "4.共建文明城市"}, "B7", "不是 市委宣传部 的责任任务"),
    ("activity text unknown", {2: "植树造林"}, "B7", "未知活动"),
    ("number and name disagree", {2: "1.身边的榜样"}, "B7", "编号与名称不符"),
    ("bad date", {1: "2022/13/45"}, "A7", "日期 '2022/13/45' 无效"),
    ("date before the campaign", {1: dt.date(2022, 8, 31)}, "A7", "早于活动开始（2022-09-01）"),
    ("date after today", {1: dt.date(2022, 12, 1)}, "A7", "在今天（2022-11-30）之后"),
    ("empty date", {1: None}, "A7", "日期不能为空"),
    ("bad color", {3: "紫"}, "C7", "颜色 '紫' 无效"),
    ("empty progress", {4: "   "}, "D7", "进展情况不能为空"),
    ("formula", {4: "=A3&\"x\""}, "D7", "单元格含公式"),
    ("bad metric", {7: "场次三"}, "G7", "格式不对"),
]


@pytest.mark.parametrize(("kind", "change", "cell", "reason"), BAD_CELLS, ids=[c[0] for c in BAD_CELLS])
def test_each_bad_cell_is_named_and_nothing_is_written(
    workspace: Path, template: Path, cli, kind: str, change: dict[int, object], cell: str, reason: str
) -> None:
    row = ["2022-09-23", "2", None, "第七行", None, None, None, "张三"]
    for column, value in change.items():
        row[column - 1] = value
    fill(template, {3: GOOD_ROW, 7: row})
    before = snapshot(workspace)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    assert f"{template}!{cell}: " in result.err
    assert reason in result.err
    assert "未导入任何记录" in result.err
    assert f"{template}!A3" not in result.err and f"{template}!B3" not in result.err  # the good row is fine
    assert snapshot(workspace) == before


def test_every_bad_cell_is_listed_in_order(workspace: Path, template: Path, cli) -> None:
    fill(template, {
        3: GOOD_ROW,
        7: ["2022/2/30", "99", "紫", None, None, None, None, None],
        12: ["2022-09-23", "1", None, "好", None, None, "x", None],
    })
    result = cli("--root", workspace, "import", template)
    assert result.code == 1
    lines = [line.split(": ")[0] for line in result.err.splitlines() if "!" in line]
    t = str(template)
    assert lines == [f"{t}!A7", f"{t}!B7", f"{t}!C7", f"{t}!D7", f"{t}!G12"]
    assert "发现 5 处问题" in result.err


# ------------------------------------------------------------------ files that are not what they claim


def test_zip_bomb_is_refused(workspace: Path, cli) -> None:
    bomb = workspace / "bomb.xlsx"
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", "<Types/>")
        zf.writestr("xl/workbook.xml", "<workbook/>")
        zf.writestr("xl/worksheets/sheet1.xml", b"\0" * (40 * 1024 * 1024))  # 40 MB of zeros, ~40 KB packed
    assert bomb.stat().st_size < 200 * 1024
    before = snapshot(workspace)
    result = cli("--root", workspace, "import", "--unit", "xcb", bomb)
    assert result.code == 1
    assert "压缩比" in result.err and "压缩炸弹" in result.err and "xl/worksheets/sheet1.xml" in result.err
    assert snapshot(workspace) == before


def test_unzipped_size_and_file_size_limits(workspace: Path, template: Path, cli, monkeypatch) -> None:
    from shuangzheng_cli.importing import book as excel_import

    fill(template, {3: GOOD_ROW})
    monkeypatch.setattr(excel_import, "MAX_UNZIPPED_BYTES", 10_000)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1 and "解压后" in result.err and "压缩炸弹" in result.err
    monkeypatch.setattr(excel_import, "MAX_FILE_BYTES", 1000)
    result = cli("--root", workspace, "import", template)
    assert result.code == 1 and "太大" in result.err
    assert snapshot(workspace) == {}


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 100, "无法作为 .xls 工作簿打开（文件损坏"),
        ("日期,活动\n2022-09-21,1\n".encode(), "不是 Excel 工作簿（既不是 .xlsx 也不是 .xls）"),
    ],
    ids=["xls", "csv"],
)
def test_not_an_xlsx(workspace: Path, cli, content: bytes, reason: str) -> None:
    path = workspace / "发回.xlsx"
    path.write_bytes(content)
    result = cli("--root", workspace, "import", path)
    assert result.code == 1
    assert reason in result.err and str(path) in result.err


def test_workbook_without_unit_needs_unit_option(workspace: Path, cli) -> None:
    path = workspace / "自制表.xlsx"
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    ws.append(["序号", "日期", "活动", "进展情况（必填）", "颜色"])  # other order, other columns
    ws.append([1, dt.datetime(2022, 9, 21, 9, 30), 1.0, "宣讲一场", "绿色"])
    wb.save(path)
    result = cli("--root", workspace, "import", path)
    assert result.code == 2 and "--unit" in result.err and "找不到填报单位" in result.err
    assert snapshot(workspace) == {}
    result = cli("--root", workspace, "import", "--unit", "市委宣传部", path)
    assert result.code == 0, result.err
    history = json.loads(cli("--root", workspace, "history", "--format", "json").out)
    assert [(r["date"], r["activity"], r["color"], r["text"]) for r in history] == [("2022-09-21", 1, "green", "宣讲一场")]


def test_unit_option_must_agree_with_the_workbook(workspace: Path, template: Path, cli) -> None:
    fill(template, {3: GOOD_ROW})
    result = cli("--root", workspace, "import", "--unit", "zzb", template)
    assert result.code == 2
    assert "市委宣传部（xcb）的模板" in result.err and "市委组织部（zzb）" in result.err
    assert snapshot(workspace) == {}


def test_hidden_sheet_alone_identifies_the_unit(workspace: Path, template: Path, cli) -> None:
    """WPS and others may drop a defined name: the hidden _meta sheet still says whose it is."""
    wb = openpyxl.load_workbook(template)
    del wb.defined_names["shuangzheng_unit"]
    wb["填报"].append([])
    for column, value in enumerate(GOOD_ROW, start=1):
        wb["填报"].cell(row=3, column=column, value=value)
    wb.save(template)
    result = cli("--root", workspace, "import", template)
    assert result.code == 0, result.err
    assert "（市委宣传部）：读取 1 行，新增 1 条" in result.out
