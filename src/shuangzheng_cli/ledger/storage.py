"""The append-only ledger (台账): `ledgers/<YYYY>/<unit-id>.jsonl`, one JSON object per line.

Writing: one line per `os.write` on a file opened with `O_APPEND`, under the file's exclusive
lock (`ledger_lock`), then `fsync`; a short or failed write is rolled back. Nothing ever rewrites or reorders a line:
a mistake is cancelled by a `void` entry. Reading: file by file, line by line, tolerant of
CRLF, a BOM, duplicated lines from a union merge and a torn last line (all reported by `check`).
"""

from __future__ import annotations

import datetime as dt
import errno
import hashlib
import json
import math
import os
import re
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LedgerError, Problem, UsageProblem
from ..periods import Period
from .format import ID_PATTERN, KINDS, Entry

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case: no i, l, o, u
ID_LENGTH = 10  # 50 bits: a collision in a million entries has odds of about 1 in 2,000
_UNIT_RE = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))
_YEAR_RE = re.compile(r"\d{4}")
CONFLICT_PREFIXES = (b"<<<<<<<", b"=======", b">>>>>>>", b"|||||||")
BOM = b"\xef\xbb\xbf"
CHUNK = 1 << 20  # files are read in 1 MB chunks: memory stays flat whatever their size
LOCK_TIMEOUT = 10.0  # seconds; `SHUANGZHENG_LOCK_TIMEOUT` overrides
REPAIR_HINT = "请先运行 `shuangzheng check --repair`（把不完整的末行移到旁边的 .torn 文件，不删除任何内容）"


def lock_timeout() -> float:
    """How long to wait for another process's lock (read at each call, so it can be set per run)."""
    try:
        return max(0.0, float(os.environ.get("SHUANGZHENG_LOCK_TIMEOUT", LOCK_TIMEOUT)))
    except ValueError:
        return LOCK_TIMEOUT


def ledger_lock(fd: int, path: Path, timeout: float) -> Callable[[], None] | None:
    """Take the exclusive lock of an open ledger file within `timeout` seconds; return its release.

    None when another process holds it past the timeout. The lock is the native lock of the
    descriptor, so it contends with any other holder of the file: `flock` of the whole file
    where `fcntl` exists (POSIX), else filelock's `lock_descriptor` (`LockFileEx` on Windows),
    and where the system has no native lock at all filelock's `SoftFileLock` on `<file>.lock`
    (removed on release). On POSIX `flock` is called directly: it is the primitive filelock
    uses there too, and importing filelock costs a process more than a whole `add`.
    """
    try:
        import fcntl
    except ImportError:
        return _portable_lock(fd, path, timeout)
    deadline = time.monotonic() + timeout
    while True:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return lambda: fcntl.flock(fd, fcntl.LOCK_UN)
        except BlockingIOError:
            if time.monotonic() >= deadline:
                return None
            time.sleep(0.001)


def _portable_lock(fd: int, path: Path, timeout: float) -> Callable[[], None] | None:
    """`ledger_lock` without `fcntl`: filelock's native lock of the descriptor, or its soft lock."""
    with warnings.catch_warnings():  # without fcntl it warns, in English, that only SoftFileLock exists
        warnings.simplefilter("ignore")
        import filelock

    deadline = time.monotonic() + timeout
    while True:
        try:
            if filelock.lock_descriptor(fd, blocking=False):
                return lambda: filelock.unlock_descriptor(fd)
        except OSError as exc:
            if exc.errno != errno.ENOSYS:
                raise
            soft = filelock.SoftFileLock(f"{path}.lock")
            try:
                soft.acquire(timeout=max(0.0, deadline - time.monotonic()), poll_interval=0.01)
            except filelock.Timeout:
                return None
            return soft.release
        if time.monotonic() >= deadline:
            return None
        time.sleep(0.001)


def pread(fd: int, size: int, offset: int) -> bytes:
    """`os.pread`, which Windows lacks: there a seek and a read (appends go to the end regardless)."""
    if hasattr(os, "pread"):
        return os.pread(fd, size, offset)
    os.lseek(fd, offset, os.SEEK_SET)
    return os.read(fd, size)


