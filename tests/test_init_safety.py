"""`init` where the path is not what it expects, and `init` inside another git repository.

A file where a folder goes (the target, a folder above it, data/, ledgers/), a folder where a
file goes, a read-only folder: one Chinese message naming the path, exit 2, nothing written.
A target inside some other repository (an unrelated project, the tool's own clone, a repository
without commits) gets a repository of its own; the outer one gets no hook, no commit, no config.
Real files and real git in temporary folders.
"""

from __future__ import annotations

import errno
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_process
from test_faults_fs import read_only
from test_git_clone import _isolated_git, git  # noqa: F401 - the autouse fixture: a git config of our own

from shuangzheng_cli.workspace import bundled_data_dir
from shuangzheng_cli.workspace_init import GITATTRIBUTES, GITIGNORE

FIRST_COMMIT = "建立双争活动台账工作区"


def tree(folder: Path) -> dict[str, object]:
    """Every path under `folder` with its kind and bytes (to show nothing was written)."""
    found: dict[str, object] = {}
    for p in sorted(folder.rglob("*")):
        key = p.relative_to(folder).as_posix()
        if p.is_symlink():
            found[key] = ("link", os.readlink(p))
        elif p.is_dir():
            found[key] = "dir"
        else:
            found[key] = p.read_bytes()
    return found


# ------------------------------------------------------------ (A) the wrong kind of path


def _data_is_a_file(ws: Path) -> Path:
    ws.mkdir()
    (ws / "data").write_bytes(b"")
    return ws / "data"


def _target_is_a_file(ws: Path) -> Path:
    ws.write_text("一个文件\n", encoding="utf-8")
    return ws


def _a_file_above_the_target(ws: Path) -> Path:
    ws.write_text("一个文件\n", encoding="utf-8")
    return ws


def _ledgers_is_a_file(ws: Path) -> Path:
    ws.mkdir()
    (ws / "ledgers").write_text("x\n", encoding="utf-8")
    return ws / "ledgers"


def _units_yaml_is_a_folder(ws: Path) -> Path:
    (ws / "data" / "units.yaml").mkdir(parents=True)
    return ws / "data" / "units.yaml"


def _activities_yaml_is_a_dangling_link(ws: Path) -> Path:
    (ws / "data").mkdir(parents=True)
    (ws / "data" / "activities.yaml").symlink_to(ws.parent / "别处" / "activities.yaml")
    return ws / "data" / "activities.yaml"


def _target_is_a_dangling_link(ws: Path) -> Path:
    ws.symlink_to(ws.parent / "别处" / "台账")  # resolving it would make 别处/台账
    return ws


def _gitignore_is_a_folder(ws: Path) -> Path:
    (ws / ".gitignore").mkdir(parents=True)
    return ws / ".gitignore"


def _gitattributes_is_a_folder(ws: Path) -> Path:
    (ws / ".gitattributes").mkdir(parents=True)
    return ws / ".gitattributes"


LAYOUTS = {
    "data 是文件": (_data_is_a_file, "", "是文件"),
    "目标是文件": (_target_is_a_file, "", "是文件，不是文件夹"),
    "目标上层是文件": (_a_file_above_the_target, "sub", "是文件，不是文件夹"),
    "ledgers 是文件": (_ledgers_is_a_file, "", "是文件"),
    "units.yaml 是文件夹": (_units_yaml_is_a_folder, "", "是文件夹"),
    "activities.yaml 是失效链接": (_activities_yaml_is_a_dangling_link, "", "失效的链接"),
    "目标是失效链接": (_target_is_a_dangling_link, "", "是失效的链接"),
    ".gitignore 是文件夹": (_gitignore_is_a_folder, "", "是文件夹"),
    ".gitattributes 是文件夹": (_gitattributes_is_a_folder, "", "是文件夹"),
}


@pytest.mark.parametrize("layout", list(LAYOUTS))
def test_init_refuses_a_path_of_the_wrong_kind(tmp_path: Path, cli, layout: str) -> None:
    make, below, what = LAYOUTS[layout]
    ws = tmp_path / "i1"
    culprit = make(ws)
    before = tree(tmp_path)
    r = cli("init", ws / below if below else ws)
    assert r.code == 2, r
    assert r.err.startswith("错误：") and r.err.count("\n") == 1, r.err
    assert str(culprit) in r.err and what in r.err and "未做任何改动" in r.err
    assert "改名或移走" in r.err and "换一个目录" in r.err
    assert tree(tmp_path) == before


