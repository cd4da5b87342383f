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
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from bot.dates import ParsedDate, parse_date, tense, told_as_correction
from bot.planner import EVENT_PERSON_FACTS, Bundle, scoped_facts
from bot.sessions import SessionState
from bot.understand import ABROAD, OUTSIDE, Understander, Understanding, counted
from knowledge.catalog import Catalog
from knowledge.japanese import compact, norm

# The order in which unknown facts usually change a bundle most (ties in the decisive count break this way).
FIRST_QUESTIONS = ("move_to", "move_from", "municipality", "event_date")
MAX_ASKS = 2  # a question whose answer could not be read is asked once more, then dropped
# a count answering a yes/no question is the count's fact (「ふたり」, "two kids" to "Do you have children?")
COUNT_OF = {"has_children": "children_count"}


@dataclass(frozen=True)
class Implied:
    """``then`` follows from what is known when ``when`` holds (and ``then`` is still unknown); with ``scope``,
    only for the person that event is about (the facts of the person who died, see ``EVENT_PERSON_FACTS``)."""

    when: Callable[[dict[str, Any]], bool]
    then: dict[str, Any]
    why: str
    source: str | None = None
    scope: str | None = None


IMPLIED: tuple[Implied, ...] = (
    Implied(
        lambda f: isinstance(f.get("children_count"), int) and f["children_count"] >= 1,
        {"has_children": True},
        "「子どもが2人います」: the household has children; the concierge does not ask again",
    ),
    Implied(
        lambda f: f.get("single_parent") is True,
        {"has_children": True},
        "「シングルマザーです」: someone raising children as a single parent has children; not asked again",
    ),
    Implied(
        lambda f: f.get("children_count") == 0,
        {"has_children": False},
        "no children in the household",
    ),
    Implied(
        lambda f: f.get("has_children") is False,
        {"single_parent": False},
        "「子どもはいません」: a single parent is one raising a child (児童扶養手当法4条), so no ひとり親 allowance",
    ),
    Implied(
        lambda f: f.get("insurance") == "national",
        {"joining_nhi": False},
        "someone already in National Health Insurance has nothing to join (「国保です」 after a job loss)",
    ),
    Implied(
        lambda f: isinstance(f.get("person_age"), int) and f["person_age"] >= 75,
        {"insurance": "late_elderly"},
        "everyone aged 75 or over leaves NHI or employee insurance for 後期高齢者医療制度 (高齢者医療確保法50条)",
        "https://yamanashi-iryoukouiki.jp/?p=4407",  # 山梨県後期高齢者医療広域連合, verified 2026-12-07
    ),
    Implied(
        lambda f: f.get("pension") == "national",
        {"joining_national_pension": False},
        "someone already in the National Pension has nothing to join (「国民年金です」 at retirement)",
    ),
    Implied(
        lambda f: f.get("joining_national_pension") is True,
        {"pension": "national"},
        "「国民年金に切り替えます」: the pension then stands as the National Pension; the concierge does not ask it",
    ),
    Implied(
        lambda f: f.get("pension") == "receiving",
        {"received_pension": True},
        "「年金暮らしの母が亡くなりました」: the person who died was receiving a pension",
        scope="death",
    ),
    Implied(
        lambda f: f.get("keeps_married_surname") is True,
        {"changes_surname": False},
        "「今の名字を使い続けます」: the surname does not change at the divorce (戸籍法77条の2の届)",
    ),
    Implied(
        lambda f: f.get("changes_surname") is True,
        {"keeps_married_surname": False},
        "「旧姓に戻ります」: going back to the former surname is not keeping the married one",
    ),
)


def implied_facts(facts: dict[str, Any], scope: str | None = None) -> dict[str, Any]:
    """The facts that follow from ``facts`` (those of ``scope``'s person, None: the resident) not yet known."""
    out: dict[str, Any] = {}
    for rule in IMPLIED:
        if rule.scope in (None, scope) and rule.when(facts):
            out.update({k: v for k, v in rule.then.items() if facts.get(k) is None and k not in out})
    return out


@dataclass(frozen=True)
class Merged:
    answered: bool  # the message (only) answered the pending question
    not_understood: str | None = (
        None  # the pending fact the message was meant to answer but could not be read
    )


