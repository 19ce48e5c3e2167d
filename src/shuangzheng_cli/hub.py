"""The office's shared repository (共享仓库): a bare git repository whose `pre-receive` hook
refuses any push that would break the ledger's record.

For every branch pushed (old → new) the hook checks, in this order, and refuses the whole
push on the first branch that fails, with Chinese messages the pusher sees on their screen
(git prefixes them with `remote:`):

- no branch is deleted and no branch is rewound (only fast-forwards: `git pull` first);
- between old and new every ledger file only grew at its end (`ledger.history`), each
  breach at its `file:line` with the commit that made it;
- the new tip passes the usual `check` (definitions and every ledger line; a line repeated byte
  for byte, as a union merge of two clones that wrote the same line leaves it, is a notice there
  and accepted here: readers count it once);
- a pusher mapped to units (`git config shuangzheng.pusher.<name>.units "xcb zzb"` in the
  shared repository) changed only those units' ledger files. The pusher's name is
  `$SHUANGZHENG_PUSHER`, else gitolite's `$GL_USER`, else the login running the hook.

The hook records the absolute path of the Python that installed it, so it runs without an
activated virtual environment; failing that it uses `shuangzheng` on PATH; failing both it
refuses (a guard that cannot run must not let pushes through).
"""

from __future__ import annotations

import os
import shlex
import sys
import tarfile
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from .errors import DefinitionError, Problem, UsageProblem
from .ledger.history import (
    CORRECTION_HINT,
    EMPTY_TREE,
    ZERO,
    Git,
    history_breaches,
    written_files,
)

if TYPE_CHECKING:
    from .definitions.catalog import Catalog

MARKER = "# shuangzheng-hub-hook"
PRE_RECEIVE = """#!/bin/sh
{marker}
# 由 shuangzheng hub init 安装（市“双争”办的共享仓库）：每次推送都检查——不删除、不回退分支；
# 台账只在末尾追加（已有记录不改、不删、不调换，台账文件不删、不改名）；推送后的版本通过
# shuangzheng check。不合规则拒绝推送，原因显示在推送人的屏幕上。
# 请勿删除或修改本文件；重新安装：shuangzheng hub init 本仓库路径
python={python}
if [ -x "$python" ]; then
  exec "$python" -m shuangzheng_cli hub receive
fi
if command -v shuangzheng >/dev/null 2>&1; then
  exec shuangzheng hub receive
fi
echo "共享仓库：找不到 shuangzheng（$python 不存在，PATH 中也没有），无法检查，为安全起见拒绝推送。" >&2
echo "请在运行检查的电脑上安装 shuangzheng 后重新推送（见 docs/git.md）。" >&2
exit 1
"""
#: settings of the shared repository: git's own refusals behind the hook's (English, but never reached first)
SETTINGS = {"receive.denyDeletes": "true", "receive.denyNonFastForwards": "true", "core.hooksPath": "hooks"}
PUSHER_KEY = "shuangzheng.pusher.{name}.units"


