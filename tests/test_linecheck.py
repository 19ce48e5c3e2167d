"""The fast line check never passes a line the full validation would fault, and `check` with it
gives exactly the answers of the plain line-by-line check (kept here as the reference)."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from reference import reference_check

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.check import check_ledgers
from shuangzheng_cli.ledger.entries import reference_problems, schema_problems
from shuangzheng_cli.ledger.fastcheck import FastChecker, line_of
from shuangzheng_cli.ledger.format import id_code
from shuangzheng_cli.ledger.storage import Ledger, derived_id, new_id

TODAY = dt.date(2022, 11, 30)
PROGRESS = {"v": 1, "id": "4n2ywv2svv", "kind": "progress", "date": "2022-09-21", "unit": "xcb", "activity": 1,
            "by": "张三", "at": "2022-09-21T10:00:00+08:00", "color": "green", "text": "召开动员会", "problems": "",
            "next": "", "metrics": {"场次": 1, "参与人数": 12.5}, "evidence": ["https://example.org/a"]}
INSPECTION = {"v": 1, "id": "good0002", "kind": "inspection", "date": "2022-10-09", "unit": "xcb", "activity": 1,
              "by": "督导组", "at": "2022-10-09T09:30:00.123+08:00", "method": "暗访", "color": "red", "text": "未见台账",
              "followup": "约谈"}
VOID = {"v": 1, "id": "nx8v878ma7", "kind": "void", "date": "2022-11-30", "unit": "xcb", "activity": 1, "by": "张三",
        "at": "2022-11-30T23:59:59Z", "ref": "4n2ywv2svv", "text": "重复录入"}
#: an inspection as written since follow-ups became a list with a deadline, and a follow-up's result
ASKING = {**{k: v for k, v in INSPECTION.items() if k != "followup"}, "id": "good0003", "followup": ["整改", "约谈"],
          "due": "2022-11-08"}
FOLLOWUP = {"v": 1, "id": "good0004", "kind": "followup", "date": "2022-11-09", "unit": "xcb", "activity": 1,
            "by": "督导组", "at": "2022-11-09T09:30:00+08:00", "ref": "good0003", "result": "验收不通过", "text": "",
            "due": "2022-11-30"}
GOOD = [PROGRESS, INSPECTION, VOID, {**PROGRESS, "color": None, "metrics": {}, "evidence": []}, ASKING, FOLLOWUP]


def full_problems(catalog: Catalog, obj: dict, unit_in_name: str = "xcb", year_dir: str = "2022") -> list[str]:
    """What the full validation says about one line (as `check` words it), ids aside."""
    found = schema_problems(obj)
    day = obj.get("date")
    try:
        day = dt.date.fromisoformat(day) if isinstance(day, str) and len(day) == 10 else None
    except ValueError:
        day = None
    found += reference_problems(obj.get("unit"), obj.get("activity"), day, catalog, TODAY)
    if isinstance(obj.get("unit"), str) and obj["unit"] != unit_in_name:
        found.append("unit file")
    if day is not None and str(day.year) != year_dir:
        found.append("year folder")
    return found


@pytest.mark.parametrize("obj", GOOD, ids=["progress", "inspection", "void", "progress-plain", "asking", "followup"])
def test_the_common_shapes_take_the_fast_path(catalog: Catalog, obj: dict) -> None:
    assert full_problems(catalog, obj) == []
    assert FastChecker(catalog, TODAY).ok(obj, "xcb", "2022")
    assert FastChecker(None, TODAY).ok(obj)


DROP = object()
CHANGES = [
    {"v": 2}, {"v": True}, {"v": 1.0}, {"v": "1"}, {"id": "X!"}, {"id": "abc"}, {"id": 12345}, {"id": "a" * 33},
    {"kind": "note"}, {"kind": None}, {"kind": ["progress"]}, {"date": "2022-9-21"}, {"date": "2022-02-30"},
    {"date": "2022-W38-3"}, {"date": "2022-08-31"}, {"date": "2022-12-01"}, {"date": "2023-01-05"},
    {"date": "２０２２-09-21"}, {"unit": "xcbb"}, {"unit": "wmb"}, {"unit": "xzgroup"}, {"unit": None},
    {"activity": 5}, {"activity": 19}, {"activity": 0}, {"activity": True}, {"activity": 1.0}, {"activity": "1"},
    {"by": ""}, {"by": "x" * 101}, {"by": None}, {"at": "2022-09-21T10:00:00"}, {"at": "2022-09-21 10:00:00+08:00"},
    {"at": "2022-09-21T24:00:00+08:00"}, {"at": "2022-09-21T23:59:60+08:00"}, {"at": "2022-09-21T10:00:00+24:00"},
    {"at": "2022-02-30T10:00:00+08:00"}, {"at": "2022-09-21T10:00:00.1234567+08:00"}, {"at": 5},
    {"color": "purple"}, {"color": "Green"}, {"color": 1}, {"text": ""}, {"text": " "}, {"text": "字" * 2000},
    {"text": "字" * 2001}, {"text": None}, {"problems": "字" * 2001}, {"next": None}, {"metrics": {"场次": "3"}},
    {"metrics": {"场次": True}}, {"metrics": {"": 1}}, {"metrics": {"名" * 51: 1}}, {"metrics": {"场次": -1}},
    {"metrics": {"场次": 10**30}}, {"metrics": {"场次": 10**400}}, {"metrics": {"场次": float("inf")}},
    {"metrics": {"场次": float("nan")}}, {"metrics": {"场次": -float("inf")}}, {"metrics": []}, {"evidence": ["x" * 2001]}, {"evidence": [1]}, {"evidence": "x"},
    {"method": "督导"}, {"followup": "none"}, {"ref": "x"}, {"score": 5}, {"text": DROP}, {"by": DROP},
    {"color": DROP}, {"metrics": DROP}, {"evidence": DROP},
    {"followup": []}, {"followup": ["约谈", "约谈"]}, {"followup": ["none"]}, {"followup": ["通报"]}, {"followup": "约谈"},
    {"followup": [1]}, {"followup": {}}, {"due": None}, {"due": "2022-10-01"}, {"due": "2022-02-30"}, {"due": "2022-9-30"},
    {"due": 5}, {"due": DROP}, {"result": "已完成"}, {"result": "已约谈"}, {"result": None}, {"result": DROP},
    {"ref": DROP}, {"text": ""},
]


@pytest.mark.parametrize("change", CHANGES, ids=[str(c)[:40] for c in CHANGES])
@pytest.mark.parametrize("base", [*GOOD[:3], *GOOD[4:]], ids=["progress", "inspection", "void", "asking", "followup"])
def test_the_fast_path_passes_only_what_the_full_validation_passes(catalog: Catalog, base: dict, change: dict) -> None:
    obj = {k: v for k, v in {**base, **change}.items() if v is not DROP}
    checker = FastChecker(catalog, TODAY)
    if checker.ok(obj, "xcb", "2022"):
        assert full_problems(catalog, obj) == []
        line = checker.line(json.dumps(obj, ensure_ascii=False).encode(), "xcb", "2022")
        assert line is not None and line.kind == obj["kind"]  # the line handed on holds what the object says
        assert {k: getattr(line, k) for k in obj if k != "kind"} == {k: v for k, v in obj.items() if k != "kind"}
        assert line == line_of(obj)  # the same line as the full path makes of it
    if FastChecker(None, TODAY).ok(obj):
        assert schema_problems(obj) == []


_json_values = st.recursive(
    st.none() | st.booleans() | st.integers(-3, 3000) | st.floats(allow_nan=False) | st.text(max_size=12)
    | st.sampled_from(["2022-09-21", "2022-09-21T10:00:00+08:00", "xcb", "wmb", "green", "督导", "none", "4n2ywv2svv"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=6), inner, max_size=3),
    max_leaves=6,
)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    base=st.sampled_from(GOOD),
    changes=st.dictionaries(st.sampled_from([*PROGRESS, *ASKING, *FOLLOWUP, *VOID, "extra"]), _json_values, max_size=3),
    drops=st.sets(st.sampled_from([*PROGRESS, *ASKING, *FOLLOWUP, *VOID]), max_size=2),
)
def test_the_fast_path_is_sound_on_random_lines(catalog: Catalog, base: dict, changes: dict, drops: set) -> None:
    obj = {k: v for k, v in {**base, **changes}.items() if k not in drops}
    if FastChecker(catalog, TODAY).ok(obj, "xcb", "2022"):
        assert full_problems(catalog, obj) == [], obj
    if FastChecker(None, TODAY).ok(obj):
        assert schema_problems(obj) == [], obj


def test_ids_become_their_integers_exactly() -> None:
    ids = {new_id() for _ in range(2000)} | {derived_id(str(i)) for i in range(2000)} | {"4n2ywv2svi", "0000000001"}
    codes = {id_code(i) for i in ids}
    assert len(codes) == len(ids) and all(c is not None and 0 <= c < 2**52 for c in codes)
    for bad in ["good0001", "4n2ywv2sv", "4n2ywv2svvv", "4N2YWV2SVV", "4n2ywv_svv", " 4n2ywv2sv", "4n2ywv2sv\n",
                "+4n2ywv2sv", "４n2ywv2svv", ""]:
        assert id_code(bad) is None, bad
    assert id_code("0000000000") == 0 and id_code("zzzzzzzzzz") == 36**10 - 1 < 2**52


# ------------------------------------------------------------ check == the plain reference check


def _random_ledger(root: Path, catalog: Catalog, rng: random.Random, n: int = 500, shared: bool = True) -> None:
    """`shared` False: an id is used again only in its own unit's lines (no id in two units' files)."""
    cells = [c for c in catalog.cells if catalog.is_reporting_unit(c.unit)][:30]
    days = [dt.date(2022, 8, 25) + dt.timedelta(days=d) for d in range(0, 120, 2)]
    ids: list[str] = []
    units_of_ids: list[str] = []
    files: dict[Path, list[bytes]] = {}
    for i in range(n):
        cell = rng.choice(cells)
        day = rng.choice(days)
        kind = rng.choices(["progress", "inspection", "void"], [8, 2, 1])[0]
        roll = rng.random()
        pool = ids if shared else [x for x, u in zip(ids, units_of_ids, strict=True) if u == cell.unit]
        entry_id = (rng.choice(pool) if pool and roll < 0.04 else f"hand{i:04d}" if roll < 0.1 else new_id())
        obj: dict = {"v": 1, "id": entry_id, "kind": kind, "date": day.isoformat(), "unit": cell.unit,
                     "activity": cell.activity, "by": "测", "at": f"{day}T{rng.randrange(24):02d}:00:00+08:00"}
        if kind == "progress":
            obj |= {"color": rng.choice([None, "green", "red"]), "text": "进展", "problems": "", "next": "",
                    "metrics": {"场次": rng.choice([1, 2.5])}, "evidence": []}
        elif kind == "inspection":
            obj |= {"method": "抽查", "color": "red", "text": "发现", "followup": rng.choice(["none", "约谈"])}
        else:
            obj |= {"ref": rng.choice(ids) if ids and rng.random() < 0.8 else new_id(), "text": "作废"}
        if rng.random() < 0.08:  # one field spoiled
            key = rng.choice([k for k in obj if shared or k != "id"])
            obj[key] = rng.choice([None, "", 0, 19, "purple", "2022-13-01", "x" * 2001, [1], True, "4n2ywv2svv"])
        ids.append(entry_id)
        unit = cell.unit if rng.random() > 0.03 or not shared else rng.choice(cells).unit
        units_of_ids.append(unit)
        year = day.year if rng.random() > 0.03 else day.year + 1
        path = root / "ledgers" / str(year) / f"{unit}.jsonl"
        line = json.dumps(obj, ensure_ascii=False).encode()
        odd = rng.random()
        if odd < 0.03:
            line = rng.choice([b"garbage", b"[1, 2]", b"", b"  ", b"<<<<<<< HEAD", b"=======", b'{"kind": "progress"}',
                               b"\xff\xfe{}", line.replace(b"\xe5", b"\x00", 1), b'{"a": NaN}', b'{"v": 1e400}'])
        elif odd < 0.05:
            line += b"\r"
        files.setdefault(path, []).append(line)
        if rng.random() < 0.03:  # a union merge kept a line twice
            files[path].append(line)
    for path, lines in files.items():
        path.parent.mkdir(parents=True, exist_ok=True)
        data = b"\n".join(lines) + b"\n"
        if rng.random() < 0.05:
            data = b"\xef\xbb\xbf" + data
        if rng.random() < 0.05:
            data = data[:-1]  # a last line without its newline (torn, or an object that parses)
        path.write_bytes(data)
    bad_name = lines[0] if shared else b'{"v": 1, "id": "' + new_id().encode() + b'", "kind": "progress"}'
    (root / "ledgers" / "2022" / "Bad Name.jsonl").write_bytes(bad_name + b"\n")


@pytest.mark.parametrize("seed", range(10))
def test_check_equals_the_reference_check_on_random_ledgers(tmp_path: Path, catalog: Catalog, seed: int) -> None:
    _random_ledger(tmp_path, catalog, random.Random(seed))
    ledger = Ledger(tmp_path, catalog)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)


@pytest.mark.parametrize(("seed", "shared"), [(seed, shared) for seed in range(4) for shared in (True, False)])
def test_check_unit_by_unit_on_two_cores_equals_the_reference(
    tmp_path: Path, catalog: Catalog, seed: int, shared: bool, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A large ledger is checked unit by unit, half in a forked process: the same problems, and
    where an id is in two units' files (which decides which line counts) the whole ledger is read as one."""
    from shuangzheng_cli.ledger import units

    _random_ledger(tmp_path, catalog, random.Random(seed), shared=shared)
    ledger = Ledger(tmp_path, catalog)
    monkeypatch.setattr(units, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(units.os, "cpu_count", lambda: 2)
    took: list[bool] = []
    real = units.check_units
    monkeypatch.setattr(units, "check_units", lambda *a: took.append((found := real(*a)) is not None) or found)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)
    assert took == [not _ids_in_two_units(tmp_path)]
    if not shared:
        assert took == [True]  # read unit by unit


