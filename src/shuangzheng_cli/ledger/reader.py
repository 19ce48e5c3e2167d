"""The one reader of the ledger files: every line judged once, entries and problems as data.

Beancount's loader is the model: a scan never raises on bad content and never mutates shared
state; it returns what it accepted beside the problems it met (`Problem`s with `file:line`).
`check` is this same scan with a sink that keeps nothing, so readers apply exactly the
lines `check` accepts and report the rest (issue 16.6):

1. `ledger_files`: the files under `ledgers/<YYYY>/`, with a problem for every symlink,
   folder, FIFO or device in their place (never opened, never followed).
2. `LineJudge`: one line → accepted (its parsed object) or its problems. The fast path
   (`fastcheck.FastChecker`) passes the usual shape; any other line takes the full validation
   (`schema` with pydantic, the catalog, its file's place), which words the problems.
3. `Scan.run`: the stage that applies duplicates and voids, once for every reader:
   - an id seen twice among the lines that would count (a union merge, a copied line): the
     first place in file order counts, every later one is skipped and reported; a later line
     byte-identical to the first (`REPEATED`, what a union merge leaves) only as a notice
     (`Problem.notice`), which no exit code, commit check or push check counts. A line rejected for
     another reason takes no id, so a copy put in the wrong file never hides the original.
     Ids are kept as 8-byte integers; a second pass over only the files that hold a repeated id
     words the messages and, if any, the scan runs again without those lines;
   - a `void` cancels the entry it names only in its own unit's files; a void whose entry is in
     no file of its unit is a problem and cancels nothing; a `followup` must name an inspection
     of its unit and activity that asks for what it reports (`format.REF_KINDS`).
   Every accepted line goes to the `sink` (`take(obj, file_index, number, voided)`); a line
   that names another and is found wrong only after the pass is taken back (`sink.reject`).

`read_entries` is the sink that keeps `Entry`s (history, the indexed board, reports); the
board's fact accumulator (`board.facts`) is the sink of the streamed board.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import os
import stat
from array import array
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from ..errors import Problem
from .format import (
    CONFLICT_PREFIXES,
    FACT_KINDS,
    MAX_LINE_BYTES,
    REF_KEY,
    REF_KINDS,
    RESULT_NEEDS,
    UNIT_ID_RE,
    VOIDABLE_KINDS,
    Entry,
    followup_asks,
    followup_label,
    id_code,
    iso_date,
)
from .storage import LONG_LINE, NotAFile, open_ledger_file, read_batches, read_blocks

if TYPE_CHECKING:  # the fast path (msgspec) is imported when a line is first judged, not by a listing
    from ..definitions.catalog import Catalog
    from ..periods import Period
    from .fastcheck import Line
    from .storage import Ledger

_BUCKETS = 256
_SPILL = 1 << 16  # ids kept in reading order before they are moved into buckets (`_Ids`)
_HASHED = 1 << 62  # codes of ids that are not 10 characters: a 62-bit hash, marked

TORN = "最后一行不完整（没有换行符，写入中断？）"


# ------------------------------------------------------------ files


def ledger_files(ledger: Ledger, unit: str | None = None, years: Iterable[int] | None = None) -> tuple[list[Path], list[Problem]]:
    """The ledger files `ledgers/<YYYY>/<name>.jsonl`, sorted (optionally one unit's, some years'),
    and a problem for each such path that is not a regular file (symlink, folder, FIFO, device)."""
    problems: list[Problem] = []
    root = ledger.dir
    if root.is_symlink():
        return [], [Problem("ledgers", 0, "ledgers 是符号链接：台账必须在工作区之内，未读取")]
    if not root.is_dir():
        if root.exists():
            problems.append(Problem("ledgers", 0, "ledgers 应是文件夹"))
        return [], problems
    wanted = set(years) if years is not None else None
    out: list[Path] = []
    with os.scandir(root) as found:
        year_dirs = sorted((e for e in found if len(e.name) == 4 and e.name.isdigit()), key=lambda e: e.name)
    for year_dir in year_dirs:
        name = year_dir.name
        if year_dir.is_symlink() or not year_dir.is_dir(follow_symlinks=False):
            continue
        if wanted is not None and int(name) not in wanted:
            continue
        base = Path(year_dir.path)
        if unit is not None:
            try:
                modes = [(base / f"{unit}.jsonl", os.lstat(base / f"{unit}.jsonl").st_mode)]
            except OSError:
                continue
        else:
            try:
                with os.scandir(year_dir.path) as found:  # the file type from the folder itself: no stat per file
                    modes = [(base / e.name, _mode(e)) for e in sorted(found, key=lambda e: e.name) if e.name.endswith(".jsonl")]
            except OSError:
                continue
        for path, mode in modes:
            label = f"ledgers/{name}/{path.name}"
            if stat.S_ISLNK(mode):
                problems.append(Problem(label, 0, "是符号链接：台账文件必须是工作区内的普通文件，未读取"))
            elif stat.S_ISDIR(mode):
                problems.append(Problem(label, 0, "是文件夹，不是台账文件"))
            elif not stat.S_ISREG(mode):
                problems.append(Problem(label, 0, "不是普通文件（管道、设备或套接字？），未读取"))
            else:
                out.append(path)
    return out, problems


def _mode(entry: os.DirEntry) -> int:
    """The file type of a folder entry (`stat.S_IF*`), from the folder listing where it says."""
    if entry.is_symlink():
        return stat.S_IFLNK
    if entry.is_dir(follow_symlinks=False):
        return stat.S_IFDIR
    if entry.is_file(follow_symlinks=False):
        return stat.S_IFREG
    return stat.S_IFIFO  # a FIFO, a device, a socket: never opened



def unreadable(label: str, exc: OSError) -> Problem:
    """A file that cannot be opened or read, in Chinese, naming it."""
    if isinstance(exc, NotAFile):
        return Problem(label, 0, "不是普通文件（管道、设备或套接字？），未读取")
    if isinstance(exc, PermissionError):
        return Problem(label, 0, "无法读取：没有权限（请检查文件权限）")
    return Problem(label, 0, f"无法读取：{exc.strerror or exc}")


# ------------------------------------------------------------ one line


def decode_line(line: bytes, last: bool) -> tuple[dict | None, str | None]:
    """One line's bytes (without its newline; `last`: the file's last line, which had none) →
    (the JSON object, None), or (None, why not) — (None, None) for a blank line."""
    if line == LONG_LINE or len(line) > MAX_LINE_BYTES:
        return None, f"一行超过 {MAX_LINE_BYTES} 字节，未读取（记录不会这么长：文件损坏或被篡改？）"
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line.strip():
        return None, None
    if line.startswith(CONFLICT_PREFIXES):
        return None, "git 合并冲突标记：请解决冲突后删除这一行"
    if b"\x00" in line:
        return None, "含有 NUL 字节（文件损坏？）"
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, not_utf8(exc.start)
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return None, TORN if last else f"不是有效的 JSON（{_json_reason(exc)}）"
    except RecursionError:  # [[[[…]]]] past Python's limit: no record nests like that
        return None, "不是有效的 JSON（括号嵌套过深，文件损坏或被篡改？）"
    if not isinstance(obj, dict):
        return None, "每行应是一个 JSON 对象 {…}"
    return obj, None


def not_utf8(offset: int) -> str:
    """The message for a line that is not UTF-8 (`offset`: the first bad byte in the line, from 0)."""
    return f"不是 UTF-8 编码（第 {offset + 1} 个字节处）：请用 UTF-8 保存"


#: The standard library's reasons for JSON it cannot parse (by how they begin), in Chinese.
_JSON_REASONS = (
    ("Expecting value", "缺少值"),
    ("Expecting property name", "键须用英文双引号括起"),
    ("Expecting ':'", "键后缺少英文冒号 :"),
    ("Expecting ','", "缺少英文逗号 , 或右括号"),
    ("Extra data", "一行只能有一个 JSON 对象，后面还有多余内容"),
    ("Unterminated string", "字符串缺少结尾的英文双引号"),
    ("Invalid control character", "字符串中有控制字符（如制表符，须写成 \\t）"),
    ("Invalid \\uXXXX", "无效的 \\u 转义"),
    ("Invalid \\escape", "无效的反斜杠转义"),
    ("Illegal trailing comma", "最后一项后面多了逗号"),
)


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        if exc.msg.startswith("Unexpected UTF-8 BOM"):
            return "行首有 BOM 字节顺序标记（多半是拼接记事本保存的文件时带进来的）：请删去"
        reason = next((chinese for english, chinese in _JSON_REASONS if exc.msg.startswith(english)), "格式错误")
        if exc.doc[exc.pos : exc.pos + 1] in ("}", "]") and exc.doc[: exc.pos].rstrip().endswith(","):
            reason = "最后一项后面多了逗号"
        return f"第 {exc.colno} 个字符处：{reason}"
    return "格式错误"


class LineJudge:
    """What `check` says of one line: the fast path, else the full validation (see the module)."""

    def __init__(self, catalog: Catalog | None, today: dt.date):
        from .fastcheck import FastChecker, line_of

        self.catalog = catalog
        self.today = today
        self.fast = FastChecker(catalog, today)
        self.line_of = line_of

    def full(self, line: bytes, last: bool, unit_in_name: str, year_dir: str) -> tuple[dict | None, list[str]]:
        """The full validation of a line the fast path did not pass: (object or None, problems)."""
        obj, why = decode_line(line, last)
        if obj is None:
            return None, [why] if why else []
        return obj, self.problems(obj, unit_in_name, year_dir)

    def problems(self, obj: dict, unit_in_name: str, year_dir: str) -> list[str]:
        """Everything wrong with one parsed line but its id (pydantic, the catalog, its place)."""
        from .entries import at_problems, reference_problems, schema_problems

        found = schema_problems(obj)
        found += at_problems(obj.get("at"), self.today)
        unit, activity, day = obj.get("unit"), obj.get("activity"), iso_date(obj.get("date"))
        if self.catalog is not None:
            found += reference_problems(unit, activity, day, self.catalog, self.today)
        if isinstance(unit, str) and unit != unit_in_name:
            found.append(f"记录属于单位 '{unit}'，却写在 {unit_in_name}.jsonl 中（应在 {unit}.jsonl）")
        if day is not None and str(day.year) != year_dir:
            found.append(f"记录日期 {day} 属于 {day.year} 年，却写在 {year_dir}/ 中（应在 ledgers/{day.year}/）")
        return found


def code_of(entry_id: str) -> int:
    """An id as an integer: `id_code` for the tool's 10-character ids (exact), else a marked 62-bit hash."""
    code = id_code(entry_id)
    if code is not None:
        return code
    digest = hashlib.blake2b(entry_id.encode("utf-8", "surrogatepass"), digest_size=8).digest()
    return _HASHED | (int.from_bytes(digest, "big") & (_HASHED - 1))


