"""English answers from Japanese pages (issue #15): bot.gist_en says in English what a Japanese sentence states,
never a number the sentence does not carry, and reads what an English question asks."""

from __future__ import annotations

import re

import pytest

from bot.answer import question_kinds
from bot.gist_en import (
    catalog_names,
    english_gist,
    hint_weight,
    japanese_hints,
    states_value,
    without_kind_words,
)
from knowledge.catalog import default_catalog
from knowledge.japanese import EnglishTerms
from knowledge.vocabulary import vocabulary

SENTENCES = {
    "葬祭費として7万円が支給されます。": "70,000 yen; funeral benefit",
    "生まれた日を含めて14日以内に届け出てください。": "within 14 days",
    "受付は第1・第3・第5土曜日の午前9時から正午までです。": "9:00 a.m. to noon; the 1st, 3rd and 5th Saturday",
    "夜間は午後5時15分から翌朝8時30分までです。": "5:15 p.m. to 8:30 a.m. the next morning; at night",
    "40歳から64歳の方は、16種類の特定疾病が原因の場合に限り申請できます。": "aged 40 to 64; 16 kinds; specified diseases",
    "調布市 市民課（市役所2階）電話：042-481-7044": "2nd floor; phone 042-481-7044; the city hall",
    "転出届は郵送でもできます。": "moving-out notice; by post",
    "別の世帯の方は代理人となり、委任状が必要です。": "a proxy; a letter of proxy",
    "届出後3日程度かかります。": "about 3 days",
    "申請できる期間は翌日から2年間です。": "for 2 years",
    "24時間受け付けます。": "24 hours",
    "平日 午前8時30分から午後5時、土曜日（祝日・休日以外）午前8時30分から午後0時15分": (
        "8:30 a.m. to 5:00 p.m.; 8:30 a.m. to 0:15 p.m.; Saturday; weekdays; except public holidays"
    ),
}


@pytest.mark.parametrize(("sentence", "gist"), SENTENCES.items())
def test_the_gist_says_what_the_sentence_states(sentence: str, gist: str) -> None:
    assert english_gist(sentence) == gist


@pytest.mark.parametrize("sentence", SENTENCES)
def test_the_gist_states_no_number_the_sentence_does_not_carry(sentence: str) -> None:
    gist = english_gist(sentence, catalog_names(default_catalog()))
    # the minutes of a whole hour (9時 -> 9:00) are the only digits added
    page = {n.replace(",", "") for n in re.findall(r"\d[\d,]*", sentence)} | {"00"}
    said = re.findall(r"\d[\d,]*", gist)
    # 7万円 is said as 70,000 yen (the page's 7 times 10,000): the only number made, from the page's own
    assert all(n.replace(",", "") in page or n.replace(",", "").rstrip("0") in page for n in said), gist


def test_hours_are_said_as_the_page_writes_them() -> None:
    gist = english_gist("火葬許可証は翌開庁日の午後1時以降に受け取ります。")
    assert gist.startswith("1:00 p.m.") and "13" not in gist
    assert "the next business day" in gist and "cremation permit" in gist


def test_months_and_negations_are_kept() -> None:
    assert "1 April" in english_gist("令和7年4月1日から委託されます。")
    assert "not possible" in english_gist("土曜日は証明書を出せず、記載もできません。")


