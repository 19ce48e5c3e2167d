"""Excel commands: export (周台账工作簿), template (报送模板), import (导入报送).

openpyxl is imported only inside these commands (it costs ~0.2 s at start-up): the
`excel*` modules are imported in the function bodies, never at the top of this file.
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

from ..errors import ShuangzhengError, UsageProblem
from ..periods import (
    Period,
    as_of_within,
    parse_date,
    parse_period,
    parse_week,
    today,
    week_of,
)
from .commands import AS_OF, BY, FORCE, OUTPUT, PERIOD, REQUIRED, UNIT, Command, Param, optional
from .common import State, note_skipped

#: `-o` and `--force` of the workbooks.
WORKBOOK = (dataclasses.replace(OUTPUT, help="输出文件（.xlsx）"), dataclasses.replace(FORCE, help="文件已存在时覆盖"))
_UNSAFE_NAME = re.compile(r'[\\/:*?"<>|\x00-\x1f]')


def _period(week: str | None, period: str | None) -> Period:
    if week and period:
        raise UsageProblem("--week 与 --period 只能给一个")
    if week:
        return parse_week(week, "--week")
    if period:
        return parse_period(period)
    return week_of(today())


def _output(output: Path | None, default: str) -> Path:
    if output is None:
        return Path(_UNSAFE_NAME.sub("_", default))
    if output.suffix.lower() != ".xlsx":
        raise UsageProblem(f"输出文件 {output} 须以 .xlsx 结尾")
    return output


def export(
    st: State,
    *,
    week: str | None,
    period: str | None,
    as_of: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`export`: the week's (or period's) workbook, streamed from the ledger."""
    catalog = st.catalog
    p = _period(week, period)
    day = as_of_within(p, today())
    if as_of:
        day = parse_date(as_of, "--as-of 截至日期")
        as_of_within(p, day)
    from ..render.weekly import default_filename

    path = _output(output, default_filename(catalog, p))
    from ..render.files import refuse_existing

    refuse_existing(path, force)  # before the work, so a mistake costs nothing
    ledger = st.ledger(document=True)
    from ..render.weekly import build_workbook, read_export_data

    data = read_export_data(catalog, ledger, p, day)  # streamed: memory bounded by the catalog, not the ledger
    note_skipped(st, data.problems)
    book = build_workbook(data)
    book.save(path, force=force, as_of=day)
    totals = data.board.totals()
    summary = "、".join(f"{_name(c)} {totals.get(c, 0)}" for c in ("red", "yellow", "blue", "green", "not_started"))
    st.out.text(
        f"已导出 {path}（{p.label}，截至 {day.isoformat()}）：{len(data.board.cells)} 格（{summary}），本期记录 {book.record_count} 条"
    )


def _name(color: str) -> str:
    from ..render.text import color_name

    return color_name(color)


def template(st: State, *, unit: str, period: str | None, output: Path | None, force: bool) -> None:
    """`template`: a unit's report template for a period (default this week)."""
    catalog = st.catalog
    uid = catalog.resolve_unit(unit)
    if not catalog.is_reporting_unit(uid):
        members = "、".join(catalog.name(m) for m in catalog.expand(uid)[:5])
        raise UsageProblem(f"'{catalog.name(uid)}' 是单位组，请为每个成员单位分别生成模板，如 {members}…")
    if not catalog.activities_of(uid):
        raise UsageProblem(f"{catalog.name(uid)} 没有承担任何活动，无需报送")
    p = parse_period(period) if period else week_of(today())
    path = _output(output, f"{catalog.campaign.short_name}报送模板-{catalog.name(uid)}-{p.label}.xlsx")
    from ..importing.template import build_template
    from ..render.files import refuse_existing
    from ..render.xlsx import save_atomic

    refuse_existing(path, force)
    wb = build_template(catalog, uid, p, p.start)
    save_atomic(wb, path, force=force, as_of=p.start)
    acts = "、".join(str(a) for a in catalog.activities_of(uid))
    st.out.text(f"已生成 {path}：{catalog.name(uid)}（{uid}），{p.label}，可选活动 {acts}")


