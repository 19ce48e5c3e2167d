"""The pydantic models of a ledger line (format v1), for the full validation of a line `check`
does not pass on its fast path, and for the exact wording of its problems.

Every key, enum, pattern and limit comes from `format`; readers never import this module.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    Strict,
    StringConstraints,
    field_validator,
    model_validator,
)

from .format import (
    COLORS,
    ENTRY_ID_PATTERN,
    FOLLOWUP_ASKS,
    FOLLOWUP_RESULTS,
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

    @field_validator("date", "due", mode="before", check_fields=False)
    @classmethod
    def _strict_date(cls, v: Any) -> Any:
        """A day is `YYYY-MM-DD` text (not a number pydantic would take as a timestamp); `due` may be null."""
        if v is not None and (not isinstance(v, str | dt.date) or isinstance(v, str) and len(v) != 10):
            raise ValueError("日期须为 YYYY-MM-DD")
        return v

    @field_validator("v", mode="before")
    @classmethod
    def _version_is_the_integer(cls, v: Any) -> Any:
        """`1`, not `true` or `1.0` (which pydantic's Literal would take)."""
        if type(v) is not int:
            raise ValueError(f"须为整数 {VERSION}")
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

    @field_validator("metrics", "evidence", mode="before")
    @classmethod
    def _plain_members(cls, v: Any) -> Any:
        """The metrics' names and the evidence items hold no control character either."""
        if isinstance(v, dict | list):
            for member in v:
                _plain(member)
        return v


Ask = Literal[FOLLOWUP_ASKS]  # type: ignore[valid-type]


class InspectionRecord(_Record):
    kind: Literal["inspection"]
    method: Literal[METHODS]  # type: ignore[valid-type]
    color: Color
    text: RequiredText
    #: a list of what it asks for (each once); lines written before the list hold one string
    followup: list[Ask] | Literal[FOLLOWUPS] = "none"  # type: ignore[valid-type]
    due: dt.date | None = None

    @field_validator("followup", mode="before")
    @classmethod
    def _asks(cls, v: Any) -> Any:
        if isinstance(v, str):
            if v not in FOLLOWUPS:
                raise ValueError(f"{v!r} 无效，可选：整改、约谈、通报（列表），或旧格式的单个值 none/整改/约谈/通报")
            return v
        if not isinstance(v, list) or not all(isinstance(a, str) and a in FOLLOWUP_ASKS for a in v):
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
    ref: EntryId
    result: Literal[FOLLOWUP_RESULTS]  # type: ignore[valid-type]
    text: ShortText = ""
    due: dt.date | None = None

    @model_validator(mode="after")
    def _due_when_reopened(self) -> FollowupRecord:
        if self.due is not None and self.result != "验收不通过":
            raise ValueError("只有“验收不通过”才有新的整改期限 due")
        if self.due is not None and self.due < self.date:
            raise ValueError(f"新的整改期限 {self.due} 早于记录日期 {self.date}")
        return self


class VoidRecord(_Record):
    kind: Literal["void"]
    ref: EntryId
    text: RequiredText


Record = Annotated[ProgressRecord | InspectionRecord | FollowupRecord | VoidRecord, Field(discriminator="kind")]
