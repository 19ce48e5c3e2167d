"""What every workbook of the tool shares: the safe cell, column widths, fills, atomic saving.

openpyxl is imported here and in `excel_export` / `excel_import`; the CLI imports these
modules only inside the commands that need them (openpyxl costs ~0.2 s at start-up).

Every cell is written by `put`: openpyxl stores a string that begins with `=` as a formula
and one equal to an error code as an error, and re-assigning the value re-runs that
detection, so text is set once and then forced to a string.
"""

from __future__ import annotations

import datetime as dt
import math
import os
import tempfile
import zipfile
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE, Cell
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.workbook import Workbook
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .errors import ShuangzhengError
from .render import display_width

#: Text starting with one of these is a formula (or becomes one when a person edits it).
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")
#: Text equal to one of these would be read as an error value.
ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
#: The most characters one cell holds (Excel's limit).
MAX_CELL_CHARS = 32_767
ELLIPSIS = "…"

DATE_FORMAT = "yyyy-mm-dd"
FONT_NAME = "等线"
THIN = Side(style="thin", color="999999")
BORDER = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
HEADER_FILL = PatternFill("solid", start_color="D9D9D9", end_color="D9D9D9")
HEADER_FONT = Font(name=FONT_NAME, bold=True, size=11)
TITLE_FONT = Font(name=FONT_NAME, bold=True, size=14)
BODY_FONT = Font(name=FONT_NAME, size=10)
WRAP = Alignment(wrap_text=True, vertical="top")
CENTER = Alignment(horizontal="center", vertical="center", wrap_text=True)
NOT_STARTED_FILL = "EDEDED"


def is_risky_text(text: str) -> bool:
    """Would a spreadsheet take this text for a formula or an error value?"""
    return text.startswith(FORMULA_LEAD) or text.strip().upper() in ERROR_CODES


def cell_text(text: str) -> str:
    """Text a cell can hold: control characters openpyxl rejects removed, cut with a visible `…`."""
    text = ILLEGAL_CHARACTERS_RE.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + ELLIPSIS
    return text


def put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    """Write one cell safely; every cell of every workbook goes through here.

    Text is assigned once, then forced to a string (with a quote prefix, so that a person
    editing the cell does not turn it into a formula either). Dates get a date format.
    `style`: font, fill, border, alignment, number_format.
    """
    cell = ws.cell(row=row, column=column)
    if isinstance(value, str):
        text = cell_text(value)
        cell.value = text
        if is_risky_text(text):
            cell.data_type = "s"
            cell.quotePrefix = True
    elif isinstance(value, bool) or value is None or isinstance(value, int | float):
        cell.value = value
    elif isinstance(value, dt.datetime | dt.date):
        cell.value = value
        cell.number_format = DATE_FORMAT
    else:  # anything else is shown as its text, never evaluated
        return put(ws, row, column, str(value), **style)
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


def fill(hex_color: str) -> PatternFill:
    return PatternFill("solid", start_color=hex_color.upper(), end_color=hex_color.upper())


