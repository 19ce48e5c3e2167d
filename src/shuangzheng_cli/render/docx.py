"""Word documents in the national format for Party and government documents (GB/T 9704-2012
《党政机关公文格式》): the 通报, the 半年报告, the 考核结果 and the 信息简报.

`OfficialDocument` lays a document out as the standard asks and knows nothing of the campaign:

- A4 portrait; margins top 37 mm, bottom 35 mm, left 28 mm, right 26 mm; 22 lines of 28
  characters (lines at a fixed 28.95 pt, `LINE_PITCH`; characters 0.25 pt closer than their
  16 pt, `CHAR_SPACING`).
- Title in 二号 (22 pt) 方正小标宋简体, centered; body in 三号 (16 pt) 仿宋_GB2312, first line
  indented two characters; headings `一、` in 黑体, `（一）` in 楷体_GB2312, `1.` in 仿宋 bold.
- Figures and Latin text in Times New Roman: every run names its Latin face (`w:ascii`,
  `w:hAnsi`) and its east-Asian face (`w:eastAsia`, with `w:hint="eastAsia"` so that the
  Chinese quotation marks “” take the Chinese face). The font table gives each Chinese face
  a common alternative and a family (serif or sans), so a machine without 仿宋_GB2312 (or
  LibreOffice with only Noto CJK) still picks a similar face.
- 主送机关 flush left; 附件说明 under the body; 发文机关署名 and 成文日期 (`2022年11月30日`)
  right-aligned, the date's first character two characters right of the signature's (7.3.5.2);
  each 附件 on a new page, `附件N` in 黑体 at the top left.
- Page numbers `— 1 —` in 四号 at the bottom, outside edge: right on odd pages, left on even
  ones, one character in from the edge (a PAGE field in each footer).
- Tables in 仿宋 四号 (小四 when wide), centered, the header row repeated on every page and
  in 黑体, rows not split across pages, column widths from the widest text of each column.

The 信息简报 form adds a red masthead (its name, `第N期`, the compiling office and the date
above a red rule) and a distribution block (报、送、发) at the end (`masthead`, `distribution`).

`save` writes the document through `files.write_atomic`. Document properties carry the
document's date, not the clock.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import math
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Emu, Mm, Pt, RGBColor

from ..reports.common import cn_date
from .files import write_atomic

# ------------------------------------------------------------ the standard's figures

PAGE_WIDTH = Mm(210)
PAGE_HEIGHT = Mm(297)
MARGIN_TOP = Mm(37)
MARGIN_BOTTOM = Mm(35)
MARGIN_LEFT = Mm(28)
MARGIN_RIGHT = Mm(26)
LINES_PER_PAGE = 22
CHARS_PER_LINE = 28
TEXT_WIDTH = PAGE_WIDTH - MARGIN_LEFT - MARGIN_RIGHT  # 156 mm
TEXT_HEIGHT = PAGE_HEIGHT - MARGIN_TOP - MARGIN_BOTTOM  # 225 mm
#: One line of the grid: 225 mm / 22 = 28.99 pt, rounded down to a twentieth of a point
#: (28.95 pt) so that 22 lines always fit.
LINE_PITCH = Pt(math.floor(Emu(TEXT_HEIGHT).pt / LINES_PER_PAGE * 20) / 20)
#: Spacing between the body's characters, in twentieths of a point: 16 pt characters set
#: 0.25 pt closer take 15.75 pt, and 28 of them (441 pt) fill the 156 mm (442.2 pt) line.
CHAR_SPACING = -5
#: One character of the body as set.
CHAR_PITCH = 16 + CHAR_SPACING / 20
#: Page numbers sit 7 mm under the text area.
FOOTER_DISTANCE = Mm(35 - 7 - 6)

TITLE_SIZE = Pt(22)  # 二号
BODY_SIZE = Pt(16)  # 三号
TABLE_SIZE = Pt(14)  # 四号
SMALL_TABLE_SIZE = Pt(12)  # 小四
PAGE_NUMBER_SIZE = Pt(14)  # 四号
RED = RGBColor(0xE6, 0x00, 0x12)  # the red of a 版头 / masthead

LATIN = "Times New Roman"
TITLE_FACE = "方正小标宋简体"
BODY_FACE = "仿宋_GB2312"
HEADING_FACES = {1: "黑体", 2: "楷体_GB2312", 3: BODY_FACE}
PAGE_NUMBER_FACE = "宋体"

#: What a machine without a face falls back to: (a common alternative, its family, its pitch).
#: `roman` faces are served by a serif (Noto Serif CJK here), `swiss` by a sans (Noto Sans CJK).
FONT_FALLBACKS = {
    TITLE_FACE: ("宋体", "roman"),
    BODY_FACE: ("仿宋", "roman"),
    "楷体_GB2312": ("楷体", "roman"),
    "黑体": ("SimHei", "swiss"),
    "宋体": ("SimSun", "roman"),
}


def attachment_label(number: int, count: int) -> str:
    """How the body and the attachment's page name attachment `number` of `count`: 附件 or 附件N."""
    return "附件" if count == 1 else f"附件{number}"


