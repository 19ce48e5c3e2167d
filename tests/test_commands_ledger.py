"""add, inspect, void, history through the real command line (in-process), against real files."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger

XCB = Path("ledgers/2022/xcb.jsonl")


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ledgers/, with its bytes: to prove that nothing was written."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted((root / "ledgers").rglob("*")) if p.is_file()}


def lines(root: Path, rel: Path = XCB) -> list[dict]:
    return [json.loads(line) for line in (root / rel).read_text(encoding="utf-8").splitlines()]


@pytest.fixture
def ws(workspace: Path, cli) -> Path:
    """A workspace with one entry already in xcb's file, so 'unchanged' compares real bytes."""
    r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "已有的一条", "--date", "2022-09-21")
    assert r.code == 0, r.err
    return workspace


# ---------------------------------------------------------------- add


def test_add_with_every_option_writes_one_line_in_format_v1(ws: Path, cli) -> None:
    r = cli(
        "--root", ws, "add", "--unit", "市委宣传部", "--activity", "2", "--text", "召开理论宣讲会",
        "--date", "2022/10/8", "--color", "绿", "--problems", "场地偏小", "--next", "扩大范围",
        "--metric", "场次=3", "--metric", "参与人数＝120", "--evidence", "https://example.org/1",
        "--evidence", "照片/1.jpg", "--by", "李四",
    )
    assert r.code == 0, r.err
    rec = lines(ws)[1]
    assert r.out.startswith(f"已记录 {rec['id']}（ledgers/2022/xcb.jsonl:2）")
    assert list(rec) == ["v", "id", "kind", "date", "unit", "activity", "by", "at", "color", "text",
                         "problems", "next", "metrics", "evidence"]
    assert {k: v for k, v in rec.items() if k not in ("id", "at")} == {
        "v": 1, "kind": "progress", "date": "2022-10-08", "unit": "xcb", "activity": 2, "by": "李四",
        "color": "green", "text": "召开理论宣讲会", "problems": "场地偏小", "next": "扩大范围",
        "metrics": {"场次": 3, "参与人数": 120}, "evidence": ["https://example.org/1", "照片/1.jpg"],
    }
    assert rec["at"].endswith("+08:00")
    raw = (ws / XCB).read_bytes()
    assert "召开理论宣讲会".encode() in raw  # ensure_ascii=False: readable in git diffs
    assert raw.endswith(b"}\n") and b"\r" not in raw


def test_add_defaults_date_to_today_and_by_to_the_recorder(ws: Path, cli) -> None:
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "默认").code == 0
    rec = lines(ws)[-1]
    assert (rec["date"], rec["by"], rec["color"]) == ("2022-11-30", "测试员", None)


@pytest.mark.parametrize(
    "typed, stored",
    [("绿", "green"), ("green", "green"), ("绿色", "green"), ("GREEN", "green"),
     ("蓝", "blue"), ("blue", "blue"), ("黄", "yellow"), ("yellow", "yellow"), ("红", "red"), ("red", "red")],
)
def test_add_accepts_colors_in_chinese_and_english(ws: Path, cli, typed: str, stored: str) -> None:
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "x", "-c", typed).code == 0
    assert lines(ws)[-1]["color"] == stored


@pytest.mark.parametrize(
    "metrics, stored",
    [
        (["场次=3"], {"场次": 3}),
        (["场次＝3"], {"场次": 3}),  # full-width equals, as typed with a Chinese IME
        (["场次：2"], {"场次": 2}),
        (["场次 = 3", "参与人数=120"], {"场次": 3, "参与人数": 120}),
        (["覆盖率=0.5"], {"覆盖率": 0.5}),
        (["场次=1", "场次=2"], {"场次": 3}),  # the same name twice adds up
    ],
)
def test_add_metrics(ws: Path, cli, metrics: list[str], stored: dict) -> None:
    args = [a for m in metrics for a in ("-m", m)]
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "x", *args).code == 0
    assert lines(ws)[-1]["metrics"] == stored


def test_add_removes_control_characters_but_keeps_newline_and_tab(ws: Path, cli) -> None:
    text = "第一行\r\n第二行\t缩进\x07响铃\x1b[0m\x00尾\x85"
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", text, "--problems", "\x0c问题").code == 0
    rec = lines(ws)[-1]
    assert rec["text"] == "第一行\n第二行\t缩进响铃[0m尾"
    assert rec["problems"] == "问题"