# ------------------------------------------------------------ the scan


class Sink(Protocol):
    def take(self, obj: Line, index: int, number: int, voided: bool) -> None: ...


class _Nothing:
    def take(self, obj: Line, index: int, number: int, voided: bool) -> None:
        pass


#: What the checks of voids and follow-ups read of the line that names another (`_Ref.obj`) and
#: of the line named (`seen_refs`): kept instead of whole lines, so memory does not grow with texts.
_REF_KEYS = ("kind", "unit", "activity", "date", "ref", "result")
_NAMED_KEYS = ("kind", "activity", "date", "followup")


def _slim(obj: Line | dict, keys: tuple[str, ...]) -> dict:
    """What `keys` name of a line (or of a JSON object), as a dict."""
    if isinstance(obj, dict):
        return {key: obj[key] for key in keys if key in obj}
    return {key: getattr(obj, key) for key in keys if hasattr(obj, key)}


@dataclass
class _Ref:
    """An accepted line that names another entry (a void, a follow-up), found before the main pass.
    Its line number is set by the main pass when it meets the line (the search does not count lines)."""

    obj: dict
    index: int
    own_id: str
    number: int = 0

    @property
    def ref(self) -> str:
        return self.obj["ref"]

    @property
    def unit(self) -> str:
        return self.obj["unit"]


