"""Output: one renderer per format (table, json, csv, md), used by every command that prints rows.

rich is imported only when a table is drawn. Every color cell carries its Chinese
name, so piped or `NO_COLOR` output still says 红/黄/蓝/绿; on a terminal the cell is
also colored.
"""

from __future__ import annotations

import csv
import io
import json
import os
import sys
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from ..ledger.format import COLOR_NAMES, NOT_STARTED, NOT_STARTED_NAME

FORMATS = ("table", "json", "csv", "md")
MD_SQUARES = {"red": "🟥", "yellow": "🟨", "blue": "🟦", "green": "🟩", NOT_STARTED: "⬜"}
TERMINAL_STYLES = {
    "red": "bold white on red",
    "yellow": "bold black on yellow",
    "blue": "bold white on blue",
    "green": "bold white on green",
    NOT_STARTED: "dim",
}


@dataclass(frozen=True)
class Column:
    key: str
    header: str
    color: bool = False  # the value is a color key: show its name, colored
    justify: str = "left"
    max_width: int | None = None
    min_width: int | None = None
    no_wrap: bool = False  # ids and dates stay on one line


def color_name(color: str | None) -> str:
    if color is None or color == NOT_STARTED:
        return NOT_STARTED_NAME
    return COLOR_NAMES.get(color, color)


def display_width(text: str) -> int:
    """Columns a text takes in a terminal or a spreadsheet: a wide (CJK) character counts 2."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


def to_json(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, indent=2, default=_json_default)


def _json_default(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, set | frozenset | tuple):
        return list(value)
    raise TypeError(type(value).__name__)


def _cell_text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list | tuple):
        return "；".join(_cell_text(v) for v in value)
    if isinstance(value, dict):
        return "；".join(f"{k}={_cell_text(v)}" for k, v in value.items())
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return str(value)


def rows_to_csv(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    writer.writerow([c.header for c in columns])
    for row in rows:
        writer.writerow(
            [color_name(row.get(c.key)) if c.color else _cell_text(row.get(c.key)) for c in columns]
        )
    return buf.getvalue()


def _md_escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", "<br>")


def rows_to_markdown(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str | None = None) -> str:
    out = []
    if title:
        out += [f"### {title}", ""]
    out.append("| " + " | ".join(c.header for c in columns) + " |")
    out.append("| " + " | ".join("---:" if c.justify == "right" else "---" for c in columns) + " |")
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.key)
            if c.color:
                cells.append(f"{MD_SQUARES.get(value or NOT_STARTED, '')}{color_name(value)}")
            else:
                cells.append(_md_escape(_cell_text(value)))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


class Output:
    """Where a command prints: stdout for results, stderr for messages."""

    def __init__(self, ascii_borders: bool = False):
        self.ascii_borders = ascii_borders
        self._console = None
        self._err = None

    @property
    def console(self):  # noqa: ANN201 - rich is imported lazily
        if self._console is None:
            self._console = _make_console(sys.stdout)
        return self._console

    @property
    def err(self):  # noqa: ANN201
        if self._err is None:
            self._err = _make_console(sys.stderr)
        return self._err

    def text(self, text: str) -> None:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
        sys.stdout.flush()

    def message(self, text: str) -> None:
        """A line for people, on stderr (so pipes carry only results)."""
        sys.stderr.write(text + "\n")
        sys.stderr.flush()

    def table(
        self,
        rows: Sequence[dict[str, Any]],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        caption: str | None = None,
        fmt: str = "table",
        data: Any = None,
    ) -> None:
        """Print rows in the requested format; `data` replaces the rows for JSON when given."""
        if fmt == "json":
            self.text(to_json(data if data is not None else list(rows)))
        elif fmt == "csv":
            sys.stdout.write(rows_to_csv(rows, columns))
        elif fmt == "md":
            self.text(rows_to_markdown(rows, columns, title))
            if caption:
                self.text(caption)
        else:
            self.console.print(self.rich_table(rows, columns, title=title))
            if caption:
                self.console.print(caption)

    def rich_table(self, rows, columns, *, title=None, caption=None):  # noqa: ANN001, ANN201
        from rich import box
        from rich.table import Table
        from rich.text import Text

        table = Table(
            title=title,
            caption=caption,
            box=box.ASCII if self.ascii_borders else box.SQUARE,
            show_lines=False,
            title_justify="left",
            caption_justify="left",
        )
        for c in columns:
            table.add_column(
                c.header,
                justify=c.justify,
                max_width=c.max_width,
                min_width=c.min_width,
                no_wrap=c.no_wrap,
                overflow="ellipsis" if c.no_wrap else "fold",
            )
        for row in rows:
            cells = []
            for c in columns:
                value = row.get(c.key)
                if c.color:
                    cells.append(color_text(value))
                else:
                    cells.append(Text(_cell_text(value)))
            table.add_row(*cells)
        return table


def color_text(color: str | None, label: str | None = None):  # noqa: ANN201
    """A rich Text for a color: its Chinese name, styled on terminals that show color."""
    from rich.text import Text

    key = color or NOT_STARTED
    return Text(f" {label or color_name(color)} ", style=TERMINAL_STYLES.get(key, ""))


def _make_console(stream):  # noqa: ANN001, ANN201
    from rich.console import Console

    is_tty = stream.isatty()
    width = None
    if not is_tty:
        width = int(os.environ.get("COLUMNS", "0") or 0) or 160
    return Console(
        file=stream,
        width=width,
        no_color=bool(os.environ.get("NO_COLOR")) or None,
        highlight=False,
        soft_wrap=False,
        emoji=False,
    )
