"""Ages as residents say them: a birth year or birthday (「昭和20年生まれの父」, "born in 1950"), 享年 (the age at
death, 「享年八十二」) and several children's ages in one phrase (「5歳と2歳と0歳の子」, "kids aged 3 and 7",
「8歳の息子と4歳の娘」). Pure functions over normalised text (``knowledge.japanese.norm``: NFKC, lower case,
katakana as hiragana); the understander reads the facts from what they return.

Example::

    >>> said_ages("昭和20年生まれの父が亡くなりました", dt.date(2026, 12, 3))
    '80歳の父が亡くなりました'
    >>> child_ages("5歳と2歳と0歳の子がいます").ages
    [5, 2, 0]
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from bot.dates import ERAS

# the first year of each era, less one (令和1年 = 2019); 大正 and 明治 are only birth years of the very old
_ERA_BASE = {**{k: v for k, v in ERAS.items() if len(k) > 1}, "大正": 1911, "明治": 1867}
_ERA_KANA = {"れいわ": "令和", "へいせい": "平成", "しょうわ": "昭和", "たいしょう": "大正", "めいじ": "明治"}
_ERA = "|".join([*_ERA_BASE, *_ERA_KANA])
_YEAR = rf"(?:(?P<era>{_ERA})\s*(?P<eyear>\d{{1,2}}|元)|(?P<year>(?:18|19|20)\d\d))\s*(?:年|ねん)"
_DAY = r"(?:\s*(?P<month>\d{1,2})\s*(?:月|がつ)\s*(?P<day>\d{1,2})\s*(?:日|にち))?"
# 「昭和20年生まれ」「1939年5月2日生まれ」「しょうわ15ねん うまれ」 (生 alone: 「昭和20年生」)
_BORN_JA = re.compile(rf"{_YEAR}{_DAY}\s*(?:生まれ|うまれ|生(?![活き]))")
_MONTHS = (
    "january|february|march|april|may|june|july|august|september|october|november|december|"
    "jan|feb|mar|apr|jun|jul|aug|sep|sept|oct|nov|dec"
)
# "born in 1950", "born on 5 May 1939", "born May 5, 1939"
_BORN_EN = re.compile(
    rf"(?i)\bborn (?:in |on )?(?:(?P<d1>\d{{1,2}})(?:st|nd|rd|th)? (?P<m1>{_MONTHS}),? |(?P<m2>{_MONTHS}) "
    rf"(?P<d2>\d{{1,2}})(?:st|nd|rd|th)?,? )?(?P<year>(?:18|19|20)\d\d)\b"
)
_MONTH_NO = {name: i + 1 for i, name in enumerate(_MONTHS.split("|")[:12])} | {
    "jan": 1, "feb": 2, "mar": 3, "apr": 4, "jun": 6, "jul": 7, "aug": 8, "sep": 9, "sept": 9, "oct": 10,
    "nov": 11, "dec": 12,
}  # fmt: skip
_KANJI_DIGITS = "〇一二三四五六七八九十百"
# 享年 (the age at death), with or without 歳: 「享年82」「享年八十二」「きょうねん 82さい」
_KYONEN = re.compile(rf"(享年|きょうねん)\s*(?P<n>\d{{1,3}}|[{_KANJI_DIGITS}]+)\s*(?:歳|才|さい)?")
# 「今年で90になります」: an age reached this year, said without 歳
_TURNS = re.compile(
    r"(?P<lead>今年で|ことしで|もうすぐ|来月で|らいげつで)\s*(?P<n>\d{2,3})\s*(?:歳|才|さい)?\s*(?=に|と)"
)
# a baby's age in months is 0 (or more) years: 「生後3か月の娘」「3か月の息子」「娘は3か月です」 (not 「3か月前」)
_MONTH_UNIT = r"(?:か月|ヶ月|カ月|ケ月|かげつ|箇月)"
_BABY = r"(?:子ども|子供|こども|子|娘|むすめ|息子|むすこ|長男|長女|次男|次女|赤ちゃん|あかちゃん|赤ん坊)"
_MONTHS_OLD = re.compile(
    rf"生後\s*(?P<a>\d{{1,2}})\s*{_MONTH_UNIT}|(?P<b>\d{{1,2}})\s*{_MONTH_UNIT}(?=\s*の\s*{_BABY})"
    rf"|(?P<lead>{_BABY}\s*(?:は|が)\s*)(?P<c>\d{{1,2}})\s*{_MONTH_UNIT}(?!\s*(?:前|まえ|後|ご|以内|たつ|経|間))"
)
# 「82で亡くなりました」: an age said with で before the death
_AT_DEATH = re.compile(r"(?<![\d年月日])(?P<n>\d{2,3})\s*(?:で|にて)\s*(?=亡くな|なくな|死|他界|逝)")


def _era_year(era: str, n: str) -> int:
    era = _ERA_KANA.get(era, era)
    return _ERA_BASE[era] + (1 if n == "元" else int(n))


def age_on(born: dt.date | int, ref: dt.date) -> int:
    """The age on ``ref`` of someone born on ``born``; with only the year, the age reached before that year's
    birthday (the least it can be: 1945 -> 80 on 2026-12-03, though 81 once the birthday has passed)."""
    if isinstance(born, int):
        return ref.year - born - 1
    return ref.year - born.year - ((ref.month, ref.day) < (born.month, born.day))


def _born(year: int, month: str | None, day: str | None) -> dt.date | int:
    if month and day:
        try:
            return dt.date(year, int(month), int(day))
        except ValueError:
            return year
    return year


def _kanji_number(word: str) -> int:
    """「八十二」 -> 82, 「百」 -> 100 (the digits of knowledge/japanese counting, up to 999)."""
    if word.isdigit():
        return int(word)
    total, digit = 0, 0
    for ch in word:
        if ch in ("十", "百"):
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = _KANJI_DIGITS.index(ch)
    return total + digit


def said_ages(t: str, ref: dt.date) -> str:
    """``t`` (normalised) with each birth year or birthday at least a year before ``ref`` said as the age on
    ``ref`` (「昭和20年生まれの父」 -> 「80歳の父」, "born in 1950" -> "aged 75"), 享年 as an age in digits
    (「享年八十二」 -> 「享年82歳」) and 「82で亡くなりました」 as 「82歳で亡くなりました」. A birthday less than a
    year ago stays a date (「12月3日生まれの長女」 is the day of a birth)."""

    def ja(m: re.Match[str]) -> str:
        year = _era_year(m["era"], m["eyear"]) if m["era"] else int(m["year"])
        age = age_on(_born(year, m["month"], m["day"]), ref)
        return f"{age}歳" if age >= 1 else m.group()

    def en(m: re.Match[str]) -> str:
        month = (m["m1"] or m["m2"] or "").lower()
        born = _born(int(m["year"]), str(_MONTH_NO[month]) if month else None, m["d1"] or m["d2"])
        age = age_on(born, ref)
        return f"aged {age}" if age >= 1 else m.group()

    t = _BORN_EN.sub(en, _BORN_JA.sub(ja, t))
    t = _KYONEN.sub(lambda m: f"享年{_kanji_number(m['n'])}歳", t)
    t = _TURNS.sub(lambda m: f"{m['lead']}{m['n']}歳", t)
    t = _MONTHS_OLD.sub(lambda m: f"{m['lead'] or ''}{int(m['a'] or m['b'] or m['c']) // 12}歳", t)
    return _AT_DEATH.sub(lambda m: f"{m['n']}歳で", t)


# ---- several children's ages --------------------------------------------------------------------------------
_AGE = r"(\d{1,2})\s*(?:歳|才|さい)"
_CHILD = (
    r"(?:子ども|子供|こども|子|こ|息子|むすこ|娘|むすめ|長男|長女|次男|次女|三男|三女|男の子|女の子|おとこのこ|"
    r"おんなのこ|孫|まご)"
)
_AND = r"\s*(?:と|、|,|・|や)\s*"
# 「5歳と2歳と0歳の子」「3歳と7歳の子ども」
_AGES_OF_CHILDREN = re.compile(rf"{_AGE}(?:{_AND}{_AGE})+\s*の\s*{_CHILD}")
# 「子どもは3歳と7歳です」「子どもは2人で、9歳と5歳です」「こどもは 3さいと 7さい」
_CHILDREN_ARE = re.compile(
    rf"(?:子ども|子供|こども|(?<![息様弟猫])子)(?:たち)?\s*(?:は|が)\s*(?:\d+\s*(?:人|にん)\s*(?:で|いて)?\s*[、,]?\s*)?"
    rf"({_AGE}(?:{_AND}{_AGE})+)"
)
# 「8歳の息子と4歳の娘」 (each child with its own age), 「上の子は7歳、下の子は3歳」「長男10歳、長女7歳」
# 「娘(3歳)と息子(1歳)」
_ONE_CHILD = re.compile(
    rf"{_AGE}\s*の\s*{_CHILD}|(?:上の子|下の子|真ん中の子|うえのこ|したのこ|長男|長女|次男|次女|三男|三女|息子|"
    rf"むすこ|娘|むすめ)\s*(?:は|が)?\s*[(（]?\s*{_AGE}"
)
_LIST = rf"{_AGE}(?:{_AND}{_AGE})+"
# 「子供3人（10歳、7歳、2歳）」「息子が2人（5歳と3歳）」「二人の子ども（6歳と3歳）」: ages in brackets after the children
_CHILDREN_BRACKETED = re.compile(rf"{_CHILD}[^。.!?！？(（]{{0,8}}[(（]\s*({_LIST})\s*[)）]")
# 「2歳の双子」: two children of one age
_TWINS = re.compile(rf"{_AGE}\s*の\s*(?:双子|ふたご)|(?:双子|ふたご)\s*(?:は|が)?\s*[(（]?\s*{_AGE}")
# after a sentence that says there are children: 「子どもが います。6さいと 1さいです」
_CHILDREN_SAID = re.compile(r"(?:子ども|子供|こども)(?:が|は)\s*(?:\d+\s*(?:人|にん)\s*)?(?:います|いる)")
_AGES_ALONE = re.compile(rf"^\s*{_AGE}(?:{_AND}{_AGE})+\s*(?:です|だ)?")
_EN_N = r"\d{1,2}"
# "kids aged 3 and 7", "children aged 3, 5 and 7", "two kids, 4 and 9", "my kids are 3 and 7"
_EN_CHILDREN = re.compile(
    rf"(?i)\b(?:kids|children|sons|daughters|boys|girls)\b[,:]?\s*(?:(?:are |who are )?aged |ages |are )?"
    rf"({_EN_N}(?:\s*(?:,|and|&)\s*(?:and\s+)?{_EN_N})+)\b(?!\s*(?:yen|days?|weeks?|months?|%|st|nd|rd|th))"
)
# "a 5-year-old and a 2-year-old", "a 5 year old son"
_EN_YEAR_OLD = re.compile(rf"(?i)\b(?:an?|one|my|our)\s+({_EN_N})[- ]years?[- ]old\b")


@dataclass
class ChildAges:
    """The children's ages a message lists and where (to keep them out of any other person's age)."""

    ages: list[int] = field(default_factory=list)
    spans: list[tuple[int, int]] = field(default_factory=list)


def _numbers(s: str) -> list[int]:
    return [int(x) for x in re.findall(r"\d{1,2}", s)]


def child_ages(t: str) -> ChildAges:
    """The ages of children listed in ``t`` (normalised, numbers in digits): several in one phrase, or one
    each with its own child word when more than one is said; empty when fewer than two are told apart."""
    out = ChildAges()
    for pat in (_AGES_OF_CHILDREN, _CHILDREN_ARE, _CHILDREN_BRACKETED, _EN_CHILDREN):
        for m in pat.finditer(t):
            part = m.group(1) if pat is not _AGES_OF_CHILDREN else m.group()
            out.ages += _numbers(
                re.sub(r"(?:子ども|子供|こども|子|こ)?\s*(?:は|が)?\s*\d+\s*(?:人|にん)", "", part)
            )
            out.spans.append(m.span())
    for m in _TWINS.finditer(t):
        out.ages += [int(next(g for g in m.groups() if g))] * 2
        out.spans.append(m.span())
    if out.ages:
        return out
    one = [m for p in (_ONE_CHILD, _EN_YEAR_OLD) for m in p.finditer(t)]
    if len(one) >= 2:
        out.ages = [int(next(g for g in m.groups() if g)) for m in one]
        out.spans = [m.span() for m in one]
        return out
    said = _CHILDREN_SAID.search(t)
    alone = _AGES_ALONE.match(re.sub(r"^[。.!！\s]+", "", t[said.end() :])) if said else None
    if said and alone:
        out.ages = _numbers(alone.group())
        start = t.index(alone.group(), said.end())
        out.spans = [(start, start + len(alone.group()))]
    return out