def test_init_refuses_a_file_where_the_folder_goes_in_a_real_process(tmp_path: Path) -> None:
    """The newcomer's report, exactly: no traceback, exit 2, nothing written."""
    (tmp_path / "i1").mkdir()
    (tmp_path / "i1" / "data").write_bytes(b"")
    r = run_process("init", "i1", cwd=tmp_path)
    assert r.code == 2 and "Traceback" not in r.err
    assert r.err.strip() == (
        f"错误：{tmp_path / 'i1' / 'data'} 是文件，而 init 要在这里建 data/（定义文件夹）："
        "请把它改名或移走后重试，或换一个目录（如 shuangzheng init 霸州台账）；未做任何改动"
    )
    assert sorted(p.name for p in (tmp_path / "i1").iterdir()) == ["data"]


@pytest.mark.parametrize("how", ["bind-mount", "chmod"])
@pytest.mark.parametrize("where", ["目标在只读文件夹下", "目标本身只读", "data 只读"])
def test_init_refuses_a_read_only_folder(tmp_path: Path, cli, how: str, where: str) -> None:
    ro = tmp_path / "只读"
    (ro / "data").mkdir(parents=True)
    target, folder = {
        "目标在只读文件夹下": (ro / "ws", ro),
        "目标本身只读": (ro, ro),
        "data 只读": (ro, ro / "data"),
    }[where]
    if where == "data 只读":  # everything else is there: only the definitions are to be written
        (ro / "ledgers").mkdir()
        (ro / ".gitattributes").write_text(GITATTRIBUTES, encoding="utf-8")
        (ro / ".gitignore").write_text(GITIGNORE, encoding="utf-8")
    with read_only(folder, how):
        before = tree(tmp_path)
        r = cli("init", target)
        assert r.code == 2, r
        assert r.err.strip() == (
            f"错误：无法在 {folder} 中新建文件（文件夹只读或没有写权限）：请换一个可写的目录，或开放写权限后重试；未做任何改动"
        )
        assert tree(tmp_path) == before


