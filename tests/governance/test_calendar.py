"""The working-day calendar: China's official holidays and adjusted working weekends, Monday–Friday beyond them."""

from datetime import UTC, date, datetime, timedelta

import chinese_calendar
import pytest

from catalog_service.governance.calendar import (
    CHINA_TIME,
    ESTIMATE_NOTE,
    CalendarAnswer,
    WorkingDayCount,
    add_working_days,
    covered,
    is_working_day,
    working_days_between,
)


def last_covered_year() -> int:
    year = 2026
    while covered(year + 1):
        year += 1
    return year


def test_spring_festival_2026_as_the_package_publishes_it() -> None:
    assert covered(2026)
    assert chinese_calendar.get_holiday_detail(date(2026, 2, 16)) == (True, "Spring Festival")
    assert [is_working_day(date(2026, 2, day)) for day in range(13, 25)] == [True] * 2 + [False] * 9 + [True]
    assert date(2026, 2, 14).weekday() == 5 and is_working_day(date(2026, 2, 14))  # 调休: Saturday before
    assert date(2026, 2, 28).weekday() == 5 and is_working_day(date(2026, 2, 28))  # 调休: Saturday after
    assert not is_working_day(date(2026, 3, 1))


def test_ten_working_days_across_spring_festival_and_two_adjusted_saturdays() -> None:
    # Fri 13 Feb: Sat 14 (1), Tue 24 – Fri 27 (2–5), Sat 28 (6), Mon 2 – Thu 5 March (7–10)
    assert add_working_days(date(2026, 2, 13), 10) == CalendarAnswer(date(2026, 3, 5), official=True)
    assert working_days_between(date(2026, 2, 13), date(2026, 3, 5)) == WorkingDayCount(10, official=True)


def test_the_day_received_never_counts_whatever_the_hour() -> None:
    assert add_working_days(date(2026, 2, 16), 1).date == date(2026, 2, 24)  # received during the holiday
    late_on_adjusted_saturday = datetime(2026, 2, 14, 23, 30, tzinfo=CHINA_TIME)
    assert add_working_days(late_on_adjusted_saturday, 1).date == date(2026, 2, 24)
    assert add_working_days(datetime(2026, 2, 13, 9, 0, tzinfo=CHINA_TIME), 1).date == date(2026, 2, 14)


def test_days_are_counted_in_beijing_time() -> None:
    friday_evening_utc = datetime(2026, 2, 13, 17, 0, tzinfo=UTC)  # already Saturday 01:00 in Beijing
    assert add_working_days(friday_evening_utc, 1).date == date(2026, 2, 24)


def test_national_day_2026() -> None:
    assert [is_working_day(date(2026, 10, day)) for day in range(1, 9)] == [False] * 7 + [True]
    assert is_working_day(date(2026, 9, 20))  # Sunday worked before the holiday
    assert is_working_day(date(2026, 10, 10))  # Saturday worked after it
    assert add_working_days(date(2026, 9, 30), 3) == CalendarAnswer(date(2026, 10, 10), official=True)
    assert add_working_days(date(2026, 9, 30), 10).date == date(2026, 10, 20)  # 8, 9, 10, 12–16, 19, 20


def test_an_uncovered_year_falls_back_to_monday_to_friday_and_says_so() -> None:
    assert not covered(2031)
    assert is_working_day(date(2031, 1, 27)) and not is_working_day(date(2031, 2, 1))  # Monday, Saturday
    answer = add_working_days(date(2031, 1, 29), 10)
    assert answer == CalendarAnswer(date(2031, 2, 12), official=False)
    assert working_days_between(date(2031, 1, 29), date(2031, 2, 12)) == WorkingDayCount(10, official=False)
    assert ESTIMATE_NOTE == {"zh": "按周一至周五估算", "en": "estimated as Monday–Friday"}


def test_a_deadline_running_past_the_last_published_year_is_an_estimate() -> None:
    last = last_covered_year()
    answer = add_working_days(date(last, 12, 24), 10)
    assert answer.date.year == last + 1 and not answer.official
    fallback = [date(last + 1, 1, 1) + timedelta(days=k) for k in range((answer.date - date(last + 1, 1, 1)).days + 1)]
    assert all(is_working_day(day) == (day.weekday() < 5) for day in fallback)
    assert add_working_days(date(last, 12, 1), 3).official  # stays within the published year
    assert add_working_days(date(last, 12, 31), 1).official is False  # the start day's year does not matter


def test_working_days_between_is_the_inverse_of_add_and_signed() -> None:
    start = date(2026, 4, 30)
    for n in (1, 5, 10, 15):
        assert working_days_between(start, add_working_days(start, n).date).days == n
    assert working_days_between(date(2026, 3, 5), date(2026, 2, 13)) == WorkingDayCount(-10, official=True)
    assert working_days_between(start, start) == WorkingDayCount(0, official=True)


def test_a_limit_counts_at_least_one_day() -> None:
    with pytest.raises(ValueError):
        add_working_days(date(2026, 1, 5), 0)
