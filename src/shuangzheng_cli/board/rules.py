"""The four-color board (四色管理法, 挂图作战): (definitions, entries, as-of date) → board. No I/O.

Every (activity, unit) cell gets the worst color any rule gives it and keeps every
reason. Red and yellow come from rules that find a problem; green needs a positive
sign (self-assessed green, a good inspection, a target met) and no problem; anything
else is blue (正常推进). Thresholds come from `data/activities.yaml` (`rules`).
"""

from __future__ import annotations

import bisect
import datetime as dt
import math
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..definitions.catalog import Catalog, Cell
from ..ledger.format import COLORS, NOT_STARTED, SEVERITY, Entry, followup_asks
from ..periods import calendar_period
from .followups import Case, cases, cell_findings

if TYPE_CHECKING:
    from ..definitions.schema import Target

#: Colors and "not started", worst first: the order of totals and legends.
BOARD_COLORS = (*COLORS, NOT_STARTED)
_RANK = {**SEVERITY, NOT_STARTED: -1}


@dataclass(frozen=True)
class CellStatus:
    """One square of the battle map as of a date: its color and why."""

    activity: int
    unit: str
    color: str  # red / yellow / blue / green / not_started
    last_report: dt.date | None
    days_since: int | None
    reasons: tuple[str, ...]

    @property
    def severity(self) -> int:
        return _RANK[self.color]

    def to_json(self) -> dict[str, Any]:
        return {
            "activity": self.activity,
            "unit": self.unit,
            "color": self.color,
            "last_report": self.last_report.isoformat() if self.last_report else None,
            "reasons": list(self.reasons),
        }


@dataclass(frozen=True)
class Board:
    """Every cell's status on `as_of`, in plan order."""

    as_of: dt.date
    cells: tuple[CellStatus, ...]
    _by_key: dict[tuple[int, str], CellStatus] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        self._by_key.update({(c.activity, c.unit): c for c in self.cells})

    def cell(self, activity: int, unit: str) -> CellStatus | None:
        return self._by_key.get((activity, unit))

    def totals(self, cells: Iterable[CellStatus] | None = None) -> dict[str, int]:
        counts = Counter(c.color for c in (self.cells if cells is None else cells))
        return {color: counts.get(color, 0) for color in BOARD_COLORS}

    def by_activity(self) -> dict[int, dict[str, int]]:
        groups: dict[int, list[CellStatus]] = {}
        for c in self.cells:
            groups.setdefault(c.activity, []).append(c)
        return {a: self.totals(cs) for a, cs in groups.items()}

    def by_unit(self) -> dict[str, dict[str, int]]:
        groups: dict[str, list[CellStatus]] = {}
        for c in self.cells:
            groups.setdefault(c.unit, []).append(c)
        return {u: self.totals(cs) for u, cs in groups.items()}

    def by_category(self, catalog: Catalog) -> dict[int, dict[str, int]]:
        groups: dict[int, list[CellStatus]] = {n: [] for n in sorted(catalog.categories)}
        for c in self.cells:
            groups.setdefault(catalog.activities[c.activity].category, []).append(c)
        return {n: self.totals(cs) for n, cs in groups.items()}

    def filter(self, keep) -> Board:  # noqa: ANN001 - a predicate on CellStatus
        return Board(self.as_of, tuple(c for c in self.cells if keep(c)))

    def to_json(self) -> dict[str, Any]:
        """The documented JSON shape: `{as_of, totals, cells: [{activity, unit, color, last_report, reasons}]}`."""
        return {
            "as_of": self.as_of.isoformat(),
            "totals": self.totals(),
            "cells": [c.to_json() for c in self.cells],
        }


@dataclass
class _CellEntries:
    """The entries of one cell, sorted, with their dates for bisecting."""

    progress: list[Entry] = field(default_factory=list)
    inspections: list[Entry] = field(default_factory=list)
    progress_dates: list[dt.date] = field(default_factory=list)
    inspection_dates: list[dt.date] = field(default_factory=list)
    #: per progress entry, the self-assessed color last stated up to it (in it or earlier)
    stated: list[str | None] = field(default_factory=list)
    #: the `followup` entries (已约谈, 整改完成, …) about this cell's inspections
    followups: list[Entry] = field(default_factory=list)


