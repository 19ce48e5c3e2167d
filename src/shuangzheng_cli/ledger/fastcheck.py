"""The fast path of line validation: one ledger line's bytes → its parsed line, or None.

The line types (`Progress`, `Inspection`, `Followup`, `Void`: msgspec structs, one per kind,
their fields the keys of `format.RECORD_KEYS` with pydantic's defaults) are what the one reader
hands its sinks: an accepted line, its keys as attributes (`line.kind`, `line.date`…, days as
ISO text). msgspec parses the JSON into them and checks in C what the types say: every key
known and no other, the exact types (no `true` for 1, no `3.0` for 3, no `"3"`), the enums
(colors, methods, follow-ups, results), the text lengths, the metrics' range (finite, 0 …
`MAX_METRIC`), the kinds. `FastChecker.line` then checks in Python what the catalog and the
file's place say and what a type cannot: the id pattern, a real date in the campaign and not
after today, in the right unit file and year folder, a time in the format the tool writes, no
control character or bidi override (`format.FORBIDDEN_RE`), the `due` rules, an `at` not past
`format.latest_at`. Every limit comes from `format`. Anything else, even what pydantic would
accept (a time without its offset, an old one-string follow-up with a deadline), answers None, and the caller asks
the full validation (`reader.LineJudge.full`), which gives the exact Chinese message. So the fast
path can only make a good line cheaper, never change an answer.

Ids: `format.id_code`.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import TYPE_CHECKING, Annotated, Any, ClassVar, Literal, Union

import msgspec
from msgspec import Meta, Struct

from .format import (
    CLOCK_MINUTE,
    CLOCK_REST,
    COLORS,
    DATE_RE,
    ENTRY_ID_RE,
    FOLLOWUP_ASKS,
    FOLLOWUP_RESULTS,
    FOLLOWUPS,
    FORBIDDEN_RE,
    MAX_BY,
    MAX_METRIC,
    MAX_METRIC_NAME,
    MAX_TEXT,
    METHODS,
    RECORD_KEYS,
    UNIT_ID_RE,
    VERSION,
    latest_at,
)

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

_ID = ENTRY_ID_RE
_DATE = DATE_RE
_MINUTE = re.compile(CLOCK_MINUTE)
_REST = re.compile(CLOCK_REST)
_forbidden = FORBIDDEN_RE.search
_CACHE_LIMIT = 100_000

# ------------------------------------------------------------ the line types (format v1)

_Text = Annotated[str, Meta(max_length=MAX_TEXT)]
_RequiredText = Annotated[str, Meta(min_length=1, max_length=MAX_TEXT)]
_MetricName = Annotated[str, Meta(min_length=1, max_length=MAX_METRIC_NAME)]
_Metric = Union[Annotated[int, Meta(ge=0, le=MAX_METRIC)], Annotated[float, Meta(ge=0, le=MAX_METRIC)]]  # noqa: UP007
_Color = Literal[COLORS]  # type: ignore[valid-type]


class Line(Struct, tag_field="kind", forbid_unknown_fields=True, kw_only=True, gc=False):
    """A ledger line as the reader hands it on: the keys every line has (`format.COMMON_KEYS`)."""

    kind: ClassVar[str]
    v: Literal[VERSION]  # type: ignore[valid-type]
    id: str
    date: str
    unit: str
    activity: Annotated[int, Meta(ge=1)]
    by: Annotated[str, Meta(min_length=1, max_length=MAX_BY)]
    at: Annotated[str, Meta(min_length=20)]


class Progress(Line, tag="progress", kw_only=True):
    kind: ClassVar[str] = "progress"
    color: _Color | None = None
    text: _RequiredText
    problems: _Text = ""
    next: _Text = ""
    metrics: dict[_MetricName, _Metric] = {}
    evidence: list[_Text] = []


class Inspection(Line, tag="inspection", kw_only=True):
    kind: ClassVar[str] = "inspection"
    method: Literal[METHODS]  # type: ignore[valid-type]
    color: _Color
    text: _RequiredText
    #: a list of what it asks for; lines written before the list hold one string (`format.FOLLOWUPS`)
    followup: list[Literal[FOLLOWUP_ASKS]] | Literal[FOLLOWUPS] = "none"  # type: ignore[valid-type]
    due: str | None = None


class Followup(Line, tag="followup", kw_only=True):
    kind: ClassVar[str] = "followup"
    ref: str
    result: Literal[FOLLOWUP_RESULTS]  # type: ignore[valid-type]
    text: _Text = ""
    due: str | None = None


class Void(Line, tag="void", kw_only=True):
    kind: ClassVar[str] = "void"
    ref: str
    text: _RequiredText


#: kind → its line type
LINE_TYPES: dict[str, type[Line]] = {t.kind: t for t in (Progress, Inspection, Followup, Void)}
assert all({"kind", *t.__struct_fields__} == set(RECORD_KEYS[k]) for k, t in LINE_TYPES.items()), "format v1 and the line types differ"
_decode = msgspec.json.Decoder(Union[Progress, Inspection, Followup, Void]).decode  # noqa: UP007
_Bad = msgspec.MsgspecError


def line_of(obj: dict[str, Any]) -> Line:
    """The line of a JSON object the full validation accepted (keys of its kind only; not checked again)."""
    return LINE_TYPES[obj["kind"]](**{k: v for k, v in obj.items() if k != "kind"})


class FastChecker:
    """The fast check of one parsed line, with the catalog's answers worked out once.

    `catalog` None: only the shape (what `schema_problems` checks), for a ledger without definitions.
    One checker serves any number of files: what it remembers (the answer for each date, each
    minute of a time, each recorder's name and metric name seen) only grows with distinct values,
    and each memory stops growing at `_CACHE_LIMIT`.
    """

    def __init__(self, catalog: Catalog | None, today: dt.date):
        self.dates: dict[str, bool] = {}  # "YYYY-MM-DD" -> a real date
        self.days: dict[str, str] = {}  # an entry's date -> its year if real and in the campaign up to today, else ""
        self.at_days: dict[str, bool] = {}  # the date of an `at` -> real and not past `latest_at`
        self.minutes: dict[str, bool] = {}  # "THH:MM" of an `at`
        self.rests: dict[str, bool] = {}  # ":SS[.ffffff]±HH:MM" of an `at`
        self.names: dict[str, bool] = {}  # a recorder's name or a metric's name -> fit for its place
        self.today = today.isoformat()
        self.latest_at = latest_at(today)
        self.activities: dict[str, frozenset[int]] | None = None  # unit -> the activities it may report on
        if catalog is None:
            self.start = "0001-01-01"
            self.today = "9999-12-31"
            return
        self.start = catalog.phases[0].start.isoformat()
        activities: dict[str, set[int]] = {}
        for unit, activity in catalog.reporting_pairs:
            activities.setdefault(unit, set()).add(activity)
        self.activities = {unit: frozenset(acts) for unit, acts in activities.items()}

    def _real_date(self, text: str) -> bool:
        known = self.dates.get(text)
        if known is None:
            try:
                known = _DATE.fullmatch(text) is not None and dt.date.fromisoformat(text).year >= 1
            except ValueError:
                known = False
            _remember(self.dates, text, known)
        return known

    def _day(self, text: str) -> str:
        """An entry's date: its year ("YYYY") if a real date from the campaign's start to today, else ""."""
        year = text[:4] if self.start <= text <= self.today and self._real_date(text) else ""
        _remember(self.days, text, year)
        return year

    def _at_day(self, text: str) -> bool:
        known = text <= self.latest_at and self._real_date(text)
        _remember(self.at_days, text, known)
        return known

    def _minute(self, text: str) -> bool:
        known = _MINUTE.fullmatch(text) is not None
        _remember(self.minutes, text, known)
        return known

    def _rest(self, text: str) -> bool:
        known = _REST.fullmatch(text) is not None
        _remember(self.rests, text, known)
        return known

    def _name(self, text: str, limit: int) -> bool:
        """A recorder's name (`limit` MAX_BY) or a metric's name (MAX_METRIC_NAME): 1 … `limit`
        characters, none forbidden. Remembered as fit for both places (the shorter limit), so a
        name remembered True is fit for either; any other is worked out again."""
        known = 1 <= len(text) <= limit and (text.isprintable() or not _forbidden(text))
        _remember(self.names, text, known and len(text) <= MAX_METRIC_NAME)
        return known

    def ok(self, obj: dict[str, Any], unit_in_name: str | None = None, year_dir: str | None = None) -> bool:
        """True only when the full validation finds no problem in this JSON object (see the module)."""
        try:
            text = json.dumps(obj, ensure_ascii=False)
            if json.loads(text) != obj:  # not what a line would read back (a tuple, a key that is no text, NaN)
                return False
            data = text.encode("utf-8")
        except (TypeError, ValueError):
            return False
        return self.line(data, unit_in_name, year_dir) is not None

    def line(self, data: bytes, unit_in_name: str | None = None, year_dir: str | None = None) -> Line | None:
        """The line these bytes hold if the full validation finds no problem in it (see the module), else None."""
        try:
            obj = _decode(data)
        except (_Bad, RecursionError):  # RecursionError: nested past Python's limit (the full check says so)
            return None
        kind = obj.kind
        names = self.names
        if kind == "progress":
            problems, nxt = obj.problems, obj.next  # type: ignore[attr-defined]
            if problems and not (problems.isprintable() or not _forbidden(problems)):
                return None
            if nxt and not (nxt.isprintable() or not _forbidden(nxt)):
                return None
            metrics = obj.metrics  # type: ignore[attr-defined]
            if metrics:
                for name in metrics:
                    if not (names.get(name) or self._name(name, MAX_METRIC_NAME)):
                        return None
            for item in obj.evidence:  # type: ignore[attr-defined]
                if not (item.isprintable() or not _forbidden(item)):
                    return None
        elif kind == "inspection":
            followup, due = obj.followup, obj.due  # type: ignore[attr-defined]
            if type(followup) is list:
                if len(set(followup)) != len(followup):
                    return None
            elif due is not None:  # an old one-string follow-up with a deadline: the full validation says
                return None
            if due is not None and not ("整改" in followup and due >= obj.date and self._real_date(due)):
                return None
        elif kind == "followup":
            if _ID.fullmatch(obj.ref) is None:  # type: ignore[attr-defined]
                return None
            due = obj.due  # type: ignore[attr-defined]
            if due is not None and not (obj.result == "验收不通过" and due >= obj.date and self._real_date(due)):  # type: ignore[attr-defined]
                return None
        elif _ID.fullmatch(obj.ref) is None:  # type: ignore[attr-defined]
            return None
        text = obj.text  # type: ignore[attr-defined]
        if text and not (text.isprintable() or not _forbidden(text)):  # empty only where the type allows it
            return None
        by, day, unit, at = obj.by, obj.date, obj.unit, obj.at
        if _ID.fullmatch(obj.id) is None or not (names.get(by) or self._name(by, MAX_BY)):
            return None
        year = self.days.get(day)
        if year is None:
            year = self._day(day)
        if not year or (year_dir is not None and year != year_dir):
            return None
        if unit_in_name is not None and unit != unit_in_name:
            return None
        activities = self.activities
        if activities is not None:
            mine = activities.get(unit)
            if mine is None or obj.activity not in mine:
                return None
        elif UNIT_ID_RE.fullmatch(unit) is None:
            return None
        at_day, minute, rest = at[:10], at[10:16], at[16:]
        if not (
            (self.at_days.get(at_day) or self._at_day(at_day))
            and (self.minutes.get(minute) or self._minute(minute))
            and (self.rests.get(rest) or self._rest(rest))
        ):
            return None
        return obj


def _remember(memory: dict[str, Any], key: str, value: Any) -> None:  # noqa: ANN401
    if len(memory) < _CACHE_LIMIT:
        memory[key] = value
