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
import os
import re
import stat
import time
import warnings
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from ..errors import LedgerError, UsageProblem, os_reason
from ..periods import Period
from .format import (
    BOM,
    CONFLICT_PREFIXES,
    ID_ALPHABET,
    ID_LENGTH,
    KINDS,
    MAX_LINE_BYTES,
    UNIT_ID_RE,
    Entry,
)

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog
    from .reader import Reading

_UNIT_RE = UNIT_ID_RE
_YEAR_RE = re.compile(r"\d{4}")
CHUNK = 1 << 20  # files are read in 1 MB chunks: memory stays flat whatever their size
#: What `read_blocks` gives in place of a line longer than `MAX_LINE_BYTES` (never read whole):
#: not JSON, so the line is rejected, and the reader says why.
LONG_LINE = b"\x00\x00<line too long>"
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


def _rest_of_line(fd: int, offset: int, path: Path, limit: int) -> bytes:
    """The end of a line a writer may still be writing (a write over a page boundary becomes
    visible in parts): wait for its lock, then read on to the newline (at most `limit` bytes).
    Nothing when the lock is held past the lock timeout; what is there when the line really
    has no newline (a crash, or Notepad's last line)."""
    try:
        release = ledger_lock(fd, path, lock_timeout())
    except OSError:
        return b""
    if release is None:
        return b""
    try:
        rest = b""
        while len(rest) <= limit:
            chunk = pread(fd, 1 << 16, offset + len(rest))
            end = chunk.find(b"\n")
            if end >= 0:
                return rest + chunk[: end + 1]
            if not chunk:
                return rest
            rest += chunk
        return rest
    finally:
        release()

def read_batches(path: Path) -> Iterator[tuple[int, list[bytes], bool]]:
    """The lines of one file in chunks: (number of the first, lines without their newline, whether
    the last of them had its newline). As `read_blocks` reads: not following a symlink, a BOM
    dropped from line 1, a line past `MAX_LINE_BYTES` given as `LONG_LINE`, a last line without its
    newline waited for (a writer's lock) and read to its newline."""
    number = 1
    for data, start, stop in read_blocks(path):
        lines = data[start:stop].split(b"\n")
        yield number, lines, stop < len(data)  # a block ends before its last newline unless torn
        number += len(lines)


class NotAFile(OSError):
    """A ledger path that is not a regular file (a FIFO, a device, a socket): never read."""


def open_ledger_file(path: Path) -> int:
    """A read-only descriptor of a regular ledger file: not through a symlink, never blocking on a
    FIFO or a device (`NotAFile`); `PermissionError` and other `OSError` as raised."""
    fd = os.open(
        path,
        os.O_RDONLY | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0) | getattr(os, "O_NONBLOCK", 0),
    )
    if not stat.S_ISREG(os.fstat(fd).st_mode):
        os.close(fd)
        raise NotAFile(errno.EINVAL, "不是普通文件")
    return fd


def read_blocks(path: Path) -> Iterator[tuple[bytes, int, int]]:
    """The lines of one file, unsplit: `data[start:stop]` is whole lines joined by their newlines
    (without the last one). Memory stays bounded: a line longer than `MAX_LINE_BYTES` is skipped
    in chunks, never held whole, and given as the one line `LONG_LINE`."""
    fd = open_ledger_file(path)
    try:
        first = True
        offset = 0
        rest = b""
        skipping = False  # inside a line past MAX_LINE_BYTES: drop bytes up to its newline
        while True:
            chunk = os.read(fd, CHUNK)
            if not chunk:
                break
            offset += len(chunk)
            if skipping:
                cut = chunk.find(b"\n")
                if cut < 0:
                    continue
                skipping = False
                yield LONG_LINE + b"\n", 0, len(LONG_LINE)
                chunk = chunk[cut + 1 :]
                first = False
                if not chunk:
                    continue
            data = rest + chunk if rest else chunk
            cut = data.rfind(b"\n")
            if cut < 0:
                if len(data) > MAX_LINE_BYTES:
                    skipping, rest = True, b""
                else:
                    rest = data
                continue
            rest = data[cut + 1 :]
            start = len(BOM) if first and data.startswith(BOM) else 0
            first = False
            yield data, start, cut
            if len(rest) > MAX_LINE_BYTES:
                skipping, rest = True, b""
        if skipping:
            yield LONG_LINE, 0, len(LONG_LINE)
        elif rest:
            rest += _rest_of_line(fd, offset, path, MAX_LINE_BYTES + 1)
            if first and rest.startswith(BOM):
                rest = rest[len(BOM) :]
            if len(rest) > MAX_LINE_BYTES:
                yield LONG_LINE, 0, len(LONG_LINE)
            else:
                yield rest, 0, len(rest) - 1 if rest.endswith(b"\n") else len(rest)
    finally:
        os.close(fd)