class BoardIndex:
    """Entries indexed by cell once, so the board can be asked for many dates cheaply.

    Voids are applied here: a `void` entry cancels the entry it names, whenever it was
    recorded. Entries are taken in (date, at, id) order, whatever order they come in.
    """

    def __init__(self, catalog: Catalog, entries: Iterable[Entry], cells: Iterable[Cell] | None = None):
        self.catalog = catalog
        self.cells = list(cells) if cells is not None else catalog.cells
        items = list(entries)
        cancelled = {e.ref for e in items if e.kind == "void"}
        seen: set[str] = set()
        self._by_cell: dict[tuple[int, str], _CellEntries] = {}
        for e in sorted(items, key=lambda e: e.sort_key):
            if e.kind == "void" or e.id in cancelled or e.id in seen:
                continue
            seen.add(e.id)
            slot = self._by_cell.setdefault((e.activity, e.unit), _CellEntries())
            if e.kind == "progress":
                slot.stated.append(e.color if e.color else slot.stated[-1] if slot.stated else None)
                slot.progress.append(e)
                slot.progress_dates.append(e.date)
            elif e.kind == "inspection":
                slot.inspections.append(e)
                slot.inspection_dates.append(e.date)
            elif e.kind == "followup":
                slot.followups.append(e)

    def entries_of(self, activity: int, unit: str) -> _CellEntries:
        return self._by_cell.get((activity, unit)) or _CellEntries()

    def board(self, as_of: dt.date) -> Board:
        return Board(as_of, tuple(self.status(c.activity, c.unit, as_of) for c in self.cells))

    def status(self, activity: int, unit: str, as_of: dt.date) -> CellStatus:
        return _status(self.catalog, self.entries_of(activity, unit), activity, unit, as_of)

    def cell_cases(self, activity: int, unit: str, as_of: dt.date) -> list[Case]:
        """What inspections of one cell asked for (整改、约谈、通报) and where each stands on `as_of`."""
        return _cell_cases(self.catalog, self.entries_of(activity, unit), as_of)

    def cases(self, as_of: dt.date, unit: str | None = None) -> list[Case]:
        """What inspections asked for (整改、约谈、通报) and where each stands on `as_of`, cell by cell in board order."""
        out: list[Case] = []
        for cell in self.cells:
            if unit is None or cell.unit == unit:
                out += _cell_cases(self.catalog, self.entries_of(cell.activity, cell.unit), as_of)
        return out


def build_board(
    catalog: Catalog, entries: Iterable[Entry], as_of: dt.date, cells: Iterable[Cell] | None = None
) -> Board:
    """The board as of a date. Entries dated after `as_of` are ignored; voided ones too."""
    return BoardIndex(catalog, entries, cells).board(as_of)


def cell_status(catalog: Catalog, entries: Iterable[Entry], activity: int, unit: str, as_of: dt.date) -> CellStatus:
    """One cell's status (entries of other cells are ignored)."""
    return BoardIndex(catalog, entries, [Cell(activity, unit)]).status(activity, unit, as_of)


# ------------------------------------------------------------ the rules

_SELF = {"red": "自评红", "yellow": "自评黄", "green": "自评绿"}


@dataclass(frozen=True)
class CellFacts:
    """All the rules need to know about one cell as of a date (from a list, or streamed).

    `last_progress`: (date of the latest progress entry, the self-assessed color last stated,
    in that entry or an earlier one: a note without a color leaves it standing);
    `latest_inspection`: (date, color, method, followup) of the latest inspection;
    `achieved`: per target of the activity (in order), the metric summed over its window;
    `cases`: what inspections asked for (整改、约谈、通报) and where each stands (`board.followups`).
    """

    last_progress: tuple[dt.date, Any] | None
    latest_inspection: tuple[dt.date, Any, Any, Any] | None
    achieved: tuple[float, ...]
    cases: tuple[Case, ...] = ()


def applies(catalog: Catalog, target: Target, activity: int, unit: str) -> bool:
    """A target applies to every unit of its activity, or only to the lead (and its members)."""
    return target.applies_to != "lead" or unit in catalog.expand(catalog.lead(activity))


def _status(catalog: Catalog, slot: _CellEntries, activity: int, unit: str, as_of: dt.date) -> CellStatus:
    if as_of < catalog.start:
        return status_from_facts(catalog, activity, unit, as_of, CellFacts(None, None, ()))
    n = bisect.bisect_right(slot.progress_dates, as_of)
    progress = slot.progress[:n]
    last = progress[-1] if progress else None
    stated = slot.stated[n - 1] if n else None
    m = bisect.bisect_right(slot.inspection_dates, as_of)
    latest = slot.inspections[m - 1] if m else None
    achieved = tuple(
        target_progress(catalog, target, progress, as_of)[0] if applies(catalog, target, activity, unit) else 0.0
        for target in catalog.activities[activity].targets
    )
    return status_from_facts(
        catalog, activity, unit, as_of,
        CellFacts(
            (last.date, stated) if last else None,
            (latest.date, latest.color, latest.method, latest.followup) if latest else None,
            achieved,
            tuple(_cell_cases(catalog, slot, as_of)),
        ),
    )


