"""The ledger's history in git: between two versions, did the ledger files only grow?

A ledger file may only gain lines. Between an old and a new version (two commits, or the
last commit and what is staged for the next one) every ledger file
`ledgers/<YYYY>/<name>.jsonl` of the old version must still exist under the same name, and
each of its complete lines must still be there, byte for byte, in the same order: no line
changed, removed or reordered. New lines go at the end; a merge made by `merge=union`
keeps the lines of both sides after the common ones, so from either side's version it passes
(the merging side's new lines come before the other side's).

Each breach is reported at the line of the old version it concerns, with the commit that
made it. The cost is one `git diff-tree` between the two ends and one read of each changed
file's two versions (`git cat-file --batch`); history is walked (`git log`) only for a file
found breached, to name the commit. Git runs as a subprocess with argument lists, never
through a shell.
"""

from __future__ import annotations

import difflib
import os
import re
import subprocess
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import Problem, UsageProblem
from .format import BOM

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

ZERO = "0" * 40
#: an empty tree, for a first commit (git knows this object without storing it)
EMPTY_TREE = "4b825dc642cb6eb9a060e54bf8d69288fbee4904"
_LEDGER_FILE = re.compile(r"(?:.*/)?ledgers/\d{4}/[^/]+\.jsonl")
CORRECTION_HINT = (
    "台账只能在末尾追加：已有记录不得修改、删除或调换顺序，台账文件不得删除或改名。"
    "记错了请用 `shuangzheng void 编号 --reason 原因` 作废后重新记录；"
    "已提交的改动可用 git revert 提交编号 撤销"
)

_STAGED = "尚未提交的改动"  # the source `Breach.problem` gives a change not committed yet


def restore_hint(problems: Iterable[Problem]) -> str | None:
    """How to undo what is staged, when some problem is an uncommitted change that restoring the
    file undoes without loss; not for line endings turned into CRLF (restoring would drop the lines
    added since: the problem says how to mend them instead)."""
    if any(p.message.endswith(f"（{_STAGED}）") and not p.message.startswith(_WHAT["crlf"]) for p in problems):
        return "尚未提交的改动可用 git restore --staged --worktree 文件名 恢复成上次提交时的样子。"
    return None


_WHAT = {
    "changed": "已有记录被修改",
    "removed": "已有记录被删除",
    "reordered": "已有记录的顺序被改变",
    "deleted": "台账文件被删除",
    "renamed": "台账文件被改名为 {to}",
    "retyped": "台账文件不再是普通文件",
    "crlf": "换行符被改成了 Windows 的 CRLF（多半是编辑器保存时改的），记录内容没有变：请在编辑器中把换行改回 LF（Unix）后保存",
}


@dataclass(frozen=True)
class Commit:
    """A commit as people are shown it: short id, author, day (YYYY-MM-DD)."""

    sha: str
    author: str
    date: str

    def __str__(self) -> str:
        return f"提交 {self.sha[:7]}，{self.author}，{self.date}"


@dataclass(frozen=True)
class Breach:
    """One place where a ledger file did not only grow at its end.

    `path`: the file in the old version (from the repository's top); `line`: 1-based line of the
    old version (0: the whole file); `what`: a key of `_WHAT`; `text`: that old line's bytes;
    `to`: the new name of a renamed file; `commit`: who made it (None: not committed yet, or
    not found in the range).
    """

    path: str
    line: int
    what: str
    text: bytes = b""
    to: str = ""
    commit: Commit | None = None
    staged: bool = False

    def problem(self, strip: str = "") -> Problem:
        """As `check` lists it: `ledgers/2022/xcb.jsonl:2: 已有记录被修改（提交 abc1234，作者，日期）`."""
        what = _WHAT[self.what].format(to=self.to.removeprefix(strip))
        if self.commit is not None:
            source = str(self.commit)
        elif self.staged:
            source = _STAGED
        else:
            source = "未找到改动它的提交"
        return Problem(self.path.removeprefix(strip), self.line, f"{what}（{source}）")


