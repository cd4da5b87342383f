"""Bundle planner: the procedures a resident owes for their life events, filtered, localised, dated and ordered.

Example::

    >>> import datetime as dt
    >>> from knowledge.catalog import default_catalog
    >>> b = plan_bundle(default_catalog(), ["birth"], {}, municipality="131121", event_date=dt.date(2026, 11, 20))
    >>> b.items[0].procedure.id, b.items[0].due.due
    ('birth-registration', datetime.date(2026, 12, 3))
"""

from __future__ import annotations

import datetime as dt
import heapq
from dataclasses import dataclass, field
from typing import Any, Literal

from knowledge.catalog import Catalog
from knowledge.deadlines import Due, compute_due, is_overdue, offset_date
from knowledge.models import Condition, LifeEvent, Milestone, MoveStep, Procedure
from knowledge.validity import in_force

# applies: every condition of the procedure is known to hold (required); maybe: one is unknown (conditional)
Status = Literal["applies", "maybe"]
# the catalog's ``move_scope`` fact values (knowledge/data/facts.yaml), as derived from the two ends of a move
MoveScope = Literal["within", "tokyo_to_tokyo", "into_tokyo", "out_of_tokyo", "abroad", "from_abroad"]

OUTSIDE_TOKYO = ("outside", "abroad")
OPTIONAL_TAG = "optional"  # catalog tag: a service or choice, listed as conditional with why (see SCHEMA.md)
TOKYO_ONLY_PREFIX = (
    "tokyo-"  # catalog convention: programmes of the Tokyo Metropolitan Government (018サポート …)
)


def _c(data: dict[str, Any]) -> Condition:
    return Condition.model_validate(data)


# Documents a procedure lists that only some residents bring: (procedure, document) -> who. A document is in the
# checklist (and on the card) only when its condition is known to hold.
DOCUMENT_WHEN: dict[tuple[str, str], Condition] = {
    **{
        (proc, "residence-card"): _c({"fact": "nationality", "eq": "foreign"})
        for proc in (
            "moving-in-notice",
            "change-of-address-notice",
            "moving-in-from-abroad",
            "moving-out-notice",
        )
    },
    ("moving-in-from-abroad", "family-relationship-proof"): _c({"fact": "nationality", "eq": "foreign"}),
    # a Japanese national returning from abroad shows the family register (and its 附票)
    ("moving-in-from-abroad", "family-register-certificate"): _c({"fact": "nationality", "eq": "japanese"}),
    ("moving-in-from-abroad", "family-register-attachment"): _c({"fact": "nationality", "eq": "japanese"}),
    # NHI after arriving from abroad: there is no moving-out certificate nor a lost Japanese insurance to prove
    ("nhi-enrollment", "moving-out-certificate"): _c(
        {"fact": "move_scope", "in": ["tokyo_to_tokyo", "into_tokyo"]}
    ),
    ("nhi-enrollment", "insurance-loss-certificate"): _c(
        {"not": {"fact": "move_scope", "eq": "from_abroad"}}
    ),
}
# Documents most residents bring, left out only when a condition is known to hold: (procedure, document) -> when.
DOCUMENT_UNLESS: dict[tuple[str, str], Condition] = {
    # arrived from abroad: no job in Japan was left, so no proof of the day it ended (離職票)
    ("national-pension-enrollment", "retirement-date-proof"): _c({"fact": "move_scope", "eq": "from_abroad"}),
    # the pension number is brought "if you have one" (お持ちのかた); a foreign national arriving from abroad
    # is given one at enrolment (https://www.city.kashiwa.lg.jp/nenkin/hokennenkin/nenkin/kaigai.html, 2026-12-07)
    ("national-pension-enrollment", "pension-book"): _c(
        {"all": [{"fact": "move_scope", "eq": "from_abroad"}, {"fact": "nationality", "eq": "foreign"}]}
    ),
}


# Family-register (戸籍) documents: only Japanese nationals have a 戸籍 (戸籍法), so none is asked of a foreign national.
FAMILY_REGISTER_DOCUMENTS = frozenset(
    {"family-register-certificate", "family-register-attachment", "deceased-family-registers"}
)
_FOREIGN = _c({"fact": "nationality", "eq": "foreign"})