def import_(st: State, *, files: list[Path], dry_run: bool, unit: str | None, by: str | None, replace: bool) -> None:
    """`import`: the returned templates, every row checked first; written only when all are right."""
    catalog = st.catalog
    ledger = st.ledger() if dry_run else st.ledger(write=True)
    from ..importing.plan import plan_import
    from ..importing.reading import read_workbook

    results = []
    fatal: list[str] = []
    usage_only = True
    for path in files:
        try:
            results.append(read_workbook(path, str(path), catalog, today=today(), unit_hint=unit, by=by))
        except ShuangzhengError as exc:
            fatal.append(exc.message)
            usage_only = usage_only and exc.code == 2
    bad = sorted((b for r in results for b in r.bad), key=lambda b: b.order)
    if fatal or bad:
        count = len(fatal) + len(bad)
        lines = [*fatal, *(str(b) for b in bad)]
        raise ShuangzhengError(
            f"发现 {count} 处问题，未导入任何记录（改正后重新导入即可）：\n" + "\n".join(lines),
            code=2 if usage_only and not bad else 1,
        )
    for r in results:
        for notice in r.notices:
            st.out.message(f"注意：{notice}")
    units = sorted({r.unit for r in results if r.unit})
    existing = ledger.entries(unit=units, include_voided=True, kinds=("progress", "inspection", "void"))
    plan = plan_import(results, existing, replace=replace)
    if plan.corrections:
        listing = "\n".join(_correction_lines(plan.corrections))
        if not replace:
            raise ShuangzhengError(
                f"有 {len(plan.corrections)} 行与同一工作簿先前导入的记录单位、活动、日期相同而内容不同（更正后重发？），未导入任何记录：\n"
                f"{listing}\n如以新发来的为准，加 --replace 重新导入：旧记录作废（留痕），记入新版本（每条旧记录只由一行代替）；"
                "如是补报的另一项工作，请联络员在原文件中保留原行、另起一行，或用新生成的模板填写后再发"
            )
        st.out.message(f"以下 {len(plan.corrections)} 行更正已导入的记录，旧记录{'将' if dry_run else '已'}作废：\n{listing}")
    verb = "可新增" if dry_run else "新增"
    totals = [0, 0, 0]
    lines = []
    for f in plan.files:
        r = f.result
        name = catalog.name(r.unit) if r.unit else "?"
        line = f"{r.label}（{name}）：读取 {r.rows} 行，{verb} {len(f.fresh)} 条，已存在 {f.present} 条"
        if f.voided:
            line += f"（其中 {f.voided} 条是已被更正版本代替、已作废的旧版本，不再记入）"
        if r.repeated:
            line += f"，完全相同的行 {r.repeated} 行（只记一次）"
        lines.append(line + f"；读取的工作表：{'、'.join(r.sheets)}")
        totals[0] += r.rows
        totals[1] += len(f.fresh)
        totals[2] += f.present
    if not dry_run and plan.to_append:
        ledger.append(plan.to_append)
    for line in lines:
        st.out.text(line)
    if len(plan.files) > 1:
        st.out.text(f"合计：读取 {totals[0]} 行，{verb} {totals[1]} 条，已存在 {totals[2]} 条")
    if dry_run:
        st.out.text("（试运行：检查通过，未写入台账）")


def _correction_lines(corrections) -> list[str]:  # noqa: ANN001
    out = []
    for c in corrections:
        head = f"  {c.place}（{c.new.date} 活动{c.new.activity}，原记录 {c.old.id}）："
        out.append(head + "；".join(f"{name} {old} → {new}" for name, old, new in c.changes()))
    return out


COMMANDS = (
    Command(
        "export",
        "导出周台账工作簿（.xlsx）：台账、挂图（四色图）、本期记录、统计（含图表与颜色变化）。\n\n"
        "默认本周；截至日期默认为时段最后一天（若晚于今天则为今天）；尚未开始的时段不能导出。",
        (
            Param("week", ("--week", "-w"), "ISO 周，如 2022-W39，或该周中的一天（默认本周）"),
            PERIOD,
            AS_OF,
            *WORKBOOK,
        ),
        export,
    ),
    Command(
        "template",
        "生成某单位联络员的报送模板（.xlsx）：填写说明、带下拉列表的填报表，单位记在工作簿内。",
        (UNIT, dataclasses.replace(PERIOD, help=PERIOD.help + "（默认本周）"), *WORKBOOK),
        template,
    ),
    Command(
        "import",
        "导入联络员发回的报送模板：先逐行检查，全部无误才写入；同一文件重复导入不会重复记录。",
        (
            Param(
                "files",
                (),
                "联络员发回的报送模板（.xlsx 或 .xls），可多个",
                type=Path,
                default=REQUIRED,
                multiple=True,
                show_default=False,
                metavar="文件",
            ),
            Param("dry_run", ("--dry-run", "-n"), "只检查并统计，不写入台账", type=bool, default=False),
            optional(UNIT, "工作簿中没有记录单位、或所记单位与表内显示的不一致时，指明是哪个单位的报送"),
            optional(BY, "记录人（默认取“填报人”列，再默认该单位联络员）"),
            Param("replace", ("--replace",), "以新发来的内容为准：作废已导入的旧版本（留痕）并记入新版本", type=bool, default=False),
        ),
        import_,
    ),
)
