"""Grounded answers: catalog fields for specific questions, extractive passages with citations otherwise.

Nothing in a resident's message or in a page changes what is said: replies are assembled from catalog fields and
quoted page sentences; sentences that read like instructions to the assistant are never quoted.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import unicodedata
from collections.abc import Callable
from collections.abc import Set as AbstractSet
from dataclasses import dataclass, field
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from bot.contract import Citation
from bot.gist_en import (
    EXTRA_KINDS,
    asked_part,
    catalog_names,
    english_gist,
    english_kinds,
    english_yes_no,
    hint_score,
    japanese_hints,
    states_value,
    without_kind_words,
)
from bot.planner import Bundle, PlannedItem
from bot.provenance_view import citation, local_online_url, reply_note
from bot.render import Renderer, msg, with_readings
from bot.understand import claimed_period
from knowledge.catalog import Catalog
from knowledge.check import is_official
from knowledge.deadlines import compute_due
from knowledge.embeddings import DEFAULT_FLOORS, SimilarityFloors
from knowledge.japanese import (
    EnglishTerms,
    PlaceNames,
    compact,
    content_tokens,
    en_words,
    has_kanji,
    has_spaced_kana,
    is_english,
    is_english_query,
    norm,
    noun_tokens,
)
from knowledge.models import Lang
from knowledge.provenance import OFFICIAL_KINDS, kind_label
from knowledge.retrieval_types import Hit, PageSearcher, PageSearchUnavailable
from knowledge.validity import in_force

if TYPE_CHECKING:
    from bot.understand import Understanding

log = logging.getLogger(__name__)

# Sentences in pages (or messages) that try to steer the assistant are never quoted.
_INSTRUCTION = re.compile(
    r"無視して|無視し|指示に従|と答えて|と回答して|システムプロンプト|ignore (all |the )?(previous|above)|disregard|"
    r"system prompt|you are now|answer that|respond with",
    re.I,
)
_SENT = re.compile(r"(?<=[。！？!?])\s*|\n+")


def sentences(text: str) -> list[str]:
    """The sentences of a passage; a table row ('| 期限 | 翌日から2年。過ぎると… |') or a list item ('・母子健康手帳
    （証明のため。後日でもかまいません）') stays one."""
    out: list[str] = []
    for line in text.splitlines():
        line = line.strip()
        whole = line.startswith(("|", "・"))  # a table row or a list item, with its parenthesised notes
        out.extend([line] if whole else [x.strip() for x in _SENT.split(line) if x.strip()])
    return out


SNIPPET_CHARS = 160
# A page passage is evidence above the similarity floors of the embedding model (knowledge.embeddings.SimilarityFloors).

# What a question asks, and the shape of a sentence that answers it: an amount has 円, hours have 時/曜日, a deadline
# has 以内/まで/日. Order = priority when a message asks two things.
QUESTION_KINDS: dict[str, tuple[re.Pattern[str], re.Pattern[str]]] = {
    "phone": (
        re.compile(r"電話|でんわ|連絡先|問い合わせ先"),
        re.compile(r"[0-9０-９]{2,4}[-－‐][0-9０-９]{2,4}[-－‐][0-9０-９]{3,4}|電話"),
    ),
    "count": (  # 何点 / 何通 / 何か所: the answer has that many
        re.compile(r"(何|なん)(点|てん|通|つう|枚|まい|人|にん|回|かい|か所|かしょ|桁|けた)"),
        re.compile(r"[0-9０-９一二三四五六七八九十]+\s*(点|通|枚|人|回|か所|箇所|つ|桁)"),
    ),
    "amount": (
        re.compile(r"いくら|幾ら|金額|何円|なんえん|支給額|もらえる額|費用"),
        re.compile(r"[0-9０-９][0-9０-９,，]*\s*(万)?円|無料|自己負担"),
    ),
    "hours": (
        re.compile(r"何時|なんじ|何曜|なんよう|曜日|時間帯|じかんたい|開いて|あいて|開庁|受付時間|営業"),
        re.compile(r"[0-9０-９]+時|曜日|開庁|午前|午後"),
    ),
    "deadline": (
        re.compile(r"期限|いつまで|締め?切|しめきり|何日以内|何日まで|なんにち|どのくらい|どれくらい"),
        re.compile(
            r"以内|まで|期限|[0-9０-９]+\s*(営業日|日|か月|ヶ月|カ月|年間|年以内|週間)|から[0-9０-９]+\s*年"
        ),
    ),
    # いつの日付で受理 / 届出日はいつに: the day that counts
    "date": (
        re.compile(
            r"いつ(に|の|から|付)|日付|届出日|何日に|なんにちに|いつ\s*(確認|かくにん|審査|しんさ|受理|じゅり|振り?込|ふりこ|届|とど|支給|しきゅう)"
        ),
        # …になってから来てください / 以降: the condition or day from which it can be done (いつから)
        re.compile(r"日(付)?(に|で|と|が)|さかのぼ|当日|翌|受け取った日|収受|届出日|になってから|以降"),
    ),
    "penalty": (
        re.compile(
            r"過ぎ|遅れ|おくれ|間に合わ|まにあわ|罰|過料|忘れ|わすれ|持って(いけ|行け|こられ|来られ)ない"
        ),
        re.compile(r"過料|罰|遅れ|過ぎ|翌月分|減り|さかのぼ|後日|後で|あとで|あらためて|改めて"),
    ),
    "documents": (
        re.compile(
            r"何が必要|なにがひつよう|必要なもの|ひつようなもの|必要書類|持ち物|もちもの|持って(いく|行く)|書類|"
            r"要りますか|いりますか|何を(送|持|用意|提出)|"
            r"もって(いく|いき|いけ|くる|き)|(なに|何)を(おく|もっ|ようい|ていしゅつ)",  # a kana question asks the same
            re.I,
        ),
        # (何を送りますか: what is enclosed in the envelope, 返信用封筒を同封してください)
        re.compile(
            r"必要なもの|持ち物|持って|証明書|確認書類|通帳|印鑑|カード|被保険者証|申請書|同封|添付して"
        ),
    ),
    "place": (
        re.compile(
            r"どこ|送り先|送付先|宛先|あてさき|(窓口|まどぐち)(は|を)?(どこ|教えて|知りたい)|"
            r"(何|なん)(番|ばん)の?(窓口|まどぐち)|(窓口|まどぐち)は(何|なん)(番|ばん)",
            re.I,
        ),
        re.compile(
            r"窓口|課|係|センター|出張所|区役所|市役所|役場|庁舎|[0-9０-９]+(階|番)|(申請|届出|提出|送付|勤め|勤務)先|"
            r"職場|本籍地|所在地|大使館|領事館|在外公館|宛先|送り先|〒|出産した(施設|病院)"
        ),
    ),
    "apply": (
        re.compile(
            r"申請方法|申し込み方|申込方法|どうやって|どうすれば|どのように|手続き方法|オンライン|郵送|電子申請|ネットで"
        ),
        re.compile(r"オンライン|電子申請|郵送|窓口|申請|提出|届け出|マイナポータル"),
    ),
    "eligibility": (
        re.compile(r"対象|誰が|だれが|受けられますか|利用できますか|条件|何歳|なんさい|歳まで"),
        re.compile(r"対象|方|人|場合|歳|以上|未満|世帯"),
    ),
    # 出せますか / いいですか / 必要ですか: the answer says can or cannot, needed or not
    "yesno": (
        re.compile(
            r"(でき|出せ|だせ|出|で|要り|いり|もらえ|使え|受け取れ|やってい|開いてい)ますか|いいですか|必要ですか|必要(は|が)ありますか"
        ),
        re.compile(r"でき(ます|ません|ない)|不可|不要|必要|可能|受け付け|受付|ません|だけ|限り"),
    ),
}
# What residents say -> the word official pages use for it.
_PAGE_WORDS = {
    "海外": "国外",
    "外国": "国外",
    "コピー": "写し",
    "母子手帳": "母子健康手帳",
    "ネット": "オンライン",
    "郵便": "郵送",  # ゆうびんで おくる
}
QUESTION_KINDS.update(EXTRA_KINDS)  # English questions (bot.gist_en): a phone number asked
# 電話したいです。番号を教えて / でんわ ばんごうは: the number asked apart from the word 電話
QUESTION_KINDS["phone"] = (
    re.compile(QUESTION_KINDS["phone"][0].pattern + r"|(電話|でんわ).{0,16}(番号|ばんごう)"),
    QUESTION_KINDS["phone"][1],
)
# 何曜日が混みますか / なんようび: the weekdays asked before the hours (English: bot.gist_en)
QUESTION_KINDS["weekday"] = (re.compile(r"何曜|なんよう"), QUESTION_KINDS["weekday"][1])
# 'which days are busiest' asks the weekdays before the hours (bot.gist_en)
_ORDER = [k for k in QUESTION_KINDS if k != "weekday"]
_ORDER.insert(_ORDER.index("hours"), "weekday")
QUESTION_KINDS = {k: QUESTION_KINDS[k] for k in _ORDER}
# A quoted sentence is a full sentence: it ends like one (。/です/ます) and is long enough to carry an answer.
_FULL_SENTENCE = re.compile(r"(です|ます|した|ません|ください|ない|る|だけ)[)）]?。?$")


def _asking(text: str) -> str:
    """The sentences of a message that ask (end with か / ？ or name a question word), or the whole message: in
    「立川市に すんで います。 子どもが 生まれました。 しゅっしょうとどけは 何日までに 出しますか。」 the words asked
    are those of the last sentence, not 住む of the first."""
    parts = [x for x in re.split(r"(?<=[。！？!?])\s*", text) if x.strip()]
    asks = [
        x
        for x in parts
        if re.search(r"(か|の|\?|？)[。]?$|何|なに|なん|いつ|どこ|どう|いくら|だれ|誰", x.strip())
    ]
    return " ".join(asks) if asks and len(parts) > 1 else text


# What a row's label or a section heading names (「| 届出人 | 父または母 |」, 【送り先】〒189-…): the page's own name for
# the kind of answer the line gives. A line so labelled answers that kind of question before a sentence that only
# shares the question's topic words (転出届を郵送などで出せば… for 転出届の送り先は).
_LABELS: dict[str, re.Pattern[str]] = {
    "place": re.compile(r"(届出|提出|申請|請求|送付|届け)(先|地|窓口|場所)|送り先|宛先|場所|窓口|どこ"),
    "deadline": re.compile(r"期間|期限|時期|いつまで|時効"),
    "documents": re.compile(r"必要なもの|持ち物|持って(くる|いく)もの|必要書類|提出する書類|書類"),
    "eligibility": re.compile(r"届出人|申請者|請求者|申請人|対象|(でき|受け取れ|受けられ)る方|だれ|誰"),
    "amount": re.compile(r"額|金額"),
    "hours": re.compile(r"時間|日時|曜日|開庁"),
    "phone": re.compile(r"問い合わせ|電話|連絡先"),
    "apply": re.compile(r"方法|出し方|申請の仕方"),
}


# Kinds whose answer states a value a pattern recognises (bot.gist_en.states_value): a place, a clock time, yen, a
# phone number
_VALUED = frozenset({"place", "hours", "amount", "phone"})


def _labels(sent: str, above: str) -> list[str]:
    """The labels a line stands under: a table row's first cell, and the 【heading】 above it (without 【】)."""
    cells = [c.strip() for c in sent.strip("| ").split("|")] if sent.startswith("|") else []
    return [x for x in (cells[0] if len(cells) > 1 else "", above.strip("【】")) if x]


# A label naming the kind asked weighs as two of the question's words: it picks the line within a page, not the page
LABEL_NAMED = 8


def names_kind(sent: str, kinds: list[str], above: str = "") -> bool:
    """The line's label names the first kind asked (届出人 for だれが, 送り先 / 届ける場所 for どこ): the label is
    that name (届ける場所, 受付の場所と時間), not a phrase using its word (窓口に来て届けるとき)."""
    pattern = _LABELS.get(kinds[0]) if kinds else None
    return pattern is not None and any(
        re.search(f"(?:{pattern.pattern})(?=$|[と・、（(])", label) for label in _labels(sent, above)
    )


def label_weight(sent: str, kinds: list[str], words: AbstractSet[str], above: str = "") -> int:
    """How much a line says it gives the first kind of answer asked: its label names that kind, it states that
    kind's value (〒…, a clock time, yen, a document needed), and the heading it stands under has the question's
    words (a little: every line of the section has them; a table row's own label is its text, counted already)."""
    if not kinds:
        return 0
    named = names_kind(sent, kinds, above)
    # (an item of the list a 必要なもの heading stands over is a document to bring)
    item = named and kinds[0] == "documents" and sent.startswith("・")
    weight = 4 if _states(kinds[0], sent) or item else 0
    if named:
        # more when the question writes the label's own name (送り先は？ over 【送り先】)
        pattern, labels = _LABELS[kinds[0]], " ".join(_labels(sent, above))
        weight += LABEL_NAMED + (4 if any(w in labels and pattern.search(w) for w in words) else 0)
    return weight + 2 * len(words & content_tokens(above.strip("【】")))


def _states(kind: str, sent: str) -> bool:
    """``sent`` states the value of ``kind`` (bot.gist_en.states_value); for hours a day of the week is one too
    (第2・第4日曜日も開庁しています answers 日曜日も開いていますか), for a place a section named as where it is done
    (子育て応援課（…）で行います, 子育て推進課へ送ってください, 住んでいる市区町村に申請します)."""
    return (
        states_value(kind, sent)
        or (kind == "hours" and bool(re.search(r"[月火水木金土日]曜", sent)))
        or (kind == "place" and bool(re.search(r"([課係](（[^）]*）)?|[市区]{2}町村)(で|へ|に)", sent)))
    )


# A sentence that opens with the case it is about: 「未納があるときは」「外国で生まれた場合は」
_CASE = re.compile(r"^・?(.{2,40}?)(とき|場合)(は|には|でも)、?")


def _whole_list(item: str, text: str) -> str:
    """The list ``item`` (「・亡くなった方の保険証」) stands in, its items joined (「亡くなった方の保険証、会葬礼状…」),
    when it fits a quote; else ``item`` (another line, or a list too long to quote whole)."""
    if not item.startswith("・"):
        return item
    blocks: list[list[str]] = [[]]
    for line in text.splitlines():
        if line.strip().startswith("・"):
            blocks[-1].append(line.strip())
        elif blocks[-1]:
            blocks.append([])
    items = next((b for b in blocks if item in b), [item])
    joined = "、".join(x.lstrip("・").rstrip("。") for x in items)
    return joined if len(items) > 1 and len(joined) <= SNIPPET_CHARS else item


def _day_named(sent: str, asked: str) -> int:
    """A line naming the day of the week the question names (| 区民課 | 第1・第3・第5土曜日 午前9時… | for 土曜日も
    申しこめますか) answers before one about other days (| 国保給付係 | 月曜日から金曜日 … |)."""
    days = set(re.findall(r"[月火水木金土日]曜", asked))
    return 4 if days and days & set(re.findall(r"[月火水木金土日]曜", sent)) else 0


def _with_yes_no_heading(item: str, above: str) -> str:
    """A list item quoted for a yes/no question with the heading that says yes or no for it (【支給されないとき】子どもが
    里親に委託されているとき。): the item alone states a case, not the answer."""
    if not item.startswith("・") or not above or _YES_NO_MARK.search(item) or not _YES_NO_MARK.search(above):
        return item
    return f"{above}{item.lstrip('・')}"


def _says_more(new_words: frozenset[str]) -> bool:
    """True when words a sentence adds to the question's include one with content: a kanji or katakana word of
    two or more characters that is not a generic one (必要, 場合, ほか…)."""
    return any(
        len(w) >= 2
        and re.search(r"[一-龥々ァ-ヶ]", w)
        and w not in _GENERIC_QUOTE_NOUNS
        and w not in GENERIC_NOUNS
        for w in new_words
    )


# A question word that asks a time or a day (not 開庁 / 開いている, which may only name the topic)
_ASKS_CLOCK = re.compile(r"何時|なんじ|what time|until when", re.I)
_ASKS_TIME = re.compile(r"何時|なんじ|何曜|なんよう|時間|いつ|what time|hours|which days?", re.I)


# A day of the week or a closed day named as the case asked about (日曜日のときは, 土曜日だったら), not as hours asked
_DAY_AS_CASE = re.compile(
    r"(曜日|ようび|土日|どにち|休日|祝日|閉庁日|(休み|やすみ)の\s*(日|ひ))\s*(の|に|が)?\s*"
    r"(とき|場合|ばあい|なら|だったら|にあたる)"
)


# 「何をすればいいですか」 / 'what do I need to do?': the question a bundle answers, not one a page's sentence does
_WHAT_TO_DO = re.compile(
    r"(何|なに)を\s*(すれば|したら|しなければ|しないと|する(の|べき))|どう\s*(すれば|したら)|"
    r"(どんな|どういう|何の|なんの)\s*(手続き|てつづき)|(手続き|てつづき)(は|を)?\s*(何|なに|教えて|おしえて|ご教示|知りたい)|"
    r"(何|なに)を\s*(出せば|出したら|だせば|届け出れば|とどけでれば)|"
    r"\bwhat (do|should|must) (i|we) (need to |have to )?(do|file|submit|register)\b|"
    r"\bwhat (needs|has) to be (done|filed|submitted)\b|\bwhat (are )?the (next )?steps\b|"
    r"\bwhat procedures\b|\bwhere do (i|we) start\b|\bwhat now\b",
    re.I,
)


def asks_what_to_do(text: str) -> str | None:
    """The sentence of ``text`` that asks what to do about its event as a whole (the bundle is its answer), if any:
    'What do I need to do?' of 'Our baby was born … . What do I need to do?'."""
    for sentence in re.split(r"(?<=[。．？！?!\n])|(?<=\.)\s", text):
        if _WHAT_TO_DO.search(sentence):
            return sentence
    return None


def question_kinds(text: str) -> list[str]:
    """What ``text`` asks (amount, hours, deadline, penalty, documents, place, apply, eligibility, else yes/no),
    by priority."""
    t = norm(text)
    if not is_english(text):  # やさしい日本語 spaces its phrases: 何を 送りますか asks as 何を送りますか does
        t = t + " " + re.sub(r"\s+", "", t)
    kinds = [k for k, (ask, _) in QUESTION_KINDS.items() if ask.search(t)]
    if is_english(text):  # 'on a Saturday' asks hours, 'can I mail it' how to apply (bot.gist_en)
        more = set(english_kinds(text)) - set(kinds)
        kinds = [k for k in QUESTION_KINDS if k in kinds or k in more]
    if len(kinds) > 1 and "yesno" in kinds:
        kinds.remove("yesno")  # 何時まで開いていますか asks the hours, not yes or no
    if "weekday" in kinds and "hours" in kinds and _ASKS_CLOCK.search(t):
        kinds.remove("weekday")  # 何曜日の何時まで開いていますか asks the hours, which name the days
    if "penalty" in kinds and "deadline" in kinds:
        kinds.remove("deadline")  # 期限を過ぎたら？ asks what happens after the deadline
    if "hours" in kinds and "deadline" in kinds and _DAY_AS_CASE.search(t) and not _ASKS_TIME.search(t):
        kinds.remove("hours")  # 期限の日が日曜日のときは？ names a day as the case, and asks the deadline
    if kinds[:1] == ["hours"] and "place" in kinds and not _ASKS_TIME.search(t):
        kinds.remove("place")  # 夜間開庁で市民課は何番窓口: 開庁 names the topic, 何番 asks the place
        kinds.insert(0, "place")
    return kinds


@dataclass(frozen=True)
class Asked:
    """A question as sentences are matched against it: its content words, its kanji/katakana runs (not the
    place's), the page title's words, the kinds asked, the question as written and both forms normalised."""

    words: frozenset[str]
    grams: set[str]
    title: frozenset[str]
    kinds: list[str]
    question: str
    text: str
    told: frozenset[str] = frozenset()  # words only in the message's sentences that tell rather than ask
    yesno: bool = False  # the question asks can / may / must (出せますか, いいですか), whatever else it asks
    nouns: frozenset[str] = frozenset()  # the nouns asked, beyond the page title's and places
    page_title: str = ""  # the passage's page title as written


# A sentence that says can or cannot, needed or not: the answer to a yes/no question even when it restates it
# (郵送でも申請できます for 郵送でも申請できますか)
_YES_NO_MARK = re.compile(
    r"でき(ます|ません)|受け付け(ます|ません)|かまいません|不可|不要|必要(です|ありません|は(原則)?ありません)|"
    r"使えません|出せ(ます|ません)|支給(します|しません|されません|されない)"
)


# A question word: 何を送ればいいですか asks what, not whether
_WH = re.compile(r"何|なに|なん|どこ|どう|どの|どれ|いつ|いくら|誰|だれ")


def asks_yes_no(text: str) -> bool:
    """True when ``text`` asks can / may / must (出せますか, いいですか, 必要ですか), alone or beside another kind,
    with no question word (何を送ればいいですか asks what)."""
    if is_english(text):  # 'do I still have to', 'is it ok if', 'can my mother-in-law take it' (bot.gist_en)
        return english_yes_no(text)
    t = norm(text)
    return not _WH.search(t) and bool(QUESTION_KINDS["yesno"][0].search(t + " " + re.sub(r"\s+", "", t)))


_AMOUNT_WORDS = frozenset({"万", "円", "千", "百"})
# A section heading that opens a sentence: 【受付の場所と時間】本庁舎3階の…
_HEADING = re.compile(r"^【[^】]*】")


@dataclass
class FreeAnswer:
    reply: str
    citations: list[Citation] = field(default_factory=list)


def _claimed_rule(text: str) -> tuple[int, str] | None:
    """A period the resident states (\"30日以内でいいですよね\") as (length, unit), if any."""
    return claimed_period(text)


# Title words shared by many procedures: a message sharing only these names none of them.
_GENERIC_TITLE_RUNS = frozenset(["国民健康保険", "健康保険", "区市町村", "後期高齢者医療", "介護保険"])
# English words that name no procedure: "My baby was born … what is the deadline?" names none (the bundle answers
# it), where "the" and "baby" once matched 「赤ちゃんを会社の健康保険の扶養に入れる」 (English text is matched by its
# English words only: Sudachi reads "the" as ザ)
_NO_NAME_WORDS = frozenset(
    [
        "the",
        "a",
        "an",
        "to",
        "of",
        "in",
        "on",
        "at",
        "as",
        "by",
        "for",
        "and",
        "or",
        "my",
        "our",
        "your",
        "is",
        "was",
        "are",
        "be",
        "do",
        "i",
        "we",
        "you",
        "what",
        "when",
        "where",
        "how",
        "deadline",
    ]
)


def _name_words(text: str) -> frozenset[str]:
    """The words of ``text`` that can name a procedure (English text: its English words only)."""
    words = en_words(text) if is_english(text) else content_tokens(text) | en_words(text)
    return frozenset(w for w in words if w not in _NO_NAME_WORDS)


def _common_sub(a: str, b: str) -> str:
    """The longest common substring of ``a`` and ``b`` when it has 2+ characters, else ''."""
    best = ""
    for i in range(len(a)):
        for j in range(i + len(best) + 1, len(a) + 1):
            if a[i:j] in b:
                best = a[i:j]
            else:
                break
    return best if len(best) >= 2 else ""


def _common_run(a: str, b: str) -> int:
    return len(_common_sub(a, b))


def _asked_amounts(text: str, amounts: list[Any]) -> list[Any]:
    """The amounts a question asks about: 第3子以降いくら -> the 第3子以降 line; 後期高齢者の葬祭費 -> that line;
    all of them when the question singles none out."""
    t = norm(text)
    nth = re.findall(r"第\d+子", t)
    if nth:
        hit = [a for a in amounts if any(n in norm(a.label.ja) for n in nth)]
        if hit:
            return hit
    hit = [a for a in amounts if any(w in t for w in re.findall(r"[一-龥々]{3,}", norm(a.label.ja)))]
    return hit if 0 < len(hit) < len(amounts) else amounts


_GRAM_CHAR = re.compile(r"[一-龥々ァ-ヶー]")


def _grams(text: str) -> set[str]:
    """Two-character runs of ``text`` with a kanji or katakana (the words, not the particles)."""
    t = compact(norm(text))
    word = [_GRAM_CHAR.match(c) is not None for c in t]
    return {t[i : i + 2] for i in range(len(t) - 1) if word[i] or word[i + 1]}


def _plain(sentence: str) -> str:
    """A table row quoted as text: '| 3歳未満 | 15,000円 |' -> '3歳未満：15,000円'."""
    if sentence.startswith("|"):
        return "：".join(cell.strip() for cell in sentence.strip("| ").split("|") if cell.strip())
    return sentence


_MAN = re.compile(r"([0-9]+(?:\.[0-9]+)?)万([0-9]+)?")


def stated_numbers(text: str) -> set[str]:
    """The numbers ``text`` states, canonical: NFKC, thousands separators dropped, 5万 -> 50000, no leading zeros
    ('9:00' states 9; a clock's :00 states no number)."""
    t = re.sub(r"(?<=[0-9]),(?=[0-9]{3})", "", unicodedata.normalize("NFKC", text))
    t = _MAN.sub(lambda m: str(int(float(m.group(1)) * 10000 + int(m.group(2) or 0))), t)
    return {str(int(n)) for n in re.findall(r"[0-9]+", t) if int(n)}


def unsupported_numbers(said: str, *evidence: str) -> set[str]:
    """Numbers ``said`` states that none of ``evidence`` states: a reply line with any is not said (no invented
    number, by construction)."""
    return stated_numbers(said) - set().union(*(stated_numbers(e) for e in evidence))


# A passage a little under the floor is evidence still when its own text names two of the question's nouns
# (名前・文字 for 子どもの名前に使える文字は: the cosine of a short question to a long passage runs low)
NEAR_FLOOR = 0.02


def _evidence(hit: Hit, nouns: AbstractSet[str], floor: float) -> bool:
    """``hit`` is evidence for a question with kanji whose nouns are ``nouns``: above the floor and naming one of
    them (title or text), or just under the floor and naming two in its text."""
    dense = hit.extra.get("dense", 0.0)
    if dense >= floor:
        return bool(nouns & noun_tokens(hit.title + " " + hit.text))
    named = {n for n in nouns & noun_tokens(hit.text) if len(n) >= 2 and n not in _GENERIC_QUOTE_NOUNS}
    return dense >= floor - NEAR_FLOOR and len(named) >= 2


def _yen(n: int, lang: Lang = "ja") -> str:
    return f"{n:,} yen" if lang == "en" else f"{n:,}円"


# Nouns that say nothing about a topic: a question and a passage sharing only these are not related.
GENERIC_NOUNS = frozenset(
    {"東京", "東京都", "今日", "明日", "昨日", "今", "方", "何", "誰", "時", "場合", "ため", "よう", "こと"}
)


# Nouns too general to tie a quote to a question (令和7年4月1日以降 vs 第3子以降).
_GENERIC_QUOTE_NOUNS = frozenset(
    [
        "以降",
        "以上",
        "以下",
        "以内",
        "未満",
        "場合",
        "方法",
        "必要",
        "手続き",
        "手続",
        "申請",
        "曜日",
        "時間",
        "金額",
    ]
)


def place_words(catalog: Catalog) -> frozenset[str]:
    """Municipality names and their parts: sharing only a place name does not make a passage relevant."""
    out: set[str] = set()
    for m in catalog.municipalities.values():
        out |= content_tokens(m.name) | noun_tokens(m.name) | en_words(m.en) | {m.name, m.name[:-1]}
    return frozenset(out)


# a sentence that asks: ends in か / ？ / ?, or carries a question word
_ASKS = re.compile(
    r"(か|かな|？|\?)\s*$|いくら|いつ|どこ|何|なに|どう|\b(how|what|when|where|which|can|do|does|is|are)\b"
)


def _asking_sentence(text: str) -> str | None:
    """The last sentence of a message of several that asks something, or None (one sentence, or none asks)."""
    parts = [x.strip() for x in re.split(r"(?<=[。．！？!?\n])|(?<=\.)\s+", text) if x.strip()]
    if len(parts) < 2:
        return None
    asking = [x for x in parts if _ASKS.search(x.lower())]
    return asking[-1] if asking else None


class Answerer:
    def __init__(self, catalog: Catalog, searcher: PageSearcher | None) -> None:
        self.catalog = catalog
        self.searcher = searcher
        self.ignored_nouns = place_words(catalog) | GENERIC_NOUNS
        procs = [*catalog.procedures.values(), *(p for ov in catalog.overrides.values() for p in ov.programs)]
        self._titles = {c for p in procs if len(c := compact(p.title.ja.split("（")[0])) >= 2}
        self._title_nouns = [noun_tokens(p.title.ja) for p in procs]
        # distinctive parts of titles that residents write alone (葬祭費, 児童手当, 転入届): kanji runs of 3+ chars
        self._title_parts = {m for t in self._titles for m in re.findall(r"[一-龥々]{3,}", t)} - {
            "区市町村",
            "健康保険",
            "国民健康保険",
        }
        self.places = PlaceNames([(m.code, m.name, m.kana, m.en) for m in catalog.municipalities.values()])
        self.english = EnglishTerms.from_catalog(catalog)
        self.en_names = catalog_names(catalog)  # what an English reply calls the page's words
        # place names and generic words are not what a question asks
        self._place_grams = {g for w in self.ignored_nouns for g in _grams(w)} | {"市役", "役所", "区役"}

    def names_a_procedure(self, text: str) -> bool:
        """True when ``text`` names a catalog procedure: its title, a 3+ character part of it (葬祭費), or two
        of its nouns (要介護認定の結果 ~ 要介護・要支援認定の申請)."""
        text = self.written(
            text
        )  # English through the catalog's English terms, kana through the index's words
        t = compact(text)
        if any(title in t for title in self._titles) or any(part in t for part in self._title_parts):
            return True
        nouns = noun_tokens(text) - self.ignored_nouns
        return any(len(nouns & title_nouns) >= 2 for title_nouns in self._title_nouns)

    def _floors(self) -> SimilarityFloors:
        """Similarity floors (questions with kanji, kana-only, English) of the searcher's embedding model; the default
        model's for a searcher that names none."""
        return getattr(self.searcher, "similarity_floors", None) or DEFAULT_FLOORS

    # ---- pages ----------------------------------------------------------------------------------------------
    def place_in(self, text: str) -> str | None:
        """The one municipality ``text`` names (品川区 / しながわ / Shinagawa), if any."""
        return self.places.find(text)

    def search_query(self, question: str) -> str:
        """The text page search gets: English questions also carry the Japanese names of the catalog terms and the
        place they name ('funeral benefit in Setagaya' -> '… 葬祭費 世田谷区'), so Japanese pages score as they
        do for a Japanese question; other questions are searched as written."""
        query = self.english.augment(question, self.places)
        if not is_english(question):
            return query
        # words no catalog name carries ('by mail' -> 郵送, 'at night' -> 夜間): bot.gist_en
        hints = [w for w in japanese_hints(question) if w not in query]
        return f"{query} {' '.join(hints)}" if hints else query

    def _noun_text(self, question: str) -> str:
        """The text whose nouns must appear in the evidence: for an English question only the Japanese catalog
        terms and place its search query carries (its English words are not Japanese nouns); for やさしい日本語 its
        kana words read as the index writes them (こせきの とどけ -> 戸籍の 届)."""
        query = self.search_query(question)
        if is_english(question) and query.startswith(question):
            return query[len(question) :]
        return self.written(question) if has_spaced_kana(question) else query

    def relevant_hits(self, question: str, municipality: str | None, k: int = 5) -> list[Hit]:
        """Page passages that are evidence for ``question``: the resident's municipality (known, or named in the
        question) and Tokyo-wide pages, above the embedding model's floor for the question's language
        (README, "Answer thresholds"); questions with kanji (and English ones searched with Japanese terms) must
        also share a noun other than a place with the passage."""
        if self.searcher is None:
            return []
        query = self.search_query(question)
        hits = self.searcher.search(query, k=k, municipality=municipality or self.place_in(question))
        floor, floor_no_kanji, floor_en = self._floors()
        if is_english(question):
            floor = floor_en
        elif not has_kanji(question):
            floor = floor_no_kanji
        if not has_kanji(query):
            return [h for h in hits if h.extra.get("dense", 0.0) >= floor]
        nouns = noun_tokens(self._noun_text(question)) - self.ignored_nouns
        if (
            not nouns
        ):  # only a place and generic words to match: the stricter floor of questions without kanji
            return [h for h in hits if h.extra.get("dense", 0.0) >= max(floor, floor_no_kanji)]
        return [h for h in hits if _evidence(h, nouns, floor)]

    def written(self, question: str) -> str:
        """The question as page sentences write it: a kana-only question read with the index's kanji words
        ('すぎなみくで そうさいひの しんせいは' -> '杉並区で 葬祭費の 申請は'); English questions with the Japanese
        catalog terms they use; other questions as written."""
        if is_english(question):
            return self.search_query(question)
        read = getattr(self.searcher, "read_kana", None)
        try:
            spaced = not has_kanji(question) or has_spaced_kana(question)  # kana-only, or やさしい日本語
            text = str(read(question)) if read and spaced else question
        except PageSearchUnavailable:  # a reading aid only; the search itself reports the outage
            text = question
        # the word official pages use for what residents say (海外 -> 国外, コピー -> 写し) goes along
        extra = [page for said, page in _PAGE_WORDS.items() if said in text and page not in text]
        # よるに (やさしい日本語, kana) is the pages' 夜間
        extra += ["夜間"] if re.search(r"(^|\s)よる(に|は|の|も|でも)", text) and "夜間" not in text else []
        # さいごの ひ / 最後の日 (of a period) is the pages' 期限 (14日目が閉庁日のときは、次の開庁日が期限)
        extra += ["期限"] if re.search(r"(さいご|最後)の\s*(ひ|日)", text) and "期限" not in text else []
        # …が日曜日のときは: a day the office is closed, the pages' 閉庁日 (14日目が閉庁日のときは…)
        extra += ["閉庁日"] if _DAY_AS_CASE.search(text) and "閉庁日" not in text else []
        # 土よう日 (やさしい日本語) is the pages' 土曜日; 3人目の子 is their 第3子
        text = re.sub(r"([月火水木金土日])よう(び|日)", r"\1曜日", text)
        extra += [f"第{n}子" for n in re.findall(r"([0-9０-９])人目", text) if f"第{n}子" not in text]
        return " ".join([text, *extra])

    def _sentence(
        self, question: str, hit: Hit, kinds: list[str] | None = None, written: str | None = None
    ) -> tuple[str, int]:
        """(the sentence of ``hit`` that best answers ``question``, how well its page answers it): see
        :meth:`_sentence_score`. ``written``: :meth:`written` of the question, when the caller scores many passages
        for one question."""
        sent, page_score, _ = self._best_line(question, hit, kinds, written)
        return sent, page_score

    def _best_line(
        self, question: str, hit: Hit, kinds: list[str] | None = None, written: str | None = None
    ) -> tuple[str, int, int]:
        """(the best sentence of ``hit``, the score its page ranks by among pages, the score it ranks by among its
        page's lines): a label naming the kind asked (【送り先】〒…) counts among the lines of a page only."""
        written = self.written(question) if written is None else written
        kinds = question_kinds(question) if kinds is None else kinds
        # an amount the message states (5万円ですよね) is what is checked, not a word a sentence should repeat
        q = (content_tokens(written) | en_words(question)) - self.ignored_nouns - _AMOUNT_WORDS
        q = frozenset(w for w in q if not w.isdigit())
        title = content_tokens(hit.title)
        # an English question's Japanese terms are separate words: no run spans two of them (市役所 番 is no 所番)
        pieces = written.split() if is_english(question) else [written]
        said = set().union(*(_grams(x) for x in pieces))
        grams = {g for g in said - self._place_grams - _grams(hit.title) if not _AMOUNT_WORDS & set(g)}
        # words only in a sentence that tells rather than asks (すんで います) weigh less
        asking = _asking(written)
        if is_english(question) and (part := asked_part(question)) != question.strip():
            asking = self.search_query(part)  # 'If I send it online, do I still have to go…': the rest tells
        told = q - content_tokens(asking)
        nouns = frozenset(noun_tokens(asking) - noun_tokens(hit.title) - self.ignored_nouns)
        # the question's own words (an English question's words naming the kind of answer asked are not): bot.gist_en
        own = without_kind_words(written) if is_english(question) else written
        text = norm(f"{question} {own}")
        asked = Asked(q, grams, title, kinds, question, text, told, asks_yes_no(asking), nouns, hit.title)
        best, best_key, page_best, best_above = "", (-1, False), -1, ""
        # the chunk's own section heads its first lines (a chunk may begin with the items under 【必要なもの】)
        own_heading = (hit.heading or "").split(" > ")[-1]
        heading = f"【{own_heading}】" if own_heading and own_heading != hit.title else ""
        for line in hit.text.splitlines():
            # 【郵送での届出】…。届出日は…受け取った日です。: one section; a heading alone on its line
            # (【転入届（…）】 above its table rows) heads the lines below it
            section = _HEADING.match(line.strip())
            if section and not line.strip()[section.end() :].strip():
                heading = section.group(0)
                continue
            here = section.group(0) if section else ""
            if here:  # 【申請に必要なもの】…。 then its list: the section goes on over the lines below it
                heading = here
            for sent in sentences(line):
                if len(sent) < 8 or _INSTRUCTION.search(sent):
                    continue
                score = self._sentence_score(sent, asked, here, here or heading)
                page_best = max(page_best, score)
                # the line's label and value pick the line within its page, not the page (「届出の期限」 of the 転入届
                # page is no answer to 出生届は何日以内)
                line_score = score + self._line_weight(sent, asked, here or heading)
                # on a tie, the sentence carrying the kind of answer asked (午前11時から午後2時 for 何時ごろ)
                key = (line_score, bool(kinds) and bool(QUESTION_KINDS[kinds[0]][1].search(sent)))
                if key > best_key:
                    best, best_key, best_above = sent, key, here or heading
        # between pages, the one whose title names what is asked ranks first (in Japanese a title word weighs as a
        # sentence's own: 転入の手続きは何番の窓口 is asked of the 転入届 page, not of the 出生届 page's 1階9番窓口)
        per_title_word = 2 if is_english(question) else 4
        if kinds[:1] == ["documents"] and not is_english(question) and not asked.yesno:
            best = _whole_list(best, hit.text)  # 何が要りますか: the list, not one item of it
        if asked.yesno and not is_english(question):
            best = _with_yes_no_heading(best, best_above)
        return best[:SNIPPET_CHARS], page_best + per_title_word * len(q & title), best_key[0]

    def _line_weight(self, sent: str, a: Asked, above: str) -> int:
        """What picks a line of a page for a question in Japanese (English ones: bot.gist_en, in the score): its
        label naming the kind asked, the value it states (:func:`label_weight`); less when it only names the kind
        (窓口に行く, 時間に余裕をもって) and states no value of it (〒…, 1階12番窓口, 午前9時, 7万円)."""
        if (
            not a.kinds or is_english(a.question) or a.yesno
        ):  # 原本が要りますか: can/must, not the 必要なもの row
            return 0 if is_english(a.question) else _day_named(sent, a.text)
        head = _HEADING.match(sent)
        body = sent[head.end() :] if head else sent
        words = a.words - a.title - content_tokens(body)
        weight = label_weight(sent, a.kinds, words, above)
        kind = a.kinds[0]
        marks = [m.group(0) for m in QUESTION_KINDS[kind][1].finditer(norm(body)) if m.group(0) not in a.text]
        weight -= 2 if kind in _VALUED and marks and not _states(kind, body) else 0
        # a case the question does not state (国民健康保険料に未納があるときは…も必要です for 何が要りますか) answers
        # another question
        case = _CASE.match(body)
        named = (
            noun_tokens(case.group(1)) - self.ignored_nouns - _GENERIC_QUOTE_NOUNS if case else frozenset()
        )
        case_or_day = self._row_case(body, a) + _day_named(body, a.text)
        return weight - (4 if named and not named & (a.words | a.nouns) else 0) + case_or_day

    def _row_case(self, body: str, a: Asked) -> int:
        """A table row whose label names a case the question states (「| 外国籍の方 | 転入する全員の在留カード… |」 for
        外国籍の人が転入するときは何がいりますか) answers before the general row (「| 必要なもの | 転出証明書… |」); a label
        naming a kind of answer (届出期間, 必要なもの) is no case."""
        cells = [c.strip() for c in body.strip("| ").split("|")] if body.startswith("|") else []
        if len(cells) < 2 or any(p.search(cells[0]) for p in _LABELS.values()):
            return 0
        if QUESTION_KINDS["place"][1].search(
            cells[0]
        ):  # | 国保年金課国保給付係（…） | names a place, not a case
            return 0
        named = noun_tokens(cells[0]) - self.ignored_nouns - _GENERIC_QUOTE_NOUNS - a.title
        return 4 if named & (a.words | a.nouns) else 0

    def _sentence_score(self, sent: str, a: Asked, section: str = "", above: str = "") -> int:
        """How well ``sent`` answers the question ``a``: the question's own words weigh most (not those of the page
        title: every sentence of the page is about them; a 【heading】 names a topic, the text after it answers),
        then carrying the kind of answer asked (an amount has 円, hours have 時/曜日, a place has 窓口/階…) with a
        mark the question itself does not write (転出証明書は郵送で受け取れます restates 転出証明書を郵送で…何を送れば),
        then being a full sentence rather than a heading fragment. ``section`` is the 【heading】 opening the
        sentence's line: every sentence under it is about it; ``above`` the heading the line stands under (that one,
        else a heading alone on a line above, else the chunk's own section), read for an English question's words."""
        head = _HEADING.match(sent)
        body = sent[head.end() :] if head else sent
        words = content_tokens(body) | en_words(body)
        shared = (a.words - a.title) & words
        # a sentence that only restates the question (転出証明書は郵送で受け取れます for 転出証明書を郵送で受け取るには
        # 何を送れば) says nothing new, neither a number nor a content word: its shared words do not count
        new = noun_tokens(body) - a.words - a.title - self.ignored_nouns
        numbers = set(re.findall(r"[0-9]+", norm(body))) - set(re.findall(r"[0-9]+", a.text))
        weight = 4 * len(shared) - 2 * len(shared & a.told)
        # (a row under 【支給されないとき】 says 'not paid' for what it lists)
        says_yes_no = a.yesno and bool(_YES_NO_MARK.search(body) or _YES_NO_MARK.search(above))
        # a yes/no answer counts even when it restates the question: in full when it has every word asked
        # (申請は郵送でも受け付けます for 郵送で申請できますか), a little when it misses some (夜間休日受付窓口ではこの
        # 申請はできません is about another 申請 than 児童手当の申請)
        whole = says_yes_no and a.nouns <= noun_tokens(body)
        score = weight if numbers or _says_more(new) or whole else len(shared) + (4 if says_yes_no else 0)
        if says_yes_no and "yesno" not in a.kinds:  # 窓口に行く必要はありますか beside オンラインで: a little
            score += 2
        if section:  # the words of the heading of its section say what the section is about: a little
            score += len((a.words - a.title - shared) & content_tokens(section))
        # the question's own wording (郵送, 土曜, 委任状, 公務員…) beyond the words already counted
        runs = {g for g in a.grams & _grams(body) if not any(g in w for w in shared)}
        score += min(2 * len(runs), 8)
        for n, kd in enumerate(a.kinds):
            found = {m.group(0) for m in QUESTION_KINDS[kd][1].finditer(norm(body))}
            if (
                kd != "yesno"
            ):  # the question's own words are no answer (窓口はどこ: 窓口 is not a place given)
                found = {f for f in found if f not in a.text}
            if found:  # the first kind asked weighs most (yes/no marks are weak); more distinct marks more
                score += (3 if kd == "yesno" or n else 6) + min(len(found), 4)
        # a full sentence or a table row, not a heading fragment: long enough, or a short one ending in 。
        # (葬祭給付金の額は7万円です。)
        if (_FULL_SENTENCE.search(body) or body.startswith("|")) and (
            len(body) >= 15 or (len(body) >= 10 and body.endswith("。"))
        ):
            score += 2
        if a.question and is_english(a.question):
            # an English question's own words as pages write them ('by mail' -> 郵送), and the value its kind of
            # answer states (a clock time, yen…): bot.gist_en
            # (the 【heading】 over the sentence counts: 【送り先】 heads the address, 【夜間開庁の内容】 its hours)
            # (words its page title has do not count: every sentence of the page is about them)
            score += hint_score(a.question, above + sent, a.page_title) + (
                4 if a.kinds and states_value(a.kinds[0], above + sent) else 0
            )
        return score

    def _snippet(self, question: str, hit: Hit) -> str:
        return self._sentence(question, hit)[0]

    def citations(self, question: str, municipality: str | None, k: int = 3) -> list[Citation]:
        """Quotes that answer ``question``, best first: one per page; the first is the sentence that carries the
        kind of answer asked, a second only when it answers another part of the question."""
        # PageSearchUnavailable goes up to the interface that asked
        hits = self.relevant_hits(question, municipality, k=8)
        written = self.written(question)  # once per question, not once per passage
        kinds = question_kinds(f"{question} {written}")
        if is_english(question) and (part := asked_part(question)) != question.strip():
            # 'If I send it online, do I still have to go…' asks can or must, not how to apply online
            kinds = question_kinds(f"{part} {self.written(part)}") or kinds
        query = self.search_query(question)
        nouns = (
            frozenset(
                n
                for n in noun_tokens(self._noun_text(question)) - self.ignored_nouns - _GENERIC_QUOTE_NOUNS
                if len(n) >= 2
            )
            if has_kanji(query)
            else frozenset()
        )
        scored: list[tuple[int, int, Hit, str]] = []
        lines: dict[str, int] = {}  # the line score of each page's quote
        passages = self._with_page_chunks(hits)
        pages = self._page_texts(passages)
        naming = self._pages_naming(question, written, passages)
        for n, h in enumerate(passages):
            sent, score, line = self._best_line(question, h, kinds, written)
            page = pages.get(h.url, frozenset())
            # the quote is about what was asked: its page title or the sentence itself names it, or its page does
            # and the sentence carries the kind of answer asked (混みやすい時間帯 on the page about 市民課の窓口)
            carries = any(QUESTION_KINDS[kd][1].search(sent) for kd in kinds if kd != "yesno")
            # (the section heading over the passage names its topic too: 【出生届】 over 生まれた日から14日以内に…)
            if not sent or (
                nouns
                and not nouns & noun_tokens(f"{h.title} {h.heading or ''} {sent}")
                and not (carries and nouns & page)
            ):
                continue
            # between pages of one topic, the one that also names the rest of what is asked (婚姻 beside 日曜日)
            score += 2 * len(nouns & page)
            # …and the page that writes the procedure the question names (出生届 for 出生届は何日までに, not the 児童手当
            # page that shares 子ども and a date)
            score += 4 if h.url in naming else 0
            # one quote per page: the best sentence of all its passages, at the page's best search rank
            same = next((i for i, x in enumerate(scored) if x[2].url == h.url), None)
            if same is None:
                scored.append((score, -n, h, sent))
                lines[h.url] = line
            else:  # the page ranks by its best score, its quote is its best line
                page_score, rank, hit, quote = scored[same]
                if line > lines[h.url]:
                    hit, quote, lines[h.url] = h, sent, line
                scored[same] = (max(score, page_score), rank, hit, quote)
        if not scored:
            return []
        # a question that names a procedure is answered from the pages about it when any was found: another
        # allowance's 2万円 is no answer to 児童育成手当はいくら (the catalog may still answer it)
        scored = [x for x in scored if x[2].url in naming] or scored
        # the best answer first (search order breaks ties)
        scored.sort(key=lambda x: (-x[0], -x[1]))
        out = [citation(self.catalog, scored[0][2], scored[0][3], municipality)]
        answered = {kd for kd in kinds if QUESTION_KINDS[kd][1].search(scored[0][3])}
        for _, _, h, sent in scored[1:]:
            if len(out) >= k:
                break
            if kinds:  # a second quote only when it answers a part the first does not
                parts = {kd for kd in kinds if QUESTION_KINDS[kd][1].search(sent)} - answered
                if not parts:
                    continue
                answered |= parts
            out.append(citation(self.catalog, h, sent, municipality))
        return out

    def _with_page_chunks(self, hits: list[Hit]) -> list[Hit]:
        """``hits`` and after them every other passage of their pages: the answer may stand in a passage of a found
        page that search did not rank (a page's 申請に必要なもの section for 領収書は原本ですか)."""
        more = getattr(self.searcher, "page_chunks", None)
        if more is None:
            return hits
        out, seen = list(hits), {h.chunk_id for h in hits}
        for url in dict.fromkeys(h.url for h in hits):
            try:
                chunks = more(url)
            except PageSearchUnavailable:  # a reading aid only; the search itself reports the outage
                return hits
            out.extend(c for c in chunks if c.chunk_id not in seen)
        return out

    def _pages_naming(self, question: str, written: str, passages: list[Hit]) -> set[str]:
        """The pages of ``passages`` whose title, headings or text write a procedure name the question writes (a 3+
        kanji part of a catalog title: 出生届, 児童手当, 葬祭費); an English question writes the Japanese catalog names
        its words stand for (``written``: 'child rearing allowance' -> 児童育成手当)."""
        names = [part for part in self._title_parts if part in compact(written)]
        return {
            h.url
            for h in passages
            if any(n in compact(f"{h.title} {h.heading or ''} {h.text}") for n in names)
        }

    @staticmethod
    def _page_texts(passages: list[Hit]) -> dict[str, frozenset[str]]:
        """The nouns of each page of ``passages`` (its title and text)."""
        text: dict[str, str] = {}
        for h in passages:
            text[h.url] = f"{text.get(h.url, h.title)} {h.heading or ''} {h.text}"
        return {url: noun_tokens(t) for url, t in text.items()}

    def where_to_ask(self, municipality: str | None, lang: Lang) -> str:
        m = self.catalog.municipalities.get(municipality or "")
        if m and m.phone:
            return (
                f"{m.en} (main line {m.phone})"
                if lang == "en"
                else f"{_name(m.name, lang)}（代表 {m.phone}）"
            )
        if m and m.website:
            return f"{m.en} ({m.website})" if lang == "en" else f"{_name(m.name, lang)}（{m.website}）"
        if lang == "easy":
            return msg("not_covered.office", lang)
        return "your ward or city office" if lang == "en" else "お住まいの区市町村の窓口"

    def no_match_text(self, query: str, municipality: str | None, lang: Lang) -> str:
        """What staff search says when nothing passed the floor: nothing matched, and whom to ask."""
        ask = self.where_to_ask(municipality, lang)
        if lang == "en":
            return f"Nothing in the catalog or the indexed pages matches “{query}”. Please refer the caller to {ask}."
        return f"「{query}」に一致する手続き・ページはありません。{ask}をご案内ください。"

    def free_answer(self, question: str, municipality: str | None, lang: Lang) -> FreeAnswer:
        """Answer a question that names no life event from ingested pages, or say honestly that we can't.

        The answer comes first: the sentence that carries what is asked (an amount, hours, a deadline…), with its
        page; English replies state in English what the Japanese sentence says, then quote it."""
        cites = self.citations(question, municipality)
        if not cites:
            ask = self.where_to_ask(municipality or self.place_in(question), lang)
            if lang == "en":
                reply = (
                    "Sorry, my knowledge base of Tokyo's procedures does not cover that question. "
                    f"Please ask {ask}. You can also tell me about a life event (a birth, a move, a death in the "
                    "family, care, marriage, divorce, losing a job) and I will list the procedures."
                )
            else:
                reply = (
                    "申し訳ありません。このご質問は、手続き案内の知識ベースでは扱っていません。"
                    f"{ask}にお問い合わせください。出産・引っ越し・家族が亡くなった・介護・結婚・離婚・退職などの"
                    "出来事を教えていただければ、必要な手続きをまとめてご案内します。"
                )
            return FreeAnswer(reply)
        return FreeAnswer("\n".join(self.quote_lines(cites, lang)), cites)

    def quote_lines(self, cites: list[Citation], lang: Lang) -> list[str]:
        """The reply lines for page quotes: what the page states and which page (its link travels in the
        citation). A page that is not a government one (a company, a blog, a cache) is named as such, never as
        official."""
        lines = []
        for c in cites[:2]:
            official = c.kind in OFFICIAL_KINDS if c.kind else is_official(c.url, self.catalog)
            copy = c.kind == "copy-of-official"
            quote = _plain(c.snippet)
            if lang == "en":  # (a Japanese line quotes the page's own sentence and title: nothing to check)
                # a fact stating a number the page does not state is never said ('2.5万円' is not '50,000 yen')
                facts = english_gist(quote, self.en_names).split("; ")
                gist = "; ".join(f for f in facts if f and not unsupported_numbers(f, quote, c.title))
                said = f"it states {gist}" if gist else "it says"
                kind = (
                    "the official page"
                    if official
                    else "a stored copy of an official page"
                    if copy
                    else "the page (not an official site)"
                )
                # the Japanese title and sentence stand in brackets (「…」; inner 「」 become 『』)
                inner = quote.replace("「", "『").replace("」", "』")
                lines.append(
                    f"According to {kind} (「{c.title}」, in Japanese; linked below), {said}: 「{inner}」"
                )
            else:
                # who published it and its badge, as on the cards: （世田谷区・公式）, （example.com・非公式・要確認）
                # (a private site's publisher is only its host name: the badge says enough)
                label = kind_label(c.kind or ("municipal" if official else "private"), "ja")
                who = f"{c.publisher}・" if c.publisher and (official or copy) else ""
                line = f"{c.title}（{who}{label}）のページによると、{quote.rstrip('。')}。"
                lines.append(with_readings(line) if lang == "easy" else line)  # やさしい日本語: readings
        return lines

    # ---- catalog fields -------------------------------------------------------------------------------------
    def _match_procedure(
        self, text: str, bundle: Bundle, municipality: str | None, event_date: dt.date | None
    ) -> PlannedItem | None:
        """The procedure the message names: a bundle item first, else any catalog procedure named by its title (an
        English message also by the Japanese names its words stand for: 'late elderly … funeral benefit'). In a
        message of several sentences, a procedure the asking sentence names comes before one only the others name
        (「…後期高齢者医療制度に入っていました。葬祭費はもらえますか」 asks of 葬祭費, not of joining the scheme)."""
        score = self._title_scorer(text)
        asking = _asking_sentence(text)
        if asking is not None:
            on_asking = self._title_scorer(asking)
            whole = score

            def score(title_ja: str, title_en: str | None, proc_id: str) -> float:
                s = whole(title_ja, title_en, proc_id)
                return s + 100.0 if s >= 10 and on_asking(title_ja, title_en, proc_id) >= 10 else s

        return self._ranked_procedure(score, bundle, municipality, event_date)

    def _title_scorer(self, text: str) -> Callable[[str, str | None, str], float]:
        """How strongly ``text`` names a procedure of titles (ja, en) and id: ≥ 10 named, ≥ 1 some words of it."""
        t = compact(text + " " + " ".join(self.english.terms(text)) if is_english_query(text) else text)
        toks = _name_words(text)
        pairs = _pairs(t)

        def score(title_ja: str, title_en: str | None, proc_id: str) -> float:
            best = 0.0
            for name in (title_ja, title_en or "", proc_id.replace("-", " ")):
                c, kanji3, qualifier, runs, words, name_pairs = _title_shape(name)
                if pairs.isdisjoint(name_pairs) and toks.isdisjoint(words):
                    continue  # every match below needs two characters in a row or a word in common
                parts = [x for x in kanji3 if x in self._title_parts and x in t]
                if len(c) >= 2 and c in t and qualifier and not any(_common_run(r, t) for r in qualifier):
                    # 児童手当（引っ越し先での認定請求） when the message says nothing of a move: a part match only
                    best = max(best, 10.0 + len(c) / 2)
                    continue
                if len(c) >= 2 and c in t:
                    best = max(best, 10.0 + len(c))
                    continue
                # 後期高齢者の葬祭費: 葬祭費 names two procedures; the rest of the title (後期高齢者医療) decides, by the
                # share of the title the message has (要介護認定の申請 is nearer 要介護・要支援認定の申請 than 更新申請)
                shared = [_common_sub(r, t) for r in runs]
                common = sum(len(x) for x in shared)
                rest = common - (sum(len(r) for r in runs) - common) / 2
                longest = max(shared, key=len, default="")
                if parts:
                    best = max(best, 10.0 + max(len(x) for x in parts) / 2 + rest / 10)
                elif common >= 5 and len(longest) >= 3 and longest not in _GENERIC_TITLE_RUNS and rest > 0:
                    best = max(best, 10.0 + rest / 10)
                else:
                    overlap = toks & words
                    if len(overlap) >= 2 or (overlap and len(words) == 1):
                        best = max(best, float(len(overlap)))
            return best

        return score

    def _ranked_procedure(
        self,
        score: Callable[[str, str | None, str], float],
        bundle: Bundle,
        municipality: str | None,
        event_date: dt.date | None,
    ) -> PlannedItem | None:
        """The best-named procedure by ``score``: a bundle item first, unless one outside the bundle is named
        better."""
        ranked = sorted(
            (
                (score(it.procedure.title.ja, it.procedure.title.en, it.procedure.id), n, it)
                for n, it in enumerate(bundle.items)
            ),
            key=lambda x: (-x[0], x[1]),
        )
        in_bundle = {it.procedure.id for it in bundle.items}
        named = [
            (score(p.title.ja, p.title.en, p.id), p.id)
            for p in [*self.catalog.procedures.values(), *self.catalog.programs(municipality)]
            if p.id not in in_bundle and in_force(p, event_date) is not None  # an ended scheme is not current
        ]
        named.sort(key=lambda x: -x[0])
        # a bundle item first, unless a procedure outside the bundle matches the message better
        if ranked and ranked[0][0] >= 10 and not (named and named[0][0] > ranked[0][0]):
            return ranked[0][2]
        if named and named[0][0] >= 10:
            proc = self.catalog.procedure(named[0][1], municipality)
            due = compute_due(proc.deadline, event_date) if proc.deadline and event_date else None
            events = self.catalog.events_for_procedure(proc.id)
            return PlannedItem(
                proc, events[0] if events else "", "maybe", municipality, due=due, events=events
            )
        if ranked and ranked[0][0] >= 1:
            return ranked[0][2]
        return None

    def match_procedure(
        self, text: str, bundle: Bundle, municipality: str | None, event_date: dt.date | None
    ) -> PlannedItem | None:
        """The procedure ``text`` names (see :meth:`_match_procedure`): for bot.answer_facts."""
        return self._match_procedure(text, bundle, municipality, event_date)

    def specific_answer(
        self,
        u: Understanding,
        bundle: Bundle,
        municipality: str | None,
        lang: Lang,
        event_date: dt.date | None = None,
    ) -> tuple[str, PlannedItem, list[Citation]] | None:
        """期限は？ / いくら？ / 何が必要？ / どこで？ about the procedure the message names, from catalog fields only.

        Nothing is said when the message names no procedure (the bundle itself answers it). Returns the answer, the
        procedure it is about (which may lie outside the bundle, e.g. 転入届 before the kind of move is known) and
        the page it quotes when the catalog has no field for what is asked: the caller cites it, so every number
        the answer states stands in the catalog or in a citation of the reply.
        """
        item = self._match_procedure(u.text, bundle, municipality, event_date)
        if item is None:
            return None
        p = item.procedure
        kinds = question_kinds(u.text)
        intents = set(u.intents) | set(kinds)
        if "hours" in kinds and "place" not in kinds:  # 窓口の受付時間は？ asks the hours, not the place
            intents.discard("place")
        parts = [
            *self._claim_parts(u, item, lang),
            *self._timing_parts(u, item, intents, lang),
            *self._field_parts(u.text, item, intents, kinds, lang),
            *self._online_parts(u, item, lang),
        ]
        quoted: list[Citation] = []
        if not parts:
            parts, quoted = self._page_parts(u.text, item, municipality, kinds, lang)
        if parts and (note := reply_note(self.catalog, p, item.municipality, intents, lang)):
            parts.append(
                _name(note, lang)
            )  # a fact resting only on non-official pages is not stated as settled
        return ("\n".join(parts), item, quoted) if parts else None

    def _claim_parts(self, u: Understanding, item: PlannedItem, lang: Lang) -> list[str]:
        """A period the resident states that is not the catalog's deadline: the catalog's rule, not theirs."""
        p = item.procedure
        claimed = _claimed_rule(u.text) if "claim" in u.intents else None
        if not (p.deadline and claimed and claimed != (p.deadline.length, p.deadline.unit)):
            return []
        r = Renderer(self.catalog, lang)
        # the resident's number is not repeated: only the rule from the catalog is stated
        return [r.msg("answer.claim", title=r.procedure_title(p.title), rule=r.text(p.deadline.text))]

    def _timing_parts(self, u: Understanding, item: PlannedItem, intents: set[str], lang: Lang) -> list[str]:
        """The deadline (computed when the event date is known) and when the procedure opens."""
        r = Renderer(self.catalog, lang)
        p, title, out = item.procedure, r.procedure_title(item.procedure.title), []
        if "deadline" in intents or "claim" in u.intents:
            if item.due:
                out.append(f"{title}: {_due_text(r, item)}")
            elif p.deadline:
                out.append(f"{title}: {r.text(p.deadline.text)}")
            else:
                out.append(f"{title}: {r.msg('answer.no_deadline')}")
        if "opens" in u.intents and p.opens:  # 「転出届はいつから出せますか」: the catalog's opening rule
            if item.opens:
                opens = (
                    r.msg("opens.easy", date=r.date(item.opens.due))
                    if lang == "easy"
                    else item.opens.explanation(lang)
                )
            else:
                opens = r.text(p.opens.text)
            out.append(f"{title}: {opens}")
        return out

    def _amount_text(self, text: str, item: PlannedItem, lang: Lang) -> str:
        """The amounts asked (第3子以降 -> that line), each with its source, or that the catalog has none."""
        p, r = item.procedure, Renderer(self.catalog, lang)
        if not p.amounts:
            return r.msg("answer.no_amount")

        def source(a: Any) -> str:
            return r.msg("answer.source", title=_name(a.sources[0].title, lang)) if a.sources else ""

        return r.msg("list.sep").join(
            f"{r.text(a.label)} {_yen(a.yen, lang)}"
            + (r.msg("answer.per", per=r.text(a.per)) if a.per else "")
            + source(a)
            for a in _asked_amounts(text, p.amounts)
        )

    def _field_parts(
        self, text: str, item: PlannedItem, intents: set[str], kinds: list[str], lang: Lang
    ) -> list[str]:
        """The catalog's amount, documents, office and who is eligible, as far as they are asked."""
        r = Renderer(self.catalog, lang)
        p, title, out = item.procedure, r.procedure_title(item.procedure.title), []
        if "amount" in intents:
            out.append(f"{title}: {self._amount_text(text, item, lang)}")
        if "documents" in intents:
            docs = [r.document(d) for d in p.documents if d in self.catalog.documents]
            if docs:
                out.append(f"{title}: " + r.msg("answer.bring") + r.msg("list.sep").join(docs))
        if "place" in intents:
            out.append(f"{title}: " + r.office(p.office, item.municipality))
        if "eligibility" in kinds and p.who:
            out.append(f"{title}: " + r.msg("answer.who") + r.text(p.who))
        return out

    def _online_parts(self, u: Understanding, item: PlannedItem, lang: Lang) -> list[str]:
        """Where the procedure can be done online, or that no online option is listed."""
        if "online" not in u.intents:
            return []
        r = Renderer(self.catalog, lang)
        p, title = item.procedure, r.procedure_title(item.procedure.title)
        # another municipality's page is no online option of this resident (the same rule as on the cards)
        url = local_online_url(self.catalog, p.online.url if p.online else None, item.municipality)
        if url:
            return [f"{title}: " + r.msg("answer.online") + url]
        return [f"{title}: {r.msg('answer.no_online')}"]

    def _page_parts(
        self, text: str, item: PlannedItem, municipality: str | None, kinds: list[str], lang: Lang
    ) -> tuple[list[str], list[Citation]]:
        """What the catalog has no field for (opening hours, a late-filing penalty, how to apply by post…),
        answered from the page sentence that carries it (with that page's citation); a late filing without such a
        sentence gets the rule and whom to ask."""
        r = Renderer(self.catalog, lang)
        p, title = item.procedure, r.procedure_title(item.procedure.title)
        page_kinds = [
            kd for kd in kinds if kd in ("hours", "penalty", "apply") and not (kd == "apply" and p.online)
        ]
        if not page_kinds:
            return [], []
        local = item.municipality or municipality
        cite = self._page_answer(text, local, page_kinds)
        if cite:
            return [f"{title}: {_page_quote(cite, lang)}"], [cite]
        if "penalty" in page_kinds and p.deadline:  # what happens when late: the rule, and whom to ask
            ask, rule = self.where_to_ask(local, lang), r.text(p.deadline.text)
            return [f"{title}: " + r.msg("answer.penalty", rule=rule, ask=ask)], []
        return [], []

    def _page_answer(self, question: str, municipality: str | None, kinds: list[str]) -> Citation | None:
        """The first quote when its sentence carries the kind of answer asked (None otherwise)."""
        cites = self.citations(question, municipality, k=1)
        if cites and any(QUESTION_KINDS[kd][1].search(cites[0].snippet) for kd in kinds):
            return cites[0]
        return None


def _name(text: str, lang: Lang) -> str:
    """A name or note as written in Japanese (a place, a page title, an office); in やさしい日本語 with readings."""
    return with_readings(text) if lang == "easy" else text


def _due_text(r: Renderer, item: PlannedItem) -> str:
    """The computed due date as the card says it (in やさしい日本語 the card's own words: 「…までに だして ください」)."""
    assert item.due is not None
    if r.lang == "easy" and (deadline := r.deadline(item)) and deadline.explanation:
        return deadline.explanation
    return item.due.explanation(r.lang)


def _page_quote(cite: Citation, lang: Lang) -> str:
    """A page's sentence as the answer: in English the page's Japanese sentence and title stand in brackets, in
    やさしい日本語 with readings."""
    quote, title = _plain(cite.snippet), cite.title
    if lang == "en":
        inner = quote.replace("「", "『").replace("」", "』")
        return f"the page 「{title}」 says (in Japanese): 「{inner}」"
    line = f"{quote}（{title}）"
    return with_readings(line) if lang == "easy" else line


def _pairs(text: str) -> frozenset[str]:
    """The two-character substrings of ``text``."""
    return frozenset(text[i : i + 2] for i in range(len(text) - 1))


@lru_cache(maxsize=4096)
def _title_shape(
    name: str,
) -> tuple[str, tuple[str, ...], tuple[str, ...], tuple[str, ...], frozenset[str], frozenset[str]]:
    """What ``_match_procedure`` reads of a title, computed once per title (titles are immutable catalog text):
    the compact title before any （qualifier）, its 3+ kanji runs, the qualifier's kanji runs, the whole title's
    2+ kanji runs, the words that can name it (``_name_words``) and the two-character substrings of the first
    and of the whole compact title (a message sharing none of them, nor a word, cannot name it)."""
    c = compact(name.split("（")[0])
    qualifier = tuple(re.findall(r"[一-龥々]{2,}", compact(name.split("（", 1)[1]))) if "（" in name else ()
    runs = tuple(re.findall(r"[一-龥々]{2,}", compact(name)))
    pairs = _pairs(c) | _pairs(compact(name))
    return c, tuple(re.findall(r"[一-龥々]{3,}", c)), qualifier, runs, _name_words(name), pairs


def with_quoted(citations: list[Citation], quoted: list[Citation]) -> list[Citation]:
    """``citations`` and after them each page a specific answer quoted that they lack: a sentence the reply
    states always travels with its citation (its numbers stand in the evidence; none is invented)."""
    have = {(c.url, c.snippet) for c in citations}
    return [*citations, *(c for c in quoted if (c.url, c.snippet) not in have)]


def has_instruction(text: str) -> bool:
    """True when ``text`` tries to give the assistant instructions (used by tests and the ingest report)."""
    return bool(_INSTRUCTION.search(norm(text)))
