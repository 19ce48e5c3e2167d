"""The command line itself: version, help, Chinese usage errors, name resolution, JSON shapes,
workspace discovery and `init` (real files, real git)."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import pytest
import typer
from conftest import run_process

from shuangzheng_cli import __version__
from shuangzheng_cli.cli import app

CHINESE = re.compile(r"[\u4e00-\u9fff]")
TOWNSHIPS = [
    "霸州镇", "胜芳镇", "信安镇", "煎茶铺镇", "南孟镇", "堂二里镇", "杨芬港镇",
    "岔河集乡", "康仙庄乡", "东杨庄乡", "东段乡", "王庄子乡",
    "霸州经济技术开发区", "城区办事处", "辛章办事处",
]


def _json(result) -> list[dict]:
    assert result.code == 0, result.err
    return json.loads(result.out)


def _no_english_usage(err: str) -> None:
    for line in err.splitlines():
        assert not line.startswith(("Error", "Usage", "Try ")), err
    assert "Traceback" not in err


# ------------------------------------------------------------ version and help


def test_version(cli) -> None:
    result = cli("--version")
    assert result.code == 0
    assert result.out.strip() == f"shuangzheng {__version__}"
    assert re.fullmatch(r"\d+\.\d+\.\d+\S*", __version__)


def test_python_dash_m_version() -> None:
    result = run_process("--version")
    assert result.code == 0, result.err
    assert result.out.strip() == f"shuangzheng {__version__}"


def test_help_lists_every_command_in_chinese(cli) -> None:
    result = cli("--help")
    assert result.code == 0
    commands = typer.main.get_command(app).commands  # type: ignore[attr-defined]
    assert {"init", "check", "units", "activities", "add", "inspect", "void", "history"} <= set(commands)
    assert "Usage:" not in result.out and "Options" not in result.out and "Show this message" not in result.out
    listing = result.out.split("命令 ─")[-1]
    for name in commands:
        line = next((row for row in listing.splitlines() if row.strip("│ ").startswith(name + " ")), None)
        assert line is not None, f"{name} missing from --help"
        assert CHINESE.search(line), f"{name} has no Chinese description: {line!r}"


def test_no_arguments_shows_help(cli) -> None:
    result = cli()
    assert result.code == 0
    assert "activities" in result.out and CHINESE.search(result.out)


@pytest.mark.parametrize("command", ["init", "check", "units", "activities", "add", "inspect", "void", "history"])
def test_each_command_has_chinese_help(command: str, cli) -> None:
    result = cli(command, "--help")
    assert result.code == 0
    assert CHINESE.search(result.out)


# ------------------------------------------------------------ usage errors in Chinese, exit 2


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["units", "--bogus"], ["没有选项 --bogus"]),
        (["activities", "--categroy", "1"], ["没有选项 --categroy，是否指 --category？"]),
        (["activities", "--fromat", "json"], ["是否指 --format？"]),
        (["add", "--text", "x", "--activity", "1"], ["缺少必填的 --unit"]),
        (["activities", "--format", "xml"], ["--format", "可选值为 table / json / csv / md"]),
        (["activities", "--category", "x"], ["--category", "须为整数"]),
        (["activities", "--unit"], ["--unit 后面需要一个值"]),
        (["actvities"], ["没有命令 'actvities'"]),
        (["units", "多余", "参数"], ["多余的参数：多余 参数"]),
        (["history", "--all=yes"], ["选项 --all 不带值：直接写 --all 即可"]),
        (["void", "--reason", "重复"], ["缺少必填的参数：要作废的记录编号（见 history），可写多个"]),
        (["report", "half-year"], ["缺少必填的参数：半年，如 2022H2、2023H1"]),
        (["status", "--ascii"], ["--ascii 是全局选项，须写在命令之前：shuangzheng --ascii status …"]),
        (["report", "week", "--root", "."], ["--root 是全局选项，须写在命令之前：shuangzheng --root 目录 report week …"]),
        (["stauts"], ["没有命令 'stauts'，是否指 shuangzheng status？"]),
        (["report", "halfyear"], ["没有命令 'halfyear'，是否指 shuangzheng report half-year？"]),
    ],
    ids=["unknown-option", "typo-option", "typo-format", "missing-option", "bad-choice", "not-integer",
         "no-value", "unknown-command", "extra-argument", "flag-with-value", "missing-argument",
         "missing-argument-of-group", "global-after-command", "root-after-command", "typo-command",
         "typo-subcommand"],
)
def test_usage_errors_are_chinese_with_exit_2(args: list[str], words: list[str], cli) -> None:
    result = cli(*args)
    assert result.code == 2
    assert result.err.startswith("用法错误："), result.err
    for word in words:
        assert word in result.err
    _no_english_usage(result.err)
    assert result.out == ""


def test_unknown_option_suggests_only_the_closest(cli) -> None:
    # history has --all and --activity (and --as-of): "--activty" is one letter from --activity only.
    result = cli("history", "--activty", "1")
    assert result.code == 2
    assert "是否指 --activity？" in result.err
    assert "--all" not in result.err and "--as-of" not in result.err


def test_usage_errors_in_a_real_process_are_chinese() -> None:
    result = run_process("units", "--bogus")
    assert result.code == 2
    assert "用法错误" in result.err
    _no_english_usage(result.err)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["activities", "--unit", "宣传布"], "未知单位 '宣传布'，是否指 '市委宣传部'？"),
        (["activities", "--unit", "市教育局"], "未知单位 '市教育局'，是否指 '市教育和体育局'？"),
        (["units", "--group", "各乡填"], "未知单位 '各乡填'，是否指 '各乡镇（区、办）'？"),
        # a full-width comma typed on the command line is a typo, not a YAML list to split
        (["units", "--group", "各乡镇（区，办）"], "未知单位 '各乡镇（区，办）'，是否指 '各乡镇（区、办）'？"),
        (["history", "--activity", "19"], "未知活动 '19'"),
        (["history", "--activity", "0"], "未知活动 '0'"),
        (["history", "--activity", "文明"], "活动 '文明' 不唯一"),
        (["history", "--activity", "讲成信"], "未知活动 '讲成信'，是否指 '10.讲诚信促发展'？"),
    ],
    ids=["unit-typo", "unit-short", "group-typo", "group-comma", "activity-19", "activity-0", "ambiguous", "activity-typo"],
)
def test_unknown_names_get_a_suggestion_and_exit_2(args: list[str], message: str, cli) -> None:
    result = cli(*args)
    assert result.code == 2
    assert message in result.err
    assert "Traceback" not in result.err


def test_ambiguous_activity_lists_the_candidates(cli) -> None:
    result = cli("history", "--activity", "法治")
    assert result.code == 2
    # "法治" is in the titles of 15 and 17 only (worked out from the plan's headings).
    assert "15." in result.err and "17." in result.err and "请写编号" in result.err


@pytest.mark.parametrize(("text", "number"), [("12", 12), ("第4项", 4), ("讲诚信", 10), ("群众说事", 18)])
def test_activity_by_number_or_title_part(text: str, number: int, workspace: Path, cli) -> None:
    result = cli("--root", workspace, "history", "--activity", text)
    assert result.code == 0, result.err


@pytest.mark.parametrize(("text", "number"), [("４", 4), ("①", 1), ("第②项", 2), ("²", 2), ("第１２项", 12), (" 7 ", 7)])
def test_activity_numbers_typed_full_width_or_circled(catalog, text: str, number: int) -> None:
    """What an input method or a copied document gives for a number (int() refuses ① and ²)."""
    assert catalog.resolve_activity(text) == number


@pytest.mark.parametrize("text", ["١", "⑲", "第0项"])
def test_other_digits_are_a_chinese_error_quoting_them(text: str, workspace: Path, cli) -> None:
    result = cli("--root", workspace, "history", "--activity", text)
    assert result.code == 2 and "Traceback" not in result.err
    assert f"未知活动 '{text}'" in result.err


# ------------------------------------------------------------ resolving every unit


def test_every_unit_resolves_by_id_name_and_alias(cli) -> None:
    units = _json(cli("units", "--format", "json"))
    assert len(units) == 62  # 41 units + 15 townships + 6 group phrases
    for unit in units:
        for spelling in (unit["id"], unit["name"], *unit["aliases"]):
            result = cli("units", "--group", spelling, "--format", "json")
            got = _json(result)
            if unit["group"] and unit["members"]:
                assert [u["id"] for u in got] == unit["members"], spelling
            else:
                assert [u["id"] for u in got] == [unit["id"]], spelling


@pytest.mark.parametrize("spelling", ["ｘｃｂ", "ＸＣＢ", "Xcb"])
def test_a_unit_id_typed_full_width_or_in_capitals(catalog, spelling: str) -> None:
    assert catalog.resolve_unit(spelling) == "xcb"


def test_township_group_lists_the_15_members(cli) -> None:
    got = _json(cli("units", "--group", "各乡镇（区、办）", "--format", "json"))
    assert [u["name"] for u in got] == TOWNSHIPS
    table = cli("units", "--group", "各乡镇（区、办）")
    assert table.code == 0
    for name in TOWNSHIPS:
        assert name in table.out


def test_a_unit_given_as_group_is_called_a_unit(cli) -> None:
    """`units --group 宣传部`: one row, titled as the unit it is (it used to say 不列成员的单位组)."""
    table = cli("units", "--group", "宣传部")
    assert table.code == 0
    assert "市委宣传部（单位，不是单位组）" in table.out and "单位组，作为" not in table.out


def test_activities_of_a_unit(cli) -> None:
    everything = _json(cli("activities", "--format", "json"))
    units = _json(cli("units", "--format", "json"))
    containing = {u["id"] for u in units if u["group"] and "xcb" in u["members"]}
    expected = [a["number"] for a in everything if any(x["id"] in {"xcb"} | containing for x in a["units"])]
    assert expected == [1, 2, 3, 8, 11, 12, 13, 14]  # by hand from the plan
    got = _json(cli("activities", "--unit", "市委宣传部", "--format", "json"))
    assert [a["number"] for a in got] == expected
    assert [a["number"] for a in _json(cli("activities", "--unit", "xcb", "--format", "json"))] == expected


def test_activities_of_a_township_come_from_its_group(cli) -> None:
    # 各乡镇（区、办） is listed in activities 6, 9, 11, 12, 13, 14 (by hand from the plan).
    got = _json(cli("activities", "--unit", "胜芳镇", "--format", "json"))
    assert [a["number"] for a in got] == [6, 9, 11, 12, 13, 14]


def test_activities_by_category(cli) -> None:
    got = _json(cli("activities", "--category", "3", "--format", "json"))
    assert [a["number"] for a in got] == [9, 10, 11]
    bad = cli("activities", "--category", "6")
    assert bad.code == 2 and "未知类别 6" in bad.err


# ------------------------------------------------------------ JSON shapes


def test_units_json_has_exactly_the_documented_keys(cli) -> None:
    for unit in _json(cli("units", "--format", "json")):
        assert list(unit) == ["id", "name", "aliases", "kind", "group", "members", "activities"]
        assert isinstance(unit["aliases"], list) and isinstance(unit["members"], list)
        assert isinstance(unit["group"], bool)
        assert all(isinstance(n, int) for n in unit["activities"])


def test_activities_json_has_exactly_the_documented_keys(cli) -> None:
    for activity in _json(cli("activities", "--format", "json")):
        assert list(activity) == [
            "number", "category", "category_name", "title", "subitems", "units", "lead", "targets", "interval",
        ]
        for unit in activity["units"]:
            assert list(unit) == ["id", "name", "group"]
        assert activity["lead"] == activity["units"][0]["id"]
        assert activity["interval"] in {"weekly", "monthly", "quarterly"}


def test_json_is_utf8_not_escaped(cli) -> None:
    result = cli("units", "--format", "json")
    assert "市委宣传部" in result.out and "\\u" not in result.out


# ------------------------------------------------------------ workspace discovery


def _mark(root: Path) -> None:
    """Give the workspace's definitions an alias the bundled ones do not have."""
    path = root / "data" / "units.yaml"
    text = path.read_text(encoding="utf-8")
    old = "  - id: xcb\n    name: 市委宣传部\n    aliases: []\n"
    assert old in text
    path.write_text(text.replace(old, "  - id: xcb\n    name: 市委宣传部\n    aliases: [本工作区宣传部]\n"), encoding="utf-8")


