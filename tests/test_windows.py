"""What Windows lacks: `fcntl`, `os.pread`, `os.fstatvfs`. The package must still import and `add`
must still write one whole line under a lock that excludes a second writer.

Each test runs the real command line in a subprocess whose interpreter has those three taken
away before the package is imported (`sys.modules["fcntl"] = None` makes `import fcntl` fail).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from conftest import REPO

WITHOUT_POSIX = r"""
import os, sys
sys.modules["fcntl"] = None  # `import fcntl` now raises ImportError, as on Windows
for name in ("pread", "fstatvfs"):
    if hasattr(os, name):
        delattr(os, name)
from shuangzheng_cli.cli import main
sys.exit(main(sys.argv[1:]))
"""

HOLDER = r"""
import sys
import filelock
lock = filelock.SoftFileLock(sys.argv[1])
lock.acquire()
print("locked", flush=True)
sys.stdin.readline()
lock.release()
"""


def _run(tmp_path: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    script = tmp_path / "without_posix.py"
    script.write_text(WITHOUT_POSIX, encoding="utf-8")
    full_env = {**os.environ, "NO_COLOR": "1", "SHUANGZHENG_BY": "测试员", "SHUANGZHENG_TODAY": "2022-11-30",
                "PYTHONPATH": str(REPO / "src"), **(env or {})}
    return subprocess.run([sys.executable, str(script), *args], env=full_env, capture_output=True, text=True,
                          timeout=120, check=False)


def test_add_without_fcntl_writes_one_whole_line(workspace: Path, tmp_path: Path) -> None:
    path = workspace / "ledgers/2022/xcb.jsonl"
    for text in ("第一条", "第二条"):  # the second append reads the first's last byte (no pread)
        r = _run(tmp_path, "--root", str(workspace), "add", "-u", "xcb", "-a", "1", "-t", text,
                 "--date", "2022-11-29")
        assert (r.returncode, r.stderr) == (0, "")  # no traceback, no library warning
        assert "已记录" in r.stdout
    lines = path.read_bytes().split(b"\n")
    assert lines[-1] == b"" and len(lines) == 3
    assert [json.loads(line)["text"] for line in lines[:-1]] == ["第一条", "第二条"]
    assert not Path(f"{path}.lock").exists()  # the stand-in lock file goes when the lock is released
    check = _run(tmp_path, "--root", str(workspace), "check")
    assert check.returncode == 0, check.stdout + check.stderr


def test_without_fcntl_a_held_lock_still_keeps_a_writer_out(workspace: Path, tmp_path: Path) -> None:
    path = workspace / "ledgers/2022/xcb.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(b"")
    script = tmp_path / "holder.py"
    script.write_text(HOLDER, encoding="utf-8")
    holder = subprocess.Popen([sys.executable, str(script), f"{path}.lock"], stdin=subprocess.PIPE,
                              stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        r = _run(tmp_path, "--root", str(workspace), "add", "-u", "xcb", "-a", "1", "-t", "被挡住",
                 "--date", "2022-11-29", env={"SHUANGZHENG_LOCK_TIMEOUT": "0.3"})
    finally:
        assert holder.stdin is not None
        holder.stdin.write("\n")
        holder.stdin.close()
        holder.wait(timeout=30)
    assert r.returncode == 1
    assert r.stderr.strip() == "错误：ledgers/2022/xcb.jsonl 正被另一个进程占用（已等待 0.3 秒）：请稍后重试"
    assert path.read_bytes() == b""
    again = _run(tmp_path, "--root", str(workspace), "add", "-u", "xcb", "-a", "1", "-t", "放行后",
                 "--date", "2022-11-29")
    assert again.returncode == 0, again.stderr
    assert json.loads(path.read_bytes())["text"] == "放行后"



def test_examples_work_in_a_clone_without_symlinks(tmp_path: Path) -> None:
    """Git for Windows checks symlinks out as small text files (`core.symlinks=false`): the README's
    Windows demo (`--root examples status`) must work in such a clone, so the repository tracks no
    symlink, and `examples/data/` holds the same definitions as `data/` (copies kept equal here)."""
    for name in ("activities.yaml", "units.yaml"):
        assert (REPO / "examples" / "data" / name).read_bytes() == (REPO / "data" / name).read_bytes(), (
            f"examples/data/{name} 与 data/{name} 不一致：改了 data/ 后请把它复制到 examples/data/"
        )
    if not (REPO / ".git").exists():
        return  # an unpacked source tree: no git history to clone
    tracked = subprocess.run(["git", "-C", str(REPO), "ls-files", "-s"], capture_output=True, text=True, check=True).stdout
    assert not [line for line in tracked.splitlines() if line.startswith("120000")], "符号链接在 Windows 上检出为文本文件"
    clone = tmp_path / "clone"
    subprocess.run(
        ["git", "-c", "core.symlinks=false", "clone", "-q", "--no-hardlinks", str(REPO), str(clone)],
        check=True, capture_output=True,
    )
    env = {**os.environ, "SHUANGZHENG_TODAY": "2022-11-30", "NO_COLOR": "1"}
    run = subprocess.run(
        [sys.executable, "-m", "shuangzheng_cli", "--root", str(clone / "examples"), "status", "--as-of", "2022-11-30", "--format", "json"],
        capture_output=True, text=True, env=env, encoding="utf-8",
    )
    assert run.returncode in (0, 1), run.stderr
    board = json.loads(run.stdout)
    assert board, "the examples' board is empty"
