"""Two findings of the newcomer acting as office staff.

(1) A ledger file holding unresolved git conflict markers receives nothing: every writing command
(`add`, `inspect`, `void`, `followup`, `import`) refuses with one Chinese message naming the file,
the first marker's line (the line `check` names) and how to resolve it, exit code 1, no byte written.
(2) A metric name close to, but not, the metric of one of the activity's targets is recorded as
typed, with one line suggesting the target's name (`import`: naming the cell).
"""

from __future__ import annotations

import datetime as dt
import json
import os
from pathlib import Path

import openpyxl
import pytest
from conftest import run_process
from test_git_merge import _isolated_git, add, conflicted_pull, git  # noqa: F401 - the autouse fixture: a git config of our own
from test_untrusted_ledger import BASE as RECORD
from test_untrusted_ledger import INSPECTION

from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.storage import CHUNK, scan_for_append

XCB = "ledgers/2022/xcb.jsonl"


def line(obj: dict, **changes: object) -> bytes:
    return json.dumps(obj | changes, ensure_ascii=False).encode() + b"\n"


def conflicted() -> bytes:
    """What `git merge` leaves when both sides appended a line to the same file (no union merge)."""
    return (
        line(RECORD) + line(INSPECTION)
        + b"<<<<<<< HEAD\n" + line(RECORD, id="ours000001", text="我方")
        + b"=======\n" + line(RECORD, id="their00001", text="对方")
        + b">>>>>>> origin/main\n"
    )


def check_place(ws: Path) -> str:
    """The place `check` gives the first conflict marker."""
    out = run_process("--root", ws, "check").out
    return next(row.split(": ")[0] for row in out.splitlines() if "git 合并冲突标记" in row)


def template_with(ws: Path, cli, rows: dict[int, list]) -> Path:  # noqa: ANN001
    path = ws / "报送.xlsx"
    assert cli("--root", ws, "template", "--unit", "宣传部", "--period", "2022-W47", "-o", path).code == 0
    wb = openpyxl.load_workbook(path)
    for row, values in rows.items():
        for column, value in enumerate(values, start=1):
            wb["填报"].cell(row=row, column=column, value=value)
    wb.save(path)
    return path


IMPORT_ROW = [dt.date(2022, 11, 22), "1.理论学习宣讲", "绿", "导入的一条", None, None, "场次=1", "张三"]