def char_width(text: str) -> float:
    """Width of a text in characters of the grid: a Chinese character (or one of the quotation marks and other
    characters of ambiguous width, which a Chinese face draws full width) is 1, a Latin letter or figure ½."""
    return sum(1.0 if unicodedata.east_asian_width(ch) in "WFA" else 0.5 for ch in text)


#: Title characters (22 pt) to a line of the 156 mm text width.
TITLE_CHARS = int(Emu(TEXT_WIDTH).pt // TITLE_SIZE.pt)
#: Where a title may break: after these characters, or before these words.
_BREAK_AFTER = "”）》、，"
_BREAK_BEFORE = ("关于", "开展", "工作", "活动", "情况", "的通报", "的报告", "考核")


def title_lines(title: str, width: float = TITLE_CHARS) -> list[str]:
    """A title as lines of at most `width` characters, broken where the meaning allows
    (after a closing quotation mark or a pause, before 关于/开展/情况…), the lines as even as
    possible (GB/T 9704 7.3.1: 词意完整，排列对称，长短适宜)."""
    if char_width(title) <= width:
        return [title]
    spots = {i for i, ch in enumerate(title, start=1) if ch in _BREAK_AFTER}
    spots |= {i for word in _BREAK_BEFORE for i in range(1, len(title)) if title.startswith(word, i)}
    spots = {i for i in spots if 0 < i < len(title) and char_width(title[:i]) <= width}
    half = char_width(title) / 2
    if spots:
        cut = min(spots, key=lambda i: (char_width(title[i:]) > width, abs(char_width(title[:i]) - half)))
    else:
        cut = next(i for i in range(len(title), 0, -1) if char_width(title[:i]) <= max(half, 1))
    return [title[:cut], *title_lines(title[cut:], width)]


@dataclass(frozen=True)
class TableColumn:
    """A column of a document table: its header, and whether its figures align right."""

    header: str
    numeric: bool = False


# ------------------------------------------------------------ the document


class OfficialDocument:
    """A 公文 being built, top to bottom. Build, then `save`.

    `title`: the document's title (also its property); `date`: the 成文日期, also stamped
    as the document's created/modified time.
    """

    def __init__(self, title: str, date: dt.date):
        self.title_text = title
        self.date = date
        self.doc = Document()
        self._setup_page()
        self._setup_styles()
        self._setup_fonts()
        self._page_numbers()
        props = self.doc.core_properties
        when = dt.datetime(date.year, date.month, date.day)
        props.title = title
        props.author = props.last_modified_by = "shuangzheng"
        props.created = props.modified = when
        props.revision = 1
        body = self.doc.element.body
        for p in list(body.iterchildren(qn("w:p"))):  # the template's empty first paragraph
            body.remove(p)

    # ---------------------------------------------------------- page, styles, fonts

    def _setup_page(self) -> None:
        section = self.doc.sections[0]
        section.orientation = WD_ORIENT.PORTRAIT
        section.page_width, section.page_height = PAGE_WIDTH, PAGE_HEIGHT
        section.top_margin, section.bottom_margin = MARGIN_TOP, MARGIN_BOTTOM
        section.left_margin, section.right_margin = MARGIN_LEFT, MARGIN_RIGHT
        section.header_distance = Mm(15)
        section.footer_distance = FOOTER_DISTANCE
        grid = section._sectPr.find(qn("w:docGrid"))
        if grid is None:
            grid = OxmlElement("w:docGrid")
            section._sectPr.append(grid)
        # lines snap to a grid of 22; the 28 characters come from the body's character
        # spacing (`CHAR_SPACING`), which Word, WPS and LibreOffice all honour alike
        # (LibreOffice draws Word's `linesAndChars` grid with a negative charSpace twice too wide)
        grid.set(qn("w:type"), "lines")
        grid.set(qn("w:linePitch"), str(round(LINE_PITCH.pt * 20)))
        grid.attrib.pop(qn("w:charSpace"), None)

    def _setup_styles(self) -> None:
        normal = self.doc.styles["Normal"]
        rpr = normal.element.get_or_add_rPr()
        _set_font(rpr, BODY_FACE, BODY_SIZE)
        spacing = OxmlElement("w:spacing")
        spacing.set(qn("w:val"), str(CHAR_SPACING))
        rpr.append(spacing)
        _order_rpr(rpr)
        fmt = normal.paragraph_format
        fmt.line_spacing = LINE_PITCH
        fmt.space_before = fmt.space_after = Pt(0)
        fmt.widow_control = False
        # the template's document defaults name Latin faces only: name the east-Asian one too
        defaults = self.doc.styles.element.find(qn("w:docDefaults"))
        if defaults is not None:
            rpr = defaults.find(qn("w:rPrDefault") + "/" + qn("w:rPr"))
            if rpr is not None:
                _set_font(rpr, BODY_FACE, BODY_SIZE)
        for name in ("Header", "Footer"):
            with contextlib.suppress(KeyError):
                _set_font(self.doc.styles[name].element.get_or_add_rPr(), PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE)

    def _setup_fonts(self) -> None:
        """Declare each Chinese face in the font table with its alternative and family."""
        part = self.doc.part
        fonts = None
        for rel in part.rels.values():
            if rel.reltype.endswith("/fontTable"):
                fonts = rel.target_part
        if fonts is None:
            return
        from docx.oxml import parse_xml

        root = parse_xml(fonts.blob)
        known = {f.get(qn("w:name")) for f in root.iterchildren(qn("w:font"))}
        for face, (alt, family) in {**FONT_FALLBACKS, LATIN: ("Times", "roman")}.items():
            if face in known:
                continue
            font = OxmlElement("w:font")
            font.set(qn("w:name"), face)
            for tag, value in (("w:altName", alt), ("w:charset", "86" if face != LATIN else "00"),
                               ("w:family", family), ("w:pitch", "variable")):
                child = OxmlElement(tag)
                child.set(qn("w:val"), value)
                font.append(child)
            root.append(font)
        from lxml import etree

        fonts._blob = etree.tostring(root, xml_declaration=True, encoding="UTF-8", standalone=True)

    def _page_numbers(self) -> None:
        """`— N —` in 四号 宋体: odd pages at the right, even pages at the left, one character in."""
        self.doc.settings.odd_and_even_pages_header_footer = True
        section = self.doc.sections[0]
        for footer, align in ((section.footer, WD_ALIGN_PARAGRAPH.RIGHT), (section.even_page_footer, WD_ALIGN_PARAGRAPH.LEFT)):
            footer.is_linked_to_previous = False
            p = footer.paragraphs[0]
            p.alignment = align
            fmt = p.paragraph_format
            fmt.line_spacing = 1.0
            if align == WD_ALIGN_PARAGRAPH.RIGHT:
                fmt.right_indent = Pt(PAGE_NUMBER_SIZE.pt)
            else:
                fmt.left_indent = Pt(PAGE_NUMBER_SIZE.pt)
            self._run(p, "— ", PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FACE)
            _page_field(p, self._run(p, "", PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FACE))
            self._run(p, " —", PAGE_NUMBER_FACE, PAGE_NUMBER_SIZE, latin=PAGE_NUMBER_FACE)

    # ---------------------------------------------------------- building blocks

    @staticmethod
    def _run(paragraph: Any, text: str, face: str, size: Pt, *, bold: bool = False, color: RGBColor | None = None,
             latin: str = LATIN) -> Any:
        run = paragraph.add_run(text)
        _set_font(run._element.get_or_add_rPr(), face, size, latin=latin)
        if bold:
            run.bold = True
        if color is not None:
            run.font.color.rgb = color
        return run

    def _paragraph(self, *, align: WD_ALIGN_PARAGRAPH | None = WD_ALIGN_PARAGRAPH.JUSTIFY, indent: float = 2,
                   line: Pt | None = None) -> Any:
        p = self.doc.add_paragraph()
        if align is not None:
            p.alignment = align
        if indent:
            p.paragraph_format.first_line_indent = Pt(indent * BODY_SIZE.pt)
            _chars_indent(p, first_line=indent)
        if line is not None:
            p.paragraph_format.line_spacing = line
        return p

    def blank(self, lines: int = 1) -> None:
        """Empty lines of the grid."""
        for _ in range(lines):
            self._paragraph(indent=0)

    def title(self, text: str | None = None) -> None:
        """The title (标题): 二号 方正小标宋简体, centered, one empty line under it.

        A title longer than a line is broken where the meaning allows, into lines of similar
        length (`title_lines`); a `\n` in `text` breaks there instead.
        """
        text = text or self.title_text
        lines = text.split("\n") if "\n" in text else title_lines(text)
        for line in lines:
            p = self._paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, line=LINE_PITCH)
            _no_grid(p)  # a 22 pt line would take two lines of the grid
            p.paragraph_format.keep_with_next = True
            self._run(p, line, TITLE_FACE, TITLE_SIZE)
        self.blank()

    def addressee(self, text: str) -> None:
        """主送机关: flush left, ending with a full-width colon."""
        p = self._paragraph(indent=0)
        self._run(p, text if text.endswith("：") else text + "：", BODY_FACE, BODY_SIZE)

    def paragraph(self, text: str, *, indent: float = 2, center: bool = False, keep: bool = False) -> None:
        """A body paragraph: 三号 仿宋_GB2312, justified, the first line indented two characters.

        `center`: centered, not indented; `keep`: on the same page as what follows (a table).
        """
        p = self._paragraph(align=WD_ALIGN_PARAGRAPH.CENTER if center else WD_ALIGN_PARAGRAPH.JUSTIFY,
                            indent=0 if center else indent)
        p.paragraph_format.keep_with_next = keep or None
        self._run(p, text, BODY_FACE, BODY_SIZE)

    def heading(self, level: int, text: str, after: str = "") -> None:
        """A heading with its ordinal in `text` (`一、总体情况`, `（一）…`, `1.…`).

        Level 1 in 黑体, level 2 in 楷体_GB2312, level 3 in 仿宋 bold; indented two characters
        like the body. `after`: body text that continues on the same line (as is usual for
        `（一）` and `1.` headings), in the body face.
        """
        p = self._paragraph()
        if not after:
            p.paragraph_format.keep_with_next = True  # a heading is not left alone at a page's foot
        self._run(p, text, HEADING_FACES[level], BODY_SIZE, bold=level == 3)
        if after:
            self._run(p, after, BODY_FACE, BODY_SIZE)

    def table(self, columns: Sequence[TableColumn], rows: Sequence[Sequence[Any]], *, size: Pt | None = None) -> None:
        """A table in 仿宋 (四号, or 小四 when its text does not fit on one line of each cell in
        四号): centered, header row repeated on each page.

        `rows`: one value per column (None shows empty; numbers as written by `format_cell`).
        Column widths follow the widest text of each column, long text columns wrap.
        """
        texts = [[format_cell(v) for v in row] for row in rows]
        headers = [c.header for c in columns]
        if size is None:
            natural = sum(_natural_width(h, [r[i] for r in texts]) for i, h in enumerate(headers))
            size = TABLE_SIZE if natural * TABLE_SIZE.pt <= Emu(TEXT_WIDTH).pt else SMALL_TABLE_SIZE
        widths = column_widths(headers, texts, size)
        # figures at the right; a column of short words (颜色, 方式) centered; other text at the left
        aligns = [
            WD_ALIGN_PARAGRAPH.RIGHT if c.numeric
            else WD_ALIGN_PARAGRAPH.CENTER if all(char_width(r[i]) <= 3 for r in texts)
            else WD_ALIGN_PARAGRAPH.LEFT
            for i, c in enumerate(columns)
        ]
        table = self.doc.add_table(rows=1 + len(texts), cols=len(columns))
        table.style = self.doc.styles["Table Grid"]
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        table.autofit = False
        _fixed_layout(table)
        for i, width in enumerate(widths):
            table.columns[i].width = width
        for r, values in enumerate([headers, *texts]):
            row = table.rows[r]
            _row_flags(row, header=r == 0)
            for i, text in enumerate(values):
                cell = row.cells[i]
                cell.width = widths[i]
                _cell_margins(cell)
                cell.vertical_alignment = 1  # center
                p = cell.paragraphs[0]
                p.paragraph_format.first_line_indent = Pt(0)
                p.paragraph_format.line_spacing = Pt(round(size.pt * 1.4))
                _no_grid(p)
                if r == 0:
                    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                    self._run(p, text, "黑体", size)
                else:
                    p.alignment = aligns[i]
                    for k, line in enumerate(text.split("\n")):
                        run = self._run(p, line, BODY_FACE, size)
                        if k:
                            run._element.addprevious(_break())
        self._paragraph(indent=0, line=Pt(12))  # a table is followed by a paragraph; keep it small

    def attachment_note(self, titles: Sequence[str]) -> None:
        """附件说明 under the body, two characters in: `附件：名称`, or `附件：1. …` with the
        further items aligned under the first when there are several."""
        if not titles:
            return
        self.blank()
        for i, title in enumerate(titles, start=1):
            p = self._paragraph(indent=2 if i == 1 else 0)
            if len(titles) == 1:
                self._run(p, f"附件：{title}", BODY_FACE, BODY_SIZE)
                continue
            if i > 1:
                p.paragraph_format.left_indent = Pt(5 * CHAR_PITCH)
            self._run(p, f"{'附件：' if i == 1 else ''}{i}. {title}", BODY_FACE, BODY_SIZE)

    def signature(self, issuer: str, date: dt.date | None = None) -> None:
        """发文机关署名 and 成文日期, right-aligned (GB/T 9704 7.3.5.2, without a seal).

        The signature stands two characters from the right; the date's first character is two
        characters right of the signature's, unless the date is the longer, then the date
        stands two characters from the right and the signature moves right.
        """
        date_text = cn_date(date or self.date)
        name, when = char_width(issuer), char_width(date_text)
        if name - when >= 2:
            name_right, date_right = 2.0, name - when
        else:
            date_right = 2.0
            name_right = max(0.0, 4 + when - name)
        self.blank()
        for text, right in ((issuer, name_right), (date_text, date_right)):
            p = self._paragraph(align=WD_ALIGN_PARAGRAPH.RIGHT, indent=0)
            p.paragraph_format.right_indent = Pt(right * CHAR_PITCH)
            self._run(p, text, BODY_FACE, BODY_SIZE)

    def attachment(self, label: str, title: str) -> None:
        """Start an attachment on a new page: its `label` (`附件`, or `附件2` when there are
        several; see `attachment_label`) in 黑体 at the top left, then its title."""
        p = self._paragraph(indent=0)
        p.paragraph_format.page_break_before = True
        self._run(p, label, "黑体", BODY_SIZE)
        self.blank()
        self.title(title)

    # ---------------------------------------------------------- the 信息简报 form

    def masthead(self, name: str, number: str, compiler: str, date: dt.date) -> None:
        """The 简报's head: its name in red, `第N期`, the compiling office (left) and date (right), a red rule."""
        p = self._paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=0, line=Pt(60))
        p.paragraph_format.space_before = Pt(12)
        self._run(p, name, TITLE_FACE, Pt(42), color=RED)
        p = self._paragraph(align=WD_ALIGN_PARAGRAPH.CENTER, indent=0)
        self._run(p, number, BODY_FACE, BODY_SIZE)
        self.blank()
        p = self._paragraph(align=WD_ALIGN_PARAGRAPH.LEFT, indent=0)
        _tab_right(p, TEXT_WIDTH)
        self._run(p, compiler, BODY_FACE, BODY_SIZE)
        self._run(p, "\t" + cn_date(date), BODY_FACE, BODY_SIZE)
        _border(p, "bottom", color="E60012", size=18, space=4)
        self.blank()

    def distribution(self, lines: Sequence[tuple[str, str]]) -> None:
        """The distribution block at the end (报：…、送：…、发：…), between two rules, in 仿宋 四号."""
        lines = [(label, text) for label, text in lines if text]
        if not lines:
            return
        self.blank()
        for i, (label, text) in enumerate(lines):
            p = self._paragraph(align=WD_ALIGN_PARAGRAPH.JUSTIFY, indent=0, line=Pt(22))
            p.paragraph_format.left_indent = Pt(TABLE_SIZE.pt)
            p.paragraph_format.right_indent = Pt(TABLE_SIZE.pt)
            _no_grid(p)
            self._run(p, f"{label}：{text}", BODY_FACE, TABLE_SIZE)
            if i == 0:
                _border(p, "top", size=8, space=4)
            if i == len(lines) - 1:
                _border(p, "bottom", size=8, space=4)

    # ---------------------------------------------------------- saving

    def to_bytes(self) -> bytes:
        buf = io.BytesIO()
        self.doc.save(buf)
        return buf.getvalue()

    def save(self, path: Path, *, force: bool) -> None:
        """Write the .docx atomically (`files.write_atomic`); an existing file only with `force`."""
        write_atomic(Path(path), self.to_bytes(), force=force)


