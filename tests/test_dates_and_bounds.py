"""Dates and numbers people type (issue 13 item 5, issue 16 item 7), through the real command line.

One rule for every document about a period: a period that has not started is refused; a
period in progress is as of today; otherwise as of its last day. Every `--week` takes a day
inside the week; `--format` takes any case. Every numeric option has bounds, and a value past
them is a usage error (exit 2) naming the option, never a traceback.
"""

from __future__ import annotations

import re
from pathlib import Path

import openpyxl
import pytest
from conftest import run_process

TODAY = {"SHUANGZHENG_TODAY": "2022-11-07"}  # a Monday: 2022-W45 began today


def _one_error(r) -> str:
    assert "Traceback" not in r.err
    lines = [line for line in r.err.splitlines() if line.strip()]
    assert lines, r.out
    return lines[0]


@pytest.mark.parametrize("args", [
    ["export", "--week", "2022-W48"],
    ["export", "--week", "2022-11-29"],  # a day of that week
    ["export", "--period", "2022-12"],
    ["report", "week", "2022-W48"],
    ["report", "half-year", "2023H1"],
])
def test_a_period_that_has_not_started_is_refused(workspace: Path, tmp_path: Path, args: list[str]) -> None:
    here = tmp_path / "here"
    here.mkdir()
    r = run_process("--root", workspace, *args, cwd=here, env=TODAY)
    assert r.code == 2
    assert re.fullmatch(r"错误：\S+ 尚未开始（今天是 2022-11-07），无从统计", _one_error(r))
    assert list(here.iterdir()) == []  # no workbook written


def test_a_week_in_progress_is_as_of_today_and_any_day_names_the_week(workspace: Path, tmp_path: Path) -> None:
    out = tmp_path / "本周.xlsx"
    r = run_process("--root", workspace, "export", "--week", "2022-11-09", "-o", out, env=TODAY)
    assert r.code == 0, r.err
    assert "（2022-W45，截至 2022-11-07）" in r.out
    book = openpyxl.load_workbook(out)
    texts = [str(c.value) for row in book.worksheets[0].iter_rows(max_row=3) for c in row if c.value]
    assert any("截至 2022-11-07" in t for t in texts), texts
    assert not any("截至 2022-11-13" in t for t in texts)  # not the week's last day, which is still to come


def test_a_finished_week_is_as_of_its_last_day(workspace: Path, tmp_path: Path) -> None:
    r = run_process("--root", workspace, "export", "--week", "2022-11-02", "-o", tmp_path / "x.xlsx", env=TODAY)
    assert r.code == 0, r.err
    assert "（2022-W44，截至 2022-11-06）" in r.out


@pytest.mark.parametrize(("command", "value"), [("status", "JSON"), ("status", "Json"), ("remind", "JSON"),
                                                 ("score", "Json"), ("report", "JSON")])
def test_format_values_are_case_insensitive(workspace: Path, command: str, value: str) -> None:
    args = ["report", "week", "2022-W44"] if command == "report" else [command]
    r = run_process("--root", workspace, *args, "--format", value, env=TODAY)
    assert r.code == 0, r.err
    assert r.out.lstrip()[:1] in "{["


@pytest.mark.parametrize(("args", "message"), [
    (["score", "--year", "10000"], "用法错误：--year / -y 的值无效：须在 2000 至 2099 之间"),
    (["score", "--year", "-5"], "用法错误：--year / -y 的值无效：须在 2000 至 2099 之间"),
    (["score", "--year", "1" * 20], "用法错误：--year / -y 的值无效：须在 2000 至 2099 之间"),
    (["status", "--category", "1" * 20], "用法错误：--category / -c 的值无效：须在 1 至 99 之间"),
    (["remind", "--days", "-1"], "用法错误：--days / -n 的值无效：须在 0 至 366 之间"),
    (["bulletin", "--top", "0"], "用法错误：--top 的值无效：须在 1 至 100000 之间"),
    (["bulletin", "--top", "9" * 30], "用法错误：--top 的值无效：须在 1 至 100000 之间"),
    (["status", "--as-of", "0001-01-01"], "错误：--as-of 截至日期 '0001-01-01' 超出范围：须在 2000-01-01 至 2099-12-31 之间"),
    (["alerts", "--as-of", "9999-12-31"], "错误：--as-of 截至日期 '9999-12-31' 超出范围：须在 2000-01-01 至 2099-12-31 之间"),
    (["add", "-u", "xcb", "-a", "1", "-t", "x", "--date", "1999-12-31"],
     "错误：--date 日期 '1999-12-31' 超出范围：须在 2000-01-01 至 2099-12-31 之间"),
    (["report", "week", "9999-W52"], "错误：周 '9999-W52' 超出范围：须在 2000-01-01 至 2099-12-31 之间"),
    (["history", "--period", "0001"], "错误：时段 '0001' 超出范围：须在 2000-01-01 至 2099-12-31 之间"),
])
def test_numbers_and_dates_out_of_bounds_are_usage_errors(workspace: Path, args: list[str], message: str) -> None:
    before = sorted(p.name for p in (workspace / "ledgers").rglob("*"))
    r = run_process("--root", workspace, *args, env=TODAY)
    assert r.code == 2
    assert _one_error(r) == message
    assert sorted(p.name for p in (workspace / "ledgers").rglob("*")) == before
