"""Ledger record format v1: every key, kind, enum, pattern and limit of a ledger line, once.

This module is the format. The pydantic models (`schema`), the fast line check
(`fastcheck`), the builders of new entries (`entries`), the one reader (`reader`) and the
Excel modules take their constants from here; none re-types a literal. It imports no
pydantic, so the hot paths (`add`, `status`, `check`) stay light.

Readers are never more lenient than `check`: the one reader applies exactly the lines
`check` accepts (same judgment, `reader.LineJudge`) and reports every other line as a
`Problem`. The only deliberate difference is *what is said*: `check` words every problem of
a line, a reader notes the line as skipped with the same messages.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from ..periods import folded

VERSION = 1

# ---------------------------------------------------------------- colors (四色)

COLORS = ("red", "yellow", "blue", "green")
COLOR_NAMES = {"red": "红", "yellow": "黄", "blue": "蓝", "green": "绿"}
COLOR_MEANINGS = {
    "red": "严重滞后/未启动",
    "yellow": "进度滞后",
    "blue": "正常推进",
    "green": "已完成/超进度",
}
#: Higher is worse: the worst color of all rules wins.
SEVERITY = {"green": 0, "blue": 1, "yellow": 2, "red": 3}
NOT_STARTED = "not_started"
NOT_STARTED_NAME = "未开始"

_COLOR_INPUT = {
    "red": "red", "红": "red", "红色": "red", "r": "red",
    "yellow": "yellow", "黄": "yellow", "黄色": "yellow", "y": "yellow",
    "blue": "blue", "蓝": "blue", "蓝色": "blue", "b": "blue",
    "green": "green", "绿": "green", "绿色": "green", "g": "green",
}


def parse_color(text: str) -> str | None:
    """A color from what people type: green/blue/yellow/red or 绿/蓝/黄/红 (also 绿色…), in half- or
    full-width letters (ｒｅｄ, `periods.folded`)."""
    return _COLOR_INPUT.get(folded(text).lower())


METHODS = ("督导", "抽查", "暗访")
#: What an inspection may ask for (后续处理). On disk an inspection's `followup` is a list of
#: these (empty: none); lines written before the list read as one string, "none" or one of them.
FOLLOWUPS = ("none", "整改", "约谈", "通报")
FOLLOWUP_ASKS = ("整改", "约谈", "通报")
FOLLOWUP_NAMES = {"none": "无", "整改": "整改", "约谈": "约谈", "通报": "通报"}
#: The results a `followup` entry records (后续处理结果), and what each needs the inspection to ask for.
FOLLOWUP_RESULTS = ("已约谈", "已通报", "整改完成", "验收通过", "验收不通过")
RESULT_NEEDS = {"已约谈": "约谈", "已通报": "通报", "整改完成": "整改", "验收通过": "整改", "验收不通过": "整改"}
KINDS = ("progress", "inspection", "followup", "void")

# ---------------------------------------------------------------- patterns

#: A unit id (units.yaml, and the only thing that ever names a ledger file).
ID_PATTERN = r"^[a-z][a-z0-9-]{1,31}$"
UNIT_ID_RE = re.compile(ID_PATTERN.removeprefix("^").removesuffix("$"))
#: An entry id (the tool writes 10 characters of Crockford's base32; older or hand-made: 4–32).
ENTRY_ID_PATTERN = r"^[a-z0-9]{4,32}$"
ENTRY_ID_RE = re.compile(ENTRY_ID_PATTERN.removeprefix("^").removesuffix("$"))
ID_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"  # Crockford's base32, lower case: no i, l, o, u
ID_LENGTH = 10  # 50 bits: a collision in a million entries has odds of about 1 in 2,000
DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: The time of `at` after its date, as `periods.now_iso` writes it: seconds, optional fraction, an offset (or Z).
#: In two parts, hour and minute (`THH:MM`), then the rest (`:SS`, fraction, offset): the fast
#: check remembers each part's answer (1,440 minutes and a few rests instead of every second).
CLOCK_MINUTE = r"T(?:[01][0-9]|2[0-3]):[0-5][0-9]"
CLOCK_REST = r":[0-5][0-9](?:\.[0-9]{1,6})?(?:Z|[+-](?:[01][0-9]|2[0-3]):[0-5][0-9])"
CLOCK_RE = re.compile(CLOCK_MINUTE + CLOCK_REST)
#: Characters no text of a ledger line may hold: C0 controls but tab and newline, DEL, C1
#: controls, and the bidi embeddings, overrides and isolates (U+202A–U+202E, U+2066–U+2069),
#: which can make a line read differently from what it says. `add` removes them, `check`
#: rejects a line holding one (at its place), readers skip it.
FORBIDDEN_CHARS = "\x00-\x08\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069"
FORBIDDEN_RE = re.compile(f"[{FORBIDDEN_CHARS}]")

# ---------------------------------------------------------------- limits

MAX_TEXT = 2000  # characters of text, problems, next, a void's reason, each evidence item
MAX_BY = 100  # characters of the recorder's name
MAX_METRIC_NAME = 50  # characters of a metric's name
MAX_METRIC = 10**9  # a metric is a finite number in 0 … MAX_METRIC
MAX_LINE_BYTES = 1 << 16  # bytes of one line: a longer one is rejected by `check`, skipped unread by readers
AT_SKEW_DAYS = 1  # `at` may lie at most this many days after today (clock skew); later is rejected
CONFLICT_PREFIXES = (b"<<<<<<<", b"=======", b">>>>>>>", b"|||||||")
BOM = b"\xef\xbb\xbf"

# ---------------------------------------------------------------- keys and kinds

#: Keys every line has, in order on disk.
COMMON_KEYS = ("v", "id", "kind", "date", "unit", "activity", "by", "at")
#: Key order on disk, per kind (the fields of the record models in `schema`, in order).
RECORD_KEYS = {
    "progress": [*COMMON_KEYS, "color", "text", "problems", "next", "metrics", "evidence"],
    "inspection": [*COMMON_KEYS, "method", "color", "text", "followup", "due"],
    "followup": [*COMMON_KEYS, "ref", "result", "text", "due"],
    "void": [*COMMON_KEYS, "ref", "text"],
}
#: The key order of inspection lines written before `followup` became a list and `due` was added
#: (`followup` one string); still read everywhere, and still valid.
OLD_INSPECTION_KEYS = [*COMMON_KEYS, "method", "color", "text", "followup"]
#: Kinds that make a cell's facts on the board (the fact accumulator `board.facts.Tally`).
FACT_KINDS = ("progress", "inspection")
#: Kinds a void may cancel (a void cancels nothing else).
VOIDABLE_KINDS = ("progress", "inspection", "followup")
#: Kinds whose `ref` names another entry, which must be in the same unit's files (16.6).
REF_KINDS = ("void", "followup")
#: The key that only those kinds have: the reader finds their lines by it before parsing anything
#: (`reader.Scan`), and knows when one escaped it (a key spelled with `\\u` escapes) and reads again.
REF_KEY = "ref"
assert all(REF_KEY in RECORD_KEYS[k] for k in REF_KINDS) and not any(
    REF_KEY in RECORD_KEYS[k] or REF_KEY in OLD_INSPECTION_KEYS for k in RECORD_KEYS if k not in REF_KINDS
)

#: The Chinese name of each key, for messages.
FIELD_LABELS = {
    "v": "版本 v",
    "id": "编号 id",
    "kind": "类型 kind",
    "date": "日期 date",
    "unit": "单位 unit",
    "activity": "活动 activity",
    "by": "记录人 by",
    "at": "记录时间 at",
    "color": "颜色 color",
    "text": "内容 text",
    "problems": "存在问题 problems",
    "next": "下步打算 next",
    "metrics": "数据 metrics",
    "evidence": "佐证 evidence",
    "method": "方式 method",
    "followup": "后续 followup",
    "ref": "所指记录 ref",
    "result": "结果 result",
    "due": "整改期限 due",
}


def latest_at(today: dt.date) -> str:
    """The latest date an `at` may carry (`YYYY-MM-DD`): today (or the machine's, if later) plus the skew."""
    real = dt.date.today()
    try:
        return (max(today, real) + dt.timedelta(days=AT_SKEW_DAYS)).isoformat()
    except OverflowError:  # today pinned at the end of the calendar
        return dt.date.max.isoformat()


def followup_asks(value: object) -> tuple[str, ...]:
    """An inspection's `followup` as read from a line → what it asks for, in `FOLLOWUP_ASKS` order.

    `"none"`, `None` or `[]` → `()`; an old single string `"约谈"` → `("约谈",)`; a list → its
    known items, each once. Anything else reads as `()` (`check` reports it).
    """
    if isinstance(value, str):
        return (value,) if value in FOLLOWUP_ASKS else ()
    if isinstance(value, list | tuple):
        return tuple(a for a in FOLLOWUP_ASKS if a in value)
    return ()


def followup_label(asks: tuple[str, ...]) -> str:
    """What an inspection asks for, as people read it: `约谈、通报`, or `无`."""
    return "、".join(asks) if asks else FOLLOWUP_NAMES["none"]


@dataclass(frozen=True, slots=True)
class Entry:
    """A ledger entry (台账记录) as the core sees it: plain, frozen, with its place."""

    id: str
    kind: str
    date: dt.date
    unit: str
    activity: int
    by: str = ""
    at: str = ""
    color: str | None = None
    text: str = ""
    problems: str = ""
    next: str = ""
    metrics: dict[str, float] = field(default_factory=dict)
    evidence: tuple[str, ...] = ()
    method: str | None = None
    #: inspection: what it asks for (整改/约谈/通报, in that order; empty: none)
    followup: tuple[str, ...] = ()
    ref: str | None = None
    #: followup: 已约谈 / 已通报 / 整改完成 / 验收通过 / 验收不通过
    result: str | None = None
    #: inspection asking for 整改, or followup 验收不通过: the deadline for rectification (整改期限)
    due: dt.date | None = None
    source: str = ""
    line: int = 0

    def __post_init__(self) -> None:
        if type(self.followup) is not tuple or len(self.followup) > 1:  # "约谈", "none", a list, any order
            object.__setattr__(self, "followup", followup_asks(self.followup))

    @property
    def sort_key(self) -> tuple[dt.date, str, str]:
        return (self.date, self.at, self.id)

    @property
    def place(self) -> str:
        return f"{self.source}:{self.line}" if self.source else ""

    def to_record(self) -> dict[str, Any]:
        """The JSON object of this entry, keys in the fixed order of format v1."""
        out: dict[str, Any] = {}
        for key in RECORD_KEYS[self.kind]:
            if key == "v":
                out[key] = 1
                continue
            value = getattr(self, key)
            if key == "date":
                value = value.isoformat()
            elif key == "evidence":
                value = list(value)
            elif key == "metrics":
                value = {k: _number(v) for k, v in value.items()}
            elif key == "followup":
                value = list(value)
            elif key == "due" and value is not None:
                value = value.isoformat()
            out[key] = value
        return out

    @classmethod
    def from_line(cls, obj: Any, source: str = "", line: int = 0) -> Entry:  # noqa: ANN401
        """Build from a line the reader accepted (`fastcheck.Line`: its keys as attributes)."""
        return cls._built(partial(getattr, obj), source, line)

    @classmethod
    def from_record(cls, obj: dict[str, Any], source: str = "", line: int = 0) -> Entry:
        """Build from a JSON object already known to be valid (fast path, no validation)."""
        return cls._built(obj.get, source, line)

    @classmethod
    def _built(cls, get: Any, source: str, line: int) -> Entry:  # noqa: ANN401
        """From `get(key, default)` over a line's keys (a line's attributes or a JSON object's items)."""
        return cls(
            id=get("id", None),
            kind=get("kind", None),
            date=dt.date.fromisoformat(get("date", None)),
            unit=get("unit", None),
            activity=get("activity", None),
            by=get("by", ""),
            at=get("at", ""),
            color=get("color", None),
            text=get("text", ""),
            problems=get("problems", ""),
            next=get("next", ""),
            metrics=get("metrics", None) or {},
            evidence=tuple(get("evidence", None) or ()),
            method=get("method", None),
            followup=followup_asks(get("followup", None)),
            ref=get("ref", None),
            result=get("result", None),
            due=day_or_none(get("due", None)),
            source=source,
            line=line,
        )


_ID10 = re.compile(r"[a-z0-9]{10}")


def typed_id(text: object) -> str:
    """An entry id as someone typed or pasted it: half-width (`periods.folded`: ｈ４ｅｋ… from a
    full-width input method), trimmed, lower case."""
    return folded(text).lower()


def id_code(entry_id: str) -> int | None:
    """The integer of a 10-character id of `[a-z0-9]` (base 36: exact, below 2**52); None for any other.

    The tool's ids are 10 characters of Crockford's base32, so readers keep ids as these integers
    in 8-byte arrays (no hashing, no string per id)."""
    if len(entry_id) != 10 or _ID10.fullmatch(entry_id) is None:
        return None
    return int(entry_id, 36)


def day_or_none(value: object) -> dt.date | None:
    """A `YYYY-MM-DD` text as a date; None for anything else (a reader's leniency is `check`'s job)."""
    if not isinstance(value, str):
        return None
    try:
        return dt.date.fromisoformat(value) if len(value) == 10 else None
    except ValueError:
        return None


def _number(v: float) -> int | float:
    return int(v) if float(v).is_integer() else v


iso_date = day_or_none  # the name the reader uses
