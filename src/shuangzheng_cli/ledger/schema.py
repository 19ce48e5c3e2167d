"""The pydantic models of a ledger line (format v1), for `check` and for validating an entry on append.

Readers never import this: they work on the plain `format.Entry`.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_validator,
)

from .format import ID_PATTERN

UnitId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Color = Literal["red", "yellow", "blue", "green"]

def _ten_characters(v: Any) -> Any:  # noqa: ANN401 - any JSON value
    """A date written YYYY-MM-DD (pydantic alone also takes 20221001 or 2022-10-01T00:00)."""
    if isinstance(v, str) and len(v) != 10:
        raise ValueError("日期须为 YYYY-MM-DD")
    return v


Day = Annotated[dt.date, BeforeValidator(_ten_characters)]
Deadline = Annotated[dt.date | None, BeforeValidator(_ten_characters)]

ShortText = Annotated[str, StringConstraints(max_length=2000)]
RequiredText = Annotated[str, StringConstraints(min_length=1, max_length=2000)]


class _Record(BaseModel):
    """Fields shared by every ledger line. The field order is the key order on disk."""

    model_config = ConfigDict(extra="forbid", frozen=True, defer_build=True)

    v: Literal[1]
    id: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{4,32}$")]
    kind: str
    date: Day
    unit: UnitId
    activity: Annotated[int, Strict()] = Field(ge=1)  # not "1", not true: what readers count
    by: Annotated[str, StringConstraints(min_length=1, max_length=100)]
    at: dt.datetime

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


Ask = Literal["整改", "约谈", "通报"]


class InspectionRecord(_Record):
    kind: Literal["inspection"]
    method: Literal["督导", "抽查", "暗访"]
    color: Color
    text: RequiredText
    #: a list of what it asks for (each once); lines written before the list hold one string
    followup: list[Ask] | Literal["none", "整改", "约谈", "通报"] = "none"
    due: Deadline = None

    @field_validator("followup", mode="before")
    @classmethod
    def _asks(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v not in ("none", "整改", "约谈", "通报"):
                raise ValueError(f"{v!r} 无效，可选：整改、约谈、通报（列表），或旧格式的单个值 none/整改/约谈/通报")
            return v
        if not isinstance(v, list) or not all(isinstance(a, str) and a in ("整改", "约谈", "通报") for a in v):
            raise ValueError(f"{v!r} 无效：应为列表，每项为 整改、约谈 或 通报")
        if len(set(v)) != len(v):
            raise ValueError("同一项后续处理只能写一次")
        return v

    @model_validator(mode="after")
    def _due_with_rectification(self) -> InspectionRecord:
        asks = [self.followup] if isinstance(self.followup, str) else self.followup
        if self.due is not None and "整改" not in asks:
            raise ValueError("只有要求整改的检查才有整改期限 due")
        if self.due is not None and self.due < self.date:
            raise ValueError(f"整改期限 {self.due} 早于检查日期 {self.date}")
        return self


class FollowupRecord(_Record):
    """What came of an inspection's follow-up (约谈已进行、已通报、整改完成、验收)."""

    kind: Literal["followup"]
    ref: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{4,32}$")]
    result: Literal["已约谈", "已通报", "整改完成", "验收通过", "验收不通过"]
    text: ShortText = ""
    due: Deadline = None

    @model_validator(mode="after")
    def _due_when_reopened(self) -> FollowupRecord:
        if self.due is not None and self.result != "验收不通过":
            raise ValueError("只有“验收不通过”才有新的整改期限 due")
        if self.due is not None and self.due < self.date:
            raise ValueError(f"新的整改期限 {self.due} 早于记录日期 {self.date}")
        return self


class VoidRecord(_Record):
    kind: Literal["void"]
    ref: Annotated[str, StringConstraints(pattern=r"^[a-z0-9]{4,32}$")]
    text: RequiredText


Record = Annotated[ProgressRecord | InspectionRecord | FollowupRecord | VoidRecord, Field(discriminator="kind")]
