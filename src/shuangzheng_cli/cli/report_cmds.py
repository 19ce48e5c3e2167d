"""Reports: `report week`, `report half-year`, `score`, `bulletin`.

The figures come from `reports`, the layout and every format from `render`; a command
here parses its options, calls the report, and picks the renderer of the format asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from .. import reports
from ..definitions.catalog import Catalog
from ..errors import UsageProblem
from ..periods import (
    YEAR_MAX,
    YEAR_MIN,
    Period,
    as_of_within,
    parse_period,
    parse_week,
    week_of,
)
from ..render import markdown, tables
from ..render.data import csv_text, to_json
from ..render.text import color_md, short_unit
from .board_cmds import load_index
from .common import AsOfOpt, ForceOpt, OutputOpt, as_of_date, output_format, state
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
    docx = "docx"


class HalfFmt(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    xlsx = "xlsx"
    docx = "docx"


class ScoreFmt(StrEnum):
    table = "table"
    md = "md"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    docx = "docx"


class BulletinFmt(StrEnum):
    md = "md"
    json = "json"
    docx = "docx"


def _fmt_opt(kind: type[StrEnum], default: str) -> Any:  # noqa: ANN401 - a Typer option
    names = "、".join(f"{k}（默认）" if k == default else k for k in kind.__members__)
    return typer.Option(
        "--format", "-f", case_sensitive=False, help=f"输出格式：{names}；xlsx、docx 写入 -o 指定的文件", show_default=False
    )


TOP_MAX = 100_000  # `--top`: more than any list a report has
TopOpt = Annotated[int | None, typer.Option("--top", min=1, max=TOP_MAX, help="只列前 N 项")]


# ============================================================ report week


def _week_arg(text: str | None, today: dt.date) -> Period:
    return parse_week(text) if text else week_of(today)


@report_app.command("week")
def report_week(
    ctx: typer.Context,
    week: Annotated[str | None, typer.Argument(help="ISO 周，如 2022-W39，或该周中的一天（默认本周）", show_default=False)] = None,
    as_of: AsOfOpt = None,
    top: Annotated[int | None, typer.Option("--top", min=1, max=TOP_MAX, help="工作亮点只列前 N 条（表格、Markdown、Word；默认 10）")] = 10,
    fmt: Annotated[WeekFmt | None, _fmt_opt(WeekFmt, "table")] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """周报（信息简报）：本周各单位报送、颜色变化、未报送单位、红色事项、指标汇总、工作亮点；-o 简报.docx 为信息简报。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, WeekFmt.table)
    catalog = st.catalog
    today = as_of_date(as_of)
    period = _week_arg(week, today)
    day = as_of_within(period, today)
    report = reports.week_report(load_index(st, day, document=True), period, today)
    if fmt == WeekFmt.json:
        st.out.text(to_json(report.to_json(catalog)))
        return
    if fmt == WeekFmt.docx:
        from ..render import documents

        number = _briefing_number(catalog, period)
        path = output or Path(f"信息简报_第{number}期_{period.label}.docx")
        documents.week(report, catalog, path, force=force, top=top, number=number)
        st.out.message(f"已生成 {path}（第{number}期）")
        return
    title = tables.week_title(report, catalog)
    if fmt == WeekFmt.md:
        blocks = tables.week_blocks(report, catalog, top, mark=color_md)
        st.out.text(markdown.blocks([tables.Block(title, level=1), *blocks]))
    else:
        st.out.print(title, style="bold")
        st.out.blocks(tables.week_blocks(report, catalog, top))


def _briefing_number(catalog: Catalog, week: Period) -> int:
    try:
        return reports.briefing_number(catalog, week.start)
    except ValueError as exc:
        raise UsageProblem(str(exc)) from None


# ============================================================ report half-year


def _half_period(text: str) -> Period:
    period = parse_period(text)
    if not re.fullmatch(r"\d{4}H[12]", period.label):
        raise UsageProblem(f"'{text}' 不是半年：请写 2022H2 或 2023H1")
    return period


def _unit_ids(catalog: Catalog, unit: str | None) -> list[str] | None:
    if not unit:
        return None
    uid = catalog.resolve_unit(unit)
    ids = [u for u in catalog.expand(uid) if u in set(catalog.board_units)]
    if not ids:
        raise UsageProblem(f"{catalog.name(uid)} 没有承担的活动，无从报告")
    return ids