def test_add_accepts_exactly_2000_characters(ws: Path, cli) -> None:
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "字" * 2000).code == 0
    assert len(lines(ws)[-1]["text"]) == 2000


ADD = ["add", "-u", "xcb", "-a", "1"]
BAD_ADD = [
    (["add", "-u", "宣传不存在部", "-a", "1", "-t", "x"], ["未知单位"]),
    (["add", "-u", "各乡镇（区、办）", "-a", "6", "-t", "x"], ["单位组", "具体单位"]),
    (["add", "-u", "xcb", "-a", "19", "-t", "x"], ["未知活动", "1–18"]),
    (["add", "-u", "xcb", "-a", "5", "-t", "x"], ["不是 市委宣传部 的责任任务"]),
    ([*ADD, "-t", ""], ["进展情况不能为空"]),
    ([*ADD, "-t", "  \x01\x02 "], ["进展情况不能为空"]),
    ([*ADD, "-t", "字" * 2001], ["进展情况超过 2000 字", "2001"]),
    ([*ADD, "-t", "x", "--problems", "问" * 2001], ["存在问题超过 2000 字"]),
    ([*ADD, "-t", "x", "--next", "下" * 2001], ["下步打算超过 2000 字"]),
    ([*ADD, "-t", "x", "-e", "e" * 2001], ["佐证材料超过 2000 字"]),
    ([*ADD, "-t", "x", "-c", "紫"], ["颜色 '紫' 无效", "绿/蓝/黄/红"]),
    ([*ADD, "-t", "x", "-m", "场次"], ["名称=数量"]),
    ([*ADD, "-t", "x", "-m", "场次=三"], ["名称=数量"]),
    ([*ADD, "-t", "x", "-m", "场次=-1"], ["不能为负数"]),
    ([*ADD, "-t", "x", "--date", "2022-13-01"], ["日期 '2022-13-01' 无效"]),
    ([*ADD, "-t", "x", "--date", "2022-08-31"], ["早于活动开始", "2022-09-01"]),
    ([*ADD, "-t", "x", "--date", "2022-12-01"], ["在今天（2022-11-30）之后"]),
    ([*ADD, "-t", "x", "--by", "名" * 101], ["记录人"]),
    ([*ADD, "-t", "x", "--colour", "绿"], ["没有选项 --colour"]),
    (["add", "-u", "xcb", "-a", "1"], ["缺少必填", "--text"]),
]


@pytest.mark.parametrize("args, words", BAD_ADD, ids=[" ".join(a[3:])[:30] for a, _ in BAD_ADD])
def test_add_bad_input_one_chinese_message_exit_2_nothing_written(ws: Path, cli, args: list[str], words: list[str]) -> None:
    before = snapshot(ws)
    r = cli("--root", ws, *args)
    assert r.code == 2
    for word in words:
        assert word in r.err
    first = r.err.splitlines()[0]
    assert first.startswith(("错误：", "用法错误：")), r.err
    assert sum(line.startswith(("错误", "用法错误")) for line in r.err.splitlines()) == 1
    assert r.out == ""
    assert snapshot(ws) == before


def test_add_outside_a_workspace_names_init(tmp_path: Path, cli) -> None:
    r = cli("add", "-u", "xcb", "-a", "1", "-t", "x", cwd=tmp_path)
    assert r.code == 2
    assert "shuangzheng init" in r.err
    assert not (tmp_path / "ledgers").exists()


# ---------------------------------------------------------------- inspect


@pytest.mark.parametrize("method", ["督导", "抽查", "暗访"])
@pytest.mark.parametrize("typed, stored", [("无", []), ("整改", ["整改"]), ("约谈", ["约谈"]), ("通报", ["通报"])])
def test_inspect_methods_and_followups(ws: Path, cli, method: str, typed: str, stored: list[str]) -> None:
    r = cli("--root", ws, "inspect", "-u", "宣传部", "-a", "1", "--method", method, "-c", "黄",
            "-t", "资料不全", "--followup", typed, "--date", "2022.11.2")
    assert r.code == 0, r.err
    rec = lines(ws)[-1]
    assert list(rec) == ["v", "id", "kind", "date", "unit", "activity", "by", "at", "method", "color", "text", "followup", "due"]
    assert (rec["kind"], rec["method"], rec["color"], rec["followup"], rec["date"], rec["text"], rec["due"]) == (
        "inspection", method, "yellow", stored, "2022-11-02", "资料不全", None)


