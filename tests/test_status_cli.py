"""`status` and `alerts` on a small workspace made with `add` / `inspect`: every view and format.

Today is pinned to 2022-11-30 (conftest). The workspace holds, all as of 2022-11-30:

    activity 1 (理论学习宣讲: 市委宣传部 xcb, 市委组织部 zzb, 市委党校 dx)
      xcb  report 11-28, self-green          → 绿  (2 days: 自评绿; 按期报送)
      zzb  report 11-10                      → 黄  (20 days: 14 ≤ 20 < 28)
      dx   report 11-25, 暗访 11-29 red 约谈  → 红  (inspection valid until 11-29 + 29)
    activity 2 (我为霸州添光彩), xcb: report 11-29 with 参观线路=2
      target 3 due 12-31: window 09-20..12-31 = 103 days, elapsed 72 → floor(3·72/103) = 2 expected;
      2 achieved → on pace                    → 蓝  (按期报送（1 天前）)
    every other cell (212 − 4 = 208): nothing reported, 71 days after 09-20 → 红

So the whole board: 红 209, 黄 1, 蓝 1, 绿 1; activity 1 alone: 红 1, 黄 1, 蓝 0, 绿 1.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from shuangzheng_cli.render.terminal import display_width

REPO = Path(__file__).resolve().parents[1]
ANSI = re.compile(r"\x1b\[[0-9;]*m")
BOX_DRAWING = re.compile(r"[\u2500-\u257f]")


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The workspace of the module docstring, made once (the tests only read it)."""
    from shuangzheng_cli.cli import main

    root = tmp_path_factory.mktemp("status") / "ws"
    steps = [
        ("init", str(root)),
        ("--root", root, "add", "-u", "宣传部", "-a", "1", "-t", "集中学习", "-d", "2022-11-28", "-c", "绿"),
        ("--root", root, "add", "-u", "组织部", "-a", "1", "-t", "宣讲", "-d", "2022-11-10"),
        ("--root", root, "add", "-u", "党校", "-a", "1", "-t", "培训", "-d", "2022-11-25"),
        ("--root", root, "inspect", "-u", "党校", "-a", "1", "--method", "暗访", "-c", "红", "-t", "台账缺失",
         "--followup", "约谈", "-d", "2022-11-29"),
        ("--root", root, "add", "-u", "宣传部", "-a", "2", "-t", "线路", "-d", "2022-11-29", "-m", "参观线路=2"),
    ]
    with pytest.MonkeyPatch.context() as mp:
        for key, value in {"NO_COLOR": "1", "SHUANGZHENG_BY": "测试员", "SHUANGZHENG_TODAY": "2022-11-30"}.items():
            mp.setenv(key, value)
        mp.delenv("SHUANGZHENG_ROOT", raising=False)
        for step in steps:
            assert main([str(a) for a in step]) == 0, step
    return root


def _json(cli, ws: Path, *args: str) -> dict:  # noqa: ANN001
    result = cli("--root", ws, *args, "--format", "json")
    assert result.code == 0, result.err
    return json.loads(result.out)


# ------------------------------------------------------------ add / inspect show the color change


def test_add_and_inspect_print_the_cell_color_before_and_after(workspace: Path, cli) -> None:  # noqa: ANN001
    def run(*args: str) -> str:
        result = cli("--root", workspace, *args)
        assert result.code == 0, result.err
        return result.out

    # nothing reported for 71 days: red; a self-green report today-2 makes it green
    assert "市委宣传部 · 1.理论学习宣讲：红 → 绿" in run("add", "-u", "宣传部", "-a", "1", "-t", "学", "-d", "2022-11-28", "-c", "绿")
    # a report 20 days old: yellow
    assert "市委组织部 · 1.理论学习宣讲：红 → 黄" in run("add", "-u", "组织部", "-a", "1", "-t", "讲", "-d", "2022-11-10")
    # an older report changes nothing: still 20 days since the latest
    assert "市委组织部 · 1.理论学习宣讲：黄（不变）" in run("add", "-u", "组织部", "-a", "1", "-t", "讲", "-d", "2022-11-01")
    assert "市委党校 · 1.理论学习宣讲：红 → 蓝" in run("add", "-u", "党校", "-a", "1", "-t", "训", "-d", "2022-11-25")
    out = run("inspect", "-u", "党校", "-a", "1", "--method", "暗访", "-c", "红", "-t", "缺", "--followup", "约谈", "-d", "2022-11-29")
    assert "市委党校 · 1.理论学习宣讲：蓝 → 红" in out


