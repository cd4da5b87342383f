"""Closed days and past-due deadlines through the real concierge (issue #14, closed-dev-3.yaml): an arrival's date
told as "living there since", the 5-day dependant notices that do not move past closed days, and what a card says
when a deadline that does not move ends on a closed day."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.contract import ChatRequest, ChatResponse
from bot.dates import parse_date
from bot.service import Concierge
from bot.understand import Understander

D = dt.date


def ask(c: Concierge, message: str, today: dt.date) -> ChatResponse:
    return c.chat(ChatRequest(message=message, today=today))


def _due(r: ChatResponse, proc: str) -> dt.date | None:
    p = next(p for p in r.procedures if p.id == proc)
    return p.deadline.due if p.deadline else None


@pytest.mark.parametrize(
    "text",
    [
        "ベトナムから来日しました。12月20日から足立区に住んでいます",
        "インドから来日しました。12月20日から練馬区に住んでいます",
    ],
)
def test_the_one_date_of_an_arrival_is_the_arrivals(und: Understander, text: str) -> None:
    u = und.parse(text, D(2026, 12, 22))
    assert set(u.events) == {"foreign-resident", "moving"}
    assert {ev: d.date if d else None for ev, d in u.event_dates.items()} == {
        "foreign-resident": D(2026, 12, 20),
        "moving": D(2026, 12, 20),
    }


def test_an_arrival_told_as_living_since_gets_its_moved_deadline(concierge: Concierge) -> None:
    # before: the date was nobody's, the 転入 card had no due date and the reply asked for the date again
    r = ask(concierge, "ベトナムから来日しました。12月20日から足立区に住んでいます", D(2026, 12, 22))
    # Sun 12/20: 14 days from 12/21 -> Sun 2027-01-03 (12/29-1/3 closure) -> Mon 1/4
    assert _due(r, "moving-in-from-abroad") == D(2027, 1, 4)
    assert "日付を教えてください" not in r.reply, r.reply


def test_an_arrival_with_another_event_does_not_take_an_unowned_date(und: Understander) -> None:
    # a birth told too: the date might be either's, so none of them takes it (each is asked for)
    u = und.parse(
        "ベトナムから来日しました。子どもが生まれました。12月20日から足立区に住んでいます", D(2026, 12, 22)
    )
    assert set(u.events) == {"birth", "foreign-resident", "moving"}
    assert u.event_dates == {"birth": None, "foreign-resident": None, "moving": None}


@pytest.mark.parametrize(
    ("message", "today", "proc", "due"),
    [
        # Wed 9/16: 5 days from 9/17 -> Mon 9/21 (敬老の日), not moved
        ("昨日結婚しました。夫の会社の健康保険の扶養に入ります。文京区です", D(2026, 9, 17), "spouse-dependent-enrollment", D(2026, 9, 21)),
        # Sat 12/26: 5 days from 12/27 -> Thu 12/31 (closure), not moved
        ("昨日、目黒区で子どもが生まれました。夫の会社の健康保険に入っています", D(2026, 12, 27), "baby-employee-insurance", D(2026, 12, 31)),
    ],
)  # fmt: skip
def test_the_dependant_notices_do_not_move_and_say_so(
    concierge: Concierge, message: str, today: dt.date, proc: str, due: dt.date
) -> None:
    r = ask(concierge, message, today)
    p = next(p for p in r.procedures if p.id == proc)
    assert p.deadline and p.deadline.due == due
    assert "出典で確認できていない" in (p.deadline.explanation or "")
    assert "前の開庁日" in (p.deadline.explanation or "")


def test_a_past_dependant_notice_is_overdue_and_the_registration_is_not(concierge: Concierge) -> None:
    # the issue: 「赤ちゃんを会社の健康保険の扶養に入れる：12月5日まで」 shown as ahead on 12-07
    r = ask(concierge, "11月30日に渋谷区で子どもが生まれました。会社の健康保険に入っています", D(2026, 12, 7))
    baby = next(p for p in r.procedures if p.id == "baby-employee-insurance")
    reg = next(p for p in r.procedures if p.id == "birth-registration")
    assert baby.deadline and baby.deadline.due == D(2026, 12, 5) and baby.deadline.overdue
    assert reg.deadline and reg.deadline.due == D(2026, 12, 14) and not reg.deadline.overdue


@pytest.mark.parametrize(
    ("text", "day"),
    [
        # a contracted future: before, "we're moving on the 20th" told on 12/1 was read as 11/20 (a move in the past)
        ("We're moving from Nerima to Itabashi on the 20th.", D(2027, 12, 20)),
        ("We’re moving on the 20th.", D(2027, 12, 20)),
        ("I'm retiring on the 20th.", D(2027, 12, 20)),
        ("We'll move on the 20th.", D(2027, 12, 20)),
        # a contraction that tells no future keeps the past reading
        ("I'm a foreign national. I arrived on the 20th.", D(2027, 11, 20)),
        ("We moved on the 20th.", D(2027, 11, 20)),
    ],
)
def test_a_contracted_future_reads_the_day_ahead(text: str, day: dt.date) -> None:
    got = parse_date(text, D(2027, 12, 1))
    assert got is not None and got.date == day


def test_a_move_told_with_a_contraction_gets_its_moved_deadlines(concierge: Concierge) -> None:
    r = ask(concierge, "We're moving from Nerima to Itabashi on the 20th. We have two kids.", D(2027, 12, 1))
    # Mon 12/20: 14 days from 12/21 -> Mon 2028-01-03 (closure) -> Tue 1/4; allowance transfer 15 days -> Tue 1/4
    assert _due(r, "moving-in-notice") == D(2028, 1, 4)
    assert _due(r, "child-allowance-transfer") == D(2028, 1, 4)


def test_the_day_learned_told_after_the_verb_counts(concierge: Concierge) -> None:
    # before: 「知ったのは12月3日です」 gave no day learned, so the 7 days ran from 11/1 and the notice showed as past
    r = ask(
        concierge,
        "父は11月1日に亡くなっていましたが、それを知ったのは12月3日です。台東区です",
        D(2026, 12, 7),
    )
    death = next(p for p in r.procedures if p.id == "death-registration")
    # Thu 12/3 is day 1: day 7 Wed 12/9, ahead
    assert death.deadline and death.deadline.due == D(2026, 12, 9) and not death.deadline.overdue


@pytest.mark.parametrize(
    ("text", "fact"),
    [("国民年金にも切り替えます", "joining_national_pension"), ("国民健康保険にも入ります", "joining_nhi")],
)
def test_joining_told_with_mo_is_understood(und: Understander, text: str, fact: str) -> None:
    assert und.parse_facts(f"10月31日に退職しました。{text}").get(fact) is True


def test_past_nhi_and_pension_after_a_job_loss_are_overdue(concierge: Concierge) -> None:
    r = ask(
        concierge,
        "10月31日に退職しました。国民健康保険に入ります。国民年金にも切り替えます。中野区です",
        D(2026, 12, 7),
    )
    for proc in ("nhi-enrollment", "national-pension-enrollment"):
        p = next(p for p in r.procedures if p.id == proc)
        # Sat 10/31: 14 days from 11/1 -> Sat 11/14 -> Mon 11/16, past on 12/7
        assert p.deadline and p.deadline.due == D(2026, 11, 16) and p.deadline.overdue


@pytest.mark.parametrize(
    ("text", "today", "day"),
    [
        ("敬老の日に父が亡くなりました", D(2026, 9, 23), D(2026, 9, 21)),  # Happy Monday, this year
        ("文化の日に子どもが生まれました", D(2027, 11, 5), D(2027, 11, 3)),
        ("成人の日に世田谷区から中野区へ引っ越しました", D(2027, 1, 12), D(2027, 1, 11)),
        ("こどもの日に品川区で子どもが生まれました", D(2027, 5, 6), D(2027, 5, 5)),
        ("クリスマスイブに入籍しました", D(2026, 12, 26), D(2026, 12, 24)),
        ("スポーツの日に生まれました", D(2026, 10, 20), D(2026, 10, 12)),
        ("We moved on Culture Day.", D(2027, 1, 5), D(2026, 11, 3)),  # told as past: last year's
        (
            "敬老の日に引っ越します",
            D(2026, 12, 7),
            D(2027, 9, 20),
        ),  # still to come: next year's (Happy Monday)
    ],
)
def test_a_day_named_as_a_holiday_is_read(text: str, today: dt.date, day: dt.date) -> None:
    got = parse_date(text, today)
    assert got is not None and got.date == day and not got.approximate


def test_a_death_on_a_named_holiday_gets_its_moved_deadline(concierge: Concierge) -> None:
    # before: 「敬老の日に」 gave no date and no deadline; Mon 9/21 is day 1: day 7 Sun 9/27 -> Mon 9/28
    r = ask(concierge, "敬老の日に父が亡くなりました。練馬区です", D(2026, 9, 23))
    assert _due(r, "death-registration") == D(2026, 9, 28)


@pytest.mark.parametrize(
    ("message", "lang", "words"),
    [
        ("10月6日に杉並区から中野区へ引っ越します", None, ["9月22日から出せます", "窓口では9月24日からです"]),
        (
            "I am moving from Suginami to Nakano on October 6.",
            "en",
            ["from 22 September 2026", "at the counter from 24 September 2026"],
        ),
        ("10がつ6にちに すぎなみくから なかのくへ ひっこします", None, ["まどぐちでは 9月24日からです"]),
    ],
)
def test_a_window_opening_on_a_closed_day_names_the_counters_first_day(
    concierge: Concierge, message: str, lang: str | None, words: list[str]
) -> None:
    # Tue 10/6: the 転出届 opens 14 days before, Tue 9/22 (国民の休日, then 秋分の日 9/23): counters from Thu 9/24
    r = concierge.chat(ChatRequest(message=message, today=D(2026, 9, 1), lang=lang))
    p = next(p for p in r.procedures if p.id == "moving-out-notice")
    assert p.deadline and p.deadline.opens == D(2026, 9, 22)
    for w in words:
        assert w in (p.deadline.explanation or ""), p.deadline.explanation


def test_a_window_opening_on_an_open_day_says_nothing_more(concierge: Concierge) -> None:
    r = ask(concierge, "10月1日に渋谷区から港区へ引っ越す予定です", D(2026, 9, 10))
    p = next(p for p in r.procedures if p.id == "moving-out-notice")
    assert p.deadline and "窓口では" not in (p.deadline.explanation or "")