def test_inspect_followup_defaults_to_none(ws: Path, cli) -> None:
    assert cli("--root", ws, "inspect", "-u", "xcb", "-a", "1", "--method", "抽查", "-c", "green", "-t", "好").code == 0
    assert lines(ws)[-1]["followup"] == []


@pytest.mark.parametrize("fast", [True, False])
def test_inspect_asks_for_several_followups_and_a_deadline(ws: Path, cli, fast: bool) -> None:
    # the fast path takes `--followup` repeated; an unusual spelling (`--followup=…` twice after `-u=`) goes through Typer
    unit = ["-u", "xcb"] if fast else ["--unit=xcb"]
    r = cli("--root", ws, "inspect", *unit, "-a", "1", "--method", "暗访", "-c", "红", "-t", "台账缺失",
            "--followup", "通报", "--followup", "整改", "--followup", "约谈", "--due", "2022.11.20", "--date", "2022-11-02")
    assert r.code == 0, r.err
    rec = lines(ws)[-1]
    assert (rec["followup"], rec["due"]) == (["整改", "约谈", "通报"], "2022-11-20")


@pytest.mark.parametrize("args, words", [
    (["--followup", "约谈", "--due", "2022-11-20"], ["--due 只用于要求整改的检查"]),
    (["--followup", "整改", "--due", "2022-10-01"], ["整改期限 2022-10-01 早于检查日期 2022-11-02"]),
    (["--followup", "整改", "--due", "下周"], ["整改期限 --due '下周' 无效"]),
])
def test_inspect_bad_deadline(ws: Path, cli, args: list[str], words: list[str]) -> None:
    before = snapshot(ws)
    r = cli("--root", ws, "inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "-c", "红", "-t", "x",
            "--date", "2022-11-02", *args)
    assert r.code == 2
    assert all(w in r.err for w in words), r.err
    assert snapshot(ws) == before


INSPECT = ["inspect", "-u", "xcb", "-a", "1"]
BAD_INSPECT = [
    ([*INSPECT, "--method", "检查", "-c", "红", "-t", "x"], ["方式 '检查' 无效", "督导 / 抽查 / 暗访"]),
    ([*INSPECT, "--method", "暗访", "-c", "橙", "-t", "x"], ["颜色 '橙' 无效"]),
    ([*INSPECT, "--method", "暗访", "-c", "", "-t", "x"], ["颜色不能为空"]),
    ([*INSPECT, "--method", "暗访", "-t", "x"], ["缺少必填", "--color"]),
    ([*INSPECT, "--method", "暗访", "-c", "红", "-t", "x", "--followup", "罚款"], ["后续处理 '罚款' 无效"]),
    ([*INSPECT, "--method", "暗访", "-c", "红", "-t", " "], ["检查发现不能为空"]),
    ([*INSPECT, "--method", "暗访", "-c", "红", "-t", "查" * 2001], ["检查发现超过 2000 字"]),
    ([*INSPECT, "--method", "暗访", "-c", "红", "-t", "x", "--date", "2023-01-01"], ["之后"]),
]


@pytest.mark.parametrize("args, words", BAD_INSPECT, ids=[" ".join(a[5:])[:30] for a, _ in BAD_INSPECT])
def test_inspect_bad_input(ws: Path, cli, args: list[str], words: list[str]) -> None:
    before = snapshot(ws)
    r = cli("--root", ws, *args)
    assert r.code == 2
    for word in words:
        assert word in r.err
    assert sum(line.startswith(("错误", "用法错误")) for line in r.err.splitlines()) == 1
    assert snapshot(ws) == before


# ---------------------------------------------------------------- void


def _ids(out: str) -> list[str]:
    return [rec["id"] for rec in json.loads(out)]


