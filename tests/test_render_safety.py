"""Output is safe for where it goes (issue 16 items 1–2, issue 13 item 1): data never controls the
terminal or rich, CSV never becomes a formula, Markdown rows never break, and a GBK console
neither crashes nor misaligns. Every input is planted in the test; every run is a real process."""

from __future__ import annotations

import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO

#: What a terminal would obey: C0 (but tab and line feed), CR, DEL, C1, bidi overrides and isolates.
RAW_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")

CLEAR = "\x1b[2J\x1b[H"  # clear the screen
TITLE = "\x1b]0;被篡改的标题\x07"  # set the window title
LINK = "\x1b]8;;https://evil.example/\x1b\\点此\x1b]8;;\x1b\\"  # OSC 8 hyperlink
CSI_C1 = "\x9b31m"  # 8-bit CSI
BIDI = "\u202eabc\u2066x\u2069"  # right-to-left override, an isolate


def _line(**fields: object) -> str:
    record = {
        "v": 1, "id": "plant00001", "kind": "progress", "date": "2022-11-22", "unit": "xcb", "activity": 1,
        "by": "陈志国", "at": "2022-11-22T10:00:00+08:00", "color": None, "text": "正文", "problems": "",
        "next": "", "metrics": {}, "evidence": [],
    }  # fmt: skip
    record.update(fields)
    return json.dumps(record, ensure_ascii=False) + "\n"


def _plant(ws: Path, *lines: str) -> None:
    path = ws / "ledgers" / "2022" / "xcb.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8", newline="") as f:
        f.writelines(lines)


def _shuangzheng(ws: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[bytes]:
    """A real process; output kept as bytes (to see exactly what reaches the terminal)."""
    full_env = {**os.environ, "NO_COLOR": "1", "SHUANGZHENG_BY": "测试员", "COLUMNS": "200", **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "shuangzheng_cli", "--root", str(ws), *args],
        env=full_env,
        capture_output=True,
        timeout=120,
        check=False,
    )


# ------------------------------------------------------------ 16.1: data is never control


@pytest.fixture
def hostile_ledger(workspace: Path) -> Path:
    _plant(
        workspace,
        _line(
            id="plant00001",
            text=f"开会{CLEAR}{TITLE}{LINK}{CSI_C1}{BIDI}结束",
            by=f"张三{TITLE}",
            metrics={f"场次{CLEAR}": 2},
            problems=f"问题{CLEAR}",
        ),
    )
    return workspace


@pytest.mark.parametrize(
    "args",
    [
        ("history",),
        ("history", "-f", "md"),
        ("history", "-f", "csv"),
        ("report", "week", "2022-W47", "--as-of", "2022-11-27"),
        ("report", "week", "2022-W47", "--as-of", "2022-11-27", "-f", "md"),
        ("report", "half-year", "2022H2", "-u", "xcb", "--as-of", "2022-11-30"),
        ("report", "half-year", "2022H2", "-u", "xcb", "--as-of", "2022-11-30", "-f", "md"),
    ],
)
def test_control_characters_in_ledger_lines_are_shown_not_obeyed(hostile_ledger: Path, args: tuple[str, ...]) -> None:
    # `check` rejects a line with control characters (issue 16.6: readers apply exactly what
    # `check` accepts), so the line is skipped with the usual notice and nothing of it is obeyed.
    proc = _shuangzheng(hostile_ledger, *args)
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert not RAW_CONTROL.search(out), repr(RAW_CONTROL.search(out))
    assert not RAW_CONTROL.search(err)
    assert "未计入" in out + err and "xcb.jsonl:1" in out + err
    assert "开会" not in out  # the rejected line changes no answer


def test_the_render_layer_shows_control_characters_visibly() -> None:
    """Defence in depth: whatever reaches a renderer (e.g. through the Python API) is shown, never obeyed."""
    from shuangzheng_cli.render.text import plain

    shown = plain(f"开会{CLEAR}{TITLE}{LINK}{CSI_C1}{BIDI}结束")
    assert not RAW_CONTROL.search(shown)
    assert shown.startswith("开会\\u001b[2J") and shown.endswith("结束")
    assert "\\u202e" in shown and "\\u009b" in shown
    assert "被篡改的标题" in shown and "https://evil.example/" in shown  # the data is kept, visibly


def test_json_keeps_the_data_while_the_terminal_sees_only_escapes(hostile_ledger: Path) -> None:
    proc = _shuangzheng(hostile_ledger, "history", "-f", "json")
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0
    assert not RAW_CONTROL.search(out)
    assert json.loads(out) == []  # the line `check` rejects is not data


