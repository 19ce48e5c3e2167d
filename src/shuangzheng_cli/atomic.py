"""The one atomic write of the package: a temporary file in the same folder, then a rename.

Used by every document the tool writes (`render.files.write_atomic`), the catalog cache and the board cache, so
a reader never sees half a file and a crash leaves the old one. Never follows a symlink at
the temporary name (`mkstemp` creates it exclusively).
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from array import array
from collections.abc import Iterator
from pathlib import Path


@contextlib.contextmanager
def atomic_path(path: Path, *, replace: bool = True, prefix: str = ".~", suffix: str = ".tmp", mode: int = 0o644) -> Iterator[Path]:
    """A temporary path next to `path` to write; on leaving without error it becomes `path`.

    `replace` False: an existing `path` is never replaced (a hard link, which fails with
    `FileExistsError` if the name was taken meanwhile; a rename where links do not exist).
    The temporary file is removed in every case. `OSError`s are raised as they come.
    """
    folder = path.parent if str(path.parent) else Path(".")
    fd, name = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=folder)
    os.close(fd)
    tmp = Path(name)
    try:
        yield tmp
        with contextlib.suppress(OSError):  # a file system without modes
            os.chmod(tmp, mode)
        if replace:
            os.replace(tmp, path)
        else:
            try:
                os.link(tmp, path)
            except FileExistsError:
                raise
            except OSError:  # no hard links on this file system
                if path.exists() or path.is_symlink():
                    raise FileExistsError(path) from None
                os.replace(tmp, path)
    finally:
        tmp.unlink(missing_ok=True)


def write_atomic(path: Path, data: bytes | list[bytes] | list[array], *, mode: int = 0o644) -> None:
    """`data` (or its parts, in order: bytes, or any buffer such as an `array`, written as its
    bytes) as the whole new content of `path`, atomically (see `atomic_path`)."""
    with atomic_path(path, prefix=f".{path.name}-", mode=mode) as tmp:
        fd = os.open(tmp, os.O_WRONLY | os.O_TRUNC | getattr(os, "O_NOFOLLOW", 0))
        try:
            for part in [data] if isinstance(data, bytes) else data:
                view = memoryview(part).cast("B")
                while view:
                    view = view[os.write(fd, view) :]
        finally:
            os.close(fd)
