"""Models of the campaign's definitions (方案) and of a ledger entry (台账记录).

The definitions are pydantic models, validated once when `data/*.yaml` is loaded.
A ledger line is validated by the pydantic record models on append and in `check`;
everywhere else it is read into the small frozen `Entry`, which the core works on.
Only loading the YAML (a catalog not in its cache) and the full validation of a line import
this module: the plain data (`Entry`, colors…) lives in `entry`, re-exported here.
"""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..ledger.format import (
    ID_PATTERN,
)

UnitId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Color = Literal["red", "yellow", "blue", "green"]


class _Model(BaseModel):
    # defer_build: a model's validator is built on first use (loading the definitions), not at
    # import; a catalog read from its cache never builds one.
    model_config = ConfigDict(extra="forbid", frozen=True, str_strip_whitespace=True, defer_build=True)


# ---------------------------------------------------------------- units.yaml


class Liaison(_Model):
    """联络员: each unit names one person who reports its progress."""

    name: str
    phone: str | None = None
    note: str | None = None


class Unit(_Model):
    """责任单位."""

    id: UnitId
    name: str = Field(min_length=1)
    aliases: list[str] = []
    kind: str = "其他"
    liaison: Liaison | None = None


class Group(_Model):
    """A group phrase of the plan (各乡镇（区、办）, 市直各单位…).

    With members it stands for each of them; without members it reports as one entity.
    """

    id: UnitId
    name: str = Field(min_length=1)
    aliases: list[str] = []
    members: list[str] = []
    note: str | None = None
    kind: str = "单位组"
    liaison: Liaison | None = None


class LeaderEntry(_Model):
    role: str
    name: str
    title: str = ""


class WorkingGroup(_Model):
    name: str
    leader: str
    deputy_leaders: list[str] = []
    members: list[str] = []
    duties: str = ""


class Office(_Model):
    name: str
    director: str = ""
    location: str = ""


class LeadingGroup(_Model):
    """领导小组 and its office's working groups (附件)."""

    name: str
    members: list[LeaderEntry] = []
    office: Office | None = None
    working_groups: list[WorkingGroup] = []


class UnitsFile(_Model):
    units: list[Unit]
    groups: list[Group] = []
    leading_group: LeadingGroup | None = None


# ---------------------------------------------------------------- activities.yaml


class Briefing(_Model):
    """信息简报 (信息简报组 整理编发活动信息、简报): its masthead, issue numbers and distribution.

    The issue (期) of a week's briefing is `first_number` for the week of `first_week`
    (default: the campaign's first day) and one more for each week after it.
    """

    name: str = "“双争”活动简报"
    compiler: str = ""  # 编印单位 (default: campaign.office)
    first_number: int = Field(default=1, ge=1)
    first_week: dt.date | None = None
    report_to: str = "廊坊市文明委，市委、市政府有关领导同志"  # 报
    send_to: str = "市文明委各成员单位"  # 送
    distribute_to: str = "各乡镇（区、办），市直各单位，中省直驻霸各单位"  # 发


class Campaign(_Model):
    title: str
    short_name: str = "双争活动"
    doc_number: str = ""
    issuer: str = ""
    date: dt.date
    office: str = ""
    office_location: str = ""
    briefing: Briefing = Briefing()


class Phase(_Model):
    """One of the plan's three phases (时间安排)."""

    number: int = Field(ge=1)
    name: str
    start: dt.date
    end: dt.date | None = None
    summary: str = ""

    @model_validator(mode="after")
    def _end_after_start(self) -> Phase:
        if self.end is not None and self.end < self.start:
            raise ValueError(f"阶段结束日期 {self.end} 早于开始日期 {self.start}")
        return self


class Interval(_Model):
    """A reporting interval: what "on time" means for an activity."""

    name: str
    days: int = Field(gt=0)
    yellow_after_days: int = Field(gt=0)
    red_after_days: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> Interval:
        if self.red_after_days < self.yellow_after_days:
            raise ValueError("red_after_days 不能小于 yellow_after_days")
        return self


def _default_intervals() -> dict[str, Interval]:
    return {
        "weekly": Interval(name="每周", days=7, yellow_after_days=14, red_after_days=28),
        "monthly": Interval(name="每月", days=31, yellow_after_days=45, red_after_days=75),
        "quarterly": Interval(name="每季度", days=92, yellow_after_days=120, red_after_days=184),
    }


class Scoring(_Model):
    """年度考核: weights of the four components (sum 100) and deductions."""

    weights: dict[Literal["timeliness", "color", "inspections", "targets"], float] = {
        "timeliness": 30,
        "color": 30,
        "inspections": 20,
        "targets": 20,
    }
    deduction_per_finding: float = Field(default=2, ge=0)
    deduction_per_interview: float = Field(default=5, ge=0)
    deduction_per_bulletin: float = Field(default=10, ge=0)

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if w < 0:
                raise ValueError(f"权重 {k} 不能为负数")
        return v


class ColorStyle(_Model):
    """How a color looks in Excel (fill, RGB hex) and in the terminal (rich style)."""

    fill: Annotated[str, StringConstraints(pattern=r"^[0-9A-Fa-f]{6}$")]
    style: str


def _default_colors() -> dict[str, ColorStyle]:
    return {
        "red": ColorStyle(fill="F4B6B6", style="bold white on red"),
        "yellow": ColorStyle(fill="FFE699", style="bold black on yellow"),
        "blue": ColorStyle(fill="BDD7EE", style="bold white on blue"),
        "green": ColorStyle(fill="C6E0B4", style="bold white on green"),
    }


class Rules(_Model):
    """Four-color thresholds (四色管理法)."""

    start_grace_days: int = Field(default=14, gt=0)
    inspection_valid_days: int = Field(default=30, gt=0)
    interview_after_weeks: int = Field(default=2, gt=0)
    rectify_days: int = Field(default=30, gt=0)
    remind_days: int = Field(default=2, ge=0)
    target_red_ratio: float = Field(default=0.5, gt=0, le=1)
    target_grace_days: int = Field(default=14, ge=0)
    intervals: dict[str, Interval] = Field(default_factory=_default_intervals)
    scoring: Scoring = Scoring()
    colors: dict[str, ColorStyle] = Field(default_factory=_default_colors)


class Category(_Model):
    number: int = Field(ge=1)
    name: str
    summary: str = ""


class Target(_Model):
    """A quantity the plan states (e.g. 100 先进集体和先进个人 a year)."""

    metric: str = Field(min_length=1)
    value: float = Field(gt=0)
    unit: str = ""
    per: Literal["year", "quarter", "month"] | None = None
    due: dt.date | None = None
    applies_to: Literal["lead", "each"] = "lead"
    text: str = ""

    @model_validator(mode="after")
    def _per_or_due(self) -> Target:
        if (self.per is None) == (self.due is None):
            raise ValueError("目标须且只能写 per（按年/季/月）或 due（截止日期）之一")
        return self


class Activity(_Model):
    """One of the 18 activities, with its responsible units (first = lead)."""

    number: int = Field(ge=1)
    category: int
    title: str
    short: str = ""
    subitems: list[str] = []
    units: list[str] = Field(min_length=1)
    interval: str = "weekly"
    targets: list[Target] = []


class ActivitiesFile(_Model):
    campaign: Campaign
    phases: list[Phase] = Field(min_length=1)
    rules: Rules = Rules()
    categories: list[Category]
    activities: list[Activity]