@report_app.command("half-year")
def report_half_year(
    ctx: typer.Context,
    half: Annotated[str, typer.Argument(help="半年，如 2022H2、2023H1", show_default=False)],
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="单位：名称、别名或编号（单位组则每个成员一节）；不写为全部单位")
    ] = None,
    as_of: AsOfOpt = None,
    fmt: Annotated[HalfFmt | None, _fmt_opt(HalfFmt, "table")] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """半年报告：每个单位每项活动的报送次数、指标合计、月末颜色、存在问题、督导检查；不指定 --unit 时为全部单位。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, HalfFmt.table)
    catalog = st.catalog
    period = _half_period(half)
    today = as_of_date(as_of)
    as_of_within(period, today)
    units = _unit_ids(catalog, unit)
    report = reports.half_year_report(load_index(st, min(period.end, today), document=True), period, today, units)
    office = units is None
    if fmt == HalfFmt.json:
        st.out.text(to_json(report.to_json(catalog)))
    elif fmt == HalfFmt.md:
        st.out.text(markdown.half_year(report, catalog, office))
    elif fmt in (HalfFmt.xlsx, HalfFmt.docx):
        who = "全市" if office else "、".join(short_unit(catalog, u) for u in units or [])[:40]
        path = output or Path(f"半年报告_{period.label}_{who}.{fmt.value}")
        if fmt == HalfFmt.xlsx:
            from ..render import report_xlsx

            report_xlsx.half_year(report, catalog, path, force=force, office=office)
        else:
            from ..render import documents

            documents.half_year(report, catalog, path, force=force, office=office)
        st.out.message(f"已生成 {path}（{len(report.units)} 个单位）")
    else:
        st.out.blocks(tables.half_blocks(report, catalog))


# ============================================================ score


@app.command()
def score(
    ctx: typer.Context,
    year: Annotated[
        int | None,
        typer.Option("--year", "-y", min=YEAR_MIN, max=YEAR_MAX, help="考核年度（默认截至日期所在年）"),
    ] = None,
    as_of: AsOfOpt = None,
    top: TopOpt = None,
    explain: Annotated[bool, typer.Option("--explain", help="先列出计分办法")] = False,
    fmt: Annotated[ScoreFmt | None, _fmt_opt(ScoreFmt, "table")] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """年度考核：各单位得分（报送及时、四色状态、督导检查、目标完成，权重见 rules.scoring）及排名。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, ScoreFmt.table)
    catalog = st.catalog
    today = as_of_date(as_of)
    year = year or today.year
    start, end = reports.score_span(catalog, year, today)
    if end < start:
        raise UsageProblem(f"{year} 年截至 {today} 没有活动开展的日子（活动自 {catalog.start} 起），无从考核")
    assessment = reports.score(load_index(st, end, document=True), year, today)
    if top:
        assessment.units = [u for u in assessment.units if u.rank <= top]
    rows = tables.score_rows(assessment, catalog)
    columns = tables.score_columns(assessment.weights)
    title = tables.score_title(assessment, catalog)
    caption = tables.score_caption(assessment)
    if fmt == ScoreFmt.json:
        st.out.text(to_json(assessment.to_json(catalog) | {"method": reports.SCORING_TEXT}))
    elif fmt == ScoreFmt.csv:
        st.out.text(csv_text(tables.SCORE_DETAIL_HEADERS, tables.score_detail(assessment, catalog)))
    elif fmt == ScoreFmt.xlsx:
        path = output or Path(f"年度考核_{year}.xlsx")
        from ..render import report_xlsx

        report_xlsx.score(assessment, catalog, path, force=force)
        st.out.message(f"已生成 {path}（{len(rows)} 个单位）")
    elif fmt == ScoreFmt.docx:
        path = output or Path(f"考核结果_{year}.docx")
        from ..render import documents

        documents.score(assessment, catalog, path, force=force)
        st.out.message(f"已生成 {path}（{len(rows)} 个单位）")
    elif fmt == ScoreFmt.md:
        blocks = [tables.Block(title, caption.replace("\n", "\n\n"), rows=rows, columns=columns, level=1)]
        if explain:
            blocks.append(tables.Block("计分办法", reports.SCORING_TEXT))
        st.out.text(markdown.blocks(blocks))
    else:
        if explain:
            st.out.text(reports.SCORING_TEXT + "\n")
        st.out.table(rows, columns, title=title, caption=caption)


# ============================================================ bulletin


@app.command()
def bulletin(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    top: Annotated[int | None, typer.Option("--top", min=1, max=TOP_MAX, help="表扬只列前 N 项（Markdown、Word；默认 10，报送多、数据全者在前）")] = 10,
    fmt: Annotated[BulletinFmt | None, _fmt_opt(BulletinFmt, "md")] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """通报草稿：总体情况、通报批评（连续红色、检查要求约谈/通报）、表扬（绿色且有数据）、下步要求；-o 通报.docx 为公文。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, BulletinFmt.md)
    catalog = st.catalog
    day = as_of_date(as_of)
    if day < catalog.start:
        raise UsageProblem(f"截至 {day} 活动尚未开始（自 {catalog.start} 起），无从通报")
    draft = reports.bulletin(load_index(st, day, document=True), day)
    if fmt == BulletinFmt.json:
        st.out.text(to_json(draft.to_json(catalog)))
    elif fmt == BulletinFmt.docx:
        from ..render import documents

        path = output or Path(f"通报_{day}.docx")
        documents.bulletin(draft, catalog, path, force=force, praise=top)
        st.out.message(f"已生成 {path}")
    else:
        st.out.text(markdown.bulletin(draft, catalog, top))

