"""What the command line reads, the definitions read too, and the other way round: dates as an office
writes them in data/activities.yaml, the Chinese names of the definitions' choices, the Chinese period
forms, and `status --view 列表` (the fast path and Typer alike)."""

from __future__ import annotations

import datetime as dt
import re
import shutil
from pathlib import Path

import pytest

from shuangzheng_cli.cli import _load, fast
from shuangzheng_cli.definitions.catalog import CACHE_DIR, CACHE_FILE, Catalog
from shuangzheng_cli.errors import UsageProblem
from shuangzheng_cli.periods import parse_period, parse_week
from shuangzheng_cli.workspace import bundled_data_dir

ACTS = "data/activities.yaml"


def _workspace(root: Path, edits: list[tuple[str, str]] = ()) -> Path:  # type: ignore[assignment]
    """A workspace with the shipped definitions, each (old, new) of `edits` replacing every `old`."""
    shutil.copytree(bundled_data_dir() / "data", root / "data")
    (root / "ledgers").mkdir()
    path = root / ACTS
    text = path.read_text(encoding="utf-8")
    for old, new in edits:
        assert old in text, old
        text = text.replace(old, new)
    path.write_text(text, encoding="utf-8")
    return root


def _line(root: Path, needle: str) -> int:
    lines = (root / ACTS).read_text(encoding="utf-8").split("\n")
    return next(i for i, line in enumerate(lines, 1) if needle in line)


def _same_catalog(iso: Path, office: Path) -> None:
    """The office-written definitions give exactly the catalog of the ISO-written ones, validated and from the cache."""
    expected = Catalog.load(iso, cache=False)._plain
    assert Catalog.load(office, cache=False)._plain == expected
    assert Catalog.load(office)._plain == expected  # validates, writes the cache
    assert (office / CACHE_DIR / CACHE_FILE).is_file()
    assert Catalog.load(office)._plain == expected  # read back from the cache


# ------------------------------------------------------------ dates in the definitions

BRIEFING = ("    first_number: 1\n", "    first_number: 1\n    first_week: {}\n")


@pytest.mark.parametrize(
    ("iso", "office"),
    [
        ("  date: 2022-09-20\n", "  date: 2022/9/20\n"),  # campaign.date
        ("  date: 2022-09-20\n", "  date: 2022年9月20日\n"),
        ("    start: 2022-09-01\n", "    start: ２０２２－０９－０１\n"),  # both phases that start then
        ("    start: 2023-01-01\n", "    start: '2023.1.1'\n"),
        ("    end: 2022-12-31\n", "    end: 20221231\n"),  # YAML reads this one as a number
        ("        due: 2022-12-31", "        due: 2022年12月31日"),  # every one-off target
    ],
)
def test_a_definition_date_is_read_as_the_command_line_reads_it(tmp_path: Path, iso: str, office: str) -> None:
    _same_catalog(_workspace(tmp_path / "iso"), _workspace(tmp_path / "office", [(iso, office)]))


def test_the_briefing_first_week_too(tmp_path: Path) -> None:
    iso = _workspace(tmp_path / "iso", [(BRIEFING[0], BRIEFING[1].format("2022-09-26"))])
    office = _workspace(tmp_path / "office", [(BRIEFING[0], BRIEFING[1].format("２０２２年９月２６日"))])
    _same_catalog(iso, office)
    assert Catalog.load(office).campaign.briefing.first_week == dt.date(2022, 9, 26)


def _refused_at(tmp_path: Path, cli, old: str, new: str, needle: str, words: tuple[str, ...]) -> tuple[Path, str]:  # noqa: ANN001
    """`check` of a workspace with `old` edited to `new` in activities.yaml: exit 1, a message at the
    line holding `needle` with each of `words`; (the workspace, what it said)."""
    root = _workspace(tmp_path / "ws", [(old, new)])
    result = cli("--root", root, "check")
    assert result.code == 1
    said = result.out + result.err
    assert f"{ACTS}:{_line(root, needle)}: " in said
    for word in words:
        assert word in said
    return root, said


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ("    start: 2023-01-01\n", "    start: 2023/2/30\n", "2023/2/30", ("日期 '2023/2/30' 无效", "2022/9/1")),
        ("  date: 2022-09-20\n", "  date: 20/9/2022\n", "20/9/2022", ("日期 '20/9/2022' 无效", "YYYY-MM-DD", "2022年9月1日")),
        ("  date: 2022-09-20\n", "  date: 今天\n", "今天", ("日期 '今天' 无效", "具体日期")),
        ("  date: 2022-09-20\n", "  date: 1999/9/20\n", "1999/9/20", ("日期 '1999/9/20' 超出范围", "2000-01-01")),
        # a number: pydantic alone would read it as seconds since 1970 (1970-08-23)
        ("    end: 2022-09-30\n", "    end: 20220931\n", "20220931", ("日期 '20220931' 无效", "2022年9月1日")),
    ],
)
def test_a_bad_definition_date_is_named_at_its_line(tmp_path: Path, cli, old: str, new: str, needle: str,
                                                    words: tuple[str, ...]) -> None:
    root, said = _refused_at(tmp_path, cli, old, new, needle, words)
    assert "Value error" not in said and "Traceback" not in said and "Input should" not in said
    assert not (root / CACHE_DIR / CACHE_FILE).exists()  # nothing kept of a bad definition


