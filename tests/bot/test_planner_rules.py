"""Closed-day deadlines, required vs conditional, and the wording of a notice filed before the move (issue #14).

Expectations are computed by hand from the law and the catalog (see evals/cases/rules-dev.yaml): a last day on a
Saturday, Sunday, national holiday or 12/29-1/3 moves to the next open day when the rule's ``extend`` is set
(地方自治法4条の2第4項; 国税通則法10条2項 for the tax returns); a rule without a source for the move keeps its day
and its card says to act by the open day before.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.planner import OPTIONAL_TAG, plan_bundle
from bot.render import Renderer
from bot.sessions import SessionState
from knowledge.catalog import Catalog, load_catalog
from knowledge.deadlines import closure_reason, compute_due, next_open_day

D = dt.date


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return load_catalog()


# ---- closed days: every dated procedure of every life event ---------------------------------------------------
# (events, facts, municipality, move_from, move_to, event date, {procedure: due date}) — computed by hand
DUE_CASES: list[tuple[str, list[str], dict[str, Any], dt.date, dict[str, dt.date]]] = [
    # Golden Week: 4/20 day 1 -> day 14 Mon 5/3 -> Thu 5/6; allowance 4/21 + 14 = Wed 5/5 -> 5/6
    ("birth-golden-week", ["birth"], {}, D(2027, 4, 20), {"birth-registration": D(2027, 5, 6), "child-allowance": D(2027, 5, 6)}),
    # year end: 12/18 day 1 -> Fri 12/31 -> Tue 2028-01-04; allowance Sun 1/2 -> 1/4
    ("birth-year-end", ["birth"], {}, D(2027, 12, 18), {"birth-registration": D(2028, 1, 4), "child-allowance": D(2028, 1, 4)}),
    # Happy Monday 海の日 7/19 -> 7/20; 振替休日 3/22 -> 3/23; 建国記念の日 2/11 -> 2/12, allowance Sat 2/13 -> Mon 2/15
    ("birth-umi-no-hi", ["birth"], {}, D(2027, 7, 6), {"birth-registration": D(2027, 7, 20), "child-allowance": D(2027, 7, 21)}),
    ("birth-substitute", ["birth"], {}, D(2027, 3, 9), {"birth-registration": D(2027, 3, 23), "child-allowance": D(2027, 3, 24)}),
    ("birth-feb-11", ["birth"], {}, D(2027, 1, 29), {"birth-registration": D(2027, 2, 12), "child-allowance": D(2027, 2, 15)}),
    # death: 7 days (day 1 = the day) and 14 days from the next day; 2 years; 4 and 10 months (tax)
    (
        "death-golden-week",
        ["death"],
        {"insurance": "national", "household_head": True, "household_members_remaining": 2},
        D(2027, 4, 27),
        {
            "death-registration": D(2027, 5, 6),
            "death-nhi-withdrawal": D(2027, 5, 11),
            "death-household-head-change": D(2027, 5, 11),
            "nhi-funeral-benefit": D(2029, 4, 27),
        },
    ),
    ("death-year-end", ["death"], {"insurance": "national"}, D(2026, 12, 25), {"death-registration": D(2027, 1, 4), "death-nhi-withdrawal": D(2027, 1, 8)}),
    ("death-equinox", ["death"], {"insurance": "national"}, D(2027, 9, 9), {"death-registration": D(2027, 9, 15), "death-nhi-withdrawal": D(2027, 9, 24)}),
    ("death-quasi-final", ["death"], {"deceased_tax_return": True}, D(2027, 1, 2), {"quasi-final-tax-return": D(2027, 5, 6)}),
    ("death-inheritance-tax", ["death"], {"estate_over_exemption": True}, D(2027, 3, 1), {"inheritance-tax-return": D(2028, 1, 4)}),
    ("death-late-elderly", ["death"], {"insurance": "late_elderly"}, D(2027, 5, 3), {"late-elderly-funeral-benefit": D(2029, 5, 7)}),
    # 相続放棄: no official page says the 3 months move (gaps/closed-day-extensions.md): Sat 2027-01-09 stays
    ("death-renunciation", ["death"], {"estate_has_debts": True}, D(2026, 10, 9), {"inheritance-renunciation": D(2027, 1, 9), "inheritance-limited-acceptance": D(2027, 1, 9)}),
    ("divorce-mediation", ["divorce"], {}, D(2027, 4, 26), {"divorce-registration": D(2027, 5, 6)}),
    ("job-loss-year-end", ["job-loss"], {"insurance": "employee"}, D(2027, 12, 10), {"voluntary-continuation-health-insurance": D(2028, 1, 4), "nhi-enrollment": D(2027, 12, 24)}),
    # 扶養 5 days: no official page states a closed-day rule (gaps/closed-day-extensions.md): Thu 12/30 stays
    ("marriage-dependent", ["marriage"], {"insurance": "dependent"}, D(2027, 12, 25), {"spouse-dependent-enrollment": D(2027, 12, 30), "nhi-withdrawal": D(2028, 1, 11)}),
    ("turning-75-dependants", ["turning-75"], {"dependants_under_75": True}, D(2027, 9, 6), {"nhi-enrollment": D(2027, 9, 21)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "events", "facts", "day", "expected"), DUE_CASES, ids=[c[0] for c in DUE_CASES]
)
def test_due_dates_past_closed_days(
    catalog: Catalog,
    name: str,
    events: list[str],
    facts: dict[str, Any],
    day: dt.date,
    expected: dict[str, dt.date],
) -> None:
    bundle = plan_bundle(catalog, events, facts, municipality="131121", event_date=day)
    got = {pid: (it.due.due if (it := bundle.by_id(pid)) and it.due else None) for pid in expected}
    assert got == expected


# (move from, move to, move date, {procedure: due})
MOVE_CASES = [
    ("131121", "131156", D(2026, 12, 20), {"moving-in-notice": D(2027, 1, 4), "moving-out-notice": D(2027, 1, 4)}),
    ("131148", "131202", D(2027, 9, 6), {"moving-in-notice": D(2027, 9, 21)}),
    ("131121", "131121", D(2027, 4, 21), {"change-of-address-notice": D(2027, 5, 6)}),
    ("abroad", "131041", D(2027, 4, 20), {"moving-in-from-abroad": D(2027, 5, 6)}),
    # 国外転出届 is due by the departure day itself (filed beforehand): Sat 1/9 does not move
    ("131121", "abroad", D(2027, 1, 9), {"moving-abroad-notice": D(2027, 1, 9)}),
]  # fmt: skip


@pytest.mark.parametrize(("move_from", "move_to", "day", "expected"), MOVE_CASES)
def test_move_due_dates_past_closed_days(
    catalog: Catalog, move_from: str, move_to: str, day: dt.date, expected: dict[str, dt.date]
) -> None:
    bundle = plan_bundle(
        catalog, ["moving"], {"has_children": True}, move_from=move_from, move_to=move_to, event_date=day
    )
    got = {pid: (it.due.due if (it := bundle.by_id(pid)) and it.due else None) for pid in expected}
    assert got == expected


def _every_day(start: dt.date, n: int) -> list[dt.date]:
    return [start + dt.timedelta(days=k) for k in range(n)]


def test_every_catalog_deadline_moves_or_says_it_does_not(catalog: Catalog) -> None:
    """For every dated procedure and every event day of a year: an ``extend`` rule never ends on a closed day and
    ends on the first open day after its plain last day; any other rule keeps its day and, when that day is closed,
    its explanation says so in ja and en (the card then tells the resident to act by the open day before)."""
    checked = 0
    for proc in catalog.procedures.values():
        rule = proc.deadline
        if rule is None:
            continue
        for day in _every_day(D(2027, 1, 1), 366):
            due = compute_due(rule, day)
            closed = closure_reason(due.unextended)
            if rule.extend:
                assert closure_reason(due.due) is None, (proc.id, day)
                assert due.due == next_open_day(due.unextended), (proc.id, day)
            else:
                assert due.due == due.unextended, (proc.id, day)
                if closed:
                    assert "前の開庁日" in due.explanation_ja, (proc.id, day)
                    assert "open day before" in due.explanation_en, (proc.id, day)
            checked += 1
    assert checked > 30 * 366


def test_renunciation_card_says_the_day_is_not_confirmed_to_move(catalog: Catalog) -> None:
    bundle = plan_bundle(
        catalog, ["death"], {"estate_has_debts": True}, municipality="131121", event_date=D(2026, 10, 9)
    )
    item = bundle.by_id("inheritance-renunciation")
    assert item is not None and item.due is not None
    assert item.due.due == D(2027, 1, 9) and not item.due.extended
    assert "土曜日" in item.due.explanation_ja and "前の開庁日" in item.due.explanation_ja


# ---- required vs conditional across the 14 life events --------------------------------------------------------
# (events, facts, required, conditional) — what the law and the catalog's conditions say for typical facts
STATUS_CASES: list[tuple[str, list[str], dict[str, Any], set[str], set[str]]] = [
    ("birth-none", ["birth"], {}, {"birth-registration", "child-allowance"}, {"nhi-enrollment", "baby-employee-insurance", "child-support-allowance"}),
    ("birth-employee", ["birth"], {"insurance": "employee"}, {"baby-employee-insurance"}, {"child-support-allowance"}),
    ("death-none", ["death"], {}, {"death-registration"}, {
        "death-household-head-change", "death-nhi-withdrawal", "nhi-funeral-benefit", "pension-death-notice",
        "unpaid-pension-claim", "death-lump-sum", "survivors-basic-pension", "survivors-employee-pension",
        "inheritance-renunciation", "inheritance-limited-acceptance", "inheritance-tax-return",
        "death-care-insurance-withdrawal", "employee-burial-allowance", "late-elderly-funeral-benefit",
        "quasi-final-tax-return", "inheritance-registration"}),
    # 所得税法125条 (only if the deceased had to file), 不動産登記法76条の2 (only an heir who acquires real estate)
    ("death-tax-and-land", ["death"], {"deceased_tax_return": True, "estate_has_real_estate": True}, {"quasi-final-tax-return", "inheritance-registration"}, set()),
    ("death-late-elderly", ["death"], {"insurance": "late_elderly"}, {"death-late-elderly-withdrawal", "late-elderly-funeral-benefit"}, set()),
    # the consultation is a service nobody owes (required-audit-3.md): listed, never required
    ("care-none", ["care"], {}, set(), {"care-certification", "care-certification-renewal", "family-care-leave-benefit"}),
    # the tax-deduction certificate only for a bedridden/dementia level that meets the standard (its summary): optional
    ("care-82", ["care"], {"person_age": 82}, {"care-certification"}, {"family-care-leave-benefit"}),
    ("divorce-none", ["divorce"], {}, {"divorce-registration"}, {"post-divorce-surname", "child-allowance-recipient-change", "child-support-allowance", "nhi-enrollment"}),
    ("foreign-none", ["foreign-resident"], {"move_scope": "from_abroad"}, {"moving-in-from-abroad", "my-number-notification"}, {"residence-card-address", "nhi-enrollment"}),
    # the basic allowance only for a resident who looks for work (雇用保険法4条3項, required-audit-3.md)
    ("job-loss-none", ["job-loss"], {}, {"resident-tax-after-leaving"}, {"unemployment-benefit", "voluntary-continuation-health-insurance", "nhi-enrollment", "national-pension-enrollment"}),
    ("marriage-none", ["marriage"], {}, {"marriage-registration"}, {"spouse-dependent-enrollment", "nhi-withdrawal", "my-number-card-name-change"}),
    ("moving-tokyo", ["moving"], {"move_scope": "tokyo_to_tokyo"}, {"moving-out-notice", "moving-in-notice"}, {
        "moving-online-onestop", "residence-card-address", "dog-registration-change", "nhi-withdrawal",
        "child-allowance-transfer", "school-transfer", "driving-licence-change"}),
    ("nursery", ["nursery-entry"], {}, {"nursery-application"}, set()),  # the fee waiver: optional, no filing of its own
    ("pregnancy", ["pregnancy"], {}, {"pregnancy-notification"}, set()),
    ("retirement-none", ["retirement"], {}, set(), {"voluntary-continuation-health-insurance", "unemployment-benefit", "old-age-pension-claim"}),
    ("school-entry", ["school-entry"], {}, {"school-enrollment-notice"}, set()),
    # the claim at 65 unless the pension is deferred (繰下げ, 国民年金法28条)
    ("turning-65", ["turning-65"], {}, {"care-insurance-first-insured"}, {"old-age-pension-claim", "tokyo-silver-pass"}),
    ("turning-75", ["turning-75"], {}, {"late-elderly-medical-enrollment"}, {"nhi-enrollment", "tokyo-silver-pass"}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "events", "facts", "required", "conditional"), STATUS_CASES, ids=[c[0] for c in STATUS_CASES]
)
def test_required_only_when_every_condition_is_known_to_hold(
    catalog: Catalog,
    name: str,
    events: list[str],
    facts: dict[str, Any],
    required: set[str],
    conditional: set[str],
) -> None:
    bundle = plan_bundle(catalog, events, facts, municipality="131121", event_date=D(2026, 12, 1))
    status = {it.procedure.id: it for it in bundle.items}
    assert {p for p in required if p in status and status[p].status == "applies"} == required
    # conditional: listed as "maybe" with the facts that decide it, or left out (a condition known to fail)
    for pid in conditional:
        if pid in status:
            assert status[pid].status == "maybe", pid
            assert status[pid].unknown, pid
    for it in bundle.items:  # the invariant: required iff every condition holds and nobody may simply skip it
        owed = all(c.evaluate(facts) is True for c in it.conditions) and OPTIONAL_TAG not in it.procedure.tags
        assert (it.status == "applies") == owed, it.procedure.id


@pytest.mark.parametrize(
    ("event", "proc_id"),
    [
        ("death", "legal-inheritance-info-certificate"),  # 任意の制度
        ("death", "my-number-card-death"),  # 返納は義務ではありません
        ("death", "seal-registration-death"),  # 別の届出はいりません
        ("death", "bereavement-desk"),  # a service of some municipalities
        ("turning-65", "pension-deferral"),  # a choice
    ],
)
@pytest.mark.parametrize("lang", ["ja", "easy", "en"])
def test_an_optional_service_is_never_required(catalog: Catalog, event: str, proc_id: str, lang: str) -> None:
    bundle = plan_bundle(catalog, [event], {}, municipality="131202", event_date=D(2026, 12, 1))
    item = bundle.by_id(proc_id)
    assert item is not None and item.status == "maybe" and item.unknown == []
    r = Renderer(catalog, lang, D(2026, 12, 2))  # type: ignore[arg-type]
    card = r.procedure(item)
    assert card.why is None and card.conditional == r.msg("optional")


# ---- a notice filed before the move: from when first, the after-move limit second -------------------------------
def _move(catalog: Catalog, day: dt.date, today: dt.date, lang: str) -> tuple[str, str]:
    bundle = plan_bundle(
        catalog, ["moving"], {}, move_from="131202", move_to="131148", event_date=day, today=today
    )
    r = Renderer(catalog, lang, today)  # type: ignore[arg-type]
    state = SessionState(id="t", events=["moving"], event_date=day, move_from="131202", move_to="131148")
    procs = [r.procedure(it) for it in bundle.items]
    card = next(
        p for it, p in zip(bundle.items, procs, strict=True) if it.procedure.id == "moving-out-notice"
    )
    assert card.deadline is not None
    return r.summary(state, procs, []), card.deadline.explanation or ""


@pytest.mark.parametrize(
    ("lang", "line", "card_head"),
    [
        ("ja", "・転出届：1月6日から（引っ越した後は2月3日まで）", "引っ越す前の1月6日から出せます。引っ越した後なら、"),
        ("en", "- Moving-out notice: from 6 January 2027 (after the move, by 3 February 2027)", "Can be filed before the move, from 6 January 2027. If you have already moved: "),
        ("easy", "1月6日から（ひっこした あとは 2月3日まで）", "ひっこす まえの 1月6日から だせます。ひっこした あとなら、"),
    ],
)  # fmt: skip
def test_moving_out_notice_is_filed_before_the_move(
    catalog: Catalog, lang: str, line: str, card_head: str
) -> None:
    """住民基本台帳法24条: the 転出届 is filed before moving (豊島区: from about 14 days before; after the move
    within 14 days): a move on Wed 2027-01-20 opens Wed 1/6 and is at the latest due Wed 2/3, never shown as
    「転出届：2月3日まで」 alone."""
    summary, explanation = _move(catalog, D(2027, 1, 20), D(2027, 1, 5), lang)
    assert line in summary
    assert explanation.startswith(card_head)


def test_after_the_move_the_summary_gives_the_limit_only(catalog: Catalog) -> None:
    summary, explanation = _move(catalog, D(2027, 1, 20), D(2027, 1, 25), "ja")
    assert "・転出届：2月3日まで" in summary and "から（" not in summary
    assert explanation.startswith("引っ越す前の1月6日から出せます。")  # the card still tells the whole rule


def test_moving_abroad_notice_has_no_after_the_move_limit(catalog: Catalog) -> None:
    bundle = plan_bundle(
        catalog, ["moving"], {}, move_from="131121", move_to="abroad", event_date=D(2027, 1, 9)
    )
    r = Renderer(catalog, "ja", D(2027, 1, 4))
    item = bundle.by_id("moving-abroad-notice")
    assert item is not None
    card = r.procedure(item)
    assert card.deadline is not None and card.deadline.due == D(2027, 1, 9)
    text = card.deadline.explanation or ""
    assert text.startswith("引っ越す前の12月26日から出せます。") or text.startswith(
        "引っ越す前の2026年12月26日から出せます。"
    )
    assert "引っ越した後なら" not in text and "前の開庁日" in text


def test_a_deadline_that_is_not_theirs_has_no_milestone(catalog: Catalog) -> None:
    """No land: no 相続登記 card and no 「相続登記の期限（3年）」 milestone; unknown: both stay (the card conditional)."""
    for facts, present in (({"estate_has_real_estate": False}, False), ({}, True)):
        bundle = plan_bundle(catalog, ["death"], facts, municipality="131202", event_date=D(2026, 12, 5))
        assert (bundle.by_id("inheritance-registration") is not None) is present
        assert (
            any(m.milestone.deadline_of == "inheritance-registration" for m in bundle.milestones) is present
        )


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("父は確定申告をしていました", {"deceased_tax_return": True}),
        ("父は確定申告はしていませんでした", {"deceased_tax_return": False}),
        ("母は土地を持っていました", {"estate_has_real_estate": True}),
        ("不動産は持っていません", {"estate_has_real_estate": False}),
        ("持ち家があります", {"estate_has_real_estate": True}),
        (
            "父は確定申告をしていて、土地も持っていました",
            {"deceased_tax_return": True, "estate_has_real_estate": True},
        ),
    ],
)
def test_the_new_death_facts_are_understood(catalog: Catalog, text: str, expected: dict[str, bool]) -> None:
    from bot.understand import Understander

    facts = Understander(catalog).parse_facts(text)
    assert {k: facts.get(k) for k in expected} == expected
