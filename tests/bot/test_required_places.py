"""Required vs conditional, foreign residents and places outside Tokyo (issue #14, helper h-req).

A procedure is required only when every fact that decides it is known to hold: a choice between ways to stay
insured after leaving a job, a benefit only some residents claim (福祉用具購入費, 住宅改修費, 介護休業給付), a
service one may use (学童クラブ, 就学援助) and a child's change of surname after a divorce are conditional; the
renewal of a care certification is owed only once a certification exists; the deceased's driving licence is
returned only when they held one. Places: 「港南区」 alone is 横浜市港南区, 「ちばし」 in kana is 千葉市 (but 「くちばし」 is
no place), and 「川崎市に住む80歳の母」 says where the mother lives.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot import gazetteer
from bot.dialogue import implied_facts
from bot.planner import plan_bundle
from bot.understand import OUTSIDE, Understander
from knowledge.catalog import Catalog
from knowledge.japanese import en_words

TODAY = dt.date(2026, 12, 7)


def _status(catalog: Catalog, events: list[str], facts: dict, proc: str, **where: str) -> str | None:
    bundle = plan_bundle(catalog, events, facts, event_date=TODAY, today=TODAY, **where)
    item = bundle.by_id(proc)
    return item.status if item else None


# ---- required only when every deciding fact holds ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("event", "facts", "proc"),
    [
        ("care", {"person_age": 82}, "care-welfare-equipment-purchase"),
        ("care", {"person_age": 82}, "care-home-modification"),
        ("care", {"person_age": 82}, "care-high-cost-service-benefit"),
        ("care", {"person_age": 82}, "care-cost-limit-certification"),
        ("care", {"person_age": 82}, "care-disability-deduction-certification"),
        ("care", {"person_age": 82}, "care-certification-renewal"),
        ("care", {"person_age": 78, "employment": "employee"}, "family-care-leave-benefit"),
        ("job-loss", {"insurance": "employee", "person_age": 35}, "voluntary-continuation-health-insurance"),
        ("job-loss", {"insurance": "employee", "person_age": 35}, "family-dependant-health-insurance"),
        ("job-loss", {"insurance": "employee", "person_age": 35}, "nhi-enrollment"),
        ("job-loss", {"insurance": "employee", "person_age": 35}, "retirement-income-declaration"),
        ("job-loss", {"insurance": "employee", "person_age": 35}, "income-tax-return-after-leaving"),
        ("retirement", {"insurance": "employee", "person_age": 60}, "nhi-enrollment"),
        ("school-entry", {}, "gakudo-club-application"),
        ("school-entry", {}, "school-attendance-aid"),
        ("nursery-entry", {"youngest_child_age": 1}, "preschool-facility-benefit-certification"),
        ("divorce", {"has_children": True}, "child-surname-change"),
        ("death", {}, "driving-licence-return-death"),
    ],
)
def test_a_step_only_some_residents_owe_is_conditional(
    catalog: Catalog, event: str, facts: dict, proc: str
) -> None:
    assert _status(catalog, [event], facts, proc, municipality="131121") == "maybe"


@pytest.mark.parametrize(
    ("event", "facts", "proc"),
    [
        ("care", {"person_age": 82}, "care-certification"),
        ("care", {"person_age": 82, "care_certified": True}, "care-certification-renewal"),
        ("job-loss", {"insurance": "employee", "joining_nhi": True}, "nhi-enrollment"),
        ("job-loss", {"pension": "employee", "person_age": 35}, "national-pension-enrollment"),
        ("retirement", {"joining_nhi": True, "person_age": 60}, "nhi-enrollment"),
        ("death", {"deceased_had_licence": True}, "driving-licence-return-death"),
    ],
)
def test_a_step_whose_facts_all_hold_is_required(
    catalog: Catalog, event: str, facts: dict, proc: str
) -> None:
    assert _status(catalog, [event], facts, proc, municipality="131121") == "applies"


def test_the_deceased_without_a_licence_returns_none(catalog: Catalog) -> None:
    assert (
        _status(catalog, ["death"], {"deceased_had_licence": False}, "driving-licence-return-death") is None
    )


@pytest.mark.parametrize("event", ["foreign-resident", "moving"])
def test_a_new_arrival_joining_nhi_owes_the_enrolment(catalog: Catalog, event: str) -> None:
    facts = {"joining_nhi": True, "move_scope": "from_abroad", "nationality": "foreign"}
    where = {"municipality": "131113"} if event != "moving" else {"move_from": "abroad", "move_to": "131113"}
    assert _status(catalog, [event], facts, "nhi-enrollment", **where) == "applies"


def test_a_move_in_employee_insurance_owes_no_nhi_enrolment(catalog: Catalog) -> None:
    facts = {"insurance": "employee"}
    assert _status(catalog, ["moving"], facts, "nhi-enrollment", move_from="131148", move_to="131156") is None


def test_no_children_means_no_single_parent_allowance(catalog: Catalog) -> None:
    facts = {"has_children": False}
    facts |= implied_facts(facts)
    assert facts["single_parent"] is False
    assert _status(catalog, ["divorce"], facts, "child-support-allowance", municipality="131130") is None


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("夫は車の運転免許証を持っていました", "deceased_had_licence", True),
        ("父は免許を持っていなかったです", "deceased_had_licence", False),
        ("母はすでに要介護2の認定を受けています", "care_certified", True),
        ("認定はまだです", "care_certified", False),
    ],
)
def test_the_deciding_facts_are_read_from_the_message(
    und: Understander, text: str, fact: str, value: bool
) -> None:
    assert und.parse_facts(text).get(fact) is value


# ---- English inflections ----------------------------------------------------------------------------------------
def test_marrying_and_married_meet() -> None:
    assert en_words("I'm marrying her") & en_words("we got married") == {"marry"}
    assert "study" in en_words("studies") and "died" in en_words("died")


def test_marrying_is_a_marriage(und: Understander) -> None:
    u = und.parse("I'm Japanese and I'm marrying a Vietnamese national next month. I live in Adachi.", TODAY)
    assert u.events == ["marriage"]


# ---- places outside Tokyo ---------------------------------------------------------------------------------------
def test_a_designated_citys_ward_alone_names_it() -> None:
    assert {p.label for p in gazetteer.lookup("港南区")} == {"神奈川県横浜市港南区"}
    assert "東京都北区" not in {p.label for p in gazetteer.lookup("南区")}  # two-letter wards: not alone


@pytest.mark.parametrize(
    ("text", "move_from", "move_to"),
    [
        ("12月20日に港区から港南区に引っ越します", "131032", OUTSIDE),
        ("横浜市港南区から港区に12月2日に引っ越しました", OUTSIDE, "131032"),
        ("ちばしから こうとうくに 12がつ2にちに ひっこしました", OUTSIDE, "131083"),
        ("江東区から中央区に引っ越しました", "131083", "131024"),  # Tokyo's own wards stay Tokyo's
    ],
)
def test_move_ends_outside_tokyo(und: Understander, text: str, move_from: str, move_to: str) -> None:
    u = und.parse(text, TODAY)
    assert (u.move_from, u.move_to) == (move_from, move_to)


@pytest.mark.parametrize(
    "text",
    ["くちばしが ながい とりです", "へやを さがしに いきます", "12がつ1にちに ひっこしました"],
)
def test_a_short_reading_inside_a_word_is_no_place(und: Understander, text: str) -> None:
    assert und.parse(text, TODAY).mentions == []


def test_a_short_reading_as_a_word_is_a_place(und: Understander) -> None:
    u = und.parse("なごやしに すんで います", TODAY)
    assert u.municipality == OUTSIDE and u.places.get("here") == "愛知県名古屋市"


def test_where_an_aged_parent_lives(und: Understander) -> None:
    u = und.parse("川崎市に住む80歳の母に介護が必要になりました", TODAY)
    assert u.municipality == OUTSIDE and u.places.get("here") == "神奈川県川崎市"
    assert u.facts.get("person_age") == 80


# ---- second batch ------------------------------------------------------------------------------------------------
def test_the_online_one_stop_service_is_never_required(catalog: Catalog) -> None:
    facts = {"has_my_number_card": True}
    where = {"move_from": "131148", "move_to": "131156"}
    assert _status(catalog, ["moving"], facts, "moving-online-onestop", **where) == "maybe"
    assert _status(catalog, ["moving"], facts, "my-number-card-address-update", **where) == "applies"


@pytest.mark.parametrize(
    ("text", "fact", "value"),
    [
        ("年金はもう受け取っています", "pension", "receiving"),
        ("年金はもらっています", "pension", "receiving"),
        ("残る家族は母と私の2人です", "household_members_remaining", 2),
        ("残る世帯員は3人です", "household_members_remaining", 3),
    ],
)
def test_facts_said_with_other_particles(und: Understander, text: str, fact: str, value: object) -> None:
    assert und.parse_facts(text).get(fact) == value


def test_the_head_of_household_change_is_read_and_required(und: Understander, catalog: Catalog) -> None:
    u = und.parse("父は世帯主でした。残る家族は母と私の2人です", TODAY)
    assert _status(catalog, ["death"], u.facts, "death-household-head-change") == "applies"


@pytest.mark.parametrize(
    "text",
    [
        "I got my residence card at Narita on 4 December and now live in Nerima.",
        "成田空港で在留カードをもらいました。練馬区に住みます",
    ],
)
def test_the_airport_of_arrival_is_no_place(und: Understander, text: str) -> None:
    u = und.parse(text, TODAY)
    assert u.move_from == "abroad" and u.municipality == "131202"
    assert all(m.code != OUTSIDE for m in u.mentions)


@pytest.mark.parametrize(
    ("text", "municipality", "here"),
    [
        ("広島の府中市に住んでいます", OUTSIDE, "広島県府中市"),
        ("広島県の府中市に住んでいます", OUTSIDE, "広島県府中市"),
        ("東京の府中市に住んでいます", "132063", None),
        ("ちばけんに すむ ははに かいごが ひつように なりました", OUTSIDE, "千葉県"),
    ],
)
def test_a_prefecture_beside_a_tokyo_name(
    und: Understander, text: str, municipality: str, here: str | None
) -> None:
    u = und.parse(text, TODAY)
    assert u.municipality == municipality and u.places.get("here") == here


def test_a_ward_in_another_city_in_english(und: Understander) -> None:
    u = und.parse("I moved from Kita Ward in Osaka to Kita Ward in Tokyo on 1 December.", TODAY)
    assert (u.move_from, u.move_to) == (OUTSIDE, "131172")
    assert u.places.get("from") == "大阪府大阪市北区"


# ---- third batch -------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "here"),
    [
        ("My mother died on 3 December. She lived in Chuo Ward, Sapporo.", "北海道札幌市中央区"),
        ("札幌市の中央区に住んでいます", "北海道札幌市中央区"),
        ("中央区(札幌)に住んでいます", "北海道札幌市中央区"),
    ],
)
def test_a_ward_of_a_designated_city_outside_tokyo(und: Understander, text: str, here: str) -> None:
    u = und.parse(text, TODAY)
    assert u.municipality == OUTSIDE and u.places.get("here") == here


@pytest.mark.parametrize(
    "text", ["She lived in Chuo Ward, Tokyo.", "中央区（東京）に住んでいます", "中央区に住んでいます"]
)
def test_tokyos_own_chuo_stays(und: Understander, text: str) -> None:
    assert und.parse(text, TODAY).municipality == "131024"


def test_an_arrival_told_as_a_move_too_has_one_date(und: Understander) -> None:
    u = und.parse("ネパールから きました。12月3日に 日本に きました。しんじゅくくに すんで います", TODAY)
    assert {"foreign-resident", "moving"} <= set(u.events)
    dates = {ev: d.date if d else None for ev, d in u.event_dates.items()}
    assert dates["moving"] == dates["foreign-resident"] == dt.date(2026, 12, 3)


# ---- fourth batch ------------------------------------------------------------------------------------------------
def test_moving_out_of_a_ward_is_its_origin(und: Understander) -> None:
    u = und.parse("I'm moving out of Toshima on 20 December.", TODAY)
    assert u.move_from == "131164" and u.move_to is None


def test_the_age_of_the_deceased_in_english(und: Understander) -> None:
    u = und.parse("My grandmother died on 4 December at the age of 88 in Nakano.", TODAY)
    assert u.facts.get("person_age") == 88
