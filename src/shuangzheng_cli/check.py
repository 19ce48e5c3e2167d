"""`check`: every problem in the definitions and the ledgers, each with its `file:line`.

Like beancount's validations, a check never stops at the first problem: it reads
everything (file by file, line by line) and returns the whole sorted list.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from .catalog import Catalog
from .errors import Problem
from .ledger import Ledger, RawLine, is_unit_id, read_lines
from .models import Entry
from .record import reference_problems, schema_problems


def check_ledgers(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    """Validate every line of every ledger file against format v1 and the definitions."""
    problems: list[Problem] = []
    first_seen: dict[str, tuple[str, int, bytes]] = {}  # id -> (file, line, digest of the line)
    voids: list[tuple[str, int, str]] = []
    if ledger.dir.is_symlink():
        return [Problem("ledgers", 0, "ledgers 是符号链接：台账必须在工作区之内")]
    if ledger.dir.exists() and not ledger.dir.is_dir():
        return [Problem("ledgers", 0, "ledgers 应是文件夹")]
    for path in stray_files(ledger):
        problems.append(Problem(ledger.label(path), 0, "台账文件应放在 ledgers/<年份>/<单位编号>.jsonl，这里的文件不会被读取"))
    for path in _all_files(ledger):
        label = ledger.label(path)
        if path.is_symlink():
            problems.append(Problem(label, 0, "是符号链接：台账文件必须是工作区内的普通文件"))
            continue
        if path.is_dir():
            problems.append(Problem(label, 0, "是文件夹，不是台账文件"))
            continue
        year_dir = path.parent.name
        unit_in_name = path.name.removesuffix(".jsonl")
        if not is_unit_id(unit_in_name):
            problems.append(Problem(label, 0, f"文件名 '{path.name}' 不是 单位编号.jsonl"))
        try:
            for raw in read_lines(path):
                if raw.obj is None:
                    if raw.problem:
                        problems.append(Problem(label, raw.number, raw.problem))
                    continue
                problems += [Problem(label, raw.number, m) for m in _line_problems(raw, label, year_dir, unit_in_name, catalog, today, first_seen, voids)]
        except OSError as exc:
            problems.append(Problem(label, 0, f"无法读取：{exc.strerror}"))
    for label, line, ref in voids:
        if ref not in first_seen:
            problems.append(Problem(label, line, f"作废的记录 {ref} 不存在"))
    return sorted(problems)


def _line_problems(
    raw: RawLine, label: str, year_dir: str, unit_in_name: str, catalog: Catalog, today: dt.date,
    first_seen: dict[str, tuple[str, int, bytes]], voids: list[tuple[str, int, str]],
) -> list[str]:
    obj = raw.obj or {}
    found = schema_problems(obj)
    unit, activity, day = obj.get("unit"), obj.get("activity"), _date(obj.get("date"))
    found += reference_problems(unit, activity, day, catalog, today)
    if isinstance(unit, str) and unit != unit_in_name:
        found.append(f"记录属于单位 '{unit}'，却写在 {unit_in_name}.jsonl 中（应在 {unit}.jsonl）")
    if day is not None and str(day.year) != year_dir:
        found.append(f"记录日期 {day} 属于 {day.year} 年，却写在 {year_dir}/ 中（应在 ledgers/{day.year}/）")
    entry_id = obj.get("id")
    if isinstance(entry_id, str):
        digest = hashlib.blake2b(raw.data.rstrip(b"\r\n"), digest_size=16).digest()
        if entry_id in first_seen:
            where, line, seen_digest = first_seen[entry_id]
            if seen_digest == digest:
                found.append(f"编号 {entry_id} 重复：与 {where}:{line} 完全相同（合并时重复？读取时只计一次，可删去一行）")
            else:
                found.append(f"编号 {entry_id} 重复：{where}:{line} 已有此编号但内容不同（读取时只用前一条）")
        else:
            first_seen[entry_id] = (label, raw.number, digest)
    if obj.get("kind") == "void" and isinstance(obj.get("ref"), str):
        voids.append((label, raw.number, obj["ref"]))
    return found


def _all_files(ledger: Ledger) -> list[Path]:
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


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def torn_files(ledger: Ledger) -> list[Path]:
    """Ledger files whose last line has no newline (what `check --repair` mends)."""
    out = []
    for path in _all_files(ledger):
        if path.is_file() and not path.is_symlink():
            size = path.stat().st_size
            if size:
                with path.open("rb") as fh:
                    fh.seek(size - 1)
                    if fh.read(1) != b"\n":
                        out.append(path)
    return out


__all__ = ["check_ledgers", "stray_files", "torn_files", "Entry"]
