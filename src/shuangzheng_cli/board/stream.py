"""The board (挂图) streamed straight from the ledger files, in flat memory, with a cache.

`stream_board` gives exactly `build_board(catalog, ledger.read(until=as_of).entries, as_of)`
without keeping the entries: the one reader (`ledger.reader.Scan`) judges every line as
`check` does, applies duplicates and voids, and gives each accepted line to the one fact
accumulator (`facts.Tally`), which keeps per cell only what the rules ask about.

`cached_board` keeps each unit's accumulated facts in `.shuangzheng-cache/` (see there), so
after an `add` only the changed unit's files are read again; a cache can never change an
answer, an edited one is ignored, and a read-only workspace simply does not cache.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import os
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..definitions.catalog import Catalog, Cell
from ..errors import Problem
from ..ledger.format import FACT_KINDS, Entry
from ..ledger.reader import Scan
from ..ledger.storage import Ledger
from ..periods import today as today_
from .facts import Tally
from .rules import BOARD_COLORS as COLORS_OF_BOARD
from .rules import Board, CellStatus

CACHE_DIR = ".shuangzheng-cache"
CACHE_VERSION = 5  # 5: each unit's cell statuses instead of its accumulated facts
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


# ------------------------------------------------------------ the cache, by unit


def _catalog_digest(catalog: Catalog) -> str:
    h = hashlib.blake2b(digest_size=16)
    for name in ("activities.yaml", "units.yaml"):
        try:
            h.update(Path(catalog.source, "data", name).read_bytes())
        except OSError:
            h.update(b"?")
        h.update(b"\x00")
    return h.hexdigest()


def _now_ns() -> int:
    import time

    return time.time_ns()


def cached_board(catalog: Catalog, ledger: Ledger, as_of: dt.date, cells: Iterable[Cell] | None = None) -> tuple[Board, list[Problem]]:
    """`stream_board`, incremental by unit: each unit's files are read again only when one of them changed.

    A unit's lines cancel and answer only lines of the same unit (voids and follow-ups live in
    their unit's files), and a cell's color depends only on its own lines, so the one reader can
    read unit by unit: per unit the cache keeps its cells' statuses, its problems and its ids,
    keyed by every file of the unit (path, size, mtime, ctime, inode) and, for the whole cache,
    by the definitions, the cells, the as-of date and today. After an `add` only that unit's
    files are read. An id found in two units (only a copied line does that) makes the whole
    ledger be read as one, exactly, and nothing is cached. A file changed in the last seconds is
    not trusted to the cache (timestamps are coarse); the cache files themselves are checked
    (`cache.load`). Memory: the statuses of the cells, and the ids (8 bytes each) only when a
    unit was read again.
    """
    from ..cache import load_json, save_json
    from ..ledger.format import latest_at
    from ..ledger.reader import ledger_files
    from ..ledger.units import by_unit as group
    from ..ledger.units import shared_ids

    cells = list(catalog.cells if cells is None else cells)
    today = today_()
    files, file_problems = ledger_files(ledger)
    key = hashlib.blake2b(
        f"{CACHE_VERSION}|{as_of}|{today}|{latest_at(today)}|{_catalog_digest(catalog)}|".encode()
        + repr([(c.activity, c.unit) for c in cells]).encode(),
        digest_size=20,
    ).hexdigest()
    old = load_json(ledger.root, "board.json")
    old_units = old.get("units", {}) if isinstance(old, dict) and old.get("key") == key else {}
    racy = _now_ns() - RACY_SECONDS * 10**9
    by_unit = group(files)
    cells_of: dict[str, list[Cell]] = {}
    for cell in cells:
        cells_of.setdefault(cell.unit, []).append(cell)
    units: dict[str, dict] = {}
    stats_of: dict[str, list] = {}
    todo: list[str] = []
    for unit, paths in by_unit.items():
        try:
            stats_of[unit] = [[ledger.label(p), *_stat(p)] for p in paths]
        except OSError:
            return stream_board(catalog, ledger, as_of, cells, None, today)
        part = _unit_from_cache(old_units.get(unit), stats_of[unit])
        if part is None:
            todo.append(unit)
        else:
            units[unit] = part
    if todo:
        codes = _cached_codes(ledger, old, units)
        if codes is None:  # the ids of the cached units are gone: read everything again
            todo, units, codes = list(by_unit), {}, {}
        read = _read_units(catalog, ledger, today, as_of, cells_of, {u: by_unit[u] for u in todo})
        for unit in todo:
            part = read[unit]
            part["stat"] = stats_of[unit]
            part["settled"] = all(max(st[3], st[4]) < racy for st in stats_of[unit])
            units[unit] = part
            codes[unit] = part.pop("codes")
        if shared_ids(codes, todo):  # the same id in two units: read as one, exactly
            return stream_board(catalog, ledger, as_of, cells, None, today)
        kept = [u for u, part in units.items() if part.get("settled", True)]
        _save_codes(ledger, [codes[u] for u in kept])
        save_json(ledger.root, "board.json", {
            "key": key,
            "ids": _codes_digest([codes[u] for u in kept]),
            "units": {u: _saved(units[u]) | {"ids": len(codes[u])} for u in kept},
        })
    found: dict[tuple[int, str], CellStatus] = {}
    problems = list(file_problems)
    for part in units.values():
        for status in part["statuses"]:
            found[(status.activity, status.unit)] = status
        problems += [Problem(p[0], p[1], p[2]) for p in part["problems"]]
    missing = [c for c in cells if (c.activity, c.unit) not in found]  # units without a file: no lines
    if missing:
        for status in Tally(catalog, missing, as_of).board(catalog).cells:
            found[(status.activity, status.unit)] = status
    return Board(as_of, tuple(found[(c.activity, c.unit)] for c in cells)), sorted(problems)


def _read_units(
    catalog: Catalog, ledger: Ledger, today: dt.date, as_of: dt.date, cells_of: dict[str, list[Cell]], todo: dict[str, list[Path]]
) -> dict[str, dict]:
    """These units' files read by the one reader (`ledger.units.read_units`: on two cores when the
    ledger is large), each into its cells' tally: per unit its cells' statuses (rows of `_row`),
    its problems and its ids (`Scan.codes`)."""
    from ..ledger.units import read_units

    def read_one(scan: Scan, unit: str) -> dict:
        unit_tally, found = scan.run(make_sink=lambda: Tally(catalog, cells_of.get(unit, []), as_of))
        return {
            "statuses": list(unit_tally.board(catalog).cells),  # type: ignore[attr-defined]
            "problems": [[p.path, p.line, p.message] for p in found],
            "codes": scan.codes(),
        }

    return read_units(ledger, catalog, today, todo, read_one)


def _stat(path: Path) -> list[int]:
    st = os.stat(path, follow_symlinks=False)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _unit_from_cache(hit: object, stats: list) -> dict | None:
    """A unit's cached part if its files are the same ones, unchanged; else None."""
    if not isinstance(hit, dict):
        return None
    try:
        if hit["stat"] != stats:
            return None
        statuses = [_status(row) for row in hit["cells"]]  # each row checked by reading it
        problems = [[str(p[0]), int(p[1]), str(p[2])] for p in hit["problems"]]
        return {"stat": stats, "statuses": statuses, "problems": problems, "ids": int(hit["ids"]), "settled": True}
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _saved(part: dict) -> dict:
    """A unit's part as `board.json` keeps it: its files' stats, its cells' statuses as rows, its problems."""
    return {"stat": part["stat"], "cells": [_row(c) for c in part["statuses"]], "problems": part["problems"]}


