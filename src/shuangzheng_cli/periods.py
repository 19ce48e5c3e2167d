"""Periods and dates as people write them: `2022-W39`, `2022-09`, `2022Q4`, `2022H2`, `2022`, `A..B`,
and their Chinese forms (`2022年第48周`, `2022年第4季度`, `2022年下半年`, `A至B`).

Parsed in this one place and used by every command that takes `--period` or a date.
"""

from __future__ import annotations

import datetime as dt
import os
import re
import unicodedata
from dataclasses import dataclass

from .errors import UsageProblem

SHANGHAI = dt.timezone(dt.timedelta(hours=8), "Asia/Shanghai")
#: The years a date or period may name (`--as-of`, `--date`, `--year`, `--period`, rows of a
#: workbook): wide enough for any campaign, narrow enough that the calendar never runs out.
YEAR_MIN, YEAR_MAX = 2000, 2099
_RANGE = f"须在 {YEAR_MIN}-01-01 至 {YEAR_MAX}-12-31 之间"


def today() -> dt.date:
    """Today in Asia/Shanghai (the office's calendar), whatever the machine's time zone.

    `SHUANGZHENG_TODAY=YYYY-MM-DD` pins it, for tests, demos and re-running a past week.
    """
    pinned = os.environ.get("SHUANGZHENG_TODAY")
    if pinned:
        try:
            day = dt.date.fromisoformat(pinned.strip())
        except ValueError:
            raise UsageProblem(f"环境变量 SHUANGZHENG_TODAY='{pinned}' 不是 YYYY-MM-DD 日期") from None
        if not YEAR_MIN <= day.year <= YEAR_MAX:  # every date the tool takes is in this range (`_RANGE`)
            raise UsageProblem(f"环境变量 SHUANGZHENG_TODAY='{pinned}' 超出范围：{_RANGE}")
        return day
    return dt.datetime.now(SHANGHAI).date()


def now_iso() -> str:
    """Now, in +08:00, to the second: the `at` of a new entry."""
    return dt.datetime.now(SHANGHAI).replace(microsecond=0).isoformat()


@dataclass(frozen=True)
class Period:
    """A closed range of days with the label it was written as."""

    start: dt.date
    end: dt.date
    label: str

    def __contains__(self, day: object) -> bool:
        return isinstance(day, dt.date) and self.start <= day <= self.end

    @property
    def days(self) -> int:
        return (self.end - self.start).days + 1

    def previous(self) -> Period:
        """The period of the same kind just before this one (`UsageProblem` before year 1)."""
        try:
            label = _previous_label(self)
            return parse_period(label) if label else Period(
                self.start - dt.timedelta(days=self.days), self.start - dt.timedelta(days=1), "上期"
            )
        except (OverflowError, UsageProblem):
            raise UsageProblem(f"时段 {self.label} 之前超出了日历范围，没有上一期") from None


_DATE_FORMS = [
    re.compile(r"^(\d{4})-(\d{1,2})-(\d{1,2})$"),
    re.compile(r"^(\d{4})/(\d{1,2})/(\d{1,2})$"),
    re.compile(r"^(\d{4})\.(\d{1,2})\.(\d{1,2})$"),
    re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日?$"),
    re.compile(r"^(\d{4})(\d{2})(\d{2})$"),
]


def folded(text: object) -> str:
    """`text` with full-width digits, letters and punctuation (what a Chinese input method types in
    full-width mode: ２０２２－１０－０１, ２０２２Ｑ４) and the ideographic space in their ASCII forms
    (NFKC), stripped. For dates, periods and numbers only: texts keep what was written."""
    return unicodedata.normalize("NFKC", str(text)).strip()


def parse_date(text: str, what: str = "日期", *, today_words: bool = True) -> dt.date:
    """A date as written in an office: 2022-09-21, 2022/9/21, 2022.9.21, 2022年9月21日, 20220921,
    in half- or full-width characters (`folded`); also 今天/today unless `today_words` is False
    (a definition file names fixed days).

    `UsageProblem` (naming `what`, quoting `text` as written) for anything else, or a year outside YEAR_MIN–YEAR_MAX."""
    raw = str(text).strip()
    plain = folded(raw)
    for form in _DATE_FORMS:
        m = form.match(plain)
        if m:
            try:
                day = dt.date(int(m[1]), int(m[2]), int(m[3]))
            except ValueError:
                break
            if not YEAR_MIN <= day.year <= YEAR_MAX:
                raise UsageProblem(f"{what} '{raw}' 超出范围：{_RANGE}")
            return day
    if plain.lower() in ("today", "今天") and today_words:
        return today()
    raise UsageProblem(f"{what} '{raw}' 无效：请写成 2022-09-21 这样的真实日期")


