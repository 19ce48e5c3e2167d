"""`hub init`: the office's shared bare repository, with real git pushes through its `pre-receive`
hook: appends are accepted; an edit, a deletion, a rewind, a branch deletion, a bad line and a
pusher's write outside their units are refused with the reason on the pusher's screen, and the
shared repository's history is unchanged after each refusal."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from test_git_merge import _isolated_git, git, identify  # noqa: F401 - the fixture isolates git config

XCB = "ledgers/2022/xcb.jsonl"


def add(cli, root: Path, unit: str, text: str) -> None:
    r = cli("--root", root, "add", "-u", unit, "-a", "1", "-t", text, "--date", "2022-11-01")
    assert r.code == 0, r.err


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "--no-verify", "-m", message)


def push(clone: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`git push` as a person runs it, with a PATH that has no virtual environment on it."""
    full = {**os.environ, "PATH": "/usr/local/bin:/usr/bin:/bin", **(env or {})}
    return subprocess.run(
        ["git", "-C", str(clone), "push", "origin", *(args or ("HEAD",))],
        capture_output=True, text=True, env=full, check=False,
    )


def refs(hub: Path) -> str:
    return git(hub, "for-each-ref", "--format=%(refname) %(objectname)").stdout


@pytest.fixture
def shared(tmp_path: Path, cli) -> tuple[Path, Path]:
    """A hub made by `hub init`, holding the office's workspace with two xcb lines; a liaison's clone."""
    office = tmp_path / "office"
    assert cli("init", office).code == 0
    identify(office, "办公室")
    add(cli, office, "xcb", "第一条")
    add(cli, office, "xcb", "第二条")
    commit(office, "工作区")
    hub = tmp_path / "hub.git"
    r = cli("hub", "init", hub)
    assert r.code == 0, r.err
    assert "新建裸仓库" in r.out and (hub / "hooks" / "pre-receive").stat().st_mode & 0o111
    git(office, "remote", "add", "origin", str(hub))
    first = push(office, "HEAD:refs/heads/main")
    assert first.returncode == 0, first.stderr
    clone = tmp_path / "liaison"
    git(tmp_path, "clone", "-q", str(hub), str(clone))
    identify(clone, "联络员")
    return hub, clone


def test_appends_are_accepted(shared, cli) -> None:
    hub, clone = shared
    add(cli, clone, "xcb", "第三条")
    add(cli, clone, "zzb", "组织部第一条")
    commit(clone, "追加")
    r = push(clone)
    assert r.returncode == 0, r.stderr
    assert git(hub, "rev-parse", "main").stdout == git(clone, "rev-parse", "HEAD").stdout


def test_a_union_merge_pushed_by_the_merging_clone_is_accepted(shared, tmp_path: Path, cli) -> None:
    """B merges A's appends with merge=union: B's own new lines come before A's in the merged file,
    between lines the shared repository already holds; every old line is kept, in order."""
    hub, a = shared
    b = tmp_path / "other"
    git(tmp_path, "clone", "-q", str(hub), str(b))
    identify(b, "联络员乙")
    add(cli, a, "xcb", "甲的")
    commit(a, "甲")
    assert push(a).returncode == 0
    add(cli, b, "xcb", "乙的")
    commit(b, "乙")
    git(b, "pull", "-q", "--no-rebase", "--no-edit")
    texts = [json.loads(line)["text"] for line in (b / XCB).read_text(encoding="utf-8").splitlines()]
    assert texts == ["第一条", "第二条", "乙的", "甲的"]
    r = push(b)
    assert r.returncode == 0, r.stderr
    assert git(hub, "rev-parse", "main").stdout == git(b, "rev-parse", "HEAD").stdout


def test_an_edit_is_refused_and_the_pusher_sees_the_file(shared) -> None:
    hub, clone = shared
    before = refs(hub)
    rows = (clone / XCB).read_text(encoding="utf-8").splitlines(keepends=True)
    (clone / XCB).write_text(rows[0].replace("第一条", "第一条（改）") + rows[1], encoding="utf-8")
    commit(clone, "改")
    sha = git(clone, "rev-parse", "--short=7", "HEAD").stdout.strip()
    r = push(clone)
    assert r.returncode != 0
    assert f"remote:   ledgers/2022/xcb.jsonl:1: 已有记录被修改（提交 {sha}，联络员，" in r.stderr
    assert "共享仓库拒绝了这次推送" in r.stderr and "shuangzheng void" in r.stderr
    assert refs(hub) == before