class Ledger:
    """The ledger files of one workspace (台账).

    `catalog`: the definitions used to validate what is appended; loaded from
    `<root>/data/` on first need when not given (skipped if the workspace has none).
    """

    def __init__(self, root: Path | str, catalog: Catalog | None = None):
        self.root = Path(root)
        self.dir = self.root / "ledgers"
        self._catalog = catalog

    @property
    def catalog(self) -> Catalog | None:
        if self._catalog is None and (self.root / "data" / "activities.yaml").is_file():
            from ..definitions.catalog import Catalog

            self._catalog = Catalog.load(self.root)
        return self._catalog

    # ------------------------------------------------------------ places

    def label(self, path: Path) -> str:
        """A path as shown to people: relative to the workspace, with forward slashes."""
        text, root = str(path), self._root_prefix
        if text.startswith(root):  # the usual case, without pathlib's slower `relative_to`
            return text[len(root) :].replace(os.sep, "/")
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return text

    @property
    def _root_prefix(self) -> str:
        root = str(self.root)
        return root if root.endswith(os.sep) else root + os.sep

    def path_for(self, unit: str, day: dt.date) -> Path:
        """`ledgers/<YYYY>/<unit>.jsonl`; a unit that is not an id never becomes a path."""
        if not is_unit_id(unit):
            raise LedgerError(f"单位编号 {unit!r} 不合规（应为 units.yaml 中的编号，如 xcb），拒绝写入", code=2)
        return self.dir / f"{day.year:04d}" / f"{unit}.jsonl"

    def files(self, unit: str | None = None, years: Iterable[int] | None = None) -> list[Path]:
        """Ledger files (regular files only), sorted; optionally only one unit's or some years'.
        What is left out (symlinks, folders, FIFOs…) is said by `reader.ledger_files`."""
        from .reader import ledger_files

        if unit is not None and not is_unit_id(unit):
            raise LedgerError(f"单位编号 {unit!r} 不合规（应为 units.yaml 中的编号，如 xcb）", code=2)
        return ledger_files(self, unit, years)[0]

    # ------------------------------------------------------------ reading

    def read(
        self,
        *,
        period: Period | None = None,
        unit: str | Iterable[str] | None = None,
        activity: int | None = None,
        until: dt.date | None = None,
        include_voided: bool = False,
        kinds: Iterable[str] = ("progress", "inspection", "followup"),
        today: dt.date | None = None,
    ) -> Reading:
        """The entries `check` accepts, sorted by (date, at, id), voids and duplicates applied,
        and the problems of every line skipped (`reader.read_entries`).

        `unit`: one unit id or several (their files in every year: a void lives in its unit's files).
        `today`: for the date rules (default: today).
        """
        from ..periods import today as today_
        from .reader import Reading, held_elsewhere, ledger_files, read_entries

        units = [unit] if isinstance(unit, str) else list(unit) if unit is not None else None
        if units is None:
            files, problems = ledger_files(self)
        else:
            files, problems = [], []
            for u in dict.fromkeys(units):
                if not is_unit_id(u):
                    raise LedgerError(f"单位编号 {u!r} 不合规（应为 units.yaml 中的编号，如 xcb）", code=2)
                found, said = ledger_files(self, u)
                files += found
                problems += said
        options = {"period": period, "activity": activity, "until": until, "include_voided": include_voided, "kinds": kinds}
        day = today or today_()
        reading = read_entries(self, self.catalog, day, files=files, **options)  # type: ignore[arg-type]
        if units is not None and held_elsewhere(self, files, reading.ids):  # type: ignore[arg-type]
            # an id of these units' files is also in another unit's file read before (a copied line):
            # which of the two counts is decided by reading the ledger as one, as `check` does
            labels = {self.label(p) for p in files}
            whole = read_entries(self, self.catalog, day, **options)  # type: ignore[arg-type]
            reading = Reading(
                [e for e in whole.entries if e.source in labels], [p for p in whole.problems if p.path in labels], whole.voided
            )
        reading.problems[:0] = problems
        return reading

    def entries(self, **options: object) -> list[Entry]:
        """`read(...)`'s entries alone (the problems dropped): for the Python API."""
        return self.read(**options).entries  # type: ignore[arg-type]

    def find(self, entry_id: str) -> Entry | None:
        return self.find_many([entry_id]).get(entry_id)

    def find_many(self, entry_ids: Iterable[str]) -> dict[str, Entry]:
        """The accepted entries with these ids (any kind, voided or not), in one reading."""
        wanted = set(entry_ids)
        return {e.id: e for e in self.read(include_voided=True, kinds=KINDS).entries if e.id in wanted}

    def void(
        self, entry_ids: str | Sequence[str], reason: str, *, date: dt.date | str | None = None, by: str | None = None
    ) -> list[Entry]:
        """Cancel entries (作废): append a `void` entry naming each; the entries stay in their files.

        Each void goes to its entry's unit file, dated no earlier than it. All or nothing:
        `UsageProblem` naming every id that is unknown, a void itself, or already voided.
        """
        from ..periods import parse_date, today
        from .entries import void_entry
        from .format import typed_id

        keys = list(dict.fromkeys(typed_id(i) for i in ([entry_ids] if isinstance(entry_ids, str) else entry_ids)))
        targets = self.find_many(keys)
        issues = []
        voided: dict[str, set[str]] = {}  # unit -> the ids its voids cancel
        for key in keys:
            target = targets.get(key)
            if target is None:
                issues.append(f"找不到编号为 '{key}' 的记录（用 shuangzheng history --all 查看编号）")
            elif target.kind == "void":
                issues.append(f"{key} 本身是一条作废记录（{target.place}），不能再作废")
            else:
                if target.unit not in voided:
                    voided[target.unit] = self.read(unit=target.unit, include_voided=True, kinds=KINDS).voided
                if key in voided[target.unit]:
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
        unterminated: set[Path] = set()
        newlines: dict[Path, int] = {}  # lines before this call (newlines), counted in the scan
        releases: list[Callable[[], None]] = []
        try:
            for path in sorted(by_path):
                fd = self._open_for_append(path)
                opened.append((path, fd, -1))
                releases.append(self._lock(fd, path))
                size = os.fstat(fd).st_size
                newlines[path], bad = scan_for_append(fd, size)
                if bad is not None:
                    label = self.label(path)
                    raise LedgerError(f"{label}:{bad[0]}: {bad[1].replace('{file}', label)}")
                if size and pread(fd, 1, size - 1) != b"\n":
                    if not _complete_record(_last_line(fd, size)):
                        raise LedgerError(f"{self.label(path)} 最后一行不完整（上次写入被中断？），为免数据混乱已拒绝追加：{REPAIR_HINT}")
                    unterminated.add(path)  # a whole record without its newline: write the newline first
                opened[-1] = (path, fd, size)
            placed: dict[int, Entry] = {}
            current: Path | None = None
            current_fd = -1
            try:
                for path, fd, _size in opened:
                    current, current_fd = path, fd
                    line_no = newlines[path]
                    for n, entry in enumerate(by_path[path]):
                        data = encode_line(entry)
                        if n == 0 and path in unterminated:
                            data = b"\n" + data
                            line_no += 1
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
                    reason = os_reason(exc)
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
            raise LedgerError(f"无法写入 {label}（{os_reason(exc)}），本次记录未写入") from None

    def _make_dirs(self, folder: Path) -> None:
        created = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError:
            raise LedgerError(f"无权在 {self.label(folder)} 创建文件夹（只读？）") from None
        except FileExistsError:
            raise LedgerError(f"{self.label(folder)} 不是文件夹") from None
        except OSError as exc:  # a read-only or full disk, a file where a folder should be
            raise LedgerError(f"无法创建文件夹 {self.label(folder)}（{os_reason(exc)}），本次记录未写入") from None
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
            raise LedgerError(f"无法锁定 {self.label(path)}（{os_reason(exc)}），本次记录未写入") from None
        if release is None:
            raise LedgerError(f"{self.label(path)} 正被另一个进程占用（已等待 {timeout:g} 秒）：请稍后重试")
        return release

    # ------------------------------------------------------------ repair

    def repair_torn(self, path: Path) -> tuple[int, Path] | None:
        """Move a torn last line to `<file>.torn` and leave the file ending at its last newline.

        Nothing is deleted: the fragment is appended (and synced) to the `.torn` file
        before the ledger file is cut. A last line that is a complete record (a JSON object:
        Notepad saves without the final newline) is never moved: its newline is added, and
        (0, the file itself) returned. Returns (bytes moved, torn file) or None if whole.
        """
        try:
            fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        except OSError as exc:
            raise LedgerError(f"无法修复 {self.label(path)}（{os_reason(exc)}），未做任何改动") from None
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
            if _complete_record(fragment):  # Notepad's last line: a record, only its newline missing
                os.lseek(fd, size, os.SEEK_SET)
                if os.write(fd, b"\n") != 1:
                    raise LedgerError(f"无法补写 {self.label(path)} 末尾的换行符，未做任何改动")
                os.fsync(fd)
                return 0, path
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
                raise LedgerError(f"无法写入 {self.label(torn)}（{os_reason(exc)}）：未修改 {self.label(path)}") from None
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