def test_void_keeps_the_entry_and_readers_skip_it(ws: Path, cli) -> None:
    target = lines(ws)[0]["id"]
    original = (ws / XCB).read_bytes()
    r = cli("--root", ws, "void", target.upper(), "--reason", "录入重复", "--by", "王五")
    assert r.code == 0, r.err
    data = (ws / XCB).read_bytes()
    assert data.startswith(original)  # the entry stays, byte for byte
    void = lines(ws)[1]
    assert {k: void[k] for k in ("kind", "ref", "text", "unit", "activity", "by", "date")} == {
        "kind": "void", "ref": target, "text": "录入重复", "unit": "xcb", "activity": 1, "by": "王五",
        "date": "2022-11-30"}
    assert _ids(cli("--root", ws, "history", "-f", "json").out) == []
    assert Ledger(ws).entries() == []
    every = json.loads(cli("--root", ws, "history", "--all", "-f", "json").out)
    assert [(e["id"], e["voided"]) for e in every] == [(target, True), (void["id"], False)]
    assert cli("--root", ws, "check").code == 0


def test_void_is_dated_no_earlier_than_the_entry(ws: Path, cli) -> None:
    target = lines(ws)[0]["id"]  # dated 2022-09-21
    assert cli("--root", ws, "void", target, "-r", "错", "--date", "2022-09-10").code == 0
    assert lines(ws)[1]["date"] == "2022-09-21"


def test_void_bad_cases(ws: Path, cli) -> None:
    target = lines(ws)[0]["id"]
    cases = [
        (["void", "zzzz9999", "-r", "x"], "找不到编号为 'zzzz9999' 的记录"),
        (["void", target, "-r", "  "], "作废原因不能为空"),
        (["void", target, "-r", "因" * 2001], "作废原因超过 2000 字"),
    ]
    for args, words in cases:
        before = snapshot(ws)
        r = cli("--root", ws, *args)
        assert (r.code, words in r.err) == (2, True), r.err
        assert snapshot(ws) == before
    assert cli("--root", ws, "void", target, "-r", "第一次").code == 0
    void_id = lines(ws)[1]["id"]
    for args, words in [
        (["void", target, "-r", "第二次"], f"{target} 已经作废过了（ledgers/2022/xcb.jsonl:1）"),
        (["void", void_id, "-r", "撤销作废"], "本身是一条作废记录"),
    ]:
        before = snapshot(ws)
        r = cli("--root", ws, *args)
        assert (r.code, words in r.err) == (2, True), r.err
        assert snapshot(ws) == before


# ---------------------------------------------------------------- history


def _entry(id_: str, unit: str, activity: int, date: str, at: str, **kw) -> Entry:
    import datetime as dt

    return Entry(id=id_, kind=kw.pop("kind", "progress"), date=dt.date.fromisoformat(date), unit=unit,
                 activity=activity, by="测试员", at=f"{date}T{at}+08:00", text=kw.pop("text", f"{unit}{activity}"), **kw)


@pytest.fixture
def hist(workspace: Path) -> Path:
    """A ledger written in a scrambled order, to show readers sort by (date, at, id)."""
    Ledger(workspace).append([
        _entry("aaaa0005", "shengfang", 6, "2022-11-02", "09:00:00", color="yellow", metrics={"场次": 2.0}),
        _entry("aaaa0001", "xcb", 1, "2022-09-21", "10:00:00", color="green", problems="无"),
        _entry("aaaa0003", "bazhou", 6, "2022-09-21", "09:00:00"),
        _entry("aaaa0002", "xcb", 2, "2022-10-05", "08:00:00"),
        _entry("aaaa0000", "xcb", 1, "2022-09-21", "10:00:00"),  # same date and time: id decides
        _entry("aaaa0004", "wmb", 4, "2022-09-30", "18:00:00", kind="inspection", method="暗访", color="red",
               followup="约谈", text="台账缺失"),
    ])
    return workspace


