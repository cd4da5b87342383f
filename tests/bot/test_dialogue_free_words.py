"""Facts given in free words, answers to the concierge's questions in free words, and やさしい日本語 choice labels
(issue #14, evals/cases/dialogue-dev-3.yaml): each failed before the change it tests."""

from __future__ import annotations

import datetime as dt

import pytest
from bot_support import asked, required, talk

from bot import dialogue
from bot.render import Renderer
from bot.service import Concierge
from bot.sessions import SessionState
from bot.understand import Understander, counted, kanji_count
from evals.metrics import non_easy_kanji
from knowledge.catalog import Catalog

TODAY = dt.date(2026, 12, 7)


# ---- "I don't know" in free words is the skip ---------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    ["ちょっとわからないです", "よくわかりません", "まだ分からないです", "わかんない", "知りません", "I'm not sure",
     "sorry, I don't know", "no idea", "We're not sure yet", "わからない・スキップ"],
)  # fmt: skip
def test_i_dont_know_in_free_words_is_a_skip(und: Understander, message: str) -> None:
    assert und.parse(message, TODAY).skip


@pytest.mark.parametrize(
    "message", ["国保です", "ちょっと待ってください", "No", "わからないので教えてください"]
)
def test_an_answer_or_a_request_is_not_a_skip(und: Understander, message: str) -> None:
    assert not und.parse(message, TODAY).skip


@pytest.mark.parametrize("answer", ["ちょっとわからないです", "よくわかりません"])
def test_a_question_answered_i_dont_know_is_not_asked_again(concierge: Concierge, answer: str) -> None:
    first, after = talk(concierge, "12月3日に品川区で子どもが生まれました", answer)
    assert "insurance" in asked(first)
    assert "insurance" not in asked(after)
    assert {"nhi-enrollment", "baby-employee-insurance"}.isdisjoint(required(after))


# ---- numbers in kanji -----------------------------------------------------------------------------------------
def test_kanji_numbers_are_counted() -> None:
    assert [kanji_count(w) for w in ("八十二", "十五", "百", "三十")] == [82, 15, 100, 30]
    assert counted("母は八十二歳です") == "母は82歳です"
    assert counted("一人暮らしの父") == "一人暮らしの父"  # a way of living, not a count


def test_an_age_in_kanji_is_the_persons_age(concierge: Concierge) -> None:
    (r,) = talk(concierge, "母は八十二歳です。介護が必要になりました。大田区に住んでいます")
    assert r.facts.get("person_age") == 82
    assert "care-certification" in required(r) and "person_age" not in asked(r)


# ---- pensions said in free words ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "年金暮らしの母が12月2日に亡くなりました。板橋区です",
        "父は年金生活でしたが、12月3日に亡くなりました。北区です",
    ],
)
def test_a_pensioner_who_died_was_receiving_a_pension(concierge: Concierge, message: str) -> None:
    (r,) = talk(concierge, message)
    assert r.facts.get("received_pension") is True
    assert "unpaid-pension-claim" in required(r) and "received_pension" not in asked(r)


def test_receiving_a_pension_implies_received_pension_only_for_the_person_who_died() -> None:
    assert dialogue.implied_facts({"pension": "receiving"}) == {}
    assert dialogue.implied_facts({"pension": "receiving"}, "death") == {"received_pension": True}


def test_switching_to_the_national_pension_after_a_job_loss(concierge: Concierge) -> None:
    (r,) = talk(
        concierge, "11月30日に会社を辞めました。国民健康保険と国民年金に切り替えます。世田谷区に住む35歳です"
    )
    assert r.facts.get("joining_nhi") is True and r.facts.get("joining_national_pension") is True
    # 「国民健康保険と…に切り替えます」 is a plan, not the insurance now
    assert r.facts.get("insurance") != "national"
    assert {"nhi-enrollment", "national-pension-enrollment"} <= required(r)
    assert "pension" not in asked(r)


def test_joining_the_national_pension_and_nhi_after_a_divorce(concierge: Concierge) -> None:
    (r,) = talk(
        concierge,
        "12月1日に離婚しました。夫の扶養から外れるので、国民年金と国民健康保険に入ります。世田谷区です",
    )
    assert {"national-pension-enrollment", "nhi-enrollment"} <= required(r)
    assert asked(r).isdisjoint({"pension", "insurance"})


def test_joining_the_national_pension_in_english(und: Understander) -> None:
    facts = und.parse("I will switch to national health insurance and national pension", TODAY).facts
    assert facts.get("joining_nhi") is True and facts.get("joining_national_pension") is True
    assert "insurance" not in facts and "pension" not in facts


