"""周报 / 信息简报 (信息简报组): the week's entries, color changes, units that did not report."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from ..board.rules import BoardIndex, CellStatus
from ..definitions.catalog import Catalog
from ..ledger.format import NOT_STARTED, Entry
from ..periods import Period, week_of

if TYPE_CHECKING:
    pass

from .common import (
    _RANK,
    _entry_json,
    add_metrics,
    num,
    report_units,
)


@dataclass(frozen=True)
class ColorChange:
    """A cell whose color differs between the previous week's end and the as-of date."""

    activity: int
    unit: str
    before: str
    after: str
    reasons: tuple[str, ...]

    @property
    def worse(self) -> bool:
        return _RANK[self.after] > _RANK[self.before]


@dataclass(frozen=True)
class UnitCount:
    unit: str
    progress: int
    inspections: int


@dataclass
class WeekReport:
    """周报: what happened in one ISO week, as of its last day (or today if earlier)."""

    period: Period
    as_of: dt.date
    previous_end: dt.date
    totals: dict[str, int]
    previous_totals: dict[str, int]
    units: list[UnitCount]
    changes: list[ColorChange]
    silent: list[str]
    red: list[CellStatus]
    metrics: dict[int, dict[str, float]]
    entries_per_activity: dict[int, int]
    highlights: list[Entry]

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "week": self.period.label,
            "start": self.period.start.isoformat(),
            "end": self.period.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "previous_end": self.previous_end.isoformat(),
            "totals": self.totals,
            "previous_totals": self.previous_totals,
            "units": [
                {"unit": u.unit, "name": catalog.name(u.unit), "progress": u.progress, "inspections": u.inspections}
                for u in self.units
            ],
            "changes": [
                {
                    "activity": c.activity,
                    "unit": c.unit,
                    "name": catalog.name(c.unit),
                    "before": c.before,
                    "after": c.after,
                    "direction": "worse" if c.worse else "better",
                    "reasons": list(c.reasons),
                }
                for c in self.changes
            ],
            "silent_units": [{"unit": u, "name": catalog.name(u)} for u in self.silent],
            "red": [c.to_json() | {"name": catalog.name(c.unit)} for c in self.red],
            "metrics": [
                {
                    "activity": a,
                    "entries": self.entries_per_activity.get(a, 0),
                    "metrics": {k: num(v) for k, v in m.items()},
                }
                for a, m in sorted(self.metrics.items())
            ],
            "highlights": [_entry_json(catalog, e) for e in self.highlights],
        }


def week_report(index: BoardIndex, week: Period, today: dt.date) -> WeekReport:
    """The week's briefing (信息简报).

    As of the week's last day, or `today` if that is earlier. Colors are compared with
    the previous week's end (the day before the week starts); cells that had not started
    then are not listed as changes. A unit "did not report" when none of its cells has a
    progress entry dated in the week (up to the as-of date). Highlights are the week's
    progress entries with metrics or evidence: those with evidence first, then
    self-assessed green, then the most figures.
    """
    catalog = index.catalog
    as_of = min(week.end, today)
    previous_end = week.start - dt.timedelta(days=1)
    now = index.board(as_of)
    before = index.board(previous_end)

    progress: Counter[str] = Counter()
    inspections: Counter[str] = Counter()
    metrics: dict[int, dict[str, float]] = {}
    per_activity: Counter[int] = Counter()
    highlights: list[Entry] = []
    for cell in index.cells:
        slot = index.entries_of(cell.activity, cell.unit)
        for e in slot.progress:
            if week.start <= e.date <= as_of:
                progress[cell.unit] += 1
                per_activity[cell.activity] += 1
                add_metrics(metrics.setdefault(cell.activity, {}), e.metrics)
                if e.metrics or e.evidence:
                    highlights.append(e)
        for e in slot.inspections:
            if week.start <= e.date <= as_of:
                inspections[cell.unit] += 1

    order = {u: i for i, u in enumerate(report_units(index))}
    units = sorted(
        (UnitCount(u, progress[u], inspections[u]) for u in order if progress[u] or inspections[u]),
        key=lambda uc: (-(uc.progress + uc.inspections), order[uc.unit]),
    )
    silent = [u for u in order if not progress[u]] if as_of >= catalog.start else []

    changes = []
    for c in now.cells:
        old = before.cell(c.activity, c.unit)
        if old is None or old.color == NOT_STARTED or old.color == c.color:
            continue
        changes.append(ColorChange(c.activity, c.unit, old.color, c.color, c.reasons))
    changes.sort(
        key=lambda ch: (
            not ch.worse,
            -_RANK[ch.after] if ch.worse else _RANK[ch.after],
            -(_RANK[ch.after] - _RANK[ch.before]) if ch.worse else _RANK[ch.after] - _RANK[ch.before],
            ch.activity,
            order.get(ch.unit, 0),
        )
    )
    highlights.sort(
        key=lambda e: (not e.evidence, e.color != "green", -len(e.metrics), -sum(e.metrics.values()), e.sort_key)
    )
    red = [c for c in now.cells if c.color == "red"]
    red.sort(key=lambda c: (c.last_report or dt.date.min, c.activity, order.get(c.unit, 0)))
    return WeekReport(
        period=week,
        as_of=as_of,
        previous_end=previous_end,
        totals=now.totals(),
        previous_totals=before.totals(),
        units=units,
        changes=changes,
        silent=silent,
        red=red,
        metrics=metrics,
        entries_per_activity=dict(per_activity),
        highlights=highlights,
    )




def briefing_number(catalog: Catalog, week_start: dt.date) -> int:
    """The issue (期) of the week's 信息简报: `campaign.briefing.first_number` for the week of
    `briefing.first_week` (default: the campaign's first day), one more for each week after.

    Raises `ValueError` (Chinese) for a week before that one.
    """
    b = catalog.campaign.briefing
    first = week_of(b.first_week or catalog.start).start
    number = b.first_number + (week_start - first).days // 7
    if number < 1:
        raise ValueError(f"简报从 {first} 所在的一周起编号（第 {b.first_number} 期），此前的周没有期号")
    return number
