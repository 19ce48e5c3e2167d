"""Making a workspace (`init`): the definitions, ledgers/ and the git settings, checked before anything
is written and taken back if a write fails halfway. The git repository and its hooks: `gitrepo`.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path

from .errors import UsageProblem, os_reason
from .workspace import bundled_data_dir

GITATTRIBUTES = "# 台账文件由各方追加，合并时两边的新行都保留（见 README：多人协作）\nledgers/**/*.jsonl merge=union\n"
GITIGNORE = "# shuangzheng 的本地缓存，可随时删除\n.shuangzheng-cache/\n"


def _init_paths(root: Path) -> tuple[list[tuple[Path, str]], list[tuple[Path, str]]]:
    """What `init` makes: (folders, files), each with what it is for (for messages)."""
    folders = [(root, "工作区"), (root / "data", "data/（定义文件夹）"), (root / "ledgers", "ledgers/（台账文件夹）")]
    files = [
        (root / "data" / "activities.yaml", "data/activities.yaml（定义文件）"),
        (root / "data" / "units.yaml", "data/units.yaml（定义文件）"),
        (root / ".gitattributes", ".gitattributes（git 设置）"),
        (root / ".gitignore", ".gitignore（git 设置）"),
    ]
    return folders, files


def _nearest_existing(path: Path) -> Path:
    while not os.path.lexists(path) and path.parent != path:
        path = path.parent
    return path


def _kind(path: Path) -> str:
    if path.is_dir():
        return "文件夹"
    if path.is_file():
        return "文件"
    return "失效的链接或特殊文件"


def new_workspace_root(directory: Path) -> Path:
    """The absolute folder `init DIR` makes the workspace in. A dangling symlink is refused: resolving
    it would make the folder it points to, somewhere the user did not name."""
    if directory.is_symlink() and not directory.exists():
        raise UsageProblem(
            f"{directory} 是失效的链接（指向 {os.readlink(directory)}），不能在这里建工作区：请把它改名或移走后重试，或换一个目录（如 shuangzheng init 霸州台账）；未做任何改动"
        )
    return directory.resolve()


def check_new_workspace(root: Path) -> None:
    """Refuse, before anything is written, a workspace `init` could only half make: a file where
    a folder goes (the target itself, a folder above it, data/, ledgers/), a folder where a file
    goes, or a folder it must write in that is read-only. One message names the path and what to do."""
    hint = "请把它改名或移走后重试，或换一个目录（如 shuangzheng init 霸州台账）；未做任何改动"
    above = _nearest_existing(root)
    if not above.is_dir():
        if above == root:
            raise UsageProblem(f"{root} 是{_kind(root)}，不是文件夹，不能在这里建工作区：{hint}")
        raise UsageProblem(f"{above} 是{_kind(above)}，不是文件夹，无法在其下建立工作区 {root}：{hint}")
    folders, files = _init_paths(root)
    writes_in: set[Path] = set()
    for folder, role in folders:
        if os.path.lexists(folder) and not folder.is_dir():
            raise UsageProblem(f"{folder} 是{_kind(folder)}，而 init 要在这里建 {role}：{hint}")
        if not os.path.lexists(folder):
            writes_in.add(_nearest_existing(folder))
    for path, role in files:
        if not os.path.lexists(path):
            writes_in.add(_nearest_existing(path))
        elif not path.is_file():
            raise UsageProblem(f"{path} 是{_kind(path)}，而 init 要在这里写 {role}：{hint}")
        elif path.name in (".gitattributes", ".gitignore") and _missing_line(path) and not os.access(path, os.W_OK):
            raise UsageProblem(
                f"无法在 {path} 末尾追加一行（文件只读或没有写权限）：请开放写权限后重试，或换一个目录；未做任何改动"
            )
    for folder in sorted(writes_in):
        if not os.access(folder, os.W_OK | os.X_OK):
            raise UsageProblem(
                f"无法在 {folder} 中新建文件（文件夹只读或没有写权限）：请换一个可写的目录，或开放写权限后重试；未做任何改动"
            )


def _gitfile_content(name: str) -> str:
    return GITATTRIBUTES if name == ".gitattributes" else GITIGNORE


def _missing_line(path: Path) -> bool:
    """Whether `path` (.gitattributes or .gitignore) lacks the line `init` puts there."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError as exc:
        raise UsageProblem(f"无法读取 {path}（{os_reason(exc)}）：请检查它的权限后重试；未做任何改动") from None
    return _gitfile_content(path.name).splitlines()[-1] not in text


def write_workspace(root: Path) -> list[str]:
    """Make what is missing (checked beforehand by `check_new_workspace`); return what was made.
    Should a write still fail (a full disk…), what this call made is removed again."""
    made: list[str] = []
    created: list[Path] = []
    appended: list[tuple[Path, int]] = []
    try:
        missing = []
        folder = root
        while not os.path.lexists(folder):
            missing.append(folder)
            folder = folder.parent
        for folder in reversed(missing):
            folder.mkdir()
            created.append(folder)
        source = bundled_data_dir() / "data"
        for name in ("activities.yaml", "units.yaml"):
            target = root / "data" / name
            if not target.exists():
                if not target.parent.exists():
                    target.parent.mkdir()
                    created.append(target.parent)
                shutil.copyfile(source / name, target)
                created.append(target)
                made.append(f"data/{name}")
        ledgers = root / "ledgers"
        if not ledgers.exists():
            ledgers.mkdir()
            created.append(ledgers)
            (ledgers / ".gitkeep").write_bytes(b"")
            created.append(ledgers / ".gitkeep")
            made.append("ledgers/")
        for name in (".gitattributes", ".gitignore"):
            path, content = root / name, _gitfile_content(name)
            if not path.exists():
                created.append(path)
                path.write_text(content, encoding="utf-8", newline="\n")
                made.append(name)
            elif _missing_line(path):
                appended.append((path, path.stat().st_size))
                with path.open("a", encoding="utf-8", newline="\n") as fh:
                    fh.write("\n" + content)
                made.append(f"{name}（追加一行）")
    except OSError as exc:
        _undo(created, appended)
        where = exc.filename or root
        raise UsageProblem(f"无法写入 {where}（{os_reason(exc)}）：init 已撤回本次新建的文件，请处理后重试") from None
    return made


def _undo(created: list[Path], appended: list[tuple[Path, int]]) -> None:
    """Best effort: remove what `_write_workspace` made, cut what it appended."""
    for path, size in appended:
        with contextlib.suppress(OSError), path.open("r+b") as fh:
            fh.truncate(size)
    for path in reversed(created):
        with contextlib.suppress(OSError):
            if path.is_dir() and not path.is_symlink():
                path.rmdir()
            else:
                path.unlink()
