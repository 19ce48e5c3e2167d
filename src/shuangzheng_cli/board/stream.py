"""The board (挂图) streamed straight from the ledger files, in flat memory, with a cache.

`stream_board` gives exactly `build_board(catalog, ledger.read(until=as_of).entries, as_of)`
without keeping the entries: the one reader (`ledger.reader.Scan`) judges every line as
`check` does, applies duplicates and voids, and gives each accepted line to the one fact
accumulator (`facts.Tally`), which keeps per cell only what the rules ask about.

The board's cache (`board.cache.cached_board`) reads through the same reader, unit by unit.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..definitions.catalog import Catalog, Cell
from ..errors import Problem
from ..ledger.format import FACT_KINDS, Entry
from ..ledger.storage import Ledger
from ..periods import today as today_
from .facts import Tally
from .rules import Board


def stream_board(
    catalog: Catalog,
    ledger: Ledger,
    as_of: dt.date,
    cells: Iterable[Cell] | None = None,
    files: Sequence[Path] | None = None,
    today: dt.date | None = None,
) -> tuple[Board, list[Problem]]:
    """The board as of a date from the ledger files (flat memory), and the problems of the lines skipped.

    The same answer as `build_board(catalog, ledger.read(until=as_of).entries, as_of, cells)`
    (`files`: only these files, as `ledger.read(unit=…)` reads one unit's).
    """
    from ..ledger.reader import Scan

    cells = list(catalog.cells if cells is None else cells)
    scan = Scan.of(ledger, catalog, today or today_(), files)
    tally, problems = scan.run(make_sink=lambda: Tally(catalog, cells, as_of))
    return tally.board(catalog), problems  # type: ignore[attr-defined]


def cell_before_after(
    catalog: Catalog, ledger: Ledger, as_of: dt.date, cell: Cell, entry: Entry
) -> tuple[str | None, Callable[[Entry], str | None]]:
    """The color of one cell from its unit's files, and a function giving its color once `entry`
    is written too (the new line added to the same tally). An entry the tally cannot simply
    add (an id the files hold already, another cell) is answered by reading again."""
    from ..ledger.fastcheck import line_of
    from ..ledger.reader import Scan

    today = today_()
    paths = ledger.files(unit=cell.unit)
    ids: set[str] = set()

    class _Keep(Tally):
        def take(self, obj: Any, index: int, number: int, voided: bool) -> None:  # noqa: ANN401
            ids.add(obj.id)
            super().take(obj, index, number, voided)

    scan = Scan.of(ledger, catalog, today, paths)
    tally, _problems = scan.run(make_sink=lambda: (ids.clear(), _Keep(catalog, [cell], as_of))[1])
    before = tally.board(catalog).cells[0].color  # type: ignore[attr-defined]

    def after(placed: Entry) -> str | None:
        if placed.id in ids or placed.id != entry.id or placed.kind not in FACT_KINDS or placed.unit != cell.unit:
            board, _ = stream_board(catalog, ledger, as_of, [cell], ledger.files(unit=cell.unit))
            return board.cells[0].color
        tally.take(line_of(placed.to_record()), 0, 0, False)  # type: ignore[attr-defined]
        return tally.board(catalog).cells[0].color  # type: ignore[attr-defined]

    return before, after
