"""A line repeated, byte for byte, by a union merge (real git, a hub made by `hub init`).

The liaison records with `add` and then imports the returned workbook; the office imports the
same workbook and then records with `add`. An imported line is derived from the workbook, so
both clones hold the same bytes, at different places; `git pull --no-rebase --no-edit` keeps
both copies (`merge=union`). Readers count it once, so it is no problem: `check` lists it as a
notice and passes, and the commit check and the shared repository accept it as it is. Deleting
a committed line, and a different line with the same id, are still refused.
"""

from __future__ import annotations

import json
import os
import subprocess
import time
from pathlib import Path

import pytest
from conftest import run_process
from test_git_merge import _isolated_git, git, identify  # noqa: F401 - the fixture isolates git config
from test_hub import add, push, refs
from test_import_merge import returned_workbook

from shuangzheng_cli.board.cache import RACY_SECONDS

XCB = "ledgers/2022/xcb.jsonl"


def commit(root: Path, message: str, *, ok: bool = True) -> subprocess.CompletedProcess[str]:
    """`git add ledgers` and `git commit` through the pre-commit hook (`shuangzheng check --staged`),
    as a person runs them (no virtual environment on PATH)."""
    git(root, "add", "-A")
    env = {**os.environ, "PATH": "/usr/local/bin:/usr/bin:/bin"}
    done = subprocess.run(
        ["git", "-C", str(root), "commit", "-q", "-m", message], capture_output=True, text=True, env=env, check=False
    )
    if ok:
        assert done.returncode == 0, done.stdout + done.stderr
    return done


@pytest.fixture
def merged(tmp_path: Path, cli) -> tuple[Path, Path, Path]:
    """The hub, the liaison's clone and the office's clone after the office's union merge, which
    holds one imported line twice (not yet pushed)."""
    return merge_after_imports(tmp_path, cli)


def merge_after_imports(tmp_path: Path, cli, liaison_by: tuple[str, ...] = (), office_by: tuple[str, ...] = ()):  # noqa: ANN001, ANN201
    """As `merged`; `liaison_by`/`office_by`: options each side's `import` is given (`--by 名字`)."""
    office = tmp_path / "office"
    assert cli("init", office).code == 0
    identify(office, "办公室")
    add(cli, office, "xcb", "第一条")
    commit(office, "工作区")
    hub = tmp_path / "hub.git"
    assert cli("hub", "init", hub).code == 0
    git(office, "remote", "add", "origin", str(hub))
    assert push(office, "HEAD:refs/heads/main").returncode == 0
    git(office, "fetch", "-q", "origin")
    git(office, "branch", "-q", "--set-upstream-to=origin/main")
    liaison = tmp_path / "liaison"
    git(tmp_path, "clone", "-q", str(hub), str(liaison))
    identify(liaison, "联络员")
    book = returned_workbook(office, tmp_path / "hidden.xlsx")

    add(cli, liaison, "xcb", "联络员记的")  # installs the pre-commit hook in the clone
    assert cli("--root", liaison, "import", *liaison_by, book).code == 0
    commit(liaison, "联络员：记录与导入")
    assert push(liaison).returncode == 0

    assert cli("--root", office, "import", *office_by, book).code == 0
    add(cli, office, "xcb", "办公室记的")
    commit(office, "办公室：导入与记录")
    pull = git(office, "pull", "--no-rebase", "--no-edit")
    assert "CONFLICT" not in pull.stdout + pull.stderr
    return hub, liaison, office


def _lines(root: Path) -> list[bytes]:
    return (root / XCB).read_bytes().splitlines(keepends=True)


def test_the_merge_repeats_an_imported_line(merged) -> None:
    _hub, _liaison, office = merged
    lines = _lines(office)
    repeated = [line for line in set(lines) if lines.count(line) > 1]
    assert len(repeated) == 2  # the workbook's two rows, each twice
    texts = [json.loads(line)["text"] for line in lines]
    assert texts.count("办公室记的") == 1 and texts.count("联络员记的") == 1


