"""The four-color board as a pure function: plain lists of entries in, colors and reasons out.

Every expected color, reason and figure below is worked out by hand from the rules in
`data/activities.yaml` (start_grace_days 14; weekly 7/14/28; monthly 31/45/75;
quarterly 92/120/184; inspection_valid_days 30; interview_after_weeks 2;
target_red_ratio 0.5) and the campaign start 2022-09-20 (= max(phase 1 start
2022-09-01, plan date 2022-09-20)).
"""

from __future__ import annotations

import datetime as dt
import itertools
import random
from pathlib import Path
from typing import Any

import pytest

from shuangzheng_cli.board.rules import (
    Board,
    BoardIndex,
    CellStatus,
    alerts,
    build_board,
    cell_status,
    interviews,
    red_weeks,
    target_progress,
)
from shuangzheng_cli.definitions.catalog import Catalog, Cell
from shuangzheng_cli.definitions.schema import ActivitiesFile, UnitsFile
from shuangzheng_cli.ledger.format import Entry

START = dt.date(2022, 9, 20)
D = dt.date.fromisoformat

_ids = itertools.count(1)


def _id() -> str:
    return f"e{next(_ids):05d}"


def P(day: str, unit: str = "xcb", activity: int = 1, *, color: str | None = None, metrics: dict[str, float] | None = None,
      at: str = "", id: str | None = None) -> Entry:  # noqa: A002 - the ledger's field name
    """A progress entry (进展)."""
    return Entry(id=id or _id(), kind="progress", date=D(day), unit=unit, activity=activity, color=color,
                 text="进展", metrics=metrics or {}, at=at)


def I(day: str, color: str, unit: str = "xcb", activity: int = 1, *, method: str = "督导",  # noqa: E743
      followup: str | tuple[str, ...] = "none", due: str | None = None, id: str | None = None) -> Entry:  # noqa: A002
    """An inspection entry (督导/抽查/暗访); `followup` one string or several."""
    return Entry(id=id or _id(), kind="inspection", date=D(day), unit=unit, activity=activity, color=color,
                 text="检查", method=method, followup=followup, due=D(due) if due else None)


def F(day: str, inspection: Entry, result: str, *, due: str | None = None) -> Entry:
    """A followup entry (后续处理结果) about `inspection`, in its cell."""
    return Entry(id=_id(), kind="followup", date=D(day), unit=inspection.unit, activity=inspection.activity,
                 ref=inspection.id, result=result, due=D(due) if due else None)


def V(day: str, ref: str, unit: str = "xcb", activity: int = 1) -> Entry:
    """A void entry (作废) cancelling `ref`."""
    return Entry(id=_id(), kind="void", date=D(day), unit=unit, activity=activity, ref=ref, text="录错")


def make_catalog(activities: list[dict[str, Any]], units: list[str] | None = None,
                 groups: list[dict[str, Any]] | None = None, rules: dict[str, Any] | None = None) -> Catalog:
    """A tiny catalog from dicts: one category, the real start (2022-09-20), default rules unless given."""
    names = units or ["xcb", "zzb", "dx", "fl", "t1", "t2", "t3"]
    data: dict[str, Any] = {
        "campaign": {"title": "测试方案", "date": "2022-09-20"},
        "phases": [{"number": 1, "name": "深入推进阶段", "start": "2022-09-01", "end": "2022-12-31"}],
        "categories": [{"number": 1, "name": "文明教育"}],
        "activities": [{"category": 1, "title": f"活动{a['number']}", **a} for a in activities],
    }
    if rules is not None:
        data["rules"] = rules
    acts = ActivitiesFile.model_validate(data)
    unit_file = UnitsFile.model_validate({"units": [{"id": u, "name": f"单位{u}"} for u in names], "groups": groups or []})
    return Catalog(acts, unit_file, Path("."))


def status(catalog: Catalog, entries: list[Entry], as_of: str, activity: int = 1, unit: str = "xcb") -> CellStatus:
    return cell_status(catalog, entries, activity, unit, D(as_of))


# ------------------------------------------------------------ before the start, and the start-up grace period


def test_nothing_is_due_before_the_campaign_starts(catalog: Catalog) -> None:
    # 2022-09-19 is the day before the start: every cell 未开始, even with a self-red entry on file.
    board = build_board(catalog, [P("2022-09-15", color="red")], D("2022-09-19"))
    assert {c.color for c in board.cells} == {"not_started"}
    assert board.cell(1, "xcb").reasons == ("活动自 2022-09-20 起开展",)
    assert board.totals() == {"red": 0, "yellow": 0, "blue": 0, "green": 0, "not_started": 212}
    # On the start day itself the cell is due: blue, first day of the grace period.
    assert build_board(catalog, [], START).cell(1, "xcb").color == "blue"


