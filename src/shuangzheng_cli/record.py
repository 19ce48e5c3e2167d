"""Making a new ledger entry (记一笔) from what a person typed, and validating any entry.

The same rules apply to `add`, `inspect`, `void`, an imported workbook row and `check`:
`validate` returns every reason an entry is not acceptable, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from pydantic import TypeAdapter, ValidationError

from .catalog import Catalog
from .models import Entry, Record, parse_color

MAX_TEXT = 2000
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
_RECORD = TypeAdapter(Record)

FIELD_NAMES = {
    "text": "进展情况",
    "problems": "存在问题",
    "next": "下步打算",
    "by": "记录人",
    "evidence": "佐证材料",
    "metrics": "数据",
}


def clean_text(value: str | None) -> str:
    """Remove control characters other than newline and tab; unify line ends; trim."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return _CONTROL.sub("", text).strip()


def text_problems(fields: dict[str, str], required: tuple[str, ...] = ("text",)) -> list[str]:
    out = []
    for key, value in fields.items():
        name = FIELD_NAMES.get(key, key)
        if key in required and not value:
            out.append(f"{name}不能为空")
        if len(value) > MAX_TEXT:
            out.append(f"{name}超过 {MAX_TEXT} 字（现 {len(value)} 字），请精简或分多条记录")
    return out


_METRIC = re.compile(r"^\s*([^=＝:：]+?)\s*[=＝:：]\s*(-?\d+(?:\.\d+)?)\s*$")


def parse_metrics(items: list[str] | str) -> tuple[dict[str, float], list[str]]:
    """`场次=3`, `参与人数=120` (also `；`/`;`-separated in one string) → {name: number}."""
    if isinstance(items, str):
        items = [p for p in re.split(r"[;；,，\n]", items) if p.strip()]
    out: dict[str, float] = {}
    problems = []
    for item in items:
        m = _METRIC.match(item)
        if not m:
            problems.append(f"数据 '{item.strip()}' 格式不对：应写成 名称=数量，如 场次=3")
            continue
        name, number = m[1].strip(), float(m[2])
        if number < 0:
            problems.append(f"数据 '{item.strip()}' 不能为负数")
            continue
        out[name] = out.get(name, 0) + number
    return out, problems


def coerce_color(value: str | None, required: bool = False) -> tuple[str | None, str | None]:
    if value is None or str(value).strip() == "":
        return None, ("颜色不能为空（绿/蓝/黄/红）" if required else None)
    color = parse_color(str(value))
    if color is None:
        return None, f"颜色 '{value}' 无效：可写 绿/蓝/黄/红 或 green/blue/yellow/red"
    return color, None


def validate(entry: Entry, catalog: Catalog, today: dt.date) -> list[str]:
    """Every reason this entry cannot stand in the ledger (empty when it can)."""
    problems = schema_problems(entry.to_record())
    problems += reference_problems(entry.unit, entry.activity, entry.date, catalog, today)
    return problems


def schema_problems(obj: dict[str, Any]) -> list[str]:
    try:
        _RECORD.validate_python(obj)
    except ValidationError as exc:
        return [_schema_message(e) for e in exc.errors()]
    return []


def reference_problems(unit: Any, activity: Any, day: Any, catalog: Catalog, today: dt.date) -> list[str]:
    out = []
    if isinstance(unit, str) and not catalog.is_reporting_unit(unit):
        if unit in catalog.groups:
            out.append(f"'{catalog.name(unit)}' 是含成员的单位组，请按具体成员单位记录")
        else:
            try:
                catalog.resolve_unit(unit)
                out.append(f"未知单位编号 '{unit}'")
            except Exception as exc:  # UsageProblem: carries the suggestion
                out.append(str(exc))
    if isinstance(activity, int) and not isinstance(activity, bool):
        if activity not in catalog.activities:
            out.append(f"未知活动 {activity}（活动编号为 1–{max(catalog.activities)}）")
        elif isinstance(unit, str) and catalog.is_reporting_unit(unit) and activity not in catalog.activities_of(unit):
            out.append(
                f"活动 {activity}（{catalog.short(activity)}）不是 {catalog.name(unit)} 的责任任务；"
                f"该单位负责：{'、'.join(str(a) for a in catalog.activities_of(unit)) or '无'}"
            )
    if isinstance(day, dt.date):
        if day < catalog.phases[0].start:
            out.append(f"日期 {day} 早于活动开始（{catalog.phases[0].start}）")
        if day > today:
            out.append(f"日期 {day} 在今天（{today}）之后")
    return out


_SCHEMA_FIELDS = {
    "v": "版本 v",
    "id": "编号 id",
    "kind": "类型 kind",
    "date": "日期 date",
    "unit": "单位 unit",
    "activity": "活动 activity",
    "by": "记录人 by",
    "at": "记录时间 at",
    "color": "颜色 color",
    "text": "内容 text",
    "problems": "存在问题 problems",
    "next": "下步打算 next",
    "metrics": "数据 metrics",
    "evidence": "佐证 evidence",
    "method": "方式 method",
    "followup": "后续 followup",
    "ref": "作废对象 ref",
}


def _schema_message(error: dict[str, Any]) -> str:
    loc = [str(p) for p in error["loc"] if p not in ("progress", "inspection", "void")]
    field = _SCHEMA_FIELDS.get(loc[0], loc[0]) if loc else "记录"
    kind = error["type"]
    if kind == "missing":
        return f"缺少字段 {field}"
    if kind == "extra_forbidden":
        return f"多余的字段 '{loc[-1]}'"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "类型 kind 须为 progress、inspection 或 void"
    if kind == "literal_error":
        return f"{field} 的值 {error.get('input')!r} 无效，可选：{error.get('ctx', {}).get('expected', '')}"
    if kind == "string_too_long":
        return f"{field} 超过 {error['ctx']['max_length']} 字"
    if kind == "string_too_short":
        return f"{field} 不能为空"
    if kind == "string_pattern_mismatch":
        return f"{field} 的值 {error.get('input')!r} 格式不对"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{field} 的值 {error.get('input')!r} 不是有效日期时间"
    if kind in ("int_parsing", "int_type", "int_from_float"):
        return f"{field} 须为整数"
    if kind in ("float_parsing", "float_type"):
        return f"{field} 须为数字"
    return f"{field}：{error['msg']}"
