"""年度考核 (纳入精神文明建设工作年度考核内容): a 0–100 score per unit, from four components."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..board.rules import BOARD_COLORS, BoardIndex, target_progress
from ..definitions.catalog import Catalog
from ..periods import calendar_period

if TYPE_CHECKING:
    from ..definitions.schema import Target

from .common import (
    COMPONENT_NAMES,
    COMPONENTS,
    GOOD_COLORS,
    num,
    report_units,
    unit_cells,
)


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
    #: the full marks of units whose weights were spread, one note per kind of unit
    spread_notes: list[str] = field(default_factory=list)
    #: that the year is not over yet, if so
    partial_note: str | None = None

    @property
    def notes(self) -> list[str]:
        """Every note of the assessment: the spread full marks, then that the year is not over."""
        return [*self.spread_notes, *([self.partial_note] if self.partial_note else [])]

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
2. 四色状态 = 绿色或蓝色的“格·天”数 ÷ 全部“格·天”数：区间内每一天、每一格按当天的四色判定计；
   某格在该单位第一次报送之前的日子不算绿、蓝（启动期内尚未报送，不因没有报送而得分）。
3. 督导检查 = 报送及时率 × max(0, 100 − 扣分) ÷ 100：区间内对该单位的每次检查，结论为黄或红扣
   deduction_per_finding 分，要求约谈扣 deduction_per_interview 分，要求通报扣
   deduction_per_bulletin 分（一次检查要求多项的，逐项扣）。这一项按报送及时率折算：没有检查
   不扣分，但从不报送的单位这一项也是 0 分（没有数据，不白给分）。
4. 目标完成 = 该单位承担的各项数量目标完成度的平均数（牵头单位承担 applies_to: lead 的目标，
   每个责任单位各自承担 applies_to: each 的目标）。每个目标按该年内的各个周期（每年/每季度/每月，
   或活动开始至截止日期）计：完成度 = min(1, 完成量 ÷ 应完成量)，周期已结束的应完成量为目标值，
   进行中的周期按时间折算；尚无应完成量的周期不计，各周期取平均。
某一部分无从计算（如单位没有数量目标）时，其权重按比例分给其余部分：
得分 = Σ 各部分比率 × 权重 × 100 ÷ 可计算部分的权重之和。于是各部分的满分因单位而异：
例如按默认权重，没有数量目标的单位，目标完成的 20 分按 30 : 30 : 20 分到其余三项，满分改为
报送及时 30 × 100 ÷ 80 = 37.5、四色状态 37.5、督导检查 25（合计仍为 100）；考核表下方列出
这样的单位有几个、满分各是多少。按得分（保留两位小数）从高到低排名，得分相同者名次相同。
由此可以保证（各有测试）：从不报送的单位得 0 分，低于每期都按时报送的任何单位（无论后者受过
何种检查）；一次要求约谈或通报的检查只降低被检查单位的得分，不影响其他单位；其他条件相同，
按时报送的期数多的单位得分更高。"""


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
        timeliness = _timeliness(index, unit, start, end)
        comps = {
            "timeliness": timeliness,
            "color": _color_days(index, unit, start, end),
            "inspections": _inspections(index, unit, start, end, timeliness.share),
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
    spread_notes = []
    # the units whose weights were redistributed, by what could not be worked out: each group's full marks
    groups: dict[tuple[str, ...], list[UnitScore]] = {}
    for s in results:
        missing = _missing(s.components)
        if s.score is not None and missing:
            groups.setdefault(missing, []).append(s)
    for missing, spread in groups.items():
        why = (
            "没有承担数量目标（或目标尚无应完成量）"
            if missing == ("targets",)
            else f"的{'、'.join(COMPONENT_NAMES[k] for k in missing)}无从计算"
        )
        spread_notes.append(f"{len(spread)} 个单位{why}，{spread_text(spread[0].components)}。")
    partial = f"截至 {end}，{year} 年尚未结束，得分为阶段性结果。" if end < dt.date(year, 12, 31) else None
    return Assessment(year, start, end, weights, results, spread_notes, partial)


def _missing(comps: dict[str, Component]) -> tuple[str, ...]:
    """The weighted components that could not be worked out (their weight goes to the others)."""
    return tuple(k for k, c in comps.items() if c.share is None and c.weight > 0)


def spread_text(comps: dict[str, Component], *, named: bool = True) -> str:
    """`目标完成的 20 分按比例分到其余三项，满分为报送及时 37.5、四色状态 37.5、督导检查 25`:
    where a unit's missing components' weight went, and the full marks of the rest (their
    `effective_weight`); `named` False: `其 20 分…` (after a sentence naming them)."""
    missing = _missing(comps)
    rest = [k for k, c in comps.items() if c.share is not None and c.weight > 0]
    moved = num(sum(comps[k].weight for k in missing))
    marks = "、".join(f"{COMPONENT_NAMES[k]} {num(comps[k].effective_weight)}" for k in rest)
    whose = f"{'、'.join(COMPONENT_NAMES[k] for k in missing)}的" if named else "其"
    if len(rest) == 1:
        return f"{whose} {moved} 分全部归入{COMPONENT_NAMES[rest[0]]}，满分为{marks}"
    count = {2: "两", 3: "三"}.get(len(rest), str(len(rest)))
    return f"{whose} {moved} 分按比例分到其余{count}项，满分为{marks}"


def _combine(unit: str, comps: dict[str, Component]) -> UnitScore:
    available = {k: c for k, c in comps.items() if c.share is not None and c.weight > 0}
    total = sum(c.weight for c in available.values())
    if total <= 0:
        return UnitScore(unit, None, 0, comps, ["没有可计算的考核项"])
    for c in available.values():
        c.effective_weight = c.weight * 100 / total
        c.points = c.share * c.effective_weight  # type: ignore[operator]
    missing = _missing(comps)
    notes = [f"{'、'.join(COMPONENT_NAMES[k] for k in missing)}无从计算，{spread_text(comps, named=False)}"] if missing else []
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
            status = index.status(cell.activity, unit, day)
            by_color[status.color] += 1
            total += 1
            # a day counts as good only once the cell has a report: no marks for having said nothing
            good += status.color in GOOD_COLORS and status.last_report is not None
            day += dt.timedelta(days=1)
    share = good / total if total else None
    return Component(
        "color",
        share,
        0,
        detail={"good_days": good, "cell_days": total, "days_by_color": {c: by_color.get(c, 0) for c in BOARD_COLORS}},
    )


def _inspections(index: BoardIndex, unit: str, start: dt.date, end: dt.date, timeliness: float | None) -> Component:
    """督导检查: the marks left after deductions, earned in proportion to the reporting rate
    (a unit that never reports has nothing for the inspectors to have found fine); None when
    nothing was due yet."""
    rules = index.catalog.rules.scoring
    findings = talks = bulletins = count = 0
    for cell in unit_cells(index, unit):
        for e in index.entries_of(cell.activity, unit).inspections:
            if not start <= e.date <= end:
                continue
            count += 1
            findings += e.color in ("red", "yellow")
            talks += "约谈" in e.followup
            bulletins += "通报" in e.followup
    deductions = (
        findings * rules.deduction_per_finding
        + talks * rules.deduction_per_interview
        + bulletins * rules.deduction_per_bulletin
    )
    return Component(
        "inspections",
        None if timeliness is None else timeliness * max(0.0, 100 - deductions) / 100,
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