# ------------------------------------------------------------ tables: widths and cells


def format_cell(value: Any) -> str:
    """A table cell's text: figures as people write them (3, 2.5, 85.25), dates ISO, None empty."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else f"{value:.2f}".rstrip("0").rstrip(".")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value)


def _natural_width(header: str, cells: Sequence[str]) -> float:
    """Characters a column wants: its widest cell on one line, its header whole up to 4
    characters and on at most two lines beyond, plus one for the cell's margins."""
    lines = [char_width(line) for text in cells for line in text.split("\n")]
    widest = max(lines or [0.5])
    head = char_width(header)
    return max(widest, min(head, max(4, math.ceil(head / 2)))) + 1


def column_widths(headers: Sequence[str], rows: Sequence[Sequence[str]], size: Pt) -> list[Emu]:
    """Widths (EMU) summing to the text width, from each column's widest text (`_natural_width`).

    When everything fits, each column grows in proportion. Otherwise a short column (up to
    `WHOLE` characters: a date, a count, an activity) keeps its text on one line, a longer
    one starts from `START` characters, and what is left goes to the longer columns in
    proportion to how much more they want, so long text gets the room.
    """
    total = Emu(TEXT_WIDTH).pt / size.pt  # characters of `size` per line
    want = [_natural_width(h, [r[i] for r in rows]) for i, h in enumerate(headers)]
    if sum(want) <= total:
        got = [w * total / sum(want) for w in want]
    else:
        least = [w if w <= WHOLE else START for w in want]
        if sum(least) >= total:
            got = [lo * total / sum(least) for lo in least]
        else:
            more = [w - lo for w, lo in zip(want, least, strict=True)]
            spare = total - sum(least)
            got = [lo + spare * m / sum(more) for lo, m in zip(least, more, strict=True)]
    return [Emu(int(Pt(g * size.pt))) for g in got]