def text_of(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def fit_columns(
    ws: Worksheet,
    *,
    first_row: int = 1,
    minimum: int = 6,
    maximum: int = 40,
    caps: dict[int, int] | None = None,
) -> dict[int, int]:
    """Set each column's width from its widest line (a wide CJK character counts 2).

    `caps` gives some columns their own maximum (wrapped text wraps at that width).
    Returns the widths by column number, which `fit_rows` uses to estimate row heights.
    """
    widths: dict[int, int] = {}
    merged = {c for r in ws.merged_cells.ranges for c in _coords(r)}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or cell.coordinate in merged:
                continue
            width = max((display_width(line) for line in text_of(cell.value).split("\n")), default=0)
            widths[cell.column] = max(widths.get(cell.column, 0), width)
    out = {}
    for column, width in sorted(widths.items()):
        cap = (caps or {}).get(column, maximum)
        out[column] = min(max(width + 2, minimum), cap)
        ws.column_dimensions[get_column_letter(column)].width = out[column]
    return out


def _coords(cell_range: Any) -> Iterable[str]:
    for row in range(cell_range.min_row, cell_range.max_row + 1):
        for col in range(cell_range.min_col, cell_range.max_col + 1):
            yield f"{get_column_letter(col)}{row}"


def fit_rows(ws: Worksheet, widths: dict[int, int], *, first_row: int, line_height: float = 13.5) -> None:
    """Set row heights for wrapped text (Excel does not grow rows of a file it did not write)."""
    merged = {c for r in ws.merged_cells.ranges for c in _coords(r)}
    for row in ws.iter_rows(min_row=first_row):
        lines = 1
        for cell in row:
            if not isinstance(cell.value, str) or cell.coordinate in merged:
                continue
            width = max(widths.get(cell.column, 10) - 1, 1)
            # 10-point text: a wide character takes a little less than 2 width units
            needed = sum(max(1, math.ceil(0.9 * display_width(part) / width)) for part in cell.value.split("\n"))
            lines = max(lines, needed)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = min(409.0, lines * line_height + 4)


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, title in enumerate(headers, start=1):
        put(ws, row, column, title, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)


def print_setup(ws: Worksheet, *, title_rows: str | None = None, landscape: bool = True) -> None:
    """A4, fit to the page width, header rows repeated, page numbers in the footer."""
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


# ------------------------------------------------------------ saving


class _FixedTimeZip(zipfile.ZipFile):
    """A zip whose members all carry one timestamp, so equal workbooks are equal bytes."""

    def __init__(self, path: str, when: dt.date):
        super().__init__(path, "w", zipfile.ZIP_DEFLATED, allowZip64=True)
        self._when = (max(when.year, 1980), when.month, when.day, 0, 0, 0)

    def writestr(self, zinfo_or_arcname, data, compress_type=None, compresslevel=None):  # noqa: ANN001, ANN201
        if isinstance(zinfo_or_arcname, str):
            info = zipfile.ZipInfo(zinfo_or_arcname, date_time=self._when)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.external_attr = 0o644 << 16
            zinfo_or_arcname = info
        return super().writestr(zinfo_or_arcname, data, compress_type, compresslevel)

    def write(self, filename, arcname=None, compress_type=None, compresslevel=None):  # noqa: ANN001, ANN201
        with open(filename, "rb") as f:
            return self.writestr(arcname or os.path.basename(filename), f.read())


def stamp(wb: Workbook, as_of: dt.date, title: str) -> None:
    """Document properties carry the as-of date, not the clock."""
    when = dt.datetime(as_of.year, as_of.month, as_of.day)
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "shuangzheng"
    wb.properties.lastModifiedBy = "shuangzheng"
    wb.properties.title = title


def save_atomic(wb: Workbook, path: Path, *, force: bool, as_of: dt.date) -> None:
    """Write to a temporary file in the same folder, then rename over `path`.

    Without `force` an existing file is never replaced (the rename is a hard link, which
    fails if the name was taken meanwhile).
    """
    path = Path(path)
    refuse_existing(path, force)
    folder = path.parent if str(path.parent) else Path(".")
    if not folder.is_dir():
        raise ShuangzhengError(f"文件夹 {folder} 不存在：请先创建，或用 -o 指定别的位置")
    fd, tmp_name = tempfile.mkstemp(prefix=f".~{path.stem[:40]}-", suffix=".xlsx.tmp", dir=folder)
    os.close(fd)
    tmp = Path(tmp_name)
    try:
        ExcelWriter(wb, _FixedTimeZip(tmp_name, as_of)).save()
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
        raise ShuangzhengError(f"无法写入 {path}：没有权限，或文件正在 Excel/WPS 中打开（请先关闭）") from None
    except IsADirectoryError:
        raise ShuangzhengError(f"{path} 是一个文件夹：请用 -o 指定文件名") from None
    finally:
        tmp.unlink(missing_ok=True)


def refuse_existing(path: Path, force: bool) -> None:
    if path.is_dir():
        raise ShuangzhengError(f"{path} 是一个文件夹：请用 -o 指定文件名")
    if not force and (path.exists() or path.is_symlink()):
        raise _exists(path)


def _exists(path: Path) -> ShuangzhengError:
    return ShuangzhengError(f"文件 {path} 已存在，未覆盖：如需替换请加 --force，或用 -o 指定别的文件名")


def column_of(headers: Iterable[str], name: str) -> int:
    """1-based column number of a header."""
    return list(headers).index(name) + 1
