"""Issue #14: every deadline the engine computes moves past closed days, or says that it does not."""

from __future__ import annotations

import datetime as dt

import pytest

from knowledge.catalog import default_catalog
from knowledge.deadlines import closure_reason, compute_due, is_overdue, named_holiday

CATALOG = default_catalog()
PROCEDURES = [
    *CATALOG.procedures.values(),
    *(p for ov in CATALOG.overrides.values() for p in ov.programs),
]


@pytest.mark.parametrize(
    ("proc_id", "event", "due"),
    [
        ("death-household-head-change", dt.date(2026, 9, 9), dt.date(2026, 9, 24)),  # 9/23 秋分の日
        ("death-nhi-withdrawal", dt.date(2026, 9, 9), dt.date(2026, 9, 24)),
        ("child-allowance", dt.date(2027, 12, 18), dt.date(2028, 1, 4)),  # 1/2 in the year-end closure
        ("birth-registration", dt.date(2026, 11, 23), dt.date(2026, 12, 7)),
        ("nhi-funeral-benefit", dt.date(2026, 1, 1), dt.date(2028, 1, 4)),  # 2 years end 1/1 -> after 1/3
        # a notice to 厚生労働大臣 (行政機関の休日に関する法律2条): 10 days end on Saturday 12/12 -> Monday
        ("pension-death-notice", dt.date(2026, 12, 2), dt.date(2026, 12, 14)),
    ],
)
def test_closed_day_examples(proc_id: str, event: dt.date, due: dt.date) -> None:
    rule = CATALOG.procedures[proc_id].deadline
    assert rule is not None
    assert compute_due(rule, event).due == due


def test_municipal_deadlines_all_move() -> None:
    """地方自治法4条の2第4項: a deadline of a notice or claim to the municipality moves to the next open day."""
    for p in PROCEDURES:
        office = CATALOG.offices.get(p.office)
        if (
            p.deadline
            and office is not None
            and office.kind == "municipal"
            and p.deadline.direction == "after"
        ):
            if p.deadline.length == 0:  # due on the day of the move itself: filed before it, never after
                continue
            if p.id == "moving-online-onestop" or p.office == "municipal-pension":
                # a limit of the online system (Mynaportal); national-pension claims at the municipal window run
                # on the state's limitation period (国民年金法102条), not a municipal deadline: the card says so
                continue
            assert p.deadline.extend, p.id


@pytest.mark.parametrize(
    "proc", [p for p in PROCEDURES if p.deadline and p.deadline.direction == "after"], ids=str
)
def test_every_deadline_moves_or_says_it_does_not(proc: object) -> None:
    rule = proc.deadline  # type: ignore[attr-defined]
    day = dt.date(2026, 1, 1)
    for _ in range(0, 800, 3):
        due = compute_due(rule, day)
        if rule.extend:
            assert closure_reason(due.due) is None
        elif closure_reason(due.due):
            assert "延びないものとして" in due.explanation_ja and "as not moving" in due.explanation_en
        day += dt.timedelta(days=3)


def test_overdue() -> None:
    rule = CATALOG.procedures["baby-employee-insurance"].deadline
    assert rule is not None
    due = compute_due(rule, dt.date(2026, 11, 30))
    assert is_overdue(due, dt.date(2026, 12, 7))
    assert not is_overdue(due, due.due)


def test_a_deadline_on_the_day_itself_never_moves() -> None:
    rule = CATALOG.procedures["moving-abroad-notice"].deadline
    assert rule is not None and rule.length == 0
    sunday = compute_due(rule, dt.date(2026, 12, 20))
    assert sunday.due == dt.date(2026, 12, 20) and "前の開庁日まで" in sunday.explanation_ja
    assert compute_due(rule, dt.date(2026, 12, 18)).explanation_ja == "期限は当日の2026年12月18日（金）"


@pytest.mark.parametrize(
    ("name", "year", "day"),
    [
        ("敬老の日", 2026, dt.date(2026, 9, 21)),  # Happy Monday: the third Monday of September
        ("敬老の日", 2027, dt.date(2027, 9, 20)),
        ("スポーツの日", 2026, dt.date(2026, 10, 12)),
        ("春分の日", 2027, dt.date(2027, 3, 21)),
        ("国民の休日", 2026, dt.date(2026, 9, 22)),
        ("体育の日", 2026, None),  # the old name: not a holiday's name since 2020
    ],
)
def test_named_holiday(name: str, year: int, day: dt.date | None) -> None:
    assert named_holiday(name, year) == day


@pytest.mark.parametrize(
    ("proc_id", "event", "due"),
    [
        # 2026-12-07 decision: the two 5-day dependant notices do not move (no official page states it)
        ("spouse-dependent-enrollment", dt.date(2026, 12, 26), dt.date(2026, 12, 31)),
        ("baby-employee-insurance", dt.date(2026, 12, 26), dt.date(2026, 12, 31)),
    ],
)
def test_dependant_notices_do_not_move(proc_id: str, event: dt.date, due: dt.date) -> None:
    rule = CATALOG.procedures[proc_id].deadline
    assert rule is not None and not rule.extend
    got = compute_due(rule, event)
    assert got.due == due and not got.extended
    assert "出典で確認できていない" in got.explanation("ja")