def documents_for(proc: Procedure, facts: dict[str, Any]) -> list[str]:
    """The procedure's documents that this resident brings: a ``DOCUMENT_WHEN`` one only when known to apply,
    a ``DOCUMENT_UNLESS`` one unless known not to, and no family register for a foreign national."""
    foreign = _FOREIGN.evaluate(facts) is True
    return [
        d
        for d in proc.documents
        if ((c := DOCUMENT_WHEN.get((proc.id, d))) is None or c.evaluate(facts) is True)
        and ((u := DOCUMENT_UNLESS.get((proc.id, d))) is None or u.evaluate(facts) is not True)
        and not (foreign and d in FAMILY_REGISTER_DOCUMENTS)
    ]


def _in_tokyo(ev_id: str, municipality: str | None, move_to: str | None) -> bool | None:
    """Whether the resident lives in Tokyo for ``ev_id`` (after a move: at the destination); None if unknown."""
    where = move_to if ev_id == "moving" and move_to is not None else municipality
    if where is None:
        return None
    return where not in OUTSIDE_TOKYO


@dataclass
class PlannedItem:
    procedure: Procedure
    event: str
    status: Status
    municipality: str | None
    step: MoveStep | None = None  # for moves: at the old or at the new municipality
    unknown: list[str] = field(default_factory=list)  # facts that would decide a "maybe"
    conditions: list[Condition] = field(default_factory=list)
    due: Due | None = None
    opens: Due | None = None
    after: list[str] = field(default_factory=list)
    events: list[str] = field(default_factory=list)
    overdue: bool = False  # the due date is already past on the request's today
    documents: list[str] | None = None  # what this resident brings (see DOCUMENT_WHEN); None: all listed


@dataclass
class PlannedMilestone:
    milestone: Milestone
    event: str
    date: dt.date | None


@dataclass
class Bundle:
    items: list[PlannedItem]
    milestones: list[PlannedMilestone]
    checklist: list[str]  # document ids, once each, in the order they are first needed
    decisive: dict[str, int]  # unknown fact -> how many items it would decide

    def by_id(self, proc_id: str) -> PlannedItem | None:
        return next((i for i in self.items if i.procedure.id == proc_id), None)


def move_scope(move_from: str | None, move_to: str | None) -> MoveScope | None:
    """The catalog's ``move_scope`` value from the two ends of a move (codes or 'outside'/'abroad')."""
    if move_to == "abroad":
        return "abroad"
    if move_from == "abroad":
        return "from_abroad"
    if move_from in OUTSIDE_TOKYO and move_to in OUTSIDE_TOKYO:
        return None  # two places outside Tokyo (not necessarily one): outside the service area
    if move_from and move_to:
        if move_from == move_to:
            return "within"
        if move_from == "outside":
            return "into_tokyo"
        if move_to == "outside":
            return "out_of_tokyo"
        return "tokyo_to_tokyo"
    if move_to == "outside":
        return "out_of_tokyo"
    if move_from == "outside":
        return "into_tokyo"
    return None


def deciding(c: Condition, facts: dict[str, Any]) -> list[str]:
    """The unknown facts that still decide ``c`` (sorted): none when ``c`` is already decided, and in an ``any``
    (``all``) only the unknowns of its branches that are themselves undecided, since a true (false) branch
    would already have decided it."""
    if c.evaluate(facts) is not None:
        return []
    if c.fact is not None:
        return [c.fact]
    branches = [c.not_] if c.not_ is not None else (c.all or c.any or [])
    return sorted({f for b in branches for f in deciding(b, facts)})


def _decide(conds: list[Condition], facts: dict[str, Any]) -> tuple[bool | None, list[str]]:
    """Three-valued: False when a condition is known to fail, True when all hold, else None with the facts that
    still decide the outcome (an ``any`` already true lists none of its other unknowns)."""
    unknown: list[str] = []
    result: bool | None = True
    for c in conds:
        r = c.evaluate(facts)
        if r is False:
            return False, []
        if r is None:
            result = None
            unknown += [f for f in deciding(c, facts) if f not in unknown]
    return result, unknown


def _order(items: list[PlannedItem]) -> list[PlannedItem]:
    """Dependencies first; otherwise by due date (undated last), then catalog order."""
    index = {it.procedure.id: n for n, it in enumerate(items)}
    deps = {it.procedure.id: {a for a in it.after if a in index} for it in items}
    far = dt.date.max

    def key(pid: str) -> tuple[dt.date, int]:
        it = items[index[pid]]
        return (it.due.due if it.due else far, index[pid])

    ready = [(key(p), p) for p, d in deps.items() if not d]
    heapq.heapify(ready)
    done: list[str] = []
    while ready:
        _, pid = heapq.heappop(ready)
        done.append(pid)
        for other, d in deps.items():
            if pid in d:
                d.discard(pid)
                if not d and other not in done and all(other != q for _, q in ready):
                    heapq.heappush(ready, (key(other), other))
    done += [p for p in index if p not in done]  # cycles (the check forbids them) keep catalog order
    return [items[index[p]] for p in done]


