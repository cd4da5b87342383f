"""Several events in one message, each with the date said about it (issue #14), through understanding, dialogue,
planning and the reply; and past-due items with what to do now."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot import dialogue
from bot.bundle_service import BundleService
from bot.bundle_store import BundleStore
from bot.contract import ChatRequest, ChatResponse
from bot.planner import plan_bundle
from bot.service import Concierge
from bot.sessions import SessionState, SessionStore
from bot.understand import Understander
from knowledge.catalog import Catalog, default_catalog

MON = dt.date(2026, 12, 7)  # a Monday
D = dt.date


# (message, {event: its own date, or None for an event named without one})
EVENT_DATES: list[tuple[str, dict[str, dt.date | None]]] = [
    ("3日前に父が亡くなりました。来月1日に世田谷区から杉並区へ引っ越します", {"death": D(2026, 12, 4), "moving": D(2027, 1, 1)}),
    # 来月 alone gives no date (h-dates3: its day is asked, no deadline from a guessed day)
    ("世田谷区の父が亡くなり、来月杉並区へ引っ越します", {"death": None, "moving": None}),
    ("世田谷区の父が亡くなり、来月1日に杉並区へ引っ越します", {"death": None, "moving": D(2027, 1, 1)}),
    (
        "My mother died yesterday, and we are moving from Setagaya to Nerima on 20 December.",
        {"death": D(2026, 12, 6), "moving": D(2026, 12, 20)},
    ),
    ("先週の水曜に子どもが生まれ、来週の土曜に世田谷区から目黒区へ引っ越します", {"birth": D(2026, 12, 2), "moving": D(2026, 12, 19)}),
    ("昨日、世田谷区で娘が生まれました。実は夫の父も亡くなっていて、まだ何も手続きしていません", {"birth": D(2026, 12, 6), "death": None}),
    ("来年、世田谷区から大田区に引っ越す予定です。先月20日に母が亡くなりました", {"moving": None, "death": D(2026, 11, 20)}),
    ("12月1日に父が亡くなり、12月20日に世田谷区から中野区へ引っ越します", {"death": D(2026, 12, 1), "moving": D(2026, 12, 20)}),
    ("母が亡くなったのは11月28日で、引っ越しは来月10日です。世田谷区から練馬区へ移ります", {"death": D(2026, 11, 28), "moving": D(2027, 1, 10)}),
    ("結婚して、中野区から練馬区に引っ越します。引っ越しは12月12日です", {"marriage": None, "moving": D(2026, 12, 12)}),
    # clauses joined without a comma (ので, ため, so)
    ("父が亡くなったので来月1日に引っ越します", {"death": None, "moving": D(2027, 1, 1)}),
    ("3日前に父が亡くなったため来月世田谷区から杉並区へ引っ越します", {"death": D(2026, 12, 4), "moving": None}),
    ("3日前に父が亡くなったため来月上旬に世田谷区から杉並区へ引っ越します", {"death": D(2026, 12, 4), "moving": D(2027, 1, 5)}),
    ("My father died last Friday so we are moving to Suginami next month", {"death": D(2026, 12, 4), "moving": None}),
    ("My father died last Friday so we are moving to Suginami on the 1st of next month", {"death": D(2026, 12, 4), "moving": D(2027, 1, 1)}),
]  # fmt: skip


@pytest.mark.parametrize(("text", "expected"), EVENT_DATES)
def test_each_event_gets_the_date_said_about_it(
    und: Understander, text: str, expected: dict[str, dt.date | None]
) -> None:
    u = und.parse(text, MON)
    assert set(u.events) == set(expected)
    assert {ev: (d.date if d else None) for ev, d in u.event_dates.items()} == expected


@pytest.mark.parametrize("text", ["3日前に父が亡くなりました。世田谷区です", "父が亡くなりました"])
def test_one_event_keeps_the_message_date(und: Understander, text: str) -> None:
    assert und.parse(text, MON).event_dates == {}


def _merge(catalog: Catalog, und: Understander, state: SessionState, text: str) -> None:
    dialogue.merge(catalog, und, state, und.parse(text, MON), None, MON)


def _due(catalog: Catalog, state: SessionState, proc: str) -> dt.date | None:
    bundle = plan_bundle(
        catalog,
        state.events,
        state.facts,
        municipality=state.municipality,
        move_from=state.move_from,
        move_to=state.move_to,
        event_date=state.event_date,
        today=MON,
        event_facts=state.event_facts,
        event_dates=state.event_dates,
    )
    return next((it.due.due for it in bundle.items if it.procedure.id == proc and it.due), None)


def test_an_undated_event_never_borrows_and_is_asked_for(catalog: Catalog, und: Understander) -> None:
    state = SessionState(id="t")
    _merge(catalog, und, state, "世田谷区の父が亡くなり、来月1日に杉並区へ引っ越します")
    assert state.event_dates == {"moving": D(2027, 1, 1)}
    assert _due(catalog, state, "death-registration") is None
    assert _due(catalog, state, "moving-in-notice") == D(2027, 1, 15)
    assert not state.known("event_date")
    assert dialogue.asked_for(state, "event_date") == ["death"]
    # the answer to the date question is the death's; the move keeps its own date
    state.pending = "event_date"
    _merge(catalog, und, state, "11月30日です")
    assert state.event_dates == {"moving": D(2027, 1, 1), "death": D(2026, 11, 30)}
    assert _due(catalog, state, "death-registration") == D(2026, 12, 7)
    assert _due(catalog, state, "moving-in-notice") == D(2027, 1, 15)


def test_a_later_event_with_its_own_date_keeps_the_first_events_date(
    catalog: Catalog, und: Understander
) -> None:
    state = SessionState(id="t")
    _merge(catalog, und, state, "3日前に世田谷区で父が亡くなりました")
    assert state.event_dates == {} and state.event_date == D(2026, 12, 4)
    _merge(catalog, und, state, "それと、来月1日に杉並区へ引っ越します")
    assert state.event_dates == {"death": D(2026, 12, 4), "moving": D(2027, 1, 1)}
    assert _due(catalog, state, "death-registration") == D(2026, 12, 10)


def test_a_move_deadline_counts_from_the_move_whichever_event_lists_it(catalog: Catalog) -> None:
    """The 転入届 of a marriage with a move runs from the move's day, not the marriage's (which is unknown)."""
    bundle = plan_bundle(
        catalog,
        ["marriage", "moving"],
        {},
        municipality="131202",
        move_from="131148",
        move_to="131202",
        today=MON,
        event_dates={"moving": D(2026, 12, 12)},
    )
    dues = {it.procedure.id: it.due.due for it in bundle.items if it.due}
    assert dues["moving-in-notice"] == D(2026, 12, 28)


def ask(c: Concierge, message: str, today: dt.date = MON, lang: str | None = None) -> ChatResponse:
    return c.chat(ChatRequest(message=message, today=today, lang=lang))  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("message", "lang", "words"),
    [
        ("先月の1日に世田谷区から杉並区に引っ越しました", "ja", ["期限を過ぎています", "期限を過ぎても届出の方法は同じです"]),
        ("先月の15日に世田谷区で子どもが生まれました", "ja", ["期限を過ぎても出生届は出せます"]),
        ("Our baby was born on the 15th of last month. We live in Setagaya.", "en", ["past due", "A late birth registration can still be filed"]),
    ],
)  # fmt: skip
def test_a_past_deadline_says_what_to_do_now(
    concierge: Concierge, message: str, lang: str, words: list[str]
) -> None:
    r = ask(concierge, message, lang=lang)
    for w in words:
        assert w in r.reply, r.reply
    late = [p for p in r.procedures if p.deadline and p.deadline.overdue]
    assert late and all(p.deadline and p.deadline.late for p in late)


def test_a_past_deadline_in_another_year_shows_the_year(concierge: Concierge) -> None:
    r = ask(concierge, "12月1日に世田谷区で子どもが生まれました", today=D(2027, 1, 12))
    assert "2026年12月14日" in r.reply and "期限を過ぎています" in r.reply, r.reply


def test_the_reply_asks_the_date_of_the_event_without_one(concierge: Concierge) -> None:
    r = ask(concierge, "世田谷区の父が亡くなり、来月1日に杉並区へ引っ越します")
    death = next(p for p in r.procedures if p.id == "death-registration")
    assert death.deadline is None or death.deadline.due is None
    assert "家族が亡くなったときの日付を教えてください" in r.reply, r.reply


def test_saved_state_round_trips_event_dates(tmp_path: Path) -> None:
    state = SessionState(id="t", events=["death", "moving"], event_dates={"moving": D(2027, 1, 1)})
    again = SessionState.model_validate_json(state.model_dump_json())
    assert again.event_dates == {"moving": D(2027, 1, 1)}


def test_a_saved_bundle_keeps_each_events_date(tmp_path: Path) -> None:
    """Re-planned from the store (the bundle page, the calendar feed): the death keeps no date, the move its own."""
    concierge = Concierge(default_catalog(), SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}"))
    service = BundleService(concierge, BundleStore(tmp_path / "bundles.sqlite3", ttl_days=90))
    r = ask(concierge, "3日前に父が亡くなりました。来月1日に世田谷区から杉並区へ引っ越します")
    saved = service.get(service.save_session(r.session_id).code)
    assert saved.event_dates == {"death": D(2026, 12, 4), "moving": D(2027, 1, 1)}
    dues = {it.procedure.id: it.due.due for it in service.plan(saved).items if it.due}
    assert dues["death-registration"] == D(2026, 12, 10)
    assert dues["moving-in-notice"] == D(2027, 1, 15)


def test_an_approximate_date_of_one_event_is_asked_for_by_name(catalog: Catalog, und: Understander) -> None:
    state = SessionState(id="t")
    _merge(catalog, und, state, "3日前に世田谷区の父が亡くなり、来月上旬に杉並区へ引っ越します")
    assert state.event_dates == {"death": D(2026, 12, 4), "moving": D(2027, 1, 5)}
    assert (state.event_date, state.date_approximate) == (D(2027, 1, 5), True)
    assert not state.known("event_date")
    assert dialogue.asked_for(state, "event_date") == ["moving"]
    state.pending = "event_date"
    _merge(catalog, und, state, "1月8日です")
    assert state.event_dates == {"death": D(2026, 12, 4), "moving": D(2027, 1, 8)}
    assert state.known("event_date")
