"""The board (挂图) streamed straight from the ledger files, in flat memory, with a cache.

`stream_board` gives exactly `build_board(catalog, ledger.entries(until=as_of), as_of)`
without keeping the entries: a quick pass finds the voids, then each file is parsed once,
in 1 MB chunks (a line of the usual shape is judged readable without `_readable`'s
generic checks), and every cell keeps only what the rules ask about (the latest progress and inspection by
(date, at, id), and each target's metric summed over its window). Duplicated ids (a union
merge) count once, in file order, as `Ledger.entries` reads them: within a file by a set,
across files by an array of 64-bit hashes checked at the end (a second pass only when some
id really appears in two files, or two hashes collide).

`cached_board` keeps the last answer in `.shuangzheng-cache/`, keyed by the definitions'
content and every ledger file's path, size, mtime, ctime and inode: it is used only when
nothing changed, so it can never change an answer. A file modified in the last seconds
is never trusted (timestamps are coarse), an unreadable cache is ignored, and a
read-only workspace simply does not cache.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import json
import os
import tempfile
from array import array
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path
from typing import Any

from ..definitions.catalog import Catalog, Cell
from ..errors import Problem
from ..ledger.format import OLD_INSPECTION_KEYS, RECORD_KEYS, Entry, followup_asks
from ..ledger.storage import CHUNK, Ledger, _decode, _readable, is_unit_id, read_batches, void_refs
from .followups import cases
from .rules import Board, CellFacts, CellStatus, applies, status_from_facts, target_window

try:  # a faster parser when installed; the standard library otherwise (same answers)
    import orjson

    _fast_loads: Any = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _fast_loads = None

CACHE_DIR = ".shuangzheng-cache"
CACHE_VERSION = 2  # 2: the color last stated stands; follow-up cases (整改逾期) in the reasons
RACY_SECONDS = 2  # a file changed this recently may change again within its mtime's granularity
_KINDS = ("progress", "inspection", "followup")


def _holds(path: Path, needle: bytes) -> bool:
    """Whether the file's bytes contain `needle` (read in chunks)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        tail = b""
        while chunk := os.read(fd, CHUNK):
            if needle in tail + chunk[: len(needle)] or needle in chunk:
                return True
            tail = chunk[-len(needle):]
        return False
    finally:
        os.close(fd)


class _Tally:
    """Per cell: the latest progress and inspection keys, and the targets' sums."""

    def __init__(self, catalog: Catalog, cells: Sequence[Cell], as_of: dt.date):
        self.as_of = as_of
        self.cells = list(cells)
        #: (activity, unit) -> [progress key, color last stated, inspection key, (date, color, method, followup),
        #: sums, windows, key of the progress that stated the color, [inspections asking for something and followups]]
        self.slots: dict[tuple[int, str], list[Any]] = {}
        #: (activity, unit) -> [(target index, metric, first day, last day)] for the targets that apply
        self.windows: dict[tuple[int, str], list[tuple[int, str, dt.date, dt.date]]] = {}
        for cell in self.cells:
            key = (cell.activity, cell.unit)
            targets = catalog.activities[cell.activity].targets if cell.activity in catalog.activities else []
            wins = []
            for i, target in enumerate(targets):
                if applies(catalog, target, cell.activity, cell.unit):
                    first, last = target_window(catalog, target, as_of)
                    wins.append((i, target.metric, first, min(as_of, last)))
            self.windows[key] = wins
            self.slots[key] = [None, None, None, None, [[0, []] for _ in targets], wins, None, []]

    def add(self, obj: dict[str, Any], day: dt.date) -> None:
        slot = self.slots.get((obj["activity"], obj["unit"]))
        if slot is None:
            return
        sort_key = (day, obj.get("at", ""), obj["id"])
        kind = obj["kind"]
        if kind == "followup":
            slot[7].append(Entry.from_record(obj))
        elif kind == "progress":
            if slot[0] is None or sort_key > slot[0]:
                slot[0] = sort_key
            color = obj.get("color")
            if color is not None and (slot[6] is None or sort_key > slot[6]):
                slot[6] = sort_key
                slot[1] = color
            metrics = obj.get("metrics")
            if metrics:
                for i, metric, first, upto in self.windows[(obj["activity"], obj["unit"])]:
                    if first <= day <= upto and metric in metrics:
                        value = metrics[metric]
                        acc = slot[4][i]
                        if type(value) is int:
                            acc[0] += value
                        else:
                            acc[1].append(value)
        else:
            if slot[2] is None or sort_key > slot[2]:
                slot[2] = sort_key
                slot[3] = (day, obj.get("color"), obj.get("method"), obj.get("followup"))
            if followup_asks(obj.get("followup")):
                slot[7].append(Entry.from_record(obj))

    def board(self, catalog: Catalog) -> Board:
        import math

        out = []
        rectify_days = catalog.rules.rectify_days
        for cell in self.cells:
            p_key, p_color, i_key, inspection, sums, _, _, asked = self.slots[(cell.activity, cell.unit)]
            facts = CellFacts(
                (p_key[0], p_color) if p_key else None,
                inspection if i_key else None,
                tuple(math.fsum([total, *rest]) for total, rest in sums),
                tuple(cases(asked, asked, self.as_of, rectify_days)) if asked else (),
            )
            out.append(status_from_facts(catalog, cell.activity, cell.unit, self.as_of, facts))
        return Board(self.as_of, tuple(out))


