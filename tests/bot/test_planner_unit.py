"""Unit tests of bot/planner.py (issue #19): plan_bundle over the packaged catalog with hand-made facts.

Required ("applies") and conditional ("maybe") items with the facts that would decide them, conditions that hold,
fail or are unknown (all / any / not), the old and new steps of a move, local and Tokyo-wide programmes, facts
about the person an event is about, due dates. Conversation-level planning is in test_planning14.py.
"""

from __future__ import annotations

import datetime as dt
import doctest
from typing import Any, get_args

import pytest

import bot.planner
from bot.planner import Bundle, MoveScope, Status, _order, deciding, move_scope, plan_bundle, visit_key
from knowledge.catalog import default_catalog
from knowledge.models import Condition, MoveStep

CATALOG = default_catalog()
HACHIOJI, SUGINAMI, SETAGAYA, CHIYODA = "132012", "131156", "131121", "131016"
ABSENT = None  # the procedure is not in the bundle


def plan(events: list[str], facts: dict[str, Any] | None = None, **where: Any) -> Bundle:
    return plan_bundle(CATALOG, events, facts or {}, **where)


def state(bundle: Bundle, proc_id: str) -> tuple[Status, list[str]] | None:
    item = bundle.by_id(proc_id)
    return None if item is None else (item.status, item.unknown)


def ids(bundle: Bundle) -> list[str]:
    return [i.procedure.id for i in bundle.items]


# ---- the state types mirror the catalog ------------------------------------------------------------------------
def test_move_scope_literal_is_the_catalogs_options() -> None:
    assert set(get_args(MoveScope)) == {o.value for o in CATALOG.facts["move_scope"].options}


@pytest.mark.parametrize(
    ("move_from", "move_to", "scope"),
    [
        (HACHIOJI, SUGINAMI, "tokyo_to_tokyo"),
        (SUGINAMI, SUGINAMI, "within"),
        ("outside", SUGINAMI, "into_tokyo"),
        (SUGINAMI, "outside", "out_of_tokyo"),
        ("abroad", SUGINAMI, "from_abroad"),
        (SUGINAMI, "abroad", "abroad"),
        ("abroad", "abroad", "abroad"),
        (None, "abroad", "abroad"),
        (None, "outside", "out_of_tokyo"),
        ("outside", None, "into_tokyo"),
        (None, SUGINAMI, None),  # where from is not known: the kind of move is not either
        (SUGINAMI, None, None),
        (None, None, None),
    ],
)
def test_move_scope(move_from: str | None, move_to: str | None, scope: str | None) -> None:
    assert move_scope(move_from, move_to) == scope


# ---- required and conditional, with the deciding question -------------------------------------------------------
def test_unknown_facts_make_items_conditional_with_the_deciding_facts() -> None:
    b = plan(["birth"], municipality=SETAGAYA)
    assert state(b, "birth-registration") == ("applies", [])
    assert state(b, "nhi-enrollment") == ("maybe", ["insurance"])
    assert state(b, "baby-employee-insurance") == ("maybe", ["insurance"])
    assert state(b, "child-support-allowance") == ("maybe", ["single_parent"])
    assert state(b, "childbirth-lump-sum") == ("maybe", ["birth_cost_below_grant", "direct_payment_used"])
    # the grant's facts are never asked (no event lists them): they decide one card each
    assert b.decisive == {
        "insurance": 2,
        "single_parent": 2,
        "direct_payment_used": 1,
        "birth_cost_below_grant": 1,
    }
    statuses = [i.status for i in b.items]
    assert set(statuses) == set(get_args(Status))
    assert statuses == sorted(statuses)  # every required item before every conditional one