@dataclass
class Scan:
    """One reading of some ledger files (see the module). `files` None: every file."""

    ledger: Ledger
    catalog: Catalog | None
    today: dt.date
    files: list[Path] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)  # about the files themselves
    ids: _Ids | None = None  # after `run`: the id of every line that counts (or would, but for a repeat)
    named: set[str] = field(default_factory=set)  # after `run`: the ids named by accepted voids and follow-ups
    #: the line judge (one may serve several scans of one process: what it remembers is reused)
    judge: LineJudge | None = None

    @classmethod
    def of(cls, ledger: Ledger, catalog: Catalog | None, today: dt.date, files: Sequence[Path] | None = None) -> Scan:
        if files is None:
            paths, problems = ledger_files(ledger)
        else:
            paths, problems = list(files), []
        return cls(ledger, catalog, today, paths, problems)

    def run(self, sink: Sink | None = None, make_sink: Any = None) -> tuple[Sink, list[Problem]]:
        """Every accepted line to the sink (`make_sink()` makes a fresh one when the scan must run
        again without lines found to be later duplicates); the sorted problems."""
        make = make_sink or (lambda: sink if sink is not None else _Nothing())
        judge = self.judge or LineJudge(self.catalog, self.today)
        labels = [self.ledger.label(p) for p in self.files]
        every = False  # the first search finds the lines that name another by their key; see `_refs`
        while True:
            refs = self._refs(judge, every)
            self.named = set(refs.by_ref)
            current = make()
            found, ids, seen_refs, missed = self._pass(judge, labels, refs, current, frozenset())
            if not missed or every:
                break
            every = True  # a line of REF_KINDS the search did not find (its key spelled with escapes)
        codes, holders = ids.duplicates()
        if codes:
            dup_problems, drops = self._duplicates(judge, labels, holders, codes)
            if drops:
                dropped = frozenset(drops)
                refs = refs.without(dropped)
                current = make()
                found, _ids, seen_refs, _missed = self._pass(judge, labels, refs, current, dropped)
            found += dup_problems
        late = self._ref_problems(refs.by_ref, seen_refs, labels)
        if late:
            reject = getattr(current, "reject", None)
            if reject is not None:
                reject({(p_index, p_number) for p_index, p_number, _ in late})
            found += [Problem(labels[i], n, m) for i, n, m in late]
        self.ids = ids
        return current, sorted([*self.problems, *found])

    def codes(self) -> array:
        """After `run`: the ids of `ids`, once each, as integers (`code_of`), sorted."""
        out: set[int] = set()
        for part in self.ids.all():  # type: ignore[union-attr]
            out.update(part)
        return array("Q", sorted(out))

    # -- the lines that name another (voids, follow-ups), before anything is counted

    def _refs(self, judge: LineJudge, every: bool) -> _Refs:
        """The accepted lines of `REF_KINDS`, before the main pass (a void must be known before the
        line it cancels is counted). Only lines holding `"ref"` (`format.REF_KEY`, which only those
        kinds have) are parsed; `every`: every line is (after the main pass met a line of those
        kinds the search missed: its key written with `\\u` escapes). Lines are not counted here
        (counting newlines would cost as much as the search): the main pass numbers these lines."""
        found = _Refs()
        needle = f'"{REF_KEY}"'.encode()
        for index, path in enumerate(self.files):
            unit_in_name, year_dir = path.name.removesuffix(".jsonl"), path.parent.name
            fast = judge.fast.for_file(unit_in_name, year_dir)
            try:
                for data, start, stop in read_blocks(path):
                    for begin in _line_starts(data, start, stop) if every else _lines_with(data, start, stop, needle):
                        end = data.find(b"\n", begin, stop)
                        if end < 0:
                            end = stop
                        line = data[begin:end]
                        obj: Any = fast(line) if len(line) <= MAX_LINE_BYTES else None
                        if obj is None:
                            obj, why = judge.full(line, end == len(data), unit_in_name, year_dir)
                            if obj is None or why:
                                continue
                        slim = _slim(obj, _REF_KEYS)
                        if slim["kind"] in REF_KINDS:
                            found.add(_Ref(slim, index, obj.id if not isinstance(obj, dict) else obj["id"]))
            except OSError:
                continue  # said by the main pass
        return found

    # -- the main pass

    def _pass(
        self, judge: LineJudge, labels: list[str], found_refs: _Refs, sink: Sink, dropped: frozenset
    ) -> tuple[list[Problem], _Ids, dict[str, list[tuple[str, str, dict | None]]], bool]:
        """Every line judged, its id kept, and each accepted one to the sink; and whether a line of
        `REF_KINDS` was accepted that `_refs` did not find (the caller then searches every line)."""
        problems: list[Problem] = []
        refs = found_refs.by_ref
        waiting = found_refs.waiting()  # (file, id) -> the lines of REF_KINDS found there, to number
        ref_kinds = frozenset(REF_KINDS)
        missed = False
        ids = _Ids()
        add_id = ids.codes.append
        cancel: dict[str, set[str]] = {}
        for ref, items in refs.items():
            cancel[ref] = {r.unit for r in items if r.obj["kind"] == "void"}
        # ref -> [(unit of the file, kind, the object if an accepted line)] wherever that id occurs
        seen_refs: dict[str, list[tuple[str, str, dict | None]]] = {}
        take = sink.take
        voidable = VOIDABLE_KINDS
        longest = MAX_LINE_BYTES  # a local: read for every line
        for index, path in enumerate(self.files):
            label = labels[index]
            unit_in_name, year_dir = path.name.removesuffix(".jsonl"), path.parent.name
            if not UNIT_ID_RE.fullmatch(unit_in_name):
                problems.append(Problem(label, 0, f"文件名 '{path.name}' 不是 单位编号.jsonl"))
            fast = judge.fast.for_file(unit_in_name, year_dir)
            ids.file(index)
            try:
                for first, lines, whole in read_batches(path):
                    last_number = first + len(lines) - 1
                    for number, line in enumerate(lines, first):
                        obj: Any = fast(line) if len(line) <= longest else None
                        voided = False
                        if obj is not None:  # the usual line: one id kept, one lookup of the names
                            entry_id = obj.id
                            add_id(int(entry_id, 36) if len(entry_id) == 10 else code_of(entry_id))
                            if entry_id in refs:
                                counted = (index, number) not in dropped
                                seen_refs.setdefault(entry_id, []).append((unit_in_name, obj.kind, _slim(obj, _NAMED_KEYS) if counted else None))
                                voided = obj.kind in voidable and obj.unit in cancel[entry_id]
                        else:
                            record, why = judge.full(line, not whole and number == last_number, unit_in_name, year_dir)
                            if record is None:
                                if why:
                                    problems.append(Problem(label, number, why[0]))
                                continue
                            entry_id = record.get("id")
                            if isinstance(entry_id, str):
                                if not why:  # only a line that counts takes its id (a rejected copy never hides the original)
                                    add_id(code_of(entry_id))
                                if entry_id in refs:
                                    counted = not why and (index, number) not in dropped
                                    seen_refs.setdefault(entry_id, []).append(
                                        (unit_in_name, str(record.get("kind")), _slim(record, _NAMED_KEYS) if counted else None)
                                    )
                            if why:
                                problems += [Problem(label, number, m) for m in why]
                                continue
                            obj = judge.line_of(record)
                            if entry_id in refs:
                                voided = obj.kind in voidable and obj.unit in cancel[entry_id]
                        if obj.kind in ref_kinds:
                            here = waiting.get((index, entry_id))
                            if here:
                                here.pop(0).number = number
                            else:
                                missed = True
                        if dropped and (index, number) in dropped:
                            continue
                        take(obj, index, number, voided)
            except OSError as exc:
                problems.append(unreadable(label, exc))
        ids.file(-1)
        if any(waiting.values()):  # found by the search, not met now: the file changed in between
            missed = True
        return problems, ids, seen_refs, missed

    def _ref_problems(
        self, refs: dict[str, list[_Ref]], seen_refs: dict[str, list[tuple[str, str, dict | None]]], labels: list[str]
    ) -> list[tuple[int, int, str]]:
        """What is wrong with each accepted void or follow-up against the entry it names: (file, line, message)."""
        out = []
        for ref, items in refs.items():
            where = seen_refs.get(ref, [])
            for r in items:
                messages = _void_problems(r, where) if r.obj["kind"] == "void" else _followup_problems(r, where)
                out += [(r.index, r.number, m) for m in messages]
        return out

    # -- duplicates

    def _duplicates(
        self, judge: LineJudge, labels: list[str], holders: set[int], codes: set[int]
    ) -> tuple[list[Problem], set[tuple[int, int]]]:
        """The second pass over the files that hold a repeated id among their accepted lines: where
        each was first accepted, and the places of every later accepted line with that id (which no
        reader counts). A line with other problems takes no id (it does not count anyway)."""
        problems: list[Problem] = []
        drops: set[tuple[int, int]] = set()
        seen: dict[str, tuple[str, int, bytes]] = {}
        for index, path in enumerate(self.files):
            if index not in holders:
                continue
            label = labels[index]
            unit_in_name, year_dir = path.name.removesuffix(".jsonl"), path.parent.name
            fast = judge.fast.for_file(unit_in_name, year_dir)
            try:
                for first, lines, whole in read_batches(path):
                    for number, line in enumerate(lines, first):
                        obj: Any = fast(line) if len(line) <= MAX_LINE_BYTES else None
                        if obj is not None:
                            entry_id = obj.id
                        else:
                            record, why = judge.full(line, not whole and number == first + len(lines) - 1, unit_in_name, year_dir)
                            if record is None or why:
                                continue
                            entry_id = record.get("id")
                        if isinstance(entry_id, str) and code_of(entry_id) in codes:
                            problem = _first_seen(seen, entry_id, label, number, line)
                            if problem:
                                problems.append(problem)
                                drops.add((index, number))
            except OSError:
                continue  # said in the first pass
        return problems, drops


