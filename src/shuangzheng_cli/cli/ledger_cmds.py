"""Commands that write or list ledger entries: add, inspect, void, history."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..ledger.storage import Ledger
from ..periods import parse_date
from ..render.tables import entry_row, history_columns
from .actions import _cell_color, _report, add_followup, add_inspection, add_progress
from .common import (
    ActivityOpt,
    Fmt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    PeriodOpt,
    State,
    UnitOpt,
    output_format,
    period_or_none,
    recorder,
    state,
)
from .root import app

DateOpt = Annotated[str | None, typer.Option("--date", "-d", help="工作发生的日期 YYYY-MM-DD（默认今天）")]
ByOpt = Annotated[
    str | None, typer.Option("--by", help="记录人（默认 git config shuangzheng.recorder 或 git 用户名）")
]


@app.command()
def add(
    ctx: typer.Context,
    unit: UnitOpt,
    activity: ActivityOpt,
    text: Annotated[str, typer.Option("--text", "-t", help="进展情况")],
    date: DateOpt = None,
    color: Annotated[str | None, typer.Option("--color", "-c", help="自评颜色：绿/蓝/黄/红 或 green/blue/yellow/red")] = None,
    problems: Annotated[str | None, typer.Option("--problems", help="存在问题")] = None,
    next_steps: Annotated[str | None, typer.Option("--next", help="下步打算")] = None,
    metric: Annotated[list[str] | None, typer.Option("--metric", "-m", help="数据，名称=数量，可重复：-m 场次=3 -m 参与人数=120")] = None,
    evidence: Annotated[list[str] | None, typer.Option("--evidence", "-e", help="佐证材料（链接或路径），可重复")] = None,
    by: ByOpt = None,
) -> None:
    """记一条进展（台账）：单位、活动、进展情况，可附自评颜色、问题、打算、数据与佐证。"""
    add_progress(state(ctx), unit, activity, text, date, color, problems, next_steps, metric, evidence, by)


@app.command()
def inspect(
    ctx: typer.Context,
    unit: UnitOpt,
    activity: ActivityOpt,
    method: Annotated[str, typer.Option("--method", help="方式：督导 / 抽查 / 暗访")],
    color: Annotated[str, typer.Option("--color", "-c", help="检查结论颜色：绿/蓝/黄/红")],
    text: Annotated[str, typer.Option("--text", "-t", help="检查发现")],
    followup: Annotated[
        list[str] | None, typer.Option("--followup", help="后续处理：无 / 整改 / 约谈 / 通报，可重复：--followup 约谈 --followup 通报")
    ] = None,
    due: Annotated[str | None, typer.Option("--due", help="整改期限（仅用于 --followup 整改；默认按规则，检查之日起若干天）")] = None,
    date: DateOpt = None,
    by: ByOpt = None,
) -> None:
    """记一次督导、抽查或暗访：检查结论（四色）与后续处理（整改、约谈、通报，可多项）。"""
    add_inspection(state(ctx), unit, activity, method, color, text, followup, date, by, due)


@app.command()
def followup(
    ctx: typer.Context,
    ref: Annotated[str, typer.Option("--ref", help="检查记录的编号（见 history）")],
    result: Annotated[str, typer.Option("--result", help="结果：已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过")],
    text: Annotated[str | None, typer.Option("--text", "-t", help="说明（可不填）")] = None,
    due: Annotated[str | None, typer.Option("--due", help="验收不通过时的新整改期限（默认按规则，自记录之日起若干天）")] = None,
    date: DateOpt = None,
    by: ByOpt = None,
) -> None:
    """记一条后续处理结果：检查要求的约谈已进行、已通报、整改完成，或整改验收通过/不通过。"""
    add_followup(state(ctx), ref, result, text, date, due, by)


@app.command()
def void(
    ctx: typer.Context,
    entry_ids: Annotated[list[str], typer.Argument(help="要作废的记录编号（见 history），可写多个")],
    reason: Annotated[str, typer.Option("--reason", "-r", help="作废原因")],
    date: DateOpt = None,
    by: ByOpt = None,
) -> None:
    """作废记录（可一次作废多条）：原记录保留在文件中，统计时不再计入。"""
    st = state(ctx)
    ledger = Ledger(st.writable_root(), st.catalog)
    day = parse_date(date, "--date 日期") if date else None
    keys = list(dict.fromkeys(e.strip().lower() for e in entry_ids))
    before = {k: _cell_color(st.catalog, ledger, t) for k, t in ledger.find_many(keys).items()}
    for placed in ledger.void(keys, reason, date=day, by=recorder(by, st.workspace)):
        _report(st, ledger, placed, before.get(placed.ref or ""))


@app.command()
def history(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="单位或单位组（组则列出其全部成员的记录）")] = None,
    activity: Annotated[str | None, typer.Option("--activity", "-a", help="活动：编号 1–18 或标题中的独有字词")] = None,
    period: PeriodOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="也列出已作废的记录与作废记录本身（默认不列，并提示有几条）")] = False,
    fmt: FormatOpt = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """列出台账记录（进展、检查、后续处理结果），按日期排序；可按单位、活动、时段筛选。已作废的记录默认不列，加 --all 列出。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, Fmt.table)
    catalog = st.catalog
    ledger = st.ledger()
    units = None
    if unit:
        uid = catalog.resolve_unit(unit)
        units = catalog.expand(uid)
    number = catalog.resolve_activity(activity) if activity else None
    kinds = ("progress", "inspection", "followup", "void") if show_all else ("progress", "inspection", "followup")
    entries = ledger.entries(
        unit=units, activity=number, period=period_or_none(period), include_voided=True, kinds=kinds
    )
    cancelled = ledger.voided()
    hidden = 0
    if not show_all:
        hidden = sum(e.id in cancelled for e in entries)
        entries = [e for e in entries if e.id not in cancelled]
    _warn_skipped(st, ledger)
    if hidden:  # said first on stderr, so a pipe carries only the rows; and in the table's title
        st.out.message(f"另有 {hidden} 条已作废的记录未列出；加 --all 可一并列出（连同作废记录本身）。")
    if fmt == Fmt.json:
        data = []
        for e in entries:
            record = e.to_record()
            if show_all:
                record["voided"] = e.id in cancelled
            data.append(record)
        st.out.text(_json(data))
        return
    rows = [entry_row(catalog, e, e.id in cancelled) for e in entries]
    one_unit = units is not None and len(units) == 1 and fmt == Fmt.table
    columns = history_columns(with_unit=not one_unit, every_field=fmt == Fmt.csv)
    whose = f"{catalog.name(units[0])} " if one_unit and units else ""
    note = f"，另有 {hidden} 条已作废未列出（--all 列出）" if hidden else ""
    st.out.table(rows, columns, fmt=fmt.value, title=f"{whose}台账记录（{len(rows)} 条{note}）")


def _json(data: Any) -> str:
    from ..render.data import to_json

    return to_json(data)


def _warn_skipped(st: State, ledger: Ledger) -> None:
    if ledger.skipped:
        first = ledger.skipped[0]
        st.out.message(
            f"注意：台账中有 {len(ledger.skipped)} 行无法读取，已跳过（首处 {first.place}）。运行 shuangzheng check 查看。"
        )


