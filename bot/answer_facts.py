"""A fact asked of a page that may not state it: when it is paid, how many times a year, until what age, an income
limit (issue 15).

A page about 児童手当 may say who gets it and nothing of when it is paid. Quoting its nearest sentence then answers
another question. So for these facts the reply is, in order: the quoted sentence when it states the fact; else the
sentence of the same page that states it; else that the page does not say it, and what the catalog states about the
procedure the question names, with the catalog's own source; else nothing (the reply stays as it was).
Japanese, kana-only and やさしい日本語 questions only (English answers have their own wording: bot.gist_en).
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING

from bot.contract import Citation
from bot.planner import Bundle, PlannedItem
from bot.provenance_view import citation
from bot.render import with_readings
from knowledge.check import is_official
from knowledge.japanese import content_tokens, is_english, norm
from knowledge.models import Lang
from knowledge.retrieval_types import Hit, PageSearchUnavailable

if TYPE_CHECKING:
    from bot.answer import Answerer


@dataclass(frozen=True)
class Fact:
    """A fact a question may ask: how the question asks it, how a sentence states it, and its name in a reply."""

    asks: re.Pattern[str]
    states: re.Pattern[str]
    name: str


_MONTH = r"[0-9０-９]{1,2}月"
# Order = priority: 年に何回支給 asks how many times before when.
FACTS: dict[str, Fact] = {
    "times": Fact(
        re.compile(r"(年|ねん)\s*に?\s*(何|なん)\s*(回|かい)"),
        re.compile(rf"年\s*[0-9０-９]+\s*回|{_MONTH}[・、と]{_MONTH}|{_MONTH}[0-9０-９]{{1,2}}日[・、]"),
        "支給の回数",
    ),
    "payday": Fact(
        re.compile(
            r"(何|なん)\s*(月|がつ)\s*(に|ごろ|頃)|いつ(?!まで|から)\s*(ごろ|頃)?\s*(支給|しきゅう|振り?込|ふりこ|"
            r"もらえ|支払|しはら|入金)|支給(日|月|時期)|振込日|振り?込み?の?(日|時期)"
        ),
        re.compile(
            rf"偶数月|奇数月|毎月|{_MONTH}[・、と]{_MONTH}|{_MONTH}[0-9０-９]{{1,2}}日[・、]|{_MONTH}(に|中旬|上旬|"
            rf"下旬|ごろ)|{_MONTH}から{_MONTH}分|翌月[0-9０-９]+日|支払いは|支給月|支給日|振込日|支給の時期"
        ),
        "支給の時期",
    ),
    "age": Fact(
        re.compile(r"(何|なん)\s*(歳|さい)|いくつまで|(歳|さい)\s*(まで|未満|以下)|年齢"),
        re.compile(r"[0-9０-９]+\s*歳|高校生年代|高校生世代|中学校修了|義務教育"),
        "対象の年齢",
    ),
    "income": Fact(
        re.compile(r"所得制限|しょとくせいげん|所得の?(上限|限度)"),
        re.compile(r"所得制限(は|が|を|も)?(あり|なし|なく|ない|撤廃|廃止)|所得.{0,8}(限度|上限)"),
        "所得制限",
    ),
}


def asked_fact(text: str) -> str | None:
    """The fact ``text`` asks (FACTS' key), if any; やさしい日本語's spaced phrases read as written together."""
    t = norm(text)
    t = t + " " + re.sub(r"\s+", "", t)
    return next((k for k, f in FACTS.items() if f.asks.search(t)), None)


def states_fact(kind: str, sentence: str) -> bool:
    """True when ``sentence`` states the fact ``kind`` (偶数月, 年6回, 18歳, 所得制限はありません …)."""
    return bool(FACTS[kind].states.search(norm(sentence)))


def _page_line(
    a: Answerer, cite: Citation, written: str, kind: str, municipality: str | None
) -> Citation | None:
    """The sentence of the quoted page that states the fact, as a citation: the one sharing most of the question's
    words (the first on a tie); None when the page states it nowhere."""
    more = getattr(a.searcher, "page_chunks", None)
    try:
        chunks: list[Hit] = more(cite.url) if more else []
    except PageSearchUnavailable:  # a reading aid only; the search itself reports the outage
        return None
    words = content_tokens(written) - content_tokens(cite.title)
    best: tuple[int, Hit, str] | None = None
    for h in chunks:
        heading = ""
        for line in h.text.splitlines():
            line = line.strip()
            if re.fullmatch(r"【[^】]*】", line):
                heading = line
                continue
            if not states_fact(kind, line):
                continue
            # a list item says what it is about with its heading (【支給の時期】・毎年6月…)
            text = f"{heading}{line.lstrip('・')}" if line.startswith("・") and heading else line.lstrip("・")
            score = len(words & content_tokens(f"{heading} {line}"))
            if best is None or score > best[0]:
                best = (score, h, text)
    return citation(a.catalog, best[1], best[2][:160], municipality) if best else None


def _catalog_line(a: Answerer, item: PlannedItem, kind: str, lang: Lang) -> str | None:
    """The catalog's sentence stating the fact for the procedure, with its official source; None without one."""
    p = item.procedure
    summary = p.summary.get("ja") if p.summary else ""
    said = next((s for s in re.split(r"(?<=。)", summary or "") if states_fact(kind, s)), None)
    source = next((s for s in p.sources if is_official(s.url, a.catalog)), None)
    if not said or source is None:
        return None
    line = f"{p.title.get('ja')}: {said.strip().rstrip('。')}（出典：{source.title}）"
    return with_readings(line) if lang == "easy" else line


def fact_answer(
    a: Answerer,
    text: str,
    cites: list[Citation],
    municipality: str | None,
    lang: Lang,
    event_date: dt.date | None = None,
) -> tuple[str, PlannedItem | None, list[Citation]] | None:
    """The reply to a question asking a fact (FACTS) whose quoted sentence ``cites[0]`` does not state it: the page's
    own sentence that does, else that the page does not say it and what the catalog states (with its source).
    Returns (reply, the procedure the catalog line is about, the citations to add); None to keep the reply."""
    if is_english(text) or lang == "en":
        return None
    written = a.written(text)
    kind = asked_fact(f"{text} {written}")
    if kind is None or (cites and states_fact(kind, cites[0].snippet)):
        return None
    local = municipality or a.place_in(text)
    if cites and (line := _page_line(a, cites[0], written, kind, local)):
        return "\n".join(a.quote_lines([line], lang)), None, [line]
    empty = Bundle(items=[], milestones=[], checklist=[], decisive={})
    item = a.match_procedure(written, empty, local, event_date)
    said = _catalog_line(a, item, kind, lang) if item else None
    if item is None or said is None:
        return None
    if not cites:
        return said, item, []
    c = cites[0]
    who = f"{c.publisher}の" if c.publisher else ""
    silent = f"{who}「{c.title}」のページには{FACTS[kind].name}は書かれていません。手続きの案内では："
    return (with_readings(silent) if lang == "easy" else silent) + "\n" + said, item, []
