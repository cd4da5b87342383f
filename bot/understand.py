"""Understand one message: life events, municipalities (origin and destination of a move), dates, facts, intents.

Everything it recognises comes from the catalog (event synonyms, municipality names in kanji/kana/English, fact
option synonyms and patterns) plus a small vocabulary of places outside Tokyo (bot/data/places.yaml).

Example::

    >>> u = Understander(default_catalog()).parse("八王子市から杉並区へ引っ越します", dt.date(2026, 11, 26))
    >>> u.events, u.move_from, u.move_to
    (['moving'], '132012', '131156')
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Final, Literal

import yaml

from bot import gazetteer
from bot.ages import child_ages, said_ages
from bot.dates import (
    EN_NUM,
    KANJI_NUM,
    ParsedDate,
    funeral_date,
    learned_date,
    parse_date,
    tense,
    told_as_past,
)
from bot.planner import EVENT_PERSON_FACTS
from bot.render import strip_readings
from knowledge.catalog import Catalog, default_catalog
from knowledge.japanese import (
    analyze,
    compact,
    content_tokens,
    en_words,
    has_kanji,
    is_english,
    norm,
    word_spans,
)
from knowledge.models import Unit

PLACES = Path(__file__).with_name("data") / "places.yaml"

# Placeholders for places outside Tokyo in move_from / move_to.
OUTSIDE = "outside"  # elsewhere in Japan
ABROAD = "abroad"
# role of a country word that names a nationality, not a place (ベトナム人, 外国籍)
NATIONALITY: Final = "nationality"
# where someone works, not where they live or file (「品川区の会社に勤めています」, "I work in Shinagawa")
WORK: Final = "work"
_NOT_PLACES = (NATIONALITY, WORK)
_WORK_AFTER = re.compile(
    r"^(の|で|に)?\s*(働|はたら|勤め|つとめ|勤務|きんむ|通勤|つうきん|会社|かいしゃ|職場|しょくば|オフィス|おふぃす)"
)
_WORK_BEFORE = re.compile(
    r"(\b(work|working|works|job|office|commute|commuting)\s+(is\s+)?(in|at|to)|(勤務先|職場|会社|勤め先)\s*(は|が))\s*$"
)
# What a place word is to the message: the origin of a move (from), its destination (to), where the resident lives
# (here), a move inside it (within), or a nationality, not a place (NATIONALITY).
Role = Literal["from", "to", "here", "within", "nationality", "work"]
# the roles a place outside Tokyo is named under (Understanding.places)
PlaceRole = Literal["here", "from", "to"]
# what a message asks (or, for claim, states: a period as the rule); the names of _INTENTS and "claim"
Intent = Literal["deadline", "amount", "opens", "documents", "place", "question", "online", "claim"]
_NATIONAL = re.compile(r"\s*(人|籍|系|じん|せき|国籍|こくせき)")
_NATIONAL_BEFORE = re.compile(
    r"((国籍|こくせき)\s*(は|が)?|\b(national|citizen)s?\s+(of|from)(\s+the)?|\bnationality\s*(is|:)?)\s*$"
)
# 「フィリピン出身の妻」: where someone comes from, not where anything happened (and no nationality either)
_ORIGIN_AFTER = re.compile(r"\s*(出身|しゅっしん)")
# "I'm from India and moved to Koto": a country someone is from says they are a foreign national (still a place)
# "I'm from Vietnam", "I came to Japan from the Philippines" (a return is said "came back"): a foreign national
# 「母国に帰ります」, "going back to Vietnam", "my home country": someone whose country is not Japan
_GOING_HOME = re.compile(
    r"(母国|本国|祖国|自分の国|じぶんのくに)\s*(に|へ)\s*(帰|かえ|戻|もど)|\bmy home country\b"
)
_BACK_TO_COUNTRY = re.compile(
    r"\b(go|going|goes|move|moving|return|returning|head|heading) back to(\s+the)?\s*$"
)
_FROM_COUNTRY = re.compile(
    r"\b((i'?m|i am|we'?re|we are|i come|we come)|(came|moved|come) to japan)\s+from(\s+the)?\s*$"
)

# A place word followed by these names a station or a railway line, not a municipality (渋谷駅, Shibuya Station).
_STATION_AFTER = re.compile(r"(駅|えき|線|せん\b)|\s*station\b")
# 「大阪市に住む父」: where a person (not the resident) lives, said before the person
_PERSON_LIVES = re.compile(
    r"^(に|で)?(住む|すむ|住んでいる|すんでいる|暮らす|くらす)\s*"
    r"(\d{1,3}\s*(歳|才|さい)の|高齢の|こうれいの|年老いた|としおいた|一人暮らしの|ひとりぐらしの)?\s*"  # 「住む80歳の母」
    r"(父|母|親|祖父|祖母|家族|兄|姉|弟|妹|夫|妻|息子|娘|子|おや|ちち|はは)"
)
# 「府中市(広島)」, "Fuchu (Hiroshima)": a prefecture in brackets right after a municipality's name
_BRACKETED = re.compile(r"\s*[(（]\s*([^()（）]{1,12}?)\s*[)）]")
_PREF_SUFFIXES = ("", "県", "府", "都", "道")
# 「広島の府中市」「広島県の府中市」: a prefecture said just before a municipality's name; "Kita Ward in Osaka": after it
_PREF_BEFORE = re.compile(r"^(県|府|都|道|けん|ふ)?\s*の?\s*$")
_PREF_AFTER = re.compile(r"^\s*(ward|city|-ku|-shi|区|市)?\s*(,|in|of)\s*$")
# Tokyo as a whole: a place word that names no municipality but hides the places written inside it (京都 in 東京都)
TOKYO: Final = "tokyo"
_TOKYO_WORDS = ("東京都", "東京", "とうきょうと", "とうきょう", "tokyo")
_OUTSIDE_WORDS = (
    "東京都外",
    "東京の外",
    "東京都の外",
    "東京都の 外",
    "都外",
    "とうきょうとがい",
    "とうきょうとのそと",
    "とうきょうとの そと",
    "東京都以外",
    "東京以外",
    "東京都じゃない",
    "東京都ではない",
    "東京じゃない",
    "東京ではない",
    "とうきょうとじゃない",
    "とうきょうじゃない",
    "outside tokyo",
    "outside of tokyo",
    "not in tokyo",
    "outside the tokyo area",
    # another prefecture, said from Tokyo (「東京から他の道府県へ」 — the quick reply's own words — 「県外に」)
    "他の道府県",
    "ほかの道府県",
    "他道府県",
    "他の県",
    "ほかの県",
    "他県",
    "他府県",
    "県外",
    "たけん",
    "けんがい",
    "another prefecture",
    "other prefecture",
    "a different prefecture",
)
_COUNTY_NAME = re.compile(r"^.+?郡.+[町村]$")
_ADDRESS_HYPHEN = re.compile(r"-(?!(shi|machi|cho|mura|son|city|town)\b)")

# Stems too generic to stand for a municipality without its suffix (中央線, 国立病院, 日の出, 港).
_GENERIC_STEMS = {"中央", "国立", "日の出", "港", "北", "大島"}
# A short kana reading of a city or ward outside Tokyo (ちばし, なごやし, みなみく) is a place only as a word of its own:
# not after another kana, and followed by a particle or the end (「ちばしから」, not 「くちばし」 nor 「さがしています」);
# readings that are also everyday words are never places.
_SHORT_READING = range(3, 5)
_SHORT_READING_AFTER = re.compile(r"(から|より|に|へ|で|の|は|まで|と|や|も|在住|ざいじゅう)|\s|[、。,.!?]|$")
_SHORT_READING_WORDS = frozenset(
    {"さがし", "ならし", "やすし", "かみし", "ときし", "なかし", "しまし", "みのし", "すずし"}
)

_INTENTS: dict[Intent, re.Pattern[str]] = {
    "deadline": re.compile(r"期限|いつまで|締め?切|何日以内|deadline|by when|how long do i have|due"),
    "amount": re.compile(
        r"いくら|金額|何円|もらえる額|支給額|もらえ|受け取れ|支給され|how much|amount|can i (get|receive|claim)|eligible"
    ),
    "opens": re.compile(r"いつから|何日前から|なんにちまえから|from when|how early|earliest"),
    "documents": re.compile(
        r"何が必要|なにがひつよう|必要なもの|ひつようなもの|持ち物|もちもの|持って(いく|行く)もの|書類|what (do i|to) bring|documents?|what do i need"
    ),
    "place": re.compile(r"どこで|どこに|どこへ|窓口|where"),
    "question": re.compile(
        r"[?？]|何|なに|いつ|どこ|いくら|どう|どの|だれ|誰|教えて|おしえて|\b(how|what|when|where|which|who|can i|do i)\b"
    ),
    "online": re.compile(r"オンライン|おんらいん|ネットで|電子申請|マイナポータル|まいなぽーたる|online"),
}
# A period the resident states as the rule (「30日以内でいいですよね」, "within 14 days"); a date is not one
_CLAIM = re.compile(
    r"(?<![\d月/])(\d+)\s*(日|週間|か月|ヶ月|カ月|ヵ月|ケ月|年)\s*(?:以内|間|のうち|内)"
    r"|within\s+(\d+)\s*(days?|weeks?|months?|years?)\b"
    r"|(?<![\d/])(\d+)\s*(days?|weeks?|months?|years?)\b(?!\s*(?:ago|later|old|before|after|from now|of age))"
    r"|(?:期限|締め?切り?)(?:は|が|って|を)?\s*(\d+)\s*(日|週間|か月|ヶ月|カ月|ヵ月|ケ月|年)(?![前後])"
)


def claimed_period(text: str) -> tuple[int, Unit] | None:
    """The period the resident states as a rule, as (length, unit) with unit day/month/year, or None.

    >>> claimed_period("30日以内でいいですよね"), claimed_period("2026年11月23日に生まれました")
    ((30, 'day'), None)
    """
    m = _CLAIM.search(norm(text))
    if not m:
        return None
    n, unit = next((m.group(i), m.group(i + 1)) for i in (1, 3, 5, 7) if m.group(i))
    length = int(n)
    if unit.startswith(("週", "week")):
        return length * 7, "day"
    kind: Unit = (
        "day" if unit.startswith(("日", "day")) else "year" if unit.startswith(("年", "year")) else "month"
    )
    return length, kind


_ARRIVED = re.compile(
    r"来日|日本に\s*(来|き)|にほんに\s*(き|来)|(日本|にほん)に\s*(引っ越|引越|ひっこ|移住|いじゅう|移り住)|入国|上陸|arrived in japan|moved to japan|came to japan|new to japan|just arrived"
    # the residence card is handed over at the airport on landing (空港, 成田, 羽田)
    r"|(在留(カード|かーど)|ざいりゅうかーど|residence card)[^。.]{0,30}?(空港|くうこう|成田|羽田|airport|narita|haneda)"
    r"|(空港|くうこう|airport)[^。.]{0,20}?(在留(カード|かーど)|ざいりゅうかーど|residence card)"
)
# the residence card received (「在留カードをもらって、12月2日から中野区に」): a foreign resident settling in has arrived;
# apart from _ARRIVED, whose matches also mark the airport named with the card as no place
_CARD_RECEIVED = re.compile(
    r"(在留(カード|かーど)|ざいりゅうかーど)\s*(を|が)?\s*(もらっ|受け取っ|うけとっ|交付され|こうふされ)"
    r"|(got|received|was (given|issued)) (my|a|our) residence cards?"
)
# "I'm from Nepal. I arrived on 2 December": arrived, said by a foreign national with no other event (a baby's
# "arrived" is a birth, so the bare word alone never starts the arrival)
_ARRIVED_BARE = re.compile(
    r"\b(i|we) (just |recently )?arrived\b|\bi'?ve (just )?arrived\b"
    r"|\b(i|we) (just |recently )?(came|moved) to japan\b|\b(i|we) (entered|landed in) japan\b"
)
_LEAVING = re.compile(
    r"日本を\s*(出|離れ|はなれ|去)|にほんを\s*(で|はなれ)|出国(し|する|します|予定)|しゅっこく"
    # 「もう日本には戻りません」: not coming back (after 帰国して, which alone reads as a return)
    r"|(日本|にほん)(に|へ)\s*(は)?\s*(もう)?\s*(戻|もど|帰|かえ)(りません|らない|るつもりはない)"
    r"|(母国|本国|自分の国|じぶんのくに)に\s*(帰|かえ|戻|もど)"
    r"|leav(e|ing) japan|mov(e|ing) (out of japan|abroad|overseas)|(posted|transferred|relocating) (abroad|overseas)"
    r"|(going|moving|returning|heading) (back )?(to my )?(home country|back to my country|home for good)"
)
_RETURN_HOME = re.compile(r"帰国|きこく")
_BACK = re.compile(r"戻|もど|帰|かえ[っりる]|\b(back|return(ed|ing)?)\b")
_RETURNED = re.compile(r"(帰国|きこく)\s*(し(まし)?た|して|済)|から\s*(帰国|きこく)")
_LIVES_NOW = re.compile(
    r"((今|いま|現在|げんざい)\s*(は|も)?[\s、,]*[^。.!?！？]{0,16}?)?((住んで|すんで|暮らして|くらして)\s*(い|お)(ます|る)"
    r"|在住(です)?)|\b(currently|now) (live|living|based|in)\b|\b(i|we) (live|are living) in [a-z\- ]+( now| at the moment)?"
)
# a member of the family said to be a Japanese national (the nationality fact itself stays the resident's)
# both of a baby's parents told (as foreign, with a foreign nationality said): 「夫婦とも」「夫もベトナム人」「父親も
# タイ国籍」「私たちはネパール人の夫婦です」, "we are both", "my husband and I are …"
_BOTH_PARENTS = re.compile(
    r"(夫婦|ふうふ|両親|りょうしん|父母|ふぼ|二人|ふたり)\s*(とも|ともに|共に)|(人|籍|じん|せき)\s*の?\s*(夫婦|ふうふ)"
    r"|(夫|妻|主人|旦那|父親|母親|パートナー|おっと|つま|ちちおや|ははおや)\s*も[^。.!?]{0,12}?(人|籍|じん|せき)"
    r"|\b(are|were) both\b|\bboth (of us )?(are|were)\b|\bwe(?:'re| are) (?:an? )?[a-z]+ (?:nationals|citizens|couple)\b"
)
BOTH_PARENTS_FOREIGN = "both_parents_foreign"  # facts.yaml: no parent of the baby is Japanese (国籍法2条1号)
_JAPANESE_FAMILY = re.compile(
    r"\b(wife|husband|spouse|partner|mother|father|mom|mum|dad|one of us)\s*(is|was|'s)\s+(a\s+)?japanese\b"
    r"|\bjapanese (wife|husband|spouse|partner|mother|father|mom|mum|dad)\b"
    r"|(夫|妻|主人|旦那|嫁|父|母|おっと|つま)(は|が)\s*(日本人|日本国籍|にほんじん|にほんこくせき)"
    r"|(日本人|日本国籍|にほんじん)の\s*(夫|妻|主人|旦那|父|母|おっと|つま|ちち|はは)"
)
_CAME = re.compile(r"来|き(ま|た)|越|こし|移|うつ|転居|転勤|moved|came|relocated")
_SKIP_WORD = (
    r"(スキップ|すきっぷ|わからない|分からない|わかりません|分かりません|わかんない|分かんない|知らない|しらない"
    r"|知りません|しりません|不明|答えたくない|skip|i don.t know|don.t know|not sure|unsure|no idea|pass)"
)
# words around "I don't know" that say nothing more: 「ちょっとわからないです」「よくわかりません」 "I'm not sure"
_SKIP_BEFORE = r"((ちょっと|よく|まだ|うーん|えーと|えっと|ごめんなさい|すみません|sorry|hmm|um|honestly|i'?m|i am|we'?re|we are)[\s,、…]*)*"
_SKIP_AFTER = r"(\s*(です|ですね|ですが|ね|なあ|なぁ|yet|really|sorry))*"
_SKIP = re.compile(
    rf"^{_SKIP_BEFORE}{_SKIP_WORD}(\s*[・/／]\s*{_SKIP_WORD})?{_SKIP_AFTER}[\s。.!！…]*$"
)  # also the label 「わからない・スキップ」
# "no idea, my husband handles that": "I don't know" first, then words that give nothing else (dialogue decides)
_UNSURE_LEAD = re.compile(rf"^{_SKIP_BEFORE}{_SKIP_WORD}\s*[,、。.!！…]")
_COPULA_END = re.compile(r"\s*(です|でした|ですね|だよ|だ|です よ)?\s*[。.!！]*$")
_KANJI_NUMERAL = re.compile(r"[一二三四五六七八九十百]+")
_NEW_TOPIC = re.compile(r"それと|あと|ほかに|他に|それから|also|another thing|and also")
_YES = re.compile(r"^(はい|うん|ええ|そうです|あります|ある|持っています|もっています|yes|yeah|yep|i do)")
_NO = re.compile(
    r"^(いいえ|いや|ううん|ありません|ない|いない|いません|なし|持っていません|もっていません|違い|ちがい|違う|ちがう"
    r"|no|nope|none|nobody|no one|i don.t)"
)

# A yes/no question answered with its verb (「持ってます」「飼ってません」「変わります」「もらってなかったです」) or in
# English words ("we do", "of course", "she didn't"): only verbs, auxiliaries, particles and adverbs, no noun
_ANSWER_POS = frozenset({"動詞", "助動詞", "助詞", "副詞", "形容詞", "感動詞", "補助記号", "空白", "接続詞"})
_JA_NEGATION = re.compile(r"ない|ません|なかった|なく|ず|ぬ")
# a request, a wish or not knowing is no yes/no answer (「ちょっと待ってください」「わかりません」)
_JA_NOT_ANSWER = re.compile(
    r"ください|下さい|くれ|ちょうだい|ましょう|たい|ほしい|待って|まって|わから|分から|わかり|分かり|わかん|分かん|知ら|知り|しら|しり"
)
_EN_YES_WORDS = re.compile(
    r"^(sure|of course|correct|right|that's right|definitely|absolutely|i think so|probably"
    r"|(i|we|he|she|they) (do|did|does|have|has|had|am|are|is|was|were|will)\b(?!\s*(not|n't)))"
)
_EN_NO_WORDS = re.compile(
    r"^(not really|never|no way|i don't think so"
    r"|(i|we|he|she|they) (don't|didn't|doesn't|do not|did not|does not|haven't|hasn't|hadn't|have not|has not"
    r"|am not|aren't|isn't|wasn't|weren't|won't|are not|is not|was not|were not))"
)


def predicate_answer(text: str) -> bool | None:
    """A yes/no answer said with the question's verb or plain English words, or None (a noun, a question).

    >>> predicate_answer("持ってます"), predicate_answer("飼ってません"), predicate_answer("国保です")
    (True, False, None)
    """
    t = norm(text).strip().rstrip("。.!！")
    if _INTENTS["question"].search(t) or _JA_NOT_ANSWER.search(t):
        return None
    if t.isascii():
        return True if _EN_YES_WORDS.match(t) else False if _EN_NO_WORDS.match(t) else None
    tokens = analyze(unicodedata.normalize("NFKC", unspaced(text)))
    if not tokens or any(pos not in _ANSWER_POS for _s, _f, pos, _sub in tokens):
        return None
    if not any(pos in ("動詞", "形容詞") for _s, _f, pos, _sub in tokens):
        return None
    return not _JA_NEGATION.search(t)


# people counted in words, read as digits for the number facts: 「ふたり」「二人」「さんにん」 -> 「2人」, "two kids" -> "2 kids"
_KANA_PEOPLE = {"ひとり": 1, "ふたり": 2, "さんにん": 3, "よにん": 4, "ごにん": 5}
_PEOPLE_WORDS = re.compile(
    rf"({'|'.join(_KANA_PEOPLE)})(?!親|おや|ぐらし|暮らし|っこ|っ子)|([{''.join(KANJI_NUM)}])人(?!親|暮らし|っ子)"
)
# an age or a count written in kanji numerals: 「八十二歳」 -> 「82歳」, 「十二人」 -> 「12人」 (one-digit counts above)
_KANJI_COUNT = re.compile(
    r"[一二三四五六七八九十百]*[十百][一二三四五六七八九十百]*(?=\s*(?:歳|才|さい|人|にん))"
)
# a one-digit age in kanji: 「三歳と一歳の子ども」 -> 「3歳と1歳の子ども」 (not 「十三歳」, read whole above)
_KANJI_AGE_DIGIT = re.compile(r"(?<![一二三四五六七八九十百何])([一二三四五六七八九])(?=\s*(?:歳|才))")
_EN_COUNT = {k: v for k, v in EN_NUM.items() if " " not in k and k not in ("a", "an")}
_EN_COUNT_WORDS = re.compile(rf"\b({'|'.join(_EN_COUNT)})\b")


_JA_GAP = re.compile(r"(?<=[\u3041-\u30ff\u4e00-\u9fff])[ \u3000]+(?=[\u3041-\u30ff\u4e00-\u9fff])")


def unspaced(text: str) -> str:
    """``text`` without the spaces between Japanese words (やさしい日本語 writes phrases apart); English keeps its
    spaces: 「まいなんばーかーど は もって います」 -> 「まいなんばーかーどはもっています」."""
    return _JA_GAP.sub("", text)


def kanji_count(word: str) -> int:
    """A number in kanji numerals up to 999: 「八十二」 -> 82, 「百」 -> 100, 「十五」 -> 15."""
    total, digit = 0, 0
    for ch in word:
        if ch in ("十", "百"):
            total += (digit or 1) * (10 if ch == "十" else 100)
            digit = 0
        else:
            digit = KANJI_NUM[ch]
    return total + digit


def counted(text: str) -> str:
    """``text`` (normalised) with people, ages and numbers said in words as digits, for the number facts.

    >>> counted("子どもは ふたり います"), counted("we have two kids"), counted("ひとり親です"), counted("母は八十二歳")
    ('子どもは 2人 います', 'we have 2 kids', 'ひとり親です', '母は82歳')
    """

    def people(m: re.Match[str]) -> str:
        return f"{_KANA_PEOPLE[m.group(1)] if m.group(1) else KANJI_NUM[m.group(2)]}人"

    text = _KANJI_COUNT.sub(lambda m: str(kanji_count(m.group())), text)
    text = _KANJI_AGE_DIGIT.sub(lambda m: str(KANJI_NUM[m.group(1)]), text)
    return _EN_COUNT_WORDS.sub(lambda m: str(_EN_COUNT[m.group(1)]), _PEOPLE_WORDS.sub(people, text))


# sentences and the clauses in them (for the date said about each event of a message)
# a humble する after a noun (誕生いたしました, 転居致します, 退職いたした): read as the plain し
_HUMBLE_SURU = re.compile(r"(?<=[一-龥])(?:いた|致)し(?=[ますたて])")
# a past state or habit (使っていました, 受けていた, 要介護でした, "was on care", "had been receiving")
_PAST_STATE = re.compile(
    r"て(い)?ました|ていた|でいました|でした$|でした。?$|\b(was|were|had been|used to)\b"
)
_SENTENCE = re.compile(r"(?<=[。．！？!?\n])|(?<=\.)\s+")
_CLAUSE = re.compile(
    r"[、，,;；]|ので|(?<=た)ため|けれど(?:も)?|けど|\b(?:because|so|and then|but)\b"
    # "married on Dec 1 and we moved … on Dec 5", "… and will move … on January 20"
    r"|\band\s+(?=(?:we|i|he|she|they|my|our|his|her|will|then|also|later)\b)"
)
# 「同じ日に引っ越しました」, "on the same day": the date of the clause before
_SAME_DAY = re.compile(r"同じ日|おなじ日|おなじひ|同日|その日|そのひ|\bthe same day\b|\bthat same day\b")


def _clause_date(at: list[int], owners: list[set[str]], dates: list[ParsedDate | None]) -> ParsedDate | None:
    """The date of the first clause in ``at`` that has one, else the nearest date in a clause that names no
    event (on a tie, the earlier clause: 「昨日、世田谷区で娘が生まれました」)."""
    for i in at:
        if dates[i] is not None:
            return dates[i]
    free = [j for j, d in enumerate(dates) if d is not None and not owners[j]]
    if not free:
        return None
    j = min(free, key=lambda j: (min(abs(j - i) for i in at), j))
    return dates[j]


@dataclass
class Mention:
    code: str  # municipality code, or OUTSIDE / ABROAD
    start: int
    end: int
    role: Role
    name: str | None = None  # a place outside Tokyo as the gazetteer names it (大阪府大阪市北区)


@dataclass
class Understanding:
    text: str
    lang: str
    events: list[str] = field(default_factory=list)
    municipality: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    date: ParsedDate | None = None
    # a message about several events: the date said about each (None: none of its own); empty: ``date`` is all's
    event_dates: dict[str, ParsedDate | None] = field(default_factory=dict)
    learned: ParsedDate | None = None  # the day the resident learned of a death (戸籍法86条 counts from it)
    funeral: ParsedDate | None = None  # the funeral's day (葬祭費 counts from it)
    facts: dict[str, Any] = field(default_factory=dict)
    intents: set[Intent] = field(default_factory=set)
    skip: bool = False
    unsure: bool = (
        False  # the message starts with "I don't know" and goes on ("no idea, my husband handles it")
    )
    new_topic: bool = False
    mentions: list[Mention] = field(default_factory=list)
    places: dict[PlaceRole, str] = field(default_factory=dict)  # role -> name of a place outside Tokyo
    japanese_family: bool = False  # someone of the family is said to be Japanese ("my wife is Japanese")
    # facts of the event's person said by the resident of themselves in a sentence of their own (「私は国民健康保険
    # です。夫は会社の健康保険でした」 in a death): the resident's, not the person's (see ``own_facts``)
    own_facts: dict[str, Any] = field(default_factory=dict)


_NEGATED = re.compile(
    r"^[^。、.,]{0,8}?(ていない|ていません|てない|ていなかった|ませんでした|ません|ない|なかった|(では|じゃ)なく|not)"
)


# 「国民健康保険に入ります」, "I will join NHI": a plan to join, not the insurance the person is in now
_JOINING_AFTER = re.compile(
    r"^\s*((と|や|・)[^。、,]{1,12}?)?(に|へ)(は)?(これから)?\s*(入ります|入る|入ろう|入りたい|はいります|はいる|加入します|加入する|加入予定|加入したい|"
    r"切り替え|切替え|きりかえ)"
)
_JOINING_BEFORE = re.compile(
    r"(join|joining|switch(ing)? to|enrol(l)?(ing)? in|sign(ing)? up for)\s+(the\s+)?([a-z ]{1,40}\s(and|&)\s+(the\s+)?)?$"
)


def _joining(word: str, text: str, i: int) -> bool:
    return bool(_JOINING_AFTER.match(text[i + len(word) :]) or _JOINING_BEFORE.search(text[:i]))


def _affirmed(word: str, text: str) -> bool:
    """``word`` occurs in ``text``, is not negated right after (年金をもらっていません) and is not only a plan to join
    (国民健康保険に入ります)."""
    start = 0
    while (i := text.find(word, start)) >= 0:
        start = i + 1
        if not _NEGATED.match(text[i + len(word) :]) and not _joining(word, text, i):
            return True
    return False


def _tense_kwargs(text: str, past: bool | None) -> dict[str, bool | None]:
    """parse_date's tense arguments: the message's own tense, else ``past`` (the event's: True told as past,
    False still to come, None unknown)."""
    if past is None or tense(text) is not None:
        return {}
    return {"past": past, "future": not past}


def _affirmed_at(word: str, text: str) -> list[int]:
    """Where ``word`` occurs affirmed in ``text`` (see :func:`_affirmed`)."""
    found, start = [], 0
    while (i := text.find(word, start)) >= 0:
        start = i + 1
        if not _NEGATED.match(text[i + len(word) :]) and not _joining(word, text, i):
            found.append(i)
    return found


# "dependent on my husband's company health insurance": the words between a head and the option qualifying it
_EN_QUALIFIED = re.compile(r"\s+(?:on|of|under|through)\s+(?:[a-z']+\s+){0,3}")


def _qualifies(t: str, word: tuple[int, int, Any], head: tuple[int, int, Any]) -> bool:
    """``word`` (start, end, value) only qualifies ``head``: 「会社の健康保険の扶養」, "dependent on … company health
    insurance"."""
    if head[0] == word[1] + 1 and t[word[1] : head[0]] == "の":
        return True
    return head[1] <= word[0] and _EN_QUALIFIED.fullmatch(t[head[1] : word[0]]) is not None