@pytest.mark.parametrize(
    ("as_of", "color", "reasons"),
    [
        ("2022-09-20", "blue", ("启动期内，尚未报送（第 1 天）",)),  # start + 0
        ("2022-10-03", "blue", ("启动期内，尚未报送（第 14 天）",)),  # start + 13: still in grace
        ("2022-10-04", "red", ("活动开始 14 天仍未启动（9月20日起算）",)),  # start + 14: 9-20 → 10-04 is 10 + 4 days
        ("2022-11-30", "red", ("活动开始 71 天仍未启动（9月20日起算）",)),  # 10 (Sep) + 31 (Oct) + 30 (Nov) = 71
    ],
)
def test_no_entry_at_all_is_red_14_days_after_the_start(catalog: Catalog, as_of: str, color: str, reasons: tuple[str, ...]) -> None:
    got = status(catalog, [], as_of)
    assert (got.color, got.reasons, got.last_report, got.days_since) == (color, reasons, None, None)


def test_an_inspection_alone_does_not_count_as_starting(catalog: Catalog) -> None:
    # A green inspection is a positive sign but the unit itself has reported nothing: red wins.
    got = status(catalog, [I("2022-10-10", "green")], "2022-10-10")
    assert got.color == "red"
    assert got.reasons == ("活动开始 20 天仍未启动（9月20日起算）", "督导评价良好（2022-10-10 督导）")


# ------------------------------------------------------------ days since the last report, by interval


@pytest.mark.parametrize(
    ("days", "color", "reason"),
    [
        (0, "blue", "按期报送"),
        (6, "blue", "按期报送（6 天前）"),
        (7, "blue", "7 天未报送（每周报送）"),  # interval days 7: late but not yet yellow
        (13, "blue", "13 天未报送（每周报送）"),
        (14, "yellow", "14 天未报送"),  # yellow_after_days 14
        (27, "yellow", "27 天未报送"),
        (28, "red", "28 天未报送"),  # red_after_days 28
        (60, "red", "60 天未报送"),
    ],
)
def test_weekly_report_age_thresholds(catalog: Catalog, days: int, color: str, reason: str) -> None:
    reported = D("2022-10-01")
    as_of = reported + dt.timedelta(days=days)
    got = cell_status(catalog, [P("2022-10-01")], 1, "xcb", as_of)
    assert (got.color, got.reasons) == (color, (reason,))
    assert (got.last_report, got.days_since) == (reported, days)


@pytest.mark.parametrize(
    ("interval", "days", "color", "reason"),
    [
        ("weekly", 28, "red", "28 天未报送"),  # the same 28 days, three intervals
        ("monthly", 28, "blue", "按期报送（28 天前）"),
        ("quarterly", 28, "blue", "按期报送（28 天前）"),
        ("monthly", 30, "blue", "按期报送（30 天前）"),
        ("monthly", 31, "blue", "31 天未报送（每月报送）"),  # monthly days 31
        ("monthly", 44, "blue", "44 天未报送（每月报送）"),
        ("monthly", 45, "yellow", "45 天未报送"),  # monthly yellow 45
        ("monthly", 74, "yellow", "74 天未报送"),
        ("monthly", 75, "red", "75 天未报送"),  # monthly red 75
        ("quarterly", 91, "blue", "按期报送（91 天前）"),
        ("quarterly", 92, "blue", "92 天未报送（每季度报送）"),  # quarterly days 92
        ("quarterly", 119, "blue", "119 天未报送（每季度报送）"),
        ("quarterly", 120, "yellow", "120 天未报送"),  # quarterly yellow 120
        ("quarterly", 183, "yellow", "183 天未报送"),
        ("quarterly", 184, "red", "184 天未报送"),  # quarterly red 184
        ("fortnightly", 13, "blue", "按期报送（13 天前）"),  # an interval defined in the data file
        ("fortnightly", 14, "blue", "14 天未报送（每两周报送）"),
        ("fortnightly", 20, "blue", "20 天未报送（每两周报送）"),
        ("fortnightly", 21, "yellow", "21 天未报送"),
        ("fortnightly", 34, "yellow", "34 天未报送"),
        ("fortnightly", 35, "red", "35 天未报送"),
    ],
)
def test_the_reporting_interval_moves_the_thresholds(interval: str, days: int, color: str, reason: str) -> None:
    rules = None
    if interval == "fortnightly":
        rules = {"intervals": {"fortnightly": {"name": "每两周", "days": 14, "yellow_after_days": 21, "red_after_days": 35}}}
    cat = make_catalog([{"number": 1, "units": ["xcb"], "interval": interval}], rules=rules)
    as_of = D("2022-09-20") + dt.timedelta(days=days)
    got = cell_status(cat, [P("2022-09-20")], 1, "xcb", as_of)
    assert (got.color, got.reasons) == (color, (reason,))


