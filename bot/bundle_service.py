"""Saved bundles: a resident's plan kept under a short code, re-planned from the catalog whenever it is read.

Saving whitelists a chat session's structured answers against the catalog (:meth:`BundleService.fields_from_state`)
and stores them (:mod:`bot.bundle_store`, or :mod:`bot.stores_pg` by URL) under a code (:mod:`bot.bundle_codes`).
Reading plans the bundle again with today's catalog and renders it with :meth:`bot.render.Renderer.bundle`, the
same rendering as a chat turn's; its calendar and feed come from :mod:`bot.calendar`.

Example::

    >>> service = build_bundle_service(settings, concierge)
    >>> saved = service.save_session(session_id)          # -> SavedBundle(code='K7MQ2XWA9P3HJ4C', ...)
    >>> view = service.view(saved.code)                    # re-planned with today's catalog
    >>> ics = service.calendar(saved.code, base_url="https://example.org")
"""

from __future__ import annotations

import datetime as dt
import threading
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, Field

from bot.bundle_codes import display_code
from bot.bundle_store import BundleNotFound, SavedBundle
from bot.calendar import build_calendar, calendar_entries, feed_changed, next_feed_records
from bot.contract import MilestoneOut, ProcedureOut
from bot.dates import today_jst
from bot.dialogue import known_facts
from bot.planner import Bundle, plan_bundle
from bot.render import Renderer
from bot.service import Concierge
from bot.sessions import SessionState
from bot.understand import ABROAD, OUTSIDE
from knowledge.models import LANGS, Lang
from knowledge.settings import Settings

if TYPE_CHECKING:
    from bot.stores import BundleStoreLike


class NothingToSave(ValueError):
    """The session has no life event yet, so there is no bundle to save."""


class BundleOut(BaseModel):
    """The re-planned bundle (field names follow the chat contract's ChatResponse)."""

    code: str
    display_code: str
    catalog_version: str
    created: dt.datetime
    expires: dt.datetime
    lang: Lang
    title: str
    life_events: list[str]
    event_names: list[str] = Field(default_factory=list)
    municipality: str | None = None
    municipality_code: str | None = None
    move_from: str | None = None
    move_to: str | None = None
    event_date: dt.date | None = None
    procedures: list[ProcedureOut] = Field(default_factory=list)
    checklist: list[str] = Field(default_factory=list)
    milestones: list[MilestoneOut] = Field(default_factory=list)
    facts: dict[str, Any] = Field(default_factory=dict)
    links: dict[str, str] = Field(default_factory=dict, description="url, ics_url, feed_url, print_url.")


def bundle_links(base_url: str, code: str) -> dict[str, str]:
    base = base_url.rstrip("/")
    return {
        "url": f"{base}/bundles/{code}",
        "ics_url": f"{base}/bundles/{code}.ics",
        "feed_url": f"{base}/feeds/{code}.ics",
        "print_url": f"{base}/bundles/{code}/print",
    }


