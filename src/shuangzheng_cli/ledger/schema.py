"""The pydantic models of a ledger line (format v1), for `check` and for validating an entry on append.

Readers never import this: they work on the plain `format.Entry`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, Strict, StringConstraints, field_validator

from .format import ID_PATTERN

UnitId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Color = Literal["red", "yellow", "blue", "green"]

ShortText = Annotated[str, StringConstraints(max_length=2000)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class _Record(BaseModel):
    """Fields shared by every ledger line. The field order is the key order on disk."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    v: Literal[1]
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{4,32}$")]
    kind: str
    date: dt.date
    unit: UnitId
    activity: Annotated[int, Strict()] = Field(ge=1)  # not "1", not true: what readers count
    by: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    at: dt.datetime

    @field_validator("date", mode="before")
    @classmethod
    def _strict_date(cls, v: Any) -> Any:
        if isinstance(v, str) and len(v) != 10:
            raise ValueError("日期须为 YYYY-MM-DD")
        return v

    @field_validator("at", mode="before")
    @classmethod
    def _at_is_text(cls, v: Any) -> Any:
        if not isinstance(v, str | dt.datetime):
            raise ValueError("记录时间须为 ISO 格式的文本，如 2022-09-21T10:00:00+08:00")
        return v


class ProgressRecord(_Record):
    kind: Literal["progress"]
    color: Color | None = None
    text: RequiredText
    problems: ShortText = ""
    next: ShortText = ""
    metrics: dict[
        Annotated[str, StringConstraints(min_length=1, max_length=50)],
        Annotated[float, Strict(), Field(allow_inf_nan=False)],  # a number: not "3", not true, not NaN
    ] = {}
    evidence: list[ShortText] = []


class InspectionRecord(_Record):
    kind: Literal["inspection"]
    method: Literal["督导", "抽查", "暗访"]
    color: Color
    text: RequiredText
    followup: Literal["none", "整改", "约谈", "通报"] = "none"


class VoidRecord(_Record):
    kind: Literal["void"]
    ref: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{4,32}$")]
    text: RequiredText


Record = Annotated[ProgressRecord | InspectionRecord | VoidRecord, Field(discriminator="kind")]