def test_the_start_grace_period_is_the_same_for_every_interval() -> None:
    # start_grace_days (14) is its own rule: a monthly activity with nothing at all is red on start + 14 too.
    cat = make_catalog([{"number": 1, "units": ["xcb"], "interval": "monthly"}])
    assert status(cat, [], "2022-10-03").color == "blue"
    assert status(cat, [], "2022-10-04").reasons == ("活动开始 14 天仍未启动（9月20日起算）",)


# ------------------------------------------------------------ the unit's own assessment (自评)


@pytest.mark.parametrize(
    ("entries", "color", "reasons"),
    [
        ([P("2022-11-28", color="red")], "red", ("自评红", "按期报送（2 天前）")),
        ([P("2022-11-28", color="yellow")], "yellow", ("自评黄", "按期报送（2 天前）")),
        # green needs no problem; the blue finding ranks before green (worst first)
        ([P("2022-11-28", color="green")], "green", ("自评绿", "按期报送（2 天前）")),  # the deciding reason first
        ([P("2022-11-28", color="blue")], "blue", ("按期报送（2 天前）",)),
        # the color last stated stands until another is stated: a plain note leaves it
        ([P("2022-11-20", color="red"), P("2022-11-28")], "red", ("自评红", "按期报送（2 天前）")),
        ([P("2022-11-20", color="green"), P("2022-11-28")], "green", ("自评绿", "按期报送（2 天前）")),
        ([P("2022-11-20", color="green"), P("2022-11-28", color="yellow")], "yellow", ("自评黄", "按期报送（2 天前）")),
        ([P("2022-11-20", color="green"), P("2022-11-25", color="blue"), P("2022-11-28")], "blue", ("按期报送（2 天前）",)),
        # same day: the later `at` is the latest, whatever the list order
        ([P("2022-11-28", color="green", at="2022-11-28T10:00:00+08:00"),
          P("2022-11-28", color="red", at="2022-11-28T09:00:00+08:00")], "green", ("自评绿", "按期报送（2 天前）")),
        # a self-green does not hide a stale report: 11-15 → 11-30 is 15 days
        ([P("2022-11-15", color="green")], "yellow", ("15 天未报送", "自评绿")),
        # the worst wins and every reason is kept: 28 days stale (red) and self-yellow
        ([P("2022-11-02", color="yellow")], "red", ("28 天未报送", "自评黄")),
    ],
)
def test_self_assessment_of_the_latest_progress_entry(catalog: Catalog, entries: list[Entry], color: str,
                                                      reasons: tuple[str, ...]) -> None:
    got = status(catalog, entries, "2022-11-30")
    assert (got.color, got.reasons) == (color, reasons)


# ------------------------------------------------------------ inspections (督导、抽查、暗访)