def _cell_cases(catalog: Catalog, slot: _CellEntries, as_of: dt.date) -> list[Case]:
    m = bisect.bisect_right(slot.inspection_dates, as_of)
    asked = [e for e in slot.inspections[:m] if e.followup]
    return cases(asked, slot.followups, as_of, catalog.rules.rectify_days) if asked else []


def status_from_facts(catalog: Catalog, activity: int, unit: str, as_of: dt.date, facts: CellFacts) -> CellStatus:
    """The four-color rules (四色管理法) over one cell's facts: its color and every reason."""
    start = catalog.start
    if as_of < start:
        return CellStatus(activity, unit, NOT_STARTED, None, None, (f"活动自 {start} 起开展",))
    rules = catalog.rules
    interval = catalog.interval(activity)
    found: list[tuple[str, str]] = []  # (color, reason)

    last_date, last_color = facts.last_progress if facts.last_progress else (None, None)
    days_since = (as_of - last_date).days if last_date else None
    if last_date is None:
        waited = (as_of - start).days
        if waited >= rules.start_grace_days:
            found.append(("red", f"活动开始 {waited} 天仍未启动（{start.month}月{start.day}日起算）"))
        else:
            found.append(("blue", f"启动期内，尚未报送（第 {waited + 1} 天）"))
    else:
        assert days_since is not None
        if days_since >= interval.red_after_days:
            found.append(("red", f"{days_since} 天未报送"))
        elif days_since >= interval.yellow_after_days:
            found.append(("yellow", f"{days_since} 天未报送"))
        elif days_since >= interval.days:
            found.append(("blue", f"{days_since} 天未报送（{interval.name}报送）"))
        else:
            found.append(("blue", "按期报送" if days_since == 0 else f"按期报送（{days_since} 天前）"))
        if last_color in _SELF:
            found.append((last_color, _SELF[last_color]))

    if facts.latest_inspection:
        i_date, i_color, i_method, i_followup = facts.latest_inspection
        age = (as_of - i_date).days
        if age < rules.inspection_valid_days:
            asks = followup_asks(i_followup)
            follow = f"，{'、'.join(asks)}" if asks else ""
            if i_color in ("red", "yellow"):
                found.append((i_color, f"督导发现问题（{i_date} {i_method}{follow}）"))
            elif i_color == "green":
                found.append(("green", f"督导评价良好（{i_date} {i_method}）"))

    found += cell_findings(facts.cases, as_of)

    for target, achieved in zip(catalog.activities[activity].targets, facts.achieved, strict=True):
        if not applies(catalog, target, activity, unit):
            continue
        verdict = _target(catalog, target, achieved, as_of)
        if verdict:
            found.append(verdict)

    problems = [c for c, _ in found if c in ("red", "yellow")]
    if problems:
        color = max(problems, key=SEVERITY.__getitem__)
    elif any(c == "green" for c, _ in found):
        color = "green"
    else:
        color = "blue"
    # the reasons that made the color first, then the rest, worst first
    reasons = tuple(r for _, r in sorted(found, key=lambda cr: (cr[0] != color, -SEVERITY[cr[0]])))
    return CellStatus(activity, unit, color, last_date, days_since, reasons)


def target_window(catalog: Catalog, target: Target, as_of: dt.date) -> tuple[dt.date, dt.date]:
    """The days a target is counted over, as of a date: its calendar period, or campaign start → due."""
    if target.per is not None:
        period = calendar_period(as_of, target.per)
        return max(period.start, catalog.start), period.end
    assert target.due is not None
    return catalog.start, target.due


def target_progress(catalog: Catalog, target: Target, progress: Iterable[Entry], as_of: dt.date) -> tuple[float, float]:
    """(achieved, expected by now): the metric summed over the window up to `as_of`, and the pro-rated pace."""
    first, last = target_window(catalog, target, as_of)
    upto = min(as_of, last)
    # fsum: exactly rounded, so the figure does not depend on the order entries are summed in
    achieved = math.fsum(e.metrics.get(target.metric, 0) for e in progress if first <= e.date <= upto)
    return achieved, expected_by(catalog, target, as_of)