def _aliases_of_xcb(result) -> list[str]:
    return next(u for u in _json(result) if u["id"] == "xcb")["aliases"]


def test_workspace_from_root_option(workspace: Path, tmp_path: Path, cli) -> None:
    _mark(workspace)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    assert _aliases_of_xcb(cli("--root", workspace, "units", "-f", "json", cwd=elsewhere)) == ["本工作区宣传部"]


def test_workspace_from_environment(workspace: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _mark(workspace)
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    monkeypatch.setenv("SHUANGZHENG_ROOT", str(workspace))
    assert _aliases_of_xcb(cli("units", "-f", "json", cwd=elsewhere)) == ["本工作区宣传部"]


def test_root_option_wins_over_environment(workspace: Path, tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    _mark(workspace)
    monkeypatch.setenv("SHUANGZHENG_ROOT", str(tmp_path / "not-a-workspace"))
    assert _aliases_of_xcb(cli("--root", workspace, "units", "-f", "json")) == ["本工作区宣传部"]


def test_bad_environment_root_is_named(tmp_path: Path, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SHUANGZHENG_ROOT", str(tmp_path / "nowhere"))
    result = cli("units")
    assert result.code == 2
    assert "SHUANGZHENG_ROOT" in result.err and "不是台账工作区" in result.err


def test_bad_root_option_is_named(tmp_path: Path, cli) -> None:
    result = cli("--root", tmp_path / "nowhere", "units")
    assert result.code == 2
    assert "不是台账工作区" in result.err and "shuangzheng init" in result.err


def test_workspace_found_upward_from_a_subfolder(workspace: Path, cli) -> None:
    _mark(workspace)
    deep = workspace / "ledgers" / "2022" / "sub"
    deep.mkdir(parents=True)
    assert _aliases_of_xcb(cli("units", "-f", "json", cwd=deep)) == ["本工作区宣传部"]


def test_no_workspace_reads_bundled_definitions_and_refuses_to_write(tmp_path: Path, cli) -> None:
    lonely = tmp_path / "lonely"
    lonely.mkdir()
    assert _aliases_of_xcb(cli("units", "-f", "json", cwd=lonely)) == []
    assert len(_json(cli("activities", "-f", "json", cwd=lonely))) == 18
    assert cli("check", cwd=lonely).code == 0
    result = cli("add", "--unit", "xcb", "--activity", "1", "--text", "召开动员会", cwd=lonely)
    assert result.code == 2
    assert "shuangzheng init" in result.err
    assert not (lonely / "ledgers").exists()


def test_no_workspace_in_a_real_process(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if k != "SHUANGZHENG_ROOT"}
    env["SHUANGZHENG_TODAY"] = "2022-11-30"
    result = run_process("activities", "--format", "json", cwd=tmp_path, env=env)
    assert result.code == 0, result.err
    assert len(json.loads(result.out)) == 18


# ------------------------------------------------------------ init


def test_init_creates_the_workspace(workspace: Path) -> None:
    for name in ("activities.yaml", "units.yaml"):
        assert (workspace / "data" / name).is_file()
    assert (workspace / "ledgers").is_dir()
    attributes = (workspace / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "ledgers/**/*.jsonl merge=union" in attributes
    assert (workspace / ".git").is_dir()
    hook = workspace / ".git" / "hooks" / "pre-commit"
    assert hook.is_file()
    assert hook.stat().st_mode & stat.S_IXUSR
    assert "check" in hook.read_text(encoding="utf-8")


def test_init_is_idempotent_and_never_overwrites(workspace: Path, cli) -> None:
    units = workspace / "data" / "units.yaml"
    edited = units.read_text(encoding="utf-8") + "# 办公室加的注释\n"
    units.write_text(edited, encoding="utf-8")
    attributes = (workspace / ".gitattributes").read_bytes()
    hook = (workspace / ".git" / "hooks" / "pre-commit").read_bytes()
    result = cli("init", workspace)
    assert result.code == 0
    assert "未做改动" in result.out
    assert units.read_text(encoding="utf-8") == edited
    assert (workspace / ".gitattributes").read_bytes() == attributes
    assert (workspace / ".git" / "hooks" / "pre-commit").read_bytes() == hook


def test_init_adds_the_union_rule_to_an_existing_gitattributes(tmp_path: Path, cli) -> None:
    root = tmp_path / "ws"
    root.mkdir()
    (root / ".gitattributes").write_text("*.xlsx binary\n", encoding="utf-8")
    assert cli("init", root).code == 0
    lines = (root / ".gitattributes").read_text(encoding="utf-8").splitlines()
    assert "*.xlsx binary" in lines and "ledgers/**/*.jsonl merge=union" in lines


def _git(root: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=测试员", "-c", "user.email=test@example.com", *args],
        capture_output=True,
        text=True,
        check=False,
    )


def test_pre_commit_hook_refuses_a_broken_definition(workspace: Path) -> None:
    assert _git(workspace, "add", "-A").returncode == 0
    if _git(workspace, "status", "--porcelain").stdout.strip():  # init commits itself when git knows who
        first = _git(workspace, "commit", "-q", "-m", "工作区")
        assert first.returncode == 0, first.stdout + first.stderr
    commits = _git(workspace, "rev-list", "--count", "HEAD").stdout.strip()

    units = workspace / "data" / "units.yaml"
    good = units.read_text(encoding="utf-8")
    units.write_text(good.replace("  - id: zzb\n", "  - id: xcb\n", 1), encoding="utf-8")
    _git(workspace, "add", "-A")
    refused = _git(workspace, "commit", "-q", "-m", "坏的定义")
    assert refused.returncode != 0
    assert "编号 'xcb' 重复" in refused.stdout + refused.stderr
    assert _git(workspace, "rev-list", "--count", "HEAD").stdout.strip() == commits

    units.write_text(good.replace("    aliases: []\n", "    aliases: [宣传口]\n", 1), encoding="utf-8")
    _git(workspace, "add", "-A")
    fixed = _git(workspace, "commit", "-q", "-m", "修好")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _git(workspace, "rev-list", "--count", "HEAD").stdout.strip() == str(int(commits) + 1)


# ------------------------------------------------------------ tracebacks


def test_tracebacks_never_show_locals(tmp_path: Path) -> None:
    assert app.pretty_exceptions_show_locals is False
    script = (
        "import sys\n"
        "from shuangzheng_cli.definitions import catalog\n"
        "def broken(directory):\n"
        "    secret_local = 'SECRET-VALUE-4711'\n"
        "    raise RuntimeError('模拟的程序错误')\n"
        "catalog.Catalog.load = broken\n"
        "from shuangzheng_cli.cli import main\n"
        "sys.exit(main(['units']))\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", script], cwd=tmp_path, capture_output=True, text=True, check=False,
        env={**os.environ, "NO_COLOR": "1"},
    )
    assert proc.returncode != 0
    assert "模拟的程序错误" in proc.stderr
    assert "SECRET-VALUE-4711" not in proc.stderr + proc.stdout


@pytest.mark.parametrize("command", ["score", "inspect", "status", "remind"])
def test_help_reads_at_80_columns(command: str, cli, monkeypatch: pytest.MonkeyPatch) -> None:
    """--format's choices are spelled out in its help, so its column says 格式 instead of
    `<table|md|json|csv|xlsx|docx>`, which squeezed every description (and split as `doc` / `x>`);
    no line of the help is a lone full stop wrapped from the summary."""
    monkeypatch.setenv("COLUMNS", "80")
    result = cli(command, "--help")
    assert result.code == 0
    lines = [line.strip(" │╭╮╰╯─") for line in result.out.splitlines()]
    assert "。" not in lines
    assert "<table|" not in result.out and "<text|" not in result.out
    assert "--format" not in result.out or "格式" in result.out
