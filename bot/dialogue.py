"""Dialogue: fold one understood message into the state, and choose the next question. Pure (no I/O).

Rules (issue #14):
- An answer to the concierge's own question is a slot value, never a new life event (「後期高齢者医療制度」 in a
  death conversation is the insurance of the person who died, not the event "turning 75").
- Facts given once are never asked again, including facts implied by others (``IMPLIED``).
- An answer that cannot be read is reported (``Merged.not_understood``) and the question asked once more.
- Every question asked is one whose answer changes the bundle; the municipality is asked when it matters, also
  when only the embedding page preset it (the resident confirms it).

Example::

    >>> state = SessionState(id="s", events=["death"], pending="insurance")
    >>> u = und.parse("後期高齢者医療制度に入っていました", today)
    >>> merge(catalog, und, state, u, None, today).answered, state.events, state.facts["insurance"]
    (True, ['death'], 'late_elderly')
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.planner import Bundle
from bot.sessions import SessionState
from bot.understand import ABROAD, OUTSIDE, Understander, Understanding
from knowledge.catalog import Catalog

# The order in which unknown facts usually change a bundle most (ties in the decisive count break this way).
FIRST_QUESTIONS = ("move_to", "move_from", "municipality", "event_date")
MAX_ASKS = 2  # a question whose answer could not be read is asked once more, then dropped


@dataclass(frozen=True)
class Implied:
    """``then`` follows from what is known when ``when`` holds (and ``then`` is still unknown)."""

    when: Callable[[dict[str, Any]], bool]
    then: dict[str, Any]
    why: str
    source: str | None = None


IMPLIED: tuple[Implied, ...] = (
    Implied(
        lambda f: isinstance(f.get("children_count"), int) and f["children_count"] >= 1,
        {"has_children": True},
        "「子どもが2人います」: the household has children; the concierge does not ask again",
    ),
    Implied(
        lambda f: f.get("children_count") == 0,
        {"has_children": False},
        "no children in the household",
    ),
    Implied(
        lambda f: isinstance(f.get("person_age"), int) and f["person_age"] >= 75,
        {"insurance": "late_elderly"},
        "everyone aged 75 or over leaves NHI or employee insurance for 後期高齢者医療制度 (高齢者医療確保法50条)",
        "https://yamanashi-iryoukouiki.jp/?p=4407",  # 山梨県後期高齢者医療広域連合, verified 2026-12-07
    ),
)


def implied_facts(facts: dict[str, Any]) -> dict[str, Any]:
    """The facts that follow from ``facts`` and are not yet known."""
    out: dict[str, Any] = {}
    for rule in IMPLIED:
        if rule.when(facts):
            out.update({k: v for k, v in rule.then.items() if facts.get(k) is None and k not in out})
    return out


@dataclass(frozen=True)
class Merged:
    answered: bool  # the message (only) answered the pending question
    not_understood: str | None = (
        None  # the pending fact the message was meant to answer but could not be read
    )


def _events_of(und: Understander, u: Understanding, answer_fact: str | None) -> list[str]:
    """The life events the message tells, leaving out words that are a fact's value (slot values)."""
    if not u.events:
        return []
    phrases = und.fact_phrases(u.text, only=answer_fact)
    if not phrases:
        return list(u.events)
    # only events read from those words drop; events inferred from the places (a move, an arrival) stay
    dropped = set(und.detect_events(u.text)) - set(und.detect_events(und.without(u.text, phrases)))
    return [ev for ev in u.events if ev not in dropped]