def expected_by(catalog: Catalog, target: Target, as_of: dt.date) -> float:
    """The pro-rated pace of a target on a date (按进度应达)."""
    first, last = target_window(catalog, target, as_of)
    upto = min(as_of, last)
    span = (last - first).days + 1
    elapsed = min((upto - first).days + 1, span)
    return math.floor(target.value * elapsed / span) if span > 0 else target.value


def _target(catalog: Catalog, target: Target, achieved: float, as_of: dt.date) -> tuple[str, str] | None:
    first, last = target_window(catalog, target, as_of)
    if as_of < first:
        return None
    expected = expected_by(catalog, target, as_of)
    value = _num(target.value)
    label = target.metric
    if achieved >= target.value:
        return ("green", f"{label}目标完成 {_num(achieved)}/{value}{target.unit}")
    if as_of > last:
        return ("red", f"{label}目标逾期未完成 {_num(achieved)}/{value}（{last} 截止）")
    if (as_of - first).days + 1 <= catalog.rules.target_grace_days:
        return None  # too early in the period to call it behind
    if achieved < expected * catalog.rules.target_red_ratio:
        return ("red", f"{label}目标进度 {_num(achieved)}/{value}，应达 {_num(expected)}")
    if achieved < expected:
        return ("yellow", f"{label}目标进度 {_num(achieved)}/{value}，应达 {_num(expected)}")
    return None


def _num(x: float) -> int | float:
    return int(x) if float(x).is_integer() else round(x, 2)


# ------------------------------------------------------------ alerts and interviews (约谈)


@dataclass(frozen=True)
class Interview:
    """A unit to be interviewed (约谈) and why."""

    unit: str
    reasons: tuple[str, ...]
    cells: tuple[tuple[int, str], ...]
    #: days the longest-waiting 约谈 an inspection asked for has been pending (None: none pending)
    pending_days: int | None = None


def alerts(board: Board) -> list[CellStatus]:
    """Red and yellow cells, worst first, then the longest without a report."""
    bad = [c for c in board.cells if c.color in ("red", "yellow")]
    return sorted(bad, key=lambda c: (-c.severity, c.last_report or dt.date.min, c.activity, c.unit))


def red_weeks(index: BoardIndex, activity: int, unit: str, as_of: dt.date, limit: int = 260) -> int:
    """In how many consecutive weekly checkpoints the cell is red: as_of, as_of−7, as_of−14, … counted back.

    0 when it is not red on `as_of`; 2 means red on `as_of` and a week before (连续 2 周红色).
    """
    weeks = 0
    while weeks < limit:
        day = as_of - dt.timedelta(days=7 * weeks)
        if day < index.catalog.start or index.status(activity, unit, day).color != "red":
            break
        weeks += 1
    return weeks


def interviews(index: BoardIndex, as_of: dt.date) -> list[Interview]:
    """Units to interview: a cell red for N consecutive weeks, or an inspection's 约谈 not yet held (no 已约谈)."""
    catalog = index.catalog
    need = catalog.rules.interview_after_weeks
    found: dict[str, list[tuple[tuple[int, str], str]]] = {}
    waiting: dict[str, int] = {}  # unit -> the longest wait of a pending 约谈, in days
    board = index.board(as_of)
    for c in board.cells:
        if c.color == "red":
            weeks = red_weeks(index, c.activity, c.unit, as_of, limit=need)
            if weeks >= need:
                found.setdefault(c.unit, []).append(
                    ((c.activity, c.unit), f"{c.activity}.{catalog.short(c.activity)} 连续 {weeks} 周红色")
                )
        for case in _cell_cases(catalog, index.entries_of(c.activity, c.unit), as_of):
            if case.ask == "约谈" and case.pending:
                e = case.inspection
                days = case.waiting_days(as_of)
                waiting[c.unit] = max(waiting.get(c.unit, 0), days)
                found.setdefault(c.unit, []).append(
                    ((c.activity, c.unit), f"{c.activity}.{catalog.short(c.activity)} {e.date} {e.method}要求约谈，已等待 {days} 天")
                )
    order = {u: i for i, u in enumerate(catalog.board_units)}
    return [
        Interview(unit, tuple(r for _, r in items), tuple(k for k, _ in items), waiting.get(unit))
        for unit, items in sorted(found.items(), key=lambda kv: (-len(kv[1]), order.get(kv[0], 0)))
    ]
