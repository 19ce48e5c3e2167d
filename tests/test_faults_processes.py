"""Fault battery (issue 7), real processes: writers and readers at once, a reader meeting a line
still being written, and an import killed with SIGKILL half-way through its appends."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import signal
import subprocess
import sys
import time
import zipfile
from pathlib import Path

from conftest import run_process

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.importing.template import build_template
from shuangzheng_cli.periods import parse_period

XCB = "ledgers/2022/xcb.jsonl"


def _env(**extra: str) -> dict[str, str]:
    return {**os.environ, "SHUANGZHENG_TODAY": "2022-11-30", "NO_COLOR": "1", "SHUANGZHENG_BY": "测试员", **extra}


def _records(path: Path) -> list[dict]:
    """Every line of a ledger file, each whole and valid JSON (a torn or merged line fails here)."""
    data = path.read_bytes()
    assert data.endswith(b"\n"), f"{path} does not end with a newline"
    return [json.loads(line) for line in data.split(b"\n")[:-1]]


# ------------------------------------------------------------ 4 writers, 2 readers

WRITER = r"""
import os, sys, time
from shuangzheng_cli.ledger.storage import Ledger
from shuangzheng_cli.ledger.entries import progress

root, n, go, count = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4])
ledger = Ledger(root)
ledger.catalog  # definitions loaded before the start signal
targets = [("xcb", 1), ("wmb", 4), ("zzb", 12)]
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(count):
    unit, activity = targets[i % 3]
    # every third line is ~4.5 KB: it spans a page boundary, where a reader can catch it half-written
    text = f"写者{n}-第{i}条" + ("长" * 1500 if i % 3 == 0 else "")
    ledger.append([progress(unit, activity, text, date=f"2022-11-0{1 + i % 9}", by=f"w{n}", metrics={"序号": i})])
    time.sleep(0.01)
"""

CLI_WRITER = r"""
import os, subprocess, sys, time
root, go, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
while not os.path.exists(go):
    time.sleep(0.001)
for i in range(count):
    p = subprocess.run([sys.executable, "-m", "shuangzheng_cli", "--root", root, "add", "-u", "xcb", "-a", "1",
                        "-t", f"命令行第{i}条", "--date", "2022-11-10", "--by", "命令行"], capture_output=True, text=True)
    if p.returncode != 0:
        sys.exit(p.stderr)
"""

READER = r"""
import json, os, subprocess, sys
root, mode, go, stop, out = sys.argv[1:6]
runs = []

def run(*args):
    p = subprocess.run([sys.executable, "-m", "shuangzheng_cli", "--root", root, *args], capture_output=True, text=True)
    runs.append({"args": list(args), "code": p.returncode, "out": p.stdout, "err": p.stderr})

while not os.path.exists(go):
    pass
i = 0
while True:
    last = os.path.exists(stop)  # one more round after the writers are done: it sees the final ledger
    if mode == "status":
        run("status", "--format", "json")
        run("history", "--format", "json")
    else:
        run("export", "--period", "2022", "-o", os.path.join(os.path.dirname(out), f"export-{i}.xlsx"))
    i += 1
    if last:
        break
with open(out, "w", encoding="utf-8") as fh:
    json.dump(runs, fh, ensure_ascii=False)
