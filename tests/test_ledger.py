"""The ledger as a Python API: append, entries, void; ids; atomic writes; paths that cannot escape."""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import re
from dataclasses import replace
from pathlib import Path

import pytest

from shuangzheng_cli.errors import LedgerError, UsageProblem
from shuangzheng_cli.ledger.entries import inspection, progress
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger, derived_id, encode_line, new_id
from shuangzheng_cli.periods import parse_period

ID_RE = re.compile(r"^[a-z0-9]{4,32}$")


@pytest.fixture
def ws(workspace: Path) -> Path:
    return workspace


def entry(id_: str = "abcd0001", unit: str = "xcb", activity: int = 1, date: str = "2022-09-21", **kw) -> Entry:
    return Entry(id=id_, kind="progress", date=dt.date.fromisoformat(date), unit=unit, activity=activity,
                 by="张三", at=f"{date}T10:00:00+08:00", text=kw.pop("text", "宣讲"), **kw)


# ---------------------------------------------------------------- the README example


def test_readme_example(ws: Path) -> None:
    ledger = Ledger(ws)
    ledger.append([progress("xcb", 1, "召开动员部署会", date="2022-09-21", color="绿", metrics={"场次": 1})])
    found = ledger.entries(period=parse_period("2022-09"), unit="xcb")
    assert [(e.date, e.unit, e.activity, e.color, e.text, e.metrics) for e in found] == [
        (dt.date(2022, 9, 21), "xcb", 1, "green", "召开动员部署会", {"场次": 1})]
    assert found[0].place == "ledgers/2022/xcb.jsonl:1"
    assert ledger.entries(period=parse_period("2022-10"), unit="xcb") == []


def test_append_returns_entries_with_their_place_in_order(ws: Path) -> None:
    ledger = Ledger(ws)
    placed = ledger.append([entry("abcd0001"), entry("abcd0002", unit="wmb", activity=4), entry("abcd0003")])
    assert [(e.id, e.place) for e in placed] == [
        ("abcd0001", "ledgers/2022/xcb.jsonl:1"), ("abcd0002", "ledgers/2022/wmb.jsonl:1"),
        ("abcd0003", "ledgers/2022/xcb.jsonl:2")]


def test_encode_line_exact_bytes() -> None:
    e = entry(color="blue", metrics={"场次": 3.0, "比例": 0.5}, evidence=("a.jpg",))
    assert encode_line(e) == (
        '{"v": 1, "id": "abcd0001", "kind": "progress", "date": "2022-09-21", "unit": "xcb", "activity": 1, '
        '"by": "张三", "at": "2022-09-21T10:00:00+08:00", "color": "blue", "text": "宣讲", "problems": "", '
        '"next": "", "metrics": {"场次": 3, "比例": 0.5}, "evidence": ["a.jpg"]}\n'
    ).encode()


def test_entries_are_read_into_equal_entries(ws: Path) -> None:
    original = inspection("wmb", 4, "暗访", "红", "台账缺失", followup="约谈", date=dt.date(2022, 10, 1), by="督查组")
    Ledger(ws).append([original])
    (back,) = Ledger(ws).entries()
    assert back == replace(original, source="ledgers/2022/wmb.jsonl", line=1)
    assert (back.method, back.color, back.followup, back.by) == ("暗访", "red", ("约谈",), "督查组")


@pytest.mark.parametrize(
    "make, words",
    [
        (lambda: progress("xcb", 1, ""), "进展情况不能为空"),
        (lambda: progress("xcb", 1, "x", color="橙"), "颜色 '橙' 无效"),
        (lambda: progress("xcb", 1, "x", metrics={"场次": -1}), "须为非负数"),
        (lambda: progress("xcb", 1, "x", metrics=["场次"]), "名称=数量"),
        (lambda: progress("xcb", 1, "x", date="2022-02-30"), "日期 '2022-02-30' 无效"),
        (lambda: inspection("xcb", 1, "巡查", "红", "x"), "方式 '巡查' 无效"),
        (lambda: inspection("xcb", 1, "暗访", "红", "x", followup="处分"), "后续处理 '处分' 无效"),
    ],
)
def test_making_a_bad_entry_is_refused(make, words: str) -> None:
    with pytest.raises(UsageProblem) as info:
        make()
    assert words in info.value.message


