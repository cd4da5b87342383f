"""Deadline engine against dates checked on a calendar (2026-2028)."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.deadlines import closure_reason, compute_due, next_open_day, offset_date, period_end
from knowledge.models import DeadlineRule, Offset, Text

D = dt.date


def rule(length: int, unit: str = "day", counting: str = "inclusive", **kw: object) -> DeadlineRule:
    return DeadlineRule(length=length, unit=unit, counting=counting, text=Text(ja="t"), **kw)  # type: ignore[arg-type]


def test_birth_inclusive_plain_weekday() -> None:
    # born Fri 2026-11-20: day 1 = 11/20, day 14 = Thu 12/03
    due = compute_due(rule(14), D(2026, 11, 20))
    assert due.due == D(2026, 12, 3) and not due.extended


def test_birth_14th_day_on_sunday_moves_to_monday() -> None:
    due = compute_due(rule(14), D(2026, 11, 23))
    assert due.unextended == D(2026, 12, 6) and due.unextended.weekday() == 6
    assert due.due == D(2026, 12, 7)
    assert "日曜日のため翌開庁日" in due.explanation_ja
    assert "Sunday" in due.explanation_en


def test_birth_14th_day_in_year_end_closure() -> None:
    due = compute_due(rule(14), D(2026, 12, 18))
    assert due.unextended == D(2026, 12, 31)
    assert due.due == D(2027, 1, 4)
    assert "年末年始" in due.explanation_ja


def test_death_7_days_inclusive() -> None:
    assert compute_due(rule(7), D(2026, 11, 24)).due == D(2026, 11, 30)


def test_next_day_counting_14_days() -> None:
    # 民法140条: moved Fri 2026-11-20 -> the 14 days run 11/21..12/04 (Fri)
    assert compute_due(rule(14, counting="next_day"), D(2026, 11, 20)).due == D(2026, 12, 4)


def test_national_holiday_extension() -> None:
    # 14 days counted from the next day after 2026-12-28 end on Mon 2027-01-11, 成人の日
    due = compute_due(rule(14, counting="next_day"), D(2026, 12, 28))
    assert due.unextended == D(2027, 1, 11)
    assert due.due == D(2027, 1, 12)
    assert "祝日" in due.explanation_ja


def test_citizens_holiday_sandwiched() -> None:
    assert closure_reason(D(2026, 9, 22)) is not None  # 国民の休日 between 敬老の日 and 秋分の日
    assert next_open_day(D(2026, 9, 19)) == D(2026, 9, 24)


def test_months_next_day_end_of_month() -> None:
    # 3 months from 2026-11-30: starts 12/01, ends 2027-02-28 (Sun) -> Mon 03/01
    due = compute_due(rule(3, "month", "next_day"), D(2026, 11, 30))
    assert due.unextended == D(2027, 2, 28)
    assert due.due == D(2027, 3, 1)


def test_months_without_corresponding_day() -> None:
    # start 2027-01-31 (+1 month has no 31st) -> ends on the last day of February
    assert period_end(D(2027, 1, 31), 1, "month") == D(2027, 2, 28)
    assert period_end(D(2027, 1, 15), 1, "month") == D(2027, 2, 14)


def test_years() -> None:
    # 2 years from 2026-11-20 (next day counting): 2028-11-20 is a Monday
    assert compute_due(rule(2, "year", "next_day"), D(2026, 11, 20)).due == D(2028, 11, 20)


def test_ten_months_inheritance_tax_style() -> None:
    assert compute_due(rule(10, "month", "next_day", extend=False), D(2026, 3, 10)).due == D(2027, 1, 10)


def test_window_before_event() -> None:
    due = compute_due(rule(14, direction="before"), D(2026, 12, 20))
    assert due.due == D(2026, 12, 6)
    assert "前" in due.explanation_ja


def test_no_extension_when_rule_says_so() -> None:
    assert compute_due(rule(14, extend=False), D(2026, 11, 23)).due == D(2026, 12, 6)


@pytest.mark.parametrize(
    ("day", "closed"), [(D(2026, 12, 29), True), (D(2027, 1, 3), True), (D(2027, 1, 4), False)]
)
def test_year_end_closure(day: dt.date, closed: bool) -> None:
    assert (closure_reason(day) is not None) is closed


def test_milestone_offset() -> None:
    assert offset_date(D(2026, 11, 30), Offset(length=3, unit="month")) == D(2027, 2, 28)
    assert offset_date(D(2026, 11, 20), Offset(length=28, unit="day")) == D(2026, 12, 18)