# ------------------------------------------------------------ choices by their Chinese names


def test_choices_written_as_they_are_displayed(tmp_path: Path) -> None:
    english = [
        ("    units: [市委宣传部, 市委组织部, 市委党校]\n    interval: weekly\n",
         "    units: [市委宣传部, 市委组织部, 市委党校]\n    interval: monthly\n"),
    ]
    chinese = [
        ("    units: [市委宣传部, 市委组织部, 市委党校]\n    interval: weekly\n",
         "    units: [市委宣传部, 市委组织部, 市委党校]\n    interval: 每月\n"),
        ("    interval: weekly\n", "    interval: 每周\n"),
        ("        per: year\n", "        per: 每年\n"),
        ("        per: quarter\n", "        per: 每季度\n"),
        ("        applies_to: lead\n", "        applies_to: 牵头单位\n"),
        ("        applies_to: each\n", "        applies_to: 每个责任单位\n"),
    ]
    iso = _workspace(tmp_path / "iso", english)
    office = _workspace(tmp_path / "office", chinese)
    _same_catalog(iso, office)
    catalog = Catalog.load(office)
    assert catalog.activities[1].interval == "monthly" and catalog.interval(1).name == "每月"
    assert catalog.interval(2).name == "每周"


def test_a_custom_interval_by_its_name_and_colors_by_theirs(tmp_path: Path) -> None:
    rules = ("    quarterly: {name: 每季度, days: 92, yellow_after_days: 120, red_after_days: 184}\n",
             "    quarterly: {name: 每季度, days: 92, yellow_after_days: 120, red_after_days: 184}\n"
             "    fortnightly: {name: 每两周, days: 14, yellow_after_days: 21, red_after_days: 35}\n"
             "  colors:\n    RED: {fill: F4B6B6, style: bold white on red}\n")
    one = "    units: [市委宣传部, 市委组织部, 市委党校]\n    interval: {}\n"
    iso = _workspace(tmp_path / "iso", [(rules[0], rules[1].replace("RED", "red")), (one.format("weekly"), one.format("fortnightly"))])
    office = _workspace(tmp_path / "office", [(rules[0], rules[1].replace("RED", "红")), (one.format("weekly"), one.format("每两周"))])
    _same_catalog(iso, office)
    assert Catalog.load(office).interval(1).days == 14


@pytest.mark.parametrize(
    ("old", "new", "needle", "words"),
    [
        ("    interval: weekly\n", "    interval: 每天\n", "每天", ("未知报送周期 '每天'", "weekly（每周）", "quarterly（每季度）")),
        ("    interval: weekly\n", "    interval:\n", "interval:", ("报送周期 interval 未填", "weekly（每周）")),
        ("        per: year\n", "        per: 每周\n", "per: 每周", ("per 的值 '每周' 无效", "year（每年）", "month（每月）")),
        ("        applies_to: lead\n", "        applies_to: 全体\n", "全体", ("applies_to 的值 '全体' 无效", "lead（牵头单位）")),
    ],
)
def test_an_unknown_choice_lists_the_values_with_their_names(tmp_path: Path, cli, old: str, new: str, needle: str,
                                                             words: tuple[str, ...]) -> None:
    _root, said = _refused_at(tmp_path, cli, old, new, needle, words)
    assert not re.search(r"'\w+' or '", said)  # pydantic's English list ("'lead' or 'each'")
    assert "'None'" not in said  # Python's None for an empty value


# ------------------------------------------------------------ Chinese periods


