"""The board (挂图) streamed straight from the ledger files, in flat memory, with a cache.

`stream_board` gives exactly `build_board(catalog, ledger.read(until=as_of).entries, as_of)`
without keeping the entries: the one reader (`ledger.reader.Scan`) judges every line as
`check` does, applies duplicates and voids, and gives each accepted line to the one fact
accumulator (`facts.Tally`), which keeps per cell only what the rules ask about.

`cached_board` keeps the answer in `.shuangzheng-cache/`, keyed by the definitions' content
and every ledger file's path, size, mtime, ctime and inode: it is used only when nothing
changed, so it can never change an answer. A file modified in the last seconds is never
trusted (timestamps are coarse), an unreadable cache is ignored, and a read-only workspace
simply does not cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..definitions.catalog import Catalog, Cell
from ..errors import Problem
from ..ledger.format import FACT_KINDS, Entry
from ..ledger.reader import Scan
from ..ledger.storage import Ledger
from ..periods import today as today_
from .facts import Tally
from .rules import Board, CellStatus

CACHE_DIR = ".shuangzheng-cache"
CACHE_VERSION = 2
RACY_SECONDS = 2  # a file changed this recently may change again within its mtime's granularity


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
    today = today_()
    paths = ledger.files(unit=cell.unit)
    ids: set[str] = set()

    class _Keep(Tally):
        def take(self, obj: dict, index: int, number: int, voided: bool) -> None:
            ids.add(obj["id"])
            super().take(obj, index, number, voided)

    scan = Scan.of(ledger, catalog, today, paths)
    tally, _problems = scan.run(make_sink=lambda: (ids.clear(), _Keep(catalog, [cell], as_of))[1])
    before = tally.board(catalog).cells[0].color  # type: ignore[attr-defined]

    def after(placed: Entry) -> str | None:
        if placed.id in ids or placed.id != entry.id or placed.kind not in FACT_KINDS or placed.unit != cell.unit:
            board, _ = stream_board(catalog, ledger, as_of, [cell], ledger.files(unit=cell.unit))
            return board.cells[0].color
        tally.take(placed.to_record(), 0, 0, False)  # type: ignore[attr-defined]
        return tally.board(catalog).cells[0].color  # type: ignore[attr-defined]

    return before, after


# ------------------------------------------------------------ the cache


def _catalog_digest(catalog: Catalog) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in ("activities.yaml", "units.yaml"):
        try:
            h.update(Path(catalog.source, "data", name).read_bytes())
        except OSError:
            h.update(b"?")
        h.update(b"\x00")
    return h.hexdigest()


def _state_key(catalog: Catalog, ledger: Ledger, paths: list[Path], as_of: dt.date, today: dt.date, cells: list[Cell]) -> tuple[str, bool]:
    """The cache key, and whether it may be trusted (no file changed in the last seconds)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{CACHE_VERSION}|{as_of.isoformat()}|{today.isoformat()}|{dt.date.today()}|{_catalog_digest(catalog)}|".encode())
    h.update(repr([(c.activity, c.unit) for c in cells]).encode())
    newest = 0
    for path in paths:
        st = os.stat(path, follow_symlinks=False)
        newest = max(newest, st.st_mtime_ns, st.st_ctime_ns)
        h.update(f"|{ledger.label(path)}|{st.st_size}|{st.st_mtime_ns}|{st.st_ctime_ns}|{st.st_ino}".encode())
    settled = newest < _now_ns() - RACY_SECONDS * 10**9
    return h.hexdigest(), settled


def _now_ns() -> int:
    import time

    return time.time_ns()


def cached_board(catalog: Catalog, ledger: Ledger, as_of: dt.date, cells: Iterable[Cell] | None = None) -> tuple[Board, list[Problem]]:
    """`stream_board`, answered from `.shuangzheng-cache/` when no ledger file has changed."""
    from ..cache import load_json, save_json

    cells = list(catalog.cells if cells is None else cells)
    today = today_()
    paths = ledger.files()
    try:
        key, settled = _state_key(catalog, ledger, paths, as_of, today, cells)
    except OSError:
        return stream_board(catalog, ledger, as_of, cells, None, today)
    data = load_json(ledger.root, "board.json")
    if data is not None:
        try:
            if data["key"] == key:
                return _board_of(data, as_of), [Problem(p[0], p[1], p[2]) for p in data["skipped"]]
        except (ValueError, KeyError, TypeError, IndexError):
            pass  # a cache that cannot be read: answer from the files
    board, problems = stream_board(catalog, ledger, as_of, cells, None, today)
    if settled:
        save_json(ledger.root, "board.json", {
            "key": key,
            "cells": [
                [c.activity, c.unit, c.color, c.last_report.isoformat() if c.last_report else None, c.days_since, list(c.reasons)]
                for c in board.cells
            ],
            "skipped": [[p.path, p.line, p.message] for p in problems],
        })
    return board, problems


def _board_of(data: dict, as_of: dt.date) -> Board:
    cells = tuple(
        CellStatus(c[0], c[1], c[2], dt.date.fromisoformat(c[3]) if c[3] else None, c[4], tuple(c[5])) for c in data["cells"]
    )
    return Board(as_of, cells)