def is_ledger_path(path: str) -> bool:
    """`ledgers/<YYYY>/<name>.jsonl` (under any folder): a file the history rule applies to."""
    return _LEDGER_FILE.fullmatch(path) is not None


# ------------------------------------------------------------ pure functions over contents


def growth_breaches(old: bytes, new: bytes) -> list[tuple[int, str, bytes]]:
    """Where a line of `old` is not in `new` as it was: `(old line number, what, old line)`.

    Every complete line of `old` must be in `new`, byte for byte, in the same order. New lines
    may follow them or, as a union merge puts them, sit between them: when clone B merges
    clone A's appends, B's own new lines come before A's, which the shared repository already
    holds. Only the complete lines of `old` count: a torn last line (no newline, a write cut
    short) may be completed or taken away by `check --repair`. `what` is "changed",
    "removed" or "reordered" (the line is still there, elsewhere), or "crlf" (at the first line
    whose only change is a carriage return before its newline, when that is all that changed).

    A byte order mark at the start of either side is not a change: readers never see it (an editor
    such as Notepad or WPS adds it when it saves). Nor is removing a line whose record id another
    line still holds that was there before too: what a union merge joined from two clones' versions
    of one record (the same workbook imported by two people) can be taken back to one, and only
    so; a line removed and written again with its id (an edit) is still a change.
    """
    old, new = old.removeprefix(BOM), new.removeprefix(BOM)
    if b"\r\n" in new and b"\r\n" not in old and not growth_breaches(old, new.replace(b"\r\n", b"\n")):
        a = old[: old.rfind(b"\n") + 1].split(b"\n")[:-1]  # the complete lines
        k = next((i for i, (x, y) in enumerate(zip(a, new.split(b"\n"), strict=False)) if x != y), None)
        if k is not None:  # else only new lines end in CRLF: the old ones are as they were
            return [(k + 1, "crlf", a[k])]
    complete = old[: old.rfind(b"\n") + 1]
    if new.startswith(complete):
        return []
    a = complete.split(b"\n")[:-1]
    b = new.split(b"\n")
    if b and b[-1] == b"":
        b.pop()
    if _in_order(a, b):
        return []
    first = 0
    while first < len(a) and first < len(b) and a[first] == b[first]:
        first += 1
    ops = difflib.SequenceMatcher(None, a[first:], b[first:], autojunk=False).get_opcodes()
    added = {line for tag, _i1, _i2, j1, j2 in ops if tag != "equal" for line in b[first + j1 : first + j2]}
    out: list[tuple[int, str, bytes]] = []
    for tag, i1, i2, j1, j2 in ops:
        if tag == "equal":
            continue
        if tag == "insert":  # new lines between old ones: a union merge puts one side's before the other's
            continue
        edited = _edited(a[first + i1 : first + i2], b[first + j1 : first + j2]) if tag == "replace" else set()
        for k in range(first + i1, first + i2):
            what = "reordered" if a[k] in added else "changed" if k - first - i1 in edited else "removed"
            out.append((k + 1, what, a[k]))
    if any(what == "removed" for _, what, _ in out):
        # one of two lines with the same id (a merge joined two clones' versions of one record):
        # removing it loses nothing when the other, already there before, stays
        # (a byte-identical repeat needs no way out: it is only a notice, and stays)
        still = set(b)
        held = {_record_id(line) for line in set(a) & still} - {None}
        out = [o for o in out if not (o[1] == "removed" and o[2] not in still and _record_id(o[2]) in held)]
    return out


def _in_order(a: list[bytes], b: list[bytes]) -> bool:
    """Every line of `a` is in `b`, in the same order (other lines may sit between them)."""
    rest = iter(b)
    return all(any(line == other for other in rest) for line in a)


