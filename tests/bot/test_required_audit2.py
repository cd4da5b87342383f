"""Required vs conditional after the second audit, and foreign residents (issue #14, helper h-req2).

knowledge/data/gaps/required-audit-2.md lists the doubts and their sources. A person aged 40-64 is certified for
care only when the need comes from one of the 16 specified diseases (介護保険法7条3項2号); 死亡一時金 is paid only for
national-pension (category 1) premiums and not when a child can draw 遺族基礎年金 (国民年金法52条の2); a pensioner
leaves 遺族厚生年金 only when the pension came from the employees' pension; the notice of 戸籍法77条の2 keeps the
married surname, so going back to the former one needs none; a foreign national leaving Japan may claim the
pension's lump-sum withdrawal (a choice, never required), a Japanese national never. Arrivals said as "came to
Japan from the Philippines" or 「在留カードをもらって」 are arrivals from abroad; 「帰国して、もう日本には戻りません」
by a foreign national is leaving.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.contract import ChatRequest
from bot.dialogue import implied_facts
from bot.planner import plan_bundle
from bot.service import Concierge
from bot.understand import ABROAD, Understander
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


def _status(catalog: Catalog, events: list[str], facts: dict, proc: str, **where: str) -> str | None:
    """The item's status with the facts the dialogue infers from the given ones (``implied_facts``)."""
    facts = {**facts, **implied_facts(facts)}
    bundle = plan_bundle(catalog, events, facts, event_date=TODAY, today=TODAY, **where)
    item = bundle.by_id(proc)
    return item.status if item else None


# ---- planner: the audited conditions -----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "facts", "proc", "status"),
    [
        # care: 65+ any cause; 40-64 only for a specified disease
        ("care", {"person_age": 70}, "care-certification", "applies"),
        ("care", {"person_age": 58}, "care-certification", "maybe"),
        ("care", {"person_age": 58, "specified_disease": True}, "care-certification", "applies"),
        ("care", {"person_age": 58, "specified_disease": False}, "care-certification", None),
        ("care", {"person_age": 58, "specified_disease": False}, "care-plan-request", None),
        ("care", {"person_age": 35}, "care-certification", None),
        # death: 死亡一時金 only for the national pension, with no child to draw 遺族基礎年金
        ("death", {"received_pension": False}, "death-lump-sum", "maybe"),
        ("death", {"received_pension": False, "pension": "employee"}, "death-lump-sum", None),
        ("death", {"received_pension": False, "pension": "national"}, "death-lump-sum", "maybe"),
        (
            "death",
            {"received_pension": False, "pension": "national", "has_children": False},
            "death-lump-sum",
            "applies",
        ),
        (
            "death",
            {"received_pension": False, "pension": "national", "has_children": True},
            "death-lump-sum",
            None,
        ),
        # death: 遺族厚生年金 for a pensioner only when it was an employees' pension
        ("death", {"pension": "employee"}, "survivors-employee-pension", "applies"),
        ("death", {"pension": "receiving"}, "survivors-employee-pension", "maybe"),
        (
            "death",
            {"pension": "receiving", "had_employee_pension": True},
            "survivors-employee-pension",
            "applies",
        ),
        (
            "death",
            {"pension": "receiving", "had_employee_pension": False},
            "survivors-employee-pension",
            None,
        ),
        ("death", {"pension": "national"}, "survivors-employee-pension", None),
        # divorce: the notice keeps the married surname; going back needs none
        ("divorce", {}, "post-divorce-surname", "maybe"),
        ("divorce", {"changes_surname": True}, "post-divorce-surname", None),
        ("divorce", {"keeps_married_surname": True}, "post-divorce-surname", "applies"),
    ],
)
def test_the_audited_steps_are_required_only_when_every_fact_holds(
    catalog: Catalog, event: str, facts: dict, proc: str, status: str | None
) -> None:
    assert _status(catalog, [event], facts, proc, municipality="131121") == status


