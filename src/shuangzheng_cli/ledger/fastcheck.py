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
from collections.abc import Callable
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
        # what it remembers: the values found fit (a set membership test is the cheapest check of a
        # line); a value found unfit is worked out again each time (its line takes the full validation)
        self.dates: dict[str, bool] = {}  # "YYYY-MM-DD" -> a real date
        self.good_days: dict[str | None, set[str]] = {}  # year folder -> entry dates fit for a line there
        self.good_at_days: set[str] = set()  # dates of an `at`: real and not past `latest_at`
        self.good_minutes: set[str] = set()  # "THH:MM" of an `at`
        self.good_rests: set[str] = set()  # ":SS[.ffffff]±HH:MM" of an `at`
        self.good_names: set[str] = set()  # recorders' and metrics' names fit for either place
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
            if len(self.dates) < _CACHE_LIMIT:
                self.dates[text] = known
        return known

    def _day(self, text: str, year_dir: str | None) -> bool:
        """An entry's date: a real date from the campaign's start to today, in the year `year_dir` (if given)."""
        fit = self.start <= text <= self.today and self._real_date(text) and (year_dir is None or text[:4] == year_dir)
        return _kept(self.good_days.setdefault(year_dir, set()), text, fit)

    def _at_day(self, text: str) -> bool:
        return _kept(self.good_at_days, text, text <= self.latest_at and self._real_date(text))

    def _minute(self, text: str) -> bool:
        return _kept(self.good_minutes, text, _MINUTE.fullmatch(text) is not None)

    def _rest(self, text: str) -> bool:
        return _kept(self.good_rests, text, _REST.fullmatch(text) is not None)

    def _name(self, text: str, limit: int) -> bool:
        """A recorder's name (`limit` MAX_BY) or a metric's name (MAX_METRIC_NAME): 1 … `limit`
        characters, none forbidden. Remembered only if fit for both places (the shorter limit)."""
        fit = 1 <= len(text) <= limit and (text.isprintable() or not _forbidden(text))
        _kept(self.good_names, text, fit and len(text) <= MAX_METRIC_NAME)
        return fit

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
        return self.for_file(unit_in_name, year_dir)(data)

    def for_file(self, unit_in_name: str | None = None, year_dir: str | None = None) -> Callable[[bytes], Line | None]:
        """`line` for the lines of one file (`<year_dir>/<unit_in_name>.jsonl`; None: any place),
        with what the file's place decides worked out once: the readers call it for every line."""
        decode, bad, id_ok, forbidden = _decode, _Bad, _ID.fullmatch, _forbidden
        names, at_days, minutes, rests = self.good_names, self.good_at_days, self.good_minutes, self.good_rests
        days = self.good_days.setdefault(year_dir, set())
        name_ok, day_ok, at_day_ok, minute_ok, rest_ok, real_date = (
            self._name, self._day, self._at_day, self._minute, self._rest, self._real_date
        )
        activities = self.activities
        # the activities a line of this file may name: None when the unit is read from each line
        mine: Any = None
        if unit_in_name is not None:
            if activities is not None:
                mine = activities.get(unit_in_name, frozenset())
            else:
                mine = _ANY if UNIT_ID_RE.fullmatch(unit_in_name) else frozenset()

        def check(data: bytes) -> Line | None:
            try:
                obj = decode(data)
            except (bad, RecursionError):  # RecursionError: nested past Python's limit (the full check says so)
                return None
            kind = obj.kind
            if kind == "progress":
                problems, nxt = obj.problems, obj.next  # type: ignore[attr-defined]
                if problems and not (problems.isprintable() or not forbidden(problems)):
                    return None
                if nxt and not (nxt.isprintable() or not forbidden(nxt)):
                    return None
                metrics = obj.metrics  # type: ignore[attr-defined]
                if metrics:
                    for name in metrics:
                        if name not in names and not name_ok(name, MAX_METRIC_NAME):
                            return None
                for item in obj.evidence:  # type: ignore[attr-defined]
                    if not (item.isprintable() or not forbidden(item)):
                        return None
            elif kind == "inspection":
                followup, due = obj.followup, obj.due  # type: ignore[attr-defined]
                if type(followup) is list:
                    if len(set(followup)) != len(followup):
                        return None
                elif due is not None:  # an old one-string follow-up with a deadline: the full validation says
                    return None
                if due is not None and not ("整改" in followup and due >= obj.date and real_date(due)):
                    return None
            elif kind == "followup":
                if id_ok(obj.ref) is None:  # type: ignore[attr-defined]
                    return None
                due = obj.due  # type: ignore[attr-defined]
                if due is not None and not (obj.result == "验收不通过" and due >= obj.date and real_date(due)):  # type: ignore[attr-defined]
                    return None
            elif id_ok(obj.ref) is None:  # type: ignore[attr-defined]
                return None
            text = obj.text  # type: ignore[attr-defined]
            if text and not (text.isprintable() or not forbidden(text)):  # empty only where the type allows it
                return None
            by, day, at = obj.by, obj.date, obj.at
            if id_ok(obj.id) is None or (by not in names and not name_ok(by, MAX_BY)):
                return None
            if day not in days and not day_ok(day, year_dir):
                return None
            if mine is not None:
                if obj.unit != unit_in_name or obj.activity not in mine:
                    return None
            elif activities is not None:
                allowed = activities.get(obj.unit)
                if allowed is None or obj.activity not in allowed:
                    return None
            elif UNIT_ID_RE.fullmatch(obj.unit) is None:
                return None
            at_day, minute, rest = at[:10], at[10:16], at[16:]
            if not (
                (at_day in at_days or at_day_ok(at_day))
                and (minute in minutes or minute_ok(minute))
                and (rest in rests or rest_ok(rest))
            ):
                return None
            return obj

        return check


class _Anything:
    """Every activity (a ledger read without definitions: only the unit's id is checked)."""

    def __contains__(self, item: object) -> bool:
        return True


_ANY = _Anything()


def _kept(memory: set[str], value: str, fit: bool) -> bool:
    """`fit`, after remembering `value` among the fit ones if it is (up to `_CACHE_LIMIT` of them)."""
    if fit and len(memory) < _CACHE_LIMIT:
        memory.add(value)
    return fit
