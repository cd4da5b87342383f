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

# Japanese words of pages, in English; the longest match wins, so a compound (本人確認書類) comes before its parts.
# The catalog's own bilingual names (procedures, documents, offices) are added by the caller.
GLOSSARY: dict[str, str] = {
    "本人確認書類": "proof of identity",
    "本人確認": "proof of identity",
    "委任状": "a letter of proxy",
    "代理人": "a proxy",
    "代理": "a proxy",
    "医療保険の被保険者証": "health insurance card",
    "医療保険": "medical insurance",
    "被保険者証": "insurance card",
    "資格確認書": "eligibility certificate",
    "マイナンバーカード": "My Number Card",
    "マイナポータル": "My Number Portal",
    "マイナンバー": "My Number",
    "在留カード": "residence card",
    "印鑑": "seal",
    "通帳": "bankbook",
    "母子健康手帳": "maternal and child health handbook",
    "出生証明書": "birth certificate",
    "死亡診断書": "death certificate",
    "火葬許可証": "cremation permit",
    "埋葬許可証": "burial permit",
    "会葬礼状": "funeral thank-you card",
    "領収書": "receipt",
    "申請書": "application form",
    "届出書": "notification form",
    "転出証明書": "moving-out certificate",
    "特定疾病": "specified diseases",
    "所得の高い": "the higher income",
    "所得": "income",
    "別居監護": "custody while living apart",
    "生計中心者": "the main earner",
    "配偶者": "spouse",
    "住民登録": "resident registration",
    "自治体": "municipality",
    "別居": "living apart",
    "単身赴任": "posted alone",
    "出生届": "birth registration",
    "死亡届": "death registration",
    "婚姻届": "marriage registration",
    "離婚届": "divorce registration",
    "転入届": "moving-in notice",
    "転出届": "moving-out notice",
    "転居届": "change-of-address notice",
    "戸籍": "family register",
    "葬祭費": "funeral benefit",
    "児童手当": "child allowance",
    "要介護認定": "care-needs certification",
    "介護保険": "long-term care insurance",
    "国民健康保険": "National Health Insurance",
    "後期高齢者医療": "late-stage elderly medical care",
    "地域包括支援センター": "community comprehensive support centre",
    "祝日・休日以外": "except public holidays",
    "祝日以外": "except public holidays",
    "休日以外": "except holidays",
    "夜間": "at night",
    "休日": "on holidays",
    "祝日": "public holidays",
    "年末年始": "the New Year holidays",
    "平日": "weekdays",
    "開庁日": "business days",
    "翌開庁日": "the next business day",
    "通用口": "side entrance",
    "北側": "north side",
    "南側": "south side",
    "守衛室": "guard room",
    "宿直": "night desk",
    "区役所": "the ward office",
    "市役所": "the city hall",
    "本庁舎": "the main building",
    "総合支所": "branch office",
    "出張所": "branch office",
    "窓口": "counter",
    "郵送": "by post",
    "簡易書留": "registered mail",
    "オンライン": "online",
    "電子申請": "online",
    "無料": "free of charge",
    "完了": "completed",
    "所得制限": "income limit",
    "不要": "not needed",
    "できません": "not possible",
    "できない": "not possible",
    "受け付けていません": "not accepted",
}

