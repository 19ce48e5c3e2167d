"""The streamed board and its cache give exactly the answers of `build_board` over the entries."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import time
from pathlib import Path

import pytest
from reference import reference_read

from shuangzheng_cli.board import cache as board_cache
from shuangzheng_cli.board import stream as tally
from shuangzheng_cli.board.rules import build_board
from shuangzheng_cli.definitions.catalog import Catalog, Cell
from shuangzheng_cli.ledger.format import RECORD_KEYS
from shuangzheng_cli.ledger.storage import Ledger
from shuangzheng_cli.periods import today

DAYS = [dt.date(2022, 9, 1) + dt.timedelta(days=d) for d in range(0, 700, 3)]


@pytest.fixture(autouse=True)
def _late_today(monkeypatch: pytest.MonkeyPatch) -> None:
    """Lines dated up to 2024 are not in the future (check would reject them, and so every reader)."""
    monkeypatch.setenv("SHUANGZHENG_TODAY", "2026-12-31")


def _truth(catalog: Catalog, root: Path, as_of: dt.date, cells=None, unit=None):  # noqa: ANN001, ANN202
    """The board over what the slow reference reader accepts (tests/reference.py), and its problems."""
    ledger = Ledger(root, catalog)
    problems, entries = reference_read(catalog, ledger, today(), unit)
    problems = [p for p in problems if "台账文件应放在" not in p.message]
    kept = [e for e in entries if e.kind != "void" and e.date <= as_of]
    return build_board(catalog, kept, as_of, cells), problems


_ODD_COMMON = [("id", 5), ("kind", None), ("kind", "void"), ("date", 20221001), ("date", "2022-02-30"), ("unit", "No Unit"),
               ("unit", ["xcb"]), ("unit", None), ("activity", True), ("activity", "1"), ("activity", 1.0), ("by", None),
               ("by", 3), ("at", 7), ("text", ["x"]), ("color", 3), ("color", None), ("v", "1")]
_ODD_VALUES = {
    "progress": [*_ODD_COMMON, ("problems", None), ("next", 0), ("metrics", None), ("metrics", []), ("metrics", {"场次": True}),
                 ("metrics", {"场次": "3"}), ("metrics", {"场次": 2**70}), ("metrics", {"场次": 2**63}), ("metrics", {"场次": None}),
                 ("evidence", None), ("evidence", [1]), ("evidence", "a.jpg"), ("evidence", ["a.jpg"])],
    "inspection": [*_ODD_COMMON, ("method", None), ("method", 2), ("followup", None), ("followup", {}), ("followup", [1]),
                   ("followup", ["罚款"]), ("due", 5), ("due", "2022-02-30")],
    "followup": [*_ODD_COMMON, ("ref", None), ("ref", 5), ("result", None), ("result", "已完成"), ("due", "x")],
}


def _random_ledger(root: Path, catalog: Catalog, rng: random.Random, n: int = 400, shared: bool = True) -> None:
    """`shared` False: an id is reused only within its unit (no id in two units' files)."""
    cells = catalog.cells[:40] + [Cell(1, "nosuchunit")]
    metrics = {a: [t.metric for t in catalog.activities[a].targets] for a in catalog.activities}
    ids: list[tuple[str, str, int, dt.date]] = []
    files: dict[Path, list[bytes]] = {}
    for i in range(n):
        cell = rng.choice(cells)
        day = rng.choice(DAYS)
        kind = rng.choices(["progress", "inspection", "followup", "void"], [8, 2, 2, 1])[0]
        entry_id = f"{rng.randrange(32**6):06x}x{i}" if rng.random() > 0.05 or not ids else rng.choice(ids)[0]
        if not shared and any(e == entry_id and u != cell.unit for e, u, _, _ in ids):
            entry_id = f"{rng.randrange(32**6):06x}x{i}"
        obj: dict = {"v": 1, "id": entry_id, "kind": kind, "date": day.isoformat(), "unit": cell.unit,
                     "activity": cell.activity, "by": "测", "at": f"{day}T{rng.randrange(24):02d}:00:00+08:00"}
        if kind == "progress":
            obj |= {"color": rng.choice([None, "green", "yellow", "red", "blue"]), "text": "进展",
                    "metrics": {m: rng.choice([1, 2, 5, 0.5, 0.1, 30]) for m in metrics.get(cell.activity, []) + ["场次"]
                                if rng.random() < 0.7}}
        elif kind == "inspection":
            obj |= {"method": rng.choice(["督导", "抽查", "暗访"]), "color": rng.choice(["green", "yellow", "red", "blue"]),
                    "text": "发现", "followup": rng.choice(["none", "整改", "约谈", [], ["整改", "约谈"], ["通报"], ["整改"]])}
            if rng.random() < 0.3:
                obj["due"] = (day + dt.timedelta(days=rng.randrange(40))).isoformat()
        elif kind == "followup":
            # mostly about an earlier entry of the same cell (an inspection, when one was drawn there)
            same = [t for t in ids if t[1] == cell.unit and t[2] == cell.activity]
            target = rng.choice(same) if same and rng.random() < 0.9 else rng.choice(ids) if ids else (entry_id, "", 0, day)
            obj |= {"ref": target[0], "result": rng.choice(["已约谈", "已通报", "整改完成", "验收通过", "验收不通过"]),
                    "text": rng.choice(["", "已谈话"])}
            if rng.random() < 0.3:
                obj["due"] = (day + dt.timedelta(days=rng.randrange(40))).isoformat()
        else:
            target = rng.choice(ids) if ids else (entry_id, cell.unit, 1, day)
            obj |= {"ref": target[0], "text": "作废"}
        if kind != "void" and rng.random() < 0.5:  # the shape `add` writes (the streamed board's fast path)
            obj = {key: obj.get(key, {"problems": "", "next": "", "evidence": [], "due": None}.get(key, "none"))
                   for key in RECORD_KEYS[kind]}
            if rng.random() < 0.1:  # …with one value of a wrong type or out of range
                key, value = rng.choice(_ODD_VALUES[kind])
                obj[key] = value
        ids.append((entry_id, cell.unit, cell.activity, day))
        year = day.year if rng.random() > 0.05 else day.year + 1
        path = root / "ledgers" / str(year) / f"{cell.unit}.jsonl"
        line = json.dumps(obj, ensure_ascii=False).encode()
        odd = rng.random()
        if odd < 0.02:
            line = rng.choice([b"garbage", b"[1, 2]", b"", b"<<<<<<< HEAD", b'{"kind": "progress"}', b"\xff\xfe{}",
                               b'{"v":1,"id":"a1","kind":"progress","date":"2022-13-01","unit":"xcb","activity":1}'
                               if shared else b'{"v":1,"kind":"progress"}'])
        elif odd < 0.04:
            line += b"\r"
        files.setdefault(path, []).append(line)
        if rng.random() < 0.03:  # a union merge kept a line twice
            files[path].append(line)
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"\n".join(lines) + b"\n"
        if rng.random() < 0.05:
            data = b"\xef\xbb\xbf" + data
        path.write_bytes(data)


@pytest.mark.parametrize("seed", range(12))
def test_streamed_board_equals_the_board_over_the_entries(tmp_path: Path, catalog: Catalog, seed: int) -> None:
    rng = random.Random(seed)
    _random_ledger(tmp_path, catalog, rng)
    for as_of in [dt.date(2022, 8, 1), *rng.sample(DAYS, 4), dt.date(2030, 1, 1)]:
        truth, skipped = _truth(catalog, tmp_path, as_of)
        ledger = Ledger(tmp_path, catalog)
        assert tally.stream_board(catalog, ledger, as_of) == (truth, skipped)
        # one unit's files and one cell, as `add` asks
        cell = rng.choice(catalog.cells[:40])
        truth, _ = _truth(catalog, tmp_path, as_of, [cell], unit=cell.unit)
        streamed, _ = tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of, [cell], Ledger(tmp_path).files(unit=cell.unit))
        assert streamed == truth


