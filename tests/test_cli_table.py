"""Every command is declared once as data (`cli.commands` and each command module's `COMMANDS`):
its usual spellings run without Typer and answer exactly as through Typer, the fast path never
reads an invocation otherwise than Typer's parser (random invocations), a bad value is left
to Typer's Chinese message, and help lists every declared option."""

from __future__ import annotations

import inspect
import io
import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import REPO
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from shuangzheng_cli.cli import _load_all, fast, main
from shuangzheng_cli.cli.build import plain_value
from shuangzheng_cli.cli.commands import Command, every

EXAMPLES = REPO / "examples"
TEMPLATE = EXAMPLES / "宣传部-2022-W48-报送.xlsx"

#: A usual invocation of every command; `{ws}` is its workspace, `{id}` an inspection that asked for 约谈,
#: `{out}` a file the command writes in the workspace (compared too).
USUAL = [
    ["init", "{ws}/new"],
    ["check"],
    ["units", "-g", "各乡镇（区、办）", "--format", "JSON"],
    ["activities", "-c", "1", "-u", "xcb", "-f", "md"],
    ["add", "-u", "xcb", "-a", "1", "-t", "召开会议", "--date", "2022-11-28", "-c", "绿", "-m", "场次=2"],
    ["inspect", "-u", "xcb", "-a", "2", "--method", "暗访", "-c", "黄", "-t", "台账不全", "--followup", "整改"],
    ["followup", "--ref", "{id}", "--result", "已约谈", "-t", "已谈"],
    ["void", "{id}", "--reason", "记错了"],
    ["history", "-u", "xcb", "--all", "-o", "{out}/history.csv"],
    ["status", "--view", "UNITS", "-c", "2", "-o", "{out}/board.md"],
    ["alerts", "--as-of", "2022-11-20", "-f", "md"],
    ["remind", "-n", "5", "-u", "各乡镇（区、办）"],
    ["export", "--week", "2022-W47", "-o", "{out}/week.xlsx"],
    ["template", "-u", "xcb", "-p", "2022-W48", "-o", "{out}/template.xlsx"],
    ["import", str(TEMPLATE), "--dry-run"],
    ["report", "week", "2022-W47", "--top", "3"],
    ["report", "half-year", "2022H2", "-u", "xcb", "-f", "json"],
    ["score", "-y", "2022", "--top", "5", "--explain"],
    ["bulletin", "--as-of", "2022-11-30", "-f", "json"],
    ["hub", "init", "{ws}/hub.git"],
    ["hub", "receive"],
]

#: Runs each invocation (argv[1], JSON) through `main` in one real process; prints the results and
#: whether Typer was imported.
RUNNER = """
import contextlib, io, json, sys
from shuangzheng_cli.cli import main
results = []
for args in json.loads(sys.argv[1]):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(args)
    results.append([code, out.getvalue(), err.getvalue()])
print(json.dumps({"typer": "typer" in sys.modules or "click" in sys.modules, "results": results}))
"""


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, str]:
    """The example workspace made a git workspace, with an inspection that asks for 约谈 (its id)."""
    root = tmp_path_factory.mktemp("template") / "ws"
    shutil.copytree(EXAMPLES / "data", root / "data")
    shutil.copytree(EXAMPLES / "ledgers", root / "ledgers")
    assert main(["init", str(root)]) == 0
    args = ["inspect", "-u", "xcb", "-a", "1", "--method", "督导", "-c", "红", "-t", "未见台账", "--followup", "约谈"]
    assert main(["--root", str(root), *args, "--date", "2022-11-25"]) == 0
    found = [json.loads(line) for p in (root / "ledgers").rglob("*.jsonl") for line in p.read_text("utf-8").splitlines()]
    return root, next(e["id"] for e in found if e.get("followup") == ["约谈"] and e["date"] == "2022-11-25")


def _invocations(template: tuple[Path, str], base: Path) -> list[tuple[Path, list[str]]]:
    root, ref = template
    out = []
    for i, args in enumerate(USUAL):
        ws = Path(shutil.copytree(root, base / str(i), symlinks=True))
        full = [a.replace("{ws}", str(ws)).replace("{out}", str(ws)).replace("{id}", ref) for a in args]
        out.append((ws, ["--root", str(ws), *full]))
    return out


def _normal(text: str, ws: Path) -> str:
    text = text.replace(str(ws), "<ws>")
    return re.sub(r"\b[0-9a-z]{10}\b", "<id>", text)


def _written(ws: Path) -> dict[str, str]:
    """The text files an invocation wrote with `-o`."""
    return {p.name: p.read_text("utf-8-sig") for p in ws.glob("*.*") if p.suffix in (".md", ".csv", ".txt", ".json")}