def init_hub(path: Path) -> list[str]:
    """Create the shared bare repository at `path` (or, for an existing bare repository, only
    install the hook and settings: its history is not touched). Returns what was done, in Chinese.

    `UsageProblem` when `path` is a clone with a working tree, a non-empty folder that is not
    a repository, or a bare repository whose `pre-receive` hook is someone else's.
    """
    path = path.expanduser().absolute()
    done: list[str] = []
    git = Git(path, bare=True)
    if path.exists() and not path.is_dir():
        raise UsageProblem(f"{path} 是文件，不是文件夹：请换一个路径")
    if path.is_dir() and any(path.iterdir()):
        bare = git.run("rev-parse", "--is-bare-repository", check=False)
        if bare.returncode != 0 or not (path / "HEAD").is_file():
            inside = Git(path).run("rev-parse", "--is-inside-work-tree", check=False)
            if inside.returncode == 0 and inside.stdout.strip() == b"true":
                raise UsageProblem(
                    f"{path} 是带工作区的克隆，不是共享仓库：共享仓库应是裸仓库，"
                    f"可运行 git clone --bare {path} 新路径.git 后对新路径运行 shuangzheng hub init"
                )
            raise UsageProblem(f"{path} 不是空文件夹，也不是 git 仓库：请换一个路径")
        done.append("已有共享仓库，历史未改动")
    else:
        path.mkdir(parents=True, exist_ok=True)
        Git(path).run("init", "--bare", "-q")
        done.append("新建裸仓库")
    hook = path / "hooks" / "pre-receive"
    if hook.exists() and MARKER not in hook.read_text(encoding="utf-8", errors="replace"):
        raise UsageProblem(f"{hook} 已有别的 pre-receive 钩子，未覆盖：请先把它移走或合并，再运行 shuangzheng hub init")
    hook.parent.mkdir(parents=True, exist_ok=True)
    text = PRE_RECEIVE.format(marker=MARKER, python=shlex.quote(Path(sys.executable).as_posix()))
    tmp = hook.with_name("pre-receive.tmp")
    tmp.write_text(text, encoding="utf-8", newline="\n")
    tmp.chmod(0o755)
    tmp.replace(hook)
    done.append("安装推送检查 hooks/pre-receive")
    for key, value in SETTINGS.items():
        git.run("config", key, value)
    done.append("禁止删除、回退分支（receive.denyDeletes、receive.denyNonFastForwards）")
    return done


@dataclass
class Verdict:
    """What the hook says about one pushed ref: the problems (empty: accepted)."""

    ref: str
    problems: list[Problem] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def receive(updates: Iterable[str], git: Git | None = None, pusher: str | None = None) -> list[Verdict]:
    """Judge the `<old> <new> <ref>` lines git gives `pre-receive`; a refused ref has problems or notes."""
    git = git or Git()
    head = git.run("rev-parse", "--verify", "--quiet", "HEAD^{commit}", check=False)
    current = head.stdout.decode().strip() if head.returncode == 0 else None
    pusher = pusher if pusher is not None else pusher_name()
    out = []
    for line in updates:
        parts = line.split()
        if len(parts) != 3:
            continue
        old, new, ref = parts
        verdict = Verdict(ref)
        out.append(verdict)
        name = ref.removeprefix("refs/heads/")
        if new == ZERO:
            verdict.notes.append(f"不允许删除 {name}：共享仓库的历史只增不减")
            continue
        if not ref.startswith("refs/heads/"):
            if old != ZERO:
                verdict.notes.append(f"不允许移动已有的 {ref}")
            continue
        if old != ZERO and not git.is_ancestor(old, new):
            verdict.notes.append(
                f"{name} 的推送不是快进（会改写或丢弃共享仓库里已有的提交）："
                "请先 git pull --no-rebase 合并共享仓库的新记录，再推送；不要用 git push --force"
            )
            continue
        base = old if old != ZERO else _merge_base(git, current, new)
        if base is not None:
            verdict.problems += [b.problem() for b in history_breaches(git, base, new)]
        with tempfile.TemporaryDirectory(prefix="shuangzheng-hub-") as folder:
            root = Path(folder)
            _unpack(git, new, root)
            problems, catalog = _tip_problems(root)
        verdict.problems += problems + _links(git, new)
        if pusher and catalog is not None:
            verdict.problems += _pusher_problems(git, catalog, pusher, base or EMPTY_TREE, new)
    return out


def pusher_name() -> str:
    """Who pushes: `$SHUANGZHENG_PUSHER`, else gitolite's `$GL_USER`, else the login running the hook."""
    for key in ("SHUANGZHENG_PUSHER", "GL_USER", "USER", "LOGNAME", "USERNAME"):
        value = os.environ.get(key, "").strip()
        if value:
            return value
    return ""


def _merge_base(git: Git, current: str | None, new: str) -> str | None:
    """Where a new branch leaves the shared history (None: an empty repository, or unrelated)."""
    if current is None:
        return None
    found = git.run("merge-base", current, new, check=False)
    return (found.stdout.decode().strip() or None) if found.returncode == 0 else None