@pytest.mark.parametrize("seed", range(4))
def test_ids_moved_into_buckets_find_the_same_repeats(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, seed: int) -> None:
    """A scan of more ids than it keeps in reading order (`reader._SPILL`, here 5) moves them into
    buckets file by file; the repeats it finds, and so the board and the problems, stay the reference's."""
    from shuangzheng_cli.ledger import reader

    _random_ledger(tmp_path, catalog, random.Random(seed))
    as_of = dt.date(2023, 6, 30)
    truth = _truth(catalog, tmp_path, as_of)
    assert any("重复" in p.message for p in truth[1])  # the fixture repeats ids (5% of lines)
    assert tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of) == truth
    monkeypatch.setattr(reader, "_SPILL", 5)
    assert tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of) == truth


@pytest.mark.parametrize("seed", range(3))
def test_one_units_reading_is_the_whole_readings_part(tmp_path: Path, catalog: Catalog, seed: int) -> None:
    """`Ledger.read(unit=…)` gives exactly the entries and problems of that unit's files in a
    reading of the whole ledger, also where an id is in two units' files (copied lines: 5% of
    the fixture's ids are reused, across units too), which only the whole ledger decides."""
    rng = random.Random(seed)
    _random_ledger(tmp_path, catalog, rng, shared=True)
    if rng.random() < 0.5:  # the ids also written compactly, as a hand edit would
        for path in tmp_path.glob("ledgers/*/*.jsonl"):
            path.write_bytes(path.read_bytes().replace(b'"id": "', b'"id":"'))
    ledger = Ledger(tmp_path, catalog)
    whole = ledger.read(include_voided=True)
    for unit in sorted({p.stem for p in tmp_path.glob("ledgers/*/*.jsonl")}):
        files = {ledger.label(p) for p in ledger.files(unit=unit)}
        part = ledger.read(unit=unit, include_voided=True)
        assert part.entries == [e for e in whole.entries if e.source in files], unit
        assert part.problems == [p for p in whole.problems if p.path in files], unit


