"""Plain data of the ledger, without pydantic: colors, methods, follow-ups, and the `Entry`.

Everything the hot paths (`add`, `status`, `check`) need that is not a validator lives here,
so they never import pydantic; `models` re-exports it all.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

# ---------------------------------------------------------------- colors (四色)

COLORS = ("red", "yellow", "blue", "green")
COLOR_NAMES = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}
COLOR_MEANINGS = {
    "red": "严重滞后/未启动",
    "yellow": "进度滞后",
    "blue": "正常推进",
    "green": "已完成/超进度",
}
#: Higher is worse: the worst color of all rules wins.
SEVERITY = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
NOT_STARTED = "not_started"
NOT_STARTED_NAME = "未开始"

_COLOR_INPUT = {
    "red": "red", "红": "red", "红色": "red", "r": "red",
    "yellow": "yellow", "黄": "yellow", "黄色": "yellow", "y": "yellow",
    "blue": "blue", "蓝": "blue", "蓝色": "blue", "b": "blue",
    "green": "green", "绿": "green", "绿色": "green", "g": "green",
}


def parse_color(text: str) -> str | None:
    """A color from what people type: green/blue/yellow/red or 绿/蓝/黄/红 (also 绿色…)."""
    return _COLOR_INPUT.get(text.strip().lower())


METHODS = ("督导", "抽查", "暗访")
#: What an inspection may ask for (后续处理). On disk an inspection's `followup` is a list of
#: these (empty: none); lines written before the list read as one string, "none" or one of them.
FOLLOWUPS = ("none", "整改", "约谈", "通报")
FOLLOWUP_ASKS = ("整改", "约谈", "通报")
FOLLOWUP_NAMES = {"none": "无", "整改": "整改", "约谈": "约谈", "通报": "通报"}
#: The results a `followup` entry records (后续处理结果), and what each needs the inspection to ask for.
FOLLOWUP_RESULTS = ("已约谈", "已通报", "整改完成", "验收通过", "验收不通过")
RESULT_NEEDS = {"已约谈": "约谈", "已通报": "通报", "整改完成": "整改", "验收通过": "整改", "验收不通过": "整改"}
KINDS = ("progress", "inspection", "followup", "void")

ID_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"

#: Key order on disk, per kind (the fields of the record models in `models`, in order).
RECORD_KEYS = {
    "progress": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "color", "text", "problems", "next", "metrics", "evidence"],
    "inspection": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "method", "color", "text", "followup", "due"],
    "followup": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "ref", "result", "text", "due"],
    "void": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "ref", "text"],
}
#: The key order of inspection lines written before `followup` became a list and `due` was added
#: (`followup` one string); still read everywhere, and still valid.
OLD_INSPECTION_KEYS = ["v", "id", "kind", "date", "unit", "activity", "by", "at", "method", "color", "text", "followup"]


def followup_asks(value: object) -> tuple[str, ...]:
    """An inspection's `followup` as read from a line → what it asks for, in `FOLLOWUP_ASKS` order.

    `"none"`, `None` or `[]` → `()`; an old single string `"约谈"` → `("约谈",)`; a list → its
    known items, each once. Anything else reads as `()` (`check` reports it).
    """
    if isinstance(value, str):
        return (value,) if value in FOLLOWUP_ASKS else ()
    if isinstance(value, list | tuple):
        return tuple(a for a in FOLLOWUP_ASKS if a in value)
    return ()


def followup_label(asks: tuple[str, ...]) -> str:
    """What an inspection asks for, as people read it: `约谈、通报`, or `无`."""
    return "、".join(asks) if asks else FOLLOWUP_NAMES["none"]


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry (台账记录) as the core sees it: plain, frozen, with its place."""

    id: str
    kind: str
    date: dt.date
    unit: str
    activity: int
    by: str = ""
    at: str = ""
    color: str | None = None
    text: str = ""
    problems: str = ""
    next: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    method: str | None = None
    #: inspection: what it asks for (整改/约谈/通报, in that order; empty: none)
    followup: tuple[str, ...] = ()
    ref: str | None = None
    #: followup: 已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过
    result: str | None = None
    #: inspection asking for 整改, or followup 验收不通过: the deadline for rectification (整改期限)
    due: dt.date | None = None
    source: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        if type(self.followup) is not tuple or len(self.followup) > 1:  # "约谈", "none", a list, any order
            object.__setattr__(self, "followup", followup_asks(self.followup))

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        return (self.date, self.at, self.id)

    @property
    def place(self) -> str:
        return f"{self.source}:{self.line}" if self.source else ""

    def to_record(self) -> dict[str, Any]:
        """The JSON object of this entry, keys in the fixed order of format v1."""
        out: dict[str, Any] = {}
        for key in RECORD_KEYS[self.kind]:
            if key == "v":
                out[key] = 1
                continue
            value = getattr(self, key)
            if key == "date":
                value = value.isoformat()
            elif key == "evidence":
                value = list(value)
            elif key == "metrics":
                value = {k: _number(v) for k, v in value.items()}
            elif key == "followup":
                value = list(value)
            elif key == "due" and value is not None:
                value = value.isoformat()
            out[key] = value
        return out

    @classmethod
    def from_record(cls, obj: dict[str, Any], source: str = "", line: int = 0) -> Entry:
        """Build from a JSON object already known to be valid (fast path, no validation)."""
        return cls(
            id=obj["id"],
            kind=obj["kind"],
            date=dt.date.fromisoformat(obj["date"]),
            unit=obj["unit"],
            activity=obj["activity"],
            by=obj.get("by", ""),
            at=obj.get("at", ""),
            color=obj.get("color"),
            text=obj.get("text", ""),
            problems=obj.get("problems", ""),
            next=obj.get("next", ""),
            metrics=obj.get("metrics") or {},
            evidence=tuple(obj.get("evidence") or ()),
            method=obj.get("method"),
            followup=followup_asks(obj.get("followup")),
            ref=obj.get("ref"),
            result=obj.get("result"),
            due=day_or_none(obj.get("due")),
            source=source,
            line=line,
        )


def day_or_none(value: object) -> dt.date | None:
    """A `YYYY-MM-DD` text as a date; None for anything else."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v