def test_error_messages_show_data_as_plain_text(workspace: Path) -> None:
    proc = _shuangzheng(workspace, "history", "-u", f"宣传{CLEAR}部")
    assert proc.returncode == 2
    err = proc.stderr.decode("utf-8")
    assert "\\u001b[2J" in err and not RAW_CONTROL.search(err)


def _rename(ws: Path, old: str, new: str, file: str = "units.yaml") -> None:
    path = ws / "data" / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


@pytest.mark.parametrize(
    "args",
    [
        ("status",),
        ("status", "-u", "xcb"),
        ("status", "-a", "1"),
        ("status", "--view", "list"),
        ("status", "--view", "units"),
        ("alerts",),
        ("history",),
        ("report", "week", "2022-W47"),
    ],
)
def test_rich_markup_in_definitions_is_shown_as_written(workspace: Path, args: tuple[str, ...]) -> None:
    # the plan's names stay aliases, so the activities still find their units
    _rename(workspace, "name: 市委宣传部\n    aliases: []", "name: '市委宣传部[/bold]'\n    aliases: [市委宣传部]")
    _rename(
        workspace,
        "name: 市委组织部\n    aliases: []",
        "name: '[link=https://evil.example/]组织部[/link]'\n    aliases: [市委组织部]",
    )
    _rename(workspace, "short: 理论学习宣讲", "short: '理论[/]宣讲[red]'", file="activities.yaml")
    _plant(workspace, _line(text="动员会"))
    proc = _shuangzheng(workspace, *args, *(() if args[0] == "history" else ("--as-of", "2022-11-30")))
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8")
    assert proc.returncode == 0, err
    assert "Traceback" not in err and "MarkupError" not in err
    shown = [m for m in ("宣传部[/bold]", "[link=https://evil.example/]组织部[/link]", "理论[/]宣讲[red]") if m in out]
    assert shown, out[:2000]


# ------------------------------------------------------------ 16.2: CSV and Markdown are safe where they go


FORMULAS = ["=HYPERLINK(\"http://evil.example\",\"点我\")", "+1+1", "-2+3", "@SUM(A1:A2)", "\t=1+1"]  # a CR cannot be in a ledger line (check)


def test_csv_cells_never_become_formulas(workspace: Path) -> None:
    _plant(
        workspace,
        *(_line(id=f"plant0000{i}", text=text, by=text.strip(), date=f"2022-11-2{i}") for i, text in enumerate(FORMULAS)),
    )
    proc = _shuangzheng(workspace, "history", "-f", "csv")
    assert proc.returncode == 0, proc.stderr.decode()
    rows = list(csv.DictReader(io.StringIO(proc.stdout.decode("utf-8"))))
    assert len(rows) == len(FORMULAS)
    for row, text in zip(rows, FORMULAS, strict=True):
        # the cell reads as text in Excel/WPS: a leading ' and then the data (a CR shown as a line break)
        assert row["内容"].startswith("'"), row["内容"]
        assert row["内容"][1:] == text.replace("\r", "\n")
        assert row["记录人"] == "'" + text.strip()
    # a figure is not text: it stays a number, minus sign and all
    proc = _shuangzheng(workspace, "status", "--view", "list", "-f", "csv", "--as-of", "2022-11-30")
    days = [r["距今（天）"] for r in csv.DictReader(io.StringIO(proc.stdout.decode("utf-8")))]
    assert days and all(d == "" or d.isdigit() for d in days)


def test_markdown_rows_stay_rows_and_html_is_shown(workspace: Path) -> None:
    texts = ["一行\n二行", "<script>alert(1)</script>", "甲|乙", "<img src=x onerror=alert(1)>"]
    _plant(workspace, *(_line(id=f"plant0000{i}", text=t, date=f"2022-11-2{i}") for i, t in enumerate(texts)))
    proc = _shuangzheng(workspace, "history", "-f", "md")
    out = proc.stdout.decode("utf-8")
    assert proc.returncode == 0
    table = [line for line in out.splitlines() if line.startswith("|")]
    assert len(table) == 2 + len(texts)  # header, rule, one line per entry
    assert all(line.endswith("|") for line in table)
    assert "\r" not in out
    assert "<script>" not in out and "<img" not in out
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in out
    assert out.count("一行<br>二行") == 1
    assert "甲\\|乙" in out


