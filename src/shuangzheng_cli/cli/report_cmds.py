"""Reports on screen, in Markdown, JSON, CSV and Excel: `report week`, `report half-year`, `score`, `bulletin`.

The figures come from `reports`; this module only lays them out. Each report is a
list of blocks (a heading, a paragraph, a table), drawn by one renderer per format.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import reports
from ..definitions.catalog import Catalog
from ..errors import UsageProblem
from ..ledger.format import followup_label
from ..periods import Period, parse_date, parse_period, week_of
from ..render.terminal import MD_SQUARES, Column, color_name, rows_to_markdown, to_json
from .board_cmds import load_index, short_unit
from .common import AsOfOpt, State, as_of_date, state
from .root import app

report_app = typer.Typer(
    help="报表：周报（信息简报）、半年报告。年度考核见 score，通报见 bulletin。",
    no_args_is_help=True,
    rich_markup_mode=None,
)
app.add_typer(report_app, name="report")


class WeekFmt(StrEnum):
    table = "table"
    md = "md"
    json = "json"


class HalfFmt(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    xlsx = "xlsx"


class ScoreFmt(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"


class BulletinFmt(StrEnum):
    md = "md"
    json = "json"


OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="xlsx 文件名（默认按报表名称生成）")]
ForceOpt = Annotated[bool, typer.Option("--force", help="文件已存在时覆盖")]
TopOpt = Annotated[int | None, typer.Option("--top", min=1, help="只列前 N 项")]


# ------------------------------------------------------------ blocks: one layout, one renderer per format


@dataclass
class Block:
    """A heading with a paragraph and/or a table."""

    title: str = ""
    text: str = ""
    rows: list[dict[str, Any]] | None = None
    columns: list[Column] = field(default_factory=list)
    level: int = 2
    empty: str = "（无）"


def print_blocks(st: State, blocks: list[Block]) -> None:
    console = st.out.console
    for b in blocks:
        if b.rows:
            if b.text:
                console.print(b.text)
            console.print(st.out.rich_table(b.rows, b.columns, title=b.title))
        else:
            if b.title:
                console.print(("\n" if b.level <= 2 else "") + b.title, style="bold", markup=False)
            if b.text:
                console.print(b.text, markup=False)
            if b.rows is not None:
                console.print(b.empty, markup=False)


def markdown_blocks(blocks: list[Block]) -> str:
    out: list[str] = []
    for b in blocks:
        if b.title:
            out += ["#" * b.level + " " + b.title, ""]
        if b.text:
            out += [b.text, ""]
        if b.rows is not None:
            out += [rows_to_markdown(b.rows, b.columns).rstrip("\n") if b.rows else b.empty, ""]
    return "\n".join(out).rstrip("\n") + "\n"


def activity_label(catalog: Catalog, number: int) -> str:
    return f"{number}.{catalog.short(number)}"


def metrics_text(metrics: dict[str, float]) -> str:
    return "，".join(f"{k} {reports.num(v)}" for k, v in metrics.items())


def _listed(name: str) -> str:
    """A name inside a 、-separated list: quoted when it has a 、 of its own."""
    return f"“{name}”" if "、" in name else name


def color_md(color: str) -> str:
    return f"{MD_SQUARES.get(color, '')}{color_name(color)}"


def totals_text(totals: dict[str, int]) -> str:
    return "，".join(f"{color_name(c)} {totals.get(c, 0)}" for c in ("red", "yellow", "blue", "green") if c in totals)


# ============================================================ report week


def _week_arg(text: str | None, today: dt.date) -> Period:
    if not text:
        return week_of(today)
    raw = text.strip()
    try:
        period = parse_period(raw)
    except UsageProblem:
        try:
            return week_of(parse_date(raw))
        except UsageProblem:
            raise UsageProblem(f"周 '{raw}' 无效：请写 ISO 周，如 2022-W39，或该周中的一天，如 2022-09-28") from None
    if not re.fullmatch(r"\d{4}-W\d{2}", period.label):
        raise UsageProblem(f"'{raw}' 不是一周：请写 ISO 周，如 2022-W39，或该周中的一天，如 2022-09-28")
    return period


def week_title(report: reports.WeekReport, catalog: Catalog) -> str:
    p = report.period
    year, week, _ = p.start.isocalendar()
    return (
        f"{catalog.campaign.short_name}周报 {year}年第{week}周（{p.start:%m-%d} 至 {p.end:%m-%d}，截至 {report.as_of}）"
    )


def week_blocks(report: reports.WeekReport, catalog: Catalog, top: int | None, md: bool) -> list[Block]:
    mark = color_md if md else color_name
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
        for c in reports.BOARD_COLORS
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
            f"二、颜色变化（{len(report.changes)} 项，变差 {worse} 项在前）",
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
            columns=[Column("unit", "单位"), Column("progress", "进展（条）", justify="right"), Column("inspections", "检查（次）", justify="right")],
        )
    )
    blocks.append(
        Block(
            f"四、本周未报送的单位（{len(report.silent)} 个）",
            "、".join(_listed(catalog.name(u)) for u in report.silent) or "无",
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
            columns=[Column("activity", "活动"), Column("entries", "进展（条）", justify="right"), Column("metrics", "指标合计", max_width=70)],
        )
    )
    shown = report.highlights[:top] if top else report.highlights
    more = f"（共 {len(report.highlights)} 条，列前 {len(shown)} 条）" if len(shown) < len(report.highlights) else f"（{len(shown)} 条）"
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


@report_app.command("week")
def report_week(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Argument(help="ISO 周，如 2022-W39，或该周中的一天（默认本周）", show_default=False)] = None,
    as_of: AsOfOpt = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="工作亮点只列前 N 条（表格、Markdown；默认 10）")] = 10,
    fmt: Annotated[WeekFmt, typer.Option("--format", "-f", help="输出格式：table、md、json")] = WeekFmt.table,
) -> None:
    """周报（信息简报）：本周各单位报送、颜色变化、未报送单位、红色事项、指标汇总、工作亮点。"""
    st = state(ctx)
    catalog = st.catalog
    today = as_of_date(as_of)
    period = _week_arg(week, today)
    if period.start > today:
        raise UsageProblem(f"{period.label} 尚未开始（截至 {today}）")
    day = min(period.end, today)
    report = reports.week_report(load_index(st, day), period, today)
    if fmt == WeekFmt.json:
        st.out.text(to_json(report.to_json(catalog)))
        return
    title = week_title(report, catalog)
    blocks = week_blocks(report, catalog, top, md=fmt == WeekFmt.md)
    if fmt == WeekFmt.md:
        st.out.text(f"# {title}\n\n" + markdown_blocks(blocks))
    else:
        st.out.console.print(title, style="bold", markup=False)
        print_blocks(st, blocks)


# ============================================================ report half-year


def _half_period(text: str) -> Period:
    period = parse_period(text)
    if not re.fullmatch(r"\d{4}H[12]", period.label):
        raise UsageProblem(f"'{text}' 不是半年：请写 2022H2 或 2023H1")
    return period


def half_label(period: Period) -> str:
    return f"{period.start.year}年{'上' if period.start.month == 1 else '下'}半年"


def _unit_ids(catalog: Catalog, unit: str | None) -> list[str] | None:
    if not unit:
        return None
    uid = catalog.resolve_unit(unit)
    ids = [u for u in catalog.expand(uid) if u in set(catalog.board_units)]
    if not ids:
        raise UsageProblem(f"{catalog.name(uid)} 没有承担的活动，无从报告")
    return ids


def month_header(day: dt.date) -> str:
    return f"{day.month}月末" if day == _month_end(day) else f"{day.month}月{day.day}日"


def _month_end(day: dt.date) -> dt.date:
    nxt = dt.date(day.year + 1, 1, 1) if day.month == 12 else dt.date(day.year, day.month + 1, 1)
    return nxt - dt.timedelta(days=1)


def half_rows(section: reports.UnitSection, catalog: Catalog, ends: list[dt.date], md: bool) -> list[dict[str, Any]]:
    mark = color_md if md else (lambda c: c)
    rows = []
    for a in section.activities:
        row: dict[str, Any] = {
            "activity": activity_label(catalog, a.activity),
            "entries": a.progress,
            "metrics": metrics_text(a.metrics),
        }
        for day, color in a.month_colors:
            row[f"m{day.isoformat()}"] = mark(color)
        row["color"] = mark(a.color)
        row["problems"] = len(a.problems)
        row["inspections"] = len(a.inspections)
        rows.append(row)
    return rows


def half_columns(ends: list[dt.date], as_of: dt.date, md: bool) -> list[Column]:
    cols = [Column("activity", "活动", max_width=16), Column("entries", "报送（次）", justify="right"), Column("metrics", "指标合计", max_width=30)]
    cols += [Column(f"m{d.isoformat()}", month_header(d), color=not md) for d in ends]
    if not ends or ends[-1] != as_of:
        cols.append(Column("color", f"现状（{as_of:%m-%d}）", color=not md))
    cols += [
        Column("problems", "问题（条）", justify="right"),
        Column("inspections", "检查（次）", justify="right"),
    ]
    return cols


def _section_intro(section: reports.UnitSection, report: reports.HalfYearReport, catalog: Catalog) -> str:
    t = section.totals()
    return (
        f"{catalog.name(section.unit)}承担“双争”活动 {len(section.activities)} 项，"
        f"{half_label(report.period)}（截至{reports.cn_date(report.as_of)}）报送活动进展 {section.progress} 次，"
        f"接受督导检查 {section.inspections} 次。截至{reports.cn_date(report.as_of)}，"
        f"绿色 {t['green']} 项、蓝色 {t['blue']} 项、黄色 {t['yellow']} 项、红色 {t['red']} 项。"
    )


def half_markdown(report: reports.HalfYearReport, catalog: Catalog, office: bool) -> str:
    base = 2 if office else 1
    lines: list[str] = []
    label = half_label(report.period)
    if office:
        lines += [
            f"# {catalog.campaign.short_name}{label}各单位情况汇总",
            "",
            f"截至{reports.cn_date(report.as_of)}，共 {len(report.units)} 个责任单位。",
            "",
        ]
    note = ""
    if report.period.start < report.campaign_start:
        note = f"活动自{reports.cn_date(report.campaign_start)}起开展，此前月份不列。"
    h = "#" * base
    for section in report.units:
        name = catalog.name(section.unit)
        lines += [f"{h} {name}“双争”活动{label}工作情况报告", ""]
        lines += [f"{h}# 一、总体情况", "", _section_intro(section, report, catalog), ""]
        rows = half_rows(section, catalog, report.month_ends, md=True)
        lines += [rows_to_markdown(rows, half_columns(report.month_ends, report.as_of, md=True)).rstrip("\n"), ""]
        if note:
            lines += [f"注：月末颜色为台账按“四色管理法”判定的结果；{note}", ""]
        lines += [f"{h}# 二、各项活动开展情况", ""]
        for i, a in enumerate(section.activities, start=1):
            lines += [f"{h}## （{_cn_number(i)}）{activity_label(catalog, a.activity)}", ""]
            span = f"（{a.first} 至 {a.last}）" if a.first else ""
            lines.append(f"- 报送进展：{a.progress} 次{span}")
            if a.metrics:
                lines.append(f"- 主要指标：{metrics_text(a.metrics)}")
            if a.month_colors:
                lines.append("- 月末状态：" + "，".join(f"{month_header(d)} {color_md(c)}" for d, c in a.month_colors))
            lines.append(f"- 目前状态：{color_md(a.color)}（{'；'.join(a.reasons)}）")
            if a.problems:
                lines.append("- 存在问题：")
                lines += [f"  - {d}：{_one_line(t)}" for d, t in a.problems]
            else:
                lines.append("- 存在问题：未报告")
            if a.next:
                lines.append(f"- 下步打算：{_one_line(a.next)}")
            if a.inspections:
                lines.append("- 督导检查：")
                lines += [
                    f"  - {e.date} {e.method}，结论 {color_md(e.color or '')}：{_one_line(e.text)}"
                    f"（后续处理：{_followup(e.followup)}）"
                    for e in a.inspections
                ]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


def _followup(asks: tuple[str, ...]) -> str:
    return followup_label(asks)


def _one_line(text: str) -> str:
    return " ".join(text.split())


_CN_DIGITS = "零一二三四五六七八九"


def _cn_number(n: int) -> str:
    if n < 10:
        return _CN_DIGITS[n]
    if n < 20:
        return "十" + (_CN_DIGITS[n % 10] if n % 10 else "")
    return _CN_DIGITS[n // 10] + "十" + (_CN_DIGITS[n % 10] if n % 10 else "")


def half_print(st: State, report: reports.HalfYearReport, catalog: Catalog) -> None:
    label = half_label(report.period)
    cols = half_columns(report.month_ends, report.as_of, md=False)
    for section in report.units:
        name = catalog.name(section.unit)
        blocks = [
            Block(f"{name} {label}情况（截至 {report.as_of}）", _section_intro(section, report, catalog)),
            Block("", rows=half_rows(section, catalog, report.month_ends, md=False), columns=cols),
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
                columns=[Column("activity", "活动", max_width=16), Column("date", "日期", no_wrap=True), Column("text", "问题", max_width=70)],
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
                "followup": _followup(e.followup),
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
        print_blocks(st, blocks)


def _sheet_name(name: str, used: set[str]) -> str:
    base = re.sub(r"[\[\]:*?/\\]", "", name)[:31] or "单位"
    out, i = base, 2
    while out in used:
        suffix = f"({i})"
        out, i = base[: 31 - len(suffix)] + suffix, i + 1
    used.add(out)
    return out


def half_xlsx(report: reports.HalfYearReport, catalog: Catalog, path: Path, *, force: bool, office: bool) -> None:
    """One sheet per unit (with a 汇总 sheet first in the office view), colors filled."""
    from openpyxl import Workbook

    from ..render.xlsx import (
        BORDER,
        TITLE_FONT,
        WRAP,
        fill,
        fit_columns,
        header_row,
        put,
        save_atomic,
        stamp,
    )

    label = half_label(report.period)
    wb = Workbook()
    wb.remove(wb.active)
    used: set[str] = set()
    fills = {c: fill(style.fill) for c, style in catalog.rules.colors.items()}
    if office:
        ws = wb.create_sheet(_sheet_name("汇总", used))
        put(ws, 1, 1, f"{catalog.campaign.short_name}{label}各单位情况汇总（截至 {report.as_of}）", font=TITLE_FONT)
        headers = ["单位", "承担活动（项）", "报送进展（次）", "督导检查（次）", "红", "黄", "蓝", "绿"]
        header_row(ws, 3, headers)
        for r, section in enumerate(report.units, start=4):
            t = section.totals()
            values = [catalog.name(section.unit), len(section.activities), section.progress, section.inspections,
                      t["red"], t["yellow"], t["blue"], t["green"]]
            for c, value in enumerate(values, start=1):
                put(ws, r, c, value, border=BORDER)
        fit_columns(ws, first_row=3)
        ws.freeze_panes = "B4"
    headers = ["活动", "报送（次）", "首次报送", "最近报送", "指标合计"]
    headers += [month_header(d) for d in report.month_ends]
    headers += [f"现状（{report.as_of:%m-%d}）", "现状原因", "存在问题", "下步打算", "督导检查"]
    for section in report.units:
        name = catalog.name(section.unit)
        ws = wb.create_sheet(_sheet_name(name, used))
        put(ws, 1, 1, f"{name}“双争”活动{label}工作情况（截至 {report.as_of}）", font=TITLE_FONT)
        put(ws, 2, 1, _section_intro(section, report, catalog))
        header_row(ws, 4, headers)
        for r, a in enumerate(section.activities, start=5):
            values: list[Any] = [activity_label(catalog, a.activity), a.progress, a.first, a.last, metrics_text(a.metrics)]
            colors = [c for _, c in a.month_colors] + [a.color]
            values += [color_name(c) for c in colors]
            values += [
                "；".join(a.reasons),
                "\n".join(f"{d}：{_one_line(t)}" for d, t in a.problems),
                a.next,
                "\n".join(
                    f"{e.date} {e.method} {color_name(e.color)}：{_one_line(e.text)}（{_followup(e.followup)}）"
                    for e in a.inspections
                ),
            ]
            for c, value in enumerate(values, start=1):
                cell = put(ws, r, c, value, border=BORDER, alignment=WRAP)
                k = c - 6
                if 0 <= k < len(colors) and colors[k] in fills:
                    cell.fill = fills[colors[k]]
        fit_columns(ws, first_row=4)
        ws.freeze_panes = "B5"
    stamp(wb, report.as_of, f"{label}报告")
    save_atomic(wb, path, force=force, as_of=report.as_of)


@report_app.command("half-year")
def report_half_year(
    ctx: typer.Context,
    half: Annotated[str, typer.Argument(help="半年，如 2022H2、2023H1", show_default=False)],
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="单位：名称、别名或编号（单位组则每个成员一节）；不写为全部单位")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[HalfFmt, typer.Option("--format", "-f", help="输出格式：table、md、json、xlsx")] = HalfFmt.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """半年报告：每个单位每项活动的报送次数、指标合计、月末颜色、存在问题、督导检查；不指定 --unit 时为全部单位。"""
    st = state(ctx)
    catalog = st.catalog
    period = _half_period(half)
    today = as_of_date(as_of)
    if period.start > today:
        raise UsageProblem(f"{period.label} 尚未开始（截至 {today}）")
    units = _unit_ids(catalog, unit)
    report = reports.half_year_report(load_index(st, min(period.end, today)), period, today, units)
    office = units is None
    if fmt == HalfFmt.json:
        st.out.text(to_json(report.to_json(catalog)))
    elif fmt == HalfFmt.md:
        st.out.text(half_markdown(report, catalog, office))
    elif fmt == HalfFmt.xlsx:
        who = "全市" if office else "、".join(short_unit(catalog, u) for u in units or [])[:40]
        path = output or Path(f"半年报告_{period.label}_{who}.xlsx")
        half_xlsx(report, catalog, path, force=force, office=office)
        st.out.message(f"已生成 {path}（{len(report.units)} 个单位）")
    else:
        half_print(st, report, catalog)


# ============================================================ score


def _pct(share: float | None) -> str:
    return "—" if share is None else f"{share * 100:.1f}%"


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


def _points(c: reports.Component) -> str:
    return "—" if c.share is None else f"{c.points:.2f}"


def score_columns(weights: dict[str, float]) -> list[Column]:
    w = {k: reports.num(v) for k, v in weights.items()}
    return [
        Column("rank", "名次", justify="right"),
        Column("unit", "单位"),
        Column("score", "总分", justify="right"),
        Column("timeliness", "按时/应报", justify="right"),
        Column("timeliness_points", f"及时({w['timeliness']})", justify="right"),
        Column("color", "绿蓝/格·天", justify="right"),
        Column("color_points", f"四色({w['color']})", justify="right"),
        Column("inspections", "检查扣分", justify="right"),
        Column("inspections_points", f"检查({w['inspections']})", justify="right"),
        Column("targets", "目标完成", justify="right"),
        Column("targets_points", f"目标({w['targets']})", justify="right"),
    ]


DETAIL_HEADERS = [
    "名次", "单位", "总分", "按时报送（期）", "应报送（期）", "报送及时率", "及时得分",
    "绿蓝格·天", "全部格·天", "绿蓝占比", "四色得分", "检查（次）", "检查扣分", "检查比率", "检查得分",
    "目标完成度", "目标得分", "说明",
]


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
        ])
    return out


def _round(c: reports.Component) -> float | None:
    return None if c.share is None else round(c.points, 2)


def score_xlsx(assessment: reports.Assessment, catalog: Catalog, path: Path, *, force: bool) -> None:
    from openpyxl import Workbook

    from ..render.xlsx import (
        BORDER,
        TITLE_FONT,
        WRAP,
        fit_columns,
        header_row,
        put,
        save_atomic,
        stamp,
    )

    wb = Workbook()
    ws = wb.active
    ws.title = "年度考核"
    put(ws, 1, 1, f"{catalog.campaign.short_name}{assessment.year}年度考核（{assessment.start} 至 {assessment.end}）", font=TITLE_FONT)
    header_row(ws, 3, DETAIL_HEADERS)
    for r, values in enumerate(score_detail(assessment, catalog), start=4):
        for k, value in enumerate(values, start=1):
            cell = put(ws, r, k, value, border=BORDER)
            if DETAIL_HEADERS[k - 1].endswith(("率", "占比", "比率", "完成度")) and isinstance(value, float):
                cell.number_format = "0.0%"
    fit_columns(ws, first_row=3, maximum=50)
    ws.freeze_panes = "C4"
    notes = wb.create_sheet("计分办法")
    lines = reports.SCORING_TEXT.splitlines() + [""] + assessment.notes
    for r, line in enumerate(lines, start=1):
        put(notes, r, 1, line, alignment=WRAP)
    notes.column_dimensions["A"].width = 110
    stamp(wb, assessment.end, f"{assessment.year}年度考核")
    save_atomic(wb, path, force=force, as_of=assessment.end)


def _ratio(share: float | None) -> float | None:
    return None if share is None else round(share, 4)


@app.command()
def score(
    ctx: typer.Context,
    year: Annotated[int | None, typer.Option("--year", "-y", help="考核年度（默认截至日期所在年）")] = None,
    as_of: AsOfOpt = None,
    top: TopOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="先列出计分办法")] = False,
    fmt: Annotated[ScoreFmt, typer.Option("--format", "-f", help="输出格式：table、md、json、csv、xlsx")] = ScoreFmt.table,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """年度考核：各单位得分（报送及时、四色状态、督导检查、目标完成，权重见 rules.scoring）及排名。"""
    st = state(ctx)
    catalog = st.catalog
    today = as_of_date(as_of)
    year = year or today.year
    start, end = reports.score_span(catalog, year, today)
    if end < start:
        raise UsageProblem(f"{year} 年截至 {today} 没有活动开展的日子（活动自 {catalog.start} 起），无从考核")
    assessment = reports.score(load_index(st, end), year, today)
    if top:
        assessment.units = [u for u in assessment.units if u.rank <= top]
    rows = score_rows(assessment, catalog)
    columns = score_columns(assessment.weights)
    title = f"{catalog.campaign.short_name}{year}年度考核（{start} 至 {end}，{len(rows)} 个单位）"
    weights = "、".join(f"{reports.COMPONENT_NAMES[k]} {reports.num(v)}" for k, v in assessment.weights.items())
    caption = "\n".join([f"权重：{weights}。运行 shuangzheng score --explain 查看计分办法。", *assessment.notes])
    if fmt == ScoreFmt.json:
        st.out.text(to_json(assessment.to_json(catalog) | {"method": reports.SCORING_TEXT}))
    elif fmt == ScoreFmt.csv:
        buf = io.StringIO()
        writer = csv.writer(buf, lineterminator="\n")
        writer.writerow(DETAIL_HEADERS)
        writer.writerows(["" if v is None else v for v in row] for row in score_detail(assessment, catalog))
        st.out.text(buf.getvalue().rstrip("\n"))
    elif fmt == ScoreFmt.xlsx:
        path = output or Path(f"年度考核_{year}.xlsx")
        score_xlsx(assessment, catalog, path, force=force)
        st.out.message(f"已生成 {path}（{len(rows)} 个单位）")
    elif fmt == ScoreFmt.md:
        blocks = [Block(title, caption.replace("\n", "\n\n"), rows=rows, columns=columns, level=1)]
        if explain:
            blocks.append(Block("计分办法", reports.SCORING_TEXT))
        st.out.text(markdown_blocks(blocks))
    else:
        if explain:
            st.out.text(reports.SCORING_TEXT + "\n")
        st.out.table(rows, columns, title=title, caption=caption)


# ============================================================ bulletin


def bulletin_markdown(b: reports.Bulletin, catalog: Catalog, praise: int | None = None) -> str:
    lines = [f"# {b.title}", "", f"（{reports.cn_date(b.as_of)}）", ""]
    lines += ["各乡镇（区、办），市直各单位，中省直驻霸各单位：", ""]
    lines += [
        f"为推动“双争”活动深入开展，根据{catalog.campaign.doc_number}要求，现将截至{reports.cn_date(b.as_of)}活动开展情况通报如下：",
        "",
        "## 一、总体情况",
        "",
        b.overall(catalog),
        "",
        "## 二、通报批评",
        "",
        f"### （一）连续 {b.weeks} 周及以上红色的单位和活动",
        "",
    ]
    if b.red_cells:
        lines += [
            f"{i}. {catalog.name(r.unit)}：{activity_label(catalog, r.activity)}，已连续 {r.weeks} 周红色（{'；'.join(r.reasons)}）。"
            for i, r in enumerate(b.red_cells, start=1)
        ]
    else:
        lines.append("无。")
    lines += ["", "### （二）督导检查要求约谈、通报的单位", ""]
    if b.followups:
        lines += [
            f"{i}. {catalog.name(e.unit)}：{e.date} {e.method}“{activity_label(catalog, e.activity)}”，"
            f"结论为{color_name(e.color)}色：{_one_line(e.text)}；处理：{_followup(e.followup)}。"
            for i, e in enumerate(b.followups, start=1)
        ]
    else:
        lines.append("无。")
    lines += ["", "## 三、表扬", ""]
    good = b.good[:praise] if praise else b.good
    if good:
        lines.append("以下单位工作扎实、成效明显，予以表扬：")
        lines.append("")
        lines += [
            f"{i}. {catalog.name(g.unit)}：{activity_label(catalog, g.activity)}，累计报送 {g.reports} 次，"
            f"{metrics_text(g.metrics)}。最近一次：{_one_line(g.latest)}"
            for i, g in enumerate(good, start=1)
        ]
        if len(good) < len(b.good):
            lines += ["", f"另有 {len(b.good) - len(good)} 项绿色事项，不再一一列举（见 shuangzheng status --color 绿）。"]
    else:
        lines.append("本期暂无绿色（已完成/超进度）且有数据支撑的事项。")
    lines += ["", "## 四、下步要求", ""]
    lines += [f"（{_cn_number(i)}）{text}" for i, text in enumerate(b.requirements, start=1)]
    lines += ["", f"{b.issuer}", "", reports.cn_date(b.as_of)]
    return "\n".join(lines) + "\n"


@app.command()
def bulletin(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    top: Annotated[int | None, typer.Option("--top", min=1, help="表扬只列前 N 项（Markdown；默认 10，报送多、数据全者在前）")] = 10,
    fmt: Annotated[BulletinFmt, typer.Option("--format", "-f", help="输出格式：md（默认）、json")] = BulletinFmt.md,
) -> None:
    """通报草稿：总体情况、通报批评（连续红色、检查要求约谈/通报）、表扬（绿色且有数据）、下步要求。"""
    st = state(ctx)
    catalog = st.catalog
    day = as_of_date(as_of)
    if day < catalog.start:
        raise UsageProblem(f"截至 {day} 活动尚未开始（自 {catalog.start} 起），无从通报")
    draft = reports.bulletin(load_index(st, day), day)
    if fmt == BulletinFmt.json:
        st.out.text(to_json(draft.to_json(catalog)))
    else:
        st.out.text(bulletin_markdown(draft, catalog, top))

