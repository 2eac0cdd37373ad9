"""The project's one working-day calendar: China's official calendar, with a stated fallback.

Time limits in the sharing rules are counted in working days (工作日): a provider answers a request within 10,
a department updates its catalog within 15. Working days follow the State Council's yearly holiday notice,
adjusted working weekends (调休) included, as published in the ``chinese-calendar`` package. The package only
knows the years whose notice has appeared; for any other year we count Monday to Friday and *say so*: every
answer that may rest on such a year carries ``official=False``, so that the UI and the API can show
"按周一至周五估算 / estimated as Monday–Friday" (:data:`ESTIMATE_NOTE`) instead of a date that looks certain.

Convention: a time limit of *n* working days for something received on day *D* (at any hour, on a working
day or not) ends on the *n*-th working day after *D*; day *D* itself never counts.

Usage::

    answer = add_working_days(date(2026, 2, 13), 10)  # CalendarAnswer(date(2026, 3, 5), official=True)
    if not answer.official:
        show(ESTIMATE_NOTE)
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone

import chinese_calendar

CHINA_TIME = timezone(timedelta(hours=8), "CST")
"""Beijing time, in which calendar days are counted (China has no daylight saving time)."""

ESTIMATE_NOTE = {"zh": "按周一至周五估算", "en": "estimated as Monday–Friday"}
"""What to tell people when an answer is not ``official``."""


@dataclass(frozen=True)
class CalendarAnswer:
    """A date computed from the calendar, and whether every year it rests on is in the official calendar."""

    date: date
    official: bool


@dataclass(frozen=True)
class WorkingDayCount:
    """A number of working days, and whether every year it rests on is in the official calendar."""

    days: int
    official: bool


def china_date(moment: date | datetime) -> date:
    """The calendar day of ``moment`` in Beijing time; a naive datetime is taken to be Beijing time already."""
    if isinstance(moment, datetime):
        if moment.tzinfo is not None:
            moment = moment.astimezone(CHINA_TIME)
        return moment.date()
    return moment


class WorkingDayCalendar:
    """China's working days from ``chinese-calendar``, Monday to Friday for the years it does not cover.

    Callers normally use the module's functions, which are this class's methods on :data:`CALENDAR`;
    services take a calendar as a parameter so that a test can hand them another.
    """

    def covered(self, year: int) -> bool:
        """Whether the official holiday arrangements of ``year`` are known."""
        try:
            chinese_calendar.is_workday(date(year, 1, 1))
        except NotImplementedError:
            return False
        return True

    def is_working_day(self, day: date | datetime) -> bool:
        """Whether ``day`` is a working day; for an uncovered year (see :meth:`covered`) this is Monday–Friday."""
        day = china_date(day)
        if self.covered(day.year):
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_working_days(self, start: date | datetime, n: int) -> CalendarAnswer:
        """The ``n``-th working day after the day of ``start`` (``n`` ≥ 1): the deadline of an ``n``-day limit."""
        if n < 1:
            raise ValueError(f"a time limit counts at least one working day, not {n}")
        day, official = china_date(start), True
        while n:
            day += timedelta(days=1)
            official = official and self.covered(day.year)
            n -= self.is_working_day(day)
        return CalendarAnswer(day, official)

    def working_days_between(self, a: date | datetime, b: date | datetime) -> WorkingDayCount:
        """The working days after the day of ``a`` up to and including the day of ``b``; negative if ``b`` < ``a``.

        The inverse of :meth:`add_working_days`: ``working_days_between(d, add_working_days(d, n).date)`` is ``n``.
        """
        first, last = china_date(a), china_date(b)
        if last < first:
            count = self.working_days_between(last, first)
            return WorkingDayCount(-count.days, count.official)
        counted = [first + timedelta(days=k) for k in range(1, (last - first).days + 1)]
        days = sum(self.is_working_day(day) for day in counted)
        official = all(self.covered(year) for year in {day.year for day in counted})
        return WorkingDayCount(days, official)


CALENDAR = WorkingDayCalendar()
"""The calendar every part of the project counts working days with."""

covered = CALENDAR.covered
is_working_day = CALENDAR.is_working_day
add_working_days = CALENDAR.add_working_days
working_days_between = CALENDAR.working_days_between