# ------------------------------------------------------------ 13.1: GBK consoles


@pytest.fixture(scope="module")
def office(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The example office's workspace (a full season of ledgers), copied."""
    root = tmp_path_factory.mktemp("office") / "ws"
    shutil.copytree(REPO / "examples" / "data", root / "data")
    shutil.copytree(REPO / "examples" / "ledgers", root / "ledgers")
    # characters a code-page-936 console draws wider than they count, and one GBK lacks
    _plant(root, _line(id="plantascii", text="甲·乙—丙“丁”…→× α é ① 🟥", by="王·五", date="2022-11-03"))
    return root


GBK = {"PYTHONIOENCODING": "gbk"}
AS_OF = ("--as-of", "2022-11-30")


@pytest.mark.parametrize(
    "args",
    [
        ("report", "week", "2022-W47", *AS_OF, "--format", "md"),
        ("report", "half-year", "2022H2", "-u", "xcb", *AS_OF, "--format", "md"),
        ("status", *AS_OF, "--format", "md"),
        ("alerts", *AS_OF, "--format", "md"),
        ("bulletin", *AS_OF),
        ("history", "-u", "xcb", "-f", "md"),
        ("score", "--year", "2022", *AS_OF, "-f", "md"),
    ],
)
def test_gbk_stdout_gets_meanings_instead_of_a_crash(office: Path, args: tuple[str, ...]) -> None:
    proc = _shuangzheng(office, *args, env=GBK)
    assert proc.returncode == 0, proc.stderr.decode("gbk", "replace")
    text = proc.stdout.decode("gbk")  # all of it is GBK
    assert text.strip() and "Traceback" not in proc.stderr.decode("gbk", "replace")
    utf8 = _shuangzheng(office, *args).stdout.decode("utf-8")
    # the same document, each square replaced by its color's name (once: 🟥红 → 红)
    expected = utf8
    for square, name in (("🟥", "红"), ("🟨", "黄"), ("🟦", "蓝"), ("🟩", "绿"), ("⬜", "未开始")):
        expected = expected.replace(square + name, name).replace(square, name)
    assert text == expected


def test_gbk_week_report_written_to_a_file_says_the_colors(office: Path) -> None:
    proc = _shuangzheng(office, "report", "week", "2022-W47", *AS_OF, "--format", "md", env=GBK)
    lines = proc.stdout.decode("gbk").splitlines()
    color_table = lines[lines.index("| 颜色 | 本周末 | 上周末 | 增减 |") + 2:][:5]
    assert [line.split(" | ")[0] for line in color_table] == ["| 红", "| 黄", "| 蓝", "| 绿", "| 未开始"]


def _tables(data: bytes) -> list[list[bytes]]:
    """Runs of consecutive lines drawn as a table with ASCII borders."""
    groups: list[list[bytes]] = [[]]
    for line in data.split(b"\n"):
        if line[:1] in (b"+", b"|"):
            groups[-1].append(line)
        elif groups[-1]:
            groups.append([])
    return [g for g in groups if g]


@pytest.mark.parametrize(
    "args",
    [
        ("status", *AS_OF),
        ("status", *AS_OF, "-u", "xcb"),
        ("status", *AS_OF, "-a", "6"),
        ("status", *AS_OF, "--view", "units"),
        ("alerts", *AS_OF),
        ("history", "-u", "xcb", "-p", "2022-11"),
        ("history", "-p", "2022-W47"),
        ("report", "week", "2022-W47", *AS_OF),
        ("report", "half-year", "2022H2", "-u", "xcb", *AS_OF),
        ("score", "--year", "2022", *AS_OF),
        ("units",),
        ("activities",),
    ],
)
@pytest.mark.parametrize("env", [GBK, {}], ids=["gbk", "utf8"])
def test_ascii_tables_line_up_in_a_code_page_936_console(
    office: Path, args: tuple[str, ...], env: dict[str, str]
) -> None:
    proc = _shuangzheng(office, "--ascii", *args, env=env)
    assert proc.returncode == 0, proc.stderr.decode("utf-8", "replace")
    data = proc.stdout if env else proc.stdout.decode("utf-8").encode("gbk", "replace")
    tables = _tables(data)
    assert tables
    for table in tables:
        # a console of code page 936 draws every GBK double byte two columns wide: equal bytes, equal columns
        widths = {len(line) for line in table}
        assert len(widths) == 1, [line.decode("gbk") for line in table if len(line) != len(table[0])][:3]
