"""Real git: an office repository, a bare hub, two clones appending to the same unit file on the same day.

`.gitattributes` (`ledgers/**/*.jsonl merge=union`, written by `shuangzheng init`) is what
lets the second clone's pull merge without a conflict; without it the same pull conflicts.
"""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest
from conftest import run_process

XCB = "ledgers/2022/xcb.jsonl"


@pytest.fixture(autouse=True)
def _isolated_git(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """No global or system git config (signing, hooks paths, default branch) leaks into the test."""
    monkeypatch.setenv("GIT_CONFIG_GLOBAL", str(tmp_path / "gitconfig"))
    monkeypatch.setenv("GIT_CONFIG_NOSYSTEM", "1")
    (tmp_path / "gitconfig").write_text("[init]\n\tdefaultBranch = main\n[pull]\n\trebase = false\n", encoding="utf-8")


def git(repo: Path, *args: str, ok: bool = True) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(["git", "-C", str(repo), *args], capture_output=True, text=True, check=False)
    if ok:
        assert result.returncode == 0, f"git {' '.join(args)}\n{result.stdout}\n{result.stderr}"
    return result


def identify(repo: Path, name: str) -> None:
    git(repo, "config", "user.name", name)
    git(repo, "config", "user.email", f"{name}@example.org")


def add(repo: Path, text: str) -> None:
    r = run_process("--root", repo, "add", "-u", "xcb", "-a", "1", "-t", text, "--date", "2022-11-28")
    assert r.code == 0, r.err


def texts(repo: Path) -> list[str]:
    return sorted(json.loads(line)["text"] for line in (repo / XCB).read_text(encoding="utf-8").splitlines())


def office_hub_and_clones(tmp_path: Path, cli, *, union: bool = True) -> tuple[Path, Path, Path]:
    office = tmp_path / "office"
    assert cli("init", office).code == 0
    assert "ledgers/**/*.jsonl merge=union" in (office / ".gitattributes").read_text(encoding="utf-8")
    if not union:
        (office / ".gitattributes").write_text("", encoding="utf-8")
    identify(office, "办公室")
    add(office, "办公室的第一条")  # the file exists in the shared history
    git(office, "add", "-A")
    git(office, "commit", "-q", "-m", "工作区")  # runs the pre-commit hook: `shuangzheng check`
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(office), str(hub)], check=True)
    clones = []
    for name in ("a", "b"):
        clone = tmp_path / name
        subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True)
        identify(clone, f"联络员{name}")
        clones.append(clone)
    return hub, clones[0], clones[1]


def test_two_clones_append_to_the_same_file_and_merge_without_conflict(tmp_path: Path, cli) -> None:
    hub, a, b = office_hub_and_clones(tmp_path, cli)
    # both clones append to the same unit file, for the same day, before either pushes
    for text in ("甲一", "甲二", "甲三"):
        add(a, text)
    for text in ("乙一", "乙二"):
        add(b, text)
    git(a, "commit", "-q", "-am", "甲的进展")
    git(b, "commit", "-q", "-am", "乙的进展")
    git(a, "push", "-q", "origin", "HEAD")
    assert git(b, "push", "-q", "origin", "HEAD", ok=False).returncode != 0  # behind: must pull first
    pull = git(b, "pull", "--no-rebase", "-q", "origin", "main")
    assert "CONFLICT" not in pull.stdout + pull.stderr
    git(b, "push", "-q", "origin", "HEAD")
    git(a, "pull", "--no-rebase", "-q", "origin", "main")

    every = sorted(["办公室的第一条", "甲一", "甲二", "甲三", "乙一", "乙二"])
    for clone in (a, b):
        assert texts(clone) == every
        data = (clone / XCB).read_bytes()
        assert b"<<<<<<<" not in data and b">>>>>>>" not in data
        assert git(clone, "status", "--porcelain").stdout == ""
        r = run_process("--root", clone, "check")
        assert r.code == 0, r.out
        ids = [json.loads(line)["id"] for line in data.splitlines()]
        assert len(ids) == len(set(ids)) == 6
    assert (a / XCB).read_bytes() == (b / XCB).read_bytes()
    history = json.loads(run_process("--root", a, "history", "-u", "xcb", "-f", "json").out)
    assert sorted(e["text"] for e in history) == every


def conflicted_pull(tmp_path: Path, cli):  # noqa: ANN001, ANN201
    """Two clones without union merge each add a line; the second pulls the first's: (a, b, the pull)."""
    _hub, a, b = office_hub_and_clones(tmp_path, cli, union=False)
    add(a, "甲一")
    add(b, "乙一")
    git(a, "commit", "-q", "-am", "甲")
    git(b, "commit", "-q", "-am", "乙")
    git(a, "push", "-q", "origin", "HEAD")
    return a, b, git(b, "pull", "--no-rebase", "origin", "main", ok=False)


def test_without_union_merge_the_same_pull_conflicts(tmp_path: Path, cli) -> None:
    _a, b, pull = conflicted_pull(tmp_path, cli)
    assert pull.returncode != 0
    assert "CONFLICT" in pull.stdout + pull.stderr
    # and check finds what the conflict left in the file
    r = run_process("--root", b, "check")
    assert r.code == 1
    assert f"{XCB}:2: git 合并冲突标记" in r.out


def test_pre_commit_hook_refuses_a_broken_ledger(tmp_path: Path, cli) -> None:
    office = tmp_path / "office"
    assert cli("init", office).code == 0
    identify(office, "办公室")
    add(office, "好的一条")
    with (office / XCB).open("ab") as fh:
        fh.write(b'{"v": 1, "id": "torn')
    git(office, "add", "-A")
    commit = git(office, "commit", "-q", "-m", "坏的", ok=False)
    assert commit.returncode != 0
    assert f"{XCB}:2" in commit.stdout + commit.stderr
    assert os.path.exists(office / XCB)
