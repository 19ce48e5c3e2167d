"""The campaign's definitions (`data/activities.yaml`, `data/units.yaml`): load, validate, resolve.

`Catalog.load(dir)` validates both files and reports every problem at once as
`file:line: 原因`. A catalog answers the questions every command asks: which units
own an activity (groups expanded into cells), and which unit or activity a person
meant when they typed a name, an alias or an id.

What pydantic validated is kept as plain frozen objects (`plain.Plain`), and in a
workspace it is cached in `.shuangzheng-cache/catalog.json`, keyed by the bytes of both
YAML files, the package version and the code that validates them: a command that finds
the cache reads neither YAML nor pydantic. A cache that does not match or cannot be read
is ignored (and rewritten); one that cannot be written is simply not kept.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import hashlib
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import DefinitionError, Problem, UsageProblem
from ..ledger.format import COLOR_NAMES, COLORS, parse_color
from ..periods import folded
from .frozen import decode, encode, plain

if TYPE_CHECKING:
    from .schema import (
        ActivitiesFile,
        Activity,
        Campaign,
        Category,
        Group,
        Interval,
        LeadingGroup,
        Phase,
        Rules,
        Unit,
        UnitsFile,
    )
    from .yamlfile import YamlDocument

ACTIVITIES_FILE = "data/activities.yaml"
UNITS_FILE = "data/units.yaml"
CACHE_DIR = ".shuangzheng-cache"
CACHE_FILE = "catalog.json"
CACHE_VERSION = 1
#: The code whose change may change what a catalog holds: part of the cache key.
#: Beside this file, in definitions/; and how the schema reads a date (periods) and a color (ledger/format).
_CODE = ("schema.py", "frozen.py", "catalog.py", "yamlfile.py", "../periods.py", "../ledger/format.py")


@dataclass(frozen=True)
class Cell:
    """One (activity, unit) pair: a square of the battle map (挂图)."""

    activity: int
    unit: str


class Catalog:
    """Validated definitions plus the indexes every command needs."""

    def __init__(self, activities: ActivitiesFile, units: UnitsFile, source: Path):
        activities, units = plain(activities), plain(units)  # pydantic models become plain objects
        self._plain = (activities, units)
        self.source = source
        self.campaign: Campaign = activities.campaign
        self.phases: list[Phase] = sorted(activities.phases, key=lambda p: p.start)
        self.rules: Rules = activities.rules
        self.categories: dict[int, Category] = {c.number: c for c in activities.categories}
        self.activities: dict[int, Activity] = {a.number: a for a in activities.activities}
        self.units: dict[str, Unit] = {u.id: u for u in units.units}
        self.groups: dict[str, Group] = {g.id: g for g in units.groups}
        self.leading_group: LeadingGroup | None = units.leading_group
        self._names: dict[str, str] = {}
        for item in [*units.units, *units.groups]:
            for name in (item.id, item.name, *item.aliases):
                self._names[_norm(name)] = item.id
        #: activity number -> the unit or group ids as listed in the plan (first = lead)
        self.listed: dict[int, list[str]] = {
            a.number: [self._names[_norm(n)] for n in a.units] for a in activities.activities
        }

    # ------------------------------------------------------------ loading

    @classmethod
    def load(cls, directory: Path, *, cache: bool | None = None) -> Catalog:
        """Load `directory/data/*.yaml`; raise `DefinitionError` listing every problem.

        `cache`: read and keep the validated catalog in `directory/.shuangzheng-cache/`
        (default: when `directory` is a workspace, i.e. has `ledgers/`).
        """
        directory = Path(directory)
        raw: dict[str, bytes] = {}
        for label in (ACTIVITIES_FILE, UNITS_FILE):
            with contextlib.suppress(OSError):  # said by `load_yaml` below
                raw[label] = (directory / label).read_bytes()
        if cache is None:
            cache = (directory / "ledgers").is_dir()
        key = _cache_key(raw) if cache and len(raw) == 2 else None
        if key is not None:
            found = _read_cache(directory, key)
            if found is not None:
                return cls(found[0], found[1], directory)
        activities, units = _validate(directory, raw)
        catalog = cls(activities, units, directory)
        if key is not None:
            _write_cache(directory, key, catalog._plain)
        return catalog

    # ------------------------------------------------------------ questions

    @cached_property
    def start(self) -> dt.date:
        """The day work is first due: the first phase's start, not before the plan was issued."""
        return max(self.phases[0].start, self.campaign.date)

    def phase_on(self, day: dt.date) -> Phase | None:
        """The latest phase that has started by `day` and not ended."""
        current = None
        for phase in self.phases:
            if phase.start <= day and (phase.end is None or day <= phase.end):
                current = phase
        return current

    def interval(self, activity: int) -> Interval:
        return self.rules.intervals[self.activities[activity].interval]

    def lead(self, activity: int) -> str:
        return self.listed[activity][0]

    def name(self, unit_id: str) -> str:
        item = self.units.get(unit_id) or self.groups.get(unit_id)
        return item.name if item else unit_id

    def short(self, activity: int) -> str:
        a = self.activities[activity]
        return a.short or a.title

    def metric_hints(self, activity: int, names: Iterable[str]) -> list[tuple[str, str]]:
        """(name, the target metric it probably means) for each metric name of a progress entry of
        `activity` that is not the metric of one of the activity's targets but close to one
        (`_closest`, or the same but for spaces, width or case): a target counts only its exact name.
        A target's own metric, a metric every activity may record (`COMMON_METRICS`) and a name like
        none of them give nothing, as does a name whose target metric the entry also records."""
        act = self.activities.get(activity)
        wanted = {_norm(t.metric): t.metric for t in act.targets} if act is not None else {}
        names = list(names)
        out = []
        for name in names:
            if name in COMMON_METRICS or name in wanted.values():
                continue
            key = _norm(name)
            if key in wanted:
                match: str | None = key
            elif set(key) & set("".join(wanted)):  # no character in common: unrelated (difflib not imported)
                match = _closest(name, wanted)
            else:
                match = None
            if match is not None and wanted[match] not in names:
                out.append((name, wanted[match]))
        return out

    def fraction_problems(self, metrics: dict[str, float]) -> list[str]:
        """What is wrong with a progress entry's metrics as the campaign counts them: every metric it
        names (`COMMON_METRICS`, the targets') is a number of things (场次, 人, 条线路…), so a
        fraction such as 场次=1.5 is a typing slip. Other metrics may hold any number."""
        return [
            f"数据 '{name}={value!r}' 有小数：{name} 是个数，须为整数"
            for name, value in metrics.items()
            if name in self.counted_metrics and isinstance(value, float) and not value.is_integer()
        ]

    @cached_property
    def counted_metrics(self) -> frozenset[str]:
        """The metrics that count things (`COMMON_METRICS` and every target's): whole numbers."""
        return COMMON_METRICS | {t.metric for act in self.activities.values() for t in act.targets}

    def is_member_group(self, unit_id: str) -> bool:
        group = self.groups.get(unit_id)
        return bool(group and group.members)

    def expand(self, unit_id: str) -> list[str]:
        """A group with members stands for its members; anything else for itself."""
        group = self.groups.get(unit_id)
        if group and group.members:
            return list(group.members)
        return [unit_id]

    @cached_property
    def cells(self) -> list[Cell]:
        """Every (activity, unit) cell of the board, in plan order, groups expanded, no repeats."""
        out: list[Cell] = []
        for number in sorted(self.activities):
            seen: set[str] = set()
            for listed in self.listed[number]:
                for unit in self.expand(listed):
                    if unit not in seen:
                        seen.add(unit)
                        out.append(Cell(number, unit))
        return out

    @cached_property
    def board_units(self) -> list[str]:
        """The 责任单位 (responsible units), the one count every command shows: the units that own
        at least one cell, in order of first appearance in the plan. That is each unit the plan
        lists (a group with members counts as its members) and each group listed without members,
        which reports as one. `responsible_summary` says it in words."""
        seen: dict[str, None] = {}
        for cell in self.cells:
            seen.setdefault(cell.unit, None)
        return list(seen)

    def responsible_summary(self) -> str:
        """'61 个责任单位（56 个单位、5 个不列成员的单位组）': `board_units`, counted and labeled."""
        groups = sum(1 for u in self.board_units if u in self.groups)
        parts = f"{len(self.board_units) - groups} 个单位" + (f"、{groups} 个不列成员的单位组" if groups else "")
        return f"{len(self.board_units)} 个责任单位（{parts}）"

    def activities_of(self, unit_id: str) -> list[int]:
        """Activities whose cells include this unit (or, for a group, any of its members)."""
        found = self._activities_of.get(unit_id)
        if found is None:
            targets = set(self.expand(unit_id)) | {unit_id}
            found = self._activities_of[unit_id] = sorted({c.activity for c in self.cells if c.unit in targets})
        return list(found)

    @cached_property
    def _activities_of(self) -> dict[str, list[int]]:
        """unit -> its activities, worked out once per unit (`check` asks for every line)."""
        return {}

    @cached_property
    def reporting_pairs(self) -> frozenset[tuple[str, int]]:
        """Every (unit, activity) an entry may name: a reporting unit and one of its activities."""
        return frozenset(
            (unit, a) for unit in [*self.units, *self.groups] if self.is_reporting_unit(unit) for a in self.activities_of(unit)
        )

    def groups_of(self, unit_id: str) -> list[str]:
        return [g.id for g in self.groups.values() if unit_id in g.members]

    def is_reporting_unit(self, unit_id: str) -> bool:
        """Entries may be recorded for a unit, or for a group that has no members."""
        return unit_id in self.units or (unit_id in self.groups and not self.groups[unit_id].members)

    # ------------------------------------------------------------ resolving what people type

    def resolve_unit(self, text: str) -> str:
        """The unit or group id for an id, a name or an alias; `UsageProblem` with a suggestion."""
        key = _norm(text)
        if key in self._names:
            return self._names[key]
        if not key.startswith("市") and "市" + key in self._names:
            return self._names["市" + key]
        partial = {uid for name, uid in self._names.items() if key and key in name}
        if len(partial) == 1:
            return partial.pop()
        raise UsageProblem(_unknown("单位", text, self._unit_suggestion(text)))

    def _unit_suggestion(self, text: str) -> str | None:
        import difflib

        names = [u.name for u in self.units.values()] + [g.name for g in self.groups.values()]
        aliases = {a: self.name(uid) for a, uid in self._names.items()}
        match = difflib.get_close_matches(_norm(text), list(aliases), n=1, cutoff=0.4)
        if match:
            return aliases[match[0]]
        match = difflib.get_close_matches(text, names, n=1, cutoff=0.3)
        return match[0] if match else None

    def resolve_activity(self, text: str | int) -> int:
        """An activity number from its number (4, “第4项”, full-width ４, ④), or a unique part of its title.
        `UsageProblem` quoting `text` as written when none or several fit."""
        import difflib

        raw = str(text).strip()
        digits = folded(raw).removeprefix("第").removesuffix("项").removesuffix("号").strip()
        if digits.isascii() and digits.isdigit():
            if int(digits) in self.activities:
                return int(digits)
            raise UsageProblem(f"未知活动 '{raw}'：活动编号为 1–{max(self.activities)}")
        key = _norm(raw)
        hits = [
            a.number
            for a in self.activities.values()
            if key and (key in _norm(a.title) or key in _norm(a.short))
        ]
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            listed = "、".join(f"{n}.{self.short(n)}" for n in hits[:6])
            raise UsageProblem(f"活动 '{raw}' 不唯一，可能是：{listed}；请写编号")
        titles = {self.short(a): a for a in self.activities}
        titles.update({_norm(self.activities[a].title): a for a in self.activities})
        match = difflib.get_close_matches(key, list(titles), n=1, cutoff=0.3)
        hint = f"{titles[match[0]]}.{self.short(titles[match[0]])}" if match else None
        raise UsageProblem(_unknown("活动", raw, hint))