def stream_board(
    catalog: Catalog,
    ledger: Ledger,
    as_of: dt.date,
    cells: Iterable[Cell] | None = None,
    files: Sequence[Path] | None = None,
) -> Board:
    """The board as of a date from the ledger files, without building every entry (flat memory).

    The same answer as `build_board(catalog, ledger.entries(until=as_of), as_of, cells)`
    (`files`: only these files, as `ledger.entries(unit=…)` reads one unit's). Lines that
    cannot be read are noted in `ledger.skipped`, as `Ledger.entries` notes them.
    """
    paths = list(ledger.files() if files is None else files)
    cells = list(catalog.cells if cells is None else cells)
    cancelled = void_refs(paths)
    skipped_before = len(ledger.skipped)
    tally, contested = _pass(catalog, ledger, paths, cells, as_of, cancelled, None)
    if contested:  # an id in two files (or two hashes alike): count again, exactly
        del ledger.skipped[skipped_before:]
        tally, _ = _pass(catalog, ledger, paths, cells, as_of, cancelled, contested)
    return tally.board(catalog)


def cell_before_after(
    catalog: Catalog, ledger: Ledger, as_of: dt.date, cell: Cell, entry: Entry
) -> tuple[str | None, Callable[[Entry], str | None]]:
    """The color of one cell from its unit's files, and a function giving its color once `entry`
    is written too (the same as streaming again, in one pass). An id that the files hold
    already (so the new line would not count) is answered by streaming again."""
    paths = ledger.files(unit=cell.unit)
    cells = [cell]
    cancelled = void_refs(paths)
    skipped_before = len(ledger.skipped)
    tally, contested = _pass(catalog, ledger, paths, cells, as_of, cancelled, None)
    if contested:
        del ledger.skipped[skipped_before:]
        tally, _ = _pass(catalog, ledger, paths, cells, as_of, cancelled, contested)
    before = tally.board(catalog).cells[0].color
    known = any(_holds(path, f'"{entry.id}"'.encode()) for path in paths)

    def after(placed: Entry) -> str | None:
        if known or placed.id != entry.id or placed.kind not in _KINDS or placed.date > as_of or placed.unit != cell.unit:
            return stream_board(catalog, ledger, as_of, cells, ledger.files(unit=cell.unit)).cells[0].color
        if placed.activity == cell.activity:
            tally.add(placed.to_record(), placed.date)
        return tally.board(catalog).cells[0].color

    return before, after


