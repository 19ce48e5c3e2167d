"""Git that just works (issue 13 item 6), with real git and the real command line.

`init` makes the first commit and prints the next steps; a colleague's plain `git clone` gets
the pre-commit check from its first writing command (one line says so); and the recipe
`git add ledgers && git commit && git pull --no-rebase --no-edit && git push` works on divergent
branches with git ≥ 2.27 and no `pull.rebase` configured anywhere.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from conftest import run_process

XCB = "ledgers/2022/xcb.jsonl"
PREPARED = "已为本仓库安装提交前检查 (pre-commit)，并设置 git pull 时合并（pull.rebase false）：以后每次提交前会自动运行 shuangzheng check"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """A global git config of our own: an identity, and deliberately no `pull.rebase`."""
    config = tmp_path / "gitconfig"
    config.write_text("[init]\n\tdefaultBranch = main\n[user]\n\tname = 办公室\n\temail = office@example.org\n",
                      encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(config))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")


def git(repo: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if ok:
        assert result.returncode == 0, f"git {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def add(repo: Path, text: str):
    r = run_process("--root", repo, "add", "-u", "xcb", "-a", "1", "-t", text, "--date", "2022-11-28")
    assert r.code == 0, r.err
    return r


def test_init_makes_the_first_commit_and_prints_the_next_steps(tmp_path: Path) -> None:
    office = tmp_path / "霸州台账"
    r = run_process("init", office)
    assert r.code == 0, r.err
    assert "已提交到 git（首次提交）。" in r.out
    assert "git config --global shuangzheng.recorder 王欣欣" in r.out
    assert "git pull --no-rebase --no-edit" in r.out and "git clone" in r.out
    log = git(office, "log", "--format=%s").stdout.splitlines()
    assert log == ["建立双争活动台账工作区"]
    assert git(office, "status", "--porcelain").stdout == ""  # everything init made is committed
    tracked = git(office, "ls-files").stdout.splitlines()
    assert {"data/activities.yaml", "data/units.yaml", ".gitattributes", ".gitignore", "ledgers/.gitkeep"} <= set(tracked)
    assert git(office, "config", "--local", "pull.rebase").stdout.strip() == "false"


def test_init_without_a_git_identity_says_how_to_commit(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    bare = tmp_path / "bare-gitconfig"
    bare.write_text("[init]\n\tdefaultBranch = main\n", encoding="utf-8")
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(bare))
    office = tmp_path / "office"
    r = run_process("init", office, env={"GIT_AUTHOR_NAME": "", "GIT_COMMITTER_NAME": "", "EMAIL": ""})
    assert r.code == 0, r.err
    assert "提交未完成（尚未设置 git 用户名与邮箱）" in r.out
    assert "git config --global user.name" in r.out
    assert git(office, "rev-parse", "--verify", "-q", "HEAD", ok=False).returncode != 0


def _office_and_hub(tmp_path: Path) -> tuple[Path, Path]:
    office = tmp_path / "office"
    assert run_process("init", office).code == 0
    add(office, "办公室的第一条")
    git(office, "add", "ledgers")
    git(office, "commit", "-q", "-m", "第一条")
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office), str(hub)], check=True)
    return office, hub


def test_the_first_writing_command_in_a_plain_clone_installs_the_check(tmp_path: Path) -> None:
    _office, hub = _office_and_hub(tmp_path)
    clone = tmp_path / "clone"
    subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True)
    hook = clone / ".git/hooks/pre-commit"
    assert not hook.exists()  # git does not carry hooks in a clone
    first = add(clone, "联络员的第一条")
    assert first.err.strip() == PREPARED
    assert hook.exists() and "shuangzheng" in hook.read_text(encoding="utf-8")
    assert git(clone, "config", "--local", "pull.rebase").stdout.strip() == "false"
    second = add(clone, "联络员的第二条")
    assert second.err == ""  # said once
    # the check now guards the clone's commits: a broken ledger line is refused
    with (clone / XCB).open("a", encoding="utf-8") as fh:
        fh.write("{不是 JSON\n")
    git(clone, "add", "ledgers")
    refused = git(clone, "commit", "-q", "-m", "坏行", ok=False)
    assert refused.returncode != 0
    assert f"{XCB}:4" in refused.stdout + refused.stderr


def test_the_readme_recipe_merges_divergent_branches(tmp_path: Path) -> None:
    """Two colleagues record on the same day; the second one's pull is a merge, with no
    `pull.rebase` in any config (git ≥ 2.27 would otherwise stop), and no editor opened."""
    _office, hub = _office_and_hub(tmp_path)
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True)
    add(a, "甲一")
    add(b, "乙一")
    recipe = ["add ledgers", "commit -q -m 进展", "pull -q --no-rebase --no-edit", "push -q"]
    for step in recipe:
        git(a, *step.split())
    git(b, "config", "--local", "--unset", "pull.rebase")  # as a clone that never ran shuangzheng
    assert git(b, "config", "--get", "pull.rebase", ok=False).returncode != 0
    for step in recipe:
        git(b, *step.split())
    git(a, "pull", "-q")  # plain pull: `pull.rebase false` was set by a's first `add`
    for clone in (a, b):
        texts = sorted(json.loads(line)["text"] for line in (clone / XCB).read_text(encoding="utf-8").splitlines())
        assert texts == ["乙一", "办公室的第一条", "甲一"]
        assert run_process("--root", clone, "check").code == 0