@pytest.mark.parametrize(
    "bad, words",
    [
        (entry(activity=5), "不是 市委宣传部 的责任任务"),
        (entry(unit="xcbb"), "最接近的是 xcb"),
        (entry(date="2022-12-01"), "在今天（2022-11-30）之后"),
        (entry(date="2022-08-01"), "早于活动开始"),
        (entry(color="purple"), "颜色 color"),
        (entry(text="x" * 2001), "超过 2000 字"),
        (entry(id_="Not-An-Id"), "编号 id"),
    ],
)
def test_append_validates_against_the_definitions_and_writes_nothing(ws: Path, bad: Entry, words: str) -> None:
    ledger = Ledger(ws)
    with pytest.raises(UsageProblem) as info:
        ledger.append([entry("good0001"), bad])  # one bad entry: no entry is written
    assert words in info.value.message
    assert not (ws / "ledgers/2022").exists()


# ---------------------------------------------------------------- ids


def test_ids_unique_under_rapid_creation_and_well_formed() -> None:
    ids = [new_id() for _ in range(100_000)]
    assert len(set(ids)) == 100_000
    assert all(ID_RE.match(i) for i in ids)
    assert {len(i) for i in ids} == {10}
    assert not set("ilou").intersection("".join(ids[:2000]))  # no letters that read as digits


def test_derived_id_is_stable_and_distinct() -> None:
    a = derived_id("报送模板.xlsx", "C7", "xcb", "2022-09-21")
    assert a == derived_id("报送模板.xlsx", "C7", "xcb", "2022-09-21")
    assert ID_RE.match(a) and len(a) == 10
    assert a != derived_id("报送模板.xlsx", "C8", "xcb", "2022-09-21")
    assert derived_id("ab", "c") != derived_id("a", "bc")


# ---------------------------------------------------------------- atomic writes