class _Refs:
    """What `Scan._refs` found: the lines naming each id (ref -> lines), and every accepted line
    of `REF_KINDS` (dropped duplicates too: the main pass meets them and numbers them)."""

    def __init__(self) -> None:
        self.by_ref: dict[str, list[_Ref]] = {}
        self.every: list[_Ref] = []

    def add(self, ref: _Ref) -> None:
        self.by_ref.setdefault(ref.ref, []).append(ref)
        self.every.append(ref)

    def waiting(self) -> dict[tuple[int, str], list[_Ref]]:
        """(file index, the line's own id) -> its lines in file order, for the main pass to number."""
        out: dict[tuple[int, str], list[_Ref]] = {}
        for ref in self.every:
            out.setdefault((ref.index, ref.own_id), []).append(ref)
        return out

    def without(self, dropped: frozenset) -> _Refs:
        """These lines but those at the places `dropped` (later duplicates: they name nothing)."""
        out = _Refs()
        out.every = self.every
        for ref in self.every:
            if (ref.index, ref.number) not in dropped:
                out.by_ref.setdefault(ref.ref, []).append(ref)
        return out


def _lines_with(data: bytes, start: int, stop: int, needle: bytes) -> Iterator[int]:
    """Where each line of `data[start:stop]` that holds `needle` begins, in order."""
    pos = data.find(needle, start, stop)
    while pos >= 0:
        yield data.rfind(b"\n", start, pos) + 1 or start
        end = data.find(b"\n", pos, stop)
        if end < 0:
            return
        pos = data.find(needle, end, stop)


