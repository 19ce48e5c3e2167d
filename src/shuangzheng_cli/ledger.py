"""The append-only ledger (台账): `ledgers/<YYYY>/<unit-id>.jsonl`, one JSON object per line.

Writing: one line per `os.write` on a file opened with `O_APPEND`, under `flock`, then
`fsync`; a short write is rolled back. Nothing ever rewrites or reorders a line: a
mistake is cancelled by a `void` entry. Reading: file by file, tolerant of CRLF, a BOM,
duplicated lines from a union merge and a torn last line (all reported by `check`).
"""

from __future__ import annotations

import datetime as dt
import errno
import fcntl
import hashlib
import json
import os
import re
import secrets
import time
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

from .errors import LedgerError, Problem
from .models import ID_PATTERN, Entry
from .periods import Period

ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case: no i, l, o, u
ID_LENGTH = 10  # 50 bits: a collision in a million entries has odds of about 1 in 2,000
_UNIT_RE = re.compile(ID_PATTERN)
_YEAR_RE = re.compile(r"^\d{4}$")
CONFLICT_PREFIXES = (b"<<<<<<<", b"=======", b">>>>>>>", b"|||||||")
LOCK_TIMEOUT = float(os.environ.get("SHUANGZHENG_LOCK_TIMEOUT", "10"))


def new_id() -> str:
    """A fresh random id: unique across clones without coordination, short enough to type."""
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
    """Every line of one ledger file, decoded where possible; never raises on bad content."""
    data = path.read_bytes()
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    lines = data.split(b"\n")
    torn_last = lines[-1] != b""
    if not torn_last:
        lines.pop()
    for i, raw in enumerate(lines, start=1):
        torn = torn_last and i == len(lines)
        line = raw[:-1] if raw.endswith(b"\r") else raw
        if not line.strip():
            yield RawLine(i, raw, None, None if not torn else "最后一行不完整（写入中断？）", torn)
            continue
        if torn:
            yield RawLine(i, raw, None, "最后一行不完整（没有换行符，写入中断？）", True)
            continue
        if line.startswith(CONFLICT_PREFIXES):
            yield RawLine(i, raw, None, "git 合并冲突标记：请解决冲突后删除这一行")
            continue
        if b"\x00" in line:
            yield RawLine(i, raw, None, "含有 NUL 字节（文件损坏？）")
            continue
        try:
            text = line.decode("utf-8")
        except UnicodeDecodeError:
            yield RawLine(i, raw, None, "不是 UTF-8 编码")
            continue
        try:
            obj = json.loads(text)
        except ValueError as exc:
            yield RawLine(i, raw, None, f"不是有效的 JSON（{_json_reason(exc)}）")
            continue
        if not isinstance(obj, dict):
            yield RawLine(i, raw, None, "每行应是一个 JSON 对象 {…}")
            continue
        yield RawLine(i, raw, obj, None)


def _json_reason(exc: ValueError) -> str:
    if isinstance(exc, json.JSONDecodeError):
        return f"第 {exc.colno} 个字符处：{exc.msg}"
    return str(exc)