@pytest.mark.parametrize(
    ("inspections", "as_of", "color", "first_reason"),
    [
        ([I("2022-10-12", "red", method="暗访")], "2022-10-12", "red", "督导发现问题（2022-10-12 暗访）"),
        # valid 30 days: 10-12 + 29 = 11-10 is the last valid day (19 days left in Oct + 10)
        ([I("2022-10-12", "red", method="暗访")], "2022-11-10", "red", "督导发现问题（2022-10-12 暗访）"),
        ([I("2022-10-12", "red", method="暗访")], "2022-11-11", "blue", "按期报送"),  # 10-12 + 30: expired
        ([I("2022-10-12", "yellow", method="抽查")], "2022-11-10", "yellow", "督导发现问题（2022-10-12 抽查）"),
        ([I("2022-10-12", "yellow", method="抽查")], "2022-11-11", "blue", "按期报送"),
        ([I("2022-10-12", "green")], "2022-11-10", "green", "督导评价良好（2022-10-12 督导）"),  # the deciding reason first
        ([I("2022-10-12", "green")], "2022-11-11", "blue", "按期报送"),
        ([I("2022-10-12", "red", method="暗访", followup="约谈")], "2022-10-20", "red", "督导发现问题（2022-10-12 暗访，约谈）"),
        # superseded by a newer inspection of the cell
        ([I("2022-10-12", "red"), I("2022-10-20", "green")], "2022-10-25", "green", "督导评价良好（2022-10-20 督导）"),
        ([I("2022-10-12", "red"), I("2022-10-20", "blue")], "2022-10-25", "blue", "按期报送"),
        ([I("2022-10-20", "green"), I("2022-10-12", "red")], "2022-10-25", "green", "督导评价良好（2022-10-20 督导）"),  # list order is irrelevant
        # ... but not by one dated after as_of
        ([I("2022-10-12", "red"), I("2022-11-01", "green")], "2022-10-25", "red", "督导发现问题（2022-10-12 督导）"),
        # an inspection of another unit's cell changes nothing here
        ([I("2022-10-12", "red"), I("2022-10-20", "green", unit="zzb")], "2022-10-25", "red", "督导发现问题（2022-10-12 督导）"),
    ],
)
def test_inspection_verdict_holds_30_days_or_until_a_newer_inspection(
    catalog: Catalog, inspections: list[Entry], as_of: str, color: str, first_reason: str
) -> None:
    # The unit reports on as_of itself, so the only other reason is 按期报送.
    got = status(catalog, [*inspections, P(as_of)], as_of)
    assert got.color == color
    assert got.reasons[0] == first_reason
    assert "按期报送" in got.reasons


def test_a_good_inspection_is_listed_as_a_reason(catalog: Catalog) -> None:
    got = status(catalog, [I("2022-10-12", "green"), P("2022-10-20")], "2022-10-20")
    assert got.reasons == ("督导评价良好（2022-10-12 督导）", "按期报送")


# ------------------------------------------------------------ targets, pro-rated


def test_target_pro_rating_arithmetic(catalog: Catalog) -> None:
    # Activity 5: 先进集体和先进个人 100 per year, lead 市行政审批局 (xzspj); counted from 2022-09-20.
    # Window 2022-09-20 .. 2022-12-31 = 11 (Sep 20–30) + 31 + 30 + 31 = 103 days.
    # As of 2022-11-30: elapsed 11 + 31 + 30 = 72 days; expected floor(100 × 72 / 103) = floor(69.9) = 69.
    target = catalog.activities[5].targets[0]
    assert target_progress(catalog, target, [P("2022-11-30", "xzspj", 5, metrics={"先进集体和先进个人": 12})], D("2022-11-30")) == (12, 69)
    # As of 2022-10-19: elapsed 11 + 19 = 30 days; floor(100 × 30 / 103) = floor(29.1) = 29.
    assert target_progress(catalog, target, [], D("2022-10-19"))[1] == 29


METRIC = "先进集体和先进个人"


@pytest.mark.parametrize(
    ("as_of", "amounts", "color", "target_reason"),
    [
        ("2022-11-30", [69], "blue", None),  # on pace (expected 69)
        ("2022-11-30", [40, 29], "blue", None),  # summed over entries: 40 + 29 = 69
        ("2022-11-30", [68], "yellow", f"{METRIC}目标进度 68/100，应达 69"),
        ("2022-11-30", [35], "yellow", f"{METRIC}目标进度 35/100，应达 69"),  # 35 ≥ 69 × 0.5 = 34.5
        ("2022-11-30", [34], "red", f"{METRIC}目标进度 34/100，应达 69"),  # 34 < 34.5
        ("2022-11-30", [0], "red", f"{METRIC}目标进度 0/100，应达 69"),
        ("2022-11-30", [100], "green", f"{METRIC}目标完成 100/100个"),
        ("2022-11-30", [60, 60], "green", f"{METRIC}目标完成 120/100个"),
        ("2022-10-19", [29], "blue", None),  # expected 29 on 10-19
        ("2022-10-19", [28], "yellow", f"{METRIC}目标进度 28/100，应达 29"),
        ("2022-10-19", [15], "yellow", f"{METRIC}目标进度 15/100，应达 29"),  # 15 ≥ 14.5
        ("2022-10-19", [14], "red", f"{METRIC}目标进度 14/100，应达 29"),
    ],
)
def test_per_year_target_against_its_pro_rated_pace(catalog: Catalog, as_of: str, amounts: list[int], color: str,
                                                      target_reason: str | None) -> None:
    # The amounts are reported on as_of and the days just before (always fresh: 按期报送).
    day = D(as_of)
    entries = [P((day - dt.timedelta(days=i)).isoformat(), "xzspj", 5, metrics={METRIC: n}) for i, n in enumerate(amounts)]
    got = cell_status(catalog, entries, 5, "xzspj", day)
    assert got.color == color
    if target_reason is None:
        assert got.reasons == ("按期报送",)
    else:
        assert target_reason in got.reasons
        assert len(got.reasons) == 2