def test_the_office_pushes_the_merge_as_it_is(merged, cli) -> None:
    hub, liaison, office = merged
    r = cli("--root", office, "check")
    assert r.code == 0, r.out + r.err
    notices = [line for line in r.out.splitlines() if "完全相同" in line]
    assert len(notices) == 2
    for notice in notices:
        assert notice.startswith(f"{XCB}:")
        assert "读取时只计一次" in notice and "无需处理" in notice and "照常提交和推送" in notice
        assert "可删去" not in notice
    assert "检查通过" in r.err and "2 行与前面的行完全相同" in r.err
    history = json.loads(cli("--root", office, "history", "-u", "xcb", "-f", "json").out)
    assert sorted(e["text"] for e in history) == ["主题班会", "办公室记的", "宣讲两场", "第一条", "联络员记的"]
    assert "未通过检查" not in cli("--root", office, "history", "-u", "xcb").err  # no warning on reading

    pushed = push(office)
    assert pushed.returncode == 0, pushed.stderr
    assert git(hub, "rev-parse", "main").stdout == git(office, "rev-parse", "HEAD").stdout

    add(cli, office, "xcb", "合并之后的下一条")  # the commit check lets the next commit in
    commit(office, "合并之后")
    assert push(office).returncode == 0
    git(liaison, "pull", "-q", "--no-rebase", "--no-edit")
    r = run_process("--root", liaison, "check", "--since", "HEAD~2")
    assert r.code == 0, r.out + r.err


def test_deleting_a_committed_repeat_is_still_refused(merged) -> None:
    """The old advice (可删去一行) led here: a committed line may not be deleted, even a repeat."""
    hub, _liaison, office = merged
    lines = _lines(office)
    last = max(i for i, line in enumerate(lines) if lines.count(line) > 1)
    (office / XCB).write_bytes(b"".join(lines[:last] + lines[last + 1 :]))
    done = commit(office, "删重复行", ok=False)
    assert done.returncode != 0
    assert f"{XCB}:{last + 1}: 已有记录被删除（尚未提交的改动）" in done.stdout + done.stderr
    assert "git restore --staged --worktree 文件名" in done.stderr
    git(office, "commit", "-q", "--no-verify", "-m", "删重复行")  # past the commit check: the hub refuses it
    before = refs(hub)
    pushed = push(office)
    assert pushed.returncode != 0 and "共享仓库拒绝了这次推送" in pushed.stderr
    assert f"remote:   {XCB}:" in pushed.stderr  # the shared copy, no longer in its place
    assert refs(hub) == before


def test_a_deleted_repeat_not_yet_committed_is_restored_as_the_hint_says(merged) -> None:
    hub, _liaison, office = merged
    merge = (office / XCB).read_bytes()
    lines = _lines(office)
    last = max(i for i, line in enumerate(lines) if lines.count(line) > 1)
    (office / XCB).write_bytes(b"".join(lines[:last] + lines[last + 1 :]))
    assert commit(office, "删重复行", ok=False).returncode != 0
    git(office, "restore", "--staged", "--worktree", XCB)
    assert (office / XCB).read_bytes() == merge
    pushed = push(office)
    assert pushed.returncode == 0, pushed.stderr
    assert git(hub, "rev-parse", "main").stdout == git(office, "rev-parse", "HEAD").stdout


def test_a_different_line_with_the_same_id_is_still_refused(merged, cli) -> None:
    hub, _liaison, office = merged
    assert push(office).returncode == 0
    lines = _lines(office)
    record = json.loads(lines[-1])
    record["text"] = "同一编号，另一内容"
    with (office / XCB).open("ab") as fh:
        fh.write(json.dumps(record, ensure_ascii=False).encode() + b"\n")
    r = cli("--root", office, "check")
    assert r.code == 1 and f"编号 {record['id']} 重复" in r.out and "内容不同" in r.out
    assert "发现 1 个问题" in r.err
    done = commit(office, "同编号", ok=False)
    assert done.returncode != 0 and "内容不同" in done.stdout + done.stderr
    git(office, "commit", "-q", "--no-verify", "-m", "同编号")
    before = refs(hub)
    pushed = push(office)
    assert pushed.returncode != 0 and "内容不同" in pushed.stderr
    assert refs(hub) == before


