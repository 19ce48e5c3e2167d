"""What every workbook of the tool shares: the safe cell, column widths, fills, atomic saving.

openpyxl is imported here and in `excel_export` / `excel_import`; the CLI imports these
modules only inside the commands that need them (openpyxl costs ~0.2 s at start-up).

Every value goes through one safe-cell rule, `safe_value`: openpyxl stores a string that
begins with `=` as a formula and one equal to an error code as an error, and re-assigning
the value re-runs that detection, so `put` sets text once and then forces it to a string.
A sheet too big to build cell by cell (the 100k rows of a year's 本期记录) is written by
`StreamedRows`, which turns the same safe values straight into sheet XML (text is always
an inline string there) and is spliced into its sheet by `save_atomic`.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import os
import re
import shutil
import tempfile
import unicodedata
import zipfile
from array import array
from collections.abc import Iterable, Mapping, Sequence
from pathlib import Path
from typing import IO, Any

from openpyxl.cell.cell import Cell
from openpyxl.compat import safe_string
from openpyxl.drawing.spreadsheet_drawing import SpreadsheetDrawing
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.utils.datetime import to_excel
from openpyxl.workbook import Workbook
from openpyxl.worksheet._writer import WorksheetWriter
from openpyxl.worksheet.dimensions import SheetDimension
from openpyxl.worksheet.worksheet import Worksheet
from openpyxl.writer.excel import ExcelWriter

from .data import FORMULA_LEAD
from .files import write_atomic

#: Text equal to one of these would be read as an error value.
ERROR_CODES = frozenset(
    {"#NULL!", "#DIV/0!", "#VALUE!", "#REF!", "#NAME?", "#NUM!", "#N/A", "#GETTING_DATA"}
)
#: Characters a cell cannot hold: the control characters openpyxl rejects, and what XML
#: cannot carry at all (unpaired surrogates, U+FFFE, U+FFFF).
UNWRITABLE_RE = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")
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
    return text.startswith(FORMULA_LEAD) or ("#" in text and text.strip().upper() in ERROR_CODES)


def cell_text(text: str) -> str:
    """Text a cell can hold: control characters openpyxl rejects (and what XML cannot carry)
    removed, cut with a visible `…`."""
    if not text.isprintable():  # every character removed here is unprintable
        text = UNWRITABLE_RE.sub("", text)
    if len(text) > MAX_CELL_CHARS:
        text = text[: MAX_CELL_CHARS - 1] + ELLIPSIS
    return text


def safe_value(value: Any) -> tuple[Any, bool]:
    """The safe-cell rule: what a cell holds for `value`, and whether it is text that must be
    forced to a string with a quote prefix (it looks like a formula or an error value).

    Text is cleaned and cut (`cell_text`); numbers, booleans, dates and None stay as they
    are; anything else is shown as its text, never evaluated.
    """
    if isinstance(value, str):
        text = cell_text(value)
        return text, is_risky_text(text)
    if isinstance(value, bool) or value is None or isinstance(value, int | float | dt.date):
        return value, False
    return safe_value(str(value))


def put(ws: Worksheet, row: int, column: int, value: Any, **style: Any) -> Cell:
    """Write one cell safely; every cell of a workbook built cell by cell goes through here.

    Text is assigned once, then forced to a string (with a quote prefix, so that a person
    editing the cell does not turn it into a formula either). Dates get a date format.
    `style`: font, fill, border, alignment, number_format.
    """
    cell = ws.cell(row=row, column=column)
    value, forced = safe_value(value)
    cell.value = value
    if forced:
        cell.data_type = "s"
        cell.quotePrefix = True
    elif isinstance(value, dt.date):
        cell.number_format = DATE_FORMAT
    for key, val in style.items():
        setattr(cell, key, val)
    return cell


#: Blocks where every character is wide (east_asian_width W or F; checked by a test): CJK
#: ideographs, kana, hangul, CJK punctuation and full-width forms. All within U+0800–U+FFFF.
WIDE_BLOCKS = (
    "\u1100-\u115f\u2e80-\u303e\u3041-\u3247\u3250-\u4dbf\u4e00-\ua4c6\uac00-\ud7a3"
    "\uf900-\ufaff\ufe30-\ufe4f\uff01-\uff60\uffe0-\uffe6"
)
_OTHER_NON_ASCII = re.compile(f"[^\x00-\x7f{WIDE_BLOCKS}]")


def text_width(text: str) -> int:
    """`render.display_width` (a wide character counts 2), exactly, but fast on long Chinese text.

    Every character of the common wide blocks takes 3 bytes in UTF-8, so the UTF-8 length
    counts them; the other non-ASCII characters (few) are found by one scan and looked up.
    """
    if text.isascii():
        return len(text)
    extra = len(text.encode("utf-8", "surrogatepass")) - len(text)  # 2 per character of the wide blocks
    wide = 0
    for ch in _OTHER_NON_ASCII.findall(text):
        extra -= 1 if ch < "\u0800" else 2 if ch < "\U00010000" else 3
        if unicodedata.east_asian_width(ch) in "WF":
            wide += 1
    return len(text) + extra // 2 + wide


def lines_needed(widths: Iterable[int], column_width: int) -> int:
    """Lines a wrapped cell takes: `widths` are the display widths of its lines (10-point text:
    a wide character takes a little less than 2 width units)."""
    width = max(column_width - 1, 1)
    return sum(max(1, math.ceil(0.9 * w / width)) for w in widths)


def row_height(lines: int, line_height: float = 13.5) -> float:
    return min(409.0, lines * line_height + 4)


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
    measured: Mapping[int, int] | None = None,
) -> dict[int, int]:
    """Set each column's width from its widest line (a wide CJK character counts 2).

    `caps` gives some columns their own maximum (wrapped text wraps at that width).
    `measured`: widest lines measured elsewhere (the rows of a `StreamedRows`).
    Returns the widths by column number, which `fit_rows` uses to estimate row heights.
    """
    widths: dict[int, int] = dict(measured or {})
    merged = {c for r in ws.merged_cells.ranges for c in _coords(r)}
    for row in ws.iter_rows(min_row=first_row):
        for cell in row:
            if cell.value is None or cell.coordinate in merged:
                continue
            width = max(text_width(line) for line in text_of(cell.value).split("\n"))
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
            needed = lines_needed(map(text_width, cell.value.split("\n")), widths.get(cell.column, 10))
            lines = max(lines, needed)
        if lines > 1:
            ws.row_dimensions[row[0].row].height = row_height(lines, line_height)


def header_row(ws: Worksheet, row: int, headers: Sequence[str]) -> None:
    for column, title in enumerate(headers, start=1):
        put(ws, row, column, title, font=HEADER_FONT, fill=HEADER_FILL, border=BORDER, alignment=CENTER)


#: Column-width units (about one Latin character of 10-point text) across the printable width
#: of an A4 page in portrait (narrow margins); wider sheets print in landscape.
PORTRAIT_WIDTH = 100


def print_setup(
    ws: Worksheet,
    widths: Mapping[int, float] | None = None,
    *,
    header_row: int | None = None,
    title_rows: str | None = None,
    landscape: bool | None = None,
) -> None:
    """A4, fit to the page width (as many pages tall as needed), header rows repeated,
    page numbers in the footer.

    `widths`: the columns' widths (as `fit_columns` returns them); a sheet wider than a
    portrait page prints in landscape unless `landscape` says otherwise. `header_row`: the
    table's header row, repeated on every page (or `title_rows`, e.g. "3:4").
    """
    if landscape is None:
        landscape = widths is None or sum(widths.values()) > PORTRAIT_WIDTH
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.orientation = "landscape" if landscape else "portrait"
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_options.horizontalCentered = True
    ws.page_margins.left = ws.page_margins.right = 0.4
    ws.page_margins.top = ws.page_margins.bottom = 0.6
    if header_row is not None:
        title_rows = f"{header_row}:{header_row}"
    if title_rows:
        ws.print_title_rows = title_rows
    ws.oddFooter.center.text = "第 &P 页，共 &N 页"


def heading_rows(ws: Worksheet, widths: Mapping[int, float], texts: Sequence[str]) -> None:
    """Lines above a table (a title in bold, then notes), each merged across the table's
    columns and wrapped, so that it prints whole within the page width."""
    last = max(widths) if widths else 1
    total = sum(widths.values()) or 10
    for row, text in enumerate(texts, start=1):
        font = TITLE_FONT if row == 1 else BODY_FONT
        put(ws, row, 1, text, font=font, alignment=Alignment(wrap_text=True, vertical="center"))
        if last > 1:
            ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=last)
        scale = 1.4 if row == 1 else 1.0  # 14-point title
        lines = lines_needed([math.ceil(text_width(text) * scale)], int(total))
        ws.row_dimensions[row].height = row_height(lines, 20 if row == 1 else 13.5)


# ------------------------------------------------------------ big sheets, streamed


_LINE_FIRST = 1 << 20  # flag of the first line of a cell in StreamedRows._lines
_LINE_WIDTH = _LINE_FIRST - 1
_XML_ESCAPES = str.maketrans({"&": "&amp;", "<": "&lt;", ">": "&gt;"})


class StreamedRows:
    """The rows of a sheet too big to build cell by cell, written as they come.

    Each row becomes sheet XML at once (the same cells openpyxl would write for `put`: text
    as inline strings, a quote-prefixed style for risky text, dates as numbers with a date
    format) in a temporary file; the workbook keeps only the row sizes and the widths of
    the text lines, so memory does not grow with the text. The sheet itself (title and
    header rows above, widths, freeze, filter, print settings, merges) is an ordinary
    openpyxl worksheet; `save_atomic(..., streamed=[...])` splices the rows into it.

    Usage: `style(...)` once per style, `append(values, styles)` per row, then
    `fit_rows(widths)` with the column widths (`fit_columns(..., measured=rows.widths)`).
    """

    def __init__(self, ws: Worksheet, first_row: int):
        self.ws = ws
        self.first_row = first_row
        self.count = 0
        self.max_column = 0
        self._widest: list[int] = [-1]  # widest line of each column so far (-1: no value yet)
        self._file: IO[bytes] = tempfile.TemporaryFile()  # noqa: SIM115 - closed by close()
        self._sizes = array("Q")  # bytes of each row's cells
        self._lines = array("Q")  # (column << 21 | first-line flag | width) of each text line that may wrap
        self._line_ends = array("Q")  # end of each row's lines in _lines
        self._heights: dict[int, float] = {}
        self._styles: dict[int, dict[str, Any]] = {}
        self._variants: dict[tuple[int, str], int] = {}
        self._refs: list[str] = [""]  # '<c r="A' for column 1, …
        self._serials: dict[dt.date, str] = {}
        self._texts: dict[str, tuple[str, bool, int, tuple[int, ...]]] = {}  # short texts seen before

    # ---- styles

    def style(self, **style: Any) -> int:
        """Register a cell style (font, fill, border, alignment, number_format); its id is the handle."""
        sid = self._register(style)
        self._styles[sid] = style
        return sid

    def _register(self, style: dict[str, Any]) -> int:
        cell = Cell(self.ws)  # a detached cell, only to register the style with the workbook
        for name, value in style.items():
            setattr(cell, name, value)
        return cell.style_id

    def _variant(self, sid: int, variant: str) -> int:
        """The style `sid` with a date format, or with a quote prefix (risky text)."""
        out = self._variants.get((sid, variant))
        if out is None:
            extra = {"number_format": DATE_FORMAT} if variant == "date" else {"quotePrefix": True}
            out = self._variants[(sid, variant)] = self._register({**self._styles[sid], **extra})
        return out

    # ---- rows

    def append(self, values: Sequence[Any], styles: Sequence[int]) -> None:
        """One row: `values[i]` in column i + 1, with the style `styles[i]` (from `style`)."""
        number = str(self.first_row + self.count)
        refs = self._refs
        while len(refs) <= len(values):
            refs.append(f'<c r="{get_column_letter(len(refs))}')
        parts = []
        lines, widest, texts = self._lines, self._widest, self._texts
        while len(widest) <= len(values):
            widest.append(-1)
        for column, raw, sid in zip(range(1, len(values) + 1), values, styles, strict=True):
            if raw.__class__ is not str and not (raw is None or isinstance(raw, int | float | dt.date)):
                raw = str(raw)  # anything else is shown as its text, as `safe_value` does
            if raw.__class__ is str:
                info = texts.get(raw)
                if info is None:
                    info = self._text(raw)
                    if len(raw) <= 32 and len(texts) < 20_000:
                        texts[raw] = info
                body, forced, width, packed = info
                if width > widest[column]:
                    widest[column] = width
                if packed:
                    if len(packed) == 1:
                        lines.append(column << 21 | packed[0])
                    else:
                        lines.extend(column << 21 | p for p in packed)
                if forced:
                    sid = self._variant(sid, "quoted")
                if body:
                    parts.append(f'{refs[column]}{number}" s="{sid}" t="inlineStr">{body}</c>')
                else:
                    parts.append(f'{refs[column]}{number}" s="{sid}" t="inlineStr" />')
                continue
            value = raw  # None, a number or a date: `safe_value` keeps them as they are
            if value is None:
                parts.append(f'{refs[column]}{number}" s="{sid}" t="n" />')
            elif isinstance(value, bool):
                parts.append(f'{refs[column]}{number}" s="{sid}" t="b"><v>{int(value)}</v></c>')
            elif isinstance(value, dt.date):
                serial = self._serials.get(value)
                if serial is None:
                    serial = self._serials[value] = safe_string(to_excel(value, self.ws.parent.epoch))
                widest[column] = max(widest[column], len(text_of(value)))
                parts.append(f'{refs[column]}{number}" s="{self._variant(sid, "date")}" t="n"><v>{serial}</v></c>')
            else:
                widest[column] = max(widest[column], len(text_of(value)))
                parts.append(f'{refs[column]}{number}" s="{sid}" t="n"><v>{safe_string(value)}</v></c>')
        data = "".join(parts).encode("utf-8")
        self._file.write(data)
        self._sizes.append(len(data))
        self._line_ends.append(len(lines))
        self.max_column = max(self.max_column, len(values))
        self.count += 1

    @property
    def widths(self) -> dict[int, int]:
        """The widest line of each column with a value (a wide character counts 2)."""
        return {column: width for column, width in enumerate(self._widest) if width >= 0}

    @staticmethod
    def _text(raw: str) -> tuple[str, bool, int, tuple[int, ...]]:
        """(the <is> element, forced to text?, widest line, the lines that may wrap) of one text cell."""
        text, forced = safe_value(raw)
        packed: tuple[int, ...]
        if "\n" in text:
            widths = [text_width(part) for part in text.split("\n")]
            widest = max(widths)
            packed = (_LINE_FIRST | min(widths[0], _LINE_WIDTH), *(min(w, _LINE_WIDTH) for w in widths[1:]))
        else:
            widest = text_width(text)
            # one line of at most 5 is one line in any column (at least 6 wide)
            packed = (_LINE_FIRST | min(widest, _LINE_WIDTH),) if widest > 5 else ()
        if not text:
            return "", forced, widest, packed
        escaped = text.translate(_XML_ESCAPES) if ("&" in text or "<" in text or ">" in text) else text
        stripped = text.strip()
        space = ' xml:space="preserve"' if stripped and stripped != text else ""
        return f"<is><t{space}>{escaped}</t></is>", forced, widest, packed

    def fit_rows(self, widths: Mapping[int, int], *, line_height: float = 13.5) -> None:
        """Row heights for the wrapped text, as `fit_rows` sets them on an ordinary sheet."""
        usable = {column: max(width - 1, 1) for column, width in widths.items()}
        lines, heights = self._lines, {}
        start = 0
        ceil = math.ceil
        for i, end in enumerate(self._line_ends):
            if end == start:
                continue
            most = 1
            cell = 0
            for packed in lines[start:end]:
                needed = max(1, ceil(0.9 * (packed & _LINE_WIDTH) / usable.get(packed >> 21, 9)))
                cell = needed if packed & _LINE_FIRST else cell + needed
                most = max(most, cell)
            if most > 1:
                heights[self.first_row + i] = row_height(most, line_height)
            start = end
        self._heights = heights
        del self._lines[:]  # no longer needed

    @property
    def last_row(self) -> int:
        return self.first_row + self.count - 1

    def write_xml(self, out: IO[bytes]) -> None:
        """The `<row>` elements, in order (each row's height, if any, as openpyxl writes it)."""
        self._file.seek(0)
        read = self._file.read
        heights = self._heights
        chunk: list[bytes] = []
        size_so_far = 0
        for i, size in enumerate(self._sizes):
            row = self.first_row + i
            height = heights.get(row)
            if height is None:
                chunk.append(b'<row r="%d">' % row)
            else:
                chunk.append(f'<row r="{row}" ht="{safe_string(height)}" customHeight="1">'.encode())
            chunk.append(read(size))
            chunk.append(b"</row>")
            size_so_far += size
            if size_so_far >= 1 << 20:
                out.write(b"".join(chunk))
                chunk.clear()
                size_so_far = 0
        out.write(b"".join(chunk))

    def xml_size(self) -> int:
        """About how many bytes `write_xml` writes (exact but for the row heights)."""
        return self._file.seek(0, io.SEEK_END) + 40 * self.count

    def close(self) -> None:
        self._file.close()


class _SplicedSheetWriter(WorksheetWriter):
    """openpyxl's writer of one worksheet, with the dimension of its streamed rows included."""

    def __init__(self, ws: Worksheet, rows: StreamedRows):
        self._streamed = rows
        super().__init__(ws, out=io.BytesIO())

    def write_dimensions(self) -> None:
        rows = self._streamed
        last_column = get_column_letter(max(self.ws.max_column, rows.max_column, 1))
        last_row = max(self.ws.max_row, rows.last_row)
        self.xf.send(SheetDimension(f"A1:{last_column}{last_row}").to_tree())


class _Writer(ExcelWriter):
    """openpyxl's workbook writer; a worksheet with streamed rows gets them spliced in."""

    def __init__(self, wb: Workbook, archive: _FixedTimeZip, streamed: Sequence[StreamedRows]):
        super().__init__(wb, archive)
        self._streamed = {id(rows.ws): rows for rows in streamed}

    def write_worksheet(self, ws):  # noqa: ANN001, ANN201 - openpyxl's signature
        rows = self._streamed.get(id(ws))
        if rows is None:
            return super().write_worksheet(ws)
        if rows.count and (ws.max_row >= rows.first_row or max(ws.row_dimensions, default=0) >= rows.first_row):
            raise ValueError(f"{ws.title}: cells below row {rows.first_row - 1} would be lost among the streamed rows")
        # as ExcelWriter.write_worksheet, with the rows written between </sheetData>'s halves
        ws._drawing = SpreadsheetDrawing()
        ws._drawing.charts = ws._charts
        ws._drawing.images = ws._images
        writer = _SplicedSheetWriter(ws, rows)
        writer.write()
        xml = writer.read()
        cut = xml.rindex(b"</sheetData>")
        head, tail = xml[:cut], xml[cut:]
        with self._archive.open_member(ws.path[1:], len(head) + rows.xml_size() + len(tail)) as out:
            out.write(head)
            rows.write_xml(out)
            out.write(tail)
        ws._rels = writer._rels
        self.manifest.append(ws)
        return None


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
        """A file (openpyxl's temporary sheet XML), copied in chunks: never whole in memory."""
        with open(filename, "rb") as f, self.open_member(arcname or os.path.basename(filename), os.fstat(f.fileno()).st_size) as out:
            shutil.copyfileobj(f, out, 1 << 20)

    def open_member(self, name: str, size: int) -> IO[bytes]:
        """A member to write in parts; `size` (about the bytes to come) decides whether it needs ZIP64."""
        info = zipfile.ZipInfo(name, date_time=self._when)
        info.compress_type = zipfile.ZIP_DEFLATED
        info.external_attr = 0o644 << 16
        info.file_size = size
        return self.open(info, "w")


def stamp(wb: Workbook, as_of: dt.date, title: str) -> None:
    """Document properties carry the as-of date, not the clock."""
    when = dt.datetime(as_of.year, as_of.month, as_of.day)
    wb.properties.created = when
    wb.properties.modified = when
    wb.properties.creator = "shuangzheng"
    wb.properties.lastModifiedBy = "shuangzheng"
    wb.properties.title = title


def save_atomic(
    wb: Workbook, path: Path, *, force: bool, as_of: dt.date, streamed: Sequence[StreamedRows] = ()
) -> None:
    """Save through `files.write_atomic` (a temporary file renamed over `path`; an existing
    file replaced only with `force`). `streamed`: rows of sheets written by `StreamedRows`,
    spliced into their sheets.
    """
    write_atomic(
        Path(path), lambda tmp: _Writer(wb, _FixedTimeZip(str(tmp), as_of), streamed).save(), force=force
    )


def column_of(headers: Iterable[str], name: str) -> int:
    """1-based column number of a header."""
    return list(headers).index(name) + 1
