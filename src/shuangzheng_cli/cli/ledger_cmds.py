"""Commands that write or list ledger entries: add, inspect, void, history."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..render.tables import entry_row, history_columns
from .build import register
from .common import (
    Fmt,
    ForceOpt,
    FormatOpt,
    OutputOpt,
    PeriodOpt,
    State,
    output_format,
    period_or_none,
    state,
)
from .root import app

# add, inspect, followup and void: declared in cli.commands, done by cli.actions (add and inspect also on the fast path)
register("add")
register("inspect")
register("followup")
register("void")


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
    reading = ledger.read(unit=units, activity=number, period=period_or_none(period), include_voided=True, kinds=kinds)
    entries = reading.entries
    cancelled = reading.voided
    hidden = 0
    if not show_all:
        hidden = sum(e.id in cancelled for e in entries)
        entries = [e for e in entries if e.id not in cancelled]
    _warn_skipped(st, reading.problems)
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


def _warn_skipped(st: State, problems: list) -> None:  # noqa: ANN001
    from ..ledger.reader import skipped_note

    note = skipped_note(problems)
    if note:
        st.out.message(note)


