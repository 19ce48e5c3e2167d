"""The reports (周报, 半年报告, 年度考核, 通报) over a small hand-made ledger.

Every expected figure below is worked out by hand from the ledger and the rules in
`CATALOG_YAML` (the arithmetic is in the comments), never taken from the code under test.

The campaign starts on Monday 2022-09-05; every activity is reported weekly (7 days;
yellow after 14 days without a report, red after 28; red when nothing is reported 14 days
after the start; an inspection's verdict holds 30 days). Cells:

    activity 1: 甲局 jia (lead), 乙局 yi, 丁局 ding
    activity 2: 甲局 jia (lead, carries the target 场次 10 per year), 丙局 bing, 戊局 wu

The four weekly windows up to 2022-10-02 are W36 9/5–9/11, W37 9/12–9/18,
W38 9/19–9/25 and W39 9/26–10/2.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from shuangzheng_cli import reports
from shuangzheng_cli.board.rules import BoardIndex
from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.format import Entry
from shuangzheng_cli.periods import parse_period

CATALOG_YAML = """\
campaign:
  title: 测试方案
  short_name: 双争活动
  doc_number: 测文〔2022〕1号
  date: 2022-09-01
  office: '市“双争”活动领导小组办公室'
phases:
  - {number: 1, name: 深入推进阶段, start: 2022-09-05, end: 2022-12-31}
rules:
  scoring:
    weights: {timeliness: 40, color: 30, inspections: 20, targets: 10}
    deduction_per_finding: 3
    deduction_per_interview: 5
    deduction_per_bulletin: 10
categories:
  - {number: 1, name: 测试类}
activities:
  - number: 1
    category: 1
    title: 开展活动一
    short: 活动一
    units: [甲局, 乙局, 丁局]
  - number: 2
    category: 1
    title: 开展活动二
    short: 活动二
    units: [甲局, 丙局, 戊局]
    targets:
      - {metric: 场次, value: 10, unit: 场, per: year, applies_to: lead}
"""

UNITS_YAML = """\
units:
  - {id: jia, name: 甲局}
  - {id: yi, name: 乙局}
  - {id: bing, name: 丙局}
  - {id: ding, name: 丁局}
  - {id: wu, name: 戊局}
