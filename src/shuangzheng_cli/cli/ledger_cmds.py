"""Commands that write or list ledger entries: add, inspect, void, history."""

from __future__ import annotations

from typing import Annotated, Any

import typer

from ..ledger.storage import Ledger
from ..render.tables import entry_row, history_columns
from .build import register
from .common import Fmt, FormatOpt, PeriodOpt, State, period_or_none, state
from .root import app

# add, inspect and void: declared in cli.definition, run by cli.actions (also on the fast path)
register("add")
register("inspect")
register("void")


@app.command()
def history(
    ctx: typer.Context,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="单位或单位组（组则列出其全部成员的记录）")] = None,
    activity: Annotated[str | None, typer.Option("--activity", "-a", help="活动：编号 1–18 或标题中的独有字词")] = None,
    period: PeriodOpt = None,
    show_all: Annotated[bool, typer.Option("--all", help="也列出已作废的记录与作废记录本身")] = False,
    fmt: FormatOpt = Fmt.table,
) -> None:
    """列出台账记录，按日期排序；可按单位、活动、时段筛选。"""
    st = state(ctx)
    catalog = st.catalog
    ledger = st.ledger()
    units = None
    if unit:
        uid = catalog.resolve_unit(unit)
        units = catalog.expand(uid)
    number = catalog.resolve_activity(activity) if activity else None
    kinds = ("progress", "inspection", "void") if show_all else ("progress", "inspection")
    entries = ledger.entries(
        unit=units, activity=number, period=period_or_none(period), include_voided=show_all, kinds=kinds
    )
    cancelled = ledger.voided() if show_all else set()
    _warn_skipped(st, ledger)
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
    columns = history_columns(with_unit=not one_unit, with_problems=fmt == Fmt.csv)
    whose = f"{catalog.name(units[0])} " if one_unit and units else ""
    st.out.table(rows, columns, fmt=fmt.value, title=f"{whose}台账记录（{len(rows)} 条）")


def _json(data: Any) -> str:
    from ..render.data import to_json

    return to_json(data)


def _warn_skipped(st: State, ledger: Ledger) -> None:
    if ledger.skipped:
        first = ledger.skipped[0]
        st.out.message(
            f"注意：台账中有 {len(ledger.skipped)} 行无法读取，已跳过（首处 {first.place}）。运行 shuangzheng check 查看。"
        )


