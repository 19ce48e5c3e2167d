"""Outside a workspace (issue 13 item 4): no document is made from an empty ledger without a word.

Documents (`export`, `report`, `score`, `bulletin`, and `remind`, which would urge every unit) refuse, naming `--root` and `shuangzheng init`,
and write nothing; listings (`status`, `alerts`, `history`) say in one line that no workspace was
found, then show what an empty ledger shows. Each runs as a real subprocess in an empty folder.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_process

ENV = {"SHUANGZHENG_TODAY": "2022-11-30"}
NOTE = "注意：未找到台账工作区（当前目录及其上级都没有 data/activities.yaml），以下按空台账显示（可用 --root 指定工作区）"


@pytest.mark.parametrize("args", [
    ["export", "--week", "2022-W47"],
    ["report", "week", "2022-W47", "--format", "md"],
    ["report", "half-year", "2022H2"],
    ["score", "--year", "2022"],
    ["bulletin"],
    ["remind"],
    ["status", "-o", "挂图.md"],  # a listing written to a file is a document: never an all-red file
    ["alerts", "-o", "预警.csv"],
    ["history", "--format", "json", "-o", "台账.json"],
])
def test_a_document_outside_a_workspace_is_refused(tmp_path: Path, args: list[str]) -> None:
    r = run_process(*args, cwd=tmp_path, env=ENV)
    assert r.code == 2
    assert r.out == ""
    assert r.err.strip() == (
        "错误：未找到台账工作区（当前目录及其上级都没有 data/activities.yaml），不能生成文档："
        "请用 --root 指定工作区目录，或先运行 `shuangzheng init` 创建工作区"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize("args", [["status"], ["alerts"], ["history"], ["status", "--format", "json"]])
def test_a_listing_outside_a_workspace_says_so_in_one_line(tmp_path: Path, args: list[str]) -> None:
    r = run_process(*args, cwd=tmp_path, env=ENV)
    assert r.code == 0, r.err
    assert r.err.splitlines() == [NOTE]
    assert r.out.strip()  # and still shows the (empty) listing
    assert list(tmp_path.iterdir()) == []
