"""The fast path of line validation: plain Python over the common shape of a ledger line.

`FastChecker.ok(obj, unit_in_name, year_dir)` says True only for a line that the full
validation (`record.schema_problems` with pydantic, `record.reference_problems` and the
file-place checks of `check`) finds nothing wrong with: every key of its kind present and
no other, in the order the tool writes them, the exact types, the id pattern, a real date in the campaign and not after
today, in the right unit file and year folder, a time in the format the tool writes, text
lengths, colors/methods/follow-ups from their sets, numeric metrics. Anything else, even
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
    COLORS,
    FOLLOWUP_ASKS,
    FOLLOWUP_RESULTS,
    FOLLOWUPS,
    METHODS,
    OLD_INSPECTION_KEYS,
    RECORD_KEYS,
)

if TYPE_CHECKING:
    from ..definitions.catalog import Catalog

MAX_TEXT = 2000
_ID = re.compile(r"[a-z0-9]{4,32}")
_ID10 = re.compile(r"[a-z0-9]{10}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The time as `now_iso` writes it, after its date: seconds, optional fraction, an offset (or Z).
_CLOCK = re.compile(
    r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)

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
_INT_LIMIT = 1 << 64  # orjson's ints; a larger one is checked in full (it may not fit a float)
NOT_CODED = -1


def id_code(entry_id: str) -> int | None:
    """The integer of a 10-character id of `[a-z0-9]` (base 36: exact, below 2**52); None for any other."""
    if len(entry_id) != 10 or _ID10.fullmatch(entry_id) is None:
        return None
    return int(entry_id, 36)


class FastChecker:
    """The fast check of one parsed line, with the catalog's answers worked out once.

    `catalog` None: only the shape (what `schema_problems` checks), for a ledger without definitions.
    """

    def __init__(self, catalog: Catalog | None, today: dt.date):
        self.dates: dict[str, bool] = {}  # "YYYY-MM-DD" -> a real date
        self.clocks: dict[str, bool] = {}  # the part of `at` after its date -> as the tool writes it
        self.today = today.isoformat()
        if catalog is None:
            self.pairs: frozenset[tuple[str, int]] | None = None
            self.start = "0001-01-01"
            self.today = "9999-12-31"
            return
        self.pairs = catalog.reporting_pairs
        self.start = catalog.phases[0].start.isoformat()

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

    def _clock(self, text: str) -> bool:
        known = self.clocks.get(text)
        if known is None:
            known = _CLOCK.fullmatch(text) is not None
            if len(self.clocks) < _CACHE_LIMIT:
                self.clocks[text] = known
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
                and type(problems) is str and len(problems) <= MAX_TEXT
                and type(nxt) is str and len(nxt) <= MAX_TEXT
                and type(metrics) is dict
                and type(evidence) is list
            ):
                return None
            for name, value in metrics.items():
                if not (
                    type(name) is str and 1 <= len(name) <= 50
                    and (
                        (type(value) is int and -_INT_LIMIT < value < _INT_LIMIT)
                        or (type(value) is float and value - value == 0.0)  # finite: not NaN, not ±inf
                    )
                ):
                    return None
            for item in evidence:
                if type(item) is not str or len(item) > MAX_TEXT:
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
            type(v) is int and v == 1
            and type(entry_id) is str and _ID.fullmatch(entry_id) is not None
            and type(unit) is str
            and type(activity) is int and activity >= 1
            and type(day) is str and self.start <= day <= self.today
            and type(by) is str and 1 <= len(by) <= 100
            and type(at) is str and len(at) >= 20
            and type(text) is str and 1 <= len(text) <= MAX_TEXT
        ):
            return None
        if unit_in_name is not None and unit != unit_in_name:
            return None
        if year_dir is not None and day[:4] != year_dir:
            return None
        if self.pairs is not None:
            if (unit, activity) not in self.pairs:
                return None
        elif _UNIT.fullmatch(unit) is None:
            return None
        dates, clock = self.dates, at[10:]
        if not (
            (dates.get(day) or self._real_date(day))
            and (dates.get(at[:10]) or self._real_date(at[:10]))
            and (self.clocks.get(clock) or self._clock(clock))
        ):
            return None
        return int(entry_id, 36) if len(entry_id) == 10 else NOT_CODED


_UNIT = re.compile(r"[a-z][a-z0-9-]{1,31}")