def test_every_usual_invocation_runs_without_typer_as_typer_answers(
    template: tuple[Path, str], tmp_path: Path, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    assert sorted({" ".join(a[:2]) if a[0] in ("report", "hub") else a[0] for a in USUAL}) == sorted(c.name for c in every())
    fast_runs = _invocations(template, tmp_path / "fast")
    typer_runs = _invocations(template, tmp_path / "typer")
    for _ws, args in fast_runs:
        assert fast.parse(args) is not None, args
    proc = subprocess.run(
        [sys.executable, "-c", RUNNER, json.dumps([args for _ws, args in fast_runs])],
        capture_output=True, text=True, stdin=subprocess.DEVNULL, check=True, timeout=300,
    )
    report = json.loads(proc.stdout)
    assert report["typer"] is False
    root = _load_all()  # the Typer app, every command registered
    for (fast_ws, args), (typer_ws, typer_args), (code, out, err) in zip(fast_runs, typer_runs, report["results"], strict=True):
        monkeypatch.setattr(sys, "stdin", io.StringIO(""))
        capsys.readouterr()
        typer_code = root.run(typer_args)
        typer_out, typer_err = capsys.readouterr()
        assert (code, _normal(out, fast_ws), _normal(err, fast_ws), _written(fast_ws)) == (
            typer_code, _normal(typer_out, typer_ws), _normal(typer_err, typer_ws), _written(typer_ws)
        ), args
        assert code == 0, (args, err)
        assert set(_written(fast_ws)) == {Path(a).name for a in args if a.endswith((".md", ".csv"))}


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["score", "--top", "0"], "--top 的值无效：须在 1 至 100000 之间"),
        (["report", "week", "--top", "100001"], "--top 的值无效：须在 1 至 100000 之间"),
        (["status", "--format", "xls"], "--format / -f 的值无效：'xls' 不在可选值之内：可选值为 table / json / csv / md"),
        (["bulletin", "-f", "xlsx"], "--format / -f 的值无效：'xlsx' 不在可选值之内：可选值为 md / json / docx"),
        (["remind", "--format=table"], "--format / -f 的值无效：'table' 不在可选值之内：可选值为 text / md / json"),
        (["status", "--view", "grid"], "--view 的值无效：'grid' 不在可选值之内：可选值为 matrix / list / units / 挂图 / 矩阵 / 逐格 / 列表 / 按单位 / 单位"),
        (["activities", "--category", "x"], "--category / -c 的值无效：须为整数"),
        (["status", "-c", "100"], "--category / -c 的值无效：须在 1 至 99 之间"),
        (["remind", "--days", "367"], "--days / -n 的值无效：须在 0 至 366 之间"),
        (["score", "--year", "1999"], "--year / -y 的值无效：须在 2000 至 2099 之间"),
        (["report", "half-year"], "缺少必填的参数：半年，如 2022H2、2023H1"),
        (["import"], "缺少必填的参数：联络员发回的报送模板（.xlsx 或 .xls），可多个"),
        (["history", "--unit"], "选项 --unit 后面需要一个值"),
    ],
)
def test_a_bad_value_gets_typers_chinese_message(args: list[str], message: str, cli) -> None:  # noqa: ANN001
    assert fast.parse(["--root", str(EXAMPLES), *args]) is None
    r = cli("--root", EXAMPLES, *args)
    assert (r.code, r.out) == (2, "")
    assert r.err.splitlines()[0] == f"用法错误：{message}"


@pytest.mark.parametrize("command", every(), ids=lambda c: c.name)
def test_help_lists_every_declared_option(command, cli) -> None:  # noqa: ANN001
    r = cli(*command.name.split(" "), "--help")
    assert r.code == 0
    rows = re.findall(r"^│ [* ]*(--[a-z-]+)(?: +(-[a-zA-Z]))? ", r.out, flags=re.MULTILINE)  # the options panel
    assert {flag for row in rows for flag in row if flag} == {f for p in command.params for f in p.flags} | {"--help", "-h"}
    for p in command.params:
        if not p.flags:  # an argument, by its Chinese name (never its Python one)
            assert p.metavar and p.metavar in r.out, p.name
            assert not re.search(rf"[{{\[]{p.name}[}}\]]|│[ *]+{p.name}\b", r.out), p.name
    assert command.help.split("：")[0] in r.out


@pytest.mark.parametrize("name", ["history", "report week", "import", "void"])
def test_help_in_a_narrow_terminal_shows_every_help_text_whole(name: str) -> None:
    """At 80 columns Chinese help is wrapped, never cut with "…"; no Python type names (<str>, <bool>)."""
    import os

    command = next(c for c in every() if c.name == name)
    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "shuangzheng_cli", *name.split(" "), "--help"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0
    flat = re.sub(r"[\s│╭╮╰╯─*]", "", done.stdout)
    for p in command.params:
        assert re.sub(r"\s", "", p.help) in flat, p.name
    assert "…" not in done.stdout
    assert not re.search(r"<(str|bool|path|list\[\w+\])>", done.stdout)


