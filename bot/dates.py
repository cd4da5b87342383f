"""Dates in residents' words, resolved against the request's ``today``: one table of expressions.

Each rule of :data:`RULES` is a pattern and a resolver; :func:`parse_date` runs all of them over the normalised
text and keeps the date mentioned first (on a tie, the longest expression: 「3日前」 over 「3日」). Covered:
calendar dates (西暦, 令和/平成/昭和, month/day without a year -> the nearest such day, 去年の…/来年の…), relative
days (昨日, おととい, さきおととい, 3日前, 10日ほど前, 二週間前, みっかまえ), month and week words (先月末, 今月初め,
先月の15日, 下旬, 先週の金曜, 来週の月曜, 先週末), the year end (年末, 昨年末, 大晦日), a bare day of the month
(「2日に生まれました」, "on the 3rd" -> the nearest such day), kana spellings (きのう, せんげつ まつ) and English
("last Friday", "this past Monday", "two weeks ago", "in two weeks", "over the weekend", "the 15th of last month",
"end of next month"). Hedged words (ほど, くらい, about) and whole weeks or months give an ``approximate`` date the
reply asks to confirm; a month still to come named alone (「引っ越しは来月です」, "next month") and "earlier this
month" give none (the day is asked). tests/bot/test_dates_battery.py holds the wordings, one row each.

Example::

    >>> parse_date("令和8年11月20日に生まれました", dt.date(2026, 11, 26)).date
    datetime.date(2026, 11, 20)
    >>> parse_date("先週の金曜日", dt.date(2026, 11, 26)).date
    datetime.date(2026, 11, 20)
    >>> parse_date("先月の15日に生まれました", dt.date(2026, 12, 7)).date
    datetime.date(2026, 11, 15)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from collections.abc import Callable
from dataclasses import dataclass

from knowledge.deadlines import add_months as _add_months
from knowledge.deadlines import named_holiday
from knowledge.japanese import norm

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "r": 2018, "h": 1988, "s": 1925}
WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
EN_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
EN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
EN_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}
EN_NUM = {
    "a": 1, "an": 1, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "a couple of": 2, "a few": 3,
}  # fmt: skip
# days counted in kana (みっか = 3 days, also the 3rd of a month)
KANA_DAYS = {
    "ふつか": 2, "みっか": 3, "よっか": 4, "いつか": 5, "むいか": 6, "なのか": 7, "ようか": 8,
    "ここのか": 9, "とおか": 10, "はつか": 20,
}  # fmt: skip
# kana spellings of the relative words, read as their kanji (longest first)
KANA_WORDS = {
    "せんせんげつ": "先々月", "さらいげつ": "再来月", "せんげつ": "先月", "こんげつ": "今月", "らいげつ": "来月",
    "せんせんしゅう": "先々週", "さらいしゅう": "再来週", "せんしゅう": "先週", "こんしゅう": "今週",
    "らいしゅう": "来週", "きょねん": "去年", "さくねん": "昨年", "ことし": "今年", "らいねん": "来年",
    "ねんまつ": "年末", "おおみそか": "大晦日", "げつようび": "月曜日", "かようび": "火曜日",
    "すいようび": "水曜日", "もくようび": "木曜日", "きんようび": "金曜日", "どようび": "土曜日",
    "にちようび": "日曜日", "ほんじつ": "本日", "せんしゅうまつ": "先週末", "こんしゅうまつ": "今週末",
    "らいしゅうまつ": "来週末", "しゅうまつ": "週末", "いっしゅうかん": "1週間", "にしゅうかん": "2週間",
    "さんしゅうかん": "3週間", "いっかげつ": "1か月", "にかげつ": "2か月", "さんかげつ": "3か月", "はんとし": "半年",
    "はんつき": "半月", "いちがつ": "1月", "にがつ": "2月", "さんがつ": "3月", "しがつ": "4月", "ごがつ": "5月",
    "ろくがつ": "6月", "しちがつ": "7月", "はちがつ": "8月", "くがつ": "9月", "じゅうがつ": "10月",
    "じゅういちがつ": "11月", "じゅうにがつ": "12月", "れいわ": "令和", "へいせい": "平成", "しょうわ": "昭和",
    "がんねん": "元年", "げつまつ": "月末",
}  # fmt: skip
_KANA_WORDS = re.compile("|".join(sorted(KANA_WORDS, key=len, reverse=True)))
# English ordinal words for a day of the month ("December first", "the third of last month")
_ORDINAL_WORDS = [
    "first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth", "eleventh",
    "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth", "eighteenth", "nineteenth",
    "twentieth",
]  # fmt: skip
_ORDINALS = {w: i + 1 for i, w in enumerate(_ORDINAL_WORDS)}
_ORDINALS |= {f"twenty-{w}": 20 + n for w, n in list(_ORDINALS.items())[:9]} | {"thirtieth": 30}
_ORDINALS |= {"thirty-first": 31}
_KANA_UNITS = re.compile(r"(\d)\s*(ねん|がつ|にち|しゅうかん|かげつ)")
_UNIT_KANJI = {"ねん": "年", "がつ": "月", "にち": "日", "しゅうかん": "週間", "かげつ": "か月"}
# a day of the month from 10 to 31 in kana (じゅうごにち, にじゅうよっか, さんじゅういちにち)
_KANA_TENS = {"じゅう": 10, "にじゅう": 20, "さんじゅう": 30}
_KANA_ONES = {
    "いち": 1,
    "に": 2,
    "さん": 3,
    "よっ": 4,
    "ご": 5,
    "ろく": 6,
    "しち": 7,
    "なな": 7,
    "はち": 8,
    "く": 9,
    "きゅう": 9,
}
_KANA_DAY_NUMBER = re.compile(
    r"(にじゅう|さんじゅう|じゅう)(?:(いち|に|さん|ご|ろく|しち|なな|はち|きゅう|く)?にち|(よっ)か)"
)
# a kana day right after a month (「12月 いつか」 -> 「12月5日」)
_MONTH_KANA_DAY = re.compile(
    r"月\s*(の\s*)?(?:(ついたち|ふつか|みっか|よっか|いつか|むいか|なのか|ようか|ここのか|とおか|はつか)|(\d{1,2})\s*か)"
    r"(?![月げヶヵ]|\s*(?:まえ|前|あと|後|かん|間))"
)

MONTH_SHIFT = {"先々月": -2, "先月": -1, "前月": -1, "今月": 0, "当月": 0, "来月": 1, "翌月": 1, "再来月": 2}
WEEK_SHIFT = {"先々週": -14, "先週": -7, "前週": -7, "今週": 0, "来週": 7, "翌週": 7, "再来週": 14}
YEAR_SHIFT = {
    "おととし": -2,
    "一昨年": -2,
    "去年": -1,
    "昨年": -1,
    "前年": -1,
    "今年": 0,
    "本年": 0,
    "来年": 1,
}
EN_SHIFT = {"last": -1, "past": -1, "previous": -1, "this": 0, "next": 1, "coming": 1}

_N = r"(\d{1,3}|[一二三四五六七八九十]{1,3})"
_HEDGE = r"(ほど|くらい|ぐらい|位|ばかり|ちょっと|ちょうど|近く|あまり|余り|強|弱)?"
_MONTHS_JA = "|".join(sorted(MONTH_SHIFT, key=len, reverse=True))
_WEEKS_JA = "|".join(sorted(WEEK_SHIFT, key=len, reverse=True))
_YEARS_JA = "|".join(sorted(YEAR_SHIFT, key=len, reverse=True))
_EN_MONTH_WORDS = "|".join(sorted(EN_MONTHS, key=len, reverse=True))
_EN_NUM_WORDS = "|".join(sorted((re.escape(k) for k in EN_NUM), key=len, reverse=True))


JST = dt.timezone(dt.timedelta(hours=9), "JST")


def today_jst(now: dt.datetime | None = None) -> dt.date:
    """Today in Tokyo (a request without ``today`` is answered for the resident's day, not the server's zone:
    at 08:00 JST a UTC server is still on the day before, and a deadline due today would show as past)."""
    return (now or dt.datetime.now(dt.UTC)).astimezone(JST).date()


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    approximate: bool  # "先週", "来月": a stand-in day, the resident may want to give the exact one
    text: str  # the words it came from


Found = tuple[dt.date | None, bool]  # (the date, approximate)
Resolver = Callable[[re.Match[str], dt.date], Found]


# ---- arithmetic ----------------------------------------------------------------------------------------------
def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _nearest(cands: list[dt.date | None], today: dt.date) -> dt.date | None:
    """The candidate closest to today (on a tie, the past one: events are mostly told after they happen)."""
    real = [x for x in cands if x]
    return min(real, key=lambda x: (abs((x - today).days), x > today)) if real else None


def _nearest_year(m: int, d: int, today: dt.date) -> dt.date | None:
    """Month/day without a year: the occurrence closest to today (an event 11/20 told on 1/5 was last year)."""
    return _nearest([_safe(today.year + k, m, d) for k in (-1, 0, 1)], today)


def _nearest_day(d: int, today: dt.date) -> dt.date | None:
    """A day of the month alone ("2日に", "on the 3rd"): the nearest such day (this, last or next month)."""
    firsts = [_add_months(today.replace(day=1), k) for k in (-1, 0, 1)]
    return _nearest([_safe(f.year, f.month, d) for f in firsts], today)


def _month_first(today: dt.date, shift: int) -> dt.date:
    return _add_months(today.replace(day=1), shift)


def _month_last(first: dt.date) -> dt.date:
    return first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _week_day(today: dt.date, shift_days: int, weekday: int) -> dt.date:
    """``weekday`` of the week ``shift_days`` away (weeks start on Monday)."""
    return today - dt.timedelta(days=today.weekday()) + dt.timedelta(days=shift_days + weekday)


def _num(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s in EN_NUM:
        return EN_NUM[s]
    if "十" in s:
        a, _, b = s.partition("十")
        return KANJI_NUM.get(a, 1) * 10 + KANJI_NUM.get(b, 0)
    return KANJI_NUM.get(s, 0)


def _shift(today: dt.date, n: int, unit: str) -> dt.date:
    """``n`` (negative: before) days, weeks, half-months, months or years from today."""
    if unit in ("日", "day"):
        return today + dt.timedelta(days=n)
    if unit in ("週間", "週", "week"):
        return today + dt.timedelta(days=7 * n)
    if unit == "半月":
        return today + dt.timedelta(days=15 * n)
    if unit == "fortnight":
        return today + dt.timedelta(days=14 * n)
    if unit in ("年", "year"):
        return _add_months(today, 12 * n)
    return _add_months(today, n)


# ---- resolvers -----------------------------------------------------------------------------------------------
def _era(m: re.Match[str], today: dt.date) -> Found:
    y = 1 if m.group(2) == "元" else int(m.group(2))
    return _safe(ERAS[m.group(1)] + y, int(m.group(3)), int(m.group(4))), False


def _ymd(m: re.Match[str], today: dt.date) -> Found:
    return _safe(int(m.group(1)), int(m.group(2)), int(m.group(3))), False


def _year_word_md(m: re.Match[str], today: dt.date) -> Found:
    return _safe(today.year + YEAR_SHIFT[m.group(1)], int(m.group(2)), int(m.group(3))), False


def _md(m: re.Match[str], today: dt.date) -> Found:
    return _nearest_year(int(m.group(1)), int(m.group(2)), today), False


def _numeric_md(m: re.Match[str], today: dt.date) -> Found:
    """「11/30」「11.30」 (month first, as in Japan) or, when the first number cannot be a month, "30/11" (day
    first, as many residents from abroad write it): the nearest such day.
    In an English message, where both readings are dates ("3/12": 3 December or 12 March), the one nearer to
    today (writers from abroad put the day first as often as the month)."""
    a, b = int(m.group(1)), int(m.group(2))
    if a <= 12 and b <= 12 and not _CJK.search(m.string):
        return _nearest([_nearest_year(a, b, today), _nearest_year(b, a, today)], today), False
    return (_nearest_year(a, b, today) if a <= 12 else _nearest_year(b, a, today)), False


_CJK = re.compile(r"[\u3040-\u30ff\u4e00-\u9fff]")


def _numeric_dmy(m: re.Match[str], today: dt.date) -> Found:
    """A numeric date with its year: "30/11/2026" (day first) or "11/30/2026" (month first); when both read
    as a date ("1/12/2026": 1 December or 12 January), the one nearer to today."""
    a, b, y = int(m.group(1)), int(m.group(3)), int(m.group(4))  # group 2: the separator
    return _nearest([_safe(y, a, b), _safe(y, b, a)], today), False


def _month_word_day(m: re.Match[str], today: dt.date) -> Found:
    first = _month_first(today, MONTH_SHIFT[m.group(1)])
    return _safe(first.year, first.month, _num(m.group(2))), False


_EDGE_DAY = {
    "月初め": 1,
    "月はじめ": 1,
    "月初": 1,
    "月頭": 1,
    "月半ば": 15,
    "初め": 1,
    "はじめ": 1,
    "頭": 1,
    "上旬": 5,
    "初旬": 5,
    "中旬": 15,
    "中ごろ": 15,
    "中頃": 15,
    "下旬": 25,
    "なかごろ": 15,
    "半ば": 15,
}


def _month_edge(m: re.Match[str], today: dt.date) -> Found:
    return _edge_of(_month_first(today, MONTH_SHIFT[m.group(1)]), m.group(2))


def _edge_of(first: dt.date, edge: str) -> Found:
    """A day of the month ``first`` named by an edge word: 末/末日 (exactly the last day), 下旬, 初め …"""
    if edge in _EDGE_DAY:
        return first.replace(day=_EDGE_DAY[edge]), True
    return _month_last(first), edge not in (
        "末日",
        "末",
        "まつ",
        "月末",
        "月末日",
    ) and not _LAST_DAY.fullmatch(edge)


# the month's last day in words (「最後の日」「最終日」, kana 「さいごの ひ」): exactly the last day
_LAST_DAY_WORDS = r"最後の\s*日|最終日|さいご\s*の\s*(?:ひ(?!っ)|日)|さいしゅうび"
_LAST_DAY = re.compile(_LAST_DAY_WORDS)


def _prefix_year(m: re.Match[str], today: dt.date) -> int | None:
    """The year said before a month (groups 1-4 of :data:`_YEAR_PREFIX`): 去年の, 2025年, 令和7年; None: none."""
    if m.group(1):
        return today.year + YEAR_SHIFT[m.group(1)]
    if m.group(2):
        return int(m.group(2))
    if m.group(3):
        return ERAS[m.group(3)] + (1 if m.group(4) == "元" else int(m.group(4)))
    return None


def _named_month_edge(m: re.Match[str], today: dt.date) -> Found:
    """「11月末」「11月の下旬」: that month of the year said (「昨年11月末」「2025年11月末」) or of the nearest year."""
    month = int(m.group(5))
    year = _prefix_year(m, today)
    first = _safe(year, month, 1) if year else _nearest_year(month, 1, today)
    return _edge_of(first, m.group(6)) if first else (None, False)


_EN_EDGE = {
    "end": "末",
    "late": "下旬",
    "beginning": "初め",
    "early": "上旬",
    "mid": "中旬",
    "middle": "中旬",
}


def _en_named_month_edge(m: re.Match[str], today: dt.date) -> Found:
    first = _nearest_year(EN_MONTHS[m.group(2)], 1, today)
    if first is None:
        return None, False
    day, _ = _edge_of(first, _EN_EDGE[m.group(1)])
    return day, True


def _week_weekday(m: re.Match[str], today: dt.date) -> Found:
    return _week_day(today, WEEK_SHIFT[m.group(1)], WEEKDAYS[m.group(2)]), False


def _weekend(m: re.Match[str], today: dt.date) -> Found:
    return _week_day(today, WEEK_SHIFT[m.group(1)], 5), True


# a question about a weekday (「金曜日に窓口は開いていますか」, "Is the office open on Friday?") that tells no event
_QUESTION_END = re.compile(r"(?:か|\?|？)\s*$")
_EVENT_VERB = re.compile(
    r"亡く|なくな|生ま|うま|死|逝|引っ越|ひっこ|退職|結婚|離婚|\b(?:died|born|moved|passed|left)\b"
)
_SENTENCE_END = re.compile(r"[。.!?！？]")


def _sentence(m: re.Match[str]) -> str:
    """The sentence the words ``m`` found are in."""
    t = m.string
    start = max((e.end() for e in _SENTENCE_END.finditer(t, 0, m.start())), default=0)
    end = e.end() if (e := _SENTENCE_END.search(t, m.end())) else len(t)
    return t[start:end]


def _asked_about(m: re.Match[str]) -> bool:
    """The words ``m`` found are in a question that tells no event (a question about that day, not an event date)."""
    sentence = _sentence(m)
    return bool(_QUESTION_END.search(sentence.rstrip("。. "))) and not _EVENT_VERB.search(sentence)


def _bare_weekday(m: re.Match[str], today: dt.date) -> Found:
    """「金曜日に」, "on Friday" without a week word: the next such day after today (a plan); an event told as past
    takes the latest one up to today (see :func:`_before_today`). Not in a question about that day."""
    if _asked_about(m):
        return None, False
    wd = WEEKDAYS[m.group(1)] if m.group(1) in WEEKDAYS else EN_WEEKDAYS[m.group(1)]
    return today + dt.timedelta(days=(wd - today.weekday() - 1) % 7 + 1), False


def _weekday_before_last(m: re.Match[str], today: dt.date) -> Found:
    """The Friday before last ("the Friday before last"): a week before the latest Friday."""
    wd = EN_WEEKDAYS[m.group(1)]
    return today + dt.timedelta(days=(wd - today.weekday() - 1) % 7 + 1 - 14), False


def _en_weekday_of_week(m: re.Match[str], today: dt.date) -> Found:
    """A weekday of a named week ("Monday last week", "Friday of next week")."""
    return _week_day(today, 7 * EN_SHIFT[m.group(2)], EN_WEEKDAYS[m.group(1)]), False


def _recent_weekday(m: re.Match[str], today: dt.date) -> Found:
    """この前の日曜: the latest such day before today; 今度の/次の日曜: the next one after today."""
    wd = WEEKDAYS[m.group(2)]
    if m.group(1) in ("今度の", "次の"):
        return today + dt.timedelta(days=(wd - today.weekday() - 1) % 7 + 1), False
    return today - dt.timedelta(days=(today.weekday() - wd - 1) % 7 + 1), False


def _n_ago_ja(m: re.Match[str], today: dt.date) -> Found:
    n, unit = _num(m.group(1)), m.group(2)
    sign = -1 if m.group(4) in ("前", "まえ") else 1
    return _shift(today, sign * n, unit), bool(m.group(3)) or unit not in ("日",)


def _kana_days_ago(m: re.Match[str], today: dt.date) -> Found:
    sign = -1 if m.group(3) in ("前", "まえ") else 1
    return today + dt.timedelta(days=sign * KANA_DAYS[m.group(1)]), bool(m.group(2))


def _half_month(m: re.Match[str], today: dt.date) -> Found:
    return _shift(today, -1 if m.group(2) in ("前", "まえ") else 1, "半月"), True


def _half_year(m: re.Match[str], today: dt.date) -> Found:
    return _shift(today, -6 if m.group(2) in ("前", "まえ") else 6, "月"), True


def _fixed(days: int) -> Resolver:
    return lambda m, today: (today + dt.timedelta(days=days), False)


def _year_end(m: re.Match[str], today: dt.date) -> Found:
    """年末 (the nearest 31 December, approximate), 大晦日 (exactly), 昨年末 / 去年の年末 (last year's)."""
    word, exact = m.group(1) or m.group(3), m.group(2) == "大晦日"
    if word:
        return dt.date(today.year + YEAR_SHIFT[word], 12, 31), not exact
    return _nearest_year(12, 31, today), not exact


def _new_year(m: re.Match[str], today: dt.date) -> Found:
    """元日 (exactly the nearest 1 January); 年明け / 年始 (early January: that day, said to be approximate)."""
    return _nearest_year(1, 1, today), not m.group(1)


# A day told by its name (normalised text: katakana is hiragana): the national holidays, as the holiday calendar
# names them, and Christmas (Eve); 「体育の日」 is the old name of スポーツの日.
_HOLIDAY_WORDS: dict[str, str] = {
    "成人の日": r"成人の日|coming[- ]of[- ]age day",
    "建国記念の日": r"建国記念の?日|national foundation day",
    "天皇誕生日": r"天皇誕生日|emperor'?s birthday",
    "春分の日": r"春分の日|vernal equinox day",
    "昭和の日": r"昭和の日|showa day",
    "憲法記念日": r"憲法記念日|constitution (?:memorial )?day",
    "みどりの日": r"みどりの日|greenery day",
    "こどもの日": r"(?:こども|子ども|子供)の日|children'?s day",
    "海の日": r"海の日|marine day",
    "山の日": r"山の日|mountain day",
    "敬老の日": r"敬老の日|respect[- ]for[- ](?:the[- ])?aged day",
    "秋分の日": r"秋分の日|autumnal equinox day",
    "スポーツの日": r"すぽーつの日|体育の日|sports day",
    "文化の日": r"文化の日|culture day",
    "勤労感謝の日": r"勤労感謝の日|labou?r thanksgiving day",
}
_FIXED_NAMED_DAYS = {
    "くりすますいぶ": (12, 24),
    "christmas eve": (12, 24),
    "くりすます": (12, 25),
    "christmas": (12, 25),
}
_HOLIDAY_RE = "|".join(f"(?P<h{i}>{p})" for i, p in enumerate(_HOLIDAY_WORDS.values()))
_NAMED_DAY = re.compile(
    rf"{_HOLIDAY_RE}|(?P<fixed>くりすますいぶ|くりすます|christmas eve|christmas)(?:\s*day)?"
)


def _named_day_in(m: re.Match[str], year: int) -> dt.date | None:
    """The day a holiday's (or Christmas's) name stands for in ``year``."""
    if m.group("fixed"):
        return _safe(year, *_FIXED_NAMED_DAYS[m.group("fixed")])
    index = next(i for i in range(len(_HOLIDAY_WORDS)) if m.group(f"h{i}"))
    return named_holiday(list(_HOLIDAY_WORDS)[index], year)


def _named_day(m: re.Match[str], today: dt.date) -> Found:
    """「敬老の日に」, 「クリスマスイブに」, "on Culture Day": that day in the year nearest today (exact)."""
    return _nearest([_named_day_in(m, today.year + k) for k in (-1, 0, 1)], today), False


def _month_only(m: re.Match[str], today: dt.date) -> Found:
    """「11月に」 (the nearest such month), 「昨年の12月に」: a month without its day, from its 1st (the earliest
    deadline it can give) and said to be approximate."""
    month = int(m.group(5))
    if year := _prefix_year(m, today):
        return _safe(year, month, 1), True
    return _nearest_year(month, 1, today), True


def _en_weekend(m: re.Match[str], today: dt.date) -> Found:
    return _week_day(today, 7 * EN_SHIFT[m.group(1)], 5), True


def _week_start(m: re.Match[str], today: dt.date) -> Found:
    """週明け / 来週明け: the Monday of the coming week (a stand-in day: the resident may mean Tuesday)."""
    return _week_day(today, 7, 0), True


def _loose_week(m: re.Match[str], today: dt.date) -> Found:
    return today + dt.timedelta(days=WEEK_SHIFT[m.group(1)]), True


def _loose_month(m: re.Match[str], today: dt.date) -> Found:
    """先月 alone: the same day last month, a stand-in said to be approximate; 来月 alone (「引っ越しは来月です」) gives no
    date: any day of that month could be meant, so the day is asked rather than deadlines shown from a guess."""
    shift = MONTH_SHIFT[m.group(1)]
    return (None if shift > 0 else _add_months(today, shift)), True


def _day_only(m: re.Match[str], today: dt.date) -> Found:
    word = m.group(2)
    day = int(m.group(1)) if m.group(1) else KANA_DAYS.get(word, 1)  # ついたち: the 1st
    return _nearest_day(day, today), False


# English
def _en_dmy(m: re.Match[str], today: dt.date) -> Found:
    mon, day = EN_MONTHS[m.group(2)], int(m.group(1))
    return (_safe(int(m.group(3)), mon, day) if m.group(3) else _nearest_year(mon, day, today)), False


def _en_mdy(m: re.Match[str], today: dt.date) -> Found:
    mon, day = EN_MONTHS[m.group(1)], int(m.group(2))
    return (_safe(int(m.group(3)), mon, day) if m.group(3) else _nearest_year(mon, day, today)), False


def _en_week_day(m: re.Match[str], today: dt.date) -> Found:
    return _week_day(today, 7 * EN_SHIFT[m.group(1)], EN_WEEKDAYS[m.group(2)]), False


def _en_n_ago(m: re.Match[str], today: dt.date) -> Found:
    n, unit = _num(m.group(2)), m.group(3)
    sign = -1 if m.group(4) in ("ago", "before") else 1
    hedged = bool(m.group(1)) or m.group(2) == "a few"
    return _shift(today, sign * n, unit), hedged or unit != "day"


def _en_this_month_edge(m: re.Match[str], today: dt.date) -> Found:
    """ "the end of the month", "the beginning of the month": this month's."""
    return _en_edge(m.group(1), 0, today)


def _en_month_edge(m: re.Match[str], today: dt.date) -> Found:
    return _en_edge(m.group(1), EN_SHIFT[m.group(2)], today)


def _en_edge(edge: str, shift: int, today: dt.date) -> Found:
    first = _month_first(today, shift)
    if edge in ("beginning", "start", "first day"):
        return first, edge != "first day"
    return _month_last(first), edge != "last day"


def _en_shifted_month_edge(m: re.Match[str], today: dt.date) -> Found:
    """ "early this month", "late last month", "mid next month" (approximate, like 上旬/下旬/中旬)."""
    day, _ = _edge_of(_month_first(today, EN_SHIFT[m.group(2)]), _EN_EDGE[m.group(1)])
    return day, True


def _nth_weekday(m: re.Match[str], today: dt.date) -> Found:
    """「11月の第2日曜日」, 「11月最後の日曜日」: that weekday of the month (the nearest such month)."""
    first = _nearest_year(int(m.group(1)), 1, today)
    if first is None:
        return None, False
    wd = WEEKDAYS[m.group(4)]
    if m.group(3):  # 最後 / 最終
        last = _month_last(first)
        return last - dt.timedelta(days=(last.weekday() - wd) % 7), False
    day = first + dt.timedelta(days=(wd - first.weekday()) % 7 + 7 * (int(m.group(2)) - 1))
    return (day if day.month == first.month else None), False


def _en_month_day(m: re.Match[str], today: dt.date) -> Found:
    first = _month_first(today, EN_SHIFT[m.group(2)])
    return _safe(first.year, first.month, int(m.group(1))), False


def _en_day_only(m: re.Match[str], today: dt.date) -> Found:
    return _nearest_day(int(m.group(1)), today), False


def _en_loose(m: re.Match[str], today: dt.date) -> Found:
    """ "last week" / "next week": a week away; "last month": the same day last month (approximate); "next month"
    alone gives no date (see :func:`_loose_month`)."""
    shift = EN_SHIFT[m.group(1)]
    if m.group(2) == "week":
        return today + dt.timedelta(days=7 * shift), True
    return (None if shift > 0 else _add_months(today, shift)), True


def _en_year_end(m: re.Match[str], today: dt.date) -> Found:
    return _nearest_year(12, 31, today), "eve" not in m.group(0)


def _latest_weekday(m: re.Match[str], today: dt.date) -> Found:
    """ "this past Monday": the latest such day before today."""
    wd = EN_WEEKDAYS[m.group(1)]
    return today - dt.timedelta(days=(today.weekday() - wd - 1) % 7 + 1), False


def _the_weekend(m: re.Match[str], today: dt.date) -> Found:
    """ "over the weekend", 「週末に」: the Saturday of this week (approximate); told as past, the latest weekend's
    (see :func:`_before_today`), planned when already gone, the next one (:func:`_after_today`). Not in a
    question about the weekend (「週末に出せますか」)."""
    return (None, False) if _asked_about(m) else (_week_day(today, 0, 5), True)


# words of a filing period ("file in 14 days", "the deadline is in 14 days"): "in N days" there is no date
_FILING = re.compile(r"\b(?:file|filed|filing|submit|register|apply|notify|report|claim|deadline|within)\b")


def _in_n(m: re.Match[str], today: dt.date) -> Found:
    """ "in two weeks", "in 3 days", "in a month": that long from today (a week or more: approximate); not in a
    question or words about a filing period ("Do I have to file in 14 days?")."""
    sentence = _sentence(m)
    if _QUESTION_END.search(sentence.rstrip("。. ")) or _FILING.search(sentence):
        return None, False
    unit = m.group(2)
    return _shift(today, _num(m.group(1)), unit), unit != "day"


def _bare_month_edge(m: re.Match[str], today: dt.date) -> Found:
    """「月末に」「月初めに」 without a month word: this month's (told as past and still ahead: last month's, see
    :func:`_before_today`; planned and already gone: next month's, :func:`_after_today`). Not in a question that
    tells no event (「月末までに出せばいいですか」)."""
    return (None, False) if _asked_about(m) else _edge_of(today.replace(day=1), m.group(0).strip())


def _compound_ago(m: re.Match[str], today: dt.date) -> Found:
    """「1週間と2日前」「1か月と10日後」: both spans from today."""
    sign = -1 if m.group(4) in ("前", "まえ") else 1
    day = _shift(_shift(today, sign * _num(m.group(1)), m.group(2)), sign * _num(m.group(3)), "日")
    return day, True


def _no_date(m: re.Match[str], today: dt.date) -> Found:
    """Words that name a time without a day ("earlier this month"): no date, and none read from inside them."""
    return None, False


# ---- the table -----------------------------------------------------------------------------------------------
_AGO = r"(前|まえ|後|あと|ご(?=に|\s|、|,|。|です|$))"
# a year said before a month: 去年の / 2025年 / 令和7年 (groups 1-4, see _prefix_year)
_YEAR_PREFIX = rf"(?:({_YEARS_JA})の?\s*|(\d{{4}})\s*年\s*|(令和|平成|昭和)\s*(\d{{1,2}}|元)\s*年\s*)?"
# what may follow a day given alone (「25日に」「25日です」「25日の夜」), so that 「25日間」「25日分」 are not dates
_DAY_TAIL = r"(?=\s*(?:に(?!\s*[\d一二三四五六七八九十何]+\s*(?:回|度|錠|粒|包|杯|時間|件|本|枚|個))|ごろ|頃|の日|の(?:朝|夜|夕方|午前|午後|深夜|明け方)|です(?!か|よ|ね|っけ)|でした|だった|、|,|。|\(|生|亡|死|引|$))"
_NOT_PERIOD = (
    r"(?!\s*(?:以内|いない|間|かん|以上|目|め|分|ぶん|経|たって|から数え|ほど|くらい|ぐらい|前|まえ|後|あと))"
)
RULES: list[tuple[re.Pattern[str], Resolver]] = [
    (re.compile(r"(令和|平成|昭和|[rhs])\s*(\d{1,2}|元)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?"), _era),
    (re.compile(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"), _ymd),
    (re.compile(rf"({_YEARS_JA})の?\s*(\d{{1,2}})\s*月\s*(\d{{1,2}})\s*日"), _year_word_md),
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*(\d{1,2})\s*日"), _md),
    (re.compile(r"(?<![\d/.\-])(\d{1,2})\s*([/.\-])\s*(\d{1,2})\s*\2\s*(\d{4})(?!\d|[/.\-]\d)"), _numeric_dmy),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])"), _numeric_md),
    (re.compile(rf"(?<![\d.\-])(\d{{1,2}})[.\-](\d{{1,2}})(?![\d.\-]){_DAY_TAIL}"), _numeric_md),
    (re.compile(rf"({_MONTHS_JA})の?\s*{_N}\s*日{_NOT_PERIOD}"), _month_word_day),
    (re.compile(rf"({_MONTHS_JA})の?\s*({_LAST_DAY_WORDS}|月末日|月末|月初め|月はじめ|月初|月頭|月半ば|末日|末|まつ|すえ|終わり|おわり|初め|はじめ|頭|上旬|初旬|中旬|下旬|半ば|なかごろ|中ごろ|中頃)"), _month_edge),
    (re.compile(rf"({_WEEKS_JA})の?\s*([月火水木金土日])\s*曜"), _week_weekday),
    (re.compile(rf"({_WEEKS_JA})の?(?:末|土日|週末)"), _weekend),
    (re.compile(r"来週(?:明け|あけ)|週明け|しゅうあけ"), _week_start),
    (re.compile(r"(この前の|このまえの|こないだの|この間の|このあいだの|前の|今度の|次の)\s*([月火水木金土日])\s*曜"), _recent_weekday),
    (re.compile(r"(?<!\d)(\d{1,2})\s*月\s*の?\s*(?:第\s*(\d)|(最後|最終)の?)\s*([月火水木金土日])\s*曜"), _nth_weekday),
    (re.compile(r"(?<![週の毎第\d])([月火水木金土日])\s*曜(?:日)?(?=\s*(?:に|の|です|でした|だ|、|,|。|生|亡|死|引|$))"), _bare_weekday),
    (re.compile(rf"{_N}\s*(日|週間|週|か月|かげつ|ヶ月|ゖ月|ケ月|ヵ月|ゕ月|年){_HEDGE}\s*{_AGO}"), _n_ago_ja),
    (re.compile(rf"(ひと月|ひとつき)\s*{_HEDGE}\s*{_AGO}"), lambda m, t: (_shift(t, -1 if m.group(3) in ("前", "まえ") else 1, "月"), True)),
    (re.compile(rf"({'|'.join(KANA_DAYS)}){_HEDGE}\s*{_AGO}"), _kana_days_ago),
    (re.compile(rf"半月{_HEDGE}\s*{_AGO}"), _half_month),
    (re.compile(rf"半年{_HEDGE}\s*{_AGO}"), _half_year),
    (re.compile(r"さきおととい|一昨昨日"), _fixed(-3)),
    (re.compile(r"一昨日|おととい|おとつい|いっさくじつ|day before yesterday"), _fixed(-2)),
    (re.compile(r"昨日|きのう|さくじつ|昨夜|昨晩|ゆうべ|(?<![ぁ-ん])さく(?:や|ばん)|yesterday|last night"), _fixed(-1)),
    (re.compile(r"明後日|あさって|day after tomorrow"), _fixed(2)),
    (re.compile(r"明日|あした|あす|tomorrow"), _fixed(1)),
    (re.compile(r"今日|きょう|本日|今朝|(?<![ぁ-ん])けさ|先ほど|さっき|たった今|today|this morning|earlier today"), _fixed(0)),
    (re.compile(rf"(数|すう|2\s*[、,・~〜-]\s*3|二\s*[、,・~〜-]?\s*三)\s*日{_HEDGE}\s*(前|まえ)"), lambda m, t: (t - dt.timedelta(days=3), True)),
    (re.compile(rf"{_YEAR_PREFIX}(?<!\d)(\d{{1,2}})\s*月\s*の?\s*({_LAST_DAY_WORDS}|末日|末|終わり|おわり|初め|はじめ|頭|上旬|初旬|中旬|下旬|半ば|中ごろ|中頃)"), _named_month_edge),
    (re.compile(rf"\b(end|late|beginning|early|mid|middle)[- ]?(?:of\s+)?({_EN_MONTH_WORDS})\b"), _en_named_month_edge),
    (re.compile(rf"(?:({_YEARS_JA})の?)?(年末|年の瀬|年の暮れ|としのくれ|としのせ|大晦日)|({_YEARS_JA})(末|の\s*(?:暮れ|くれ))"), _year_end),
    (re.compile(r"(元日|元旦|new year'?s day)|年明け|としあけ|年始|(?:お)?正月|おしょうがつ"), _new_year),
    (_NAMED_DAY, _named_day),
    (re.compile(rf"{_YEAR_PREFIX}(?<![\d/.\-])(\d{{1,2}})\s*月\s*(?=に|ごろ|頃|中に|の(?:こと|時|とき))"), _month_only),
    (re.compile(r"\b(last|this|next|past)\s+weekend\b"), _en_weekend),
    (re.compile(rf"({_WEEKS_JA})"), _loose_week),
    (re.compile(rf"({_MONTHS_JA})"), _loose_month),
    (re.compile(rf"(?<![\d月後第毎])(?:(\d{{1,2}})\s*日|(ついたち|{'|'.join(KANA_DAYS)})(?:にち)?){_NOT_PERIOD}{_DAY_TAIL}"), _day_only),
    (re.compile(rf"(?:\bthe\s+)?(\d{{1,2}})(?:st|nd|rd|th)?\s+(?:of\s+)?({_EN_MONTH_WORDS})\.?(?:,?\s+(\d{{4}}))?\b"), _en_dmy),
    (re.compile(rf"\b({_EN_MONTH_WORDS})\.?\s+(\d{{1,2}})(?:st|nd|rd|th)?(?:,?\s+(\d{{4}}))?\b"), _en_mdy),
    (re.compile(r"\b(last|this|next|previous|coming)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"), _en_week_day),
    (re.compile(r"(?<![先今来翌前当々毎\d月])(?:月初め|月はじめ|月初|月頭|月末日|月末|月半ば)"), _bare_month_edge),
    (re.compile(rf"{_N}\s*(週間|か月|ヶ月|ヵ月|年)\s*と\s*{_N}\s*日\s*{_AGO}"), _compound_ago),
    (re.compile(r"\bpast\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)"), _latest_weekday),
    (re.compile(r"\b(?:over|on|at|during)\s+the\s+weekend\b|(?<![先今来々週])(?:週末|土日)(?=\s*(?:に|の間|のあいだ|中に|、|,))"), _the_weekend),
    (re.compile(rf"\bin\s+(\d{{1,3}}|{_EN_NUM_WORDS})\s+(day|week|fortnight|month|year)s?\b(?:'?\s*time)?"), _in_n),
    (re.compile(r"\b(?:earlier|later|sometime|some time)\s+(?:this|last|next)\s+(?:week|month|year)\b"), _no_date),
    (re.compile(rf"\b(about|around|roughly|some|almost|nearly|over)?\s*\b(\d{{1,3}}|{_EN_NUM_WORDS})\s+(day|week|fortnight|month|year)s?\s+(ago|before|later|from now|from today)"), _en_n_ago),
    (re.compile(r"(?:\bon\s+)?\b(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+(?:of\s+)?(last|this|next|previous)\s+week\b"), _en_weekday_of_week),
    (re.compile(r"(?:\bon\s+)?\b(?:the\s+)?(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\s+before\s+last\b"), _weekday_before_last),
    (re.compile(rf"(?:\bon\s+|^\s*|\b(?:died|born|moved|away|left|arrived|birth)\s+)(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b(?!,?\s*(?:the\s+)?\d|,?\s*(?:{_EN_MONTH_WORDS})\b)"), _bare_weekday),
    (re.compile(r"(?:the\s+)?(end|beginning|start|last day|first day)\s+of\s+(last|this|next)\s+month"), _en_month_edge),
    (re.compile(r"(?:the\s+)?(end|beginning|start|last day|first day)\s+of\s+(?:the)\s+month"), _en_this_month_edge),
    (re.compile(r"\b(early|mid|late)[- ]?(?:in\s+)?(last|this|next)\s+month\b"), _en_shifted_month_edge),
    (re.compile(r"\b(middle)\s+of\s+(last|this|next)\s+month\b"), _en_shifted_month_edge),
    (re.compile(r"(?:the\s+)?(\d{1,2})(?:st|nd|rd|th)\s+of\s+(last|this|next|previous)\s+month"), _en_month_day),
    (re.compile(r"\bthe\s+(\d{1,2})(?:st|nd|rd|th)\b(?!\s+(?:child|baby|son|daughter|kid|time|floor|grade))"), _en_day_only),
    (re.compile(r"\b(last|this|next|past)\s+(week|month)\b"), _en_loose),
    (re.compile(r"new year'?s eve|(?:the\s+)?end of (?:the|this) year|year[- ]end"), _en_year_end),
]  # fmt: skip


_ORDINAL_DAY = re.compile(
    rf"\b(on the |(?:{_EN_MONTH_WORDS})\.? )?({'|'.join(sorted(_ORDINALS, key=len, reverse=True))})\b"
    rf"( of\b| (?:{_EN_MONTH_WORDS})\b)?"
)
_KANJI_DIGITS = "〇一二三四五六七八九"
_KANJI_NUMBER = re.compile(r"[〇一二三四五六七八九十]+(?=\s*(?:年|月|日|週|か月|ヶ月|ゖ月))")


def _kanji_number(s: str) -> str:
    """「二十三」 -> 「23」, 「二〇二六」 -> 「2026」, 「十一」 -> 「11」."""
    if "十" not in s:
        return "".join(str(_KANJI_DIGITS.index(c)) for c in s)
    tens, _, ones = s.partition("十")
    return str((_KANJI_DIGITS.index(tens) if tens else 1) * 10 + (_KANJI_DIGITS.index(ones) if ones else 0))


def _kana_day_number(m: re.Match[str]) -> str:
    """「じゅうごにち」 -> 「15日」, 「にじゅうよっか」 -> 「24日」."""
    return f"{_KANA_TENS[m.group(1)] + _KANA_ONES.get(m.group(2) or m.group(3) or '', 0)}日"


def _normalise(text: str) -> str:
    """NFKC, lower case, hiragana; 「12がつ5にち」 -> 「12月5日」, 「せんげつ」 -> 「先月」, 「十一月二十日」 -> 「11月20日」."""
    t = _KANA_UNITS.sub(lambda m: m.group(1) + _UNIT_KANJI[m.group(2)], norm(text))
    t = _KANJI_NUMBER.sub(
        lambda m: _kanji_number(m.group(0)) if m.group(0).count("十") <= 1 else m.group(0), t
    )
    t = _KANA_DAY_NUMBER.sub(_kana_day_number, t)
    t = _KANA_WORDS.sub(lambda m: KANA_WORDS[m.group(0)], t)
    t = _MONTH_KANA_DAY.sub(_month_kana_day, t)
    t = _ORDINAL_DAY.sub(_ordinal_day, t)
    return t.replace("this past", "past").replace("the past", "last").replace("the previous", "last")


def _month_kana_day(m: re.Match[str]) -> str:
    """「12月 いつか」 -> 「12月5日」, 「来月の とおか」 -> 「来月の10日」, 「来月の 10か」 -> 「来月の10日」."""
    day = int(m.group(3)) if m.group(3) else KANA_DAYS.get(m.group(2), 1)  # ついたち: the 1st
    return f"月{m.group(1) or ''}{day}日"


def _ordinal_day(m: re.Match[str]) -> str:
    """ "december first" -> "december 1st", "the third of last month" -> "the 3rd of last month"; an ordinal with no
    month or "of" next to it ("the first thing") stays a word."""
    if not (m.group(1) or m.group(3)):
        return m.group(0)
    n = _ORDINALS[m.group(2)]
    suffix = (
        "st"
        if n % 10 == 1 and n != 11
        else "nd"
        if n % 10 == 2 and n != 12
        else "rd"
        if n % 10 == 3 and n != 13
        else "th"
    )
    return f"{m.group(1) or ''}{n}{suffix}{m.group(3) or ''}"


# Something told as already done (生まれました, 亡くなった, "was born", "died") and nothing told as still to come
_PAST = re.compile(
    r"ました|でした|(?<![ま])した(?![いら])|[っん]だ(?!ら|ろ)|った(?!ら)|だった"
    r"|\b(died|passed away|was born|were born|gave birth|had (a|our|my) (baby|son|daughter)|moved|lost)\b"
    r"|\b(arrived|came|returned|got (married|divorced)|married|divorced|quit|retired|left|entered|registered)\b"
)
# (引っ越すことになりました, 辞めることにしました, 日が決まりました, 27日になりました: a plan told in the past tense is
# still to come)
_FUTURE = re.compile(
    # (住んでいます, 入っています: a state now, not a plan)
    r"(?<![てで]い)ます(?!た)|予定|よてい|つもり|こと[にと](なり|なっ|し)|決ま[りっ]|きま[りっ]"
    r"|日\s*[にへ]\s*(なり|なっ|変更|変わ|かわ|延び|のび|ずれ)"
    r"|\b(will|going to|plan|planning|are moving|am moving|decided to|have to|due to)\b"
    # contracted and other present-progressive futures: "we're moving on the 20th", "I'm retiring", "we'll move"
    r"|\b(we|i|they|you|he|she)['’]ll\b"
    r"|\b(we['’]re|i['’]m|they['’]re|he['’]s|she['’]s|is|are|am)\s+(moving|relocating|leaving|retiring)\b"
)


# A date the resident puts right (「いえ、12月3日でした」, 「間違えました、27日です」, "sorry, it was December 2")
_CORRECTION = re.compile(
    r"(^|[\s、,。.…])(いえ|いいえ|いや)(?!す)|違[いうっ]|ちが[いうっ]|間違|まちが|訂正|ていせい|正しくは|ただしくは"
    r"|じゃなく|ではなく|でなく|やっぱり|やはり|すみません|すいません|ごめん"
    r"|\b(sorry|actually|correction|i mean|i meant|not .{1,20} but)\b"
)


# the words that put right a date said earlier in the same message
_STRONG_CORRECTION = re.compile(
    r"(^|[\s、,。.…])(いえ|いいえ|いや)(?!す)|違[いうっ]|ちが[いうっ]|間違|まちが|訂正|ていせい|正しくは|ただしくは"
    r"|じゃなく|ではなく|\b(sorry|actually|correction|i mean|i meant)\b"
)


def told_as_correction(text: str) -> bool:
    """The message puts a date right (its date replaces the one given before)."""
    return bool(_CORRECTION.search(norm(text)))


def told_as_past(text: str) -> bool:
    """The message tells of something that already happened (and of nothing still to come)."""
    t = norm(text)
    return bool(_PAST.search(t)) and not _FUTURE.search(t)


def told_as_future(text: str) -> bool:
    """The message tells of something still to come (and of nothing that already happened)."""
    t = norm(text)
    return bool(_FUTURE.search(t)) and not _PAST.search(t)


# Where one clause of a message ends: a sentence end, 「、」 or 「が、」「けど」, and English ", and" / " and " / "but"
_CLAUSE_END = re.compile(r"[。．！？!?;\n、]|\.(?:\s|$)|が、|けど|けれど|,?\s+(?:and|but)\s+")


def _clause_tense(t: str, start: int, end: int) -> bool | None:
    """The tense of the clause of ``t`` around ``t[start:end]`` (「11月15日に帰国して…まだしていません」, "I arrived
    on November 30 and will join …": each date in the tense of its own clause), None when that clause has none."""
    left = max((m.end() for m in _CLAUSE_END.finditer(t, 0, start)), default=0)
    right = _CLAUSE_END.search(t, end)
    return tense(t[left : right.start() if right else len(t)])


def tense(text: str) -> bool | None:
    """True: told as past; False: told as still to come; None: the message does not say (「25日です」)."""
    return True if told_as_past(text) else False if told_as_future(text) else None


def _year_said(m: re.Match[str], resolve: Resolver, day: dt.date) -> bool:
    """The words ``m`` found give their year (「去年の11月」「2025年11月末」 "1 July 2027")."""
    return bool(
        (resolve in (_month_only, _named_month_edge) and _prefix_year(m, day))
        or (resolve in (_en_dmy, _en_mdy) and m.group(3))
    )


_YEARLY = (_md, _numeric_md, _new_year, _month_only, _named_month_edge, _en_dmy, _en_mdy)


def _before_today(m: re.Match[str], resolve: Resolver, day: dt.date) -> dt.date:
    """A month/day or a day alone that already happened: the occurrence before ``day`` (last year's 12月25日
    told on 12月7日 of a birth; last month's 20th)."""
    if _year_said(m, resolve, day):
        return day
    if resolve in (_bare_weekday, _the_weekend):
        return day - dt.timedelta(days=7)
    if resolve is _named_day:
        return _named_day_in(m, day.year - 1) or day
    if resolve in (_bare_month_edge, _en_this_month_edge):
        return _same_edge(day, -1)
    if resolve in _YEARLY:
        return _safe(day.year - 1, day.month, day.day) or day
    for back in (1, 2):
        first = _add_months(day.replace(day=1), -back)
        if earlier := _safe(first.year, first.month, day.day):
            return earlier
    return day


_NEAREST_RESOLVERS: tuple[Resolver, ...] = (
    _md,
    _numeric_md,
    _bare_weekday,
    _the_weekend,
    _bare_month_edge,
    _en_this_month_edge,
    _en_dmy,
    _en_mdy,
    _day_only,
    _en_day_only,
    _month_only,
    _named_month_edge,
    _new_year,
    _named_day,
)


def _after_today(m: re.Match[str], resolve: Resolver, day: dt.date, today: dt.date, said: bool) -> dt.date:
    """A day of the month alone that is still to come (「25日に引っ越します」 told on 12月26日): next month's; a
    month/day without its year in a month already gone, when the text itself (``said``) tells it as still to
    come (「7月1日に引っ越す予定です」 told in December): next year's (one in this month stays: 「12月上旬に引っ越し
    ます」 told on 12月7日; an answer read in the tense of the events asked about keeps the nearest).
    A named day still to come (「敬老の日に引っ越します」 told in December): next year's."""
    if resolve is _named_day:
        return _named_day_in(m, day.year + 1) or day
    if said and resolve in _YEARLY and not _year_said(m, resolve, day) and day < today.replace(day=1):
        return _safe(day.year + 1, day.month, day.day) or day
    if resolve in (_day_only, _en_day_only):
        first = _add_months(day.replace(day=1), 1)
        return _safe(first.year, first.month, day.day) or day
    if resolve is _the_weekend:
        return day + dt.timedelta(days=7)
    if resolve in (_bare_month_edge, _en_this_month_edge):
        return _same_edge(day, 1)
    return day


def _same_edge(day: dt.date, shift: int) -> dt.date:
    """The same edge of the month ``shift`` months away (a month's last day: that month's last day)."""
    first = _month_first(day, shift)
    return _month_last(first) if day == _month_last(day) else _safe(first.year, first.month, day.day) or first


# A day counted from a date said (「12月5日の翌日」「…の前日」「…の3日後」, "the day after December 5", "two days before
# the 3rd"): the offset applies to the date it names
_JA_OFFSET = re.compile(
    r"\s*の\s*(翌日|よくじつ|次の日|つぎの\s*ひ|前日|ぜんじつ|前の日|まえの\s*ひ|(\d+)\s*日(後|ご|前|まえ))"
    r"(?!\s*(から|まで|以内|いない))"  # 「12月20日の14日前から出せますか」: a window, the date stays the move's
)
_EN_OFFSET = re.compile(
    r"\b(the day|(\d+|one|two|three|four|five|six|seven) days?)\s+(after|before)\s+(the\s+)?$"
)
_EN_COUNT = {"one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7}


def _offset_days(t: str, start: int, end: int) -> int:
    """Days to add to the date ``t[start:end]`` names when the words around it count from it (0: none)."""
    if ja := _JA_OFFSET.match(t, end):
        word = ja.group(1)
        if ja.group(2):
            n = int(ja.group(2))
            return n if ja.group(3) in ("後", "ご") else -n
        return -1 if word[0] in "前ぜま" else 1
    if en := _EN_OFFSET.search(t, max(0, start - 30), start):
        n = 1 if en.group(1) == "the day" else _EN_COUNT.get(en.group(2)) or int(en.group(2))
        return n if en.group(3) == "after" else -n
    return 0


def _found(
    t: str,
    today: dt.date,
    told_past: bool,
    told_future: bool,
    said_future: bool = False,
    by_clause: bool = False,
) -> list[tuple[int, int, ParsedDate]]:
    """Every date the normalised text mentions, as (start, -length, date), the past-told ones moved back and a
    day alone told as still to come moved ahead (``by_clause``: in the tense of the date's own clause when it has
    one). Words that resolve to no date (「先月の30日」 in February, "earlier this month", 来月 alone) leave none of
    their parts read on their own (not 先月, 30日 or "this month")."""
    found: list[tuple[int, int, ParsedDate]] = []
    dead: list[tuple[int, int]] = []
    for pattern, resolve in RULES:
        for m in pattern.finditer(t):
            day, approximate = resolve(m, today)
            past, future, said = told_past, told_future, said_future
            if by_clause and (own := _clause_tense(t, *m.span())) is not None:
                past, future, said = own, not own, not own
            if day is not None and day > today and past and resolve in _NEAREST_RESOLVERS:
                day = _before_today(m, resolve, day)
            elif day is not None and day < today and future:
                day = _after_today(m, resolve, day, today, said)
            if day is not None and not approximate and (shift := _offset_days(t, *m.span())):
                day += dt.timedelta(days=shift)
            if day is None:
                dead.append(m.span())
                continue
            found.append(
                (m.start(), -len(m.group(0).strip()), ParsedDate(day, approximate, m.group(0).strip()))
            )
    return [f for f in found if not any(s <= f[0] and f[0] - f[1] <= e for s, e in dead)]


def _refined(
    t: str, first: tuple[int, int, ParsedDate], found: list[tuple[int, int, ParsedDate]]
) -> ParsedDate:
    """The first date, put right by an exact one said after a correction (「4月24日に…いえ、4月19日に亡くなりました」)
    or, when vague, made exact by a later one in the same month (「8月に父が亡くなりました。8月15日です」,
    「先月、子どもが生まれました。11月18日です」: the 15th, the 18th)."""
    end = first[0] - first[1]
    later = [f for f in sorted(found) if f[0] >= end and not f[2].approximate]
    fix = _STRONG_CORRECTION.search(t, end)
    if fix and (after := [f[2] for f in later if f[0] >= fix.end()]):
        return after[0]
    vague = first[2]
    if not vague.approximate:
        return vague
    same = [f[2] for f in later if (f[2].date.year, f[2].date.month) == (vague.date.year, vague.date.month)]
    return same[0] if same else vague


# The day one learned of the event (戸籍法86条: a death notice counts from it): 「…と12月3日に知りました」,
# "I found out on 3 December that …"
_LEARNED_JA = re.compile(
    r"(知った|知りました|知らされ|しった|しりました|連絡が(?:あ|来|き)|連絡を(?:受け|もら)|知らせを(?:受け|もら)"
    r"|聞きました|聞いた|きいた|ききました|判明|わかりました|分かりました)"
)
_LEARNED_EN = re.compile(
    r"\b(found out|find out|learned|learnt|was told|were told|was informed|were informed|heard|got the news"
    r"|was notified|were notified)\b"
)
# where the words about the learning begin (JA, before the verb) or end (EN, after it)
_LEARNED_FROM = re.compile(r".*(?:と|って|のを|ことを|の(?:は|が)|[、,。.])", re.S)
_LEARNED_TO = re.compile(r"(?:\bthat\b|[,;.!?]|$)")
_LEARNED_IS = re.compile(r"の(?:は|が)")  # 「知ったのは12月3日です」


@dataclass(frozen=True)
class Learned:
    date: ParsedDate  # the day one learned of the event (or of the funeral: :func:`funeral_date`)
    rest: str  # the text without those words (the event's own date is read from it)


# the funeral (葬祭費 counts from the day after it); the wake (通夜) is not the funeral
_FUNERAL = re.compile(r"葬儀|葬式|告別式|そうしき|そうぎ|\bfuneral\b")
_DEATH_VERB = re.compile(r"亡く|なくな|死|逝去|他界|\b(?:died|passed away|death)\b")
_CLAUSE_END = re.compile(r"[、,。.;!?！？]|\band\b|\bthen\b")


def funeral_date(text: str, today: dt.date) -> Learned | None:
    """The funeral's day when a clause of its own gives it (「父が11月20日に亡くなり、葬儀は11月25日でした」, "the
    funeral was on 25 November"); a clause that also tells the death gives no funeral date."""
    t = norm(text)
    for m in _FUNERAL.finditer(t):
        starts = [e.end() for e in _CLAUSE_END.finditer(t, 0, m.start())]
        start = starts[-1] if starts else 0
        end = e.start() if (e := _CLAUSE_END.search(t, m.end())) else len(t)
        if _DEATH_VERB.search(t, start, end):
            continue
        if day := parse_date(t[start:end], today):  # in the clause's own tense: a funeral may be ahead
            return Learned(day, t[:start] + " " + t[end:])
    return None


def learned_date(text: str, today: dt.date) -> Learned | None:
    """The day the resident says they learned of the event (「父が11月20日に亡くなったと、12月3日に知りました」,
    "I found out on December 3 that my father had died"), or None when no date goes with the learning."""
    t = norm(text)
    if m := _LEARNED_JA.search(t):
        head = _LEARNED_FROM.match(t, 0, m.start())
        start = head.end() if head else 0
        span = (start, m.end())
        if _LEARNED_IS.match(t, m.end()):  # 「それを知ったのは12月3日です」: the day follows the verb
            end = _CLAUSE_END.search(t, m.end())
            span = (start, end.start() if end else len(t))
    elif m := _LEARNED_EN.search(t):
        tail = _LEARNED_TO.search(t, m.end())
        span = (m.start(), tail.start() if tail else len(t))
    else:
        return None
    day = parse_date(t[span[0] : span[1]], today, past=True)
    if day is None:
        return None
    return Learned(day, t[: span[0]] + " " + t[span[1] :])


def parse_date(
    text: str, today: dt.date, *, past: bool | None = None, future: bool | None = None
) -> ParsedDate | None:
    """The date the text mentions first (the longest expression at that place), or None; it gives way to an
    exact date said after a correction, and a vague one to an exact one later in its month (see :func:`_refined`).

    A date read as the nearest occurrence (「12月25日」, "on the 20th") that lies ahead is taken from before today
    when the event is told as past (``past``; None: read from ``text`` itself, see :func:`told_as_past`); a day of
    the month alone already gone is taken from next month when the event is still to come (``future``; None:
    read from ``text``, see :func:`told_as_future`), and a month/day in a month already gone from next year when
    the text itself tells it as still to come (「7月1日に引っ越す予定です」 told in December). A later turn without a tense of its own (「25日です」)
    passes the tense the event was told in.
    """
    told_past = past if past is not None else told_as_past(text)
    told_future = not told_past and (future if future is not None else told_as_future(text))
    t = _normalise(text)
    found = _found(
        t, today, told_past, told_future, told_future and future is None, past is None and future is None
    )
    if not found:
        return None
    return _refined(t, min(found, key=lambda f: f[:2]), found)