def visit_key(item: PlannedItem) -> str:
    """Procedures with the same key are done at the same window of the same office (one visit)."""
    return f"{item.procedure.office}@{item.municipality or ''}"


def _by_visit(items: list[PlannedItem]) -> list[PlannedItem]:
    """Group items done at the same visit, groups in the order of their first item; dependencies still hold."""
    groups: dict[str, list[PlannedItem]] = {}
    for it in items:
        groups.setdefault(visit_key(it), []).append(it)
    grouped = [it for g in groups.values() for it in g]
    position = {it.procedure.id: n for n, it in enumerate(grouped)}
    if any(position.get(a, -1) > position[it.procedure.id] for it in grouped for a in it.after):
        return items  # grouping would put a step before one it depends on
    return grouped


# Facts about the person an event is about, when that person is not the resident: the deceased's insurance and
# pension in a death, the age of the person who needs care. They hold for that event only (a birth in the same
# conversation is the resident's own insurance).
EVENT_PERSON_FACTS: dict[str, frozenset[str]] = {
    "death": frozenset(
        {
            "insurance",
            "pension",
            "person_age",
            "received_pension",
            "household_head",
            "household_members_remaining",
            "had_employee_pension",
            # the deceased's residence card is returned only when the deceased was foreign; the resident's own
            # 「私は外国籍です」 does not say it (residence-card-return-death)
            "nationality",
        }
    ),
    "care": frozenset({"person_age", "specified_disease"}),
}


def scoped_facts(
    facts: dict[str, Any], event_facts: dict[str, dict[str, Any]] | None, event: str | None
) -> dict[str, Any]:
    """The facts that hold for ``event``: the resident's, without the ones ``event`` scopes, plus its own.

    Without ``event_facts`` (a saved bundle, a tool call: one flat set of facts) every fact holds for every event.
    """
    if event_facts is None:
        return dict(facts)
    own = EVENT_PERSON_FACTS.get(event or "", frozenset())
    return {
        **{k: v for k, v in facts.items() if k not in own},
        **((event_facts or {}).get(event or "", {})),
    }


@dataclass(frozen=True)
class _Where:
    """The places of a plan: the municipality and the two ends of a move (codes or 'outside'/'abroad')."""

    municipality: str | None
    move_from: str | None
    move_to: str | None

    def local(self, ev_id: str) -> str | None:
        """The municipality whose own programmes apply to ``ev_id`` (after a move: the destination)."""
        if ev_id == "moving" and self.move_to not in (None, *OUTSIDE_TOKYO):
            return self.move_to
        return self.municipality

    def outside_end(self, ev_id: str, at: MoveStep | None) -> bool:
        """The step ``at`` of a move is done at an end outside Tokyo (or abroad): not this concierge's to list;
        the reply names that end and where to confirm (issue #14)."""
        end = self.move_from if at == "old" else self.move_to if at == "new" else None
        return ev_id == "moving" and end in OUTSIDE_TOKYO

    def wholly_outside(self, ev_id: str) -> bool:
        """A move whose two ends are both outside Tokyo: outside the service area, nothing is planned for it."""
        return ev_id == "moving" and self.move_from in OUTSIDE_TOKYO and self.move_to in OUTSIDE_TOKYO

    def code(self, ev_id: str, at: MoveStep | None) -> str | None:
        """The municipality where the step ``at`` of ``ev_id`` is done (None: outside Tokyo or unknown)."""
        if ev_id == "moving" and at == "old":
            return self.move_from if self.move_from not in OUTSIDE_TOKYO else None
        if ev_id == "moving" and at == "new":
            return self.move_to if self.move_to not in OUTSIDE_TOKYO else None
        return self.municipality


