"""bot/dates.py: one table of date expressions, resolved against the request's ``today`` (issue #14)."""

from __future__ import annotations

import datetime as dt

import pytest

from bot.dates import parse_date, told_as_correction, told_as_past

MON = dt.date(2026, 12, 7)  # a Monday
D = dt.date

# (text, today, expected date, approximate)
CASES: list[tuple[str, dt.date, dt.date, bool]] = [
    # calendar dates: 西暦, eras, month/day without a year (the nearest such day), 去年の…
    ("2026年11月23日に長女が生まれました", MON, D(2026, 11, 23), False),
    ("令和8年11月20日に生まれました", MON, D(2026, 11, 20), False),
    ("令和元年5月1日", MON, D(2019, 5, 1), False),
    ("平成30年4月1日から住んでいます", MON, D(2018, 4, 1), False),
    ("R8.11.20", MON, D(2026, 11, 20), False),
    ("11月28日に生まれました", MON, D(2026, 11, 28), False),
    ("12月20日に生まれました", D(2027, 1, 5), D(2026, 12, 20), False),  # told in January: last year
    ("1月4日に引っ越す予定です", MON, D(2027, 1, 4), False),
    ("去年の12月20日に父が亡くなりました", MON, D(2025, 12, 20), False),
    ("12がつ5にちに うまれました", MON, D(2026, 12, 5), False),
    # relative days
    ("昨日亡くなりました", MON, D(2026, 12, 6), False),
    ("きのう うまれました", MON, D(2026, 12, 6), False),
    ("一昨日、母が亡くなりました", MON, D(2026, 12, 5), False),
    ("おととい うまれました", MON, D(2026, 12, 5), False),
    ("さきおととい生まれました", MON, D(2026, 12, 4), False),
    ("3日前に父が亡くなりました", MON, D(2026, 12, 4), False),
    ("三日前に生まれた", MON, D(2026, 12, 4), False),
    ("みっかまえに うまれました", MON, D(2026, 12, 4), False),
    ("10日ほど前に母が亡くなりました", MON, D(2026, 11, 27), True),
    ("1週間くらい前に引っ越しました", MON, D(2026, 11, 30), True),
    ("2しゅうかんまえに ひっこしました", MON, D(2026, 11, 23), True),
    ("半月前に退職しました", MON, D(2026, 11, 22), True),
    ("3日後に引っ越します", MON, D(2026, 12, 10), False),
    # months
    ("先月末に娘が生まれました", MON, D(2026, 11, 30), False),
    ("せんげつまつに ちちが なくなりました", MON, D(2026, 11, 30), False),
    ("今月初めに引っ越しました", MON, D(2026, 12, 1), True),
    ("先月の15日に生まれました", MON, D(2026, 11, 15), False),
    ("来月10日に引っ越します", MON, D(2027, 1, 10), False),
    ("先月下旬に退職しました", MON, D(2026, 11, 25), True),
    ("来月末に引っ越します", MON, D(2027, 1, 31), False),
    ("先月、父が亡くなりました", MON, D(2026, 11, 7), True),
    # weeks
    ("先週の金曜に父が亡くなりました", MON, D(2026, 12, 4), False),
    ("来週の月曜に引っ越します", MON, D(2026, 12, 14), False),
    ("先々週の水曜日に生まれました", MON, D(2026, 11, 25), False),
    ("せんしゅうの きんようびに うまれました", MON, D(2026, 12, 4), False),
    ("先週末に引っ越しました", MON, D(2026, 12, 5), True),
    ("この前の日曜日に生まれました", MON, D(2026, 12, 6), False),
    # the year end
    ("年末に引っ越します", MON, D(2026, 12, 31), True),
    ("年末に生まれました", D(2027, 1, 6), D(2026, 12, 31), True),
    ("昨年末に母が亡くなりました", MON, D(2025, 12, 31), True),
    ("大晦日に生まれました", D(2027, 1, 6), D(2026, 12, 31), False),
    # a day of the month alone: the nearest such day
    ("2日に生まれました", MON, D(2026, 12, 2), False),
    ("30日に亡くなりました", MON, D(2026, 11, 30), False),
    # more everyday words
    ("今朝、父が亡くなりました", MON, D(2026, 12, 7), False),
    ("昨夜、母が亡くなりました", MON, D(2026, 12, 6), False),
    ("いっさくじつ 生まれました", MON, D(2026, 12, 5), False),
    ("数日前に父が亡くなりました", MON, D(2026, 12, 4), True),
    ("2、3日前に生まれました", MON, D(2026, 12, 4), True),
    ("11月末に生まれました", MON, D(2026, 11, 30), False),
    ("11月の下旬に引っ越しました", MON, D(2026, 11, 25), True),
    ("1月の初めに引っ越します", MON, D(2027, 1, 1), True),
    ("令和八年十一月二十日に生まれました", MON, D(2026, 11, 20), False),
    ("十一月三十日に亡くなりました", MON, D(2026, 11, 30), False),
    ("二〇二六年十一月二十三日", MON, D(2026, 11, 23), False),
    # English
    ("My mother passed away last night", MON, D(2026, 12, 6), False),
    ("We moved at the end of November", MON, D(2026, 11, 30), True),
    ("Our son was born in mid-November", MON, D(2026, 11, 15), True),
    ("He died this past Sunday", MON, D(2026, 12, 6), False),
    ("She was born a few days ago", MON, D(2026, 12, 4), True),
    ("My father died last Friday", MON, D(2026, 12, 4), False),
    ("We move next Monday", MON, D(2026, 12, 14), False),
    ("My baby was born two weeks ago", MON, D(2026, 11, 23), True),
    ("She was born 2 days ago", MON, D(2026, 12, 5), False),
    ("He died about ten days ago", MON, D(2026, 11, 27), True),
    ("We moved on the 3rd", MON, D(2026, 12, 3), False),
    ("born on the 15th of last month", MON, D(2026, 11, 15), False),
    ("My baby was born on 1 December in Shibuya", MON, D(2026, 12, 1), False),
    ("born on November 28, 2026", MON, D(2026, 11, 28), False),
    ("We move at the end of next month", MON, D(2027, 1, 31), True),
    ("the day before yesterday", MON, D(2026, 12, 5), False),
    ("yesterday", MON, D(2026, 12, 6), False),
    # the second list of issue #14 (先々月, 週明け, eras and numeric forms, past events told with a later day)
    ("先々月の10日に生まれました", MON, D(2026, 10, 10), False),
    ("先週の月曜に父が亡くなりました", MON, D(2026, 11, 30), False),
    ("昨年の12月28日に生まれました", D(2027, 1, 8), D(2026, 12, 28), False),
    ("今月上旬に生まれました", D(2026, 12, 20), D(2026, 12, 5), True),
    ("来月頭に引っ越します", MON, D(2027, 1, 1), True),
    ("週明けに引っ越します", D(2026, 12, 9), D(2026, 12, 14), True),
    ("来週明けに引っ越します", MON, D(2026, 12, 14), True),
    ("2週間前に父が亡くなりました", MON, D(2026, 11, 23), True),
    ("My husband died on the 3rd of last month", MON, D(2026, 11, 3), False),
    ("令和8年11月30日", MON, D(2026, 11, 30), False),
    ("R8.11.30に生まれました", MON, D(2026, 11, 30), False),
    ("2026/11/30に亡くなりました", MON, D(2026, 11, 30), False),
    ("11/30に亡くなりました", MON, D(2026, 11, 30), False),
    # something that already happened cannot be on a day still ahead: last year's / last month's
    ("12月25日に子どもが生まれました", MON, D(2025, 12, 25), False),
    ("12月20日に亡くなった父の手続き", MON, D(2025, 12, 20), False),
    ("20日に生まれました", MON, D(2026, 11, 20), False),
    ("My wife gave birth on December 20.", MON, D(2025, 12, 20), False),
    ("We had a baby on the 20th", MON, D(2026, 11, 20), False),
    ("元日に生まれました", MON, D(2026, 1, 1), False),
    # a month without its day: from its 1st, approximate (the reply asks the day); 初旬, 年明け, weekends
    ("昨年の12月に生まれました", MON, D(2025, 12, 1), True),
    ("11月に父が亡くなりました", MON, D(2026, 11, 1), True),
    ("1月に引っ越します", MON, D(2027, 1, 1), True),
    ("2025年12月に生まれました", MON, D(2025, 12, 1), True),
    ("12月初旬に引っ越します", MON, D(2026, 12, 5), True),
    ("年明けに引っ越します", MON, D(2027, 1, 1), True),
    ("We moved last weekend", MON, D(2026, 12, 5), True),
    # ... but a day ahead told as still to come stays ahead, and a written year is kept
    ("元日に引っ越します", MON, D(2027, 1, 1), False),
    ("2027年1月に生まれました", MON, D(2027, 1, 1), True),
    ("12月25日に引っ越します", MON, D(2026, 12, 25), False),
    ("12月25日に生まれる予定です", MON, D(2026, 12, 25), False),
    ("We will move on December 20", MON, D(2026, 12, 20), False),
    ("born on December 20, 2026", MON, D(2026, 12, 20), False),
]