def _line_starts(data: bytes, start: int, stop: int) -> Iterator[int]:
    """Where every line of `data[start:stop]` begins."""
    yield start
    pos = data.find(b"\n", start, stop)
    while pos >= 0:
        yield pos + 1
        pos = data.find(b"\n", pos + 1, stop)


NOT_IN_UNIT = "本单位的台账中没有这条记录；{what}须写在所指记录所在单位的台账里"


def _void_problems(r: _Ref, where: list[tuple[str, str, dict | None]]) -> list[str]:
    """A void must name an entry (not a void) in its own unit's files (looked for there only, so a
    unit's files are read alone with the same answer)."""
    kinds = {kind for unit, kind, _ in where if unit == r.unit}
    if not kinds:
        return [f"作废的记录 {r.ref} 不存在（{NOT_IN_UNIT.format(what='作废记录')}，不会生效）"]
    if not kinds & set(VOIDABLE_KINDS):
        return [f"作废的记录 {r.ref} 本身是作废记录（不会生效）"]
    return []


def _followup_problems(r: _Ref, where: list[tuple[str, str, dict | None]]) -> list[str]:
    """A follow-up names an inspection of its own unit's files that asks for what it answers
    (已约谈 needs 约谈, …), of the same activity, on or before its date."""
    obj = r.obj
    ref, result = obj["ref"], obj["result"]
    need = RESULT_NEEDS[result]
    mine = [(kind, o) for unit, kind, o in where if unit == r.unit]
    asked = next((o for kind, o in mine if o is not None and kind == "inspection" and followup_asks(o.get("followup"))), None)
    if asked is None:
        if mine:
            return [f"记录 {ref} 不是要求{need}的检查记录，不能记“{result}”"]
        return [f"所指的检查记录 {ref} 不存在（{NOT_IN_UNIT.format(what='后续结果')}）"]
    asks = followup_asks(asked.get("followup"))
    out = []
    if need not in asks:
        out.append(f"检查 {ref} 的后续处理是“{followup_label(asks)}”，没有要求{need}，不能记“{result}”")
    if asked["activity"] != obj["activity"]:
        out.append(f"检查 {ref} 针对活动 {asked['activity']}，这里写的是活动 {obj['activity']}")
    if obj["date"] < asked["date"]:
        out.append(f"日期 {obj['date']} 早于检查 {ref} 的日期 {asked['date']}")
    return out


