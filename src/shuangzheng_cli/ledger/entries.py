"""Making a new ledger entry (记一笔) from what a person typed, and validating any entry.

The same rules apply to `add`, `inspect`, `void`, an imported workbook row and `check`:
`validate` returns every reason an entry is not acceptable, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from ..definitions.catalog import Catalog
from ..errors import UsageProblem
from ..periods import folded, now_iso, parse_date, today
from .format import (
    FIELD_LABELS,
    FOLLOWUP_ASKS,
    FOLLOWUP_RESULTS,
    FORBIDDEN_RE,
    KINDS,
    MAX_LINE_BYTES,
    MAX_METRIC,
    MAX_TEXT,
    METHODS,
    RESULT_NEEDS,
    Entry,
    followup_label,
    latest_at,
    parse_color,
)
from .recorder import recorder

_RECORD: Any = None  # the pydantic validator of a ledger line, built when first needed

FIELD_NAMES = {
    "text": "进展情况",
    "problems": "存在问题",
    "next": "下步打算",
    "by": "记录人",
    "evidence": "佐证材料",
    "metrics": "数据",
}


def clean_text(value: str | None) -> str:
    """Remove control characters other than newline and tab, and bidi overrides (`format.FORBIDDEN_RE`);
    unify line ends; trim."""
    if value is None:
        return ""
    text = str(value).replace("\r\n", "\n").replace("\r", "\n")
    return FORBIDDEN_RE.sub("", text).strip()


def text_problems(
    fields: dict[str, str], required: tuple[str, ...] = ("text",), names: dict[str, str] | None = None
) -> list[str]:
    """Empty required fields and fields over `MAX_TEXT` characters, named in Chinese."""
    out = []
    for key, value in fields.items():
        name = (names or {}).get(key) or FIELD_NAMES.get(key, key)
        if key in required and not value:
            out.append(f"{name}不能为空")
        if len(value) > MAX_TEXT:
            out.append(f"{name}超过 {MAX_TEXT} 字（现 {len(value)} 字），请精简或分多条记录")
    return out


_METRIC = re.compile(r"^\s*([^=＝:：]+?)\s*[=＝:：]\s*(.*?)\s*$", re.S)
#: A list item ends at `；` `;` or a line break; at `，` `,` `、` only when a `名称=` follows
#: (so `参与人数=1,200` stays one item).
_METRIC_SPLIT = re.compile(r"[;；\r\n]+|[,，、](?=[^,，、;；\r\n=＝:：]*[=＝:：])")
#: A quantity as offices type it: `1200`, `1,200`, `1 200`, `12.5`, then an optional unit word (`3场`).
_QUANTITY = re.compile(r"^(-?)(\d{1,3}(?:([, ])\d{3})(?:\3\d{3})*|\d+)(\.\d+)?\s*([^\d\s.,=:;-][^\d=:;]*)?$")


def parse_quantity(text: str) -> float | None:
    """`1,200` `1，200` `1 200` `１２００` `3场` `12.5` → the number; None when not unambiguous.

    Full-width digits and punctuation are folded first (NFKC); a thousands separator must
    group by three (`1,20` is refused); a trailing word without digits is a unit and dropped.
    """
    folded = unicodedata.normalize("NFKC", text).replace("\u00a0", " ").strip()
    m = _QUANTITY.match(folded)
    if not m:
        return None
    digits = m[2].replace(",", "").replace(" ", "")
    return float(f"{m[1]}{digits}{m[4] or ''}")


def split_metrics(text: str) -> list[str]:
    """One typed metric list → its items (`；` `;` line breaks, and `，` `,` `、` before a `名称=`)."""
    return [p for p in _METRIC_SPLIT.split(text) if p.strip()]


def parse_metrics(items: list[str] | str) -> tuple[dict[str, float], list[str]]:
    """`场次=3`, `参与人数=1,200` → {name: number}; every string may hold a list (see `split_metrics`).

    Numbers are read by `parse_quantity`; a problem quotes the item as typed.
    """
    if isinstance(items, str):
        items = [items]
    out: dict[str, float] = {}
    problems = []
    for item in (part for text in items for part in split_metrics(text)):
        m = _METRIC.match(item)
        number = parse_quantity(m[2]) if m else None
        if m is None or number is None:
            problems.append(f"数据 '{item.strip()}' 格式不对：应写成 名称=数量，如 场次=3")
            continue
        name = m[1].strip()
        if number < 0 or number > MAX_METRIC:
            problems.append(f"数据 '{item.strip()}' 须为非负数（不超过 {MAX_METRIC}）")
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


def validate(entry: Entry, catalog: Catalog | None, today: dt.date) -> list[str]:
    """Every reason this entry cannot stand in the ledger (empty when it can).

    The fast check of `linecheck` answers for an entry of the common shape; anything it does
    not pass is validated in full (pydantic and the catalog), which words the reasons.
    `catalog` None: the format only.
    """
    from .fastcheck import FastChecker
    from .storage import encode_line

    record = entry.to_record()
    size = len(encode_line(entry))
    if size > MAX_LINE_BYTES:
        return [f"记录过长（{size} 字节，一行最多 {MAX_LINE_BYTES} 字节）：请精简文字或分多条记录"]
    if FastChecker(catalog, today).ok(record):
        return []
    problems = schema_problems(record)
    problems += at_problems(record.get("at"), today)
    if catalog is not None:
        problems += reference_problems(entry.unit, entry.activity, entry.date, catalog, today)
    return problems


def at_problems(at: Any, today: dt.date) -> list[str]:
    """An `at` far in the future (a wrong clock) is refused: past `format.latest_at`."""
    limit = latest_at(today)
    if isinstance(at, str) and len(at) >= 10 and at[:10] > limit:
        return [f"记录时间 at {at[:10]} 晚于 {limit}（记录时的时钟有误？）"]
    return []


def schema_problems(obj: dict[str, Any]) -> list[str]:
    global _RECORD
    from pydantic import TypeAdapter, ValidationError

    from .schema import Record

    if _RECORD is None:
        _RECORD = TypeAdapter(Record)
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
            out.append(unknown_unit_message(unit, catalog))
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


def unknown_unit_message(unit: str, catalog: Catalog) -> str:
    """`未知单位编号 'xcbb'，最接近的是 xcb（市委宣传部）`: ledger lines must name units by id."""
    import difflib

    ids = [*catalog.units, *(g for g in catalog.groups if not catalog.groups[g].members)]
    close = difflib.get_close_matches(unit, ids, n=1, cutoff=0.5)
    if not close:
        try:
            resolved = catalog.resolve_unit(unit)
        except UsageProblem:
            resolved = None
        close = [resolved] if resolved in ids else []
    if close:
        return f"未知单位编号 '{unit}'，最接近的是 {close[0]}（{catalog.name(close[0])}）"
    return f"未知单位编号 '{unit}'（单位编号见 data/units.yaml 或 shuangzheng units）"


#: pydantic's error types that need only the field's name, in Chinese ("{}": the field)
_SAID = {
    "missing": "缺少字段 {}",
    "string_too_short": "{} 不能为空",
    "int_parsing": "{} 须为整数", "int_type": "{} 须为整数", "int_from_float": "{} 须为整数",
    "float_parsing": "{} 须为数字", "float_type": "{} 须为数字",
    "finite_number": "{} 须为有限的数字（不能是 NaN 或无穷大）",
    "string_unicode": "{} 含有无效的 Unicode 字符（单独的代理项 \\udXXX：文件损坏或被篡改？）",
    "string_type": "{} 须为文字",
    "list_type": "{} 须为列表 […]",
    "dict_type": "{} 须为对象 {{…}}",
    "int_parsing_size": "{} 的数字位数过多",
}


def _schema_message(error: dict[str, Any]) -> str:
    """One pydantic error of a ledger line, in Chinese, naming the field (never pydantic's English)."""
    loc = [str(p) for p in error["loc"]]
    if loc and loc[0] in KINDS:  # the tagged union's branch
        loc = loc[1:]
    field = FIELD_LABELS.get(loc[0], loc[0]) if loc else "记录"
    kind = error["type"]
    ctx = error.get("ctx", {})
    value = error.get("input")
    if kind in _SAID:
        return _SAID[kind].format(field)
    if kind == "extra_forbidden":
        return f"多余的字段 '{loc[-1]}'"
    if kind == "union_tag_invalid" or kind == "union_tag_not_found":
        return "类型 kind 须为 " + "、".join(KINDS[:-1]) + " 或 " + KINDS[-1]
    if kind == "literal_error":
        return f"{field} 的值 {value!r} 无效，可选：{ctx.get('expected', '')}"
    if kind == "string_too_long":
        return f"{field} 超过 {ctx['max_length']} 字"
    if kind == "string_pattern_mismatch":
        return f"{field} 的值 {value!r} 格式不对"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"{field} 的值 {value!r} 不是有效日期时间"
    if kind in ("greater_than_equal", "greater_than"):
        return f"{field} 的值 {value!r} 不能小于 {ctx.get('ge', ctx.get('gt'))}"
    if kind in ("less_than_equal", "less_than"):
        return f"{field} 的值 {value!r} 不能大于 {ctx.get('le', ctx.get('lt'))}"
    if kind == "value_error" and "error" in ctx:
        return f"{field}：{ctx['error']}"
    return f"{field} 的值 {_short(value)} 无效"


def _short(value: Any) -> str:  # noqa: ANN401
    text = repr(value)
    return text if len(text) <= 40 else text[:37] + "…"


# ---------------------------------------------------------------- making entries (the Python API)


def _day(value: dt.date | str | None) -> dt.date:
    if value is None:
        return today()
    return value if isinstance(value, dt.date) else parse_date(value)


def _refuse(issues: list[str]) -> None:
    if issues:
        raise UsageProblem("未写入：" + "；".join(issues))


def progress(
    unit: str,
    activity: int,
    text: str,
    *,
    date: dt.date | str | None = None,
    color: str | None = None,
    problems: str | None = None,
    next: str | None = None,
    metrics: dict[str, float] | Iterable[str] | None = None,
    evidence: Iterable[str] = (),
    by: str | None = None,
) -> Entry:
    """A new progress entry (进展): texts cleaned, color as 绿/green, metrics as dict or `名称=数量`.

    `UsageProblem` lists every reason it cannot be made; `Ledger.append` checks it against
    the definitions.
    """
    fields = {"text": clean_text(text), "problems": clean_text(problems), "next": clean_text(next)}
    issues = text_problems(fields)
    if isinstance(metrics, dict):
        parsed: dict[str, float] = {}
        for name, value in metrics.items():
            if isinstance(value, bool) or not isinstance(value, int | float) or not 0 <= value <= MAX_METRIC:
                issues.append(f"数据 '{name}' 的数量 {value!r} 须为非负数（不超过 {MAX_METRIC}）")
            else:
                parsed[clean_text(name)] = float(value)
    else:
        parsed, metric_issues = parse_metrics(list(metrics or []))
        issues += metric_issues
    parsed_color, color_issue = coerce_color(color)
    issues += [color_issue] if color_issue else []
    items = tuple(clean_text(e) for e in evidence if clean_text(e))
    issues += [p for e in items for p in text_problems({"evidence": e}, required=())]
    _refuse(issues)
    return _new("progress", unit, activity, date, by, color=parsed_color, metrics=parsed, evidence=items, **fields)


def inspection(
    unit: str,
    activity: int,
    method: str,
    color: str,
    text: str,
    *,
    followup: str | Iterable[str] | None = None,
    due: dt.date | str | None = None,
    date: dt.date | str | None = None,
    by: str | None = None,
) -> Entry:
    """A new inspection entry (督导/抽查/暗访) with the inspectors' color and what it asks for.

    `followup`: one of 无/整改/约谈/通报 or several (`["约谈", "通报"]`); `due`: the deadline for
    整改 (only with 整改; None: the rules' default, counted from the inspection's date).
    """
    issues = []
    how = clean_text(method)
    if how not in METHODS:
        issues.append(f"方式 '{method}' 无效：可选 督导 / 抽查 / 暗访")
    parsed_color, color_issue = coerce_color(color, required=True)
    issues += [color_issue] if color_issue else []
    asks, ask_issues = parse_followups(followup)
    issues += ask_issues
    deadline = _deadline(due, "整改期限 --due", issues)
    if due is not None and str(due).strip() and "整改" not in asks:
        issues.append("整改期限 --due 只用于要求整改的检查（--followup 整改）")
    body = clean_text(text)
    issues += text_problems({"text": body}, names={"text": "检查发现"})
    day = _day(date)
    if deadline is not None and deadline < day:
        issues.append(f"整改期限 {deadline} 早于检查日期 {day}")
    _refuse(issues)
    return _new(
        "inspection", unit, activity, day, by, color=parsed_color, text=body, method=how, followup=asks, due=deadline
    )


def _deadline(due: dt.date | str | None, what: str, issues: list[str]) -> dt.date | None:
    """A deadline as typed (None when not given); a bad one is noted in `issues`."""
    if due is None or not str(due).strip():
        return None
    try:
        return due if isinstance(due, dt.date) else parse_date(str(due), what)
    except UsageProblem as exc:
        issues.append(str(exc))
        return None


def parse_followups(values: str | Iterable[str] | None) -> tuple[tuple[str, ...], list[str]]:
    """What was typed for 后续处理 (`整改`, `约谈`, `无`, several) → (asks in `FOLLOWUP_ASKS` order, problems)."""
    items = [values] if values is None or isinstance(values, str) else list(values)
    asks: set[str] = set()
    issues = []
    for item in items:
        raw = folded(clean_text(item)).lower()  # ｎｏｎｅ typed in full-width mode
        if raw in ("无", "none", ""):
            continue
        if raw not in FOLLOWUP_ASKS:
            issues.append(f"后续处理 '{item}' 无效：可选 无 / 整改 / 约谈 / 通报（可写多次）")
            continue
        asks.add(raw)
    return tuple(a for a in FOLLOWUP_ASKS if a in asks), issues


def followup_entry(
    inspection_entry: Entry,
    result: str,
    *,
    text: str | None = None,
    due: dt.date | str | None = None,
    date: dt.date | str | None = None,
    by: str | None = None,
) -> Entry:
    """A followup entry (后续处理结果) about an inspection: same unit and activity, `ref` its id.

    `result`: 已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过, and the inspection must have asked
    for what it answers (已约谈 needs 约谈, …); `due`: only with 验收不通过, the new deadline (None:
    the rules' default from this entry's date). `UsageProblem` lists every reason it cannot be made.
    """
    issues = []
    what = clean_text(result)
    need = RESULT_NEEDS.get(what)
    if need is None:
        issues.append(f"结果 '{result}' 无效：可选 {' / '.join(FOLLOWUP_RESULTS)}")
    elif inspection_entry.kind != "inspection":
        issues.append(f"{inspection_entry.id} 不是检查记录（督导/抽查/暗访），不能记后续处理结果")
    elif need not in inspection_entry.followup:
        issues.append(
            f"检查 {inspection_entry.id}（{inspection_entry.date} {inspection_entry.method}）的后续处理是"
            f"“{followup_label(inspection_entry.followup)}”，没有要求{need}，不能记“{what}”"
        )
    day = _day(date)
    if day < inspection_entry.date:
        issues.append(f"日期 {day} 早于检查日期 {inspection_entry.date}")
    deadline = _deadline(due, "新的整改期限 --due", issues)
    if due is not None and str(due).strip():
        if what != "验收不通过":
            issues.append("--due（新的整改期限）只用于“验收不通过”")
        elif deadline is not None and deadline < day:
            issues.append(f"新的整改期限 {deadline} 早于记录日期 {day}")
    body = clean_text(text)
    issues += text_problems({"text": body}, required=(), names={"text": "说明"})
    _refuse(issues)
    return _new(
        "followup", inspection_entry.unit, inspection_entry.activity, day, by,
        ref=inspection_entry.id, result=what, text=body, due=deadline,
    )


def void_entry(target: Entry, reason: str, *, date: dt.date | str | None = None, by: str | None = None) -> Entry:
    """A void entry (作废) cancelling `target`: same unit and activity, with the reason."""
    body = clean_text(reason)
    _refuse(text_problems({"text": body}, names={"text": "作废原因"}))
    return _new("void", target.unit, target.activity, date, by, text=body, ref=target.id)


def _new(kind: str, unit: str, activity: int, date: dt.date | str | None, by: str | None, **fields: Any) -> Entry:
    """A new entry of `kind` with a fresh id, its day, its recorder and the time it is recorded."""
    return Entry(
        id=_new_id(),
        kind=kind,
        date=_day(date),
        unit=unit,
        activity=activity,
        by=clean_text(recorder(by)),
        at=now_iso(),
        **fields,
    )


def _new_id() -> str:
    from .storage import new_id

    return new_id()