@pytest.mark.parametrize(("text", "today", "expected", "approximate"), CASES)
def test_expression(text: str, today: dt.date, expected: dt.date, approximate: bool) -> None:
    parsed = parse_date(text, today)
    assert parsed is not None, text
    assert (parsed.date, parsed.approximate) == (expected, approximate)


@pytest.mark.parametrize(
    "text",
    [
        "出生届は14日以内ですか",
        "30日以内でいいですよね",
        "子どもが2人います",
        "75歳です",
        "金曜日に窓口は開いていますか",
        "I have two children",
        "the 2nd child was born in Setagaya",
        "15日は窓口が開いていますか",  # a day of the month is an event date only when it is said to be one
        "10日までに出せばいいですか",
        "3か月に1回通院しています",
        "12月分の保険料はいくらですか",
    ],
)
def test_no_date(text: str) -> None:
    assert parse_date(text, MON) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # the first date mentioned wins, not the most exact kind of expression
        ("先月末に生まれました。今日出生届を出せますか", D(2026, 11, 30)),
        ("昨日、12月1日に生まれた子の届けを…", D(2026, 12, 6)),
        # at one place the longest expression wins: 「3日前」 is not the 3rd
        ("3日前に生まれました", D(2026, 12, 4)),
        ("2026年11月23日", D(2026, 11, 23)),
    ],
)
def test_first_mention_longest_expression(text: str, expected: dt.date) -> None:
    parsed = parse_date(text, MON)
    assert parsed is not None and parsed.date == expected


