"""Writing a file the tool produces: never half-written, never over a file the user did not mean to replace.

`write_atomic` is the one way every report, workbook and document reaches the disk: the
bytes go to a temporary file in the same folder, which is then renamed over the target
(`atomic.atomic_path`, the package's one atomic write, also under the caches).
Without `force` an existing file is never replaced (the rename is a hard link, which fails
if the name was taken meanwhile).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from ..atomic import atomic_path
from ..errors import ShuangzhengError, os_reason


def write_atomic(path: Path, content: bytes | Callable[[Path], None], *, force: bool) -> None:
    """Write `content` (bytes, or a function that writes the file at the path it is given) to `path`.

    Raises `ShuangzhengError` (a Chinese message naming the file) when the file exists and
    `force` is false, when the folder does not exist, when `path` is a folder, or when the
    file cannot be written (no permission, open in Excel/WPS on Windows, a full disk). Nothing is left
    behind on failure.
    """
    path = Path(path)
    refuse_existing(path, force)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ShuangzhengError(f"文件夹 {folder} 不存在：请先创建，或用 -o 指定别的位置")
    suffix = "".join(path.suffixes[-1:]) + ".tmp"
    try:  # the package's one atomic write (`atomic.atomic_path`)
        with atomic_path(path, replace=force, prefix=f".~{path.stem[:40]}-", suffix=suffix) as tmp:
            if isinstance(content, bytes):
                tmp.write_bytes(content)
            else:
                content(tmp)
    except FileExistsError:
        raise _exists(path) from None
    except PermissionError:
        raise _unwritable(path) from None
    except IsADirectoryError:
        raise ShuangzhengError(f"{path} 是一个文件夹：请用 -o 指定文件名") from None
    except OSError as exc:  # a full disk, a read-only folder…: the old file (if any) is untouched
        raise ShuangzhengError(f"无法写入 {path}（{os_reason(exc)}），文件未生成") from None


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
