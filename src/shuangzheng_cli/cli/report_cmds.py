"""Reports: `report week`, `report half-year`, `score`, `bulletin`.

The figures come from `reports`, the layout and every format from `render`; a command
here takes its parameters (declared in `COMMANDS` below), calls the report, and picks the
renderer of the format asked for.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

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
from .commands import AS_OF, FORCE, OUTPUT, REQUIRED, UNIT, Command, Param, formats, optional
from .common import State, as_of_date, output_format


def _formats(*choices: str) -> Param:
    names = "、".join(f"{k}（默认）" if k == choices[0] else k for k in choices)
    return formats(*choices, help=f"输出格式：{names}；xlsx、docx 写入 -o 指定的文件")


WEEK_FORMAT = _formats("table", "md", "json", "docx")
HALF_FORMAT = _formats("table", "md", "json", "xlsx", "docx")
SCORE_FORMAT = _formats("table", "md", "json", "csv", "xlsx", "docx")
BULLETIN_FORMAT = _formats("md", "json", "docx")
TOP_MAX = 100_000  # `--top`: more than any list a report has


def _top(help: str, default: int | None = None) -> Param:  # noqa: A002
    return Param("top", ("--top",), help, type=int, default=default, min=1, max=TOP_MAX)


# ============================================================ report week


def _week_arg(text: str | None, today: dt.date) -> Period:
    return parse_week(text) if text else week_of(today)


def report_week(
    st: State,
    *,
    week: str | None,
    as_of: str | None,
    top: int | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`report week`: the week's briefing, on screen, as Markdown, JSON or a Word document."""
    fmt = output_format(st, fmt, output, force, WEEK_FORMAT.choices)
    catalog = st.catalog
    today = as_of_date(as_of)
    period = _week_arg(week, today)
    day = as_of_within(period, today)
    report = reports.week_report(load_index(st, day, document=True), period, today)
    if fmt == "json":
        st.out.text(to_json(report.to_json(catalog)))
        return
    if fmt == "docx":
        from ..render import documents

        number = _briefing_number(catalog, period)
        path = output or Path(f"信息简报_第{number}期_{period.label}.docx")
        documents.week(report, catalog, path, force=force, top=top, number=number)
        st.out.message(f"已生成 {path}（第{number}期）")
        return
    title = tables.week_title(report, catalog)
    if fmt == "md":
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


