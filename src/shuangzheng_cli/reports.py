"""Reports the plan asks for beyond the board (方案 四): pure functions over the indexed ledger.

- `week_report`      周报/信息简报 (信息简报组): the week's entries, color changes, silent units.
- `half_year_report` 半年报告 (每半年向市文明委报告一次): per unit, per activity.
- `score`            年度考核 (纳入精神文明建设工作年度考核内容): a 0–100 score per unit.
- `bulletin`         通报 draft (约谈、通报): criticism, praise, next requirements.

Each takes a `BoardIndex` (definitions + entries, voids applied) and dates, and returns
plain dataclasses with a `to_json()`; rendering (terminal, Markdown, Excel) is the CLI's.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .board import BOARD_COLORS, BoardIndex, CellStatus, red_weeks, target_progress
from .catalog import Catalog, Cell
from .entry import NOT_STARTED, SEVERITY, Entry
from .periods import Period, calendar_period, month_ends

if TYPE_CHECKING:
    from .models import Target

_RANK = {**SEVERITY, NOT_STARTED: -1}
GOOD_COLORS = ("green", "blue")
COMPONENTS = ("timeliness", "color", "inspections", "targets")
COMPONENT_NAMES = {"timeliness": "报送及时", "color": "四色状态", "inspections": "督导检查", "targets": "目标完成"}


def num(x: float) -> int | float:
    """A figure as people write it: 3 not 3.0, at most two decimals."""
    return int(x) if float(x).is_integer() else round(x, 2)


def cn_date(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日"


def add_metrics(total: dict[str, float], metrics: dict[str, float]) -> None:
    for name, value in metrics.items():
        total[name] = total.get(name, 0) + value


def unit_cells(index: BoardIndex, unit: str) -> list[Cell]:
    return [c for c in index.cells if c.unit == unit]


def report_units(index: BoardIndex) -> list[str]:
    """Units that own a cell of the index, in plan order."""
    return list(dict.fromkeys(c.unit for c in index.cells))


def _entry_json(catalog: Catalog, e: Entry) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id,
        "date": e.date.isoformat(),
        "unit": e.unit,
        "unit_name": catalog.name(e.unit),
        "activity": e.activity,
        "kind": e.kind,
        "color": e.color,
        "text": e.text,
    }
    if e.kind == "progress":
        out |= {"problems": e.problems, "metrics": {k: num(v) for k, v in e.metrics.items()}, "evidence": list(e.evidence)}
    else:
        out |= {"method": e.method, "followup": e.followup or "none"}
    return out


# ============================================================ weekly briefing (周报)


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


# ============================================================ half-year report (半年报告)


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
                    "followup": e.followup or "none",
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


# ============================================================ annual assessment (年度考核)


@dataclass
class Component:
    """One part of a unit's score: the raw share (0–1, None when nothing applies) and its points."""

    key: str
    share: float | None
    weight: float  # as configured
    points: float = 0.0  # share × effective weight
    effective_weight: float = 0.0
    detail: dict[str, Any] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return {
            "name": COMPONENT_NAMES[self.key],
            "share": None if self.share is None else round(self.share, 4),
            "weight": num(self.weight),
            "effective_weight": round(self.effective_weight, 4),
            "points": round(self.points, 2),
            "detail": self.detail,
        }


@dataclass
class UnitScore:
    unit: str
    score: float | None
    rank: int
    components: dict[str, Component]
    notes: list[str]

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "rank": self.rank,
            "unit": self.unit,
            "name": catalog.name(self.unit),
            "score": None if self.score is None else round(self.score, 2),
            "components": {k: c.to_json() for k, c in self.components.items()},
            "notes": self.notes,
        }


@dataclass
class Assessment:
    """年度考核: every unit's score for a year, ranked."""

    year: int
    start: dt.date
    end: dt.date
    weights: dict[str, float]
    units: list[UnitScore]
    notes: list[str]

    def to_json(self, catalog: Catalog) -> dict[str, Any]:
        return {
            "year": self.year,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "weights": {k: num(v) for k, v in self.weights.items()},
            "notes": self.notes,
            "units": [u.to_json(catalog) for u in self.units],
        }