# ---- a baby with one Japanese parent is Japanese (国籍法2条1号) --------------------------------------------------
@pytest.mark.parametrize(
    "message",
    [
        "My wife is Japanese and I'm American. Our son was born on 3 December in Minato.",
        "12月3日に江東区で長男が生まれました。夫は中国籍で、私は日本人です",
    ],
)
def test_a_mixed_couples_baby_needs_no_status_of_residence(concierge: Concierge, message: str) -> None:
    (r,) = talk(concierge, message)
    assert r.facts.get("nationality") == "japanese"
    assert "status-of-residence-birth" not in required(r)


def test_two_foreign_parents_baby_needs_a_status_of_residence(concierge: Concierge) -> None:
    (r,) = talk(concierge, "We are both Vietnamese nationals. Our baby was born on 3 December in Shinjuku.")
    assert r.facts.get("nationality") == "foreign" and "status-of-residence-birth" in required(r)


# ---- where the resident lives now is the origin of a move still to come -------------------------------------
def test_where_one_lives_now_is_the_origin_of_a_coming_move(concierge: Concierge) -> None:
    first, after = talk(
        concierge, "12月14日に ひっこしを します。 いまは 中野区に すんで います", "杉並区 です"
    )
    assert first.move_from == "中野区" and "move_to" in asked(first)
    assert (after.move_from, after.move_to) == ("中野区", "杉並区")
    assert after.lang == "easy"


def test_a_place_lived_in_after_a_past_move_is_the_destination(und: Understander) -> None:
    u = und.parse("先週引っ越しました。いまは杉並区に住んでいます", TODAY)
    assert u.move_to == "131156" and u.move_from is None


def test_a_posting_abroad_from_where_one_lived(concierge: Concierge) -> None:
    (r,) = talk(concierge, "12月1日に海外赴任しました。目黒区に住んでいました")
    assert r.move_from == "目黒区" and r.move_to == "海外"
    assert any(p.id == "moving-abroad-notice" for p in r.procedures)


# ---- やさしい日本語 choice labels ------------------------------------------------------------------------------
def test_every_choice_option_has_an_easy_label_in_school_kanji(catalog: Catalog) -> None:
    for fact in catalog.facts.values():
        for opt in fact.options:
            assert opt.easy, (fact.id, opt.value)
            assert non_easy_kanji(opt.easy) == [], (fact.id, opt.value)


def test_easy_quick_replies_use_the_easy_labels_and_are_understood(
    catalog: Catalog, und: Understander
) -> None:
    labels = Renderer(catalog, "easy", TODAY).quick_replies(
        "insurance", SessionState(id="s", events=["birth"])
    )
    by_value = {q.value: q.label for q in labels}
    assert by_value["employee"] == "会社の けんこうほけん"
    for opt in catalog.facts["insurance"].options:
        assert und.parse_answer("insurance", by_value[opt.value], TODAY) == opt.value


# ---- second batch (dialogue-dev-3.yaml d3b-*) ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "insurance"),
    [
        ("私は主人の扶養です", "dependent"),
        ("I'm on my husband's insurance", "dependent"),
        ("夫は公務員で、共済組合の保険です", "employee"),
        ("うちは国保じゃなくて社保です", "employee"),  # 「国保じゃなくて」 denies 国保
        ("国保ではなく、会社の保険です", "employee"),
    ],
)
def test_insurance_in_residents_words(und: Understander, message: str, insurance: str) -> None:
    assert und.parse(message, TODAY).facts.get("insurance") == insurance


def test_part_time_work_is_employment(und: Understander) -> None:
    assert und.parse("私はパートです", TODAY).facts.get("employment") == "employee"


@pytest.mark.parametrize(
    ("fact", "answer", "value"),
    [("person_age", "八十二です", 82), ("person_age", "82歳", 82), ("youngest_child_age", "一番下は3歳", 3)],
)
def test_number_answers_in_kanji(und: Understander, fact: str, answer: str, value: int) -> None:
    assert und.parse_answer(fact, answer, TODAY) == value


@pytest.mark.parametrize("answer", ["3日です", "みっかです"])
def test_a_bare_day_answers_the_date_question(und: Understander, answer: str) -> None:
    day = und.parse_answer("event_date", answer, TODAY)
    assert day is not None and day.date == dt.date(2026, 12, 3)


def test_i_dont_know_followed_by_nothing_else_skips_the_question(concierge: Concierge) -> None:
    first, after = talk(
        concierge, "Our baby was born on 3 December in Taito.", "no idea, my husband handles that"
    )
    assert "insurance" in asked(first) and "insurance" not in asked(after)
    assert after.life_events == ["birth"]


def test_i_dont_know_before_a_question_is_not_a_skip(und: Understander) -> None:
    u = und.parse("わからないので教えてください", TODAY)
    assert not u.skip and not u.unsure


def test_a_retired_pensioner_who_died_is_a_death_not_a_retirement(concierge: Concierge) -> None:
    (r,) = talk(concierge, "My grandfather, a retired pensioner, died on 2 December in Adachi.")
    assert r.life_events == ["death"] and r.facts.get("received_pension") is True


