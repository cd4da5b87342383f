"""Say in English what a Japanese page sentence states, and read what an English question asks (issue 15).

English questions are answered from Japanese pages. The reply states in English what the quoted sentence says —
its amounts, periods, times, weekdays, ages, months, counts, phone numbers and the names of offices, documents and
procedures (the catalog's bilingual names, else the small glossary below) — and quotes the Japanese sentence. Only
what the sentence carries is said: every number in the English gist is a number of the sentence (an era year or an
hour is never converted), so the gist can never state a number the page does not have.

The other direction serves the answer's search and sentence choice: an English question's words that no catalog
name carries ("by mail", "at night", "on my behalf") are read as the Japanese words a page uses (郵送, 夜間, 委任状),
and the English wording of a question tells what kind of answer it wants (an amount, hours, a deadline…).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from typing import Any

from bot.render import MONTHS_EN
from knowledge.vocabulary import vocabulary

# Japanese words of pages, in English (knowledge/vocabulary-en-ja.yaml, `glossary`); the longest match wins, so a
# compound (本人確認書類) comes before its parts. The catalog's own bilingual names are added by the caller.
GLOSSARY: dict[str, str] = vocabulary().glossary

# Kinds the shared question kinds do not have: months and weekdays (asked in English only, by the vocabulary's `asks`: no Japanese
# wording asks it here) and a phone number (電話番号).
EXTRA_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # 'in which months is it paid': the answer names months (毎年6月・10月・2月)
    "months": (re.compile(r"(?!)"), re.compile(r"[0-9０-９]+月")),
    # 'which days are busiest', 'what day of the week is it open': the answer names weekdays (月曜日や金曜日)
    "weekday": (re.compile(r"(?!)"), re.compile(r"[月火水木金土日]曜")),
    "phone": (
        re.compile(r"電話番号|でんわばんごう|問い合わせ先"),
        re.compile(r"電話|\d{2,4}[-‐－ー]\d{2,4}[-‐－ー]\d{3,4}"),
    ),
}


# Japanese words an English question is searched with for the KIND of answer it asks ('bring' -> 必要なもの, 'where'
# -> 窓口; the vocabulary's `kind_words`): the resident did not write them, so a sentence using them still gives what
# is asked (the row 「必要なもの | 転出証明書…」 answers "what do I need to bring"), as it would not for 「必要なものは？」.
KIND_WORDS = vocabulary().kind_word_set()


def without_kind_words(written: str) -> str:
    """An English question's search text without the words that only name the kind of answer asked."""
    return " ".join(w for w in written.split() if w not in KIND_WORDS)


def english_kinds(question: str) -> list[str]:
    """The kinds of answer an English question asks by its English wording ('on a Saturday' -> hours; the
    vocabulary's `asks`)."""
    return vocabulary().kinds_asked(question)


_EN_WH = re.compile(r"\b(what|when|where|which|who|whom|whose|how|why)\b", re.I)


def english_yes_no(question: str) -> bool:
    """True when an English question asks can / may / must ('do I still have to go', 'is it ok if…', 'does the
    city still pay') with no question word (what do I need asks what)."""
    return "yesno" in english_kinds(question) and not _EN_WH.search(question)


def _uses(text: str, w: str) -> bool:
    return w in text or (len(w) >= 3 and w[:-1] in text)  # 転出届 counts as 転出


def hint_weight(question: str, sentence: str, title: str = "", topics: bool = True) -> int:
    """How many of the things an English question names (each once, in the pages' words: 葬祭費 or 葬儀; with
    ``topics``, also what it is about) a page sentence names, not counting those its page ``title`` names (every
    sentence of 「子育て世帯への応援給付金」 is about 給付金)."""
    return sum(
        1
        for words in vocabulary().named(question, topics)
        if any(_uses(sentence, w) for w in words) and not any(_uses(title, w) for w in words)
    )


_CONDITION = re.compile(
    r"(^|(?<=[.?!]\s))\s*(if|when|since|as|because|now that|after)\b[^,?.]{3,}?,\s*", re.I
)


