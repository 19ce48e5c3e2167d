"""Excel commands: export (周台账工作簿), template (报送模板), import (导入报送).

openpyxl is imported only inside these commands (it costs ~0.2 s at start-up): the
`excel*` modules are imported in the function bodies, never at the top of this file.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated

import typer

from ..errors import ShuangzhengError, UsageProblem
from ..periods import (
    PERIOD_HELP,
    Period,
    as_of_within,
    parse_date,
    parse_period,
    parse_week,
    today,
    week_of,
)
from .common import AsOfOpt, PeriodOpt, State, UnitOpt, recorder, state
from .root import app

OutputOpt = Annotated[Path | None, typer.Option("--output", "-o", help="输出文件（.xlsx）", show_default=False)]
ForceOpt = Annotated[bool, typer.Option("--force", help="文件已存在时覆盖")]
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


@app.command()
def export(
    ctx: typer.Context,
    week: Annotated[
        str | None, typer.Option("--week", "-w", help="ISO 周，如 2022-W39，或该周中的一天（默认本周）")
    ] = None,
    period: PeriodOpt = None,
    as_of: AsOfOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """导出周台账工作簿（.xlsx）：台账、挂图（四色图）、本期记录、统计（含图表与颜色变化）。

    默认本周；截至日期默认为时段最后一天（若晚于今天则为今天）；尚未开始的时段不能导出。
    """
    st = state(ctx)
    catalog = st.catalog
    p = _period(week, period)
    day = as_of_within(p, today())
    if as_of:
        day = parse_date(as_of, "--as-of 截至日期")
        as_of_within(p, day)
    from ..render.weekly import default_filename

    path = _output(output, default_filename(catalog, p))
    from ..render.xlsx import refuse_existing

    refuse_existing(path, force)  # before the work, so a mistake costs nothing
    ledger = st.ledger(document=True)
    from ..render.weekly import build_workbook, read_export_data

    data = read_export_data(catalog, ledger, p, day)  # streamed: memory bounded by the catalog, not the ledger
    _warn_skipped(st, ledger)
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


@app.command()
def template(
    ctx: typer.Context,
    unit: UnitOpt,
    period: Annotated[str | None, typer.Option("--period", "-p", help=PERIOD_HELP + "（默认本周）")] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """生成某单位联络员的报送模板（.xlsx）：填写说明、带下拉列表的填报表，单位记在工作簿内。"""
    st = state(ctx)
    catalog = st.catalog
    uid = catalog.resolve_unit(unit)
    if not catalog.is_reporting_unit(uid):
        members = "、".join(catalog.name(m) for m in catalog.expand(uid)[:5])
        raise UsageProblem(f"'{catalog.name(uid)}' 是单位组，请为每个成员单位分别生成模板，如 {members}…")
    if not catalog.activities_of(uid):
        raise UsageProblem(f"{catalog.name(uid)} 没有承担任何活动，无需报送")
    p = parse_period(period) if period else week_of(today())
    path = _output(output, f"{catalog.campaign.short_name}报送模板-{catalog.name(uid)}-{p.label}.xlsx")
    from ..importing.workbook import build_template
    from ..render.xlsx import refuse_existing, save_atomic

    refuse_existing(path, force)
    wb = build_template(catalog, uid, p, p.start)
    save_atomic(wb, path, force=force, as_of=p.start)
    acts = "、".join(str(a) for a in catalog.activities_of(uid))
    st.out.text(f"已生成 {path}：{catalog.name(uid)}（{uid}），{p.label}，可选活动 {acts}")


@app.command("import")
def import_(
    ctx: typer.Context,
    files: Annotated[list[Path], typer.Argument(help="联络员发回的报送模板（.xlsx），可多个", show_default=False)],
    dry_run: Annotated[bool, typer.Option("--dry-run", "-n", help="只检查并统计，不写入台账")] = False,
    unit: Annotated[
        str | None, typer.Option("--unit", "-u", help="工作簿中没有记录单位时，指定是哪个单位的报送")
    ] = None,
    by: Annotated[
        str | None, typer.Option("--by", help="记录人（默认取“填报人”列，再默认 git config shuangzheng.recorder）")
    ] = None,
) -> None:
    """导入联络员发回的报送模板：先逐行检查，全部无误才写入；同一文件重复导入不会重复记录。"""
    st = state(ctx)
    catalog = st.catalog
    ledger = st.ledger() if dry_run else st.ledger(write=True)
    from ..importing.workbook import read_workbook

    now = today()
    recorder_cache: list[str] = []

    def default_by() -> str:
        if not recorder_cache:
            recorder_cache.append(recorder(None, st.workspace))
        return recorder_cache[0]

    results = []
    fatal: list[str] = []
    usage_only = True
    for path in files:
        label = str(path)
        try:
            results.append(
                read_workbook(path, label, catalog, today=now, unit_hint=unit, by=by, default_by=default_by)
            )
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

    from ..importing.dedup import fresh_entries

    new = []
    lines = []
    totals = [0, 0, 0]
    for r, fresh in zip(results, fresh_entries(results, ledger), strict=True):
        present = r.rows - len(fresh)
        new += fresh
        name = catalog.name(r.unit) if r.unit else "?"
        verb = "可新增" if dry_run else "新增"
        lines.append(f"{r.label}（{name}）：读取 {r.rows} 行，{verb} {len(fresh)} 条，已存在 {present} 条")
        totals[0] += r.rows
        totals[1] += len(fresh)
        totals[2] += present
    if not dry_run and new:
        ledger.append(new)
    for line in lines:
        st.out.text(line)
    if len(results) > 1:
        verb = "可新增" if dry_run else "新增"
        st.out.text(f"合计：读取 {totals[0]} 行，{verb} {totals[1]} 条，已存在 {totals[2]} 条")
    if dry_run:
        st.out.text("（试运行：检查通过，未写入台账）")


def _warn_skipped(st: State, ledger) -> None:  # noqa: ANN001
    if ledger.skipped:
        first = ledger.skipped[0]
        st.out.message(
            f"注意：台账中有 {len(ledger.skipped)} 行无法读取，已跳过（首处 {first.place}）。运行 shuangzheng check 查看。"
        )
