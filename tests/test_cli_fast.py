"""Commands without Typer (`cli.fast`) answer exactly as through Typer."""

from __future__ import annotations

import json
import re
import shutil
from pathlib import Path

import pytest

from shuangzheng_cli.cli import _load, fast, main
from shuangzheng_cli.cli.commands import Param, every


@pytest.fixture(scope="module")
def template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    root = tmp_path_factory.mktemp("template") / "ws"
    assert main(["init", str(root)]) == 0
    assert main(["--root", str(root), "add", "-u", "xcb", "-a", "1", "-t", "已有的一条", "--date", "2022-09-21", "-c", "红"]) == 0
    return root


def _typer(args: list[str]) -> int:
    return _load(["definitions", "ledger_cmds"]).run(args)


def _normal(text: str) -> str:
    return re.sub(r"\b[0-9a-z]{10}\b", "<id>", text)


def _ledger(root: Path) -> list[dict]:
    out = []
    for path in sorted((root / "ledgers").rglob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            obj = json.loads(line)
            obj.pop("id"), obj.pop("at")
            out.append({"file": path.relative_to(root).as_posix(), **obj})
    return out


CASES = [
    ["add", "-u", "xcb", "-a", "1", "-t", "召开会议", "--date", "2022-10-08"],
    ["add", "--unit", "市委宣传部", "--activity", "2", "--text", "宣讲", "--date", "2022/10/8", "--color", "绿",
     "--problems", "场地偏小", "--next", "扩大范围", "-m", "场次=3", "--metric", "参与人数＝120", "-e", "照片/1.jpg",
     "--evidence", "https://example.org/1", "--by", "李四"],
    ["add", "--unit=xcb", "--activity=1", "--text=-5 度也开会", "--date=2022-11-01", "--by="],
    ["--ascii", "--root", "{root}", "add", "-u", "xcb", "-a", "1", "-t", "x", "-d", "2022-11-02", "-c", "yellow"],
    ["add", "-u", "xcbb", "-a", "1", "-t", "x"],
    ["add", "-u", "xcb", "-a", "5", "-t", "x"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--date", "2030-01-01"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--date", "明天"],
    ["add", "-u", "xcb", "-a", "1", "-t", "", "--date", "2022-10-08"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "-m", "场次", "--date", "2022-10-08"],
    ["add", "-u", "xzgroup", "-a", "1", "-t", "x"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "-c", "紫"],
    ["inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "-c", "红", "-t", "未见台账", "--followup", "约谈",
     "--date", "2022-10-09"],
    ["inspect", "-u", "xcb", "-a", "1", "--method", "巡视", "-c", "红", "-t", "x"],
    ["inspect", "--unit", "xcb", "--activity", "1", "--method", "督导", "--color", "绿", "--text", "好", "-d", "2022-10-10",
     "--by", "督导组"],
    ["check"],
    ["check", "--repair"],
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c)[:60] for c in CASES])
def test_the_fast_path_answers_as_typer(template: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                        args: list[str]) -> None:
    results = []
    for way, run in (("fast", main), ("typer", _typer)):
        root = Path(shutil.copytree(template, tmp_path / way, symlinks=True))
        full = [a.replace("{root}", str(root)) for a in args]
        if "--root" not in full:
            full = ["--root", str(root), *full]
        if way == "fast":
            assert fast.parse(full) is not None
        capsys.readouterr()
        code = run(full)
        out, err = capsys.readouterr()
        results.append((code, _normal(out.replace(str(root), "<root>")), _normal(err.replace(str(root), "<root>")),
                        _ledger(root)))
    assert results[0] == results[1]


@pytest.mark.parametrize("args", [
    ["add", "-u", "xcb", "-a", "1"],  # a required option missing
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "-u", "wmb"],  # twice
    ["add", "-u", "xcb", "-a", "1", "-t", "-5"],  # a value like an option
    ["add", "-uxcb", "-a", "1", "-t", "x"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--help"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--", "y"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "extra"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--ascii"],
    ["add", "-u", "xcb", "-a", "1", "-t", "x", "--colour", "绿"],
    ["add", "-u", "xcb", "-a", "1", "-t"],
    ["--root", "--ascii", "add", "-u", "xcb", "-a", "1", "-t", "x"],
    ["--version", "add", "-u", "xcb", "-a", "1", "-t", "x"],
    ["check", "--repair", "--repair"],
    ["check", "x"],
    ["status", "--view", "grid"],
    ["status", "-c", "+1"],  # int() would take it: Typer decides
    ["status", "-c", "３"],
    ["status", "--view", "ＬＩＳＴ"],
    ["status", "-f", "json", "-f", "csv"],
    ["init", "a", "b"],  # one argument too many
    ["init", ""],
    ["void", "--reason", "x"],  # a required argument missing
    ["report", "week", "-3"],
    ["report"],
    ["report", "--top", "3", "week"],
])
def test_anything_unusual_is_left_to_typer(args: list[str]) -> None:
    assert fast.parse(args) is None


