"""Reply text in one layer: a planned bundle -> reply, procedure cards, checklist, quick replies, calendar text.

Every sentence the concierge writes itself comes from the message catalogue :data:`MESSAGES` in three languages:
``ja`` (ordinary Japanese), ``easy`` (やさしい日本語: short sentences, kana or 小学校 kanji, spaces between phrases)
and ``en``. Catalog texts are picked by :meth:`Renderer.text` with a fallback chain: ``easy`` -> the catalog's
``Text.easy`` -> the Japanese text with kana readings after words written with harder kanji -> Japanese; ``en``
-> the catalog's English (all catalog texts have one). Dates carry the year when it is not the current one.
:meth:`Renderer.bundle` is the one rendering of a planned bundle (cards, checklist, milestones, names) that the
chat turn, saved bundles and the tools share; the ``calendar_*`` methods word a saved bundle's calendar events.

Example::

    >>> r = Renderer(catalog, "en", today=dt.date(2026, 12, 7))
    >>> r.date(dt.date(2031, 12, 5)), Renderer(catalog, "ja", today=dt.date(2026, 12, 7)).date(dt.date(2031, 12, 5))
    ('5 December 2031', '2031年12月5日')
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from functools import lru_cache
from typing import TYPE_CHECKING, Any

from kanji_lists import KYOIKU

from bot import gazetteer
from bot.contract import (
    AmountOut,
    ChatResponse,
    DeadlineOut,
    MilestoneOut,
    ProcedureOut,
    QuickReply,
    SourceRef,
)
from bot.planner import OPTIONAL_TAG, Bundle, PlannedItem, visit_key
from bot.provenance_view import confirmed, local_online_url, source_refs, unconfirmed_note
from knowledge.catalog import Catalog
from knowledge.deadlines import closure_reason, next_open_day
from knowledge.japanese import KANJI, KANJI_CHAR, is_english, reading_pairs, to_hiragana
from knowledge.models import LANGS, FactOption, Lang, Procedure, Source, Text
from knowledge.provenance import badge_text

if TYPE_CHECKING:
    from bot.sessions import SessionState

OUTSIDE, ABROAD = (
    "outside",
    "abroad",
)  # the place codes bot.understand uses for the two non-Tokyo ends of a move
MAX_QUICK_REPLIES = 8
SUMMARY_DATED = 3  # dated procedures listed in the reply text
SUMMARY_LATE = 2  # notes on what to do now about past-due items, in the reply text

# ---- the message catalogue ---------------------------------------------------------------------------------
MESSAGES: dict[str, dict[Lang, str]] = {
    # summary of a bundle
    "summary.head": {
        "ja": "{events}ですね。{where}必要な手続きは{n}件です",
        "easy": "「{events}」ですね。\n{where}する てつづきは {n}こ です。",
        "en": "{events}{where}: {n_procedures} to do",
    },
    "summary.where": {"ja": "{place}で", "easy": "{place}で ", "en": " in {place}"},
    "summary.maybe": {
        "ja": "（ほかに条件によって{n}件）。",
        "easy": "\nほかに {n}こ ある かも しれません。",
        "en": ", {n} more that may apply.",
    },
    "summary.end": {"ja": "。", "easy": "", "en": "."},
    "summary.dated": {
        "ja": "・{title}：{date}まで",
        "easy": "・{title}：{date}まで",
        "en": "- {title}: by {date}",
    },
    "question.date_of": {
        "ja": "{events}の日付を教えてください（例：11月20日）",
        "easy": "「{events}」は いつですか？（れい：11月20日）",
        "en": "On what date did this happen (or will it happen): {events}? e.g. 20 November",
    },
    "summary.late": {"ja": "※ {title}：{late}", "easy": "※ {title}：{late}", "en": "Note on {title}: {late}"},
    # the answer to a question about one named procedure (bot.answer.Answerer.specific_answer)
    "answer.claim": {
        "ja": "ご注意ください：{title}の期限はお書きの期間とは違います。正しくは「{rule}」です。",
        "easy": "ちゅうい：{title}の きげんは、書いて ある 日の 数と ちがいます。ただしくは「{rule}」です。",
        "en": "Please note: that is not the deadline for {title}. The rule is: {rule}.",
    },
    "answer.no_deadline": {
        "ja": "法律で決まった期限はありません。",
        "easy": "きまった きげんは ありません。",
        "en": "no legal deadline is set.",
    },
    "answer.no_amount": {
        "ja": "金額の情報はありません。",
        "easy": "お金の じょうほうは ありません。",
        "en": "the catalog states no amount.",
    },
    "answer.source": {"ja": "（出典：{title}）", "easy": "（でどころ：{title}）", "en": " (source: {title})"},
    "answer.per": {"ja": "（{per}）", "easy": "（{per}）", "en": "({per})"},
    "answer.bring": {"ja": "必要なもの：", "easy": "もって いく もの：", "en": "bring "},
    "answer.who": {"ja": "対象：", "easy": "できる 人：", "en": "who: "},
    "answer.online": {"ja": "オンライン：", "easy": "オンライン：", "en": "online at "},
    "answer.no_online": {
        "ja": "オンライン手続きの情報はありません。",
        "easy": "オンラインで できるか どうかの じょうほうは ありません。",
        "en": "no online option is listed.",
    },
    "answer.penalty": {
        "ja": "期限は「{rule}」です。過ぎてしまった場合は{ask}にご相談ください。",
        "easy": "きげんは「{rule}」です。すぎて しまったら {ask}に そうだん して ください。",
        "en": "the deadline is: {rule}. If it has passed, please ask {ask}.",
    },
    "summary.overdue": {
        "ja": "（期限を過ぎています）",
        "easy": "。きげんが すぎて います",
        "en": " (past due)",
    },
    "overdue.late": {
        "ja": "期限を過ぎています。できるだけ早く窓口に相談してください。",
        "easy": "きげんが すぎて います。はやく まどぐちに そうだん して ください。",
        "en": "This deadline has passed: contact the office as soon as possible.",
    },
    "note.not_understood": {
        "ja": "すみません、「{label}」についてのお答えとして読み取れませんでした。",
        "easy": "すみません。「{label}」の こたえが わかりませんでした。",
        "en": "Sorry, I could not read that as an answer to the question ({label}).",
    },
    "note.outside_tokyo": {
        "ja": "{where}{name}は東京都外です。このコンシェルジュは東京都の区市町村の手続きをご案内しており、"
        "東京都外の市区町村独自の制度は表示していません。",
        "easy": "{name}は 東京都の 外です。ここでは 東京都の 区や 市の てつづきだけを あんない します。",
        "en": "The place you named ({name}) is outside Tokyo: this concierge covers Tokyo's municipalities "
        "only, so that municipality's own programmes are not shown.",
    },
    "note.confirm.from": {
        "ja": "引っ越し元の{name}での手続き（転出届など）は、{name}の窓口でご確認ください。",
        "easy": "{name}での てつづき（てんしゅつとどけ など）は、{name}の やくしょに きいて ください。",
        "en": "Steps at the place you leave ({name}), such as the moving-out notice, are handled by that "
        "municipality's own office: please check with it.",
    },
    "note.confirm.to": {
        "ja": "引っ越し先の{name}での手続き（転入届など）は、{name}の窓口でご確認ください。",
        "easy": "{name}での てつづき（てんにゅうとどけ など）は、{name}の やくしょに きいて ください。",
        "en": "Steps at your new home ({name}), such as the moving-in notice, are handled by that "
        "municipality's own office: please check with it.",
    },
    "note.unnamed.from": {
        "ja": "引っ越し元は東京都外ですね。そちらでの手続き（転出届など）は、その市区町村の窓口でご確認ください。",
        "easy": "まえに すんで いた ところは 東京都の 外ですね。そこでの てつづきは、その まちの やくしょに きいて ください。",
        "en": "You are moving in from outside Tokyo: check the steps there (such as the moving-out notice) with "
        "that municipality's own office.",
    },
    "note.unnamed.to": {
        "ja": "引っ越し先は東京都外ですね。そちらでの手続き（転入届など）は、その市区町村の窓口でご確認ください。",
        "easy": "ひっこす さきは 東京都の 外ですね。そこでの てつづきは、その まちの やくしょに きいて ください。",
        "en": "You are moving outside Tokyo: check the steps there (such as the moving-in notice) with that "
        "municipality's own office.",
    },
    "note.move_outside": {
        "ja": "{frm}から{to}への引っ越しは、引っ越し元も引っ越し先も東京都外のため、このコンシェルジュの対象外です"
        "（東京都の区市町村の手続きだけをご案内しています）。手続きは{frm}と{to}の窓口でご確認ください。",
        "easy": "{frm}から {to}への ひっこしは、どちらも 東京都の 外です。ここでは あんない できません。"
        "{frm}と {to}の やくしょに きいて ください。",
        "en": "Both ends of this move ({frm} → {to}) are outside Tokyo, so it is outside this concierge's "
        "service area (Tokyo's municipalities only): please check the procedures with those municipalities' "
        "own offices.",
    },
    "note.where.from": {"ja": "引っ越し元の", "easy": "", "en": ""},
    "note.where.to": {"ja": "引っ越し先の", "easy": "", "en": ""},
    "summary.approximate": {
        "ja": "（日付は{date}として計算しています。正確な日付を教えていただければ計算し直します）",
        "easy": "（{date}として けいさん しました。ただしい 日を おしえて ください）",
        "en": "(Dates assume {date}; tell me the exact date to recompute.)",
    },
    "events.join": {"ja": "・", "easy": "・", "en": " and "},
    # a procedure card
    "why": {
        "ja": "{events}に伴う手続きです",
        "easy": "「{events}」の ための てつづきです",
        "en": "Because of: {events}",
    },
    "why.facts": {
        "ja": "（{labels}の条件に当てはまるため）。",
        "easy": "（{labels}）。",
        "en": " (it applies given: {labels}).",
    },
    "why.end": {"ja": "。", "easy": "。", "en": "."},
    "labels.join": {"ja": "・", "easy": "・", "en": ", "},
    "unknown.if": {"ja": "{label}場合", "easy": "{label}とき", "en": "if {label}"},
    "unknown.depends": {
        "ja": "{label}によって",
        "easy": "{label}に よって",
        "en": "depending on the {label}",
    },
    "unknown.join": {"ja": "、", "easy": "、", "en": " and "},
    "optional": {
        "ja": "任意の手続きです。必要なときに利用してください。",
        "easy": "しなくても よい てつづきです。ひつような ときに つかって ください。",
        "en": "Optional: use it if it helps you.",
    },
    "unknown.sentence": {
        "ja": "{parts}は必要です。",
        "easy": "{parts}は ひつようです。",
        "en": "Might also apply {parts}.",
    },
    "outside_bundle": {
        "ja": "お尋ねの手続きです。必要かどうかは、上の質問へのお答えで決まります。",
        "easy": "きかれた てつづきです。ひつようか どうかは、上の しつもんの こたえで きまります。",
        "en": "You asked about this one; whether it applies depends on the details asked for above.",
    },
    "due.easy": {"ja": "{date}まで", "easy": "{date}までに だして ください", "en": "by {date}"},
    "due.easy.moved": {
        "ja": "",
        "easy": "（この 日は 休みの 日の ため、つぎに あいて いる 日に なりました）",
        "en": "",
    },
    "due.easy.closed": {
        "ja": "",
        "easy": "（この 日は やすみの 日です。その まえの あいて いる 日までに だして ください）",
        "en": "",
    },
    "opens.easy": {"ja": "{date}から", "easy": "{date}から だせます", "en": "from {date}"},
    # a notice filed before the move (住民基本台帳法24条「あらかじめ」): from when first, the after-move limit second
    "window.move": {
        "ja": "引っ越す前の{date}から出せます。",
        "easy": "ひっこす まえの {date}から だせます。",
        "en": "Can be filed before the move, from {date}. ",
    },
    "window": {
        "ja": "{date}から出せます。",
        "easy": "{date}から だせます。",
        "en": "Can be filed from {date}. ",
    },
    "window.closed": {
        "ja": "{date}は{reason}のため、窓口では{open}からです。",
        "easy": "{date}は まどぐちが やすみです。まどぐちでは {open}からです。",
        "en": "Offices are closed on {date}, {reason}; at the counter from {open}. ",
    },
    "window.after": {
        "ja": "引っ越した後なら、",
        "easy": "ひっこした あとなら、",
        "en": "If you have already moved: ",
    },
    "summary.window": {
        "ja": "・{title}：{opens}から（引っ越した後は{date}まで）",
        "easy": "・{title}：{opens}から（ひっこした あとは {date}まで）",
        "en": "- {title}: from {opens} (after the move, by {date})",
    },
    # places
    "place.outside": {"ja": "東京都外", "easy": "東京都の 外", "en": "outside Tokyo"},
    "place.abroad": {"ja": "海外", "easy": "外国", "en": "abroad"},
    # easy only (ja and en: bot.answer.free_answer words the 'not covered' reply)
    "not_covered": {
        "ja": "",
        "easy": (
            "ごめんなさい。この しつもんには こたえられません。{where}に きいて ください。\n"
            "子どもが うまれた、ひっこし、かぞくが なくなった、かいご、けっこん、りこん、しごとを やめた など、"
            "あったことを 書いて ください。する てつづきを おしえます。"
        ),
        "en": "",
    },
    "not_covered.phone": {"ja": "", "easy": "{place}（でんわ {phone}）", "en": ""},
    "not_covered.office": {"ja": "", "easy": "すんで いる 区や 市の まどぐち", "en": ""},
    "title.join": {"ja": " / ", "easy": " / ", "en": " / "},
    "title.where": {"ja": " — {place}", "easy": " — {place}", "en": " — {place}"},
    # quick replies
    "quick.skip": {"ja": "わからない・スキップ", "easy": "わからない・スキップ", "en": "Skip"},
    "quick.yes": {"ja": "はい", "easy": "はい", "en": "Yes"},
    "quick.no": {"ja": "いいえ", "easy": "いいえ", "en": "No"},
    "quick.today": {"ja": "今日", "easy": "今日", "en": "Today"},
    "quick.yesterday": {"ja": "昨日", "easy": "昨日", "en": "Yesterday"},
    "quick.outside": {"ja": "東京都外", "easy": "東京都の 外", "en": "Outside Tokyo"},
    "quick.abroad": {"ja": "海外", "easy": "外国", "en": "Abroad"},
    # the terminal rendering
    "text.deadline": {"ja": "期限", "easy": "きげん", "en": "deadline"},
    "text.online": {"ja": "オンライン", "easy": "オンライン", "en": "online"},
    "text.source": {"ja": "出典", "easy": "でどころ", "en": "source"},
    "text.bring": {"ja": "持ち物（まとめて）", "easy": "もって いく もの", "en": "What to bring"},
    "text.coming": {"ja": "この先の予定", "easy": "これからの よてい", "en": "Coming up"},
    "text.pages": {"ja": "参考ページ", "easy": "さんこうの ページ", "en": "Pages"},
    "text.colon": {"ja": "：", "easy": "：", "en": ": "},
    # calendar (iCalendar descriptions and names)
    "cal.summary": {"ja": "期限：{title}", "easy": "きげん：{title}", "en": "Due: {title}"},
    "cal.if_applies": {"ja": "（該当する場合）", "easy": "（ひつようなとき）", "en": " (if it applies)"},
    "cal.due": {"ja": "期限", "easy": "きげん", "en": "Due"},
    "cal.rule": {"ja": "期限の決まり", "easy": "きげんの きまり", "en": "Rule"},
    "cal.office": {"ja": "窓口", "easy": "まどぐち", "en": "Office"},
    "cal.bring": {"ja": "持ち物", "easy": "もって いく もの", "en": "Bring"},
    "cal.amount": {"ja": "金額", "easy": "お金", "en": "Amount"},
    "cal.online": {"ja": "オンライン申請", "easy": "オンラインで もうしこむ", "en": "Online"},
    "cal.source": {"ja": "出典", "easy": "でどころ", "en": "Source"},
    "cal.not_confirmed": {
        "ja": "（公式ページで未確認）",
        "easy": "（こうしきの ページで たしかめて いません）",
        "en": " (not confirmed on an official page)",
    },
    "cal.plan": {"ja": "手続きバンドル", "easy": "てつづきの まとめ", "en": "Your plan"},
    "cal.list_sep": {"ja": "、", "easy": "、", "en": ", "},
    "list.sep": {"ja": "、", "easy": "、", "en": ", "},  # items of a list in a sentence
    "cal.category.procedure": {"ja": "期限", "easy": "きげん", "en": "Deadline"},
    "cal.category.milestone": {"ja": "予定", "easy": "よてい", "en": "Milestone"},
    "cal.desc": {
        "ja": "手続きバンドル {code} の期限と予定（カタログ版 {version}）。",
        "easy": "てつづきの まとめ {code} の きげんと よてい（カタログ {version}）。",
        "en": "Procedures and milestones of plan {code} (catalog {version}).",
    },
    "cal.added": {
        "ja": "【追加 {date}】この予定が新しく加わりました",
        "easy": "【ついか {date}】この よていが ふえました",
        "en": "[New {date}] Added to your plan",
    },
    "cal.updated": {"ja": "【更新 {date}】", "easy": "【かわりました {date}】", "en": "[Updated {date}]"},
    "cal.version": {
        "ja": "（カタログ版 {old} → {new}）",
        "easy": "（カタログ {old} → {new}）",
        "en": " (catalog {old} → {new})",
    },
    "cal.sep": {"ja": "／", "easy": "／", "en": "; "},
    "cal.none": {"ja": "なし", "easy": "なし", "en": "none"},
    "field.title": {"ja": "名称", "easy": "なまえ", "en": "Title"},
    "field.date": {"ja": "日付", "easy": "日づけ", "en": "Date"},
    "field.office": {"ja": "窓口", "easy": "まどぐち", "en": "Office"},
    "field.documents": {"ja": "持ち物", "easy": "もって いく もの", "en": "Documents"},
    "field.amounts": {"ja": "金額", "easy": "お金", "en": "Amount"},
    "field.online_url": {"ja": "オンライン申請", "easy": "オンライン", "en": "Online"},
    "field.deadline": {"ja": "期限の決まり", "easy": "きげんの きまり", "en": "Deadline rule"},
    "field.status": {"ja": "対象", "easy": "ひつようか", "en": "Applies"},
    "field.sources": {"ja": "出典", "easy": "でどころ", "en": "Sources"},
    "field.text": {"ja": "内容", "easy": "ないよう", "en": "Details"},
}

# Questions whose wording depends on the life event (a birth conversation never hears about a death).
EVENT_QUESTIONS: dict[tuple[str, str], Text] = {
    ("insurance", "death"): Text(
        ja="亡くなった方は、どの健康保険に加入していましたか？",
        en="Which public health insurance was the person who died in?",
        easy="なくなった 人は どの けんこうほけんに 入って いましたか？",
    ),
    ("household_head", "death"): Text(
        ja="亡くなった方は世帯主でしたか？",
        en="Was the person who died the head of the household?",
        easy="なくなった 人は せたいぬし でしたか？",
    ),
    ("household_head", "moving"): Text(
        ja="引っ越す方は世帯主ですか？",
        en="Is the person moving the head of the household?",
        easy="ひっこす 人は せたいぬし ですか？",
    ),
    ("person_age", "death"): Text(
        ja="亡くなった方は何歳でしたか？",
        en="How old was the person who died?",
        easy="なくなった 人は 何さい でしたか？",
    ),
    ("person_age", "care"): Text(
        ja="介護が必要な方は何歳ですか？",
        en="How old is the person who needs care?",
        easy="かいごが ひつような 人は 何さい ですか？",
    ),
}

MONTHS_EN = [  # English dates here and in the English gist of page sentences (bot.gist_en)
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
]


def msg(key: str, lang: Lang, **kw: Any) -> str:
    """The catalogue message ``key`` in ``lang`` with ``kw`` filled in."""
    return MESSAGES[key][lang].format(**kw)


def format_date(day: dt.date, lang: Lang, today: dt.date | None = None) -> str:
    """'12月5日' / '2031年12月5日' (the year when it is not ``today``'s; always when ``today`` is None);
    English always '5 December 2031'."""
    if lang == "en":
        return f"{day.day} {MONTHS_EN[day.month - 1]} {day.year}"
    if today is not None and day.year == today.year:
        return f"{day.month}月{day.day}日"
    return f"{day.year}年{day.month}月{day.day}日"


def plural(n: int, word: str) -> str:
    """'1 procedure', '4 procedures'."""
    return f"{n} {word}" + ("" if n == 1 else "s")


# ---- language of a message ---------------------------------------------------------------------------------
_KANJI = KANJI_CHAR
_HIRAGANA = re.compile(r"[\u3041-\u3096]")
_KANA = re.compile(r"[\u3041-\u3096\u30a1-\u30faー]")
# kanji a kana-only writer still uses: place names (世田谷区, せたがや区, 大阪府, 八王子市) and counters after digits
# (12月3日, 80歳)
_NAME_KANJI = re.compile(
    rf"(?:[{KANJI}]{{1,5}}|[\u3041-\u3096]{{2,6}})[都道府県区市町村](?![{KANJI}])|(?<=\d)[年月日歳才人](?![{KANJI}])"
)
_COPULA = re.compile(
    r"\s*(です|でした|だ|になります)?\s*[。.!！]?\s*$"
)  # 「世田谷区です」 is the answer 「世田谷区」
_JA_SPACE = re.compile(r"[\u3041-\u30ff\u4e00-\u9fff][ \u3000]+(?=[\u3041-\u30ff\u4e00-\u9fff])")


_EN_WORD = re.compile(r"[A-Za-z]{2,}")


def _english_with_terms(text: str) -> bool:
    """An English sentence that names Japanese terms ('What is 児童手当?', 'Where do I get the 母子手帳?'): two
    English words or more, and Japanese only as names (kanji and katakana, no hiragana of a Japanese sentence)."""
    return len(_EN_WORD.findall(text)) >= 2 and not _HIRAGANA.search(text)


def detect_lang(text: str) -> Lang:
    """``en`` for English; ``easy`` for kana-only or やさしい日本語 (mostly hiragana, phrases spaced); else ``ja``.

    >>> detect_lang("あかちゃん うまれた"), detect_lang("子どもが生まれました"), detect_lang("We moved")
    ('easy', 'ja', 'en')
    """
    if is_english(text) or _english_with_terms(text):
        return "en"
    kana = len(_KANA.findall(text))
    kanji = len(_KANJI.findall(text))
    if kana >= 2 and kanji == 0 and _HIRAGANA.search(text):
        return "easy"
    gaps = len(_JA_SPACE.findall(text))  # phrases spaced (分かち書き), the mark of やさしい日本語
    plain = len(
        _KANJI.findall(_NAME_KANJI.sub("", text))
    )  # a place name or a date is a name, not a hard word
    if kana >= 6 and gaps and plain * 5 <= kana:
        return "easy"  # 「にんしん した。せたがや区 です。12月1日」
    if kana >= 6 and gaps >= 3 and kanji * 2 <= kana:
        return "easy"  # 「せたがや区 から 渋谷区 に ひっこし」: place names in kanji, the rest spaced kana
    # やさしい日本語 with simple kanji: phrases spaced (分かち書き, at least three gaps), only 小学校 kanji, more kana
    # than kanji besides place names ('子どもが 生まれました。 何日までに 出しますか', '子どもが 来年 小学校に
    # 入ります。 日野市 です')
    simple = all(ch in SIMPLE_KANJI for ch in _KANJI.findall(text))
    if simple and kana >= 6 and plain <= kana and gaps >= 3:
        return "easy"
    # kana-only but for a place name and dates, unspaced: 「こどもがうまれました。世田谷区にすんでいます」
    if kana >= 8 and _HIRAGANA.search(text) and not _KANJI.search(_NAME_KANJI.sub("", text)):
        return "easy"
    return "ja"


# one romanised name, as a resident answers "which ward?" ("Shibuya", "Minato-ku", "Hachioji city"): an answer
_ONE_NAME = re.compile(
    r"\s*[A-Za-z]+(?:[- ](?:ku|shi|machi|mura|cho|son|city|ward|town|village))?\s*[.!]?\s*$", re.I
)
_LANGUAGE_WORD = re.compile(r"english|eigo", re.I)  # "English": a request for the language, not a place


def choose_lang(requested: str | None, message: str, previous: str | None, turns: int) -> Lang:
    """The reply language: the one asked for; else the message's; a short answer in a running conversation
    (a place, a date, 「はい」, a quick-reply label) keeps the conversation's language."""
    if requested in LANGS:
        return requested  # type: ignore[return-value]
    detected = detect_lang(message)
    if turns and previous in LANGS and previous != detected:
        letters = sum(ch.isalpha() for ch in message)
        if detected == "en":  # "OK", "yes" and a bare place name ("Shibuya", "Minato-ku") keep it
            bare = letters < 4 or (_ONE_NAME.match(message) and not _LANGUAGE_WORD.search(message))
            return previous if bare else "en"  # type: ignore[return-value]
        if previous == "en" and not _KANA.search(_COPULA.sub("", message)):
            return (
                "en"  # 「世田谷区」, 11/20, 「世田谷区です」, 「国民健康保険です」: an answer, not a switch
            )
        if previous == "easy" or (detected == "easy" and letters <= 10):
            return previous  # type: ignore[return-value]
    return detected


# ---- やさしい日本語: readings (the check lives in evals.metrics) -----------------------------------------------
SIMPLE_KANJI = frozenset(KYOIKU)  # 小学校で習う漢字 (学年別漢字配当表, 令和2年)
_READING_ONLY = re.compile(r"(?<=[^\s（）()、。・「」：])（[\u3041-\u3096ー・ ]+）")


def _hard(s: str) -> bool:
    return any(_KANJI.match(ch) and ch not in SIMPLE_KANJI for ch in s)


def _segments(surface: str, reading: str) -> list[tuple[str, str | None]]:
    """A word split into kanji runs (with their part of the reading) and kana (None): 引っ越し/ひっこし ->
    [('引', 'ひ'), ('っ', None), ('越', 'こ'), ('し', None)]; the whole word when the parts can't be aligned."""
    parts = re.findall(f"[{KANJI}]+|[^{KANJI}]+", surface)
    pattern = "".join("(.+?)" if _KANJI.match(x) else re.escape(to_hiragana(x)) for x in parts)
    m = re.fullmatch(pattern, reading)
    if m is None:  # 5万円/ごまんえん: digits are read out; such a word needs a reading only for a hard kanji
        return [(surface, reading if _hard(surface) else None)]
    groups = iter(m.groups())
    return [(x, next(groups)) if _KANJI.match(x) else (x, None) for x in parts]


@lru_cache(maxsize=4096)
def with_readings(text: str) -> str:
    """Japanese text with a hiragana reading right after each run of kanji that has one beyond 小学校 kanji.

    >>> with_readings("戸籍謄本を含めて")
    '戸籍謄本（こせきとうほん）を含（ふく）めて'
    """
    if not _hard(text):
        return text
    out: list[str] = []
    run: list[tuple[str, str]] = []  # adjacent kanji parts: 後期+高齢+者 read as one compound

    def flush() -> None:
        surface = "".join(x for x, _ in run)
        out.append(f"{surface}（{''.join(r for _, r in run)}）" if _hard(surface) else surface)
        run.clear()

    for surface, reading in reading_pairs(text):
        has_reading = _KANJI.search(surface) and reading and _HIRAGANA.search(reading)
        for part, part_reading in _segments(surface, reading) if has_reading else [(surface, None)]:
            if part_reading is not None:
                run.append((part, part_reading))
                continue
            if run:
                flush()
            out.append(part)
    if run:
        flush()
    return "".join(out)


def strip_readings(text: str) -> str:
    """``text`` without the kana readings :func:`with_readings` added: '福祉（ふくし）センター' -> '福祉センター'."""
    return _READING_ONLY.sub("", text)


# ---- a bundle in one language -------------------------------------------------------------------------------
@dataclass
class BundleText:
    """A planned bundle as every interface shows it — the chat reply, a saved bundle (and its calendar and print
    page), the staff planner and the tools: cards, checklist, milestones and the names of events and places."""

    event_names: list[str]
    title: str
    municipality: str | None  # the municipality's name
    municipality_code: str | None
    move_from: str | None  # plain names, as data fields (no kana readings)
    move_to: str | None
    procedures: list[ProcedureOut]
    checklist: list[str]
    milestones: list[MilestoneOut]


# ---- the renderer --------------------------------------------------------------------------------------------
class Renderer:
    """Everything the concierge shows, in one language, relative to ``today`` (for the year of dates)."""

    def __init__(self, catalog: Catalog, lang: Lang, today: dt.date | None = None) -> None:
        self.catalog = catalog
        self.lang: Lang = lang if lang in LANGS else "ja"
        self.today = today

    def msg(self, key: str, **kw: Any) -> str:
        return msg(key, self.lang, **kw)

    def text(self, t: Text | None) -> str:
        """A catalog text: easy -> Text.easy -> Japanese with readings; en -> Text.en -> Japanese."""
        if t is None:
            return ""
        if self.lang == "en":
            return t.en or t.ja
        if self.lang == "easy":
            return t.easy or with_readings(t.ja)
        return t.ja

    def answer_label(self, ja: str) -> str:
        """A quick-reply label: 「家族の扶養（ふよう）に入っている」 in やさしい日本語 (the widget sends it back
        without the readings, see :func:`strip_readings`)."""
        return with_readings(ja) if self.lang == "easy" else ja

    def option_label(self, option: FactOption) -> str:
        """A choice's quick-reply label: English, the option's やさしい日本語 wording (else its Japanese with
        readings), or Japanese."""
        if self.lang == "en":
            return option.en
        if self.lang == "easy":
            return option.easy or self.answer_label(option.ja)
        return option.ja

    def date(self, day: dt.date) -> str:
        return format_date(day, self.lang, self.today)

    # ---- names --------------------------------------------------------------------------------------------
    def event_names(self, events: list[str]) -> list[str]:
        return [self.text(self.catalog.events[e].name) for e in events if e in self.catalog.events]

    def events_text(self, events: list[str]) -> str:
        """The events' names joined: 'Moving house and death in the family' (in English only the first name keeps
        its capital; a name that starts with an acronym keeps it)."""
        names = self.event_names(events)
        if self.lang == "en":
            names = names[:1] + [n[:1].lower() + n[1:] if n[1:2].islower() else n for n in names[1:]]
        return self.msg("events.join").join(names)

    def place(self, code: str | None, *, readings: bool = True) -> str | None:
        """A municipality code (or outside/abroad) as a name; ``readings=False`` for data fields (move_to),
        which stay plain names (easy -> the Japanese name)."""
        if code is None:
            return None
        lang: Lang = "ja" if self.lang == "easy" and not readings else self.lang
        if code == OUTSIDE:
            return msg("place.outside", lang)
        if code == ABROAD:
            return msg("place.abroad", lang)
        m = self.catalog.municipalities.get(code)
        if m is None:
            return code
        if lang == "en":
            return m.en
        return f"{m.name}（{m.kana}）" if lang == "easy" and _hard(m.name) else m.name

    def procedure_title(self, title: Text) -> str:
        """A procedure's name; in やさしい日本語 the catalog's easy words, then the official name (with readings)
        in brackets, the word to say at the window: 「あかちゃんが うまれたことを とどけます（出生届）」."""
        if self.lang != "easy" or not title.easy:
            return self.text(title)
        return f"{title.easy}（{with_readings(title.ja.split('（')[0])}）"

    def not_covered(self, code: str | None) -> str:
        """The honest 'not covered, ask there' reply in やさしい日本語."""
        m = self.catalog.municipalities.get(code or "")
        if m and m.phone:
            where = self.msg("not_covered.phone", place=self.place(m.code), phone=m.phone)
        else:
            where = (self.place(m.code) if m else None) or self.msg("not_covered.office")
        return self.msg("not_covered", where=where)

    def office(self, office_id: str, code: str | None) -> str:
        return self.text(self.catalog.office_name(office_id, code))

    def document(self, doc_id: str) -> str:
        doc = self.catalog.documents.get(doc_id)
        return self.text(doc.name) if doc else doc_id

    def question(self, fact_id: str, events: list[str]) -> str:
        if fact_id == "event_date" and events:  # the events still without a date (bot.dialogue.asked_for)
            return self.msg("question.date_of", events=self.events_text(events))
        for ev in events:
            if (fact_id, ev) in EVENT_QUESTIONS:
                return self.text(EVENT_QUESTIONS[(fact_id, ev)])
        return self.text(self.catalog.facts[fact_id].question)

    def title(self, events: list[str], municipality: str | None) -> str:
        where = self.place(municipality)
        return self.msg("title.join").join(self.event_names(events)) + (
            self.msg("title.where", place=where) if where else ""
        )

    # ---- cards --------------------------------------------------------------------------------------------
    def deadline(self, item: PlannedItem) -> DeadlineOut | None:
        p = item.procedure
        if not (p.deadline or p.opens):
            return None
        text = self.text(p.deadline.text) if p.deadline else ""
        explanation = None
        if item.due:
            if self.lang == "easy":
                explanation = self.msg("due.easy", date=self.date(item.due.due))
                if p.deadline and p.deadline.direction == "before":
                    explanation = self.msg("opens.easy", date=self.date(item.due.due))
                if item.due.extended:
                    explanation += self.msg("due.easy.moved")
                elif closure_reason(item.due.due):  # a rule that does not move: act by the open day before
                    explanation += self.msg("due.easy.closed")
            else:
                explanation = item.due.explanation(self.lang)
            if item.opens and p.opens and p.deadline and p.deadline.direction == "after":
                explanation = self._window(item, explanation)
        late = None
        if item.overdue:
            late = self.text(p.deadline.late) if p.deadline and p.deadline.late else self.msg("overdue.late")
        return DeadlineOut(
            text=text or (self.text(p.opens.text) if p.opens else ""),
            due=item.due.due if item.due else None,
            explanation=explanation,
            opens=item.opens.due if item.opens else None,
            overdue=item.overdue,
            late=late,
        )

    def _window(self, item: PlannedItem, explanation: str) -> str:
        """A notice that opens before the move (転出届: from about 14 days before, 住民基本台帳法24条): the card says
        from when it can be filed first; a limit after the move (豊島区: 住み始めた日より後の14日以内) follows as the
        fallback, never as if the notice were due after the move."""
        p, opens = item.procedure, item.opens
        assert p.opens is not None and p.deadline is not None and opens is not None
        head = self.msg("window.move" if p.opens.trigger == "move" else "window", date=self.date(opens.due))
        if reason := closure_reason(
            opens.due
        ):  # the legal first day is a closed day: the counter's first day
            head += self.msg(
                "window.closed",
                date=self.date(opens.due),
                reason=reason[1] if self.lang == "en" else reason[0],
                open=self.date(next_open_day(opens.due)),
            )
        if p.deadline.length > 0 and p.opens.trigger == "move":
            head += self.msg("window.after")
        return head + explanation

    def why(self, item: PlannedItem) -> str:
        head = self.msg("why", events=self.events_text(item.events))
        facts = sorted({f for c in item.conditions for f in c.facts()})
        labels = [
            self.text(self.catalog.facts[f].label)
            for f in facts
            if f in self.catalog.facts and self.catalog.facts[f].label
        ]
        if not labels:
            return head + self.msg("why.end")
        return head + self.msg("why.facts", labels=self.msg("labels.join").join(labels))

    def unknown(self, item: PlannedItem) -> str:
        """'Might also apply if …' for an item whose deciding facts are unknown."""
        yes_no: list[str] = []
        depends: list[str] = []
        for f in item.unknown:
            fact = self.catalog.facts.get(f)
            if fact and fact.label:
                (yes_no if fact.type == "bool" else depends).append(self.text(fact.label))
        if not (yes_no or depends):
            return ""
        parts = [self.msg("unknown.if", label=x) for x in yes_no]
        parts += [self.msg("unknown.depends", label=x) for x in depends]
        return self.msg("unknown.sentence", parts=self.msg("unknown.join").join(parts))

    def procedure(self, item: PlannedItem, *, outside_bundle: bool = False) -> ProcedureOut:
        """One procedure card."""
        p = item.procedure
        code = item.municipality
        muni = self.catalog.municipalities.get(code or "")
        sources = [
            *p.sources,
            *(p.deadline.sources if p.deadline else []),
            *self.catalog.local_name_sources(p.office, code),
        ]
        event = self.catalog.events.get(item.event)
        why = conditional = None
        if item.status == "applies" and not outside_bundle:
            why = self.why(item)
        else:
            conditional = self.unknown(item) or None
            if conditional is None and OPTIONAL_TAG in p.tags:
                conditional = self.msg("optional")
        if outside_bundle:
            conditional = conditional or self.msg("outside_bundle")
        return ProcedureOut(
            id=p.id,
            title=self.procedure_title(p.title),
            office=self.office(p.office, code),
            municipality=muni.name if muni else None,
            deadline=self.deadline(item),
            documents=[self.document(d) for d in (p.documents if item.documents is None else item.documents)],
            online_url=local_online_url(self.catalog, p.online.url if p.online else None, code),
            sources=self.sources(sources, code),
            summary=self.text(p.summary) if p.summary else None,
            why=why,
            conditional=conditional,
            amounts=[
                AmountOut(
                    label=self.text(a.label),
                    yen=a.yen,
                    sources=self.sources(a.sources, code),
                    confirmed=confirmed(self.catalog, a.sources) or not a.sources,
                )
                for a in p.amounts
            ],
            life_event=event.id if event else None,
            step=item.step,
            visit=visit_key(item),
            unconfirmed=self.unconfirmed(p, code),
        )

    def unconfirmed(self, p: Procedure, code: str | None) -> str | None:
        """The card's note that its facts rest only on non-official pages; in やさしい日本語 easy words, the
        names in it (office, municipality) with readings."""
        note = unconfirmed_note(self.catalog, p, code, self.lang)
        return with_readings(note) if note and self.lang == "easy" else note

    def checklist(self, bundle: Bundle) -> list[str]:
        return [self.document(d) for d in bundle.checklist]

    def sources(self, sources: list[Source], municipality: str | None) -> list[SourceRef]:
        """Each source once with its publisher, kind and dates; other municipalities' pages last, as 参考."""
        return source_refs(self.catalog, sources, municipality, "en" if self.lang == "en" else "ja")

    def milestones(self, bundle: Bundle, municipality: str | None = None) -> list[MilestoneOut]:
        return [
            MilestoneOut(
                id=m.milestone.id,
                title=self.text(m.milestone.title),
                date=m.date,
                text=self.text(m.milestone.text) if m.milestone.text else None,
                sources=self.sources(m.milestone.sources, municipality),
            )
            for m in bundle.milestones
        ]

    def bundle(
        self,
        bundle: Bundle,
        events: list[str],
        municipality: str | None = None,
        move_from: str | None = None,
        move_to: str | None = None,
    ) -> BundleText:
        """The one rendering of a planned bundle (the chat turn, a saved bundle and the tools all use it)."""
        muni = self.catalog.municipalities.get(municipality or "")
        return BundleText(
            event_names=self.event_names(events),
            title=self.title(events, municipality),
            municipality=muni.name if muni else None,
            municipality_code=muni.code if muni else None,
            move_from=self.place(move_from, readings=False),
            move_to=self.place(move_to, readings=False),
            procedures=[self.procedure(it) for it in bundle.items],
            checklist=self.checklist(bundle),
            milestones=self.milestones(bundle, municipality),
        )

    # ---- calendar text (bot.calendar lays it out as iCalendar events) --------------------------------------
    def calendar_summary(self, p: ProcedureOut) -> str:
        """A dated card's event title: 「期限：出生届」, 「（該当する場合）」 after it when it may not apply."""
        maybe = self.msg("cal.if_applies") if p.conditional is not None else ""
        return self.msg("cal.summary", title=p.title) + maybe

    def calendar_procedure(self, p: ProcedureOut) -> list[str]:
        """A dated card's event description: due date (always with its year), rule, office, what to bring,
        amounts, the unconfirmed note, online, the condition when it may not apply, and its sources."""
        due = p.deadline.due if p.deadline else None
        assert p.deadline and due, "only dated cards become calendar events"

        def line(key: str, value: str) -> str:
            return f"{self.msg(key)}: {value}"

        lines = [
            line("cal.due", format_date(due, self.lang)),
            line("cal.rule", p.deadline.explanation or p.deadline.text),
            line("cal.office", p.office),
        ]
        if p.documents:
            lines.append(line("cal.bring", self.msg("cal.list_sep").join(p.documents)))
        for a in p.amounts:
            unconfirmed = "" if a.confirmed else self.msg("cal.not_confirmed")
            lines.append(line("cal.amount", f"{a.label} {yen(a.yen, self.lang)}{unconfirmed}"))
        if p.unconfirmed:
            lines.append(f"※ {p.unconfirmed}")
        if p.online_url:
            lines.append(line("cal.online", p.online_url))
        if p.conditional is not None:
            lines.append(p.conditional or "")
        return lines + [self.calendar_source(s) for s in p.sources]

    def calendar_milestone(self, m: MilestoneOut) -> list[str]:
        """A dated milestone's event description: its text and its sources."""
        return ([m.text] if m.text else []) + [self.calendar_source(s) for s in m.sources]

    def calendar_plan(self, display_code: str, url: str) -> str:
        """The last line of every event: the saved bundle it belongs to."""
        return f"{self.msg('cal.plan')} ({display_code}): {url}"

    def calendar_source(self, s: SourceRef) -> str:
        """One source in a calendar description: its badge (公式 / 公的機関 / 非公式・要確認 / 保存コピー), whether it is
        another municipality's page, its publisher and the date the page states (never the check date); in English
        the Japanese page title stands once in brackets after the URL."""
        badge = badge_text(s.kind or "private", s.page_date, s.reference, self.lang)
        who = f" — {s.publisher}" if s.publisher else ""
        return f"{self.msg('cal.source')} [{badge}]{who}: {self._titled(s.title, s.url)}"

    # ---- quick replies ------------------------------------------------------------------------------------
    def quick_replies(self, question: str | None, state: SessionState) -> list[QuickReply]:
        if not question:
            return []
        fact = self.catalog.facts[question]
        skip = QuickReply(fact=question, label=self.msg("quick.skip"), value="skip")
        if fact.type == "choice":
            opts = [
                QuickReply(fact=question, label=self.option_label(o), value=o.value) for o in fact.options
            ]
            return [*opts[: MAX_QUICK_REPLIES - 1], skip]
        if fact.type == "bool":
            return [
                QuickReply(fact=question, label=self.msg("quick.yes"), value="yes"),
                QuickReply(fact=question, label=self.msg("quick.no"), value="no"),
                skip,
            ]
        if fact.type == "date":
            return [
                QuickReply(fact=question, label=self.msg("quick.today"), value="today"),
                QuickReply(fact=question, label=self.msg("quick.yesterday"), value="yesterday"),
                skip,
            ]
        if fact.type == "municipality":
            picks = [
                self.catalog.municipalities[c]
                for c in (state.municipality, state.move_from)
                if c in self.catalog.municipalities
            ]
            opts = [
                QuickReply(
                    fact=question,
                    label=m.short_en if self.lang == "en" else self.place(m.code) or m.name,
                    value=m.name,
                )
                for m in picks
            ]
            if question == "move_to":
                opts += [
                    QuickReply(fact=question, label=self.msg("quick.outside"), value="outside"),
                    QuickReply(fact=question, label=self.msg("quick.abroad"), value="abroad"),
                ]
            return [*opts, skip]
        return [skip]

    # ---- the reply text -----------------------------------------------------------------------------------
    def outside_name(self, name: str) -> str:
        """A place outside Tokyo as the gazetteer names it; in easy Japanese with its reading after it."""
        if self.lang != "easy" or not KANJI_CHAR.search(name):
            return name
        kana = gazetteer.reading(name)
        return f"{name}（{kana}）" if kana else with_readings(name)

    def summary(
        self,
        state: SessionState,
        procs: list[ProcedureOut],
        follow_up: list[str],
        specific: str | None = None,
    ) -> str:
        """The reply to a bundle: what was understood, how many procedures, the nearest due dates, the question."""
        applies = [p for p in procs if not p.conditional]
        maybe = [p for p in procs if p.conditional]
        place = self.place(state.municipality) if state.municipality in self.catalog.municipalities else None
        where = self.msg("summary.where", place=place) if place else ""
        head = self.msg(
            "summary.head",
            events=self.events_text(state.events),
            where=where,
            n=len(applies),
            n_procedures=plural(len(applies), "procedure"),
        )
        head += self.msg("summary.maybe", n=len(maybe)) if maybe else self.msg("summary.end")
        lines = [specific] if specific else []
        lines.append(head)
        dated = [p for p in applies if p.deadline and p.deadline.due]
        for p in dated[:SUMMARY_DATED]:
            due = p.deadline.due  # type: ignore[union-attr]
            line = self.msg("summary.dated", title=p.title, date=self.date(due))  # type: ignore[arg-type]
            opens = p.deadline.opens  # type: ignore[union-attr]
            if opens and state.event_date and opens < state.event_date < due and not self._moved(state):  # type: ignore[operator]
                line = self.msg("summary.window", title=p.title, opens=self.date(opens), date=self.date(due))  # type: ignore[arg-type]
            if self.today and due < self.today:  # type: ignore[operator]
                line += self.msg("summary.overdue")
            lines.append(line)
        lines += self._late_notes(dated[:SUMMARY_DATED])
        if state.date_approximate and state.event_date:
            lines.append(self.msg("summary.approximate", date=self.date(state.event_date)))
        lines += follow_up
        return "\n".join(lines)

    def _moved(self, state: SessionState) -> bool:
        """The move (the event) already happened on the request's today: no need to say from when to file."""
        day = (state.event_dates or {}).get("moving") or state.event_date
        return self.today is not None and day is not None and day < self.today

    def _late_notes(self, shown: list[ProcedureOut]) -> list[str]:
        """What to do now about the past-due items listed (each distinct note once, as the catalog's source
        says it; the general advice once for the items whose source says nothing)."""
        notes: list[str] = []
        for p in shown:
            late = p.deadline.late if p.deadline and p.deadline.overdue else None
            if late and late not in "".join(notes):
                notes.append(self.msg("summary.late", title=p.title, late=late))
        return notes[:SUMMARY_LATE]

    def terminal(self, resp: ChatResponse) -> str:
        """A plain-text rendering of a reply for the terminal."""
        colon = self.msg("text.colon")
        lines = [resp.reply, ""]
        for n, p in enumerate(resp.procedures, 1):
            due = f" — {self.date(p.deadline.due)}" if p.deadline and p.deadline.due else ""
            mark = "?" if p.conditional else "•"
            lines.append(f"{mark} {n}. {p.title} [{p.office}]{due}")
            if p.deadline:
                lines.append(
                    f"    {self.msg('text.deadline')}{colon}{p.deadline.explanation or p.deadline.text}"
                )
            if p.deadline and p.deadline.overdue and p.deadline.late:
                lines.append(f"    ※ {p.deadline.late}")
            if p.conditional:
                lines.append(f"    {p.conditional}")
            if p.online_url:
                lines.append(f"    {self.msg('text.online')}{colon}{p.online_url}")
            if p.unconfirmed:  # in やさしい日本語 already with readings (Renderer.unconfirmed)
                lines.append(f"    ※ {p.unconfirmed}")
            for s in p.sources[:2]:  # with its badge and publisher, as the widget shows it
                who = f"・{s.publisher}" if s.publisher and self.lang != "easy" else ""
                badge = f"[{s.badge}{who}] " if s.badge else ""
                lines.append(f"    {self.msg('text.source')}{colon}{badge}{self._titled(s.title, s.url)}")
        if resp.checklist:
            lines += ["", self.msg("text.bring") + colon.strip()] + [f"  □ {d}" for d in resp.checklist]
        if resp.milestones:
            lines += ["", self.msg("text.coming") + colon.strip()]
            lines += [f"  {self.date(m.date) if m.date else ''} {m.title}" for m in resp.milestones]
        if resp.citations:
            lines += ["", self.msg("text.pages") + colon.strip()]
            lines += [f"  {self._titled(c.title, c.url)}" for c in resp.citations]
        return "\n".join(lines)

    def _titled(self, title: str, url: str) -> str:
        """A page's (Japanese) title and URL; in English the title stands once in brackets."""
        return f"{url} ({title})" if self.lang == "en" else f"{title} {url}"


def yen(v: int, lang: Lang) -> str:
    return f"¥{v:,}" if lang == "en" else f"{v:,}円"
