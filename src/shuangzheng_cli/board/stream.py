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

import contextlib
import datetime as dt
import hashlib
import os
from array import array
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

from ..definitions.catalog import Catalog, Cell
from ..errors import Problem
from ..ledger.format import FACT_KINDS, Entry
from ..ledger.reader import Scan
from ..ledger.storage import Ledger
from ..periods import today as today_
from .facts import Tally
from .rules import Board

CACHE_DIR = ".shuangzheng-cache"
CACHE_VERSION = 4  # 4: the color last stated stands; follow-up cases in the facts
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
    their unit's files), so the one reader can read unit by unit: per unit the cache keeps its
    cells' accumulated facts (`facts.Tally` slots), its problems and its ids, keyed by every file
    of the unit (path, size, mtime, ctime, inode) and, for the whole cache, by the definitions,
    the as-of date and today. After an `add` only that unit's files are read. An id found in two
    units (only a copied line does that) makes the whole ledger be read as one, exactly, and nothing
    is cached. A file changed in the last seconds is not trusted to the cache (timestamps are
    coarse); the cache file itself is checked (`cache.load`).
    """
    from ..cache import load, load_json, save, save_json
    from ..ledger.format import latest_at
    from ..ledger.reader import ledger_files

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
    if old_units:
        old_units = _with_ids(old_units, load(ledger.root, "board-ids.bin"), old.get("ids"))
    racy = _now_ns() - RACY_SECONDS * 10**9
    by_unit: dict[str, list[Path]] = {}
    for path in files:
        by_unit.setdefault(path.name.removesuffix(".jsonl"), []).append(path)
    cells_of: dict[str, list[Cell]] = {}
    for cell in cells:
        cells_of.setdefault(cell.unit, []).append(cell)
    tally = Tally(catalog, cells, as_of)
    problems = list(file_problems)
    units: dict[str, dict] = {}
    fresh: list[str] = []
    codes: dict[str, array] = {}
    stats_of: dict[str, list] = {}
    todo: list[str] = []
    for unit, paths in by_unit.items():
        try:
            stats_of[unit] = [[ledger.label(p), *_stat(p)] for p in paths]
        except OSError:
            return stream_board(catalog, ledger, as_of, cells, None, today)
        hit = old_units.get(unit)
        part = _unit_from_cache(hit, stats_of[unit]) if hit is not None else None
        if part is None:
            todo.append(unit)
        else:
            units[unit] = part
    read = _read_units(catalog, ledger, today, as_of, cells_of, {u: by_unit[u] for u in todo})
    for unit in todo:
        part = read[unit]
        part["stat"] = stats_of[unit]
        part["settled"] = all(max(st[3], st[4]) < racy for st in stats_of[unit])
        units[unit] = part
        fresh.append(unit)
    for unit in by_unit:
        part = units[unit]
        codes[unit] = part["codes"]
        tally.merge({(a, u): slot for a, u, slot in part["slots"]})
        problems += [Problem(p[0], p[1], p[2]) for p in part["problems"]]
    if _shared_ids(codes, fresh):  # the same id in two units: read as one, exactly
        return stream_board(catalog, ledger, as_of, cells, None, today)
    if fresh:
        kept = [u for u, part in units.items() if part.get("settled", True)]
        blobs = [units[u]["codes"].tobytes() for u in kept]
        ids_digest = hashlib.blake2b(digest_size=16)
        for blob in blobs:
            ids_digest.update(blob)
        save(ledger.root, "board-ids.bin", blobs)  # the ids apart, in binary: no copy of them in the JSON
        save_json(ledger.root, "board.json", {
            "key": key,
            "ids": ids_digest.hexdigest(),
            "units": {u: {k: v for k, v in units[u].items() if k not in ("codes", "settled")} | {"ids": len(units[u]["codes"])}
                      for u in kept},
        })
    return tally.board(catalog), sorted(problems)


def _read_unit(unit: str, paths: list[Path]) -> dict:
    """One unit's files read by the one reader into its cells' tally: (slots, problems, ids)."""
    catalog, ledger, today, as_of, cells_of, judge = _JOB
    scan = Scan(ledger, catalog, today, paths, judge=judge)
    unit_tally, found = scan.run(make_sink=lambda: Tally(catalog, cells_of.get(unit, []), as_of))
    return {
        "slots": [[a, u, slot] for (a, u), slot in unit_tally.slots.items()],  # type: ignore[attr-defined]
        "problems": [[p.path, p.line, p.message] for p in found],
        "codes": scan.codes(),
    }


_JOB: tuple = ()
PARALLEL_BYTES = 32 << 20  # below this, reading in one process is quicker than starting a second


def _read_units(
    catalog: Catalog, ledger: Ledger, today: dt.date, as_of: dt.date, cells_of: dict[str, list[Cell]], todo: dict[str, list[Path]]
) -> dict[str, dict]:
    """Read these units' files: in this process, or, for a large ledger on a machine with more than
    one core, split between two processes (forked; POSIX only). Same answers either way."""
    global _JOB
    from ..ledger.reader import LineJudge

    _JOB = (catalog, ledger, today, as_of, cells_of, LineJudge(catalog, today))  # one judge: what it remembers serves every unit
    size = 0
    for paths in todo.values():
        for path in paths:
            with contextlib.suppress(OSError):
                size += path.stat().st_size
    workers = min(2, os.cpu_count() or 1)
    if workers < 2 or size < PARALLEL_BYTES or len(todo) < 2 or not hasattr(os, "fork"):
        return {unit: _read_unit(unit, paths) for unit, paths in todo.items()}
    import multiprocessing

    # the largest units first, so the two processes end together
    order = sorted(todo, key=lambda u: -sum(p.stat().st_size for p in todo[u]))
    with multiprocessing.get_context("fork").Pool(workers) as pool:
        results = pool.starmap(_read_unit, [(u, todo[u]) for u in order], chunksize=1)
    return dict(zip(order, results, strict=True))


def _stat(path: Path) -> list[int]:
    st = os.stat(path, follow_symlinks=False)
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


def _unit_from_cache(hit: object, stats: list) -> dict | None:
    """A unit's cached part if its files are the same ones, unchanged; else None."""
    try:
        if not isinstance(hit, dict) or hit["stat"] != stats:
            return None
        found = hit["codes"]
        if not isinstance(found, array):
            return None
        slots = [[int(a), str(u), _slot(slot)] for a, u, slot in hit["slots"]]
        problems = [[str(p[0]), int(p[1]), str(p[2])] for p in hit["problems"]]
        return {"stat": stats, "slots": slots, "problems": problems, "codes": found, "settled": True}
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _with_ids(old_units: dict, blob: bytes | None, digest: object) -> dict:
    """The cached units with their ids put back from `board-ids.bin` (in the order saved); {} if
    that file is missing or is not the one saved with this `board.json`."""
    if blob is None or not isinstance(digest, str) or hashlib.blake2b(blob, digest_size=16).hexdigest() != digest:
        return {}
    view = memoryview(blob)
    at = 0
    out = {}
    try:
        for unit, part in old_units.items():
            count = int(part["ids"])
            found = array("Q")
            found.frombytes(view[at : at + 8 * count])
            if len(found) != count:
                return {}
            at += 8 * count
            out[unit] = {**part, "codes": found}
    except (KeyError, TypeError, ValueError):
        return {}
    return out if at == len(blob) else {}


