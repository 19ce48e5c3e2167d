"""通报 (约谈、通报): who is criticized, who is praised, the next requirements."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..board.rules import BoardIndex, red_weeks
from ..definitions.catalog import Catalog
from ..ledger.format import Entry

if TYPE_CHECKING:
    pass

from .common import (
    _entry_json,
    add_metrics,
    cn_date,
    num,
    report_units,
)

BULLETIN_TITLE = "关于“双争”活动开展情况的通报"


@dataclass(frozen=True)
class RedCell:
    activity: int
    unit: str
    weeks: int
    reasons: tuple[str, ...]


@dataclass(frozen=True)
class GoodExample:
    activity: int
    unit: str
    reports: int
    metrics: dict[str, float]
    latest: str
    reasons: tuple[str, ...]


@dataclass
class Bulletin:
    """通报 draft, in the order it is read: overall, criticism, praise, requirements."""

    as_of: dt.date
    title: str
    issuer: str
    totals: dict[str, int]
    units: int
    cells: int
    reports: int
    red_cells: list[RedCell]
    followups: list[Entry]
    good: list[GoodExample]
    weeks: int
    requirements: list[str]
    #: inspection id -> {约谈/通报/整改: 已约谈/待约谈, 已通报/待通报, 整改中/待验收/验收通过/整改逾期 N 天}
    states: dict[str, dict[str, str]] = field(default_factory=dict)

    def handling(self, e: Entry) -> str:
        """What an inspection asked for and where it stands: `整改（整改中）、约谈（已约谈）、通报（待通报）`."""
        states = self.states.get(e.id, {})
        return "、".join(f"{a}（{states[a]}）" if a in states else a for a in e.followup) or "无"

    def overall(self, catalog: Catalog) -> str:
        t = self.totals
        return (
            f"截至{cn_date(self.as_of)}，全市 {self.units} 个责任单位承担的 {len(catalog.activities)} 项活动"
            f"共 {self.cells} 项任务中，绿色（已完成/超进度）{t['green']} 项，蓝色（正常推进）{t['blue']} 项，"
            f"黄色（进度滞后）{t['yellow']} 项，红色（严重滞后/未启动）{t['red']} 项；"
            f"各单位累计报送活动进展 {self.reports} 条。"
        )

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "title": self.title,
            "issuer": self.issuer,
            "as_of": self.as_of.isoformat(),
            "overall": self.overall(catalog),
            "totals": self.totals,
            "criticism": {
                "red_weeks": self.weeks,
                "red_cells": [
                    {
                        "unit": r.unit,
                        "name": catalog.name(r.unit),
                        "activity": r.activity,
                        "short": catalog.short(r.activity),
                        "weeks": r.weeks,
                        "reasons": list(r.reasons),
                    }
                    for r in self.red_cells
                ],
                "inspections": [_entry_json(catalog, e) | {"states": self.states.get(e.id, {})} for e in self.followups],
            },
            "praise": [
                {
                    "unit": g.unit,
                    "name": catalog.name(g.unit),
                    "activity": g.activity,
                    "short": catalog.short(g.activity),
                    "reports": g.reports,
                    "metrics": {k: num(v) for k, v in g.metrics.items()},
                    "latest": g.latest,
                    "reasons": list(g.reasons),
                }
                for g in self.good
            ],
            "requirements": self.requirements,
        }


FOLLOWUP_RECENT_DAYS = 30


def bulletin(index: BoardIndex, as_of: dt.date) -> Bulletin:
    """A 通报 draft as of a date.

    通报批评: cells red now and red at each of the previous N weekly checkpoints
    (N = rules.interview_after_weeks, counted by `board.red_weeks`), and inspections whose
    follow-up is 约谈 or 通报, dated in the last 30 days, still the cell's latest, or with a
    约谈/通报 not yet done; each with where it stands (已约谈/待约谈, 已通报/待通报). 表扬: green cells whose progress entries carry metrics, with the
    figures summed from the campaign's start to the as-of date; the most reports first,
    then the most kinds of figures, then the largest.
    """
    catalog = index.catalog
    need = catalog.rules.interview_after_weeks
    board = index.board(as_of)
    order = {u: i for i, u in enumerate(report_units(index))}
    red_cells: list[RedCell] = []
    followups: list[Entry] = []
    states: dict[str, dict[str, str]] = {}
    good: list[GoodExample] = []
    reports = 0
    for c in board.cells:
        slot = index.entries_of(c.activity, c.unit)
        progress = [e for e in slot.progress if e.date <= as_of]
        reports += len(progress)
        if c.color == "red":
            weeks = red_weeks(index, c.activity, c.unit, as_of)
            if weeks >= need:
                red_cells.append(RedCell(c.activity, c.unit, weeks, c.reasons))
        past = [e for e in slot.inspections if e.date <= as_of]
        pending = set()
        for case in index.cell_cases(c.activity, c.unit, as_of):
            late = case.overdue_days(as_of)
            states.setdefault(case.inspection.id, {})[case.ask] = f"整改逾期 {late} 天" if late else case.state_name
            if case.ask in ("约谈", "通报") and case.pending:
                pending.add(case.inspection.id)
        for i, e in enumerate(past):
            if ("约谈" in e.followup or "通报" in e.followup) and (
                (as_of - e.date).days < FOLLOWUP_RECENT_DAYS or i == len(past) - 1 or e.id in pending
            ):
                followups.append(e)
        if c.color == "green":
            metrics: dict[str, float] = {}
            for e in progress:
                add_metrics(metrics, e.metrics)
            if metrics:
                latest = next((e.text for e in reversed(progress) if e.metrics), "")
                good.append(GoodExample(c.activity, c.unit, len(progress), metrics, latest, c.reasons))
    red_cells.sort(key=lambda r: (-r.weeks, order.get(r.unit, 0), r.activity))
    followups.sort(key=lambda e: (e.date, order.get(e.unit, 0)), reverse=True)
    good.sort(key=lambda g: (-g.reports, -len(g.metrics), -sum(g.metrics.values()), order.get(g.unit, 0), g.activity))
    office = catalog.campaign.office or "市“双争”活动领导小组办公室"
    requirements = []
    if red_cells or followups:
        requirements.append(
            "被通报批评的单位要认真查找原因，制定整改措施，明确整改时限，并将整改情况书面报送" + office + "。"
        )
    requirements += [
        "各责任单位要按照“四个干”拉出清单、明晰责任，全面实行挂图作战、台账管理，按照“四色管理法”分类施策，按期报送活动进展。",
        f"对连续 {need} 周及以上红色的单位，{office}将直接约谈单位主要负责人，并在全市进行通报。",
        "各乡镇（区、办）和有关责任部门要及时报送成效经验、存在问题，每半年向市文明委报告一次活动总体情况。",
    ]
    return Bulletin(
        as_of=as_of,
        title=BULLETIN_TITLE,
        issuer=office,
        totals=board.totals(),
        units=len(order),
        cells=len(board.cells),
        reports=reports,
        red_cells=red_cells,
        followups=followups,
        good=good,
        weeks=need,
        requirements=requirements,
        states={e.id: states.get(e.id, {}) for e in followups},
    )
