"""催报 as text for the liaisons' WeChat group (one block per unit, to paste one by one) and as Markdown."""

from __future__ import annotations

import datetime as dt

from ..definitions.catalog import Catalog
from ..reports.remind import INTERVIEW, OVERDUE, RECTIFY, SOON, DueItem, Reminders, UnitReminder

NO_LIAISON = "联络员未登记"


def md(day: dt.date) -> str:
    """`11月30日`: how a date reads in a chat message."""
    return f"{day.month}月{day.day}日"


def summary(catalog: Catalog, r: Reminders) -> str:
    """The office's one line on top."""
    if not r.units:
        return f"截至{md(r.as_of)}，各单位均无逾期或 {r.days} 天内到期的报送，无需催报。"
    names = {OVERDUE: "逾期未报", SOON: f"{r.days} 天内到期", RECTIFY: "整改逾期", INTERVIEW: "待约谈"}
    parts = [f"{name} {r.count(kind)} 项" for kind, name in names.items() if r.count(kind)]
    missing = r.without_liaison
    tail = f"；其中 {len(missing)} 个单位{NO_LIAISON}，请在 data/units.yaml 补填" if missing else ""
    return f"{catalog.campaign.short_name}催报（截至{md(r.as_of)}）：{len(r.units)} 个单位需催报，" + "，".join(parts) + tail + "。"


def _item(catalog: Catalog, i: DueItem, as_of: dt.date) -> str:
    label = f"{i.activity}.{catalog.short(i.activity)}"
    if i.kind == OVERDUE:
        if i.last_report is None:
            return f"{label}：尚未报送进展（应于{md(i.due)}前报送）"
        return f"{label}：已 {i.days} 天未报送进展（上次{md(i.last_report)}，应于{md(i.due)}前报送）"
    if i.kind == SOON:
        when = "今天" if i.days == 0 else f"{i.days} 天后"
        return f"{label}：应于{md(i.due)}前报送进展（{when}到期）"
    if i.kind == RECTIFY:
        return f"{label}：{i.inspection}要求整改，已逾期 {i.days} 天（期限{md(i.due)}），请抓紧整改并报送整改情况"
    return f"{label}：{i.inspection}要求约谈，尚未约谈（已等待 {i.days} 天），请主要负责人做好准备"


def block(catalog: Catalog, u: UnitReminder, as_of: dt.date) -> str:
    """One unit's message, ready to paste: who, what is due, by when."""
    who = f" @{u.liaison}" + (f"（{u.phone}）" if u.phone else "") if u.liaison else f"（{NO_LIAISON}）"
    lines = [f"【{catalog.campaign.short_name}催报】{catalog.name(u.unit)}{who}"]
    # （1）（2）…: "1." would run into the activity's own number ("1. 3.见证新霸州")
    lines += [f"（{n}）{_item(catalog, i, as_of)}" for n, i in enumerate(u.items, start=1)]
    due = "今天内" if u.report_by == as_of else f"{md(u.report_by)}前"
    lines.append(f"请于{due}报送活动进展，谢谢！")
    return "\n".join(lines)


def as_text(catalog: Catalog, r: Reminders) -> str:
    """The summary, then each unit's block, separated by a blank line (split per unit to send)."""
    return "\n\n".join([summary(catalog, r), *(block(catalog, u, r.as_of) for u in r.units)]) + "\n"


def as_markdown(catalog: Catalog, r: Reminders) -> str:
    """A heading, the summary, and each unit's block as a quote under its name."""
    out = [f"# {catalog.campaign.short_name}催报（截至{r.as_of.isoformat()}）", "", summary(catalog, r)]
    for u in r.units:
        out += ["", f"## {catalog.name(u.unit)}", ""]
        out += [f"> {line}  " if line else ">" for line in block(catalog, u, r.as_of).splitlines()]
    return "\n".join(out) + "\n"
