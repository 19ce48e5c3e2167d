"""Problems are data (as in beancount): each names its place and says what is wrong, in Chinese."""

from __future__ import annotations

import errno
from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a file: `path:line: message` (or `workbook!C7: message`).

    `notice`: listed but not counted — nothing is wrong or lost (a line a union merge repeated byte
    for byte, `ledger.reader`): no exit code, commit check or push check counts it."""

    path: str
    line: int
    message: str
    sep: str = ":"
    notice: bool = False

    @property
    def place(self) -> str:
        if self.sep == "!":
            return f"{self.path}!{self.line}" if self.line else self.path
        return f"{self.path}:{self.line}" if self.line else self.path

    def __post_init__(self) -> None:
        for name in ("path", "message"):  # a lone surrogate (from a file's bytes or name) cannot be printed
            value = getattr(self, name)
            if isinstance(value, str) and not value.isascii():
                object.__setattr__(self, name, printable(value))

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


def printable(text: str) -> str:
    """`text` with any lone surrogate (from invalid bytes in a file or a file name) written as `\\udXXX`,
    so it can be printed and saved as UTF-8."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return text.encode("utf-8", "backslashreplace").decode("utf-8")
    return text


class ShuangzhengError(Exception):
    """An error the user can act on. `code`: 1 problems found, 2 usage."""

    code = 1

    def __init__(self, message: str, problems: list[Problem] | None = None, code: int | None = None):
        super().__init__(message)
        self.message = message
        self.problems = sorted(problems or [])
        if code is not None:
            self.code = code

    def __str__(self) -> str:
        if not self.problems:
            return self.message
        return "\n".join([self.message, *(str(p) for p in self.problems)])


class UsageProblem(ShuangzhengError):
    """Bad command-line input (unknown unit, bad date…): exit code 2."""

    code = 2


class DefinitionError(ShuangzhengError):
    """`data/*.yaml` is not valid."""


class LedgerError(ShuangzhengError):
    """A ledger file cannot be read or written."""


_OS_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "所在磁盘或文件夹是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EIO: "磁盘读写出错",
    errno.ENOTDIR: "路径中有一段不是文件夹",
}


def os_reason(exc: OSError) -> str:
    """Why a read or write failed, in Chinese for the failures an office meets (full disk, read-only, …)."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))
