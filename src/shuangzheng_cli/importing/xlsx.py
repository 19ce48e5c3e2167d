"""Reading an .xlsx (Transitional or Strict Open XML) into a `Book`, streamed and bounded.

The parts are read with expat directly: namespace-agnostic (Strict's `purl.oclc.org`
namespaces read the same as Transitional ones), with DTDs and entity declarations refused
(an entity-expansion attempt, a “billion laughs”, is refused before it expands: what
`defusedxml` does), and each sheet streamed in chunks so that memory stays flat however far
styled empty rows run. Styled empty cells (`<c r="A9" s="3"/>`) are dropped from the byte
stream before parsing, which keeps a whole-column format to row 1,048,576 cheap.
"""

from __future__ import annotations

import datetime as dt
import posixpath
import re
import zipfile
from pathlib import Path
from typing import Any
from xml.parsers import expat

from ..errors import ShuangzhengError
from .book import MAX_COLUMNS, Book, Cell, RowBudget, Sheet

#: Built-in number formats that are dates or times but that openpyxl's table lacks (the
#: East-Asian ones Chinese-locale Excel and WPS write without a <numFmt>), with the usual ones.
BUILTIN_DATE_IDS = frozenset([*range(14, 23), *range(27, 37), *range(45, 48), *range(50, 59)])
STRICT_MAIN = "http://purl.oclc.org/ooxml/spreadsheetml/main"
#: What a stretch of sheet XML must contain to matter: a value, an inline string, a formula,
#: or the parts around the rows (merged ranges, the end of the data).
_MATTERS = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?(?:v|is|f|mergeCell|/sheetData)[\s>/]")
_END_TAG = re.compile(rb"</(?:[A-Za-z_][\w.-]*:)?")
_ESCAPE = re.compile(r"_x([0-9A-Fa-f]{4})_")
_REF = re.compile(r"^\$?([A-Z]{1,3})\$?(\d+)$")
CHUNK = 1 << 20


class _Hostile(Exception):
    """A DTD or an entity declaration: refused before anything expands."""


def decode_escapes(text: str) -> str:
    """Excel's `_xHHHH_` escapes (`_x000D_` for a carriage return) → the characters."""
    if "_x" not in text:
        return text
    return _ESCAPE.sub(lambda m: chr(int(m[1], 16)), text)


def column_index(letters: str) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + ord(ch) - 64
    return n


def parse_ref(ref: str) -> tuple[int, int] | None:
    """`B7` → (7, 2); None when it is not a cell reference."""
    m = _REF.match(ref.upper())
    return (int(m[2]), column_index(m[1])) if m else None


def _row_end(data: bytes) -> int:
    """The offset just after the last `</row>` (any prefix) in `data`, or 0."""
    end = len(data)
    while True:
        i = data.rfind(b"row>", 0, end)
        if i < 0:
            return 0
        j = data.rfind(b"</", 0, i)
        if j >= 0 and _END_TAG.fullmatch(data, j, i):
            return i + 4
        end = i


def _parser() -> Any:
    p = expat.ParserCreate(namespace_separator="}")

    def refuse(*_args: Any) -> None:
        raise _Hostile

    p.StartDoctypeDeclHandler = refuse
    p.EntityDeclHandler = refuse
    p.ExternalEntityRefHandler = refuse
    p.SetParamEntityParsing(expat.XML_PARAM_ENTITY_PARSING_NEVER)
    p.buffer_text = True
    return p


def _local(name: str) -> str:
    return name.rsplit("}", 1)[-1]


