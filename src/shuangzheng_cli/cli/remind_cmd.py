"""`remind` (催报): a WeChat-ready block per unit with something due, and a summary line for the office."""

from __future__ import annotations

from pathlib import Path

from ..render.data import to_json
from ..render.remind import as_markdown, as_text
from ..reports.remind import reminders
from .board_cmds import load_index
from .commands import AS_OF, FORCE, OUTPUT, UNIT, Command, Param, formats, optional
from .common import State, as_of_date, output_format

FORMAT = formats("text", "md", "json", help="输出格式：text（默认，可直接粘贴到微信群）、md、json")


def remind(
    st: State,
    *,
    as_of: str | None,
    unit: str | None,
    days: int | None,
    fmt: str | None,
    output: Path | None,
    force: bool,
) -> None:
    """`remind`: per unit, what is overdue or due within `days`, as text to paste, Markdown or JSON."""
    fmt = output_format(st, fmt, output, force, FORMAT.choices)
    catalog = st.catalog
    day = as_of_date(as_of)
    units = catalog.expand(catalog.resolve_unit(unit)) if unit else None
    result = reminders(load_index(st, day, document=True), day, days, units)
    if fmt == "json":
        text = to_json(result.to_json({u.unit: catalog.name(u.unit) for u in result.units})) + "\n"
    elif fmt == "md":
        text = as_markdown(catalog, result)
    else:
        text = as_text(catalog, result)
    st.out.text(text.rstrip("\n"))


COMMANDS = (
    Command(
        "remind",
        "催报：每个有逾期或即将到期事项的单位一段，@联络员，可逐段粘贴到“双争”活动微信群。",
        (
            AS_OF,
            optional(UNIT, "只催这个单位（或单位组的各成员）"),
            Param(
                "days", ("--days", "-n"), "也提醒几天内到期的报送（默认按规则 remind_days，2 天）", type=int, min=0, max=366
            ),
            FORMAT,
            OUTPUT,
            FORCE,
        ),
        remind,
    ),
)
