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
from bot.contract import ChatRequest, ChatResponse, ProcedureOut
from bot.planner import Bundle, PlannedItem, plan_bundle
from bot.render import Renderer, choose_lang
from bot.sessions import SessionState, SessionStore
from bot.understand import ABROAD, OUTSIDE, Understander, Understanding
from knowledge.catalog import Catalog, load_catalog
from knowledge.models import Lang
from knowledge.retrieval_types import PageSearcher
from knowledge.settings import Settings

log = logging.getLogger(__name__)

# The order in which unknown facts usually change a bundle most (ties in the decisive count break this way).
FIRST_QUESTIONS = ("move_to", "move_from", "municipality", "event_date")

__all__ = ["ChatRequest", "ChatResponse", "Concierge", "build_concierge"]


class Concierge:
    """Understands, keeps the dialogue state, plans the bundle and answers with sources."""

    def __init__(
        self, catalog: Catalog, sessions: SessionStore, searcher: PageSearcher | None = None
    ) -> None:
        self.catalog = catalog
        self.sessions = sessions
        self.understander = Understander(catalog)
        self.answerer = Answerer(catalog, searcher)

    # ---- state ----------------------------------------------------------------------------------------------
    def _load(self, req: ChatRequest, lang: str) -> SessionState:
        state = self.sessions.get(req.session_id) if req.session_id else None
        if state is None:  # unknown or expired: a new session with a server-issued id (never the client's)
            state = self.sessions.new(lang)
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
        lang = choose_lang(req.lang, req.message, state.lang, state.turns)
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
        resp = self._bundle_response(state, bundle, u, lang, question, answered, today)
        self.sessions.save(state)
        return resp

    def _no_event_answer(self, state: SessionState, u: Understanding, lang: Lang) -> ChatResponse:
        muni = self.catalog.municipalities.get(state.municipality or "")
        ans = self.answerer.free_answer(u.text, state.municipality, lang)
        reply = ans.reply
        if lang == "easy" and not ans.citations:
            reply = self.renderer(lang).not_covered(state.municipality)
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

    # ---- rendering (all text comes from bot.render) ----------------------------------------------------------
    def renderer(self, lang: Lang, today: dt.date | None = None) -> Renderer:
        return Renderer(self.catalog, lang, today)

    def procedure_out(self, item: PlannedItem, lang: Lang, today: dt.date | None = None) -> ProcedureOut:
        """One procedure card in ``lang`` (see :meth:`bot.render.Renderer.procedure`)."""
        return self.renderer(lang, today).procedure(item)

    def _public_facts(self, state: SessionState) -> dict[str, Any]:
        out: dict[str, Any] = dict(state.facts)
        if state.event_date:
            out["event_date"] = state.event_date.isoformat()
        return out

    def _bundle_response(
        self,
        state: SessionState,
        bundle: Bundle,
        u: Understanding,
        lang: Lang,
        question: str | None,
        answered: bool = False,
        today: dt.date | None = None,
    ) -> ChatResponse:
        r = self.renderer(lang, today or dt.date.today())
        muni = self.catalog.municipalities.get(state.municipality or "")
        procs = [r.procedure(it) for it in bundle.items]
        follow_up = [r.question(question, state.events)] if question else []
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
            procs.append(r.procedure(specific[1], outside_bundle=True))
        reply = r.summary(state, procs, follow_up, specific[0] if specific else None)
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
            move_from=r.place(state.move_from, readings=False),
            move_to=r.place(state.move_to, readings=False),
            event_date=state.event_date,
            checklist=r.checklist(bundle),
            quick_replies=r.quick_replies(question, state),
            milestones=r.milestones(bundle),
            facts=self._public_facts(state),
        )

    def place_name(self, code: str | None, lang: Lang) -> str | None:
        """A municipality code (or outside/abroad) as a name in ``lang``."""
        return self.renderer(lang).place(code)

    def render_text(self, resp: ChatResponse) -> str:
        """A plain-text rendering for the terminal."""
        return self.renderer(resp.lang).terminal(resp)


def build_concierge(
    settings: Settings, *, searcher: PageSearcher | None = None, with_pages: bool = True
) -> Concierge:
    """The concierge over the catalog, the session store and (when an index exists) the page searcher."""
    catalog = load_catalog(settings.catalog_dir)
    sessions = SessionStore(settings.session_url, settings.session.ttl_hours)
    if searcher is None and with_pages:
        try:
            from knowledge.retrieval import build_searcher

            searcher = build_searcher(settings)
        except Exception as err:  # the bot still answers from the catalog; the reason is logged
            log.warning("page search unavailable: %s", err)
            searcher = None
    return Concierge(catalog, sessions, searcher)