SCORING_TEXT = """\
年度考核得分（0–100）由四部分组成，权重取自 data/activities.yaml 的 rules.scoring.weights
（默认：报送及时 30、四色状态 30、督导检查 20、目标完成 20）。考核区间为该年内活动开始之日
（1月1日与活动开始日中较晚者）至年末或截至日期（较早者）。
1. 报送及时率 = 按时报送的期数 ÷ 应报送的期数。单位承担的每一格（活动×单位），从考核区间
   起点起按该活动报送周期（每周7天、每月31天、每季度92天）划分报送期，只计在区间内已结束的期；
   一期内有一条进展记录即为按时。
2. 四色状态 = 绿色或蓝色的“格·天”数 ÷ 全部“格·天”数：区间内每一天、每一格按当天的四色判定计。
3. 督导检查 = max(0, 100 − 扣分) ÷ 100：区间内对该单位的每次检查，结论为黄或红扣
   deduction_per_finding 分，后续处理为约谈扣 deduction_per_interview 分，为通报扣
   deduction_per_bulletin 分（可叠加）；没有检查即不扣分。
4. 目标完成 = 该单位承担的各项数量目标完成度的平均数（牵头单位承担 applies_to: lead 的目标，
   每个责任单位各自承担 applies_to: each 的目标）。每个目标按该年内的各个周期（每年/每季度/每月，
   或活动开始至截止日期）计：完成度 = min(1, 完成量 ÷ 应完成量)，周期已结束的应完成量为目标值，
   进行中的周期按时间折算；尚无应完成量的周期不计，各周期取平均。
某一部分无从计算（如单位没有数量目标）时，其权重按比例分给其余部分：
得分 = Σ 各部分比率 × 权重 × 100 ÷ 可计算部分的权重之和。按得分（保留两位小数）从高到低排名，
得分相同者名次相同。"""


def score_span(catalog: Catalog, year: int, today: dt.date) -> tuple[dt.date, dt.date]:
    """The days a year is assessed over: from the later of Jan 1 and the campaign start to the earlier of Dec 31 and today."""
    return max(dt.date(year, 1, 1), catalog.start), min(dt.date(year, 12, 31), today)


def score(index: BoardIndex, year: int, today: dt.date) -> Assessment:
    """年度考核: every unit's score for `year` as of `today` (see `SCORING_TEXT` for the definition).

    Raises `ValueError` when the year has no day of the campaign up to `today`.
    """
    catalog = index.catalog
    scoring = catalog.rules.scoring
    weights = {k: float(scoring.weights.get(k, 0)) for k in COMPONENTS}
    start, end = score_span(catalog, year, today)
    if end < start:
        raise ValueError(f"{year} 年在 {today} 之前没有活动开展的日子，无从考核")
    results = []
    for unit in report_units(index):
        comps = {
            "timeliness": _timeliness(index, unit, start, end),
            "color": _color_days(index, unit, start, end),
            "inspections": _inspections(index, unit, start, end),
            "targets": _targets(index, unit, start, end),
        }
        for key, comp in comps.items():
            comp.weight = weights[key]
        results.append(_combine(unit, comps))
    order = {u: i for i, u in enumerate(report_units(index))}
    results.sort(key=lambda s: (s.score is None, -(round(s.score, 2) if s.score is not None else 0), order[s.unit]))
    rank = 0
    previous: float | None = None
    for i, s in enumerate(results, start=1):
        key = None if s.score is None else round(s.score, 2)
        if key != previous or i == 1:
            rank = i
        previous = key
        s.rank = rank
    notes = []
    spread = [s for s in results if s.components["targets"].share is None]
    if spread:
        notes.append(
            f"{len(spread)} 个单位没有承担数量目标（或目标尚无应完成量），其“目标完成”权重按比例分给其余三项。"
        )
    if end < dt.date(year, 12, 31):
        notes.append(f"截至 {end}，{year} 年尚未结束，得分为阶段性结果。")
    return Assessment(year, start, end, weights, results, notes)


def _combine(unit: str, comps: dict[str, Component]) -> UnitScore:
    available = {k: c for k, c in comps.items() if c.share is not None and c.weight > 0}
    total = sum(c.weight for c in available.values())
    notes = []
    if total <= 0:
        return UnitScore(unit, None, 0, comps, ["没有可计算的考核项"])
    for key, c in comps.items():
        if key in available:
            c.effective_weight = c.weight * 100 / total
            c.points = c.share * c.effective_weight  # type: ignore[operator]
        elif c.weight > 0:
            notes.append(f"{COMPONENT_NAMES[key]}无从计算，其权重 {num(c.weight)} 按比例分给其余各项")
    return UnitScore(unit, sum(c.points for c in available.values()), 0, comps, notes)


def _timeliness(index: BoardIndex, unit: str, start: dt.date, end: dt.date) -> Component:
    due = on_time = 0
    missed: list[str] = []
    for cell in unit_cells(index, unit):
        days = index.catalog.interval(cell.activity).days
        dates = [e.date for e in index.entries_of(cell.activity, unit).progress]
        k = 0
        cell_missed = 0
        while True:
            first = start + dt.timedelta(days=k * days)
            last = first + dt.timedelta(days=days - 1)
            if last > end:
                break
            due += 1
            if any(first <= d <= last for d in dates):
                on_time += 1
            else:
                cell_missed += 1
            k += 1
        if cell_missed:
            missed.append(f"{cell.activity}.{index.catalog.short(cell.activity)} 缺报 {cell_missed} 期")
    share = on_time / due if due else None
    return Component("timeliness", share, 0, detail={"on_time": on_time, "due": due, "missed": missed})


