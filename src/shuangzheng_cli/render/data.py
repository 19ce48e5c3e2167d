"""JSON and CSV: data for other programs, and CSV that Excel and WPS open safely.

A CSV cell is text a spreadsheet may evaluate: a value that begins with `=`, `+`, `-`, `@`,
a tab or a carriage return would become a formula (CSV injection). Such a text value is
written with a leading `'` (the spreadsheet convention for "this is text"; Excel and WPS
show the value without it, other programs see the `'`). Numbers are written as numbers,
so a negative figure stays a number.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from .text import color_name, plain, value_text

if TYPE_CHECKING:
    from .tables import Column

#: Text starting with one of these is a formula in a spreadsheet (or becomes one when a person edits it).
FORMULA_LEAD = ("=", "+", "-", "@", "\t", "\r")


def to_json(data: Any) -> str:  # noqa: ANN401 - any JSON-able data
    """Indented JSON, Chinese kept as is; dates as YYYY-MM-DD, sets and tuples as lists."""
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:  # noqa: ANN401
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(type(value).__name__)


def csv_cell(value: Any) -> Any:  # noqa: ANN401 - a cell value
    """A value for a CSV cell: numbers as they are, text that a spreadsheet would evaluate with a leading `'`,
    line breaks as LF (inside a quoted cell)."""
    if value is None:
        return ""
    if isinstance(value, bool) or not isinstance(value, int | float):
        text = value_text(value)
        # plain: a lone CR becomes a line feed, so the csv module quotes the cell and the row holds
        return ("'" if text.startswith(FORMULA_LEAD) else "") + plain(text)
    return value


def csv_text(header: Sequence[str], rows: Iterable[Sequence[Any]]) -> str:
    """Comma-separated lines (LF), header first, every cell through `csv_cell`."""
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([csv_cell(h) for h in header])
    writer.writerows([csv_cell(v) for v in row] for row in rows)
    return buf.getvalue()


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    """Rows as CSV under the columns' headers; a color column holds the color's name."""
    return csv_text(
        [c.header for c in columns],
        ([color_name(row.get(c.key)) if c.color else _figure(row.get(c.key)) for c in columns] for row in rows),
    )


def _figure(value: Any) -> Any:  # noqa: ANN401
    """3.0 as 3 in listings (the score's detail keeps its decimals)."""
    return int(value) if isinstance(value, float) and value.is_integer() else value
