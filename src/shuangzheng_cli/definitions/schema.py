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
    BeforeValidator,
    ConfigDict,
    Field,
    StringConstraints,
    field_validator,
    model_validator,
)

from ..errors import UsageProblem
from ..ledger.format import (
    ID_PATTERN,
    parse_color,
)
from ..periods import folded, parse_date
from .catalog import SCORE_PARTS

UnitId = Annotated[str, StringConstraints(pattern=ID_PATTERN)]
Color = Literal["red", "yellow", "blue", "green"]


def _office_date(value: object) -> object:
    """A date of the definitions, read as the command line reads one (`periods.parse_date`):
    2022-09-01, 2022/9/1, 2022年9月1日, 20220901, full-width too. YAML hands them over as text
    (`yamlfile.DefinitionLoader` keeps dates text) or, for 20220901, as a number; a `date` (an
    explicit `!!timestamp`) passes as it is. 今天 is refused: a definition names a fixed day."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    if not isinstance(value, str):
        return value  # None, a date, or something pydantic names (a list…)
    try:
        return parse_date(value, today_words=False)
    except UsageProblem as exc:
        if "超出范围" in exc.message:
            raise ValueError(exc.message) from None
    raw = value.strip()
    if folded(raw).lower() in ("今天", "today"):
        raise ValueError(f"日期 '{raw}' 无效：这里须写具体日期（如 2022-09-01），“今天”每天都在变")
    raise ValueError(f"日期 '{raw}' 无效：须为真实日期，写成 YYYY-MM-DD（如 2022-09-01）、2022/9/1 或 2022年9月1日")


#: A date field of the definitions (`_office_date`); `OptionalDate` may also be null.
Date = Annotated[dt.date, BeforeValidator(_office_date)]
OptionalDate = Annotated[dt.date | None, BeforeValidator(_office_date)]

#: The English values of the definitions' fixed choices and how each is displayed (the comments of
#: activities.yaml, the listings); the value, its display name and the other spellings are all accepted.
CHOICE_NAMES: dict[str, dict[str, tuple[str, ...]]] = {
    "per": {
        "year": ("每年", "年", "按年", "年度"),
        "quarter": ("每季度", "季度", "每季", "按季", "按季度", "季"),
        "month": ("每月", "月", "按月", "月度"),
    },
    "applies_to": {
        "lead": ("牵头单位", "牵头", "只计牵头单位"),
        "each": ("每个责任单位", "各责任单位", "每个单位", "各单位", "各自承担", "每个责任单位各自承担"),
    },
}
#: Other spellings of the default reporting intervals (each interval's `name` is accepted anyway).
INTERVAL_SPELLINGS: dict[str, tuple[str, ...]] = {
    "weekly": ("每周", "按周", "周"),
    "monthly": ("每月", "按月", "月"),
    "quarterly": ("每季度", "每季", "按季度", "按季", "季度", "季"),
}


def _spelled(field: str):  # noqa: ANN202 - a validator
    """A before-validator reading the value of `field` or any name of it (`CHOICE_NAMES`), in half- or full-width."""
    table = CHOICE_NAMES[field]

    def read(value: object) -> object:
        if not isinstance(value, str):
            return value
        plain = folded(value)
        if plain.lower() in table:
            return plain.lower()
        return next((key for key, names in table.items() if plain in names), value)

    return BeforeValidator(read)


def interval_spellings(rules: object) -> dict[str, str]:
    """Every way an activity's `interval` may be written → the interval's key: the keys of
    `rules.intervals` as the YAML has them (the defaults when it has none), each interval's `name`
    (每周…) and `INTERVAL_SPELLINGS`, compared `folded`. A key wins over a name, a name over a spelling."""
    intervals = rules.get("intervals") if isinstance(rules, dict) else None
    if not isinstance(intervals, dict):
        intervals = {k: {"name": v.name} for k, v in _default_intervals().items()}
    out: dict[str, str] = {}
    for key in intervals:
        out.setdefault(folded(key).lower(), str(key))
    for key, spec in intervals.items():
        name = spec.get("name") if isinstance(spec, dict) else None
        if isinstance(name, str) and folded(name):
            out.setdefault(folded(name), str(key))
    for key, spellings in INTERVAL_SPELLINGS.items():
        if key in intervals:
            for spelling in spellings:
                out.setdefault(spelling, key)
    return out


def interval_key(value: object, spellings: dict[str, str]) -> str | None:
    """The interval `value` names (`interval_spellings`), or None."""
    if not isinstance(value, str):
        return None
    plain = folded(value)
    return spellings.get(plain) or spellings.get(plain.lower())


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
    first_week: OptionalDate = None
    report_to: str = "廊坊市文明委，市委、市政府有关领导同志"  # 报
    send_to: str = "市文明委各成员单位"  # 送
    distribute_to: str = "各乡镇（区、办），市直各单位，中省直驻霸各单位"  # 发


class Campaign(_Model):
    title: str
    short_name: str = "双争活动"
    doc_number: str = ""
    issuer: str = ""
    date: Date
    office: str = ""
    office_location: str = ""
    briefing: Briefing = Briefing()


class Phase(_Model):
    """One of the plan's three phases (时间安排)."""

    number: int = Field(ge=1)
    name: str
    start: Date
    end: OptionalDate = None
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

    @field_validator("weights", mode="before")
    @classmethod
    def _named(cls, v: object) -> object:
        """The parts may be written by their Chinese names (报送及时: 30), as the score shows them."""
        if not isinstance(v, dict):
            return v
        keys = {name: key for key, name in SCORE_PARTS.items()}
        return {keys.get(folded(k), k) if isinstance(k, str) else k: w for k, w in v.items()}

    @field_validator("weights")
    @classmethod
    def _non_negative(cls, v: dict[str, float]) -> dict[str, float]:
        for k, w in v.items():
            if w < 0:
                raise ValueError(f"权重 {k} 不能为负数")
        total = sum(v.values())
        if abs(total - 100) > 1e-6:  # each weight is that part's full marks: they make the 100 points
            parts = "、".join(f"{SCORE_PARTS[k]} {w:g}" for k, w in v.items())
            raise ValueError(f"各项权重合计须为 100（现为 {total:g}：{parts}）")
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

    @field_validator("colors", mode="before")
    @classmethod
    def _color_names(cls, v: object) -> object:
        """A color's key may be written as the color is shown (红/黄/蓝/绿, 红色…): `parse_color`."""
        if not isinstance(v, dict):
            return v
        return {(parse_color(k) or k) if isinstance(k, str) else k: style for k, style in v.items()}


class Category(_Model):
    number: int = Field(ge=1)
    name: str
    summary: str = ""


class Target(_Model):
    """A quantity the plan states (e.g. 100 先进集体和先进个人 a year)."""

    metric: str = Field(min_length=1)
    value: float = Field(gt=0)
    unit: str = ""
    per: Annotated[Literal["year", "quarter", "month"] | None, _spelled("per")] = None
    due: OptionalDate = None
    applies_to: Annotated[Literal["lead", "each"], _spelled("applies_to")] = "lead"
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

    @model_validator(mode="before")
    @classmethod
    def _interval_names(cls, data: object) -> object:
        """An activity's `interval` written as its name (每周) or a spelling of it becomes the
        interval's key (weekly), so everything after the schema sees keys (`catalog._cross_check`
        names one that is neither)."""
        if not isinstance(data, dict) or not isinstance(data.get("activities"), list):
            return data
        spellings = interval_spellings(data.get("rules"))
        activities = [
            {**a, "interval": interval_key(a["interval"], spellings) or a["interval"]}
            if isinstance(a, dict) and isinstance(a.get("interval"), str) else a
            for a in data["activities"]
        ]
        return {**data, "activities": activities}
