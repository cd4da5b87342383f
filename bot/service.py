"""The concierge: one turn of the conversation, the same for the CLI and the HTTP API.

Example::

    >>> c = build_concierge(get_settings())
    >>> r = c.chat(ChatRequest(message="先週、世田谷区で子どもが生まれました", today=dt.date(2026, 11, 26)))
    >>> "birth-registration" in [p.id for p in r.procedures], r.municipality
    (True, '世田谷区')
"""

from __future__ import annotations

import copy
import datetime as dt
import logging
from collections.abc import Callable
from typing import Any

from bot import dialogue
from bot.answer import Answerer, FreeAnswer, asks_what_to_do, question_kinds, with_quoted
from bot.answer_facts import fact_answer
from bot.contract import ChatRequest, ChatResponse, ProcedureOut
from bot.dates import today_jst
from bot.planner import Bundle, PlannedItem, move_scope, plan_bundle
from bot.render import Renderer, choose_lang
from bot.sessions import SessionState
from bot.stores import SessionStoreLike
from bot.understand import Understander, Understanding
from knowledge.catalog import Catalog, load_catalog
from knowledge.models import Lang
from knowledge.retrieval_types import PageSearcher, PageSearchUnavailable
from knowledge.settings import Settings

log = logging.getLogger(__name__)


__all__ = ["ChatRequest", "ChatResponse", "Concierge", "TurnWithoutPages", "build_concierge"]