def plan_bundle(
    catalog: Catalog,
    events: list[str],
    facts: dict[str, Any],
    *,
    municipality: str | None = None,
    move_from: str | None = None,
    move_to: str | None = None,
    event_date: dt.date | None = None,
    today: dt.date | None = None,
    event_facts: dict[str, dict[str, Any]] | None = None,
    event_dates: dict[str, dt.date] | None = None,
    trigger_dates: dict[str, dt.date] | None = None,
    abroad_events: list[str] | None = None,
) -> Bundle:
    """Plan the bundle for ``events``; unknown facts make conditional items "maybe" rather than dropping them.

    A procedure is "applies" (required) only when every condition it has is known to hold; a condition that is
    unknown makes it "maybe" with the facts that decide it; a condition known to fail drops it. ``event_facts``
    holds the facts about the person one event is about (see ``EVENT_PERSON_FACTS``). ``event_dates``, when
    given, holds each event's own date: an event missing from it has none (it never takes another's).
    ``trigger_dates`` holds the days other deadlines count from, by their catalog trigger, when the resident said
    them: ``learned`` (the day the death became known: 死亡届, 相続放棄, 準確定申告, 相続税 …) and ``funeral``
    (葬祭費); without one a deadline counts from its event's date. An event in ``abroad_events`` happened abroad:
    a rule with an ``abroad`` period (死亡届: 3 months, 戸籍法86条) uses it.
    """
    facts = dict(facts)
    if facts.get("move_scope") is None and (scope := move_scope(move_from, move_to)):
        facts["move_scope"] = scope
    where = _Where(municipality, move_from, move_to)
    moving = catalog.events.get("moving")
    move_steps = {ep.id: ep.at for ep in moving.procedures} if moving else {}
    items: dict[str, PlannedItem] = {}
    milestones: list[PlannedMilestone] = []
    for ev_id in events:
        event = catalog.events.get(ev_id)
        if event is None or where.wholly_outside(ev_id):
            continue
        ev_facts = scoped_facts(facts, event_facts, ev_id)
        dropped: set[str] = set()  # procedures of this event that do not apply to this resident
        ev_date = event_dates.get(ev_id) if event_dates else event_date
        for proc_id, when, after, at in _entries(catalog, event, where):
            if where.outside_end("moving", at or move_steps.get(proc_id)):
                continue  # a step of the move at its end outside Tokyo (also when another event lists it)
            key = f"{proc_id}@{where.code(ev_id, at) or ''}" if ev_id == "moving" else proc_id
            if key in items:
                items[key].events.append(ev_id)
                continue
            day = _counted_from(catalog, proc_id, ev_date, event_dates, trigger_dates, events)
            item = _plan_item(catalog, event, proc_id, when, after, at, where, ev_facts, day, today)
            if item is not None and abroad_events and ev_id in abroad_events:
                _abroad_period(item, day, today)
            if item is not None:
                items[key] = item
            else:
                dropped.add(proc_id)
        milestones += [
            PlannedMilestone(ms, ev_id, milestone_date(catalog, ms, ev_date, items))
            for ms in event.milestones
            if not (
                ms.deadline_of in dropped and ms.deadline_of not in items
            )  # a deadline that is not theirs
        ]
    ordered = _order(list(items.values()))
    ordered = _by_visit([i for i in ordered if i.status == "applies"]) + _by_visit(
        [i for i in ordered if i.status != "applies"]
    )
    milestones.sort(key=lambda m: (m.date or dt.date.max, m.milestone.id))
    return Bundle(ordered, milestones, _checklist(ordered), _decisive(ordered))


def _abroad_period(item: PlannedItem, day: dt.date | None, today: dt.date | None) -> None:
    """The item's due date under its rule's period for an event abroad (counted and moved like the plain one)."""
    rule = item.procedure.deadline
    if rule is None or rule.abroad is None or day is None:
        return
    item.due = compute_due(
        rule.model_copy(update={"length": rule.abroad.length, "unit": rule.abroad.unit}), day
    )
    item.overdue = today is not None and is_overdue(item.due, today)


def _counted_from(
    catalog: Catalog,
    proc_id: str,
    ev_date: dt.date | None,
    event_dates: dict[str, dt.date] | None,
    trigger_dates: dict[str, dt.date] | None = None,
    events: list[str] | None = None,
) -> dt.date | None:
    """The date a procedure's deadline counts from: its event's date, but a deadline that runs from the move
    (trigger ``move``) counts from the move's own date whichever event lists it (the 転入届 of a marriage) — none
    while the move of the conversation has no date of its own (「来月引っ越す予定で、先週結婚しました」: not the
    wedding's) — and one that runs from the day the death became known or from the funeral (trigger ``learned``,
    ``funeral``) from that day when the resident said it and it is not before the event."""
    proc = catalog.procedures.get(proc_id)
    if trigger_dates and proc and proc.deadline and (day := trigger_dates.get(proc.deadline.trigger)):
        return max(day, ev_date) if ev_date else day
    if event_dates and proc and proc.deadline and proc.deadline.trigger == "move":
        if "moving" in event_dates:
            return event_dates["moving"]
        if "moving" in (events or []):
            return None
    return ev_date


