"""Writing a file the tool produces: never half-written, never over a file the user did not mean to replace.

`write_atomic` is the one way every report, workbook and document reaches the disk: the
bytes go to a temporary file in the same folder, which is then renamed over the target.
Without `force` an existing file is never replaced (the rename is a hard link, which fails
if the name was taken meanwhile).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Callable
from pathlib import Path

from ..errors import ShuangzhengError


def write_atomic(path: Path, content: bytes | Callable[[Path], None], *, force: bool) -> None:
    """Write `content` (bytes, or a function that writes the file at the path it is given) to `path`.

    Raises `ShuangzhengError` (a Chinese message naming the file) when the file exists and
    `force` is false, when the folder does not exist, when `path` is a folder, or when the
    file cannot be written (no permission, or open in Excel/WPS on Windows). Nothing is left
    behind on failure.
    """
    path = Path(path)
    refuse_existing(path, force)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ShuangzhengError(f"文件夹 {folder} 不存在：请先创建，或用 -o 指定别的位置")
    suffix = "".join(path.suffixes[-1:]) + ".tmp"
    try:
        fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem[:40]}-", suffix=suffix, dir=folder)
    except PermissionError:
        raise _unwritable(path) from None
    tmp = Path(tmp_name)
    try:
        if isinstance(content, bytes):
            with os.fdopen(fd, "wb") as f:
                f.write(content)
        else:
            os.close(fd)
            content(tmp)
        with contextlib.suppress(OSError):
            os.chmod(tmp, 0o644)
        if force:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise _exists(path) from None
            except OSError:  # no hard links on this file system
                refuse_existing(path, force)
                os.replace(tmp, path)
    except PermissionError:
        raise _unwritable(path) from None
    except IsADirectoryError:
        raise ShuangzhengError(f"{path} 是一个文件夹：请用 -o 指定文件名") from None
    finally:
        tmp.unlink(missing_ok=True)


def refuse_existing(path: Path, force: bool) -> None:
    """Raise the Chinese message for a target that is a folder, or exists and `force` is false."""
    if path.is_dir():
        raise ShuangzhengError(f"{path} 是一个文件夹：请用 -o 指定文件名")
    if not force and (path.exists() or path.is_symlink()):
        raise _exists(path)


def _exists(path: Path) -> ShuangzhengError:
    return ShuangzhengError(f"文件 {path} 已存在，未覆盖：如需替换请加 --force，或用 -o 指定别的文件名")


def _unwritable(path: Path) -> ShuangzhengError:
    return ShuangzhengError(f"无法写入 {path}：没有权限，或文件正在 Excel/WPS 中打开（请先关闭）")