def _events_of(
    und: Understander, u: Understanding, answer_fact: str | None, *, in_conversation: bool
) -> list[str]:
    """The life events the message tells, leaving out words that are a fact's value (slot values) and, in a
    conversation already about an event, words inside a procedure's name (「出生届はどうしますか」 asks about 出生届)."""
    if not u.events:
        return []
    phrases = und.fact_phrases(u.text, only=answer_fact)
    if in_conversation:
        # a procedure's name, or the words of a yes/no fact (「ひとり親です」 is the fact, not a divorce)
        phrases += und.procedure_phrases(u.text) + und.bool_phrases(u.text)
    if not phrases:
        return list(u.events)
    rest = und.without(u.text, phrases)
    if answer_fact and not compact(rest):
        return []  # the whole message is the answer (「海外へ」 to "what kind of move?"): no event, not even a move
    # only events read from those words drop; events inferred from the places (a move, an arrival) stay
    dropped = set(und.detect_events(u.text)) - set(und.detect_events(rest))
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
    # whose fact the pending question asks (the session may predate ``pending_event``: derived again)
    pending_event = state.pending_event or (question_event(catalog, state, pending) if pending else None)
    answered, not_understood = _answer_pending(und, state, u, today, pending_event)
    state.pending = state.pending_event = None
    events = _new_events(und, state, u, pending if answered else None)
    for ev in events:
        if ev not in state.events:
            state.events.append(ev)
    _take_places(catalog, state, u, preset_municipality)
    _take_tense(state, u, events, today)
    _take_dates(state, u, events)
    for ev in ABROAD_PERIOD_EVENTS:  # a birth or a death abroad has its own notice period (戸籍法49条・86条)
        if ev in state.events and ev not in state.abroad_events and _happened_abroad(u):
            state.abroad_events.append(ev)
    if "death" in state.events:
        state.trigger_dates.update(
            {k: d.date for k, d in (("learned", u.learned), ("funeral", u.funeral)) if d}
        )
    _take_facts(state, u, events, pending, pending_event)
    _take_corrected_count(catalog, state, u)
    return Merged(answered and not events, not_understood)


ABROAD_PERIOD_EVENTS = ("birth", "death")


def _happened_abroad(u: Understanding) -> bool:
    """The message places what happened abroad (「海外で父が亡くなりました」, "died in Thailand"): a place abroad
    said as where it happened, not as the end of a move."""
    return any(m.code == ABROAD and m.role == "here" for m in u.mentions)


def events_tense(state: SessionState) -> bool | None:
    """The tense the events still without a date were told in (True past, False to come), when they agree."""
    undated = [ev for ev in state.events if ev not in state.event_dates] or state.events
    told = {state.told_past[ev] for ev in undated if ev in state.told_past}
    return told.pop() if len(told) == 1 else None


def _take_tense(state: SessionState, u: Understanding, events: list[str], today: dt.date) -> None:
    """Remember how the message's new events were told; a date said without a tense of its own (「12月25日です」
    after 「子どもが生まれました」) is read again in the events' tense: a birth told as past is not 12/25 ahead."""
    said = tense(u.text)
    if said is not None:
        state.told_past.update({ev: said for ev in events})
    elif u.date and not events and (past := events_tense(state)) is not None:
        u.date = parse_date(u.text, today, past=past, future=not past) or u.date


def _take_dates(state: SessionState, u: Understanding, events: list[str]) -> None:
    """The message's dates into the state. A message about several events gives each the date said about it
    (``Understanding.event_dates``; an event named without a date gets none, never another's); otherwise the
    message's date is its new events' (or, with none, completes the date known, or replaces it when the message
    puts it right: 「いえ、12月3日でした」)."""
    if not u.event_dates:
        corrects = told_as_correction(u.text) and "question" not in u.intents
        if u.date and (events or not state.event_date or state.date_approximate or corrects):
            set_date(state, u.date, events)
        return
    if state.event_date and not state.event_dates:  # the events dated before keep their date
        state.event_dates = {ev: state.event_date for ev in state.events if ev not in events}
    for ev in state.events:
        said = u.event_dates.get(ev, u.date if ev in events else None)  # named nowhere: the message's date
        if said is not None:
            state.event_dates[ev] = said.date
    told = [d for ev in state.events if (d := u.event_dates.get(ev))]
    # an approximate date stands for the message (the reply says so and asks for the exact day)
    first = next((d for d in told if d.approximate), told[0] if told else None)
    if first is not None and (events or not state.event_date or state.date_approximate):
        state.event_date, state.date_approximate = first.date, first.approximate