@pytest.mark.parametrize(
    ("nationality", "move_to", "status"),
    [
        ("foreign", ABROAD, "maybe"),
        (None, ABROAD, "maybe"),
        ("japanese", ABROAD, None),
        ("foreign", "131130", None),
    ],
)
def test_the_lump_sum_withdrawal_is_a_choice_of_a_foreign_national_leaving_japan(
    catalog: Catalog, nationality: str | None, move_to: str, status: str | None
) -> None:
    facts = {"nationality": nationality} if nationality else {}
    got = _status(
        catalog, ["moving"], facts, "pension-lump-sum-withdrawal", move_from="131121", move_to=move_to
    )
    assert got == status


def test_the_lump_sum_withdrawal_names_its_source_and_two_year_limit(catalog: Catalog) -> None:
    bundle = plan_bundle(
        catalog,
        ["moving"],
        {"nationality": "foreign"},
        move_from="131121",
        move_to=ABROAD,
        event_date=dt.date(2026, 12, 25),
        today=TODAY,
    )
    item = bundle.by_id("pension-lump-sum-withdrawal")
    assert item is not None and item.due is not None and item.due.due == dt.date(2028, 12, 25)
    assert all(s.verified == dt.date(2026, 12, 7) for s in item.procedure.sources)
    assert "passport" not in bundle.checklist  # a choice: its documents are not on the checklist


def test_a_specified_disease_is_asked_only_when_the_age_leaves_it_open(catalog: Catalog) -> None:
    younger = plan_bundle(catalog, ["care"], {"person_age": 58}, municipality="131121")
    older = plan_bundle(catalog, ["care"], {"person_age": 82}, municipality="131121")
    assert younger.decisive.get("specified_disease", 0) > 0
    assert "specified_disease" not in older.decisive


# ---- reading the deciding facts -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("60歳の夫が脳梗塞で倒れました", "specified_disease", True),
        ("My husband has terminal cancer", "specified_disease", True),
        ("55歳の妻が交通事故のけがで介護が必要です", "specified_disease", False),
        ("My wife needs care after an injury", "specified_disease", False),
        ("名字は旧姓に戻ります", "changes_surname", True),
        ("離婚後も今の名字をそのまま使いたいです", "keeps_married_surname", True),
        ("年金はまだもらっていませんでした", "received_pension", False),
        ("父は会社員でした", "had_employee_pension", True),
    ],
)
def test_the_deciding_facts_are_read(und: Understander, text: str, fact: str, value: bool) -> None:
    assert und.parse_facts(text).get(fact) is value


def test_keeping_the_married_surname_is_no_change_of_surname() -> None:
    assert implied_facts({"keeps_married_surname": True})["changes_surname"] is False
    assert implied_facts({"changes_surname": True})["keeps_married_surname"] is False


@pytest.mark.parametrize(
    "text",
    [
        "I came to Japan from the Philippines on 3 December and live in Adachi.",
        "アメリカ国籍です。在留カードをもらって、12月2日から足立区に住んでいます",
    ],
)
def test_an_arrival_said_in_other_words_is_an_arrival_from_abroad(und: Understander, text: str) -> None:
    u = und.parse(text, TODAY)
    assert "foreign-resident" in u.events
    assert (u.move_from, u.move_to) == (ABROAD, "131211")


@pytest.mark.parametrize(
    "text",
    [
        "母国に帰ります。12月28日に出国します。江東区に住んでいます",
        "I'm going back to Vietnam for good on 25 December. I live in Ota.",
    ],
)
def test_going_back_to_ones_own_country_is_said_by_a_foreign_national(und: Understander, text: str) -> None:
    u = und.parse(text, TODAY)
    assert u.facts.get("nationality") == "foreign" and u.move_to == ABROAD


def test_moving_to_japan_is_an_arrival(und: Understander) -> None:
    u = und.parse("ベトナム人です。12月1日から葛飾区に住んでいます。日本に引っ越してきました", TODAY)
    assert "foreign-resident" in u.events and (u.move_from, u.move_to) == (ABROAD, "131229")