"""

D = dt.date


def _p(id: str, unit: str, activity: int, day: str, **kw) -> Entry:
    return Entry(id=id, kind="progress", date=D.fromisoformat(day), unit=unit, activity=activity,
                 by="测试员", at=f"{day}T18:00:00+08:00", text=kw.pop("text", "开展活动"), **kw)


def _i(id: str, unit: str, activity: int, day: str, color: str, followup: str, text: str) -> Entry:
    return Entry(id=id, kind="inspection", date=D.fromisoformat(day), unit=unit, activity=activity,
                 by="督导组", at=f"{day}T18:00:00+08:00", color=color, method="督导", followup=followup, text=text)


M1 = {"场次": 1, "参与人数": 30}

ENTRIES = [
    # 甲局, activity 1: a report every week, then one on 10/28 (for the half-year).
    _p("jia1a", "jia", 1, "2022-09-06", metrics=M1),
    _p("jia1b", "jia", 1, "2022-09-13", metrics=M1, problems="基层参与面不广"),
    _p("jia1c", "jia", 1, "2022-09-20", metrics=M1),
    _p("jia1d", "jia", 1, "2022-09-27", metrics=M1, next="扩大覆盖面"),
    _p("jia1e", "jia", 1, "2022-10-28", metrics={"场次": 2, "参与人数": 50}, problems="宣传形式单一"),
    # a mistaken line, voided: counts nowhere
    _p("jia1x", "jia", 1, "2022-10-01", metrics={"场次": 100}),
    Entry(id="voidx1", kind="void", date=D(2022, 10, 1), unit="jia", activity=1, by="测试员",
          at="2022-10-01T19:00:00+08:00", text="重复录入", ref="jia1x"),
    _i("insjia", "jia", 1, "2022-09-21", "yellow", "整改", "台账不全"),
    # …rectified on 10/20, within its deadline (9/21 + 30 = 10/21): waiting for acceptance, not overdue
    Entry(id="fujia1", kind="followup", date=D(2022, 10, 20), unit="jia", activity=1, by="督导组",
          at="2022-10-20T10:00:00+08:00", ref="insjia", result="整改完成"),
    # 甲局, activity 2: reports on 9/6 and 9/29 only.
    _p("jia2a", "jia", 2, "2022-09-06", metrics={"场次": 1}),
    _p("jia2b", "jia", 2, "2022-09-29", metrics={"场次": 2}),
    # 乙局: every week self-assessed green, the last one yellow.
    _p("yi1a", "yi", 1, "2022-09-05", color="green"),
    _p("yi1b", "yi", 1, "2022-09-12", color="green"),
    _p("yi1c", "yi", 1, "2022-09-19", color="green"),
    _p("yi1d", "yi", 1, "2022-09-26", color="yellow", metrics={"场次": 2}),
    # 丙局: every week green with 场次 2; evidence in the last week.
    _p("bing2a", "bing", 2, "2022-09-05", color="green", metrics={"场次": 2}),
    _p("bing2b", "bing", 2, "2022-09-12", color="green", metrics={"场次": 2}),
    _p("bing2c", "bing", 2, "2022-09-19", color="green", metrics={"场次": 2}),
    _p("bing2d", "bing", 2, "2022-09-26", color="green", metrics={"场次": 2}, evidence=("https://example.org/a",)),
    # 戊局: every week green, no figures.
    _p("wu2a", "wu", 2, "2022-09-05", color="green"),
    _p("wu2b", "wu", 2, "2022-09-12", color="green"),
    _p("wu2c", "wu", 2, "2022-09-19", color="green"),
    _p("wu2d", "wu", 2, "2022-09-26", color="green"),
    # 丁局: never reports; two red inspections, with 通报 and 约谈.
    _i("insding1", "ding", 1, "2022-09-26", "red", "通报", "活动未启动"),
    _i("insding2", "ding", 1, "2022-09-30", "red", "约谈", "仍未启动"),
]


def write_definitions(root: Path, activities: str = CATALOG_YAML) -> Path:
    (root / "data").mkdir(parents=True, exist_ok=True)
    (root / "ledgers").mkdir(exist_ok=True)
    (root / "data" / "activities.yaml").write_text(activities, encoding="utf-8")
    (root / "data" / "units.yaml").write_text(UNITS_YAML, encoding="utf-8")
    return root


@pytest.fixture(scope="module")
def small_catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    return Catalog.load(write_definitions(tmp_path_factory.mktemp("defs")))


@pytest.fixture(scope="module")
def index(small_catalog: Catalog) -> BoardIndex:
    return BoardIndex(small_catalog, ENTRIES)


def test_the_hand_made_catalog(small_catalog: Catalog) -> None:
    assert small_catalog.start == D(2022, 9, 5)
    assert small_catalog.board_units == ["jia", "yi", "ding", "bing", "wu"]


# ============================================================ 周报 2022-W39


@pytest.fixture(scope="module")
def week(index: BoardIndex) -> reports.WeekReport:
    return reports.week_report(index, parse_period("2022-W39"), D(2022, 11, 30))


def test_week_dates(week: reports.WeekReport) -> None:
    # W39 is 9/26–10/2; today (11/30) is later, so as of the week's last day.
    assert (week.as_of, week.previous_end) == (D(2022, 10, 2), D(2022, 9, 25))


def test_week_entries_per_unit(week: reports.WeekReport) -> None:
    # progress in 9/26–10/2: 甲局 9/27 (act 1) + 9/29 (act 2) = 2 (10/1 is voided);
    # 乙局 9/26; 丙局 9/26; 戊局 9/26. 丁局: no progress, inspections 9/26 and 9/30.
    # Most entries first, ties in plan order (甲 乙 丁 丙 戊).
    assert [(u.unit, u.progress, u.inspections) for u in week.units] == [
        ("jia", 2, 0), ("ding", 0, 2), ("yi", 1, 0), ("bing", 1, 0), ("wu", 1, 0),
    ]
    assert week.silent == ["ding"]


def test_week_colors_and_changes(week: reports.WeekReport) -> None:
    # As of 9/25: 甲1 yellow (inspection 9/21), 乙1 green, 丁1 red (14 days, nothing),
    #   甲2 yellow (19 days since 9/6), 丙2 green, 戊2 green.
    # As of 10/2: 甲1 yellow, 乙1 yellow (self), 丁1 red, 甲2 blue (9/29, target 3 ≥ 2), 丙2 green, 戊2 green.
    assert week.previous_totals == {"red": 1, "yellow": 2, "blue": 0, "green": 3, "not_started": 0}
    assert week.totals == {"red": 1, "yellow": 2, "blue": 1, "green": 2, "not_started": 0}
    # worse first: 乙1 green → yellow, then 甲2 yellow → blue
    assert [(c.activity, c.unit, c.before, c.after, c.worse) for c in week.changes] == [
        (1, "yi", "green", "yellow", True),
        (2, "jia", "yellow", "blue", False),
    ]


def test_week_red_metrics_and_highlights(week: reports.WeekReport) -> None:
    assert [(c.activity, c.unit) for c in week.red] == [(1, "ding")]
    assert any("未启动" in r for r in week.red[0].reasons)
    # act 1: 甲 9/27 场次 1 参与人数 30 + 乙 9/26 场次 2 → 场次 3, 参与人数 30 (the voided 100 left out)
    # act 2: 甲 9/29 场次 2 + 丙 9/26 场次 2 + 戊 none → 场次 4
    assert week.metrics == {1: {"场次": 3, "参与人数": 30}, 2: {"场次": 4}}
    assert week.entries_per_activity == {1: 2, 2: 3}
    # evidence first (丙), then most figures (甲 9/27: two), then by date (乙 9/26, 甲 9/29); 戊 has no figures.
    assert [e.id for e in week.highlights] == ["bing2d", "jia1d", "yi1d", "jia2b"]


def test_week_before_the_campaign_has_no_silent_units(index: BoardIndex) -> None:
    report = reports.week_report(index, parse_period("2022-W35"), D(2022, 11, 30))
    assert report.silent == [] and report.units == []
    assert report.totals["not_started"] == 6


def test_week_json_keys(week: reports.WeekReport, small_catalog: Catalog) -> None:
    data = week.to_json(small_catalog)
    assert set(data) == {
        "week", "start", "end", "as_of", "previous_end", "totals", "previous_totals", "units",
        "changes", "silent_units", "red", "metrics", "highlights",
    }
    assert data["changes"][0]["direction"] == "worse"
    assert data["silent_units"] == [{"unit": "ding", "name": "丁局"}]


# ============================================================ 半年报告 2022H2 as of 10/31


@pytest.fixture(scope="module")
def half(index: BoardIndex) -> reports.HalfYearReport:
    return reports.half_year_report(index, parse_period("2022H2"), D(2022, 10, 31), ["jia"])


def test_half_year_month_ends(half: reports.HalfYearReport) -> None:
    # H2 month ends 7/31 … 12/31; only those ≥ the start (9/5) and ≤ as-of (10/31).
    assert half.as_of == D(2022, 10, 31)
    assert half.month_ends == [D(2022, 9, 30), D(2022, 10, 31)]


def test_half_year_unit_section(half: reports.HalfYearReport) -> None:
    (section,) = half.units
    a1, a2 = section.activities
    # act 1: 9/6 9/13 9/20 9/27 10/28 = 5 (the voided 10/1 left out);
    # 场次 1+1+1+1+2 = 6, 参与人数 30×4 + 50 = 170
    assert (a1.activity, a1.progress, a1.first, a1.last) == (1, 5, D(2022, 9, 6), D(2022, 10, 28))
    assert a1.metrics == {"场次": 6, "参与人数": 170}
    # 9/30: inspection yellow of 9/21 still holds → yellow; 10/31: report 3 days ago, inspection expired, its
    # 整改 done on 10/20 (before the deadline 10/21, waiting for acceptance) → blue
    assert a1.month_colors == [(D(2022, 9, 30), "yellow"), (D(2022, 10, 31), "blue")]
    assert a1.problems == [(D(2022, 9, 13), "基层参与面不广"), (D(2022, 10, 28), "宣传形式单一")]
    assert a1.next == "扩大覆盖面"
    assert [(e.date, e.followup) for e in a1.inspections] == [(D(2022, 9, 21), ("整改",))]
    # act 2: 9/6 and 9/29, 场次 1 + 2 = 3.
    # 9/30: report 1 day ago, target 3 ≥ floor(10×26/118)=2 → blue; 10/31: 32 days without a report → red.
    assert (a2.progress, a2.metrics) == (2, {"场次": 3})
    assert a2.month_colors == [(D(2022, 9, 30), "blue"), (D(2022, 10, 31), "red")]
    assert a2.problems == [] and a2.inspections == []
    assert (section.progress, section.inspections) == (7, 1)
    assert section.totals() == {"red": 1, "yellow": 0, "blue": 1, "green": 0, "not_started": 0}


def test_half_year_office_view_has_every_unit(index: BoardIndex) -> None:
    report = reports.half_year_report(index, parse_period("2022H2"), D(2022, 10, 31))
    assert [u.unit for u in report.units] == ["jia", "yi", "ding", "bing", "wu"]
    ding = report.units[2]
    # 丁局 never reported: red at both month ends (no start after 14 days)
    assert ding.progress == 0 and ding.inspections == 2
    assert ding.activities[0].month_colors == [(D(2022, 9, 30), "red"), (D(2022, 10, 31), "red")]


# ============================================================ 年度考核 2022 as of 10/2


@pytest.fixture(scope="module")
def assessment(index: BoardIndex) -> reports.Assessment:
    return reports.score(index, 2022, D(2022, 10, 2))


def test_score_span(assessment: reports.Assessment) -> None:
    # from the campaign start (later than Jan 1) to as-of (earlier than Dec 31): 28 days
    assert (assessment.start, assessment.end) == (D(2022, 9, 5), D(2022, 10, 2))
    assert assessment.weights == {"timeliness": 40, "color": 30, "inspections": 20, "targets": 10}


def _by_unit(assessment: reports.Assessment) -> dict[str, reports.UnitScore]:
    return {s.unit: s for s in assessment.units}


def test_score_jia_every_component(assessment: reports.Assessment) -> None:
    s = _by_unit(assessment)["jia"]
    c = s.components
    # timeliness: act 1 reports in all 4 windows; act 2 in W36 (9/6) and W39 (9/29) → (4 + 2) / 8
    assert (c["timeliness"].detail["on_time"], c["timeliness"].detail["due"]) == (6, 8)
    assert c["timeliness"].share == pytest.approx(0.75)
    # color: act 1 blue 9/5–9/20, but 9/5 is before its first report (9/6): 15 good days; yellow 9/21–10/2 (inspection);
    #        act 2 blue 9/6–9/19 (14, first report 9/6), yellow 9/20–9/28 (14+ days), blue 9/29–10/2 (4) → 18
    #        (15 + 18) / 56 = 33/56
    assert (c["color"].detail["good_days"], c["color"].detail["cell_days"]) == (33, 56)
    # inspections: one yellow finding → 100 − 3 = 97, earned at the reporting rate: 0.75 × 0.97 = 0.7275
    assert c["inspections"].detail["deductions"] == 3
    assert c["inspections"].share == pytest.approx(0.7275)
    # target 场次 10/year, window 9/5–12/31 (118 days); by 10/2 (28 days) floor(10×28/118) = 2 due, 3 done → 1
    assert c["targets"].share == pytest.approx(1.0)
    # 0.75×40 + 33/56×30 + 0.7275×20 + 1×10 = 30 + 17.678571 + 14.55 + 10 = 72.228571
    assert c["timeliness"].points == pytest.approx(30)
    assert c["color"].points == pytest.approx(990 / 56)
    assert c["inspections"].points == pytest.approx(14.55)
    assert c["targets"].points == pytest.approx(10)
    assert s.score == pytest.approx(72.2285714)
    assert s.notes == []


def test_score_spreads_the_targets_weight_when_a_unit_has_none(assessment: reports.Assessment) -> None:
    s = _by_unit(assessment)["yi"]
    c = s.components
    # 乙局: 4/4 on time; green 9/5–9/25 (21 days), yellow (self) 9/26–10/2 → 21/28 = 0.75; no inspection.
    # No target: its 10 is spread over 40 + 30 + 20 = 90 → weights ×100/90.
    # (1×40 + 0.75×30 + 1×20) × 100/90 = 82.5 / 0.9 = 91.666…
    assert c["targets"].share is None and c["targets"].points == 0
    assert c["timeliness"].effective_weight == pytest.approx(400 / 9)
    assert c["color"].share == pytest.approx(0.75)
    assert s.score == pytest.approx(91.6666667)
    assert any("目标完成" in n for n in s.notes)
    assert any("没有承担数量目标" in n for n in assessment.notes)


def test_score_deductions_for_findings_interviews_and_bulletins(assessment: reports.Assessment) -> None:
    s = _by_unit(assessment)["ding"]
    c = s.components
    # two red findings (3 each) + one 通报 (10) + one 约谈 (5) = 21 → 0.79
    assert c["inspections"].detail == {
        "inspections": 2, "findings": 2, "interviews": 1, "bulletins": 1, "deductions": 21,
    }
    # never reported: 0/4 windows; blue in the start grace 9/5–9/18 but with no report, so no good day
    assert c["timeliness"].share == 0
    assert c["color"].detail["good_days"] == 0 and c["color"].share == 0
    # the inspection marks are earned at the reporting rate: 0 × 0.79 = 0; so the score is 0
    assert c["inspections"].share == 0
    assert s.score == pytest.approx(0)


def test_score_ranking_ties_share_a_rank(assessment: reports.Assessment) -> None:
    # 丙局 and 戊局: every window, green every day, no inspection, no target → 100 each.
    # 100, 100, 91.67, 72.23, 0 → ranks 1, 1, 3, 4, 5 (ties in plan order: 丙 before 戊)
    assert [(s.unit, s.rank, round(s.score, 2)) for s in assessment.units] == [
        ("bing", 1, 100.0), ("wu", 1, 100.0), ("yi", 3, 91.67), ("jia", 4, 72.23), ("ding", 5, 0.0),
    ]


def test_score_reads_weights_from_the_rules(tmp_path: Path) -> None:
    yaml = CATALOG_YAML.replace(
        "weights: {timeliness: 40, color: 30, inspections: 20, targets: 10}", "weights: {timeliness: 100}"
    )
    catalog = Catalog.load(write_definitions(tmp_path, yaml))
    result = reports.score(BoardIndex(catalog, ENTRIES), 2022, D(2022, 10, 2))
    # timeliness alone counts: 甲局 6/8 = 75, 丁局 0/4 = 0
    scores = {s.unit: s.score for s in result.units}
    assert scores["jia"] == pytest.approx(75)
    assert scores["ding"] == pytest.approx(0)


def test_score_year_before_the_campaign_is_refused(index: BoardIndex) -> None:
    with pytest.raises(ValueError, match="2021"):
        reports.score(index, 2021, D(2022, 10, 2))


def test_score_monthly_target_averages_its_periods(tmp_path: Path) -> None:
    # A 场次 4 per month target, measured at 9/30 (month over: 4 due) and at 10/20 (in progress:
    # window 10/1–10/31, 20 of 31 days → floor(4×20/31) = 2 due).
    # 甲局 did 1 + 2 = 3 in September (→ 3/4) and 1 in October (→ 1/2): mean of 0.75 and 0.5 = 0.625
    yaml = CATALOG_YAML.replace("value: 10, unit: 场, per: year", "value: 4, unit: 场, per: month")
    catalog = Catalog.load(write_definitions(tmp_path, yaml))
    entries = [*ENTRIES, _p("jia2c", "jia", 2, "2022-10-10", metrics={"场次": 1})]
    result = reports.score(BoardIndex(catalog, entries), 2022, D(2022, 10, 20))
    jia = next(s for s in result.units if s.unit == "jia")
    assert jia.components["targets"].share == pytest.approx(0.625)
    periods = jia.components["targets"].detail["targets"][0]["periods"]
    assert [(p["achieved"], p["expected"]) for p in periods] == [(3, 4), (1, 2)]


# ============================================================ 通报 as of 10/2


@pytest.fixture(scope="module")
def draft(index: BoardIndex) -> reports.Bulletin:
    return reports.bulletin(index, D(2022, 10, 2))


def test_bulletin_overall(draft: reports.Bulletin, small_catalog: Catalog) -> None:
    # 6 cells as of 10/2 (see the week test); progress entries up to 10/2:
    # 甲1 4 + 甲2 2 + 乙 4 + 丙 4 + 戊 4 = 18 (10/28 is later, 10/1 voided)
    assert draft.totals == {"red": 1, "yellow": 2, "blue": 1, "green": 2, "not_started": 0}
    assert (draft.units, draft.cells, draft.reports) == (5, 6, 18)
    text = draft.overall(small_catalog)
    assert "5 个责任单位" in text and "红色（严重滞后/未启动）1 项" in text and "18 条" in text


def test_bulletin_criticism(draft: reports.Bulletin) -> None:
    # 丁局 red on 10/2 and 9/25, blue on 9/18 → 2 weekly checkpoints ≥ interview_after_weeks (2)
    assert [(r.unit, r.activity, r.weeks) for r in draft.red_cells] == [("ding", 1, 2)]
    # 通报 (9/26) and 约谈 (9/30) both within 30 days, newest first; 甲局's 整改 is not listed
    assert [(e.id, e.followup) for e in draft.followups] == [("insding2", ("约谈",)), ("insding1", ("通报",))]


def test_bulletin_praise_needs_green_and_figures(draft: reports.Bulletin) -> None:
    # green as of 10/2: 丙2 and 戊2; only 丙局 has figures: 4 reports × 场次 2 = 8
    assert [(g.unit, g.activity, g.reports, g.metrics) for g in draft.good] == [("bing", 2, 4, {"场次": 8})]


def test_bulletin_old_resolved_followup_is_dropped(index: BoardIndex) -> None:
    # As of 11/15 the 约谈 of 9/30 is 46 days old but still 丁局's latest inspection, not yet held;
    # the 通报 of 9/26 is older than 30 days and followed by a newer inspection, but not yet done → listed
    later = reports.bulletin(index, D(2022, 11, 15))
    assert [(e.id, later.handling(e)) for e in later.followups] == [("insding2", "约谈（待约谈）"), ("insding1", "通报（待通报）")]
    # once 已通报 is recorded (10/10), the old 通报 is dropped; the 约谈 stays (latest, and pending)
    done = Entry(id="fuding1", kind="followup", date=D(2022, 10, 10), unit="ding", activity=1, by="督导组",
                 at="2022-10-10T10:00:00+08:00", ref="insding1", result="已通报")
    later = reports.bulletin(BoardIndex(index.catalog, [*ENTRIES, done]), D(2022, 11, 15))
    assert [(e.id, later.handling(e)) for e in later.followups] == [("insding2", "约谈（待约谈）")]
