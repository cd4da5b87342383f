"""Grounded answers: catalog fields for specific questions, extractive passages with citations otherwise.

Nothing in a resident's message or in a page changes what is said: replies are assembled from catalog fields and
quoted page sentences; sentences that read like instructions to the assistant are never quoted.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from bot.contract import Citation
from bot.planner import Bundle, PlannedItem
from bot.provenance_view import citation, free_answer_head, quoted_line, reply_note
from bot.text import compact, content_tokens, en_words, has_kanji, norm, noun_tokens
from bot.understand import claimed_period
from knowledge.catalog import Catalog
from knowledge.deadlines import compute_due
from knowledge.models import Lang
from knowledge.retrieval_types import Hit, PageSearcher, StoreUnavailable
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
SNIPPET_CHARS = 160
# A page passage is relevant when (questions with kanji) it shares a noun other than a place name with the question
# at dense similarity >= MIN_DENSE, or (kana-only and English questions, whose words can't be matched against
# Japanese text) reaches MIN_DENSE_NO_KANJI. Floors for multilingual-e5-small, measured on the seed index: in-scope
# questions score 0.86-0.94, out-of-scope ones 0.70-0.85 (README, "Answer thresholds"). Other models bring theirs.
MIN_DENSE = 0.83
MIN_DENSE_NO_KANJI = 0.845


@dataclass
class FreeAnswer:
    reply: str
    citations: list[Citation] = field(default_factory=list)


def _claimed_rule(text: str) -> tuple[int, str] | None:
    """A period the resident states (\"30日以内でいいですよね\") as (length, unit), if any."""
    return claimed_period(text)


def _yen(n: int) -> str:
    return f"{n:,}円"


# Nouns that say nothing about a topic: a question and a passage sharing only these are not related.
GENERIC_NOUNS = frozenset(
    {"東京", "東京都", "今日", "明日", "昨日", "今", "方", "何", "誰", "時", "場合", "ため", "よう", "こと"}
)


def place_words(catalog: Catalog) -> frozenset[str]:
    """Municipality names and their parts: sharing only a place name does not make a passage relevant."""
    out: set[str] = set()
    for m in catalog.municipalities.values():
        out |= content_tokens(m.name) | noun_tokens(m.name) | en_words(m.en) | {m.name, m.name[:-1]}
    return frozenset(out)


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

    def names_a_procedure(self, text: str) -> bool:
        """True when ``text`` names a catalog procedure: its title, a 3+ character part of it (葬祭費), or two
        of its nouns (要介護認定の結果 ~ 要介護・要支援認定の申請)."""
        t = compact(text)
        if any(title in t for title in self._titles) or any(part in t for part in self._title_parts):
            return True
        nouns = noun_tokens(text) - self.ignored_nouns
        return any(len(nouns & title_nouns) >= 2 for title_nouns in self._title_nouns)

    def _floors(self) -> tuple[float, float]:
        """Similarity floors (questions with kanji, without) of the searcher's embedding model."""
        floors = getattr(self.searcher, "similarity_floors", None)
        return floors if floors else (MIN_DENSE, MIN_DENSE_NO_KANJI)

    # ---- pages ----------------------------------------------------------------------------------------------
    def relevant_hits(self, question: str, municipality: str | None, k: int = 5) -> list[Hit]:
        if self.searcher is None:
            return []
        hits = self.searcher.search(question, k=k, municipality=municipality)
        floor, floor_no_kanji = self._floors()
        if not has_kanji(question):
            return [h for h in hits if h.extra.get("dense", 0.0) >= floor_no_kanji]
        nouns = noun_tokens(question) - self.ignored_nouns
        return [
            h
            for h in hits
            if h.extra.get("dense", 0.0) >= floor and nouns & noun_tokens(h.title + " " + h.text)
        ]

    def _snippet(self, question: str, hit: Hit) -> str:
        q = content_tokens(question) | en_words(question)
        best, best_score = "", -1
        for sent in _SENT.split(hit.text):
            sent = sent.strip()
            if len(sent) < 8 or _INSTRUCTION.search(sent):
                continue
            score = len(q & (content_tokens(sent) | en_words(sent)))
            if score > best_score:
                best, best_score = sent, score
        return best[:SNIPPET_CHARS]

    def citations(self, question: str, municipality: str | None, k: int = 3) -> list[Citation]:
        try:
            hits = self.relevant_hits(question, municipality)
        except StoreUnavailable as err:
            log.warning("citations skipped: %s", err)
            return []
        out: list[Citation] = []
        for h in hits:
            if any(c.url == h.url for c in out):
                continue
            snippet = self._snippet(question, h)
            if snippet:
                out.append(citation(self.catalog, h, snippet, municipality))
            if len(out) >= k:
                break
        return out

    def where_to_ask(self, municipality: str | None, lang: Lang) -> str:
        m = self.catalog.municipalities.get(municipality or "")
        if m and m.phone:
            return f"{m.en} (main line {m.phone})" if lang == "en" else f"{m.name}（代表 {m.phone}）"
        if m and m.website:
            return f"{m.en} ({m.website})" if lang == "en" else f"{m.name}（{m.website}）"
        return "your ward or city office" if lang == "en" else "お住まいの区市町村の窓口"

    def free_answer(self, question: str, municipality: str | None, lang: Lang) -> FreeAnswer:
        """Answer a question that names no life event from ingested pages, or say honestly that we can't."""
        cites = self.citations(question, municipality)
        if not cites:
            ask = self.where_to_ask(municipality, lang)
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
        head = free_answer_head(cites[:2], lang)  # 「公式ページには」 only when the quoted pages are official
        body = "\n".join(quoted_line(c, lang) for c in cites[:2])
        return FreeAnswer(f"{head}\n{body}", cites)

    # ---- catalog fields -------------------------------------------------------------------------------------
    def _match_procedure(
        self, text: str, bundle: Bundle, municipality: str | None, event_date: dt.date | None
    ) -> PlannedItem | None:
        """The procedure the message names: a bundle item first, else any catalog procedure named by its title."""
        t = compact(text)
        toks = content_tokens(text) | en_words(text)

        def score(title_ja: str, title_en: str | None, proc_id: str) -> float:
            best = 0.0
            for name in (title_ja, title_en or "", proc_id.replace("-", " ")):
                c = compact(name.split("（")[0])
                parts = [x for x in re.findall(r"[一-龥々]{3,}", c) if x in self._title_parts and x in t]
                if len(c) >= 2 and c in t:
                    best = max(best, 10.0 + len(c))
                elif parts:
                    best = max(best, 10.0 + max(len(x) for x in parts) / 2)
                else:
                    words = content_tokens(name) | en_words(name)
                    overlap = toks & words
                    if len(overlap) >= 2 or (overlap and len(words) == 1):
                        best = max(best, float(len(overlap)))
            return best

        ranked = sorted(
            (
                (score(it.procedure.title.ja, it.procedure.title.en, it.procedure.id), n, it)
                for n, it in enumerate(bundle.items)
            ),
            key=lambda x: (-x[0], x[1]),
        )
        if ranked and ranked[0][0] >= 10:
            return ranked[0][2]
        in_bundle = {it.procedure.id for it in bundle.items}
        named = [
            (score(p.title.ja, p.title.en, p.id), p.id)
            for p in [*self.catalog.procedures.values(), *self.catalog.programs(municipality)]
            if p.id not in in_bundle and in_force(p, event_date) is not None  # an ended scheme is not current
        ]
        named.sort(key=lambda x: -x[0])
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

    def specific_answer(
        self,
        u: Understanding,
        bundle: Bundle,
        municipality: str | None,
        lang: Lang,
        event_date: dt.date | None = None,
    ) -> tuple[str, PlannedItem] | None:
        """期限は？ / いくら？ / 何が必要？ / どこで？ about the procedure the message names, from catalog fields only.

        Nothing is said when the message names no procedure (the bundle itself answers it). Returns the answer and
        the procedure it is about (which may lie outside the bundle, e.g. 転入届 before the kind of move is known).
        """
        item = self._match_procedure(u.text, bundle, municipality, event_date)
        if item is None:
            return None
        p = item.procedure
        title = p.title.get(lang)
        parts = []
        claimed = _claimed_rule(u.text) if "claim" in u.intents else None
        if p.deadline and claimed and claimed != (p.deadline.length, p.deadline.unit):
            rule = p.deadline.text.get(lang)
            # the resident's number is not repeated: only the rule from the catalog is stated
            if lang == "en":
                parts.append(f"Please note: that is not the deadline for {title}. The rule is: {rule}.")
            else:
                parts.append(
                    f"ご注意ください：{title}の期限はお書きの期間とは違います。正しくは「{rule}」です。"
                )
        if "deadline" in u.intents or "claim" in u.intents:
            if item.due:
                parts.append(f"{title}: {item.due.explanation(lang)}")
            elif p.deadline:
                parts.append(f"{title}: {p.deadline.text.get(lang)}")
            else:
                parts.append(
                    f"{title}: "
                    + ("no legal deadline is set." if lang == "en" else "法律で決まった期限はありません。")
                )
        if "opens" in u.intents and p.opens:  # 「転出届はいつから出せますか」: the catalog's opening rule
            parts.append(
                f"{title}: " + (item.opens.explanation(lang) if item.opens else p.opens.text.get(lang))
            )
        if "amount" in u.intents:
            if p.amounts:
                amounts = "、".join(
                    f"{a.label.get(lang)} {_yen(a.yen)}"
                    + (
                        (
                            f" (source: {a.sources[0].title})"
                            if lang == "en"
                            else f"（出典：{a.sources[0].title}）"
                        )
                        if a.sources
                        else ""
                    )
                    for a in p.amounts
                )
                parts.append(f"{title}: {amounts}")
            else:
                parts.append(
                    f"{title}: "
                    + ("the catalog states no amount." if lang == "en" else "金額の情報はありません。")
                )
        if "documents" in u.intents:
            docs = [
                self.catalog.documents[d].name.get(lang) for d in p.documents if d in self.catalog.documents
            ]
            if docs:
                parts.append(f"{title}: " + ("bring " if lang == "en" else "必要なもの：") + "、".join(docs))
        if "place" in u.intents:
            parts.append(f"{title}: " + self.catalog.office_name(p.office, item.municipality).get(lang))
        if "online" in u.intents:
            if p.online:
                parts.append(f"{title}: " + ("online at " if lang == "en" else "オンライン：") + p.online.url)
            else:
                parts.append(
                    f"{title}: "
                    + (
                        "no online option is listed."
                        if lang == "en"
                        else "オンライン手続きの情報はありません。"
                    )
                )
        if parts and (note := reply_note(self.catalog, p, item.municipality, u.intents, lang)):
            parts.append(note)  # a fact resting only on non-official pages is not stated as settled
        return ("\n".join(parts), item) if parts else None


def has_instruction(text: str) -> bool:
    """True when ``text`` tries to give the assistant instructions (used by tests and the ingest report)."""
    return bool(_INSTRUCTION.search(norm(text)))