@pytest.mark.parametrize(
    ("facts", "nhi", "employee"),
    [
        ({"insurance": "national"}, ("applies", []), ABSENT),
        ({"insurance": "employee"}, ABSENT, ("applies", [])),
        ({}, ("maybe", ["insurance"]), ("maybe", ["insurance"])),
    ],
)
def test_an_answer_decides_the_conditional_items(
    facts: dict[str, Any], nhi: tuple[str, list[str]] | None, employee: tuple[str, list[str]] | None
) -> None:
    b = plan(["birth"], facts, municipality=SETAGAYA)
    assert (state(b, "nhi-enrollment"), state(b, "baby-employee-insurance")) == (nhi, employee)
    assert ("insurance" in b.decisive) == (not facts)


@pytest.mark.parametrize(
    ("single_parent", "expected"),
    [(True, ("applies", [])), (False, ABSENT), (None, ("maybe", ["single_parent"]))],
)
def test_single_parent_allowances(single_parent: bool | None, expected: tuple[str, list[str]] | None) -> None:
    b = plan(["birth"], {"single_parent": single_parent}, municipality=SETAGAYA)
    assert state(b, "child-support-allowance") == expected
    assert state(b, "tokyo-child-rearing-allowance") == expected


# ---- three-valued conditions -------------------------------------------------------------------------------------
# marriage: driving-licence-change when all(drives, any(changes_surname, move_scope in [within, tokyo_to_tokyo, …]))
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({"drives": True, "changes_surname": True}, ("applies", [])),  # any: one True is enough
        ({"drives": True, "changes_surname": False, "move_scope": "within"}, ("applies", [])),
        ({"drives": True, "move_scope": "within"}, ("applies", [])),  # any: True even with one unknown
        ({"drives": True, "changes_surname": False, "move_scope": "abroad"}, ABSENT),  # any: all False
        ({"drives": True, "move_scope": "abroad"}, ("maybe", ["changes_surname"])),  # any: False or unknown
        ({"changes_surname": True, "move_scope": "within"}, ("maybe", ["drives"])),  # all: True and unknown
        ({"drives": False}, ABSENT),  # all: one False decides, whatever is unknown
        ({"drives": False, "changes_surname": True}, ABSENT),
        ({"drives": True}, ABSENT),  # move_scope unknown: the kind of move is asked first
        # issue #14: an any already True lists none of its other unknowns, so an unknown move_scope no longer
        # drops the item; only drives still decides it
        ({"changes_surname": True}, ("maybe", ["drives"])),
        ({"drives": True, "changes_surname": False}, ABSENT),  # move_scope still decides: asked first
    ],
)
def test_all_and_any_are_three_valued(facts: dict[str, Any], expected: tuple[str, list[str]] | None) -> None:
    assert state(plan(["marriage"], facts, municipality=SUGINAMI), "driving-licence-change") == expected


@pytest.mark.parametrize(
    ("cond", "facts", "unknown"),
    [
        ({"any": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}, {"a": 1}, []),  # any already True
        ({"any": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}, {"a": 2}, ["b"]),  # a is False: b decides
        ({"any": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}, {}, ["a", "b"]),
        ({"all": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}, {"a": 2}, []),  # all already False
        ({"all": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}, {"a": 1}, ["b"]),
        (
            {"all": [{"fact": "a", "eq": 1}, {"any": [{"fact": "b", "eq": 1}, {"fact": "c", "eq": 1}]}]},
            {"b": 1},
            ["a"],
        ),
        ({"not": {"any": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}}, {"b": 1}, []),
        ({"not": {"all": [{"fact": "a", "eq": 1}, {"fact": "b", "eq": 1}]}}, {"b": 1}, ["a"]),
    ],
)
def test_only_the_facts_that_still_decide_are_unknown(
    cond: dict[str, Any], facts: dict[str, Any], unknown: list[str]
) -> None:
    assert deciding(Condition.model_validate(cond), facts) == unknown


def test_the_module_example_runs() -> None:
    failed, tried = doctest.testmod(bot.planner)
    assert tried and not failed