def test_a_write_failing_midway_takes_back_what_init_made(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """A full disk while copying the second definition file: what this run made is removed again."""
    ws = tmp_path / "ws"
    ws.mkdir()
    (ws / ".gitattributes").write_text("*.xlsx binary\n", encoding="utf-8")
    real_copy = shutil.copyfile

    def copy(src, dst, **kw):  # noqa: ANN001, ANN003, ANN202
        if Path(dst).name == "units.yaml":
            raise OSError(errno.ENOSPC, "No space left on device", str(dst))
        return real_copy(src, dst, **kw)

    monkeypatch.setattr(shutil, "copyfile", copy)
    r = cli("init", ws)
    assert r.code == 2, r
    assert r.err.strip() == f"错误：无法写入 {ws / 'data' / 'units.yaml'}（磁盘已满）：init 已撤回本次新建的文件，请处理后重试"
    assert tree(ws) == {".gitattributes": b"*.xlsx binary\n"}  # not even the line init appends


# ------------------------------------------------------------ (B) inside another repository


def _outer(path: Path, *, commit: bool = True) -> Path:
    path.mkdir(parents=True, exist_ok=True)
    git(path, "init", "-q")
    if commit:
        (path / "README").write_text("外层项目\n", encoding="utf-8")
        git(path, "add", "README")
        git(path, "commit", "-q", "-m", "外层")
    return path


def _outer_state(outer: Path) -> tuple[str, str, list[str]]:
    """The outer repository's local config, commits and hooks (other than git's samples)."""
    config = git(outer, "config", "--local", "--list").stdout
    log = git(outer, "log", "--format=%H %s", ok=False).stdout
    hooks = sorted(p.name for p in (outer / ".git" / "hooks").iterdir() if not p.name.endswith(".sample"))
    return config, log, hooks


def _assert_own_repository(ws: Path, outer: Path, out: str) -> None:
    assert (ws / ".git").is_dir()
    assert Path(git(ws, "rev-parse", "--show-toplevel").stdout.strip()).samefile(ws)
    assert git(ws, "log", "--format=%s").stdout.splitlines() == [FIRST_COMMIT]
    assert git(ws, "status", "--porcelain").stdout == ""
    assert (ws / ".git" / "hooks" / "pre-commit").is_file()
    assert git(ws, "config", "--local", "pull.rebase").stdout.strip() == "false"
    assert "已提交到 git（首次提交）。" in out
    assert f"注意：{ws} 在外层 git 仓库 {outer} 之内，已为台账另建独立的仓库（外层仓库未改动，会把它看作嵌套仓库）" in out


def test_init_inside_an_unrelated_repository_leaves_it_alone(tmp_path: Path) -> None:
    outer = _outer(tmp_path / "i3")
    (outer / "sub").mkdir()
    before = _outer_state(outer)
    r = run_process("init", "sub", cwd=outer)
    assert r.code == 0, r.err
    assert _outer_state(outer) == before
    # committing in the outer repository works as before (no hook of ours runs there)
    (outer / "notes.txt").write_text("hi\n", encoding="utf-8")
    git(outer, "add", "notes.txt")
    done = git(outer, "commit", "-q", "-m", "notes", ok=False)
    assert done.returncode == 0, done.stderr
    assert "不是台账工作区" not in done.stderr
    _assert_own_repository(outer / "sub", outer, r.out)


def test_init_inside_a_repository_without_commits_commits_only_in_its_own(tmp_path: Path) -> None:
    outer = _outer(tmp_path / "空仓库", commit=False)
    before = _outer_state(outer)
    r = run_process("init", outer / "霸州台账")
    assert r.code == 0, r.err
    assert git(outer, "rev-parse", "--verify", "-q", "HEAD", ok=False).returncode != 0  # still no commit
    assert git(outer, "ls-files").stdout == ""  # nothing staged there either
    assert _outer_state(outer) == before
    _assert_own_repository(outer / "霸州台账", outer, r.out)


def test_init_in_the_tool_folder_checks_the_new_ledger_not_the_tool(tmp_path: Path) -> None:
    """The README's way: a terminal in the cloned tool folder, `shuangzheng init 霸州台账`. The
    hook is the ledger's own and checks the ledger (its repository's top), from any folder."""
    tool = tmp_path / "shuangzheng"
    tool.mkdir()
    shutil.copytree(bundled_data_dir() / "data", tool / "data")
    _outer(tool)
    before = _outer_state(tool)
    r = run_process("init", "霸州台账", cwd=tool)
    assert r.code == 0, r.err
    ws = tool / "霸州台账"
    bad = ws / "ledgers" / "2022" / "xcb.jsonl"
    bad.parent.mkdir(parents=True)
    bad.write_text("这不是 JSON\n", encoding="utf-8")
    git(ws, "add", "ledgers")
    # a commit from a folder inside the ledger, and one with `git -C` from the tool folder
    for cwd, where in ((bad.parent, []), (tool, ["-C", str(ws)])):
        done = subprocess.run(["git", *where, "commit", "-q", "-m", "坏的一行"], cwd=cwd,
                              capture_output=True, text=True, check=False)
        assert done.returncode != 0, done.stdout
        assert "ledgers/2022/xcb.jsonl:1" in done.stdout + done.stderr
    assert _outer_state(tool) == before
    assert git(ws, "log", "--format=%s").stdout.splitlines() == [FIRST_COMMIT]
    assert Path(git(ws, "rev-parse", "--show-toplevel").stdout.strip()).samefile(ws)
    assert f"注意：{ws} 在外层 git 仓库 {tool} 之内" in r.out


def test_init_ignores_git_dir_pointing_at_another_repository(tmp_path: Path) -> None:
    """`GIT_DIR` left set (running from another repository's hook or alias) does not send the
    repository, the hook or the commit there."""
    outer = _outer(tmp_path / "外层")
    before = _outer_state(outer)
    r = run_process("init", outer / "霸州台账", env={"GIT_DIR": str(outer / ".git")})
    assert r.code == 0, r.err
    assert _outer_state(outer) == before
    _assert_own_repository(outer / "霸州台账", outer, r.out)


def test_init_where_the_folder_is_already_the_top_of_a_repository_uses_it(tmp_path: Path) -> None:
    """Unchanged: a folder with its own repository (a clone, or `git init` by hand), even inside
    another repository, is used as it is; no second repository, no note about one."""
    outer = _outer(tmp_path / "外层")
    ws = outer / "霸州台账"
    _outer(ws, commit=False)
    before = _outer_state(outer)
    r = run_process("init", ws)
    assert r.code == 0, r.err
    assert "、git 仓库" not in r.out.splitlines()[0] and "外层 git 仓库" not in r.out
    assert git(ws, "log", "--format=%s").stdout.splitlines() == [FIRST_COMMIT]
    assert (ws / ".git" / "hooks" / "pre-commit").is_file()
    assert _outer_state(outer) == before


def test_the_first_commit_holds_only_the_workspace(tmp_path: Path) -> None:
    """A file of the user's already in the folder is not committed (it would be pushed to the
    shared repository with the ledger)."""
    ws = tmp_path / "台账"
    ws.mkdir()
    (ws / "工资表.xlsx").write_bytes(b"private")
    r = run_process("init", ws)
    assert r.code == 0, r.err
    tracked = set(git(ws, "ls-files").stdout.split())
    assert tracked == {"data/activities.yaml", "data/units.yaml", "ledgers/.gitkeep", ".gitattributes", ".gitignore"}
    assert (ws / "工资表.xlsx").read_bytes() == b"private"
