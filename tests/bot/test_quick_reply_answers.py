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


@pytest.fixture(scope="module")
def und() -> Understander:
    return Understander(CATALOG)


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
