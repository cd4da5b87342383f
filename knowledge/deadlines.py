"""Deadline engine: due dates from a catalog rule and the event date, as pure functions.

Counting (see knowledge/data/SCHEMA.md):
- ``inclusive``: the event day is day 1 (戸籍法43条: 出生届・死亡届). 14 days after 2026-11-20 -> 2026-12-03.
- ``next_day``: counting starts the next day (民法140条). 14 days after 2026-11-20 -> 2026-12-04. Months and years
  end the day before the corresponding day (民法143条), or on the last day of the month when there is none.
- ``before``: a window that opens N units before the event (e.g. a moving-out notice from 14 days before).
Extension: a last day on a Saturday, Sunday, national holiday or the municipal closure 12/29-1/3 moves to the
next open day (地方自治法4条の2, 行政機関の休日に関する法律) when the rule's ``extend`` is set; when it is not (no
source confirms the move), the explanation says to treat the deadline as not moving and act by the open day before.

Example::

    >>> from knowledge.models import DeadlineRule, Text
    >>> rule = DeadlineRule(length=14, unit="day", counting="inclusive", text=Text(ja="14日以内"))
    >>> compute_due(rule, dt.date(2026, 11, 23)).due    # 14th day is Sun 12/6 -> Mon 12/7
    datetime.date(2026, 12, 7)
"""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from functools import cache, wraps
from typing import ParamSpec, TypeVar

import holidays

from knowledge.models import DeadlineRule, OfficeCalendar, Offset

_P = ParamSpec("_P")
_R = TypeVar("_R")


class DateOutOfRange(ValueError):
    """A date the rules would give lies outside the calendar (year 1-9999), e.g. an event in the year 9999."""


def _in_range(func: Callable[_P, _R]) -> Callable[_P, _R]:
    """Turn Python's date overflow (OverflowError, "year 10000 is out of range") into :class:`DateOutOfRange`."""

    @wraps(func)
    def wrapper(*args: _P.args, **kwargs: _P.kwargs) -> _R:
        try:
            return func(*args, **kwargs)
        except OverflowError as err:
            raise DateOutOfRange(f"date out of range: {err}") from None
        except ValueError as err:
            if "out of range" not in str(err):
                raise
            raise DateOutOfRange(f"date out of range: {err}") from None

    return wrapper


WEEKDAYS_JA = "月火水木金土日"
WEEKDAYS_EN = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


@cache
def _japan_holidays(year: int) -> holidays.HolidayBase:
    return holidays.country_holidays("JP", years=[year], language="ja")


def named_holiday(name: str, year: int) -> dt.date | None:
    """The day of the national holiday called ``name`` (its Japanese name, e.g. 「敬老の日」) in ``year``, or None."""
    return next((day for day, n in _japan_holidays(year).items() if n == name), None)


def _office_calendar() -> OfficeCalendar:
    from knowledge.catalog import default_catalog  # the packaged calendar.yaml (sourced like every fact)

    cal = default_catalog().calendar
    if cal is None:
        raise RuntimeError("knowledge/data/calendar.yaml is missing: closed days are unknown")
    return cal


def closure_reason(day: dt.date, calendar: OfficeCalendar | None = None) -> tuple[str, str] | None:
    """Why municipal offices are closed on ``day`` as (ja, en), or None when they are open."""
    cal = calendar or _office_calendar()
    for closure in cal.closures:
        if closure.contains(day.month, day.day):
            s_m, s_d = (int(x) for x in closure.start.split("-"))
            e_m, e_d = (int(x) for x in closure.end.split("-"))
            return (
                f"{closure.name.ja}（{s_m}月{s_d}日～{e_m}月{e_d}日）",
                f"{closure.name.get('en')} ({s_d} {calendar_month(s_m)} - {e_d} {calendar_month(e_m)})",
            )
    if cal.national_holidays and (name := _japan_holidays(day.year).get(day)):
        return f"祝日（{name}）", f"a national holiday ({name})"
    if cal.weekends and day.weekday() == 5:
        return "土曜日", "a Saturday"
    if cal.weekends and day.weekday() == 6:
        return "日曜日", "a Sunday"
    return None


def calendar_month(month: int) -> str:
    return calendar.month_abbr[month]


@_in_range
def next_open_day(day: dt.date) -> dt.date:
    while closure_reason(day):
        day += dt.timedelta(days=1)
    return day


@_in_range
def add_months(day: dt.date, months: int) -> dt.date:
    """Same day ``months`` later, clamped to the month's last day."""
    y, m = divmod(day.month - 1 + months, 12)
    year, month = day.year + y, m + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


