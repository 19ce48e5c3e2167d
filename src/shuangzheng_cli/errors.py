"""Problems are data (as in beancount): each names its place and says what is wrong, in Chinese."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, order=True)
class Problem:
    """One problem found in a file: `path:line: message` (or `workbook!C7: message`)."""

    path: str
    line: int
    message: str
    sep: str = ":"

    @property
    def place(self) -> str:
        if self.sep == "!":
            return f"{self.path}!{self.line}" if self.line else self.path
        return f"{self.path}:{self.line}" if self.line else self.path

    def __str__(self) -> str:
        return f"{self.place}: {self.message}"


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