class BundleService:
    """Save a chat session as a bundle; read it back re-planned; render its calendar and feed."""

    def __init__(self, concierge: Concierge, store: BundleStoreLike) -> None:
        self.concierge = concierge
        self.store = store
        self._feed_lock = threading.Lock()

    @property
    def catalog(self):
        return self.concierge.catalog

    # ---- saving ---------------------------------------------------------------------------------------------
    def _place(self, code: str | None, *, outside_ok: bool) -> str | None:
        if code in self.catalog.municipalities:
            return code
        if outside_ok and code in (OUTSIDE, ABROAD):
            return code
        return None

    def _fact_value(self, fact_id: str, value: Any) -> Any:
        """The value if it is a well-formed answer to catalog fact ``fact_id``; None otherwise (dropped)."""
        fact = self.catalog.facts.get(fact_id)
        if fact is None or value is None:
            return None
        if fact.type == "choice":
            return value if isinstance(value, str) and value in {o.value for o in fact.options} else None
        if fact.type == "bool":
            return value if isinstance(value, bool) else None
        if fact.type == "int":
            return (
                value
                if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= 200
                else None
            )
        if fact.type == "date":
            value = getattr(value, "date", value)
            if isinstance(value, dt.date):
                return value.isoformat()
            try:
                return dt.date.fromisoformat(str(value)).isoformat()
            except ValueError:
                return None
        if fact.type == "municipality":
            return self._place(value, outside_ok=True)
        return None

    def fields_from_state(self, state: SessionState) -> dict[str, Any]:
        """The whitelisted, storable fields of a bot.sessions.SessionState."""
        facts = {
            k: v
            for k, v in ((k, self._fact_value(k, v)) for k, v in known_facts(state).items())
            if v is not None
        }  # the facts of every event, flat (a scoped fact shows its event's value: bot.dialogue.known_facts)
        return (
            {
                "events": [e for e in state.events if e in self.catalog.events],
                "municipality": self._place(state.municipality, outside_ok=False),
                "move_from": self._place(state.move_from, outside_ok=True),
                "move_to": self._place(state.move_to, outside_ok=True),
                "event_date": state.event_date.isoformat() if state.event_date else None,
                "facts": facts,
                "lang": state.lang if state.lang in LANGS else "ja",
            }
            | self._event_dates(state)
            | self._trigger_dates(state)
        )

    @staticmethod
    def _trigger_dates(state: SessionState) -> dict[str, Any]:
        """The days other deadlines count from (learned of the death, the funeral), stored only when said."""
        dates = {k: d.isoformat() for k, d in state.trigger_dates.items() if k in ("learned", "funeral")}
        abroad = [ev for ev in state.abroad_events if ev in state.events]
        return ({"trigger_dates": dates} if dates else {}) | ({"abroad_events": abroad} if abroad else {})

    def _event_dates(self, state: SessionState) -> dict[str, Any]:
        """Each event's own date, stored only when the events' dates were told apart."""
        dates = {ev: d.isoformat() for ev, d in state.event_dates.items() if ev in self.catalog.events}
        return {"event_dates": dates} if dates else {}

    def save_session(self, session_id: str) -> SavedBundle:
        """Save the session's bundle; :class:`BundleNotFound` if the session is unknown/expired,
        :class:`NothingToSave` if it has no life event yet."""
        state = self.concierge.sessions.get(session_id)
        if state is None:
            raise BundleNotFound(session_id)
        fields = self.fields_from_state(state)
        if not fields["events"]:
            raise NothingToSave(session_id)
        return self.store.add(fields)

    # ---- reading --------------------------------------------------------------------------------------------
    def get(self, code: str) -> SavedBundle:
        return self.store.get(code)

    def plan(self, saved: SavedBundle) -> Bundle:
        return plan_bundle(
            self.catalog,
            saved.events,
            saved.facts,
            municipality=saved.municipality,
            move_from=saved.move_from,
            move_to=saved.move_to,
            event_date=saved.event_date,
            event_dates=saved.event_dates,
            trigger_dates=saved.trigger_dates,
            abroad_events=saved.abroad_events,
        )

    def render(
        self,
        saved: SavedBundle,
        lang: Lang | None = None,
        base_url: str | None = None,
        today: dt.date | None = None,
    ) -> BundleOut:
        """The saved bundle re-planned with the current catalog, in ``lang`` (default: the saved language)."""
        lang = lang or saved.lang
        r = Renderer(self.catalog, lang, today or today_jst())
        text = r.bundle(self.plan(saved), saved.events, saved.municipality, saved.move_from, saved.move_to)
        return BundleOut(
            code=saved.code,
            display_code=display_code(saved.code),
            catalog_version=self.catalog.version,
            created=saved.created,
            expires=saved.expires,
            lang=lang,
            life_events=list(saved.events),
            event_date=saved.event_date,
            facts=dict(saved.facts),
            links=bundle_links(base_url, saved.code) if base_url else {},
            **vars(text),
        )

    def view(self, code: str, lang: Lang | None = None, base_url: str | None = None) -> BundleOut:
        """Open a bundle by code (what the staff console shows); raises BundleNotFound / BundleExpired."""
        return self.render(self.store.get(code), lang, base_url)

    # ---- calendar -------------------------------------------------------------------------------------------
    def calendar(self, code: str, *, base_url: str, lang: Lang | None = None, feed: bool = False) -> bytes:
        """The bundle's iCalendar; events whose content changed since the last generation get a higher SEQUENCE,
        a new LAST-MODIFIED and a "what changed" line (the per-event state is kept in the store)."""
        view = self.view(code, lang, base_url)
        entries = calendar_entries(view, Renderer(self.catalog, view.lang), base_url=base_url)
        with self._feed_lock, self.store.feed_lock(view.code):  # once per change, across processes too
            prev_version, records = self.store.feed_state(view.code)
            now = dt.datetime.now(dt.UTC).replace(microsecond=0)
            new_records = next_feed_records(entries, records, prev_version, view.catalog_version, now)
            if feed_changed(records, new_records, prev_version, view.catalog_version):
                self.store.save_feed_state(view.code, view.catalog_version, new_records)
        return build_calendar(view, entries, new_records, feed=feed)


def build_bundle_service(settings: Settings, concierge: Concierge) -> BundleService:
    """The bundle service over ``concierge`` with its store at DATA_DIR/bundles.sqlite3."""
    from bot.stores import open_bundle_store

    store = open_bundle_store(settings)  # SQLite (DATA_DIR/bundles.sqlite3) or PostgreSQL by URL
    store.purge_expired()
    return BundleService(concierge, store)
