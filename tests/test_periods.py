"""Periods and office dates, each expected range worked out by hand from a calendar."""

from __future__ import annotations

import datetime as dt

import pytest

from shuangzheng_cli.errors import UsageProblem
from shuangzheng_cli.periods import Period, parse_date, parse_period

D = dt.date


@pytest.mark.parametrize(
    "text, start, end, label, days",
    [
        # ISO weeks: 2022-01-03 is the Monday of W01 (1 Jan 2022 was a Saturday); W39 = +38 weeks
        ("2022-W39", D(2022, 9, 26), D(2022, 10, 2), "2022-W39", 7),
        ("2022W39", D(2022, 9, 26), D(2022, 10, 2), "2022-W39", 7),
        ("2022-w39", D(2022, 9, 26), D(2022, 10, 2), "2022-W39", 7),
        ("2022-W01", D(2022, 1, 3), D(2022, 1, 9), "2022-W01", 7),
        ("2022-W52", D(2022, 12, 26), D(2023, 1, 1), "2022-W52", 7),
        # 2020 began on a Wednesday, so it has 53 ISO weeks; W53 runs into 2021
        ("2020-W53", D(2020, 12, 28), D(2021, 1, 3), "2020-W53", 7),
        ("2022-09", D(2022, 9, 1), D(2022, 9, 30), "2022-09", 30),
        ("2022-9", D(2022, 9, 1), D(2022, 9, 30), "2022-09", 30),
        ("2022年9月", D(2022, 9, 1), D(2022, 9, 30), "2022-09", 30),
        ("2022-12", D(2022, 12, 1), D(2022, 12, 31), "2022-12", 31),
        ("2023-02", D(2023, 2, 1), D(2023, 2, 28), "2023-02", 28),
        ("2024-02", D(2024, 2, 1), D(2024, 2, 29), "2024-02", 29),  # leap year
        ("2000-02", D(2000, 2, 1), D(2000, 2, 29), "2000-02", 29),  # divisible by 400: leap
        ("2022Q4", D(2022, 10, 1), D(2022, 12, 31), "2022Q4", 92),
        ("2022-Q1", D(2022, 1, 1), D(2022, 3, 31), "2022Q1", 90),
        ("2024q1", D(2024, 1, 1), D(2024, 3, 31), "2024Q1", 91),
        ("2022Q3", D(2022, 7, 1), D(2022, 9, 30), "2022Q3", 92),
        ("2022H2", D(2022, 7, 1), D(2022, 12, 31), "2022H2", 184),
        ("2022H1", D(2022, 1, 1), D(2022, 6, 30), "2022H1", 181),
        ("2024H1", D(2024, 1, 1), D(2024, 6, 30), "2024H1", 182),
        ("2022", D(2022, 1, 1), D(2022, 12, 31), "2022", 365),
        ("2024", D(2024, 1, 1), D(2024, 12, 31), "2024", 366),
        ("2022-09-01..2022-09-30", D(2022, 9, 1), D(2022, 9, 30), "2022-09-01..2022-09-30", 30),
        ("2022/9/21..2022年10月1日", D(2022, 9, 21), D(2022, 10, 1), "2022-09-21..2022-10-01", 11),
        (" 2022-09-05 .. 2022-09-05 ", D(2022, 9, 5), D(2022, 9, 5), "2022-09-05..2022-09-05", 1),
        ("2024-02-28..2024-03-01", D(2024, 2, 28), D(2024, 3, 1), "2024-02-28..2024-03-01", 3),
    ],
)
def test_every_period_form(text: str, start: dt.date, end: dt.date, label: str, days: int) -> None:
    p = parse_period(text)
    assert (p.start, p.end, p.label, p.days) == (start, end, label, days)
    assert start in p and end in p
    assert start - dt.timedelta(days=1) not in p and end + dt.timedelta(days=1) not in p


@pytest.mark.parametrize(
    "text",
    ["2021-W53", "2022-W00", "2022-W54", "2022-13", "2022-00", "2022Q5", "2022Q0", "2022H3", "22",
     "2022-09-30..2022-09-01", "2022-02-30..2022-03-01", "2022-09-01..", "上个月", "", "2022-09-01"],
)
def test_bad_periods_get_a_chinese_message(text: str) -> None:
    with pytest.raises(UsageProblem) as info:
        parse_period(text)
    message = info.value.message
    assert message.startswith(f"时段 '{text.strip()}' 无效")
    assert info.value.code == 2
    if text == "2022-09-30..2022-09-01":
        assert "结束日期早于开始日期" in message
    else:
        assert "2022-W39" in message and "2022Q4" in message  # names the accepted forms


