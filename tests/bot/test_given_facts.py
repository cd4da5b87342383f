"""Facts the resident gives are read, attached to the right person and never asked again (issue #14, helper
h-facts2; evals/cases/facts-dev-2.yaml): the lead's three misreadings and the causes the dev cases found."""

from __future__ import annotations

import datetime as dt

import pytest
from bot_support import asked, listed, required, talk

from bot import dialogue
from bot.service import Concierge
from bot.sessions import SessionState
from bot.understand import Understander
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


# ---- the lead's examples -------------------------------------------------------------------------------------
def test_a_three_year_old_is_a_child(concierge: Concierge) -> None:
    (r,) = talk(concierge, "We moved from Suginami to Setagaya on December 1. We have a 3-year-old.")
    assert r.facts.get("has_children") is True
    assert "has_children" not in asked(r)
    assert "child-allowance-transfer" in required(r)


def test_the_sons_age_is_not_the_age_of_the_person_who_died(concierge: Concierge) -> None:
    (r,) = talk(concierge, "母が12月3日に亡くなりました。家には私と息子（20歳）が残っています。大田区です")
    assert r.life_events == ["death"]
    assert r.facts.get("person_age") is None
    # the deceased's age is unknown: the 介護保険 step (65+) stays listed, as conditional
    assert "death-care-insurance-withdrawal" in listed(r) - required(r)


@pytest.mark.parametrize(
    "message",
    ["12月3日に父が亡くなりました。父は後期高齢者医療の被保険者でした。墨田区です",
     "父は後期高齢者医療の被保険者でした。12月4日に亡くなりました。荒川区"],
)  # fmt: skip
def test_the_deceaseds_late_elderly_insurance_is_not_turning_75(concierge: Concierge, message: str) -> None:
    (r,) = talk(concierge, message)
    assert r.life_events == ["death"]
    assert r.facts.get("insurance") == "late_elderly"
    assert "death-late-elderly-withdrawal" in required(r)
    assert not {"late-elderly-medical-enrollment", "tokyo-silver-pass"} & listed(r)


# ---- reading: words the vocabulary lacked ----------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "fact", "value"),
    [("We have a 3-year-old.", "has_children", True),
     ("We have a son.", "has_children", True),
     ("息子がいます", "has_children", True),
     ("娘が2人います", "children_count", 2),
     ("娘は2歳です", "youngest_child_age", 2),
     ("My daughter is 3 years old.", "youngest_child_age", 3),
     ("My father, who is 81, needs care.", "person_age", 81),
     ("世帯主の夫が亡くなりました", "household_head", True),
     ("年金はまだもらっていませんでした", "received_pension", False),
     ("No pets.", "has_dog", False),
     ("ペットはいません", "has_dog", False),
     ("不動産はありません。借金もありません", "estate_has_debts", False),
     ("専業主婦です", "employment", "unemployed"),
     ("派遣で働いています", "employment", "employee"),
     ("子供なしです", "has_children", False),
     ("18歳以下の子はいません", "has_children", False),
     ("永住者です", "nationality", "foreign"),
     ("I have a residence card.", "nationality", "foreign"),
     ("We have two dogs.", "has_dog", True),
     ("すみません、犬はもういません", "has_dog", False),
     ("ペーパードライバーですが免許はあります", "drives", True),
     ("免許は返納しました", "drives", False),
     ("くるまの めんきょは ありません", "drives", False),
     ("マイナカードは持ってます", "has_my_number_card", True),
     ("母はもう介護認定を受けています", "care_certified", True),
     ("まだ認定は受けていません", "care_certified", False)],
)  # fmt: skip
def test_a_fact_in_free_words_is_read(und: Understander, message: str, fact: str, value: object) -> None:
    assert und.parse_facts(message).get(fact) == value


# ---- whose fact ----------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    ["私は50歳です。母が12月2日に亡くなりました。品川区です",
     "世帯主の夫が12月2日に亡くなりました。残る家族は私と長女（17歳）の2人です。練馬区"],
)  # fmt: skip
def test_an_age_of_the_resident_or_a_child_is_not_the_deceaseds(und: Understander, message: str) -> None:
    assert "person_age" not in und.parse(message, TODAY).facts


def test_the_deceaseds_age_wins_over_the_residents(und: Understander) -> None:
    u = und.parse("夫（70歳）が12月1日に亡くなりました。私は68歳で、年金をもらっています。調布市", TODAY)
    assert u.facts["person_age"] == 70
    assert "pension" not in u.facts  # the resident's pension, not the husband's
    assert u.own_facts == {"person_age": 68, "pension": "receiving"}