@pytest.mark.parametrize("args", [[], ["report"]])
def test_the_list_of_commands_in_a_narrow_terminal_is_whole(args: list[str]) -> None:
    """`shuangzheng --help` at 80 columns: each command's summary wrapped, never cut with "…"."""
    import os

    env = {**os.environ, "COLUMNS": "80", "NO_COLOR": "1"}
    done = subprocess.run([sys.executable, "-m", "shuangzheng_cli", *args, "--help"],
                          capture_output=True, text=True, env=env, check=False)
    assert done.returncode == 0
    flat = re.sub(r"[\s│╭╮╰╯─*]", "", done.stdout)
    for command in every():
        if command.hidden or command.name.split(" ")[0] != (args[0] if args else command.name.split(" ")[0]):
            continue
        if args or " " not in command.name:
            first = command.help.split("\n\n")[0]
            assert re.sub(r"\s", "", first) in flat, command.name
    assert "…" not in done.stdout


@pytest.mark.parametrize("group", ["report", "hub"])
def test_a_group_alone_shows_its_help_in_chinese(group: str, cli) -> None:  # noqa: ANN001
    r = cli(group)
    assert r.code == 0 and f"用法： shuangzheng {group} [选项] 命令 [参数]..." in r.out
    assert "Usage" not in r.out and "Commands" not in r.out and "命令" in r.out


def _values(p) -> list[str]:  # noqa: ANN001
    """Values to try for `p`: good ones, and some its type refuses."""
    if p.choices:
        return [*p.choices, p.choices[0].upper(), "xls", ""]
    if p.type is int:
        return [str(p.min), str(p.max), str(p.max + 1), "x", "-1", "３", "+1"]
    return ["a.xlsx", "x y", "", "-x", "2022-W47"]


def _groups(p) -> list[list[str]]:  # noqa: ANN001
    """The ways one occurrence of `p` may be written (some of them mistakes)."""
    if p.is_flag:
        return [[f] for f in p.flags] + [[f"{p.flags[0]}=1"]]
    if not p.flags:
        return [[v] for v in _values(p)]
    out = [[f, v] for f in p.flags for v in _values(p)] + [[f] for f in p.flags]
    return out + [[f"{f}={v}"] for f in p.flags if f.startswith("--") for v in _values(p)]


NOISE = [["--bogus"], ["-z"], ["--"], ["-"], ["extra"], ["--help=1"]]


def _random_invocations(command: Command) -> st.SearchStrategy[list[str]]:
    """Invocations of `command`: each required parameter once, then any others (or noise), in any order."""
    required = [st.sampled_from(_groups(p)) for p in command.params if p.required]
    anything = st.sampled_from([g for p in command.params for g in _groups(p)] + NOISE)
    return st.tuples(st.tuples(*required), st.lists(anything, max_size=5)).flatmap(
        lambda parts: st.permutations([*parts[0], *parts[1]])
    ).map(lambda groups: [word for group in groups for word in group])


@pytest.mark.parametrize("command", every(), ids=lambda c: c.name)
def test_the_fast_path_never_reads_an_invocation_otherwise_than_typer(command: Command) -> None:
    """Random invocations: whatever the fast path takes, Typer's parser takes too, with the same values
    (a choice as its text), so running it directly is what Typer would do; what Typer refuses, it leaves."""
    import typer

    from shuangzheng_cli.cli import app

    click_command = typer.main.get_command(app)
    for word in command.name.split(" "):
        click_command = click_command.commands[word]  # type: ignore[attr-defined]
    usage_error = typer.BadParameter.__mro__[1]
    params = {p.name: p for p in command.params}
    taken = []

    @settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(_random_invocations(command))
    def check(args: list[str]) -> None:
        parsed = fast.parse([*command.name.split(" "), *args])
        try:
            ctx = click_command.make_context(command.name, list(args))
        except usage_error:
            assert parsed is None, args
            return
        if parsed is not None:
            taken.append(args)
            assert parsed[2] == {name: plain_value(params[name], v) for name, v in ctx.params.items()}, args

    check()
    assert len({tuple(a) for a in taken}) >= min(3, len(command.params) + 1)  # comparisons were made


@pytest.mark.parametrize("command", every(), ids=lambda c: c.name)
def test_the_function_takes_exactly_the_declared_parameters(command: Command) -> None:
    """The declaration is the one source of a command's parameters and their defaults: its function takes
    the invocation's State, then each declared parameter by keyword, none with a default of its own."""
    state, *params = inspect.signature(command.run).parameters.values()
    assert state.name == "st"
    assert {p.name for p in params} == {p.name for p in command.params}
    assert all(p.kind is p.KEYWORD_ONLY and p.default is p.empty for p in params)
