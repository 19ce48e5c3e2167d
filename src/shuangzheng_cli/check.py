"""`check`: every problem in the definitions and the ledgers, each with its `file:line`.

Like beancount's validations, a check never stops at the first problem: it reads
everything and returns the whole sorted list.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from .catalog import Catalog
from .errors import Problem
from .ledger import Ledger, read_lines
from .models import Entry
from .record import reference_problems, schema_problems


def check_ledgers(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    """Validate every line of every ledger file against format v1 and the definitions."""
    problems: list[Problem] = []
    first_seen: dict[str, tuple[str, int, bytes]] = {}
    voids: list[tuple[str, int, str]] = []
    if ledger.dir.exists() and not ledger.dir.is_dir():
        return [Problem("ledgers", 0, "ledgers 应是文件夹")]
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
        try:
            lines = list(read_lines(path))
        except OSError as exc:
            problems.append(Problem(label, 0, f"无法读取：{exc.strerror}"))
            continue
        for raw in lines:
            if raw.obj is None:
                if raw.problem:
                    problems.append(Problem(label, raw.number, raw.problem))
                continue
            obj = raw.obj
            found = schema_problems(obj)
            unit, activity, day = obj.get("unit"), obj.get("activity"), _date(obj.get("date"))
            found += reference_problems(unit, activity, day, catalog, today)
            if isinstance(unit, str) and unit != unit_in_name:
                found.append(f"记录属于单位 '{unit}'，却写在 {unit_in_name}.jsonl 中")
            if day is not None and str(day.year) != year_dir:
                found.append(f"记录日期 {day} 属于 {day.year} 年，却写在 {year_dir}/ 中")
            entry_id = obj.get("id")
            if isinstance(entry_id, str):
                if entry_id in first_seen:
                    where, line, data = first_seen[entry_id]
                    same = data.rstrip(b"\r") == raw.data.rstrip(b"\r")
                    detail = "与之完全相同（合并时重复？读取时只计一次）" if same else "但内容不同"
                    found.append(f"编号 {entry_id} 重复：{where}:{line} 已有{detail}")
                else:
                    first_seen[entry_id] = (label, raw.number, raw.data)
            if obj.get("kind") == "void" and isinstance(obj.get("ref"), str):
                voids.append((label, raw.number, obj["ref"]))
            problems += [Problem(label, raw.number, message) for message in found]
    for label, line, ref in voids:
        if ref not in first_seen:
            problems.append(Problem(label, line, f"作废的记录 {ref} 不存在"))
    return sorted(problems)


def _all_files(ledger: Ledger) -> list[Path]:
    if not ledger.dir.is_dir():
        return []
    out = []
    for year_dir in sorted(ledger.dir.iterdir()):
        if year_dir.is_dir() and year_dir.name.isdigit():
            out += sorted(p for p in year_dir.iterdir() if p.name.endswith(".jsonl"))
    return out


def _date(value: object) -> dt.date | None:
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def torn_files(ledger: Ledger) -> list[Path]:
    out = []
    for path in _all_files(ledger):
        if path.is_file() and not path.is_symlink():
            data = path.read_bytes()
            if data and not data.endswith(b"\n"):
                out.append(path)
    return out


__all__ = ["check_ledgers", "torn_files", "Entry"]