def test_the_residents_insurance_is_not_the_deceaseds(concierge: Concierge) -> None:
    (r,) = talk(
        concierge,
        "私は国民健康保険です。夫は会社の健康保険に入っていました。夫が12月1日に亡くなりました。新宿区",
    )
    assert r.facts.get("insurance") == "employee"
    assert "employee-burial-allowance" in required(r)
    assert not {"death-nhi-withdrawal", "nhi-funeral-benefit"} & listed(r)


def test_the_residents_pension_does_not_make_the_deceased_a_pensioner(concierge: Concierge) -> None:
    (r,) = talk(concierge, "夫（70歳）が12月1日に亡くなりました。私は68歳で、年金をもらっています。調布市")
    assert r.facts.get("person_age") == 70
    assert r.facts.get("received_pension") is None
    assert not {"pension-death-notice", "unpaid-pension-claim"} & required(r)


def test_a_resident_sentence_in_a_care_message_keeps_the_cared_persons_age(und: Understander) -> None:
    u = und.parse("私は55歳で会社員です。母（80歳）の介護が必要になりました。杉並区です", TODAY)
    assert u.facts["person_age"] == 80 and u.facts["employment"] == "employee"


def test_a_message_all_about_the_resident_keeps_its_facts(und: Understander) -> None:
    u = und.parse("私は80歳です。介護が必要になりました。世田谷区", TODAY)
    assert u.facts.get("person_age") == 80 and u.own_facts == {}


# ---- corrections -----------------------------------------------------------------------------------------------
def test_a_corrected_count_of_children(concierge: Concierge) -> None:
    first, after = talk(
        concierge, "12月1日に離婚しました。子どもが2人います。渋谷区", "すみません、3人でした"
    )
    assert first.facts.get("children_count") == 2
    assert after.facts.get("children_count") == 3 and after.facts.get("has_children") is True


def test_a_bare_count_is_not_guessed_when_no_count_is_known(catalog: Catalog, und: Understander) -> None:
    state = SessionState(id="s", events=["moving"])
    u = und.parse("すみません、3人でした", TODAY)
    dialogue.merge(catalog, und, state, u, None, TODAY)
    assert "children_count" not in state.facts and "household_members_remaining" not in state.facts


def test_no_pets_drops_the_dog_step_and_its_question(concierge: Concierge) -> None:
    (r,) = talk(concierge, "ペットはいません。12月14日に北区から板橋区へ引っ越します")
    assert r.facts.get("has_dog") is False
    assert "dog-registration-change" not in listed(r) and "has_dog" not in asked(r)


# ---- a fact of the person who died is no event, and no age ------------------------------------------------------
def test_the_deceaseds_retirement_is_not_the_residents_event(und: Understander) -> None:
    u = und.parse("父は定年退職したあと年金暮らしでした。12月3日に亡くなりました。練馬区", TODAY)
    assert u.events == ["death"]


def test_a_retirement_the_resident_tells_of_themselves_stays(und: Understander) -> None:
    u = und.parse("父が12月3日に亡くなりました。私は11月末で定年退職しました。練馬区", TODAY)
    assert set(u.events) == {"death", "retirement"}


@pytest.mark.parametrize(
    "message", ["父は65歳から年金をもらっていました。12月2日に亡くなりました", "65歳以上の母の介護"]
)
def test_an_age_from_which_is_not_the_persons_age(und: Understander, message: str) -> None:
    assert "person_age" not in und.parse(message, TODAY).facts


@pytest.mark.parametrize(
    ("message", "count"),
    [("家には私と息子（20歳）が残っています", 2),
     ("家には私と母が残っています", 2),
     ("私と長女(17歳)と次男(10歳)が残ります", 2)],
)  # fmt: skip
def test_the_people_listed_as_remaining_are_counted(und: Understander, message: str, count: int) -> None:
    assert und.parse_facts(message)["household_members_remaining"] == count


def test_a_child_of_unknown_age_leaves_the_count_open(und: Understander) -> None:
    assert "household_members_remaining" not in und.parse_facts("家には私と息子が残っています")


def test_a_yes_no_fact_mid_conversation_is_no_event(concierge: Concierge) -> None:
    _first, after = talk(concierge, "12月4日に子どもが生まれました。杉並区です", "国保です。ひとり親です")
    assert after.life_events == ["birth"]
    assert after.facts.get("single_parent") is True and after.facts.get("insurance") == "national"
    assert {"nhi-enrollment", "child-support-allowance"} <= required(after)


@pytest.mark.parametrize(
    ("message", "fact", "value"),
    [("He never filed a tax return.", "deceased_tax_return", False),
     ("My husband, the head of the household, died.", "household_head", True),
     ("My wife, who is 72, is a dependant on my company health insurance.", "dependants_under_75", True),
     ("車の運転はしません", "drives", False)],
)  # fmt: skip
def test_more_english_wordings(und: Understander, message: str, fact: str, value: object) -> None:
    assert und.parse_facts(message).get(fact) == value