def _entries(
    catalog: Catalog, event: LifeEvent, where: _Where
) -> list[tuple[str, Condition | None, list[str], MoveStep | None]]:
    """(procedure, extra condition, dependencies, step) of the event, then the local programmes for it."""
    entries: list[tuple[str, Condition | None, list[str], MoveStep | None]] = [
        (ep.id, ep.when, list(ep.after), ep.at) for ep in event.procedures
    ]
    entries += [
        (p.id, None, [], "new" if event.id == "moving" else None)
        for p in catalog.programs(where.local(event.id))
        if event.id in p.events
    ]
    return entries


def _plan_item(
    catalog: Catalog,
    event: LifeEvent,
    proc_id: str,
    when: Condition | None,
    after: list[str],
    at: MoveStep | None,
    where: _Where,
    facts: dict[str, Any],
    event_date: dt.date | None,
    today: dt.date | None,
) -> PlannedItem | None:
    """One procedure of the bundle, or None when it does not apply (or is not offered) to this resident."""
    ev_id = event.id
    code = where.code(ev_id, at)
    if proc_id.startswith(TOKYO_ONLY_PREFIX) and _in_tokyo(ev_id, where.municipality, where.move_to) is False:
        return None  # a Tokyo programme for someone who lives (or will live) outside Tokyo
    try:
        proc = in_force(catalog.procedure(proc_id, code), event_date)
    except KeyError:
        return None
    if proc is None:
        return None  # ended before the event (or starts after it): never offered as current
    conds = [c for c in (proc.conditions, when) if c is not None]
    decided, unknown = _decide(conds, facts)
    if decided is False or (decided is None and _hidden_until_known(unknown, event)):
        return None
    item = PlannedItem(
        procedure=proc,
        event=ev_id,
        # a service or a choice nobody owes (tag ``optional``: 任意の制度, no notice needed) is never required
        status="applies" if decided and OPTIONAL_TAG not in proc.tags else "maybe",
        municipality=code,
        step=at if ev_id == "moving" else None,
        unknown=unknown,
        conditions=conds,
        after=list(after),
        events=[ev_id],
        documents=documents_for(proc, facts),
    )
    return _dated(item, event_date, today)


def _hidden_until_known(unknown: list[str], event: LifeEvent) -> bool:
    """An undecided item left out rather than shown as conditional: the kind of move is asked first (until then
    its variants would only be noise), and a nationality the event never asks (a birth) would leave a foreign
    parent's step conditional in every parent's bundle."""
    return "move_scope" in unknown or ("nationality" in unknown and "nationality" not in event.questions)


def _dated(item: PlannedItem, event_date: dt.date | None, today: dt.date | None) -> PlannedItem:
    """The item's due date (moved past closed days, see knowledge.deadlines), whether it is already past on
    ``today``, and the day its window opens."""
    proc = item.procedure
    if event_date and proc.deadline:
        item.due = compute_due(proc.deadline, event_date)
        item.overdue = today is not None and is_overdue(item.due, today)
    if event_date and proc.opens:
        item.opens = compute_due(proc.opens, event_date)
    return item


def milestone_date(
    catalog: Catalog, ms: Milestone, event_date: dt.date | None, items: dict[str, PlannedItem]
) -> dt.date | None:
    """A milestone's date; one that restates a procedure's deadline (``deadline_of``) falls on that deadline's
    due date, moved past closed days exactly like the procedure's card (never a day earlier than the card)."""
    if event_date is None:
        return None
    if ms.deadline_of:
        item = items.get(ms.deadline_of)
        if item is not None and item.due is not None:
            return item.due.due
        proc = catalog.procedures.get(ms.deadline_of)
        if proc is not None and proc.deadline is not None:
            return compute_due(proc.deadline, event_date).due
    return offset_date(event_date, ms.at)


def _checklist(ordered: list[PlannedItem]) -> list[str]:
    """Documents of the items that apply, once each, in the order they are first needed."""
    checklist: list[str] = []
    for it in ordered:
        if it.status != "applies":
            continue
        for d in it.procedure.documents if it.documents is None else it.documents:
            if d not in checklist:
                checklist.append(d)
    return checklist


def _decisive(ordered: list[PlannedItem]) -> dict[str, int]:
    """Unknown fact -> how many items it would decide."""
    decisive: dict[str, int] = {}
    for it in ordered:
        for f in it.unknown:
            decisive[f] = decisive.get(f, 0) + 1
    return decisive
