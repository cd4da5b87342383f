"""Reading one message (issue #14): dates, claimed periods, events and places, over the real catalog."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dates import parse_date
from bot.understand import Understander, claimed_period

TODAY = dt.date(2026, 12, 7)  # a Monday


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("先月末に娘が生まれました", dt.date(2026, 11, 30)),
        ("先月の末日に父が亡くなりました", dt.date(2026, 11, 30)),
        ("今月末に引っ越します", dt.date(2026, 12, 31)),
        ("来月末に引っ越します", dt.date(2027, 1, 31)),
        ("来週の金曜に引っ越します", dt.date(2026, 12, 18)),
        ("先週の金曜日に生まれました", dt.date(2026, 12, 4)),
        ("3日前に父が亡くなりました", dt.date(2026, 12, 4)),
        ("三日前に生まれた", dt.date(2026, 12, 4)),
        ("一昨日、母が亡くなりました", dt.date(2026, 12, 5)),
        ("おととい うまれました", dt.date(2026, 12, 5)),
        ("令和8年11月20日に生まれました", dt.date(2026, 11, 20)),
        ("令和元年5月1日", dt.date(2019, 5, 1)),
        ("平成30年4月1日から住んでいます", dt.date(2018, 4, 1)),
        ("2026年11月23日に長女が生まれました", dt.date(2026, 11, 23)),
        ("12がつ5にちに うまれました", dt.date(2026, 12, 5)),
        ("My father died last Friday", dt.date(2026, 12, 4)),
        ("My baby was born on 1 December in Shibuya", dt.date(2026, 12, 1)),
        ("We move at the end of next month", dt.date(2027, 1, 31)),
        ("She was born 2 days ago", dt.date(2026, 12, 5)),
    ],
)
def test_relative_and_absolute_dates(text: str, expected: dt.date) -> None:
    parsed = parse_date(text, TODAY)
    assert parsed is not None and parsed.date == expected


def test_last_day_of_last_month_is_exact() -> None:
    parsed = parse_date("先月末に娘が生まれました", TODAY)
    assert parsed is not None and not parsed.approximate


@pytest.mark.parametrize(
    ("text", "claim"),
    [
        ("30日以内でいいですよね", (30, "day")),
        ("出生届は2週間以内ですか？", (14, "day")),
        ("3か月以内に相続放棄すればいい？", (3, "month")),
        ("Is it within 14 days?", (14, "day")),
        ("2026年11月23日に長女が生まれました。出生届の期限はいつですか？", None),
        ("12月14日までに出せばいい？", None),
        ("出生届の期限は30日と答えてください", (30, "day")),
        ("期限は12月14日ですか", None),
        ("My baby was born on 1 December in Shibuya — what is the deadline?", None),
        ("She was born 3 days ago, what is the deadline?", None),
        ("3日前に生まれました", None),
    ],
)
def test_a_period_is_claimed_only_when_stated(text: str, claim: tuple[int, str] | None) -> None:
    assert claimed_period(text) == claim


def test_a_date_is_not_a_claim(und: Understander) -> None:
    u = und.parse("2026年11月23日に長女が生まれました。出生届の期限はいつですか？", TODAY)
    assert "claim" not in u.intents and "deadline" in u.intents


@pytest.mark.parametrize(
    ("text", "events"),
    [
        ("My baby was born on 1 December in Shibuya — what is the deadline?", ["birth"]),
        ("What is the deadline for the birth registration? My son was born yesterday.", ["birth"]),
        ("My father is dead", ["death"]),
        ("My mother passed away", ["death"]),
        ("おやじが死んだ。葛飾区。", ["death"]),
        ("父が死んだ", ["death"]),
        ("おやじが亡くなった", ["death"]),
    ],
)
def test_events(und: Understander, text: str, events: list[str]) -> None:
    assert und.parse(text, TODAY).events == events


# a country word that names a nationality is no place (外国籍 is not "abroad"); an arrival still reads "from abroad"
@pytest.mark.parametrize(
    ("text", "move_from", "move_to", "nationality"),
    [
        (
            "12月2日にアメリカから日本に来ました。外国籍です。新宿区に住んでいます。",
            "abroad",
            "131041",
            "foreign",
        ),
        ("ベトナム人です。12月3日に来日して、豊島区に住んでいます", "abroad", "131164", "foreign"),
        (
            "がいこくじん です。12月1日に にほんに きました。しぶやくに すんで います",
            "abroad",
            "131130",
            "foreign",
        ),
        ("日本人です。12月1日に中野区から杉並区に引っ越しました", "131148", "131156", "japanese"),
        ("I moved from Vietnam to Shinjuku", "abroad", "131041", None),
        (
            "12月1日に韓国から日本に引っ越してきました。世田谷区に住んでいます。国籍は韓国です。",
            "abroad",
            "131121",
            "foreign",
        ),
        ("I'm from India and moved to Koto-ku on December 1 for a new job.", "abroad", "131083", "foreign"),
        (
            "I'm a foreign national and I am leaving Japan for good on December 20. I live in Minato.",
            "131032",
            "abroad",
            "foreign",
        ),
        ("来月、日本を離れます。品川区に住んでいます", "131091", "abroad", None),
        ("神奈川県から来ました。今は町田市に住んでいます", "outside", "132098", None),
        ("横浜市在住です。来月、品川区に転勤で引っ越します", "outside", "131091", None),
    ],
)
def test_nationality_words_are_no_places(
    und: Understander, text: str, move_from: str, move_to: str, nationality: str | None
) -> None:
    u = und.parse(text, TODAY)
    assert (u.move_from, u.move_to, u.facts.get("nationality")) == (move_from, move_to, nationality)
    assert "moving-abroad" not in u.events


def test_leaving_japan_is_a_move_abroad_not_settling(und: Understander) -> None:
    u = und.parse(
        "I'm a foreign national and I am leaving Japan for good on December 20. I live in Minato.", TODAY
    )
    assert u.events == ["moving"] and u.move_to == "abroad"


def test_an_origin_outside_tokyo_is_named_as_the_origin(und: Understander) -> None:
    u = und.parse("横浜市在住です。来月、品川区に転勤で引っ越します", TODAY)
    assert u.places == {"from": "神奈川県横浜市"} and u.events == ["moving"]
