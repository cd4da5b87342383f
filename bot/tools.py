"""The tool layer: what the concierge itself uses, as typed, JSON-friendly functions an LLM agent can call too.

Every result comes from the catalog or the page index with its sources; an agent that phrases answers from these
tools has nothing to invent. ``bot.integrations.langchain.concierge_tools`` wraps them as LangChain tools.

Example::

    >>> tools = ConciergeTools(build_concierge(get_settings(), with_pages=False))
    >>> tools.compute_deadline("birth-registration", "2026-11-23")["due"]
    '2026-12-07'
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from bot.dates import today_jst
from bot.planner import PlannedItem, plan_bundle
from bot.render import Renderer
from bot.service import Concierge
from knowledge.deadlines import compute_due
from knowledge.models import Lang
from knowledge.retrieval_types import PageSearchUnavailable


class ToolError(ValueError):
    """A tool was called with an unknown id, municipality or a malformed date; the message says which."""


class ConciergeTools:
    def __init__(self, concierge: Concierge) -> None:
        self.concierge = concierge
        self.catalog = concierge.catalog

    # ---- argument checks ------------------------------------------------------------------------------------
    def _code(self, municipality: str | None) -> str | None:
        if not municipality:
            return None
        m = self.catalog.municipality_by_name(municipality)
        if m is None:
            places = self.concierge.understander.find_places(municipality)
            if places and places[0].code in self.catalog.municipalities:
                return places[0].code
            raise ToolError(f"unknown municipality {municipality!r}: give one of Tokyo's 62 by name or code")
        return m.code

    @staticmethod
    def _date(value: str | None) -> dt.date | None:
        if not value:
            return None
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            raise ToolError(f"dates are YYYY-MM-DD, got {value!r}") from None

    def _procedure_id(self, procedure_id: str) -> str:
        if procedure_id not in self.catalog.all_procedure_ids():
            raise ToolError(f"unknown procedure {procedure_id!r}")
        return procedure_id

    # ---- tools ----------------------------------------------------------------------------------------------
    def search_pages(self, query: str, municipality: str | None = None, k: int = 5) -> list[dict[str, Any]]:
        """Search the ingested municipal pages; passages that pass the evidence floor, with URL and title."""
        searcher = self.concierge.answerer.searcher
        if searcher is None:
            return []
        try:
            hits = self.concierge.answerer.relevant_hits(query, self._code(municipality), k=k)
        except PageSearchUnavailable as err:
            raise ToolError(f"page search is unavailable: {err}") from err
        return [
            {"url": h.url, "title": h.title, "text": h.text, "municipality": h.municipality} for h in hits
        ]

    def get_procedure(
        self, procedure_id: str, municipality: str | None = None, lang: Lang = "ja"
    ) -> dict[str, Any]:
        """One procedure as it applies in a municipality (local overrides applied), with its sources."""
        code = self._code(municipality)
        proc = self.catalog.procedure(self._procedure_id(procedure_id), code)
        item = PlannedItem(proc, "", "applies", code, events=self.catalog.events_for_procedure(proc.id))
        return (
            Renderer(self.catalog, lang)
            .procedure(item)
            .model_dump(mode="json", exclude={"why", "conditional"})
        )

    def plan_bundle(
        self,
        life_events: list[str],
        municipality: str | None = None,
        event_date: str | None = None,
        facts: dict[str, Any] | None = None,
        move_from: str | None = None,
        move_to: str | None = None,
        lang: Lang = "ja",
    ) -> dict[str, Any]:
        """The bundle for life events: procedures (due dates when the date is known), checklist, milestones."""
        unknown = [e for e in life_events if e not in self.catalog.events]
        if unknown:
            raise ToolError(f"unknown life events {unknown}; known: {sorted(self.catalog.events)}")
        bundle_place = self._code(municipality)
        bundle = plan_bundle(
            self.catalog,
            life_events,
            facts or {},
            municipality=bundle_place,
            move_from=self._code(move_from) if move_from not in ("outside", "abroad") else move_from,
            move_to=self._code(move_to) if move_to not in ("outside", "abroad") else move_to,
            event_date=self._date(event_date),
        )
        shown = Renderer(self.catalog, lang, today_jst()).bundle(bundle, life_events, bundle_place)
        return {
            "procedures": [p.model_dump(mode="json") for p in shown.procedures],
            "checklist": shown.checklist,
            "milestones": [
                {"id": m.id, "title": m.title, "date": m.date.isoformat() if m.date else None}
                for m in shown.milestones
            ],
            "unknown_facts": sorted(bundle.decisive),
        }

    def compute_deadline(
        self, procedure_id: str, event_date: str, municipality: str | None = None, lang: Lang = "ja"
    ) -> dict[str, Any]:
        """The due date of a procedure for an event on ``event_date`` and how it was computed."""
        proc = self.catalog.procedure(self._procedure_id(procedure_id), self._code(municipality))
        day = self._date(event_date)
        if proc.deadline is None or day is None:
            return {
                "procedure": proc.id,
                "due": None,
                "rule": None,
                "explanation": "no deadline is set by law",
            }
        due = compute_due(proc.deadline, day)
        r = Renderer(self.catalog, lang)
        deadline = r.deadline(PlannedItem(proc, "", "applies", None, due=due))
        return {
            "procedure": proc.id,
            "due": due.due.isoformat(),
            "rule": r.text(proc.deadline.text),
            "explanation": deadline.explanation if deadline else None,
            "sources": [s.url for s in proc.deadline.sources or proc.sources],
        }