def _stated_choice(options: list[Any], t: str) -> Any:
    """The choice option ``t`` states: the first option (catalog order) found affirmed, except one that only
    qualifies another option's word through の (「夫の会社の健康保険の扶養に入ります」 states the dependant option,
    not the employee insurance it is a dependant of)."""
    spans: list[tuple[int, int, Any]] = []
    for opt in options:
        for syn in opt.synonyms:
            w = _synonym(syn)
            spans += [(i, i + len(w), opt.value) for i in _affirmed_at(w, t)] if w else []
    heads = {s for s in spans if not any(o[2] != s[2] and _qualifies(t, s, o) for o in spans)}
    for opt in options:
        if any(v == opt.value for _, _, v in heads):
            return opt.value
    return None


_FIRST_PERSON_BEFORE = re.compile(r"((私|わたし|僕|ぼく|自分|俺|おれ)(は|も)|\b(i'?m|i am))\s*$")
_FIRST_PERSON_MATCH = re.compile(r"(i'?m|i am)\b")
# a number said of a child or grandchild of the resident (「息子（20歳）」「長女は17歳」, "my son, 20"): in a message
# about someone else's event (a death, care) it is that child's age, not the person's
_CHILD_BEFORE = re.compile(
    r"(息子|むすこ|娘|むすめ|長男|長女|次男|次女|三男|三女|子ども|子供|こども|孫|まご|\b(son|daughter|grandson|"
    r"granddaughter|grandchild|kid|child))\s*(は|が|も|,)?\s*\(?\s*$"
)
# the events whose person is never the one writing: 「私は50歳」 is not the age of the person who died
NOT_THE_WRITER: Final = frozenset({"death"})
# a sentence told of a family member (its subject): 「父は定年退職したあと年金暮らしでした」
_FAMILY_SUBJECT = re.compile(
    r"^\s*(?:(?:うちの|私の|わたしの)?(父|母|夫|妻|祖父|祖母|義父|義母|主人|兄|姉|弟|妹|おやじ|おふくろ|お父さん|お母さん|"
    r"おじいさん|おばあさん|ちち|はは|おっと|つま)(?:は|が|も))|^\s*(?:my |our )?(father|mother|husband|wife|dad|"
    r"mom|mum|grandfather|grandmother|grandpa|grandma)\b"
)
# what a person's life held before they died: told of the person who died, these are not events of the resident
DECEASEDS_PAST: Final = frozenset({"retirement", "job-loss", "care", "turning-65", "turning-75"})
# a sentence the resident says of themselves (「私は国民健康保険です」, "I'm 68 and get a pension")
_OWN_SENTENCE = re.compile(
    r"^\s*((私|わたし|僕|ぼく|俺|おれ|あたし|自分)(自身)?(は|も)|(i'?m|i am|i have|i've|i get|i receive|i work)\b)"
)