@pytest.mark.parametrize(
    "text, previous",
    [
        ("2022-W39", (D(2022, 9, 19), D(2022, 9, 25), "2022-W38")),
        ("2022-W01", (D(2021, 12, 27), D(2022, 1, 2), "2021-W52")),
        ("2021-W01", (D(2020, 12, 28), D(2021, 1, 3), "2020-W53")),  # 2021-W01 starts 2021-01-04
        ("2022-09", (D(2022, 8, 1), D(2022, 8, 31), "2022-08")),
        ("2022-01", (D(2021, 12, 1), D(2021, 12, 31), "2021-12")),
        ("2024-03", (D(2024, 2, 1), D(2024, 2, 29), "2024-02")),
        ("2022Q1", (D(2021, 10, 1), D(2021, 12, 31), "2021Q4")),
        ("2022Q4", (D(2022, 7, 1), D(2022, 9, 30), "2022Q3")),
        ("2022H1", (D(2021, 7, 1), D(2021, 12, 31), "2021H2")),
        ("2022H2", (D(2022, 1, 1), D(2022, 6, 30), "2022H1")),
        ("2022", (D(2021, 1, 1), D(2021, 12, 31), "2021")),
        # a range: the same number of days just before it
        ("2022-09-01..2022-09-10", (D(2022, 8, 22), D(2022, 8, 31), "上期")),
    ],
)
def test_previous(text: str, previous: tuple[dt.date, dt.date, str]) -> None:
    p = parse_period(text).previous()
    assert (p.start, p.end, p.label) == previous


@pytest.mark.parametrize(
    "text",
    ["2022-09-21", "2022-9-21", "2022/9/21", "2022/09/21", "2022.9.21", "2022年9月21日", "2022年9月21",
     "20220921", " 2022-09-21 "],
)
def test_office_date_forms(text: str) -> None:
    assert parse_date(text) == D(2022, 9, 21)


@pytest.mark.parametrize(
    "text", ["２０２２－０９－２１", "２０２２／９／２１", "２０２２．９．２１", "２０２２年９月２１日", "２０２２０９２１", "\u30002022-09-21\u3000"],
)
def test_full_width_dates_as_a_chinese_input_method_types_them(text: str) -> None:
    assert parse_date(text) == D(2022, 9, 21)


@pytest.mark.parametrize(("text", "label"), [("２０２２Ｑ４", "2022Q4"), ("２０２２－Ｗ３９", "2022-W39"), ("２０２２ｈ２", "2022H2"),
                                             ("２０２２－０９－０１．．２０２２－０９－３０", "2022-09-01..2022-09-30")])
def test_full_width_periods(text: str, label: str) -> None:
    assert parse_period(text).label == label


def test_a_bad_full_width_date_is_quoted_as_typed() -> None:
    with pytest.raises(UsageProblem) as info:
        parse_date("２０２２－１３－０１", "截至日期")
    assert info.value.message == "截至日期 '２０２２－１３－０１' 无效：请写成 2022-09-21 这样的真实日期"


def test_today_words_use_the_pinned_today() -> None:
    assert parse_date("今天") == parse_date("today") == D(2022, 11, 30)


@pytest.mark.parametrize("text", ["2022-02-29", "2023-02-29", "2022-9", "21/9/2022", "2022-09-31", "昨天", "", "2022年13月1日"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(UsageProblem) as info:
        parse_date(text, "截至日期")
    assert info.value.message == f"截至日期 '{text.strip()}' 无效：请写成 2022-09-21 这样的真实日期"


def test_leap_day_is_a_date() -> None:
    assert parse_date("2024年2月29日") == D(2024, 2, 29)


def test_bad_pinned_today_is_a_message(monkeypatch: pytest.MonkeyPatch) -> None:
    from shuangzheng_cli.periods import today

    monkeypatch.setenv("SHUANGZHENG_TODAY", "2022-11-31")
    with pytest.raises(UsageProblem, match="SHUANGZHENG_TODAY"):
        today()


def test_period_contains_only_dates() -> None:
    p = Period(D(2022, 9, 1), D(2022, 9, 30), "2022-09")
    assert "2022-09-15" not in p
    assert D(2022, 9, 15) in p
