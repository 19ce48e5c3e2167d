"""`check` over ledger files: every problem at its `file:line`, exit 1; a clean ledger exits 0. And --repair."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

GOOD = {"v": 1, "id": "good0001", "kind": "progress", "date": "2022-09-21", "unit": "xcb", "activity": 1,
        "by": "张三", "at": "2022-09-21T10:00:00+08:00", "color": "green", "text": "召开动员会", "problems": "",
        "next": "", "metrics": {"场次": 1}, "evidence": []}


def line(**changes) -> bytes:
    rec = {**GOOD, "id": "bad00002", **changes}
    rec = {k: v for k, v in rec.items() if v is not DROP}
    return json.dumps(rec, ensure_ascii=False).encode() + b"\n"


DROP = object()


@pytest.fixture
def ws(workspace: Path) -> Path:
    """A workspace whose ledgers/2022/xcb.jsonl holds one valid entry (line 1)."""
    root = workspace
    path = root / "ledgers/2022/xcb.jsonl"
    path.parent.mkdir(parents=True)
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode() + b"\n")
    return root


def problem_lines(out: str) -> list[str]:
    return [x for x in out.splitlines() if x.startswith("ledgers/")]


def test_clean_ledger_exits_0(ws: Path, cli) -> None:
    r = cli("--root", ws, "check")
    assert (r.code, r.out) == (0, "")
    assert "检查通过" in r.err and "台账文件 1 个" in r.err


XCB = "ledgers/2022/xcb.jsonl"
CASES = [
    # (id, file, bytes appended, expected place, words)
    ("invalid json", XCB, b'{"v": 1, "id": "x\n', f"{XCB}:2", ["不是有效的 JSON"]),
    ("not an object", XCB, b"[1, 2]\n", f"{XCB}:2", ["JSON 对象"]),
    ("nul bytes", XCB, line(text="a\x00b").replace(b"\\u0000", b"\x00"), f"{XCB}:2", ["NUL 字节"]),
    ("conflict ours", XCB, b"<<<<<<< HEAD\n", f"{XCB}:2", ["合并冲突标记"]),
    ("conflict middle", XCB, b"=======\n", f"{XCB}:2", ["合并冲突标记"]),
    ("conflict theirs", XCB, b">>>>>>> origin/main\n", f"{XCB}:2", ["合并冲突标记"]),
    ("missing field", XCB, line(by=DROP), f"{XCB}:2", ["缺少字段 记录人 by"]),
    ("missing text", XCB, line(text=DROP), f"{XCB}:2", ["缺少字段 内容 text"]),
    ("bad kind", XCB, line(kind="note"), f"{XCB}:2", ["类型 kind 须为 progress、inspection、followup 或 void"]),
    ("bad color", XCB, line(color="purple"), f"{XCB}:2", ["颜色 color", "'purple'"]),
    ("text too long", XCB, line(text="字" * 2001), f"{XCB}:2", ["内容 text 超过 2000 字"]),
    ("extra field", XCB, line(score=5), f"{XCB}:2", ["多余的字段 'score'"]),
    ("bad version", XCB, line(v=2), f"{XCB}:2", ["版本 v"]),
    ("bad id", XCB, line(id="X!"), f"{XCB}:2", ["编号 id"]),
    ("unknown unit", "ledgers/2022/xcbb.jsonl", line(unit="xcbb"), "ledgers/2022/xcbb.jsonl:1",
     ["未知单位编号 'xcbb'", "最接近的是 xcb（市委宣传部）"]),
    ("unknown activity", XCB, line(activity=19), f"{XCB}:2", ["未知活动 19"]),
    ("not the unit's activity", XCB, line(activity=5), f"{XCB}:2", ["不是 市委宣传部 的责任任务"]),
    ("before the campaign", XCB, line(date="2022-08-31"), f"{XCB}:2", ["早于活动开始（2022-09-01）"]),
    ("in the future", XCB, line(date="2022-12-01"), f"{XCB}:2", ["在今天（2022-11-30）之后"]),
    ("bad date", XCB, line(date="2022-9-1"), f"{XCB}:2", ["日期 date"]),
    ("wrong unit file", XCB, line(unit="wmb", activity=4), f"{XCB}:2", ["属于单位 'wmb'", "xcb.jsonl"]),
    ("wrong year folder", "ledgers/2023/xcb.jsonl", line(), "ledgers/2023/xcb.jsonl:1",
     ["属于 2022 年", "2023/"]),
    ("same id, other content", XCB, line(id="good0001", text="另一条"), f"{XCB}:2",
     ["编号 good0001 重复", "内容不同"]),
    ("void of nothing", XCB,
     line(kind="void", color=DROP, problems=DROP, next=DROP, metrics=DROP, evidence=DROP, ref="zzzz9999", text="错"),
     f"{XCB}:2", ["作废的记录 zzzz9999 不存在"]),
    ("torn last line", XCB, line()[:40], f"{XCB}:2", ["最后一行不完整"]),
    ("not utf-8", XCB, line(text="霸州").replace("霸州".encode(), "霸州".encode("gbk")), f"{XCB}:2",
     ["不是 UTF-8 编码"]),
]


@pytest.mark.parametrize("file, data, place, words", [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_check_reports_each_problem_at_its_line(ws: Path, cli, file: str, data: bytes, place: str, words: list[str]) -> None:
    path = ws / file
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("ab") as fh:
        fh.write(data)
    before = path.read_bytes()
    r = cli("--root", ws, "check")
    assert r.code == 1
    found = problem_lines(r.out)
    assert len(found) == 1, r.out  # one problem, no noise
    assert found[0].startswith(f"{place}: ")
    for word in words:
        assert word in found[0]
    assert "发现 1 个问题" in r.err
    assert path.read_bytes() == before  # check never writes


def test_a_line_repeated_byte_for_byte_is_a_notice_and_passes(ws: Path, cli) -> None:
    """A union merge of two clones that wrote the same line keeps it twice: readers count it once,
    nothing is lost, so `check` lists it (leave it as it is) and passes; with a real problem
    beside it, only the problem is counted."""
    path = ws / XCB
    with path.open("ab") as fh:
        fh.write(json.dumps(GOOD, ensure_ascii=False).encode() + b"\n")
    r = cli("--root", ws, "check")
    assert r.code == 0, r.out + r.err
    assert problem_lines(r.out) == [
        f"{XCB}:2: 编号 good0001 重复：与 {XCB}:1 完全相同（合并时产生的重复行，读取时只计一次）："
        "无需处理，可照常提交和推送；不要删除这一行（已提交的记录删除后无法提交）"
    ]
    assert "检查通过" in r.err and "另有 1 行与前面的行完全相同（合并时产生），读取时只计一次，无需处理" in r.err
    assert "未通过检查" not in cli("--root", ws, "history").err  # reading commands do not warn of it
    with path.open("ab") as fh:
        fh.write(b"not json\n")
    r = cli("--root", ws, "check")
    assert r.code == 1 and len(problem_lines(r.out)) == 2
    assert "发现 1 个问题。另有 1 行与前面的行完全相同" in r.err
    assert "注意：台账中有 1 行未通过检查，未计入（首处 ledgers/2022/xcb.jsonl:3）" in cli("--root", ws, "history").err


@pytest.mark.parametrize(("data", "reason"), [
    (b'{"v": 1,}', "第 9 个字符处：最后一项后面多了逗号"),
    (b"{'v': 1}", "第 2 个字符处：键须用英文双引号括起"),
    (b'{"v": 1} {"v": 2}', "第 10 个字符处：一行只能有一个 JSON 对象，后面还有多余内容"),
    (b'{"a": "\\x41"}', "第 8 个字符处：无效的反斜杠转义"),
    (b'{"a": "\tb"}', "第 8 个字符处：字符串中有控制字符（如制表符，须写成 \\t）"),
    (b'{"a" 1}', "第 6 个字符处：键后缺少英文冒号 :"),
    (b'{"a": 1 "b": 2}', "第 9 个字符处：缺少英文逗号 , 或右括号"),
    (b'{"a": "\\u12"}', "第 9 个字符处：无效的 \\u 转义"),
    (b'{"v": }', "第 7 个字符处：缺少值"),
    (b'[1, 2,]', "第 7 个字符处：最后一项后面多了逗号"),
    ("\ufeff".encode() + json.dumps(GOOD).encode(), "行首有 BOM 字节顺序标记"),  # two Notepad files joined
])
def test_bad_json_is_explained_in_chinese(ws: Path, cli, data: bytes, reason: str) -> None:
    with (ws / XCB).open("ab") as fh:
        fh.write(data + b"\n")
    found = problem_lines(cli("--root", ws, "check").out)
    assert len(found) == 1 and found[0].startswith(f"{XCB}:2: 不是有效的 JSON（")
    assert reason in found[0]
    assert not re.search(r"[a-z]{4,}", found[0].split(": ", 1)[1]), found[0]  # none of the parser's English (Expecting, Extra data…)


def test_check_lists_every_problem_sorted_by_place(ws: Path, cli) -> None:
    other = ws / "ledgers/2022/wmb.jsonl"
    other.write_bytes(line(id="wmb00001", unit="wmb", activity=19) + b"oops\n")
    with (ws / XCB).open("ab") as fh:
        fh.write(line(color="purple") + line(id="bad00003", date="2022-12-25"))
    r = cli("--root", ws, "check")
    assert r.code == 1
    places = [x.split(": ")[0] for x in problem_lines(r.out)]
    assert places == ["ledgers/2022/wmb.jsonl:1", "ledgers/2022/wmb.jsonl:2", f"{XCB}:2", f"{XCB}:3"]
    assert "发现 4 个问题" in r.err


def test_check_reports_stray_and_symlinked_files(ws: Path, cli, tmp_path: Path) -> None:
    (ws / "ledgers/xcb.jsonl").write_bytes(b"")
    outside = tmp_path / "outside.jsonl"
    outside.write_bytes(line(unit="wmb", activity=4))
    (ws / "ledgers/2022/wmb.jsonl").symlink_to(outside)
    r = cli("--root", ws, "check")
    assert r.code == 1
    found = problem_lines(r.out)
    assert any(x.startswith("ledgers/2022/wmb.jsonl: ") and "符号链接" in x for x in found)
    assert any(x.startswith("ledgers/xcb.jsonl: ") and "ledgers/<年份>/<单位编号>.jsonl" in x for x in found)


# ---------------------------------------------------------------- torn line, end to end


def test_torn_line_reported_add_refuses_repair_keeps_the_fragment(ws: Path, cli) -> None:
    path = ws / XCB
    assert cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "第二条记录").code == 0
    whole = path.read_bytes()
    first_end = whole.index(b"\n") + 1
    cut = first_end + 57  # in the middle of line 2
    path.write_bytes(whole[:cut])
    fragment = whole[first_end:cut]

    r = cli("--root", ws, "check")
    assert r.code == 1
    assert problem_lines(r.out) == [f"{XCB}:2: 最后一行不完整（没有换行符，写入中断？）"]
    assert "check --repair" in r.err

    r = cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "第三条")
    assert r.code == 1
    assert XCB in r.err and "最后一行不完整" in r.err and "shuangzheng check --repair" in r.err
    assert path.read_bytes() == whole[:cut]

    r = cli("--root", ws, "check", "--repair")
    assert r.code == 0, r.out
    assert f"已修复 {XCB}" in r.err and f"{XCB}.torn" in r.err and "57 字节" in r.err
    assert path.read_bytes() == whole[:first_end]  # ends clean, at its last newline
    torn = path.with_name("xcb.jsonl.torn")
    assert torn.read_bytes() == fragment + b"\n"  # nothing deleted
    assert path.read_bytes() + torn.read_bytes()[:-1] == whole[:cut]

    assert cli("--root", ws, "check", "--repair").code == 0  # idempotent: nothing more to do
    assert torn.read_bytes() == fragment + b"\n"

    r = cli("--root", ws, "add", "-u", "xcb", "-a", "1", "-t", "第三条")
    assert r.code == 0, r.err
    assert f"{XCB}:2" in r.out
    assert cli("--root", ws, "check").code == 0


def test_torn_line_in_a_big_file_is_found_from_the_end(ws: Path, cli) -> None:
    path = ws / XCB
    body = b"".join(line(id=f"big{i:05d}", text="长" * 1000) for i in range(40))  # ~120 KB
    with path.open("ab") as fh:
        fh.write(body + b'{"v": 1, "id": "frag')
    assert cli("--root", ws, "check", "--repair").code == 0
    assert path.read_bytes().endswith(body)
    assert path.with_name("xcb.jsonl.torn").read_bytes() == b'{"v": 1, "id": "frag\n'