#: a later line byte-identical to an earlier one (what a union merge makes when two clones wrote the
#: same line, e.g. imported the same workbook): readers skip it like any later duplicate, but nothing
#: is wrong or lost, so it is a notice (`Problem.notice`): `check` lists it and passes, the commit
#: check and the shared repository accept it. Deleting it is not the way out: a committed line may
#: not be removed (`ledger.history`), so the message says to leave it.
REPEATED = (
    "编号 {id} 重复：与 {where}:{first} 完全相同（合并时产生的重复行，读取时只计一次）："
    "无需处理，可照常提交和推送；不要删除这一行（已提交的记录删除后无法提交）"
)


#: What to do about a later line with an earlier line's id but other bytes, when a merge joined two
#: clones' versions of one record: the append-only check lets one of them be removed while the
#: other, already committed, stays (`history.growth_breaches`).
SAME_ID_WAY_OUT = "；两处各自记了同一条（如导入同一份工作簿时填的导入人不同）合并而成的，删去其中你这边的那一行后提交、推送即可，另一行照常计入"


def real_problems(problems: Iterable[Problem]) -> list[Problem]:
    """`problems` without the notices (`Problem.notice`: the byte-identical repeats)."""
    return [p for p in problems if not p.notice]


def _first_seen(seen: dict[str, tuple[str, int, bytes]], entry_id: str, label: str, number: int, line: bytes) -> Problem | None:
    """None for the first line with `entry_id`; for a later one, the problem (a notice when it is
    the same bytes: `REPEATED`)."""
    digest = hashlib.blake2b(line.rstrip(b"\r\n"), digest_size=16).digest()
    if entry_id not in seen:
        seen[entry_id] = (label, number, digest)
        return None
    where, first, seen_digest = seen[entry_id]
    if seen_digest == digest:
        return Problem(label, number, REPEATED.format(id=entry_id, where=where, first=first), notice=True)
    return Problem(label, number, f"编号 {entry_id} 重复：{where}:{first} 已有此编号但内容不同（读取时只用前一条）" + SAME_ID_WAY_OUT)