class _Reader:
    def __init__(self, path: Path, label: str, budget: RowBudget) -> None:
        self.label = label
        self.budget = budget
        self.zf = zipfile.ZipFile(path)
        self.names = set(self.zf.namelist())

    # ---------------------------------------------------------------- parts

    def _feed(self, part: str, parser: Any, *, stream: bool = False) -> None:
        """Feed a part to `parser` in chunks. With `stream` (a sheet), a run of whole rows
        without any value, inline string or formula is not parsed at all: styled empty rows
        (a whole-column format to row 1,048,576) cost an unzip and a byte search only."""
        try:
            with self.zf.open(part) as f:
                tail = b""
                aligned = False  # does `tail` start between two rows?
                while True:
                    chunk = f.read(CHUNK)
                    if not chunk:
                        parser.Parse(tail, True)
                        return
                    if not stream:
                        parser.Parse(chunk, False)
                        continue
                    data = tail + chunk
                    cut = _row_end(data)
                    if cut:
                        if not (aligned and _MATTERS.search(data, 0, cut) is None):
                            parser.Parse(data[:cut], False)
                        tail, aligned = data[cut:], True
                    else:
                        cut = data.rfind(b">") + 1
                        parser.Parse(data[:cut], False)
                        tail, aligned = data[cut:], False
        except _Hostile:
            raise ShuangzhengError(
                f"{self.label} 的 {part} 含有 DTD 或实体声明（正常工作簿没有，可能是恶意构造的文件），出于安全拒绝读取"
            ) from None
        except expat.ExpatError as exc:
            raise ShuangzhengError(
                f"{self.label} 的 {part} 不是完好的 XML（第 {exc.lineno} 行第 {exc.offset} 列：{expat.ErrorString(exc.code)}），"
                "文件已损坏：请在 Excel/WPS 中打开后另存为 .xlsx"
            ) from None
        except (zipfile.BadZipFile, OSError, EOFError, ValueError, RuntimeError):
            raise ShuangzhengError(f"{self.label} 的 {part} 无法解压，文件已损坏") from None

    def _elements(self, part: str) -> list[tuple[str, dict[str, str], str]]:
        """A small part as (local name, attributes by local name, text) in document order."""
        out: list[tuple[str, dict[str, str], str]] = []
        stack: list[int] = []
        p = _parser()

        def start(name: str, attrs: dict[str, str]) -> None:
            stack.append(len(out))
            out.append((_local(name), {_local(k): v for k, v in attrs.items()}, ""))

        def end(_name: str) -> None:
            stack.pop()

        def text(data: str) -> None:
            if stack:
                i = stack[-1]
                name, attrs, old = out[i]
                out[i] = (name, attrs, old + data)

        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, text
        self._feed(part, p)
        return out

    def _rels(self, part: str) -> dict[str, tuple[str, str]]:
        """A part's relationships: id → (type's last segment, target part)."""
        folder, base = posixpath.split(part)
        rels = posixpath.join(folder, "_rels", base + ".rels")
        if rels not in self.names:
            return {}
        out = {}
        for name, attrs, _ in self._elements(rels):
            if name == "Relationship" and "Id" in attrs and "Target" in attrs:
                target = attrs["Target"]
                target = target.lstrip("/") if target.startswith("/") else posixpath.normpath(posixpath.join(folder, target))
                out[attrs["Id"]] = (attrs.get("Type", "").rsplit("/", 1)[-1], target)
        return out

    # ---------------------------------------------------------------- the book

    def read(self) -> Book:
        root = next((t for kind, t in self._rels("").values() if kind == "officeDocument"), "xl/workbook.xml")
        if root not in self.names:
            raise ShuangzhengError(f"{self.label} 中没有工作簿部件（{root}），不是完整的 .xlsx")
        elements = self._elements(root)
        strict = any(n == "workbook" and a.get("conformance") == "strict" for n, a, _ in elements)
        book = Book(self.label, "xlsx-strict" if strict else "xlsx")
        date1904 = False
        listed: list[tuple[str, str, str]] = []
        for name, attrs, text in elements:
            if name == "workbookPr":
                date1904 = attrs.get("date1904", "").lower() in ("1", "true")
            elif name == "sheet":
                listed.append((attrs.get("name", ""), attrs.get("state", "visible"), attrs.get("id", "")))
            elif name == "definedName" and "name" in attrs and "localSheetId" not in attrs:
                book.defined_names[attrs["name"]] = text.strip()
        rels = self._rels(root)
        targets = {kind: target for kind, target in rels.values()}
        strings = self._shared_strings(targets.get("sharedStrings"))
        styles = self._date_styles(targets.get("styles"))
        from openpyxl.utils.datetime import CALENDAR_MAC_1904, CALENDAR_WINDOWS_1900

        epoch = CALENDAR_MAC_1904 if date1904 else CALENDAR_WINDOWS_1900
        for name, state, rid in listed:
            kind, target = rels.get(rid, ("", ""))
            if kind != "worksheet" or target not in self.names:
                continue  # a chart sheet or a dangling entry: nothing to read
            sheet = Sheet(decode_escapes(name), state if state in ("hidden", "veryHidden") else "visible")
            _SheetParser(self, sheet, target, strings, styles, epoch).run()
            book.sheets.append(sheet)
        book.modified = self._modified()
        return book

    def _shared_strings(self, part: str | None) -> list[str]:
        if not part or part not in self.names:
            return []
        out: list[str] = []
        buf: list[str] = []
        depth = {"rPh": 0, "t": 0}
        p = _parser()

        def start(name: str, _attrs: dict[str, str]) -> None:
            local = _local(name)
            if local == "si":
                buf.clear()
            elif local in depth:
                depth[local] += 1

        def end(name: str) -> None:
            local = _local(name)
            if local == "si":
                out.append(decode_escapes("".join(buf)))
            elif local in depth:
                depth[local] -= 1

        def text(data: str) -> None:
            if depth["t"] and not depth["rPh"]:  # phonetic runs (rPh) are not the text
                buf.append(data)

        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = start, end, text
        self._feed(part, p)
        return out

    def _date_styles(self, part: str | None) -> list[bool]:
        """For each cell style (xf) index: does its number format show a date or time?"""
        if not part or part not in self.names:
            return []
        from openpyxl.styles.numbers import is_date_format

        custom: dict[int, str] = {}
        xfs: list[bool] = []
        in_cell_xfs = False
        for name, attrs, _ in self._elements(part):
            if name == "numFmt" and attrs.get("numFmtId", "").isdigit():
                custom[int(attrs["numFmtId"])] = attrs.get("formatCode", "")
            elif name == "cellXfs":
                in_cell_xfs = True
            elif name in ("cellStyles", "dxfs", "cellStyleXfs") and in_cell_xfs:
                in_cell_xfs = False
            elif name == "xf" and in_cell_xfs:
                raw = attrs.get("numFmtId", "0")
                fid = int(raw) if raw.isdigit() else 0
                xfs.append(is_date_format(custom[fid]) if fid in custom else fid in BUILTIN_DATE_IDS)
        return xfs

    def _modified(self) -> dt.datetime | None:
        if "docProps/core.xml" not in self.names:
            return None
        for name, _attrs, text in self._elements("docProps/core.xml"):
            if name == "modified":
                try:
                    stamp = dt.datetime.fromisoformat(text.strip().replace("Z", "+00:00"))
                except ValueError:
                    return None
                return stamp if stamp.tzinfo else stamp.replace(tzinfo=dt.UTC)
        return None