@pytest.mark.parametrize(
    ("text", "past"),
    [
        ("12月25日に子どもが生まれました", True),
        ("父が亡くなった", True),
        ("My father died on the 20th", True),
        ("12月25日に引っ越します", False),
        ("生まれる予定です", False),
        ("父が亡くなりました。来月引っ越します", False),  # something still to come: no shift
        ("We are moving on the 20th", False),
        # a plan told in the past tense is still to come: its month/day is not moved back a year
        ("1月15日に引っ越すことになりました", False),
        ("12月15日に会社を辞めることにしました", False),
        ("引っ越しの日が1月10日に決まりました", False),
        ("We decided to move on January 15", False),
    ],
)
def test_told_as_past(text: str, past: bool) -> None:
    assert told_as_past(text) is past


def test_a_plan_told_in_the_past_tense_keeps_its_coming_date() -> None:
    for text in ("1月15日に引っ越すことになりました", "12月15日に会社を辞めることになりました"):
        parsed = parse_date(text, MON, past=told_as_past(text))
        assert parsed is not None and parsed.date > MON, text


def test_past_hint_overrides_the_text() -> None:
    """A clause read alone (「12月25日に子どもが生まれ」) takes the tense of its sentence."""
    assert parse_date("12月25日に子どもが生まれ", MON, past=True).date == D(2025, 12, 25)  # type: ignore[union-attr]
    assert parse_date("12月25日に子どもが生まれ", MON, past=False).date == D(2026, 12, 25)  # type: ignore[union-attr]


@pytest.mark.parametrize(
    ("text", "today", "expected"),
    [
        # a vague month (or 先月/今月初め) made exact later in the same message: the exact day
        ("8月に父が亡くなりました。8月15日です。練馬区", MON, D(2026, 8, 15)),
        ("先月、杉並区で子どもが生まれました。11月18日です", MON, D(2026, 11, 18)),
        ("今月の初めに引っ越しました。12月2日です", MON, D(2026, 12, 2)),
        ("去年の12月に母が亡くなりました。12月20日です", MON, D(2025, 12, 20)),
        ("My father died last month in Ota, on November 25", MON, D(2026, 11, 25)),
        # a later day in another month stays another event's: the vague month stands
        ("8月に亡くなりました。9月3日に引っ越しました", MON, D(2026, 8, 1)),
        # a date put right in the same message: the one after the correction
        ("4月24日に父が亡くなる…いえ、4月19日に亡くなりました", D(2027, 4, 20), D(2027, 4, 19)),
        ("12月1日、じゃなくて12月2日に生まれました", MON, D(2026, 12, 2)),
        # two exact dates without a correction: the first
        ("4月1日に生まれ、4月19日に引っ越しました", D(2027, 4, 20), D(2027, 4, 1)),
    ],
)
def test_a_later_date_refines_or_corrects_the_first(text: str, today: dt.date, expected: dt.date) -> None:
    parsed = parse_date(text, today)
    assert parsed is not None and parsed.date == expected


@pytest.mark.parametrize(
    ("text", "corrects"),
    [
        ("いえ、12月3日でした", True),
        ("間違えました、11月27日です", True),
        ("訂正します。12月4日でした", True),
        ("すみません、12月1日でした", True),
        ("やっぱり12月27日になりました", True),
        ("sorry, it was December 2", True),
        ("12月3日です", False),
        ("12月20日に転出届を出せますか", False),
        ("いやすい", False),
    ],
)
def test_told_as_correction(text: str, corrects: bool) -> None:
    assert told_as_correction(text) is corrects


def test_a_rescheduled_plan_keeps_its_coming_date() -> None:
    """「やっぱり12月27日になりました」 about a move: the date became the 27th, still to come."""
    assert not told_as_past("やっぱり12月27日になりました")
    assert parse_date("やっぱり12月27日になりました", MON).date == D(2026, 12, 27)  # type: ignore[union-attr]
    assert parse_date("12月27日に亡くなりました", MON).date == D(2025, 12, 27)  # type: ignore[union-attr]
