"""The fast path of line validation: plain Python over the common shape of a ledger line.

`FastChecker.ok(obj, unit_in_name, year_dir)` says True only for a line that the full
validation (`record.schema_problems` with pydantic, `record.reference_problems` and the
file-place checks of `check`) finds nothing wrong with: every key of its kind present and
no other, the exact types, the id pattern, a real date in the campaign and not after
today, in the right unit file and year folder, a time in the format the tool writes, text
lengths, colors/methods/follow-ups from their sets, numeric metrics. Anything else, even
what pydantic would accept (a time without its offset, a metric written as 3.0), answers
False, and the caller asks the full validation, which gives the exact Chinese message.
So the fast path can only make a good line cheaper, never change an answer.

Ids: the tool's ids are 10 characters of Crockford's base32 (50 bits); `id_code` turns
one into its integer exactly (no hashing), so `check` keeps ids in 8-byte arrays.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import TYPE_CHECKING, Any

from .entry import COLORS, FOLLOWUPS, METHODS

if TYPE_CHECKING:
    from .catalog import Catalog

MAX_TEXT = 2000
_ID = re.compile(r"[a-z0-9]{4,32}")
_DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
# The time as `now_iso` writes it: seconds, optional fraction, an offset (or Z).
_AT = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](?:\.[0-9]{1,6})?"
    r"(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
)
_CROCKFORD10 = re.compile(r"[0-9a-hjkmnp-tv-z]{10}")
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
_TO_BASE32 = str.maketrans(ID_ALPHABET, "0123456789abcdefghijklmnopqrstuv")

_COLORS = frozenset(COLORS)
_METHODS = frozenset(METHODS)
_FOLLOWUPS = frozenset(FOLLOWUPS)
_COMMON = ("v", "id", "kind", "date", "unit", "activity", "by", "at")
KEYS = {
    "progress": frozenset((*_COMMON, "color", "text", "problems", "next", "metrics", "evidence")),
    "inspection": frozenset((*_COMMON, "method", "color", "text", "followup")),
    "void": frozenset((*_COMMON, "ref", "text")),
}
_DATE_CACHE_LIMIT = 100_000
_INT_LIMIT = 1 << 64  # orjson's ints; a larger one is checked in full (it may not fit a float)


def id_code(entry_id: str) -> int | None:
    """The 50-bit integer of a 10-character Crockford base32 id; None for any other string."""
    if len(entry_id) != 10 or _CROCKFORD10.fullmatch(entry_id) is None:
        return None
    return int(entry_id.translate(_TO_BASE32), 32)


class FastChecker:
    """The fast check of one parsed line, with the catalog's answers worked out once.

    `catalog` None: only the shape (what `schema_problems` checks), for a ledger without definitions.
    """

    def __init__(self, catalog: Catalog | None, today: dt.date):
        self.dates: dict[str, bool] = {}
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
            if len(self.dates) < _DATE_CACHE_LIMIT:
                self.dates[text] = known
        return known

    def ok(self, obj: dict[str, Any], unit_in_name: str | None = None, year_dir: str | None = None) -> bool:
        """True only when the full validation finds no problem in this line (see the module)."""
        kind = obj.get("kind")
        keys = KEYS.get(kind) if type(kind) is str else None
        if keys is None or obj.keys() != keys:
            return False
        v, entry_id, unit, activity, day, by, at, text = (
            obj["v"], obj["id"], obj["unit"], obj["activity"], obj["date"], obj["by"], obj["at"], obj["text"]
        )
        if not (
            type(v) is int and v == 1
            and type(entry_id) is str and _ID.fullmatch(entry_id) is not None
            and type(unit) is str
            and type(activity) is int and activity >= 1
            and type(day) is str and self.start <= day <= self.today
            and type(by) is str and 1 <= len(by) <= 100
            and type(at) is str and _AT.fullmatch(at) is not None
            and type(text) is str and 1 <= len(text) <= MAX_TEXT
        ):
            return False
        if unit_in_name is not None and unit != unit_in_name:
            return False
        if year_dir is not None and day[:4] != year_dir:
            return False
        if self.pairs is not None:
            if (unit, activity) not in self.pairs:
                return False
        elif not _unit_shape(unit):
            return False
        if not (self._real_date(day) and self._real_date(at[:10])):
            return False
        if kind == "progress":
            color, problems, nxt, metrics, evidence = (
                obj["color"], obj["problems"], obj["next"], obj["metrics"], obj["evidence"]
            )
            if not (
                (color is None or (type(color) is str and color in _COLORS))
                and type(problems) is str and len(problems) <= MAX_TEXT
                and type(nxt) is str and len(nxt) <= MAX_TEXT
                and type(metrics) is dict
                and type(evidence) is list
            ):
                return False
            for name, value in metrics.items():
                if not (
                    type(name) is str and 1 <= len(name) <= 50
                    and (
                        (type(value) is int and -_INT_LIMIT < value < _INT_LIMIT)
                        or (type(value) is float and value - value == 0.0)  # finite: not NaN, not ±inf
                    )
                ):
                    return False
            return all(type(item) is str and len(item) <= MAX_TEXT for item in evidence)
        if kind == "inspection":
            method, color, followup = obj["method"], obj["color"], obj["followup"]
            return (
                type(method) is str and method in _METHODS
                and type(color) is str and color in _COLORS
                and type(followup) is str and followup in _FOLLOWUPS
            )
        ref = obj["ref"]
        return type(ref) is str and _ID.fullmatch(ref) is not None


_UNIT = re.compile(r"[a-z][a-z0-9-]{1,31}")


def _unit_shape(unit: str) -> bool:
    return _UNIT.fullmatch(unit) is not None
