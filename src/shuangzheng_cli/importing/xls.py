"""Reading an .xls (BIFF: Excel 97–2003, WPS 兼容模式) into a `Book` with xlrd.

An OLE container that is not a BIFF workbook (an encrypted .xlsx, a WPS .et saved as OLE)
and an encrypted .xls are refused in Chinese; xlrd's own log goes nowhere near the screen.
"""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

from ..errors import ShuangzhengError
from .book import MAX_COLUMNS, Book, Cell, RowBudget, Sheet

_STATES = {0: "visible", 1: "hidden", 2: "veryHidden"}


def read_xls(path: Path, label: str, budget: RowBudget) -> Book:
    """The .xls workbook at `path` as a `Book` (formulas arrive as their cached results)."""
    import xlrd

    log = io.StringIO()
    try:
        wb = xlrd.open_workbook(str(path), formatting_info=True, on_demand=True, logfile=log, verbosity=0)
    except xlrd.XLRDError as exc:
        text = str(exc)
        if "encrypt" in text.lower():
            raise ShuangzhengError(f"{label} 是加密（设了打开密码）的工作簿：请在 Excel/WPS 中取消密码并另存为 .xlsx 后再导入") from None
        streams = _ole_streams(path)
        if "WordDocument" in streams:
            raise ShuangzhengError(f"{label} 是 Word 文档（.doc），不是 Excel 工作簿：请导入联络员填好的报送模板（.xlsx 或 .xls）") from None
        if "PowerPoint Document" in streams:
            raise ShuangzhengError(f"{label} 是 PowerPoint 演示文稿（.ppt），不是 Excel 工作簿：请导入联络员填好的报送模板（.xlsx 或 .xls）") from None
        raise ShuangzhengError(
            f"{label} 是 OLE 复合文件，但不是可读取的 .xls 工作簿（可能是加密的 .xlsx 或 WPS 的 .et 文件）："
            "请在 Excel/WPS 中取消密码并另存为 .xlsx 后再导入"
        ) from None
    except Exception as exc:  # xlrd raises assorted errors on a damaged file
        raise ShuangzhengError(f"{label} 无法作为 .xls 工作簿打开（文件损坏：{type(exc).__name__}）：请另存为 .xlsx 后再导入") from None
    try:
        book = Book(label, "xls")
        for name in wb.name_obj_list:
            value = _name_value(name)
            if value is not None and name.scope == -1:
                book.defined_names[name.name] = value
        for index in range(wb.nsheets):
            ws = wb.get_sheet(index)
            sheet = Sheet(ws.name, _STATES.get(ws.visibility, "hidden"))
            for r in range(ws.nrows):
                cells = {}
                for c, cell in enumerate(ws.row_slice(r, 0, min(ws.ncols, MAX_COLUMNS)), start=1):
                    converted = _cell(cell, wb.datemode)
                    if converted is not None:
                        cells[c] = converted
                info = ws.rowinfo_map.get(r)
                if info is not None and info.hidden:
                    sheet.hidden_rows.add(r + 1)
                if cells:
                    budget.take(sheet.name)
                    sheet.rows[r + 1] = cells
            sheet.merges = [(rlo + 1, clo + 1, rhi, chi) for rlo, rhi, clo, chi in ws.merged_cells]
            book.sheets.append(sheet)
            wb.unload_sheet(index)
        return book
    finally:
        wb.release_resources()


def _name_value(name: Any) -> str | None:
    """A defined name holding a text constant, as the .xlsx text would be: `"xcb"`."""
    try:
        result = name.result
        value = getattr(result, "value", None)
    except Exception:  # noqa: BLE001 - xlrd evaluates names lazily and may fail on odd ones
        return None
    return f'"{value}"' if isinstance(value, str) else None


def _cell(cell: Any, datemode: int) -> Cell | None:
    import xlrd

    kind, value = cell.ctype, cell.value
    if kind in (xlrd.XL_CELL_EMPTY, xlrd.XL_CELL_BLANK):
        return None
    if kind == xlrd.XL_CELL_TEXT:
        return Cell(value) if value else None
    if kind == xlrd.XL_CELL_NUMBER:
        return Cell(int(value) if float(value).is_integer() else value)
    if kind == xlrd.XL_CELL_DATE:
        try:
            stamp = xlrd.xldate.xldate_as_datetime(value, datemode)
        except (ValueError, OverflowError, xlrd.xldate.XLDateError):
            return Cell(value)
        return Cell(stamp.time() if 0 <= value < 1 else stamp)
    if kind == xlrd.XL_CELL_BOOLEAN:
        return Cell(bool(value))
    if kind == xlrd.XL_CELL_ERROR:
        return Cell(xlrd.error_text_from_code.get(value, "#错误"), "e")
    return Cell(value)


def _ole_streams(path: Path) -> set[str]:
    """The names of the streams in an OLE compound file (xlrd's reader of the container), to say
    what a file that is no workbook is (a Word .doc holds `WordDocument`); empty if unreadable."""
    import xlrd.compdoc

    try:
        return {entry.name for entry in xlrd.compdoc.CompDoc(path.read_bytes(), logfile=io.StringIO()).dirlist}
    except Exception:  # noqa: BLE001 - only for a better message: a damaged container says nothing
        return set()