@pytest.mark.parametrize(
    "options, expected",
    [
        ([], ["aaaa0003", "aaaa0000", "aaaa0001", "aaaa0004", "aaaa0002", "aaaa0005"]),
        (["--unit", "xcb"], ["aaaa0000", "aaaa0001", "aaaa0002"]),
        (["--unit", "市委宣传部"], ["aaaa0000", "aaaa0001", "aaaa0002"]),
        (["--unit", "各乡镇（区、办）"], ["aaaa0003", "aaaa0005"]),  # a group: its members
        (["--unit", "胜芳镇"], ["aaaa0005"]),
        (["--activity", "6"], ["aaaa0003", "aaaa0005"]),
        (["--period", "2022-09"], ["aaaa0003", "aaaa0000", "aaaa0001", "aaaa0004"]),
        (["--period", "2022-W39"], ["aaaa0004"]),  # 2022-09-26..2022-10-02
        (["--period", "2022-W40"], ["aaaa0002"]),  # 2022-10-03..2022-10-09
        (["--period", "2022Q4"], ["aaaa0002", "aaaa0005"]),
        (["--period", "2022-09-21..2022-09-21"], ["aaaa0003", "aaaa0000", "aaaa0001"]),
        (["--unit", "xcb", "--activity", "1", "--period", "2022H2"], ["aaaa0000", "aaaa0001"]),
        (["--period", "2023"], []),
    ],
)
def test_history_filters_and_sort(hist: Path, cli, options: list[str], expected: list[str]) -> None:
    r = cli("--root", hist, "history", *options, "--format", "json")
    assert r.code == 0, r.err
    assert _ids(r.out) == expected


def test_history_table_and_csv(hist: Path, cli) -> None:
    table = cli("--root", hist, "history", "-u", "xcb")
    assert table.code == 0
    assert "台账记录（3 条）" in table.out
    assert table.out.index("aaaa0000") < table.out.index("aaaa0001") < table.out.index("aaaa0002")
    assert "绿" in table.out and "市委宣传部" in table.out
    out = cli("--root", hist, "history", "-a", "1", "-f", "csv").out
    rows = list(csv.reader(io.StringIO(out.lstrip("\ufeff"))))
    assert rows[0][:4] == ["日期", "单位", "活动", "类型"]
    assert "存在问题" in rows[0]
    assert [r[-1] for r in rows[1:]] == ["aaaa0000", "aaaa0001"]
    assert rows[2][rows[0].index("颜色")] == "绿"


def test_history_all_marks_voided(hist: Path, cli) -> None:
    assert cli("--root", hist, "void", "aaaa0002", "-r", "重复").code == 0
    assert "aaaa0002" not in _ids(cli("--root", hist, "history", "-f", "json").out)
    table = cli("--root", hist, "history", "--all", "-u", "xcb").out
    row = next(line for line in table.splitlines() if "aaaa0002" in line and "进展" in line)
    assert "已作废" in row
    assert "作废 aaaa0002：重复" in table


@pytest.mark.parametrize(
    "options, words",
    [
        (["--period", "2022-13"], ["时段 '2022-13' 无效", "2022-W39"]),
        (["--period", "上个月"], ["时段 '上个月' 无效"]),
        (["--unit", "不存在单位"], ["未知单位"]),
        (["--activity", "0"], ["未知活动"]),
        (["--format", "xml"], ["可选值为", "json"]),
    ],
)
def test_history_bad_input(hist: Path, cli, options: list[str], words: list[str]) -> None:
    r = cli("--root", hist, "history", *options)
    assert r.code == 2
    for word in words:
        assert word in r.err
    assert r.out == ""


def test_history_and_check_read_crlf_and_bom_without_complaint(workspace: Path, cli) -> None:
    """A file saved on Windows: BOM first, CRLF line ends."""
    recs = [
        {"v": 1, "id": "crlf0001", "kind": "progress", "date": "2022-10-01", "unit": "xcb", "activity": 1,
         "by": "张三", "at": "2022-10-01T09:00:00+08:00", "color": "blue", "text": "甲"},
        {"v": 1, "id": "crlf0002", "kind": "progress", "date": "2022-10-02", "unit": "xcb", "activity": 1,
         "by": "张三", "at": "2022-10-02T09:00:00+08:00", "color": None, "text": "乙"},
    ]
    path = workspace / XCB
    path.parent.mkdir(parents=True)
    path.write_bytes(b"\xef\xbb\xbf" + b"".join(json.dumps(r, ensure_ascii=False).encode() + b"\r\n" for r in recs))
    r = cli("--root", workspace, "history", "-f", "json")
    assert (r.code, _ids(r.out), r.err) == (0, ["crlf0001", "crlf0002"], "")
    c = cli("--root", workspace, "check")
    assert c.code == 0, c.out
    assert c.out == ""
    # and appending to it keeps working: the new line is LF, after the CRLF ones
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "丙").code == 0
    assert path.read_bytes().count(b"\r\n") == 2
    assert _ids(cli("--root", workspace, "history", "-f", "json").out)[:2] == ["crlf0001", "crlf0002"]
