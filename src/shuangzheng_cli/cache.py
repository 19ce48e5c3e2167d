"""The workspace cache `.shuangzheng-cache/`: only ever an answer worked out before, never trusted blindly.

The cache folder arrives with the workspace, so it is data, not instructions (issue 16.3):

- it is used only when it is a real folder of the workspace: a symlink (committed to git, say)
  is never followed, neither to read nor to write, and nothing is written outside it;
- every file carries a checksum of its content (`blake2b`): a cache edited by hand or by a
  tool is detected and ignored, and the answer is worked out from the ledgers again;
- a workspace where it cannot be written (read-only) simply does not cache.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import stat
from array import array
from pathlib import Path
from typing import Any

CACHE_DIR = ".shuangzheng-cache"
_MAGIC = b"shuangzheng-cache 1 "
_MAX_BYTES = 256 << 20  # a larger cache file is not read


def _folder(root: Path, create: bool) -> Path | None:
    """The cache folder if it is a real folder inside `root` (created when asked), else None."""
    folder = Path(root) / CACHE_DIR
    try:
        st = os.lstat(folder)
    except FileNotFoundError:
        if not create:
            return None
        try:
            os.mkdir(folder, 0o755)
        except OSError:
            return None
        st = os.lstat(folder)
    except OSError:
        return None
    if not stat.S_ISDIR(st.st_mode):  # a symlink, a file: never used
        return None
    return folder


def load(root: Path, name: str) -> bytes | None:
    """The content of cache file `name`, or None (missing, a symlink, edited, unreadable)."""
    folder = _folder(root, create=False)
    if folder is None:
        return None
    try:
        fd = os.open(folder / name, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_NONBLOCK", 0))
    except OSError:
        return None
    try:
        st = os.fstat(fd)
        if not stat.S_ISREG(st.st_mode) or st.st_size > _MAX_BYTES:
            return None
        with os.fdopen(os.dup(fd), "rb") as fh:
            data = fh.read()
    except OSError:
        return None
    finally:
        os.close(fd)
    head, sep, body = data.partition(b"\n")
    if not sep or not head.startswith(_MAGIC) or head[len(_MAGIC) :] != _digest(body):
        return None
    return body


def save(root: Path, name: str, body: bytes | list[bytes] | list[array]) -> None:
    """Write cache file `name` atomically with its checksum; nothing when the folder is unusable.
    `body` may be given in parts (written one after the other, never joined in memory)."""
    from .atomic import write_atomic

    folder = _folder(root, create=True)
    if folder is None:
        return
    parts = [body] if isinstance(body, bytes) else body
    with contextlib.suppress(OSError):  # a read-only workspace: no cache
        write_atomic(folder / name, [_MAGIC + _digest(*parts) + b"\n", *parts])


def load_json(root: Path, name: str) -> Any:
    body = load(root, name)
    if body is None:
        return None
    try:
        return json.loads(body)
    except ValueError:
        return None


def save_json(root: Path, name: str, data: Any) -> None:
    try:
        body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    except (TypeError, ValueError):
        return
    save(root, name, body)


def _digest(*parts: bytes) -> bytes:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part)
    return h.hexdigest().encode()
