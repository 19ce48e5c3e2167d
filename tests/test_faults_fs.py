"""Fault battery (issue 7), the file system: a full disk (a real 64 KB tmpfs), a read-only ledger
folder (a read-only bind mount, or chmod when not root), missing `ledgers/`, a ledger file that is
a folder, a symlinked `ledgers/`, a lock held during an import. Through the CLI: the Chinese
message, the exit code, and nothing written."""

from __future__ import annotations

import contextlib
import datetime as dt
import errno
import json
import os
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import openpyxl
import pytest
from conftest import run_process

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.importing.template import build_template
from shuangzheng_cli.periods import parse_period

XCB = "ledgers/2022/xcb.jsonl"
LONG = "长" * 1500  # one line of ~4.6 KB: more than a tmpfs page


def snapshot(root: Path) -> dict[str, bytes]:
    """Every file under ledgers/ with its bytes (to show nothing was written)."""
    base = root / "ledgers"
    return {p.relative_to(base).as_posix(): p.read_bytes() for p in sorted(base.rglob("*")) if p.is_file()}


def _mount(*args: str) -> str | None:
    """Run mount(8); None when it worked, else why not."""
    if os.geteuid() != 0:
        return "不是 root，不能挂载"
    try:
        proc = subprocess.run(["mount", *args], capture_output=True, text=True, timeout=30, check=False)
    except (OSError, subprocess.SubprocessError) as exc:
        return str(exc)
    return None if proc.returncode == 0 else proc.stderr.strip() or f"mount 退出码 {proc.returncode}"


def _umount(folder: Path) -> None:
    if subprocess.run(["umount", str(folder)], capture_output=True, check=False).returncode != 0:
        subprocess.run(["umount", "-l", str(folder)], capture_output=True, check=False)


@contextlib.contextmanager
def mounted(folder: Path, *args: str) -> Iterator[None]:
    why = _mount(*args, str(folder))
    if why is not None:
        pytest.skip(f"这里不能挂载（{why}）：该情形由注入短写入的测试覆盖")
    try:
        yield
    finally:
        _umount(folder)


def returned_template(catalog: Catalog, path: Path, rows: int = 3) -> Path:
    wb = build_template(catalog, "xcb", parse_period("2022-W39"), dt.date(2022, 9, 26))
    for i in range(rows):
        wb["填报"].append([dt.date(2022, 9, 26), "1", "绿", f"宣讲第{i}场", None, None, "场次=1", "张三"])
    wb.save(path)
    return path


# ------------------------------------------------------------ a full disk


def _fill(folder: Path) -> Path:
    """Write a filler file until the file system refuses: the disk is full."""
    filler = folder / "filler.bin"
    fd = os.open(filler, os.O_WRONLY | os.O_CREAT, 0o644)
    try:
        while True:
            try:
                if os.write(fd, b"\0" * 512) == 0:
                    break
            except OSError as exc:
                assert exc.errno == errno.ENOSPC
                break
    finally:
        os.close(fd)
    return filler


