"""半年报告 (每半年向市文明委报告一次): per unit, per activity, month by month."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..board.rules import BOARD_COLORS, BoardIndex
from ..definitions.catalog import Catalog
from ..ledger.format import Entry
from ..periods import Period, month_ends

if TYPE_CHECKING:
    pass

from .common import (
    add_metrics,
    num,
    report_units,
    unit_cells,
)


@dataclass
class ActivitySection:
    """One activity in a unit's half-year report."""

    activity: int
    progress: int
    first: dt.date | None
    last: dt.date | None
    metrics: dict[str, float]
    month_colors: list[tuple[dt.date, str]]
    color: str  # as of the report's date
    reasons: tuple[str, ...]
    problems: list[tuple[dt.date, str]]
    next: str
    inspections: list[Entry]

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "title": catalog.activities[self.activity].title,
            "short": catalog.short(self.activity),
            "lead": catalog.lead(self.activity),
            "entries": self.progress,
            "first_report": self.first.isoformat() if self.first else None,
            "last_report": self.last.isoformat() if self.last else None,
            "metrics": {k: num(v) for k, v in self.metrics.items()},
            "month_end_colors": [{"date": d.isoformat(), "color": c} for d, c in self.month_colors],
            "color": self.color,
            "reasons": list(self.reasons),
            "problems": [{"date": d.isoformat(), "text": t} for d, t in self.problems],
            "next": self.next,
            "inspections": [
                {
                    "date": e.date.isoformat(),
                    "method": e.method,
                    "color": e.color,
                    "text": e.text,
                    "followup": list(e.followup),
                }
                for e in self.inspections
            ],
        }


@dataclass
class UnitSection:
    unit: str
    activities: list[ActivitySection]

    @property
    def progress(self) -> int:
        return sum(a.progress for a in self.activities)

    @property
    def inspections(self) -> int:
        return sum(len(a.inspections) for a in self.activities)

    def totals(self) -> dict[str, int]:
        counts = Counter(a.color for a in self.activities)
        return {c: counts.get(c, 0) for c in BOARD_COLORS}

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "unit": self.unit,
            "name": catalog.name(self.unit),
            "entries": self.progress,
            "inspections": self.inspections,
            "totals": self.totals(),
            "activities": [a.to_json(catalog) for a in self.activities],
        }


@dataclass
class HalfYearReport:
    """半年报告: one section per unit (the office view has every unit)."""

    period: Period
    as_of: dt.date
    month_ends: list[dt.date]
    campaign_start: dt.date
    units: list[UnitSection] = field(default_factory=list)

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "period": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "month_ends": [d.isoformat() for d in self.month_ends],
            "units": [u.to_json(catalog) for u in self.units],
        }


def half_year_report(
    index: BoardIndex, period: Period, today: dt.date, units: list[str] | None = None
) -> HalfYearReport:
    """Per unit, per activity it owns: entries, metrics, month-end colors, problems, inspections.

    As of the period's end, or `today` if earlier. Entries count when dated inside the
    period up to the as-of date. Month ends are those of `periods.month_ends` that are
    not after the as-of date and not before the campaign started (before it nothing is due).
    `units`: unit ids (default: every unit with a cell, in plan order).
    """
    catalog = index.catalog
    as_of = min(period.end, today)
    ends = [d for d in month_ends(period) if d <= as_of and d >= catalog.start]
    first = period.start
    report = HalfYearReport(period, as_of, ends, catalog.start)
    for unit in units if units is not None else report_units(index):
        sections = []
        for cell in unit_cells(index, unit):
            slot = index.entries_of(cell.activity, unit)
            prog = [e for e in slot.progress if first <= e.date <= as_of]
            insp = [e for e in slot.inspections if first <= e.date <= as_of]
            metrics: dict[str, float] = {}
            for e in prog:
                add_metrics(metrics, e.metrics)
            status = index.status(cell.activity, unit, as_of)
            nexts = [e.next for e in prog if e.next.strip()]
            sections.append(
                ActivitySection(
                    activity=cell.activity,
                    progress=len(prog),
                    first=prog[0].date if prog else None,
                    last=prog[-1].date if prog else None,
                    metrics=metrics,
                    month_colors=[(d, index.status(cell.activity, unit, d).color) for d in ends],
                    color=status.color,
                    reasons=status.reasons,
                    problems=[(e.date, e.problems.strip()) for e in prog if e.problems.strip()],
                    next=nexts[-1] if nexts else "",
                    inspections=insp,
                )
            )
        report.units.append(UnitSection(unit, sections))
    return report


