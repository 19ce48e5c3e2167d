"""The fast line check never passes a line the full validation would fault, and `check` with it
gives exactly the answers of the plain line-by-line check (kept here as the reference)."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import random
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.errors import Problem
from shuangzheng_cli.ledger.check import _all_files, check_ledgers, stray_files
from shuangzheng_cli.ledger.entries import reference_problems, schema_problems
from shuangzheng_cli.ledger.fastcheck import FastChecker, id_code
from shuangzheng_cli.ledger.storage import Ledger, derived_id, is_unit_id, new_id, read_lines

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
        assert checker.code(obj, "xcb", "2022") == (id_code(obj["id"]) if len(obj["id"]) == 10 else -1)
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


def reference_check(catalog: Catalog, ledger: Ledger, today: dt.date) -> list[Problem]:
    """`check` as it was before the fast path: every line through the full validation, ids in a dict."""
    problems: list[Problem] = []
    first_seen: dict[str, tuple[str, int, bytes]] = {}
    voids: list[tuple[str, int, str]] = []
    for path in stray_files(ledger):
        problems.append(Problem(ledger.label(path), 0, "台账文件应放在 ledgers/<年份>/<单位编号>.jsonl，这里的文件不会被读取"))
    for path in _all_files(ledger):
        label = ledger.label(path)
        year_dir, unit_in_name = path.parent.name, path.name.removesuffix(".jsonl")
        if not is_unit_id(unit_in_name):
            problems.append(Problem(label, 0, f"文件名 '{path.name}' 不是 单位编号.jsonl"))
        for raw in read_lines(path):
            if raw.obj is None:
                if raw.problem:
                    problems.append(Problem(label, raw.number, raw.problem))
                continue
            obj = raw.obj
            found = schema_problems(obj)
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
                digest = hashlib.blake2b(raw.data.rstrip(b"\r\n"), digest_size=16).digest()
                if entry_id in first_seen:
                    where, line, seen = first_seen[entry_id]
                    if seen == digest:
                        found.append(f"编号 {entry_id} 重复：与 {where}:{line} 完全相同（合并时重复？读取时只计一次，可删去一行）")
                    else:
                        found.append(f"编号 {entry_id} 重复：{where}:{line} 已有此编号但内容不同（读取时只用前一条）")
                else:
                    first_seen[entry_id] = (label, raw.number, digest)
            if obj.get("kind") == "void" and isinstance(obj.get("ref"), str):
                voids.append((label, raw.number, obj["ref"]))
            problems += [Problem(label, raw.number, m) for m in found]
    for label, line, ref in voids:
        if ref not in first_seen:
            problems.append(Problem(label, line, f"作废的记录 {ref} 不存在"))
    return sorted(problems)


def _random_ledger(root: Path, catalog: Catalog, rng: random.Random, n: int = 500) -> None:
    cells = [c for c in catalog.cells if catalog.is_reporting_unit(c.unit)][:30]
    days = [dt.date(2022, 8, 25) + dt.timedelta(days=d) for d in range(0, 120, 2)]
    ids: list[str] = []
    files: dict[Path, list[bytes]] = {}
    for i in range(n):
        cell = rng.choice(cells)
        day = rng.choice(days)
        kind = rng.choices(["progress", "inspection", "void"], [8, 2, 1])[0]
        roll = rng.random()
        entry_id = (rng.choice(ids) if ids and roll < 0.04 else f"hand{i:04d}" if roll < 0.1 else new_id())
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
            key = rng.choice(list(obj))
            obj[key] = rng.choice([None, "", 0, 19, "purple", "2022-13-01", "x" * 2001, [1], True, "4n2ywv2svv"])
        ids.append(entry_id)
        unit = cell.unit if rng.random() > 0.03 else rng.choice(cells).unit
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
    (root / "ledgers" / "2022" / "Bad Name.jsonl").write_bytes(lines[0] + b"\n")


@pytest.mark.parametrize("seed", range(10))
def test_check_equals_the_reference_check_on_random_ledgers(tmp_path: Path, catalog: Catalog, seed: int) -> None:
    _random_ledger(tmp_path, catalog, random.Random(seed))
    ledger = Ledger(tmp_path, catalog)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)


def test_check_reads_files_in_chunks(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangzheng_cli.ledger import storage as ledger_module

    _random_ledger(tmp_path, catalog, random.Random(99), n=300)
    ledger = Ledger(tmp_path, catalog)
    truth = reference_check(catalog, ledger, TODAY)
    for size in (1, 7, 100, 4096):  # lines cut across every chunk boundary
        monkeypatch.setattr(ledger_module, "CHUNK", size)
        assert check_ledgers(catalog, ledger, TODAY) == truth


def test_check_without_packed_file_numbers(tmp_path: Path, catalog: Catalog, monkeypatch: pytest.MonkeyPatch) -> None:
    """More files than the array values can number: the second pass reads every file, same answer."""
    from shuangzheng_cli.ledger import check as check

    _random_ledger(tmp_path, catalog, random.Random(5))
    ledger = Ledger(tmp_path, catalog)
    monkeypatch.setattr(check, "FILE_BITS", 1)
    assert check_ledgers(catalog, ledger, TODAY) == reference_check(catalog, ledger, TODAY)


# ------------------------------------------------------------ the readers' shape check


def _readable_reference(obj: dict) -> bool:
    """`ledger._readable` as first written (generators): the rewrite must answer the same."""
    from shuangzheng_cli.ledger.storage import _is_number

    return (
        obj.get("kind") in ("progress", "inspection", "followup", "void")
        and isinstance(obj.get("id"), str)
        and is_unit_id(obj.get("unit"))
        and isinstance(obj.get("activity"), int)
        and not isinstance(obj.get("activity"), bool)
        and isinstance(obj.get("date"), str)
        and all(isinstance(obj.get(k, ""), str) for k in ("at", "by", "text", "problems", "next"))
        and all(obj.get(k) is None or isinstance(obj.get(k), str) for k in ("color", "method", "ref", "result", "due"))
        and (
            obj.get("followup") is None or isinstance(obj.get("followup"), str)
            or (isinstance(obj.get("followup"), list) and all(isinstance(a, str) for a in obj["followup"]))
        )
        and isinstance(obj.get("metrics") or {}, dict)
        and all(_is_number(v) for v in (obj.get("metrics") or {}).values())
        and isinstance(obj.get("evidence") or [], list)
        and all(isinstance(v, str) for v in obj.get("evidence") or [])
    )


@settings(max_examples=400, deadline=None)
@given(
    base=st.sampled_from(GOOD),
    changes=st.dictionaries(st.sampled_from([*PROGRESS, *INSPECTION, *VOID, "extra"]),
                            _json_values | st.sampled_from([float("nan"), float("inf"), 10**400, {"a": float("nan")}]),
                            max_size=3),
    drops=st.sets(st.sampled_from([*PROGRESS, *INSPECTION, *VOID]), max_size=2),
)
def test_the_readers_shape_check_is_unchanged(base: dict, changes: dict, drops: set) -> None:
    from shuangzheng_cli.ledger.storage import _readable

    obj = {k: v for k, v in {**base, **changes}.items() if k not in drops}
    assert _readable(obj) == _readable_reference(obj), obj