def _pass(
    catalog: Catalog,
    ledger: Ledger,
    paths: list[Path],
    cells: list[Cell],
    as_of: dt.date,
    cancelled: set[str],
    contested: set[int] | None,
) -> tuple[_Tally, set[int]]:
    """One pass over the files: every line judged as `Ledger.entries` judges it, the kept ones tallied.

    One tight loop per chunk: a line of the usual shape (`_PROGRESS`/`_INSPECTION` key order,
    the types `add` writes) is judged readable and tallied from its unpacked values, without
    `_readable`'s generic checks or `_Tally.add`; any other line takes exactly those."""
    tally = _Tally(catalog, cells, as_of)
    slots = tally.slots
    buckets = [array("q") for _ in range(256)]
    seen_contested: set[str] = set()
    dates: dict[str, dt.date] = {}
    units: dict[str, bool] = {}
    loads = _fast_loads
    skipped = ledger.skipped
    fromisoformat = dt.date.fromisoformat
    progress_keys, inspection_keys, old_inspection_keys = _PROGRESS, _INSPECTION, _OLD_INSPECTION
    for path in paths:
        label = ledger.label(path)
        seen_here: set[str] = set()
        see = seen_here.add
        for first, lines, whole in read_batches(path):
            fast = whole and loads is not None
            for number, line in enumerate(lines, first):
                obj = None
                if fast:
                    try:
                        obj = loads(line)
                    except ValueError:
                        obj = None
                if type(obj) is not dict:  # anything unusual: exactly what `read_lines` would say
                    raw = _decode(number, line + b"\n" if whole else line)
                    if raw.obj is None:
                        if raw.problem:
                            skipped.append(Problem(label, number, raw.problem))
                        continue
                    obj = raw.obj
                # the usual shapes (True only when `_readable(obj)` is; else ask it)
                shape = 0
                keys = tuple(obj)
                if keys == progress_keys:
                    _, entry_id, kind, text, unit, activity, by, at, color, words, problems, nxt, metrics, evidence = obj.values()
                    if (
                        kind == "progress" and type(activity) is int and type(metrics) is dict and type(evidence) is list
                        and (color is None or type(color) is str)
                        and str is type(entry_id) is type(text) is type(unit) is type(by) is type(at) is type(words)
                        is type(problems) is type(nxt)
                    ):
                        ok = units.get(unit)
                        if ok is None:
                            ok = units[unit] = is_unit_id(unit)
                        if ok:
                            shape = 1
                            for value in metrics.values():
                                if type(value) is float:
                                    if value - value != 0.0:  # NaN, ±inf
                                        shape = 0
                                        break
                                elif type(value) is not int or not -_INT_LIMIT < value < _INT_LIMIT:
                                    shape = 0
                                    break
                            for item in evidence:
                                if type(item) is not str:
                                    shape = 0
                                    break
                elif keys in (inspection_keys, old_inspection_keys):
                    if keys == inspection_keys:
                        _, entry_id, kind, text, unit, activity, by, at, method, color, words, followup, due = obj.values()
                    else:
                        _, entry_id, kind, text, unit, activity, by, at, method, color, words, followup = obj.values()
                        due = None
                    if (
                        kind == "inspection" and type(activity) is int
                        and (method is None or type(method) is str) and (color is None or type(color) is str)
                        and (
                            followup is None or type(followup) is str
                            or (type(followup) is list and all(type(a) is str for a in followup))
                        )
                        and (due is None or type(due) is str)
                        and str is type(entry_id) is type(text) is type(unit) is type(by) is type(at) is type(words)
                    ):
                        ok = units.get(unit)
                        if ok is None:
                            ok = units[unit] = is_unit_id(unit)
                        if ok:
                            shape = 2
                if not shape:
                    if not _readable(obj):
                        skipped.append(Problem(label, number, "记录缺少字段或字段无效"))
                        continue
                    entry_id = obj["id"]
                    kind = obj["kind"]
                    text = obj["date"]
                day = dates.get(text)
                if day is None:
                    try:
                        day = fromisoformat(text)
                    except ValueError:
                        skipped.append(Problem(label, number, "记录缺少字段或字段无效"))
                        continue
                    dates[text] = day
                if entry_id in seen_here:
                    continue
                see(entry_id)
                h = hash(entry_id)
                if contested is None:
                    buckets[h & 255].append(h)
                elif h in contested:
                    if entry_id in seen_contested:
                        continue
                    seen_contested.add(entry_id)
                if day > as_of or entry_id in cancelled:
                    continue
                if shape == 1:  # as `_Tally.add` for a progress line
                    slot = slots.get((activity, unit))
                    if slot is None:
                        continue
                    sort_key = (day, at, entry_id)
                    if slot[0] is None or sort_key > slot[0]:
                        slot[0] = sort_key
                    if color is not None and (slot[6] is None or sort_key > slot[6]):
                        slot[6] = sort_key
                        slot[1] = color
                    if metrics:
                        for i, metric, low, high in slot[5]:
                            if low <= day <= high and metric in metrics:
                                value = metrics[metric]
                                acc = slot[4][i]
                                if type(value) is int:
                                    acc[0] += value
                                else:
                                    acc[1].append(value)
                elif shape == 2:  # as `_Tally.add` for an inspection line
                    slot = slots.get((activity, unit))
                    if slot is None:
                        continue
                    sort_key = (day, at, entry_id)
                    if slot[2] is None or sort_key > slot[2]:
                        slot[2] = sort_key
                        slot[3] = (day, color, method, followup)
                    if followup and followup != "none":  # asks for something: kept whole for `board.followups`
                        slot[7].append(Entry.from_record(obj))
                elif kind in _KINDS:
                    tally.add(obj, day)
    found: set[int] = set()
    if contested is None:
        for bucket in buckets:
            if len(set(bucket)) != len(bucket):
                found.update(h for h, n in Counter(bucket).items() if n > 1)
    return tally, found


