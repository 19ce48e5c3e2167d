"""`check`: every problem in the definitions and the ledgers, each with its `file:line`.

Like beancount's validations, a check never stops at the first problem: it reads
everything (file by file, in chunks) and returns the whole sorted list.

Each line is parsed once (orjson when installed) and checked by the fast path of
`linecheck`; only a line that the fast path does not pass goes through the full
validation (pydantic, the catalog, the file's place), which words the problems. Ids are
kept as 8-byte integers (`id << 12 | file index`) in 256 arrays, sorted at the end: an id
that occurs twice sends a second pass over only the files that hold it, to name the
first place and say whether the lines are the same. Memory stays flat but for 8 bytes
per entry (8 MB at a million).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from array import array
from bisect import bisect_left
from pathlib import Path
from typing import Any

from ..definitions.catalog import Catalog
from ..errors import Problem
from .fastcheck import NOT_CODED, FastChecker, id_code
from .format import RESULT_NEEDS, day_or_none, followup_asks, followup_label
from .storage import Ledger, _decode, is_unit_id, read_batches

try:  # a faster parser when installed; the standard library otherwise (same answers)
    import orjson

    _loads: Any = orjson.loads
except ImportError:  # pragma: no cover - depends on the environment
    _loads = json.loads

FILE_BITS = 12  # file index in the low bits of an id's array value (ids take 52 bits)
_BUCKETS = 256


class _Ids:
    """Every id seen, and where: Crockford ids as integers in arrays, any other id in a dict."""

    def __init__(self, files: int):
        self.packed = files < (1 << FILE_BITS)
        self.buckets = [array("Q") for _ in range(_BUCKETS)]
        #: other ids (hand-made, older): id -> (file, line, digest), as the first place seen
        self.others: dict[str, tuple[str, int, bytes]] = {}

    def add(self, entry_id: str, index: int, label: str, number: int, line: bytes, found: list[str]) -> None:
        code = id_code(entry_id)
        if code is not None:
            self.buckets[code & (_BUCKETS - 1)].append(code << FILE_BITS | (index if self.packed else 0))
            return
        _first_seen(self.others, entry_id, label, number, line, found)

    def duplicates(self) -> tuple[set[int], set[int] | None]:
        """Sort the arrays; the codes seen more than once and the files that hold them (None: all)."""
        codes: set[int] = set()
        files: set[int] = set()
        mask = (1 << FILE_BITS) - 1
        for i, bucket in enumerate(self.buckets):
            if len(bucket) < 2:
                continue
            ordered = array("Q", sorted(bucket))
            self.buckets[i] = ordered
            prev = -1
            for value in ordered:
                code = value >> FILE_BITS
                if code == prev:
                    codes.add(code)
                prev = code
        if codes:
            for code in codes:
                bucket = self.buckets[code & (_BUCKETS - 1)]
                at = bisect_left(bucket, code << FILE_BITS)
                while at < len(bucket) and bucket[at] >> FILE_BITS == code:
                    files.add(bucket[at] & mask)
                    at += 1
        return codes, files if self.packed else None

    def __contains__(self, entry_id: str) -> bool:
        code = id_code(entry_id)
        if code is None:
            return entry_id in self.others
        bucket = self.buckets[code & (_BUCKETS - 1)]
        at = bisect_left(bucket, code << FILE_BITS)
        return at < len(bucket) and bucket[at] >> FILE_BITS == code


def _first_seen(
    seen: dict[str, tuple[str, int, bytes]], entry_id: str, label: str, number: int, line: bytes, found: list[str]
) -> None:
    digest = hashlib.blake2b(line.rstrip(b"\r\n"), digest_size=16).digest()
    if entry_id in seen:
        where, first, seen_digest = seen[entry_id]
        if seen_digest == digest:
            found.append(f"编号 {entry_id} 重复：与 {where}:{first} 完全相同（合并时重复？读取时只计一次，可删去一行）")
        else:
            found.append(f"编号 {entry_id} 重复：{where}:{first} 已有此编号但内容不同（读取时只用前一条）")
    else:
        seen[entry_id] = (label, number, digest)


def check_ledgers(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    """Validate every line of every ledger file against format v1 and the definitions."""
    if ledger.dir.is_symlink():
        return [Problem("ledgers", 0, "ledgers 是符号链接：台账必须在工作区之内")]
    if ledger.dir.exists() and not ledger.dir.is_dir():
        return [Problem("ledgers", 0, "ledgers 应是文件夹")]
    problems: list[Problem] = []
    for path in stray_files(ledger):
        problems.append(Problem(ledger.label(path), 0, "台账文件应放在 ledgers/<年份>/<单位编号>.jsonl，这里的文件不会被读取"))
    files = _all_files(ledger)
    ids = _Ids(len(files))
    voids: list[tuple[str, int, str]] = []
    asked: dict[str, tuple[str, int, tuple[str, ...], str]] = {}  # inspection id -> (unit, activity, asks, date)
    answers: list[tuple[str, int, dict[str, Any]]] = []  # followup lines
    fast = FastChecker(catalog, today)
    code_of = fast.code
    loads = _loads
    readable: list[int] = []  # indexes of the files read
    for index, path in enumerate(files):
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
        readable.append(index)
        add_id = ids.add
        buckets = ids.buckets
        packed_index = index if ids.packed else 0
        try:
            for first, lines, whole in read_batches(path):
                end = b"\n" if whole else b""  # a torn last line is never passed by the fast path
                for number, line in enumerate(lines, first):
                    try:
                        obj = loads(line) if whole else None
                    except ValueError:
                        obj = None
                    code = code_of(obj, unit_in_name, year_dir) if type(obj) is dict else None
                    if code is not None:
                        if code != NOT_CODED:  # `ids.add`, inlined for the common case
                            buckets[code & (_BUCKETS - 1)].append(code << FILE_BITS | packed_index)
                        else:
                            found: list[str] = []
                            add_id(obj["id"], index, label, number, line, found)
                            problems += [Problem(label, number, m) for m in found]
                        kind = obj["kind"]
                        if kind == "void":
                            voids.append((label, number, obj["ref"]))
                        elif kind != "progress":
                            _note_followup(obj, label, number, asked, answers)
                        continue
                    raw = _decode(number, line + end)
                    if raw.obj is None:
                        if raw.problem:
                            problems.append(Problem(label, number, raw.problem))
                        continue
                    found = _line_problems(raw.obj, year_dir, unit_in_name, catalog, today)
                    entry_id = raw.obj.get("id")
                    if isinstance(entry_id, str):
                        add_id(entry_id, index, label, number, line, found)
                    if raw.obj.get("kind") == "void" and isinstance(raw.obj.get("ref"), str):
                        voids.append((label, number, raw.obj["ref"]))
                    elif not found:
                        _note_followup(raw.obj, label, number, asked, answers)
                    problems += [Problem(label, number, m) for m in found]
        except OSError as exc:
            problems.append(Problem(label, 0, f"无法读取：{exc.strerror}"))
    codes, holders = ids.duplicates()
    if codes:
        problems += _duplicates(ledger, files, [i for i in readable if holders is None or i in holders], codes, loads)
    for label, line, ref in voids:
        if ref not in ids:
            problems.append(Problem(label, line, f"作废的记录 {ref} 不存在"))
    for label, line, obj in answers:
        problems += [Problem(label, line, m) for m in _answer_problems(obj, asked, ids)]
    return sorted(problems)


def _note_followup(
    obj: dict[str, Any], label: str, number: int,
    asked: dict[str, tuple[str, int, tuple[str, ...], str]], answers: list[tuple[str, int, dict[str, Any]]],
) -> None:
    """Keep what the cross-line check of follow-ups needs: inspections that ask for something, and followup lines."""
    kind = obj.get("kind")
    if kind == "inspection":
        asks = followup_asks(obj.get("followup"))
        if asks and isinstance(obj.get("id"), str):
            asked.setdefault(obj["id"], (obj.get("unit"), obj.get("activity"), asks, obj.get("date")))
    elif kind == "followup":
        answers.append((label, number, obj))


def _answer_problems(obj: dict[str, Any], asked: dict[str, tuple[str, int, tuple[str, ...], str]], ids: _Ids) -> list[str]:
    """A followup line against the inspection it names: it must exist, ask for what the result
    answers (已约谈 needs 约谈, …), and be of the same unit and activity, on or before its date."""
    ref, result = obj["ref"], obj["result"]
    need = RESULT_NEEDS[result]
    found = asked.get(ref)
    if found is None:
        if ref in ids:
            return [f"记录 {ref} 不是要求{need}的检查记录，不能记“{result}”"]
        return [f"所指的检查记录 {ref} 不存在"]
    unit, activity, asks, day = found
    out = []
    if need not in asks:
        out.append(f"检查 {ref} 的后续处理是“{followup_label(asks)}”，没有要求{need}，不能记“{result}”")
    if unit != obj["unit"]:
        out.append(f"检查 {ref} 属于单位 '{unit}'：后续结果应记在同一单位的台账中")
    elif activity != obj["activity"]:
        out.append(f"检查 {ref} 针对活动 {activity}，这里写的是活动 {obj['activity']}")
    if isinstance(day, str) and obj["date"] < day:
        out.append(f"日期 {obj['date']} 早于检查 {ref} 的日期 {day}")
    return out


def _duplicates(ledger: Ledger, files: list[Path], indexes: list[int], codes: set[int], loads: Any) -> list[Problem]:
    """The second pass, over the files that hold a repeated id: where each was first seen."""
    problems: list[Problem] = []
    seen: dict[str, tuple[str, int, bytes]] = {}
    for index in indexes:
        path = files[index]
        label = ledger.label(path)
        try:
            for first, lines, whole in read_batches(path):
                for number, line in enumerate(lines, first):
                    try:
                        obj = loads(line) if whole else None
                    except ValueError:
                        obj = None
                    if type(obj) is not dict:
                        obj = _decode(number, line + b"\n" if whole else line).obj
                        if obj is None:
                            continue
                    entry_id = obj.get("id")
                    if isinstance(entry_id, str) and id_code(entry_id) in codes:
                        found: list[str] = []
                        _first_seen(seen, entry_id, label, number, line, found)
                        problems += [Problem(label, number, m) for m in found]
        except OSError:
            continue  # said in the first pass
    return problems


def _line_problems(obj: dict, year_dir: str, unit_in_name: str, catalog: Catalog, today: dt.date) -> list[str]:
    """Everything wrong with one parsed line but its id (the full validation: pydantic and the catalog)."""
    from .entries import reference_problems, schema_problems

    found = schema_problems(obj)
    unit, activity, day = obj.get("unit"), obj.get("activity"), day_or_none(obj.get("date"))
    found += reference_problems(unit, activity, day, catalog, today)
    if isinstance(unit, str) and unit != unit_in_name:
        found.append(f"记录属于单位 '{unit}'，却写在 {unit_in_name}.jsonl 中（应在 {unit}.jsonl）")
    if day is not None and str(day.year) != year_dir:
        found.append(f"记录日期 {day} 属于 {day.year} 年，却写在 {year_dir}/ 中（应在 ledgers/{day.year}/）")
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


__all__ = ["check_ledgers", "stray_files", "torn_files"]