# turning 75: old-age-pension-claim when not(pension == receiving)
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, ("maybe", ["pension"])),
        ({"pension": "receiving"}, ABSENT),
        ({"pension": "national"}, ("applies", [])),
    ],
)
def test_not_is_three_valued(facts: dict[str, Any], expected: tuple[str, list[str]] | None) -> None:
    assert state(plan(["turning-75"], facts, municipality=SUGINAMI), "old-age-pension-claim") == expected


# moving: nhi-withdrawal when all(insurance == national, move_scope in [tokyo_to_tokyo, out_of_tokyo, abroad])
@pytest.mark.parametrize(
    ("facts", "expected"),
    [
        ({}, ("maybe", ["insurance"])),  # the scope comes from the two ends (tokyo_to_tokyo)
        ({"insurance": "national"}, ("applies", [])),
        ({"insurance": "employee"}, ABSENT),
        ({"move_scope": "into_tokyo"}, ABSENT),  # a stated scope wins over the one derived from the ends
    ],
)
def test_a_known_scope_and_an_unknown_insurance(facts: dict[str, Any], expected: object) -> None:
    b = plan(["moving"], facts, move_from=HACHIOJI, move_to=SUGINAMI)
    assert state(b, "nhi-withdrawal") == expected


def test_an_unknown_kind_of_move_drops_its_variants() -> None:
    b = plan(["moving"], move_to=SUGINAMI)  # where from is not known
    assert "move_scope" not in b.decisive
    assert not any("move_scope" in c.facts() for i in b.items for c in i.conditions)
    assert b.by_id("moving-in-notice") is None and b.by_id("moving-out-notice") is None


# ---- the steps of a move -----------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("move_from", "move_to", "facts", "steps"),
    [
        (
            HACHIOJI,
            SUGINAMI,
            {},
            {
                "moving-out-notice": ("old", HACHIOJI),
                "moving-online-onestop": ("old", HACHIOJI),
                "nhi-withdrawal": ("old", HACHIOJI),
                "moving-in-notice": ("new", SUGINAMI),
                "seal-registration": ("new", SUGINAMI),
                "nhi-enrollment": ("new", SUGINAMI),
                "change-of-address-notice": ABSENT,
                "moving-abroad-notice": ABSENT,
                "driving-licence-change": (None, None),  # the police, not a municipality
            },
        ),
        (
            SUGINAMI,
            SUGINAMI,
            {},
            {
                "change-of-address-notice": ("new", SUGINAMI),
                "moving-out-notice": ABSENT,
                "moving-in-notice": ABSENT,
                "nhi-enrollment": ABSENT,
            },
        ),
        (
            "outside",
            SUGINAMI,
            {},
            {
                "moving-out-notice": ABSENT,  # the old end is outside Tokyo: named in the reply, not listed
                "moving-in-notice": ("new", SUGINAMI),
            },
        ),
        (
            SUGINAMI,
            "abroad",
            {},
            {
                "moving-abroad-notice": ("old", SUGINAMI),
                "moving-out-notice": ABSENT,
                "driving-licence-change": ABSENT,  # not(move_scope == abroad)
            },
        ),
        (
            "abroad",
            SUGINAMI,
            {"nationality": "foreign"},
            {
                "moving-in-from-abroad": ("new", SUGINAMI),
                "residence-card-address": ("new", SUGINAMI),
                "moving-in-notice": ABSENT,
                "my-number-card-address-update": ABSENT,  # issued after arriving, not updated
            },
        ),
    ],
)
def test_steps_of_a_move(
    move_from: str,
    move_to: str,
    facts: dict[str, Any],
    steps: dict[str, tuple[MoveStep | None, str | None] | None],
) -> None:
    b = plan(["moving"], facts, move_from=move_from, move_to=move_to)
    got = {p: (i.step, i.municipality) if (i := b.by_id(p)) else ABSENT for p in steps}
    assert got == steps
    assert all(i.step in (*get_args(MoveStep), None) for i in b.items)


def test_the_old_step_comes_before_the_new_one() -> None:
    order = ids(plan(["moving"], move_from=HACHIOJI, move_to=SUGINAMI))
    assert order.index("moving-out-notice") < order.index("moving-in-notice")