def test_a_deletion_is_refused(shared) -> None:
    hub, clone = shared
    before = refs(hub)
    git(clone, "rm", "-q", XCB)
    commit(clone, "删")
    r = push(clone)
    assert r.returncode != 0
    assert "remote:   ledgers/2022/xcb.jsonl: 台账文件被删除（提交 " in r.stderr
    assert refs(hub) == before


def test_a_rewind_and_a_branch_deletion_are_refused(shared, cli) -> None:
    hub, clone = shared
    add(cli, clone, "xcb", "第三条")
    commit(clone, "追加")
    assert push(clone).returncode == 0
    before = refs(hub)
    git(clone, "reset", "-q", "--hard", "HEAD~1")
    r = push(clone, "--force", "HEAD:main")
    assert r.returncode != 0 and "main 的推送不是快进" in r.stderr and "不要用 git push --force" in r.stderr
    r = push(clone, ":main")
    assert r.returncode != 0 and "不允许删除 main" in r.stderr
    assert refs(hub) == before


def test_a_bad_line_is_refused_by_the_usual_check(shared) -> None:
    hub, clone = shared
    before = refs(hub)
    with (clone / XCB).open("a", encoding="utf-8") as fh:
        fh.write("这不是 JSON\n")
    commit(clone, "坏行")
    r = push(clone)
    assert r.returncode != 0 and "remote:   ledgers/2022/xcb.jsonl:3: " in r.stderr
    assert refs(hub) == before


def test_a_link_among_the_ledgers_is_refused(shared) -> None:
    hub, clone = shared
    before = refs(hub)
    (clone / "ledgers/2022/zzb.jsonl").symlink_to("/etc/hostname")
    commit(clone, "链接")
    r = push(clone)
    assert r.returncode != 0 and "ledgers/2022/zzb.jsonl: 是链接，不是普通文件" in r.stderr
    assert refs(hub) == before


def test_a_new_branch_is_checked_from_where_it_leaves_main(shared) -> None:
    hub, clone = shared
    rows = (clone / XCB).read_text(encoding="utf-8").splitlines(keepends=True)
    (clone / XCB).write_text(rows[1], encoding="utf-8")
    commit(clone, "删第一行")
    r = push(clone, "HEAD:refs/heads/other")
    assert r.returncode != 0 and "ledgers/2022/xcb.jsonl:1: 已有记录被删除" in r.stderr
    assert "other" not in refs(hub)


def test_a_pusher_mapped_to_units_writes_only_those(shared, cli) -> None:
    hub, clone = shared
    git(hub, "config", "shuangzheng.pusher.wang.units", "宣传部")
    add(cli, clone, "zzb", "组织部的")
    commit(clone, "别的单位")
    before = refs(hub)
    r = push(clone, env={"SHUANGZHENG_PUSHER": "wang"})
    assert r.returncode != 0
    assert "ledgers/2022/zzb.jsonl: 推送人 wang 只能提交 市委宣传部（xcb） 的台账" in r.stderr
    assert refs(hub) == before
    r = push(clone, env={"SHUANGZHENG_PUSHER": "office"})  # not mapped: the office, unrestricted
    assert r.returncode == 0, r.stderr


def test_hub_init_on_an_existing_bare_repository_keeps_its_history(shared, tmp_path: Path, cli) -> None:
    hub, clone = shared
    (hub / "hooks" / "pre-receive").unlink()
    before = refs(hub)
    r = cli("hub", "init", hub)
    assert r.code == 0 and "历史未改动" in r.out
    assert refs(hub) == before and (hub / "hooks" / "pre-receive").is_file()
    r = cli("hub", "init", clone)
    assert r.code == 2 and "是带工作区的克隆，不是共享仓库" in r.err
    (hub / "hooks" / "pre-receive").write_text("#!/bin/sh\nexit 0\n", encoding="utf-8")
    r = cli("hub", "init", hub)
    assert r.code == 2 and "已有别的 pre-receive 钩子，未覆盖" in r.err


def test_the_hook_refuses_when_it_cannot_run_the_check(shared, cli) -> None:
    hub, clone = shared
    hook = hub / "hooks" / "pre-receive"
    hook.write_text(hook.read_text(encoding="utf-8").replace("python=", "python=/nowhere/python #"), encoding="utf-8")
    add(cli, clone, "xcb", "第三条")
    commit(clone, "追加")
    before = refs(hub)
    r = push(clone)
    assert r.returncode != 0 and "无法检查，为安全起见拒绝推送" in r.stderr
    assert refs(hub) == before
    assert json.loads((clone / XCB).read_text(encoding="utf-8").splitlines()[-1])["text"] == "第三条"
