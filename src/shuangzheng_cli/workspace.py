"""Find the workspace the way git finds `.git`, and the definitions bundled with the package.

A workspace is a folder holding `data/activities.yaml`, `data/units.yaml` and `ledgers/`.
Order: `--root DIR`, then `$SHUANGZHENG_ROOT`, then the nearest folder upward from the
current one that has `data/activities.yaml`. Without one, read-only commands use the
bundled definitions and writing commands ask for `shuangzheng init`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from .errors import UsageProblem

MARKER = Path("data") / "activities.yaml"


def bundled_data_dir() -> Path:
    """The folder that holds the packaged `data/` (the repository's own `data/` in a checkout)."""
    from importlib import resources  # ~20 ms, and a workspace given by --root never needs it

    packaged = Path(str(resources.files("shuangzheng_cli"))) / "data"
    if (packaged / "activities.yaml").is_file():
        return packaged.parent
    # An editable install runs from src/: the repository's data/ is two levels up.
    checkout = Path(__file__).resolve().parents[2]
    if (checkout / MARKER).is_file():
        return checkout
    raise FileNotFoundError("找不到随软件包附带的定义文件 data/activities.yaml（安装不完整？）")


@dataclass(frozen=True)
class Workspace:
    """Where definitions are read from and ledgers are written to."""

    root: Path | None  # None: no workspace, bundled definitions only
    data_root: Path

    @property
    def ledgers(self) -> Path:
        if self.root is None:
            raise UsageProblem("当前目录不在台账工作区内：请先运行 `shuangzheng init` 创建工作区，或用 --root 指定")
        return self.root / "ledgers"

    def require_writable(self) -> Path:
        """The workspace root, for commands that write; a clear message when there is none."""
        if self.root is None:
            raise UsageProblem("当前目录不在台账工作区内，无法写入：请先运行 `shuangzheng init` 创建工作区，或用 --root 指定")
        return self.root


def find_workspace(root: str | os.PathLike[str] | None = None, cwd: Path | None = None) -> Workspace:
    if root is not None:
        path = Path(root).expanduser().resolve()
        if not (path / MARKER).is_file():
            raise UsageProblem(f"{path} 不是台账工作区（缺少 {MARKER}）：可运行 `shuangzheng init {root}` 创建")
        return Workspace(path, path)
    env = os.environ.get("SHUANGZHENG_ROOT")
    if env:
        path = Path(env).expanduser().resolve()
        if not (path / MARKER).is_file():
            raise UsageProblem(f"环境变量 SHUANGZHENG_ROOT 指向的 {path} 不是台账工作区（缺少 {MARKER}）")
        return Workspace(path, path)
    here = (cwd or Path.cwd()).resolve()
    for folder in (here, *here.parents):
        if (folder / MARKER).is_file():
            return Workspace(folder, folder)
    return Workspace(None, bundled_data_dir())