def _color_days(index: BoardIndex, unit: str, start: dt.date, end: dt.date) -> Component:
    good = total = 0
    by_color: Counter[str] = Counter()
    for cell in unit_cells(index, unit):
        day = start
        while day <= end:
            color = index.status(cell.activity, unit, day).color
            by_color[color] += 1
            total += 1
            good += color in GOOD_COLORS
            day += dt.timedelta(days=1)
    share = good / total if total else None
    return Component(
        "color",
        share,
        0,
        detail={"good_days": good, "cell_days": total, "days_by_color": {c: by_color.get(c, 0) for c in BOARD_COLORS}},
    )


def _inspections(index: BoardIndex, unit: str, start: dt.date, end: dt.date) -> Component:
    rules = index.catalog.rules.scoring
    findings = talks = bulletins = count = 0
    for cell in unit_cells(index, unit):
        for e in index.entries_of(cell.activity, unit).inspections:
            if not start <= e.date <= end:
                continue
            count += 1
            findings += e.color in ("red", "yellow")
            talks += e.followup == "约谈"
            bulletins += e.followup == "通报"
    deductions = (
        findings * rules.deduction_per_finding
        + talks * rules.deduction_per_interview
        + bulletins * rules.deduction_per_bulletin
    )
    return Component(
        "inspections",
        max(0.0, 100 - deductions) / 100,
        0,
        detail={
            "inspections": count,
            "findings": findings,
            "interviews": talks,
            "bulletins": bulletins,
            "deductions": num(deductions),
        },
    )


def targets_of(catalog: Catalog, activity: int, unit: str) -> list[Target]:
    """The activity's targets this unit carries: `lead` ones for the lead unit (or its members), `each` ones for all."""
    leads = set(catalog.expand(catalog.lead(activity)))
    return [t for t in catalog.activities[activity].targets if t.applies_to == "each" or unit in leads]


def _target_periods(catalog: Catalog, target: Target, start: dt.date, end: dt.date) -> list[dt.date]:
    """The as-of dates at which a target is measured within [start, end]: each period's end, or `end` for one in progress."""
    if target.per is None:
        assert target.due is not None
        return [min(target.due, end)] if target.due >= start else []
    out = []
    day = calendar_period(start, target.per).start
    while day <= end:
        period = calendar_period(day, target.per)
        out.append(min(period.end, end))
        day = period.end + dt.timedelta(days=1)
    return out


def _targets(index: BoardIndex, unit: str, start: dt.date, end: dt.date) -> Component:
    catalog = index.catalog
    items = []
    for cell in unit_cells(index, unit):
        progress = index.entries_of(cell.activity, unit).progress
        for target in targets_of(catalog, cell.activity, unit):
            ratios = []
            parts = []
            for day in _target_periods(catalog, target, start, end):
                achieved, expected = target_progress(catalog, target, progress, day)
                if expected <= 0:
                    continue
                ratios.append(min(1.0, achieved / expected))
                parts.append({"as_of": day.isoformat(), "achieved": num(achieved), "expected": num(expected)})
            if ratios:
                items.append(
                    {
                        "activity": cell.activity,
                        "metric": target.metric,
                        "value": num(target.value),
                        "unit": target.unit,
                        "ratio": round(sum(ratios) / len(ratios), 4),
                        "periods": parts,
                    }
                )
    share = sum(i["ratio"] for i in items) / len(items) if items else None
    return Component("targets", share, 0, detail={"targets": items})


# ============================================================ bulletin (通报)

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
                "inspections": [_entry_json(catalog, e) for e in self.followups],
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
    follow-up is 约谈 or 通报, dated in the last 30 days or still the cell's latest
    inspection (unresolved). 表扬: green cells whose progress entries carry metrics, with the
    figures summed from the campaign's start to the as-of date; the most reports first,
    then the most kinds of figures, then the largest.
    """
    catalog = index.catalog
    need = catalog.rules.interview_after_weeks
    board = index.board(as_of)
    order = {u: i for i, u in enumerate(report_units(index))}
    red_cells: list[RedCell] = []
    followups: list[Entry] = []
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
        for i, e in enumerate(past):
            if e.followup in ("约谈", "通报") and (
                (as_of - e.date).days < FOLLOWUP_RECENT_DAYS or i == len(past) - 1
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
    )