# ---- where one works is not where one lives; a single parent has children ------------------------------------
@pytest.mark.parametrize(
    ("message", "municipality"),
    [
        ("We live in Kawasaki but I work in Shinagawa.", "outside"),
        ("品川区の会社に勤めています。世田谷区に住んでいます", "131121"),
        ("勤務先は港区です", None),
        ("中野区で働いています", None),
    ],
)
def test_a_workplace_is_not_where_one_lives(
    und: Understander, message: str, municipality: str | None
) -> None:
    assert und.parse(message, TODAY).municipality == municipality


def test_a_birth_filed_where_one_lives_not_where_one_works(concierge: Concierge) -> None:
    (r,) = talk(concierge, "Our baby was born on 2 December. We live in Kawasaki but I work in Shinagawa.")
    assert r.municipality is None  # outside Tokyo: not 品川区
    assert not any(p.id.startswith("shinagawa-") for p in r.procedures)


def test_a_single_parent_is_not_asked_about_children(concierge: Concierge) -> None:
    (r,) = talk(concierge, "12月1日に離婚しました。練馬区です。シングルマザーとして子どもを育てています")
    assert r.facts.get("has_children") is True and "has_children" not in asked(r)
    assert dialogue.implied_facts({"single_parent": True}) == {"has_children": True}


# ---- a yes/no question answered with its verb ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "answer", "value"),
    [
        ("has_my_number_card", "持ってます", True),
        ("has_my_number_card", "持ってないです", False),
        ("has_dog", "かってません", False),
        ("changes_surname", "変わります", True),
        ("changes_surname", "変わらないです", False),
        ("received_pension", "もらってなかったです", False),
        ("estate_has_debts", "たぶんある", True),
        ("dependants_under_75", "入れてます", True),
        ("has_my_number_card", "We do", True),
        ("has_my_number_card", "of course", True),
        ("has_dog", "we don't", False),
        ("has_my_number_card", "国保です", None),  # a noun: another answer, not a yes
        ("has_my_number_card", "ちょっと待ってください", None),
        ("has_my_number_card", "どうすればいいですか", None),
    ],
)
def test_a_yes_no_question_answered_with_its_verb(
    und: Understander, fact: str, answer: str, value: bool | None
) -> None:
    assert und.parse_answer(fact, answer, TODAY) is value


def test_a_verb_answer_is_kept_and_not_asked_again(concierge: Concierge) -> None:
    first, after = talk(
        concierge, "12月20日に75歳になります。年金をもらっています。大田区に住んでいます", "入れてないです"
    )
    assert "dependants_under_75" in asked(first)
    assert after.facts.get("dependants_under_75") is False and "dependants_under_75" not in asked(after)


def test_turn_75_in_english_is_the_age(und: Understander) -> None:
    assert und.parse("I'll turn 75 on 20 December. I live in Machida.", TODAY).facts.get("person_age") == 75


# ---- third batch (dialogue-dev-3.yaml d3c-*) -----------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "drives"),
    [("運転免許は持っていません", False), ("I don't drive", False), ("運転免許を持っています", True)],
)
def test_a_driving_licence_said_either_way(und: Understander, message: str, drives: bool) -> None:
    assert und.parse(message, TODAY).facts.get("drives") is drives


@pytest.mark.parametrize("message", ["I'm now a single dad.", "I'm a single mom", "シングルファザーです"])
def test_single_parents_in_everyday_words(und: Understander, message: str) -> None:
    assert und.parse(message, TODAY).facts.get("single_parent") is True


# ---- more facts in everyday words ------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("message", "facts"),
    [
        ("父が亡くなりました。父は一人暮らしでした", {"household_members_remaining": 0}),
        ("He lived alone.", {"household_members_remaining": 0}),
        ("一番下の子は3歳です", {"youngest_child_age": 3}),
        ("Our youngest is 2.", {"youngest_child_age": 2}),
        ("子どもはまだいません", {"has_children": False}),
        ("I'm a full-time employee.", {"employment": "employee"}),
        ("She was not receiving any pension.", {"received_pension": False}),
        ("父は持ち家でした", {"estate_has_real_estate": True}),
        ("My wife is Filipino.", {"nationality": "foreign"}),
    ],
)
def test_more_facts_in_everyday_words(und: Understander, message: str, facts: dict[str, object]) -> None:
    got = und.parse(message, TODAY).facts
    assert {k: got.get(k) for k in facts} == facts


def test_a_person_who_lived_alone_leaves_no_household_head_question(concierge: Concierge) -> None:
    (r,) = talk(
        concierge,
        "12月2日に父が亡くなりました。一人暮らしでした。国民健康保険で、年金をもらっていました。足立区です",
    )
    assert "household_head" not in asked(r)
    assert "death-household-head-change" not in {p.id for p in r.procedures}