def _edited(old: list[bytes], new: list[bytes]) -> set[int]:
    """Which of the `old` lines of a replaced block were edited rather than removed: those whose
    record id is still on a new line of the block; of the rest, as many (in order) as there are
    new lines whose id is not an old one's (a line edited with its id)."""
    old_ids = [_record_id(line) for line in old]
    new_ids = {_record_id(line) for line in new} - {None}
    out = {i for i, rid in enumerate(old_ids) if rid is not None and rid in new_ids}
    spare = len(new_ids - set(old_ids)) + sum(1 for line in new if _record_id(line) is None)
    for i in range(len(old)):
        if spare <= 0:
            break
        if i not in out:
            out.add(i)
            spare -= 1
    return out


_ID = re.compile(rb'"id"\s*:\s*"([^"\\]*)"')


def _record_id(line: bytes) -> bytes | None:
    found = _ID.search(line)
    return found.group(1) if found else None


@dataclass(frozen=True)
class Change:
    """One line of `git diff-tree --raw -z`: modes, blobs, status letter, path(s)."""

    old_mode: str
    new_mode: str
    old_blob: str
    new_blob: str
    status: str
    path: str
    to: str = ""


def parse_raw(data: bytes) -> list[Change]:
    """`git diff-tree -r -z --raw` (or `diff-index`) output as `Change`s."""
    fields = data.split(b"\0")
    out: list[Change] = []
    i = 0
    while i < len(fields) and fields[i].startswith(b":"):
        old_mode, new_mode, old_blob, new_blob, status = fields[i][1:].decode().split()
        path = os.fsdecode(fields[i + 1])
        i += 2
        to = ""
        if status[0] in "RC":
            to = os.fsdecode(fields[i])
            i += 1
        out.append(Change(old_mode, new_mode, old_blob, new_blob, status[0], path, to))
    return out


def change_breaches(change: Change) -> list[Breach] | None:
    """The breaches a change of the file list makes by itself; None: its contents must be compared."""
    if not is_ledger_path(change.path) or change.status == "A":
        return []
    if change.status == "D":
        return [Breach(change.path, 0, "deleted")]
    if change.status == "R":
        return [Breach(change.path, 0, "renamed", to=change.to)]
    if change.new_mode != change.old_mode and not change.new_mode.startswith("100"):
        return [Breach(change.path, 0, "retyped")]
    return None


# ------------------------------------------------------------ git


class Git:
    """Runs git on one repository: `git -C <folder>` for a clone, `git --git-dir <dir>` for a bare one."""

    def __init__(self, folder: Path | str | None = None, *, bare: bool = False):
        if folder is None:
            self.base = ["git"]
        else:
            self.base = ["git", "--git-dir" if bare else "-C", os.fspath(folder)]

    def run(self, *args: str, check: bool = True, stdin: bytes | None = None) -> subprocess.CompletedProcess[bytes]:
        try:
            result = subprocess.run([*self.base, *args], input=stdin, capture_output=True, check=False)
        except OSError as exc:
            raise UsageProblem(f"无法运行 git（{exc.strerror or exc}）：请先安装 git") from None
        if check and result.returncode != 0:
            reason = result.stderr.decode("utf-8", "replace").strip().splitlines()
            raise UsageProblem(f"git {args[0]} 失败：{reason[-1] if reason else result.returncode}")
        return result

    def out(self, *args: str) -> str:
        return self.run(*args).stdout.decode("utf-8", "replace").strip()

    def commit_of(self, rev: str) -> str:
        """The full id of the commit `rev` names; `UsageProblem` when it names none."""
        result = self.run("rev-parse", "--verify", "--quiet", "--end-of-options", f"{rev}^{{commit}}", check=False)
        if result.returncode != 0:
            raise UsageProblem(f"--since：找不到提交 '{rev}'（可用 git log 查看提交编号，或写分支名如 origin/main）")
        return result.stdout.decode().strip()

    def is_ancestor(self, old: str, new: str) -> bool:
        return self.run("merge-base", "--is-ancestor", old, new, check=False).returncode == 0

    def blobs(self, specs: Iterable[str]) -> Iterator[bytes | None]:
        """The contents of each blob named (`<sha>` or `<rev>:<path>`), streamed one at a time; None: missing."""
        proc = subprocess.Popen([*self.base, "cat-file", "--batch"], stdin=subprocess.PIPE, stdout=subprocess.PIPE)
        assert proc.stdin is not None and proc.stdout is not None
        try:
            for spec in specs:
                proc.stdin.write(spec.encode("utf-8") + b"\n")
                proc.stdin.flush()
                header = proc.stdout.readline().split()
                if len(header) != 3:  # "<spec> missing" or "ambiguous"
                    yield None
                    continue
                size = int(header[2])
                data = proc.stdout.read(size)
                proc.stdout.read(1)  # the newline after the contents
                yield data if header[1] == b"blob" else None
        finally:
            proc.stdin.close()
            proc.stdout.close()
            proc.wait()


