"""`remind` (催报): a WeChat-ready block per unit with something due, and a summary line for the office."""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated

import typer

from ..render.data import to_json
from ..render.remind import as_markdown, as_text
from ..reports.remind import reminders
from .board_cmds import load_index
from .common import AsOfOpt, ForceOpt, OutputOpt, as_of_date, output_format, state
from .root import app


class RemindFmt(StrEnum):
    text = "text"
    md = "md"
    json = "json"


@app.command()
def remind(
    ctx: typer.Context,
    as_of: AsOfOpt = None,
    unit: Annotated[str | None, typer.Option("--unit", "-u", help="只催这个单位（或单位组的各成员）")] = None,
    days: Annotated[
        int | None, typer.Option("--days", "-n", min=0, max=366, help="也提醒几天内到期的报送（默认按规则 remind_days，2 天）")
    ] = None,
    fmt: Annotated[
        RemindFmt | None,
        typer.Option("--format", "-f", case_sensitive=False, help="输出格式：text（默认，可直接粘贴到微信群）、md、json", show_default=False),
    ] = None,
    output: OutputOpt = None,
    force: ForceOpt = False,
) -> None:
    """催报：每个有逾期或即将到期事项的单位一段，@联络员，可逐段粘贴到“双争”活动微信群。"""
    st = state(ctx)
    fmt = output_format(st, fmt, output, force, RemindFmt.text)
    catalog = st.catalog
    day = as_of_date(as_of)
    units = catalog.expand(catalog.resolve_unit(unit)) if unit else None
    result = reminders(load_index(st, day, document=True), day, days, units)
    if fmt == RemindFmt.json:
        text = to_json(result.to_json({u.unit: catalog.name(u.unit) for u in result.units})) + "\n"
    elif fmt == RemindFmt.md:
        text = as_markdown(catalog, result)
    else:
        text = as_text(catalog, result)
    st.out.text(text.rstrip("\n"))
