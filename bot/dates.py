"""Dates in residents' words, resolved against the request's ``today``.

Example::

    >>> parse_date("令和8年11月20日に生まれました", dt.date(2026, 11, 26)).date
    datetime.date(2026, 11, 20)
    >>> parse_date("先週の金曜日", dt.date(2026, 11, 26)).date
    datetime.date(2026, 11, 20)
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from bot.text import norm
from knowledge.deadlines import add_months as _add_months

ERAS = {"令和": 2018, "平成": 1988, "昭和": 1925, "r": 2018, "h": 1988, "s": 1925}
WEEKDAYS = {"月": 0, "火": 1, "水": 2, "木": 3, "金": 4, "土": 5, "日": 6}
EN_WEEKDAYS = {d.lower(): i for i, d in enumerate(calendar.day_name)}
EN_MONTHS = {m.lower(): i for i, m in enumerate(calendar.month_name) if m}
EN_MONTHS |= {m.lower(): i for i, m in enumerate(calendar.month_abbr) if m}
KANJI_NUM = {"一": 1, "二": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8, "九": 9, "十": 10}


@dataclass(frozen=True)
class ParsedDate:
    date: dt.date
    approximate: bool  # "先週", "来月": a stand-in day, the resident may want to give the exact one
    text: str  # the words it came from


def _safe(y: int, m: int, d: int) -> dt.date | None:
    try:
        return dt.date(y, m, d)
    except ValueError:
        return None


def _nearest_year(m: int, d: int, today: dt.date) -> dt.date | None:
    """Month/day without a year: the occurrence closest to today (an event 11/20 told on 1/5 was last year)."""
    cands = [x for x in (_safe(today.year + k, m, d) for k in (-1, 0, 1)) if x]
    return min(cands, key=lambda x: abs((x - today).days)) if cands else None


def _num(s: str) -> int:
    if s.isdigit():
        return int(s)
    if s == "十":
        return 10
    if "十" in s:
        a, _, b = s.partition("十")
        return KANJI_NUM.get(a, 1) * 10 + KANJI_NUM.get(b, 0)
    return KANJI_NUM.get(s, 0)


_PATTERNS: list[tuple[re.Pattern[str], str]] = [
    (
        re.compile(
            r"(令和|平成|昭和|[rhs])\s*(\d{1,2}|元)\s*[年.\-/]\s*(\d{1,2})\s*[月.\-/]\s*(\d{1,2})\s*日?"
        ),
        "era",
    ),
    (re.compile(r"(\d{4})\s*[年/\-.]\s*(\d{1,2})\s*[月/\-.]\s*(\d{1,2})\s*日?"), "ymd"),
    (re.compile(r"(\d{1,2})\s*月\s*(\d{1,2})\s*日"), "md"),
    (re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})(?![\d/])"), "md"),
]
_KANA_UNITS = re.compile(r"(\d)\s*(ねん|がつ|にち)")
_EN_DMY = re.compile(r"(\d{1,2})(?:st|nd|rd|th)?\s+(?:of\s+)?([a-z]{3,9})\.?(?:,?\s+(\d{4}))?")
_EN_MDY = re.compile(r"([a-z]{3,9})\.?\s+(\d{1,2})(?:st|nd|rd|th)?(?:,?\s+(\d{4}))?")
_REL_DAYS = [
    (re.compile(r"一昨日|おととい|ototoi|day before yesterday"), -2),
    (re.compile(r"昨日|きのう|さくじつ|yesterday"), -1),
    (re.compile(r"明後日|あさって|day after tomorrow"), 2),
    (re.compile(r"明日|あした|あす|tomorrow"), 1),
    (re.compile(r"今日|きょう|本日|today"), 0),
]
_N_AGO = re.compile(r"(\d+|[一二三四五六七八九十]+)\s*(日|週間|か月|ヶ月|カ月|ケ月)\s*(前|後)")
_EN_N_AGO = re.compile(r"(\d+)\s+(day|week|month)s?\s+(ago|later|from now)")
# 先月末 (the last day of last month), 今月初め, "end of last month", "the last day of next month"
_MONTH_EDGE = re.compile(
    r"(先月|前月|今月|来月|翌月)の?(末日|末|終わり|おわり|初め|はじめ|頭)"
    r"|(?:the\s+)?(end|beginning|start|last day|first day)\s+of\s+(last|this|next)\s+month"
)
_WEEK_DAY = re.compile(r"(先週|今週|来週)の?([月火水木金土日])曜")
_EN_WEEK_DAY = re.compile(r"(last|this|next)\s+(monday|tuesday|wednesday|thursday|friday|saturday|sunday)")


def parse_date(text: str, today: dt.date) -> ParsedDate | None:
    """The first date the text mentions, or None."""
    t = _KANA_UNITS.sub(
        lambda m: m.group(1) + {"ねん": "年", "がつ": "月", "にち": "日"}[m.group(2)], norm(text)
    )
    for pat, kind in _PATTERNS:
        m = pat.search(t)
        if not m:
            continue
        if kind == "era":
            era_y = 1 if m.group(2) == "元" else int(m.group(2))
            d = _safe(ERAS[m.group(1)] + era_y, int(m.group(3)), int(m.group(4)))
        elif kind == "ymd":
            d = _safe(int(m.group(1)), int(m.group(2)), int(m.group(3)))
        else:
            d = _nearest_year(int(m.group(1)), int(m.group(2)), today)
        if d:
            return ParsedDate(d, False, m.group(0))
    for m in _EN_DMY.finditer(t):
        if m.group(2) in EN_MONTHS:
            y = int(m.group(3)) if m.group(3) else None
            mon, day = EN_MONTHS[m.group(2)], int(m.group(1))
            d = _safe(y, mon, day) if y else _nearest_year(mon, day, today)
            if d:
                return ParsedDate(d, False, m.group(0))
    for m in _EN_MDY.finditer(t):
        if m.group(1) in EN_MONTHS:
            y = int(m.group(3)) if m.group(3) else None
            mon, day = EN_MONTHS[m.group(1)], int(m.group(2))
            d = _safe(y, mon, day) if y else _nearest_year(mon, day, today)
            if d:
                return ParsedDate(d, False, m.group(0))
    m = _WEEK_DAY.search(t)
    if m:
        shift = {"先週": -7, "今週": 0, "来週": 7}[m.group(1)]
        monday = today - dt.timedelta(days=today.weekday())
        return ParsedDate(monday + dt.timedelta(days=shift + WEEKDAYS[m.group(2)]), False, m.group(0))
    m = _EN_WEEK_DAY.search(t)
    if m:
        shift = {"last": -7, "this": 0, "next": 7}[m.group(1)]
        monday = today - dt.timedelta(days=today.weekday())
        return ParsedDate(monday + dt.timedelta(days=shift + EN_WEEKDAYS[m.group(2)]), False, m.group(0))
    m = _N_AGO.search(t)
    if m:
        n = _num(m.group(1))
        sign = -1 if m.group(3) == "前" else 1
        unit = m.group(2)
        if unit == "日":
            d = today + dt.timedelta(days=sign * n)
        elif unit == "週間":
            d = today + dt.timedelta(days=sign * 7 * n)
        else:
            d = _add_months(today, sign * n)
        return ParsedDate(d, unit != "日", m.group(0))
    m = _EN_N_AGO.search(t)
    if m:
        n = int(m.group(1))
        sign = -1 if m.group(3) == "ago" else 1
        days = {"day": 1, "week": 7}.get(m.group(2))
        d = today + dt.timedelta(days=sign * n * days) if days else _add_months(today, sign * n)
        return ParsedDate(d, m.group(2) != "day", m.group(0))
    for pat, delta in _REL_DAYS:
        m = pat.search(t)
        if m:
            return ParsedDate(today + dt.timedelta(days=delta), False, m.group(0))
    if m := _MONTH_EDGE.search(t):
        which = m.group(1) or m.group(4) or "今月"
        shift = {"先月": -1, "前月": -1, "今月": 0, "来月": 1, "翌月": 1, "last": -1, "this": 0, "next": 1}[
            which
        ]
        first = _add_months(today.replace(day=1), shift)
        edge = m.group(2) or m.group(3) or ""
        if edge in ("初め", "はじめ", "頭", "first day", "beginning", "start"):
            return ParsedDate(first, edge != "first day", m.group(0))
        last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
        return ParsedDate(last, edge not in ("末日", "末", "last day"), m.group(0))
    if m := re.search(r"先週|last week", t):
        return ParsedDate(today - dt.timedelta(days=7), True, m.group(0))
    if m := re.search(r"来週|next week", t):
        return ParsedDate(today + dt.timedelta(days=7), True, m.group(0))
    if m := re.search(r"来月|next month", t):
        first = _add_months(today.replace(day=1), 1)
        return ParsedDate(first, True, m.group(0))
    if m := re.search(r"先月|last month", t):
        return ParsedDate(_add_months(today, -1), True, m.group(0))
    return None