_WEEK = re.compile(r"^(\d{4})-?W(\d{1,2})$", re.I)
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.I)
_HALF = re.compile(r"^(\d{4})-?H([12])$", re.I)
_YEAR = re.compile(r"^(\d{4})$")
#: The Chinese side of the same forms, as an office writes them (digits already half-width, `folded`):
#: 2022年第48周、2022年11月（十一月）、2022年第4季度（四季度、第四季度）、2022年下半年、2022年（2022年度、全年）.
_CN_NUMBER = "一二三四五六七八九十"
_CN_WEEK = re.compile(r"^(\d{4})年第?(\d{1,2})周$")
_CN_MONTH = re.compile(rf"^(\d{{4}})年(\d{{1,2}}|[{_CN_NUMBER}]|十[一二])月份?$")
_CN_QUARTER = re.compile(r"^(\d{4})年(?:第([1-4一二三四])季度?|([1-4一二三四])季度|Q([1-4]))$", re.I)
_CN_HALF = re.compile(r"^(\d{4})年([上下])半年$")
_CN_YEAR = re.compile(r"^(\d{4})年(?:度|全年)?$")
#: What joins the two days of a range: `..`, or 至 / ~ (full-width ～ folds to ~).
_RANGE_SEP = re.compile(r"\.\.|至|~")


def _cn_number(text: str) -> int:
    """1–12 written in digits or in Chinese numerals (四, 十一)."""
    if text.isdigit():
        return int(text)
    if text.startswith("十"):
        return 10 + (_CN_NUMBER.index(text[1]) + 1 if len(text) > 1 else 0)
    return _CN_NUMBER.index(text) + 1

PERIOD_HELP = (
    "时段：2022-W39（ISO 周）、2022-09、2022Q4、2022H2、2022 或 2022-09-01..2022-09-30；"
    "也可写 2022年第48周、2022年11月、2022年第4季度（四季度）、2022年下半年、2022年、2022年9月1日至2022年9月30日"
)


def parse_period(text: str) -> Period:
    """Parse one of the period forms; `UsageProblem` naming the accepted forms otherwise, or
    the bounds for a period outside YEAR_MIN–YEAR_MAX."""
    year = re.match(r"\s*(\d{4})", str(text))
    if year and not YEAR_MIN <= int(year[1]) <= YEAR_MAX:  # before the calendar could run out (9999-W52)
        raise UsageProblem(f"时段 '{str(text).strip()}' 超出范围：{_RANGE}")
    period = _parse_period(text)
    if period.start.year < YEAR_MIN or period.end.year > YEAR_MAX:
        raise UsageProblem(f"时段 '{str(text).strip()}' 超出范围：{_RANGE}")
    return period


def parse_week(text: str, what: str = "周") -> Period:
    """An ISO week written as `2022-W39` or as any day inside it (`2022-09-28`)."""
    raw = str(text).strip()
    hint = "请写 ISO 周，如 2022-W39，或该周中的一天，如 2022-09-28"
    try:
        period = parse_period(raw)
    except UsageProblem as exc:
        if "超出范围" in exc.message:
            raise UsageProblem(f"{what} '{raw}' 超出范围：{_RANGE}") from None
        try:
            return week_of(parse_date(raw, what))
        except UsageProblem as inner:
            if "超出范围" in inner.message:
                raise
            raise UsageProblem(f"{what} '{raw}' 无效：{hint}") from None
    if not re.fullmatch(r"\d{4}-W\d{2}", period.label):
        raise UsageProblem(f"{what} '{raw}' 不是一周：{hint}")
    return period


def as_of_within(period: Period, today: dt.date) -> dt.date:
    """The day a document about `period` is as of: its last day, or today while it is in progress.

    A period that has not started yet is refused (`UsageProblem`): nothing about it is known."""
    if period.start > today:
        raise UsageProblem(f"{period.label} 尚未开始（今天是 {today.isoformat()}），无从统计")
    return min(period.end, today)