def test_without_a_second_process_check_reads_in_one(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where a second process cannot be started (fork refused: out of processes or memory), the
    units are read in this process: the same problems, no traceback."""
    from shuangzheng_cli.ledger import units

    _random_ledger(tmp_path, catalog, random.Random(5), shared=False)
    ledger = Ledger(tmp_path, catalog)
    monkeypatch.setattr(units, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(units.os, "cpu_count", lambda: 2)
    tried: list[bool] = []

    def refuse() -> int:
        tried.append(True)
        raise BlockingIOError(11, "Resource temporarily unavailable")

    monkeypatch.setattr(units.os, "fork", refuse)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)
    assert tried == [True]


def test_a_second_process_that_dies_costs_nothing(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """The forked process killed mid-read (out of memory, say): this process reads its half, the same problems."""
    from shuangzheng_cli.ledger import units

    _random_ledger(tmp_path, catalog, random.Random(6), shared=False)
    ledger = Ledger(tmp_path, catalog)
    monkeypatch.setattr(units, "PARALLEL_BYTES", 0)
    monkeypatch.setattr(units.os, "cpu_count", lambda: 2)
    _PARENT[:] = [os.getpid(), units._read]
    monkeypatch.setattr(units, "_read", _dies_in_the_child)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)


_PARENT: list = []


def _dies_in_the_child(unit: str, paths: list) -> dict:
    """`units._read`, but a forked child kills itself."""
    import signal

    parent, real = _PARENT
    if os.getpid() != parent:
        os.kill(os.getpid(), signal.SIGKILL)
    return real(unit, paths)


def _ids_in_two_units(root: Path) -> bool:
    """Whether an id (as any line of the files gives it) occurs in the files of two units (worked out plainly)."""
    units_of: dict[str, set[str]] = {}
    for path in root.glob("ledgers/*/*.jsonl"):
        for line in path.read_bytes().splitlines():
            try:
                obj = json.loads(line.removeprefix(b"\xef\xbb\xbf"))
            except ValueError:
                continue
            if isinstance(obj, dict) and isinstance(obj.get("id"), str):
                units_of.setdefault(obj["id"], set()).add(path.stem)
    return any(len(u) > 1 for u in units_of.values())


def test_check_reads_files_in_chunks(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangzheng_cli.ledger import storage as ledger_module

    _random_ledger(tmp_path, catalog, random.Random(99), n=300)
    ledger = Ledger(tmp_path, catalog)
    truth = reference_check(catalog, ledger, TODAY)
    for size in (1, 7, 100, 4096):  # lines cut across every chunk boundary
        monkeypatch.setattr(ledger_module, "CHUNK", size)
        assert check_ledgers(catalog, ledger, TODAY) == truth

