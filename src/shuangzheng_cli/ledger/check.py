"""`check`: every problem in the ledgers, each with its `file:line`.

Like beancount's validations, a check never stops at the first problem: it reads everything
(file by file, in chunks) and returns the whole sorted list. The lines are judged by the one
reader (`reader.Scan`), with a sink that keeps nothing: what `check` rejects is exactly what
every reader skips. Memory stays flat but for 8 bytes per entry (8 MB at a million). Here are
only the file-level checks readers do not need: stray files, a `ledgers` that is not a folder.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import os
from pathlib import Path

from ..definitions.catalog import Catalog
from ..errors import Problem
from . import units
from .reader import Scan
from .storage import Ledger, open_ledger_file, pread


def check_ledgers(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    """Validate every line of every ledger file against format v1 and the definitions."""
    problems = check_lines(ledger, catalog, today)
    if ledger.dir.is_symlink() or not ledger.dir.is_dir():
        return problems
    for path in stray_files(ledger):
        problems.append(Problem(ledger.label(path), 0, "台账文件应放在 ledgers/<年份>/<单位编号>.jsonl，这里的文件不会被读取"))
    return sorted(problems)


def _all_files(ledger: Ledger) -> list[Path]:
    """Every `ledgers/<YYYY>/*.jsonl` path, whatever it is (a file, a link, a folder…)."""
    if not ledger.dir.is_dir():
        return []
    out = []
    for year_dir in sorted(ledger.dir.iterdir()):
        if year_dir.is_dir() and len(year_dir.name) == 4 and year_dir.name.isdigit():
            out += sorted(p for p in year_dir.iterdir() if p.name.endswith(".jsonl"))
    return out


def stray_files(ledger: Ledger) -> list[Path]:
    """`.jsonl` files under ledgers/ that are not at `ledgers/<YYYY>/<unit>.jsonl` (never read)."""
    if not ledger.dir.is_dir():
        return []
    placed = set(_all_files(ledger))
    return sorted(p for p in ledger.dir.rglob("*.jsonl") if p not in placed)


def torn_files(ledger: Ledger) -> list[Path]:
    """Ledger files whose last line has no newline (what `check --repair` mends)."""
    out = []
    for path in ledger.files():
        try:
            fd = open_ledger_file(path)
        except OSError:
            continue
        try:
            size = os.fstat(fd).st_size
            if size and pread(fd, 1, size - 1) != b"\n":
                out.append(path)
        finally:
            os.close(fd)
    return out


def check_lines(ledger: Ledger, catalog: Catalog | None, today: dt.date) -> list[Problem]:
    """Every problem of every ledger line and file (what `check` reports of the ledgers): the one
    reader with a sink that keeps nothing; a large ledger unit by unit on two cores
    (`units.check_units`), the same answer."""
    scan = Scan.of(ledger, catalog, today)
    size = 0
    for path in scan.files:
        with contextlib.suppress(OSError):
            size += os.stat(path, follow_symlinks=False).st_size
    if size >= units.PARALLEL_BYTES:
        found = units.check_units(ledger, catalog, today, scan.files)
        if found is not None:
            return sorted([*scan.problems, *found])
    _sink, problems = scan.run()
    return problems


__all__ = ["check_ledgers", "check_lines", "stray_files", "torn_files"]