def test_a_foreign_national_going_home_for_good_leaves_japan(und: Understander) -> None:
    u = und.parse("ベトナム国籍です。12月25日に帰国して、もう日本には戻りません。北区に住んでいます", TODAY)
    assert u.events == ["moving"] and u.move_to == ABROAD


def test_i_turn_75_is_turning_75_not_an_arrival(concierge: Concierge) -> None:
    r = concierge.chat(
        ChatRequest(
            message="I'm a foreign resident and I turn 75 next month. I live in Setagaya.", today=TODAY
        )
    )
    assert r.life_events == ["turning-75"]
    assert "residence-card-address" not in {p.id for p in r.procedures}


# ---- conversations (the real concierge, SQLite sessions) -------------------------------------------------------------------------------------------
def test_a_new_arrival_gets_the_arrival_steps_and_no_documents_of_a_move_inside_japan(
    concierge: Concierge,
) -> None:
    r = concierge.chat(
        ChatRequest(
            message="I came to Japan from the Philippines on 3 December and live in Adachi. "
            "I will join National Health Insurance.",
            today=TODAY,
        )
    )
    required = {p.id for p in r.procedures if not p.conditional}
    assert {"moving-in-from-abroad", "residence-card-address", "nhi-enrollment"} <= required
    text = " ".join([*r.checklist, *(d for p in r.procedures for d in p.documents)])
    for doc in ("転出証明書", "戸籍謄本", "離職票", "資格喪失証明書"):
        assert doc not in text


def test_a_foreign_national_leaving_is_told_of_the_lump_sum_withdrawal(concierge: Concierge) -> None:
    r = concierge.chat(
        ChatRequest(
            message="ベトナム国籍です。国民年金に入っています。12月25日に帰国して、もう日本には戻りません。北区に住んでいます",
            today=TODAY,
        )
    )
    by_id = {p.id: p for p in r.procedures}
    assert "moving-abroad-notice" in by_id and not by_id["moving-abroad-notice"].conditional
    assert by_id["pension-lump-sum-withdrawal"].conditional
    assert "residence-card-address" not in by_id


def test_a_58_year_old_needing_care_is_asked_about_the_cause(concierge: Concierge) -> None:
    r = concierge.chat(ChatRequest(message="58歳の夫に介護が必要になりました。世田谷区です", today=TODAY))
    cert = next(p for p in r.procedures if p.id == "care-certification")
    assert cert.conditional
    assert "特定疾病" in " ".join([r.reply, *r.follow_up, *(q.label for q in r.quick_replies)])


def test_a_foreign_resident_whose_japanese_husband_died_returns_no_residence_card(
    concierge: Concierge,
) -> None:
    r = concierge.chat(
        ChatRequest(
            message="I'm a foreign national. My Japanese husband died on December 3 in Ota.", today=TODAY
        )
    )
    ids = {p.id for p in r.procedures}
    assert "death-registration" in ids and "residence-card-return-death" not in ids


def test_arrived_said_by_a_foreign_national_is_an_arrival_with_its_date(concierge: Concierge) -> None:
    r = concierge.chat(
        ChatRequest(message="I'm from Nepal. I arrived on 2 December and live in Shinjuku.", today=TODAY)
    )
    arrival = next(p for p in r.procedures if p.id == "moving-in-from-abroad")
    assert not arrival.conditional and arrival.deadline is not None
    assert arrival.deadline.due == dt.date(2026, 12, 16)


def test_a_babys_arrival_is_still_a_birth(und: Understander) -> None:
    assert und.parse("Our baby arrived on December 2. We live in Shibuya.", TODAY).events == ["birth"]


def test_a_students_going_home_is_leaving_japan(und: Understander) -> None:
    u = und.parse("留学生です。3月に卒業して帰国します。文京区に住んでいます", TODAY)
    assert u.move_to == ABROAD and u.events == ["moving"]
