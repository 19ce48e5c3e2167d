"""Many real processes appending to the same ledger file at once; a lock held by another process."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

from conftest import run_process

DRIVER = r"""
import os, sys, time
from shuangzheng_cli.ledger.storage import Ledger
from shuangzheng_cli.ledger.entries import progress

root, n, go = sys.argv[1], int(sys.argv[2]), sys.argv[3]
ledger = Ledger(root)
ledger.catalog  # load the definitions before the start signal
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(200):
    # every 10th line is ~4.5 KB, longer than PIPE_BUF: must still land whole
    text = f"进程{n}-第{i}条" + ("长" * 1500 if i % 10 == 0 else "")
    ledger.append([progress("xcb", 1, text, date="2022-11-01", by=f"p{n}", metrics={"序号": i})])
"""

HOLDER = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


def _env() -> dict[str, str]:
    return {**os.environ, "SHUANGZHENG_TODAY": "2022-11-30", "NO_COLOR": "1", "SHUANGZHENG_BY": "测试员"}


def test_eight_processes_two_hundred_appends_each(workspace: Path, tmp_path: Path) -> None:
    driver = tmp_path / "driver.py"
    driver.write_text(DRIVER, encoding="utf-8")
    go = tmp_path / "go"
    procs = [
        subprocess.Popen([sys.executable, str(driver), str(workspace), str(n), str(go)], env=_env(),
                         stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        for n in range(8)
    ]
    go.touch()
    # and one through the real command line, at the same time
    cli = run_process("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "命令行写入", "--date", "2022-11-01")
    for p in procs:
        out, err = p.communicate()
        assert p.returncode == 0, err.decode()
    assert cli.code == 0, cli.err

    data = (workspace / "ledgers/2022/xcb.jsonl").read_bytes()
    assert data.endswith(b"\n")
    records = [json.loads(line) for line in data.split(b"\n")[:-1]]  # every line is whole, valid JSON
    from_drivers = [r for r in records if r["by"].startswith("p")]
    assert len(from_drivers) == 1600
    assert sorted((r["by"], r["metrics"]["序号"]) for r in from_drivers) == sorted(
        (f"p{n}", i) for n in range(8) for i in range(200))
    assert [r["text"] for r in records if r["by"] == "测试员"] == ["命令行写入"]
    assert len(records) == 1601
    assert len({r["id"] for r in records}) == 1601
    long_lines = [r for r in from_drivers if len(r["text"]) > 1500]
    assert len(long_lines) == 8 * 20 and all(r["text"].endswith("长" * 1500) for r in long_lines)
    # each process's own lines are in the order it wrote them
    for n in range(8):
        mine = [r["metrics"]["序号"] for r in from_drivers if r["by"] == f"p{n}"]
        assert mine == list(range(200))
    check = run_process("--root", workspace, "check")
    assert check.code == 0, check.out
    assert "检查通过" in check.err


def _hold_lock(path: Path, tmp_path: Path) -> subprocess.Popen:
    path.parent.mkdir(parents=True, exist_ok=True)
    holder_script = tmp_path / "holder.py"
    holder_script.write_text(HOLDER, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(holder_script), str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
    return holder


def _release(holder: subprocess.Popen) -> None:
    assert holder.stdin is not None
    holder.stdin.write("\n")
    holder.stdin.close()
    holder.wait()


def test_lock_held_by_another_process_gives_a_clear_message(workspace: Path, tmp_path: Path) -> None:
    path = workspace / "ledgers/2022/xcb.jsonl"
    holder = _hold_lock(path, tmp_path)
    try:
        r = run_process("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "等不到",
                        env={"SHUANGZHENG_LOCK_TIMEOUT": "0.2"})
    finally:
        _release(holder)
    assert r.code == 1
    assert r.err.strip() == "错误：ledgers/2022/xcb.jsonl 正被另一个进程占用（已等待 0.2 秒）：请稍后重试"
    assert path.read_bytes() == b""


def test_a_writer_waits_for_the_lock_then_writes(workspace: Path, tmp_path: Path) -> None:
    path = workspace / "ledgers/2022/xcb.jsonl"
    holder = _hold_lock(path, tmp_path)
    writer = subprocess.Popen(
        [sys.executable, "-m", "shuangzheng_cli", "--root", str(workspace), "add", "-u", "xcb", "-a", "1", "-t", "等到了"],
        env={**_env(), "SHUANGZHENG_LOCK_TIMEOUT": "600"}, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(1.0)  # the writer starts and blocks on the lock meanwhile
        assert writer.poll() is None  # still waiting: it cannot finish while the lock is held
        assert path.read_bytes() == b""
    finally:
        _release(holder)
    out, err = writer.communicate()
    assert writer.returncode == 0, err
    assert "ledgers/2022/xcb.jsonl:1" in out
    assert json.loads(path.read_bytes())["text"] == "等到了"
