"""The reports as Word 公文 (`render.docx`): 通报, 半年报告, 考核结果 and the weekly 信息简报.

Each function takes a report's data class (from `reports`) and the catalog, lays it out as
the office sends it, and saves it (atomically; an existing file only with `force`). The
figures and sentences are the same as in the Markdown forms (`render.markdown`); a list
longer than `LONG_LIST` items goes to an attachment (附件) as a table, the body names it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..ledger.format import followup_label
from ..reports.common import cn_date
from .docx import OfficialDocument, TableColumn, attachment_label
from .tables import Block, Column, half_columns, half_rows, section_intro, week_blocks
from .text import (
    activity_label,
    cn_number,
    color_name,
    half_label,
    metrics_text,
    month_header,
    one_line,
)

if TYPE_CHECKING:
    from .. import reports
    from ..definitions.catalog import Catalog

#: Lists longer than this go to an attachment (附件) as a table.
LONG_LIST = 8
#: 主送机关 of a document to every responsible unit.
ALL_UNITS = "各乡镇（区、办），市直各单位，中省直驻霸各单位"
#: 主送机关 of a half-year report (各乡镇（区、办）和有关责任部门每半年向市文明委报告一次).
HALF_YEAR_TO = "市文明委"


def _office(catalog: Catalog) -> str:
    return catalog.campaign.office or "市“双争”活动领导小组办公室"


def _columns(columns: Sequence[Column]) -> list[TableColumn]:
    return [TableColumn(c.header, numeric=c.justify == "right") for c in columns]


def _cells(rows: Sequence[dict[str, Any]], columns: Sequence[Column]) -> list[list[Any]]:
    return [[color_name(r.get(c.key)) if c.color else r.get(c.key) for c in columns] for r in rows]


def add_blocks(doc: OfficialDocument, blocks: Sequence[Block]) -> None:
    """Blocks as a 公文 body: a level-2 title is a `一、` heading, level 3 a `（一）` one; tables as tables."""
    for b in blocks:
        if b.title:
            doc.heading(1 if b.level <= 2 else 2, b.title)
        if b.text:
            doc.paragraph(b.text, keep=bool(b.rows))
        if b.rows:
            # a column empty in every row (佐证 in a week without links) is left out of the page
            columns = [c for c in b.columns if any(r.get(c.key) not in (None, "", [], ()) for r in b.rows)]
            doc.table(_columns(columns), _cells(b.rows, columns))
        elif b.rows is not None:
            doc.paragraph(b.empty.strip("（）") + "。")


# ============================================================ 通报


def bulletin(b: reports.Bulletin, catalog: Catalog, path: Path, *, force: bool, praise: int | None = None) -> None:
    """The 通报 as a 公文: overall, criticism (long lists in 附件), praise, requirements, signature."""
    red = Attachment(
        f"连续 {b.weeks} 周及以上红色的单位和活动名单",
        [TableColumn("序号", True), TableColumn("单位"), TableColumn("活动"),
         TableColumn("连续红色周数", True), TableColumn("原因")],
        [[i, catalog.name(r.unit), activity_label(catalog, r.activity), r.weeks, "；".join(r.reasons)]
         for i, r in enumerate(b.red_cells, start=1)],
    )
    checked = Attachment(
        "督导检查要求约谈、通报的单位名单",
        [TableColumn("序号", True), TableColumn("单位"), TableColumn("日期"), TableColumn("方式"),
         TableColumn("活动"), TableColumn("结论"), TableColumn("发现问题"), TableColumn("处理")],
        [[i, catalog.name(e.unit), e.date, e.method, activity_label(catalog, e.activity), color_name(e.color),
          one_line(e.text), followup_label(e.followup)] for i, e in enumerate(b.followups, start=1)],
    )
    attachments = [a for a in (red, checked) if len(a.rows) > LONG_LIST]

    doc = OfficialDocument(b.title, b.as_of)
    doc.title()
    doc.addressee(ALL_UNITS)
    doc.paragraph(
        f"为推动“双争”活动深入开展，根据{catalog.campaign.doc_number}要求，"
        f"现将截至{cn_date(b.as_of)}活动开展情况通报如下："
    )
    doc.heading(1, "一、总体情况")
    doc.paragraph(b.overall(catalog))
    doc.heading(1, "二、通报批评")
    doc.heading(2, f"（一）连续 {b.weeks} 周及以上红色的单位和活动")
    if red in attachments:
        units = len({r.unit for r in b.red_cells})
        doc.paragraph(f"{units} 个单位的 {len(b.red_cells)} 项活动连续 {b.weeks} 周及以上为红色"
                      f"（名单见{_ref(attachments, red)}）。")
    for i, r in enumerate([] if red in attachments else b.red_cells, start=1):
        doc.heading(3, f"{i}.{catalog.name(r.unit)}：",
                    f"{activity_label(catalog, r.activity)}，已连续 {r.weeks} 周红色（{'；'.join(r.reasons)}）。")
    if not b.red_cells:
        doc.paragraph("无。")
    doc.heading(2, "（二）督导检查要求约谈、通报的单位")
    if checked in attachments:
        doc.paragraph(f"督导检查中 {len(b.followups)} 次要求约谈或通报（名单见{_ref(attachments, checked)}）。")
    for i, e in enumerate([] if checked in attachments else b.followups, start=1):
        doc.heading(3, f"{i}.{catalog.name(e.unit)}：",
                    f"{cn_date(e.date)}{e.method}“{activity_label(catalog, e.activity)}”，"
                    f"结论为{color_name(e.color)}色：{one_line(e.text)}；处理：{followup_label(e.followup)}。")
    if not b.followups:
        doc.paragraph("无。")

    doc.heading(1, "三、表扬")
    good = b.good[:praise] if praise else b.good
    if good:
        doc.paragraph("以下单位工作扎实、成效明显，予以表扬：")
        for i, g in enumerate(good, start=1):
            doc.heading(3, f"{i}.{catalog.name(g.unit)}：",
                        f"{activity_label(catalog, g.activity)}，累计报送 {g.reports} 次，"
                        f"{metrics_text(g.metrics)}。最近一次：{one_line(g.latest)}")
        if len(good) < len(b.good):
            doc.paragraph(f"另有 {len(b.good) - len(good)} 项绿色事项，不再一一列举。")
    else:
        doc.paragraph("本期暂无绿色（已完成/超进度）且有数据支撑的事项。")

    doc.heading(1, "四、下步要求")
    for i, text in enumerate(b.requirements, start=1):
        doc.heading(2, f"（{cn_number(i)}）", text)
    _finish(doc, b.issuer, attachments)
    doc.save(path, force=force)


@dataclass
class Attachment:
    """A long list sent as 附件: its title and its table."""

    title: str
    columns: list[TableColumn]
    rows: list[list[Any]]
    #: paragraphs under the table (注：…)
    notes: tuple[str, ...] = ()


def _ref(attachments: Sequence[Attachment], item: Attachment) -> str:
    """How the body names an attachment: 附件, or 附件N when there are several."""
    return attachment_label(list(attachments).index(item) + 1, len(attachments))


def _finish(doc: OfficialDocument, issuer: str, attachments: Sequence[Attachment]) -> None:
    """附件说明, signature and date, then each attachment on its own pages."""
    doc.attachment_note([a.title for a in attachments])
    doc.signature(issuer)
    for k, a in enumerate(attachments, start=1):
        doc.attachment(attachment_label(k, len(attachments)), a.title)
        doc.table(a.columns, a.rows)
        for note in a.notes:
            doc.paragraph(note)


# ============================================================ 半年报告


def half_year(report: reports.HalfYearReport, catalog: Catalog, path: Path, *, force: bool, office: bool) -> None:
    """The half-year report (半年报告) to 市文明委: a unit's own report, or the office's summary of all units.

    A unit's report: its overview table, then each activity (reports, figures, month-end
    colors, problems, next steps, inspections); signed by the unit. The office view: the
    totals, the units with red items, and in 附件 the table of every unit and the red items.
    """
    label = half_label(report.period.start)
    if office or len(report.units) != 1:
        doc = _half_office(report, catalog, label)
    else:
        doc = _half_unit(report, report.units[0], catalog, label)
    doc.save(path, force=force)


def _half_unit(report: reports.HalfYearReport, section: reports.UnitSection, catalog: Catalog, label: str) -> OfficialDocument:
    name = catalog.name(section.unit)
    doc = OfficialDocument(f"{name}关于{label}“双争”活动开展情况的报告", report.as_of)
    doc.title()
    doc.addressee(HALF_YEAR_TO)
    doc.paragraph(
        f"根据{catalog.campaign.doc_number}“每半年向市文明委报告一次活动总体情况”的要求，"
        f"现将我单位{label}“双争”活动开展情况报告如下："
    )
    doc.heading(1, "一、总体情况")
    doc.paragraph(section_intro(section, report, catalog))
    columns = [c for c in half_columns(report.month_ends, report.as_of) if c.key != "metrics"]
    doc.table(_columns(columns), _cells(half_rows(section, catalog), columns))
    doc.heading(1, "二、各项活动开展情况")
    for i, a in enumerate(section.activities, start=1):
        doc.heading(2, f"（{cn_number(i)}）{activity_label(catalog, a.activity)}")
        span = f"（{cn_date(a.first)}至{cn_date(a.last)}）" if a.first and a.last else ""
        text = f"报送活动进展 {a.progress} 次{span}。"
        if a.metrics:
            text += f"主要指标：{metrics_text(a.metrics)}。"
        if a.month_colors:
            text += "月末状态：" + "，".join(f"{month_header(d)}{color_name(c)}色" for d, c in a.month_colors) + "。"
        text += f"目前状态：{color_name(a.color)}色，{'；'.join(a.reasons)}。"
        doc.paragraph(text)
        if a.problems:
            doc.heading(3, "1.存在问题：", "；".join(f"{cn_date(d)}，{one_line(t)}" for d, t in a.problems) + "。")
        else:
            doc.heading(3, "1.存在问题：", "未报告。")
        doc.heading(3, "2.下步打算：", (one_line(a.next) or "未报告") + ("" if a.next.endswith("。") else "。"))
        if a.inspections:
            doc.heading(3, "3.督导检查：", "；".join(
                f"{cn_date(e.date)}{e.method}，结论{color_name(e.color)}色：{one_line(e.text)}（后续处理：{followup_label(e.followup)}）"
                for e in a.inspections
            ) + "。")
    doc.signature(name)
    return doc


def _half_office(report: reports.HalfYearReport, catalog: Catalog, label: str) -> OfficialDocument:
    office = _office(catalog)
    doc = OfficialDocument(f"关于{label}“双争”活动开展情况的报告", report.as_of)
    doc.title()
    doc.addressee(HALF_YEAR_TO)
    units = report.units
    totals = {c: sum(u.totals()[c] for u in units) for c in ("green", "blue", "yellow", "red")}
    red = [(u, a) for u in units for a in u.activities if a.color == "red"]
    summary = Attachment(
        f"{label}各单位“双争”活动情况汇总表",
        [TableColumn("单位"), TableColumn("承担活动（项）", True), TableColumn("报送进展（次）", True),
         TableColumn("督导检查（次）", True), TableColumn("红", True), TableColumn("黄", True),
         TableColumn("蓝", True), TableColumn("绿", True)],
        [[catalog.name(u.unit), len(u.activities), u.progress, u.inspections,
          *(u.totals()[c] for c in ("red", "yellow", "blue", "green"))] for u in units],
    )
    red_list = Attachment(
        "红色事项清单",
        [TableColumn("序号", True), TableColumn("单位"), TableColumn("活动"), TableColumn("原因")],
        [[i, catalog.name(u.unit), activity_label(catalog, a.activity), "；".join(a.reasons)]
         for i, (u, a) in enumerate(red, start=1)],
    )
    attachments = [summary, *([red_list] if red else [])]
    cells = sum(len(u.activities) for u in units)
    doc.paragraph(
        f"根据{catalog.campaign.doc_number}“每半年向市文明委报告一次活动总体情况”的要求，"
        f"现将{label}全市“双争”活动开展情况报告如下："
    )
    doc.heading(1, "一、总体情况")
    doc.paragraph(
        f"{label}（截至{cn_date(report.as_of)}），全市 {len(units)} 个责任单位承担“双争”活动任务 {cells} 项，"
        f"累计报送活动进展 {sum(u.progress for u in units)} 次，接受督导检查 {sum(u.inspections for u in units)} 次。"
        f"截至{cn_date(report.as_of)}，绿色（已完成/超进度）{totals['green']} 项，蓝色（正常推进）{totals['blue']} 项，"
        f"黄色（进度滞后）{totals['yellow']} 项，红色（严重滞后/未启动）{totals['red']} 项"
        f"（各单位情况见{_ref(attachments, summary)}）。"
    )
    doc.heading(1, "二、存在的问题")
    if red:
        worst = sorted(units, key=lambda u: -u.totals()["red"])
        named = [u for u in worst if u.totals()["red"]][:LONG_LIST]
        doc.paragraph(
            f"截至{cn_date(report.as_of)}，{len({u.unit for u, _ in red})} 个单位的 {len(red)} 项任务为红色"
            f"（见{_ref(attachments, red_list)}），"
            "红色事项较多的单位是："
            + "、".join(f"{catalog.name(u.unit)}（{u.totals()['red']} 项）" for u in named) + "。"
        )
    else:
        doc.paragraph(f"截至{cn_date(report.as_of)}，没有红色（严重滞后/未启动）的任务。")
    silent = [u for u in units if not u.progress]
    if silent:
        doc.paragraph(f"{label}未报送活动进展的单位 {len(silent)} 个："
                      + "、".join(catalog.name(u.unit) for u in silent) + "。")
    doc.heading(1, "三、下步打算")
    doc.paragraph(
        f"{office}将继续按照“四色管理法”实行挂图作战、台账管理，对红色、黄色事项逐项督导，"
        "对连续红色的单位约谈主要负责人并在全市通报，推动“双争”活动各项任务按期完成。"
    )
    _finish(doc, office, attachments)
    return doc


# ============================================================ 考核结果


def score(assessment: reports.Assessment, catalog: Catalog, path: Path, *, force: bool) -> None:
    """The year's assessment (年度考核) as a 通报 of its results, the score table in 附件."""
    from .. import reports as r

    office = _office(catalog)
    year = assessment.year
    doc = OfficialDocument(f"关于{year}年度“双争”活动考核结果的通报", assessment.end)
    doc.title()
    doc.addressee(ALL_UNITS)
    doc.paragraph(
        f"根据{catalog.campaign.doc_number}“纳入精神文明建设工作年度考核内容”的要求，{office}对各责任单位"
        f"{cn_date(assessment.start)}至{cn_date(assessment.end)}“双争”活动开展情况进行了考核。现将考核结果通报如下："
    )
    doc.heading(1, "一、考核办法")
    weights = "、".join(f"{r.COMPONENT_NAMES[k]}（{r.num(v)} 分）" for k, v in assessment.weights.items())
    doc.paragraph(
        f"考核得分满分 100 分，由{weights}四部分组成：报送及时看按期报送的比例，四色状态看任务处于绿色、蓝色的天数比例，"
        "督导检查按检查发现问题和约谈、通报情况扣分，目标完成看方案确定的数量目标完成程度。"
        "某一部分无从计算时，其权重按比例分给其余部分。"
    )
    for note in assessment.notes:
        doc.paragraph(note)
    doc.heading(1, "二、考核结果")
    scored = [u for u in assessment.units if u.score is not None]
    if scored:
        best, worst = scored[0], scored[-1]
        mean = sum(u.score for u in scored) / len(scored)  # type: ignore[misc]
        doc.paragraph(
            f"参加考核的 {len(assessment.units)} 个单位中，最高 {best.score:.2f} 分（{catalog.name(best.unit)}），"
            f"最低 {worst.score:.2f} 分（{catalog.name(worst.unit)}），平均 {mean:.2f} 分。各单位得分见附件。"
        )
    doc.heading(1, "三、有关要求")
    doc.paragraph(
        "各单位要对照考核结果查找差距，得分较低的单位要认真分析原因，制定整改措施，"
        "按期报送活动进展，确保“双争”活动各项任务落到实处。考核结果纳入精神文明建设工作年度考核。"
    )
    # the parts' headers carry no weight: where a part cannot be worked out, its weight goes to the
    # others, so a unit's full marks may differ; the note under the table says by how much
    columns = [TableColumn("名次", True), TableColumn("单位"), TableColumn("总分", True),
               *(TableColumn(r.COMPONENT_NAMES[k], True) for k in r.COMPONENTS)]
    marks = "、".join(f"{r.COMPONENT_NAMES[k]} {r.num(v)} 分" for k, v in assessment.weights.items())
    table_notes = (f"注：各项满分为{marks}。" + "".join(assessment.spread_notes),)
    rows = []
    for u in assessment.units:
        c = u.components
        rows.append([u.rank if u.score is not None else "—", catalog.name(u.unit),
                     "—" if u.score is None else f"{u.score:.2f}",
                     *(("—" if c[k].share is None else f"{c[k].points:.2f}") for k in r.COMPONENTS)])
    _finish(doc, office, [Attachment(f"{year}年度“双争”活动考核得分表", columns, rows, table_notes)])
    doc.save(path, force=force)


# ============================================================ 信息简报


def week(report: reports.WeekReport, catalog: Catalog, path: Path, *, force: bool, top: int | None,
         number: int) -> None:
    """The weekly 信息简报 (issue `number`, see `reports.briefing_number`): the masthead (name,
    第N期, compiler, date, red rule), the week's sections, the distribution (报、送、发)."""
    b = catalog.campaign.briefing
    year, week_no, _ = report.period.start.isocalendar()
    doc = OfficialDocument(f"{b.name} 第{number}期", report.as_of)
    doc.masthead(b.name, f"第{number}期", b.compiler or _office(catalog), report.as_of)
    doc.title(f"{year}年第{week_no}周“双争”活动开展情况")
    doc.paragraph(
        f"（{cn_date(report.period.start)}至{cn_date(report.period.end)}"
        + (f"，截至{cn_date(report.as_of)}" if report.as_of < report.period.end else "") + "）",
        center=True,
    )
    add_blocks(doc, week_blocks(report, catalog, top))
    doc.distribution([("报", b.report_to), ("送", b.send_to), ("发", b.distribute_to)])
    doc.save(path, force=force)