class Ledger:
    """The ledger files of one workspace."""

    def __init__(self, root: Path):
        self.root = Path(root)
        self.dir = self.root / "ledgers"
        #: problems met while reading (bad lines are skipped; `check` lists them)
        self.skipped: list[Problem] = []

    # ------------------------------------------------------------ places

    def label(self, path: Path) -> str:
        """A path as shown to people: relative to the workspace, with forward slashes."""
        try:
            return path.relative_to(self.root).as_posix()
        except ValueError:
            return str(path)

    def path_for(self, unit: str, day: dt.date) -> Path:
        if not _UNIT_RE.match(unit):  # unit ids come from units.yaml; never a path
            raise LedgerError(f"单位编号 '{unit}' 不合规，拒绝写入")
        return self.dir / f"{day.year:04d}" / f"{unit}.jsonl"

    def files(self, unit: str | None = None, years: Iterable[int] | None = None) -> list[Path]:
        """Ledger files, sorted; optionally only one unit's or some years'."""
        if not self.dir.is_dir():
            return []
        wanted = set(years) if years is not None else None
        out = []
        for year_dir in sorted(self.dir.iterdir()):
            if not (_YEAR_RE.match(year_dir.name) and year_dir.is_dir()):
                continue
            if wanted is not None and int(year_dir.name) not in wanted:
                continue
            if unit is not None:
                candidate = year_dir / f"{unit}.jsonl"
                if candidate.is_file():
                    out.append(candidate)
                continue
            out += sorted(p for p in year_dir.glob("*.jsonl") if p.is_file())
        return out

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
                yield Entry.from_record(raw.obj, label, raw.number)
            except (KeyError, TypeError, ValueError):
                self.skipped.append(Problem(label, raw.number, "记录缺少字段或字段无效"))

    def voided(self, files: Sequence[Path] | None = None) -> set[str]:
        """Ids cancelled by a void entry (a quick pass that parses only the void lines)."""
        refs: set[str] = set()
        for path in files if files is not None else self.files():
            for raw in path.read_bytes().split(b"\n"):
                if b'"void"' not in raw:
                    continue
                try:
                    obj = json.loads(raw)
                except ValueError:
                    continue
                if isinstance(obj, dict) and obj.get("kind") == "void" and isinstance(obj.get("ref"), str):
                    refs.add(obj["ref"])
        return refs

    def entries(
        self,
        *,
        period: Period | None = None,
        unit: str | Iterable[str] | None = None,
        activity: int | None = None,
        until: dt.date | None = None,
        include_voided: bool = False,
        kinds: Iterable[str] = ("progress", "inspection"),
    ) -> list[Entry]:
        """Entries sorted by (date, at, id); voided ones left out unless asked for.

        A void may be dated in a later year than what it cancels, so voids are gathered
        from every file of the units asked about.
        """
        units = [unit] if isinstance(unit, str) else list(unit) if unit is not None else None
        files = self.files() if units is None else [p for u in units for p in self.files(unit=u)]
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
        for path in self.files():
            for entry in self.iter_file(path):
                if entry.id == entry_id:
                    return entry
        return None

    # ------------------------------------------------------------ writing

    def append(self, entries: Sequence[Entry]) -> list[Entry]:
        """Append entries, each as one line with one `os.write`, under an exclusive lock.

        All lines for one file are written under one lock; if a write fails (disk full,
        read-only), that file is cut back to its size before this call and the error says why.
        Returns the entries with their place (file, line) filled in.
        """
        by_path: dict[Path, list[Entry]] = {}
        for entry in entries:
            by_path.setdefault(self.path_for(entry.unit, entry.date), []).append(entry)
        done: list[Entry] = []
        for path, batch in by_path.items():
            done += self._append_file(path, batch)
        return done

    def _append_file(self, path: Path, batch: list[Entry]) -> list[Entry]:
        label = self.label(path)
        self._make_dirs(path.parent)
        self._refuse_escape(path)
        flags = os.O_RDWR | os.O_APPEND | os.O_CREAT | getattr(os, "O_NOFOLLOW", 0) | getattr(os, "O_CLOEXEC", 0)
        try:
            fd = os.open(path, flags, 0o644)
        except IsADirectoryError:
            raise LedgerError(f"{label} 是一个文件夹，不是台账文件：请移走它后重试") from None
        except PermissionError:
            raise LedgerError(f"无权写入 {label}（文件或文件夹只读？）") from None
        except OSError as exc:
            if exc.errno == errno.ELOOP:
                raise LedgerError(f"{label} 是符号链接，出于安全拒绝写入") from None
            raise LedgerError(f"无法打开 {label}：{exc.strerror}") from None
        try:
            self._lock(fd, label)
            size = os.fstat(fd).st_size
            if size and os.pread(fd, 1, size - 1) != b"\n":
                raise LedgerError(
                    f"{label} 最后一行不完整（上次写入被中断？）。为免数据混乱已拒绝追加：请先运行 `shuangzheng check --repair`"
                )
            line_no = _count_lines(fd, size)
            placed = []
            try:
                for entry in batch:
                    data = encode_line(entry)
                    written = os.write(fd, data)
                    if written != len(data):
                        raise OSError(errno.ENOSPC, "写入不完整")
                    line_no += 1
                    placed.append(replace(entry, source=label, line=line_no))
                os.fsync(fd)
            except OSError as exc:
                os.ftruncate(fd, size)
                os.fsync(fd)
                reason = "磁盘已满" if exc.errno in (errno.ENOSPC, errno.EDQUOT) else exc.strerror
                raise LedgerError(f"写入 {label} 失败（{reason}），本次记录未写入，文件保持原样") from None
            return placed
        finally:
            os.close(fd)  # closing the descriptor releases the flock

    def _make_dirs(self, folder: Path) -> None:
        created = not folder.exists()
        try:
            folder.mkdir(parents=True, exist_ok=True)
        except PermissionError:
            raise LedgerError(f"无权在 {self.label(folder)} 创建文件夹（只读？）") from None
        except FileExistsError:
            raise LedgerError(f"{self.label(folder)} 不是文件夹") from None
        if created:
            _fsync_dir(folder.parent)

    def _refuse_escape(self, path: Path) -> None:
        base = os.path.realpath(self.dir)
        real = os.path.realpath(path)
        if os.path.commonpath([base, real]) != base:
            raise LedgerError(f"{self.label(path)} 指向工作区之外（符号链接？），出于安全拒绝写入")

    def _lock(self, fd: int, label: str) -> None:
        deadline = time.monotonic() + LOCK_TIMEOUT
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return
            except BlockingIOError:
                if time.monotonic() >= deadline:
                    raise LedgerError(
                        f"{label} 正被另一个进程占用（已等待 {LOCK_TIMEOUT:g} 秒）：请稍后重试"
                    ) from None
                time.sleep(0.02)

    # ------------------------------------------------------------ repair

    def repair_torn(self, path: Path) -> tuple[int, Path] | None:
        """Move a torn last line to `<file>.torn` and leave the file ending at its last newline.

        Nothing is deleted: the fragment is appended to the `.torn` file first.
        Returns (bytes moved, torn file) or None if the file was whole.
        """
        fd = os.open(path, os.O_RDWR | getattr(os, "O_NOFOLLOW", 0))
        try:
            self._lock(fd, self.label(path))
            size = os.fstat(fd).st_size
            data = os.pread(fd, size, 0)
            if not data or data.endswith(b"\n"):
                return None
            cut = data.rfind(b"\n") + 1
            fragment = data[cut:]
            torn = path.with_name(path.name + ".torn")
            with open(torn, "ab") as out:
                out.write(fragment + b"\n")
                out.flush()
                os.fsync(out.fileno())
            os.ftruncate(fd, cut)
            os.fsync(fd)
            return len(fragment), torn
        finally:
            os.close(fd)


def _count_lines(fd: int, size: int) -> int:
    count = 0
    offset = 0
    while offset < size:
        chunk = os.pread(fd, min(1 << 20, size - offset), offset)
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