# ---- places answered in words -------------------------------------------------------------------------------
@pytest.mark.parametrize("answer", ["東京都じゃないです", "東京以外です", "not in Tokyo"])
def test_not_tokyo_answers_the_municipality_as_outside(und: Understander, answer: str) -> None:
    assert und.parse_answer("municipality", answer, TODAY) == "outside"


def test_same_ward_answers_where_to(concierge: Concierge) -> None:
    first, after = talk(concierge, "12月14日に渋谷区から引っ越します", "同じ区内です")
    assert "move_to" in asked(first)
    assert (after.move_from, after.move_to) == ("渋谷区", "渋谷区")
    assert after.facts.get("move_scope") == "within" and "move_to" not in asked(after)


# ---- choice questions answered in free words -------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "answer", "value"),
    [
        ("nationality", "はい", "japanese"),  # 「国籍は日本ですか？」 is a yes/no question
        ("nationality", "いいえ", "foreign"),
        ("nationality", "No, I'm Korean", "foreign"),
        ("nationality", "韓国です", "foreign"),
        ("nationality", "日本", "japanese"),
        ("insurance", "The company one", "employee"),
        ("insurance", "共済です", "employee"),
        ("insurance", "75歳以上の保険", "late_elderly"),
        ("pension", "もらってます", "receiving"),
        ("pension", "company pension", "employee"),
        ("employment", "働いていません", "unemployed"),
        ("employment", "パート", "employee"),
        ("employment", "I'm retired", "unemployed"),
        ("move_scope", "都内", "tokyo_to_tokyo"),
        ("move_scope", "within Tokyo", "tokyo_to_tokyo"),
        ("insurance", "はい", None),  # a yes says nothing about which insurance
    ],
)
def test_choice_answers_in_free_words(und: Understander, fact: str, answer: str, value: str | None) -> None:
    assert und.parse_answer(fact, answer, TODAY) == value


def test_answer_words_are_read_only_as_answers(und: Understander) -> None:
    assert "insurance" not in und.parse("I work for a company", TODAY).facts  # "company" only answers


def test_im_retired_answering_the_work_question_is_no_retirement(concierge: Concierge) -> None:
    first, after = talk(concierge, "父の介護が必要になりました。父は80歳、杉並区です", "I'm retired")
    assert "employment" in asked(first)
    assert after.life_events == ["care"] and after.facts.get("employment") == "unemployed"


def test_english_national_pension_and_my_number_cards(und: Understander) -> None:
    facts = und.parse("We have NHI and the national pension, and we have My Number cards.", TODAY).facts
    assert facts.get("pension") == "national" and facts.get("has_my_number_card") is True


def test_already_in_the_national_pension_has_nothing_to_join() -> None:
    assert dialogue.implied_facts({"pension": "national"}) == {"joining_national_pension": False}
    assert dialogue.implied_facts({"joining_national_pension": True}) == {"pension": "national"}


@pytest.mark.parametrize(
    ("fact", "answer", "value"),
    [
        ("employment", "じえいぎょう です", "self_employed"),
        ("employment", "しごとは して いません", "unemployed"),
        ("move_scope", "おなじ くの なか", "within"),
        ("move_scope", "とうきょうの ほかの く", "tokyo_to_tokyo"),
        ("move_scope", "がいこく から", "from_abroad"),
        ("move_scope", "がいこくへ", "abroad"),
        ("move_scope", "from overseas", "from_abroad"),
    ],
)
def test_choice_answers_in_kana_and_plain_words(
    und: Understander, fact: str, answer: str, value: str
) -> None:
    assert und.parse_answer(fact, answer, TODAY) == value


@pytest.mark.parametrize(
    ("message", "origin"),
    [
        ("来月引っ越します。中野区に住んでいます", True),
        ("We are moving on 14 December. We currently live in Nakano.", True),
        ("Moving on 14 Dec, currently in Nakano", True),
        ("先週引っ越しました。中野区に住んでいます", False),
        ("We moved on 1 December. We live in Nakano.", False),
    ],
)
def test_where_one_lives_is_the_origin_only_of_a_move_still_to_come(
    und: Understander, message: str, origin: bool
) -> None:
    u = und.parse(message, TODAY)
    assert (u.move_from, u.move_to) == (("131148", None) if origin else (None, "131148"))


def test_not_single_and_an_age_after_and(und: Understander) -> None:
    assert und.parse("会社の保険で、シングルではありません", TODAY).facts.get("single_parent") is False
    assert und.parse("He had company insurance and was 70.", TODAY).facts.get("person_age") == 70
    assert "person_age" not in und.parse("The deadline is 14 days and is 14 days", TODAY).facts
