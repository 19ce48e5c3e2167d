"""The terminal: rich tables, blocks and the battle map, and what a console can show.

rich is imported only when something is drawn. Every color cell carries its Chinese
name, so piped or `NO_COLOR` output still says 红/黄/蓝/绿; on a terminal the cell is
also colored.

Data is never control (issue 16): every string reaches rich as a `Text` after `plain`
(control characters and bidi overrides shown as `\\u001b`), and the consoles are made
with markup off, so `[/bold]` or `[link=…]` in a unit's name is shown as written.

A console that is not UTF-8 (Chinese Windows: GBK/cp936) cannot encode 🟥 and draws
`·`, `—`, `“”` two columns wide though they count one: `prepare_streams` makes stdout
and stderr write a character they cannot encode as its meaning (🟥 → 红), and in ASCII
mode (`--ascii`, or such a console) table text is folded so that every character is as
wide as the console draws it (`console_width`).
"""

from __future__ import annotations

import codecs
import contextlib
import os
import sys
import unicodedata
from collections.abc import Sequence
from typing import IO, TYPE_CHECKING, Any

from ..ledger.format import NOT_STARTED
from .text import (
    MD_SQUARES,
    category_label,
    color_name,
    display_width,
    plain,
    short_unit,
    value_text,
)

if TYPE_CHECKING:
    from ..board.rules import Board
    from ..definitions.catalog import Catalog
    from .tables import Block, Column

TERMINAL_STYLES = {
    "red": "bold white on red",
    "yellow": "bold black on yellow",
    "blue": "bold white on blue",
    "green": "bold white on green",
    NOT_STARTED: "dim",
}

# ------------------------------------------------------------ streams that are not UTF-8

#: What a character means when the stream cannot show it: the color squares are their color.
MEANINGS = {square: color_name(color) for color, square in MD_SQUARES.items()}
_ERRORS = "shuangzheng-meaning"


def _meaning(exc: UnicodeError) -> tuple[str, int]:
    """Codec error handler: each character the stream cannot encode as its meaning (🟥 → 红,
    nothing when its name follows it, as in 🟥红), anything else as `?`."""
    if not isinstance(exc, UnicodeEncodeError):
        raise exc
    text = exc.object
    out = []
    for i in range(exc.start, exc.end):
        name = MEANINGS.get(text[i])
        if name is None:
            out.append("?")
        elif not text.startswith(name, i + 1):
            out.append(name)
    return "".join(out), exc.end


def prepare_streams() -> None:
    """Make stdout and stderr write what they cannot encode as its meaning, never fail (GBK consoles)."""
    try:
        codecs.lookup_error(_ERRORS)
    except LookupError:
        codecs.register_error(_ERRORS, _meaning)
    for stream in (sys.stdout, sys.stderr):
        encoding = (getattr(stream, "encoding", None) or "utf-8").lower().replace("_", "-")
        if not encoding.startswith("utf") and hasattr(stream, "reconfigure"):
            with contextlib.suppress(ValueError, OSError):  # one that cannot be reconfigured keeps its errors
                stream.reconfigure(errors=_ERRORS)


def is_cp936(stream: Any) -> bool:  # noqa: ANN401 - a text stream
    """Does the stream write a Chinese Windows code page (GBK and relatives)?"""
    encoding = (getattr(stream, "encoding", None) or "").lower().replace("-", "").replace("_", "")
    return encoding in ("gbk", "cp936", "gb2312", "gb18030", "936", "ms936", "euccn")


#: Plain ASCII for characters a code-page-936 console draws two columns wide but a table counts one.
ASCII_FOLD = {
    "·": ".", "—": "-", "–": "-", "―": "-", "“": '"', "”": '"', "‘": "'", "’": "'",
    "…": "...", "→": "->", "←": "<-", "×": "x", "÷": "/", "±": "+-", "°": "o", "√": "v",
    "■": "#", "□": "#", "●": "*", "○": "o", "★": "*", "☆": "*", "※": "*", "№": "No.", "℃": "C",
}  # fmt: skip


def console_width(ch: str) -> int | None:
    """Columns a code-page-936 console draws `ch` in (its GBK byte count), None if GBK lacks it."""
    try:
        return len(ch.encode("gbk"))
    except UnicodeEncodeError:
        return None


def fold_cp936(text: str) -> str:
    """`text` with every character as wide in a code-page-936 console as a table counts it:
    ambiguous-width characters as ASCII (`·` → `.`), what GBK lacks as its meaning or `?`."""
    if text.isascii():
        return text
    from rich.cells import cell_len

    out = []
    for ch in text:
        if ch.isascii():
            out.append(ch)
            continue
        counted = cell_len(ch)
        drawn = console_width(ch)
        if drawn == counted:
            out.append(ch)
        elif drawn is None:
            out.append(MEANINGS.get(ch, "?" * max(counted, 1)))
        else:
            ascii_form = ASCII_FOLD.get(ch)
            if ascii_form is None:
                decomposed = unicodedata.normalize("NFKD", ch).encode("ascii", "ignore").decode()
                ascii_form = decomposed or "?"
            out.append(ascii_form)
    return "".join(out)


