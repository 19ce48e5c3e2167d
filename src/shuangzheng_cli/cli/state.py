"""Per-invocation state (workspace, catalog, output) and who records: every command gets one,
whether `cli.fast` or Typer parsed its invocation (this module imports no Typer)."""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from ..definitions.catalog import Catalog
from ..errors import ShuangzhengError, UsageProblem
from ..ledger.storage import Ledger
from ..render.terminal import Output
from ..render.text import plain
from ..workspace import Workspace, find_workspace

NO_WORKSPACE = "未找到台账工作区（当前目录及其上级都没有 data/activities.yaml）"


@dataclass
class State:
    """Per-invocation state, set by the app callback from the global options."""

    root: str | None = None
    ascii: bool = False
    _workspace: Workspace | None = None
    _catalog: Catalog | None = None
    out: Output = field(default_factory=Output)
    _told_no_workspace: bool = False
    _git_prepared: bool = False
    _target: tuple[Path, bool, bool, bool] | None = None

    @property
    def workspace(self) -> Workspace:
        if self._workspace is None:
            self._workspace = find_workspace(self.root)
        return self._workspace

    @property
    def catalog(self) -> Catalog:
        if self._catalog is None:
            self._catalog = Catalog.load(self.workspace.data_root)
        return self._catalog

    def write_to(self, path: Path, *, force: bool, bom: bool = False, table: bool = False) -> None:
        """Send what the command prints to `path` instead of stdout; `finish` writes it.

        The file is checked now (exists without `force`, a folder), so a mistake costs no work;
        `bom`: UTF-8 with a byte-order mark (CSV for Excel on Windows); `table`: a terminal
        table, whose lines lose the padding after their last character.
        """
        from ..render.files import refuse_existing

        refuse_existing(path, force)
        self._target = (path, force, bom, table)
        self.out = Output(self.ascii, stream=io.StringIO())

    def finish(self) -> None:
        """After the command succeeded: write what it printed to the `write_to` file, atomically."""
        if self._target is None:
            return
        from ..render.files import write_atomic

        path, force, bom, table = self._target
        self._target = None
        text = self.out.stream.getvalue()  # type: ignore[union-attr]
        if table:
            text = "".join(line.rstrip() + "\n" for line in text.splitlines())
        write_atomic(path, ("\ufeff" if bom else "").encode() + text.encode("utf-8"), force=force)
        self.out = Output(self.ascii)
        self.out.message(f"已生成 {path}")

    def writable_root(self) -> Path:
        """The workspace root for a command that writes (`UsageProblem` naming `init` without one).
        In a git clone that lacks the pre-commit check, installs it first and says so in one line."""
        root = self.workspace.require_writable()
        if not self._git_prepared:
            self._git_prepared = True
            from ..gitrepo import prepare_clone

            done = prepare_clone(root)
            if done:
                self.out.message(done)
        return root

    def ledger(self, *, write: bool = False, document: bool = False) -> Ledger:
        """The workspace's ledger. Without a workspace: `write` and `document` (export, report,
        score, bulletin, and any listing written to a file with -o: never an all-red document of
        an empty ledger) are refused naming `--root` and `shuangzheng init`; a listing on screen
        says in one line that it shows no ledger."""
        ws = self.workspace
        if write:
            return Ledger(self.writable_root())
        if ws.root is None:
            if document or self._target is not None:  # a file written with -o is a document too
                raise UsageProblem(NO_WORKSPACE + "，不能生成文档：请用 --root 指定工作区目录，或先运行 `shuangzheng init` 创建工作区")
            if not self._told_no_workspace:
                self._told_no_workspace = True
                self.out.message(f"注意：{NO_WORKSPACE}，以下按空台账显示（可用 --root 指定工作区）")
            return Ledger(ws.data_root / "__no_workspace__")
        return Ledger(ws.root)


def recorder(explicit: str | None, ws: Workspace) -> str:
    """Who records, by the one policy of `ledger.recorder`, with git asked in the workspace."""
    from ..ledger.recorder import recorder as policy

    return policy(explicit, ws.root)


def show_error(exc: ShuangzhengError) -> int:
    """A library error as the user sees it (`错误：…` on stderr, data shown as plain text); its exit code."""
    sys.stdout.flush()
    sys.stderr.write(f"错误：{plain(str(exc))}\n")
    return exc.code


def outcome(call: Callable[[], object]) -> int:
    """Run a command and map how it ended to the exit code (0 ok, 1 problems found, 2 usage):
    an int result is the code; a library error is its message and code; Ctrl-C is 130."""
    try:
        result = call()
    except ShuangzhengError as exc:
        return show_error(exc)
    except KeyboardInterrupt:
        sys.stderr.write("已中断。\n")
        return 130
    except BrokenPipeError:
        return 0
    return result if isinstance(result, int) and not isinstance(result, bool) else 0