def asked_part(question: str) -> str:
    """An English question without the conditions it opens a sentence with ('If I send the moving-out online, do I
    still have to go…' asks 'do I still have to go…'): a condition tells the situation, the rest asks."""
    return _CONDITION.sub(" ", question).strip()


def hint_score(question: str, sentence: str, title: str = "") -> int:
    """The weight of an English question's own words in ``sentence``: 5 for each thing it asks about by name
    (郵送, 土曜, 里親), 2 for each only a condition it opens with names, 2 for what it is about (児童扶養手当, 国保:
    many sentences of a page name it)."""
    asked = hint_weight(asked_part(question), sentence, title, topics=False)
    words = hint_weight(question, sentence, title, topics=False)
    return 5 * asked + 2 * (words - asked) + 2 * (hint_weight(question, sentence, title) - words)


# The value an answer of a kind states (a clock time, a sum of yen, a counted period, a phone number): a sentence
# that states it answers more than one that only names the topic (土曜日の市民課では… vs 土曜日 午前8時30分から…).
_VALUES: dict[str, re.Pattern[str]] = {
    "hours": re.compile(r"\d+\s*時|正午"),
    "weekday": re.compile(r"[月火水木金土日]曜"),
    "amount": re.compile(r"\d[\d,]*\s*万?円"),
    "deadline": re.compile(r"\d+\s*(営業日|日|か月|ヶ月|カ月|年|週間)(以内|以上|間|まで|前)"),
    # place: an address, a floor or a numbered window, a named section, the facility the form comes from (not a
    # sentence that only says 窓口に行く)
    "place": re.compile(
        r"〒\s*\d{3}-\d{4}|\d+\s*階|\d+\s*番窓口|窓口\s*\d+\s*番|[課係](（[^）]*）)?$|[課係]\s|出産した(施設|病院)"
    ),
    "phone": re.compile(r"\d{2,4}[-‐－]\d{2,4}[-‐－]\d{3,4}"),
    "months": re.compile(r"\d+月[・、]\d+月"),
    # documents: a sentence that says what to bring or send (a 必要なもの row, お持ちください), not one that only
    # names a card in passing (在留カードを持って転入の届出をすると…)
    "documents": re.compile(
        r"必要なもの|持ち物|持参|持ってきて|お持ちください|同封|添付|(書類|証|状|書)(など)?が必要"
    ),
}


def states_value(kind: str, sentence: str) -> bool:
    """True when ``sentence`` states the value an answer of ``kind`` gives (hours: a clock time, amount: yen…)."""
    value = _VALUES.get(kind)
    return bool(value and value.search(unicodedata.normalize("NFKC", sentence)))


def japanese_hints(question: str) -> list[str]:
    """The Japanese words pages use for what an English question says ('by mail' -> 郵送), in order: the general
    civic vocabulary (knowledge/vocabulary-en-ja.yaml), not the words naming the kind of answer asked."""
    return vocabulary().japanese(question)


# ---- Japanese -> English ---------------------------------------------------------------------------------------

_WEEKDAYS = {"月": "Monday", "火": "Tuesday", "水": "Wednesday", "木": "Thursday", "金": "Friday"}
_WEEKDAYS |= {"土": "Saturday", "日": "Sunday"}
_UNITS = {"日": "days", "年": "years", "週": "weeks", "週間": "weeks", "時間": "hours"}
_SAY_PERIOD = {"以内": "within", "間": "for", "程度": "about", "ほど": "about", "以上": "at least"}
_COUNTERS = {"枚": "sheets", "通": "copies", "部": "copies", "種類": "kinds", "回": "times", "人": "people"}


def _ordinal(n: int) -> str:
    suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
    return f"{n}{suffix}"