# ------------------------------------------------------------ JSON


def test_status_json_shape_and_totals(ws: Path, cli) -> None:  # noqa: ANN001
    data = _json(cli, ws, "status")
    assert list(data) == ["as_of", "totals", "cells"]
    assert data["as_of"] == "2022-11-30"
    assert data["totals"] == {"red": 209, "yellow": 1, "blue": 1, "green": 1, "not_started": 0}
    assert len(data["cells"]) == 212
    assert all(list(c) == ["activity", "unit", "color", "last_report", "reasons"] for c in data["cells"])
    first = {(c["activity"], c["unit"]): c for c in data["cells"]}
    assert first[(1, "xcb")] == {"activity": 1, "unit": "xcb", "color": "green", "last_report": "2022-11-28",
                                 "reasons": ["自评绿", "按期报送（2 天前）"]}
    assert first[(1, "zzb")]["reasons"] == ["20 天未报送"]
    assert first[(1, "dx")]["reasons"] == ["督导发现问题（2022-11-29 暗访，约谈）", "按期报送（5 天前）"]
    assert first[(2, "xcb")] == {"activity": 2, "unit": "xcb", "color": "blue", "last_report": "2022-11-29",
                                 "reasons": ["按期报送（1 天前）"]}
    assert first[(3, "xcb")] == {"activity": 3, "unit": "xcb", "color": "red", "last_report": None,
                                 "reasons": ["活动开始 71 天仍未启动（9月20日起算）"]}


@pytest.mark.parametrize(
    ("args", "cells", "totals"),
    [
        (("--activity", "1"), [(1, "xcb"), (1, "zzb"), (1, "dx")], (1, 1, 0, 1)),
        (("-a", "理论学习"), [(1, "xcb"), (1, "zzb"), (1, "dx")], (1, 1, 0, 1)),
        (("--activity", "1", "--color", "黄"), [(1, "zzb")], (0, 1, 0, 0)),
        (("--activity", "1", "--color", "red"), [(1, "dx")], (1, 0, 0, 0)),
        # 宣传部 owns 8 cells (activities 1, 2, 3, 8, 11, 12, 13, 14): green 1, blue 1, the other 6 red
        (("--unit", "宣传部"), [(n, "xcb") for n in (1, 2, 3, 8, 11, 12, 13, 14)], (6, 0, 1, 1)),
        (("-u", "xcb", "--color", "绿"), [(1, "xcb")], (0, 0, 0, 1)),
        # category 1 = activities 1–3: 3 + 4 + 5 = 12 cells; red 12 − 3 = 9 … plus dx: 10? no: dx is red already
        # counted among the 3 of activity 1 → red = 1 (dx) + 3 (act 2 minus xcb) + 5 (act 3) = 9
        (("--category", "1"), None, (9, 1, 1, 1)),
        # a group with members stands for its 15 members: activity 6 has them all red
        (("--unit", "各乡镇（区、办）", "--activity", "6"), None, (15, 0, 0, 0)),
    ],
)
def test_status_filters(ws: Path, cli, args: tuple[str, ...], cells: list[tuple[int, str]] | None,  # noqa: ANN001
                        totals: tuple[int, int, int, int]) -> None:
    data = _json(cli, ws, "status", *args)
    if cells is not None:
        assert [(c["activity"], c["unit"]) for c in data["cells"]] == cells
    t = data["totals"]
    assert (t["red"], t["yellow"], t["blue"], t["green"]) == totals
    assert sum(totals) == len(data["cells"])


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("--category", "9"), "未知类别 9：类别编号为 1–5"),
        (("--activity", "99"), "未知活动 '99'：活动编号为 1–18"),
        (("--unit", "宣传处"), "未知单位 '宣传处'"),
        (("--color", "紫"), "颜色 '紫' 无效：可写 红/黄/蓝/绿 或 red/yellow/blue/green"),
        (("--as-of", "2022-13-01"), "截至日期 '2022-13-01' 无效"),
    ],
)
def test_bad_filters_are_usage_errors_in_chinese(ws: Path, cli, args: tuple[str, ...], message: str) -> None:  # noqa: ANN001
    result = cli("--root", ws, "status", *args)
    assert result.code == 2
    assert message in result.err
    assert result.out == ""