def test_short_write_is_rolled_back(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = Ledger(ws)
    ledger.append([entry("keep0001")])
    path = ws / "ledgers/2022/xcb.jsonl"
    before = path.read_bytes()
    real_write = os.write

    def half(fd: int, data: bytes) -> int:
        return real_write(fd, data[: len(data) // 2])

    monkeypatch.setattr(os, "write", half)
    with pytest.raises(LedgerError) as info:
        ledger.append([entry("lost0001")])
    monkeypatch.undo()
    assert path.read_bytes() == before
    message = info.value.message
    assert "写入 ledgers/2022/xcb.jsonl 失败" in message and "只写入了" in message and "文件保持原样" in message
    assert ledger.append([entry("next0001")])[0].place == "ledgers/2022/xcb.jsonl:2"


def test_failure_in_a_later_file_rolls_back_every_file(ws: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    ledger = Ledger(ws)
    ledger.append([entry("keep0001"), entry("keep0002", unit="wmb", activity=4)])
    before = {p: p.read_bytes() for p in (ws / "ledgers/2022").iterdir()}
    real_write = os.write
    calls = []

    def full_disk_on_third(fd: int, data: bytes) -> int:
        calls.append(data)
        if len(calls) == 3:
            raise OSError(errno.ENOSPC, "No space left on device")
        return real_write(fd, data)

    monkeypatch.setattr(os, "write", full_disk_on_third)
    batch = [entry("new00001", unit="wmb", activity=4), entry("new00002"), entry("new00003")]
    with pytest.raises(LedgerError, match="磁盘已满"):
        ledger.append(batch)
    monkeypatch.undo()
    assert len(calls) == 3  # two lines were written before the failure, then cut back
    assert {p: p.read_bytes() for p in (ws / "ledgers/2022").iterdir()} == before


# ---------------------------------------------------------------- paths


@pytest.mark.parametrize("unit", ["../x", "..", "a/b", "/etc/passwd", "xcb\n", "XCB", "x", "", "xcb.jsonl", "宣传部"])
def test_a_unit_that_is_not_an_id_never_becomes_a_path(ws: Path, unit: str) -> None:
    ledger = Ledger(ws)
    with pytest.raises(LedgerError, match="不合规"):
        ledger.path_for(unit, dt.date(2022, 9, 1))
    with pytest.raises(LedgerError, match="不合规"):
        ledger.entries(unit=unit)
    with pytest.raises((LedgerError, UsageProblem)):
        ledger.append([entry(unit=unit)], validate=False)
    assert [p for p in ws.rglob("*") if p.is_file() and "ledgers" in p.parts and p.name != ".gitkeep"] == []


def test_ledger_file_symlinked_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere.jsonl"
    outside.write_bytes(b"")
    (ws / "ledgers/2022").mkdir()
    (ws / "ledgers/2022/xcb.jsonl").symlink_to(outside)
    ledger = Ledger(ws)
    with pytest.raises(LedgerError) as info:
        ledger.append([entry()])
    assert "ledgers/2022/xcb.jsonl" in info.value.message and "拒绝写入" in info.value.message
    assert outside.read_bytes() == b""
    assert ledger.entries() == []  # readers do not follow it either
    assert "符号链接" in ledger.skipped[0].message


def test_year_folder_symlinked_outside_is_refused(ws: Path, tmp_path: Path) -> None:
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    (ws / "ledgers/2022").symlink_to(outside, target_is_directory=True)
    with pytest.raises(LedgerError, match="ledgers/ 之外"):
        Ledger(ws).append([entry()])
    assert list(outside.iterdir()) == []


# ---------------------------------------------------------------- reading


def test_readers_count_a_merge_duplicated_line_once_and_skip_bad_lines(ws: Path) -> None:
    ledger = Ledger(ws)
    ledger.append([entry("dup00001"), entry("other001", date="2022-09-22")])
    path = ws / "ledgers/2022/xcb.jsonl"
    first = path.read_bytes().splitlines(keepends=True)[0]
    with path.open("ab") as fh:
        fh.write(first + b"<<<<<<< HEAD\n" + b'{"v": 1, "id": "typo", "kind": "progress", "activity": "1"}\n')
    fresh = Ledger(ws)
    assert [e.id for e in fresh.entries()] == ["dup00001", "other001"]
    assert [(p.line, p.message[:6]) for p in fresh.skipped] == [(4, "git 合并"), (5, "记录缺少字段")]


def test_void_through_the_api(ws: Path) -> None:
    ledger = Ledger(ws)
    ledger.append([entry("void0001"), entry("keep0001", date="2022-09-22")])
    (void,) = ledger.void("void0001", "重复录入", by="王五")
    assert (void.kind, void.ref, void.unit, void.activity, void.place) == (
        "void", "void0001", "xcb", 1, "ledgers/2022/xcb.jsonl:3")
    assert [e.id for e in ledger.entries()] == ["keep0001"]
    assert [e.id for e in ledger.entries(include_voided=True, kinds=("progress", "void"))] == [
        "void0001", "keep0001", void.id]
    with pytest.raises(UsageProblem, match="已经作废过了"):
        ledger.void("void0001", "再来一次")


def test_a_void_in_a_later_year_still_cancels(ws: Path) -> None:
    ledger = Ledger(ws)
    ledger.append([entry("old00001", date="2022-11-20")])
    path = ws / "ledgers/2023/xcb.jsonl"
    path.parent.mkdir()
    void = {"v": 1, "id": "void2023", "kind": "void", "date": "2023-01-05", "unit": "xcb", "activity": 1,
            "by": "张三", "at": "2023-01-05T09:00:00+08:00", "ref": "old00001", "text": "作废"}
    path.write_text(json.dumps(void, ensure_ascii=False) + "\n", encoding="utf-8")
    assert ledger.entries(period=parse_period("2022")) == []
    assert ledger.entries(unit="xcb") == []