def set_date(state: SessionState, day: ParsedDate, events: list[str]) -> None:
    """``day`` is the date of ``events`` (the new events of the message); with none, of the events still without
    a date, else of those dated with the date it corrects. While every event shares one date, only
    ``state.event_date`` is kept; a new event with its own date sets the earlier events' dates apart."""
    old = state.event_date
    if events and old is not None and not state.event_dates and set(state.events) - set(events):
        state.event_dates = {ev: old for ev in state.events if ev not in events}
    if state.event_dates:
        targets = (
            events
            or [ev for ev in state.events if ev not in state.event_dates]
            or [ev for ev, d in state.event_dates.items() if d == old]
        )
        for ev in targets:
            state.event_dates[ev] = day.date
    state.event_date, state.date_approximate = day.date, day.approximate


def _answer_pending(
    und: Understander, state: SessionState, u: Understanding, today: dt.date, owner: str | None
) -> tuple[bool, str | None]:
    """Read the message as the answer to the pending question: (answered, the fact it could not be read for)."""
    pending = state.pending
    if not pending:
        return False, None
    if u.skip:
        state.skipped.append(pending)
        return True, None
    if pending in ("move_to", "move_from") and u.mentions:
        # "杉並区から中野区です": roles decide, whichever end was asked about; a place without a role is the end
        # asked about, or the other end when another place was marked as the asked one (「渋谷区から福岡市です」
        # to "where from?": 福岡市 is where to)
        asked = "to" if pending == "move_to" else "from"
        unmarked = "from" if asked == "to" else "to"
        if not any(m.role == asked for m in u.mentions):
            unmarked = asked
        for m in u.mentions:
            role = m.role if m.role in ("from", "to") else unmarked
            setattr(state, f"move_{role}", m.code)
            _name(state, role, m.name)
        if getattr(state, pending) is None and pending not in state.retry:
            state.retry.append(
                pending
            )  # 「札幌市から」 to "where to?": the other end; this one is asked again
        return True, None
    other = state.move_from if pending == "move_to" else state.move_to
    if pending in ("move_to", "move_from") and other and u.facts.get("move_scope") == "within":
        setattr(state, pending, other)  # 「同じ区内です」: both ends are the municipality already known
        set_fact(state, "move_scope", "within", None)
        return True, None
    value = und.parse_answer(pending, u.text, today, past=events_tense(state))
    if value is None and pending in COUNT_OF:
        count = und.parse_answer(COUNT_OF[pending], u.text, today)
        if count is not None:
            set_fact(state, COUNT_OF[pending], count, owner)  # has_children then follows (IMPLIED)
            return True, None
    if value is None:
        said_something = u.events or u.facts or u.mentions or u.date or u.intents - {"question"}
        if u.unsure and not said_something:
            state.skipped.append(pending)  # "no idea, my husband handles that": not known, not asked again
            return True, None
        return False, None if said_something else pending
    if pending == "event_date":
        set_date(state, value, [])
    elif pending == "municipality":
        state.municipality = value
        state.municipality_preset = False
        if value == OUTSIDE:
            _name(state, "here", u.places.get("here"))
    elif pending in ("move_to", "move_from"):
        setattr(state, pending, value)
    else:
        set_fact(state, pending, value, owner)
    return True, None


def _new_events(und: Understander, state: SessionState, u: Understanding, slot_fact: str | None) -> list[str]:
    """The events this message adds: never from a slot value nor from a procedure asked about mid-conversation."""
    in_conversation = bool(state.events) and not u.new_topic
    if slot_fact or in_conversation:
        return _events_of(und, u, slot_fact, in_conversation=in_conversation)
    if u.intents - {"question"}:
        # a first message asking about a procedure: 「後期高齢者医療の葬祭費はもらえますか」 is not "turning 75"
        return _events_of(und, u, None, in_conversation=False)
    return _told_events(und, u)  # 「後期高齢者医療制度に加入します」, "I am a foreigner … came to Japan"