def _last_line(fd: int, size: int) -> bytes:
    """The bytes after the file's last newline (at most `MAX_LINE_BYTES` + 1 of them)."""
    start = max(0, size - MAX_LINE_BYTES - 1)
    tail = pread(fd, size - start, start)
    return tail[tail.rfind(b"\n") + 1 :]


def _complete_record(line: bytes) -> bool:
    """Whether a last line without its newline is a whole record (a JSON object), not a torn write."""
    line = line.removeprefix(BOM).rstrip(b"\r")
    if not line or len(line) > MAX_LINE_BYTES:
        return False
    try:
        return isinstance(json.loads(line), dict)
    except ValueError:
        return False


#: Why `append` refuses a file with git's conflict markers, and how to resolve them (after `file:line: `).
CONFLICT_REFUSAL = (
    "有未解决的 git 合并冲突标记（这一行以 {marker} 开头），本次记录未写入。解决办法：用记事本打开 {file}，"
    "删去以 <<<<<<<、=======、>>>>>>>（以及 |||||||）开头的标记行，标记之间两边的记录行都保留，保存；"
    "运行 shuangzheng check 确认通过；再运行 git add {file} 和 git commit -m \"解决合并冲突\"；然后重新记录"
)
_LINE_START_MARK = re.compile(rb"\n[<=>|]")  # where a conflict marker may begin: a line starting with one of its characters


