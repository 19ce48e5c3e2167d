"""Reading the ledger unit by unit, on two cores when it is large.

A unit's lines cancel and answer only lines of the same unit (a void or a follow-up must be in
the files of the unit it names, `reader._void_problems`), so the one reader (`reader.Scan`) run
on each unit's files alone gives, unit by unit, what it gives on the whole ledger — but for an
id found in two units' files (only a copied line does that), which decides which of the two
lines counts. `shared_ids` finds that case; callers then read the whole ledger as one.

`read_units` reads the units' files in this process, or, for a large ledger on a machine with
two cores or more (POSIX: the second process is forked, nothing is pickled but unit names, paths
and the results), half of the bytes in one child while this process reads the other half; if
the child cannot be started or dies, this process reads its half too.
The board's cache (`board.stream.cached_board`) and `check` (`reader.check_lines`) read this way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from array import array
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .reader import LineJudge, Scan

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog
    from .storage import Ledger

#: Below this many bytes, reading in one process is quicker than starting a second.
PARALLEL_BYTES = 32 << 20

#: `read_one(scan, unit)` → that unit's part (a dict of picklable values); `scan` is ready to run.
ReadOne = Callable[[Scan, str], dict]

_JOB: tuple = ()  # (ledger, catalog, today, judge, read_one): set before a fork, read by the child


def by_unit(files: list[Path]) -> dict[str, list[Path]]:
    """Ledger files grouped by the unit their name gives (`<unit>.jsonl`), in order."""
    out: dict[str, list[Path]] = {}
    for path in files:
        out.setdefault(path.name.removesuffix(".jsonl"), []).append(path)
    return out


def read_units(
    ledger: Ledger, catalog: Catalog | None, today: dt.date, todo: dict[str, list[Path]], read_one: ReadOne
) -> dict[str, dict]:
    """Each unit of `todo` (unit → its files) read by the one reader: unit → `read_one`'s part.
    One line judge per process serves every unit (what it remembers is reused)."""
    global _JOB
    _JOB = (ledger, catalog, today, LineJudge(catalog, today), read_one)
    sizes: dict[str, int] = {}
    for unit, paths in todo.items():
        sizes[unit] = 0
        for path in paths:
            with contextlib.suppress(OSError):
                sizes[unit] += os.stat(path, follow_symlinks=False).st_size
    if (os.cpu_count() or 1) < 2 or sum(sizes.values()) < PARALLEL_BYTES or len(todo) < 2 or not hasattr(os, "fork"):
        return dict(zip(todo, _read_some(list(todo.items())), strict=True))
    halves: tuple[list[str], list[str]] = ([], [])
    loads = [0, 0]
    for unit in sorted(todo, key=lambda u: -sizes[u]):  # the largest first, each to the lighter half
        lighter = 0 if loads[0] <= loads[1] else 1
        halves[lighter].append(unit)
        loads[lighter] += sizes[unit]
    theirs, mine = halves
    try:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
        from concurrent.futures.process import BrokenProcessPool

        pool = ProcessPoolExecutor(1, mp_context=multiprocessing.get_context("fork"))
    except (ImportError, OSError):  # no semaphores here (a container without /dev/shm): one process
        return dict(zip(todo, _read_some(list(todo.items())), strict=True))
    with pool:
        pending = pool.submit(_read_some, [(u, todo[u]) for u in theirs])
        out = dict(zip(mine, _read_some([(u, todo[u]) for u in mine]), strict=True))
        try:
            done = pending.result()
        except (BrokenProcessPool, OSError):  # the second process died (killed, out of memory): read its half here
            done = _read_some([(u, todo[u]) for u in theirs])
        out.update(zip(theirs, done, strict=True))
    return out


def _read_some(units: list[tuple[str, list[Path]]]) -> list[dict]:
    ledger, catalog, today, judge, read_one = _JOB
    return [read_one(Scan(ledger, catalog, today, paths, judge=judge), unit) for unit, paths in units]


def shared_ids(codes: dict[str, array], fresh: list[str]) -> bool:
    """Whether an id occurs in the files of two units (`codes`: unit → its ids, `Scan.codes`; the
    units not in `fresh` were checked together before). Memory: 8 bytes per id at most."""
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


def check_units(ledger: Ledger, catalog: Catalog | None, today: dt.date, files: list[Path]) -> list[Any] | None:
    """The problems of every line of `files`, read unit by unit (on two cores when large); None
    when an id is in two units' files (the caller reads the whole ledger as one)."""
    groups = by_unit(files)
    parts = read_units(ledger, catalog, today, groups, _check_one)
    if shared_ids({u: p["codes"] for u, p in parts.items()}, list(parts)):
        return None
    return [problem for part in parts.values() for problem in part["problems"]]


def _check_one(scan: Scan, unit: str) -> dict:
    _sink, problems = scan.run()
    return {"problems": problems, "codes": scan.codes()}
