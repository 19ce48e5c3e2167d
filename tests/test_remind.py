"""`remind` (催报) on a hand-made ledger: who is named and who is not, the liaison and phone, the due dates.

As of 2022-11-30 (all weekly activities, so a report is due 6 days after the last one):
- 市委党校 (dx), activity 1: last report 11-28, next due 12-04 — not due within 2 days: not named;
  with `--days 4` it is, as due in 4 days, and with 联络员未登记 (no liaison registered).
- 市委组织部 (zzb, liaison 张三 13800000000): activity 1 last reported 11-20, due 11-26 — overdue,
  10 days since the report; activity 12 last reported 11-24, due 11-30 — due today; an inspection of
  11-01 on activity 1 asked for 整改 by 11-20 (10 days overdue) and 约谈 (waiting 29 days).
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def office(workspace: Path, cli) -> Path:
    units = workspace / "data" / "units.yaml"
    text = units.read_text(encoding="utf-8")
    anchor = "  - id: zzb\n    name: 市委组织部\n"
    assert anchor in text
    units.write_text(text.replace(anchor, anchor + "    liaison: {name: 张三, phone: '13800000000'}\n"), encoding="utf-8")
    for args in (
        ["add", "-u", "dx", "-a", "1", "-t", "学习", "-d", "2022-11-28"],
        ["add", "-u", "zzb", "-a", "1", "-t", "学习", "-d", "2022-11-20"],
        ["add", "-u", "zzb", "-a", "12", "-t", "选树", "-d", "2022-11-24"],
        ["inspect", "-u", "zzb", "-a", "1", "--method", "暗访", "-c", "黄", "-t", "台账不全", "-d", "2022-11-01",
         "--followup", "整改", "--followup", "约谈", "--due", "2022-11-20"],
    ):
        r = cli("--root", workspace, *args)
        assert r.code == 0, r.err
    return workspace


def test_remind_names_the_liaison_and_what_is_due(office: Path, cli) -> None:
    r = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "组织部")
    assert r.code == 0, r.err
    summary, block = r.out.strip().split("\n\n")
    assert summary.startswith("双争活动催报（截至11月30日）：1 个单位需催报，逾期未报 1 项，2 天内到期 1 项，整改逾期 1 项，待约谈 1 项。")
    assert block.splitlines() == [
        "【双争活动催报】市委组织部 @张三（13800000000）",
        "（1）1.理论学习宣讲：已 10 天未报送进展（上次11月20日，应于11月26日前报送）",
        "（2）12.争当文明市民：应于11月30日前报送进展（今天到期）",
        "（3）1.理论学习宣讲：2022-11-01 暗访要求整改，已逾期 10 天（期限11月20日），请抓紧整改并报送整改情况",
        "（4）1.理论学习宣讲：2022-11-01 暗访要求约谈，尚未约谈（已等待 29 天），请主要负责人做好准备",
        "请于今天内报送活动进展，谢谢！",
    ]


def test_a_unit_with_nothing_due_is_not_named(office: Path, cli) -> None:
    r = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "党校")
    assert r.code == 0, r.err
    assert r.out.strip() == "截至11月30日，各单位均无逾期或 2 天内到期的报送，无需催报。"
    everyone = cli("--root", office, "remind", "--as-of", "2022-11-30").out
    assert "市委组织部 @张三" in everyone and "市委党校" not in everyone
    # units that never reported are overdue since 10-03 (9-20 + 14 days − 1), without a liaison
    assert "【双争活动催报】市委网信办（联络员未登记）\n（1）3.见证新霸州：尚未报送进展（应于10月3日前报送）" in everyone


def test_days_ahead_and_json(office: Path, cli) -> None:
    r = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "党校", "--days", "4", "--format", "json")
    assert r.code == 0, r.err
    data = json.loads(r.out)
    assert data["totals"] == {"overdue": 0, "soon": 1, "rectify": 0, "interview": 0, "units": 1, "without_liaison": 1}
    (unit,) = data["units"]
    assert (unit["unit"], unit["liaison"], unit["phone"], unit["report_by"]) == ("dx", None, None, "2022-12-04")
    assert unit["items"] == [{"kind": "soon", "activity": 1, "due": "2022-12-04", "days": 4, "last_report": "2022-11-28",
                              "inspection": None}]
    text = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "党校", "--days", "4").out
    assert "【双争活动催报】市委党校（联络员未登记）\n（1）1.理论学习宣讲：应于12月4日前报送进展（4 天后到期）\n请于12月4日前报送活动进展，谢谢！" in text


def test_held_interview_and_finished_rectification_leave_the_reminder(office: Path, cli) -> None:
    ref = next(json.loads(x)["id"] for x in (office / "ledgers" / "2022" / "zzb.jsonl").read_text(encoding="utf-8").splitlines()
               if json.loads(x)["kind"] == "inspection")
    for result in ("已约谈", "整改完成"):
        r = cli("--root", office, "followup", "--ref", ref, "--result", result, "-d", "2022-11-29")
        assert r.code == 0, r.err
    out = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "组织部").out
    assert "整改" not in out and "约谈" not in out and "逾期未报 1 项，2 天内到期 1 项。" in out


def test_output_file_and_markdown(office: Path, cli, tmp_path: Path) -> None:
    target = tmp_path / "催报.md"
    r = cli("--root", office, "remind", "--as-of", "2022-11-30", "-u", "组织部", "--format", "md", "-o", target)
    assert r.code == 0, r.err
    text = target.read_text(encoding="utf-8")
    assert text.startswith("# 双争活动催报（截至2022-11-30）\n")
    assert "## 市委组织部\n\n> 【双争活动催报】市委组织部 @张三（13800000000）  \n" in text
    assert f"已生成 {target}" in r.err and r.out == ""
    again = cli("--root", office, "remind", "--as-of", "2022-11-30", "-o", target)
    assert again.code == 1 and "已存在" in again.err  # the shared -o: replaced only with --force