def _validate(directory: Path, raw: dict[str, bytes]) -> tuple[ActivitiesFile, UnitsFile]:
    """Parse and validate both files (PyYAML, pydantic); `DefinitionError` listing every problem."""
    from pydantic import BaseModel, ValidationError

    from .schema import ActivitiesFile, UnitsFile
    from .yamlfile import limit_problems, load_yaml

    problems: list[Problem] = []
    docs: dict[str, YamlDocument] = {}
    for label in (ACTIVITIES_FILE, UNITS_FILE):
        doc, found = load_yaml(directory / label, label, raw.get(label))
        problems += found
        if doc is not None:
            limits = limit_problems(doc)
            problems += limits
            if not limits:
                docs[label] = doc
    parsed: dict[str, BaseModel] = {}
    for label, model in ((ACTIVITIES_FILE, ActivitiesFile), (UNITS_FILE, UnitsFile)):
        doc = docs.get(label)
        if doc is None:
            continue
        if not isinstance(doc.data, dict):
            problems.append(Problem(label, 1, "文件内容应为“键: 值”的映射"))
            continue
        try:
            parsed[label] = model.model_validate(doc.data)
        except ValidationError as exc:
            problems += [doc.problem(_loc(e), _message(e)) for e in exc.errors()]
    if ACTIVITIES_FILE in docs and UNITS_FILE in docs:
        problems += _cross_check(docs[ACTIVITIES_FILE], docs[UNITS_FILE])
    if problems:
        raise DefinitionError("定义文件有问题：", _unique(problems))
    return parsed[ACTIVITIES_FILE], parsed[UNITS_FILE]  # type: ignore[return-value]


