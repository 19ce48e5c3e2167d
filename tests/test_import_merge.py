"""Two clerks import the same returned workbook in two clones, then merge (real git, a bare hub).

An imported line is derived from the workbook (id from the row's content, `at` from when the
workbook was last saved, `by` from 填报人 or the unit's liaison), so both clones write the
same bytes: the union merge keeps one line per record, `check` passes, the hook lets commits in.
"""

from __future__ import annotations

import datetime as dt
import json
import subprocess
from pathlib import Path

import openpyxl
from conftest import run_process
from test_git_merge import _isolated_git, git, identify  # noqa: F401

XCB = "ledgers/2022/xcb.jsonl"


def returned_workbook(office: Path, path: Path) -> Path:
    r = run_process("--root", office, "template", "--unit", "xcb", "--period", "2022-W39", "-o", path)
    assert r.code == 0, r.err
    wb = openpyxl.load_workbook(path)
    ws = wb["填报"]
    rows = [
        [dt.date(2022, 9, 26), "1.理论学习宣讲", "绿", "宣讲两场", None, None, "场次=2；参与人数=1,200", "张三"],
        [dt.date(2022, 9, 27), 8, None, "主题班会", "覆盖面小", None, None, None],  # no 填报人
    ]
    for r, values in enumerate(rows, start=3):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    wb.save(path)
    return path


def test_two_clerks_import_the_same_workbook_and_merge(tmp_path: Path, cli) -> None:
    recorders = ("小王", "小李")  # two clerks, each with their own recorder
    office = tmp_path / "office"
    assert cli("init", office).code == 0
    identify(office, "办公室")
    git(office, "add", "-A")
    git(office, "commit", "-q", "-m", "工作区")
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office), str(hub)], check=True)
    book = returned_workbook(office, tmp_path / "宣传部发回.xlsx")
    clones = []
    for name, recorder in zip(("a", "b"), recorders, strict=True):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True)
        identify(clone, recorder)
        # each clerk has their own recorder and clock: neither may reach the line
        r = run_process("--root", clone, "import", book, env={"SHUANGZHENG_BY": recorder})
        assert r.code == 0, r.err
        assert "读取 2 行，新增 2 条" in r.out
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", f"导入（{recorder}）")  # through the pre-commit hook
        clones.append(clone)
    a, b = clones
    assert (a / XCB).read_bytes() == (b / XCB).read_bytes()  # the same bytes in both clones
    git(a, "push", "-q", "origin", "HEAD")
    pull = git(b, "pull", "--no-rebase", "-q", "origin", "main")
    assert "CONFLICT" not in pull.stdout + pull.stderr
    git(b, "push", "-q", "origin", "HEAD")
    git(a, "pull", "--no-rebase", "-q", "origin", "main")
    for clone in (a, b):
        lines = (clone / XCB).read_text(encoding="utf-8").splitlines()
        records = [json.loads(line) for line in lines]
        assert sorted(r["text"] for r in records) == ["主题班会", "宣讲两场"]  # each record once
        assert sorted(r["by"] for r in records) == ["市委宣传部联络员", "张三"]
        check = run_process("--root", clone, "check")
        assert check.code == 0, check.out + check.err
        history = json.loads(run_process("--root", clone, "history", "-u", "xcb", "-f", "json").out)
        assert len(history) == 2
        (clone / "备注.txt").write_text("合并之后的下一次提交\n", encoding="utf-8")
        git(clone, "add", "-A")
        git(clone, "commit", "-q", "-m", "合并后提交")  # the hook runs `check` and lets it in
    # importing again in either clone adds nothing
    r = run_process("--root", a, "import", book, env={"SHUANGZHENG_BY": "小赵"})
    assert r.code == 0 and "新增 0 条，已存在 2 条" in r.out