#: Characters (with the cell's margins) a column keeps whole before long text takes the room
#: (an activity label such as `2.我为霸州添光彩` is 9), and where a longer column starts.
WHOLE = 9.5
START = 5.0


# ------------------------------------------------------------ XML details python-docx leaves to us


def _set_font(rpr: Any, face: str, size: Pt, *, latin: str = LATIN) -> None:
    """Name the Latin and east-Asian faces of a run (or a style) and its size."""
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    fonts.set(qn("w:ascii"), latin)
    fonts.set(qn("w:hAnsi"), latin)
    fonts.set(qn("w:cs"), latin)
    fonts.set(qn("w:eastAsia"), face)
    fonts.set(qn("w:hint"), "eastAsia")
    half_points = str(round(size.pt * 2))
    for tag in ("w:sz", "w:szCs"):
        el = rpr.find(qn(tag))
        if el is None:
            el = OxmlElement(tag)
            rpr.append(el)
        el.set(qn("w:val"), half_points)
    lang = rpr.find(qn("w:lang"))
    if lang is None:
        lang = OxmlElement("w:lang")
        rpr.append(lang)
    lang.set(qn("w:eastAsia"), "zh-CN")
    _order_rpr(rpr)


#: The order CT_RPr's children must keep (a subset).
_RPR_ORDER = [qn(t) for t in (
    "w:rStyle", "w:rFonts", "w:b", "w:bCs", "w:i", "w:iCs", "w:caps", "w:smallCaps", "w:strike", "w:dstrike",
    "w:outline", "w:shadow", "w:emboss", "w:imprint", "w:noProof", "w:snapToGrid", "w:vanish", "w:webHidden",
    "w:color", "w:spacing", "w:w", "w:kern", "w:position", "w:sz", "w:szCs", "w:highlight", "w:u", "w:effect",
    "w:bdr", "w:shd", "w:fitText", "w:vertAlign", "w:rtl", "w:cs", "w:em", "w:lang", "w:eastAsianLayout",
    "w:specVanish", "w:oMath",
)]


