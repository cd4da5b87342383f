"""The concierge: one turn of the conversation, the same for the CLI and the HTTP API.

Example::

    >>> c = build_concierge(get_settings())
    >>> r = c.chat(ChatRequest(message="先週、世田谷区で子どもが生まれました", today=dt.date(2026, 11, 26)))
    >>> "birth-registration" in [p.id for p in r.procedures], r.municipality
    (True, '世田谷区')
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from bot.answer import Answerer
from bot.contract import (
    AmountOut,
    ChatRequest,
    ChatResponse,
    DeadlineOut,
    MilestoneOut,
    ProcedureOut,
    QuickReply,
    SourceRef,
)
from bot.planner import Bundle, PlannedItem, plan_bundle, visit_key
from bot.sessions import SessionState
from bot.stores import SessionStoreLike
from bot.understand import ABROAD, OUTSIDE, Understander, Understanding
from knowledge.catalog import Catalog, load_catalog
from knowledge.models import Lang, Source
from knowledge.retrieval_types import PageSearcher
from knowledge.settings import Settings

log = logging.getLogger(__name__)

MAX_QUICK_REPLIES = 8
# The order in which unknown facts usually change a bundle most (ties in the decisive count break this way).
FIRST_QUESTIONS = ("move_to", "move_from", "municipality", "event_date")

__all__ = ["ChatRequest", "ChatResponse", "Concierge", "build_concierge"]


def _src(sources: list[Source]) -> list[SourceRef]:
    seen: set[str] = set()
    out = []
    for s in sources:
        if s.url not in seen:
            seen.add(s.url)
            out.append(SourceRef(url=s.url, title=s.title, verified=s.verified))
    return out


class Concierge:
    """Understands, keeps the dialogue state, plans the bundle and answers with sources."""

    def __init__(
        self, catalog: Catalog, sessions: SessionStoreLike, searcher: PageSearcher | None = None
    ) -> None:
        self.catalog = catalog
        self.sessions = sessions
        self.understander = Understander(catalog)
        self.answerer = Answerer(catalog, searcher)

    # ---- state ----------------------------------------------------------------------------------------------
    def _load(self, req: ChatRequest, lang: str) -> SessionState:
        state = self.sessions.get(req.session_id) if req.session_id else None
        if state is None:
            state = self.sessions.new(lang)
            if req.session_id:
                state.id = req.session_id[:64]
        return state

    def _merge(self, state: SessionState, u: Understanding, req: ChatRequest, today: dt.date) -> bool:
        """Fold the message into the state; True when it (only) answered the pending question."""
        pending = state.pending
        answered = False
        if pending and u.skip:
            state.skipped.append(pending)
            answered = True
        elif pending in ("move_to", "move_from") and u.mentions:
            answered = True
            # "杉並区から中野区です": roles decide, whichever end was asked about
            for m in u.mentions:
                if m.role == "from":
                    state.move_from = m.code
                elif m.role == "to" or pending == "move_to":
                    state.move_to = m.code
                else:
                    state.move_from = m.code
        elif pending:
            value = self.understander.parse_answer(pending, u.text, today)
            if value is not None:
                answered = True
                if pending == "event_date":
                    state.event_date, state.date_approximate = value.date, value.approximate
                elif pending == "municipality":
                    if value not in (OUTSIDE, ABROAD):
                        state.municipality = value
                elif pending in ("move_to", "move_from"):
                    setattr(state, pending, value)
                else:
                    state.facts[pending] = value
        state.pending = None
        for ev in u.events:
            if ev not in state.events:
                state.events.append(ev)
        if u.move_from:
            state.move_from = u.move_from
        if u.move_to:
            state.move_to = u.move_to
        if u.municipality:
            state.municipality = u.municipality
        elif "moving" in state.events and state.move_to not in (None, OUTSIDE, ABROAD):
            state.municipality = state.move_to
        if state.municipality is None and req.municipality in self.catalog.municipalities:
            state.municipality = req.municipality
        if u.date and (u.events or not state.event_date or state.date_approximate):
            state.event_date, state.date_approximate = u.date.date, u.date.approximate
        for k, v in u.facts.items():
            state.facts[k] = v
        return answered and not u.events

    def _next_question(self, state: SessionState, bundle: Bundle) -> str | None:
        candidates: list[str] = []
        for ev in state.events:
            event = self.catalog.events.get(ev)
            if event:
                candidates += [q for q in event.questions if q not in candidates]
        if "moving" in state.events:
            candidates = [
                "move_to",
                "move_from",
                *[c for c in candidates if c not in ("move_to", "move_from")],
            ]
        has_deadline = any(it.procedure.deadline for it in bundle.items)

        def weight(q: str) -> tuple[int, int]:
            if q in FIRST_QUESTIONS:
                if q == "event_date" and not has_deadline:
                    return (0, 0)
                return (1000 - FIRST_QUESTIONS.index(q), 0)
            return (bundle.decisive.get(q, 0), -candidates.index(q))

        open_q = [
            q
            for q in candidates
            if q in self.catalog.facts
            and not state.known(q)
            and q not in state.skipped
            and q not in state.asked
        ]
        if "municipality" in open_q and "moving" in state.events and (state.move_to or state.move_from):
            open_q.remove("municipality")
        if "move_from" in open_q and state.move_to in (OUTSIDE, ABROAD) and state.municipality:
            state.move_from = state.municipality
            open_q.remove("move_from")
        useful = [q for q in open_q if weight(q)[0] > 0]
        return max(useful, key=weight) if useful else None

    # ---- one turn -------------------------------------------------------------------------------------------
    def chat(self, req: ChatRequest) -> ChatResponse:
        today = req.today or dt.date.today()
        u = self.understander.parse(req.message, today, req.lang)
        state = self._load(req, u.lang)
        lang: Lang = "en" if (req.lang or u.lang) == "en" else "ja"
        if req.lang is None and state.turns and not any(c.isalpha() and c.isascii() for c in req.message):
            lang = "en" if state.lang == "en" and u.lang == "en" else lang
        state.lang = lang
        answered = self._merge(state, u, req, today)
        state.turns += 1

        if not state.events:
            resp = self._no_event_answer(state, u, lang)
            self.sessions.save(state)
            return resp

        bundle = plan_bundle(
            self.catalog,
            state.events,
            state.facts,
            municipality=state.municipality,
            move_from=state.move_from,
            move_to=state.move_to,
            event_date=state.event_date,
        )
        question = self._next_question(state, bundle)
        if question:
            state.pending = question
            state.asked.append(question)
        resp = self._bundle_response(state, bundle, u, lang, question, answered)
        self.sessions.save(state)
        return resp

    def _no_event_answer(self, state: SessionState, u: Understanding, lang: Lang) -> ChatResponse:
        muni = self.catalog.municipalities.get(state.municipality or "")
        ans = self.answerer.free_answer(u.text, state.municipality, lang)
        reply = ans.reply
        named = None
        if u.intents - {"question"} and self.answerer.names_a_procedure(u.text):
            empty = Bundle(items=[], milestones=[], checklist=[], decisive={})
            named = self.answerer.specific_answer(u, empty, state.municipality, lang, state.event_date)
        if named:  # "葬祭費の申請期限は？": the catalog's rule first, the pages' words after it
            reply = named[0] + ("\n" + ans.reply if ans.citations else "")
        return ChatResponse(
            session_id=state.id,
            reply=reply,
            municipality=muni.name if muni else None,
            municipality_code=muni.code if muni else None,
            procedures=[self.procedure_out(named[1], lang)] if named else [],
            citations=ans.citations,
            lang=lang,
            facts=self._public_facts(state),
        )

    # ---- rendering ------------------------------------------------------------------------------------------
    def procedure_out(self, item: PlannedItem, lang: Lang) -> ProcedureOut:
        p = item.procedure
        code = item.municipality
        muni = self.catalog.municipalities.get(code or "")
        deadline = None
        if p.deadline or p.opens:
            text = p.deadline.text.get(lang) if p.deadline else ""
            deadline = DeadlineOut(
                text=text or (p.opens.text.get(lang) if p.opens else ""),
                due=item.due.due if item.due else None,
                explanation=item.due.explanation(lang) if item.due else None,
                opens=item.opens.due if item.opens else None,
            )
        sources = [
            *p.sources,
            *(p.deadline.sources if p.deadline else []),
            *self.catalog.local_name_sources(p.office, code),
        ]
        event = self.catalog.events.get(item.event)
        why = conditional = None
        names = ", ".join(
            self.catalog.events[e].name.get(lang) for e in item.events if e in self.catalog.events
        )
        if item.status == "applies":
            why = (f"Because of: {names}" if lang == "en" else f"{names}に伴う手続きです") + self._why_facts(
                item, lang
            )
        else:
            conditional = self.answerer.describe_unknown(item, lang) or None
        visit_office = self.catalog.office_name(p.office, code).get(lang)
        return ProcedureOut(
            id=p.id,
            title=p.title.get(lang),
            office=visit_office,
            municipality=muni.name if muni else None,
            deadline=deadline,
            documents=[self._doc_name(d, lang) for d in p.documents],
            online_url=p.online.url if p.online else None,
            sources=_src(sources),
            summary=p.summary.get(lang),
            why=why,
            conditional=conditional,
            amounts=[
                AmountOut(label=a.label.get(lang), yen=a.yen, sources=_src(a.sources)) for a in p.amounts
            ],
            life_event=event.id if event else None,
            step=item.step,  # type: ignore[arg-type]
            visit=visit_key(item),
        )

    def _why_facts(self, item: PlannedItem, lang: Lang) -> str:
        facts = sorted({f for c in item.conditions for f in c.facts()})
        if not facts:
            return "。" if lang == "ja" else "."
        labels = [
            self.catalog.facts[f].label.get(lang)  # type: ignore[union-attr]
            for f in facts
            if f in self.catalog.facts and self.catalog.facts[f].label
        ]
        if lang == "en":
            return f" (it applies given: {', '.join(labels)})."
        return f"（{'・'.join(labels)}の条件に当てはまるため）。"

    def _doc_name(self, doc_id: str, lang: Lang) -> str:
        doc = self.catalog.documents.get(doc_id)
        return doc.name.get(lang) if doc else doc_id

    def _public_facts(self, state: SessionState) -> dict[str, Any]:
        out: dict[str, Any] = dict(state.facts)
        if state.event_date:
            out["event_date"] = state.event_date.isoformat()
        return out

    def _quick_replies(self, question: str | None, state: SessionState, lang: Lang) -> list[QuickReply]:
        if not question:
            return []
        fact = self.catalog.facts[question]
        skip = QuickReply(
            fact=question, label="Skip" if lang == "en" else "わからない・スキップ", value="skip"
        )
        if fact.type == "choice":
            opts = [
                QuickReply(fact=question, label=o.en if lang == "en" else o.ja, value=o.value)
                for o in fact.options
            ]
            return [*opts[: MAX_QUICK_REPLIES - 1], skip]
        if fact.type == "bool":
            return [
                QuickReply(fact=question, label="Yes" if lang == "en" else "はい", value="yes"),
                QuickReply(fact=question, label="No" if lang == "en" else "いいえ", value="no"),
                skip,
            ]
        if fact.type == "date":
            return [
                QuickReply(fact=question, label="Today" if lang == "en" else "今日", value="today"),
                QuickReply(fact=question, label="Yesterday" if lang == "en" else "昨日", value="yesterday"),
                skip,
            ]
        if fact.type == "municipality":
            picks = [
                self.catalog.municipalities[c]
                for c in (state.municipality, state.move_from)
                if c in self.catalog.municipalities
            ]
            opts = [
                QuickReply(fact=question, label=m.short_en if lang == "en" else m.name, value=m.name)
                for m in picks
            ]
            if question == "move_to":
                opts += [
                    QuickReply(
                        fact=question, label="Outside Tokyo" if lang == "en" else "東京都外", value="outside"
                    ),
                    QuickReply(fact=question, label="Abroad" if lang == "en" else "海外", value="abroad"),
                ]
            return [*opts, skip]
        return [skip]

    def _bundle_response(
        self,
        state: SessionState,
        bundle: Bundle,
        u: Understanding,
        lang: Lang,
        question: str | None,
        answered: bool = False,
    ) -> ChatResponse:
        muni = self.catalog.municipalities.get(state.municipality or "")
        procs = [self.procedure_out(it, lang) for it in bundle.items]
        checklist = [self._doc_name(d, lang) for d in bundle.checklist]
        milestones = [
            MilestoneOut(
                id=m.milestone.id,
                title=m.milestone.title.get(lang),
                date=m.date,
                text=m.milestone.text.get(lang) if m.milestone.text else None,
                sources=_src(m.milestone.sources),
            )
            for m in bundle.milestones
        ]
        follow_up = [self.catalog.facts[question].question.get(lang)] if question else []
        specific = (
            self.answerer.specific_answer(u, bundle, state.municipality, lang, state.event_date)
            if u.intents
            else None
        )
        # pages are searched for questions; a message that only tells a life event is answered by the bundle
        asks = (
            bool(u.intents - {"question"})
            or not (u.events or answered)
            or ("question" in u.intents and (not u.events or self.answerer.names_a_procedure(u.text)))
        )
        citations = self.answerer.citations(u.text, state.municipality) if asks else []
        if specific and all(p.id != specific[1].procedure.id for p in procs):
            named = self.procedure_out(specific[1], lang)
            named.conditional = named.conditional or self.answerer.outside_bundle_note(lang)
            procs.append(named)
        reply = self.answerer.bundle_reply(
            state, bundle, procs, lang, follow_up, specific[0] if specific else None
        )
        return ChatResponse(
            session_id=state.id,
            reply=reply,
            life_events=list(state.events),
            municipality=muni.name if muni else None,
            procedures=procs,
            citations=citations,
            follow_up=follow_up,
            lang=lang,
            municipality_code=muni.code if muni else None,
            move_from=self.place_name(state.move_from, lang),
            move_to=self.place_name(state.move_to, lang),
            event_date=state.event_date,
            checklist=checklist,
            quick_replies=self._quick_replies(question, state, lang),
            milestones=milestones,
            facts=self._public_facts(state),
        )

    def place_name(self, code: str | None, lang: Lang) -> str | None:
        """A municipality code (or outside/abroad) as a name in ``lang``."""
        if code is None:
            return None
        if code == OUTSIDE:
            return "outside Tokyo" if lang == "en" else "東京都外"
        if code == ABROAD:
            return "abroad" if lang == "en" else "海外"
        m = self.catalog.municipalities.get(code)
        return (m.en if lang == "en" else m.name) if m else code

    def render_text(self, resp: ChatResponse) -> str:
        """A plain-text rendering for the terminal."""
        en = resp.lang == "en"
        lines = [resp.reply, ""]
        for n, p in enumerate(resp.procedures, 1):
            due = f" — {p.deadline.due}" if p.deadline and p.deadline.due else ""
            mark = "?" if p.conditional else "•"
            lines.append(f"{mark} {n}. {p.title} [{p.office}]{due}")
            if p.deadline:
                lines.append(
                    f"    {'deadline' if en else '期限'}: {p.deadline.explanation or p.deadline.text}"
                )
            if p.conditional:
                lines.append(f"    {p.conditional}")
            if p.online_url:
                lines.append(f"    online: {p.online_url}")
            for s in p.sources[:2]:
                lines.append(f"    source: {s.title} {s.url}")
        if resp.checklist:
            lines += ["", "What to bring:" if en else "持ち物（まとめて）:"] + [
                f"  □ {d}" for d in resp.checklist
            ]
        if resp.milestones:
            lines += ["", "Coming up:" if en else "この先の予定:"]
            lines += [f"  {m.date or ''} {m.title}" for m in resp.milestones]
        if resp.citations:
            lines += ["", "Pages:" if en else "参考ページ:"] + [
                f"  {c.title} {c.url}" for c in resp.citations
            ]
        return "\n".join(lines)


def build_concierge(
    settings: Settings, *, searcher: PageSearcher | None = None, with_pages: bool = True
) -> Concierge:
    """The concierge over the catalog, the session store and (when an index exists) the page searcher."""
    catalog = load_catalog(settings.catalog_dir)
    from bot.stores import open_session_store

    sessions = open_session_store(settings)  # SQLite or PostgreSQL by URL (bot/stores.py)
    if searcher is None and with_pages:
        try:
            from knowledge.retrieval import build_searcher

            searcher = build_searcher(settings)
        except Exception as err:  # the bot still answers from the catalog; the reason is logged
            log.warning("page search unavailable: %s", err)
            searcher = None
    return Concierge(catalog, sessions, searcher)