def history_breaches(git: Git, old: str, new: str | None, pathspec: str = "ledgers") -> list[Breach]:
    """Every breach of the append-only rule between commit `old` and commit `new`
    (None: the index, i.e. what the next commit will hold), with the commit that made it."""
    if new is None:
        raw = git.run("diff-index", "--cached", "-r", "-z", "-M", old, "--", pathspec).stdout
    else:
        raw = git.run("diff-tree", "-r", "-z", "-M", old, new, "--", pathspec).stdout
    changes = parse_raw(raw)
    found: list[Breach] = []
    compare: list[Change] = []
    for change in changes:
        direct = change_breaches(change)
        if direct is None:
            compare.append(change)
        else:
            found += direct
    specs = [blob for c in compare for blob in (c.old_blob, c.new_blob)]
    contents = git.blobs(specs)
    for change in compare:
        before, after = next(contents), next(contents)
        for line, what, text in growth_breaches(before or b"", after or b""):
            found.append(Breach(change.path, line, what, text))
    contents.close()
    if new is None:
        return sorted((_staged(b) for b in found), key=_order)
    return sorted(_with_commits(git, old, new, found), key=_order)


def _order(b: Breach) -> tuple[str, int]:
    return (b.path, b.line)


def _staged(b: Breach) -> Breach:
    return Breach(b.path, b.line, b.what, b.text, b.to, None, staged=True)


def _with_commits(git: Git, old: str, new: str, found: list[Breach]) -> list[Breach]:
    """Each breach with the commit in `old..new` that made it."""
    by_path: dict[str, list[Breach]] = {}
    for b in found:
        by_path.setdefault(b.path, []).append(b)
    out: list[Breach] = []
    for path, breaches in by_path.items():
        whole = [b for b in breaches if b.line == 0]
        if whole:
            commits = _log(git, f"{old}..{new}", path, "--no-renames", "--diff-filter=DT", "-1")
            culprit = commits[0] if commits else None
            out += [Breach(b.path, b.line, b.what, b.text, b.to, culprit) for b in whole]
        lines = [b for b in breaches if b.line]
        if lines:
            out += _line_culprits(git, old, new, path, lines)
    return out


def _line_culprits(git: Git, old: str, new: str, path: str, breaches: list[Breach]) -> list[Breach]:
    """For each breached line: the first commit (oldest first) that broke a line with its text,
    each commit compared with its first parent; else the first commit that broke any line."""
    commits = _log(git, f"{old}..{new}", path, "--topo-order", "--reverse", parents=True)
    specs = [spec for c, parent in commits for spec in (f"{parent}:{path}" if parent else EMPTY_TREE, f"{c.sha}:{path}")]
    broken: list[tuple[Commit, set[bytes]]] = []
    contents = git.blobs(specs)
    for commit, _parent in commits:
        before, after = next(contents), next(contents)
        if before is None or after is None:
            continue
        lines = growth_breaches(before, after)
        if lines:
            broken.append((commit, {text for _n, _w, text in lines}))
    contents.close()
    out = []
    for b in breaches:
        culprit = next((c for c, texts in broken if b.text in texts), broken[0][0] if broken else None)
        out.append(Breach(b.path, b.line, b.what, b.text, b.to, culprit))
    return out


