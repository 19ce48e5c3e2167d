"""Per-invocation state (workspace, catalog, output) and who records: shared by the Typer
commands and the fast path of `cli.fast`, so neither needs the other (this module imports no Typer)."""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

from ..definitions.catalog import Catalog
from ..errors import ShuangzhengError
from ..ledger.storage import Ledger
from ..render.terminal import Output
from ..render.text import plain
from ..workspace import Workspace, find_workspace


@dataclass
class State:
    """Per-invocation state, set by the app callback from the global options."""

    root: str | None = None
    ascii: bool = False
    _workspace: Workspace | None = None
    _catalog: Catalog | None = None
    out: Output = field(default_factory=Output)

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

    def ledger(self, *, write: bool = False) -> Ledger:
        ws = self.workspace
        if write:
            return Ledger(ws.require_writable())
        if ws.root is None:
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
