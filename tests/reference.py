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
from shuangzheng_cli.ledger.reader import SAME_ID_WAY_OUT
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
    answers: list[tuple[str, int, dict]] = []
    lines_of: dict[str, list[tuple[dict, bool, str]]] = {}  # id -> every line with it (object, accepted, file's unit)
    notices: set[str] = set()  # messages of byte-identical repeats: `Problem.notice`
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
            if isinstance(entry_id, str) and not found:  # only a line that would count takes its id
                digest = hashlib.blake2b(line.rstrip(b"\r\n"), digest_size=16).digest()
                if entry_id in first_seen:
                    place, first, seen = first_seen[entry_id]
                    if seen == digest:
                        repeat = (
                            f"编号 {entry_id} 重复：与 {place}:{first} 完全相同（合并时产生的重复行，读取时只计一次）："
                            "无需处理，可照常提交和推送；不要删除这一行（已提交的记录删除后无法提交）"
                        )
                        found.append(repeat)
                        notices.add(repeat)  # listed, not counted
                    else:
                        found.append(f"编号 {entry_id} 重复：{place}:{first} 已有此编号但内容不同（读取时只用前一条）" + SAME_ID_WAY_OUT)
                else:
                    first_seen[entry_id] = (label, number, digest)
            if isinstance(entry_id, str):
                lines_of.setdefault(entry_id, []).append((obj, not found, unit_in_name))
            if not found and obj.get("kind") == "followup":
                answers.append((label, number, obj))
            if not found:
                accepted.append(Entry.from_record(obj, label, number))
                if obj.get("kind") == "void":
                    voids.append((label, number, obj["ref"], obj["unit"]))
            problems += [Problem(label, number, m, notice=m in notices) for m in found]
    for label, number, ref, unit in voids:
        kinds = {kind for u, kind in where.get(ref, set()) if u == unit}
        if not kinds:
            problems.append(Problem(label, number, f"作废的记录 {ref} 不存在（本单位的台账中没有这条记录；"
                                                   "作废记录须写在所指记录所在单位的台账里，不会生效）"))
        elif not kinds & {"progress", "inspection", "followup"}:
            problems.append(Problem(label, number, f"作废的记录 {ref} 本身是作废记录（不会生效）"))
    for label, number, obj in answers:
        mine = [(o, ok) for o, ok, u in lines_of.get(obj["ref"], []) if u == obj["unit"]]
        problems += [Problem(label, number, m) for m in _answer(obj, mine)]
    late = {(p.path, p.line) for p in problems}
    accepted = [e for e in accepted if (e.source, e.line) not in late or e.kind not in ("void", "followup")]
    cancelled = {(e.ref, e.unit) for e in accepted if e.kind == "void" and (e.source, e.line) not in
                 {(p.path, p.line) for p in problems}}
    entries = [e for e in accepted if e.kind == "void" or (e.id, e.unit) not in cancelled]
    return sorted(problems), entries


def reference_check(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    return reference_read(catalog, ledger, today)[0]




def _answer(obj: dict, lines: list[tuple[dict, bool]]) -> list[str]:
    """A follow-up against the first accepted inspection with its id, in its unit's files, that asks for something."""
    from shuangzheng_cli.ledger.format import RESULT_NEEDS, followup_asks, followup_label

    ref, result = obj["ref"], obj["result"]
    need = RESULT_NEEDS[result]
    asked = next((o for o, ok in lines if ok and o.get("kind") == "inspection" and followup_asks(o.get("followup"))), None)
    if asked is None:
        if lines:
            return [f"记录 {ref} 不是要求{need}的检查记录，不能记“{result}”"]
        return [f"所指的检查记录 {ref} 不存在（本单位的台账中没有这条记录；后续结果须写在所指记录所在单位的台账里）"]
    asks = followup_asks(asked.get("followup"))
    out = []
    if need not in asks:
        out.append(f"检查 {ref} 的后续处理是“{followup_label(asks)}”，没有要求{need}，不能记“{result}”")
    if asked["activity"] != obj["activity"]:
        out.append(f"检查 {ref} 针对活动 {asked['activity']}，这里写的是活动 {obj['activity']}")
    if obj["date"] < asked["date"]:
        out.append(f"日期 {obj['date']} 早于检查 {ref} 的日期 {asked['date']}")
    return out