# English words of questions -> the Japanese words pages use for them (beyond the catalog's names).
_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"\bmov(e|ed|ing)[- ]out\b|\bmoving-out\b", re.I), "転出届"),
    (re.compile(r"\bmov(e|ed|ing)[- ]in\b|\bmoving-in\b", re.I), "転入届"),
    (re.compile(r"\bbirth (registration|notification)\b", re.I), "出生届"),
    (re.compile(r"\bdeath (registration|notification)\b", re.I), "死亡届"),
    (re.compile(r"\bfamily regist(er|ry)\b|\bkoseki\b", re.I), "戸籍"),
    (re.compile(r"\bcitizens?'? (section|division)\b", re.I), "市民課"),
    (re.compile(r"\bcare (needs )?certification\b", re.I), "要介護認定"),
    (re.compile(r"\bcremation\b", re.I), "火葬許可証"),
    (re.compile(r"\bmy ?number portal\b", re.I), "マイナポータル"),
    (re.compile(r"\b(by )?(mail|post)\b|\bmail(ed|ing)?\b", re.I), "郵送"),
    (re.compile(r"\b(at )?night\b|\bafter hours\b|\bevening\b", re.I), "夜間"),
    (re.compile(r"\bsaturdays?\b|\bweekends?\b", re.I), "土曜"),
    (re.compile(r"\bsundays?\b", re.I), "日曜"),
    (re.compile(r"\bholidays?\b", re.I), "休日"),
    (
        re.compile(r"\bon my behalf\b|\bfor me\b|\bproxy\b|\brepresentative\b|\bfriend\b", re.I),
        "代理人 委任状",
    ),
    (re.compile(r"\bincome\b|\bearn", re.I), "所得"),
    (re.compile(r"\bbring\b|\bwhat (do|does|must|should) \w+ need\b", re.I), "持ち物"),
    (re.compile(r"\bliv(e|ing) (elsewhere|apart|separately)\b", re.I), "別居"),
    (re.compile(r"\bposted alone\b|\bwork(s|ing)? away from (home|the family)\b", re.I), "単身赴任"),
    (re.compile(r"\bphone\b|\btelephone\b|\bcall\b", re.I), "電話"),
    # where a form comes from, where a paper is sent, where a child lives, how money arrives: the pages' words
    (re.compile(r"\b(the |a |that )?forms?\b", re.I), "用紙 届書"),
    (
        re.compile(
            r"\b(what|which) address\b|\baddress(ed)? to\b|\bwhere (do|should|can) i (send|mail|post)\b", re.I
        ),
        "送り先 宛先 〒",
    ),
    (re.compile(r"\bstud(y|ies|ying) (abroad|overseas)\b|\bexchange student\b", re.I), "留学"),
    (re.compile(r"\boverseas\b|\babroad\b|\boutside japan\b|\bforeign country\b", re.I), "国外 海外"),
    (
        re.compile(
            r"\b(pa(y|ys|id)|deposit(s|ed)?|transfer(s|red)?)\b.{0,40}\b(in)?to (my|your|the|a) (bank )?account\b",
            re.I,
        ),
        "振り込 口座",
    ),
    (
        re.compile(r"\bbefore (my|the|i|we) mov|\bin advance\b|\bhow early\b|\bahead of\b", re.I),
        "日前 予定日 あらかじめ",
    ),
    (re.compile(r"\b(section|division|department)\b", re.I), "課"),
    (re.compile(r"\bsingle[- ]parents?\b|\blone parents?\b", re.I), "ひとり親"),
    (re.compile(r"\bhouseholds?\b|\bfamil(y|ies) with (children|kids)\b", re.I), "世帯"),
    (
        re.compile(r"\b(support|cash|relief|benefit) payments?\b|\bhand-?outs?\b", re.I),
        "給付金 手当",
    ),
    (re.compile(r"\b(id|identification|identity)\b", re.I), "本人確認"),
    # more everyday English for the pages' words: what a benefit or service is called, how an office is
    (
        re.compile(r"\bprice[- ]?(hikes?|rises?)\b|\binflation\b|\brising prices\b|\bcost of living\b", re.I),
        "物価高",
    ),
    (
        re.compile(
            r"\bchild[- ]?(raising|rearing) (support|benefit|grant|payment)|\bparenting (support|benefit)",
            re.I,
        ),
        "子育て",
    ),
    (
        re.compile(r"\bsupport (benefit|grant)s?\b|\b(raising|rearing) (benefit|grant|payment)s?\b", re.I),
        "給付金 応援",
    ),
    (re.compile(r"\bchild support allowance\b|\bjid[oō]u? ?fuy[oō]u? ?teate\b", re.I), "児童扶養手当"),
    (re.compile(r"\bjid[oō]u? ?teate\b", re.I), "児童手当"),
    (re.compile(r"\bikusei ?teate\b", re.I), "育成手当"),
    (re.compile(r"\bcrowded\b|\bbusy\b|\bcongest|\bqueues?\b|\blong wait", re.I), "混雑 混み"),
    (re.compile(r"\blunch ?box|\bbento\b|\bmeals?\b|\bfood delivery\b", re.I), "給食 お弁当 配食"),
    (
        re.compile(r"\bli(ve|ves|ving) alone\b|\bcheck(s|ing)? on\b|\bwatch(ing)? over\b", re.I),
        "見守り ひとり暮らし",
    ),
    (re.compile(r"\b(was|were|is|been|be|get|gets) born\b|\bnewborn|\bnew baby\b", re.I), "出生 出生届"),
    (re.compile(r"\bmarriage (notice|registration|notification)\b|\bget(ting)? married\b", re.I), "婚姻届"),
    (re.compile(r"\bcopy of (the|my|our|a) family regist", re.I), "謄本 戸籍に反映"),
    (re.compile(r"\bpin\b|\bpass ?code\b|\bpassword\b", re.I), "暗証番号"),
    (re.compile(r"\bdigits?\b", re.I), "桁"),
    (re.compile(r"\bsignature\b", re.I), "署名用"),
    (re.compile(r"\bvisit(ing)? (date|day)\b|\bdays? ahead\b", re.I), "来庁予定日 あけ"),
    (re.compile(r"\b\d+(st|nd|rd|th) day\b|\bfalls? on a\b", re.I), "日目 休日 翌日"),
    (re.compile(r"\bwhich (window|counter|desk)\b|\b(window|counter) (number|no)\b", re.I), "番 窓口"),
    (
        re.compile(
            r"\b40 ?(-|to) ?64\b|\b(4\d|5\d|6[0-4])\b(?= ?(years?|y/?o|and)\b)|\bi'?m (4\d|5\d|6[0-4])\b",
            re.I,
        ),
        "40歳から64歳 特定疾病 第2号被保険者 医療保険",
    ),
]