def test_a_repeat_stays_a_notice_when_the_board_is_cached(merged, cli) -> None:
    """The board's cache keeps each problem's `notice`: a reading command answered from the cache
    does not say a line was left out for the repeat, as the first reading does not."""
    _hub, _liaison, office = merged
    env = {**os.environ, "SHUANGZHENG_TODAY": "2022-11-30"}
    time.sleep(RACY_SECONDS + 0.2)  # files changed in the last seconds are not trusted to the cache
    answers = []
    for _ in range(2):  # the first reads the ledger and writes the cache; the second is answered from it
        done = run_process("--root", office, "status", "--as-of", "2022-11-30", env=env)
        assert done.code in (0, 1), done.err
        answers.append(done.out + done.err)
    assert (office / ".shuangzheng-cache" / "board.json").exists()
    for text in answers:
        assert "未通过检查" not in text
    assert answers[0] == answers[1]


def test_one_workbook_imported_by_two_people_is_taken_back_to_one(tmp_path: Path, cli) -> None:
    """Both sides import the same workbook, each naming itself with --by: the merge joins two lines
    with the same id and other bytes (the second newcomer's dead end). `check` says to delete one's
    own; the commit check and the hub accept that, and refuse deleting the one the hub holds."""
    hub, _liaison, office = merge_after_imports(tmp_path, cli, ("--by", "联络员小王"), ("--by", "办公室小李"))
    r = cli("--root", office, "check")
    assert r.code == 1
    assert "已有此编号但内容不同" in r.out and "删去其中你这边的那一行后提交、推送即可" in r.out
    lines = _lines(office)
    mine = [i for i, line in enumerate(lines) if "办公室小李".encode() in line]
    theirs = [i for i, line in enumerate(lines) if "联络员小王".encode() in line]
    assert len(mine) == len(theirs) == 2  # the workbook's two rows, each from both sides

    # the liaison's lines are the hub's: deleting them passes here but not there
    (office / XCB).write_bytes(b"".join(line for i, line in enumerate(lines) if i not in theirs))
    commit(office, "删去联络员导入的两行")
    before = refs(hub)
    pushed = push(office)
    assert pushed.returncode != 0 and "共享仓库拒绝了这次推送" in pushed.stderr
    assert refs(hub) == before
    git(office, "reset", "-q", "--hard", "HEAD~1")

    (office / XCB).write_bytes(b"".join(line for i, line in enumerate(lines) if i not in mine))
    commit(office, "删去本处导入的两行")
    assert cli("--root", office, "check").code == 0
    pushed = push(office)
    assert pushed.returncode == 0, pushed.stderr
    history = json.loads(cli("--root", office, "history", "-u", "xcb", "-f", "json").out)
    assert sorted(e["text"] for e in history) == ["主题班会", "办公室记的", "宣讲两场", "第一条", "联络员记的"]


def test_a_record_removed_and_written_again_with_its_id_is_still_refused(merged) -> None:
    """The way out above is for two lines that were both there; an edit made as a removal and a
    new line with the old id is still an edit."""
    _hub, _liaison, office = merged
    path = office / XCB
    lines = _lines(office)
    first = json.loads(lines[0])
    edited = json.dumps({**first, "text": "改过的内容"}, ensure_ascii=False).encode() + b"\n"
    path.write_bytes(b"".join(lines[1:]) + edited)
    done = commit(office, "改记录", ok=False)
    assert done.returncode != 0
    assert f"{XCB}:1: 已有记录被" in done.stdout + done.stderr