def test_catalog_names_give_the_bilingual_titles() -> None:
    names = dict(catalog_names(default_catalog()))
    assert names["国民健康保険の葬祭費"].lower().startswith("national health insurance")
    assert "funeral benefit" in english_gist("国民健康保険の葬祭費は7万円です。", names.items()).lower()


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Can I apply for Suginami's national health insurance funeral benefit on a Saturday?", "hours"),
        ("What is the phone number of Chofu's citizens section for birth registrations?", "phone"),
        ("A friend will file my move-in notification in Meguro for me. What does he need?", "documents"),
        ("Can I mail the child allowance application to Koganei City?", "apply"),
        ("In Chiyoda, which parent receives the child allowance when both have income?", "eligibility"),
        ("If I file a death registration at the night desk, when can I get the cremation permit?", "hours"),
    ],
)
def test_english_wording_finds_the_kind_of_answer(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


def test_until_when_asks_a_deadline_only() -> None:
    assert question_kinds("Until when can I apply for the funeral benefit?") == ["deadline"]
    assert question_kinds("How much is the funeral benefit?") == ["amount"]


def test_english_words_are_read_as_the_pages_japanese_words() -> None:
    assert japanese_hints("Can I submit the moving-out notification to Meguro by post?") == ["転出届", "郵送"]
    assert "委任状" in japanese_hints("A friend will file my move-in notification for me.")
    assert "夜間" in japanese_hints("Where do I drop off a family register notification at night?")
    q = "Can I submit the moving-out notification by post?"
    assert hint_weight(q, "転出届は郵送でもできます。") == 2
    assert hint_weight(q, "転入の手続きをします。") == 0


def test_places_and_people_are_named_in_english() -> None:
    names = catalog_names(default_catalog())
    gist = english_gist("生計中心者が単身赴任で大田区に住民登録し、生計中心者が大田区で申請します。", names)
    assert gist == "the main earner; posted alone; Ota City; resident registration"
    assert "Minato City" in english_gist("港区の窓口で申請できます。", names)  # a two-character ward too


def test_english_phrasing_is_read_as_the_pages_words() -> None:
    said = japanese_hints("My husband is posted alone to Ota City while we live elsewhere.")
    assert {"別居", "単身赴任", "配偶者"} == set(said)
    # 'bring' names the kind of answer asked: searched with 必要なもの / 持ち物, not one of the resident's own words
    assert japanese_hints("What do I need to bring?") == []
    assert vocabulary().kind_japanese("What do I need to bring?") == ["必要なもの", "持ち物"]
    assert japanese_hints("How much is the funeral benefit?") == []


def test_an_english_question_prefers_the_sentence_stating_the_value_asked() -> None:
    # hours asked: a row with clock times answers more than a sentence that only names the Saturday window
    assert states_value("hours", "土曜日 午前8時30分から午後0時15分")
    assert not states_value("hours", "土曜日の市民課で届け出た場合、証明書は出せません。")
    assert states_value("amount", "葬祭費は7万円です。") and not states_value("amount", "葬祭費が出ます。")


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("When does Musashino pay the funeral benefit into my account?", "date"),
        ("What address do I mail my moving-out notification to?", "place"),
        ("How early can I file the moving-out notification before my move?", "deadline"),
        ("Does Minato City pay the child allowance if my child lives overseas?", "eligibility"),
        ("Can I get the child allowance while my child studies abroad?", "eligibility"),
    ],
)
def test_more_english_wordings_find_the_kind_of_answer(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


def test_everyday_english_is_read_as_the_pages_words() -> None:
    assert japanese_hints("Does the city pay it if my child lives overseas?")[:2] == ["国外", "海外"]
    assert "留学" in japanese_hints("Can I get it while my child studies abroad?")
    assert "用紙" in japanese_hints("Where do I get the birth registration form?")
    assert "ひとり親" in japanese_hints("the allowance for single parents")
    assert "振り込" in japanese_hints("When is it paid into my bank account?")
    assert "送り先" in japanese_hints("What address do I mail it to?")


def test_words_naming_the_kind_asked_are_not_the_residents_own() -> None:
    assert without_kind_words("What do I need to bring? 必要なもの 転入届 持ち物 台東区") == (
        "What do I need to bring? 転入届 台東区"
    )
    assert states_value("documents", "| 必要なもの | 前の住所地で発行された転出証明書、本人確認書類 |")
    assert not states_value("documents", "在留カードを持って転入の届出をすると、住居地の届出も済みます。")


def test_two_weekdays_are_a_range_only_where_the_page_writes_one() -> None:
    assert "Saturday, Sunday" in english_gist("平日の午後5時から翌朝8時30分まで、土曜日・日曜日・祝日")
    assert "Monday to Friday" in english_gist("平日（月曜日から金曜日）午前8時30分から午後5時まで")


def test_a_long_catalog_name_is_found_with_all_its_words_but_one() -> None:
    terms = EnglishTerms.from_catalog(default_catalog())
    assert "児童扶養手当" in terms.terms(
        "Can I apply for the child support allowance for single parents by mail?"
    )
    # three shared words of a four-word name are not enough: 'national health insurance' names no 加入 or 脱退
    said = terms.terms("How much is the funeral grant if my dad had national health insurance?")
    assert said[0] == "国民健康保険の葬祭費" and not any("加入" in t or "脱退" in t for t in said)


def test_hint_words_of_the_page_title_do_not_count() -> None:
    q = "How much was the support payment for households with children?"
    sent = "狛江市は、子育て世帯を支えるため応援給付金を支給しました。"
    assert hint_weight(q, sent) == 2  # 世帯 and 給付金 (手当 is not in it)
    assert hint_weight(q, sent, "子育て世帯への応援給付金") == 0


def test_when_can_i_do_it_asks_from_when() -> None:
    kinds = question_kinds("I moved out online. When can I do the move-in at Toshima City?")
    assert kinds[0] == "date" and "deadline" not in kinds
    assert question_kinds("When can I get the cremation permit?")[:2] == ["hours", "deadline"]


@pytest.mark.parametrize(
    ("question", "kind"),
    [
        ("Which window at the city hall handles the moving-in notification?", "place"),
        ("Which window number takes koseki notices?", "place"),
        ("How often can the lunch box delivery come?", "count"),
        ("How many digits is the PIN?", "count"),
        ("What time of day is most crowded at the residents section?", "hours"),
    ],
)
def test_which_window_how_often_and_time_of_day_find_their_kind(question: str, kind: str) -> None:
    assert kind in question_kinds(question)


@pytest.mark.parametrize(
    ("question", "word"),
    [
        ("Hamura price-hike child support payment, how much per kid?", "物価高"),
        ("How much was the child-raising support benefit per child?", "給付金"),
        ("Can I apply for the child support allowance by mail?", "児童扶養手当"),
        ("Can I apply for jido fuyo teate by mail?", "児童扶養手当"),
        ("What time of day is most crowded at city hall?", "混雑"),
        ("My dad lives alone. How often can the lunch box delivery come?", "お弁当"),
        ("Our baby was born and the 14th day falls on a sunday. What's the deadline?", "出生届"),
        ("Our baby was born and the 14th day falls on a sunday. What's the deadline?", "翌日"),
        ("How many days after a marriage notice until I can get a copy of the family register?", "謄本"),
        ("How many digits is the PIN for the signature certificate?", "暗証番号"),
        ("How many days ahead should I set my visit date?", "来庁予定日"),
        ("Which window at city hall handles the moving-in?", "番"),
    ],
)
def test_more_everyday_english_is_read_as_the_pages_words(question: str, word: str) -> None:
    # what a question is about (児童扶養手当) is searched with; its other words also weigh in choosing the sentence
    assert word in vocabulary().search_japanese(question)


def test_a_funeral_benefit_is_not_read_as_a_support_benefit() -> None:
    assert "給付金" not in japanese_hints("How much is the funeral benefit in Taito?")
    assert "児童扶養手当" not in japanese_hints("How much is the child allowance?")


def test_months_asked_find_the_sentence_naming_months() -> None:
    assert "months" in question_kinds("In which months is the child rearing allowance paid?")
    assert states_value("months", "毎年6月・10月・2月の15日までに振り込みます。")
    assert not states_value("months", "申請した翌月分から支給します。")


def test_how_many_days_asks_a_period_not_a_count() -> None:
    kinds = question_kinds("How many days ahead should I set my visit date?")
    assert "deadline" in kinds and "count" not in kinds
    assert "count" in question_kinds("How many copies do I need?")
    assert states_value("deadline", "1営業日以上あけることをすすめます。")


def test_a_place_value_is_an_address_a_floor_or_a_numbered_window() -> None:
    assert states_value("place", "〒189-8501 東京都東村山市本町1丁目2番地3 東村山市役所 市民課庶務係")
    assert states_value("place", "市役所1階7番窓口と三鷹台市政窓口などで手続きできます。")
    assert states_value("place", "出産した施設で医師・助産師から受け取ります。")
    assert not states_value("place", "転出届を郵送で出せば、窓口に行くのは転入のときの1回ですみます。")
