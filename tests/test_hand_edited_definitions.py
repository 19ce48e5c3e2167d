"""Definitions edited by hand in Notepad or WPS (issue 13 item 3): a duplicate key, indentation typed
with a full-width or non-breaking space, a flow list with full-width commas. `check` (a real
subprocess) names the line that holds the mistake and says what it is; exit 1.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import run_process
from test_definitions import ACTS, UNITS, edit, make_workspace

from shuangzheng_cli.definitions.yamlfile import load_yaml


def _problems(root: Path) -> tuple[int, list[str]]:
    r = run_process("--root", root, "check")
    return r.code, [line for line in (r.out + r.err).splitlines() if line.startswith("data/")]


def test_a_key_written_twice_is_refused_naming_both_lines(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    second = edit(root, UNITS, "    aliases: []\n    kind: 党委部门\n  - id: zzb\n",
                  "    aliases: []\n    kind: 党委部门\n    aliases: [宣传部门]\n  - id: zzb\n", mark="    aliases: [宣传部门]")
    first = second - 2  # the xcb unit's own `aliases: []`, two lines above
    text = (root / UNITS).read_text(encoding="utf-8").split("\n")
    assert text[first - 1] == "    aliases: []" and text[second - 1] == "    aliases: [宣传部门]"
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{UNITS}:{second}: 键 'aliases' 重复（第 {first} 行已有）：YAML 只会保留后一个，请合并成一个"]


def test_a_merge_key_overridden_is_not_a_duplicate(tmp_path: Path) -> None:
    """`<<: *anchor` then the same key again is YAML's way to override, not a mistake."""
    root = make_workspace(tmp_path)
    edit(root, UNITS, "  - id: zzb\n    name: 市委组织部\n    aliases: []\n    kind: 党委部门\n",
         "  - &zzb\n    id: zzb\n    name: 市委组织部\n    aliases: []\n    kind: 党委部门\n")
    code, problems = _problems(root)
    assert (code, problems) == (0, [])


def test_full_width_space_indentation_is_named_at_its_own_line(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    name: 市委组织部\n", "\u3000\u3000name: 市委组织部\n")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{UNITS}:{line}: 第 1 个字符是全角空格（U+3000），YAML 的缩进只能用半角空格，请替换"]


def test_non_breaking_space_indentation_is_named_at_its_own_line(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    kind: 党委部门\n  - id: wxb\n", "  \u00a0 kind: 党委部门\n  - id: wxb\n")
    code, problems = _problems(root)
    assert code == 1
    assert len(problems) == 1
    assert problems[0].startswith(f"{UNITS}:{line}: 第 3 个字符是不换行空格（U+00A0")
    assert "只能用半角空格" in problems[0]


def test_full_width_space_inside_a_block_text_is_kept() -> None:
    """Two full-width spaces opening a paragraph are ordinary Chinese text, not indentation."""
    text = "note: |\n  \u3000\u3000一、总体要求\n  \u3000\u3000二、工作安排\n"
    doc, problems = load_yaml(Path("unused"), UNITS, text.encode("utf-8"))
    assert problems == [] and doc is not None
    assert doc.data == {"note": "\u3000\u3000一、总体要求\n\u3000\u3000二、工作安排\n"}


def test_a_flow_list_with_full_width_commas_names_the_comma(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, ACTS, "units: [市委宣传部, 市委组织部, 市委党校]", "units: [市委宣传部，市委组织部，市委党校]")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [
        f"{ACTS}:{line}: '市委宣传部，市委组织部，市委党校' 中有全角逗号“，”："
        "列表 [ ] 中的各项要用半角逗号“,”分隔（如 [市委宣传部, 市委组织部, 市委党校]）"
    ]


# ------------------------------------------------------------ limits and hidden characters (issue 16 items 1, 4)


def test_a_ten_megabyte_unit_name_is_refused_at_its_line(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    name: 市委组织部\n", "    name: " + "组" * ((10 << 20) // 3) + "\n")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{UNITS}:{line}: 文字过长（{(10 << 20) // 3} 字）：此处最多 100 字"]
    status = run_process("--root", root, "status")  # refused the same way, instead of drawing it
    assert status.code == 1 and f"{UNITS}:{line}: 文字过长" in status.out + status.err


@pytest.mark.parametrize(("old", "new", "code", "what"), [
    ("    name: 市委组织部\n", '    name: "市委组织部\\e]0;hacked\\a"\n', "U+001B", "控制字符"),
    ("    name: 市委组织部\n", "    name: 市委\u202e部织组\n", "U+202E", "双向文字控制符"),
    ("    kind: 党委部门\n  - id: wxb\n", "    kind: 党委\u2066部门\n  - id: wxb\n", "U+2066", "双向文字控制符"),
])
def test_control_and_bidi_characters_are_reported_at_their_place(tmp_path: Path, old: str, new: str, code: str,
                                                                  what: str) -> None:
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, old, new)
    status, problems = _problems(root)
    assert status == 1
    assert len(problems) == 1 and problems[0].startswith(f"{UNITS}:{line}: 含有{what} {code}")