def is_unit_id(text: object) -> bool:
    """A unit id as in units.yaml (`[a-z][a-z0-9-]*`): the only thing that ever names a ledger file."""
    return isinstance(text, str) and _UNIT_RE.fullmatch(text) is not None


def new_id() -> str:
    """A fresh random id: unique across clones without coordination, short enough to type."""
    import secrets

    n = secrets.randbits(5 * ID_LENGTH)
    return "".join(ID_ALPHABET[(n >> (5 * i)) & 31] for i in range(ID_LENGTH))


def derived_id(*parts: str) -> str:
    """A stable id from content (e.g. an imported row), so importing twice adds nothing."""
    digest = hashlib.blake2b("\x1f".join(parts).encode("utf-8"), digest_size=8).digest()
    n = int.from_bytes(digest, "big")
    return "".join(ID_ALPHABET[(n >> (5 * i)) & 31] for i in range(ID_LENGTH))


def encode_line(entry: Entry) -> bytes:
    """The exact bytes of one ledger line: UTF-8, keys in the fixed order, LF."""
    return (json.dumps(entry.to_record(), ensure_ascii=False) + "\n").encode("utf-8")


@dataclass(frozen=True)
class RawLine:
    """One line of a ledger file as read: its number, its bytes, and the decoded object or why not."""

    number: int
    data: bytes
    obj: dict | None
    problem: str | None
    torn: bool = False


def read_lines(path: Path) -> Iterator[RawLine]:
    """Every line of one ledger file, streamed, decoded where possible; never raises on bad content.

    Opened without following a symlink (`check` reports symlinks; readers never follow them).
    A last line without its newline may be one another process is still writing: the
    reader waits for the writer's lock, reads the rest of that line, and stops there.
    """
    for number, lines, whole in read_batches(path):
        last = len(lines) - 1
        for i, line in enumerate(lines):
            yield _decode(number + i, line if i == last and not whole else line + b"\n")


def _rest_of_line(fd: int, offset: int, path: Path) -> bytes:
    """The end of a line a writer may still be writing (a write over a page boundary becomes
    visible in parts): wait for its lock, then read on to the newline. Nothing
    when the line is really torn (a crash) or the lock is held past the lock timeout."""
    try:
        release = ledger_lock(fd, path, lock_timeout())
    except OSError:
        return b""
    if release is None:
        return b""
    try:
        rest = b""
        while True:
            chunk = pread(fd, 1 << 16, offset + len(rest))
            end = chunk.find(b"\n")
            if end >= 0:
                return rest + chunk[: end + 1]
            if not chunk:
                return rest
            rest += chunk
    finally:
        release()


def read_batches(path: Path) -> Iterator[tuple[int, list[bytes], bool]]:
    """The lines of one file in chunks: (number of the first, lines without their newline, whether
    the last of them had its newline). Read as `ledger.read_lines` reads: not following a symlink,
    a BOM dropped from line 1, a last line without its newline waited for (a writer's lock) and
    read to its newline; what follows it is for the next reader."""
    number = 1
    for data, start, stop in read_blocks(path):
        lines = data[start:stop].split(b"\n")
        yield number, lines, stop < len(data)  # a block ends before its last newline unless torn
        number += len(lines)


def void_refs(paths: Iterable[Path]) -> set[str]:
    """Ids cancelled by a void entry, parsing only the lines that mention `"void"`.

    The same lines as `read_batches` gives, but searched in whole chunks (no split): a line is
    cut out only around a `"void"` found in it."""
    refs: set[str] = set()
    needle = b'"void"'
    for path in paths:
        for data, start, stop in read_blocks(path):
            pos = data.find(needle, start, stop)
            while pos >= 0:
                begin = data.rfind(b"\n", start, pos) + 1 or start
                end = data.find(b"\n", pos, stop)
                if end < 0:
                    end = stop
                try:
                    obj = json.loads(data[begin:end])
                except ValueError:
                    obj = None
                if isinstance(obj, dict) and obj.get("kind") == "void" and isinstance(obj.get("ref"), str):
                    refs.add(obj["ref"])
                pos = data.find(needle, end, stop)
    return refs