def _order_rpr(rpr: Any) -> None:
    rank = {tag: i for i, tag in enumerate(_RPR_ORDER)}
    children = list(rpr)
    children.sort(key=lambda el: rank.get(el.tag, len(rank)))
    for el in children:
        rpr.append(el)


def _chars_indent(paragraph: Any, *, first_line: float) -> None:
    """The first-line indent in characters too (`w:firstLineChars`), which Word and WPS prefer."""
    ind = paragraph._p.get_or_add_pPr().find(qn("w:ind"))
    if ind is not None:
        ind.set(qn("w:firstLineChars"), str(round(first_line * 100)))


def _page_field(paragraph: Any, run: Any) -> None:
    """A PAGE field in the run's place: begin, instruction, separate, a shown `1`, end."""
    r = run._element
    parts = []
    for kind in ("begin", "instr", "separate", "text", "end"):
        new = OxmlElement("w:r")
        rpr = r.find(qn("w:rPr"))
        if rpr is not None:
            from copy import deepcopy

            new.append(deepcopy(rpr))
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = " PAGE "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        new.append(el)
        parts.append(new)
    for new in parts:
        r.addprevious(new)
    r.getparent().remove(r)


def _break() -> Any:
    return OxmlElement("w:br")


def _row_flags(row: Any, *, header: bool) -> None:
    """Rows are not split across pages; the first row repeats at the top of each page."""
    trpr = row._tr.get_or_add_trPr()
    trpr.append(OxmlElement("w:cantSplit"))
    if header:
        el = OxmlElement("w:tblHeader")
        el.set(qn("w:val"), "true")
        trpr.append(el)