_PROGRESS = tuple(RECORD_KEYS["progress"])
_INSPECTION = tuple(RECORD_KEYS["inspection"])
_OLD_INSPECTION = tuple(OLD_INSPECTION_KEYS)
_INT_LIMIT = 1 << 64


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


def _state_key(catalog: Catalog, ledger: Ledger, paths: list[Path], as_of: dt.date, cells: list[Cell]) -> tuple[str, bool]:
    """The cache key, and whether it may be trusted (no file changed in the last seconds)."""
    h = hashlib.blake2b(digest_size=20)
    h.update(f"{CACHE_VERSION}|{as_of.isoformat()}|{_catalog_digest(catalog)}|".encode())
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


def cached_board(catalog: Catalog, ledger: Ledger, as_of: dt.date, cells: Iterable[Cell] | None = None) -> Board:
    """`stream_board`, answered from `.shuangzheng-cache/` when no ledger file has changed."""
    cells = list(catalog.cells if cells is None else cells)
    paths = ledger.files()
    try:
        key, settled = _state_key(catalog, ledger, paths, as_of, cells)
    except OSError:
        return stream_board(catalog, ledger, as_of, cells, paths)
    cache = ledger.root / CACHE_DIR / "board.json"
    hit = _load(cache, key, as_of)
    if hit is not None:
        board, skipped = hit
        ledger.skipped.extend(skipped)
        return board
    before = len(ledger.skipped)
    board = stream_board(catalog, ledger, as_of, cells, paths)
    if settled:
        _save(cache, key, board, ledger.skipped[before:])
    return board


def _load(cache: Path, key: str, as_of: dt.date) -> tuple[Board, list[Problem]] | None:
    try:
        data = json.loads(cache.read_bytes())
        if data["key"] != key:
            return None
        cells = tuple(
            CellStatus(
                c[0], c[1], c[2], dt.date.fromisoformat(c[3]) if c[3] else None, c[4], tuple(c[5])
            )
            for c in data["cells"]
        )
        skipped = [Problem(p[0], p[1], p[2]) for p in data["skipped"]]
        return Board(as_of, cells), skipped
    except (OSError, ValueError, KeyError, TypeError, IndexError):
        return None  # no cache, or one that cannot be read: answer from the files


def _save(cache: Path, key: str, board: Board, skipped: list[Problem]) -> None:
    data = {
        "key": key,
        "cells": [
            [c.activity, c.unit, c.color, c.last_report.isoformat() if c.last_report else None, c.days_since, list(c.reasons)]
            for c in board.cells
        ],
        "skipped": [[p.path, p.line, p.message] for p in skipped],
    }
    tmp = None
    try:
        cache.parent.mkdir(exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=cache.parent, prefix=".board-", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(data, fh, ensure_ascii=False)
        os.replace(tmp, cache)
        tmp = None
    except OSError:
        pass  # a read-only workspace: no cache
    finally:
        if tmp is not None:
            with contextlib.suppress(OSError):
                os.unlink(tmp)