class _Ids:
    """Every id seen, as its integer (`code_of`): 8 bytes each, in reading order, with where each
    file's begin. Past `_SPILL` ids (a whole large ledger read as one) they are moved, file by
    file, into 256 arrays by their low bits, each with the index of its file beside it, so that
    finding repeats never holds a set of every id."""

    def __init__(self) -> None:
        self.codes = array("Q")  # the ids of the files since the last move, in order
        self.starts: list[tuple[int, int]] = []  # (position in `codes`, file index) of each file's first id
        self.buckets: list[array] | None = None  # after a move: ids by their low bits
        self.files: list[array] = []  # beside each bucket: the file of each id

    def file(self, index: int) -> None:
        """The ids that follow are of the file `index` (-1: no more files)."""
        if len(self.codes) > _SPILL:
            self._move()
        if index >= 0:
            self.starts.append((len(self.codes), index))

    def _move(self) -> None:
        if self.buckets is None:
            self.buckets = [array("Q") for _ in range(_BUCKETS)]
            self.files = [array("L") for _ in range(_BUCKETS)]
        buckets, files, mask = self.buckets, self.files, _BUCKETS - 1
        for (start, index), (stop, _next) in zip(self.starts, [*self.starts[1:], (len(self.codes), -1)], strict=True):
            for code in self.codes[start:stop]:
                buckets[code & mask].append(code)
                files[code & mask].append(index)
        del self.codes[:]  # in place: the reader appends through the array's own method
        self.starts = []

    def all(self) -> Iterator[array]:
        """The ids, in parts."""
        if self.buckets is not None:
            yield from self.buckets
        yield self.codes

    def duplicates(self) -> tuple[set[int], set[int]]:
        """The codes seen more than once and the files that hold them."""
        if self.buckets is None:
            codes = self.codes
            if len(set(codes)) == len(codes):  # the usual case: no Python loop over the ids
                return set(), set()
        self._move()
        codes: set[int] = set()
        files: set[int] = set()
        for bucket, where in zip(self.buckets, self.files, strict=True):  # type: ignore[arg-type]
            if len(set(bucket)) == len(bucket):
                continue
            seen: set[int] = set()
            repeated: set[int] = set()
            for code in bucket:
                if code in seen:
                    repeated.add(code)
                seen.add(code)
            codes |= repeated
            files.update(where[i] for i, code in enumerate(bucket) if code in repeated)
        return codes, files


# ------------------------------------------------------------ entries


@dataclass
class Reading:
    """What a reading gives: the entries, sorted by (date, at, id), and the problems met (each a line skipped)."""

    entries: list[Entry]
    problems: list[Problem]
    #: the ids of the entries cancelled by a void (among those read)
    voided: set[str] = field(default_factory=set)
    #: the ids of the lines read that count (or would, but for a repeat): `held_elsewhere` asks
    ids: _Ids | None = field(default=None, repr=False, compare=False)


