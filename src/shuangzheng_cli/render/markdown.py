"""Markdown: tables, blocks, the board, the half-year report and the bulletin (通报草稿).

Data never changes the document's shape: in a table cell `|` is escaped and any line
break (LF, CR or CRLF) becomes `<br>`, so a row stays one row; `<`, `>` and `&` in data
are written as entities, so text that looks like HTML is shown, not rendered.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from ..ledger.format import NOT_STARTED, followup_label
from .tables import Block, Column, board_activity_rows, half_columns, half_rows, section_intro
from .text import (
    activity_label,
    cn_number,
    color_md,
    color_name,
    half_label,
    metrics_text,
    month_header,
    one_line,
    plain,
    value_text,
)

if TYPE_CHECKING:
    from .. import reports
    from ..board.rules import Board
    from ..definitions.catalog import Catalog


def md_text(text: str) -> str:
    """Data as Markdown paragraph text: control characters shown, HTML-like text escaped."""
    return plain(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def md_line(text: str) -> str:
    """Data on one Markdown line (a list item, a sentence): line breaks as spaces, HTML escaped."""
    return md_text(one_line(text))


def md_cell(text: str) -> str:
    """Data in a Markdown table cell: `|` escaped, every line break as `<br>`, HTML escaped."""
    return md_text(text).replace("|", "\\|").replace("\n", "<br>")


def table(rows: Sequence[dict[str, Any]], columns: Sequence[Column], title: str | None = None) -> str:
    """A Markdown table (a `###` title above it when given)."""
    out = []
    if title:
        out += [f"### {md_line(title)}", ""]
    out.append("| " + " | ".join(md_cell(c.header) for c in columns) + " |")
    out.append("| " + " | ".join("---:" if c.justify == "right" else "---" for c in columns) + " |")
    for row in rows:
        cells = []
        for c in columns:
            value = row.get(c.key)
            cells.append(color_md(value) if c.color else md_cell(value_text(value)))
        out.append("| " + " | ".join(cells) + " |")
    return "\n".join(out) + "\n"


def blocks(items: list[Block]) -> str:
    """Blocks as Markdown: `#`-headings by level, paragraphs, tables (or the block's `empty`)."""
    out: list[str] = []
    for b in items:
        if b.title:
            out += ["#" * b.level + " " + md_line(b.title), ""]
        if b.text:
            out += [md_text(b.text), ""]
        if b.rows is not None:
            out += [table(b.rows, b.columns).rstrip("\n") if b.rows else b.empty, ""]
    return "\n".join(out).rstrip("\n") + "\n"


# ============================================================ the board


def board_matrix(catalog: Catalog, board: Board, title: str) -> str:
    """The battle map as Markdown: one table per category, a row per activity with its red and yellow units."""
    from ..board.rules import BOARD_COLORS

    rows = board_activity_rows(catalog, board)
    lines = [f"## {md_line(title)}"]
    current = None
    header = "| 活动 | 最差 | 🟥红 | 🟨黄 | 🟦蓝 | 🟩绿 | 红色单位 | 黄色单位 |"
    for row in rows:
        if row["category"] != current:
            current = row["category"]
            name = md_line(catalog.categories[current].name)
            lines += ["", f"### {current}. {name}", "", header, "| --- | --- | ---: | ---: | ---: | ---: | --- | --- |"]
        cells = [
            md_cell(row["activity"]),
            color_md(row["worst"]),
            *(str(row[c]) for c in ("red", "yellow", "blue", "green")),
            md_cell(row["red_units"]),
            md_cell(row["yellow_units"]),
        ]
        lines.append("| " + " | ".join(cells) + " |")
    totals = board.totals()
    shown = [c for c in BOARD_COLORS if c != NOT_STARTED or totals[c]]
    lines += ["", f"合计 {len(board.cells)} 格：" + "，".join(f"{color_md(c)} {totals[c]}" for c in shown)]
    return "\n".join(lines) + "\n"


# ============================================================ report half-year


def half_year(report: reports.HalfYearReport, catalog: Catalog, office: bool) -> str:
    """The half-year report (半年报告): per unit, the overview table and each activity's details.

    `office`: all units, under one `#` title (汇总); otherwise each unit's report stands alone.
    """
    from ..reports.common import cn_date

    base = 2 if office else 1
    lines: list[str] = []
    label = half_label(report.period.start)
    if office:
        lines += [
            f"# {md_line(catalog.campaign.short_name)}{label}各单位情况汇总",
            "",
            f"截至{cn_date(report.as_of)}，共 {len(report.units)} 个责任单位。",
            "",
        ]
    note = ""
    if report.period.start < report.campaign_start:
        note = f"活动自{cn_date(report.campaign_start)}起开展，此前月份不列。"
    h = "#" * base
    columns = half_columns(report.month_ends, report.as_of, colored=False)
    for section in report.units:
        name = md_line(catalog.name(section.unit))
        lines += [f"{h} {name}“双争”活动{label}工作情况报告", ""]
        lines += [f"{h}# 一、总体情况", "", md_line(section_intro(section, report, catalog)), ""]
        lines += [table(half_rows(section, catalog, mark=color_md), columns).rstrip("\n"), ""]
        if note:
            lines += [f"注：月末颜色为台账按“四色管理法”判定的结果；{note}", ""]
        lines += [f"{h}# 二、各项活动开展情况", ""]
        for i, a in enumerate(section.activities, start=1):
            lines += [f"{h}## （{cn_number(i)}）{md_line(activity_label(catalog, a.activity))}", ""]
            span = f"（{a.first} 至 {a.last}）" if a.first else ""
            lines.append(f"- 报送进展：{a.progress} 次{span}")
            if a.metrics:
                lines.append(f"- 主要指标：{md_line(metrics_text(a.metrics))}")
            if a.month_colors:
                lines.append("- 月末状态：" + "，".join(f"{month_header(d)} {color_md(c)}" for d, c in a.month_colors))
            lines.append(f"- 目前状态：{color_md(a.color)}（{md_line('；'.join(a.reasons))}）")
            if a.problems:
                lines.append("- 存在问题：")
                lines += [f"  - {d}：{md_line(t)}" for d, t in a.problems]
            else:
                lines.append("- 存在问题：未报告")
            if a.next:
                lines.append(f"- 下步打算：{md_line(a.next)}")
            if a.inspections:
                lines.append("- 督导检查：")
                lines += [
                    f"  - {e.date} {md_line(e.method or '')}，结论 {color_md(e.color or '')}：{md_line(e.text)}"
                    f"（后续处理：{md_line(followup_label(e.followup))}）"
                    for e in a.inspections
                ]
            lines.append("")
    return "\n".join(lines).rstrip("\n") + "\n"


# ============================================================ bulletin


def bulletin(b: reports.Bulletin, catalog: Catalog, praise: int | None = None) -> str:
    """The bulletin draft (通报): overall, criticism, praise (the first `praise` items), requirements."""
    from ..reports.common import cn_date

    lines = [f"# {md_line(b.title)}", "", f"（{cn_date(b.as_of)}）", ""]
    lines += ["各乡镇（区、办），市直各单位，中省直驻霸各单位：", ""]
    lines += [
        f"为推动“双争”活动深入开展，根据{md_line(catalog.campaign.doc_number)}要求，"
        f"现将截至{cn_date(b.as_of)}活动开展情况通报如下：",
        "",
        "## 一、总体情况",
        "",
        md_line(b.overall(catalog)),
        "",
        "## 二、通报批评",
        "",
        f"### （一）连续 {b.weeks} 周及以上红色的单位和活动",
        "",
    ]
    if b.red_cells:
        lines += [
            md_line(
                f"{i}. {catalog.name(r.unit)}：{activity_label(catalog, r.activity)}，"
                f"已连续 {r.weeks} 周红色（{'；'.join(r.reasons)}）。"
            )
            for i, r in enumerate(b.red_cells, start=1)
        ]
    else:
        lines.append("无。")
    lines += ["", "### （二）督导检查要求约谈、通报的单位", ""]
    if b.followups:
        lines += [
            md_line(
                f"{i}. {catalog.name(e.unit)}：{e.date} {e.method}“{activity_label(catalog, e.activity)}”，"
                f"结论为{color_name(e.color)}色：{e.text}；处理：{b.handling(e)}。"
            )
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
            md_line(
                f"{i}. {catalog.name(g.unit)}：{activity_label(catalog, g.activity)}，累计报送 {g.reports} 次，"
                f"{metrics_text(g.metrics)}。最近一次：{g.latest}"
            )
            for i, g in enumerate(good, start=1)
        ]
        if len(good) < len(b.good):
            lines += ["", f"另有 {len(b.good) - len(good)} 项绿色事项，不再一一列举（见 shuangzheng status --color 绿）。"]
    else:
        lines.append("本期暂无绿色（已完成/超进度）且有数据支撑的事项。")
    lines += ["", "## 四、下步要求", ""]
    lines += [f"（{cn_number(i)}）{md_line(text)}" for i, text in enumerate(b.requirements, start=1)]
    lines += ["", md_line(b.issuer), "", cn_date(b.as_of)]
    return "\n".join(lines) + "\n"