def test_every_line_through_the_full_validation_gives_the_same_board(
    tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The lines the fast path passes (msgspec's line types) and the same lines passed by the full
    validation (pydantic, then `line_of`) make the same board."""
    from shuangzheng_cli.ledger.fastcheck import FastChecker

    _random_ledger(tmp_path, catalog, random.Random(99))
    as_of = dt.date(2023, 6, 30)
    fast = tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of)
    monkeypatch.setattr(FastChecker, "for_file", lambda self, unit=None, year=None: lambda data: None)
    assert tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of) == fast == _truth(catalog, tmp_path, as_of)


def test_an_id_in_two_files_counts_once_in_file_order(tmp_path: Path, catalog: Catalog) -> None:
    cell = catalog.cells[0]
    base = {"v": 1, "id": "samesameid", "kind": "progress", "unit": cell.unit, "activity": cell.activity,
            "by": "测", "at": "2022-10-01T08:00:00+08:00", "text": "进展"}
    for year, color in ((2022, "red"), (2023, "green")):
        path = tmp_path / "ledgers" / str(year) / f"{cell.unit}.jsonl"
        path.parent.mkdir(parents=True)
        path.write_text(json.dumps(base | {"date": f"{year}-10-01", "color": color}) + "\n")
    as_of = dt.date(2023, 10, 2)
    board, _ = tally.stream_board(catalog, Ledger(tmp_path, catalog), as_of)
    assert board == _truth(catalog, tmp_path, as_of)[0]
    assert board.cell(cell.activity, cell.unit).last_report == dt.date(2022, 10, 1)


def test_the_cache_never_changes_an_answer(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """After any change, the cached board equals the reference; only the changed units' files are read."""
    from shuangzheng_cli.ledger import reader

    monkeypatch.setattr(board_cache, "RACY_SECONDS", 0.05)
    read: list[Path] = []
    real = reader.Scan.run
    monkeypatch.setattr(reader.Scan, "run", lambda self, *a, **k: read.extend(self.files) or real(self, *a, **k))
    rng = random.Random(7)
    _random_ledger(workspace, catalog, rng, n=300, shared=False)
    catalog = Catalog.load(workspace)
    as_of = dt.date(2023, 3, 1)
    files = Ledger(workspace).files()

    def same_answer(changed: set[str] | None, cached: bool = True) -> None:
        """`changed`: the units whose files the cache must read again (None: any); `cached` False:
        nothing may be cached (an id in two units' files)."""
        time.sleep(0.12)
        for attempt in range(2):
            read.clear()
            truth, skipped = _truth(catalog, workspace, as_of)
            board, problems = board_cache.cached_board(catalog, Ledger(workspace, catalog), as_of)
            assert set(problems) ^ set(skipped) == set(), (attempt, set(problems) - set(skipped), set(skipped) - set(problems))
            assert (board, problems) == (truth, skipped)
            units = {p.name.removesuffix(".jsonl") for p in read}
            if attempt == 0 and changed is not None:
                assert units <= changed, units
            if attempt == 1 and cached:
                assert read == [], "the second run should come from the cache"

    same_answer(None)
    target = files[0]
    with target.open("ab") as fh:  # an append
        fh.write(target.read_bytes().splitlines(keepends=True)[0])
    same_answer({target.stem})
    Ledger(workspace, catalog).void(_first_id(files[1]), "录错", date="2023-01-01", by="测")  # a void
    same_answer({files[1].stem})
    data = files[2].read_bytes()  # an edit in place: same size, same mtime
    st = files[2].stat()
    files[2].write_bytes(data.replace(b'"red"', b'"grn"', 1).replace(b'"green"', b'"yello"', 1).replace(b'"yellow"', b'"red"   ', 1))
    assert files[2].stat().st_size == st.st_size
    os.utime(files[2], ns=(st.st_atime_ns, st.st_mtime_ns))
    same_answer({files[2].stem})
    files[3].write_bytes(files[3].read_bytes()[: len(files[3].read_bytes()) // 2].rsplit(b"\n", 1)[0] + b"\n")  # cut
    same_answer({files[3].stem})
    files[4].unlink()  # a file deleted
    same_answer({files[4].stem})
    copied = files[5].read_bytes().splitlines(keepends=True)[0]  # a line copied into another unit's file
    other = next(p for p in Ledger(workspace).files() if p.stem != files[5].stem)
    with other.open("ab") as fh:
        fh.write(copied)
    same_answer(None, cached=False)
    other.write_bytes(other.read_bytes()[: -len(copied)])
    same_answer(None)
    cache = workspace / board_cache.CACHE_DIR / "board.json"
    cache.write_bytes(b"{not json")  # a corrupt cache is ignored and rewritten
    same_answer(None)
    assert json.loads(cache.read_bytes().split(b"\n", 1)[1])["key"]


def test_a_lost_ids_file_makes_the_cache_read_everything(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """board.json without its board-ids.bin (deleted, or from another run): a unit read again cannot
    be checked against the others' ids, so every unit is read again — the same answer."""
    from shuangzheng_cli.ledger import reader

    monkeypatch.setattr(board_cache, "RACY_SECONDS", 0)
    _random_ledger(workspace, catalog, random.Random(9), n=200, shared=False)
    as_of = dt.date(2023, 3, 1)
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), as_of) == _truth(catalog, workspace, as_of)
    (workspace / board_cache.CACHE_DIR / "board-ids.bin").unlink()
    files = Ledger(workspace).files()
    with files[0].open("ab") as fh:  # one unit changes
        fh.write(files[0].read_bytes().splitlines(keepends=True)[0])
    truth = _truth(catalog, workspace, as_of)
    read: list[Path] = []
    real = reader.Scan.run
    monkeypatch.setattr(reader.Scan, "run", lambda self, *a, **k: read.extend(self.files) or real(self, *a, **k))
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), as_of) == truth
    assert {p.stem for p in read} == {p.stem for p in Ledger(workspace).files()}


def test_a_read_only_workspace_just_does_not_cache(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(board_cache, "RACY_SECONDS", 0)
    _random_ledger(workspace, catalog, random.Random(3), n=100)
    (workspace / board_cache.CACHE_DIR).mkdir(exist_ok=True)
    (workspace / board_cache.CACHE_DIR).chmod(0o500)
    try:
        as_of = dt.date(2023, 1, 1)
        assert board_cache.cached_board(catalog, Ledger(workspace, catalog), as_of) == _truth(catalog, workspace, as_of)
    finally:
        (workspace / board_cache.CACHE_DIR).chmod(0o700)


def _first_id(path: Path) -> str:
    readable = {entry.id for entry in Ledger(path.parents[2]).entries()}
    for line in path.read_bytes().splitlines():
        try:
            obj = json.loads(line)
        except ValueError:
            continue
        if isinstance(obj, dict) and obj.get("kind") in ("progress", "inspection") and obj.get("id") in readable:
            return obj["id"]
    raise AssertionError("no entry")


def test_two_processes_give_the_same_board(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """A large ledger is read by two forked processes, unit by unit: the same answer as one."""
    _random_ledger(tmp_path, catalog, random.Random(11), shared=False)
    as_of = dt.date(2023, 6, 30)
    from shuangzheng_cli.ledger import units

    monkeypatch.setattr(units, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(units.os, "cpu_count", lambda: 2)
    assert board_cache.cached_board(catalog, Ledger(tmp_path, catalog), as_of) == _truth(catalog, tmp_path, as_of)


@pytest.mark.parametrize("slow", ["neither", "child", "parent"])
def test_two_processes_share_the_units_as_they_go(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, slow: str) -> None:
    """The units are shared out as they are read: each process reads some (the slower one fewer),
    every unit is read, at most one by both, and the board is the reference's."""
    from shuangzheng_cli.ledger import units

    _random_ledger(tmp_path, catalog, random.Random(12), n=600, shared=False)
    monkeypatch.setattr(units, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(units.os, "cpu_count", lambda: 2)
    log = tmp_path / "who-read.txt"
    parent, real = os.getpid(), units._read

    def logged(unit: str, paths: list) -> dict:
        me = "parent" if os.getpid() == parent else "child"
        time.sleep(0.2 if me == slow else 0.02)
        with open(log, "a", encoding="utf-8") as fh:  # one short append per unit: never interleaved
            fh.write(f"{me} {unit}\n")
        return real(unit, paths)

    monkeypatch.setattr(units, "_read", logged)
    as_of = dt.date(2023, 6, 30)
    assert board_cache.cached_board(catalog, Ledger(tmp_path, catalog), as_of) == _truth(catalog, tmp_path, as_of)
    read = [line.split() for line in log.read_text(encoding="utf-8").splitlines()]
    by = {who: [u for w, u in read if w == who] for who in ("parent", "child")}
    every = {p.name.removesuffix(".jsonl") for p in tmp_path.glob("ledgers/*/*.jsonl")}
    assert set(by["parent"]) | set(by["child"]) == every
    assert len(set(by["parent"]) & set(by["child"])) <= 1
    assert by["parent"] and by["child"]
    if slow != "neither":
        fast = "child" if slow == "parent" else "parent"
        assert len(by[fast]) > 2 * len(by[slow])  # the faster one took more


# ------------------------------------------------------------ the cache reads appended lines alone


def _progress_line(cell: Cell, day: str, entry_id: str, color: str | None = "green", **extra: object) -> bytes:
    obj = {"v": 1, "id": entry_id, "kind": "progress", "date": day, "unit": cell.unit, "activity": cell.activity,
           "by": "测", "at": f"{day}T10:00:00+08:00", "color": color, "text": "进展", "problems": "", "next": "",
           "metrics": {"场次": 2}, "evidence": []} | extra
    return json.dumps(obj, ensure_ascii=False).encode() + b"\n"


def _appending(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> tuple[Catalog, Cell, Path, list[Path]]:
    """A random ledger, one cell's file of this year (today: 2026-12-31), a first answer cached;
    the files each later `Scan.run` reads are recorded in the list returned."""
    from shuangzheng_cli.ledger import reader

    monkeypatch.setattr(board_cache, "RACY_SECONDS", 0)
    _random_ledger(workspace, catalog, random.Random(21), n=300, shared=False)
    catalog = Catalog.load(workspace)
    cell = next(c for c in catalog.cells[:40] if (c.unit, c.activity) in catalog.reporting_pairs)
    path = workspace / "ledgers" / "2026" / f"{cell.unit}.jsonl"
    path.parent.mkdir(exist_ok=True)
    path.write_bytes(_progress_line(cell, "2026-03-01", "a000000001", "red"))
    other = next(c for c in catalog.cells[:40] if (c.unit, c.activity) in catalog.reporting_pairs and c.unit != cell.unit)
    (path.parent / f"{other.unit}.jsonl").write_bytes(_progress_line(other, "2026-03-01", "c000000001", "blue"))
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
    read: list[Path] = []
    real = reader.Scan.run
    monkeypatch.setattr(reader.Scan, "run", lambda self, *a, **k: read.extend(self.files) or real(self, *a, **k))
    return catalog, cell, path, read


AS_OF_2026 = dt.date(2026, 6, 30)


def test_lines_appended_to_this_years_file_are_read_alone(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """What `add` does (lines appended to this year's file of a unit): only the new lines are read,
    into the unit's saved tally; the same answer as reading everything, again and again."""
    catalog, cell, path, read = _appending(workspace, catalog, monkeypatch)
    for n, (day, color) in enumerate([("2026-04-01", "green"), ("2026-05-01", None), ("2026-05-02", "yellow")], start=2):
        with path.open("ab") as fh:
            fh.write(_progress_line(cell, day, f"a00000000{n}", color))
        board, problems = board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026)
        assert (board, problems) == _truth(catalog, workspace, AS_OF_2026)
        assert cell.unit not in {p.stem for p in read}, "the unit's files are not read whole"
        assert board.cell(cell.activity, cell.unit).last_report == dt.date.fromisoformat(day)  # the new line counted
        other = next(p for p in Ledger(workspace).files() if p.stem != cell.unit)
        _append_copy(cell, other)  # another unit changes too: read whole, and the others' states are kept
        read.clear()
    board_json = json.loads((workspace / board_cache.CACHE_DIR / "board.json").read_bytes().split(b"\n", 1)[1])
    assert [path.stat().st_size] == [st[1] for st in board_json["units"][cell.unit]["stat"] if st[0].endswith("2026/" + path.name)]


def test_lines_appended_while_the_file_is_fresh_are_read_again_until_it_settles(
    workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A file changed in the last seconds is not trusted to the cache: the unit stays cached as it
    was, and its new lines are read alone again next time, until the file settles."""
    catalog, cell, path, read = _appending(workspace, catalog, monkeypatch)
    cache = workspace / board_cache.CACHE_DIR / "board.json"
    before = cache.read_bytes()
    monkeypatch.setattr(board_cache, "RACY_SECONDS", 3600)
    for n in (2, 3):
        with path.open("ab") as fh:
            fh.write(_progress_line(cell, f"2026-04-0{n}", f"a00000000{n}", "yellow"))
        assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
        assert read == []
        assert json.loads(cache.read_bytes().split(b"\n", 1)[1])["units"] == json.loads(before.split(b"\n", 1)[1])["units"]
    monkeypatch.setattr(board_cache, "RACY_SECONDS", 0)
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
    assert read == [] and cache.read_bytes() != before  # settled: kept as it is now


def _append_void(cell: Cell, path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(json.dumps({"v": 1, "id": "b000000001", "kind": "void", "date": "2026-04-01", "unit": cell.unit,
                             "activity": cell.activity, "by": "测", "at": "2026-04-01T10:00:00+08:00",
                             "ref": "a000000001", "text": "录错"}, ensure_ascii=False).encode() + b"\n")


def _append_copy(cell: Cell, path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(path.read_bytes().splitlines(keepends=True)[0])


def _edit_and_append(cell: Cell, path: Path) -> None:
    with path.open("r+b") as fh:  # the same file (inode), an earlier byte changed, then grown
        data = fh.read()
        fh.seek(data.index(b'"red"'))
        fh.write(b'"blu"')
        fh.seek(0, os.SEEK_END)
        fh.write(_progress_line(cell, "2026-04-01", "a000000002", "green"))


def _append_torn(cell: Cell, path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(_progress_line(cell, "2026-04-01", "a000000002", "green").rstrip(b"\n"))


def _append_bad(cell: Cell, path: Path) -> None:
    with path.open("ab") as fh:
        fh.write(_progress_line(cell, "2026-04-01", "a000000002", "purple"))


def _append_named(cell: Cell, path: Path) -> None:
    """A void naming an id no line has yet was read before; a line with that id comes now."""
    with path.open("ab") as fh:
        fh.write(_progress_line(cell, "2026-04-01", "b000000001", "green"))


def _append_to_another_year(cell: Cell, path: Path) -> None:
    other = path.parents[1] / "2025" / path.name
    other.parent.mkdir(exist_ok=True)
    with other.open("ab") as fh:
        fh.write(_progress_line(cell, "2025-04-01", "a000000002", "green"))


def _append_id_of_another_unit(cell: Cell, path: Path) -> None:
    """A new line whose id another unit's file holds (a line copied across units, then edited)."""
    with path.open("ab") as fh:
        fh.write(_progress_line(cell, "2026-04-01", "c000000001", "green"))


@pytest.mark.parametrize(
    "change",
    [_append_void, _append_copy, _edit_and_append, _append_torn, _append_bad, _append_named, _append_to_another_year,
     _append_id_of_another_unit],
)
def test_any_other_change_reads_the_unit_whole(workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch, change) -> None:  # noqa: ANN001
    """A void, a copied line (a repeated id), an earlier byte edited in the same file, a line not
    whole, a line the fast check does not pass, a line whose id a void names, a new file, an id
    another unit has: the unit is read whole (the last: the whole ledger), and the answer is the
    reference's."""
    catalog, cell, path, read = _appending(workspace, catalog, monkeypatch)
    if change is _append_named:
        _append_void(cell, path)
        path.write_bytes(path.read_bytes().replace(b'"ref": "a000000001"', b'"ref": "b000000001"').replace(
            b'"id": "b000000001", "kind": "void"', b'"id": "b000000009", "kind": "void"'))
        assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
        read.clear()
    change(cell, path)
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
    assert cell.unit in {p.stem for p in read}


@pytest.mark.parametrize("where", ["another year's folder", "another unit's file"])
def test_a_copy_in_the_wrong_file_never_hides_the_original(workspace: Path, catalog: Catalog, where: str) -> None:
    """A line copied into a file where it does not belong (read before the original, in file order)
    is rejected for that; it takes no id, so the original still counts and is no duplicate."""
    from shuangzheng_cli.ledger.check import check_ledgers

    cells = sorted((c for c in catalog.cells if (c.unit, c.activity) in catalog.reporting_pairs), key=lambda c: c.unit)
    first, cell = cells[0], next(c for c in cells if c.unit != cells[0].unit)  # first.unit's file is read before cell.unit's
    line = _progress_line(cell, "2026-03-01", "a000000001", "green")
    (workspace / "ledgers" / "2026").mkdir(parents=True)
    (workspace / "ledgers" / "2026" / f"{cell.unit}.jsonl").write_bytes(line)
    copy = workspace / "ledgers" / ("2025" if where.startswith("another year") else "2026") / (
        f"{cell.unit}.jsonl" if where.startswith("another year") else f"{first.unit}.jsonl")
    copy.parent.mkdir(exist_ok=True)
    copy.write_bytes(line)
    ledger = Ledger(workspace, catalog)
    problems = check_ledgers(catalog, ledger, today())
    assert [p.path for p in problems] == [ledger.label(copy)]  # only the copy, for where it is
    assert not any("重复" in p.message for p in problems)
    for board, _ in (tally.stream_board(catalog, ledger, AS_OF_2026), board_cache.cached_board(catalog, ledger, AS_OF_2026)):
        assert board.cell(cell.activity, cell.unit).last_report == dt.date(2026, 3, 1)
    assert board_cache.cached_board(catalog, ledger, AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)


def _crc_forgery(data: bytes, edited: bytes, free: int) -> bytes:
    """`edited` (as long as `data`) with its 4 bytes at `free` set so that its CRC-32 is `data`'s.

    CRC-32 is affine: for messages of one length, crc(a ^ b) = crc(a) ^ crc(b) ^ crc(zeros), so the
    4 bytes are the solution of 32 linear equations over GF(2) (what a forger would do)."""
    import zlib

    n = len(data)
    zero = zlib.crc32(bytes(n))

    def linear(diff: bytes) -> int:
        return zlib.crc32(diff) ^ zero

    base = bytearray(edited)
    base[free : free + 4] = bytes(4)
    want = linear(bytes(x ^ y for x, y in zip(data, base, strict=True)))  # what the free bits must add
    columns = []
    for bit in range(32):
        diff = bytearray(n)
        diff[free + bit // 8] = 1 << (bit % 8)
        columns.append((linear(bytes(diff)), 1 << bit))
    solution, rows = 0, []
    for value, mask in columns:  # Gaussian elimination: reduce each column by the rows found so far
        for row_value, row_mask, pivot in rows:
            if value & pivot:
                value, mask = value ^ row_value, mask ^ row_mask
        if value:
            rows.append((value, mask, value & -value))
    for row_value, row_mask, pivot in rows:
        if want & pivot:
            want, solution = want ^ row_value, solution ^ row_mask
    assert want == 0, "CRC-32 over 4 consecutive bytes reaches every value"
    base[free : free + 4] = solution.to_bytes(4, "little")
    return bytes(base)


def test_an_edit_that_keeps_size_and_crc_still_reads_the_unit_whole(
    workspace: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch
) -> None:
    """An edit made on purpose to keep the file's size and its CRC-32, then an append: the bytes
    before the new lines are compared by SHA-256, so the unit is read whole and the answer is right."""
    import zlib

    catalog, cell, path, read = _appending(workspace, catalog, monkeypatch)
    data = path.read_bytes()
    at = data.index(b'"red"')
    edited = data[:at] + b'"blu"' + data[at + 5 :]
    candidate = _crc_forgery(data, edited, data.index("进展".encode()))
    assert len(candidate) == len(data) and zlib.crc32(candidate) == zlib.crc32(data) and candidate != data
    with path.open("r+b") as fh:
        fh.write(candidate)
        fh.write(_progress_line(cell, "2026-04-01", "a000000002", "green"))
    assert board_cache.cached_board(catalog, Ledger(workspace, catalog), AS_OF_2026) == _truth(catalog, workspace, AS_OF_2026)
    assert cell.unit in {p.stem for p in read}