@pytest.mark.parametrize("typer_path", [False, True], ids=["fast", "typer"])
def test_full_width_numbers_and_choices_are_folded_texts_are_not(template: Path, tmp_path: Path, cli, typer_path: bool) -> None:
    """A Chinese input method in full-width mode types ３ and ＪＳＯＮ: a number or a choice is read as
    its half-width form, by the fast path and by Typer (a repeated option sends the line to Typer);
    a text keeps what was typed."""
    root = Path(shutil.copytree(template, tmp_path / "ws", symlinks=True))
    again = ["-f", "json"] if typer_path else []
    if typer_path:
        assert fast.parse(["status", "-f", "json", *again, "-c", "1"]) is None
    plain = cli("--root", root, "status", "-f", "json", "-c", "1", "--as-of", "2022-10-01")
    wide = cli("--root", root, "status", "-f", "ｊｓｏｎ", *again, "-c", "１", "--as-of", "２０２２－１０－０１")
    assert plain.code == wide.code == 0
    assert wide.out == plain.out
    plain = cli("--root", root, "status", "-f", "json", "--color", "red", "--as-of", "2022-10-01")
    wide = cli("--root", root, "status", "-f", "ｊｓｏｎ", *again, "--color", "Ｒｅｄ", "--as-of", "２０２２－１０－０１")
    assert plain.code == wide.code == 0 and wide.out == plain.out
    added = cli("--root", root, "add", "-u", "xcb", "-a", "１", "-t", "全角，ＡＢＣ　１２３", "--date", "２０２２／１０／０２",
                "-m", "场次＝２", "--color", "ｇｒｅｅｎ", *(["-u", "xcb"] if typer_path else []))
    assert added.code == 0, added.err
    last = _ledger(root)[-1]
    assert (last["text"], last["date"], last["activity"], last["metrics"], last["color"]) == (
        "全角，ＡＢＣ　１２３", "2022-10-02", 1, {"场次": 2}, "green")
    attached = cli("--root", root, "status", "-fｊｓｏｎ", "-c１", "--as-of＝２０２２－１０－０１")  # short values attached, a full-width ＝
    assert attached.code == 0 and attached.out == cli("--root", root, "status", "-fjson", "-c1", "--as-of=2022-10-01").out
    inspected = cli("--root", root, "inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "-c", "ｒｅｄ", "-t", "发现",
                    "--followup", "ｎｏｎｅ", "--date", "２０２２－１０－０３")
    assert inspected.code == 0, inspected.err
    assert (_ledger(root)[-1]["color"], _ledger(root)[-1]["followup"]) == ("red", [])
    target = json.loads((root / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()[-1])["id"]
    wide_id = "".join(chr(ord(c) + 0xFEE0) for c in target.upper())  # ＡＢ１２… pasted from a full-width document
    voided = cli("--root", root, "void", wide_id, "--reason", "编号以全角粘贴")
    assert voided.code == 0, voided.err
    assert json.loads((root / "ledgers/2022/xcb.jsonl").read_text(encoding="utf-8").splitlines()[-1])["ref"] == target


def test_usage_errors_stay_typers(template: Path, tmp_path: Path, cli) -> None:
    root = Path(shutil.copytree(template, tmp_path / "ws", symlinks=True))
    r = cli("--root", root, "add", "-u", "xcb", "-a", "1")
    assert r.code == 2 and "缺少必填的 --text" in r.err


def _sample(p: Param) -> tuple[str, object]:
    """A value of `p` as typed, and as the command receives it."""
    if p.choices:
        return p.choices[-1].upper(), p.choices[-1]
    if p.type is int:
        return str(p.max), p.max
    return ("x", Path("x")) if p.type is Path else ("x", "x")


@pytest.mark.parametrize("name", [c.name for c in every()])
def test_typer_and_the_fast_path_read_one_table(name: str) -> None:
    """Both front ends are made from the declared commands: Typer declares exactly the table's spellings,
    requirements, repeatable options and arguments, and the fast path parses every spelling the table has."""
    import typer

    from shuangzheng_cli.cli import app

    command = typer.main.get_command(app)
    for word in name.split(" "):
        command = command.commands[word]  # type: ignore[attr-defined]
    declared = {
        spelling: param.name
        for param in command.params
        for spelling in (*param.opts, *param.secondary_opts)
        if spelling.startswith("--") and spelling not in ("--help",) and not spelling.startswith("--no-")
        or spelling.startswith("-") and len(spelling) == 2 and spelling != "-h"
    }
    params = next(c for c in every() if c.name == name).params
    assert declared == {flag: p.name for p in params for flag in p.flags}
    typer_args = [(a.name, a.nargs == -1) for a in command.params if a.param_type_name == "argument"]
    assert typer_args == [(p.name, p.multiple) for p in params if not p.flags]
    assert {p.name for p in command.params if p.required} == {p.name for p in params if p.required}
    options = [p for p in command.params if p.param_type_name == "option"]
    assert {p.name for p in options if p.multiple} == {p.name for p in params if p.multiple and p.flags}
    # every spelling of the table, in both forms, is taken by the fast path, with a value of its type
    for p in params:
        others = [a for q in params if q.required and q is not p for a in (*q.flags[:1], "x")]
        typed, value = _sample(p)
        for flag in p.flags or ("",):
            args = [*name.split(" "), *others, *([flag] if flag else []), *([] if p.is_flag else [typed])]
            parsed = fast.parse(args)
            assert parsed is not None and parsed[2][p.name] in (True, value, [value]), args