def test_only_moves_have_steps() -> None:
    b = plan(["birth", "death"], municipality=SUGINAMI)
    assert b.items and all(i.step is None for i in b.items)


@pytest.mark.parametrize(
    ("nationality", "brings", "not_brought"),
    [
        ("foreign", "residence-card", "family-register-certificate"),
        ("japanese", "family-register-certificate", "residence-card"),
    ],
)
def test_arrival_documents_follow_the_nationality(nationality: str, brings: str, not_brought: str) -> None:
    b = plan(["moving"], {"nationality": nationality}, move_from="abroad", move_to=SUGINAMI)
    item = b.by_id("moving-in-from-abroad")
    assert item is not None and item.documents is not None
    assert brings in item.documents and not_brought not in item.documents
    assert brings in b.checklist and not_brought not in b.checklist


# ---- where: local and Tokyo-wide programmes ---------------------------------------------------------------------
@pytest.mark.parametrize(
    ("municipality", "present", "absent"),
    [
        (SETAGAYA, {"setagaya-birth-cost-subsidy", "tokyo-018-support"}, {"chiyoda-birth-cost-subsidy"}),
        (CHIYODA, {"chiyoda-birth-cost-subsidy", "tokyo-018-support"}, {"setagaya-birth-cost-subsidy"}),
        (None, {"tokyo-018-support", "tokyo-baby-first-gift"}, {"setagaya-birth-cost-subsidy"}),
        ("outside", {"birth-registration"}, {"tokyo-018-support", "tokyo-baby-first-gift"}),
    ],
)
def test_local_and_tokyo_programmes(municipality: str | None, present: set[str], absent: set[str]) -> None:
    planned = set(ids(plan(["birth"], municipality=municipality)))
    assert present <= planned and not (absent & planned)


# ---- whose facts --------------------------------------------------------------------------------------------------
def test_facts_about_the_deceased_hold_for_the_death_only() -> None:
    facts = {"insurance": "employee"}  # the resident's own
    b = plan(
        ["death", "birth"], facts, municipality=SUGINAMI, event_facts={"death": {"insurance": "national"}}
    )
    assert state(b, "death-nhi-withdrawal") == ("applies", [])  # the deceased was on the NHI
    assert state(b, "baby-employee-insurance") == ("applies", [])  # the baby joins the resident's insurance
    assert b.by_id("nhi-enrollment") is None
    flat = plan(["death"], facts, municipality=SUGINAMI)  # one flat set of facts: the resident's hold for all
    assert flat.by_id("death-nhi-withdrawal") is None


def test_a_procedure_of_two_events_is_planned_once() -> None:
    b = plan(["birth", "turning-75"], municipality=SUGINAMI)
    assert ids(b).count("nhi-enrollment") == 1
    item = b.by_id("nhi-enrollment")
    assert item is not None and item.events == ["birth", "turning-75"]


