"""The Python API as the documentation shows it: the board, a bulletin and a half-year report,
run verbatim in a real process, without loading Typer (or any part of the command line)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import REPO

CHECK = """
import sys
loaded = sorted(m for m in sys.modules if m == "typer" or m.startswith(("typer.", "click", "shuangzheng_cli.cli")))
assert not loaded, loaded
print("不含命令行")
"""


def _python_api_block() -> str:
    """The ```python block that uses shuangzheng_cli, wherever the README or docs/ keep it (exactly one)."""
    blocks = []
    for path in [REPO / "README.md", *sorted((REPO / "docs").glob("**/*.md"))]:
        if path.is_file():
            text = path.read_text(encoding="utf-8")
            blocks += [b for b in re.findall(r"```python\n(.*?)```", text, re.S) if "shuangzheng_cli" in b]
    assert len(blocks) == 1, f"{len(blocks)} Python examples found"
    return blocks[0]


def test_python_api_makes_board_bulletin_and_half_year_without_typer(tmp_path: Path) -> None:
    init = subprocess.run(
        [sys.executable, "-m", "shuangzheng_cli", "init", "霸州台账"], cwd=tmp_path, capture_output=True, text=True
    )
    assert init.returncode == 0, init.stderr
    proc = subprocess.run(
        [sys.executable, "-c", _python_api_block() + CHECK],
        cwd=tmp_path / "霸州台账",
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    # the entry it appended, read back
    assert lines[0] == "2022-09-21 xcb 召开动员部署会"
    # by 2022-10-31 nothing more was reported: 40 days since 09-21 (more than 28) make the cell red
    assert lines[1].startswith("red (") and "40 天未报送" in lines[1]
    # the bulletin's title and the half-year report's title, rendered as Markdown
    assert "# 关于“双争”活动开展情况的通报" in lines
    assert "# 市委宣传部“双争”活动2022年下半年工作情况报告" in lines
    assert lines[-1] == "不含命令行"
    assert (tmp_path / "霸州台账" / "ledgers" / "2022" / "xcb.jsonl").read_text(encoding="utf-8").count("\n") == 1
