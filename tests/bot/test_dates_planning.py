"""Issue #14, dates in planning: overdue items say what to do now (ja/easy/en), milestones that restate a deadline
fall on its moved date, a deadline that is not known to move tells the resident to act earlier."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.contract import ChatRequest, ChatResponse
from bot.planner import milestone_date, plan_bundle
from bot.render import Renderer
from bot.service import Concierge
from knowledge.catalog import default_catalog
from knowledge.deadlines import closure_reason, compute_due

CATALOG = default_catalog()
TODAY = dt.date(2026, 12, 7)  # a Monday
SETAGAYA = "131121"


def talk(c: Concierge, message: str) -> ChatResponse:
    return c.chat(ChatRequest(message=message, today=TODAY))


# ---- planner: overdue ------------------------------------------------------------------------------------------
def test_overdue_items_are_past_their_moved_due_date() -> None:
    # born Sun 11/15: the 14th day (inclusive) is Sat 11/28 -> Mon 11/30; 15 days from 11/16 -> Mon 11/30
    b = plan_bundle(
        CATALOG, ["birth"], {}, municipality=SETAGAYA, event_date=dt.date(2026, 11, 15), today=TODAY
    )
    for pid in ("birth-registration", "child-allowance"):
        item = b.by_id(pid)
        assert item and item.due and item.due.due == dt.date(2026, 11, 30) and item.overdue, pid


def test_a_deadline_of_today_is_not_overdue() -> None:
    # born Mon 11/23 (勤労感謝の日): the 14th day is Sun 12/6 -> Mon 12/7, which is today
    b = plan_bundle(
        CATALOG, ["birth"], {}, municipality=SETAGAYA, event_date=dt.date(2026, 11, 23), today=TODAY
    )
    item = b.by_id("birth-registration")
    assert item and item.due and item.due.due == TODAY and not item.overdue


def test_no_today_no_overdue() -> None:
    b = plan_bundle(CATALOG, ["birth"], {}, municipality=SETAGAYA, event_date=dt.date(2020, 1, 6))
    assert not any(i.overdue for i in b.items)


# ---- milestones that restate a deadline ------------------------------------------------------------------------
LINKED = [(e.id, ms) for e in CATALOG.events.values() for ms in e.milestones if ms.deadline_of]


def test_some_milestones_restate_deadlines() -> None:
    assert {ms.id for _, ms in LINKED} >= {
        "quasi-final-return-4m",
        "inheritance-tax-10m",
        "inheritance-decision-3m",
    }


@pytest.mark.parametrize(("event", "ms"), LINKED, ids=[ms.id for _, ms in LINKED])
def test_linked_milestone_falls_on_the_cards_due_date(event: str, ms: object) -> None:
    rule = CATALOG.procedures[ms.deadline_of].deadline  # type: ignore[attr-defined]
    assert rule is not None
    day = dt.date(2026, 1, 1)
    for _ in range(0, 760, 7):
        assert milestone_date(CATALOG, ms, day, {}) == compute_due(rule, day).due  # type: ignore[arg-type]
        day += dt.timedelta(days=7)


def test_quasi_final_return_milestone_moves_past_the_holiday() -> None:
    # death 9/9: 4 months end Sat 2027-01-09, Mon 1/11 is 成人の日 -> Tue 1/12 on the card and in "coming up"
    b = plan_bundle(
        CATALOG, ["death"], {}, municipality=SETAGAYA, event_date=dt.date(2026, 9, 9), today=TODAY
    )
    ms = next(m for m in b.milestones if m.milestone.id == "quasi-final-return-4m")
    assert ms.date == dt.date(2027, 1, 12)


# ---- a deadline not known to move ------------------------------------------------------------------------------
def test_unmoved_deadline_on_a_closed_day_says_act_earlier() -> None:
    # the employer's 5-day notice for a newborn dependant: 5 days from the day after Mon 11/30 -> Sat 12/5; the
    # health insurers' pages give no closed-day rule (the pensioner death notice moves: a notice to 厚生労働大臣)
    day = dt.date(2026, 11, 30)
    b = plan_bundle(CATALOG, ["birth"], {}, municipality=SETAGAYA, event_date=day, today=day)
    item = b.by_id("baby-employee-insurance")
    assert item and item.due and item.due.due == dt.date(2026, 12, 5) and closure_reason(item.due.due)
    texts = {lang: Renderer(CATALOG, lang, day).deadline(item) for lang in ("ja", "easy", "en")}  # type: ignore[arg-type]
    assert "前の開庁日まで" in (texts["ja"].explanation or "")  # type: ignore[union-attr]
    assert "まえの あいて いる 日まで" in (texts["easy"].explanation or "")  # type: ignore[union-attr]
    assert "open day before" in (texts["en"].explanation or "")  # type: ignore[union-attr]


# ---- conversations: relative dates, overdue in every language --------------------------------------------------
@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("先月の15日に世田谷区で子どもが生まれました", "期限を過ぎています"),
        (
            "せんげつの 15にちに あかちゃんが うまれました。せたがやくに すんで います",
            "きげんが すぎて います",
        ),
        ("Our baby was born on the 15th of last month in Setagaya", "past due"),
    ],
)
def test_overdue_in_every_language(concierge: Concierge, message: str, words: str) -> None:
    r = talk(concierge, message)
    reg = next(p for p in r.procedures if p.id == "birth-registration")
    assert reg.deadline and reg.deadline.due == dt.date(2026, 11, 30)
    assert reg.deadline.overdue and reg.deadline.late  # what to do now
    assert words in r.reply


@pytest.mark.parametrize(
    ("message", "due"),
    [
        ("先月末に世田谷区で娘が生まれました", dt.date(2026, 12, 14)),  # 11/30 .. Sun 12/13 -> Mon 12/14
        ("10日ほど前に世田谷区で子どもが生まれました", dt.date(2026, 12, 10)),  # ~11/27 .. Thu 12/10
        ("My baby was born two weeks ago in Setagaya", TODAY),  # ~11/23 .. Sun 12/6 -> Mon 12/7
        ("We had a baby on the 3rd, we live in Setagaya", dt.date(2026, 12, 16)),
    ],
)
def test_relative_dates_give_the_due_date(concierge: Concierge, message: str, due: dt.date) -> None:
    r = talk(concierge, message)
    reg = next(p for p in r.procedures if p.id == "birth-registration")
    assert reg.deadline and reg.deadline.due == due


@pytest.mark.parametrize(
    ("message", "shown"),
    [
        ("12月17日に世田谷区で子どもが生まれました", "2027年1月4日"),  # 14th day 12/30 (closure) -> Mon 1/4
        ("Our baby was born on 17 December in Setagaya", "4 January 2027"),
    ],
)
def test_next_years_due_date_carries_the_year_in_the_summary(
    concierge: Concierge, message: str, shown: str
) -> None:
    r = concierge.chat(ChatRequest(message=message, today=dt.date(2026, 12, 21)))
    reg = next(p for p in r.procedures if p.id == "birth-registration")
    assert reg.deadline and reg.deadline.due == dt.date(2027, 1, 4)
    assert any(shown in line for line in r.reply.splitlines() if reg.title in line)


# ---- age-based milestones --------------------------------------------------------------------------------------
def test_pension_claim_opens_the_day_before_the_65th_birthday() -> None:
    # 年金 entitlement starts on the day one reaches 65, the day before the birthday (年齢計算ニ関スル法律)
    b = plan_bundle(
        CATALOG, ["turning-65"], {}, municipality=SETAGAYA, event_date=dt.date(2027, 3, 10), today=TODAY
    )
    ms = {m.milestone.id: m.date for m in b.milestones}
    assert ms["pension-claim-can-be-filed"] == dt.date(2027, 3, 9)
    assert ms["pension-deferral-from-66"] == dt.date(2028, 3, 10)


@pytest.mark.parametrize(
    ("message", "words"),
    [
        ("11月1日に世田谷区から杉並区に引っ越しました", "過料"),
        ("We moved from Setagaya to Suginami on 1 November", "50,000 yen"),
    ],
)
def test_late_moving_in_notice_says_what_to_do_now(concierge: Concierge, message: str, words: str) -> None:
    # 14 days from 11/2 end Sun 11/15 -> Mon 11/16: past on 12/7; the source says file it now, a fine may follow
    r = talk(concierge, message)
    card = next(p for p in r.procedures if p.id == "moving-in-notice")
    assert card.deadline and card.deadline.due == dt.date(2026, 11, 16) and card.deadline.overdue
    assert card.deadline.late and words in card.deadline.late
    assert any("higashikurume" in s.url for s in card.sources)