class _SheetParser:
    """Streams one sheet's XML, keeping only rows with content."""

    def __init__(self, reader: _Reader, sheet: Sheet, part: str, strings: list[str], styles: list[bool], epoch: Any) -> None:
        self.reader, self.sheet, self.part = reader, sheet, part
        self.strings, self.styles, self.epoch = strings, styles, epoch
        self.row = 0
        self.column = 0
        self.cells: dict[int, Cell] = {}
        self.cell_type = ""
        self.cell_style = 0
        self.collect: str | None = None  # which text is being gathered: v, f, t (inline)
        self.texts: dict[str, list[str]] = {}
        self.formula = False
        self.phonetic = 0

    def run(self) -> None:
        p = _parser()
        p.StartElementHandler, p.EndElementHandler, p.CharacterDataHandler = self.start, self.end, self.text
        self.reader._feed(self.part, p, stream=True)

    def start(self, name: str, attrs: dict[str, str]) -> None:
        local = _local(name)
        if local == "c":
            ref = parse_ref(attrs.get("r", "")) if "r" in attrs else None
            self.column = ref[1] if ref else self.column + 1
            self.cell_type = attrs.get("t", "n")
            s = attrs.get("s", "0")
            self.cell_style = int(s) if s.isdigit() else 0
            self.texts = {}
            self.formula = False
        elif local == "row":
            r = attrs.get("r", "")
            self.row = int(r) if r.isdigit() else self.row + 1
            self.column = 0
            self.cells = {}
            if attrs.get("hidden", "").lower() in ("1", "true"):
                self.sheet.hidden_rows.add(self.row)
        elif local in ("v", "t") or local == "f":
            if local == "f":
                self.formula = True
            if not self.phonetic:
                self.collect = local
                self.texts.setdefault(local, [])
        elif local == "rPh":
            self.phonetic += 1
        elif local == "mergeCell":
            parts = attrs.get("ref", "").split(":")
            a, b = parse_ref(parts[0]), parse_ref(parts[-1])
            if a and b:
                self.sheet.merges.append((min(a[0], b[0]), min(a[1], b[1]), max(a[0], b[0]), max(a[1], b[1])))

    def text(self, data: str) -> None:
        if self.collect is not None:
            self.texts[self.collect].append(data)

    def end(self, name: str) -> None:
        local = _local(name)
        if local in ("v", "t", "f"):
            self.collect = None
        elif local == "rPh":
            self.phonetic -= 1
        elif local == "c":
            cell = self._cell()
            if cell is not None and self.column <= MAX_COLUMNS:
                self.cells[self.column] = cell
        elif local == "row":
            if self.cells:
                self.reader.budget.take(self.sheet.name)
                self.sheet.rows[self.row] = self.cells
            self.cells = {}

    def _cell(self) -> Cell | None:
        raw = "".join(self.texts.get("v", ()))
        kind = self.cell_type
        if self.formula:
            return Cell("=" + "".join(self.texts.get("f", ())), "f")
        if kind == "inlineStr":
            text = decode_escapes("".join(self.texts.get("t", ())))
            return Cell(text) if text else None
        if raw == "":
            return None
        if kind == "s":
            try:
                text = self.strings[int(raw)]
            except (ValueError, IndexError):
                raise ShuangzhengError(
                    f"{self.reader.label} 的 {self.part} 引用了不存在的共享字符串（{raw[:20]}），文件已损坏"
                ) from None
            return Cell(text) if text else None
        if kind == "str":
            return Cell(decode_escapes(raw))
        if kind == "b":
            return Cell(raw.strip() in ("1", "true"))
        if kind == "e":
            return Cell(raw, "e")
        if kind == "d":
            try:
                return Cell(dt.datetime.fromisoformat(raw.strip()))
            except ValueError:
                return Cell(raw)
        try:
            number = float(raw)
        except ValueError:
            return Cell(raw)
        if self.cell_style < len(self.styles) and self.styles[self.cell_style]:
            return Cell(self._temporal(number))
        return Cell(int(number) if number.is_integer() and abs(number) < 2**53 else number)

    def _temporal(self, number: float) -> Any:
        from openpyxl.utils.datetime import from_excel

        try:
            value = from_excel(number, self.epoch)
        except (ValueError, OverflowError, TypeError):
            return number
        if 0 <= number < 1 and isinstance(value, dt.time | dt.datetime):
            return value if isinstance(value, dt.time) else value.time()
        return value


def read_xlsx(path: Path, label: str, budget: RowBudget) -> Book:
    """The workbook at `path` (already checked as a zip) as a `Book`."""
    reader = _Reader(path, label, budget)
    try:
        return reader.read()
    finally:
        reader.zf.close()
