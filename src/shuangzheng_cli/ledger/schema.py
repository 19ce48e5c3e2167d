"""The pydantic models of a ledger line (format v1), for the full validation of a line `check`
does not pass on its fast path, and for the exact wording of its problems.

Every key, enum, pattern and limit comes from `format`; readers never import this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, field_validator

from .format import (
    COLORS,
    ENTRY_ID_PATTERN,
    FOLLOWUPS,
    FORBIDDEN_RE,
    ID_PATTERN,
    MAX_BY,
    MAX_METRIC,
    MAX_METRIC_NAME,
    MAX_TEXT,
    METHODS,
    VERSION,
)

UnitId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
EntryId = Annotated[str, StringConstraints(pattern=ENTRY_ID_PATTERN)]
Color = Literal[COLORS]  # type: ignore[valid-type]


def _plain(value: Any) -> Any:
    """No control character or bidi override (`format.FORBIDDEN_RE`)."""
    if isinstance(value, str):
        found = FORBIDDEN_RE.search(value)
        if found:
            raise ValueError(f"第 {found.start() + 1} 个字符是控制字符或文字方向控制符 U+{ord(found[0]):04X}")
    return value


ShortText = Annotated[str, StringConstraints(max_length=MAX_TEXT)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=MAX_TEXT)]
MetricName = Annotated[str, StringConstraints(min_length=1, max_length=MAX_METRIC_NAME)]
# a number: not "3", not true, not NaN; not negative, not past MAX_METRIC
MetricValue = Annotated[float, Strict(), Field(allow_inf_nan=False, ge=0, le=MAX_METRIC)]


class _Record(BaseModel):
    """Fields shared by every ledger line. The field order is the key order on disk (`format.RECORD_KEYS`)."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    v: Literal[VERSION]  # type: ignore[valid-type]
    id: EntryId
    kind: str
    date: dt.date
    unit: UnitId
    activity: Annotated[int, Strict()] = Field(ge=1)  # not "1", not true: what readers count
    by: Annotated[str, StringConstraints(min_length=1, max_length=MAX_BY)]
    at: dt.datetime

    @field_validator("date", mode="before")
    @classmethod
    def _strict_date(cls, v: Any) -> Any:
        if not isinstance(v, str | dt.date) or isinstance(v, str) and len(v) != 10:
            raise ValueError("日期须为 YYYY-MM-DD")
        return v

    @field_validator("at", mode="before")
    @classmethod
    def _at_is_text(cls, v: Any) -> Any:
        if not isinstance(v, str | dt.datetime):
            raise ValueError("记录时间须为 ISO 格式的文本，如 2022-09-21T10:00:00+08:00")
        return v

    @field_validator("by", "text", "problems", "next", mode="before", check_fields=False)
    @classmethod
    def _no_control(cls, v: Any) -> Any:
        return _plain(v)


class ProgressRecord(_Record):
    kind: Literal["progress"]
    color: Color | None = None
    text: RequiredText
    problems: ShortText = ""
    next: ShortText = ""
    metrics: dict[MetricName, MetricValue] = {}
    evidence: list[ShortText] = []

    @field_validator("metrics", mode="before")
    @classmethod
    def _plain_names(cls, v: Any) -> Any:
        if isinstance(v, dict):
            for name in v:
                _plain(name)
        return v

    @field_validator("evidence", mode="before")
    @classmethod
    def _plain_items(cls, v: Any) -> Any:
        if isinstance(v, list):
            for item in v:
                _plain(item)
        return v


class InspectionRecord(_Record):
    kind: Literal["inspection"]
    method: Literal[METHODS]  # type: ignore[valid-type]
    color: Color
    text: RequiredText
    followup: Literal[FOLLOWUPS] = "none"  # type: ignore[valid-type]


class VoidRecord(_Record):
    kind: Literal["void"]
    ref: EntryId
    text: RequiredText


Record = Annotated[ProgressRecord | InspectionRecord | VoidRecord, Field(discriminator="kind")]