def read_blocks(path: Path) -> Iterator[tuple[bytes, int, int]]:
    """The lines `read_batches` gives, unsplit: `data[start:stop]` is whole lines joined by their
    newlines (without the last one)."""
    fd = os.open(path, os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0))
    try:
        first = True
        offset = 0
        rest = b""
        while True:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                break
            offset += len(chunk)
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                rest = data
                continue
            rest = data[cut + 1 :]
            start = len(BOM) if first and data.startswith(BOM) else 0
            first = False
            yield data, start, cut
        if rest:
            rest += _rest_of_line(fd, offset, path)
            if first and rest.startswith(BOM):
                rest = rest[len(BOM) :]
            yield rest, 0, len(rest) - 1 if rest.endswith(b"\n") else len(rest)
    finally:
        os.close(fd)


def _decode(i: int, raw: bytes) -> RawLine:
    if not raw.endswith(b"\n"):
        return RawLine(i, raw, None, "最后一行不完整（没有换行符，写入中断？）", True)
    line = raw[:-1]
    if line.endswith(b"\r"):
        line = line[:-1]
    if not line.strip():
        return RawLine(i, raw, None, None)
    if line.startswith(CONFLICT_PREFIXES):
        return RawLine(i, raw, None, "git 合并冲突标记：请解决冲突后删除这一行")
    if b"\x00" in line:
        return RawLine(i, raw, None, "含有 NUL 字节（文件损坏？）")
    try:
        text = line.decode("utf-8")
    except UnicodeDecodeError as exc:
        return RawLine(i, raw, None, f"不是 UTF-8 编码（第 {exc.start + 1} 个字节处）：请用 UTF-8 保存")
    try:
        obj = json.loads(text)
    except ValueError as exc:
        return RawLine(i, raw, None, f"不是有效的 JSON（{_json_reason(exc)}）")
    if not isinstance(obj, dict):
        return RawLine(i, raw, None, "每行应是一个 JSON 对象 {…}")
    return RawLine(i, raw, obj, None)


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"第 {exc.colno} 个字符处：{exc.msg}"
    return str(exc)


_READ_KINDS = KINDS
_TEXTS = ("at", "by", "text", "problems", "next")
_OPTIONAL_TEXTS = ("color", "method", "ref", "result", "due")


def _readable(obj: dict) -> bool:
    """Cheap shape check before a line becomes an `Entry` (full validation is `check`'s job).

    (Plain loops rather than generators: `status` and `add` ask it of every line.)
    """
    get = obj.get
    if get("kind") not in _READ_KINDS or not isinstance(get("id"), str) or not is_unit_id(get("unit")):
        return False
    activity = get("activity")
    if not isinstance(activity, int) or isinstance(activity, bool) or not isinstance(get("date"), str):
        return False
    for key in _TEXTS:
        if not isinstance(get(key, ""), str):
            return False
    for key in _OPTIONAL_TEXTS:
        value = get(key)
        if value is not None and not isinstance(value, str):
            return False
    followup = get("followup")  # one string (older lines) or a list of strings
    if followup is not None and not isinstance(followup, str):
        if not isinstance(followup, list):
            return False
        for item in followup:
            if not isinstance(item, str):
                return False
    metrics = get("metrics") or {}
    if not isinstance(metrics, dict):
        return False
    for value in metrics.values():
        if not _is_number(value):
            return False
    evidence = get("evidence") or []
    if not isinstance(evidence, list):
        return False
    return all(isinstance(item, str) for item in evidence)


def _is_number(value: object) -> bool:
    """A metric readers can add up: a finite number (not a bool, not past a float's range)."""
    if type(value) is float:
        return value - value == 0.0  # not NaN, not ±inf
    if isinstance(value, bool) or not isinstance(value, int | float):
        return False
    try:
        return math.isfinite(value)
    except OverflowError:
        return False