def test_disk_full_on_a_small_tmpfs_leaves_every_file_as_it_was(workspace: Path, cli, catalog: Catalog) -> None:
    ledgers = workspace / "ledgers"
    with mounted(ledgers, "-t", "tmpfs", "-o", "size=64k", "tmpfs"):
        assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "已有的一条", "-d", "2022-11-01").code == 0
        filler = _fill(ledgers)
        before = snapshot(workspace)

        # the line starts in the file's last, partly used page: the kernel writes what fits (a short write)
        r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", LONG, "-d", "2022-11-02")
        assert r.code == 1
        assert r.err.startswith("错误：写入 ledgers/2022/xcb.jsonl 失败（磁盘已满：只写入了 ")
        assert r.err.rstrip().endswith("字节），本次记录均未写入，文件保持原样")
        assert snapshot(workspace) == before

        # a new file gets not one byte: ENOSPC from the first write
        r = cli("--root", workspace, "add", "-u", "wmb", "-a", "4", "-t", LONG, "-d", "2022-11-02")
        assert (r.code, r.err) == (1, "错误：写入 ledgers/2022/wmb.jsonl 失败（磁盘已满），本次记录均未写入，文件保持原样\n")
        assert (ledgers / "2022/wmb.jsonl").read_bytes() == b""
        assert {k: v for k, v in snapshot(workspace).items() if k != "2022/wmb.jsonl"} == before

        # an import of several rows: all or nothing
        book = returned_template(catalog, workspace / "报送.xlsx", rows=5)
        wb = openpyxl.load_workbook(book)
        for row in wb["填报"].iter_rows(min_row=303):
            row[3].value = f"{row[3].value}：{LONG}"
        wb.save(book)
        r = cli("--root", workspace, "import", book)
        assert r.code == 1 and "磁盘已满" in r.err and "本次记录均未写入，文件保持原样" in r.err
        assert {k: v for k, v in snapshot(workspace).items() if k != "2022/wmb.jsonl"} == before

        # readers still work on the full disk, and see a clean ledger
        assert run_process("--root", workspace, "check").code == 0
        # room again: the same add goes through, on the next line
        filler.unlink()
        r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", LONG, "-d", "2022-11-02")
        assert r.code == 0, r.err
        assert "ledgers/2022/xcb.jsonl:2" in r.out
        assert cli("--root", workspace, "check").code == 0


# ------------------------------------------------------------ a read-only ledger folder


@contextlib.contextmanager
def read_only(folder: Path, how: str) -> Iterator[None]:
    if how == "chmod":
        if os.geteuid() == 0:
            pytest.skip("以 root 运行：chmod 不能阻止 root 写入（只读由 bind 挂载一例检验）")
        modes = {p: p.stat().st_mode for p in [folder, *folder.rglob("*")]}
        for p in modes:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    with mounted(folder, "--bind", str(folder)):
        why = _mount("-o", "remount,bind,ro", str(folder))
        if why is not None:
            pytest.skip(f"不能把挂载点改为只读（{why}）")
        yield


@pytest.mark.parametrize("how", ["bind-mount", "chmod"])
def test_read_only_ledger_folder(workspace: Path, cli, catalog: Catalog, monkeypatch: pytest.MonkeyPatch,
                                 how: str) -> None:
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "只读前的一条", "-d", "2022-11-01").code == 0
    book = returned_template(catalog, workspace / "报送.xlsx")
    ledgers = workspace / "ledgers"
    reason = "所在磁盘或文件夹是只读的" if how == "bind-mount" else "文件或文件夹只读？"
    with read_only(ledgers, how):
        before = snapshot(workspace)
        r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "写不进去", "-d", "2022-11-02")
        assert r.code == 1
        assert "ledgers/2022/xcb.jsonl" in r.err and reason in r.err and "本次记录未写入" in r.err
        r = cli("--root", workspace, "add", "-u", "wmb", "-a", "4", "-t", "新文件也不行", "-d", "2022-11-02")
        assert r.code == 1 and "ledgers/2022/wmb.jsonl" in r.err and "本次记录未写入" in r.err
        r = cli("--root", workspace, "import", book)
        assert r.code == 1 and "ledgers/2022/xcb.jsonl" in r.err and "本次记录未写入" in r.err
        monkeypatch.setenv("SHUANGZHENG_TODAY", "2023-01-05")  # a new year: its folder cannot be made
        r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "新的一年", "-d", "2023-01-02")
        assert r.code == 1
        assert r.err.startswith("错误：") and "ledgers/2023" in r.err and "本次记录未写入" in r.err
        monkeypatch.setenv("SHUANGZHENG_TODAY", "2022-11-30")
        # reading needs no write access
        hist = cli("--root", workspace, "history", "--format", "json")
        assert (hist.code, hist.err) == (0, "")
        assert [e["text"] for e in json.loads(hist.out)] == ["只读前的一条"]
        status = run_process("--root", workspace, "status", "--format", "json")
        assert (status.code, status.err) == (0, "")
        assert sum(json.loads(status.out)["totals"].values()) == len(catalog.cells)
        assert cli("--root", workspace, "check").code == 0
        assert snapshot(workspace) == before