# ---- due dates ----------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "where", "event_date", "proc", "due", "unextended", "opens"),
    [
        # 14 days counting the birth day: Fri 11/20 -> Thu 12/3
        (
            "birth",
            {"municipality": SETAGAYA},
            dt.date(2026, 11, 20),
            "birth-registration",
            (12, 3),
            (12, 3),
            None,
        ),
        # 15 days from the next day: Sat 12/5, a closed day -> Mon 12/7
        (
            "birth",
            {"municipality": SETAGAYA},
            dt.date(2026, 11, 20),
            "child-allowance",
            (12, 7),
            (12, 5),
            None,
        ),
        # 7 days counting the day of death: Tue 12/1 -> Mon 12/7
        (
            "death",
            {"municipality": SUGINAMI},
            dt.date(2026, 12, 1),
            "death-registration",
            (12, 7),
            (12, 7),
            None,
        ),
        # a move on Thu 12/10: in within 14 days from the next day; out from 14 days before
        (
            "moving",
            {"move_from": HACHIOJI, "move_to": SUGINAMI},
            dt.date(2026, 12, 10),
            "moving-in-notice",
            (12, 24),
            (12, 24),
            None,
        ),
        (
            "moving",
            {"move_from": HACHIOJI, "move_to": SUGINAMI},
            dt.date(2026, 12, 10),
            "moving-out-notice",
            (12, 24),
            (12, 24),
            (11, 26),
        ),
    ],
)
def test_due_dates(
    event: str,
    where: dict[str, Any],
    event_date: dt.date,
    proc: str,
    due: tuple[int, int],
    unextended: tuple[int, int],
    opens: tuple[int, int] | None,
) -> None:
    item = plan([event], event_date=event_date, **where).by_id(proc)
    assert item is not None and item.due is not None
    assert (item.due.due, item.due.unextended) == (dt.date(2026, *due), dt.date(2026, *unextended))
    assert (item.opens.due if item.opens else None) == (dt.date(2026, *opens) if opens else None)


def test_no_event_date_no_due_dates() -> None:
    b = plan(["birth", "moving"], municipality=SUGINAMI, move_from=HACHIOJI, move_to=SUGINAMI)
    assert all(i.due is None and i.opens is None and not i.overdue for i in b.items)
    assert all(m.date is None for m in b.milestones)


def test_items_are_ordered_by_due_date_within_their_status() -> None:
    b = plan(
        ["birth"],
        {"insurance": "national", "single_parent": False},
        municipality=CHIYODA,
        event_date=dt.date(2026, 11, 20),
    )
    dated = [i.due.due for i in b.items if i.due is not None]
    assert dated == sorted(dated) and len(dated) >= 3
    assert ids(b)[:3] == ["birth-registration", "nhi-enrollment", "child-allowance"]  # 12/3, 12/4, 12/7


def test_a_step_waits_for_the_steps_it_depends_on() -> None:
    b = plan(["moving"], move_from=HACHIOJI, move_to=SUGINAMI, event_date=dt.date(2026, 12, 10))
    out, into, seal = (b.by_id(p) for p in ("moving-out-notice", "moving-in-notice", "seal-registration"))
    assert out and into and seal and into.after == ["moving-out-notice"] and "moving-in-notice" in seal.after
    earlier = plan(["birth"], municipality=SUGINAMI, event_date=dt.date(2026, 11, 1)).by_id(
        "birth-registration"
    )
    assert earlier and earlier.due and out.due and earlier.due.due < out.due.due
    into.due = earlier.due  # due before the step it depends on: still after it
    assert [i.procedure.id for i in _order([seal, into, out])] == [
        "moving-out-notice",
        "moving-in-notice",
        "seal-registration",
    ]


def test_procedures_done_at_one_visit_are_next_to_each_other() -> None:
    b = plan(["death"], municipality=SUGINAMI, event_date=dt.date(2026, 12, 1))
    order = ids(b)
    # the cremation permit (undated: otherwise after every dated item) is asked for where the death is registered
    assert order.index("cremation-permit") == order.index("death-registration") + 1
    for status in get_args(Status):
        visits = [visit_key(i) for i in b.items if i.status == status]
        runs = [k for n, k in enumerate(visits) if n == 0 or visits[n - 1] != k]
        assert len(runs) == len(set(runs)), status  # each visit once, its procedures together


# ---- the checklist ------------------------------------------------------------------------------------------------
def test_the_checklist_holds_documents_of_required_items_once() -> None:
    unknown = plan(["birth"], municipality=SETAGAYA)
    known = plan(["birth"], {"insurance": "employee"}, municipality=SETAGAYA)
    form = "child-insurance-dependent-form"  # baby-employee-insurance's own form
    assert form not in unknown.checklist and form in known.checklist
    assert len(known.checklist) == len(set(known.checklist))
    assert known.checklist[:2] == ["birth-certificate", "maternal-child-handbook"]  # the first item's, first