def test_as_of_before_the_start_is_all_not_started(ws: Path, cli) -> None:  # noqa: ANN001
    data = _json(cli, ws, "status", "--as-of", "2022-09-19")
    assert data["totals"] == {"red": 0, "yellow": 0, "blue": 0, "green": 0, "not_started": 212}
    out = cli("--root", ws, "status", "--as-of", "2022-09-19", "--activity", "1").out
    assert "未开始" in out


def test_as_of_ignores_later_entries(ws: Path, cli) -> None:  # noqa: ANN001
    # On 11-27 the 11-28 self-green and 11-29 inspection are not there yet:
    # xcb/1 last report none → red; dx/1 report 11-25 → blue (2 days); zzb/1 17 days → yellow.
    data = _json(cli, ws, "status", "--as-of", "2022-11-27", "--activity", "1")
    assert [c["color"] for c in data["cells"]] == ["red", "yellow", "blue"]


# ------------------------------------------------------------ table views (piped, NO_COLOR)


def _lines(out: str) -> list[str]:
    return out.splitlines()


def _row(out: str, label: str) -> list[str]:
    """The cells of the table row that starts with `label` (box or ASCII borders)."""
    for line in _lines(out):
        cells = [c.strip() for c in re.split(r"[│|]", line)[1:-1]]
        if cells and cells[0] == label:
            return cells
    raise AssertionError(f"no row {label!r} in:\n{out}")


