"""A returned workbook as plain data, whatever program wrote it (.xlsx, Strict .xlsx, .xls).

`open_book(path, label)` checks the file (size, zip bomb, format) and reads every sheet into a
`Book`: for each sheet its state (visible / hidden / veryHidden), the rows that hold content
(row number → column → `Cell`), which rows are hidden, and its merged ranges. Dates are
dates already (built-in formats 14–22, 27–36, 45–47, 50–58 and custom date formats, 1900
and 1904 systems); Excel's `_xHHHH_` escapes are decoded. Styled empty cells (a whole-column
format to row 1,048,576) are skipped without being kept; more than `MAX_CONTENT_ROWS` rows
with content is refused. Every problem is a `ShuangzhengError` in Chinese naming the file.
"""

from __future__ import annotations

import datetime as dt
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ShuangzhengError, UsageProblem

#: Limits for files to import (a returned template is a few dozen KB).
MAX_FILE_BYTES = 20 * 1024 * 1024
MAX_UNZIPPED_BYTES = 200 * 1024 * 1024
MAX_RATIO = 100
MAX_MEMBERS = 10_000
#: Rows with content in one workbook (all sheets): the template has 300 fill-in rows.
MAX_CONTENT_ROWS = 5000
#: Columns kept per row (the form has 8; notes to the right are allowed, not read).
MAX_COLUMNS = 64

OLE_MAGIC = b"\xd0\xcf\x11\xe0"


@dataclass(frozen=True)
class Cell:
    """One cell's content: `kind` "v" (a value), "f" (a formula, `value` its text) or "e" (an error code)."""

    value: Any
    kind: str = "v"


@dataclass
class Sheet:
    """One worksheet: rows with content only (row → column → Cell), 1-based."""

    name: str
    state: str = "visible"  # visible | hidden | veryHidden
    rows: dict[int, dict[int, Cell]] = field(default_factory=dict)
    hidden_rows: set[int] = field(default_factory=set)
    merges: list[tuple[int, int, int, int]] = field(default_factory=list)  # (row1, col1, row2, col2)

    @property
    def hidden(self) -> bool:
        return self.state != "visible"


@dataclass
class Book:
    """A workbook read whole: its format, sheets in order, defined names, last-saved time."""

    label: str
    format: str  # "xlsx" | "xlsx-strict" | "xls"
    sheets: list[Sheet] = field(default_factory=list)
    defined_names: dict[str, str] = field(default_factory=dict)  # name → text ('"xcb"' for a constant)
    modified: dt.datetime | None = None

    def sheet(self, name: str) -> Sheet | None:
        return next((s for s in self.sheets if s.name == name), None)


class RowBudget:
    """Counts rows with content across a workbook's sheets; refuses past `MAX_CONTENT_ROWS`."""

    def __init__(self, label: str) -> None:
        self.label = label
        self.used = 0

    def take(self, sheet: str) -> None:
        self.used += 1
        if self.used > MAX_CONTENT_ROWS:
            raise ShuangzhengError(
                f"{self.label} 的工作表“{sheet}”等处有内容的行超过 {MAX_CONTENT_ROWS} 行"
                "（报送模板只有 300 行），出于安全拒绝读取：请检查是否发错了文件，或分成几个文件报送"
            )


def open_book(path: Path, label: str) -> Book:
    """Check and read one returned workbook (see the module docstring)."""
    head = _check_file(path, label)
    suffix = path.suffix.lower()
    if suffix == ".et" or suffix == ".ett":
        raise ShuangzhengError(f"{label} 是 WPS 表格专用的 .et 格式：请在 WPS 中“另存为”Excel 文件（.xlsx）后再导入")
    if head.startswith(OLE_MAGIC):
        from .xls import read_xls

        return read_xls(path, label, RowBudget(label))
    _check_archive(path, label)
    from .xlsx import read_xlsx

    return read_xlsx(path, label, RowBudget(label))


def _check_file(path: Path, label: str) -> bytes:
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise UsageProblem(f"找不到文件 {label}") from None
    except OSError as exc:
        raise ShuangzhengError(f"无法读取 {label}：{exc.strerror}") from None
    if not path.is_file():
        raise UsageProblem(f"{label} 不是文件")
    if size > MAX_FILE_BYTES:
        raise ShuangzhengError(
            f"{label} 太大（{size / 1024 / 1024:.1f} MB，上限 {MAX_FILE_BYTES // 1024 // 1024} MB）：报送模板通常只有几十 KB，请检查是否发错了文件"
        )
    try:
        with open(path, "rb") as f:
            return f.read(8)
    except OSError as exc:
        raise ShuangzhengError(f"无法读取 {label}：{exc.strerror}") from None


#: A part only another kind of office document has, and what to tell the user about it.
_OTHER_OFFICE_PARTS = (
    ("word/document.xml", "是 Word 文档，不是 Excel 工作簿：请导入联络员填好的报送模板（.xlsx 或 .xls）"),
    ("ppt/presentation.xml", "是 PowerPoint 演示文稿，不是 Excel 工作簿：请导入联络员填好的报送模板（.xlsx 或 .xls）"),
    ("content.xml", "是 OpenDocument 文件（.ods/.odt），不是 Excel 工作簿：请在 WPS、Excel 或 LibreOffice 中另存为 .xlsx 后再导入"),
)


def _check_archive(path: Path, label: str) -> None:
    """Refuse what is not a reasonable .xlsx before anything is unzipped (size, zip bomb, format)."""
    if not zipfile.is_zipfile(path):
        raise ShuangzhengError(f"{label} 不是 Excel 工作簿（既不是 .xlsx 也不是 .xls）：请用 Excel/WPS 另存为 .xlsx")
    try:
        with zipfile.ZipFile(path) as zf:
            infos = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError):
        raise ShuangzhengError(f"{label} 已损坏，无法作为 .xlsx 打开") from None
    if len(infos) > MAX_MEMBERS:
        raise ShuangzhengError(f"{label} 内含 {len(infos)} 个部件，远超正常工作簿，出于安全拒绝读取")
    total = sum(i.file_size for i in infos)
    packed = sum(i.compress_size for i in infos)
    if total > MAX_UNZIPPED_BYTES:
        raise ShuangzhengError(
            f"{label} 解压后有 {total / 1024 / 1024:.0f} MB（上限 {MAX_UNZIPPED_BYTES // 1024 // 1024} MB），"
            "可能是“压缩炸弹”，出于安全拒绝读取"
        )
    for info in infos:
        ratio = info.file_size / max(info.compress_size, 1)
        if info.file_size > 1024 * 1024 and ratio > MAX_RATIO:
            raise ShuangzhengError(
                f"{label} 中的 {info.filename} 压缩比为 {ratio:.0f} 倍（上限 {MAX_RATIO} 倍），"
                "可能是“压缩炸弹”，出于安全拒绝读取"
            )
    if total > 1024 * 1024 and total / max(packed, 1) > MAX_RATIO:
        raise ShuangzhengError(f"{label} 的压缩比超过 {MAX_RATIO} 倍，可能是“压缩炸弹”，出于安全拒绝读取")
    names = {i.filename for i in infos}
    other = next((advice for part, advice in _OTHER_OFFICE_PARTS if part in names), None)
    if other is not None:
        raise ShuangzhengError(f"{label} {other}")
    if not any(name.startswith("xl/") for name in names):
        raise ShuangzhengError(f"{label} 是 zip 压缩包，但不是 .xlsx 工作簿")