class _Entries:
    def __init__(self, labels: list[str], keep: Any):
        self.labels = labels
        self.keep = keep
        self.out: list[Entry] = []
        self.voided: set[str] = set()

    def take(self, obj: Line, index: int, number: int, voided: bool) -> None:
        if voided:
            self.voided.add(obj.id)
        if self.keep(obj, voided):
            self.out.append(Entry.from_line(obj, self.labels[index], number))

    def reject(self, places: set[tuple[int, int]]) -> None:
        """Take back lines found wrong after the pass (a void or follow-up whose entry does not fit)."""
        gone = {(self.labels[i], n) for i, n in places}
        self.out = [e for e in self.out if (e.source, e.line) not in gone]


def read_entries(
    ledger: Ledger,
    catalog: Catalog | None,
    today: dt.date,
    *,
    files: Sequence[Path] | None = None,
    period: Period | None = None,
    activity: int | None = None,
    until: dt.date | None = None,
    include_voided: bool = False,
    kinds: Iterable[str] = FACT_KINDS,
) -> Reading:
    """The accepted entries of the files (all by default), sorted by (date, at, id), and the problems."""
    scan = Scan.of(ledger, catalog, today, files)
    wanted = frozenset(kinds)
    first = period.start.isoformat() if period is not None else None
    last = period.end.isoformat() if period is not None else None
    upto = until.isoformat() if until is not None else None

    def keep(obj: Line, voided: bool) -> bool:
        if obj.kind not in wanted or (voided and not include_voided):
            return False
        if activity is not None and obj.activity != activity:
            return False
        day = obj.date
        if first is not None and not first <= day <= last:  # type: ignore[operator]
            return False
        return upto is None or day <= upto

    labels = [ledger.label(p) for p in scan.files]
    sink, problems = scan.run(make_sink=lambda: _Entries(labels, keep))
    out = sink.out  # type: ignore[attr-defined]
    out.sort(key=lambda e: e.sort_key)
    return Reading(out, problems, sink.voided, scan.ids)  # type: ignore[attr-defined]


def held_elsewhere(ledger: Ledger, files: Sequence[Path], ids: _Ids | None) -> bool:
    """Whether an id of `ids` (read from `files`: one unit's, or a few units') may also be held by
    a line of another file that comes before one of them (a copied line), which would make the
    line of `files` a later repeat (`Scan.run`); then only reading the ledger as one tells which
    line counts. Found from the other files' bytes, without parsing them: the value after each
    `"id": "`. True also when a file cannot be told that way (a `\\u` escape anywhere, an `"id"`
    key written otherwise): the caller reads the ledger as one, which is exact anyway.
    Memory: one file's bytes at a time; time: about 1 ns a byte of the files before."""
    if ids is None:
        return True
    codes: set[int] = set()
    for part in ids.all():
        codes.update(part)
    if not codes:
        return False
    exact = {_id_text(code) for code in codes if code < _HASHED}  # the tool's ids, as their 10 bytes
    hashed = {code for code in codes if code >= _HASHED}
    every, _problems = ledger_files(ledger)
    ours = set(files)
    last = max((i for i, path in enumerate(every) if path in ours), default=-1)
    for path in every[:last]:
        if path in ours:
            continue
        try:
            with os.fdopen(open_ledger_file(path), "rb") as fh:  # as the reader opens: no symlink, no FIFO
                data = fh.read()
        except OSError:
            return True
        if b"\\u" in data:  # an escape could spell an id (or its key) otherwise
            return True
        values = data.split(b'"id": "')[1:]
        if len(values) != data.count(b'"id"'):
            return True
        if not exact.isdisjoint(value[:10] for value in values):  # (a longer id with those 10 first bytes: read as one)
            return True
        if hashed and any(code_of(v[: v.find(b'"')].decode("utf-8", "replace")) in hashed for v in values if v[10:11] != b'"'):
            return True
    return False


_DIGITS36 = b"0123456789abcdefghijklmnopqrstuvwxyz"


def _id_text(code: int) -> bytes:
    """A 10-character id from its `format.id_code`."""
    out = bytearray(10)
    for i in range(9, -1, -1):
        code, digit = divmod(code, 36)
        out[i] = _DIGITS36[digit]
    return bytes(out)


def skipped_note(problems: Sequence[Problem]) -> str | None:
    """The one line a reading command prints when lines were skipped (None when none were). A
    byte-identical repeat (`Problem.notice`) is skipped too, but loses nothing: it is not counted."""
    problems = real_problems(problems)
    if not problems:
        return None
    return f"注意：台账中有 {len(problems)} 行未通过检查，未计入（首处 {problems[0].place}）。运行 shuangzheng check 查看原因。"
