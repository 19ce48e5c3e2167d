"""Reading the ledger unit by unit, on two cores when it is large.

A unit's lines cancel and answer only lines of the same unit (a void or a follow-up must be in
the files of the unit it names, `reader._void_problems`), so the one reader (`reader.Scan`) run
on each unit's files alone gives, unit by unit, what it gives on the whole ledger — but for an
id found in two units' files (only a copied line does that), which decides which of the two
lines counts. `shared_ids` finds that case; callers then read the whole ledger as one.

`read_units` reads the units' files in this process, or, for a large ledger on a machine with
two cores or more (POSIX), shares them with one forked child as they go: this process takes the
units from the front of an order (largest first), the child from the back, each telling the
other through a pipe which one it starts. The child is a plain `os.fork` with pipes (nothing is
pickled but its results; no `multiprocessing`, whose imports alone cost 50 ms and which needs
semaphores); if it cannot be started or dies, this process reads what it did not give.
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
_PLACE = "I"  # a claim on the pipes: the place of a unit in the order, 4 bytes

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
    One line judge per process serves every unit (what it remembers is reused).

    On two cores the units, largest first, are shared out as they are read: this process takes
    them from the front of that order, the forked child from the back, each telling the other
    through a pipe which unit it starts, so that both finish together however busy either core
    is (a fixed half each left one process waiting for the other for up to a third of the time
    on a shared machine). Where the two meet, one unit may be read by both: either answer serves."""
    global _JOB
    _JOB = (ledger, catalog, today, LineJudge(catalog, today), read_one)
    sizes: dict[str, int] = {}
    for unit, paths in todo.items():
        sizes[unit] = 0
        for path in paths:
            with contextlib.suppress(OSError):
                sizes[unit] += os.stat(path, follow_symlinks=False).st_size
    if (os.cpu_count() or 1) < 2 or sum(sizes.values()) < PARALLEL_BYTES or len(todo) < 2 or not hasattr(os, "fork"):
        return {unit: _read(unit, paths) for unit, paths in todo.items()}
    order = [(u, todo[u]) for u in sorted(todo, key=lambda u: -sizes[u])]
    child = _fork(order)
    out: dict[str, dict] = {}
    if child is None:  # no second process (fork refused: out of processes or memory): one process
        return {unit: _read(unit, paths) for unit, paths in todo.items()}
    try:
        theirs = len(order)  # the lowest place in `order` the child has started
        for place, (unit, paths) in enumerate(order):
            theirs = min([theirs, *_claims(child.theirs)])
            if place >= theirs:
                break
            child.claim(place)
            out[unit] = _read(unit, paths)
        done = child.result()
    finally:
        child.close()
    if done is not None:
        for place, part in done:
            out.setdefault(order[place][0], part)
    for unit, paths in order:  # the child died (killed, out of memory): what it did not give, read here
        if unit not in out:
            out[unit] = _read(unit, paths)
    return {unit: out[unit] for unit in todo}


class _Child:
    """A forked process reading units from the back of the order; its parts come back pickled
    through a pipe, and its claims (the place of each unit it starts, 4 bytes) through another."""

    def __init__(self, pid: int, fd: int, theirs: int, mine: int):
        self.pid, self.fd = pid, fd
        self.theirs, self.mine = theirs, mine  # its claims (read, non-blocking), ours (written)

    def claim(self, place: int) -> None:
        """Tell the child this process starts the unit at `place`."""
        with contextlib.suppress(OSError):  # the child is gone: nothing to tell
            os.write(self.mine, array(_PLACE, [place]).tobytes())

    def result(self) -> list[tuple[int, dict]] | None:
        """The child's (place, part) pairs, or None if it died or its answer is not whole."""
        import pickle

        with contextlib.suppress(OSError):
            os.close(self.mine)  # no more claims: the child stops when it meets ours
        self.mine = -1
        with os.fdopen(self.fd, "rb") as pipe:
            self.fd = -1
            data = pipe.read()
        _pid, status = os.waitpid(self.pid, 0)
        self.pid = 0
        if not os.WIFEXITED(status) or os.WEXITSTATUS(status) != 0:
            return None
        try:
            return pickle.loads(data)
        except Exception:  # noqa: BLE001 - a cut answer: read those units again here
            return None

    def close(self) -> None:
        """Never leave the child or a pipe behind (this process interrupted while it reads)."""
        for name in ("fd", "theirs", "mine"):
            fd = getattr(self, name)
            if fd >= 0:
                with contextlib.suppress(OSError):
                    os.close(fd)
                setattr(self, name, -1)
        if self.pid:
            with contextlib.suppress(OSError):
                os.kill(self.pid, signal.SIGKILL)
                os.waitpid(self.pid, 0)
            self.pid = 0


def _fork(order: list[tuple[str, list[Path]]]) -> _Child | None:
    """A child process that reads units from the back of `order` until it meets this process's
    claims, and writes its (place, part) pairs to a pipe; None if none can be started. The child
    never returns: it leaves with `os._exit`, so nothing of this process (buffered output,
    `atexit`) runs twice."""
    import pickle

    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except (OSError, ValueError):
        pass
    pipes = [os.pipe() for _ in range(3)]  # results child→parent, claims child→parent, claims parent→child
    try:
        pid = os.fork()
    except OSError:
        for pair in pipes:
            for fd in pair:
                os.close(fd)
        return None
    (result_r, result_w), (up_r, up_w), (down_r, down_w) = pipes
    if pid == 0:  # the child
        code = 1
        try:
            for fd in (result_r, up_r, down_w):
                os.close(fd)
            os.set_blocking(down_r, False)
            os.set_blocking(up_w, False)  # never wait on the parent: a claim it does not take costs one unit read twice
            done = []
            theirs = -1  # the highest place the parent has started
            for place in range(len(order) - 1, -1, -1):
                theirs = max([theirs, *_claims(down_r)])
                if place <= theirs:
                    break
                with contextlib.suppress(BlockingIOError):
                    os.write(up_w, array(_PLACE, [place]).tobytes())
                unit, paths = order[place]
                done.append((place, _read(unit, paths)))
            data = pickle.dumps(done, protocol=pickle.HIGHEST_PROTOCOL)
            with os.fdopen(result_w, "wb") as pipe:
                pipe.write(data)
            code = 0
        except BaseException:  # noqa: BLE001 - the parent reads these units itself
            pass
        finally:
            os._exit(code)
    for fd in (result_w, up_w, down_r):
        os.close(fd)
    os.set_blocking(up_r, False)
    return _Child(pid, result_r, up_r, down_w)


def _claims(fd: int) -> list[int]:
    """The places the other process has started since last asked (a non-blocking read of its
    claims; nothing once it has closed its end). A pipe write of 4 bytes is never split."""
    try:
        data = os.read(fd, 1 << 16)  # more than a pipe holds: every claim waiting
    except OSError:  # BlockingIOError: none waiting
        return []
    return list(array(_PLACE, data))


def _read(unit: str, paths: list[Path]) -> dict:
    """One unit read by the one reader, in this process (`_JOB` is set by `read_units`)."""
    ledger, catalog, today, judge, read_one = _JOB
    return read_one(Scan(ledger, catalog, today, paths, judge=judge), unit)


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
