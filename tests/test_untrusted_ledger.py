"""Ledger lines and files that arrive through git are data (issue 16, ledger parts; issue 13.2).

Each test plants the input it is about, then asserts: `check` names the place, the readers skip
exactly what `check` rejects (no answer changed), nothing hangs, nothing is written.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import shutil
import subprocess
import sys
import time
import tracemalloc
from pathlib import Path

import pytest
from conftest import run_process

from shuangzheng_cli.board.rules import BoardIndex, interviews
from shuangzheng_cli.board.stream import stream_board
from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.check import check_ledgers
from shuangzheng_cli.ledger.reader import read_entries
from shuangzheng_cli.ledger.storage import Ledger
from shuangzheng_cli.periods import today

XCB = "ledgers/2022/xcb.jsonl"
BASE = {"v": 1, "id": "4n2ywv2svv", "kind": "progress", "date": "2022-09-21", "unit": "xcb", "activity": 1,
        "by": "张三", "at": "2022-09-21T10:00:00+08:00", "color": "green", "text": "召开动员会", "problems": "",
        "next": "", "metrics": {"场次": 1}, "evidence": []}
INSPECTION = {"v": 1, "id": "insp000001", "kind": "inspection", "date": "2022-11-20", "unit": "xcb", "activity": 1,
              "by": "督导组", "at": "2022-11-20T09:30:00+08:00", "method": "暗访", "color": "red", "text": "未见台账",
              "followup": ["约谈"], "due": None}


@pytest.fixture
def ws(workspace: Path) -> Path:
    return workspace


def _line(obj: dict) -> bytes:
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def _plant(ws: Path, rel: str, data: bytes) -> Path:
    path = ws / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(data)
    return path


def _cell(catalog: Catalog, ws: Path, unit: str = "xcb", activity: int = 1):  # noqa: ANN202
    board, problems = stream_board(catalog, Ledger(ws, catalog), today(), [c for c in catalog.cells if c.unit == unit])
    return board.cell(activity, unit), problems


def _problems(catalog: Catalog, ws: Path) -> list[str]:
    return [str(p) for p in check_ledgers(catalog, Ledger(ws, catalog), today())]


# ------------------------------------------------------------ 16.1 controls and bidi overrides


@pytest.mark.parametrize(("field", "value"), [
    ("text", "正常\x1b]0;标题\x07内容"), ("text", "付款\u202e001\u202c"), ("by", "张\u2066三"), ("problems", "\x85"),
])
def test_control_and_bidi_characters_are_rejected_at_their_place(ws: Path, catalog: Catalog, field: str, value: str) -> None:
    _plant(ws, XCB, _line(BASE) + _line(BASE | {"id": "second0001", field: value, "color": "red"}))
    found = _problems(catalog, ws)
    assert len(found) == 1 and found[0].startswith(f"{XCB}:2: ") and "控制字符或文字方向控制符" in found[0], found
    cell, problems = _cell(catalog, ws)
    assert [p.place for p in problems] == [f"{XCB}:2"]
    assert "自评红" not in cell.reasons and "自评绿" in cell.reasons  # the planted red line changed nothing


def test_a_metric_name_with_a_control_character_is_rejected(ws: Path, catalog: Catalog) -> None:
    _plant(ws, XCB, _line(BASE | {"metrics": {"场\x1b[2J次": 3}}))
    assert [p.split(": ")[0] for p in _problems(catalog, ws)] == [f"{XCB}:1"]


# ------------------------------------------------------------ 16.6 check and readers agree


def test_a_void_in_another_units_file_cancels_nothing(ws: Path, catalog: Catalog) -> None:
    _plant(ws, XCB, _line(INSPECTION))
    unit2 = next(c.unit for c in catalog.cells if c.activity == 1 and c.unit != "xcb" and catalog.is_reporting_unit(c.unit))
    void = {"v": 1, "id": "void000001", "kind": "void", "date": "2022-11-21", "unit": unit2, "activity": 1, "by": "某人",
            "at": "2022-11-21T09:00:00+08:00", "ref": "insp000001", "text": "撤销"}
    _plant(ws, f"ledgers/2022/{unit2}.jsonl", _line(void))
    found = _problems(catalog, ws)
    assert found == [f"ledgers/2022/{unit2}.jsonl:1: 作废的记录 insp000001 不存在（本单位的台账中没有这条记录；"
                     "作废记录须写在所指记录所在单位的台账里，不会生效）"]
    cell, problems = _cell(catalog, ws)
    assert cell.color == "red" and any("督导发现问题" in r for r in cell.reasons)  # the inspection still counts
    reading = read_entries(Ledger(ws, catalog), catalog, today(), include_voided=False)
    assert "insp000001" in {e.id for e in reading.entries}
    assert [p.place for p in reading.problems] == [f"ledgers/2022/{unit2}.jsonl:1"]


def test_a_void_check_rejects_takes_no_effect(ws: Path, catalog: Catalog) -> None:
    void = {"v": 1, "id": "void000002", "kind": "void", "date": "2022-11-21", "unit": "xcb", "activity": 1, "by": "某人",
            "at": "2022-11-21T09:00:00+08:00", "ref": "insp000001", "text": "撤销", "extra": 1}
    _plant(ws, XCB, _line(INSPECTION) + _line(void))
    assert [p.split(": ")[0] for p in _problems(catalog, ws)] == [f"{XCB}:2"]
    assert _cell(catalog, ws)[0].color == "red"


def _escaped(obj: dict) -> bytes:
    """A line whose every key and string is written with \\u escapes (valid JSON, the same record)."""
    def esc(text: str) -> str:
        return '"' + "".join(f"\\u{ord(c):04x}" for c in text) + '"'

    def value(v: object) -> str:
        if isinstance(v, str):
            return esc(v)
        if isinstance(v, list):
            return "[" + ", ".join(value(x) for x in v) + "]"
        return json.dumps(v)

    return ("{" + ", ".join(f"{esc(k)}: {value(v)}" for k, v in obj.items()) + "}\n").encode()


@pytest.mark.parametrize("spelling", ["plain", "escaped"])
def test_a_void_or_followup_spelled_with_escapes_acts_as_the_plain_one(ws: Path, catalog: Catalog, spelling: str) -> None:
    """The reader finds voids and follow-ups by their `"ref"` key before parsing; one whose key is
    written `"\\u0072ef"` is found too (the scan notices it missed one and searches every line)."""
    asking = INSPECTION | {"id": "insp000002", "followup": ["约谈"], "color": "yellow", "date": "2022-11-19",
                           "at": "2022-11-19T09:30:00+08:00"}
    void = {"v": 1, "id": "void000003", "kind": "void", "date": "2022-11-21", "unit": "xcb", "activity": 1, "by": "某人",
            "at": "2022-11-21T09:00:00+08:00", "ref": "insp000001", "text": "撤销"}
    talk = {"v": 1, "id": "folw000001", "kind": "followup", "date": "2022-11-22", "unit": "xcb", "activity": 1,
            "by": "督导组", "at": "2022-11-22T09:00:00+08:00", "ref": "insp000002", "result": "已约谈", "text": "",
            "due": None}
    write = _line if spelling == "plain" else _escaped
    _plant(ws, XCB, _line(asking) + _line(INSPECTION) + write(void) + write(talk))
    assert _problems(catalog, ws) == []
    reading = read_entries(Ledger(ws, catalog), catalog, today(), include_voided=False, kinds=("inspection", "followup", "void"))
    assert reading.voided == {"insp000001"}
    assert {e.id for e in reading.entries} == {"insp000002", "void000003", "folw000001"}
    cell, problems = _cell(catalog, ws)
    assert problems == []
    # the red inspection of 11-20 is void: the yellow one of 11-19 is the latest that counts
    assert "督导发现问题（2022-11-19 暗访，约谈）" in cell.reasons
    assert not any("11-20" in r for r in cell.reasons)
    index = BoardIndex(catalog, Ledger(ws, catalog).read().entries)
    assert all(i.pending_days is None for i in interviews(index, today()) if i.unit == "xcb")  # 已约谈 was read


@pytest.mark.parametrize(("change", "words"), [
    ({"at": "2099-01-01T08:00:00+08:00"}, "记录时间 at 2099-01-01 晚于"),
    ({"metrics": {"场次": -5}}, "不能小于 0"),
    ({"metrics": {"场次": 1e12}}, "不能大于"),
])
def test_far_future_times_and_unbounded_metrics_are_rejected_and_ignored(
    ws: Path, catalog: Catalog, change: dict, words: str
) -> None:
    good = _line(BASE | {"color": None})
    _plant(ws, XCB, good + _line(BASE | {"id": "planted001", "color": "red"} | change))
    found = _problems(catalog, ws)
    assert len(found) == 1 and found[0].startswith(f"{XCB}:2: ") and words in found[0], found
    cell, problems = _cell(catalog, ws)
    assert "自评红" not in cell.reasons and [p.place for p in problems] == [f"{XCB}:2"]


# ------------------------------------------------------------ 16.4 over-long lines


def test_an_over_long_line_is_skipped_in_flat_memory_and_rejected(ws: Path, catalog: Catalog) -> None:
    huge = b'{"v": 1, "text": "' + b"x" * (24 << 20) + b'"}\n'  # 24 MB, more than any chunk
    _plant(ws, XCB, _line(BASE) + huge + _line(BASE | {"id": "after00001", "date": "2022-09-22"}))
    tracemalloc.start()
    try:
        reading = read_entries(Ledger(ws, catalog), catalog, today())
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 8 << 20, peak  # the 24 MB line was never held
    assert [e.id for e in reading.entries] == ["4n2ywv2svv", "after00001"]  # the line after it is line 3
    assert [p.place for p in reading.problems] == [f"{XCB}:2"]
    assert reading.problems[0].message.startswith("一行超过 65536 字节，未读取")
    assert [p.split(": ")[0] for p in _problems(catalog, ws)] == [f"{XCB}:2"]


# ------------------------------------------------------------ 16.3 the file system


def test_a_fifo_is_reported_and_never_opened(ws: Path, tmp_path: Path) -> None:
    (ws / "ledgers/2022").mkdir(parents=True, exist_ok=True)
    os.mkfifo(ws / "ledgers/2022/xcb.jsonl")  # opening it for reading would block until a writer comes
    check = run_process("--root", ws, "check", timeout=120)
    assert check.code == 1 and f"{XCB}: 不是普通文件（管道、设备或套接字？），未读取" in check.out
    status = run_process("--root", ws, "status", timeout=120)
    assert status.code == 0 and f"首处 {XCB}" in status.err


def test_an_unreadable_file_is_a_chinese_message(ws: Path) -> None:
    path = _plant(ws, XCB, _line(BASE))
    path.chmod(0)
    try:
        if os.geteuid() == 0:  # root reads anything: run the reader as nobody
            os.chmod(ws, 0o755)
            for p in [ws, *ws.rglob("*")]:
                if p != path:
                    p.chmod(0o755 if p.is_dir() else 0o644)
            parent = ws.parent
            while parent != parent.parent:
                parent.chmod(parent.stat().st_mode | 0o005)
                parent = parent.parent
            code = ("import sys, os; os.setgid(65534); os.setuid(65534); "
                    "from shuangzheng_cli.cli import main; sys.exit(main(sys.argv[1:]))")
            proc = subprocess.run([sys.executable, "-c", code, "--root", str(ws), "check"], capture_output=True, text=True,
                                  env={**os.environ, "NO_COLOR": "1", "HOME": "/tmp"}, timeout=120, check=False)
            out, err, rc = proc.stdout, proc.stderr, proc.returncode
        else:
            r = run_process("--root", ws, "check")
            out, err, rc = r.out, r.err, r.code
    finally:
        path.chmod(0o644)
    if "Traceback" in err and ("ModuleNotFoundError" in err or "PermissionError" in err) and not out:
        pytest.skip("the interpreter cannot run as an unprivileged user here (installed under /root)")
    assert rc == 1 and f"{XCB}: 无法读取：没有权限（请检查文件权限）" in out, (out, err)
    assert "Traceback" not in err


def test_a_cache_symlinked_outside_is_never_followed(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.rmtree(ws / ".shuangzheng-cache", ignore_errors=True)
    (ws / ".shuangzheng-cache").symlink_to(outside, target_is_directory=True)
    _plant(ws, XCB, _line(BASE))
    os.utime(ws / XCB, (1, 1))  # settled: would be cached
    for _ in range(2):
        assert run_process("--root", ws, "status").code == 0
    assert list(outside.iterdir()) == []  # nothing written through the link


def test_an_edited_cache_is_detected_and_ignored(ws: Path) -> None:
    _plant(ws, XCB, _line(BASE | {"color": "red"}))
    time.sleep(2.5)  # settled: a file changed in the last 2 seconds (its ctime) is never cached
    first = run_process("--root", ws, "status", "--format", "json")
    cache = ws / ".shuangzheng-cache" / "board.json"
    head, body = cache.read_bytes().split(b"\n", 1)
    assert b'"red"' in body
    cache.write_bytes(head + b"\n" + body.replace(b'"red"', b'"green"'))  # a forged board, invisible to git
    again = run_process("--root", ws, "status", "--format", "json")
    assert json.loads(again.out) == json.loads(first.out)
    assert any(c["color"] == "red" for c in json.loads(again.out)["cells"])


# ------------------------------------------------------------ 13.2 hand-edited ledgers


def test_a_last_line_without_its_newline_is_a_record(ws: Path, catalog: Catalog, cli) -> None:  # noqa: ANN001
    path = _plant(ws, XCB, _line(BASE | {"color": None}) + _line(BASE | {"id": "notepad001", "color": "red"})[:-1])
    assert _problems(catalog, ws) == []
    assert [e.id for e in read_entries(Ledger(ws, catalog), catalog, today()).entries] == ["4n2ywv2svv", "notepad001"]
    assert _cell(catalog, ws)[0].color == "red"
    r = cli("--root", ws, "check", "--repair")
    assert r.code == 0 and "补上换行符" in r.err and not path.with_name("xcb.jsonl.torn").exists()
    assert path.read_bytes().endswith(b'"evidence": []}\n') and path.read_bytes().count(b"\n") == 2


def test_add_writes_the_newline_first(ws: Path, cli) -> None:  # noqa: ANN001
    path = _plant(ws, XCB, _line(BASE)[:-1])
    r = cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "第二条")
    assert r.code == 0, r.err
    assert f"（{XCB}:2）" in r.out
    lines = path.read_bytes().split(b"\n")
    assert len(lines) == 3 and lines[2] == b"" and json.loads(lines[0])["id"] == BASE["id"]
    assert json.loads(lines[1])["text"] == "第二条"


@pytest.mark.parametrize("command", [
    ["add", "-u", "xcb", "-a", "1", "-t", "追加"],
    ["inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "--color", "红", "-t", "追加"],
    ["void", "4n2ywv2svv", "--reason", "录错"],
])
def test_a_gbk_file_receives_no_utf8_line(ws: Path, catalog: Catalog, cli, command: list[str]) -> None:  # noqa: ANN001
    gbk = json.dumps(BASE | {"id": "gbkline001", "text": "市委宣传部召开会议"}, ensure_ascii=False).encode("gbk") + b"\n"
    path = _plant(ws, XCB, _line(BASE) + gbk)
    before = path.read_bytes()
    said = [p for p in _problems(catalog, ws) if "UTF-8" in p]
    assert len(said) == 1 and said[0].startswith(f"{XCB}:2: 不是 UTF-8 编码")
    r = cli("--root", ws, *command)
    assert r.code != 0 and said[0] in r.err, r.err
    assert path.read_bytes() == before


# ------------------------------------------------------------ lines made to crash a reader


def test_a_line_nested_past_pythons_limit_is_one_problem_not_a_crash(ws: Path, catalog: Catalog) -> None:
    """`{"evidence": [[[[…]]]]}` 1,000 deep (2 KB) crashed every reader and `add` with RecursionError;
    it is now one invalid line, and the others count."""
    _plant(ws, "ledgers/2022/xcb.jsonl", _line(BASE) + b'{"evidence": ' + b"[" * 1000 + b"]" * 1000 + b"}\n")
    result = run_process("--root", ws, "check")
    assert result.code == 1 and "Traceback" not in result.err
    assert "ledgers/2022/xcb.jsonl:2: 不是有效的 JSON（括号嵌套过深" in result.out
    assert _cell(catalog, ws)[0].last_report == dt.date(2022, 9, 21)
    for args in (["status"], ["history", "--unit", "xcb"], ["add", "--unit", "xcb", "--activity", "1", "--text", "又一次进展"]):
        done = run_process("--root", ws, *args)
        assert done.code == 0 and "Traceback" not in done.err, (args, done.err)


def test_lone_surrogates_are_said_in_chinese_and_printed_escaped(ws: Path) -> None:
    r"""A `\ud800` in the unit (printed in the message) or in a text: `check` says so in Chinese on a
    UTF-8 console, writing the character as \ud800, instead of crashing or answering in English."""
    line = json.dumps(BASE | {"id": "surr000001", "unit": "\ud800"}).encode() + b"\n"
    line += json.dumps(BASE | {"id": "surr000002", "text": "x\ud800"}).encode() + b"\n"
    line += json.dumps(BASE | {"id": "surr000003", "evidence": "a.jpg"}).encode() + b"\n"
    _plant(ws, "ledgers/2022/xcb.jsonl", line)
    result = run_process("--root", ws, "check", env={"PYTHONIOENCODING": "utf-8"})
    assert result.code == 1 and "Traceback" not in result.err, result.err
    assert "'\\ud800'" in result.out  # the unit, escaped
    assert "xcb.jsonl:2: 内容 text 含有无效的 Unicode 字符" in result.out
    assert "xcb.jsonl:3: 佐证 evidence 须为列表" in result.out
    assert "Input should" not in result.out


@pytest.mark.parametrize("pinned", ["9999-12-31", "0001-01-01", "1999-12-31"])
def test_a_today_outside_the_calendar_is_a_usage_error(ws: Path, pinned: str) -> None:
    result = run_process("--root", ws, "status", env={"SHUANGZHENG_TODAY": pinned})
    assert "Traceback" not in result.err and "OverflowError" not in result.err, result.err
    assert result.code == 2
    assert f"环境变量 SHUANGZHENG_TODAY='{pinned}' 超出范围：须在 2000-01-01 至 2099-12-31 之间" in result.err