def test_a_day_setting_past_ten_years_is_refused(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    text = (root / ACTS).read_text(encoding="utf-8")
    key = next(k for k in ("start_grace_days", "inspection_valid_days") if f"{k}:" in text)
    old = next(line for line in text.splitlines() if line.strip().startswith(f"{key}:"))
    line = edit(root, ACTS, old + "\n", old.split(":")[0] + ": 99999999999999999999\n")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{ACTS}:{line}: {key} 的值 99999999999999999999 超出范围：绝对值最大 3660"]


@pytest.mark.parametrize(("liaison", "said"), [
    ("{name: 李明, phone: 13800138000}", 'phone 须为文字：数字要加引号，如 phone: "13800138000"'),
    ("{name: 李明, phone: 12345}", 'phone 须为文字：数字要加引号，如 phone: "12345"'),
    ("李明 13800138000", 'liaison 须为“键: 值”映射，如 liaison: {name: 李明, phone: "13800138000"}'),
])
def test_a_liaison_written_as_an_office_would_is_answered_with_an_example(tmp_path: Path, liaison: str, said: str) -> None:
    """A phone number without quotes is a YAML number (it was "超出范围：绝对值最大 1e+09"); a liaison
    written as one line of text was "须为“键: 值”映射" with nothing to copy."""
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    name: 市委组织部\n", f"    name: 市委组织部\n    liaison: {liaison}\n", mark="    liaison")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{UNITS}:{line}: {said}"]


def test_a_number_past_its_limit_is_said_in_digits(tmp_path: Path) -> None:
    root = make_workspace(tmp_path)
    old = "deduction_per_finding: 2 "
    line = edit(root, ACTS, old, "deduction_per_finding: 20000000000 ")
    code, problems = _problems(root)
    assert code == 1
    assert f"{ACTS}:{line}: deduction_per_finding 的值 20000000000 超出范围：绝对值最大 1000000000" in problems


def test_conflict_markers_are_named_at_the_first_marker(tmp_path: Path) -> None:
    """A merge left unresolved in units.yaml: named at its `<<<<<<<` line (YAML itself would blame
    the `=======` line, as a missing colon)."""
    root = make_workspace(tmp_path)
    line = edit(root, UNITS, "    name: 市委宣传部\n",
                "<<<<<<< HEAD\n    name: 市委宣传部\n=======\n    name: 中共霸州市委宣传部\n>>>>>>> origin/main\n")
    code, problems = _problems(root)
    assert code == 1
    assert len(problems) == 1 and problems[0].startswith(f"{UNITS}:{line}: 有未解决的 git 合并冲突标记（这一行以 <<<<<<< 开头）")


def test_weights_must_make_the_hundred_points(tmp_path: Path) -> None:
    """Each weight is its part's full marks: weights summing to 120 gave scores out of 100 under
    full marks that added up to 120 (the second newcomer's finding)."""
    root = make_workspace(tmp_path)
    line = edit(root, ACTS, "weights: {timeliness: 30, color: 30,", "weights: {timeliness: 40, color: 40,")
    code, problems = _problems(root)
    assert code == 1
    assert problems == [f"{ACTS}:{line}: 各项权重合计须为 100（现为 120：报送及时 40、四色状态 40、督导检查 20、目标完成 20）"]


def test_weights_may_be_written_by_their_chinese_names(tmp_path: Path) -> None:
    from shuangzheng_cli.definitions.catalog import Catalog

    root = make_workspace(tmp_path)
    edit(root, ACTS, "weights: {timeliness: 30, color: 30, inspections: 20, targets: 20}",
         "weights: {报送及时: 40, 四色状态: 30, 督导检查: 20, 目标完成: 10}")
    code, problems = _problems(root)
    assert (code, problems) == (0, [])
    assert Catalog.load(root).rules.scoring.weights == {"timeliness": 40, "color": 30, "inspections": 20, "targets": 10}