def _number(patterns: list[str], t: str, *, others_only: bool, own_ok: bool = True) -> int | None:
    """The first number a fact's patterns find in ``t``; with ``others_only`` a number said of the resident
    themselves (「私は50歳」, "I'm 45") counts only when no other person's number is said (never without
    ``own_ok``), and a child's age (「息子（20歳）」) never."""
    own: int | None = None
    for p in patterns:
        for m in _pattern(p).finditer(t):
            if others_only and _CHILD_BEFORE.search(t[: m.start()]):
                continue
            first_person = _FIRST_PERSON_MATCH.match(m.group()) or _FIRST_PERSON_BEFORE.search(t[: m.start()])
            if not (others_only and first_person):
                return int(m.group(1))
            own = int(m.group(1)) if own is None or not own_ok else own
            if not others_only:
                break
    return own if own_ok else None


# the people said to remain in the household after a death, listed with と: 「家には私と息子（20歳）が残っています」
_PERSON = r"(私|わたし|僕|ぼく|妻|夫|主人|母|父|義母|義父|祖母|祖父|兄|姉|弟|妹|息子|むすこ|娘|むすめ|長男|長女|次男|次女|孫|まご)"
_AGED = r"(?:\((\d{1,3})\s*(?:歳|才|さい)\))?"
_LISTED_REMAINING = re.compile(
    rf"({_PERSON}{_AGED}(?:と{_PERSON}{_AGED})+)(?:の\d+人)?(?:が|は|で)?\s*(?:残|のこ)"
)
_CHILD_WORDS = frozenset(["息子", "むすこ", "娘", "むすめ", "長男", "長女", "次男", "次女", "孫", "まご"])
REMAINING = "household_members_remaining"  # the fact a list of the people who remain states (aged 15 or over)
# the facts several children's ages state (knowledge/data/facts.yaml): has_children is about those aged 18 or under
PERSON_AGE, HAS_CHILDREN, CHILDREN_COUNT, YOUNGEST = (
    "person_age",
    "has_children",
    "children_count",
    "youngest_child_age",
)
CHILD_AGE_LIMIT = 18


