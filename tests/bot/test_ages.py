"""Ages as residents say them (bot/ages.py and the understander's facts, issue #14): several children's ages in one
phrase, a birth year or birthday, 享年. Each row was a message the concierge did not read before."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from bot.ages import age_on, child_ages, said_ages
from bot.understand import Understander

TODAY = dt.date(2026, 12, 7)


@pytest.mark.parametrize(
    ("text", "ages"),
    [
        ("5歳と2歳と0歳の子がいます", [5, 2, 0]),
        ("子どもは3歳と7歳です", [3, 7]),
        ("8歳の息子と4歳の娘がいます", [8, 4]),
        ("こどもは 3さいと 7さいです", [3, 7]),
        ("わたしには子どもがいます。6さいと 1さいです。", [6, 1]),
        ("子どもは2人で、9歳と5歳です", [9, 5]),
        ("上の子は7歳、下の子は3歳です", [7, 3]),
        ("we have kids aged 3 and 7.", [3, 7]),
        ("i have 2 kids, 4 and 9.", [4, 9]),
        ("we have a 5-year-old and a 2-year-old.", [5, 2]),
        ("子供3人（10歳、7歳、2歳）がいます", [10, 7, 2]),
        ("息子が2人（5歳と3歳）います", [5, 3]),
        ("長男10歳、長女7歳です", [10, 7]),
        ("娘(3歳)と息子(1歳)がいます", [3, 1]),
        ("2歳の双子がいます", [2, 2]),
        ("i have 3 children: 10, 7 and 2.", [10, 7, 2]),
        # one age alone is not a list (the catalog's own patterns read it), nor is a parent's age
        ("娘は5歳です", []),
        ("母（82歳）の介護", []),
    ],
)
def test_child_ages(text: str, ages: list[int]) -> None:
    assert child_ages(text).ages == ages


@pytest.mark.parametrize(
    ("text", "ref", "said"),
    [
        ("昭和20年生まれの父", dt.date(2026, 12, 3), "80歳の父"),  # 1945: at least 80 (81 after the birthday)
        ("1948年生まれの母", dt.date(2026, 12, 3), "77歳の母"),
        ("大正15年生まれ", dt.date(2026, 12, 1), "99歳"),
        ("平成元年生まれです", TODAY, "36歳です"),
        ("しょうわ15ねん うまれです", TODAY, "85歳です"),
        ("母は1939年5月2日生まれで", dt.date(2026, 12, 3), "母は87歳で"),
        ("昭和25年3月10日生まれの父", TODAY, "76歳の父"),
        ("My father, born in 1950, died", dt.date(2026, 12, 3), "My father, aged 75, died"),
        ("born on 5 May 1939", dt.date(2026, 12, 3), "aged 87"),
        ("父は享年八十二でした", TODAY, "父は享年82歳でした"),
        ("82で亡くなりました", TODAY, "82歳で亡くなりました"),
        ("母は今年で90になります", TODAY, "母は今年で90歳になります"),
        # a baby's age in months is its age in years (0), not a period
        ("生後3か月の娘がいます", TODAY, "0歳の娘がいます"),
        ("娘は18か月です", TODAY, "娘は1歳です"),
        ("3か月前に引っ越しました", TODAY, "3か月前に引っ越しました"),
        # a birthday less than a year ago is the day of a birth, kept as a date
        ("2026年12月3日生まれの長女", TODAY, "2026年12月3日生まれの長女"),
    ],
)
def test_said_ages(text: str, ref: dt.date, said: str) -> None:
    assert said_ages(text, ref) == said


def test_age_on() -> None:
    assert age_on(dt.date(1950, 3, 10), TODAY) == 76
    assert age_on(dt.date(1950, 12, 8), TODAY) == 75
    assert age_on(1950, TODAY) == 75  # only the year: the least it can be


@pytest.mark.parametrize(
    ("text", "facts"),
    [
        (
            "5歳と2歳と0歳の子がいます。12月20日に世田谷区から杉並区に引っ越します",
            {"has_children": True, "children_count": 3, "youngest_child_age": 0},
        ),
        ("三歳と一歳の子どもがいます", {"has_children": True, "children_count": 2, "youngest_child_age": 1}),
        ("We have kids aged 3 and 7.", {"has_children": True, "children_count": 2, "youngest_child_age": 3}),
        ("子どもは7歳と3歳です", {"has_children": True, "children_count": 2, "youngest_child_age": 3}),
        # the deceased's children's ages are not the deceased's age
        ("夫が12月3日に亡くなりました。子どもは10歳と6歳です", {"children_count": 2, "person_age": None}),
        ("昭和20年生まれの父が12月3日に亡くなりました", {"person_age": 80}),
        ("父は享年八十二でした。12月3日に亡くなりました", {"person_age": 82}),
        ("昭和25年3月10日生まれの父の介護が必要です", {"person_age": 76, "event_date": None}),
        ("母は1939年5月2日生まれで、12月3日に亡くなりました", {"person_age": 87}),
        ("My father, born in 1950, died on 3 December in Nerima.", {"person_age": 75}),
    ],
)
def test_facts_from_ages(und: Understander, text: str, facts: dict[str, Any]) -> None:
    u = und.parse(text, TODAY)
    got = {**u.facts, "event_date": u.date.date if u.date else None}
    for k, v in facts.items():
        assert got.get(k) == v, (k, got)