class Ledger:
    """The ledger files of one workspace (台账).

    `catalog`: the definitions used to validate what is appended; loaded from
    `<root>/data/` on first need when not given (skipped if the workspace has none).
    """

    def __init__(self, root: Path | str, catalog: Catalog | None = None):
        self.root = Path(root)
        self.dir = self.root / "ledgers"
        self._catalog = catalog
        #: problems met while reading (bad lines are skipped; `check` lists them)
        self.skipped: list[Problem] = []

    @property
    def catalog(self) -> Catalog | None:
        if self._catalog is None and (self.root / "data" / "activities.yaml").is_file():
            from ..definitions.catalog import Catalog

            self._catalog = Catalog.load(self.root)
        return self._catalog

    # ------------------------------------------------------------ places

    def label(self, path: Path) -> str:
        """A path as shown to people: relative to the workspace, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def path_for(self, unit: str, day: dt.date) -> Path:
        """`ledgers/<YYYY>/<unit>.jsonl`; a unit that is not an id never becomes a path."""
        if not is_unit_id(unit):
            raise LedgerError(f"单位编号 {unit!r} 不合规（应为 units.yaml 中的编号，如 xcb），拒绝写入", code=2)
        return self.dir / f"{day.year:04d}" / f"{unit}.jsonl"

    def files(self, unit: str | None = None, years: Iterable[int] | None = None) -> list[Path]:
        """Ledger files, sorted; optionally only one unit's or some years'. Symlinks are left out."""
        if unit is not None and not is_unit_id(unit):
            raise LedgerError(f"单位编号 {unit!r} 不合规（应为 units.yaml 中的编号，如 xcb）", code=2)
        if self.dir.is_symlink():  # as `append` and `check`: the ledger stays inside the workspace
            self.skipped.append(Problem("ledgers", 0, "是符号链接，已跳过（台账必须在工作区之内）"))
            return []
        if not self.dir.is_dir():
            return []
        wanted = set(years) if years is not None else None
        out = []
        for year_dir in sorted(self.dir.iterdir()):
            if not (_YEAR_RE.fullmatch(year_dir.name) and year_dir.is_dir()) or year_dir.is_symlink():
                continue
            if wanted is not None and int(year_dir.name) not in wanted:
                continue
            if unit is not None:
                candidate = year_dir / f"{unit}.jsonl"
                out += [candidate] if self._plain_file(candidate) else []
                continue
            out += sorted(p for p in year_dir.glob("*.jsonl") if self._plain_file(p))
        return out

    def _plain_file(self, path: Path) -> bool:
        if path.is_symlink():
            self.skipped.append(Problem(self.label(path), 0, "是符号链接，已跳过（台账文件必须是普通文件）"))
            return False
        if path.is_dir():
            self.skipped.append(Problem(self.label(path), 0, "是文件夹，不是台账文件，已跳过"))
            return False
        return path.is_file()

    # ------------------------------------------------------------ reading

    def iter_file(self, path: Path) -> Iterator[Entry]:
        """The well-formed entries of one file, in file order (bad lines noted in `skipped`)."""
        label = self.label(path)
        for raw in read_lines(path):
            if raw.obj is None:
                if raw.problem:
                    self.skipped.append(Problem(label, raw.number, raw.problem))
                continue
            try:
                if not _readable(raw.obj):
                    raise ValueError
                yield Entry.from_record(raw.obj, label, raw.number)
            except (KeyError, TypeError, ValueError):
                self.skipped.append(Problem(label, raw.number, "记录缺少字段或字段无效"))

    def voided(self, files: Sequence[Path] | None = None) -> set[str]:
        """Ids cancelled by a void entry (a quick streaming pass that parses only the void lines)."""
        return void_refs(files if files is not None else self.files())

    def entries(
        self,
        *,
        period: Period | None = None,
        unit: str | Iterable[str] | None = None,
        activity: int | None = None,
        until: dt.date | None = None,
        include_voided: bool = False,
        kinds: Iterable[str] = ("progress", "inspection", "followup"),
    ) -> list[Entry]:
        """Entries sorted by (date, at, id); voided ones left out unless asked for.

        `unit`: one unit id or several. A void may be dated in a later year than what it
        cancels, so voids are gathered from every file of the units asked about.
        """
        units = [unit] if isinstance(unit, str) else list(unit) if unit is not None else None
        files = self.files() if units is None else [p for u in dict.fromkeys(units) for p in self.files(unit=u)]
        cancelled = set() if include_voided else self.voided(files)
        wanted = set(kinds)
        seen: set[str] = set()
        out: list[Entry] = []
        for path in files:
            for entry in self.iter_file(path):
                if entry.id in seen:  # a union merge duplicated the line: count it once
                    continue
                seen.add(entry.id)
                if entry.kind not in wanted or entry.id in cancelled:
                    continue
                if activity is not None and entry.activity != activity:
                    continue
                if period is not None and entry.date not in period:
                    continue
                if until is not None and entry.date > until:
                    continue
                out.append(entry)
        out.sort(key=lambda e: e.sort_key)
        return out

    def find(self, entry_id: str) -> Entry | None:
        return self.find_many([entry_id]).get(entry_id)

    def find_many(self, entry_ids: Iterable[str]) -> dict[str, Entry]:
        """The entries with these ids (the first line of each), in one pass over the files."""
        wanted = set(entry_ids)
        found: dict[str, Entry] = {}
        for path in self.files():
            for entry in self.iter_file(path):
                if entry.id in wanted and entry.id not in found:
                    found[entry.id] = entry
                    if len(found) == len(wanted):
                        return found
        return found

    def void(
        self, entry_ids: str | Sequence[str], reason: str, *, date: dt.date | str | None = None, by: str | None = None
    ) -> list[Entry]:
        """Cancel entries (作废): append a `void` entry naming each; the entries stay in their files.

        Each void goes to its entry's unit file, dated no earlier than it. All or nothing:
        `UsageProblem` naming every id that is unknown, a void itself, or already voided.
        """
        from ..periods import parse_date, today
        from .entries import void_entry

        keys = list(dict.fromkeys(str(i).strip().lower() for i in ([entry_ids] if isinstance(entry_ids, str) else entry_ids)))
        targets = self.find_many(keys)
        issues = []
        for key in keys:
            target = targets.get(key)
            if target is None:
                issues.append(f"找不到编号为 '{key}' 的记录（用 shuangzheng history --all 查看编号）")
            elif target.kind == "void":
                issues.append(f"{key} 本身是一条作废记录（{target.place}），不能再作废")
            elif key in self.voided(self.files(unit=target.unit)):
                issues.append(f"{key} 已经作废过了（{target.place}）")
        if issues:
            raise UsageProblem("未作废任何记录：" + "；".join(issues) if len(keys) > 1 else issues[0])
        day = today() if date is None else date if isinstance(date, dt.date) else parse_date(date)
        entries = [void_entry(targets[k], reason, date=max(day, targets[k].date), by=by) for k in keys]
        return self.append(entries)

    # ------------------------------------------------------------ writing

    def validate(self, entries: Sequence[Entry], today: dt.date | None = None) -> None:
        """Raise `UsageProblem` naming every reason an entry cannot go into the ledger."""
        from ..periods import today as today_
        from .entries import validate

        catalog = self.catalog
        day = today or today_()
        problems: list[str] = []
        for entry in entries:
            found = validate(entry, catalog, day)
            problems += [f"{entry.id}：{p}" if len(entries) > 1 else p for p in found]
        if problems:
            raise UsageProblem("未写入：" + "；".join(problems))

    def append(self, entries: Sequence[Entry], *, validate: bool = True) -> list[Entry]:
        """Append entries, each as one line with one `os.write`, under an exclusive lock.

        Every entry is validated first (format v1 and, when the workspace has definitions,
        units, activities and dates), and must belong to the clone's write scope
        (`ledger.scope`: `git config shuangzheng.units`). All files touched are locked (in
        path order) before anything is written; if any write fails (disk full, short write),
        every file is cut back to its size before this call and the error says why: all or
        nothing.
        Returns the entries with their place (file, line) filled in.
        """
        if isinstance(entries, Entry):
            entries = [entries]
        if validate:
            self.validate(entries)
        from .scope import refuse_outside  # a liaison's clone writes only its own units' files

        refuse_outside(self.root, self.catalog, {entry.unit for entry in entries})
        by_path: dict[Path, list[Entry]] = {}
        for entry in entries:
            by_path.setdefault(self.path_for(entry.unit, entry.date), []).append(entry)
        opened: list[tuple[Path, int, int]] = []  # (path, fd, size before)
        releases: list[Callable[[], None]] = []
        try:
            for path in sorted(by_path):
                fd = self._open_for_append(path)
                opened.append((path, fd, -1))
                releases.append(self._lock(fd, path))
                size = os.fstat(fd).st_size
                if size and pread(fd, 1, size - 1) != b"\n":
                    raise LedgerError(f"{self.label(path)} 最后一行不完整（上次写入被中断？），为免数据混乱已拒绝追加：{REPAIR_HINT}")
                opened[-1] = (path, fd, size)
            placed: dict[int, Entry] = {}
            current: Path | None = None
            current_fd = -1
            try:
                for path, fd, size in opened:
                    current, current_fd = path, fd
                    line_no = _count_lines(fd, size)
                    for entry in by_path[path]:
                        data = encode_line(entry)
                        written = os.write(fd, data)
                        if written != len(data):
                            raise _ShortWrite(written, len(data))
                        line_no += 1
                        placed[id(entry)] = replace(entry, source=self.label(path), line=line_no)
                    os.fsync(fd)
            except (OSError, _ShortWrite) as exc:
                if isinstance(exc, _ShortWrite):  # the kernel writes what fits on a full disk
                    full = _no_room(current_fd, exc.wanted - exc.written)
                    reason = ("磁盘已满：" if full else "") + f"只写入了 {exc.written}/{exc.wanted} 字节"
                else:
                    reason = _os_reason(exc)
                for _path, fd, size in opened:
                    _truncate(fd, size)
                label = self.label(current) if current else "台账"
                raise LedgerError(f"写入 {label} 失败（{reason}），本次记录均未写入，文件保持原样") from None
            return [placed[id(e)] for e in entries]
        finally:
            for release in releases:
                release()
            for _path, fd, _size in opened:
                os.close(fd)

    def _open_for_append(self, path: Path) -> int:
        label = self.label(path)
        self._refuse_escape(path.parent)
        self._make_dirs(path.parent)
        self._refuse_escape(path)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            return os.open(path, flags, 0o644)
        except IsADirectoryError:
            raise LedgerError(f"{label} 是一个文件夹，不是台账文件：请移走它后重试") from None
        except PermissionError:
            raise LedgerError(f"无权写入 {label}（文件或文件夹只读？），本次记录未写入") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LedgerError(f"{label} 是符号链接，出于安全拒绝写入") from None
            raise LedgerError(f"无法写入 {label}（{_os_reason(exc)}），本次记录未写入") from None

    def _make_dirs(self, folder: Path) -> None:
        created = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError:
            raise LedgerError(f"无权在 {self.label(folder)} 创建文件夹（只读？）") from None
        except FileExistsError:
            raise LedgerError(f"{self.label(folder)} 不是文件夹") from None
        except OSError as exc:  # a read-only or full disk, a file where a folder should be
            raise LedgerError(f"无法创建文件夹 {self.label(folder)}（{_os_reason(exc)}），本次记录未写入") from None
        if created:
            _fsync_dir(folder.parent)

    def _refuse_escape(self, path: Path) -> None:
        """Refuse a path that resolves outside `<root>/ledgers/` (a symlinked file or folder)."""
        base = os.path.join(os.path.realpath(self.root), "ledgers")
        real = os.path.realpath(path)
        if os.path.commonpath([base, real]) != base:
            raise LedgerError(f"{self.label(path)} 指向工作区的 ledgers/ 之外（符号链接？），出于安全拒绝写入")

    def _lock(self, fd: int, path: Path) -> Callable[[], None]:
        """The file's exclusive lock (`ledger_lock`), or a message naming the file after the timeout."""
        timeout = lock_timeout()
        try:
            release = ledger_lock(fd, path, timeout)
        except OSError as exc:
            raise LedgerError(f"无法锁定 {self.label(path)}（{_os_reason(exc)}），本次记录未写入") from None
        if release is None:
            raise LedgerError(f"{self.label(path)} 正被另一个进程占用（已等待 {timeout:g} 秒）：请稍后重试")
        return release

    # ------------------------------------------------------------ repair

    def repair_torn(self, path: Path) -> tuple[int, Path] | None:
        """Move a torn last line to `<file>.torn` and leave the file ending at its last newline.

        Nothing is deleted: the fragment is appended (and synced) to the `.torn` file
        before the ledger file is cut. Returns (bytes moved, torn file) or None if whole.
        """
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise LedgerError(f"无法修复 {self.label(path)}（{_os_reason(exc)}），未做任何改动") from None
        release: Callable[[], None] | None = None
        try:
            release = self._lock(fd, path)
            size = os.fstat(fd).st_size
            if not size or pread(fd, 1, size - 1) == b"\n":
                return None
            tail = 1 << 16
            cut = 0
            while True:  # find the last newline without reading the whole file
                start = max(0, size - tail)
                chunk = pread(fd, size - start, start)
                pos = chunk.rfind(b"\n")
                if pos >= 0:
                    cut = start + pos + 1
                    break
                if start == 0:
                    break
                tail *= 2
            fragment = pread(fd, size - cut, cut)
            torn = path.with_name(path.name + ".torn")
            try:
                tfd = os.open(torn, os.O_WRONLY | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0), 0o644)
                try:
                    data = fragment + b"\n"
                    if os.write(tfd, data) != len(data):
                        raise LedgerError(f"无法完整写入 {self.label(torn)}：未修改 {self.label(path)}")
                    os.fsync(tfd)
                finally:
                    os.close(tfd)
            except OSError as exc:
                raise LedgerError(f"无法写入 {self.label(torn)}（{_os_reason(exc)}）：未修改 {self.label(path)}") from None
            os.ftruncate(fd, cut)
            os.fsync(fd)
            return len(fragment), torn
        finally:
            if release is not None:
                release()
            os.close(fd)