def _with_ages(text: str, today: dt.date) -> str:
    """``text`` with birth years and birthdays said as ages (bot.ages.said_ages), on the day of the event it
    tells when that is before ``today`` (the age of someone who died is the age at death); unchanged otherwise."""
    plain = unicodedata.normalize("NFKC", text)
    said = said_ages(plain, today)
    if said == plain:
        return text
    day = parse_date(said, today)
    return said_ages(plain, day.date) if day and day.date < today else said


def _blanked(t: str, spans: list[tuple[int, int]]) -> str:
    """``t`` with the ``spans`` (children's ages) blanked out: they are no other person's age."""
    for i, j in spans:
        t = t[:i] + " " * (j - i) + t[j:]
    return t


# a two-person household of the person who died and a grown-up (「母と二人暮らしでした」): one grown-up remains
_TWO_PERSON_HOUSEHOLD = re.compile(
    r"(母|父|妻|夫|祖母|祖父|私|わたし|姉|兄|弟|妹|はは|ちち|つま|おっと)と\s*(2\s*(人|にん)|二人|ふたり)\s*(暮らし|ぐらし)"
)


def remaining_members(t: str) -> int | None:
    """How many people aged 15 or over a (normalised) message lists as remaining in the household (「私と息子（20歳）
    が残っています」 -> 2, 「母と二人暮らしでした」 -> 1); None when none is listed or a child's age is not said (it
    decides the count)."""
    m = _LISTED_REMAINING.search(t)
    if m is None:
        return 1 if _TWO_PERSON_HOUSEHOLD.search(t) else None
    count = 0
    for who, age in re.findall(rf"{_PERSON}{_AGED}", m.group(1)):
        if age:
            count += int(age) >= 15
        elif who in _CHILD_WORDS:
            return None
        else:
            count += 1
    return count


def _subject(sentence: str) -> str | None:
    """The family member a (normalised) sentence is told of (「父は…」 -> 父), or None."""
    m = _FAMILY_SUBJECT.match(sentence)
    return (m.group(1) or m.group(2)) if m else None


def _whole(comp: str, spaced: str) -> bool:
    """An English synonym (in compact form) occurs as whole words: "dead" is not in "deadline" (romaji may be
    split by a space, hyphen or apostrophe: "kon'in todoke")."""
    letters = r"[\s\-'’]*".join(re.escape(c) for c in comp)
    return re.search(rf"(?<![a-z]){letters}(?![a-z])", spaced) is not None


# An event whose telling also tells another: 「ていねんで しごとを やめました」 is one retirement, not a retirement and
# a job loss (the retirement bundle carries the unemployment benefit, health insurance, pension and tax steps).
EVENT_INCLUDES: Final[dict[str, tuple[str, ...]]] = {"retirement": ("job-loss",)}
PART_GAP = 4  # at most this many characters (compact text) between the event and the words telling its part


def _told_as_part(ev: str, spans: dict[str, list[tuple[int, int]]]) -> bool:
    """``ev`` is told right after an event that includes it, as its part (定年で + 仕事を辞めた, "retired and" +
    "left my job"); told apart (会社を退職して退職金をもらった: the leaving first), it stays an event of its own."""
    ends = [d for o, sp in spans.items() if ev in EVENT_INCLUDES.get(o, ()) for c, d in sp if c >= 0]
    return any(0 <= a - d <= PART_GAP for a, _ in spans[ev] if a >= 0 for d in ends)


def _romaji_words(words: list[str]) -> list[str]:
    """The kana synonyms of an event as residents type them in romaji (かいご -> kaigo, しぼう -> shibo and
    shibou, こんいんとどけ -> konintodoke; spaces and apostrophes between the syllables are matched by
    ``_whole``). Words with a particle を (typed o or wo) and romaji under five letters are left out."""
    out: list[str] = []
    for w in words:
        if not re.fullmatch(r"[ぁ-ゖー]+", w) or "を" in w:
            continue
        for latin in {gazetteer.romaji(w), gazetteer.romaji(w, long_vowels=True)}:
            if len(latin) >= 5 and latin not in out:
                out.append(latin)
    return out


# an event's name or synonym: (compact form, Japanese content tokens, English words, content-word sequence)
_Synonym = tuple[str, frozenset[str], frozenset[str], tuple[str, ...]]


_LIGHT_VERBS = frozenset({"する", "為る"})
_FUNCTION = ("助動詞", "助詞")


def _inflectable(word: str) -> tuple[str, ...]:
    """The words of a synonym up to its last verb or adjective, the part an inflection changes (父が亡くなった ->
    父 が 亡くなる); empty when it ends in no such word (a noun is matched as written)."""
    nfkc = unicodedata.normalize("NFKC", word)
    words = word_spans(word)
    if (
        not words
        or words[0][1] in _FUNCTION
        or any(pos not in _FUNCTION and b - a == 1 and not has_kanji(nfkc[a:b]) for _, pos, a, b in words)
    ):
        return ()  # kana the analyser split into odd pieces (ていねん -> て + 居る): matched as written only
    forms = [(f, pos) for f, pos, _, _ in words]
    while forms and (forms[-1][1] in _FUNCTION or forms[-1][0] in _LIGHT_VERBS):
        forms.pop()  # 退職した is the noun 退職, found as written
    return tuple(f for f, _ in forms) if forms and forms[-1][1] in ("動詞", "形容詞") else ()


def _flat_words(text: str) -> tuple[tuple[str, int, int], ...]:
    """(normalised form, start, end) of each word of ``text``, offsets into ``compact(text)``."""
    nfkc = unicodedata.normalize("NFKC", text)
    return tuple((f, len(compact(nfkc[:a])), len(compact(nfkc[:b]))) for f, _, a, b in word_spans(text))


def _word_starts(seq: tuple[tuple[str, int, int], ...]) -> dict[str, list[int]]:
    """Where each word form of ``seq`` occurs (positions in order), so that a synonym is looked up, not scanned."""
    at: dict[str, list[int]] = {}
    for k, (form, _, _) in enumerate(seq):
        at.setdefault(form, []).append(k)
    return at


def _inflected(
    lemmas: tuple[str, ...], seq: tuple[tuple[str, int, int], ...], at: dict[str, list[int]]
) -> tuple[int, int] | None:
    """The span of ``seq`` (a message's words) where the words ``lemmas`` follow one another, the last one in
    any inflection (父が亡くなり for 父が亡くなった, 仕事を辞めました for 仕事を辞めた), or None. ``at``:
    :func:`_word_starts` of ``seq``; the first such place in ``seq`` wins."""
    n = len(lemmas)
    for k in at.get(lemmas[0], ()) if n else ():
        if k + n <= len(seq) and all(seq[k + j][0] == lemmas[j] for j in range(1, n)):
            return seq[k][1], seq[k + n - 1][2]
    return None


_PAST = re.compile(r"(た|だ|ました)$")
_NON_PAST_AFTER = re.compile(r"^(ます(?!た)|ません|そう|たい|予定|よてい)")


def _tense_differs(comp: str, flat: str, span: tuple[int, int]) -> bool:
    """A synonym in the past (生まれた) found inflected in the non-past (来年生まれます, 亡くなる前に): another
    statement (a plan, not the event)."""
    return bool(_PAST.search(comp)) and bool(
        _NON_PAST_AFTER.match(flat[span[1] :]) or flat[span[1] - 1] in "うくぐすつぬぶむる"
    )


def _latin_letter(ch: str) -> bool:
    """A letter of the Latin script ('' and kana or kanji are not: they end a romaji word)."""
    return ch.isascii() and ch.isalpha()


def _one_edit(a: str, b: str) -> bool:
    """True when ``a`` and ``b`` differ by exactly one substitution, insertion or deletion."""
    if a == b or abs(len(a) - len(b)) > 1:
        return False
    if len(a) == len(b):
        return sum(x != y for x, y in zip(a, b, strict=True)) == 1
    short, long = (a, b) if len(a) < len(b) else (b, a)
    return any(long[:i] + long[i + 1 :] == short for i in range(len(long)))


def _strip_accents(s: str) -> str:
    """Drop accents from Latin letters (Hachiōji -> Hachioji); kana keep their (han)dakuten (で stays で)."""
    out: list[str] = []
    for ch in unicodedata.normalize("NFD", s):
        if unicodedata.combining(ch) and out and out[-1].isascii():
            continue
        out.append(ch)
    return unicodedata.normalize("NFC", "".join(out))


def _outside_label(group: str, kanji: str) -> str:
    """How a place of bot/data/places.yaml is named in a reply: a prefecture with its suffix (千葉県, 大阪府), a
    city with its prefecture (神奈川県川崎市) when the gazetteer knows it."""
    if group == "prefectures":
        return kanji if kanji == "北海道" else kanji + ("府" if kanji in ("大阪", "京都") else "県")
    found = {p.label for p in gazetteer.lookup(kanji + "市") if not p.tokyo}
    return found.pop() if len(found) == 1 else kanji


