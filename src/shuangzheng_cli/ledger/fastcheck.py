"""The fast path of line validation: plain Python over the common shape of a ledger line.

`FastChecker.ok(obj, unit_in_name, year_dir)` says True only for a line that the full
validation (`record.schema_problems` with pydantic, `record.reference_problems` and the
file-place checks of `check`) finds nothing wrong with: every key of its kind present and
no other, in the order the tool writes them, the exact types, the id pattern, a real date in the campaign and not after
today, in the right unit file and year folder, a time in the format the tool writes, text
lengths, no control character or bidi override (`format.FORBIDDEN_RE`), colors/methods/
follow-ups from their sets, metrics finite in 0 … `MAX_METRIC`, an `at` not past
`format.latest_at`. Every limit comes from `format`. Anything else, even
what pydantic would accept (a time without its offset, a metric written as 3.0), answers
False, and the caller asks the full validation, which gives the exact Chinese message.
So the fast path can only make a good line cheaper, never change an answer.

Ids: the tool's ids are 10 characters of Crockford's base32; `id_code` turns any 10-character
id of `[a-z0-9]` into its base-36 integer (exact, no hashing, below 2**52), so `check` keeps
ids in 8-byte arrays.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

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
    OLD_INSPECTION_KEYS,
    RECORD_KEYS,
    UNIT_ID_RE,
    VERSION,
    latest_at,
)

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

_ID = ENTRY_ID_RE
_ID10 = re.compile(r"[a-z0-9]{10}")
_DATE = DATE_RE
_MINUTE = re.compile(CLOCK_MINUTE)
_REST = re.compile(CLOCK_REST)
_forbidden = FORBIDDEN_RE.search

_COLORS = frozenset(COLORS)
_METHODS = frozenset(METHODS)
_FOLLOWUPS = frozenset(FOLLOWUPS)
_ASKS = frozenset(FOLLOWUP_ASKS)
_RESULTS = frozenset(FOLLOWUP_RESULTS)
#: The key order on disk, per kind: a line in another order is checked in full.
_PROGRESS = tuple(RECORD_KEYS["progress"])
_INSPECTION = tuple(RECORD_KEYS["inspection"])
_OLD_INSPECTION = tuple(OLD_INSPECTION_KEYS)
_FOLLOWUP = tuple(RECORD_KEYS["followup"])
_VOID = tuple(RECORD_KEYS["void"])
_CACHE_LIMIT = 100_000
NOT_CODED = -1


def id_code(entry_id: str) -> int | None:
    """The integer of a 10-character id of `[a-z0-9]` (base 36: exact, below 2**52); None for any other."""
    if len(entry_id) != 10 or _ID10.fullmatch(entry_id) is None:
        return None
    return int(entry_id, 36)


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
        """True only when the full validation finds no problem in this line (see the module)."""
        return self.code(obj, unit_in_name, year_dir) is not None

    def code(self, obj: dict[str, Any], unit_in_name: str | None = None, year_dir: str | None = None) -> int | None:
        """None unless the full validation finds no problem in this line; else its id's `id_code`
        (NOT_CODED for an id of another length)."""
        keys = tuple(obj)
        if keys == _PROGRESS:
            v, entry_id, kind, day, unit, activity, by, at, color, text, problems, nxt, metrics, evidence = obj.values()
            if not (
                kind == "progress"
                and (color is None or (type(color) is str and color in _COLORS))
                and type(problems) is str
                and (not problems or (len(problems) <= MAX_TEXT and (problems.isprintable() or not _forbidden(problems))))
                and type(nxt) is str
                and (not nxt or (len(nxt) <= MAX_TEXT and (nxt.isprintable() or not _forbidden(nxt))))
                and type(metrics) is dict
                and type(evidence) is list
            ):
                return None
            if metrics:
                names = self.names
                for name, value in metrics.items():
                    if not (
                        (type(value) is int or type(value) is float)
                        and 0 <= value <= MAX_METRIC  # False for NaN; ±inf is out of range
                        and type(name) is str
                        and (names.get(name) or self._name(name, MAX_METRIC_NAME))
                    ):
                        return None
            for item in evidence:
                if type(item) is not str or len(item) > MAX_TEXT or not (item.isprintable() or not _forbidden(item)):
                    return None
        elif keys == _INSPECTION:
            v, entry_id, kind, day, unit, activity, by, at, method, color, text, followup, due = obj.values()
            if not (
                kind == "inspection"
                and type(method) is str and method in _METHODS
                and type(color) is str and color in _COLORS
                and type(followup) is list and len(followup) <= len(_ASKS)
            ):
                return None
            for item in followup:
                if type(item) is not str or item not in _ASKS:
                    return None
            if len(set(followup)) != len(followup):
                return None
            if due is not None and not (
                type(due) is str and "整改" in followup and type(day) is str and due >= day and self._real_date(due)
            ):
                return None
        elif keys == _OLD_INSPECTION:
            v, entry_id, kind, day, unit, activity, by, at, method, color, text, followup = obj.values()
            if not (
                kind == "inspection"
                and type(method) is str and method in _METHODS
                and type(color) is str and color in _COLORS
                and type(followup) is str and followup in _FOLLOWUPS
            ):
                return None
        elif keys == _FOLLOWUP:
            v, entry_id, kind, day, unit, activity, by, at, ref, result, text, due = obj.values()
            if not (
                kind == "followup"
                and type(ref) is str and _ID.fullmatch(ref) is not None
                and type(result) is str and result in _RESULTS
                and type(text) is str and len(text) <= MAX_TEXT
            ):
                return None
            if due is not None and not (
                type(due) is str and result == "验收不通过" and type(day) is str and due >= day and self._real_date(due)
            ):
                return None
            text = text or "-"  # a follow-up's note may be empty
        elif keys == _VOID:
            v, entry_id, kind, day, unit, activity, by, at, ref, text = obj.values()
            if not (kind == "void" and type(ref) is str and _ID.fullmatch(ref) is not None):
                return None
        else:
            return None
        if not (
            v == VERSION and type(v) is int
            and type(entry_id) is str and _ID.fullmatch(entry_id) is not None
            and type(unit) is str
            and type(activity) is int and activity >= 1
            and type(day) is str
            and type(by) is str and (self.names.get(by) or self._name(by, MAX_BY))
            and type(at) is str and len(at) >= 20
            and type(text) is str and 1 <= len(text) <= MAX_TEXT and (text.isprintable() or not _forbidden(text))
        ):
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
            if mine is None or activity not in mine:
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
        return int(entry_id, 36) if len(entry_id) == 10 else NOT_CODED


def _remember(memory: dict[str, Any], key: str, value: Any) -> None:  # noqa: ANN401
    if len(memory) < _CACHE_LIMIT:
        memory[key] = value
