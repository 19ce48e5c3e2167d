"""催报 (reminders for the liaisons' WeChat group): per unit, what is overdue or due soon. Pure data.

The plan has every unit name a liaison (联络员) who joins the campaign's WeChat group and reports
progress there. For each unit with something due on a date, one `UnitReminder`:

- an activity not reported within its interval (逾期未报): the last report, the day it was due
  (last report + interval − 1; with no report yet, campaign start + `rules.start_grace_days` − 1),
  and the days since the last report;
- an activity whose report falls due within `days` days (即将到期), with that day;
- a 整改 past its deadline (整改逾期) and a 约谈 not yet held (待约谈), from `board.followups`.

Units with nothing due are not named. `report_by` is the day to report by: the as-of date when
anything is overdue, else the earliest day due.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from ..board.rules import BoardIndex

#: the kinds of item, in the order a block lists them
OVERDUE, SOON, RECTIFY, INTERVIEW = "overdue", "soon", "rectify", "interview"
ITEM_NAMES = {OVERDUE: "逾期未报", SOON: "即将到期", RECTIFY: "整改逾期", INTERVIEW: "待约谈"}


@dataclass(frozen=True)
class DueItem:
    """One thing a unit must do. `due`: the day it was or is due (整改: its deadline; 约谈: the
    inspection's date); `days`: days since the last report (overdue), days left (soon), days
    past the deadline (rectify), days waiting (interview)."""

    kind: str
    activity: int
    due: dt.date
    days: int
    last_report: dt.date | None = None
    inspection: str = ""  # 整改/约谈: "2022-11-08 暗访"

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "activity": self.activity,
            "due": self.due.isoformat(),
            "days": self.days,
            "last_report": self.last_report.isoformat() if self.last_report else None,
            "inspection": self.inspection or None,
        }


@dataclass(frozen=True)
class UnitReminder:
    """One unit's block: its liaison (None: not registered), what is due, and the day to report by."""

    unit: str
    liaison: str | None
    phone: str | None
    items: tuple[DueItem, ...]
    report_by: dt.date

    def count(self, kind: str) -> int:
        return sum(i.kind == kind for i in self.items)


@dataclass
class Reminders:
    """催报 as of a date: the units with something due, in board order."""

    as_of: dt.date
    days: int
    units: list[UnitReminder] = field(default_factory=list)

    def count(self, kind: str) -> int:
        return sum(u.count(kind) for u in self.units)

    @property
    def without_liaison(self) -> list[str]:
        return [u.unit for u in self.units if u.liaison is None]

    def to_json(self, names: dict[str, str]) -> dict[str, Any]:
        """`{as_of, days, totals: {overdue, soon, rectify, interview, units, without_liaison}, units: [...]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "days": self.days,
            "totals": {k: self.count(k) for k in ITEM_NAMES}
            | {"units": len(self.units), "without_liaison": len(self.without_liaison)},
            "units": [
                {
                    "unit": u.unit,
                    "name": names.get(u.unit, u.unit),
                    "liaison": u.liaison,
                    "phone": u.phone,
                    "report_by": u.report_by.isoformat(),
                    "items": [i.to_json() for i in u.items],
                }
                for u in self.units
            ],
        }


def reminders(index: BoardIndex, as_of: dt.date, days: int | None = None, units: list[str] | None = None) -> Reminders:
    """催报 on `as_of`: every unit (or only `units`) with something overdue or due within `days`
    days (default `rules.remind_days`). Nothing is due before the campaign starts."""
    catalog = index.catalog
    ahead = catalog.rules.remind_days if days is None else days
    out = Reminders(as_of, ahead)
    if as_of < catalog.start:
        return out
    wanted = set(units) if units is not None else None
    by_unit: dict[str, list[DueItem]] = {}
    for cell in index.cells:
        if wanted is not None and cell.unit not in wanted:
            continue
        items = by_unit.setdefault(cell.unit, [])
        status = index.status(cell.activity, cell.unit, as_of)
        last = status.last_report
        interval = catalog.interval(cell.activity).days
        if last is None:
            due = catalog.start + dt.timedelta(days=catalog.rules.start_grace_days - 1)
        else:
            due = last + dt.timedelta(days=interval - 1)
        if as_of > due:
            since = (as_of - last).days if last else (as_of - catalog.start).days
            items.append(DueItem(OVERDUE, cell.activity, due, since, last))
        elif (due - as_of).days <= ahead:
            items.append(DueItem(SOON, cell.activity, due, (due - as_of).days, last))
        for case in index.cell_cases(cell.activity, cell.unit, as_of):
            origin = f"{case.inspection.date} {case.inspection.method}"
            late = case.overdue_days(as_of)
            if late and case.due is not None:
                items.append(DueItem(RECTIFY, cell.activity, case.due, late, inspection=origin))
            elif case.ask == "约谈" and case.pending:
                items.append(DueItem(INTERVIEW, cell.activity, case.inspection.date, case.waiting_days(as_of), inspection=origin))
    order = {k: i for i, k in enumerate(ITEM_NAMES)}
    place = {u: i for i, u in enumerate(catalog.board_units)}
    for unit, items in sorted(by_unit.items(), key=lambda kv: place.get(kv[0], len(place))):
        if not items:
            continue
        items.sort(key=lambda i: (order[i.kind], i.due, i.activity))
        item = catalog.units.get(unit) or catalog.groups.get(unit)
        liaison = item.liaison if item is not None else None
        overdue = any(i.kind in (OVERDUE, RECTIFY) for i in items)
        soon = [i.due for i in items if i.kind == SOON]
        report_by = as_of if overdue or not soon else min(soon)
        out.units.append(
            UnitReminder(
                unit,
                liaison.name if liaison is not None and liaison.name.strip() else None,
                liaison.phone if liaison is not None and liaison.phone else None,
                tuple(items),
                report_by,
            )
        )
    return out