def _tip_problems(root: Path) -> tuple[list[Problem], Catalog | None]:
    """The usual `check` of the pushed version unpacked at `root`, and its definitions (None: unusable)."""
    from .definitions.catalog import Catalog
    from .ledger.check import check_ledgers
    from .ledger.reader import real_problems
    from .ledger.storage import Ledger
    from .periods import today

    if not (root / "data" / "activities.yaml").is_file():
        return [Problem("data/activities.yaml", 0, "推送的版本中没有这个文件：共享仓库只收台账工作区（shuangzheng init 创建）")], None
    try:
        catalog = Catalog.load(root)
    except DefinitionError as exc:
        return list(exc.problems) or [Problem("data", 0, exc.message)], None
    return real_problems(check_ledgers(catalog, Ledger(root, catalog), today())), catalog


def _unpack(git: Git, commit: str, root: Path) -> None:
    import subprocess

    proc = subprocess.Popen([*git.base, "archive", "--format=tar", commit], stdout=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        with tarfile.open(fileobj=proc.stdout, mode="r|") as archive:
            archive.extractall(root, filter=_plain_files)
    except tarfile.TarError as exc:
        raise UsageProblem(f"无法取出提交 {commit[:7]} 的文件（{exc}）") from None
    finally:
        proc.stdout.close()
        if proc.wait() != 0:
            raise UsageProblem(f"无法取出提交 {commit[:7]} 的文件（git archive 失败）")


def _links(git: Git, commit: str) -> list[Problem]:
    """Links under `ledgers/` in the pushed version (left out when unpacking it, so said here)."""
    listing = git.run("ls-tree", "-r", "-z", commit, "--", "ledgers").stdout.split(b"\0")
    out = []
    for item in filter(None, listing):
        mode, _, path = item.partition(b"\t")
        if not mode.startswith(b"100") and not mode.startswith(b"040"):
            out.append(Problem(os.fsdecode(path), 0, "是链接，不是普通文件：台账文件必须是工作区内的普通文件"))
    return out


def _plain_files(member: tarfile.TarInfo, dest: str) -> tarfile.TarInfo | None:
    """Folders and plain files only: a link (which `check` would not follow anyway) stays out."""
    if not (member.isfile() or member.isdir()):
        return None
    return tarfile.data_filter(member, dest)


def _pusher_problems(git: Git, catalog: Catalog, pusher: str, base: str, new: str) -> list[Problem]:
    """Ledger files of units outside the pusher's mapped scope that this push adds to."""
    key = PUSHER_KEY.format(name=pusher)
    found = git.run("config", "--get", key, check=False)
    text = found.stdout.decode("utf-8", "replace").strip() if found.returncode == 0 else ""
    if not text:
        return []
    from .ledger.scope import describe, parse

    scope = parse(text, catalog, f"共享仓库的 git config {key}")
    mine = describe(scope, catalog)
    return [
        Problem(path, 0, f"推送人 {pusher} 只能提交 {mine} 的台账（共享仓库的 git config {key}）")
        for path, unit in written_files(git, base, new)
        if unit not in scope
    ]


def report(verdicts: list[Verdict]) -> tuple[int, str]:
    """The hook's exit code (0: accept the whole push) and what the pusher is shown."""
    refused = [v for v in verdicts if v.problems or v.notes]
    if not refused:
        return 0, ""
    lines = ["", "共享仓库拒绝了这次推送（市“双争”办的台账只能追加）："]
    for v in refused:
        lines.append(f"[{v.ref.removeprefix('refs/heads/')}]")
        lines += [f"  {note}" for note in v.notes]
        lines += [f"  {problem}" for problem in sorted(v.problems)]
    if any(v.problems for v in refused):
        lines.append(f"{CORRECTION_HINT}。改好后再推送（推送前可运行 shuangzheng check --since 共享仓库的分支，如 origin/main，自查）。")
    lines.append("")
    return 1, "\n".join(lines)


def receive_main(stdin: Iterable[str]) -> int:
    """`shuangzheng hub receive`, as the `pre-receive` hook runs it: judge, tell the pusher, exit code."""
    code, text = report(receive(stdin))
    if text:
        sys.stderr.write(text + "\n")
    return code