# What an English question asks, beyond the words the shared question kinds know (bot.answer.QUESTION_KINDS).
EN_ASKS: dict[str, re.Pattern[str]] = {
    # 'what time of day is most crowded': the hours asked
    "hours": re.compile(
        r"\b(saturdays?|sundays?|weekends?|holidays?)\b|\bwhen can i (get|receive|collect|pick)|"
        r"\btime of (the )?day\b|\bmost crowded\b|\bbusiest\b",
        re.I,
    ),
    "deadline": re.compile(
        r"\bwhen can i\b(?! (do|come|go|visit)\b)|\bhow soon\b|\buntil when\b|\bhow long\b|\bhow early\b|\bby what date\b",
        re.I,
    ),
    # the day or condition from which: 'when can I do the move-in' (once the move-out is complete), 'when does the
    # city pay it', 'what date counts'
    "date": re.compile(
        r"\bwhen can i (do|come|go|visit)\b|\bwhen (does|do|will|is|are) .{0,40}\b(pa(y|id)|transfer|deposit)|"
        r"\bwhat (date|day) (counts|is)\b",
        re.I,
    ),
    "documents": re.compile(
        r"\bwhat (does|do|must|should) (he|she|they|i|we|a .{1,30}) (need|bring)\b|\bbring\b", re.I
    ),
    "apply": re.compile(r"\bmail\b|\bpost\b|\bsubmit\b", re.I),
    "eligibility": re.compile(
        r"(?<!when )\bcan i apply\b|\bam i eligible\b|(?<!when )\bcan i (still )?(get|receive)\b|\b(does|do|will) (\w+ ){1,3}pay\b|\bwhich parent\b|\bwho (receives|gets|applies|can)\b|\bi'?m \d+\b",
        re.I,
    ),
    "phone": re.compile(r"\bphone\b|\btelephone\b|\bcall\b|\bcontact\b", re.I),
    "place": re.compile(
        r"\b(what|which) address\b|\baddress(ed)? to\b|\bwhich (window|counter|desk|floor)\b|"
        r"\b(window|counter) (number|no)\b",
        re.I,
    ),
    # how often (週4回), how many digits (6桁以上): the answer is a count
    "count": re.compile(r"\bhow often\b|\bhow many times\b|\bhow many digits\b", re.I),
}
# A kind the shared question kinds do not have: a phone number (電話番号 / "phone number").
EXTRA_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    # 'in which months is it paid': the answer names months (毎年6月・10月・2月)
    "months": (re.compile(r"\b(which|what) months?\b", re.I), re.compile(r"[0-9０-９]+月")),
    "phone": (
        re.compile(r"電話番号|でんわばんごう|問い合わせ先|\bphone\b|\btelephone\b", re.I),
        re.compile(r"電話|\d{2,4}[-‐－ー]\d{2,4}[-‐－ー]\d{3,4}"),
    ),
}


# Japanese words an English question is searched with for the KIND of answer it asks ('bring' -> 必要なもの, 'where'
# -> 窓口): the resident did not write them, so a sentence using them still gives what is asked (the row
# 「必要なもの | 転出証明書…」 answers "what do I need to bring"), as it would not for 「必要なものは？」.
KIND_WORDS = frozenset(
    [
        "必要なもの",
        "持ち物",
        "窓口",
        "時間",
        "曜日",
        "金額",
        "期限",
        "対象",
        "開いている",
        "送り先",
        "宛先",
        "〒",
    ]
)


def without_kind_words(written: str) -> str:
    """An English question's search text without the words that only name the kind of answer asked."""
    return " ".join(w for w in written.split() if w not in KIND_WORDS)


def english_kinds(question: str) -> list[str]:
    """The kinds of answer an English question asks by its English wording ('on a Saturday' -> hours)."""
    return [kind for kind, ask in EN_ASKS.items() if ask.search(question)]


def hint_weight(question: str, sentence: str, title: str = "") -> int:
    """How many of an English question's Japanese hint words a page sentence uses (転出届 counts as 転出), not
    counting those its page ``title`` has (every sentence of 「子育て世帯への応援給付金」 is about 給付金)."""

    def uses(text: str, w: str) -> bool:
        return w in text or (len(w) >= 3 and w[:-1] in text)

    return sum(1 for w in japanese_hints(question) if uses(sentence, w) and not uses(title, w))


# The value an answer of a kind states (a clock time, a sum of yen, a counted period, a phone number): a sentence
# that states it answers more than one that only names the topic (土曜日の市民課では… vs 土曜日 午前8時30分から…).
_VALUES: dict[str, re.Pattern[str]] = {
    "hours": re.compile(r"\d+\s*時|正午"),
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
    """The Japanese words pages use for what an English question says ('by mail' -> 郵送), in order."""
    out: list[str] = []
    for pattern, ja in _HINTS:
        if pattern.search(question):
            out.extend(w for w in ja.split() if w not in out)
    return out


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


def catalog_names(catalog: Any) -> list[tuple[str, str]]:
    """(Japanese, English) names of the catalog's procedures, documents, offices and municipalities,
    for :func:`english_gist`: a sentence naming 国民健康保険の葬祭費 is said to name 'National Health Insurance
    funeral benefit'."""
    out: dict[str, str] = {}
    named = [
        *((p.title.ja, p.title.en) for p in catalog.procedures.values()),
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