def report_half_year(
    st: State,
    *,
    half: str,
    unit: str | None,
    as_of: str | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`report half-year`: per unit and activity, the half-year's reports, figures, colors, problems, inspections."""
    fmt = output_format(st, fmt, output, force, HALF_FORMAT.choices)
    catalog = st.catalog
    period = _half_period(half)
    today = as_of_date(as_of)
    as_of_within(period, today)
    units = _unit_ids(catalog, unit)
    report = reports.half_year_report(load_index(st, min(period.end, today), document=True), period, today, units)
    office = units is None
    if fmt == "json":
        st.out.text(to_json(report.to_json(catalog)))
    elif fmt == "md":
        st.out.text(markdown.half_year(report, catalog, office))
    elif fmt in ("xlsx", "docx"):
        who = "全市" if office else "、".join(short_unit(catalog, u) for u in units or [])[:40]
        path = output or Path(f"半年报告_{period.label}_{who}.{fmt}")
        if fmt == "xlsx":
            from ..render import report_xlsx

            report_xlsx.half_year(report, catalog, path, force=force, office=office)
        else:
            from ..render import documents

            documents.half_year(report, catalog, path, force=force, office=office)
        st.out.message(f"已生成 {path}（{len(report.units)} 个单位）")
    else:
        st.out.blocks(tables.half_blocks(report, catalog))


# ============================================================ score


def score(
    st: State,
    *,
    year: int | None,
    as_of: str | None,
    top: int | None,
    explain: bool,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`score`: the year's assessment, ranked; on screen, Markdown, JSON, CSV, a workbook or a Word document."""
    fmt = output_format(st, fmt, output, force, SCORE_FORMAT.choices)
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
    if fmt == "json":
        st.out.text(to_json(assessment.to_json(catalog) | {"method": reports.SCORING_TEXT}))
    elif fmt == "csv":
        st.out.text(csv_text(tables.SCORE_DETAIL_HEADERS, tables.score_detail(assessment, catalog)))
    elif fmt == "xlsx":
        path = output or Path(f"年度考核_{year}.xlsx")
        from ..render import report_xlsx

        report_xlsx.score(assessment, catalog, path, force=force)
        st.out.message(f"已生成 {path}（{len(rows)} 个单位）")
    elif fmt == "docx":
        path = output or Path(f"考核结果_{year}.docx")
        from ..render import documents

        documents.score(assessment, catalog, path, force=force)
        st.out.message(f"已生成 {path}（{len(rows)} 个单位）")
    elif fmt == "md":
        blocks = [tables.Block(title, caption.replace("\n", "\n\n"), rows=rows, columns=columns, level=1)]
        if explain:
            blocks.append(tables.Block("计分办法", reports.SCORING_TEXT))
        st.out.text(markdown.blocks(blocks))
    else:
        if explain:
            st.out.text(reports.SCORING_TEXT + "\n")
        st.out.table(rows, columns, title=title, caption=caption)


# ============================================================ bulletin


def bulletin(
    st: State,
    *,
    as_of: str | None,
    top: int | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`bulletin`: the draft notice (criticism, praise, next steps), as Markdown, JSON or a Word document."""
    fmt = output_format(st, fmt, output, force, BULLETIN_FORMAT.choices)
    catalog = st.catalog
    day = as_of_date(as_of)
    if day < catalog.start:
        raise UsageProblem(f"截至 {day} 活动尚未开始（自 {catalog.start} 起），无从通报")
    draft = reports.bulletin(load_index(st, day, document=True), day)
    if fmt == "json":
        st.out.text(to_json(draft.to_json(catalog)))
    elif fmt == "docx":
        from ..render import documents

        path = output or Path(f"通报_{day}.docx")
        documents.bulletin(draft, catalog, path, force=force, praise=top)
        st.out.message(f"已生成 {path}")
    else:
        st.out.text(markdown.bulletin(draft, catalog, top))


COMMANDS = (
    Command(
        "score",
        "年度考核：各单位得分（报送及时、四色状态、督导检查、目标完成，权重见 rules.scoring）及排名。",
        (
            Param("year", ("--year", "-y"), "考核年度（默认截至日期所在年）", type=int, min=YEAR_MIN, max=YEAR_MAX),
            AS_OF,
            _top("只列前 N 项"),
            Param("explain", ("--explain",), "先列出计分办法", type=bool, default=False),
            SCORE_FORMAT,
            OUTPUT,
            FORCE,
        ),
        score,
    ),
    Command(
        "bulletin",
        "通报草稿：总体情况、通报批评（连续红色、检查要求约谈/通报）、表扬（绿色且有数据）、下步要求；-o 通报.docx 为公文。",
        (AS_OF, _top("表扬只列前 N 项（Markdown、Word；默认 10，报送多、数据全者在前）", 10), BULLETIN_FORMAT, OUTPUT, FORCE),
        bulletin,
    ),
    Command(
        "report week",
        "周报（信息简报）：本周各单位报送、颜色变化、未报送单位、红色事项、指标汇总、工作亮点；-o 简报.docx 为信息简报。",
        (
            Param("week", (), "ISO 周，如 2022-W39，或该周中的一天（默认本周）", show_default=False, metavar="周"),
            AS_OF,
            _top("工作亮点只列前 N 条（表格、Markdown、Word；默认 10）", 10),
            WEEK_FORMAT,
            OUTPUT,
            FORCE,
        ),
        report_week,
    ),
    Command(
        "report half-year",
        "半年报告：每个单位每项活动的报送次数、指标合计、月末颜色、存在问题、督导检查；不指定 --unit 时为全部单位。",
        (
            Param("half", (), "半年，如 2022H2、2023H1", default=REQUIRED, show_default=False, metavar="半年"),
            optional(UNIT, "单位：名称、别名或编号（单位组则每个成员一节）；不写为全部单位"),
            AS_OF,
            HALF_FORMAT,
            OUTPUT,
            FORCE,
        ),
        report_half_year,
    ),
)
