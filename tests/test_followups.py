"""The follow-up loop (issue 14): 约谈/通报 until held, 整改 with its deadline to acceptance, several
follow-ups on one inspection, `followup` entries checked against what the inspection asked for.

Core tests build entries by hand on the real catalog (SHUANGZHENG_TODAY is 2022-11-30 in tests);
command tests write real ledger files in a fresh workspace and read them back."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from shuangzheng_cli.board.followups import cases
from shuangzheng_cli.board.rules import BoardIndex, interviews
from shuangzheng_cli.definitions.catalog import Catalog, Cell
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.reports.bulletin import bulletin

D = dt.date.fromisoformat
_n = iter(range(1, 10**6))


def _id() -> str:
    return f"f{next(_n):07d}"


def P(day: str, unit: str = "xcb", activity: int = 1) -> Entry:
    return Entry(id=_id(), kind="progress", date=D(day), unit=unit, activity=activity, text="进展", at=f"{day}T10:00:00+08:00")


def I(day: str, followup: str | tuple[str, ...], *, due: str | None = None, unit: str = "xcb", color: str = "yellow") -> Entry:  # noqa: E743
    return Entry(id=_id(), kind="inspection", date=D(day), unit=unit, activity=1, color=color, method="暗访",
                 text="台账不全", followup=followup, due=D(due) if due else None, at=f"{day}T15:00:00+08:00")


def F(day: str, inspection: Entry, result: str, *, due: str | None = None) -> Entry:
    return Entry(id=_id(), kind="followup", date=D(day), unit=inspection.unit, activity=inspection.activity,
                 ref=inspection.id, result=result, due=D(due) if due else None, at=f"{day}T16:00:00+08:00")


def reasons(catalog: Catalog, entries: list[Entry], as_of: str) -> tuple[str, tuple[str, ...]]:
    c = BoardIndex(catalog, entries).status(1, "xcb", D(as_of))
    return c.color, c.reasons


# ---------------------------------------------------------------- 整改: deadline, overdue, acceptance


def test_rectification_runs_to_acceptance(catalog: Catalog) -> None:
    # a green inspection asking for 整改 (so the verdict itself adds no problem), the unit reporting weekly
    weekly = [P(d) for d in ("2022-10-03", "2022-10-10", "2022-10-17", "2022-10-24", "2022-10-31", "2022-11-07",
                             "2022-11-14", "2022-11-21", "2022-11-28")]
    i = I("2022-10-10", "整改", color="green")
    # default deadline: rules.rectify_days = 30 → 2022-11-09
    assert reasons(catalog, [*weekly, i], "2022-11-09")[0] != "red"
    color, why = reasons(catalog, [*weekly, i], "2022-11-09")
    assert "整改中，期限 2022-11-09（2022-10-10 暗访要求）" in why
    # the day after, overdue by 1 day: red, and that reason first
    color, why = reasons(catalog, [*weekly, i], "2022-11-10")
    assert (color, why[0]) == ("red", "整改逾期 1 天（2022-10-10 暗访要求，期限 2022-11-09）")
    # 整改完成 on 11-12: no longer overdue, waiting for acceptance
    done = F("2022-11-12", i, "整改完成")
    color, why = reasons(catalog, [*weekly, i, done], "2022-11-15")
    assert color == "blue" and "整改已完成，待验收（2022-11-12）" in why
    assert not any("整改逾期" in r for r in why)
    # 验收通过 closes it: nothing about 整改 any more
    ok = F("2022-11-16", i, "验收通过")
    assert not any("整改" in r for r in reasons(catalog, [*weekly, i, done, ok], "2022-11-30")[1])


def test_failed_acceptance_reopens_with_a_new_deadline(catalog: Catalog) -> None:
    weekly = [P(d) for d in ("2022-11-07", "2022-11-14", "2022-11-21", "2022-11-28")]
    i = I("2022-10-10", "整改", due="2022-10-31", color="green")
    done = F("2022-10-28", i, "整改完成")
    failed = F("2022-11-02", i, "验收不通过", due="2022-11-20")
    entries = [*weekly, i, done, failed]
    assert "整改中，期限 2022-11-20（2022-10-10 暗访要求）" in reasons(catalog, entries, "2022-11-20")[1]
    color, why = reasons(catalog, entries, "2022-11-25")
    assert (color, why[0]) == ("red", "整改逾期 5 天（2022-10-10 暗访要求，期限 2022-11-20）")
    # without a new deadline: 11-02 + 30 days = 12-02
    default = [*weekly, i, done, F("2022-11-02", i, "验收不通过")]
    assert "整改中，期限 2022-12-02（2022-10-10 暗访要求）" in reasons(catalog, default, "2022-11-30")[1]
    # accepted at last
    (case,) = cases([i], [done, failed, F("2022-11-18", i, "整改完成"), F("2022-11-22", i, "验收通过")], D("2022-11-30"), 30)
    assert (case.state_name, case.overdue_days(D("2022-11-30"))) == ("验收通过", 0)


def test_results_recorded_in_the_same_second_follow_the_lifecycle() -> None:
    i = I("2022-10-10", "整改", color="green")
    same = "2022-11-25T10:00:00+08:00"
    failed = Entry(id="a000000001", kind="followup", date=D("2022-11-25"), unit="xcb", activity=1, ref=i.id,
                   result="验收不通过", due=D("2022-12-15"), at=same)
    done = Entry(id="z000000001", kind="followup", date=D("2022-11-25"), unit="xcb", activity=1, ref=i.id,
                 result="整改完成", at=same)
    # the ids alone would put 验收不通过 first; the lifecycle puts 整改完成 first, so the case is open again
    (case,) = cases([i], [failed, done], D("2022-11-30"), 30)
    assert (case.state_name, case.due) == ("整改中", D("2022-12-15"))


def test_results_after_the_date_or_for_another_ask_do_not_count(catalog: Catalog) -> None:
    i = I("2022-10-10", "整改", color="green")
    later = F("2022-11-20", i, "整改完成")
    assert reasons(catalog, [P("2022-11-14"), i, later], "2022-11-15")[1][0] == "整改逾期 6 天（2022-10-10 暗访要求，期限 2022-11-09）"
    wrong = F("2022-10-20", i, "已约谈")  # an inspection that asked only for 整改: no 约谈 to hold
    assert [c.state_name for c in cases([i], [wrong], D("2022-11-01"), 30)] == ["整改中"]


# ---------------------------------------------------------------- 约谈 and 通报, several on one inspection


def test_two_followups_on_one_inspection_are_two_cases(catalog: Catalog) -> None:
    i = I("2022-11-01", ("通报", "约谈"))
    talked = F("2022-11-10", i, "已约谈")
    found = cases([i], [talked], D("2022-11-30"), 30)
    assert [(c.ask, c.state_name, c.settled) for c in found] == [("约谈", "已约谈", D("2022-11-10")), ("通报", "待通报", None)]
    # the interview list drops the unit once 已约谈 is recorded; before that it waits (11-01 → 11-08: 7 days)
    index = BoardIndex(catalog, [P("2022-10-31"), P("2022-11-07"), P("2022-11-28"), i, talked], [Cell(1, "xcb")])
    assert [t.reasons for t in interviews(index, D("2022-11-08"))] == [("1.理论学习宣讲 2022-11-01 暗访要求约谈，已等待 7 天",)]
    assert interviews(index, D("2022-11-08"))[0].pending_days == 7
    assert [t.unit for t in interviews(index, D("2022-11-30"))] == []


def test_bulletin_lists_notified_cases_as_done_and_the_rest_as_pending(catalog: Catalog) -> None:
    both = I("2022-11-01", ("约谈", "通报"))
    other = I("2022-11-02", ("通报", "整改"), due="2022-11-20", unit="zzb")
    entries = [P("2022-11-28"), P("2022-11-28", "zzb"), both, other, F("2022-11-05", both, "已通报")]
    b = bulletin(BoardIndex(catalog, entries), D("2022-11-30"))
    assert {e.id: b.handling(e) for e in b.followups} == {
        both.id: "约谈（待约谈）、通报（已通报）",
        other.id: "整改（整改逾期 10 天）、通报（待通报）",  # 11-20 → 11-30
    }
    # an old case still pending is listed even after 30 days; a settled old one is not (it is not the latest either)
    old = I("2022-09-25", "通报", unit="zzb")
    settled = I("2022-09-26", "约谈", unit="zzb")
    later = [*entries, old, settled, F("2022-09-30", settled, "已约谈")]
    ids = {e.id for e in bulletin(BoardIndex(catalog, later), D("2022-11-30")).followups}
    assert old.id in ids and settled.id not in ids


# ---------------------------------------------------------------- the commands


def _lines(root: Path, unit: str = "xcb") -> list[dict]:
    return [json.loads(x) for x in (root / "ledgers" / "2022" / f"{unit}.jsonl").read_text(encoding="utf-8").splitlines()]


def _inspect(cli, ws: Path, *args: str) -> str:
    r = cli("--root", ws, "inspect", "-u", "xcb", "-a", "1", "--method", "暗访", "-c", "红", "-t", "台账不全",
            "--date", "2022-11-01", *args)
    assert r.code == 0, r.err
    return _lines(ws)[-1]["id"]


def test_followup_command_records_a_result_in_the_unit_file(workspace: Path, cli) -> None:
    ref = _inspect(cli, workspace, "--followup", "约谈", "--followup", "整改")
    r = cli("--root", workspace, "followup", "--ref", ref, "--result", "已约谈", "--date", "2022-11-05", "-t", "约谈主要负责人")
    assert r.code == 0, r.err
    rec = _lines(workspace)[-1]
    assert list(rec) == ["v", "id", "kind", "date", "unit", "activity", "by", "at", "ref", "result", "text", "due"]
    assert (rec["kind"], rec["unit"], rec["activity"], rec["ref"], rec["result"], rec["text"], rec["due"], rec["date"]) == (
        "followup", "xcb", 1, ref, "已约谈", "约谈主要负责人", None, "2022-11-05")
    r = cli("--root", workspace, "followup", "--ref", ref, "--result", "验收不通过", "--date", "2022-11-25", "--due", "2022-12-10")
    assert r.code == 0, r.err
    assert "重新整改，期限 2022-12-10" in r.out
    assert _lines(workspace)[-1]["due"] == "2022-12-10"
    assert cli("--root", workspace, "check").code == 0
    # the interview is no longer pending; the 整改 is, and shows on the cell
    out = json.loads(cli("--root", workspace, "alerts", "--as-of", "2022-11-30", "--format", "json").out)
    assert all(ref not in json.dumps(i, ensure_ascii=False) and "要求约谈" not in "".join(i["reasons"])
               for i in out["interviews"])
    cell = next(c for c in out["alerts"] if (c["activity"], c["unit"]) == (1, "xcb"))
    assert "整改中，期限 2022-12-10（2022-11-01 暗访要求）" in cell["reasons"]


@pytest.mark.parametrize("args, words", [
    (["--result", "已通报"], ["没有要求通报", "不能记“已通报”"]),
    (["--result", "已完成"], ["结果 '已完成' 无效", "已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过"]),
    (["--result", "已约谈", "--date", "2022-10-01"], ["日期 2022-10-01 早于检查日期 2022-11-01"]),
    (["--result", "已约谈", "--due", "2022-12-01"], ["只用于“验收不通过”"]),
])
def test_followup_command_refuses_what_the_inspection_did_not_ask_for(workspace: Path, cli, args: list[str], words: list[str]) -> None:
    ref = _inspect(cli, workspace, "--followup", "约谈")
    before = (workspace / "ledgers" / "2022" / "xcb.jsonl").read_bytes()
    r = cli("--root", workspace, "followup", "--ref", ref, *args)
    assert r.code == 2
    assert all(w in r.err for w in words), r.err
    assert (workspace / "ledgers" / "2022" / "xcb.jsonl").read_bytes() == before


def test_followup_of_a_progress_entry_or_unknown_id_is_refused(workspace: Path, cli) -> None:
    assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "进展", "--date", "2022-11-01").code == 0
    progress_id = _lines(workspace)[-1]["id"]
    r = cli("--root", workspace, "followup", "--ref", progress_id, "--result", "已约谈")
    assert r.code == 2 and "不是检查记录" in r.err
    r = cli("--root", workspace, "followup", "--ref", "zzzzzzzzzz", "--result", "已约谈")
    assert r.code == 2 and "找不到编号为 'zzzzzzzzzz' 的检查记录" in r.err


def _write(root: Path, unit: str, objs: list[dict]) -> None:
    path = root / "ledgers" / "2022" / f"{unit}.jsonl"
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as fh:
        for obj in objs:
            fh.write(json.dumps(obj, ensure_ascii=False) + "\n")


def _common(entry_id: str, unit: str, kind: str, day: str = "2022-11-10") -> dict:
    return {"v": 1, "id": entry_id, "kind": kind, "date": day, "unit": unit, "activity": 1, "by": "督导组",
            "at": f"{day}T10:00:00+08:00"}


def test_check_validates_what_a_followup_names(workspace: Path, cli) -> None:
    old = {**_common("insp000001", "xcb", "inspection", "2022-11-01"), "method": "暗访", "color": "red", "text": "缺", "followup": "约谈"}
    new = {**_common("insp000002", "xcb", "inspection", "2022-11-01"), "method": "督导", "color": "red", "text": "缺",
           "followup": ["整改", "通报"], "due": "2022-11-20"}
    other = {**_common("insp000003", "zzb", "inspection", "2022-11-01"), "method": "督导", "color": "red", "text": "缺",
             "followup": ["约谈"], "due": None}

    def fu(entry_id: str, ref: str, result: str, unit: str = "xcb", day: str = "2022-11-10") -> dict:
        return {**_common(entry_id, unit, "followup", day), "ref": ref, "result": result, "text": "", "due": None}

    _write(workspace, "zzb", [other])
    _write(workspace, "xcb", [
        old, new,
        fu("fu00000001", "insp000001", "已约谈"),  # line 3: fine (an old single-string follow-up)
        fu("fu00000002", "insp000002", "验收通过"),  # line 4: fine
        fu("fu00000003", "insp000001", "已通报"),  # line 5: 约谈 was asked, not 通报
        fu("fu00000004", "insp000003", "已约谈"),  # line 6: zzb's inspection, in xcb's file
        fu("fu00000005", "nosuch0001", "已约谈"),  # line 7: no such record
        fu("fu00000006", "fu00000001", "已约谈"),  # line 8: not an inspection
        fu("fu00000007", "insp000002", "整改完成", day="2022-10-30"),  # line 9: before the inspection
    ])
    r = cli("--root", workspace, "check")
    assert r.code == 1
    got = {int(line.split(":")[1]): line for line in r.out.splitlines() if line.startswith("ledgers/2022/xcb.jsonl:")}
    assert sorted(got) == [5, 6, 7, 8, 9], r.out
    assert "没有要求通报" in got[5]
    assert "属于单位 'zzb'" in got[6]
    assert "所指的检查记录 nosuch0001 不存在" in got[7]
    assert "不是要求约谈的检查记录" in got[8]
    assert "早于检查 insp000002 的日期 2022-11-01" in got[9]


def test_void_takes_several_ids_all_or_nothing(workspace: Path, cli) -> None:
    for day in ("2022-11-01", "2022-11-02"):
        assert cli("--root", workspace, "add", "-u", "xcb", "-a", "1", "-t", "进展", "--date", day).code == 0
    a, b = (rec["id"] for rec in _lines(workspace)[-2:])
    before = (workspace / "ledgers" / "2022" / "xcb.jsonl").read_bytes()
    r = cli("--root", workspace, "void", a, "nosuch0001", "-r", "录错")
    assert r.code == 2 and "找不到编号为 'nosuch0001'" in r.err and "未作废任何记录" in r.err
    assert (workspace / "ledgers" / "2022" / "xcb.jsonl").read_bytes() == before
    r = cli("--root", workspace, "void", a, b, "-r", "录错")
    assert r.code == 0, r.err
    assert [(x["kind"], x["ref"]) for x in _lines(workspace)[-2:]] == [("void", a), ("void", b)]
    # history says they are hidden, and how to show them
    r = cli("--root", workspace, "history", "-u", "xcb")
    assert "另有 2 条已作废的记录未列出；加 --all 可一并列出" in r.err
    assert a not in r.out and b not in r.out
    r = cli("--root", workspace, "history", "-u", "xcb", "--all")
    assert a in r.out and b in r.out and "已作废" not in r.err


def test_followup_respects_the_clone_write_scope(workspace: Path, cli) -> None:
    import subprocess

    r = cli("--root", workspace, "inspect", "-u", "zzb", "-a", "1", "--method", "暗访", "-c", "红", "-t", "缺",
            "--date", "2022-11-01", "--followup", "约谈")
    assert r.code == 0, r.err
    ref = _lines(workspace, "zzb")[-1]["id"]
    subprocess.run(["git", "-C", str(workspace), "config", "shuangzheng.units", "xcb"], check=True)
    before = (workspace / "ledgers" / "2022" / "zzb.jsonl").read_bytes()
    r = cli("--root", workspace, "followup", "--ref", ref, "--result", "已约谈")
    assert r.code == 2 and "本克隆只填报" in r.err, r.err
    assert (workspace / "ledgers" / "2022" / "zzb.jsonl").read_bytes() == before