@lru_cache(maxsize=1024)
def _pattern(catalog_pattern: str) -> re.Pattern[str]:
    """A fact's pattern from the catalog in ``norm`` form, compiled once (not looked up in re's cache per turn)."""
    return re.compile(norm(catalog_pattern))


def _arrival_is_the_move(u: Understanding) -> None:
    """Arriving from abroad told as both a foreign resident settling in and a move (「ネパールから きました。12月3日に
    日本に きました」) is one arrival: the date said for either is the other's too. When the message tells nothing
    else, a date no clause of either holds is the arrival's (「ベトナムから来日しました。12月20日から足立区に住んで
    います」: living there since the 20th)."""
    if u.move_from != ABROAD or not {"moving", "foreign-resident"} <= set(u.events):
        return
    said = u.event_dates.get("foreign-resident") or u.event_dates.get("moving")
    if said is None and set(u.events) == {"moving", "foreign-resident"}:
        said = u.date
    if said is not None:
        u.event_dates["moving"] = u.event_dates["foreign-resident"] = said


def _alone(t: str, i: int, j: int) -> bool:
    """``t[i:j]`` stands as a word: no kana letter before it and a particle, a space or the end after it."""
    return not (i > 0 and "\u3041" <= t[i - 1] <= "\u309f") and bool(_SHORT_READING_AFTER.match(t, j))


@lru_cache(maxsize=4096)
def _synonym(catalog_word: str) -> str:
    """A choice option's synonym from the catalog in the form messages are read in (``norm``, no spaces between
    Japanese words), computed once per synonym, not per turn."""
    return unspaced(norm(catalog_word))


