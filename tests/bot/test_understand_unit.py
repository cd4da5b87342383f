"""Unit tests of bot/understand.py (issue #19): one message in, what Understander.parse reads out of it.

Table-driven over the packaged catalog: events, places and their roles, the ends of a move, facts, intents, dates and
the answers to a pending question. Conversation-level behaviour is in test_understanding.py and test_planning14.py.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, get_args

import pytest

from bot.understand import _INTENTS, Intent, PlaceRole, Role, Understander

TODAY = dt.date(2026, 12, 7)  # a Monday

HACHIOJI, SUGINAMI, SETAGAYA, NAKANO, NERIMA, MINATO = (
    "132012",
    "131156",
    "131121",
    "131148",
    "131202",
    "131032",
)


# ---- events --------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("八王子市から杉並区へ引っ越します", ["moving"]),
        ("11月20日に世田谷区で子どもが生まれました", ["birth"]),
        ("出生届の期限はいつまでですか", ["birth"]),  # a procedure's name says its event
        ("75歳になりました", ["turning-75"]),
        ("失業しました", ["job-loss"]),
        ("I lost my job", ["job-loss"]),
        ("定年退職しました", ["retirement"]),  # 退職 (job loss) lies inside the longer 定年退職 and yields
        ("結婚して杉並区に引っ越します", ["moving", "marriage"]),  # the stronger match first
        # issue #14: two events in one message are both read, a verb in any inflection (亡くなり, 生まれ)
        ("父が亡くなり、来月引っ越します", ["death", "moving"]),
        ("母が亡くなりました。来月引っ越す予定です", ["death", "moving"]),
        ("子どもが生まれ、引っ越しも予定しています", ["birth", "moving"]),
        ("結婚して引っ越します", ["moving", "marriage"]),
        ("妊娠しました。来年の春に生まれます", ["pregnancy"]),  # a birth still ahead is not a birth
        # issue #14: leaving a job in everyday words is job loss; 定年退職 stays retirement
        ("仕事を辞めました", ["job-loss"]),
        ("会社をやめました", ["job-loss"]),
        ("先月退職しました", ["job-loss"]),
        ("クビになりました", ["job-loss"]),
        ("解雇されました", ["job-loss"]),
        ("失職しました", ["job-loss"]),
        ("しごとを やめました", ["job-loss"]),
        ("ちちは にんちしょう に なりました", ["care"]),  # kana words of the care event (issue #14)
        ("かいしゃを くびに なりました", ["job-loss"]),
        ("先月定年退職しました", ["retirement"]),
        ("会社の健康保険に入っています", []),  # a fact, no event
        ("中央線で通勤しています", []),
    ],
)
def test_events(und: Understander, text: str, events: list[str]) -> None:
    assert und.parse(text, TODAY).events == events


# ---- places, their roles, the ends of a move ----------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "roles", "municipality", "move_from", "move_to"),
    [
        (
            "八王子市から杉並区へ引っ越します",
            [(HACHIOJI, "from"), (SUGINAMI, "to")],
            SUGINAMI,
            HACHIOJI,
            SUGINAMI,
        ),
        ("中野区内で引っ越しました", [(NAKANO, "within")], NAKANO, NAKANO, NAKANO),
        ("世田谷区に住んでいます", [(SETAGAYA, "here")], SETAGAYA, None, None),
        ("11月20日に世田谷区で子どもが生まれました", [(SETAGAYA, "here")], SETAGAYA, None, None),
        ("I live in Setagaya", [(SETAGAYA, "here")], SETAGAYA, None, None),
        ("setagaya-ku", [(SETAGAYA, "here")], SETAGAYA, None, None),
        ("Hachiōji", [(HACHIOJI, "here")], HACHIOJI, None, None),  # accents dropped
        ("練間区に住んでいます", [(NERIMA, "here")], NERIMA, None, None),  # one-character typo of 練馬区
        ("setagya", [(SETAGAYA, "here")], SETAGAYA, None, None),
        # Tokyo itself is no place outside Tokyo (京都 lies inside 東京都); "outside Tokyo" said as such is one
        ("東京都世田谷区で子どもが生まれました", [(SETAGAYA, "here")], SETAGAYA, None, None),
        ("東京都に引っ越しました", [], None, None, None),
        ("Outside Tokyo", [("outside", "here")], "outside", None, None),
        ("東京都の 外", [("outside", "here")], "outside", None, None),
        (
            "I moved from Osaka to Nerima on December 1",
            [("outside", "from"), (NERIMA, "to")],
            NERIMA,
            "outside",
            NERIMA,
        ),
        # 大阪市北区 is outside Tokyo (not Tokyo's 北区); 港区 is the destination
        (
            "大阪市北区から港区に引っ越します",
            [("outside", "from"), (MINATO, "to")],
            MINATO,
            "outside",
            MINATO,
        ),
        ("川崎市で生まれました", [("outside", "here")], "outside", None, None),
        ("日本を離れます", [], None, None, "abroad"),
        ("中央線で通勤しています", [], None, None, None),  # 中央 alone is no municipality
        ("ベトナム人です", [], None, None, None),  # a nationality, not a place
    ],
)
def test_places_and_roles(
    und: Understander,
    text: str,
    roles: list[tuple[str, str]],
    municipality: str | None,
    move_from: str | None,
    move_to: str | None,
) -> None:
    u = und.parse(text, TODAY)
    assert [(m.code, m.role) for m in u.mentions] == roles
    assert (u.municipality, u.move_from, u.move_to) == (municipality, move_from, move_to)
    assert [(m.code, m.role) for m in und.find_places(text)] == roles


@pytest.mark.parametrize(
    ("text", "places"),
    [
        ("大阪市北区から港区に引っ越します", {"from": "大阪府大阪市北区"}),
        ("川崎市で生まれました", {"here": "神奈川県川崎市"}),
        ("八王子市から杉並区へ引っ越します", {}),  # places in Tokyo are codes, not names
    ],
)
def test_places_outside_tokyo_are_named_by_role(und: Understander, text: str, places: dict[str, str]) -> None:
    u = und.parse(text, TODAY)
    assert u.places == places
    assert set(u.places) <= set(get_args(PlaceRole))


def test_role_literal_covers_every_role_found(und: Understander) -> None:
    texts = [
        "八王子市から杉並区へ引っ越します",
        "中野区内で引っ越しました",
        "世田谷区に住んでいます",
        "ベトナム人です",
        "品川区の会社に勤めています",
    ]
    found = {m.role for t in texts for m in und._place_hits(t)}
    assert found == set(get_args(Role))  # from, to, within, here, nationality, work: each one reached


# ---- facts ---------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "facts"),
    [
        ("夫が亡くなりました。国民健康保険に入っていました", {"insurance": "national"}),
        ("会社の健康保険に入っています", {"insurance": "employee"}),
        ("ひとり親です", {"single_parent": True}),
        ("子どもが2人います", {"children_count": 2}),
        ("マイナンバーカードを持っています", {"has_my_number_card": True}),
        ("マイナンバーカードは持っていません", {"has_my_number_card": False}),  # negated right after the word
        ("年金をもらっていません", {"received_pension": False}),
        ("75歳になりました", {"person_age": 75}),
        ("ベトナム人です", {"nationality": "foreign"}),
        ("I'm from India", {"nationality": "foreign"}),
        ("中野区内で引っ越しました", {"move_scope": "within"}),
        ("八王子市から杉並区へ引っ越します", {}),
        # facts given once in any of the languages (issue #14): counts in words, kana ages, negations, English
        ("子どもは ふたり います", {"children_count": 2}),
        ("こどもが 2人 います", {"children_count": 2}),
        ("子どもが二人います", {"children_count": 2}),
        (
            "We have two kids, aged 8 and 5",
            {"children_count": 2, "has_children": True, "youngest_child_age": 5},
        ),
        ("I have one child", {"children_count": 1}),
        ("3人の子どもがいます", {"children_count": 3, "has_children": True}),
        ("こどもは 3にん います", {"children_count": 3}),
        ("ひとり親ではありません", {"single_parent": False}),
        (
            "ひとり親です。子どもはひとりっ子です",
            {"single_parent": True},
        ),  # ひとり親 and ひとりっ子 are no count
        ("犬は飼っていません", {"has_dog": False}),
        ("We moved with our dog", {"has_dog": True}),
        ("はは 85さい", {"person_age": 85}),
        ("She is 85 and lives in Nerima", {"person_age": 85}),
        ("My father, 80, died on 2 December", {"person_age": 80}),
        ("My mother (82) needs care", {"person_age": 82}),
        ("He died on 12 December", {}),  # a day of the month is no age
        ("He received a pension", {"received_pension": True}),
        ("I'm Japanese", {"nationality": "japanese"}),
        ("私は会社員です", {"employment": "employee"}),
        ("I’m Japanese", {"nationality": "japanese"}),  # a phone's typographic apostrophe
        ("I'm 45", {"person_age": 45}),
        ("こどもは いません", {"has_children": False}),
        ("犬を1匹飼っています", {"has_dog": True}),
        # facts told in spaced kana (やさしい日本語)
        ("まいなんばーかーど は もって います", {"has_my_number_card": True}),
        ("ちちは せたいぬし でした", {"household_head": True}),
        ("ねんきんは もらって いませんでした", {"received_pension": False}),
        ("みょうじが かわります", {"changes_surname": True}),
        ("うんてんめんきょを もって います", {"drives": True}),
        ("かいしゃの けんこうほけん です", {"insurance": "employee"}),
        ("He was not the head of the household", {"household_head": False}),
    ],
)
def test_facts(und: Understander, text: str, facts: dict[str, Any]) -> None:
    assert und.parse(text, TODAY).facts == facts


# ---- intents, skip, new topic --------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "intents"),
    [
        ("出生届の期限はいつまでですか", {"deadline", "question"}),
        ("児童手当はいくらもらえますか", {"amount", "question"}),
        ("how much is the child allowance?", {"amount", "question"}),
        ("転出届には何が必要ですか", {"documents", "question"}),
        ("転入届はどこで出せますか", {"place", "question"}),
        ("転出届はいつから出せますか", {"opens", "question"}),
        ("マイナポータルで転出届を出せますか？", {"online", "question"}),
        ("in Setagaya, within 14 days?", {"claim", "question"}),  # a period stated as the rule
        ("八王子市から杉並区へ引っ越します", set()),
    ],
)
def test_intents(und: Understander, text: str, intents: set[str]) -> None:
    assert und.parse(text, TODAY).intents == intents


def test_intent_literal_names_every_intent() -> None:
    assert set(get_args(Intent)) == set(_INTENTS) | {"claim"}


@pytest.mark.parametrize(
    ("text", "skip", "new_topic"),
    [
        ("スキップ", True, False),
        ("わかりません", True, False),
        ("それと、結婚もしました", False, True),
        ("結婚しました", False, False),
    ],
)
def test_skip_and_new_topic(und: Understander, text: str, skip: bool, new_topic: bool) -> None:
    u = und.parse(text, TODAY)
    assert (u.skip, u.new_topic) == (skip, new_topic)


# ---- dates and language --------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "date", "approximate"),
    [
        ("11月20日に世田谷区で子どもが生まれました", dt.date(2026, 11, 20), False),
        ("来週の金曜に引っ越します", dt.date(2026, 12, 18), False),
        ("I moved from Osaka to Nerima on December 1", dt.date(2026, 12, 1), False),
        ("12月上旬に引っ越します", dt.date(2026, 12, 5), True),
        ("来月引っ越します", None, None),  # a month still to come: its day is asked (h-dates3)
        ("八王子市から杉並区へ引っ越します", None, None),
    ],
)
def test_dates(und: Understander, text: str, date: dt.date | None, approximate: bool | None) -> None:
    parsed = und.parse(text, TODAY).date
    got = (parsed.date, parsed.approximate) if parsed else (None, None)
    assert got == (date, approximate)


@pytest.mark.parametrize(
    ("text", "given", "lang"),
    [
        ("I live in Setagaya", None, "en"),
        ("世田谷区に住んでいます", None, "ja"),
        ("I live in Setagaya", "easy", "easy"),  # the language asked for wins over the detected one
    ],
)
def test_language(und: Understander, text: str, given: str | None, lang: str) -> None:
    assert und.parse(text, TODAY, given).lang == lang


# ---- answers to a pending question ---------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("fact", "text", "value"),
    [
        ("insurance", "国民健康保険です", "national"),
        ("insurance", "会社の保険", "employee"),
        ("insurance", "わからない", None),
        ("move_scope", "市内", "within"),
        ("has_dog", "はい", True),
        ("has_dog", "いいえ", False),
        ("single_parent", "うん", True),
        ("children_count", "2人です", 2),
        ("children_count", "ふたり", 2),  # kana answers (issue #14)
        ("insurance", "kokumin kenko hoken", "national"),  # romaji
        ("move_scope", "From abroad", "from_abroad"),  # the label itself, not the "abroad" inside it
        (
            "insurance",
            "家族の扶養（ふよう）に入っている",
            "dependent",
        ),  # an easy label sent back with readings
        ("insurance", "koki koreisha", "late_elderly"),
        ("children_count", "two", 2),
        ("has_children", "none", False),
        ("has_children", "いません", False),
        ("nationality", "Japanese", "japanese"),  # the English quick-reply label
        ("employment", "会社員です", "employee"),
        ("municipality", "世田谷区です", SETAGAYA),
        ("municipality", "大阪です", "outside"),
        ("no-such-fact", "はい", None),
    ],
)
def test_parse_answer(und: Understander, fact: str, text: str, value: object) -> None:
    assert und.parse_answer(fact, text, TODAY) == value


def test_a_date_answer(und: Understander) -> None:
    parsed = und.parse_answer("event_date", "12月1日", TODAY)
    assert parsed is not None and parsed.date == dt.date(2026, 12, 1)


def test_phrases_of_facts_and_procedures(und: Understander) -> None:
    assert und.fact_phrases("後期高齢者医療制度に入っています")[0] == "後期高齢者医療制度"
    assert und.procedure_phrases("出生届はどうしますか") == ["出生届"]
    assert und.procedure_phrases("birth registration deadline") == ["birth registration"]
    assert und.procedure_phrases("世田谷区に住んでいます") == []
