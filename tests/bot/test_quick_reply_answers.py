"""Every quick reply the concierge offers, sent back as the resident's message, is read as the answer to its own
question in each reply language (issue #14): a slot value, never a new event and never "could not read that"."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot import dialogue
from bot.render import Renderer, strip_readings
from bot.sessions import SessionState
from bot.understand import Understander
from knowledge.catalog import Catalog, default_catalog

TODAY = dt.date(2026, 12, 7)
CATALOG = default_catalog()
# the events whose questions carry each fact (a question is asked inside a conversation about one of them)
ASKED_IN = {q: ev.id for ev in CATALOG.events.values() for q in ev.questions}
WANT_BOOL = {"yes": True, "no": False}


def _cases() -> list[tuple[str, str, str, str]]:
    out = []
    for fact_id, event in sorted(ASKED_IN.items()):
        fact = CATALOG.facts[fact_id]
        if fact.type not in ("choice", "bool"):
            continue
        for lang in ("ja", "easy", "en"):
            r = Renderer(CATALOG, lang, TODAY)
            state = SessionState(id="q", events=[event], lang=lang)
            out += [(fact_id, event, lang, q.label) for q in r.quick_replies(fact_id, state)]
    return out


def _value(state: SessionState, fact: str, event: str) -> Any:
    return dialogue.facts_for(state, event).get(fact)


@pytest.mark.parametrize(("fact", "event", "lang", "label"), _cases())
def test_a_quick_reply_label_answers_its_question(
    und: Understander, fact: str, event: str, lang: str, label: str
) -> None:
    catalog: Catalog = CATALOG
    r = Renderer(catalog, lang, TODAY)  # type: ignore[arg-type]
    offered = {q.label: q.value for q in r.quick_replies(fact, SessionState(id="q", events=[event]))}
    for sent in dict.fromkeys([label, strip_readings(label)]):  # the widget sends the label without readings
        state = SessionState(id="q", events=[event], lang=lang, pending=fact)
        merged = dialogue.merge(catalog, und, state, und.parse(sent, TODAY, lang), None, TODAY)
        assert merged.not_understood is None and merged.answered, (sent, fact)
        assert state.events == [event], (sent, state.events)
        value = offered[label]
        if value == "skip":
            assert fact in state.skipped
        elif catalog.facts[fact].type == "bool":
            assert _value(state, fact, event) is WANT_BOOL[value], sent
        else:
            assert _value(state, fact, event) == value, sent


@pytest.mark.parametrize("lang", ["ja", "easy", "en"])
@pytest.mark.parametrize("question", ["move_to", "event_date"])
def test_place_and_date_quick_replies_answer_their_question(
    und: Understander, lang: str, question: str
) -> None:
    r = Renderer(CATALOG, lang, TODAY)  # type: ignore[arg-type]
    base = {"events": ["moving"], "move_from": "131156", "municipality": "131156"}
    for q in r.quick_replies(question, SessionState(id="q", **base)):
        for sent in dict.fromkeys([q.label, strip_readings(q.label)]):
            state = SessionState(id="q", lang=lang, pending=question, **base)
            merged = dialogue.merge(CATALOG, und, state, und.parse(sent, TODAY, lang), None, TODAY)
            assert merged.not_understood is None and merged.answered, sent
            if q.value == "skip":
                assert question in state.skipped
            elif question == "move_to":
                want = {"outside": "outside", "abroad": "abroad"}.get(
                    q.value, CATALOG.municipality_by_name(q.value)
                )
                got = state.move_to
                assert got == (want if isinstance(want, str) else want.code), (sent, got)  # type: ignore[union-attr]
            else:
                assert state.event_date == (TODAY if q.value == "today" else TODAY - dt.timedelta(days=1)), (
                    sent
                )