class _ShortWrite(Exception):
    def __init__(self, written: int, wanted: int):
        super().__init__(written, wanted)
        self.written = written
        self.wanted = wanted


_OS_REASONS = {
    errno.ENOSPC: "磁盘已满",
    errno.EDQUOT: "超出磁盘配额",
    errno.EROFS: "所在磁盘或文件夹是只读的",
    errno.EACCES: "没有权限",
    errno.EPERM: "没有权限",
    errno.EIO: "磁盘读写出错",
    errno.ENOTDIR: "路径中有一段不是文件夹",
}


def _os_reason(exc: OSError) -> str:
    """Why a write failed, in Chinese for the failures an office meets."""
    return _OS_REASONS.get(exc.errno or 0, exc.strerror or str(exc))


def _no_room(fd: int, needed: int) -> bool:
    """After a short write: is the disk (or quota) out of room for the rest?"""
    try:
        st = os.fstatvfs(fd)
    except (OSError, AttributeError):  # AttributeError: Windows has no fstatvfs
        return False
    return st.f_bavail * st.f_frsize < needed


def _truncate(fd: int, size: int) -> None:
    if size < 0:
        return
    try:
        os.ftruncate(fd, size)
        os.fsync(fd)
    except OSError:
        pass


def _count_lines(fd: int, size: int) -> int:
    count = 0
    offset = 0
    while offset < size:
        chunk = pread(fd, min(1 << 20, size - offset), offset)
        if not chunk:
            break
        count += chunk.count(b"\n")
        offset += len(chunk)
    return count


def _fsync_dir(folder: Path) -> None:
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