def _slot(slot: list) -> list:
    """A tally slot read back from JSON (lists to tuples where the tally keeps tuples; see `facts.Tally`)."""
    p_key, p_color, i_key, i_info, sums, s_key, asked = slot
    return [
        tuple(p_key) if p_key is not None else None, p_color,
        tuple(i_key) if i_key is not None else None, tuple(i_info) if i_info is not None else None,
        [[total, list(rest)] for total, rest in sums],
        tuple(s_key) if s_key is not None else None,
        [[int(i), int(n), dict(r)] for i, n, r in asked],
    ]


def _shared_ids(codes: dict[str, array], fresh: list[str]) -> bool:
    """Whether an id occurs in two units' files (the units cached together were checked before)."""
    if not fresh:
        return False
    total = sum(len(c) for c in codes.values())
    new = sum(len(codes[u]) for u in fresh)
    if new * 8 < total:  # a few units read again: their ids against every other unit's
        seen: set[int] = set()
        for unit in fresh:
            if not seen.isdisjoint(codes[unit]):
                return True
            seen.update(codes[unit])
        return any(not seen.isdisjoint(c) for u, c in codes.items() if u not in fresh)
    buckets = [array("Q") for _ in range(256)]  # all of them: bucket by bucket, in flat memory
    for c in codes.values():
        for value in c:
            buckets[value & 255].append(value)
    return any(len(set(b)) != len(b) for b in buckets)