# ------------------------------------------------------------ output


class Output:
    """Where a command prints: stdout for results, stderr for messages; every string as plain text."""

    def __init__(self, ascii_borders: bool = False, stream: IO[str] | None = None):
        self.ascii_borders = ascii_borders
        #: where results go: stdout, or a buffer that `-o FILE` writes to a file
        self.stream = stream
        self._console = None
        self._err = None

    @property
    def console(self):  # noqa: ANN201 - rich is imported lazily
        if self._console is None:
            self._console = _make_console(self.stream or sys.stdout)
        return self._console

    @property
    def err(self):  # noqa: ANN201
        if self._err is None:
            self._err = _make_console(sys.stderr)
        return self._err

    @property
    def ascii_mode(self) -> bool:
        """Tables for a code-page-936 console: `--ascii`, or a GBK stdout."""
        return self.ascii_borders or (self.stream is None and is_cp936(sys.stdout))

    def cell(self, text: str) -> str:
        """A data string as a table shows it: plain, and folded for a code-page-936 console in ASCII mode."""
        text = plain(text)
        return fold_cp936(text) if self.ascii_mode else text

    def styled(self, text: str, style: str = ""):  # noqa: ANN201 - a rich Text
        """A rich Text of `text` as a table shows it (never markup)."""
        from rich.text import Text

        return Text(self.cell(text), style=style)

    def text(self, text: str) -> None:
        """Results on stdout, as plain text (Markdown, JSON and CSV included)."""
        text = plain(text)
        stream = self.stream or sys.stdout
        stream.write(text if text.endswith("\n") else text + "\n")
        stream.flush()

    def message(self, text: str) -> None:
        """A line for people, on stderr (so pipes carry only results)."""
        sys.stderr.write(plain(text) + "\n")
        sys.stderr.flush()

    def print(self, item: Any = "", style: str = "") -> None:  # noqa: ANN401 - a str or a rich renderable
        """A line or a rich renderable on stdout; a string is data, never markup."""
        self.console.print(self.styled(item, style) if isinstance(item, str) else item)

    def table(
        self,
        rows: Sequence[dict[str, Any]],
        columns: Sequence[Column],
        *,
        title: str | None = None,
        caption: Any = None,  # noqa: ANN401 - a str or a rich Text
        fmt: str = "table",
        data: Any = None,  # noqa: ANN401
    ) -> None:
        """Print rows in the requested format; `data` replaces the rows for JSON when given."""
        from .data import rows_to_csv, to_json
        from .markdown import table as markdown_table

        if fmt == "json":
            self.text(to_json(data if data is not None else list(rows)))
        elif fmt == "csv":
            self.text(rows_to_csv(rows, columns))
        elif fmt == "md":
            self.text(markdown_table(rows, columns, title))
            if caption:
                self.text(str(caption))
        else:
            self.print(self.rich_table(rows, columns, title=title))
            if caption:
                self.print(caption)

    def new_table(self, title: str | None = None, caption: str | None = None):  # noqa: ANN201 - a rich Table
        """An empty rich table in this output's borders (ASCII in ASCII mode)."""
        from rich import box
        from rich.table import Table

        return Table(
            title=self.styled(title) if title else None,
            caption=self.styled(caption) if caption else None,
            box=box.ASCII if self.ascii_mode else box.SQUARE,
            show_lines=False,
            title_justify="left",
            caption_justify="left",
        )

    def rich_table(self, rows, columns, *, title=None, caption=None):  # noqa: ANN001, ANN201
        table = self.new_table(title, caption)
        for c in columns:
            table.add_column(
                self.styled(c.header),
                justify=c.justify,
                max_width=c.max_width,
                min_width=c.min_width,
                no_wrap=c.no_wrap,
                overflow="ellipsis" if c.no_wrap else "fold",
            )
        for row in rows:
            table.add_row(
                *(
                    color_text(row.get(c.key), self.cell(color_name(row.get(c.key))))
                    if c.color
                    else self.styled(value_text(row.get(c.key)))
                    for c in columns
                )
            )
        return table

    def blocks(self, items: list[Block]) -> None:
        """Blocks on the terminal: a table titled by its block, or a bold heading and its paragraph."""
        for b in items:
            if b.rows:
                if b.text:
                    self.print(b.text)
                self.print(self.rich_table(b.rows, b.columns, title=b.title))
            else:
                if b.title:
                    self.print(("\n" if b.level <= 2 else "") + b.title, style="bold")
                if b.text:
                    self.print(b.text)
                if b.rows is not None:
                    self.print(b.empty)


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
        markup=False,
    )


# ------------------------------------------------------------ the battle map


def legend_text(out: Output, board: Board):  # noqa: ANN201 - a rich Text
    """The legend for a terminal: each color's name styled as the cells are (plain text without color)."""
    from rich.text import Text

    from ..board.rules import BOARD_COLORS
    from ..ledger.format import COLOR_MEANINGS
    from .tables import legend

    console = out.console
    if console.no_color or console.color_system is None:
        return Text(legend(board))
    totals = board.totals()
    text = Text(f"合计 {len(board.cells)} 格：")
    for c in BOARD_COLORS:
        if c == NOT_STARTED and not totals[c]:
            continue
        text.append_text(color_text(c))
        text.append(f" {totals[c]}  ")
    text.rstrip()
    text.append("\n图例：")
    for i, c in enumerate(("red", "yellow", "blue", "green")):
        text.append("，" if i else "")
        text.append_text(color_text(c))
        text.append(f"{COLOR_MEANINGS[c]}")
    return text