@pytest.mark.parametrize("command", [
    ["add", "-u", "xcb", "-a", "1", "-t", "冲突后追加"],
    ["inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "--color", "红", "-t", "冲突后检查"],
    ["void", "4n2ywv2svv", "--reason", "录错"],
    ["followup", "--ref", "insp000001", "--result", "已约谈", "-t", "约谈了"],
    ["import"],
], ids=lambda c: c[0])
def test_a_file_with_conflict_markers_receives_nothing(workspace: Path, cli, command: list[str]) -> None:  # noqa: ANN001
    path = workspace / XCB
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(conflicted())
    if command == ["import"]:
        command = ["import", template_with(workspace, cli, {3: IMPORT_ROW})]
    r = cli("--root", workspace, *command)
    assert r.code == 1, (r.out, r.err)
    assert r.out == ""
    said = [row for row in r.err.splitlines() if row.strip()]
    assert len(said) == 1, r.err
    assert f"{XCB}:3: 有未解决的 git 合并冲突标记（这一行以 <<<<<<< 开头），本次记录未写入" in said[0]
    assert check_place(workspace) == f"{XCB}:3"  # the line check names
    assert f"git add {XCB}" in said[0] and "shuangzheng check" in said[0] and "Traceback" not in r.err
    assert path.read_bytes() == conflicted()  # not a byte written


def test_after_a_real_conflicted_pull_add_refuses_until_resolved(tmp_path: Path, cli) -> None:  # noqa: ANN001
    """The finding as it happens: a clone without union merge pulls, git leaves markers, `add` refuses;
    following the message's recipe (delete the marker lines, check, git add, git commit), `add` works."""
    a, b, pull = conflicted_pull(tmp_path, cli)
    assert pull.returncode != 0
    path = b / XCB
    before = path.read_bytes()
    assert b"\n<<<<<<< " in before
    r = run_process("--root", b, "add", "-u", "xcb", "-a", "1", "-t", "冲突后追加", "--date", "2022-11-28")
    assert r.code == 1 and r.out == ""
    assert r.err.strip().startswith(f"错误：{check_place(b)}: 有未解决的 git 合并冲突标记"), r.err
    assert path.read_bytes() == before

    kept = [row for row in before.split(b"\n") if not row.startswith((b"<<<<<<<", b"=======", b">>>>>>>"))]
    path.write_bytes(b"\n".join(kept))
    assert run_process("--root", b, "check").code == 0
    git(b, "add", XCB)
    git(b, "commit", "-q", "-m", "解决合并冲突")
    r = run_process("--root", b, "add", "-u", "xcb", "-a", "1", "-t", "冲突后追加", "--date", "2022-11-28")
    assert r.code == 0, r.err
    assert f"（{XCB}:4）" in r.out


@pytest.mark.parametrize("where", ["first line", "after a BOM", "chunk start", "across chunks", "deep inside", "diff3 base"])
def test_the_first_marker_is_found_anywhere_and_named_as_check_names_it(workspace: Path, cli, where: str) -> None:  # noqa: ANN001
    """The whole file is scanned (1 MB chunks): a marker at a chunk's start or cut by a chunk's end,
    or followed by thousands of lines, is found, and its line is the line `check` names."""
    record = line(RECORD)
    if where == "first line":
        data = b"<<<<<<< HEAD\n" + record
    elif where == "after a BOM":
        data = b"\xef\xbb\xbf<<<<<<< HEAD\n" + record
    elif where == "diff3 base":
        data = record + b"||||||| merged common ancestors\n" + record
    else:
        filler = [line(RECORD, id=f"f{n:09d}") for n in range(CHUNK // len(record) + 50)]
        body = b"".join(filler)
        target = {"chunk start": CHUNK, "across chunks": CHUNK - 3, "deep inside": 5000}[where]
        cut = body.rfind(b"\n", 0, target) + 1  # the last line start at or before the target offset
        if where != "deep inside":  # a padding line, so that the marker's line begins at the target exactly
            body = body[:cut] + b"x" * (target - cut - 1) + b"\n" + body[cut:]
            cut = target
        data = body[:cut] + b"=======\n" + body[cut:]
        assert data[target if where != "deep inside" else cut :][:7] == b"======="
        assert where != "across chunks" or data[CHUNK - 3 : CHUNK] == b"==="
    path = workspace / XCB
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "追加")
    assert r.code == 1, r.err
    assert f"错误：{check_place(workspace)}: 有未解决的 git 合并冲突标记" in r.err
    assert path.read_bytes() == data


def test_no_marker_no_refusal_and_the_line_count_is_the_files(workspace: Path, tmp_path: Path, cli) -> None:  # noqa: ANN001
    """Marker characters inside a record, or a line of `=` shorter than a marker, are not conflicts;
    the single scan counts the lines as before (the place `add` prints), past a chunk."""
    lines = [line(RECORD, id=f"g{n:09d}", text="<<<<<<< HEAD\n=======\n>>>>>>> 分支") for n in range(CHUNK // 200)]
    data = b"".join(lines)
    path = workspace / XCB
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    assert len(data) > CHUNK
    r = cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "追加")
    assert r.code == 0, r.err
    assert f"（{XCB}:{len(lines) + 1}）" in r.out
    other = tmp_path / "other.jsonl"
    other.write_bytes(b"======\n" + record_line_without_newline())
    fd = os.open(other, os.O_RDONLY)
    try:
        assert scan_for_append(fd, os.fstat(fd).st_size) == (1, None)
    finally:
        os.close(fd)


def record_line_without_newline() -> bytes:
    return line(RECORD)[:-1]


# ------------------------------------------------------------------ (2) metric names


def history_metrics(ws: Path, cli) -> list[dict]:  # noqa: ANN001
    return [e["metrics"] for e in json.loads(cli("--root", ws, "history", "-u", "xcb", "--all", "-f", "json").out)]


def test_add_suggests_the_target_metric_and_records_as_typed(workspace: Path, cli) -> None:  # noqa: ANN001
    r = cli("--root", workspace, "add", "--unit", "宣传部", "-a", "2", "-t", "线路", "--metric", "参观路线=3")
    assert r.code == 0, r.err
    assert r.err.strip() == "提示：数据 '参观路线' 是否指 '参观线路'？该活动的目标按 '参观线路' 计"
    assert "已记录" in r.out
    assert history_metrics(workspace, cli) == [{"参观路线": 3}]


@pytest.mark.parametrize("metrics", [
    ["参观线路=3"],  # the target's own name
    ["场次=1", "参与人数=40", "报道=2", "作品=5"],  # common metrics and names like no target's
    ["参观路线=1", "参观线路=3"],  # the target's name is recorded too: the other one is meant as it is
])
def test_exact_common_and_unrelated_names_say_nothing(workspace: Path, cli, metrics: list[str]) -> None:  # noqa: ANN001
    args = [a for m in metrics for a in ("-m", m)]
    r = cli("--root", workspace, "add", "--unit", "宣传部", "-a", "2", "-t", "线路", *args)
    assert r.code == 0, r.err
    assert r.err == ""


def test_an_activity_without_targets_says_nothing(workspace: Path, cli) -> None:  # noqa: ANN001
    r = cli("--root", workspace, "add", "--unit", "宣传部", "-a", "1", "-t", "学习", "-m", "参观路线=3")
    assert r.code == 0 and r.err == ""


def test_metric_hints_of_the_catalog(catalog: Catalog) -> None:
    assert catalog.metric_hints(2, ["参观 线路", "ＡＢ", "线路"]) == [("参观 线路", "参观线路"), ("线路", "参观线路")]
    assert catalog.metric_hints(4, ["点位", "强基固本", "场次"]) == [("点位", "重点点位"), ("强基固本", "强基固本工程")]
    assert catalog.metric_hints(4, ["参观路线"]) == []  # not close to any of activity 4's targets


def test_import_names_the_cell(workspace: Path, cli) -> None:  # noqa: ANN001
    path = template_with(workspace, cli, {
        3: [dt.date(2022, 11, 22), "2.我为霸州添光彩", "蓝", "开通参观线路", None, None, "参观路线=2；场次=1", "张三"],
        4: [dt.date(2022, 11, 23), "2.我为霸州添光彩", "蓝", "又开通一条", None, None, "参观路线=1", "张三"],
        5: IMPORT_ROW,
    })
    r = cli("--root", workspace, "import", path)
    assert r.code == 0, r.err
    hint = "数据 '参观路线' 是否指 '参观线路'？该活动的目标按 '参观线路' 计"
    assert r.err.strip() == f"注意：{path}!G3、{path}!G4: {hint}"
    assert "新增 3 条" in r.out
    assert sorted(map(str, history_metrics(workspace, cli))) == sorted(map(str, [{"参观路线": 2, "场次": 1}, {"参观路线": 1}, {"场次": 1}]))


def _ledger_bytes(ws: Path) -> dict[str, bytes]:
    return {str(p.relative_to(ws)): p.read_bytes() for p in sorted((ws / "ledgers").rglob("*.jsonl"))}


@pytest.mark.parametrize(("metric", "name"), [("场次=1.5", "场次"), ("参观线路=0.5", "参观线路"), ("场次=2.00000000001", "场次")])
def test_add_refuses_a_fraction_of_a_count(workspace: Path, cli, metric: str, name: str) -> None:  # noqa: ANN001
    """Every metric the campaign counts (场次, 参与人数, the targets') is a number of things."""
    before = _ledger_bytes(workspace)
    r = cli("--root", workspace, "add", "--unit", "宣传部", "-a", "2", "-t", "线路", "-m", metric)
    assert r.code == 2
    assert f"数据 '{metric}' 有小数：{name} 是个数，须为整数" in r.err
    assert _ledger_bytes(workspace) == before


def test_whole_numbers_and_other_metrics_may_be_written_with_a_point(workspace: Path, cli) -> None:  # noqa: ANN001
    r = cli("--root", workspace, "add", "--unit", "宣传部", "-a", "1", "-t", "学习", "-m", "场次=2.0", "-m", "满意度=97.5")
    assert r.code == 0, r.err
    assert history_metrics(workspace, cli) == [{"场次": 2, "满意度": 97.5}]


def test_import_names_the_cell_of_a_fraction(workspace: Path, cli) -> None:  # noqa: ANN001
    path = template_with(workspace, cli, {3: IMPORT_ROW, 4: [*IMPORT_ROW[:6], "场次=1；参与人数=40.5", "张三"]})
    before = _ledger_bytes(workspace)
    r = cli("--root", workspace, "import", path)
    assert r.code == 1
    assert f"{path}!G4" in r.err and "数据 '参与人数=40.5' 有小数：参与人数 是个数，须为整数" in r.err
    assert _ledger_bytes(workspace) == before
