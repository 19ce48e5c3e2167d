"""`check --since REV`: real git repositories with history; edits, removals, reorders, deletions
and renames committed past the pre-commit hook (`--no-verify`), each caught at its file and line
with the commit that made it; union merges of two clones' appends pass."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from test_git_merge import _isolated_git, git, identify  # noqa: F401 - the fixture isolates git config

from shuangzheng_cli.ledger.history import growth_breaches

XCB = "ledgers/2022/xcb.jsonl"
ZZB = "ledgers/2022/zzb.jsonl"


def add(cli, root: Path, unit: str, text: str, day: str = "2022-11-01") -> None:
    r = cli("--root", root, "add", "-u", unit, "-a", "1", "-t", text, "--date", day)
    assert r.code == 0, r.err


def commit(root: Path, message: str, day: str = "2022-11-20", *, verify: bool = False) -> str:
    git(root, "add", "-A")
    args = ["commit", "-q", "-m", message, f"--date={day}T10:00:00+08:00"]
    git(root, *args, *([] if verify else ["--no-verify"]))
    return git(root, "rev-parse", "HEAD").stdout.strip()


def lines(root: Path, rel: str) -> list[str]:
    return (root / rel).read_text(encoding="utf-8").splitlines(keepends=True)


def write(root: Path, rel: str, rows: list[str]) -> None:
    (root / rel).write_text("".join(rows), encoding="utf-8", newline="")


@pytest.fixture
def history(tmp_path: Path, cli) -> tuple[Path, str]:
    """A workspace with history: three xcb lines, two zzb lines, one dx line; the base commit."""
    root = tmp_path / "ws"
    assert cli("init", root).code == 0
    identify(root, "办公室")
    for text in ("一", "二", "三"):
        add(cli, root, "xcb", f"宣传部第{text}条")
    add(cli, root, "zzb", "组织部第一条")
    add(cli, root, "zzb", "组织部第二条")
    add(cli, root, "dx", "党校第一条", "2022-10-01")
    return root, commit(root, "基础")


def test_an_edit_a_removal_and_a_deletion_are_each_caught_with_their_commit(history, cli) -> None:
    root, base = history
    rows = lines(root, XCB)
    write(root, XCB, [rows[0], rows[1].replace("宣传部第二条", "宣传部第二条（改）"), rows[2]])
    identify(root, "张三")
    edit = commit(root, "改了一行", "2022-11-21")
    identify(root, "李四")
    add(cli, root, "xcb", "宣传部第四条")  # an append in between is fine
    commit(root, "追加", "2022-11-22")
    rows = lines(root, ZZB)
    write(root, ZZB, rows[1:])
    removal = commit(root, "删了一行", "2022-11-23")
    identify(root, "王五")
    (root / "ledgers/2022/dx.jsonl").unlink()
    deletion = commit(root, "删了文件", "2022-11-24")

    r = cli("--root", root, "check", "--since", base)
    assert r.code == 1
    assert r.out.splitlines() == [
        f"ledgers/2022/dx.jsonl: 台账文件被删除（提交 {deletion[:7]}，王五，2022-11-24）",
        f"ledgers/2022/xcb.jsonl:2: 已有记录被修改（提交 {edit[:7]}，张三，2022-11-21）",
        f"ledgers/2022/zzb.jsonl:1: 已有记录被删除（提交 {removal[:7]}，李四，2022-11-23）",
    ]
    assert "发现 3 个问题" in r.err and "shuangzheng void" in r.err  # voids are the way to correct
    # from a later start, only what happened after it
    r = cli("--root", root, "check", "--since", removal)
    assert r.code == 1 and r.out.splitlines() == [
        f"ledgers/2022/dx.jsonl: 台账文件被删除（提交 {deletion[:7]}，王五，2022-11-24）"
    ]
    # appends only since the last commit: passes
    r = cli("--root", root, "check", "--since", deletion)
    assert r.code == 0 and r.out == "" and f"自 {deletion} 以来台账只在末尾追加" in r.err


def test_a_reorder_and_a_rename_are_caught_and_a_line_between_old_ones_passes(history, cli) -> None:
    root, base = history
    rows = lines(root, XCB)
    write(root, XCB, [rows[0], rows[2], rows[1]])
    swap = commit(root, "调换顺序")
    rows = lines(root, ZZB)
    between = json.loads(rows[1]) | {"id": "0000000000", "text": "插在中间"}
    write(root, ZZB, [rows[0], json.dumps(between, ensure_ascii=False) + "\n", rows[1]])
    commit(root, "中间插入")  # as a union merge writes the merging side's lines: every old line kept, in order
    git(root, "mv", "ledgers/2022/dx.jsonl", "ledgers/2022/dx2.jsonl")
    rename = commit(root, "改名")
    r = cli("--root", root, "check", "--since", base)
    assert r.code == 1
    assert r.out.splitlines() == [
        "ledgers/2022/dx2.jsonl:1: 记录属于单位 'dx'，却写在 dx2.jsonl 中（应在 dx.jsonl）",  # the usual check
        f"ledgers/2022/dx.jsonl: 台账文件被改名为 ledgers/2022/dx2.jsonl（提交 {rename[:7]}，办公室，2022-11-20）",
        f"ledgers/2022/xcb.jsonl:3: 已有记录的顺序被改变（提交 {swap[:7]}，办公室，2022-11-20）",
    ]


def test_an_edit_is_refused_by_the_pre_commit_check(history) -> None:
    root, _base = history
    rows = lines(root, XCB)
    write(root, XCB, [rows[0].replace("第一条", "第1条"), *rows[1:]])
    git(root, "add", "-A")
    r = git(root, "commit", "-q", "-m", "改", ok=False)
    assert r.returncode != 0
    assert "ledgers/2022/xcb.jsonl:1: 已有记录被修改（尚未提交的改动）" in r.stdout + r.stderr
    assert git(root, "rev-list", "--count", "HEAD").stdout.strip() == "1"  # nothing committed


def test_a_union_merge_of_two_clones_appends_passes(tmp_path: Path, history, cli) -> None:
    root, base = history
    hub = tmp_path / "hub.git"
    subprocess.run(["git", "clone", "-q", "--bare", str(root), str(hub)], check=True)
    a, b = tmp_path / "a", tmp_path / "b"
    for clone in (a, b):
        subprocess.run(["git", "clone", "-q", str(hub), str(clone)], check=True)
        identify(clone, clone.name)
    for text in ("甲一", "甲二"):
        add(cli, a, "xcb", text)
    add(cli, b, "xcb", "乙一")
    add(cli, b, "zzb", "乙二")
    commit(a, "甲")
    commit(b, "乙")
    git(a, "push", "-q", "origin", "HEAD")
    git(b, "pull", "-q", "--no-rebase", "--no-edit")  # union merge: both sides' lines kept
    assert len(lines(b, XCB)) == 6
    assert git(b, "rev-list", "--count", "--merges", "HEAD").stdout.strip() == "1"
    r = cli("--root", b, "check", "--since", base)
    assert r.code == 0, r.out
    git(b, "push", "-q", "origin", "HEAD")
    git(a, "pull", "-q", "--no-rebase")
    r = cli("--root", a, "check", "--since", base)
    assert r.code == 0, r.out
    # a clone behind the shared branch checks its own commits against it: from where they parted
    add(cli, b, "xcb", "乙三")
    commit(b, "乙三")
    git(b, "push", "-q", "origin", "HEAD")
    rows = lines(a, XCB)
    write(a, XCB, rows[1:])
    removal = commit(a, "删")
    git(a, "fetch", "-q")
    r = cli("--root", a, "check", "--since", "origin/main")
    assert r.code == 1 and r.out.splitlines() == [f"ledgers/2022/xcb.jsonl:1: 已有记录被删除（提交 {removal[:7]}，a，2022-11-20）"]


def test_since_outside_a_repository_or_an_unknown_commit_is_a_usage_error(history, tmp_path: Path, cli) -> None:
    root, _base = history
    r = cli("--root", root, "check", "--since", "没有这个")
    assert r.code == 2 and "找不到提交 '没有这个'" in r.err
    plain = tmp_path / "plain"
    assert cli("init", plain).code == 0
    subprocess.run(["rm", "-rf", str(plain / ".git")], check=True)
    r = cli("--root", plain, "check", "--since", "HEAD")
    assert r.code == 2 and "不在 git 仓库中" in r.err


@pytest.mark.parametrize(
    ("old", "new", "expected"),
    [
        (b"a\nb\n", b"a\nb\nc\n", []),  # appended
        (b"a\nb\n", b"a\nb\n", []),
        (b"a\nb", b"a\nb\n", []),  # a torn last line completed
        (b"a\nb", b"a\n", []),  # a torn last line moved away by check --repair
        (b"a\nb\n", b"a\nB\n", [(2, "changed", b"b")]),
        (b"a\nb\nc\n", b"a\nc\n", [(2, "removed", b"b")]),
        (b"a\nb\nc\n", b"a\nc\nb\n", [(3, "reordered", b"c")]),  # c moved before b
        (b"a\nb\n", b"a\nx\nb\n", []),  # as a union merge: the merging side's new lines first
        (b"a\nb\nc\n", b"a\nx\nb\ny\nc\nz\n", []),
        (b"a\nb\n", b"", [(1, "removed", b"a"), (2, "removed", b"b")]),
        # one record edited (its id kept), the one before it removed
        (
            b'{"id":"1","t":"x"}\n{"id":"2","t":"y"}\n',
            b'{"id":"2","t":"Y"}\n',
            [(1, "removed", b'{"id":"1","t":"x"}'), (2, "changed", b'{"id":"2","t":"y"}')],
        ),
        # a byte order mark at the start (an editor's) is no change, added or taken away: readers never see it
        (b"\xef\xbb\xbfa\n", b"a\n", []),
        (b"a\n", b"\xef\xbb\xbfa\nb\n", []),
        # line endings turned into CRLF are named at the first line so changed
        (b"a\nb\n", b"a\r\nb\r\n", [(1, "crlf", b"a")]),
        (b"a\nb\n", b"a\nb\r\nc\r\n", [(2, "crlf", b"b")]),
        (b"a\nb\n", b"a\nb\nc\r\n", []),  # only a new line ends in CRLF
        (b"a\nb\n", b"a\r\nB\r\n", [(1, "changed", b"a"), (2, "changed", b"b")]),  # CRLF and an edit
    ],
)
def test_growth_breaches(old: bytes, new: bytes, expected: list) -> None:
    assert growth_breaches(old, new) == expected