def _fixed_layout(table: Any) -> None:
    tblpr = table._tbl.tblPr
    layout = OxmlElement("w:tblLayout")
    layout.set(qn("w:type"), "fixed")
    tblpr.append(layout)


def _cell_margins(cell: Any) -> None:
    tcpr = cell._tc.get_or_add_tcPr()
    mar = OxmlElement("w:tcMar")
    for side in ("left", "right"):
        el = OxmlElement(f"w:{side}")
        el.set(qn("w:w"), "57")  # 1 mm
        el.set(qn("w:type"), "dxa")
        mar.append(el)
    tcpr.append(mar)


def _no_grid(paragraph: Any) -> None:
    """Lines of this paragraph do not snap to the document grid (tables, the distribution block)."""
    el = OxmlElement("w:snapToGrid")
    el.set(qn("w:val"), "0")
    _insert_ppr(paragraph._p.get_or_add_pPr(), el)


def _border(paragraph: Any, side: str, *, color: str = "000000", size: int = 8, space: int = 1) -> None:
    """A rule above or under a paragraph: `size` in eighths of a point, `space` in points."""
    ppr = paragraph._p.get_or_add_pPr()
    bdr = ppr.find(qn("w:pBdr"))
    if bdr is None:
        bdr = OxmlElement("w:pBdr")
        _insert_ppr(ppr, bdr)
    el = OxmlElement(f"w:{side}")
    el.set(qn("w:val"), "single")
    el.set(qn("w:sz"), str(size))
    el.set(qn("w:space"), str(space))
    el.set(qn("w:color"), color)
    bdr.append(el)


