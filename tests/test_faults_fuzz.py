"""Fault battery (issue 7), fuzz (hypothesis, bounded): random bytes and mangled records as ledger
lines, random period strings, random cell values in a returned workbook. Each gives an answer
or a Chinese message with its place, never a traceback."""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
import re
import shutil
from pathlib import Path

import openpyxl
import pytest
from hypothesis import HealthCheck, assume, example, given, settings
from hypothesis import strategies as st
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.workbook.defined_name import DefinedName

from shuangzheng_cli.cli import main
from shuangzheng_cli.errors import UsageProblem
from shuangzheng_cli.importing.template import HEADERS
from shuangzheng_cli.periods import Period, parse_period

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
XCB = "ledgers/2022/xcb.jsonl"
CJK = re.compile(r"[\u4e00-\u9fff]")
GOOD = {"v": 1, "id": "good0001", "kind": "progress", "date": "2022-11-01", "unit": "xcb", "activity": 1,
        "by": "张三", "at": "2022-11-01T10:00:00+08:00", "color": "blue", "text": "召开动员会", "problems": "",
        "next": "", "metrics": {"场次": 1}, "evidence": []}


def run(*args: object) -> tuple[int, str, str]:
    """`shuangzheng ARGS` in this process; an exception escaping `main` fails the test (a traceback)."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main([str(a) for a in args])
    return code, out.getvalue(), err.getvalue()


@pytest.fixture(scope="module")
def ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("fuzz") / "ws"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("SHUANGZHENG_TODAY", "2022-11-30")
        assert run("init", root)[0] == 0
    return root


def _reset(root: Path) -> None:
    shutil.rmtree(root / "ledgers", ignore_errors=True)
    (root / "ledgers").mkdir()


# ------------------------------------------------------------ ledger lines

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=12)
    | st.sampled_from(["2022-11-01", "2022-02-30", "20221101", "2022-W44-2", "green", "红", "xcb", "void", "good0001"]),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3),
    max_leaves=5,
)
FIELDS = [*GOOD, "ref", "method", "followup", "score"]
DROP = object()


@st.composite
def mangled_records(draw: st.DrawFn) -> bytes:
    """A near-valid record: a kind, then a few fields replaced by random JSON or dropped."""
    obj = dict(GOOD, id=draw(st.sampled_from(["fuzz0001", "good0001", "Bad Id", ""])))
    obj["kind"] = draw(st.sampled_from(["progress", "inspection", "void", "note"]))
    if obj["kind"] == "inspection":
        obj |= {"method": "暗访", "followup": "约谈"}
    if obj["kind"] == "void":
        obj["ref"] = "good0001"
    for name in draw(st.lists(st.sampled_from(FIELDS), min_size=1, max_size=3, unique=True)):
        value = draw(json_values | st.just(DROP))
        if value is DROP:
            obj.pop(name, None)
        else:
            obj[name] = value
    return json.dumps(obj, ensure_ascii=draw(st.booleans())).encode()


@st.composite
def corrupted_good_lines(draw: st.DrawFn) -> bytes:
    """The bytes of a good line with a few bytes changed, cut out or inserted."""
    data = bytearray(json.dumps(dict(GOOD, id="fuzz0002"), ensure_ascii=False).encode())
    for _ in range(draw(st.integers(1, 3))):
        at = draw(st.integers(0, len(data) - 1))
        op = draw(st.sampled_from(["flip", "cut", "insert"]))
        if op == "flip":
            data[at] = draw(st.integers(0, 255))
        elif op == "cut":
            del data[at : at + draw(st.integers(1, 8))]
        else:
            data[at:at] = draw(st.binary(min_size=1, max_size=4))
    return bytes(data)


fuzz_lines = st.one_of(st.binary(max_size=120), mangled_records(), corrupted_good_lines())


@FUZZ
@given(fuzz_lines)
@example(b"\xef\xbb\xbf" + json.dumps(dict(GOOD, id="fuzz0003")).encode())  # a BOM in mid-file
@example(b'{"v": 1, "id": "fuzz0004", "kind": "progress", "date": "2022-11-01", "unit": "xcb", "activity": 1e400}')
@example(b"\r")
@example(b"\x00")
def test_random_bytes_as_a_ledger_line(ws: Path, line: bytes) -> None:
    _reset(ws)
    path = ws / XCB
    path.parent.mkdir()
    path.write_bytes(json.dumps(GOOD, ensure_ascii=False).encode() + b"\n" + line + b"\n")
    lines = path.read_bytes().count(b"\n")

    code, out, err = run("--root", ws, "check")
    assert code in (0, 1), err
    problems = out.splitlines()
    for problem in problems:  # each problem at its file:line, in Chinese
        m = re.match(rf"^{re.escape(XCB)}:(\d+): (.+)$", problem)
        assert m and 2 <= int(m[1]) <= lines and CJK.search(m[2]), problem
    assert (code == 1) == bool(problems)
    assert ("发现" in err) if code else ("检查通过" in err)

    code, out, note = run("--root", ws, "history", "--all", "--format", "json")
    assert code == 0, note
    ids = [e["id"] for e in json.loads(out)]
    assert "good0001" in ids
    if note:  # a skipped line is named, and check lists it too
        assert re.match(rf"^注意：台账中有 \d+ 行未通过检查，未计入（首处 {re.escape(XCB)}:\d+）", note), note
        assert problems

    code, out, err = run("--root", ws, "status", "--format", "json")
    assert code == 0, err
    board = json.loads(out)
    assert sum(board["totals"].values()) == len(board["cells"])


MANGLED = [  # each a field of the wrong type or shape, as a hand edit or another tool might leave it
    {"color": 5}, {"color": "purple"}, {"by": 5}, {"by": None}, {"text": None}, {"problems": []}, {"next": 7},
    {"evidence": [1, {}]}, {"evidence": "a.jpg"}, {"metrics": {"场次": "三"}}, {"metrics": {"场次": None}},
    {"metrics": {"场次": True}}, {"metrics": {"场次": 10**400}}, {"metrics": {"场次": float("nan")}},
    {"metrics": {"场次": float("inf")}}, {"metrics": [1]}, {"kind": "inspection", "method": 5, "followup": "约谈"},
    {"kind": "inspection", "method": "暗访", "followup": ["约谈"]}, {"kind": "inspection", "method": "暗访", "followup": []},
    {"kind": "void", "ref": 5}, {"activity": 99}, {"activity": -1}, {"activity": True}, {"activity": "1"},
    {"date": "2022-13-01"}, {"date": 20221101}, {"at": 0}, {"unit": "ZZ"}, {"unit": "../x"}, {"id": 7},
]


def test_mangled_records_through_every_reader(ws: Path, tmp_path: Path) -> None:
    """Every command that reads the ledger, over a file of broken records: each runs, skips them with a
    note, and `check` names every one at its line."""
    _reset(ws)
    path = ws / XCB
    path.parent.mkdir()
    lines = [json.dumps(GOOD, ensure_ascii=False)]
    lines += [json.dumps({**GOOD, "id": f"mang{i:04d}", **change}, ensure_ascii=False) for i, change in enumerate(MANGLED)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    readers = [
        ["status"], ["status", "--format", "json"], ["status", "--view", "units"], ["status", "--view", "list"],
        ["history"], ["history", "--all", "--format", "csv"], ["history", "--format", "json"], ["alerts"],
        ["report", "week", "2022-W44"], ["report", "half-year", "2022H2", "-u", "xcb"],
        ["score", "--year", "2022"], ["bulletin"], ["export", "--week", "2022-W44", "-o", tmp_path / "w44.xlsx"],
    ]
    for args in readers:
        code, out, err = run("--root", ws, *args)
        assert code == 0, (args, err)
        assert err.startswith("注意：台账中有 ") and f"首处 {XCB}:2" in err, (args, err)
    code, out, _ = run("--root", ws, "check")
    assert code == 1
    flagged = {int(m[1]) for m in re.finditer(rf"^{re.escape(XCB)}:(\d+): ", out, re.M)}
    assert flagged == set(range(2, len(MANGLED) + 2))


# ------------------------------------------------------------ periods

period_like = st.from_regex(
    r"\A\s?\d{1,5}(-?[WwQqHh]\d{0,3}|-\d{1,3}|年\d{1,2}月)?\s?\Z"
    r"|\A\d{4}[-/.]\d{1,2}[-/.]\d{1,3}\.\.\d{4}[-/.]\d{1,2}[-/.]\d{1,3}\Z",
    fullmatch=True,
)


@settings(max_examples=300, deadline=None, derandomize=True)
@given(st.one_of(st.text(max_size=25), period_like))
@example("9999-W52")  # ends in year 10000
@example("0001-W01")  # starts on 0001-01-01: no period before it
@example("0001")
@example("9999-12-31..9999-12-31")
@example("２０２２-Ｗ３９")
def test_random_period_strings(text: str) -> None:
    try:
        period = parse_period(text)
    except UsageProblem as exc:
        assert CJK.search(exc.message) and exc.code == 2
        return
    assert isinstance(period, Period) and period.start <= period.end
    try:
        before = period.previous()
    except UsageProblem as exc:  # before the first day there is no previous period
        assert CJK.search(exc.message)
        return
    assert before.end < period.start


@pytest.mark.parametrize("period", ["9999-W52", "0001-W01", "0001-01-01..0001-01-07"])
def test_a_period_at_the_edge_of_the_calendar_through_the_cli(ws: Path, tmp_path: Path, period: str) -> None:
    _reset(ws)
    for args in (["history", "--period", period], ["export", "--period", period, "-o", tmp_path / "x.xlsx"]):
        code, out, err = run("--root", ws, *args)
        assert code in (0, 2), err
        if code == 2:
            assert err.startswith("错误：") and CJK.search(err)


# ------------------------------------------------------------ cells of a returned workbook

EXCEL_TEXT = st.text(max_size=40).map(lambda s: ILLEGAL_CHARACTERS_RE.sub("", s))  # what a cell can hold
cell_values = st.one_of(
    st.none(),
    EXCEL_TEXT,
    st.sampled_from(["=1+1", '=HYPERLINK("http://x","y")', "#N/A", "1.理论学习宣讲", "身边的榜样", "绿", "紫",
                     "2022-09-21", "2022年9月31日", "44825", "场次=3；参与人数=120", "场次三", "＝", "\u3000",
                     "第1项", "1、理论", "字" * 2500, "场次=-1", "a" * 60 + "=1"]),
    st.integers(-10**12, 10**12),
    st.floats(allow_nan=True, allow_infinity=True),
    st.dates(min_value=dt.date(1900, 3, 1), max_value=dt.date(2100, 1, 1)),
    st.datetimes(min_value=dt.datetime(1900, 3, 1), max_value=dt.datetime(2100, 1, 1)),
    st.times(),
    st.booleans(),
)
GOOD_ROW = [dt.date(2022, 9, 21), "1.理论学习宣讲", "绿", "举办理论宣讲", None, None, "场次=3", "张三"]


def _workbook(path: Path, rows: list[list]) -> None:
    """A returned template as openpyxl writes it: unit stored in the book, 填报 sheet, header on row 2."""
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "填报"
    ws.append(["市委宣传部进展填报"])
    ws.append(list(HEADERS))
    for row in rows:
        ws.append(row)
    wb.defined_names["shuangzheng_unit"] = DefinedName("shuangzheng_unit", attr_text='"xcb"')
    wb.save(path)


@settings(max_examples=40, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(
    st.lists(
        st.lists(st.tuples(st.integers(0, len(HEADERS) - 1), cell_values), min_size=1, max_size=4),
        min_size=1, max_size=3,
    )
)
def test_random_cell_values_in_an_imported_workbook(ws: Path, tmp_path_factory: pytest.TempPathFactory,
                                                    changes: list[list[tuple[int, object]]]) -> None:
    _reset(ws)
    rows = [list(GOOD_ROW)]
    for i, row_changes in enumerate(changes):
        row = [dt.date(2022, 9, 22 + i), "8", None, f"第{i}行", None, None, None, "李四"]
        for column, value in row_changes:
            row[column] = value
        rows.append(row)
    book = tmp_path_factory.mktemp("book") / "报送.xlsx"
    try:
        _workbook(book, rows)
    except (ValueError, TypeError):  # a value openpyxl itself cannot store: no such file can exist
        assume(False)

    code, out, err = run("--root", ws, "import", book)
    written = sorted((ws / "ledgers").rglob("*.jsonl"))
    if code == 0:
        added = int(re.search(r"新增 (\d+) 条", out)[1])
        assert 1 <= added <= len(rows)
        lines = [json.loads(x) for p in written for x in p.read_bytes().splitlines()]
        assert len(lines) == added
        assert run("--root", ws, "check")[0] == 0  # what an import writes always passes check
        return
    assert code in (1, 2), err
    assert written == [] or all(p.read_bytes() == b"" for p in written)  # one bad row: nothing written
    assert err.startswith("错误：发现 ") and "未导入任何记录" in err
    for problem in err.splitlines()[1:]:
        assert re.match(rf"^{re.escape(str(book))}!([A-H]\d+|第\d+行)?: \S", problem), problem
        assert CJK.search(problem)
