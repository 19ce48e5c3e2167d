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
FOLLOWUPS = ("none", "整改", "约谈", "通报")
FOLLOWUP_NAMES = {"none": "无", "整改": "整改", "约谈": "约谈", "通报": "通报"}

ID_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"

#: Key order on disk, per kind (the fields of the record models in `models`, in order).
RECORD_KEYS = {
    "progress": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "color", "text", "problems", "next", "metrics", "evidence"],
    "inspection": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "method", "color", "text", "followup"],
    "void": ["v", "id", "kind", "date", "unit", "activity", "by", "at", "ref", "text"],
}


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
    followup: str | None = None
    ref: str | None = None
    source: str = ""
    line: int = 0

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
            elif key == "followup" and value is None:
                value = "none"
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
            followup=obj.get("followup"),
            ref=obj.get("ref"),
            source=source,
            line=line,
        )


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v