def _tab_right(paragraph: Any, position: Emu) -> None:
    tabs = OxmlElement("w:tabs")
    tab = OxmlElement("w:tab")
    tab.set(qn("w:val"), "right")
    tab.set(qn("w:pos"), str(math.floor(Emu(position).pt * 20)))
    tabs.append(tab)
    _insert_ppr(paragraph._p.get_or_add_pPr(), tabs)


#: The order CT_PPr's children must keep (a subset).
_PPR_ORDER = [qn(t) for t in (
    "w:pStyle", "w:keepNext", "w:keepLines", "w:pageBreakBefore", "w:framePr", "w:widowControl", "w:numPr",
    "w:suppressLineNumbers", "w:pBdr", "w:shd", "w:tabs", "w:suppressAutoHyphens", "w:kinsoku", "w:wordWrap",
    "w:overflowPunct", "w:topLinePunct", "w:autoSpaceDE", "w:autoSpaceDN", "w:bidi", "w:adjustRightInd",
    "w:snapToGrid", "w:spacing", "w:ind", "w:contextualSpacing", "w:mirrorIndents", "w:suppressOverlap", "w:jc",
    "w:textDirection", "w:textAlignment", "w:textboxTightWrap", "w:outlineLvl", "w:divId", "w:cnfStyle",
    "w:rPr", "w:sectPr", "w:pPrChange",
)]


def _insert_ppr(ppr: Any, child: Any) -> None:
    ppr.append(child)
    rank = {tag: i for i, tag in enumerate(_PPR_ORDER)}
    for el in sorted(ppr, key=lambda e: rank.get(e.tag, len(rank))):
        ppr.append(el)