def scan_for_append(fd: int, size: int) -> tuple[int, tuple[int, str] | None]:
    """One read of the whole file before `append` writes to it: (its newlines, i.e. the lines
    already there, and the first reason to write nothing — (line number, message without the
    file; `{file}` where it is to be named) — or None).

    The reasons, whichever comes first in the file: a byte that is not UTF-8 (as `check` counts it),
    a line beginning with a git conflict marker (`format.CONFLICT_PREFIXES`, as `check` sees it).
    The whole file is scanned: a conflict's hunk lies where the two sides differ, which is the end of
    the file only while both sides just appended; a line edited on one side puts it in the middle,
    and later merges put lines after it. Reading the file once serves the line count too, so the
    scan costs less than the second read it replaces (a regex for a newline before `<`, `=`, `>`
    or `|`, which no record line begins with, costs about 0.5 ms per MB)."""
    import codecs

    from .reader import not_utf8

    decoder = codecs.getincrementaldecoder("utf-8")()
    offset, lines, line_start = 0, 1, 0
    bom = size >= len(BOM) and pread(fd, len(BOM), 0) == BOM
    line_begins = True  # the next chunk starts a line
    while offset < size:
        chunk = pread(fd, min(CHUNK, size - offset), offset)
        if not chunk:
            break
        marker = _first_marker(fd, chunk, offset, line_begins, bom)
        pending = len(decoder.getstate()[0])
        bad: int | None = None
        try:
            decoder.decode(chunk, final=offset + len(chunk) >= size)
        except UnicodeDecodeError as exc:
            bad = offset - pending + exc.start
        if marker is not None and (bad is None or marker < bad):
            mark = pread(fd, 7, marker).decode("ascii")
            return 0, (lines + chunk.count(b"\n", 0, marker - offset), CONFLICT_REFUSAL.replace("{marker}", mark))
        if bad is not None:
            if bad >= offset:
                lines += chunk.count(b"\n", 0, bad - offset)
                last = chunk.rfind(b"\n", 0, bad - offset)
                if last >= 0:
                    line_start = offset + last + 1
            column = bad - line_start - (len(BOM) if bom and line_start == 0 else 0)
            return 0, (lines, f"{not_utf8(column)}。为免一个文件混用两种编码，本次记录未写入")
        lines += chunk.count(b"\n")
        last = chunk.rfind(b"\n")
        if last >= 0:
            line_start = offset + last + 1
        line_begins = chunk.endswith(b"\n")
        offset += len(chunk)
    return lines - 1, None


def _first_marker(fd: int, chunk: bytes, offset: int, line_begins: bool, bom: bool) -> int | None:
    """The file offset of the first line of `chunk` (read at `offset`) that begins with a conflict
    marker, or None. `line_begins`: the chunk starts a line. A marker cut by the chunk's end is read on."""
    first = len(BOM) if bom and offset == 0 else 0
    if (
        line_begins
        and chunk[first : first + 1] in (b"<", b"=", b">", b"|")
        and pread(fd, 7, offset + first).startswith(CONFLICT_PREFIXES)
    ):
        return offset + first
    for found in _LINE_START_MARK.finditer(chunk):
        start = offset + found.start() + 1
        if pread(fd, 7, start).startswith(CONFLICT_PREFIXES):
            return start
    return None


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