def _join(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def _amounts(t: str) -> list[str]:
    out = []
    for m in re.finditer(r"(\d[\d,]*(?:\.\d+)?)\s*(万)?円", t):  # 2.5万円 -> 25,000 yen
        n = round(float(m.group(1).replace(",", "")) * (10_000 if m.group(2) else 1))
        out.append(f"{n:,} yen")
    return out


def _times(t: str) -> list[str]:
    """Clock times as the page writes them, each range 'X から Y' as 'X to Y' (午後0時15分 -> 0:15 p.m.)."""
    found: list[tuple[int, int, str]] = []
    for m in re.finditer(r"正午|(午前|午後|翌朝)?\s*(\d{1,2})時(?!間)(?:(\d{1,2})分|半)?", t):
        if m.group(0) == "正午":
            found.append((m.start(), m.end(), "noon"))
            continue
        # the hour as the page writes it (午後1時 -> 1:00 p.m., never 13:00: no number the page does not have)
        h = int(m.group(2))
        minutes = int(m.group(3)) if m.group(3) else 30 if m.group(0).endswith("半") else 0
        half = {"午前": " a.m.", "午後": " p.m.", "翌朝": " a.m. the next morning"}.get(m.group(1) or "", "")
        found.append((m.start(), m.end(), f"{h}:{minutes:02d}{half}"))
    out: list[str] = []
    i = 0
    while i < len(found):
        _, end, said = found[i]
        if i + 1 < len(found) and re.fullmatch(r"\s*(から|～|~|-|－)\s*", t[end : found[i + 1][0]]):
            out.append(f"{said} to {found[i + 1][2]}")
            i += 2
        else:
            out.append(said)
            i += 1
    return list(dict.fromkeys(out))


def _weekdays(t: str) -> list[str]:
    out = []
    for m in re.finditer(r"((?:第\d[・、,]?)+)([月火水木金土日])曜", t):
        nths = [_ordinal(int(n)) for n in re.findall(r"\d", m.group(1))]
        out.append(f"the {_join(nths)} {_WEEKDAYS[m.group(2)]}")
    plain = re.sub(r"(?:第\d[・、,]?)+[月火水木金土日]曜", "", t)
    days = [_WEEKDAYS[d] for d in re.findall(r"([月火水木金土日])曜", plain)]
    # a range only where the page writes one (月曜日から金曜日); 土曜日・日曜日 are two days
    ranged = re.search(r"[月火水木金土日]曜日?\s*(から|～|~)\s*[月火水木金土日]曜", plain)
    if days:
        out.append(" to ".join(days[:2]) if ranged and len(days) == 2 else ", ".join(days))
    return out


def _periods(t: str) -> list[str]:
    out = []
    pattern = (
        r"(\d+)\s*(時間|週間|日|か月|ヶ月|カ月|ヵ月|年|週)(以内|間|程度|ほど|以上|を過ぎ|を経過|で時効)?"
    )
    for m in re.finditer(pattern, t):
        if m.group(2) == "時間" and not m.group(3):
            out.append(f"{m.group(1)} hours")
            continue
        if not m.group(3) or (
            m.group(2) == "日" and re.match(r"\d+月", t[max(0, m.start() - 3) : m.start()])
        ):
            continue
        unit = _UNITS.get(m.group(2), "months")
        if m.group(3) in ("を過ぎ", "を経過", "で時効"):
            out.append(f"after {m.group(1)} {unit}")
        else:
            out.append(f"{_SAY_PERIOD[m.group(3)]} {m.group(1)} {unit}")
    return out


def _ages(t: str) -> list[str]:
    out = []
    for m in re.finditer(r"(\d+)\s*歳(?:から|～|~|-)\s*(\d+)\s*歳", t):
        out.append(f"aged {m.group(1)} to {m.group(2)}")
    rest = re.sub(r"\d+\s*歳(?:から|～|~|-)\s*\d+\s*歳", "", t)
    for m in re.finditer(r"(\d+)\s*歳(以上|未満|以下)?", rest):
        say = {"以上": " or over", "未満": "", "以下": " or under"}.get(m.group(2) or "", "")
        out.append(f"under {m.group(1)}" if m.group(2) == "未満" else f"aged {m.group(1)}{say}")
    return out


def _dates_and_counts(t: str) -> list[str]:
    out = []
    for m in re.finditer(r"(?<!\d)(\d{1,2})月(?:(\d{1,2})日)?", t):
        month = int(m.group(1))
        if 1 <= month <= 12:
            out.append(f"{m.group(2)} {MONTHS_EN[month - 1]}" if m.group(2) else MONTHS_EN[month - 1])
    for m in re.finditer(r"(\d+)\s*(種類|枚|通|部|回)", t):
        out.append(f"{m.group(1)} {_COUNTERS[m.group(2)]}")
    for m in re.finditer(r"(\d+)\s*階", t):
        out.append(f"{_ordinal(int(m.group(1)))} floor")
    for m in re.finditer(r"(?<![\d-])(0\d{1,4}[-‐－](?:\d{1,4}[-‐－])?\d{3,4})(?![\d-])", t):
        out.append(f"phone {m.group(1).replace('‐', '-').replace('－', '-')}")
    return out


def _names(text: str, names: Iterable[tuple[str, str]]) -> list[str]:
    """The English names of the words the sentence uses (the longest Japanese word wins, none inside another)."""
    found: list[tuple[int, str]] = []
    taken: list[tuple[int, int]] = []
    for ja, en in sorted(names, key=lambda kv: -len(kv[0])):
        for m in re.finditer(re.escape(ja), text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            taken.append((m.start(), m.end()))
            found.append((m.start(), en))
    return list(dict.fromkeys(en for _, en in sorted(found)))  # in the sentence's order


def english_gist(sentence: str, names: Iterable[tuple[str, str]] = ()) -> str:
    """What a Japanese sentence states, in English: its amounts, times, weekdays, periods, ages, dates, counts,
    floors and phone numbers, then the names it uses (``names``: (Japanese, English) pairs such as the catalog's,
    with :data:`GLOSSARY`). Nothing is added: '5万円' -> '50,000 yen', '14日以内' -> 'within 14 days',
    '午前9時から午後6時' -> '9:00 a.m. to 6:00 p.m.' (never 18:00)."""
    raw = unicodedata.normalize("NFKC", sentence)
    t = raw.lower()
    facts = [*_amounts(t), *_times(t), *_weekdays(t), *_periods(t), *_ages(t), *_dates_and_counts(t)]
    glossary = {**dict(names), **GLOSSARY}  # the glossary's plain words before a procedure's title
    words = _names(raw, glossary.items())
    return "; ".join(dict.fromkeys([*facts, *words]))


def program_names(catalog: Any) -> list[tuple[str, str]]:
    """(Japanese, English) names of the municipalities' own programs without the place they begin with: 出産費用の
    助成 is 'childbirth cost subsidy' (the catalog's 'Chiyoda childbirth cost subsidy' is one of several wards')."""
    out = []
    for code, ov in catalog.overrides.items():
        m = catalog.municipalities.get(code)
        place = (m.en or "").split()[0] if m else ""
        for p in ov.programs:
            en = p.title.en or ""
            if place and en.startswith(place + " "):
                en = en[len(place) + 1 :]
            out.append((p.title.ja, en))
    return out


def catalog_names(catalog: Any) -> list[tuple[str, str]]:
    """(Japanese, English) names of the catalog's procedures, documents, offices and municipalities,
    for :func:`english_gist`: a sentence naming 国民健康保険の葬祭費 is said to name 'National Health Insurance
    funeral benefit'."""
    out: dict[str, str] = {}
    named = [
        *((p.title.ja, p.title.en) for p in catalog.procedures.values()),
        *program_names(catalog),
        *((d.name.ja, d.name.en) for d in catalog.documents.values()),
        *((o.name.ja, o.name.en) for o in catalog.offices.values()),
    ]
    for ja, en in named:
        ja = ja.split("（")[0].strip()
        if en and len(ja) >= 3 and ja not in out:
            out[ja] = en.split(" (")[0].strip()
    for m in catalog.municipalities.values():  # 大田区 -> Ota City (港区 has two characters)
        if m.en:
            out[m.name] = m.en
    return list(out.items())