def _row(c: CellStatus) -> list:
    """A cell's status as the cache keeps it (JSON)."""
    return [c.activity, c.unit, c.color, c.last_report.isoformat() if c.last_report else None, c.days_since, list(c.reasons)]


def _status(row: list) -> CellStatus:
    """A cached row back to the cell's status (`ValueError`/`TypeError` for a malformed one)."""
    activity, unit, color, last, days, reasons = row
    if not (type(activity) is int and type(unit) is str and color in COLORS_OF_BOARD):
        raise ValueError(row)
    return CellStatus(
        activity, unit, color, dt.date.fromisoformat(last) if last is not None else None,
        int(days) if days is not None else None, tuple(str(r) for r in reasons),
    )


def _codes_digest(parts: list[Any]) -> str:
    digest = hashlib.blake2b(digest_size=16)
    for part in parts:
        digest.update(part)
    return digest.hexdigest()


def _save_codes(ledger: Ledger, parts: list[Any]) -> None:
    """The ids of the cached units, in binary beside `board.json` (no copy of them in the JSON)."""
    from ..cache import save

    save(ledger.root, "board-ids.bin", parts)  # written from the arrays themselves, never copied


def _cached_codes(ledger: Ledger, old: object, units: dict[str, dict]) -> dict[str, Any] | None:
    """The ids of the units taken from the cache, from `board-ids.bin` (saved in the order of
    `board.json`'s units), as views of that file's bytes (8 bytes an id, nothing copied); None if
    that file is missing or is not the one saved with it."""
    if not units:
        return {}
    from ..cache import load

    blob = load(ledger.root, "board-ids.bin")
    if blob is None or len(blob) % 8 or not isinstance(old, dict):
        return None
    if hashlib.blake2b(blob, digest_size=16).hexdigest() != old.get("ids"):
        return None
    view = memoryview(blob).cast("Q")
    at = 0
    out: dict[str, Any] = {}
    for unit, part in old.get("units", {}).items():
        try:
            count = int(part["ids"])
        except (KeyError, TypeError, ValueError):
            return None
        if unit in units:
            out[unit] = view[at : at + count]
        at += count
    return out if at == len(view) and set(out) == set(units) else None
