"""Required vs conditional after the systematic audit of every required step (issue #14, helper h-reqaudit).

``evals/required_audit.py`` lists every procedure the planner marks required for a neutral resident (the event
only, 世田谷区, a date); knowledge/data/gaps/required-audit-3.md decides each one from the law and official pages.
Four were not owed by everyone: the basic allowance of employment insurance (only for a resident who looks for work,
雇用保険法4条3項), the old-age pension claim at 65 (not for one who defers it, 国民年金法28条), the consultation at
the 地域包括支援センター (a service; the certification is applied for at the municipality too) and the fee waiver of
a licensed nursery (no filing of its own).
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

import pytest

from bot.contract import ChatRequest
from bot.planner import plan_bundle
from bot.service import Concierge
from bot.understand import Understander
from evals.required_audit import required_steps
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)
AUDIT = Path(__file__).resolve().parents[2] / "knowledge" / "data" / "gaps" / "required-audit-3.md"


def _status(catalog: Catalog, event: str, facts: dict, proc: str) -> str | None:
    bundle = plan_bundle(catalog, [event], facts, municipality="131121", event_date=TODAY, today=TODAY)
    item = bundle.by_id(proc)
    return item.status if item else None


# ---- the audit table -------------------------------------------------------------------------------------------
def test_neutral_required_steps_are_the_audited_ones(catalog: Catalog) -> None:
    rows = {(r.event, r.procedure) for r in required_steps(catalog)}
    for owed in [
        ("birth", "birth-registration"),
        ("death", "death-registration"),
        ("death", "cremation-permit"),
        ("marriage", "marriage-registration"),
        ("divorce", "divorce-registration"),
        ("nursery-entry", "nursery-application"),
        ("turning-75", "late-elderly-medical-enrollment"),
    ]:
        assert owed in rows
    for not_owed in [
        ("job-loss", "unemployment-benefit"),
        ("turning-65", "old-age-pension-claim"),
        ("care", "community-support-consultation"),
        ("nursery-entry", "preschool-fee-free"),
    ]:
        assert not_owed not in rows


def test_every_required_step_is_decided_in_the_audit_record(catalog: Catalog) -> None:
    """The record names every step the planner still marks required for a neutral resident, with its event."""
    text = AUDIT.read_text(encoding="utf-8")
    lines = [line for line in text.splitlines() if line.startswith("|")]
    for r in required_steps(catalog):
        assert any(
            f"`{r.procedure}`" in line and re.search(rf"\b{re.escape(r.event)}\b", line) for line in lines
        ), f"{r.event} / {r.procedure} not decided in {AUDIT.name}"


# ---- planner: the deciding facts ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "facts", "proc", "status"),
    [
        ("job-loss", {}, "unemployment-benefit", "maybe"),
        ("job-loss", {"seeking_work": True}, "unemployment-benefit", "applies"),
        ("job-loss", {"seeking_work": False}, "unemployment-benefit", None),
        ("retirement", {"person_age": 62}, "unemployment-benefit", "maybe"),
        ("retirement", {"person_age": 62, "seeking_work": True}, "unemployment-benefit", "applies"),
        ("retirement", {"person_age": 66, "seeking_work": True}, "unemployment-benefit", None),
        ("turning-65", {}, "old-age-pension-claim", "maybe"),
        ("turning-65", {"defers_pension": False}, "old-age-pension-claim", "applies"),
        ("turning-65", {"defers_pension": True}, "old-age-pension-claim", None),
        ("turning-65", {"defers_pension": True}, "pension-deferral", "maybe"),
        ("retirement", {"person_age": 66}, "old-age-pension-claim", "maybe"),
        ("retirement", {"person_age": 66, "defers_pension": False}, "old-age-pension-claim", "applies"),
        ("retirement", {"person_age": 66, "defers_pension": True}, "old-age-pension-claim", None),
        # at 75 the deferral has run out: the claim stays decided by the pension alone
        ("turning-75", {"pension": "none"}, "old-age-pension-claim", "applies"),
        ("care", {"person_age": 80}, "community-support-consultation", "maybe"),
        ("care", {"person_age": 80}, "care-certification", "applies"),
        ("nursery-entry", {"youngest_child_age": 1}, "preschool-fee-free", "maybe"),
        ("nursery-entry", {"youngest_child_age": 1}, "nursery-application", "applies"),
    ],
)
def test_audited_conditions(catalog: Catalog, event: str, facts: dict, proc: str, status: str | None) -> None:
    assert _status(catalog, event, facts, proc) == status


def test_conditional_claim_names_the_deciding_fact(catalog: Catalog) -> None:
    bundle = plan_bundle(catalog, ["job-loss"], {}, municipality="131121", event_date=TODAY, today=TODAY)
    item = bundle.by_id("unemployment-benefit")
    assert item is not None and item.unknown == ["seeking_work"]
    bundle = plan_bundle(catalog, ["turning-65"], {}, municipality="131121", event_date=TODAY, today=TODAY)
    item = bundle.by_id("old-age-pension-claim")
    assert item is not None and item.unknown == ["defers_pension"]


# ---- reading the deciding facts in the resident's words ---------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("いま次の仕事を探しています", "seeking_work", True),
        ("再就職先を探すつもりです", "seeking_work", True),
        ("つぎの しごとを さがして います", "seeking_work", True),
        ("あたらしい 仕事を さがします", "seeking_work", True),
        ("I'm looking for a new job.", "seeking_work", True),
        ("I'm job hunting now.", "seeking_work", True),
        ("しばらく働くつもりはありません", "seeking_work", False),
        ("次の仕事はもう決まっています", "seeking_work", False),
        ("I'm not looking for work for now.", "seeking_work", False),
        ("年金は65歳から受け取るつもりです", "defers_pension", False),
        ("繰り下げはしません", "defers_pension", False),
        ("ねんきんは 65さいから もらいます", "defers_pension", False),
        ("年金を すぐ もらいたいです", "defers_pension", False),
        ("I want to start my pension at 65.", "defers_pension", False),
        ("年金は70歳まで繰り下げるつもりです", "defers_pension", True),
        ("I plan to defer my pension.", "defers_pension", True),
        # a question about the rule decides nothing
        ("年金の繰下げ受給って70歳までしかできないんですよね？", "defers_pension", None),
        ("Can I defer my pension?", "defers_pension", None),
    ],
)
def test_deciding_facts_read(und: Understander, text: str, fact: str, value: bool | None) -> None:
    assert und.parse_facts(text).get(fact) is value


def test_unrelated_words_decide_nothing(und: Understander) -> None:
    facts = und.parse_facts("12月4日に会社を辞めました。練馬区に住んでいます")
    assert facts.get("seeking_work") is None and facts.get("defers_pension") is None


# ---- end to end ---------------------------------------------------------------------------------------------------
def test_chat_marks_the_claim_by_what_the_resident_said(concierge: Concierge) -> None:
    def conditional(message: str, proc: str) -> bool | None:
        resp = concierge.chat(ChatRequest(message=message, today=TODAY))
        listed = {p.id: p for p in resp.procedures}
        return bool(listed[proc].conditional) if proc in listed else None

    assert conditional("12月4日に会社を辞めました。練馬区に住んでいます", "unemployment-benefit") is True
    assert (
        conditional("12月4日に会社を辞めました。次の仕事を探しています。練馬区です", "unemployment-benefit")
        is False
    )
    assert (
        conditional(
            "12月1日に仕事を辞めました。しばらく働くつもりはありません。品川区です", "unemployment-benefit"
        )
        is None
    )
    assert conditional("来月65歳になります。世田谷区に住んでいます", "old-age-pension-claim") is True
    assert (
        conditional("来月65歳になります。年金は65歳から受け取ります。杉並区です", "old-age-pension-claim")
        is False
    )


def test_the_deciding_question_is_asked_and_answered(concierge: Concierge) -> None:
    """Turning 65 with nothing else said: the deferral is the question that decides the claim; はい / いいえ answer it."""
    first = concierge.chat(ChatRequest(message="来月65歳になります。世田谷区に住んでいます", today=TODAY))
    assert any("繰り下げ" in q for q in first.follow_up)
    no = concierge.chat(ChatRequest(message="いいえ", session_id=first.session_id, today=TODAY))
    claim = {p.id: p for p in no.procedures}["old-age-pension-claim"]
    assert not claim.conditional
    again = concierge.chat(ChatRequest(message="来月65歳になります。世田谷区に住んでいます", today=TODAY))
    yes = concierge.chat(ChatRequest(message="はい", session_id=again.session_id, today=TODAY))
    assert "old-age-pension-claim" not in {p.id for p in yes.procedures}
    assert "pension-deferral" in {p.id for p in yes.procedures}