def _parse_period(text: str) -> Period:
    raw = str(text).strip()
    plain = folded(raw)
    try:
        if _RANGE_SEP.search(plain):
            a, b = _RANGE_SEP.split(plain, maxsplit=1)
            start, end = parse_date(a), parse_date(b)
            if end < start:
                raise UsageProblem(f"时段 '{raw}' 无效：结束日期早于开始日期")
            return Period(start, end, f"{start.isoformat()}..{end.isoformat()}")
        if m := (_WEEK.match(plain) or _CN_WEEK.match(plain)):
            year, week = int(m[1]), int(m[2])
            start = dt.date.fromisocalendar(year, week, 1)
            return Period(start, start + dt.timedelta(days=6), f"{year}-W{week:02d}")
        if m := (_MONTH.match(plain) or _CN_MONTH.match(plain)):
            year, month = int(m[1]), _cn_number(m[2])
            start = dt.date(year, month, 1)
            return Period(start, _month_end(year, month), f"{year}-{month:02d}")
        if m := _CN_QUARTER.match(plain):
            plain = f"{m[1]}Q{_cn_number(m[2] or m[3] or m[4])}"
        if m := _CN_HALF.match(plain):
            plain = f"{m[1]}H{1 if m[2] == '上' else 2}"
        if m := _CN_YEAR.match(plain):
            plain = m[1]
        if m := _QUARTER.match(plain):
            year, q = int(m[1]), int(m[2])
            start = dt.date(year, 3 * q - 2, 1)
            return Period(start, _month_end(year, 3 * q), f"{year}Q{q}")
        if m := _HALF.match(plain):
            year, h = int(m[1]), int(m[2])
            return Period(dt.date(year, 6 * h - 5, 1), _month_end(year, 6 * h), f"{year}H{h}")
        if m := _YEAR.match(plain):
            year = int(m[1])
            return Period(dt.date(year, 1, 1), dt.date(year, 12, 31), str(year))
    except (ValueError, OverflowError):  # no such day, or past the calendar (9999-W52 ends in 10000)
        pass
    except UsageProblem as exc:
        if "时段" in exc.message or "超出范围" in exc.message:
            raise
    raise UsageProblem(f"时段 '{raw}' 无效。可写：{PERIOD_HELP.removeprefix('时段：')}")


def week_of(day: dt.date) -> Period:
    year, week, _ = day.isocalendar()
    return parse_period(f"{year}-W{week:02d}")


def calendar_period(day: dt.date, per: str) -> Period:
    """The calendar year, quarter or month that contains `day`."""
    if per == "year":
        return parse_period(str(day.year))
    if per == "quarter":
        return parse_period(f"{day.year}Q{(day.month - 1) // 3 + 1}")
    if per == "month":
        return parse_period(f"{day.year}-{day.month:02d}")
    raise ValueError(per)


def month_ends(period: Period) -> list[dt.date]:
    """The last day of each month that ends inside the period (its end if it ends mid-month)."""
    out = []
    year, month = period.start.year, period.start.month
    while True:
        end = _month_end(year, month)
        if end > period.end:
            if not out or out[-1] != period.end:
                out.append(period.end)
            break
        out.append(end)
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_end(year: int, month: int) -> dt.date:
    nxt = dt.date(year + 1, 1, 1) if month == 12 else dt.date(year, month + 1, 1)
    return nxt - dt.timedelta(days=1)


def _previous_label(p: Period) -> str | None:
    label = p.label
    if m := re.match(r"^(\d{4})-W(\d{2})$", label):
        prev = p.start - dt.timedelta(days=7)
        y, w, _ = prev.isocalendar()
        return f"{y}-W{w:02d}"
    if m := re.match(r"^(\d{4})-(\d{2})$", label):
        y, mo = int(m[1]), int(m[2])
        return f"{y - 1}-12" if mo == 1 else f"{y}-{mo - 1:02d}"
    if m := re.match(r"^(\d{4})Q(\d)$", label):
        y, q = int(m[1]), int(m[2])
        return f"{y - 1}Q4" if q == 1 else f"{y}Q{q - 1}"
    if m := re.match(r"^(\d{4})H(\d)$", label):
        y, h = int(m[1]), int(m[2])
        return f"{y - 1}H2" if h == 1 else f"{y}H1"
    if m := re.match(r"^(\d{4})$", label):
        return str(int(m[1]) - 1)
    return None