# ------------------------------------------------------------ the cache


def _cache_key(raw: dict[str, bytes]) -> str:
    from .. import __version__

    h = hashlib.blake2b(digest_size=20)
    h.update(f"{CACHE_VERSION}|{__version__}|".encode())
    here = Path(__file__).parent
    for name in _CODE:
        try:
            st = os.stat(here / name)
            h.update(f"{name}|{st.st_size}|{st.st_mtime_ns}|".encode())
        except OSError:
            h.update(f"{name}|?|".encode())
    for label in (ACTIVITIES_FILE, UNITS_FILE):
        h.update(len(raw[label]).to_bytes(8, "big"))
        h.update(raw[label])
    return h.hexdigest()


def _read_cache(directory: Path, key: str) -> tuple[Any, Any] | None:
    from ..cache import load_json

    data = load_json(directory, CACHE_FILE)
    try:
        if data is None or data["key"] != key:
            return None
        return decode(data["activities"]), decode(data["units"])
    except (ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None  # another version's, or a damaged one: validate the YAML


def _write_cache(directory: Path, key: str, trees: tuple[Any, Any]) -> None:
    from ..cache import save_json

    try:
        data = {"key": key, "activities": encode(trees[0]), "units": encode(trees[1])}
    except (TypeError, ValueError):
        return  # a value JSON cannot hold: no cache
    save_json(directory, CACHE_FILE, data)


def _unknown(what: str, text: str, suggestion: str | None, *, listed: bool = False) -> str:
    """The message for a name that is none of the known ones; `listed`: an item of a YAML list."""
    if listed and "，" in text:  # `[市委宣传部，市委组织部]` is one item: the comma inside is full-width
        return (f"'{text}' 中有全角逗号“，”：列表 [ ] 中的各项要用半角逗号“,”分隔"
                f"（如 [{', '.join(p.strip() for p in text.split('，'))}]）")
    if suggestion:
        return f"未知{what} '{text}'，是否指 '{suggestion}'？"
    return f"未知{what} '{text}'"


#: `_norm`'s folding: half-width quotes, parentheses and commas to the full-width ones names are
#: written with; full-width letters and digits (ｘｃｂ, １２３４５) to ASCII, as an id is written.
_NORM = str.maketrans(
    {"\"": "“", "'": "‘", "(": "（", ")": "）", ",": "，"}
    | {chr(c): chr(c - 0xFEE0) for r in ((0xFF10, 0xFF19), (0xFF21, 0xFF3A), (0xFF41, 0xFF5A)) for c in range(r[0], r[1] + 1)}
)


def _norm(text: str) -> str:
    """Compare names without spaces or quote-style differences, ignoring ASCII case and width."""
    return "".join(text.split()).translate(_NORM).lower()


def _unique(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(set(problems))


# ------------------------------------------------------------ pydantic errors in Chinese

_TYPES = {
    "missing": "缺少必填项",
    "int_parsing": "须为整数",
    "int_type": "须为整数",
    "float_parsing": "须为数字",
    "float_type": "须为数字",
    "string_type": "须为文字",
    "list_type": "须为列表",
    "dict_type": "须为“键: 值”映射",
    "model_type": "须为“键: 值”映射",
    "model_attributes_type": "须为“键: 值”映射",
    "bool_type": "须为 true 或 false",
    "too_short": "不能为空",
}


#: How a key is written, for a message about its shape.
_EXAMPLES = {"liaison": '如 liaison: {name: 李明, phone: "13800138000"}'}

#: A model validator's error is reported at the whole item; point at the key it is about.
_VALIDATOR_KEYS = {"阶段结束日期": "end", "red_after_days": "red_after_days"}


def _loc(error: dict[str, Any]) -> tuple[Any, ...]:
    loc = tuple(error["loc"])
    if error["type"] == "value_error":
        message = str(error["msg"]).removeprefix("Value error, ")
        for prefix, key in _VALIDATOR_KEYS.items():
            if message.startswith(prefix):
                return (*loc, key)
    return loc


def _message(error: dict[str, Any]) -> str:
    kind = error["type"]
    loc = error["loc"]
    field = str(loc[-1]) if loc else ""
    value = error.get("input")
    if kind == "extra_forbidden":
        return f"未知的键 '{field}'（拼写错误？）"
    if kind == "string_pattern_mismatch":
        return f"编号 '{value}' 不合规：须以小写字母开头，只含小写字母、数字和连字符，2–32 位"
    if kind.startswith("date") or kind.startswith("datetime"):
        return f"日期 '{value}' 无效：须为 YYYY-MM-DD 格式的真实日期"
    if kind in ("greater_than", "greater_than_equal"):
        limit = error.get("ctx", {}).get("gt", error.get("ctx", {}).get("ge"))
        return f"{field} 须为大于 {limit} 的数（现为 {value!r}）" if limit == 0 else f"{field} 须不小于 {limit}（现为 {value!r}）"
    if kind in ("less_than", "less_than_equal"):
        limit = error.get("ctx", {}).get("lt", error.get("ctx", {}).get("le"))
        return f"{field} 须不大于 {limit}（现为 {value!r}）"
    if kind == "literal_error":
        from .schema import CHOICE_NAMES

        expected = re.findall(r"'([^']*)'", str(error.get("ctx", {}).get("expected", "")))
        names = CHOICE_NAMES.get(field, {})
        listed = "、".join(f"{v}（{names[v][0]}）" if v in names else v for v in expected)
        return f"{field} 的值 '{value}' 无效，可选：{listed}"
    if kind == "value_error":
        return str(error["msg"]).removeprefix("Value error, ")
    if kind == "string_type" and isinstance(value, int | float) and not isinstance(value, bool):
        # YAML reads an unquoted 13800138000 as a number (and drops a phone number's leading 0)
        return f"{field or '此项'} 须为文字：数字要加引号，如 {field or '值'}: \"{value}\""
    if kind in _TYPES:
        said = f"{field} {_TYPES[kind]}" if field and not field.isdigit() else _TYPES[kind]
        return f"{said}，{_EXAMPLES[field]}" if field in _EXAMPLES else said
    return f"{field}: {error['msg']}"


# ------------------------------------------------------------ checks across the two files


def _cross_check(acts: YamlDocument, units: YamlDocument) -> list[Problem]:
    """Checks pydantic cannot make: ids, aliases, references between the files."""
    from .schema import Rules, interval_key, interval_spellings

    problems: list[Problem] = []
    a = acts.data if isinstance(acts.data, dict) else {}
    u = units.data if isinstance(units.data, dict) else {}

    names: dict[str, tuple[str, tuple[Any, ...]]] = {}  # normalized name -> (owner id, loc)
    ids: dict[str, tuple[Any, ...]] = {}
    duplicated: set[str] = set()
    members_of: dict[str, list[Any]] = {}
    for section in ("units", "groups"):
        items = u.get(section) or []
        if not isinstance(items, list):
            continue
        for i, item in enumerate(items):
            if not isinstance(item, dict):
                continue
            uid = str(item.get("id", ""))
            loc = (section, i, "id")
            if uid in ids:
                problems.append(units.problem(loc, f"编号 '{uid}' 重复（第一次出现在第 {units.line_of(ids[uid])} 行）"))
                duplicated.add(uid)
            else:
                ids[uid] = loc
            spellings = [("name", item.get("name"))] + [
                (("aliases", j), alias) for j, alias in enumerate(item.get("aliases") or [])
            ]
            for where, spelling in spellings:
                if not isinstance(spelling, str):
                    continue
                key = _norm(spelling)
                wloc = (section, i, *where) if isinstance(where, tuple) else (section, i, where)
                if key in names and names[key][0] != uid:
                    other = names[key][0]
                    problems.append(
                        units.problem(wloc, f"名称或别名 '{spelling}' 已属于 '{other}'，一个名称只能指一个单位")
                    )
                else:
                    names.setdefault(key, (uid, wloc))
            if section == "groups":
                members_of[uid] = list(item.get("members") or [])
    unit_ids = {str(x.get("id")) for x in (u.get("units") or []) if isinstance(x, dict)}
    for gi, group in enumerate(u.get("groups") or []):
        if not isinstance(group, dict):
            continue
        for mi, member in enumerate(group.get("members") or []):
            if str(member) not in unit_ids:
                problems.append(units.problem(("groups", gi, "members", mi), _unknown("单位", str(member), _closest(str(member), unit_ids), listed=True)))

    all_names = {k: v[0] for k, v in names.items()} | {k: k for k in ids}
    category_numbers = {c.get("number") for c in (a.get("categories") or []) if isinstance(c, dict)}
    seen_cat: dict[Any, int] = {}
    for ci, cat in enumerate(a.get("categories") or []):
        if isinstance(cat, dict) and cat.get("number") is not None:
            if cat["number"] in seen_cat:
                problems.append(acts.problem(("categories", ci, "number"), f"类别编号 {cat['number']} 重复"))
            seen_cat[cat["number"]] = ci
    spellings = interval_spellings(a.get("rules"))
    intervals = (a.get("rules") or {}).get("intervals") if isinstance(a.get("rules"), dict) else None
    intervals = intervals if isinstance(intervals, dict) else {k: {"name": v.name} for k, v in Rules().intervals.items()}
    interval_choices = "、".join(
        f"{k}（{v['name']}）" if isinstance(v, dict) and isinstance(v.get("name"), str) else str(k) for k, v in intervals.items()
    )
    colors = (a.get("rules") or {}).get("colors") if isinstance(a.get("rules"), dict) else None
    if isinstance(colors, dict):
        seen_color: dict[str, Any] = {}
        for key in colors:
            color = parse_color(key) if isinstance(key, str) else None
            if color not in COLORS:
                problems.append(acts.problem(("rules", "colors", key), f"未知颜色 '{key}'，可选：red/yellow/blue/green（红/黄/蓝/绿）"))
            elif color in seen_color:
                problems.append(acts.problem(("rules", "colors", key), f"颜色 '{key}' 与 '{seen_color[color]}' 都是{COLOR_NAMES[color]}色，请只写一个"))
            else:
                seen_color[color] = key
    seen_act: dict[Any, int] = {}
    shorts: dict[str, int] = {}
    for ai, act in enumerate(a.get("activities") or []):
        if not isinstance(act, dict):
            continue
        number = act.get("number")
        if number in seen_act:
            problems.append(acts.problem(("activities", ai, "number"), f"活动编号 {number} 重复"))
        seen_act[number] = ai
        if category_numbers and act.get("category") not in category_numbers:
            problems.append(acts.problem(("activities", ai, "category"), f"未知类别 {act.get('category')}"))
        if interval_key(act.get("interval", "weekly"), spellings) is None:
            problems.append(
                acts.problem(("activities", ai, "interval"), (f"未知报送周期 '{act.get('interval')}'" if act.get("interval") is not None else "报送周期 interval 未填") + f"，可选：{interval_choices}")
            )
        short = act.get("short")
        if isinstance(short, str) and short:
            if short in shorts:
                problems.append(acts.problem(("activities", ai, "short"), f"简称 '{short}' 与第 {shorts[short]} 项重复"))
            shorts.setdefault(short, number)
        listed: set[str] = set()
        for ui, name in enumerate(act.get("units") or []):
            key = _norm(str(name))
            loc = ("activities", ai, "units", ui)
            if key not in all_names:
                problems.append(acts.problem(loc, _unknown("单位", str(name), _closest(str(name), [n for n in names]), listed=True)))
            elif all_names[key] in listed and all_names[key] not in duplicated:
                problems.append(acts.problem(loc, f"单位 '{name}' 在本项中重复列出"))
            else:
                listed.add(all_names[key])
    return problems


#: Metrics any activity's progress may record (the examples of `add -m` and the template): never
#: taken for a misspelt target metric.
COMMON_METRICS = frozenset({"场次", "参与人数"})
#: The parts of the annual score (年度考核), by the keys of `rules.scoring.weights`.
SCORE_PARTS = {"timeliness": "报送及时", "color": "四色状态", "inspections": "督导检查", "targets": "目标完成"}


def metric_hint(name: str, metric: str) -> str:
    """What `add` and `import` say about a metric name close to a target's (`Catalog.metric_hints`)."""
    return f"数据 '{name}' 是否指 '{metric}'？该活动的目标按 '{metric}' 计"


def _closest(text: str, options: Iterable[str]) -> str | None:
    import difflib

    match = difflib.get_close_matches(_norm(text), list(options), n=1, cutoff=0.4)
    return match[0] if match else None