def test_a_lead_target_does_not_apply_to_the_other_units(catalog: Catalog) -> None:
    # 市税务局 (swj) is the second unit of activity 5: no target, so reporting on time is plain blue.
    got = status(catalog, [P("2022-11-30", "swj", 5)], "2022-11-30", activity=5, unit="swj")
    assert (got.color, got.reasons) == ("blue", ("按期报送",))


def test_an_each_target_applies_to_every_unit(catalog: Catalog) -> None:
    # Activity 10: 本行业系统先进典型 1 per year, applies_to each. 移动公司 (yidong), the 7th unit:
    # expected floor(1 × 72 / 103) = 0 on 11-30, so no finding with 0; 1 is met → green.
    assert status(catalog, [P("2022-11-30", "yidong", 10)], "2022-11-30", 10, "yidong").color == "blue"
    got = status(catalog, [P("2022-11-30", "yidong", 10, metrics={"本行业系统先进典型": 1})], "2022-11-30", 10, "yidong")
    assert got.color == "green"
    assert got.reasons == ("本行业系统先进典型目标完成 1/1批", "按期报送")


@pytest.mark.parametrize(
    ("as_of", "entries", "color", "target_reason"),
    [
        # Activity 2: 参观线路 3 条 due 2022-12-31, lead 市委宣传部 (xcb).
        # On the due day the whole target is expected: 2 < 3 but 2 ≥ 1.5 → yellow.
        ("2022-12-31", [("2022-12-01", 2), ("2022-12-31", 0)], "yellow", "参观线路目标进度 2/3，应达 3"),
        # The day after: past due and unmet → red.
        ("2023-01-01", [("2022-12-01", 2), ("2023-01-01", 0)], "red", "参观线路目标逾期未完成 2/3（2022-12-31 截止）"),
        # What is reported after the due date does not count toward it.
        ("2023-01-01", [("2022-12-01", 2), ("2023-01-01", 5)], "red", "参观线路目标逾期未完成 2/3（2022-12-31 截止）"),
        ("2023-01-01", [("2022-12-01", 3), ("2023-01-01", 0)], "green", "参观线路目标完成 3/3条"),
        # Early on: elapsed 11 of 103 days (09-20..09-30 of 09-20..12-31) → floor(3 × 11 / 103) = 0 expected.
        ("2022-09-30", [("2022-09-30", 0)], "blue", None),
    ],
)
def test_one_off_target_with_a_due_date(catalog: Catalog, as_of: str, entries: list[tuple[str, int]], color: str,
                                        target_reason: str | None) -> None:
    got = status(catalog, [P(d, "xcb", 2, metrics={"参观线路": n}) for d, n in entries], as_of, activity=2)
    assert got.color == color
    if target_reason:
        assert target_reason in got.reasons
    else:
        assert got.reasons == ("按期报送",)


# ------------------------------------------------------------ voids, --as-of, duplicates, order


def test_voided_entries_have_no_effect_in_any_order(catalog: Catalog) -> None:
    # 11-01 plain report; 11-28 self-red report, voided. Without the void: red (自评红).
    plain, wrong = P("2022-11-01"), P("2022-11-28", color="red")
    void = V("2022-11-29", wrong.id)
    assert status(catalog, [plain, wrong], "2022-11-30").color == "red"
    for order in itertools.permutations([plain, wrong, void]):
        got = status(catalog, list(order), "2022-11-30")
        # the 11-01 report is the latest again: 29 days → red for staleness, not for 自评红
        assert (got.color, got.reasons, got.last_report) == ("red", ("29 天未报送",), D("2022-11-01"))


@pytest.mark.parametrize(
    ("entries_of", "color", "reasons"),
    [
        # the only report voided: as if nothing was reported (71 days since the start)
        (lambda: [(e := P("2022-11-28")), V("2022-11-29", e.id)], "red", ("活动开始 71 天仍未启动（9月20日起算）",)),
        # a voided red inspection: no finding
        (lambda: [P("2022-11-28"), (i := I("2022-11-20", "red")), V("2022-11-21", i.id)], "blue", ("按期报送（2 天前）",)),
        # a voided metric does not count toward the target (activity 5 checked separately below)
        # a void dated after as_of still cancels: the mistake never counted
        (lambda: [P("2022-11-01"), (e := P("2022-11-28", color="yellow")), V("2022-12-05", e.id)], "red", ("29 天未报送",)),
    ],
)
def test_voids(catalog: Catalog, entries_of: Any, color: str, reasons: tuple[str, ...]) -> None:
    got = status(catalog, entries_of(), "2022-11-30")
    assert (got.color, got.reasons) == (color, reasons)