def test_read_only_torn_file_cannot_be_repaired_and_says_so(workspace: Path, cli) -> None:
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "一条", "-d", "2022-11-01").code == 0
    path = workspace / XCB
    with path.open("ab") as fh:
        fh.write(b'{"v": 1, "id": "tor')
    with read_only(workspace / "ledgers", "bind-mount"):
        before = snapshot(workspace)
        r = cli("--root", workspace, "check", "--repair")
        assert r.code == 1
        assert r.err.strip() == "错误：无法修复 ledgers/2022/xcb.jsonl（所在磁盘或文件夹是只读的），未做任何改动"
        assert snapshot(workspace) == before
    assert cli("--root", workspace, "check", "--repair").code == 0


def test_whole_workspace_read_only_still_reads(workspace: Path, catalog: Catalog, cli) -> None:
    """Readers write nothing into the workspace (no cache, no lock file) when they cannot."""
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "一条", "-d", "2022-11-01").code == 0
    with read_only(workspace, "bind-mount"):
        for args in (["status", "--format", "json"], ["status"], ["history"], ["check"], ["alerts"]):
            r = run_process("--root", workspace, *args)
            assert r.code == 0 and "Traceback" not in r.err, (args, r.err)
            assert "注意" not in r.err, (args, r.err)


# ------------------------------------------------------------ missing, misshapen, pointing away


def test_missing_ledgers_folder_reads_as_empty_and_add_creates_it(workspace: Path, cli, catalog: Catalog) -> None:
    shutil.rmtree(workspace / "ledgers")
    status = cli("--root", workspace, "status", "--format", "json")
    assert (status.code, status.err) == (0, "")
    board = json.loads(status.out)
    assert len(board["cells"]) == len(catalog.cells)
    assert all(c["last_report"] is None for c in board["cells"])
    hist = cli("--root", workspace, "history", "--format", "json")
    assert (hist.code, hist.out.strip(), hist.err) == (0, "[]", "")
    check = cli("--root", workspace, "check")
    assert check.code == 0 and "台账文件 0 个" in check.err
    export = cli("--root", workspace, "export", "--week", "2022-W47", "-o", workspace / "w47.xlsx")
    assert export.code == 0 and "本期记录 0 条" in export.out
    assert not (workspace / "ledgers").exists()  # readers create nothing

    r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "第一条", "-d", "2022-11-01")
    assert r.code == 0, r.err
    assert "ledgers/2022/xcb.jsonl:1" in r.out
    assert json.loads((workspace / XCB).read_text(encoding="utf-8"))["text"] == "第一条"


def test_a_ledger_file_replaced_by_a_folder(workspace: Path, cli) -> None:
    assert cli("--root", workspace, "add", "-u", "wmb", "-a", "4", "-t", "别的单位", "-d", "2022-11-01").code == 0
    (workspace / XCB).mkdir(parents=True)
    (workspace / XCB / "inside.txt").write_text("不是台账", encoding="utf-8")
    before = snapshot(workspace)
    r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "写不进去", "-d", "2022-11-01")
    assert (r.code, r.err) == (1, "错误：ledgers/2022/xcb.jsonl 是一个文件夹，不是台账文件：请移走它后重试\n")
    check = cli("--root", workspace, "check")
    assert check.code == 1
    assert check.out.strip() == "ledgers/2022/xcb.jsonl: 是文件夹，不是台账文件"
    hist = cli("--root", workspace, "history", "--format", "json")
    assert hist.code == 0
    assert [e["text"] for e in json.loads(hist.out)] == ["别的单位"]  # the other files are still read
    assert "未计入（首处 ledgers/2022/xcb.jsonl）" in hist.err  # and the folder is not passed over in silence
    assert snapshot(workspace) == before