class Understander:
    """Built once per catalog; ``parse`` is pure and fast (a few ms)."""

    def __init__(self, catalog: Catalog | None = None) -> None:
        self.catalog = catalog or default_catalog()
        self._labels: dict[str, str] = {}  # surface -> name, for places outside Tokyo
        self._romaji: set[str] = (
            set()
        )  # romaji generated from the gazetteer (not inside a hyphenated address)
        self._katakana_only: set[str] = set()  # short country names matched only when written in katakana
        self._short_kana: set[str] = set()  # short readings outside Tokyo, matched only as a word (see above)
        self._prefectures: dict[str, str] = {"東京": "東京", "tokyo": "東京", "とうきょう": "東京"}  # -> stem
        self._lexicon = self._build_lexicon()
        # by first character, each entry with its rank in the order _place_hits tries them (longest first, then
        # by surface): a message's candidates are sorted by that number, not by a key computed per message
        self._by_char: dict[str, list[tuple[int, tuple[str, str, bool]]]] = {}
        for rank, entry in enumerate(sorted(self._lexicon, key=lambda e: (-len(e[0]), e[0]))):
            self._by_char.setdefault(entry[0][0], []).append((rank, entry))
        self._event_syn = self._build_event_synonyms()

    # ---- vocabulary -----------------------------------------------------------------------------------------
    def _build_lexicon(self) -> list[tuple[str, str, bool]]:
        """(surface in norm() form, code, is_latin), longest first."""
        lex: dict[str, str] = {}

        def add(surface: str, code: str) -> None:
            key = norm(_strip_accents(surface))
            if key and key not in lex:
                lex[key] = code

        for m in self.catalog.municipalities.values():
            add(m.name, m.code)
            add(m.kana, m.code)
            stem = m.name[:-1]
            if len(stem) >= 2 and stem not in _GENERIC_STEMS:
                add(stem, m.code)
            kana_stem = m.kana[:-1] if m.kana[-1:] in "くしちょうそん" else m.kana
            for suf in ("ちょう", "そん", "むら", "まち"):
                if m.kana.endswith(suf):
                    kana_stem = m.kana[: -len(suf)]
            if len(kana_stem) >= 3:
                add(kana_stem, m.code)
            add(m.en, m.code)
            add(m.short_en, m.code)
            add(m.short_en + ("-ku" if m.kind == "ward" else "-shi" if m.kind == "city" else ""), m.code)
        for word in _OUTSIDE_WORDS:
            add(word, OUTSIDE)  # 「東京都外」: outside Tokyo, no place named
        for word in _TOKYO_WORDS:
            add(word, TOKYO)  # 東京都 is not 京都, とうきょうと is not きょうと
        for surface, found in gazetteer.surfaces().items():  # every other municipality in Japan
            outside = [p for p in found if not p.tokyo]
            key = norm(surface)
            if not outside or key in lex or (surface.isascii() or len(surface) < 2):
                continue
            if surface == outside[0].kana and len(surface) < 5:
                continue  # short readings are too often parts of other words
            lex[key] = OUTSIDE
            labels = {p.label for p in outside}
            self._labels[key] = labels.pop() if len(labels) == 1 else surface
        self._add_short_readings(lex)
        places = yaml.safe_load(PLACES.read_text(encoding="utf-8"))
        for group, code in (("prefectures", OUTSIDE), ("cities", OUTSIDE), ("abroad", ABROAD)):
            for kanji, kana, latin in places[group]:
                if group == "prefectures":
                    for surface in (kanji, kana, latin):
                        self._prefectures[norm(surface)] = kanji
                    suffix = "" if kanji == "北海道" else "ふ" if kanji in ("大阪", "京都") else "けん"
                    add(kana + suffix, code)  # 「ちばけん」: a short reading is safe with its suffix
                    self._labels.setdefault(norm(kana + suffix), _outside_label(group, kanji))
                if code == OUTSIDE:
                    label = _outside_label(group, kanji)
                    for surface in (kanji, kana, latin):
                        self._labels.setdefault(norm(surface), label)
                add(kanji, code)
                if re.fullmatch(r"[ァ-ヶー]{1,3}", kanji):
                    self._katakana_only.add(norm(kanji))  # タイ is a country, 「したい」 is not
                if len(kana) >= 4:
                    add(kana, code)
                add(latin, code)
        self._add_romaji(lex)
        return sorted(((k, c, k.isascii()) for k, c in lex.items()), key=lambda x: -len(x[0]))

    def _add_short_readings(self, lex: dict[str, str]) -> None:
        """Cities and wards outside Tokyo by a short kana reading (ちばし, なごやし), matched only as a word."""
        labels: dict[str, set[str]] = {}
        for p in gazetteer.places():
            key = norm(p.kana)
            if not p.tokyo and len(key) in _SHORT_READING and key[-1:] in "しく":
                labels.setdefault(key, set()).add(p.label)
        for key, found in labels.items():
            if key in lex or key in _SHORT_READING_WORDS:
                continue
            lex[key] = OUTSIDE
            self._short_kana.add(key)
            self._labels[key] = found.pop() if len(found) == 1 else key

    def _add_romaji(self, lex: dict[str, str]) -> None:
        """Every other city, town and village of Japan in romaji as residents type it (Funabashi, Kamakura), from
        its gazetteer reading; six letters at least, so that short English words are not read as places."""
        labels: dict[str, set[str]] = {}
        for p in gazetteer.places():
            if p.tokyo or "区" in p.name or p.name[-1:] not in "市町村":
                continue
            kana = p.kana.split("ぐん", 1)[1] if _COUNTY_NAME.match(p.name) and "ぐん" in p.kana else p.kana
            kana = re.sub(r"(し|まち|ちょう|むら|そん)$", "", kana)
            latin = gazetteer.romaji(kana)
            if len(latin) >= 6 and latin not in lex:
                labels.setdefault(latin, set()).add(p.label)
        for latin, found in labels.items():  # looked up word by word in _place_hits, not scanned for
            self._romaji.add(latin)
            self._labels[latin] = found.pop() if len(found) == 1 else latin.capitalize()

    def _build_event_synonyms(self) -> dict[str, list[_Synonym]]:
        """Per event: (compact form, Japanese content tokens, English words, content-word sequence) of every name
        and synonym."""
        out: dict[str, list[_Synonym]] = {}
        for ev in self.catalog.events.values():
            words = [*ev.synonyms.ja, ev.name.ja, *(x for x in (ev.name.easy,) if x)]
            empty: frozenset[str] = frozenset()
            entries = [(compact(w), content_tokens(w), empty, _inflectable(w)) for w in words]
            for w in [*ev.synonyms.en, *(x for x in (ev.name.en,) if x), *_romaji_words(ev.synonyms.ja)]:
                entries.append((compact(w), frozenset(), en_words(w), ()))
            out[ev.id] = [e for e in entries if e[0]]
        return out

    # ---- parts ----------------------------------------------------------------------------------------------
    def _without_deceaseds_past(self, text: str, events: list[str]) -> list[str]:
        """``events`` less those told, in a message about a death, in the past of the person who died: a sentence
        whose subject is a family member (「父は定年退職したあと年金暮らしでした。12月3日に亡くなりました」) when
        the death is told of that member, or of no one named. A retirement told of someone else stays."""
        if "death" not in events or not DECEASEDS_PAST & set(events):
            return events
        sentences = [norm(x) for x in _SENTENCE.split(text) if x.strip()]
        deaths = [x for x in sentences if "death" in self.detect_events(x)]
        died = {_subject(x) for x in deaths}
        dropped: set[str] = set()
        theirs: set[int] = set()  # sentences told of the person who died
        for i, x in enumerate(sentences):
            who = _subject(x)
            # no subject, told as a past state right after the death (「母が亡くなりました。介護保険を使っていました」)
            follows = who is None and i > 0 and sentences[i - 1] in deaths and bool(_PAST_STATE.search(x))
            if not follows and (who is None or not told_as_past(x) or not (who in died or None in died)):
                continue
            theirs.add(i)
            dropped |= DECEASEDS_PAST & set(self.detect_events(x))
        kept = {
            ev
            for i, x in enumerate(sentences)
            if _subject(x) is None and i not in theirs
            for ev in self.detect_events(x)
        } - {"death"}
        return [ev for ev in events if ev not in dropped - kept]

    def detect_events(self, text: str) -> list[str]:
        """Events whose name or synonym appears (as a string, or all its content words) in ``text``, humble verb
        forms read plain (誕生いたしました as 誕生しました, 退職致しました as 退職しました).

        A match that lies inside a longer match of another event yields to it (定年退職 is retirement, not the
        退職 of job loss).
        """
        text = _HUMBLE_SURU.sub("し", text)
        flat = compact(text)
        spaced = norm(text)
        toks = content_tokens(text)
        words = en_words(text)
        seq = _flat_words(text)
        at = _word_starts(seq)
        found: dict[str, tuple[float, list[tuple[int, int]]]] = {}
        for ev_id, entries in self._event_syn.items():
            best, spans = 0.0, []
            for comp, jtoks, etoks, lemmas in entries:
                if len(comp) >= 2 and (i := flat.find(comp)) >= 0 and (not etoks or _whole(comp, spaced)):
                    best = max(best, 1.0 + len(comp) / 100)
                    spans.append((i, i + len(comp)))
                elif (
                    len(comp) >= 2
                    and lemmas
                    and (span := _inflected(lemmas, seq, at))
                    and not _tense_differs(comp, flat, span)
                ):
                    # 亡くなり for 亡くなった: the synonym as written, as long as the words it spans
                    best = max(best, 1.0 + (span[1] - span[0]) / 100)
                    spans.append(span)
                elif jtoks and len(jtoks) >= 2 and jtoks <= toks:
                    best = max(best, 0.9 + len(jtoks) / 100)
                    spans.append((-1, -1))  # token match: no span, never yields
                elif etoks and etoks <= words:
                    best = max(best, 0.9 + len(etoks) / 100)
                    spans.append((-1, -1))
            if best:
                found[ev_id] = (best, spans)

        def yields(ev: str) -> bool:
            return all(
                a >= 0
                and any(
                    o != ev and c <= a and b <= d and (d - c) > (b - a)
                    for o, (_, other) in found.items()
                    for c, d in other
                )
                for a, b in found[ev][1]
            )

        kept = [ev for ev in found if not yields(ev)]
        kept = [ev for ev in kept if not _told_as_part(ev, {o: found[o][1] for o in kept})]
        strong = [ev for ev in kept if any(a >= 0 for a, _ in found[ev][1])]
        if (
            strong
        ):  # a match of all the words of a synonym is weak evidence next to a synonym found as written
            kept = strong
        order = list(self._event_syn)
        return sorted(kept, key=lambda ev: (-found[ev][0], order.index(ev)))

    def _fuzzy_places(self, t: str) -> list[Mention]:
        """One-character typos of municipality names: 練間区 for 練馬区, setagya for Setagaya (unique matches only)."""
        found: list[Mention] = []
        for m in re.finditer(r"[一-龥々ヶ]{1,4}[区市町村]|[a-z]{6,}", t):
            word = m.group(0)
            hits = {
                code
                for surface, code, latin in self._lexicon
                if code not in (OUTSIDE, ABROAD)
                and latin == word.isascii()
                and (len(surface) >= 6 if latin else surface[-1:] == word[-1:])
                and _one_edit(surface, word)
            }
            if len(hits) == 1:
                found.append(Mention(hits.pop(), m.start(), m.end(), self._role(t, m.start(), m.end())))
        return found

    def find_places(self, text: str) -> list[Mention]:
        """Municipalities and places outside Tokyo named in ``text`` (nationality words such as 外国籍 excluded)."""
        return [m for m in self._place_hits(text) if m.role not in _NOT_PLACES]

    def _place_hits(self, text: str) -> list[Mention]:
        """Every place word, a country used as a nationality (ベトナム人, 外国籍, がいこくじん) with role NATIONALITY."""
        t = norm(_strip_accents(text))
        script = unicodedata.normalize("NFKC", _strip_accents(text)).lower()  # t before katakana -> hiragana
        taken = [False] * len(t)
        found: list[Mention] = []
        chars = set(t)
        candidates = sorted(x for c in chars for x in self._by_char.get(c, ()))
        for _rank, (surface, code, latin) in candidates:
            start = 0
            while (i := t.find(surface, start)) >= 0:
                start = i + 1
                j = i + len(surface)
                if any(taken[i:j]):
                    continue
                if latin and (_latin_letter(t[i - 1 : i]) or _latin_letter(t[j : j + 1])):
                    continue  # a part of a longer word; 「shibuyaで」: kana beside a romaji name is a boundary
                if _STATION_AFTER.match(t, j):
                    continue  # 渋谷駅 is a station, not 渋谷区
                if surface in self._katakana_only and not re.fullmatch(r"[ァ-ヶー]+", script[i:j]):
                    continue
                if surface in self._short_kana and not _alone(t, i, j):
                    continue
                for k in range(i, j):
                    taken[k] = True
                if code == TOKYO:
                    continue  # Tokyo itself: not a municipality, and no part of it is another place
                if code == ABROAD and _ORIGIN_AFTER.match(t, j):
                    continue
                national = code == ABROAD and (_NATIONAL.match(t, j) or _NATIONAL_BEFORE.search(t[:i]))
                role = NATIONALITY if national else self._role(t, i, j)
                found.append(Mention(code, i, j, role, self._labels.get(surface)))
        found += self._romaji_places(t, taken)
        if not any(m.code not in (OUTSIDE, ABROAD) for m in found):
            found += [m for m in self._fuzzy_places(t) if not any(taken[m.start : m.end])]
        found.sort(key=lambda m: m.start)
        return self._bracketed_prefectures(t, found)

    def _romaji_places(self, t: str, taken: list[bool]) -> list[Mention]:
        """Municipalities outside Tokyo written in romaji (Funabashi); not inside a hyphenated address
        (Minami-Aoyama is in Minato) nor a station's name."""
        found: list[Mention] = []
        for m in re.finditer(r"[a-z]{6,}", t):
            i, j = m.span()
            if m.group() not in self._romaji or any(taken[i:j]) or t[i - 1 : i] == "-":
                continue
            if _ADDRESS_HYPHEN.match(t, j) or _STATION_AFTER.match(t, j):
                continue
            taken[i:j] = [True] * (j - i)
            found.append(Mention(OUTSIDE, i, j, self._role(t, i, j), self._labels.get(m.group())))
        return found

    def _bracketed_prefectures(self, t: str, found: list[Mention]) -> list[Mention]:
        """「府中市(広島)」: a Tokyo name followed by another prefecture in brackets is that prefecture's
        municipality (広島県府中市), outside Tokyo; the bracketed prefecture is not a place of its own."""
        out: list[Mention] = []
        drop: set[int] = set()
        for m in found:
            muni = self.catalog.municipalities.get(m.code)
            b = _BRACKETED.match(t, m.end) if muni else None
            inner = b.group(1).strip() if b else ""
            pref = self._prefectures.get(inner) or self._prefectures.get(
                re.sub(r"(県|府|都|けん|ふ|と)$", "", inner)
            )
            there = self._elsewhere(muni.name, pref) if muni and pref else None
            if muni and inner and there is None and (city := self._labels.get(norm(inner))):
                # 「中央区(札幌)」: a designated city in brackets names its ward (北海道札幌市中央区)
                there = next((p.label for p in gazetteer.lookup(city + muni.name) if not p.tokyo), None)
            if b is None or there is None:
                out.append(m)
                continue
            drop.add(b.start(1))
            out.append(Mention(OUTSIDE, m.start, b.end(), self._role(t, m.start, b.end()), there))
        return self._prefecture_beside([m for m in out if m.start not in drop], t)

    def _prefecture_of(self, t: str, m: Mention) -> str | None:
        """The prefecture stem (広島) when the mention ``m`` names a prefecture (広島, 広島県, hiroshima)."""
        if m.code != OUTSIDE:
            return None
        surface = t[m.start : m.end]
        return self._prefectures.get(surface) or self._prefectures.get(
            re.sub(r"(県|府|都|けん|ふ)$", "", surface)
        )

    def _beside(self, t: str, near: Mention, name: str) -> str | None:
        """The municipality ``name`` in the prefecture or designated city ``near`` names (広島 + 府中市, 札幌市 +
        中央区: 北海道札幌市中央区), outside Tokyo; None when there is none of that name."""
        if pref := self._prefecture_of(t, near):
            return self._elsewhere(name, pref)
        if near.code == OUTSIDE and near.name:
            found = [p for p in gazetteer.lookup(near.name + name) if not p.tokyo]
            return found[0].label if found else None
        return None

    def _prefecture_beside(self, found: list[Mention], t: str) -> list[Mention]:
        """「広島の府中市」, "Kita Ward in Osaka": a Tokyo name with another prefecture right before (の) or after it
        (in) is that prefecture's municipality when one of that name exists there, outside Tokyo; the prefecture
        is not a place of its own."""
        out = list(found)
        for k, m in enumerate(found):
            muni = self.catalog.municipalities.get(m.code)
            if muni is None:
                continue
            for n, gap, span in (
                (k - 1, _PREF_BEFORE, (found[k - 1].end, m.start) if k else None),
                (k + 1, _PREF_AFTER, (m.end, found[k + 1].start) if k + 1 < len(found) else None),
            ):
                there = (
                    self._beside(t, found[n], muni.name) if span and gap.match(t[span[0] : span[1]]) else None
                )
                if there:
                    lo, hi = min(m.start, found[n].start), max(m.end, found[n].end)
                    out[k] = Mention(OUTSIDE, m.start, m.end, self._role(t, lo, hi), there)
                    out[n] = Mention(TOKYO, found[n].start, found[n].end, found[n].role, None)
                    break
        return [m for m in out if m.code != TOKYO]

    @staticmethod
    def _elsewhere(name: str, prefecture: str) -> str | None:
        """The label of the municipality ``name`` in ``prefecture`` (a stem: 広島), when it is not in Tokyo."""
        for suffix in _PREF_SUFFIXES:
            found = [p for p in gazetteer.lookup(prefecture + suffix + name) if not p.tokyo]
            if found:
                return found[0].label
        # a ward of a designated city (大阪 + 北区: 大阪市北区), the city named like the prefecture first
        wards = [
            p
            for p in gazetteer.places()
            if p.prefecture.startswith(prefecture) and not p.tokyo and p.name.endswith("市" + name)
        ]
        wards.sort(key=lambda p: not p.name.startswith(prefecture))
        return wards[0].label if wards else None

    @staticmethod
    def _role(t: str, i: int, j: int) -> Role:
        after = t[j : j + 14].lstrip(" 　")
        before = t[max(0, i - 12) : i]
        bare = re.sub(r"^(区|市|町|村|都|府|県|道)", "", after)
        if _PERSON_LIVES.match(bare):
            return "here"  # 「大阪市に住む父が亡くなりました」: where the person lives
        if _WORK_AFTER.match(bare.lstrip()) or _WORK_BEFORE.search(before):
            return WORK
        after = re.sub(
            r"^(区|市|町|村|都|府|県|道|city|ward|-ku|-shi|く|し|ちょう|まち|むら|そん|けん)", "", after
        ).lstrip()
        if not after.isascii():
            after = re.sub(r"\s+", "", after)  # "せたがやくに すんでいます"
            if _PERSON_LIVES.match(after):
                return "here"  # 「ちばけんに すむ ははに」
        if re.match(r"(内|の中|のなか)", after) or re.search(r"within\s*$", before):
            return "within"
        if re.match(r"(から|より|→|->|⇒|=>|>)", after) or re.search(
            r"(from|out of|leaving|leave)(\s+the)?\s*$", before
        ):
            return "from"  # 「杉並区→中野区」: the place before an arrow is the origin
        if re.match(r"(に|で)?(住んで|すんで|在住|暮らして|くらして)", after) or re.search(
            r"(live|living) in\s*$", before
        ):
            return "here"
        wide = t[max(0, i - 40) : i]
        if (
            re.search(r"(→|->|⇒|=>|>)\s*$", before)
            or re.search(r"(来月|来週|来年|らいげつ|らいしゅう|\d+\s*日|\d+\s*月)\s*から\s*$", before)
            or re.search(r"\b(leaving|leave|left)\s+\S+(\s+\S+)?\s+for\s*$", wide)
        ):
            return "to"  # 「…→中野区」, 「来月から中野区です」 (a date's から), "leaving Nakano for Yokohama"
        if re.match(r"(へ|に)", after) or re.search(r"(to|into)(\s+the)?\s*$", before):
            return "to"
        return "here"

    def parse_facts(
        self, text: str, about_other: frozenset[str] = frozenset(), not_own: frozenset[str] = frozenset()
    ) -> dict[str, Any]:
        """The facts ``text`` states; a fact in ``about_other`` describes someone other than the resident (the
        age of the person who died or needs care), so the resident's own 「私は50歳」 / "I'm 45" yields to it (and
        is not that person's at all for a fact in ``not_own``: the person who died is not the one writing)."""
        t = unspaced(norm(text))
        numbers = counted(t)  # people and numbers said in words, as digits (for the int facts)
        kids = child_ages(numbers)
        out: dict[str, Any] = {}
        for fact in self.catalog.facts.values():
            if fact.type == "choice":
                if (value := _stated_choice(fact.options, t)) is not None:
                    out[fact.id] = value
            elif fact.type == "bool":
                if any(_pattern(p).search(t) for p in fact.says_no):
                    out[fact.id] = False
                elif any(_pattern(p).search(t) for p in fact.says_yes):
                    out[fact.id] = True
            elif fact.type == "int" and any(_pattern(p).search(t) for p in fact.zero):
                out[fact.id] = 0
            elif (
                fact.type == "int"
                and (
                    n := _number(
                        fact.number,
                        _blanked(numbers, kids.spans) if fact.id == PERSON_AGE else numbers,
                        others_only=fact.id in about_other,
                        own_ok=fact.id not in not_own,
                    )
                )
                is not None
            ):
                out[fact.id] = n
        listed = remaining_members(numbers) if REMAINING in self.catalog.facts else None
        if listed is not None and REMAINING not in out:
            out[REMAINING] = listed
        return self._children_facts(out, kids.ages)

    def _children_facts(self, out: dict[str, Any], ages: list[int]) -> dict[str, Any]:
        """The facts several children's ages state (「5歳と2歳と0歳の子」): children aged 18 or under in the
        household, how many, and the youngest one's age (each only when the catalog has the fact)."""
        young = [a for a in ages if a <= CHILD_AGE_LIMIT]
        if not young:
            return out
        said = {HAS_CHILDREN: True, CHILDREN_COUNT: len(young), YOUNGEST: min(ages)}
        for fact, value in said.items():
            if fact in self.catalog.facts and (fact == YOUNGEST or out.get(fact) is None):
                out[fact] = value
        return out

    def own_facts(
        self, facts: dict[str, Any], text: str, others: frozenset[str], not_own: frozenset[str]
    ) -> dict[str, Any]:
        """The facts of another person's event (``others``) the resident says of themselves in sentences of their
        own: 「私は国民健康保険です。夫は会社の健康保険に入っていました」 in a death (the insurance of the person
        who died is the employee one). They are taken out of ``facts`` (in place; the other sentences' value
        stays) when the person cannot be the one writing (``not_own``) or the other sentences say it too."""
        sentences = [x for x in _SENTENCE.split(text) if x.strip()]
        mine = [x for x in sentences if _OWN_SENTENCE.match(norm(x))]
        if not others or not mine or len(mine) == len(sentences):
            return {}
        theirs = self.parse_facts(" ".join(x for x in sentences if x not in mine), others, not_own)
        said = self.parse_facts(" ".join(mine))
        own = {k: v for k, v in said.items() if k in others and (k in not_own or k in theirs)}
        for k in own:
            if k in theirs:
                facts[k] = theirs[k]
            else:
                facts.pop(k, None)
        return own

    def fact_phrases(self, text: str, only: str | None = None, *, yes_no: bool = False) -> list[str]:
        """The words in ``text`` that state a choice fact's value (「後期高齢者医療制度」), longest first; with
        ``yes_no`` also those stating a yes/no fact ("I'm a single mother")."""
        t = norm(text)
        found: set[str] = set()
        for fact in self.catalog.facts.values():
            if yes_no and fact.type == "bool" and not (only and fact.id != only):
                found.update(
                    m.group() for p in (*fact.says_yes, *fact.says_no) if (m := _pattern(p).search(t))
                )
            if fact.type != "choice" or (only and fact.id != only):
                continue
            for opt in fact.options:
                # the words that only answer the question count when the message answers it (``only``)
                for label in (opt.ja, opt.en, opt.easy, *opt.synonyms, *(opt.answers if only else ())):
                    w = norm(label or "")
                    if len(w) >= 2 and w in t:
                        found.add(w)
        return sorted(found, key=len, reverse=True)

    def bool_phrases(self, text: str) -> list[str]:
        """The words in ``text`` that state a yes/no fact (「ひとり親です」 -> 「ひとり親」), longest first."""
        t = norm(text)
        found = {
            m.group()
            for fact in self.catalog.facts.values()
            if fact.type == "bool"
            for p in (*fact.says_yes, *fact.says_no)
            if (m := _pattern(p).search(t)) and compact(m.group())
        }
        return sorted(found, key=len, reverse=True)

    def procedure_phrases(self, text: str) -> list[str]:
        """Names of catalog procedures in ``text`` (出生届, 児童扶養手当, birth registration), longest first.

        In a conversation already about a life event, an event word inside a procedure's name is a question about
        that procedure, not a new event (「出生届はどうしますか」 while arranging a death).
        """
        t = norm(text)
        return sorted({w for w in self._procedure_names if w in t}, key=len, reverse=True)

    @cached_property
    def _procedure_names(self) -> frozenset[str]:
        names: set[str] = set()
        for p in self.catalog.procedures.values():
            for title in (p.title.ja, p.title.en or ""):
                head = norm(title.split("（")[0].split(" (")[0]).strip()
                if len(head) >= (6 if head.isascii() else 3):
                    names.add(head)
        return frozenset(names)

    @staticmethod
    def without(text: str, phrases: list[str]) -> str:
        t = norm(text)
        for w in phrases:
            t = t.replace(w, " ")
        return t

    def parse_answer(self, fact_id: str, text: str, today: dt.date, *, past: bool | None = None) -> Any:
        """The value ``text`` gives for the pending question ``fact_id``, or None if it doesn't answer it; a date
        answer without a tense of its own is read in the tense the event was told in (``past``, see
        :func:`bot.dates.parse_date`)."""
        fact = self.catalog.facts.get(fact_id)
        if fact is None:
            return None
        t = norm(strip_readings(text)).strip()  # an easy quick-reply label may come back with its readings
        if fact.type in ("municipality",):
            places = self.find_places(text)
            return places[0].code if places else None
        if fact.type == "date":
            # 「3日です」: a bare day said as the answer (the copula after it is no part of the date)
            kw = _tense_kwargs(text, past)
            return parse_date(text, today, **kw) or parse_date(_COPULA_END.sub("", t), today, **kw)
        if fact.type == "choice":
            value = self._choice(fact.options, unspaced(t))
            if (
                value is None
                and fact_id == "nationality"
                and any(m.code == ABROAD for m in self._place_hits(text))
            ):
                value = "foreign"  # 「韓国です」 to 「国籍は日本ですか？」: another country
            return value
        if fact.type == "bool":
            parsed = self.parse_facts(text).get(fact_id)
            if parsed is not None:
                return parsed
            if _NO.match(t):
                return False
            if _YES.match(t):
                return True
            return predicate_answer(t)
        if fact.type == "int":
            # 「八十二です」: a number in kanji numerals when no digit is said
            numbers = counted(t)
            if m := re.search(r"\d+", numbers) or _KANJI_NUMERAL.search(numbers):
                return int(m.group(0)) if m.group(0).isdigit() else kanji_count(m.group(0))
            return None
        return None

    @staticmethod
    def _choice(options: list[Any], t: str) -> Any:
        """The option ``t`` names: one of its labels exactly ("From abroad"), else the longest label it contains
        affirmed ("abroad" lies inside "from abroad" and loses to it), else the option a plain yes / no stands for
        (「はい」 to 「国籍は日本ですか？」)."""
        labels = [
            (unspaced(norm(x)), o.value)
            for o in options
            # the easy label also as the widget sends it back, without its bracketed part (strip_readings)
            for x in (o.value, o.ja, o.en, o.easy, strip_readings(o.easy or ""), *o.synonyms, *o.answers)
            if x
        ]
        exact = [value for label, value in labels if label == t]
        if exact:
            return exact[0]
        found = [(len(label), value) for label, value in labels if label and _affirmed(label, t)]
        if found:
            return max(found, key=lambda x: x[0])[1]
        said = "no" if _NO.match(t) else "yes" if _YES.match(t) else None
        return next((o.value for o in options if said and o.yes_no == said), None)

    @cached_property
    def _foreign_national(self) -> re.Pattern[str]:
        """An English statement of a foreign nationality: "I'm Vietnamese", "a Chinese national", "citizen of
        Brazil" (the demonyms of bot/data/places.yaml; any "X national/citizen" but Japanese)."""
        words = yaml.safe_load(PLACES.read_text(encoding="utf-8"))["demonyms"]
        names = "|".join(sorted((re.escape(w) for w in words), key=len, reverse=True))
        return re.compile(
            rf"\b(?:i'?m|i am|we'?re|we are|(?:he|she) (?:is|was)|(?:he|she)'s|(?:are|were) both"
            rf"|(?:wife|husband|spouse|partner) (?:is|was))\s+(?:an? )?"
            rf"(?:{names})\b|\b(?!japanese\b)[a-z]+ (?:national|citizen)\b(?! (?:health|pension|insurance))"
            rf"|\bcitizen of (?!japan\b)[a-z]+|\b(?:{names}) (?:passport|nationality)\b"
        )

    def _foreign_nationality(self, text: str) -> bool:
        return self._foreign_national.search(text) is not None

    # ---- whole message --------------------------------------------------------------------------------------
    def parse(self, text: str, today: dt.date, lang: str | None = None) -> Understanding:
        u = Understanding(text=text, lang=lang or ("en" if is_english(text) else "ja"))
        text = _with_ages(text, today)
        t = norm(text).strip()
        u.skip = bool(_SKIP.match(t))
        u.unsure = u.skip or bool(_UNSURE_LEAD.match(t))
        u.new_topic = bool(_NEW_TOPIC.search(t))
        u.intents = {name for name, pat in _INTENTS.items() if pat.search(t)}
        if claimed_period(text):
            u.intents.add("claim")
        u.events = self._without_deceaseds_past(text, self.detect_events(text))
        tn = norm(_strip_accents(text))
        landed = [
            a.span() for a in _ARRIVED.finditer(tn)
        ]  # "residence card at Narita": the airport, no place
        hits = [h for h in self._place_hits(text) if not any(a <= h.start and h.end <= b for a, b in landed)]
        u.mentions = [m for m in hits if m.role not in _NOT_PLACES]
        if (
            self._foreign_nationality(tn)
            or _GOING_HOME.search(tn)
            or any(
                m.role == NATIONALITY
                or (
                    m.code == ABROAD
                    and (_FROM_COUNTRY.search(tn[: m.start]) or _BACK_TO_COUNTRY.search(tn[: m.start]))
                )
                for m in hits
            )
        ):
            u.facts.setdefault("nationality", "foreign")  # 「ベトナム人です」: a foreign national
        u.date = parse_date(text, today)
        if not u.events or "death" in u.events:
            self._death_dates(u, text, today)
        others = frozenset(f for ev in u.events for f in EVENT_PERSON_FACTS.get(ev, ()))
        not_own = frozenset(
            f for ev in u.events if ev in NOT_THE_WRITER for f in EVENT_PERSON_FACTS.get(ev, ())
        )
        u.facts = {**u.facts, **self.parse_facts(text, others, not_own)}
        u.own_facts = self.own_facts(u.facts, text, others, not_own)
        u.japanese_family = u.facts.get("nationality") == "japanese" or bool(_JAPANESE_FAMILY.search(tn))
        if u.facts.get("nationality") == "foreign" and not u.japanese_family and _BOTH_PARENTS.search(tn):
            u.facts.setdefault(BOTH_PARENTS_FOREIGN, True)  # a foreign nationality said of both parents
        if not u.events and u.facts.get("nationality") == "foreign" and _ARRIVED_BARE.search(tn):
            u.events.append("foreign-resident")  # "I'm from Nepal. I arrived on 2 December"
        self._move_ends(u, t)
        tokyo = [m.code for m in u.mentions if m.code not in (OUTSIDE, ABROAD)]
        if u.move_to and u.move_to not in (OUTSIDE, ABROAD):
            u.municipality = u.move_to
        elif u.move_from and u.move_from not in (OUTSIDE, ABROAD):
            u.municipality = u.move_from
        elif tokyo:
            u.municipality = tokyo[0]
        elif "moving" not in u.events and any(m.code == OUTSIDE and m.role == "here" for m in u.mentions):
            u.municipality = OUTSIDE  # "川崎市で生まれました": the resident lives outside Tokyo
        self._outside_names(u)
        u.event_dates = self.event_dates(text, u.events, today)
        _arrival_is_the_move(u)
        return u

    @staticmethod
    def _death_dates(u: Understanding, text: str, today: dt.date) -> None:
        """The day the death became known and the funeral's day, read apart from the death's own date
        (「11月20日に亡くなったと12月3日に知りました」, 「葬儀は11月25日でした」)."""
        rest = text
        if learned := learned_date(rest, today):
            u.learned, rest = learned.date, learned.rest
        if funeral := funeral_date(rest, today):
            u.funeral, rest = funeral.date, funeral.rest
        if rest is not text:
            u.date = parse_date(rest, today)

    # ---- several events, each with its own date ----------------------------------------------------------
    def event_dates(self, text: str, events: list[str], today: dt.date) -> dict[str, ParsedDate | None]:
        """In a message about several events, the date said about each: the date in the clause that names the
        event, else the nearest date of its sentence that no other event's clause holds, else None (「3日前に父が
        亡くなりました。来月1日に引っ越します」: the death 3 days ago, the move on the 1st; 「父が亡くなり、来月
        引っ越します」: the month is the move's, the death has no date). An event no clause names (a move read
        from the places alone) is left out: the message's date stands for it. Empty for one event or none."""
        if len(events) < 2:
            return {}
        out: dict[str, ParsedDate | None] = {}
        for sentence in _SENTENCE.split(text):
            clauses = [c for c in _CLAUSE.split(sentence) if c.strip()]
            if not clauses:
                continue
            past = told_as_past(sentence)
            owners = [self._clause_events(c, events) for c in clauses]
            dates = [parse_date(c, today, past=past) for c in clauses]
            for i in range(1, len(clauses)):
                if dates[i] is None and _SAME_DAY.search(norm(clauses[i])):
                    dates[i] = next((d for d in reversed(dates[:i]) if d is not None), None)
            for ev in events:
                at = [i for i, own in enumerate(owners) if ev in own]
                if at and out.get(ev) is None:
                    out[ev] = _clause_date(at, owners, dates)
        return out

    def _clause_events(self, clause: str, events: list[str]) -> set[str]:
        """The events of ``events`` a clause names (a move also by the ends it names: 「世田谷区から中野区へ」)."""
        named = set(self.detect_events(clause)) & set(events)
        if "moving" in events and any(m.role in ("from", "to") for m in self._place_hits(clause)):
            named.add("moving")
        return named

    @staticmethod
    def _outside_names(u: Understanding) -> None:
        """Names of the places outside Tokyo, by role (here / from / to)."""
        for m in u.mentions:
            if m.code == OUTSIDE and m.name:
                u.places.setdefault(m.role if m.role in ("from", "to") else "here", m.name)
        for end in (
            "from",
            "to",
        ):  # 「横浜市在住です。来月、品川区に引っ越します」: the place lived in is the origin
            if getattr(u, f"move_{end}") == OUTSIDE and end not in u.places and "here" in u.places:
                u.places[end] = u.places.pop("here")

    def _move_ends(self, u: Understanding, t: str) -> None:
        """The two ends of a move (and the move and arrival events they imply) from the places' roles."""
        froms = [m.code for m in u.mentions if m.role == "from"]
        tos = [m.code for m in u.mentions if m.role == "to"]
        heres = [m.code for m in u.mentions if m.role == "here"]
        within = [m.code for m in u.mentions if m.role == "within"]
        if within and not (froms or tos):
            froms, tos = within[:1], within[:1]
        heres += [c for c in within if c not in heres]
        # a foreign resident settling in (留学生) is a foreign national: their 帰国 is leaving Japan
        foreign = u.facts.get("nationality") == "foreign" or "foreign-resident" in u.events
        if _RETURN_HOME.search(t) and not (froms or tos):
            # 帰国: a foreign national going home leaves Japan; anyone else comes back from abroad
            going = foreign and (not _RETURNED.search(t) or bool(_LEAVING.search(t)))
            (tos if going else froms).append(ABROAD)
        if _LEAVING.search(t) and not tos:
            tos = [ABROAD]  # 「日本を離れます」, "leaving Japan": a move abroad from where they live
        if (
            not (froms or tos)
            and "moving" in u.events
            and ABROAD in heres
            and any(c != ABROAD for c in heres)
        ):
            # 「来月15日に海外赴任します。目黒区」: 海外 and where they live, no direction word: a posting abroad
            # goes there (coming back says so: 戻りました, back)
            (froms if _BACK.search(t) else tos).append(ABROAD)
        if tos == [ABROAD] and (foreign or _LEAVING.search(t)) and "moving" in self.catalog.events:
            # a foreigner leaving Japan is not settling in Tokyo: the move abroad is the event (a 留学生 going home
            # stays a foreign national once the event that said so is gone)
            if foreign:
                u.facts.setdefault("nationality", "foreign")
            u.events = [*(ev for ev in u.events if ev not in ("foreign-resident", "moving")), "moving"]
        if froms and heres and not (tos or u.events) and _CAME.search(t) and "moving" in self.catalog.events:
            tos = heres[:1]  # 「神奈川県から来ました。今は町田市に住んでいます」: a move from there to here
            u.events.append("moving")
        if tos and not u.events and "moving" in self.catalog.events:
            u.events.append("moving")  # "来月から杉並区に住む": a destination is a move
        arrival = {"moving", "foreign-resident"} & set(u.events)
        if (
            arrival and froms and not tos and heres
        ):  # "from Vietnam … live in Hachioji": moved from there to here
            tos = heres[:1]
        if "moving" in u.events or (froms and tos) or (arrival and (froms or tos)):
            # where they live: a Tokyo municipality before a word such as 海外 (「海外赴任で…中央区に住んでいます」)
            here = next((c for c in heres if c not in (OUTSIDE, ABROAD)), heres[0]) if heres else None
            u.move_from = froms[0] if froms else (here if tos else None)
            u.move_to = tos[0] if tos else (here if froms else None)
            if not (u.move_from or u.move_to) and here:
                # 「来月引っ越します。いまは中野区に住んでいます」: where they live now is the origin of a move yet to
                # come; after a move (or said without "now") it is the destination
                now_origin = _LIVES_NOW.search(t) and not told_as_past(_LIVES_NOW.sub(" ", t))
                u.move_from, u.move_to = (here, None) if now_origin else (None, here)
            if "moving" not in u.events and u.move_from and u.move_to:
                u.events.append("moving")
        if (
            u.move_from == ABROAD
            and u.facts.get("nationality") == "foreign"
            and "foreign-resident" in self.catalog.events
            and "foreign-resident" not in u.events
        ):
            u.events.append("foreign-resident")
        if (
            "foreign-resident" in u.events
            and u.move_from is None
            and (_ARRIVED.search(t) or _CARD_RECEIVED.search(t) or _ARRIVED_BARE.search(t))
        ):
            u.move_from = ABROAD  # 「来日しました」: arrived from abroad, not from somewhere in Japan
            if heres and not u.move_to:
                # where they live now, not the country they came from said without "from" (「フィリピンの…」)
                u.move_to = next((c for c in heres if c != ABROAD), heres[0])
