"""How data reads as text in every format: colors, labels, figures, and the one rule that
makes a data string safe to print (`plain`).

Everything here is plain Python (no rich, no openpyxl), so the fast start-up path and the
Python API use it without loading a renderer.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from typing import TYPE_CHECKING, Any

from ..ledger.format import COLOR_NAMES, NOT_STARTED, NOT_STARTED_NAME

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

#: The squares Markdown shows before a color's name (🟥红).
MD_SQUARES = {"red": "🟥", "yellow": "🟨", "blue": "🟦", "green": "🟩", NOT_STARTED: "⬜"}

# ------------------------------------------------------------ data as plain text (issue 16: data is never control)

#: What a terminal would obey in data: C0 controls but tab and line feed, DEL, the C1 controls
#: (0x9B is CSI, 0x9D OSC), and the bidi embeddings, overrides and isolates that reorder a line.
CONTROL_RE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069]")
_LINE_BREAKS = re.compile("\r\n?")


def _visible(match: re.Match[str]) -> str:
    return f"\\u{ord(match.group()):04x}"


def plain(text: str) -> str:
    """`text` as plain text for any output: CR/LF and lone CR become a line feed, and every
    control character or bidi override is shown as its escape (`\\u001b`), never obeyed.

    The escape is also a JSON escape, so JSON output keeps the data's meaning while the
    terminal shows it harmlessly.
    """
    if "\r" in text:
        text = _LINE_BREAKS.sub("\n", text)
    return CONTROL_RE.sub(_visible, text)


def one_line(text: str) -> str:
    """Text on one line, runs of white space (line breaks included) as one space."""
    return " ".join(plain(text).split())


# ------------------------------------------------------------ colors and widths


def color_name(color: str | None) -> str:
    """红/黄/蓝/绿, or 未开始 for a cell with nothing due."""
    if color is None or color == NOT_STARTED:
        return NOT_STARTED_NAME
    return COLOR_NAMES.get(color, color)


def color_md(color: str | None) -> str:
    """A color as Markdown shows it: the square and the name (🟥红)."""
    return f"{MD_SQUARES.get(color or NOT_STARTED, '')}{color_name(color)}"


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or a spreadsheet: a wide (CJK) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def value_text(value: Any) -> str:  # noqa: ANN401 - any cell value
    """A cell value as text: lists joined with ；, 3.0 as 3, dates as YYYY-MM-DD, None as empty."""
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(value_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={value_text(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


# ------------------------------------------------------------ labels every report uses


def activity_label(catalog: Catalog, number: int) -> str:
    """`6.文明交通`: the activity's number and short name."""
    return f"{number}.{catalog.short(number)}"


def short_unit(catalog: Catalog, unit: str) -> str:
    """A unit's name for a narrow column: without the leading 市/市委 where that stays clear."""
    name = catalog.name(unit)
    if unit in catalog.groups:
        return name
    for prefix in ("市委", "市"):
        if name.startswith(prefix) and len(name) > len(prefix) + 1:
            return name[len(prefix):]
    return name


def category_label(catalog: Catalog, number: int, short: bool = False) -> str:
    """`1. 严谨严实推进文明教育`; short: `1. 文明教育` (the words after 推进), for narrow terminals."""
    name = catalog.categories[number].name
    if short and "推进" in name and name.rsplit("推进", 1)[1]:
        name = name.rsplit("推进", 1)[1]
    return f"{number}. {name}"


def metrics_text(metrics: dict[str, float]) -> str:
    """`场次 3，参与人数 120`."""
    from ..reports.common import num

    return "，".join(f"{k} {num(v)}" for k, v in metrics.items())


def totals_text(totals: dict[str, int]) -> str:
    """`红 2，黄 1，蓝 5，绿 0`: the colors present in `totals`, worst first."""
    return "，".join(f"{color_name(c)} {totals.get(c, 0)}" for c in ("red", "yellow", "blue", "green") if c in totals)


def listed(name: str) -> str:
    """A name inside a 、-separated list: quoted when it has a 、 of its own."""
    return f"“{name}”" if "、" in name else name


_CN_DIGITS = "零一二三四五六七八九"


def cn_number(n: int) -> str:
    """1 → 一, 12 → 十二, 23 → 二十三 (for （一） headings; n < 100)."""
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")


def half_label(start: dt.date) -> str:
    """`2022年下半年` for the half-year starting on `start`."""
    return f"{start.year}年{'上' if start.month == 1 else '下'}半年"


def month_header(day: dt.date) -> str:
    """`9月末` for a month's last day, else `11月7日`."""
    nxt = dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)
    return f"{day.month}月末" if day == nxt - dt.timedelta(days=1) else f"{day.month}月{day.day}日"