def _told_events(und: Understander, u: Understanding) -> list[str]:
    """The events a first message tells: an event read only from the words of a fact ("I'm a single mother",
    「後期高齢者医療制度に入っていました」) is that fact, not an event, when other words of the message tell another
    event ("I'm a single mother. My baby was born on 3 December"); told alone, or next to an event only inferred
    from places (an arrival from Vietnam), it stays the event. So is an event read only from the name of a
    procedure the message asks about (「子どもが生まれました。出産育児一時金はどうなりますか」: a question about the
    grant, not a pregnancy)."""
    phrases = [w for w in und.fact_phrases(u.text, yes_no=True) if compact(w)]
    if "question" in u.intents:
        phrases += und.procedure_phrases(u.text)
    if len(u.events) < 2 or not phrases:
        return list(u.events)
    told = set(und.detect_events(und.without(u.text, phrases)))
    dropped = set(und.detect_events(u.text)) - told
    rest = [ev for ev in u.events if ev not in dropped]
    return rest if dropped and told & set(rest) else list(u.events)


def _take_places(
    catalog: Catalog, state: SessionState, u: Understanding, preset_municipality: str | None
) -> None:
    """The ends of a move and the municipality the message names; the page's preset only when none is known."""
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


def _take_facts(
    state: SessionState, u: Understanding, events: list[str], pending: str | None, pending_event: str | None
) -> None:
    """Facts stated in the message, each in the scope of the event it describes (see ``fact_owner``)."""
    for k, v in u.facts.items():
        owner = pending_event if k == pending else fact_owner(k, events or state.events)
        if k == "insurance" and pending != "insurance" and facts_for(state, owner).get(k) is not None:
            continue  # an answered insurance is not overwritten by a word elsewhere in a later message
        set_fact(state, k, v, owner)
    for k, v in u.own_facts.items():
        # said by the resident of themselves: theirs, not the event's person's (kept when another event of the
        # conversation asks it of the resident: the resident's insurance in a birth next to a death)
        if any(k not in EVENT_PERSON_FACTS.get(ev, ()) for ev in state.events):
            set_fact(state, k, v, None)
    if "foreign-resident" in state.events and state.facts.get("nationality") is None:
        state.facts["nationality"] = "foreign"  # the event is a foreign national settling in Tokyo
    if u.japanese_family and "birth" in state.events:
        # a child one of whose parents is Japanese at the birth is Japanese (国籍法2条1号): in a birth the
        # nationality is the baby's, and it needs no status of residence ("my wife is Japanese, I'm American")
        state.facts["nationality"] = "japanese"
    if u.japanese_family and "death" in state.events and u.facts.get("nationality") != "japanese":
        # 「私は外国籍です。日本人の夫が亡くなりました」: the deceased was Japanese and had no residence card to return
        state.event_facts.setdefault("death", {})["nationality"] = "japanese"
    for ev in [None, *state.event_facts]:
        for k, v in implied_facts(facts_for(state, ev), ev).items():
            set_fact(state, k, v, ev)


_BARE_COUNT = re.compile(r"(\d+)\s*(?:人|にん)")


def _take_corrected_count(catalog: Catalog, state: SessionState, u: Understanding) -> None:
    """「すみません、3人でした」: a correction naming only a number of people puts right the one count of people
    known (the children, the household members who remain); with none or several known, it is not guessed."""
    if u.facts or not told_as_correction(u.text):
        return
    said = _BARE_COUNT.search(counted(norm(u.text)))
    if said is None:
        return
    counts = {f.id for f in catalog.facts.values() if f.type == "int" and any("人" in p for p in f.number)}
    known = [
        (ev, k)
        for ev, facts in [(None, state.facts), *state.event_facts.items()]
        for k in counts
        if facts.get(k) is not None
    ]
    if len({k for _, k in known}) == 1:
        ev, k = known[0]
        set_fact(state, k, int(said.group(1)), ev)


# ---- facts scoped to the person an event is about --------------------------------------------------------------
def fact_owner(fact: str, events: list[str]) -> str | None:
    """The event whose person ``fact`` describes (the deceased's insurance in a death), or None (the resident)."""
    return next((ev for ev in events if fact in EVENT_PERSON_FACTS.get(ev, ())), None)


def set_fact(state: SessionState, fact: str, value: Any, event: str | None) -> None:
    """Store ``fact`` for ``event``'s person when that event scopes it, else for the resident."""
    if event is not None and fact in EVENT_PERSON_FACTS.get(event, ()):
        state.event_facts.setdefault(event, {})[fact] = value
    else:
        state.facts[fact] = value


