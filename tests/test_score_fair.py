"""The score's three invariants (issue 14), each on a small hand-made ledger.

One weekly activity, five units, the campaign from 2022-09-05; scored as of 2022-10-02: four weekly
windows (9/5–9/11, 9/12–9/18, 9/19–9/25, 9/26–10/2), default weights 30/30/20/20 (no targets here,
so their 20 is spread over the rest).
"""

from __future__ import annotations

import datetime as dt
import itertools
from pathlib import Path

import pytest

from shuangzheng_cli import reports
from shuangzheng_cli.board.rules import BoardIndex
from shuangzheng_cli.definitions.catalog import Catalog
from shuangzheng_cli.ledger.format import Entry

ACTIVITIES = """\
campaign: {title: 测试方案, short_name: 双争活动, date: 2022-09-01}
phases:
  - {number: 1, name: 深入推进阶段, start: 2022-09-05, end: 2022-12-31}
categories:
  - {number: 1, name: 测试类}
activities:
  - {number: 1, category: 1, title: 开展活动一, short: 活动一, units: [甲局, 乙局, 丙局, 丁局, 戊局]}
"""
UNITS = """\
units:
  - {id: jia, name: 甲局}
  - {id: yi, name: 乙局}
  - {id: bing, name: 丙局}
  - {id: ding, name: 丁局}
  - {id: wu, name: 戊局}
"""
WEEKS = ["2022-09-05", "2022-09-12", "2022-09-19", "2022-09-26"]
AS_OF = dt.date(2022, 10, 2)
_ids = itertools.count(1)


@pytest.fixture(scope="module")
def catalog(tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    root = tmp_path_factory.mktemp("fair")
    (root / "data").mkdir()
    (root / "data" / "activities.yaml").write_text(ACTIVITIES, encoding="utf-8")
    (root / "data" / "units.yaml").write_text(UNITS, encoding="utf-8")
    return Catalog.load(root)


def P(unit: str, day: str, color: str | None = None) -> Entry:
    return Entry(id=f"p{next(_ids):06d}", kind="progress", date=dt.date.fromisoformat(day), unit=unit, activity=1,
                 text="进展", color=color, at=f"{day}T10:00:00+08:00")


def I(unit: str, day: str, color: str, followup: tuple[str, ...] = ()) -> Entry:  # noqa: E743
    return Entry(id=f"i{next(_ids):06d}", kind="inspection", date=dt.date.fromisoformat(day), unit=unit, activity=1,
                 method="暗访", color=color, text="检查", followup=followup, at=f"{day}T15:00:00+08:00")


def scores(catalog: Catalog, entries: list[Entry]) -> dict[str, float]:
    return {s.unit: s.score for s in reports.score(BoardIndex(catalog, entries), 2022, AS_OF).units}


def test_a_unit_that_never_reports_scores_below_every_unit_on_time_whatever_their_inspections(catalog: Catalog) -> None:
    entries = [
        # 甲局: on time every week, and inspected harshly: four red findings, each asking for everything
        *(P("jia", d) for d in WEEKS),
        *(I("jia", d, "red", ("整改", "约谈", "通报")) for d in ("2022-09-06", "2022-09-13", "2022-09-20", "2022-09-27")),
        # 乙局: on time every week, but says red each time
        *(P("yi", d, "red") for d in WEEKS),
        # 丙局: on time every week, nothing else
        *(P("bing", d) for d in WEEKS),
        # 丁局: never reports, never inspected; 戊局: never reports, inspected green
        I("wu", "2022-09-20", "green"),
    ]
    got = scores(catalog, entries)
    # no report: no on-time window, no good day (the start grace gives nothing), no inspection marks → 0 by hand
    assert got["ding"] == pytest.approx(0) and got["wu"] == pytest.approx(0)
    for on_time in ("jia", "yi", "bing"):
        assert got[on_time] > got["ding"] and got[on_time] > got["wu"], (on_time, got)


def test_an_interview_or_bulletin_lowers_the_inspected_unit_only(catalog: Catalog) -> None:
    base = [*(P(u, d) for u in ("jia", "yi") for d in WEEKS)]
    plain = scores(catalog, [*base, I("jia", "2022-09-20", "yellow")])
    for asks in (("约谈",), ("通报",), ("约谈", "通报")):
        asked = scores(catalog, [*base, I("jia", "2022-09-20", "yellow", asks)])
        assert asked["jia"] < plain["jia"], asks
        assert asked["yi"] == plain["yi"] == scores(catalog, base)["yi"], asks
    # and an inspection asking for it lowers the unit below where it stood without any inspection
    assert scores(catalog, [*base, I("jia", "2022-09-20", "yellow", ("约谈",))])["jia"] < scores(catalog, base)["jia"]


def test_more_on_time_reports_score_higher_other_things_equal(catalog: Catalog) -> None:
    entries = [
        *(P("jia", d) for d in WEEKS),  # all four windows
        *(P("yi", d) for d in WEEKS if d != "2022-09-19"),  # misses the third
        *(P("bing", d) for d in WEEKS if d not in ("2022-09-12", "2022-09-19")),  # misses two
        P("ding", WEEKS[0]),  # only the first
    ]
    got = scores(catalog, entries)
    assert got["jia"] > got["yi"] > got["bing"] > got["ding"] > got["wu"], got
    # the same with an identical inspection on each: still in that order
    inspected = scores(catalog, [*entries, *(I(u, "2022-09-28", "yellow", ("约谈",)) for u in ("jia", "yi", "bing", "ding"))])
    assert inspected["jia"] > inspected["yi"] > inspected["bing"] > inspected["ding"], inspected


def test_explain_states_the_rules(tmp_path: Path, cli) -> None:
    r = cli("score", "--explain", "--year", "2022", "--as-of", "2022-10-02")
    assert r.code == 0, r.err
    for words in ("报送及时率 × max(0, 100 − 扣分)", "第一次报送之前的日子不算绿、蓝", "从不报送的单位得 0 分"):
        assert words in r.out, words