class TurnWithoutPages(PageSearchUnavailable):
    """Page search was unavailable during a turn. ``response`` is the turn answered from the catalog alone (the
    session is saved): its procedures, if any, are still right; a reply with no procedures says nothing useful,
    so interfaces show that page search is unavailable instead (API: 503 ``pages_unavailable``)."""

    def __init__(self, message: str, response: ChatResponse) -> None:
        super().__init__(message)
        self.response = response


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
        if state is None:  # unknown or expired: a new session with a server-issued id (never the client's)
            state = self.sessions.new(lang)
        return state

    def _merge(self, state: SessionState, u: Understanding, req: ChatRequest, today: dt.date) -> bool:
        """Fold the message into the state (bot.dialogue.merge); True when it (only) answered the pending question."""
        return dialogue.merge(self.catalog, self.understander, state, u, req.municipality, today).answered

    def _plan(self, state: SessionState, municipality: str | None, today: dt.date) -> Bundle:
        return plan_bundle(
            self.catalog,
            state.events,
            state.facts,
            municipality=municipality,
            move_from=state.move_from,
            move_to=state.move_to,
            event_date=state.event_date,
            today=today,
            event_facts=state.event_facts,
            event_dates=state.event_dates,
            trigger_dates=state.trigger_dates,
            abroad_events=state.abroad_events,
        )

    def _next_question(self, state: SessionState, bundle: Bundle) -> str | None:
        return dialogue.next_question(self.catalog, state, bundle)

    # ---- one turn -------------------------------------------------------------------------------------------
    def chat(self, req: ChatRequest) -> ChatResponse:
        today = req.today or today_jst()
        u = self.understander.parse(req.message, today, req.lang)
        state = self._load(req, u.lang)
        lang = choose_lang(req.lang, req.message, state.lang, state.turns)
        state.lang = lang
        merged = dialogue.merge(self.catalog, self.understander, state, u, req.municipality, today)
        answered = merged.answered
        if merged.not_understood:
            state.retry.append(merged.not_understood)
        state.turns += 1

        if not state.events:
            return self._finish(lambda a: self._no_event_answer(state, u, lang, a), state, u, merged, lang)

        bundle = self._plan(state, state.municipality, today)
        question = self._next_question(state, bundle)
        if (where := dialogue.planning_municipality(state, question)) != state.municipality:
            bundle = self._plan(state, where, today)  # the page's preset is being confirmed: not planned with
        if question:
            state.pending = question
            state.pending_event = dialogue.question_event(self.catalog, state, question)
            state.asked.append(question)
        return self._finish(
            lambda a: self._bundle_response(state, bundle, u, lang, question, answered, today, a),
            state,
            u,
            merged,
            lang,
        )

    def _finish(
        self,
        answer: Callable[[Answerer], ChatResponse],
        state: SessionState,
        u: Understanding,
        merged: dialogue.Merged,
        lang: Lang,
    ) -> ChatResponse:
        """Answer the turn and save the session. When page search is down, the turn is answered from the catalog
        alone and :class:`TurnWithoutPages` carries that answer up to the interface, which says so its own way."""
        try:
            resp = answer(self.answerer)
        except PageSearchUnavailable as err:
            catalog_only = copy.copy(self.answerer)
            catalog_only.searcher = None
            resp = answer(catalog_only)
            self.sessions.save(state)
            raise TurnWithoutPages(str(err), self._notes(resp, state, u, merged, lang)) from err
        self.sessions.save(state)
        return self._notes(resp, state, u, merged, lang)

    def _notes(
        self, resp: ChatResponse, state: SessionState, u: Understanding, merged: dialogue.Merged, lang: Lang
    ) -> ChatResponse:
        """Say what was not understood, and that a place named is outside Tokyo (before the reply)."""
        notes: list[str] = []
        r = self.renderer(lang)
        if merged.not_understood and (fact := self.catalog.facts.get(merged.not_understood)):
            label = (r.text(fact.label) if fact.label else None) or merged.not_understood
            notes.append(r.msg("note.not_understood", label=label))
        if dialogue.move_outside_tokyo(state):
            frm, to = (
                r.outside_name(n) if (n := state.places.get(e)) else r.place(getattr(state, f"move_{e}"))
                for e in ("from", "to")
            )
            notes.append(r.msg("note.move_outside", frm=frm, to=to))
            if not resp.procedures:
                resp.reply = ""  # nothing is planned for it: the note is the reply
        else:
            for role, name in u.places.items():
                if name in state.places.values():
                    where = r.msg(f"note.where.{role}") if role in {"from", "to"} else ""
                    name = r.outside_name(name)
                    notes.append(r.msg("note.outside_tokyo", where=where, name=name))
                    if role in {"from", "to"} and "moving" in state.events:
                        notes.append(r.msg(f"note.confirm.{role}", name=name))
            if "moving" in state.events and any(m.code == "outside" and not m.name for m in u.mentions):
                # 「東京都外」 (a quick reply): the end outside Tokyo, unnamed
                end = next((e for e in ("from", "to") if getattr(state, f"move_{e}") == "outside"), None)
                if end and end not in state.places:
                    notes.append(r.msg(f"note.unnamed.{end}"))
        if notes:
            resp.reply = "\n".join([*notes, *([resp.reply] if resp.reply else [])])
        return resp

    def _no_event_answer(
        self, state: SessionState, u: Understanding, lang: Lang, answerer: Answerer
    ) -> ChatResponse:
        muni = self.catalog.municipalities.get(state.municipality or "")
        ans = answerer.free_answer(u.text, self._local(state), lang)
        reply = ans.reply
        if lang == "easy" and not ans.citations:
            reply = self.renderer(lang).not_covered(state.municipality)
        named = None
        # when is it paid / until what age / an income limit: the page's sentence stating it, else that the page does
        # not say it and the catalog's (bot.answer_facts)
        fact = fact_answer(answerer, u.text, ans.citations, self._local(state), lang, state.event_date)
        if fact is None and u.intents - {"question"} and self.answerer.names_a_procedure(u.text):
            empty = Bundle(items=[], milestones=[], checklist=[], decisive={})
            named = answerer.specific_answer(u, empty, self._local(state), lang, state.event_date)
        if fact:
            reply = fact[0]
            item = fact[1]
            named = (fact[0], item, fact[2]) if item else None
            ans = FreeAnswer(ans.reply, [*fact[2], *ans.citations])
        elif named:  # "葬祭費の申請期限は？": the catalog's rule first, the pages' words after it
            reply = named[0] + ("\n" + ans.reply if ans.citations else "")
        return ChatResponse(
            session_id=state.id,
            reply=reply,
            municipality=muni.name if muni else None,
            municipality_code=muni.code if muni else None,
            procedures=[self.procedure_out(named[1], lang)] if named else [],
            citations=with_quoted(ans.citations, named[2] if named else []),
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
        out: dict[str, Any] = dialogue.known_facts(state)
        # the kind of move follows from its two ends (渋谷区 -> 福岡市: out of Tokyo), as the planner reads it
        scope = move_scope(state.move_from, state.move_to) if "moving" in state.events else None
        if scope and out.get("move_scope") is None:
            out["move_scope"] = scope
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
        answerer: Answerer | None = None,
    ) -> ChatResponse:
        answerer = answerer or self.answerer
        r = self.renderer(lang, today or today_jst())
        rendered = r.bundle(bundle, state.events, state.municipality, state.move_from, state.move_to)
        procs = list(rendered.procedures)
        follow_up = [r.question(question, dialogue.asked_for(state, question))] if question else []
        # pages are searched for questions; a message that only tells a life event, or asks what to do about it as a
        # whole (何をすればいいですか, 'what do I need to do?'), is answered by the bundle
        # the sentence that asks; the event told before it names no procedure ('Our baby was born …')
        asking = asks_what_to_do(u.text)
        whole = bool(u.events) and asking is not None and not self.answerer.names_a_procedure(asking)
        specific = (
            answerer.specific_answer(u, bundle, self._local(state), lang, state.event_date)
            if u.intents and not whole
            else None
        )
        # 何日以内に / どこに / 出せますか
        kinds = [] if whole else question_kinds(self.answerer.written(u.text))
        asks = (
            (bool(u.intents - {"question"}) and not whole)
            or not (u.events or answered)
            or ("question" in u.intents and (not u.events or self.answerer.names_a_procedure(u.text)))
            or bool(kinds)
        )
        citations = answerer.citations(u.text, self._local(state)) if asks else []
        answer = specific[0] if specific else None
        if citations and (("question" in u.intents and not whole) or kinds):
            # a question about the event is answered in the reply from its page, not only by the bundle
            quote = self.answerer.quote_lines(citations[:1], lang)[0]
            if not answer or citations[0].snippet.rstrip("。")[:40] not in answer:
                answer = f"{answer}\n{quote}" if answer else quote
        if specific and all(p.id != specific[1].procedure.id for p in procs):
            procs.append(r.procedure(specific[1], outside_bundle=True))
        # a page's preset being confirmed is not named as the resident's municipality yet
        said = dialogue.planning_municipality(state, question)
        shown = state if said == state.municipality else state.model_copy(update={"municipality": said})
        reply = r.summary(shown, procs, follow_up, answer)
        return ChatResponse(
            session_id=state.id,
            reply=reply,
            life_events=list(state.events),
            municipality=rendered.municipality,
            procedures=procs,
            citations=with_quoted(citations, specific[2] if specific else []),
            follow_up=follow_up,
            lang=lang,
            municipality_code=rendered.municipality_code,
            move_from=rendered.move_from,
            move_to=rendered.move_to,
            outside_places=dict(state.places),
            event_date=state.event_date,
            checklist=rendered.checklist,
            quick_replies=r.quick_replies(question, state),
            milestones=rendered.milestones,
            facts=self._public_facts(state),
        )

    def _local(self, state: SessionState) -> str | None:
        """The Tokyo municipality code of the conversation (None for a place outside Tokyo)."""
        return state.municipality if state.municipality in self.catalog.municipalities else None

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