def facts_for(state: SessionState, event: str | None) -> dict[str, Any]:
    """The facts that hold for ``event`` (None: the resident's own)."""
    return scoped_facts(state.facts, state.event_facts, event)


def known_facts(state: SessionState) -> dict[str, Any]:
    """Every fact the resident gave (the response's ``facts``); a scoped fact shows its event's value."""
    out = dict(state.facts)
    for ev in state.events:
        out.update(state.event_facts.get(ev, {}))
    return out


def is_known(state: SessionState, fact: str, event: str | None) -> bool:
    if fact in ("municipality", "event_date", "move_from", "move_to"):
        return state.known(fact)
    return facts_for(state, event).get(fact) is not None


def planning_municipality(state: SessionState, question: str | None) -> str | None:
    """The municipality the bundle is planned for when ``question`` is asked next: a page's preset is not used
    while it is being confirmed (the question asks it), only once confirmed or when it is not asked."""
    if state.municipality_preset and question == "municipality":
        return None
    return state.municipality


def move_outside_tokyo(state: SessionState) -> bool:
    """A move whose two ends are both outside Tokyo (or abroad): outside the service area (issue #14)."""
    return (
        "moving" in state.events
        and state.move_from in (OUTSIDE, ABROAD)
        and state.move_to in (OUTSIDE, ABROAD)
    )


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
    """The one question whose answer changes the bundle most, or None (``question_event`` names whose it is)."""
    candidates: list[str] = []
    for ev in state.events:
        event = catalog.events.get(ev)
        if event:
            candidates += [q for q in event.questions if q not in candidates]
    if "moving" in state.events:
        candidates = ["move_to", "move_from", *[c for c in candidates if c not in ("move_to", "move_from")]]
    has_deadline = any(it.procedure.deadline for it in bundle.items)
    municipal = _municipality_matters(catalog, bundle)
    if municipal and "municipality" not in candidates:
        candidates.append("municipality")  # a divorce or a marriage is filed at a municipal window too

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
        return all(is_known(state, q, ev) for ev in _askers(catalog, state, q))

    open_q = [
        q
        for q in candidates
        if q in catalog.facts
        and not known(q)
        and q not in state.skipped
        and state.asked.count(q) < (MAX_ASKS if q in state.retry else 1) * len(_askers(catalog, state, q))
    ]
    _settle_move_ends(state, open_q)
    useful = [q for q in open_q if weight(q)[0] > 0]
    return max(useful, key=weight) if useful else None


def _askers(catalog: Catalog, state: SessionState, q: str) -> list[str | None]:
    """The scopes ``q`` is asked for: each event that keeps it for its own person, else the resident once."""
    scoped = [ev for ev in state.events if q in EVENT_PERSON_FACTS.get(ev, ())]
    asks = [ev for ev in state.events if (e := catalog.events.get(ev)) and q in e.questions]
    resident = any(ev not in scoped for ev in asks) or not asks
    return [*[ev for ev in scoped if ev in asks], *([None] if resident else [])]


def question_event(catalog: Catalog, state: SessionState, q: str) -> str | None:
    """The event whose person the question ``q`` is about while it is still unknown for it (None: the resident,
    or known for everyone)."""
    for ev in _askers(catalog, state, q):
        if ev is not None and not is_known(state, q, ev):
            return ev
    return None


def asked_for(state: SessionState, q: str) -> list[str]:
    """The events whose wording the question ``q`` takes: its person's event, else the resident's events (a
    birth in a death conversation asks the resident's insurance, not the deceased's). The date is asked by the
    events still without one when others have theirs, else without naming any."""
    if q == "event_date":
        return _undated(state)
    if state.pending_event:
        return [state.pending_event]
    own = [ev for ev in state.events if q not in EVENT_PERSON_FACTS.get(ev, ())]
    return own or list(state.events)


def _undated(state: SessionState) -> list[str]:
    """While the events' dates are told apart: those without a date, else those dated only approximately (the
    date question names them); otherwise none (it asks for "the date")."""
    if not state.event_dates:
        return []
    missing = [ev for ev in state.events if ev not in state.event_dates]
    if missing or not state.date_approximate:
        return missing
    return [ev for ev in state.events if state.event_dates.get(ev) == state.event_date]


def _settle_move_ends(state: SessionState, open_q: list[str]) -> None:
    """Ends of a move that follow from what is known are set, not asked (in place on ``open_q``)."""
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