@_in_range
def period_end(start: dt.date, length: int, unit: str) -> dt.date:
    """Last day of a period whose first day is ``start`` (民法143条 for months and years)."""
    if unit == "day":
        return start + dt.timedelta(days=length - 1)
    months = length * (12 if unit == "year" else 1)
    y, m = divmod(start.month - 1 + months, 12)
    year, month = start.year + y, m + 1
    last = calendar.monthrange(year, month)[1]
    if start.day > last:  # no corresponding day in the last month: ends on that month's last day
        return dt.date(year, month, last)
    return dt.date(year, month, start.day) - dt.timedelta(days=1)


@_in_range
def offset_date(day: dt.date, offset: Offset) -> dt.date:
    """A milestone date: ``offset`` after ``day`` (calendar arithmetic, no office calendar)."""
    if offset.unit == "day":
        return day + dt.timedelta(days=offset.length)
    return add_months(day, offset.length * (12 if offset.unit == "year" else 1))


def fmt_ja(day: dt.date) -> str:
    return f"{day.year}年{day.month}月{day.day}日（{WEEKDAYS_JA[day.weekday()]}）"


def fmt_en(day: dt.date) -> str:
    return f"{WEEKDAYS_EN[day.weekday()]} {day.day} {day.strftime('%b')} {day.year}"


@dataclass(frozen=True)
class Due:
    due: dt.date
    unextended: dt.date
    explanation_ja: str
    explanation_en: str

    @property
    def extended(self) -> bool:
        return self.due != self.unextended

    def explanation(self, lang: str = "ja") -> str:
        return self.explanation_en if lang == "en" else self.explanation_ja


_UNIT_JA = {"day": "日", "month": "か月", "year": "年"}


def _span_en(n: int, unit: str) -> str:
    """'14 days', '1 month'."""
    return f"{n} {unit}" + ("" if n == 1 else "s")


@_in_range
def compute_due(rule: DeadlineRule, event: dt.date) -> Due:
    """The due date (or, for ``before`` rules, the opening date) of ``rule`` for an event on ``event``."""
    n, unit = rule.length, rule.unit
    span_ja = f"{n}{_UNIT_JA[unit]}"
    if rule.direction == "before":
        if unit == "day":
            day = event - dt.timedelta(days=n)
        else:
            day = add_months(event, -n * (12 if unit == "year" else 1))
        ja = f"{fmt_ja(event)}の{span_ja}前の{fmt_ja(day)}から"
        en = f"from {fmt_en(day)}, {_span_en(n, unit)} before {fmt_en(event)}"
        return Due(day, day, ja, en)

    if (
        n == 0
    ):  # due on the event day itself (a notice filed before the move, 住民基本台帳法24条「あらかじめ」)
        return _on_the_day(rule, event)
    if rule.counting == "inclusive":
        start = event
        how_en = "counting the day itself as day 1"
    else:
        start = event + dt.timedelta(days=1)
        how_en = "counting from the next day"
    base = period_end(start, max(n, 1), unit) if n else event
    if rule.counting == "inclusive":
        ja = f"{fmt_ja(event)}を1日目として{span_ja}の期限は{fmt_ja(base)}"
    else:
        ja = f"{fmt_ja(event)}の翌日から数えて{span_ja}の期限は{fmt_ja(base)}"
    en = f"{_span_en(n, unit)} from {fmt_en(event)}, {how_en}: {fmt_en(base)}"
    due = base
    reason = closure_reason(base)
    if rule.extend and reason:
        due = next_open_day(base)
        ja += f"。この日が{reason[0]}のため翌開庁日の{fmt_ja(due)}まで"
        en += f"; that day is {reason[1]}, so it moves to the next open day, {fmt_en(due)}"
    elif (
        reason
    ):  # the card says so: no source says this rule moves past closed days (gaps/closed-day-extensions.md)
        ja += (
            f"。この日は{reason[0]}です。この期限が閉庁日の翌日に延びるとは出典で確認できていないため、"
            "延びないものとして前の開庁日までに手続きしてください"
        )
        en += (
            f"; that day is {reason[1]}. The sources do not confirm that this deadline moves past closed days, "
            "so treat it as not moving and act by the open day before"
        )
    return Due(due, base, ja, en)


def _on_the_day(rule: DeadlineRule, event: dt.date) -> Due:
    """A deadline that is the event day itself; it never moves past it (after it the rule's ``late`` applies)."""
    ja, en = f"期限は当日の{fmt_ja(event)}", f"due by the day itself, {fmt_en(event)}"
    if reason := closure_reason(event):
        ja += f"。この日は{reason[0]}です。その日より前に出すものなので延びないものとして、前の開庁日までに手続きしてください"
        en += f"; that day is {reason[1]}. It is filed beforehand, so treat it as not moving and act by the open day before"
    return Due(event, event, ja, en)


def is_overdue(due: Due | None, today: dt.date) -> bool:
    """The (extended) last day is already past on ``today``."""
    return due is not None and due.due < today