def test_matrix_grid_for_few_units(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--activity", "1").out
    assert "\x1b" not in out
    header = _row(out, "活动")
    assert header == ["活动", "宣传部", "组织部", "党校"]
    assert _row(out, "1.理论学习宣讲") == ["1.理论学习宣讲", "绿", "黄", "红"]
    assert "1. 严谨严实推进文明教育" in out
    assert "合计 3 格：红 1  黄 1  蓝 0  绿 1" in out
    assert "图例：红=严重滞后/未启动，黄=进度滞后，蓝=正常推进，绿=已完成/超进度" in out


def test_matrix_one_unit_down_the_activities(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--unit", "宣传部").out
    assert _row(out, "活动") == ["活动", "宣传部"]
    assert _row(out, "1.理论学习宣讲") == ["1.理论学习宣讲", "绿"]
    assert _row(out, "2.我为霸州添光彩") == ["2.我为霸州添光彩", "蓝"]
    assert _row(out, "13.讲述市民故事") == ["13.讲述市民故事", "红"]
    assert "合计 8 格：红 6  黄 0  蓝 1  绿 1" in out


def test_matrix_one_activity_with_many_units_turns_sideways(ws: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    # 18 units of activity 6 do not fit across 80 columns: one row per unit instead.
    monkeypatch.setenv("COLUMNS", "80")
    out = cli("--root", ws, "status", "--activity", "6").out
    assert _row(out, "单位") == ["单位", "6.移风易俗"]
    assert _row(out, "煎茶铺镇") == ["煎茶铺镇", "红"]
    assert len([line for line in _lines(out) if "│" in line and "红" in line]) == 18


@pytest.mark.parametrize("columns", [80, 120, 200])
def test_matrix_compact_rows_fit_the_terminal(ws: Path, cli, monkeypatch: pytest.MonkeyPatch, columns: int) -> None:  # noqa: ANN001
    monkeypatch.setenv("COLUMNS", str(columns))
    out = cli("--root", ws, "status").out
    assert max(display_width(line.rstrip()) for line in _lines(out)) <= columns
    row = _row(out, "1.理论学习宣讲")
    counts = row[1:5] if columns < 100 else row[2:6]  # the 最差 column only from 100 columns on
    assert counts == ["1", "1", "0", "1"]  # 红 黄 蓝 绿
    assert row[-2:] == ["党校", "组织部"]  # its red and yellow units
    if columns >= 100:
        assert row[1] == "红"  # the worst color of the row
    assert "合计 212 格：红 209  黄 1  蓝 1  绿 1" in out


def test_list_view(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--view", "list", "--activity", "1").out
    assert _row(out, "活动") == ["活动", "单位", "状态", "最近报送", "距今（天）", "原因"]
    assert _row(out, "1.理论学习宣讲") == ["1.理论学习宣讲", "市委宣传部", "绿", "2022-11-28", "2", "自评绿；按期报送（2 天前）"]
    assert "市委组织部 │  黄  │ 2022-11-10 │         20 │ 20 天未报送" in out


def test_units_view(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--view", "units", "--activity", "1").out
    assert _row(out, "单位")[:6] == ["单位", "最差", "红", "黄", "蓝", "绿"]
    assert _row(out, "市委党校") == ["市委党校", "红", "1", "0", "0", "0", "1.理论学习宣讲（红）"]
    assert _row(out, "市委宣传部") == ["市委宣传部", "绿", "0", "0", "0", "1", ""]
    # worst first: the red unit, then the yellow one, then the green one
    order = [line for line in _lines(out) if re.search(r"市委(党校|组织部|宣传部)", line)]
    assert [re.search(r"市委(党校|组织部|宣传部)", x)[1] for x in order] == ["党校", "组织部", "宣传部"]


def test_csv(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--activity", "1", "--format", "csv").out
    assert out.splitlines() == [
        "活动,单位,状态,最近报送,距今（天）,原因",
        "1.理论学习宣讲,市委宣传部,绿,2022-11-28,2,自评绿；按期报送（2 天前）",
        "1.理论学习宣讲,市委组织部,黄,2022-11-10,20,20 天未报送",
        "1.理论学习宣讲,市委党校,红,2022-11-25,5,督导发现问题（2022-11-29 暗访，约谈）；按期报送（5 天前）",
    ]
    units = cli("--root", ws, "status", "--activity", "1", "--view", "units", "--format", "csv").out.splitlines()
    assert units[0] == "单位,最差,红,黄,蓝,绿,红黄事项"
    assert units[1] == "市委党校,红,1,0,0,0,1.理论学习宣讲（红）"


def test_markdown_uses_squares_and_names(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "status", "--category", "1", "--format", "md").out
    assert "## 双争活动四色挂图（截至 2022-11-30）" in out
    assert "### 1. 严谨严实推进文明教育" in out
    # activity 1: worst red; 红 1 黄 1 蓝 0 绿 1; red 党校, yellow 组织部
    assert "| 1.理论学习宣讲 | 🟥红 | 1 | 1 | 0 | 1 | 党校 | 组织部 |" in out
    # activity 2: xcb blue, 退役军人事务局 / 融媒体中心 / 市文明委各成员单位 never reported → red 3
    assert "| 2.我为霸州添光彩 | 🟥红 | 3 | 0 | 1 | 0 | 退役军人事务局、融媒体中心、市文明委各成员单位 |  |" in out
    assert "合计 12 格：🟥红 9，🟨黄 1，🟦蓝 1，🟩绿 1" in out
    listed = cli("--root", ws, "status", "--activity", "1", "--view", "list", "--format", "md").out
    assert "| 1.理论学习宣讲 | 市委宣传部 | 🟩绿 | 2022-11-28 | 2 | 自评绿；按期报送（2 天前） |" in listed
    assert "| 1.理论学习宣讲 | 市委组织部 | 🟨黄 | 2022-11-10 | 20 | 20 天未报送 |" in listed
    assert "🟥红" in listed
    assert "合计 3 格：🟥红 1  🟨黄 1  🟦蓝 0  🟩绿 1" in listed


# ------------------------------------------------------------ color on terminals, ASCII borders


def test_piped_output_has_names_and_no_escapes(ws: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("NO_COLOR")  # piped (captured) output is not a terminal: still no color
    for view in ("matrix", "list", "units"):
        out = cli("--root", ws, "status", "--activity", "1", "--view", view).out
        assert "\x1b" not in out
        assert all(name in out for name in "红黄绿")


def test_forced_color_marks_the_cells(ws: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:  # noqa: ANN001
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("FORCE_COLOR", "1")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.delenv("COLORTERM", raising=False)
    out = cli("--root", ws, "status", "--activity", "1").out
    # the styles of render.TERMINAL_STYLES: bold (1) white (37) on green (42); black (30) on yellow (43); white on red (41)
    assert re.search(r"\x1b\[1;37;42m\s*绿\s*\x1b\[0m", out)
    assert re.search(r"\x1b\[1;30;43m\s*黄\s*\x1b\[0m", out)
    assert re.search(r"\x1b\[1;37;41m\s*红\s*\x1b\[0m", out)
    # without the escapes the same names are there: the cell text does not depend on color
    assert _row(ANSI.sub("", out), "1.理论学习宣讲") == ["1.理论学习宣讲", "绿", "黄", "红"]
    # NO_COLOR wins over FORCE_COLOR
    monkeypatch.setenv("NO_COLOR", "1")
    assert "\x1b[1;37;42m" not in cli("--root", ws, "status", "--activity", "1").out


@pytest.mark.parametrize("view", ["matrix", "list", "units"])
def test_ascii_borders(ws: Path, cli, view: str) -> None:  # noqa: ANN001
    out = cli("--root", ws, "--ascii", "status", "--view", view).out
    assert not BOX_DRAWING.search(out)
    borders = [line for line in _lines(out) if line.startswith(("+", "|"))]
    assert borders and all(ch.isascii() for line in borders if line.startswith("+") for ch in line)
    assert "绿" in out


def test_ascii_alerts(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "--ascii", "alerts").out
    assert not BOX_DRAWING.search(out)
    assert "预警事项" in out


# ------------------------------------------------------------ alerts


def test_alerts_json(ws: Path, cli) -> None:  # noqa: ANN001
    data = _json(cli, ws, "alerts")
    assert list(data) == ["as_of", "alerts", "interviews"]
    alerts = data["alerts"]
    # 209 red + 1 yellow; never-reported reds first (208), then dx/1 (red, reported 11-25), then zzb/1 (yellow)
    assert len(alerts) == 210
    assert all(a["last_report"] is None and a["color"] == "red" for a in alerts[:208])
    assert alerts[-2] == {"activity": 1, "unit": "dx", "color": "red", "last_report": "2022-11-25",
                          "reasons": ["督导发现问题（2022-11-29 暗访，约谈）", "按期报送（5 天前）"], "days_since": 5}
    assert alerts[-1] == {"activity": 1, "unit": "zzb", "color": "yellow", "last_report": "2022-11-10",
                          "reasons": ["20 天未报送"], "days_since": 20}
    talks = {i["unit"]: i for i in data["interviews"]}
    # dx/1 was red on 11-23 too (nothing reported yet) → 2 weekly checkpoints; and the 约谈 inspection stands
    assert talks["dx"]["name"] == "市委党校"
    assert talks["dx"]["reasons"] == ["1.理论学习宣讲 连续 2 周红色", "1.理论学习宣讲 2022-11-29 暗访要求约谈，已等待 1 天"]
    # xcb: 6 never-reported cells (3, 8, 11, 12, 13, 14), red for weeks; not 1 (green) nor 2 (blue)
    assert [r.split(" ")[0] for r in talks["xcb"]["reasons"]] == ["3.见证新霸州", "8.立德树人", "11.文明健康", "12.争当文明市民",
                                                                   "13.讲述市民故事", "14.身边的榜样"]
    # zzb: activity 1 yellow, the others red
    assert not any(r.startswith("1.") for r in talks["zzb"]["reasons"])


def test_alerts_when_nothing_is_wrong(workspace: Path, cli) -> None:  # noqa: ANN001
    # Before the campaign nothing is due: no alert, nobody to interview.
    data = _json(cli, workspace, "alerts", "--as-of", "2022-09-19")
    assert data == {"as_of": "2022-09-19", "alerts": [], "interviews": []}
    out = cli("--root", workspace, "alerts", "--as-of", "2022-09-19").out
    assert "预警事项（截至 2022-09-19，0 项）" in out
    assert "应约谈单位（0）" in out


def test_alerts_table_and_markdown(ws: Path, cli) -> None:  # noqa: ANN001
    out = cli("--root", ws, "alerts").out
    assert "\x1b" not in out
    assert "预警事项（截至 2022-11-30，210 项）" in out
    assert "应约谈单位（" in out and "连续 2 周红色，或检查要求的约谈尚未进行" in out
    lines = _lines(out)
    # the yellow cell is the last alert row, after every red one
    alert_rows = [line for line in lines if re.match(r"^│ \d+\.", line) and ("红" in line or "黄" in line)]
    assert "市委组织部" in alert_rows[-1] and "黄" in alert_rows[-1]
    talk = _row(out, "市委党校")  # its reasons may wrap onto a second line
    assert talk[1].startswith("1.理论学习宣讲 连续 2 周红色；1.理论学习宣讲")
    md = cli("--root", ws, "alerts", "--format", "md").out
    assert "### 预警事项（截至 2022-11-30，210 项）" in md
    assert "| 1.理论学习宣讲 | 市委组织部 | 🟨黄 | 2022-11-10 | 20 | 20 天未报送 |" in md
    assert "| 市委党校 | 1.理论学习宣讲 连续 2 周红色；1.理论学习宣讲 2022-11-29 暗访要求约谈，已等待 1 天 |" in md


# ------------------------------------------------------------ the demo


def test_demo_board_shows_every_color(cli) -> None:  # noqa: ANN001
    data = _json(cli, REPO / "examples", "status", "--as-of", "2022-11-30")
    totals = data["totals"]
    assert all(totals[c] > 0 for c in ("red", "yellow", "blue", "green")), totals
    assert sum(totals.values()) == len(data["cells"]) == 212
    out = cli("--root", REPO / "examples", "status", "--as-of", "2022-11-30").out
    assert all(f"{name} {totals[key]}" in out for name, key in (("红", "red"), ("黄", "yellow"), ("蓝", "blue"), ("绿", "green")))


@pytest.mark.parametrize(("option", "what"), [("--unit", "单位"), ("--activity", "活动"), ("--color", "颜色")])
def test_an_empty_filter_is_refused_not_ignored(cli, ws: Path, option: str, what: str) -> None:  # noqa: ANN001
    """`--unit ""` (a variable left empty in a script) used to show every unit as if asked for."""
    result = cli("--root", ws, "status", option, " ")
    assert result.code == 2
    assert f"{what}不能为空" in result.err and result.out == ""
