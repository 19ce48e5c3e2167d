"""Every report and listing laid out once, as rows and blocks that any format draws.

A `Block` is a heading with a paragraph and/or a table (`rows` + `columns`). The builders
here take the report data classes of `reports` (or a `Board`, or entries) and return
blocks or rows; `terminal`, `markdown`, `data` (JSON/CSV) and the workbooks draw them.
A color cell holds the color's key (`red`); each format shows it its own way.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..board.rules import BOARD_COLORS
from ..ledger.format import NOT_STARTED, followup_label
from .text import (
    MD_SQUARES,
    activity_label,
    color_name,
    half_label,
    listed,
    metrics_text,
    month_header,
    short_unit,
    totals_text,
)

if TYPE_CHECKING:
    from .. import reports
    from ..board.rules import Board, CellStatus
    from ..definitions.catalog import Catalog
    from ..ledger.format import Entry

@dataclass(frozen=True)
class Column:
    """A table column: the row key it shows, its header, and how it is drawn."""

    key: str
    header: str
    color: bool = False  # the value is a color key: show its name, colored
    justify: str = "left"
    max_width: int | None = None
    min_width: int | None = None
    no_wrap: bool = False  # ids and dates stay on one line


@dataclass
class Block:
    """A heading (level 1–3) with a paragraph and/or a table; `rows=[]` shows `empty`."""

    title: str = ""
    text: str = ""
    rows: list[dict[str, Any]] | None = None
    columns: list[Column] = field(default_factory=list)
    level: int = 2
    empty: str = "（无）"


# ============================================================ the board (status, alerts)


def board_list_rows(catalog: Catalog, cells: list[CellStatus] | tuple[CellStatus, ...]) -> list[dict[str, Any]]:
    """One row per cell (活动, 单位, 状态, 最近报送, 距今, 原因)."""
    return [
        {
            "activity": activity_label(catalog, c.activity),
            "unit": catalog.name(c.unit),
            "color": c.color,
            "last_report": c.last_report,
            "days_since": c.days_since,
            "reasons": "；".join(c.reasons),
        }
        for c in cells
    ]


LIST_COLUMNS = [
    Column("activity", "活动"),
    Column("unit", "单位"),
    Column("color", "状态", color=True),
    Column("last_report", "最近报送", no_wrap=True),
    Column("days_since", "距今（天）", justify="right"),
    Column("reasons", "原因"),
]


def board_unit_rows(catalog: Catalog, board: Board) -> list[dict[str, Any]]:
    """One row per unit: its worst color, counts, and its first red and yellow cells; worst units first."""
    rows = []
    per_unit: dict[str, list[CellStatus]] = {}
    for c in board.cells:
        per_unit.setdefault(c.unit, []).append(c)
    for unit, cells in per_unit.items():
        totals = board.totals(cells)
        worst = sorted((c for c in cells if c.color in ("red", "yellow")), key=lambda c: -c.severity)
        rows.append(
            {
                "unit": catalog.name(unit),
                "worst": max(cells, key=lambda c: c.severity).color,
                **{c: totals[c] for c in BOARD_COLORS},
                "cells": "；".join(f"{activity_label(catalog, c.activity)}（{color_name(c.color)}）" for c in worst[:4])
                + ("…" if len(worst) > 4 else ""),
            }
        )
    rows.sort(key=lambda r: (-r["red"], -r["yellow"], r["unit"]))
    return rows


UNIT_COLUMNS = [
    Column("unit", "单位"),
    Column("worst", "最差", color=True),
    Column("red", "红", justify="right"),
    Column("yellow", "黄", justify="right"),
    Column("blue", "蓝", justify="right"),
    Column("green", "绿", justify="right"),
    Column("cells", "红黄事项"),
]


def board_activity_rows(catalog: Catalog, board: Board, sep: str = "、") -> list[dict[str, Any]]:
    """One row per activity: its counts and its red and yellow units (the board when units don't fit)."""
    rows = []
    per_activity: dict[int, list[CellStatus]] = {}
    for c in board.cells:
        per_activity.setdefault(c.activity, []).append(c)
    for number, cells in per_activity.items():
        totals = board.totals(cells)
        rows.append(
            {
                "category": catalog.activities[number].category,
                "activity": activity_label(catalog, number),
                "worst": max(cells, key=lambda c: c.severity).color,
                **{c: totals[c] for c in BOARD_COLORS},
                "red_units": _names(catalog, [c.unit for c in cells if c.color == "red"], sep),
                "yellow_units": _names(catalog, [c.unit for c in cells if c.color == "yellow"], sep),
            }
        )
    return rows


def _names(catalog: Catalog, units: list[str], sep: str = "、", limit: int = 10) -> str:
    names = [short_unit(catalog, u) for u in units]
    if len(names) > limit:
        return sep.join(names[:limit]) + f" 等 {len(names)} 个"
    return sep.join(names)


def legend(board: Board, squares: bool = False) -> str:
    """Totals per color (未开始 only when there is any) and what each color means."""
    from ..ledger.format import COLOR_MEANINGS

    totals = board.totals()
    parts = [
        f"{MD_SQUARES[c] if squares else ''}{color_name(c)} {totals[c]}"
        for c in BOARD_COLORS
        if c != NOT_STARTED or totals[c]
    ]
    meanings = "，".join(f"{color_name(c)}={COLOR_MEANINGS[c]}" for c in ("red", "yellow", "blue", "green"))
    return f"合计 {len(board.cells)} 格：" + "  ".join(parts) + f"\n图例：{meanings}"


# ============================================================ history


KIND_NAMES = {"progress": "进展", "inspection": "检查", "followup": "后续", "void": "作废"}


def entry_row(catalog: Catalog, e: Entry, voided: bool = False) -> dict[str, Any]:
    """One ledger entry as a `history` row."""
    kind = KIND_NAMES.get(e.kind, e.kind)
    if e.kind == "followup":
        kind = e.result or kind
    if e.kind == "inspection":
        kind = f"{e.method}"
        if e.followup:
            kind += f"→{followup_label(e.followup)}"
    return {
        "date": e.date.isoformat(),
        "unit": catalog.name(e.unit),
        "activity": activity_label(catalog, e.activity) if e.activity in catalog.activities else str(e.activity),
        "kind": kind + ("（已作废）" if voided else ""),
        "color": e.color or "—",  # no self-assessment: not 未开始
        "text": _entry_text(e),
        "problems": e.problems,
        "next": e.next,
        "metrics": e.metrics,
        "evidence": list(e.evidence),
        "due": e.due,
        "by": e.by,
        "at": e.at,
        "id": e.id,
    }


def _entry_text(e: Entry) -> str:
    if e.kind == "void":
        return f"作废 {e.ref}：{e.text}"
    if e.kind == "followup":
        return f"检查 {e.ref}" + (f"，新的整改期限 {e.due}" if e.due else "") + (f"：{e.text}" if e.text else "")
    return e.text


def history_columns(*, with_unit: bool = True, every_field: bool = False) -> list[Column]:
    """The columns of `history` (the unit left out when one unit is listed); `every_field`
    (CSV) adds 存在问题, 下步打算, 佐证, 整改期限 and the time of recording."""
    columns = [
        Column("date", "日期", no_wrap=True),
        *([Column("unit", "单位")] if with_unit else []),
        Column("activity", "活动", max_width=14),
        Column("kind", "类型"),
        Column("color", "颜色", color=True),
        Column("text", "内容", max_width=50),
        Column("metrics", "数据", max_width=20),
        Column("by", "记录人"),
        Column("id", "编号", no_wrap=True),
    ]
    if every_field:
        columns[-3:-2] = [
            Column("metrics", "数据"),
            Column("problems", "存在问题"),
            Column("next", "下步打算"),
            Column("evidence", "佐证"),
            Column("due", "整改期限"),
        ]
        columns.insert(len(columns) - 1, Column("at", "记录时间"))
    return columns


# ============================================================ report week


def week_title(report: reports.WeekReport, catalog: Catalog) -> str:
    p = report.period
    year, week, _ = p.start.isocalendar()
    return (
        f"{catalog.campaign.short_name}周报 {year}年第{week}周（{p.start:%m-%d} 至 {p.end:%m-%d}，截至 {report.as_of}）"
    )


def week_blocks(
    report: reports.WeekReport, catalog: Catalog, top: int | None, mark: Callable[[str | None], str] = color_name
) -> list[Block]:
    """The weekly report (周报) in seven sections; `mark` writes a color inside text (🟥红 in Markdown)."""
    blocks = []
    entries = sum(u.progress for u in report.units)
    checks = sum(u.inspections for u in report.units)
    blocks.append(
        Block(
            "一、概况",
            f"本周 {len(report.units)} 个单位报送进展 {entries} 条，督导检查 {checks} 次；"
            f"{len(report.silent)} 个单位本周未报送。四色：{totals_text(report.totals)}"
            f"（上周末 {report.previous_end}：{totals_text(report.previous_totals)}）。",
        )
    )
    color_rows = [
        {
            "color": c,
            "now": report.totals[c],
            "before": report.previous_totals[c],
            "delta": f"{report.totals[c] - report.previous_totals[c]:+d}",
        }
        for c in BOARD_COLORS
    ]
    blocks.append(
        Block(
            "",
            rows=color_rows,
            columns=[
                Column("color", "颜色", color=True),
                Column("now", "本周末", justify="right"),
                Column("before", "上周末", justify="right"),
                Column("delta", "增减", justify="right"),
            ],
        )
    )
    worse = sum(1 for c in report.changes if c.worse)
    blocks.append(
        Block(
            f"二、颜色变化（{len(report.changes)} 项" + (f"，变差的 {worse} 项在前）" if worse else "，均为好转）"),
            rows=[
                {
                    "activity": activity_label(catalog, c.activity),
                    "unit": catalog.name(c.unit),
                    "change": f"{mark(c.before)} → {mark(c.after)}",
                    "direction": "变差" if c.worse else "好转",
                    "reasons": "；".join(c.reasons),
                }
                for c in report.changes
            ],
            columns=[
                Column("activity", "活动", max_width=16),
                Column("unit", "单位"),
                Column("change", "上周末 → 本周"),
                Column("direction", "变化"),
                Column("reasons", "原因", max_width=50),
            ],
        )
    )
    blocks.append(
        Block(
            f"三、各单位报送（{len(report.units)} 个单位）",
            rows=[
                {"unit": catalog.name(u.unit), "progress": u.progress, "inspections": u.inspections}
                for u in report.units
            ],
            columns=[
                Column("unit", "单位"),
                Column("progress", "进展（条）", justify="right"),
                Column("inspections", "检查（次）", justify="right"),
            ],
        )
    )
    blocks.append(
        Block(
            f"四、本周未报送的单位（{len(report.silent)} 个）",
            "、".join(listed(catalog.name(u)) for u in report.silent) or "无",
        )
    )
    blocks.append(
        Block(
            f"五、红色事项（{len(report.red)} 项）",
            rows=[
                {
                    "activity": activity_label(catalog, c.activity),
                    "unit": catalog.name(c.unit),
                    "last_report": c.last_report,
                    "reasons": "；".join(c.reasons),
                }
                for c in report.red
            ],
            columns=[
                Column("activity", "活动", max_width=16),
                Column("unit", "单位"),
                Column("last_report", "最近报送", no_wrap=True),
                Column("reasons", "原因", max_width=60),
            ],
        )
    )
    blocks.append(
        Block(
            "六、本周指标汇总（按活动）",
            rows=[
                {
                    "activity": activity_label(catalog, a),
                    "entries": report.entries_per_activity.get(a, 0),
                    "metrics": metrics_text(m),
                }
                for a, m in sorted(report.metrics.items())
            ],
            columns=[
                Column("activity", "活动"),
                Column("entries", "进展（条）", justify="right"),
                Column("metrics", "指标合计", max_width=70),
            ],
        )
    )
    shown = report.highlights[:top] if top else report.highlights
    count = len(report.highlights)
    more = f"（共 {count} 条，列前 {len(shown)} 条）" if len(shown) < count else f"（{len(shown)} 条）"
    blocks.append(
        Block(
            f"七、工作亮点{more}",
            rows=[
                {
                    "date": e.date,
                    "unit": catalog.name(e.unit),
                    "activity": activity_label(catalog, e.activity),
                    "text": e.text,
                    "metrics": metrics_text(e.metrics),
                    "evidence": "；".join(e.evidence),
                }
                for e in shown
            ],
            columns=[
                Column("date", "日期", no_wrap=True),
                Column("unit", "单位"),
                Column("activity", "活动", max_width=16),
                Column("text", "进展情况", max_width=50),
                Column("metrics", "指标", max_width=24),
                Column("evidence", "佐证", max_width=30),
            ],
        )
    )
    return blocks


# ============================================================ report half-year


def section_intro(section: reports.UnitSection, report: reports.HalfYearReport, catalog: Catalog) -> str:
    """The opening paragraph of a unit's half-year report: activities, reports, inspections, colors."""
    from ..reports.common import cn_date

    t = section.totals()
    return (
        f"{catalog.name(section.unit)}承担“双争”活动 {len(section.activities)} 项，"
        f"{half_label(report.period.start)}（截至{cn_date(report.as_of)}）报送活动进展 {section.progress} 次，"
        f"接受督导检查 {section.inspections} 次。截至{cn_date(report.as_of)}，"
        f"绿色 {t['green']} 项、蓝色 {t['blue']} 项、黄色 {t['yellow']} 项、红色 {t['red']} 项。"
    )


def half_rows(
    section: reports.UnitSection, catalog: Catalog, mark: Callable[[str], Any] | None = None
) -> list[dict[str, Any]]:
    """One row per activity: reports, metrics, month-end colors, color now, problems, inspections.

    Colors stay keys (for color columns) unless `mark` writes them (Markdown's 🟥红).
    """
    rows = []
    for a in section.activities:
        row: dict[str, Any] = {
            "activity": activity_label(catalog, a.activity),
            "entries": a.progress,
            "metrics": metrics_text(a.metrics),
        }
        for day, color in a.month_colors:
            row[f"m{day.isoformat()}"] = mark(color) if mark else color
        row["color"] = mark(a.color) if mark else a.color
        row["problems"] = len(a.problems)
        row["inspections"] = len(a.inspections)
        rows.append(row)
    return rows


def half_columns(ends: list[dt.date], as_of: dt.date, *, colored: bool = True) -> list[Column]:
    cols = [
        Column("activity", "活动", max_width=16),
        Column("entries", "报送（次）", justify="right"),
        Column("metrics", "指标合计", max_width=30),
    ]
    cols += [Column(f"m{d.isoformat()}", month_header(d), color=colored) for d in ends]
    if not ends or ends[-1] != as_of:
        cols.append(Column("color", f"现状（{as_of:%m-%d}）", color=colored))
    cols += [
        Column("problems", "问题（条）", justify="right"),
        Column("inspections", "检查（次）", justify="right"),
    ]
    return cols


def half_blocks(report: reports.HalfYearReport, catalog: Catalog) -> list[Block]:
    """The half-year report as blocks: per unit its intro, its activity table, its problems and inspections."""
    label = half_label(report.period.start)
    cols = half_columns(report.month_ends, report.as_of)
    blocks = []
    for section in report.units:
        name = catalog.name(section.unit)
        blocks += [
            Block(f"{name} {label}情况（截至 {report.as_of}）", section_intro(section, report, catalog)),
            Block("", rows=half_rows(section, catalog), columns=cols),
        ]
        problems = [
            {"activity": activity_label(catalog, a.activity), "date": d, "text": t}
            for a in section.activities
            for d, t in a.problems
        ]
        blocks.append(
            Block(
                f"存在问题（{len(problems)} 条）",
                rows=problems,
                columns=[
                    Column("activity", "活动", max_width=16),
                    Column("date", "日期", no_wrap=True),
                    Column("text", "问题", max_width=70),
                ],
                level=3,
            )
        )
        checks = [
            {
                "activity": activity_label(catalog, a.activity),
                "date": e.date,
                "method": e.method,
                "color": e.color,
                "text": e.text,
                "followup": followup_label(e.followup),
            }
            for a in section.activities
            for e in a.inspections
        ]
        blocks.append(
            Block(
                f"督导检查（{len(checks)} 次）",
                rows=checks,
                columns=[
                    Column("activity", "活动", max_width=16),
                    Column("date", "日期", no_wrap=True),
                    Column("method", "方式"),
                    Column("color", "结论", color=True),
                    Column("text", "发现", max_width=50),
                    Column("followup", "后续处理"),
                ],
                level=3,
            )
        )
    return blocks


# ============================================================ score


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


def _points(c: reports.Component) -> str:
    return "—" if c.share is None else f"{c.points:.2f}"


def score_title(assessment: reports.Assessment, catalog: Catalog) -> str:
    return (
        f"{catalog.campaign.short_name}{assessment.year}年度考核"
        f"（{assessment.start} 至 {assessment.end}，"
        + (f"{len(assessment.units)} 个责任单位）" if len(assessment.units) == len(catalog.board_units)
           else f"列出 {len(assessment.units)} 个单位，共 {len(catalog.board_units)} 个责任单位）")
    )


def score_marks(assessment: reports.Assessment) -> str:
    """`各项满分（权重）：报送及时 30、…。`: the weights, which are the full marks of each part."""
    from ..reports.common import COMPONENT_NAMES, num

    return "各项满分（权重）：" + "、".join(f"{COMPONENT_NAMES[k]} {num(v)}" for k, v in assessment.weights.items()) + "。"


def score_caption(assessment: reports.Assessment) -> str:
    """The weights, where the method is explained, and the assessment's notes (one per line): among
    them, the full marks of the units whose weights were spread (the points' headers carry none)."""
    return "\n".join([f"{score_marks(assessment)}运行 shuangzheng score --explain 查看计分办法。", *assessment.notes])


def score_rows(assessment: reports.Assessment, catalog: Catalog) -> list[dict[str, Any]]:
    """Compact rows for the terminal and Markdown: each component as its raw share and its points."""
    rows = []
    for s in assessment.units:
        c = s.components
        t, col, ins, tg = c["timeliness"], c["color"], c["inspections"], c["targets"]
        rows.append(
            {
                "rank": s.rank,
                "unit": catalog.name(s.unit),
                "score": "—" if s.score is None else f"{s.score:.2f}",
                "timeliness": f"{t.detail['on_time']}/{t.detail['due']} {_pct(t.share)}",
                "timeliness_points": _points(t),
                "color": f"{col.detail['good_days']}/{col.detail['cell_days']} {_pct(col.share)}",
                "color_points": _points(col),
                "inspections": f"{ins.detail['inspections']} 次，扣 {ins.detail['deductions']}",
                "inspections_points": _points(ins),
                "targets": _pct(tg.share) if tg.share is not None else "无目标",
                "targets_points": _points(tg),
            }
        )
    return rows


def score_columns(weights: dict[str, float]) -> list[Column]:
    """The score table's columns. The points' headers carry no weight: a unit with a component
    that cannot be worked out has its weight spread over the others (its full marks differ), so
    the caption states the weights and each group's full marks (`score_caption`)."""
    return [
        Column("rank", "名次", justify="right"),
        Column("unit", "单位"),
        Column("score", "总分", justify="right"),
        Column("timeliness", "按时/应报", justify="right"),
        Column("timeliness_points", "及时得分", justify="right"),
        Column("color", "绿蓝/格·天", justify="right"),
        Column("color_points", "四色得分", justify="right"),
        Column("inspections", "检查扣分", justify="right"),
        Column("inspections_points", "检查得分", justify="right"),
        Column("targets", "目标完成", justify="right"),
        Column("targets_points", "目标得分", justify="right"),
    ]


SCORE_DETAIL_HEADERS = [
    "名次", "单位", "总分", "按时报送（期）", "应报送（期）", "报送及时率", "及时得分",
    "绿蓝格·天", "全部格·天", "绿蓝占比", "四色得分", "检查（次）", "检查扣分", "检查比率", "检查得分",
    "目标完成度", "目标得分", "说明",
]  # fmt: skip


def score_detail(assessment: reports.Assessment, catalog: Catalog) -> list[list[Any]]:
    """One row of raw figures per unit (CSV and Excel): every count, share and points."""
    out = []
    for s in assessment.units:
        c = s.components
        t, col, ins, tg = c["timeliness"], c["color"], c["inspections"], c["targets"]
        out.append([
            s.rank, catalog.name(s.unit), None if s.score is None else round(s.score, 2),
            t.detail["on_time"], t.detail["due"], _ratio(t.share), _round(t),
            col.detail["good_days"], col.detail["cell_days"], _ratio(col.share), _round(col),
            ins.detail["inspections"], ins.detail["deductions"], _ratio(ins.share), _round(ins),
            _ratio(tg.share), _round(tg),
            "；".join(s.notes),
        ])  # fmt: skip
    return out


def _round(c: reports.Component) -> float | None:
    return None if c.share is None else round(c.points, 2)


def _ratio(share: float | None) -> float | None:
    return None if share is None else round(share, 4)
