"""Follow-up results that repeat or skip a step (newcomer's finding 1), through the CLI on real ledgers.

A second 已约谈/已通报 for one inspection, a second 整改完成 while awaiting acceptance, anything
after 验收通过, and 验收通过/验收不通过 with no 整改完成 before it are most likely mistakes, but can
be real (a second interview; an inspector who accepts on the spot; the board in
`board/followups.py` already applies them, and `check` accepts them). So `followup` records
them, and prints one warning line naming the earlier record (id and date) or what is missing.
"""

from __future__ import annotations

import json
from pathlib import Path

FILE = ("ledgers", "2022", "xcb.jsonl")


def _lines(ws: Path) -> list[dict]:
    return [json.loads(x) for x in ws.joinpath(*FILE).read_text(encoding="utf-8").splitlines()]


def _inspect(cli, ws: Path, *asks: str) -> tuple[str, str]:  # noqa: ANN001
    args = [a for ask in asks for a in ("--followup", ask)]
    r = cli("--root", ws, "inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "-c", "红", "-t", "台账不全",
            "--date", "2022-11-01", *args)
    assert r.code == 0, r.err
    return _lines(ws)[-1]["id"], "2022-11-01 暗访"


def _followup(cli, ws: Path, ref: str, result: str, day: str):  # noqa: ANN001, ANN202
    """Record one result; it is always written (exit 0, one more line): returns (its id, the warnings on stderr)."""
    before = len(_lines(ws))
    r = cli("--root", ws, "followup", "--ref", ref, "--result", result, "--date", day)
    assert r.code == 0, r.err
    lines = _lines(ws)
    assert len(lines) == before + 1 and (lines[-1]["result"], lines[-1]["date"]) == (result, day)
    return lines[-1]["id"], [line for line in r.err.splitlines() if line.startswith("注意")]


def test_repeated_interview_or_notice_names_the_earlier_record(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, which = _inspect(cli, workspace, "约谈", "通报")
    first, said = _followup(cli, workspace, ref, "已约谈", "2022-11-05")
    assert said == []
    second, said = _followup(cli, workspace, ref, "已约谈", "2022-11-08")
    assert said == [f"注意：检查 {ref}（{which}）已记过“已约谈”（{first}，2022-11-05），本条是再记一次，已照记；"
                    f"如确属记错，可用 shuangzheng void {second} -r 记错 作废"]
    # 已通报 is another ask: its first record says nothing
    assert _followup(cli, workspace, ref, "已通报", "2022-11-08")[1] == []
    # a second interview for another inspection says nothing either
    other, _ = _inspect(cli, workspace, "约谈")
    assert _followup(cli, workspace, other, "已约谈", "2022-11-09")[1] == []
    # still a valid ledger: check does not flag these
    assert cli("--root", workspace, "check").code == 0


def test_a_repeat_dated_before_the_first_still_names_it(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, _ = _inspect(cli, workspace, "通报")
    first, _ = _followup(cli, workspace, ref, "已通报", "2022-11-08")
    _, said = _followup(cli, workspace, ref, "已通报", "2022-11-05")
    assert len(said) == 1 and f"已记过“已通报”（{first}，2022-11-08）" in said[0]


def test_a_voided_result_does_not_count(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, _ = _inspect(cli, workspace, "约谈")
    first, _ = _followup(cli, workspace, ref, "已约谈", "2022-11-05")
    assert cli("--root", workspace, "void", first, "-r", "记错").code == 0
    assert _followup(cli, workspace, ref, "已约谈", "2022-11-06")[1] == []


def test_acceptance_without_rectification_says_what_is_missing(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, which = _inspect(cli, workspace, "整改")
    accepted, said = _followup(cli, workspace, ref, "验收通过", "2022-11-10")
    assert said == [f"注意：检查 {ref}（{which}）要求的整改还没有记“整改完成”，本条“验收通过”已照记（现场验收的可不理会）；"
                    f"如确属记错，可用 shuangzheng void {accepted} -r 记错 作废"]
    # after acceptance the case is closed: anything more names the 验收通过
    _, said = _followup(cli, workspace, ref, "整改完成", "2022-11-12")
    assert len(said) == 1 and f"的整改已于 2022-11-10 验收通过（{accepted}），本条“整改完成”在其后" in said[0]


def test_the_lifecycle_in_order_says_nothing_and_steps_out_of_it_are_named(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, which = _inspect(cli, workspace, "整改")
    done, said = _followup(cli, workspace, ref, "整改完成", "2022-11-10")
    assert said == []
    _, said = _followup(cli, workspace, ref, "整改完成", "2022-11-11")
    assert len(said) == 1 and f"检查 {ref}（{which}）已记过“整改完成”（{done}，2022-11-10），尚待验收" in said[0]
    failed, said = _followup(cli, workspace, ref, "验收不通过", "2022-11-14")
    assert said == []
    # a new round: acceptance before its 整改完成 names the failed acceptance it follows
    _, said = _followup(cli, workspace, ref, "验收通过", "2022-11-20")
    assert len(said) == 1 and f"要求的整改上次验收不通过（{failed}，2022-11-14）后还没有记“整改完成”" in said[0]


def test_a_full_round_in_order_says_nothing(workspace: Path, cli) -> None:  # noqa: ANN001
    ref, _ = _inspect(cli, workspace, "整改", "约谈")
    for result, day in (("已约谈", "2022-11-03"), ("整改完成", "2022-11-10"), ("验收不通过", "2022-11-12"),
                        ("整改完成", "2022-11-18"), ("验收通过", "2022-11-20")):
        assert _followup(cli, workspace, ref, result, day)[1] == [], result
