"""The slow reference reader, kept only in tests: every line read whole, through the full
validation, ids in a dict, voids matched in their own unit's files. `check`, the one reader and
the streamed board must give exactly its answers (the differential tests)."""

from __future__ import annotations

import datetime as dt
import hashlib
from pathlib import Path

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.errors import Problem
from shuangzheng_cli.ledger.check import _all_files, stray_files
from shuangzheng_cli.ledger.entries import at_problems, reference_problems, schema_problems
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.ledger.storage import Ledger, is_unit_id


def _reference_lines(path: Path) -> list[tuple[int, bytes, bool]]:
    """(number, bytes without the newline, whether it is a last line without one), read whole."""
    data = path.read_bytes().removeprefix(b"\xef\xbb\xbf")
    lines = data.split(b"\n")
    torn = lines[-1] != b""
    if not torn:
        lines.pop()
    return [(i, line, torn and i == len(lines)) for i, line in enumerate(lines, 1)]


def reference_read(
    catalog: Catalog, ledger: Ledger, today: dt.date, only_unit: str | None = None
) -> tuple[list[Problem], list[Entry]]:
    """`check` as a plain line-by-line loop: every line through the full validation, ids in a dict,
    voids matched in their own unit's files (the specification the one reader must equal)."""
    from shuangzheng_cli.ledger.reader import decode_line

    problems: list[Problem] = []
    first_seen: dict[str, tuple[str, int, bytes]] = {}
    where: dict[str, set[tuple[str, str]]] = {}
    voids: list[tuple[str, int, str, str]] = []
    accepted: list[Entry] = []
    for path in stray_files(ledger) if only_unit is None else []:
        problems.append(Problem(ledger.label(path), 0, "台账文件应放在 ledgers/<年份>/<单位编号>.jsonl，这里的文件不会被读取"))
    for path in _all_files(ledger):
        if only_unit is not None and path.name != f"{only_unit}.jsonl":
            continue  # one unit's files only, as a reader of one unit reads them
        label = ledger.label(path)
        year_dir, unit_in_name = path.parent.name, path.name.removesuffix(".jsonl")
        if not is_unit_id(unit_in_name):
            problems.append(Problem(label, 0, f"文件名 '{path.name}' 不是 单位编号.jsonl"))
        for number, line, last in _reference_lines(path):
            obj, why = decode_line(line, last)
            if obj is None:
                if why:
                    problems.append(Problem(label, number, why))
                continue
            found = schema_problems(obj) + at_problems(obj.get("at"), today)
            unit, activity, day = obj.get("unit"), obj.get("activity"), obj.get("date")
            try:
                day = dt.date.fromisoformat(day) if isinstance(day, str) and len(day) == 10 else None
            except ValueError:
                day = None
            found += reference_problems(unit, activity, day, catalog, today)
            if isinstance(unit, str) and unit != unit_in_name:
                found.append(f"记录属于单位 '{unit}'，却写在 {unit_in_name}.jsonl 中（应在 {unit}.jsonl）")
            if day is not None and str(day.year) != year_dir:
                found.append(f"记录日期 {day} 属于 {day.year} 年，却写在 {year_dir}/ 中（应在 ledgers/{day.year}/）")
            entry_id = obj.get("id")
            if isinstance(entry_id, str):
                where.setdefault(entry_id, set()).add((unit_in_name, str(obj.get("kind"))))
                digest = hashlib.blake2b(line.rstrip(b"\r\n"), digest_size=16).digest()
                if entry_id in first_seen:
                    place, first, seen = first_seen[entry_id]
                    if seen == digest:
                        found.append(f"编号 {entry_id} 重复：与 {place}:{first} 完全相同（合并时重复？读取时只计一次，可删去一行）")
                    else:
                        found.append(f"编号 {entry_id} 重复：{place}:{first} 已有此编号但内容不同（读取时只用前一条）")
                else:
                    first_seen[entry_id] = (label, number, digest)
            if not found:
                accepted.append(Entry.from_record(obj, label, number))
                if obj.get("kind") == "void":
                    voids.append((label, number, obj["ref"], obj["unit"]))
            problems += [Problem(label, number, m) for m in found]
    for label, number, ref, unit in voids:
        places = where.get(ref, set())
        kinds = {kind for u, kind in places if u == unit}
        if not places:
            problems.append(Problem(label, number, f"作废的记录 {ref} 不存在"))
        elif not kinds:
            units = "、".join(sorted({u for u, _ in places}))
            problems.append(Problem(
                label, number, f"作废的记录 {ref} 在单位 {units} 的台账中：作废记录须写在被作废记录所在单位的台账里（不会生效）"))
        elif not kinds & {"progress", "inspection"}:
            problems.append(Problem(label, number, f"作废的记录 {ref} 本身不是进展或检查记录（不会生效）"))
    cancelled = {(e.ref, e.unit) for e in accepted if e.kind == "void" and (e.source, e.line) not in
                 {(p.path, p.line) for p in problems}}
    entries = [e for e in accepted if e.kind == "void" or (e.id, e.unit) not in cancelled]
    return sorted(problems), entries


def reference_check(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    return reference_read(catalog, ledger, today)[0]


