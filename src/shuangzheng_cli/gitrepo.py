"""The workspace as a git repository: the pre-commit check, merging pulls, the first commit.

An office keeps its workspace in git; colleagues clone it. A plain `git clone` carries no
hooks and no pull settings, so the first command that writes in a clone sets both up
(`prepare_clone`), as `shuangzheng init` does. Every git call here is best-effort: without git,
or outside a repository, the ledger still works and nothing is raised.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

#: The pre-commit hook: `shuangzheng check --staged` (definitions, ledgers, append-only, the clone's
#: units); a problem refuses the commit.
HOOK = """#!/bin/sh
# 由 shuangzheng 安装：提交前检查定义文件与台账，台账只在末尾追加、只改本克隆填报单位的台账（有问题则拒绝提交）。
top=$(git rev-parse --show-toplevel)
if command -v shuangzheng >/dev/null 2>&1; then
  exec shuangzheng --root "$top" check --staged
fi
exec "{python}" -m shuangzheng_cli --root "$top" check --staged
"""
HOOK_MARK = "shuangzheng"  # a pre-commit hook mentioning it is ours (or already runs the check)

#: Variables that make git use another repository than the one found from `-C root` (set, for
#: instance, when shuangzheng runs from a git hook or an alias of some other repository).
_REPOSITORY_ENV = (
    "GIT_DIR",
    "GIT_WORK_TREE",
    "GIT_INDEX_FILE",
    "GIT_COMMON_DIR",
    "GIT_OBJECT_DIRECTORY",
    "GIT_ALTERNATE_OBJECT_DIRECTORIES",
    "GIT_NAMESPACE",
)


def git(root: Path, *args: str) -> subprocess.CompletedProcess[str] | None:
    """`git -C root ARGS` on the repository found from `root` (never one named by `GIT_DIR` and
    the like), captured; None when git cannot be run at all."""
    env = {k: v for k, v in os.environ.items() if k not in _REPOSITORY_ENV}
    try:
        return subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, text=True, timeout=60, check=False, env=env
        )
    except (OSError, subprocess.SubprocessError):
        return None


def is_git_repo(root: Path) -> bool:
    result = git(root, "rev-parse", "--is-inside-work-tree")
    return result is not None and result.returncode == 0 and result.stdout.strip() == "true"


def toplevel(root: Path) -> Path | None:
    """The top of the work tree `root` is in, or None outside one (or without git)."""
    result = git(root, "rev-parse", "--show-toplevel")
    if result is None or result.returncode != 0 or not result.stdout.strip():
        return None
    return Path(result.stdout.strip())


def is_top(root: Path, top: Path | None) -> bool:
    """Whether `top` (from `toplevel`) is `root` itself: the repository is the workspace's own."""
    if top is None:
        return False
    try:
        return root.samefile(top)
    except OSError:
        return False


def hooks_dir(root: Path) -> Path | None:
    """The repository's hooks folder (honouring `core.hooksPath`), or None outside a repository."""
    result = git(root, "rev-parse", "--git-path", "hooks")
    if result is None or result.returncode != 0:
        return None
    path = Path(result.stdout.strip())
    return path if path.is_absolute() else root / path


def install_hooks(root: Path) -> list[str]:
    """Install what the workspace's git hooks must do; return what was installed (empty: nothing).

    Today the pre-commit check. This is the one place hooks are written: `init` and
    `prepare_clone` both call it, so a hook added here reaches new workspaces and old clones."""
    hooks = hooks_dir(root)
    if hooks is None:
        return []
    path = hooks / "pre-commit"
    if path.exists():
        return []
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(HOOK.format(python=sys.executable), encoding="utf-8", newline="\n")
    path.chmod(0o755)
    return ["提交前检查 (pre-commit)"]


def merge_on_pull(root: Path) -> bool:
    """Set `pull.rebase false` in the repository unless set there: since git 2.27 a pull on
    divergent branches stops without it, and ledgers are merged (with `merge=union`)."""
    current = git(root, "config", "--local", "--get", "pull.rebase")
    if current is None or current.returncode == 0:
        return False
    done = git(root, "config", "--local", "pull.rebase", "false")
    return done is not None and done.returncode == 0


def _has_hook_quickly(root: Path) -> bool | None:
    """Whether `root/.git/hooks/pre-commit` exists, read from the file system alone (no subprocess
    on every `add`). True also when `root` is not the top of a repository (a workspace inside
    some other repository, such as the examples of a source checkout, is left alone); None when
    `.git` is a file (a worktree), which only git can answer."""
    dot_git = root / ".git"
    if dot_git.is_dir():
        return (dot_git / "hooks" / "pre-commit").exists()
    return None if dot_git.exists() else True


def prepare_clone(root: Path) -> str | None:
    """In a clone without the pre-commit check: install it and make pulls merge. Returns the one
    line to tell the user, or None when there was nothing to do.

    Only for a workspace at the top of its repository, as `init` makes it and colleagues clone it."""
    if _has_hook_quickly(root) is True or not is_git_repo(root):
        return None
    installed = install_hooks(root)
    if not installed:
        return None
    merged = merge_on_pull(root)
    extra = "，并设置 git pull 时合并（pull.rebase false）" if merged else ""
    return f"已为本仓库安装{'、'.join(installed)}{extra}：以后每次提交前会自动运行 shuangzheng check"


#: What `init` makes and its first commit holds (paths from the workspace's top).
WORKSPACE_PATHS = ("data/activities.yaml", "data/units.yaml", "ledgers", ".gitattributes", ".gitignore")


def first_commit(root: Path) -> str | None:
    """Commit everything `init` made as the repository's first commit. None when committed;
    otherwise why not (in Chinese), e.g. no git identity yet."""
    head = git(root, "rev-parse", "--verify", "-q", "HEAD")
    if head is None:
        return "找不到 git"
    if head.returncode == 0:
        return None if not _dirty(root) else "仓库已有提交，新建的文件未提交"
    # only what a workspace is: a file of the user's that was already in the folder (a pay sheet…)
    # is never committed, and so never pushed to the shared repository
    added = git(root, "add", "--", *WORKSPACE_PATHS)
    if added is None or added.returncode != 0:
        return "git add 失败"
    done = git(root, "commit", "-q", "-m", "建立双争活动台账工作区")
    if done is None or done.returncode != 0:
        text = (done.stderr if done else "") or ""
        if "user.email" in text or "user.name" in text or "tell me who you are" in text.lower():
            return "尚未设置 git 用户名与邮箱"
        return "git commit 失败：" + (text.strip().splitlines() or ["原因不明"])[-1]
    return None


def _dirty(root: Path) -> bool:
    status = git(root, "status", "--porcelain")
    return bool(status and status.stdout.strip())
