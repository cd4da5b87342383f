"""bot/dialogue.py: merging a message into the state and choosing the next question (pure; table-driven)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot import dialogue
from bot.planner import plan_bundle
from bot.sessions import SessionState
from bot.understand import OUTSIDE, Understander
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


def _state(**kw: Any) -> SessionState:
    return SessionState(id="t", **kw)


def _merge(catalog: Catalog, und: Understander, state: SessionState, text: str, preset: str | None = None):
    return dialogue.merge(catalog, und, state, und.parse(text, TODAY), preset, TODAY)


def _next(catalog: Catalog, state: SessionState) -> str | None:
    bundle = plan_bundle(
        catalog,
        state.events,
        state.facts,
        municipality=state.municipality,
        move_from=state.move_from,
        move_to=state.move_to,
        event_date=state.event_date,
        event_facts=state.event_facts,
    )
    return dialogue.next_question(catalog, state, bundle)


# (state before, message, expected events, expected facts (subset), answered)
MERGE_CASES = [
    # an answer to the concierge's own question is a slot value, never a new event
    (
        {"events": ["death"], "municipality": "131032", "pending": "insurance"},
        "後期高齢者医療制度に入っていました",
        ["death"],
        {"insurance": "late_elderly"},
        True,
    ),
    (  # the quick reply sends its label
        {"events": ["death"], "municipality": "131032", "pending": "insurance"},
        "後期高齢者医療制度",
        ["death"],
        {"insurance": "late_elderly"},
        True,
    ),
    (  # told unprompted in a death conversation: still the insurance of the person who died
        {"events": ["death"], "municipality": "131032"},
        "亡くなった祖父は後期高齢者医療制度に入っていました",
        ["death"],
        {"insurance": "late_elderly"},
        False,
    ),
    (  # kana answers are read
        {"events": ["death"], "municipality": "131032", "pending": "insurance"},
        "こくみんけんこうほけん です",
        ["death"],
        {"insurance": "national"},
        True,
    ),
    (
        {"events": ["moving"], "pending": "pension"},
        "こうせいねんきん",
        ["moving"],
        {"pension": "employee"},
        True,
    ),
    # facts that follow from what was said
    (
        {"events": ["birth"]},
        "子どもが2人います",
        ["birth"],
        {"children_count": 2, "has_children": True},
        False,
    ),
    (
        {"events": ["death"]},
        "父は80歳でした",
        ["death"],
        {"person_age": 80, "insurance": "late_elderly"},
        False,
    ),
    # a count answering "do you have children?" is their number (issue #14: 「ふたり」, "two kids")
    (
        {"events": ["moving"], "pending": "has_children"},
        "ふたり",
        ["moving"],
        {"children_count": 2, "has_children": True},
        True,
    ),
    (
        {"events": ["moving"], "pending": "has_children", "lang": "en"},
        "two kids",
        ["moving"],
        {"children_count": 2, "has_children": True},
        True,
    ),
    (
        {"events": ["death"], "pending": "has_children", "lang": "en"},
        "none",
        ["death"],
        {"has_children": False},
        True,
    ),
    (  # a fact told while another question is pending is taken, not reported as unreadable
        {"events": ["moving"], "pending": "has_my_number_card"},
        "子どもは ふたり います",
        ["moving"],
        {"children_count": 2, "has_children": True},
        False,
    ),
    # a new event in a later message is still an event
    (  # 「それと」 opens a new topic: the words tell an event again
        {"events": ["birth"], "municipality": "131121"},
        "それと、父が後期高齢者医療制度に加入します",
        ["birth", "turning-75"],
        {},
        False,
    ),
    (
        {"events": ["birth"], "municipality": "131121"},
        "それと、来月引っ越します",
        ["birth", "moving"],
        {},
        False,
    ),
]


@pytest.mark.parametrize(("before", "text", "events", "facts", "answered"), MERGE_CASES)
def test_merge(
    catalog: Catalog,
    und: Understander,
    before: dict[str, Any],
    text: str,
    events: list[str],
    facts: dict[str, Any],
    answered: bool,
) -> None:
    state = _state(**before)
    merged = _merge(catalog, und, state, text)
    assert state.events == events
    known = dialogue.known_facts(state)
    assert {k: known.get(k) for k in facts} == facts
    assert merged.answered is answered
    assert merged.not_understood is None


def test_unreadable_answer_is_reported_and_asked_once_more(catalog: Catalog, und: Understander) -> None:
    state = _state(
        events=["death"], municipality="131032", event_date=TODAY, pending="insurance", asked=["insurance"]
    )
    merged = _merge(catalog, und, state, "ぴよぴよ")
    assert merged.not_understood == "insurance" and not merged.answered
    state.retry.append("insurance")
    assert _next(catalog, state) == "insurance"
    state.asked.append("insurance")
    assert _next(catalog, state) != "insurance"  # not a third time


# (state, question that must not be asked, question expected or None for "anything else")
NEXT_CASES = [
    (
        {"events": ["birth"], "municipality": "131121", "facts": {"children_count": 2, "has_children": True}},
        "has_children",
    ),
    (
        {
            "events": ["death"],
            "municipality": "131032",
            "event_date": TODAY,
            "event_facts": {"death": {"person_age": 80, "insurance": "late_elderly"}},
        },
        "insurance",
    ),
    (
        {
            "events": ["turning-75"],
            "municipality": "131032",
            "event_date": TODAY,
            "facts": {"person_age": 75, "insurance": "late_elderly"},
        },
        "insurance",
    ),
    ({"events": ["moving"], "move_from": "131121", "move_to": "131121"}, "municipality"),
]


@pytest.mark.parametrize(("before", "never"), NEXT_CASES)
def test_facts_given_once_are_not_asked_again(catalog: Catalog, before: dict[str, Any], never: str) -> None:
    state = _state(**before)
    seen = []
    for _ in range(10):  # the whole rest of the conversation
        q = _next(catalog, state)
        if q is None:
            break
        seen.append(q)
        state.asked.append(q)
    assert never not in seen


def test_every_question_changes_the_bundle(catalog: Catalog) -> None:
    for ev in catalog.events:
        state = _state(events=[ev], municipality="131121", event_date=TODAY)
        for _ in range(12):
            bundle = plan_bundle(
                catalog, state.events, state.facts, municipality=state.municipality, event_date=TODAY
            )
            q = dialogue.next_question(catalog, state, bundle)
            if q is None:
                break
            assert q in ("move_to", "move_from") or bundle.decisive.get(q, 0) > 0, (ev, q)
            state.asked.append(q)


def test_care_asks_the_municipality_even_when_the_page_preset_one(
    catalog: Catalog, und: Understander
) -> None:
    state = _state()
    _merge(catalog, und, state, "母の介護が必要になりました", preset="131121")
    assert state.events == ["care"] and state.municipality == "131121" and state.municipality_preset
    assert _next(catalog, state) == "municipality"
    state.pending = "municipality"
    state.asked.append("municipality")
    _merge(catalog, und, state, "杉並区です")
    assert state.municipality == "131156" and not state.municipality_preset
    assert _next(catalog, state) != "municipality"


def test_care_without_a_municipality_asks_it_first(catalog: Catalog, und: Understander) -> None:
    state = _state()
    _merge(catalog, und, state, "父の介護が必要になってきた")
    assert state.municipality is None
    assert _next(catalog, state) == "municipality"


def test_outside_tokyo_resident_is_not_asked_the_municipality(catalog: Catalog, und: Understander) -> None:
    state = _state()
    _merge(catalog, und, state, "川崎市で子どもが生まれました")
    assert state.municipality == OUTSIDE and state.places == {"here": "神奈川県川崎市"}
    assert _next(catalog, state) != "municipality"


def test_implied_facts_table() -> None:
    assert dialogue.implied_facts({"children_count": 2}) == {"has_children": True}
    assert dialogue.implied_facts({"children_count": 0}) == {"has_children": False}
    assert dialogue.implied_facts({"person_age": 75}) == {"insurance": "late_elderly"}
    assert dialogue.implied_facts({"person_age": 74}) == {}
    assert "insurance" not in dialogue.implied_facts({"person_age": 80, "insurance": "national"})  # said wins
    assert dialogue.implied_facts({"insurance": "national"}) == {"joining_nhi": False}  # already in NHI


# ---- issue #14 (u14people): procedure questions, facts per event, the page's preset --------------------------
# (events before, message, events after)
PROCEDURE_QUESTION_CASES = [
    (["death"], "出生届はどうしますか", ["death"]),  # asks about a procedure, tells no birth
    (["death"], "児童扶養手当はもらえますか", ["death"]),
    (["death"], "What about the birth registration?", ["death"]),
    ([], "出生届の期限はいつですか", ["birth"]),  # a first message: the procedure tells the event
    (["death"], "それと、子どもが生まれました", ["death", "birth"]),  # a new event told as such
]


@pytest.mark.parametrize(("before", "text", "after"), PROCEDURE_QUESTION_CASES)
def test_a_procedure_question_adds_no_event(
    catalog: Catalog, und: Understander, before: list[str], text: str, after: list[str]
) -> None:
    state = _state(events=list(before), municipality="131202")
    _merge(catalog, und, state, text)
    assert state.events == after


def test_the_deceaseds_insurance_stays_with_the_death(catalog: Catalog, und: Understander) -> None:
    state = _state()
    _merge(catalog, und, state, "祖父が12月2日に港区で亡くなりました")
    state.pending, state.pending_event = "insurance", "death"
    _merge(catalog, und, state, "後期高齢者医療制度")
    assert state.event_facts == {"death": {"insurance": "late_elderly"}} and "insurance" not in state.facts
    _merge(catalog, und, state, "それと、12月3日に子どもが生まれました")
    assert state.events == ["death", "birth"]
    assert dialogue.facts_for(state, "death")["insurance"] == "late_elderly"
    assert dialogue.facts_for(state, "birth").get("insurance") is None
    # the resident's own insurance is still asked (among the questions left), in the birth's words
    seen = []
    while (q := _next(catalog, state)) not in (None, "insurance"):
        seen.append(q)
        state.asked.append(q)
        assert len(seen) < 10
    assert q == "insurance"
    assert dialogue.question_event(catalog, state, "insurance") is None
    assert dialogue.asked_for(state, "insurance") == ["birth"]
    state.pending = "insurance"
    _merge(catalog, und, state, "国民健康保険")
    assert state.facts["insurance"] == "national"
    assert dialogue.facts_for(state, "death")["insurance"] == "late_elderly"


@pytest.mark.parametrize(
    ("facts", "event_facts", "event", "expected"),
    [
        ({"insurance": "national"}, {"death": {"insurance": "late_elderly"}}, "death", "late_elderly"),
        ({"insurance": "national"}, {"death": {"insurance": "late_elderly"}}, "birth", "national"),
        ({"insurance": "national"}, {}, "death", None),  # the resident's insurance is not the deceased's
        ({"insurance": "national"}, {}, "moving", "national"),
        ({}, {"death": {"insurance": "late_elderly"}}, None, None),
        ({"insurance": "national"}, None, "death", "national"),  # one flat set (a saved bundle, a tool call)
    ],
)
def test_scoped_facts(
    facts: dict[str, Any],
    event_facts: dict[str, dict[str, Any]] | None,
    event: str | None,
    expected: str | None,
) -> None:
    from bot.planner import scoped_facts

    assert scoped_facts(facts, event_facts, event).get("insurance") == expected


def test_an_age_given_in_a_death_implies_the_deceaseds_insurance(catalog: Catalog, und: Understander) -> None:
    state = _state()
    _merge(catalog, und, state, "80歳の母が12月2日に板橋区で亡くなりました")
    assert dialogue.facts_for(state, "death")["insurance"] == "late_elderly"
    assert "person_age" not in state.facts
    seen = []
    for _ in range(10):
        q = _next(catalog, state)
        if q is None:
            break
        seen.append(q)
        state.asked.append(q)
    assert "insurance" not in seen


def test_the_preset_is_not_planned_with_while_it_is_confirmed(catalog: Catalog, und: Understander) -> None:
    state = _state()
    _merge(catalog, und, state, "母の介護が必要になりました", preset="131121")
    assert state.municipality == "131121" and _next(catalog, state) == "municipality"
    assert dialogue.planning_municipality(state, "municipality") is None  # being confirmed: not used
    assert dialogue.planning_municipality(state, None) == "131121"  # not asked: the page's municipality
    state.pending = "municipality"
    state.asked.append("municipality")
    _merge(catalog, und, state, "杉並区です")
    assert dialogue.planning_municipality(state, "municipality") == "131156"  # the resident's answer


def test_an_origin_given_for_the_destination_asks_the_destination_again(
    catalog: Catalog, und: Understander
) -> None:
    state = _state()
    _merge(catalog, und, state, "12月1日に引っ越しました")
    assert _next(catalog, state) == "move_to"
    state.pending = "move_to"
    state.asked.append("move_to")
    _merge(catalog, und, state, "札幌市から")
    assert state.move_from == OUTSIDE and state.move_to is None
    assert _next(catalog, state) == "move_to"
    state.pending = "move_to"
    state.asked.append("move_to")
    _merge(catalog, und, state, "中野区")
    assert state.move_to == "131148" and state.events == ["moving"]


def test_known_facts_are_flat_for_saving_and_showing() -> None:
    state = _state(
        events=["death", "birth"],
        facts={"insurance": "national", "has_children": True},
        event_facts={"death": {"insurance": "late_elderly", "received_pension": True}},
    )
    assert dialogue.known_facts(state) == {
        "insurance": "late_elderly",
        "has_children": True,
        "received_pension": True,
    }


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("いえ、12月3日でした", dt.date(2026, 12, 3)),  # put right: the new date replaces the exact one
        ("sorry, it was December 2", dt.date(2026, 12, 2)),
        ("12月3日に出生届を出せますか", dt.date(2026, 12, 1)),  # a date in a question is not the event's
    ],
)
def test_a_corrected_date_replaces_the_known_one(
    catalog: Catalog, und: Understander, text: str, expected: dt.date
) -> None:
    state = _state(events=["death"], municipality="131202", event_date=dt.date(2026, 12, 1))
    _merge(catalog, und, state, text)
    assert state.event_date == expected


def test_a_corrected_date_moves_the_event_dated_with_the_old_one(catalog: Catalog, und: Understander) -> None:
    """Two events with their own dates: the correction moves the one dated with the date it corrects."""
    death, move = dt.date(2026, 12, 1), dt.date(2027, 1, 10)
    state = _state(
        events=["death", "moving"],
        municipality="131202",
        event_date=death,
        event_dates={"death": death, "moving": move},
    )
    _merge(catalog, und, state, "いえ、12月3日でした")
    assert state.event_dates == {"death": dt.date(2026, 12, 3), "moving": move}