def test_symlinked_ledger_file_or_folder_is_refused_through_the_cli(workspace: Path, tmp_path: Path, cli) -> None:
    outside = tmp_path / "outside"
    outside.mkdir()
    foreign = {"v": 1, "id": "foreign001", "kind": "progress", "date": "2022-11-01", "unit": "xcb", "activity": 1,
               "by": "外人", "at": "2022-11-01T09:00:00+08:00", "text": "工作区外的记录"}
    (outside / "xcb.jsonl").write_text(json.dumps(foreign, ensure_ascii=False) + "\n", encoding="utf-8")
    original = (outside / "xcb.jsonl").read_bytes()
    add = ["--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "不该写到外面", "-d", "2022-11-01"]

    # one file
    (workspace / "ledgers/2022").mkdir(parents=True)
    (workspace / XCB).symlink_to(outside / "xcb.jsonl")
    r = cli(*add)
    assert (r.code, r.err) == (1, "错误：ledgers/2022/xcb.jsonl 指向工作区的 ledgers/ 之外（符号链接？），出于安全拒绝写入\n")
    hist = cli("--root", workspace, "history", "--format", "json")
    assert (hist.code, hist.out.strip()) == (0, "[]")
    assert "首处 ledgers/2022/xcb.jsonl" in hist.err

    # the whole ledgers/ folder
    shutil.rmtree(workspace / "ledgers")
    (workspace / "ledgers").symlink_to(outside, target_is_directory=True)
    (outside / "2022").mkdir()
    (outside / "2022/xcb.jsonl").write_bytes(original)
    r = cli(*add)
    assert r.code == 1 and "ledgers/ 之外" in r.err and "拒绝写入" in r.err
    check = cli("--root", workspace, "check")
    assert check.code == 1 and "ledgers: ledgers 是符号链接" in check.out
    hist = cli("--root", workspace, "history", "--format", "json")
    assert (hist.code, hist.out.strip()) == (0, "[]")  # readers do not follow it either
    assert "首处 ledgers）" in hist.err
    assert (outside / "xcb.jsonl").read_bytes() == original
    assert (outside / "2022/xcb.jsonl").read_bytes() == original


HOLDER = r"""
import fcntl, os, sys
fd = os.open(sys.argv[1], os.O_RDWR | os.O_CREAT | os.O_APPEND, 0o644)
fcntl.flock(fd, fcntl.LOCK_EX)
print("locked", flush=True)
sys.stdin.readline()
"""


def test_an_import_meets_a_lock_held_elsewhere(workspace: Path, tmp_path: Path, catalog: Catalog) -> None:
    """(`add` with a held lock is in test_concurrency.) An import waits, then says so and writes nothing."""
    book = returned_template(catalog, tmp_path / "报送.xlsx")
    path = workspace / XCB
    path.parent.mkdir(parents=True)
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), str(path)], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        r = run_process("--root", workspace, "import", book, env={"SHUANGZHENG_LOCK_TIMEOUT": "0.3"})
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    assert r.code == 1
    assert r.err.strip() == "错误：ledgers/2022/xcb.jsonl 正被另一个进程占用（已等待 0.3 秒）：请稍后重试"
    assert path.read_bytes() == b""
    again = run_process("--root", workspace, "import", book)
    assert again.code == 0 and "新增 3 条" in again.out


def test_export_to_a_full_disk_is_a_chinese_message_and_leaves_nothing(workspace: Path, cli) -> None:
    """Issue 16.3: a full disk while a workbook is written is a message naming the file, not a traceback."""
    out = workspace / "out"
    out.mkdir()
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "已有的一条", "-d", "2022-11-01").code == 0
    with mounted(out, "-t", "tmpfs", "-o", "size=4k", "tmpfs"):
        target = out / "周台账.xlsx"
        r = cli("--root", workspace, "export", "--week", "2022-W44", "-o", target)
        assert r.code == 1, r.out + r.err
        assert f"无法写入 {target}（磁盘已满），文件未生成" in r.out + r.err
        assert "Traceback" not in r.out + r.err and "Errno" not in r.out + r.err
        assert list(out.iterdir()) == []  # no half-written or temporary file left behind