def _log(git: Git, span: str, path: str, *options: str, parents: bool = False) -> list:
    """Commits of `span` that touch `path`: `Commit`s, or `(Commit, first parent or "")` pairs."""
    data = git.run(
        "log", "--format=%H%x00%an%x00%ad%x00%P", "--date=short", *options, span, "--", path
    ).stdout.decode("utf-8", "replace")
    out: list = []
    for row in data.splitlines():
        sha, author, day, parent_ids = row.split("\0")
        commit = Commit(sha, author, day)
        out.append((commit, (parent_ids.split() or [""])[0]) if parents else commit)
    return out


# ------------------------------------------------------------ a workspace's clone


def _clone(root: Path) -> tuple[Git, str]:
    """Git on the clone holding workspace `root`, and the workspace's folder from the clone's top."""
    git = Git(root)
    result = git.run("rev-parse", "--show-prefix", check=False)
    if result.returncode != 0:
        raise UsageProblem(f"{root} 不在 git 仓库中，无法检查台账的历史（可运行 shuangzheng init 建立仓库）")
    return git, result.stdout.decode("utf-8", "replace").strip()


def since_problems(root: Path, since: str) -> list[Problem]:
    """`check --since REV`: every breach of the append-only rule between REV and HEAD, at its
    `file:line` (relative to the workspace) with the commit that made it. When REV is not in
    HEAD's history (a fetched branch with others' new commits), from where the two parted."""
    git, prefix = _clone(root)
    new = git.commit_of("HEAD")
    old = git.commit_of(since)
    if not git.is_ancestor(old, new):  # e.g. origin/main fetched with others' new commits: from where HEAD left it
        found = git.run("merge-base", old, new, check=False)
        if found.returncode != 0:
            raise UsageProblem(f"--since：提交 '{since}' 与 HEAD 没有共同的历史，无法比较")
        old = found.stdout.decode().strip()
    breaches = history_breaches(git, old, new, f":(top){prefix}ledgers")
    return [b.problem(strip=prefix) for b in breaches]


def staged_problems(root: Path, catalog: Catalog | None) -> list[Problem]:
    """`check --staged` (the pre-commit check): what is staged for the next commit must only
    append to ledger files, and only to files of units in the clone's write scope."""
    from .scope import CONFIG_KEY, describe, units_in_scope

    git, prefix = _clone(root)
    head = git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    base = head.stdout.decode().strip() if head.returncode == 0 else EMPTY_TREE
    pathspec = f":(top){prefix}ledgers"
    problems = [b.problem(strip=prefix) for b in history_breaches(git, base, None, pathspec)]
    scope = units_in_scope(root, catalog)
    if scope is not None:
        for path, unit in written_files(git, base, None, pathspec):
            if unit not in scope:
                problems.append(
                    Problem(
                        path.removeprefix(prefix),
                        0,
                        f"不是本克隆填报的单位（git config {CONFIG_KEY} = {describe(scope, catalog)}）："
                        "其他单位的台账由其联络员或市“双争”办提交，请 git restore --staged 撤出此文件",
                    )
                )
    return sorted(problems)


def written_files(git: Git, old: str, new: str | None, pathspec: str = "ledgers") -> list[tuple[str, str]]:
    """Ledger files added or changed between `old` and `new` (None: the index): `(path, unit id in its name)`."""
    if new is None:
        raw = git.run("diff-index", "--cached", "-r", "-z", "--no-renames", old, "--", pathspec).stdout
    else:
        raw = git.run("diff-tree", "-r", "-z", "--no-renames", old, new, "--", pathspec).stdout
    return [
        (c.path, c.path.rsplit("/", 1)[-1].removesuffix(".jsonl"))
        for c in parse_raw(raw)
        if is_ledger_path(c.path) and c.status != "D"
    ]
