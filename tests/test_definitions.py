"""Every bad-definition case of issue 2 (item 5): `check` names the place and the problem, exit 1.

Each case copies the real data files into a temporary workspace, makes one small edit, and
works out the expected line from the text it edited.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
UNITS = "data/units.yaml"
ACTS = "data/activities.yaml"


def make_workspace(tmp_path: Path) -> Path:
    root = tmp_path / "ws"
    (root / "data").mkdir(parents=True)
    (root / "ledgers").mkdir()
    for name in ("activities.yaml", "units.yaml"):
        shutil.copyfile(REPO / "data" / name, root / "data" / name)
    return root


def edit(root: Path, label: str, old: str, new: str, *, mark: str | None = None) -> int:
    """Replace the first `old` with `new` in `label`; return the line of `mark` (default: `new`'s first line)."""
    path = root / label
    text = path.read_text(encoding="utf-8")
    assert text.count(old) >= 1, f"{old!r} not in {label}"
    at = text.index(old)
    path.write_text(text[:at] + new + text[at + len(old) :], encoding="utf-8")
    offset = at + (new.index(mark) if mark is not None else 0)
    return text[:at].count("\n") + (new[: offset - at].count("\n")) + 1


@dataclass
class Case:
    file: str
    old: str
    new: str
    words: tuple[str, ...]
    mark: str | None = None


CASES = {
    "yaml-syntax": Case(UNITS, "    name: 市委组织部\n", "    name: 市委组织部: 又一个冒号\n", ("YAML 格式错误", "“键: 值”")),
    "yaml-unclosed-bracket": Case(
        ACTS, "    units: [市委政法委]\n", "    units: [市委政法委\n", ("YAML 格式错误", "“]”")
    ),
    "tab-indent": Case(UNITS, "    name: 市委组织部\n", "\tname: 市委组织部\n", ("制表符",)),
    "fullwidth-colon": Case(UNITS, "    name: 市委组织部\n", "    name：市委组织部\n", ("全角冒号", "：")),
    "fullwidth-colon-with-space": Case(UNITS, "    kind: 党委部门\n", "    kind： 党委部门\n", ("全角冒号",)),
    "unknown-unit": Case(
        ACTS,
        "units: [市委宣传部, 市委组织部, 市委党校]",
        "units: [市委宣传部, 市委组织不, 市委党校]",
        ("未知单位 '市委组织不'", "是否指 '市委组织部'"),
    ),
    "duplicate-unit-id": Case(UNITS, "  - id: zzb\n", "  - id: xcb\n", ("编号 'xcb' 重复", "第 20 行")),
    "duplicate-activity-number": Case(
        ACTS, "  - number: 18\n    category: 5\n", "  - number: 17\n    category: 5\n", ("活动编号 17 重复",)
    ),
    "alias-claimed-twice": Case(
        UNITS,
        "    name: 市司法局\n    aliases: []\n",
        "    name: 市司法局\n    aliases: [市卫生健康局]\n",
        ("市卫生健康局", "已属于 'wjj'"),
        mark="    aliases",
    ),
    "bad-id-pattern": Case(UNITS, "  - id: zzb\n", "  - id: Zu Zhi Bu\n", ("编号 'Zu Zhi Bu' 不合规", "小写字母")),
    "bad-id-too-long": Case(UNITS, "  - id: zzb\n", "  - id: " + "z" * 33 + "\n", ("不合规", "2–32 位")),
    "bad-date-day": Case(ACTS, "  date: 2022-09-20\n", "  date: 2022-09-31\n", ("日期 '2022-09-31' 无效", "YYYY-MM-DD")),
    "bad-date-month": Case(ACTS, "    start: 2023-01-01\n", "    start: 2023-13-01\n", ("日期 '2023-13-01' 无效",)),
    "bad-date-format": Case(ACTS, "  date: 2022-09-20\n", "  date: 20/9/2022\n", ("日期 '20/9/2022' 无效", "2022年9月1日")),
    "phase-end-before-start": Case(
        ACTS, "    end: 2022-09-30\n", "    end: 2022-08-31\n", ("阶段结束日期 2022-08-31 早于开始日期 2022-09-01",)
    ),
    "unknown-color": Case(
        ACTS,
        "  target_red_ratio: 0.5",
        "  colors:\n    purple: {fill: 'FF00FF', style: bold}\n  target_red_ratio: 0.5",
        ("未知颜色 'purple'", "red/yellow/blue/green"),
        mark="    purple",
    ),
    "threshold-zero": Case(ACTS, "  start_grace_days: 14 ", "  start_grace_days: 0 ", ("start_grace_days", "大于 0")),
    "threshold-negative": Case(ACTS, "  start_grace_days: 14 ", "  start_grace_days: -3 ", ("start_grace_days", "大于 0", "-3")),
    "threshold-text": Case(ACTS, "  start_grace_days: 14 ", "  start_grace_days: 'abc' ", ("start_grace_days", "须为整数")),
    "threshold-ratio": Case(ACTS, "  target_red_ratio: 0.5 ", "  target_red_ratio: 1.5 ", ("target_red_ratio", "不大于 1")),
    "interval-days-zero": Case(
        ACTS, "    weekly:    {name: 每周,  days: 7,", "    weekly:    {name: 每周,  days: 0,", ("days", "大于 0")
    ),
    "unknown-key": Case(UNITS, "    kind: 党委部门\n", "    knid: 党委部门\n", ("未知的键 'knid'", "拼写错误")),
    "unknown-interval": Case(
        ACTS, "    units: [市委政法委]\n    interval: weekly\n", "    units: [市委政法委]\n    interval: daily\n",
        ("未知报送周期 'daily'",), mark="    interval",
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=list(CASES))
def test_bad_definition_is_reported_with_its_place(case: Case, tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, case.file, case.old, case.new, mark=case.mark)
    result = cli("--root", root, "check")
    assert result.code == 1, result.out + result.err
    found = [row for row in result.out.splitlines() if row.startswith(f"{case.file}:{line}: ")]
    assert found, f"expected {case.file}:{line} in:\n{result.out}"
    for word in case.words:
        assert any(word in row for row in found), (word, found)
    assert "Traceback" not in result.out + result.err
    assert "发现" in result.err and "问题" in result.err


def test_fullwidth_colon_names_its_own_line_not_the_next(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    aliases: [市直工委]", "    aliases：[市直工委]")
    result = cli("--root", root, "check")
    assert result.code == 1
    assert f"{UNITS}:{line}: " in result.out
    assert f"{UNITS}:{line + 1}: " not in result.out
    assert "全角冒号" in result.out


def test_unclosed_bracket_is_a_chinese_message(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    edit(root, ACTS, "    units: [市委政法委]\n", "    units: [市委政法委\n")
    result = cli("--root", root, "check")
    assert result.code == 1
    problem = next(row for row in result.out.splitlines() if row.startswith(ACTS))
    message = problem.split(": ", 1)[1]
    assert "YAML 格式错误" in message
    assert not any(word in message for word in ("expected", "found", "while")), message


def test_several_problems_are_all_listed_sorted_by_place(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    places = [
        (UNITS, edit(root, UNITS, "    name: 市司法局\n    aliases: []\n", "    name: 市司法局\n    aliases: [市卫健局]\n", mark="    aliases")),
        (UNITS, edit(root, UNITS, "  - id: zzb\n", "  - id: ZZB\n")),
        (ACTS, edit(root, ACTS, "    end: 2022-09-30\n", "    end: 2022-08-31\n")),
        (ACTS, edit(root, ACTS, "units: [市委政法委]", "units: [市委政法伟]")),
        (ACTS, edit(root, ACTS, "  start_grace_days: 14 ", "  start_grace_days: -1 ")),
    ]
    result = cli("--root", root, "check")
    assert result.code == 1
    rows = [row for row in result.out.splitlines() if row.startswith("data/")]
    listed = [(row.split(":")[0], int(row.split(":")[1])) for row in rows]
    assert listed == sorted(places)
    assert "发现 5 个问题" in result.err


def test_crlf_and_bom_load_cleanly(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    for label in (UNITS, ACTS):
        path = root / label
        text = path.read_text(encoding="utf-8")
        path.write_bytes(b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8"))
    result = cli("--root", root, "check")
    assert result.code == 0, result.out + result.err
    result = cli("--root", root, "units", "--format", "json")
    assert result.code == 0
    assert '"市委宣传部"' in result.out and "\ufeff" not in result.out


def test_gbk_file_is_reported_as_not_utf8(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    path = root / UNITS
    path.write_bytes(path.read_text(encoding="utf-8").encode("gbk"))
    result = cli("--root", root, "check")
    assert result.code == 1
    # The file's first line is a Chinese comment: its first non-ASCII byte is on line 1.
    assert f"{UNITS}:1: " in result.out and "不是 UTF-8" in result.out


def test_one_gbk_line_in_a_utf8_file_is_named(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    path = root / UNITS
    text = path.read_text(encoding="utf-8")
    old = "    name: 市委组织部\n"
    line = text[: text.index(old)].count("\n") + 1
    path.write_bytes(text.replace(old, "@@\n", 1).encode("utf-8").replace(b"@@", old.rstrip("\n").encode("gbk")))
    result = cli("--root", root, "check")
    assert result.code == 1
    assert f"{UNITS}:{line}: " in result.out and "UTF-8" in result.out


def test_missing_file_is_named(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    (root / UNITS).unlink()
    (root / UNITS).parent.mkdir(exist_ok=True)
    result = cli("--root", root, "check")
    assert result.code == 1
    assert UNITS in result.out and "文件不存在" in result.out


@pytest.mark.parametrize(
    ("old", "new", "words"),
    [
        # `no` stays the word "no": a unit so named, so the plan's name no longer resolves.
        ("    name: 市委组织部\n", "    name: no\n", ("未知单位 '市委组织部'",)),
        ("  start_grace_days: 14 ", "  start_grace_days: no ", ("start_grace_days", "须为整数")),
        ("    kind: 党委部门\n", "    kind: yes\n", ()),
        ("    aliases: [市直工委]", "    aliases: [市直工委, off]", ()),
    ],
    ids=["name-no", "threshold-no", "kind-yes", "alias-off"],
)
def test_yaml_1_1_booleans_do_not_crash(old: str, new: str, words: tuple[str, ...], tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    edit(root, UNITS if "start_grace" not in old else ACTS, old, new)
    result = cli("--root", root, "check")
    assert "Traceback" not in result.out + result.err
    assert "False" not in result.out and "True" not in result.out
    assert result.code == (1 if words else 0), result.out
    for word in words:
        assert word in result.out


def test_kind_yes_is_kept_as_written(tmp_path: Path, cli) -> None:
    root = make_workspace(tmp_path)
    edit(root, UNITS, "  - id: zzb\n    name: 市委组织部\n    aliases: []\n    kind: 党委部门\n",
         "  - id: zzb\n    name: 市委组织部\n    aliases: []\n    kind: yes\n")
    result = cli("--root", root, "units", "--format", "json")
    assert result.code == 0
    assert '"kind": "yes"' in result.out


def test_dates_from_yaml_are_real_dates(tmp_path: Path, cli) -> None:
    """Unquoted and quoted dates mean the same day."""
    root = make_workspace(tmp_path)
    edit(root, ACTS, "  date: 2022-09-20\n", "  date: '2022-09-20'\n")
    assert cli("--root", root, "check").code == 0
