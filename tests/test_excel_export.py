"""The weekly workbook: re-opened with openpyxl and checked sheet by sheet."""

from __future__ import annotations

import datetime as dt
import hashlib
import shutil
from pathlib import Path

import openpyxl
import pytest
from openpyxl.chart import BarChart
from openpyxl.utils import get_column_letter

from shuangzheng_cli.cli import main
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger

# Fills of data/activities.yaml (rules.colors), as openpyxl reports them (ARGB).
FILLS = {"红": "00F4B6B6", "黄": "00FFE699", "蓝": "00BDD7EE", "绿": "00C6E0B4"}
HOSTILE = ['=HYPERLINK("http://x","y")', "+1", "-1", "@SUM(1)", "#N/A"]
LEDGER_HEADERS = ["序号", "类别", "活动", "责任单位", "本期进展", "存在问题", "下步打算", "最近报送", "状态", "原因"]


@pytest.fixture(scope="module")
def pristine(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One workspace with a week of entries (2022-W39), exported once; each test copies it."""
    root = tmp_path_factory.mktemp("export") / "ws"
    mp = pytest.MonkeyPatch()
    mp.setenv("SHUANGZHENG_TODAY", "2022-11-30")
    mp.setenv("SHUANGZHENG_BY", "测试员")
    mp.setenv("NO_COLOR", "1")
    try:
        assert main(["init", str(root)]) == 0
        r = ["--root", str(root)]
        # W39 is 2022-09-26..2022-10-02; W38 ends 2022-09-25.
        assert main([*r, "add", "-u", "xcb", "-a", "1", "-d", "2022-09-27", "-c", "红", "-t", HOSTILE[0],
                     "--problems", HOSTILE[1], "--next=-1", "-m", "场次=3"]) == 0
        assert main([*r, "add", "-u", "xcb", "-a", "2", "-d", "2022-09-28", "-c", "绿", "-t", HOSTILE[3]]) == 0
        assert main([*r, "add", "-u", "zzb", "-a", "1", "-d", "2022-09-29", "-t", HOSTILE[4]]) == 0
        assert main([*r, "add", "-u", "zzb", "-a", "1", "-d", "2022-09-19", "-t", "上周的记录"]) == 0
        # A line written by another clone or by hand: text with a leading tab and a control character.
        Ledger(root).append([Entry(id="tabtext001", kind="progress", date=dt.date(2022, 9, 30), unit="wmb",
                                   activity=4, by="手工", at="2022-09-30T10:00:00+08:00", text="\t制表符开头\x01的内容")])
        assert main([*r, "export", "--week", "2022-W39", "-o", str(root / "w39.xlsx")]) == 0
    finally:
        mp.undo()
    return root


@pytest.fixture
def ws_root(pristine: Path, tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    shutil.copytree(pristine, root, symlinks=True)
    return root


@pytest.fixture(scope="module")
def book(pristine: Path) -> openpyxl.Workbook:
    return openpyxl.load_workbook(pristine / "w39.xlsx")


def rows(ws, first: int) -> list[list]:
    return [list(r) for r in ws.iter_rows(min_row=first, values_only=True)]


def test_sheets_and_properties(book) -> None:
    assert book.sheetnames == ["台账", "挂图", "本期记录", "统计"]
    # W39 ends 2022-10-02, before today (2022-11-30): as-of is the week's last day, not the clock.
    assert book.properties.created == dt.datetime(2022, 10, 2)
    assert book.properties.modified == dt.datetime(2022, 10, 2)


def test_ledger_sheet_layout_and_print(book) -> None:
    ws = book["台账"]
    assert ws["A1"].value == "双争活动周台账（2022-W39：2022-09-26 至 2022-10-02，截至 2022-10-02）"
    assert [c.value for c in ws[3]] == LEDGER_HEADERS
    assert ws.freeze_panes == "A4"
    assert ws.auto_filter.ref == f"A3:J{ws.max_row}"
    assert ws.page_setup.orientation == "landscape"
    assert ws.page_setup.paperSize == 9  # A4
    assert ws.page_setup.fitToWidth == 1 and ws.page_setup.fitToHeight == 0
    assert ws.sheet_properties.pageSetUpPr.fitToPage is True
    assert ws.print_title_rows == "$1:$3"
    assert ws["E4"].alignment.wrap_text is True
    legend = [c.value for c in ws[2]][:6]
    assert legend[0] == "图例" and legend[1].startswith("红：严重滞后/未启动") and legend[5].startswith("未开始")
    # A column of Chinese text is wider than one of digits: widths follow display width.
    widths = {c: ws.column_dimensions[c].width for c in "ABDE"}
    assert widths["A"] < widths["D"] < widths["E"]


def test_ledger_rows_state_fill_and_content(book, catalog) -> None:
    ws = book["台账"]
    data = rows(ws, 4)
    assert len(data) == len(catalog.cells)  # one row per (activity, unit) cell
    by_cell = {(r[2], r[3]): r for r in data}
    xcb1 = by_cell[("1.理论学习宣讲", "市委宣传部（牵头）")]
    assert xcb1[4] == HOSTILE[0] + "（场次=3）"
    assert xcb1[5] == "+1" and xcb1[6] == "-1"
    assert xcb1[7] == dt.datetime(2022, 9, 27)
    assert xcb1[8] == "红"  # self-assessed red
    assert "自评红" in xcb1[9]
    assert by_cell[("2.我为霸州添光彩", "市委宣传部（牵头）")][4] == HOSTILE[3]
    for row in ws.iter_rows(min_row=4):
        state = row[8]
        assert state.value in FILLS or state.value == "未开始"
        assert state.fill.fgColor.rgb == FILLS.get(state.value, "00EDEDED"), state.coordinate
    assert {r[8] for r in data} >= {"红", "绿"}


def test_hostile_text_is_stored_as_text(book) -> None:
    found = {}
    for ws in book.worksheets:
        for row in ws.iter_rows():
            for cell in row:
                if isinstance(cell.value, str) and (cell.value in HOSTILE or cell.value.startswith(HOSTILE[0])):
                    found.setdefault(cell.value, []).append(cell)
                assert cell.data_type != "f", f"{ws.title}!{cell.coordinate} is a formula"
                assert cell.data_type != "e", f"{ws.title}!{cell.coordinate} is an error value"
    for text in HOSTILE:
        assert text in found, text
        for cell in found[text]:
            assert cell.value == text and cell.data_type == "s" and cell.quotePrefix is True
    records = book["本期记录"]
    texts = [r[6] for r in rows(records, 3)]
    assert "\t制表符开头的内容" in texts  # leading tab kept, control character removed
    tab_cell = next(c for c in records["G"] if c.value == "\t制表符开头的内容")
    assert tab_cell.data_type == "s" and tab_cell.quotePrefix is True


def test_map_sheet(book, catalog) -> None:
    ws = book["挂图"]
    assert ws["A3"].value == "类别" and ws["B3"].value == "活动"
    units = [c.value for c in ws[3]][2:]
    assert units[:3] == ["市委宣传部", "市委组织部", "市委党校"]
    assert ws.freeze_panes == "C4"
    activities = [r[1] for r in rows(ws, 4)][:18]
    assert activities[0] == "1.理论学习宣讲" and activities[17] == "18.群众说事"
    column = units.index("市委宣传部") + 3
    red = ws.cell(row=4, column=column)
    assert red.value == "红" and red.fill.fgColor.rgb == FILLS["红"]
    green = ws.cell(row=5, column=column)
    assert green.value == "绿" and green.fill.fgColor.rgb == FILLS["绿"]
    unassigned = ws.cell(row=4 + 3, column=column)  # activity 4 is not 市委宣传部's
    assert unassigned.value is None
    assert ws.page_setup.orientation == "landscape" and ws.print_title_rows == "$1:$3"


def test_records_sheet_has_the_periods_entries_only(book) -> None:
    ws = book["本期记录"]
    assert [c.value for c in ws[2]][:7] == ["编号", "日期", "单位", "活动", "类型", "颜色", "内容"]
    data = rows(ws, 3)
    # Four entries dated 2022-09-26..10-02; the one of 2022-09-19 belongs to W38.
    assert [(r[1].date(), r[2], r[3]) for r in data] == [
        (dt.date(2022, 9, 27), "市委宣传部", "1.理论学习宣讲"),
        (dt.date(2022, 9, 28), "市委宣传部", "2.我为霸州添光彩"),
        (dt.date(2022, 9, 29), "市委组织部", "1.理论学习宣讲"),
        (dt.date(2022, 9, 30), "市文明办", "4.共建文明城市"),
    ]
    assert data[0][5] == "红" and ws["F3"].fill.fgColor.rgb == FILLS["红"]
    assert data[0][9] == "场次=3"
    assert data[3][12] == "手工" and data[3][13] == "2022-09-30T10:00:00+08:00"


def test_stats_sheet_counts_chart_and_changes(book, catalog) -> None:
    ws = book["统计"]
    assert [c.value for c in ws[3]][:7] == ["类别", "红", "黄", "蓝", "绿", "未开始", "合计"]
    assert ws["B3"].fill.fgColor.rgb == FILLS["红"]
    categories = rows(ws, 4)[:6]
    assert [r[0] for r in categories[:5]] == [f"{n}.{catalog.categories[n].name}" for n in range(1, 6)]
    assert categories[5][0] == "合计" and categories[5][6] == len(catalog.cells)
    assert sum(r[6] for r in categories[:5]) == len(catalog.cells)
    charts = ws._charts
    assert len(charts) == 1 and isinstance(charts[0], BarChart)
    assert charts[0].grouping == "stacked" and len(charts[0].series) == 5
    fills = [str(s.graphicalProperties.solidFill.srgbClr) for s in charts[0].series]
    assert fills[:4] == ["F4B6B6", "FFE699", "BDD7EE", "C6E0B4"]
    labels = [c.value for c in ws["A"] if isinstance(c.value, str)]
    heading = next(v for v in labels if v.startswith("三、颜色变化"))
    assert "2022-W38" in heading and "2022-09-25" in heading
    start = next(c.row for c in ws["A"] if c.value == heading) + 2
    changed = [(ws.cell(row=r, column=1).value, ws.cell(row=r, column=2).value, ws.cell(row=r, column=3).value,
                ws.cell(row=r, column=4).value) for r in range(start, ws.max_row + 1) if ws.cell(row=r, column=1).value]
    assert ("1.理论学习宣讲 · 市委宣传部", changed[0][1], "红", "变差") in changed
    worse = [c[3] for c in changed]
    assert worse == sorted(worse, key=lambda w: w != "变差")  # worse first


def test_same_ledger_same_bytes_and_no_overwrite(ws_root: Path, cli) -> None:
    first = ws_root / "w39.xlsx"
    digest = hashlib.sha256(first.read_bytes()).hexdigest()
    refused = cli("--root", ws_root, "export", "--week", "2022-W39", "-o", first)
    assert refused.code == 1 and "已存在" in refused.err and "--force" in refused.err
    again = cli("--root", ws_root, "export", "--week", "2022-W39", "-o", first, "--force")
    assert again.code == 0, again.err
    assert hashlib.sha256(first.read_bytes()).hexdigest() == digest
    assert not [p for p in ws_root.iterdir() if p.name.startswith(".~")]  # no temporary file left


def test_default_name_and_summary(ws_root: Path, cli, monkeypatch) -> None:
    monkeypatch.chdir(ws_root)
    result = cli("export", "--period", "2022-W39")
    assert result.code == 0, result.err
    assert (ws_root / "双争活动台账-2022-W39.xlsx").is_file()
    assert result.out.startswith("已导出 双争活动台账-2022-W39.xlsx（2022-W39，截至 2022-10-02）")
    assert "本期记录 4 条" in result.out


def test_week_and_period_together_is_a_usage_error(ws_root: Path, cli) -> None:
    result = cli("--root", ws_root, "export", "--week", "2022-W39", "--period", "2022-09")
    assert result.code == 2 and "--week" in result.err


def test_put_cuts_long_text_and_strips_control_characters() -> None:
    from shuangzheng_cli.render.xlsx import MAX_CELL_CHARS, put

    wb = openpyxl.Workbook()
    ws = wb.active
    cell = put(ws, 1, 1, "长" * 40_000)
    assert len(cell.value) == MAX_CELL_CHARS and cell.value.endswith("…")
    assert put(ws, 2, 1, "a\x00b\x1bc\nd").value == "ab" + "c\nd"
    cr = put(ws, 3, 1, "\r=1")
    assert cr.data_type == "s" and cr.quotePrefix is True
    plain = put(ws, 4, 1, "正常文字")
    assert plain.data_type == "s" and not plain.quotePrefix


# ------------------------------------------------------------ a big period: the streamed 本期记录 sheet


def _many_entries(catalog, n: int) -> list[Entry]:
    """`n` entries over every reporting cell in 2022-09..10, files not in date order (back-dated
    lines), with inspections, multi-line evidence, hostile text and one cell over a cell's limit."""
    import random

    rng = random.Random(5)
    cells = [c for c in catalog.cells if catalog.is_reporting_unit(c.unit)]
    start = dt.date(2022, 9, 1)
    out = []
    for i in range(n):
        cell = cells[0] if i % 10 == 0 else rng.choice(cells)  # the first cell gets ~n/10 long entries
        day = start + dt.timedelta(days=rng.randrange(61))
        at = f"{day.isoformat()}T{rng.randrange(8, 18):02d}:{rng.randrange(60):02d}:00+08:00"
        common = {"id": f"t{i:09d}", "date": day, "unit": cell.unit, "activity": cell.activity, "by": rng.choice(["甲", "乙丙"]),
                  "at": at}
        if i % 17 == 0:
            out.append(Entry(kind="inspection", method=rng.choice(["督导", "暗访"]), color=rng.choice(["red", "green"]),
                             followup=rng.choice(["none", "整改"]), text=f"督导发现{i}：" + "问题" * rng.randrange(5, 40),
                             **common))
            continue
        text = ("开展活动，" * rng.randrange(5, 60)) if cell == cells[0] else f"第{i}条进展" + "内容" * rng.randrange(60)
        if i % 101 == 0:
            text = HOSTILE[i % len(HOSTILE)]
        out.append(Entry(kind="progress", text=text, problems=rng.choice(["", "", "经费不足", "+问题"]),
                         next=rng.choice(["", "继续推进"]), metrics={"场次": rng.randrange(1, 4)} if i % 3 else {},
                         evidence=("照片1.jpg", "会议纪要.pdf") if i % 7 == 0 else (),
                         color=rng.choice([None, None, "yellow", "green"]), **common))
    return out


def test_records_sheet_of_a_big_period_is_complete_and_correct(tmp_path: Path, cli, catalog) -> None:
    from shuangzheng_cli.board.rules import build_board
    from shuangzheng_cli.periods import parse_period
    from shuangzheng_cli.render.terminal import color_name
    from shuangzheng_cli.render.weekly import _dated, _progress_text
    from shuangzheng_cli.render.xlsx import MAX_CELL_CHARS, cell_text, fit_rows

    root = tmp_path / "ws"
    assert cli("init", root).code == 0
    ledger = Ledger(root)
    made = _many_entries(catalog, 3000)
    ledger.append(made[1500:])  # the later half first: the files are not in (date, at, id) order
    ledger.append(made[:1500])
    ledger.void("t000000004", "作废测试")
    out = root / "big.xlsx"
    result = cli("--root", root, "export", "--period", "2022-09-05..2022-10-20", "--as-of", "2022-10-15", "-o", out)
    assert result.code == 0, result.err

    period, as_of = parse_period("2022-09-05..2022-10-20"), dt.date(2022, 10, 15)
    entries = Ledger(root).entries(until=as_of)
    expected = [e for e in entries if e.date in period]
    assert "t000000004" not in {e.id for e in expected} and len(expected) > 2000
    assert f"本期记录 {len(expected)} 条" in result.out

    book = openpyxl.load_workbook(out)
    ws = book["本期记录"]
    assert ws["A1"].value.endswith(f"共 {len(expected)} 条）")
    assert ws.freeze_panes == "A3" and ws.auto_filter.ref == f"A2:N{len(expected) + 2}"
    assert ws.max_row == len(expected) + 2
    got = rows(ws, 3)
    assert len(got) == len(expected)
    for row, e in zip(got, expected, strict=True):
        want = [
            e.id, dt.datetime.combine(e.date, dt.time()), catalog.name(e.unit), f"{e.activity}.{catalog.short(e.activity)}",
            "进展" if e.kind == "progress" else e.method, color_name(e.color) if e.color else None,
            e.text, e.problems or None, e.next or None,
            "；".join(f"{k}={int(v)}" for k, v in e.metrics.items()) or None, "\n".join(e.evidence) or None,
            ("、".join(e.followup) or "无") if e.kind == "inspection" else None,
            e.by, e.at,
        ]
        assert row == want, e.id
    for line in ws.iter_rows(min_row=3):
        color = line[5]
        assert color.fill.fgColor.rgb == (FILLS[color.value] if color.value else "00000000"), color.coordinate
        for cell in line:
            assert cell.data_type != "f" and cell.border.left.style == "thin"
            if isinstance(cell.value, str):
                assert cell.data_type == "s" and bool(cell.quotePrefix) == cell.value.startswith(("+", "=", "-", "@", "#"))
    assert {r[6] for r in got} >= set(HOSTILE)
    # Row heights as fit_rows sets them on an ordinary sheet with the same values and widths.
    heights = {r: d.height for r, d in ws.row_dimensions.items() if r >= 3 and d.height}
    assert heights  # long text wraps
    widths = {c: ws.column_dimensions[get_column_letter(c)].width for c in range(1, 15)}
    for dim in ws.row_dimensions.values():
        dim.height = None
    fit_rows(ws, widths, first_row=3)
    assert {r: d.height for r, d in ws.row_dimensions.items() if r >= 3 and d.height} == heights

    # 台账 and 挂图 show the board built from every entry (the export reads the ledger without keeping text).
    board = build_board(catalog, entries, as_of)
    ledger_rows = rows(book["台账"], 4)
    assert [r[8] for r in ledger_rows] == [color_name(c.color) for c in board.cells]
    assert [r[9] or "" for r in ledger_rows] == ["；".join(c.reasons) for c in board.cells]
    # …and each cell's text, cut at the cell's limit where it is longer.
    first = (ledger_rows[0][4], [e for e in expected if (e.activity, e.unit) == (board.cells[0].activity, board.cells[0].unit)])
    assert len(first[0]) == MAX_CELL_CHARS and first[0].endswith("…")
    for row, cell in zip(ledger_rows, board.cells, strict=True):
        mine = [e for e in expected if (e.activity, e.unit) == (cell.activity, cell.unit)]
        progress = [e for e in mine if e.kind == "progress"]
        assert (row[4] or "") == cell_text(_dated([(e.date, _progress_text(e)) for e in mine]))
        assert (row[5] or "") == cell_text(_dated([(e.date, e.problems) for e in progress]))
        assert (row[6] or "") == cell_text(_dated([(e.date, e.next) for e in progress]))


def test_text_width_is_display_width() -> None:
    import random
    import unicodedata

    from shuangzheng_cli.render.terminal import display_width
    from shuangzheng_cli.render.xlsx import WIDE_BLOCKS, text_width

    for first, last in zip(WIDE_BLOCKS[::3], WIDE_BLOCKS[2::3], strict=True):  # every block is wide
        assert all(unicodedata.east_asian_width(chr(c)) in "WF" for c in range(ord(first), ord(last) + 1))
    rng = random.Random(3)
    pool = [chr(c) for c in range(0x110000) if c % 97 == 0 or c < 0x3100] + ["“", "”", "…", "—", "·", "😀", "\ud800"]
    for _ in range(3000):
        text = "".join(rng.choice(pool) for _ in range(rng.randrange(40)))
        assert text_width(text) == display_width(text), repr(text)