@pytest.mark.parametrize(
    ("text", "label"),
    [
        ("2022年第48周", "2022-W48"), ("２０２２年第４８周", "2022-W48"), ("2022年48周", "2022-W48"),
        ("2022年第4季度", "2022Q4"), ("2022年四季度", "2022Q4"), ("2022年第四季度", "2022Q4"), ("２０２２年第４季度", "2022Q4"),
        ("2022年下半年", "2022H2"), ("2022年上半年", "2022H1"),
        ("2022年", "2022"), ("2022年度", "2022"), ("2022年全年", "2022"),
        ("2022年十一月", "2022-11"), ("2022年11月份", "2022-11"),
        ("2022年9月1日至2022年9月30日", "2022-09-01..2022-09-30"), ("2022-09-01～2022-09-30", "2022-09-01..2022-09-30"),
    ],
)
def test_chinese_periods(text: str, label: str) -> None:
    assert parse_period(text).label == label


@pytest.mark.parametrize("text", ["2022年第54周", "2022年第0周", "2022年第5季度", "2022年五季度", "2022年十三月", "2022年中半年",
                                  "2022年9月30日至2022年9月1日", "第48周"])
def test_bad_chinese_periods_are_messages(text: str) -> None:
    """The Chinese forms take no more than they should, and the message names them (or the reversed range)."""
    with pytest.raises(UsageProblem) as info:
        parse_period(text)
    message = info.value.message
    assert message.startswith(f"时段 '{text}' 无效")
    assert ("结束日期早于开始日期" if "至" in text else "2022年第48周") in message


def test_a_week_in_chinese_is_a_week(cli, workspace: Path) -> None:
    assert parse_week("2022年第48周").label == "2022-W48"
    chinese = cli("--root", workspace, "history", "--period", "2022年第48周")
    iso = cli("--root", workspace, "history", "--period", "2022-W48")
    assert chinese.code == iso.code == 0 and chinese.out == iso.out


# ------------------------------------------------------------ status --view 列表


@pytest.fixture(scope="module")
def ledger_ws(tmp_path_factory: pytest.TempPathFactory) -> Path:
    from shuangzheng_cli.cli import main

    root = tmp_path_factory.mktemp("view") / "ws"
    assert main(["init", str(root)]) == 0
    assert main(["--root", str(root), "add", "-u", "xcb", "-a", "1", "-t", "会", "--date", "2022-09-21", "-c", "红"]) == 0
    return root


@pytest.mark.parametrize(
    ("name", "value"),
    [("挂图", "matrix"), ("矩阵", "matrix"), ("逐格", "list"), ("列表", "list"), ("按单位", "units"), ("单位", "units")],
)
def test_the_view_by_its_chinese_name_fast_and_typer(ledger_ws: Path, capsys: pytest.CaptureFixture[str], cli,
                                                     name: str, value: str) -> None:
    args = ["--root", str(ledger_ws), "status", "-u", "xcb", "--view"]
    parsed = fast.parse([*args, name])
    assert parsed is not None and parsed[2]["view"] == value
    english = cli(*args, value)
    assert english.code == 0
    assert cli(*args, name).out == english.out  # the fast path
    capsys.readouterr()
    assert _load(["board_cmds"]).run([*args, name]) == 0  # Typer
    assert capsys.readouterr().out == english.out


def test_the_help_names_the_chinese_views_and_a_bad_one_lists_them(cli) -> None:
    helped = cli("status", "--help")
    assert helped.code == 0
    assert all(word in helped.out for word in ("逐格（list）", "列表", "矩阵", "按单位（units）"))
    bad = cli("status", "--view", "网格")
    assert bad.code == 2 and "'网格' 不在可选值之内" in bad.err and "列表" in bad.err


def test_every_other_name_of_a_choice_is_in_the_one_table() -> None:
    """Each declared alias reaches the command as its choice, on the fast path and through Typer's value."""
    from enum import Enum

    from shuangzheng_cli.cli.build import plain_value
    from shuangzheng_cli.cli.commands import every

    aliased = [(c, p) for c in every() for p in c.params if p.aliases]
    assert aliased  # status --view at least
    for command, p in aliased:
        others = [a for q in command.params if q.required and q is not p for a in (q.flags[0], "x")]
        typer_value = Enum("Typed", [(name, name) for name, _ in p.aliases])  # what Typer hands over
        for name, choice in p.aliases:
            assert choice in p.choices
            parsed = fast.parse([*command.name.split(" "), *others, p.flags[0], name])
            assert parsed is not None and parsed[2][p.name] == choice
            assert plain_value(p, typer_value[name]) == choice