def test_a_voided_metric_does_not_count_toward_the_target(catalog: Catalog) -> None:
    good, extra = P("2022-11-30", "xzspj", 5, metrics={METRIC: 69}), P("2022-11-29", "xzspj", 5, metrics={METRIC: 31})
    assert status(catalog, [good, extra], "2022-11-30", 5, "xzspj").color == "green"  # 69 + 31 = 100: met
    got = status(catalog, [extra, V("2022-11-30", extra.id, "xzspj", 5), good], "2022-11-30", 5, "xzspj")
    assert (got.color, got.reasons) == ("blue", ("按期报送",))  # 69: on pace


def test_as_of_uses_only_entries_dated_on_or_before_it(catalog: Catalog) -> None:
    entries = [
        P("2022-10-20"),
        P("2022-10-21", color="red"),  # the day after as_of
        I("2022-10-21", "red"),
        P("2022-10-21", "xzspj", 5, metrics={METRIC: 100}),
    ]
    got = status(catalog, entries, "2022-10-20")
    assert (got.color, got.reasons, got.last_report) == ("blue", ("按期报送",), D("2022-10-20"))
    # activity 5 on 10-20: the 100 of 10-21 is not counted, nothing reported yet, 30 days → red
    assert status(catalog, entries, "2022-10-20", 5, "xzspj").reasons[0] == "活动开始 30 天仍未启动（9月20日起算）"
    # one day later everything counts
    assert status(catalog, entries, "2022-10-21").reasons == ("自评红", "督导发现问题（2022-10-21 督导）", "按期报送")


def test_a_duplicated_line_counts_once_and_input_order_does_not_matter(catalog: Catalog) -> None:
    once = P("2022-11-30", "xzspj", 5, metrics={METRIC: 40}, id="dup0001")
    twice = [once, once]  # a union merge can duplicate a line: 40, not 80
    assert status(catalog, twice, "2022-11-30", 5, "xzspj").reasons[0] == f"{METRIC}目标进度 40/100，应达 69"
    entries = [P(f"2022-10-{d:02d}", u, a, color=c) for d, u, a, c in
               [(3, "xcb", 1, "red"), (5, "zzb", 1, None), (9, "xcb", 2, "green"), (12, "dx", 1, "yellow"), (20, "xcb", 1, None)]]
    entries.append(I("2022-10-15", "red", "zzb", 1))
    shuffled = entries[:]
    random.Random(4).shuffle(shuffled)
    assert build_board(catalog, entries, D("2022-10-25")) == build_board(catalog, shuffled, D("2022-10-25"))


# ------------------------------------------------------------ groups


def test_a_group_with_members_expands_to_one_cell_per_member(catalog: Catalog) -> None:
    # Activity 6: 市文明办, 市农业农村局, 市妇联, 各乡镇（区、办） (15 members) → 3 + 15 = 18 cells, no cell for the group.
    units = [c.unit for c in catalog.cells if c.activity == 6]
    assert len(units) == 18
    assert units[:4] == ["wmb", "nyj", "fl", "bazhou"]
    assert "gxz" not in units
    board = build_board(catalog, [P("2022-11-30", "shengfang", 6, color="yellow")], D("2022-11-30"))
    cells6 = [c for c in board.cells if c.activity == 6]
    assert len(cells6) == 18
    # one member reported (self-yellow); the other 17 cells have nothing: red
    assert board.totals(cells6) == {"red": 17, "yellow": 1, "blue": 0, "green": 0, "not_started": 0}


def test_a_group_without_members_is_one_cell(catalog: Catalog) -> None:
    # Activity 4 lists 市直各单位 (szgdw) and 中省直驻霸各单位 (zszbgdw), groups without members.
    units = [c.unit for c in catalog.cells if c.activity == 4]
    assert units[-2:] == ["szgdw", "zszbgdw"]
    assert status(catalog, [P("2022-11-30", "szgdw", 4)], "2022-11-30", 4, "szgdw").color == "blue"