"""


def test_four_writers_and_two_readers(workspace: Path, tmp_path: Path, catalog: Catalog) -> None:
    scripts = {}
    for name, text in (("writer", WRITER), ("cli_writer", CLI_WRITER), ("reader", READER)):
        scripts[name] = tmp_path / f"{name}.py"
        scripts[name].write_text(text, encoding="utf-8")
    go, stop = tmp_path / "go", tmp_path / "stop"
    per_writer, cli_adds = 90, 4

    def spawn(*args: object) -> subprocess.Popen:
        return subprocess.Popen([sys.executable, *map(str, args)], env=_env(), stdout=subprocess.PIPE,
                                stderr=subprocess.PIPE, text=True)

    writers = [spawn(scripts["writer"], workspace, n, go, per_writer) for n in range(3)]
    writers.append(spawn(scripts["cli_writer"], workspace, go, cli_adds))
    outs = {mode: tmp_path / f"{mode}.json" for mode in ("status", "export")}
    readers = [spawn(scripts["reader"], workspace, mode, go, stop, out) for mode, out in outs.items()]
    go.touch()
    for p in writers:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    stop.touch()
    for p in readers:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err

    # the final ledger: exactly every entry, every line whole
    total = 3 * per_writer + cli_adds
    records = [r for path in sorted((workspace / "ledgers").rglob("*.jsonl")) for r in _records(path)]
    assert len(records) == total
    assert len({r["id"] for r in records}) == total
    assert sorted((r["by"], r["metrics"].get("序号")) for r in records if r["by"] != "命令行") == sorted(
        (f"w{n}", i) for n in range(3) for i in range(per_writer))
    assert sorted(r["text"] for r in records if r["by"] == "命令行") == [f"命令行第{i}条" for i in range(cli_adds)]
    assert all(r["text"].endswith("长" * 1500) for r in records if r["by"] != "命令行" and r["metrics"]["序号"] % 3 == 0)

    # every reader saw a consistent ledger: no crash, no unreadable line, totals that add up
    runs = json.loads(outs["status"].read_text(encoding="utf-8"))
    statuses = [r for r in runs if r["args"][0] == "status"]
    histories = [r for r in runs if r["args"][0] == "history"]
    assert len(statuses) >= 2
    seen = []
    for run in runs:
        assert (run["code"], run["err"]) == (0, ""), run  # e.g. "注意：台账中有 1 行未通过检查" would fail here
    for run in statuses:
        board = json.loads(run["out"])
        assert sum(board["totals"].values()) == len(board["cells"]) == len(catalog.cells)
    for run in histories:
        listed = json.loads(run["out"])
        assert len({r["id"] for r in listed}) == len(listed)
        assert all(re.fullmatch(r"写者\d-第\d+条(长{1500})?|命令行第\d条", r["text"]) for r in listed)
        seen.append(len(listed))
    assert seen == sorted(seen) and seen[-1] == total  # never fewer than before; the last sees all

    exports = json.loads(outs["export"].read_text(encoding="utf-8"))
    assert len(exports) >= 2
    counts = []
    for run in exports:
        assert (run["code"], run["err"]) == (0, ""), run
        counts.append(int(re.search(r"本期记录 (\d+) 条", run["out"])[1]))
    assert counts == sorted(counts) and counts[-1] == total
    assert all(zipfile.is_zipfile(p) for p in tmp_path.glob("export-*.xlsx"))
    check = run_process("--root", workspace, "check")
    assert check.code == 0, check.out


# ------------------------------------------------------------ a reader meets a line being written

HALF_WRITER = r"""
import fcntl, os, sys
path, line = sys.argv[1], sys.argv[2].encode("utf-8") + b"\n"
fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)  # as Ledger.append does, for the whole write
os.write(fd, line[:100])
print("half", flush=True)
sys.stdin.readline()
os.write(fd, line[100:])
"""


def _line(entry_id: str, text: str) -> str:
    return json.dumps({"v": 1, "id": entry_id, "kind": "progress", "date": "2022-11-01", "unit": "xcb",
                       "activity": 1, "by": "张三", "at": "2022-11-01T09:00:00+08:00", "color": None,
                       "text": text, "problems": "", "next": "", "metrics": {}, "evidence": []},
                      ensure_ascii=False)


def _half_written(workspace: Path, tmp_path: Path) -> subprocess.Popen:
    path = workspace / XCB
    path.parent.mkdir(parents=True)
    path.write_text(_line("done000001", "已写完") + "\n", encoding="utf-8")
    script = tmp_path / "half.py"
    script.write_text(HALF_WRITER, encoding="utf-8")
    writer = subprocess.Popen([sys.executable, str(script), str(path), _line("half000001", "写了一半" * 100)],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    assert writer.stdout is not None and writer.stdout.readline() == "half\n"
    assert not path.read_bytes().endswith(b"\n")  # the file now ends mid-line, as a reader may catch it
    return writer


def test_a_reader_waits_for_a_line_being_written_instead_of_reporting_it(workspace: Path, tmp_path: Path) -> None:
    writer = _half_written(workspace, tmp_path)
    readers = [
        subprocess.Popen([sys.executable, "-m", "shuangzheng_cli", "--root", str(workspace), *args],
                         env=_env(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        for args in (["history", "--format", "json"], ["check"])
    ]
    time.sleep(2.0)  # both readers start (~0.5 s) and reach the half-written line meanwhile
    assert writer.stdin is not None
    writer.stdin.write("\n")
    writer.stdin.close()
    assert writer.wait(timeout=30) == 0
    (hist_out, hist_err), (check_out, check_err) = (p.communicate(timeout=60) for p in readers)
    assert (readers[0].returncode, hist_err) == (0, "")
    assert [r["id"] for r in json.loads(hist_out)] == ["done000001", "half000001"]
    assert readers[1].returncode == 0, check_out + check_err
    assert "检查通过" in check_err


def test_a_line_left_half_written_past_the_lock_timeout_is_reported(workspace: Path, tmp_path: Path) -> None:
    writer = _half_written(workspace, tmp_path)
    try:
        hist = run_process("--root", workspace, "history", "--format", "json", env={"SHUANGZHENG_LOCK_TIMEOUT": "0.2"})
        check = run_process("--root", workspace, "check", env={"SHUANGZHENG_LOCK_TIMEOUT": "0.2"})
    finally:
        assert writer.stdin is not None
        writer.stdin.write("\n")
        writer.stdin.close()
        writer.wait(timeout=30)
    assert hist.code == 0
    assert [r["id"] for r in json.loads(hist.out)] == ["done000001"]
    assert "注意：台账中有 1 行未通过检查，未计入（首处 ledgers/2022/xcb.jsonl:2）" in hist.err
    assert check.code == 1
    assert f"{XCB}:2: 最后一行不完整" in check.out


# ------------------------------------------------------------ SIGKILL in the middle of a large import

ROWS = 3000


def _big_returned_template(catalog: Catalog, path: Path) -> None:
    """The 市委宣传部 template for 2022Q4 as a liaison might return it: 3,000 valid rows."""
    wb = build_template(catalog, "xcb", parse_period("2022Q4"), dt.date(2022, 10, 1))
    ws = wb["填报"]
    activities = catalog.activities_of("xcb")
    for i in range(ROWS):
        day = dt.date(2022, 9, 1) + dt.timedelta(days=i % 90)
        ws.append([day, str(activities[i % len(activities)]), "蓝", f"第{i}行：" + "开展宣讲活动" * 60,
                   None, None, f"场次={i % 7 + 1}", "联络员"])
    wb.save(path)


def test_an_import_killed_mid_append_leaves_whole_lines_and_a_rerun_completes_it(
    workspace: Path, tmp_path: Path, catalog: Catalog
) -> None:
    book = tmp_path / "报送-宣传部.xlsx"
    _big_returned_template(catalog, book)
    path = workspace / XCB
    cmd = [sys.executable, "-m", "shuangzheng_cli", "--root", str(workspace), "import", str(book)]
    proc = subprocess.Popen(cmd, env=_env(), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    deadline = time.monotonic() + 90
    while not (path.exists() and path.stat().st_size > 0):  # the appends have begun
        assert proc.poll() is None, proc.stderr.read() if proc.stderr else ""
        assert time.monotonic() < deadline
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert proc.returncode == -signal.SIGKILL

    written = _records(path)  # every line whole (this fails on a torn line)
    assert 0 < len(written) < ROWS, "the import was not caught half-way"
    check = run_process("--root", workspace, "check")
    assert check.code == 0, check.out

    again = run_process("--root", workspace, "import", book)
    assert again.code == 0, again.err
    assert f"读取 {ROWS} 行，新增 {ROWS - len(written)} 条，已存在 {len(written)} 条" in again.out
    final = _records(path)
    assert len(final) == ROWS and len({r["id"] for r in final}) == ROWS
    assert sorted(int(r["text"].split("行")[0][1:]) for r in final) == list(range(ROWS))
    assert final[: len(written)] == written  # nothing rewritten, only appended
    check = run_process("--root", workspace, "check")
    assert check.code == 0, check.out
    third = run_process("--root", workspace, "import", book)
    assert f"新增 0 条，已存在 {ROWS} 条" in third.out
    assert len(_records(path)) == ROWS