def merge(
    catalog: Catalog,
    und: Understander,
    state: SessionState,
    u: Understanding,
    preset_municipality: str | None,
    today: dt.date,
) -> Merged:
    """Fold the message into ``state`` (in place)."""
    pending = state.pending
    answered = False
    not_understood = None
    if pending and u.skip:
        state.skipped.append(pending)
        answered = True
    elif pending in ("move_to", "move_from") and u.mentions:
        answered = True
        # "杉並区から中野区です": roles decide, whichever end was asked about
        for m in u.mentions:
            if m.role == "from":
                state.move_from = m.code
                _name(state, "from", m.name)
            elif m.role == "to" or pending == "move_to":
                state.move_to = m.code
                _name(state, "to", m.name)
            else:
                state.move_from = m.code
                _name(state, "from", m.name)
    elif pending:
        value = und.parse_answer(pending, u.text, today)
        if value is not None:
            answered = True
            if pending == "event_date":
                state.event_date, state.date_approximate = value.date, value.approximate
            elif pending == "municipality":
                state.municipality = value
                state.municipality_preset = False
                if value == OUTSIDE:
                    _name(state, "here", u.places.get("here"))
            elif pending in ("move_to", "move_from"):
                setattr(state, pending, value)
            else:
                state.facts[pending] = value
        elif not (u.events or u.facts or u.mentions or u.date or u.intents - {"question"}):
            not_understood = pending
    state.pending = None
    # a message in a conversation already about something: fact values in it are slot values, not events
    slot_fact = pending if answered else None
    if answered or (state.events and not u.new_topic):
        events = _events_of(und, u, slot_fact)
    elif u.intents - {"question"}:
        # a first message asking about a procedure: 「後期高齢者医療の葬祭費はもらえますか」 is not "turning 75"
        events = _events_of(und, u, None)
    else:  # 「後期高齢者医療制度に加入します」, "I am a foreigner … came to Japan": the words tell the event
        events = list(u.events)
    for ev in events:
        if ev not in state.events:
            state.events.append(ev)
    if u.move_from:
        state.move_from = u.move_from
        _name(state, "from", u.places.get("from") if u.move_from == OUTSIDE else None)
    if u.move_to:
        state.move_to = u.move_to
        _name(state, "to", u.places.get("to") or u.places.get("here") if u.move_to == OUTSIDE else None)
    if u.municipality:
        state.municipality = u.municipality
        state.municipality_preset = False
        if u.municipality == OUTSIDE:
            _name(state, "here", u.places.get("here"))
    elif "moving" in state.events and state.move_to not in (None, OUTSIDE, ABROAD):
        state.municipality = state.move_to
        state.municipality_preset = False
    if state.municipality is None and preset_municipality in catalog.municipalities:
        state.municipality = preset_municipality
        state.municipality_preset = True
    if u.date and (events or not state.event_date or state.date_approximate):
        state.event_date, state.date_approximate = u.date.date, u.date.approximate
    for k, v in u.facts.items():
        if k == "insurance" and pending != "insurance" and state.facts.get(k) is not None:
            continue  # an answered insurance is not overwritten by a word elsewhere in a later message
        state.facts[k] = v
    if "foreign-resident" in state.events and state.facts.get("nationality") is None:
        state.facts["nationality"] = "foreign"  # the event is a foreign national settling in Tokyo
    for k, v in implied_facts(state.facts).items():
        state.facts[k] = v
    return Merged(answered and not events, not_understood)


def _name(state: SessionState, role: str, name: str | None) -> None:
    if name:
        state.places[role] = name
    elif role in state.places and role != "here":
        state.places.pop(role)


def _municipality_matters(catalog: Catalog, bundle: Bundle) -> bool:
    """Some item is filed with, or differs by, the municipality (its window, its own programmes)."""
    for it in bundle.items:
        office = catalog.offices.get(it.procedure.office)
        if office is not None and office.kind == "municipal":
            return True
    return False


def next_question(catalog: Catalog, state: SessionState, bundle: Bundle) -> str | None:
    """The one question whose answer changes the bundle most, or None."""
    candidates: list[str] = []
    for ev in state.events:
        event = catalog.events.get(ev)
        if event:
            candidates += [q for q in event.questions if q not in candidates]
    if "moving" in state.events:
        candidates = ["move_to", "move_from", *[c for c in candidates if c not in ("move_to", "move_from")]]
    has_deadline = any(it.procedure.deadline for it in bundle.items)
    municipal = _municipality_matters(catalog, bundle)

    def weight(q: str) -> tuple[int, int]:
        if q in FIRST_QUESTIONS:
            if q == "event_date" and not has_deadline:
                return (0, 0)
            if q == "municipality" and not municipal:
                return (0, 0)
            return (1000 - FIRST_QUESTIONS.index(q), 0)
        return (bundle.decisive.get(q, 0), -candidates.index(q))

    def known(q: str) -> bool:
        if q == "municipality" and state.municipality_preset:
            return False  # preset by the embedding page: the resident confirms it once
        return state.known(q)

    open_q = [
        q
        for q in candidates
        if q in catalog.facts
        and not known(q)
        and q not in state.skipped
        and state.asked.count(q) < (MAX_ASKS if q in state.retry else 1)
    ]
    if "municipality" in open_q and "moving" in state.events and (state.move_to or state.move_from):
        open_q.remove("municipality")
    if (
        "move_from" in open_q
        and state.move_to in (OUTSIDE, ABROAD)
        and state.municipality not in (None, OUTSIDE)
    ):
        state.move_from = state.municipality
        open_q.remove("move_from")
    if (
        "move_from" in open_q
        and "foreign-resident" in state.events
        and state.facts.get("move_scope") == "from_abroad"
    ):
        state.move_from = ABROAD  # arrived from abroad: there is no "where in Japan" to ask
        open_q.remove("move_from")
    if "move_from" in open_q and state.facts.get("move_scope") == "within" and state.move_to:
        state.move_from = state.move_to  # 「区内で引っ越し」: both ends are the same municipality
        open_q.remove("move_from")
    useful = [q for q in open_q if weight(q)[0] > 0]
    return max(useful, key=weight) if useful else None