def test_a_unit_listed_directly_and_through_a_group_appears_once() -> None:
    cat = make_catalog(
        [{"number": 1, "units": ["t2", "towns", "fl"]}, {"number": 2, "units": ["towns", "t1"]}, {"number": 3, "units": ["office"]}],
        groups=[{"id": "towns", "name": "各乡镇", "members": ["t1", "t2", "t3"]}, {"id": "office", "name": "各成员单位"}],
    )
    assert [(c.activity, c.unit) for c in cat.cells] == [
        (1, "t2"), (1, "t1"), (1, "t3"), (1, "fl"),  # t2 first (listed first), not repeated by the group
        (2, "t1"), (2, "t2"), (2, "t3"),  # t1 listed after the group: once, in the group's place
        (3, "office"),  # a group without members reports as one cell
    ]
    assert len(build_board(cat, [], D("2022-11-30")).cells) == 8


# ------------------------------------------------------------ 约谈 (interviews)


def _index(catalog: Catalog, entries: list[Entry], *cells: tuple[int, str]) -> BoardIndex:
    return BoardIndex(catalog, entries, [Cell(a, u) for a, u in cells or [(1, "xcb")]])


@pytest.mark.parametrize(
    ("entries", "as_of", "weeks"),
    [
        # last report 10-01: red from 10-29 (28 days). On 11-05 red, and on 10-29 red: 2 checkpoints.
        ([P("2022-10-01")], "2022-11-05", 2),
        # on 11-04 red (34 days), but 10-28 was 27 days: yellow → only 1.
        ([P("2022-10-01")], "2022-11-04", 1),
        ([P("2022-10-01")], "2022-11-12", 3),  # 11-12, 11-05, 10-29 red; 10-22 (21 days) yellow
        ([P("2022-10-01")], "2022-10-28", 0),  # not red today
        # never reported: red from 10-04 (start + 14). 10-11 and 10-04 red → 2; 10-10 and 10-03 (grace) → 1.
        ([], "2022-10-11", 2),
        ([], "2022-10-10", 1),
    ],
)
def test_red_weeks_counts_consecutive_weekly_checkpoints(catalog: Catalog, entries: list[Entry], as_of: str, weeks: int) -> None:
    assert red_weeks(_index(catalog, entries), 1, "xcb", D(as_of)) == weeks


@pytest.mark.parametrize(
    ("entries", "as_of", "reasons"),
    [
        ([P("2022-10-01")], "2022-11-05", ("1.理论学习宣讲 连续 2 周红色",)),
        ([P("2022-10-01")], "2022-11-04", None),  # red for one checkpoint only
        ([], "2022-10-11", ("1.理论学习宣讲 连续 2 周红色",)),
        ([], "2022-10-10", None),
        # 约谈 after an inspection, the unit otherwise reporting on time (blue): interview until 已约谈 (10-12 → 10-20: 8 days)
        ([I("2022-10-12", "yellow", method="暗访", followup="约谈"), P("2022-10-19")], "2022-10-20",
         ("1.理论学习宣讲 2022-10-12 暗访要求约谈，已等待 8 天",)),
        ([(i := I("2022-10-12", "yellow", method="暗访", followup="约谈")), F("2022-10-18", i, "已约谈"), P("2022-10-19")],
         "2022-10-20", None),
        # a newer inspection does not hold the interview; 已约谈 dated after as_of has not happened yet
        ([(i := I("2022-10-12", "yellow", method="暗访", followup="约谈")), I("2022-10-18", "green"), F("2022-10-25", i, "已约谈"),
          P("2022-10-19")], "2022-10-20", ("1.理论学习宣讲 2022-10-12 暗访要求约谈，已等待 8 天",)),
        # 已通报 does not answer a 约谈; a voided 已约谈 is gone
        ([(i := I("2022-10-12", "yellow", followup=("约谈", "通报"))), F("2022-10-13", i, "已通报"), P("2022-10-19")],
         "2022-10-20", ("1.理论学习宣讲 2022-10-12 督导要求约谈，已等待 8 天",)),
        ([(i := I("2022-10-12", "yellow", followup="约谈")), (f := F("2022-10-13", i, "已约谈")), V("2022-10-14", f.id),
          P("2022-10-19")], "2022-10-20", ("1.理论学习宣讲 2022-10-12 督导要求约谈，已等待 8 天",)),
        # the verdict expired (10-12 + 30 = 11-11) but the 约谈 stands until it is held: 10-12 → 11-20 is 19 + 20 = 39 days
        ([I("2022-10-12", "yellow", method="暗访", followup="约谈"), P("2022-11-20")], "2022-11-20",
         ("1.理论学习宣讲 2022-10-12 暗访要求约谈，已等待 39 天",)),
        # 整改 / 通报 follow-ups are not 约谈
        ([I("2022-10-12", "yellow", followup="整改"), P("2022-10-19")], "2022-10-20", None),
        # a voided 约谈 inspection is gone
        ([(i := I("2022-10-12", "red", followup="约谈")), V("2022-10-13", i.id), P("2022-10-19")], "2022-10-20", None),
    ],
)
def test_interviews(catalog: Catalog, entries: list[Entry], as_of: str, reasons: tuple[str, ...] | None) -> None:
    found = interviews(_index(catalog, entries), D(as_of))
    if reasons is None:
        assert found == []
    else:
        assert [(i.unit, i.reasons, i.cells) for i in found] == [("xcb", reasons, ((1, "xcb"),))]