def _grid_width(first: int, headers: list[str]) -> int:
    """Columns a bordered table needs: each column its width plus padding and a border."""
    return first + 3 + sum(max(display_width(h), 4) + 3 for h in headers) + 1


def _count(n: int, color: str):  # noqa: ANN202 - a rich Text
    """A count in its color's text color (red and yellow bold), plain when zero."""
    from rich.text import Text

    styles = {"red": "bold red", "yellow": "bold yellow", "blue": "blue", "green": "green"}
    return Text(str(n), style=styles[color] if n else "dim")


def board_matrix(out: Output, catalog: Catalog, board: Board, title: str) -> None:
    """The battle map on a terminal, in the first layout that fits its width.

    1. activities × units, one colored cell each (few units: `--unit`, `--activity`);
    2. units × activities, when the activities fit across but the units do not (`--activity 6`);
    3. one row per activity with its counts and the names of its red and yellow units.
    """
    from .tables import board_activity_rows
    from .text import activity_label

    width = out.console.width
    if not board.cells:
        out.print(title)
        out.print("没有符合条件的格子。")
        return
    units = list(dict.fromkeys(c.unit for c in board.cells))
    numbers = list(dict.fromkeys(c.activity for c in board.cells))
    categories = list(dict.fromkeys(catalog.activities[n].category for n in numbers))
    act_labels = {n: out.cell(activity_label(catalog, n)) for n in numbers}
    unit_labels = {u: out.cell(short_unit(catalog, u)) for u in units}
    dot = out.styled("·", style="dim")

    def table(first: str):  # noqa: ANN202 - a rich Table
        t = out.new_table(title)
        t.add_column(out.styled(first), no_wrap=True)
        return t

    def by_category() -> list[tuple[int, list[int]]]:
        return [(k, [n for n in numbers if catalog.activities[n].category == k]) for k in categories]

    def category(k: int, short: bool = False):  # noqa: ANN202 - a rich Text
        return out.styled(category_label(catalog, k, short), style="bold")

    first = max(display_width(x) for x in [*act_labels.values(), *(category(k).plain for k in categories)])
    if _grid_width(first, list(unit_labels.values())) <= width:
        grid = table("活动")
        for u in units:
            grid.add_column(out.styled(unit_labels[u]), justify="center", no_wrap=True)
        for k, members in by_category():
            grid.add_row(category(k), *[""] * len(units))
            for i, n in enumerate(members):
                cells = [board.cell(n, u) for u in units]
                grid.add_row(
                    out.styled(act_labels[n]),
                    *[color_text(c.color) if c else dot for c in cells],
                    end_section=i == len(members) - 1,
                )
        out.print(grid)
        out.print(legend_text(out, board))
        return

    first = max(display_width(x) for x in unit_labels.values())
    if len(numbers) < len(units) and _grid_width(first, list(act_labels.values())) <= width:
        grid = table("单位")
        for n in numbers:
            grid.add_column(out.styled(act_labels[n]), justify="center", no_wrap=True)
        for u in units:
            cells = [board.cell(n, u) for n in numbers]
            grid.add_row(out.styled(unit_labels[u]), *[color_text(c.color) if c else dot for c in cells])
        out.print(grid)
        out.print(legend_text(out, board))
        return

    rows = board_activity_rows(catalog, board, sep=" ")
    narrow = width < 100
    show_worst = not narrow
    show_not_started = any(r["not_started"] for r in rows)
    compact = table("活动")
    if show_worst:
        compact.add_column(out.styled("最差"), justify="center", no_wrap=True)
    for c in ("red", "yellow", "blue", "green"):
        compact.add_column(out.styled(color_name(c)), justify="right", no_wrap=True)
    if show_not_started:
        compact.add_column(out.styled("未开始"), justify="right", no_wrap=True)
    compact.add_column(out.styled("红色单位"), ratio=3, overflow="fold")
    compact.add_column(out.styled("黄色单位"), ratio=2, overflow="fold")
    for k, _members in by_category():
        compact.add_row(category(k, short=narrow), *[""] * (len(compact.columns) - 1))
        member_rows = [r for r in rows if r["category"] == k]
        for i, row in enumerate(member_rows):
            cells: list[Any] = [out.styled(row["activity"])]
            if show_worst:
                cells.append(color_text(row["worst"]))
            cells += [_count(row[c], c) for c in ("red", "yellow", "blue", "green")]
            if show_not_started:
                cells.append(str(row["not_started"]))
            cells += [out.styled(row["red_units"]), out.styled(row["yellow_units"])]
            compact.add_row(*cells, end_section=i == len(member_rows) - 1)
    out.print(compact)
    out.print(legend_text(out, board))
