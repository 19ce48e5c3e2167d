"""Reading the ledger unit by unit, on two cores when it is large.

A unit's lines cancel and answer only lines of the same unit (a void or a follow-up must be in
the files of the unit it names, `reader._void_problems`), so the one reader (`reader.Scan`) run
on each unit's files alone gives, unit by unit, what it gives on the whole ledger — but for an
id found in two units' files (only a copied line does that), which decides which of the two
lines counts. `shared_ids` finds that case; callers then read the whole ledger as one.

`read_units` reads the units' files in this process, or, for a large ledger on a machine with
two cores or more (POSIX), half of the bytes in one forked child while this process reads the
other half. The child is a plain `os.fork` with a pipe (nothing is pickled but its results; no
`multiprocessing`, whose imports alone cost 50 ms and which needs semaphores); if it cannot be
started or dies, this process reads its half too.
The board's cache (`board.cache.cached_board`) and `check` (`reader.check_lines`) read this way.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import sys
from array import array
from bisect import bisect_left
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
    child = _fork([(u, todo[u]) for u in theirs])
    if child is None:  # no second process (fork refused: out of processes or memory): one process
        return dict(zip(todo, _read_some(list(todo.items())), strict=True))
    try:
        out = dict(zip(mine, _read_some([(u, todo[u]) for u in mine]), strict=True))
        done = child.result()
    finally:
        child.close()
    if done is None:  # the second process died (killed, out of memory): read its half here
        done = _read_some([(u, todo[u]) for u in theirs])
    out.update(zip(theirs, done, strict=True))
    return out


class _Child:
    """A forked process reading some units; its parts come back pickled through a pipe."""

    def __init__(self, pid: int, fd: int):
        self.pid, self.fd = pid, fd

    def result(self) -> list[dict] | None:
        """The child's parts, or None if it died or its answer is not whole."""
        import pickle

        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = -1
            data = pipe.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - a cut answer: read that half again here
            return None

    def close(self) -> None:
        """Never leave the child behind (this process interrupted while it reads)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0


def _fork(units: list[tuple[str, list[Path]]]) -> _Child | None:
    """A child process that reads `units` (`_read_some`) and writes its parts to a pipe; None if
    none can be started. The child never returns: it leaves with `os._exit`, so nothing of this
    process (buffered output, `atexit`) runs twice."""
    import pickle

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    read_end, write_end = os.pipe()
    try:
        pid = os.fork()
    except OSError:
        os.close(read_end)
        os.close(write_end)
        return None
    if pid == 0:  # the child
        code = 1
        try:
            os.close(read_end)
            data = pickle.dumps(_read_some(units), protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(write_end, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:  # noqa: BLE001 - the parent reads this half itself
            pass
        finally:
            os._exit(code)
    os.close(write_end)
    return _Child(pid, read_end)


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
    # all of them: each unit's ids are sorted, so cut every unit's at the same bounds and compare
    # range by range, each range's ids at once in a set (no Python loop per id; at most about
    # 64k ids in a set at a time, a few MB)
    ranges = min(64, max(1, total >> 16))
    bounds = [_ID_END * i // ranges for i in range(1, ranges)] + [_ID_END, 1 << 64]  # then the hashed ids (from 2**62)
    parts = [c for c in codes.values() if len(c)]
    starts = [0] * len(parts)
    for bound in bounds:
        merged = array("Q")
        for i, c in enumerate(parts):
            stop = bisect_left(c, bound, starts[i])
            if stop > starts[i]:
                piece = c[starts[i] : stop]  # an array's, or a view of the cache file's bytes
                merged.extend(piece) if isinstance(piece, array) else merged.frombytes(piece.tobytes())
                starts[i] = stop
        if len(set(merged)) != len(merged):
            return True
    return False


_ID_END = 36**10  # the tool's ids are below (`format.id_code`); the marked hashes of others from 2**62 (`reader.code_of`)


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
