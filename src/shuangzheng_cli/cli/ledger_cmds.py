"""Commands that write or list ledger entries: add, inspect, followup, void, history."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from . import actions
from .commands import (
    ACTIVITY,
    BY,
    DATE,
    FORMAT,
    LISTING,
    PERIOD,
    REQUIRED,
    UNIT,
    Command,
    Param,
    optional,
)
from .common import State, note_skipped, output_format, period_or_none


def history(
    st: State,
    *,
    unit: str | None,
    activity: str | None,
    period: str | None,
    show_all: bool,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`history`: the entries, filtered, sorted by date; the voided ones only with `show_all`."""
    from ..render.tables import entry_row, history_columns

    fmt = output_format(st, fmt, output, force, FORMAT.choices)
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
    note_skipped(st, reading.problems)
    if hidden:  # said first on stderr, so a pipe carries only the rows; and in the table's title
        st.out.message(f"另有 {hidden} 条已作废的记录未列出；加 --all 可一并列出（连同作废记录本身）。")
    if fmt == "json":
        data = []
        for e in entries:
            record = e.to_record()
            if show_all:
                record["voided"] = e.id in cancelled
            data.append(record)
        st.out.text(_json(data))
        return
    rows = [entry_row(catalog, e, e.id in cancelled) for e in entries]
    one_unit = units is not None and len(units) == 1 and fmt == "table"
    columns = history_columns(with_unit=not one_unit, every_field=fmt == "csv")
    whose = f"{catalog.name(units[0])} " if one_unit and units else ""
    note = f"，另有 {hidden} 条已作废未列出（--all 列出）" if hidden else ""
    st.out.table(rows, columns, fmt=fmt, title=f"{whose}台账记录（{len(rows)} 条{note}）")


def _json(data: Any) -> str:
    from ..render.data import to_json

    return to_json(data)


COMMANDS = (
    Command(
        "add",
        "记一条进展（台账）：单位、活动、进展情况，可附自评颜色、问题、打算、数据与佐证。",
        (
            UNIT,
            ACTIVITY,
            Param("text", ("--text", "-t"), "进展情况", default=REQUIRED),
            DATE,
            Param("color", ("--color", "-c"), "自评颜色：绿/蓝/黄/红 或 green/blue/yellow/red"),
            Param("problems", ("--problems",), "存在问题"),
            Param("next_steps", ("--next",), "下步打算"),
            Param("metric", ("--metric", "-m"), "数据，名称=数量，可重复：-m 场次=3 -m 参与人数=120", multiple=True),
            Param("evidence", ("--evidence", "-e"), "佐证材料（链接或路径），可重复", multiple=True),
            BY,
        ),
        actions.add_progress,
    ),
    Command(
        "inspect",
        "记一次督导、抽查或暗访：检查结论（四色），后续处理（整改、约谈、通报）可多项。",
        (
            UNIT,
            ACTIVITY,
            Param("method", ("--method",), "方式：督导 / 抽查 / 暗访", default=REQUIRED),
            Param("color", ("--color", "-c"), "检查结论颜色：绿/蓝/黄/红", default=REQUIRED),
            Param("text", ("--text", "-t"), "检查发现", default=REQUIRED),
            Param(
                "followup",
                ("--followup",),
                "后续处理：无 / 整改 / 约谈 / 通报，可重复：--followup 约谈 --followup 通报",
                multiple=True,
            ),
            Param("due", ("--due",), "整改期限（仅用于 --followup 整改；默认按规则，检查之日起若干天）"),
            DATE,
            BY,
        ),
        actions.add_inspection,
    ),
    Command(
        "followup",
        "记一条后续处理结果：检查要求的约谈已进行、已通报、整改完成，或整改验收通过/不通过。",
        (
            Param("ref", ("--ref",), "检查记录的编号（见 history）", default=REQUIRED),
            Param("result", ("--result",), "结果：已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过", default=REQUIRED),
            Param("text", ("--text", "-t"), "说明（可不填）"),
            Param("due", ("--due",), "验收不通过时的新整改期限（默认按规则，自记录之日起若干天）"),
            DATE,
            BY,
        ),
        actions.add_followup,
    ),
    Command(
        "void",
        "作废记录（可一次作废多条）：原记录保留在文件中，统计时不再计入。",
        (
            Param("entry_ids", (), "要作废的记录编号（见 history），可写多个", default=REQUIRED, multiple=True, metavar="编号"),
            Param("reason", ("--reason", "-r"), "作废原因", default=REQUIRED),
            DATE,
            BY,
        ),
        actions.add_void,
    ),
    Command(
        "history",
        "列出台账记录（进展、检查、后续处理结果），按日期排序；可按单位、活动、时段筛选。已作废的记录默认不列，加 --all 列出。",
        (
            optional(UNIT, "单位或单位组（组则列出其全部成员的记录）"),
            optional(ACTIVITY),
            PERIOD,
            Param("show_all", ("--all",), "也列出已作废的记录与作废记录本身（默认不列，并提示有几条）", type=bool, default=False),
            *LISTING,
        ),
        history,
    ),
)