def test_interviews_collect_every_reason_of_a_unit_most_reasons_first(catalog: Catalog) -> None:
    entries = [
        P("2022-10-01", "xcb", 1), P("2022-10-01", "xcb", 2),  # both red on 11-05 and 10-29
        I("2022-11-01", "red", "xcb", 2, method="暗访", followup="约谈"),
        P("2022-10-01", "zzb", 1),  # red twice too: one reason
        P("2022-11-01", "dx", 1),  # blue
    ]
    found = interviews(_index(catalog, entries, (1, "xcb"), (1, "zzb"), (1, "dx"), (2, "xcb")), D("2022-11-05"))
    assert [(i.unit, i.reasons) for i in found] == [
        ("xcb", ("1.理论学习宣讲 连续 2 周红色", "2.我为霸州添光彩 连续 2 周红色", "2.我为霸州添光彩 2022-11-01 暗访要求约谈，已等待 4 天")),
        ("zzb", ("1.理论学习宣讲 连续 2 周红色",)),
    ]


# ------------------------------------------------------------ alerts


def _cell(activity: int, unit: str, color: str, last: str | None) -> CellStatus:
    return CellStatus(activity, unit, color, D(last) if last else None, None, ("…",))


def test_alerts_red_first_then_oldest_report_never_reported_first() -> None:
    board = Board(
        D("2022-11-30"),
        (
            _cell(1, "a", "yellow", "2022-11-10"),
            _cell(1, "b", "red", "2022-10-20"),
            _cell(1, "c", "red", None),
            _cell(1, "d", "blue", "2022-11-29"),
            _cell(1, "e", "red", "2022-10-01"),
            _cell(2, "f", "yellow", None),
            _cell(2, "g", "green", "2022-11-29"),
            _cell(2, "h", "yellow", "2022-11-01"),
            _cell(2, "i", "not_started", None),
        ),
    )
    assert [c.unit for c in alerts(board)] == ["c", "e", "b", "f", "h", "a"]


def test_board_totals_and_json_shape(catalog: Catalog) -> None:
    board = build_board(catalog, [P("2022-11-30", color="green"), P("2022-11-30", "zzb")], D("2022-11-30"))
    # 212 cells: xcb/1 green, zzb/1 blue, the other 210 never reported → red
    assert board.totals() == {"red": 210, "yellow": 0, "blue": 1, "green": 1, "not_started": 0}
    data = board.to_json()
    assert list(data) == ["as_of", "totals", "cells"]
    assert data["cells"][0] == {"activity": 1, "unit": "xcb", "color": "green", "last_report": "2022-11-30",
                                "reasons": ["自评绿", "按期报送"]}


def test_target_pace_waits_for_the_grace_days(catalog) -> None:
    """No pace finding in the first `target_grace_days` (14) of a target's window; met is still green.

    Activity 5's lead (xzspj) has 100 a year, counted from 2022-09-20. On 2022-10-03 (day 14 of
    the window) nothing is done yet: too early to call it behind, so the weekly report makes it
    blue. On 2022-10-04 (day 15) expected = floor(100 × 15/103) = 14, done 0 < 14 × 0.5 → red.
    """
    reports = [P("2022-10-01", "xzspj", 5)]
    early = status(catalog, reports, "2022-10-03", 5, "xzspj")
    assert (early.color, early.reasons) == ("blue", ("按期报送（2 天前）",))
    late = status(catalog, reports, "2022-10-04", 5, "xzspj")
    assert late.color == "red"
    assert late.reasons[0] == "先进集体和先进个人目标进度 0/100，应达 14"
