"""What every command shares (no Typer here): the output format and file, dates, skipped lines."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from ..errors import UsageProblem
from ..periods import Period, parse_date, parse_period, today
from .state import State, recorder

__all__ = ["State", "recorder"]


#: What `-o FILE` writes, by the file's extension: the first of the formats listed that the
#: command has (`.txt` is the table as the terminal shows it, or `remind`'s plain text).
FILE_FORMATS = {
    ".txt": ("table", "text"),
    ".md": ("md",),
    ".json": ("json",),
    ".csv": ("csv",),
    ".xlsx": ("xlsx",),
    ".docx": ("docx",),
}
#: Formats written to a file by the renderer itself rather than printed.
BINARY_FORMATS = ("xlsx", "docx")


def output_format(st: State, fmt: str | None, output: Path | None, force: bool, choices: tuple[str, ...]) -> str:
    """The format asked for: `--format`, else the `-o` file's extension, else the first of `choices`
    (the command's formats, as its `--format` parameter lists them).

    With `-o` and a format that is printed (table, md, json, csv), what the command prints goes
    to that file (`State.write_to`; CSV with a BOM); xlsx and docx are left to the command.
    Raises `UsageProblem` for an extension this command cannot write, for a known extension that
    is not the `--format` given (a Word file named .xlsx opens nowhere; `.txt` takes any printed
    format), or an existing file without `force`.
    """
    if fmt is not None and output is not None:
        meant = FILE_FORMATS.get(output.suffix.lower())
        if meant is not None and fmt not in meant and (output.suffix.lower() != ".txt" or fmt in BINARY_FORMATS):
            raise UsageProblem(
                f"-o {output} 是 {output.suffix.lower()} 文件，与 --format {fmt} 不符："
                f"请把文件名改为 .{_extension_of(fmt)} 结尾，或去掉 --format（按扩展名选择格式）"
            )
    if fmt is None:
        fmt = choices[0]
        if output is not None:
            names = [f for f in FILE_FORMATS.get(output.suffix.lower(), ()) if f in choices]
            if not names:
                allowed = "、".join(ext for ext, fs in FILE_FORMATS.items() if set(fs) & set(choices))
                raise UsageProblem(
                    f"-o {output}：本命令可写成 {allowed} 文件（按扩展名选择格式），或用 --format 指定格式"
                )
            fmt = names[0]
    if output is not None and fmt not in BINARY_FORMATS:
        st.write_to(output, force=force, bom=fmt == "csv", table=fmt == "table")
    return fmt


def _extension_of(fmt: str) -> str:
    return next((ext.lstrip(".") for ext, fs in FILE_FORMATS.items() if fmt in fs), fmt)


def note_skipped(st: State, problems: list) -> None:  # noqa: ANN001
    """One line on stderr when the reader skipped ledger lines (`check` lists them)."""
    from ..ledger.reader import skipped_note

    note = skipped_note(problems)
    if note:
        st.out.message(note)


def as_of_date(text: str | None) -> dt.date:
    return parse_date(text, "--as-of 截至日期") if text else today()


def period_or_none(text: str | None) -> Period | None:
    return parse_period(text) if text else None
