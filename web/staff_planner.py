"""The staff planner: the residents' planner (bot.planner via bot.bundle_service.BundleService) driven by a form.

A call-center agent enters the life event(s), the municipality or both ends of a move, the event date and the
household answers; the result is the bundle with due dates, each procedure's window with the address and phone the
catalog holds (a municipality's main phone from municipalities.yaml when the window has none; opening hours only
where the catalog has them, which today is nowhere, so none are shown), the checklist, and it can be saved as a
bundle code for the resident. Saved bundles open here too, by a code typed in any width (「６ＪＡ６－Ｎ７Ｒ３」).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from bot.bundle_codes import code_status, display_code
from bot.bundle_service import BundleOut, BundleService
from bot.bundle_store import SavedBundle
from bot.understand import ABROAD, OUTSIDE
from knowledge.catalog import Catalog
from knowledge.models import Source

JST = dt.timezone(dt.timedelta(hours=9), "JST")
PLACE_CHOICES = {OUTSIDE: "東京都外", ABROAD: "海外"}


def today_jst() -> dt.date:
    return dt.datetime.now(JST).date()


def staff_code_status(text: str) -> tuple[str | None, str]:
    """A bundle code as typed on the phone (full-width letters and digits, long-vowel marks or other dashes):
    bot.bundle_codes.code_status, which already folds all of these (NFKC, ー, －, …)."""
    return code_status(text)


def staff_code(text: str) -> str | None:
    return staff_code_status(text)[0]


@dataclass
class Window:
    name: str
    address: str | None = None
    phone: str | None = None
    phone_label: str = ""  # "窓口" or "代表"
    website: str | None = None
    sources: list[Source] = field(default_factory=list)


@dataclass
class PlanRow:
    out: Any  # bot.contract.ProcedureOut
    window: Window
    overdue: bool


@dataclass
class PlanView:
    bundle: BundleOut
    rows: list[PlanRow]
    today: dt.date
    code: str | None = None

    def text(self) -> str:
        """The plan as plain text (the copy-to-clipboard content)."""
        b = self.bundle
        lines = [b.title + (f"（{b.event_date.isoformat()}）" if b.event_date else "")]
        if self.code:
            lines.append(f"保存コード: {display_code(self.code)}")
        for i, r in enumerate(self.rows, 1):
            p = r.out
            due = p.deadline.due.isoformat() if p.deadline and p.deadline.due else "期限なし"
            mark = "【期限切れ】" if r.overdue else ""
            lines.append(f"{i}. {p.title} — 期限 {due}{mark} — {r.window.name}")
            if r.window.address:
                lines.append(f"   住所: {r.window.address}")
            if r.window.phone:
                lines.append(f"   電話（{r.window.phone_label}）: {r.window.phone}")
        if b.checklist:
            lines.append("持ち物: " + "、".join(b.checklist))
        return "\n".join(lines)


def window_for(cat: Catalog, office_id: str, code: str | None, office_name: str) -> Window:
    muni = cat.municipalities.get(code or "")
    win = Window(name=office_name)
    if muni is None:
        return win
    entry = cat.registration_window(office_id, code)
    office = cat.offices.get(office_id)
    municipal = entry is not None or (office is not None and office.kind in ("municipal", "health_center"))
    if not municipal:
        return win
    win.website = muni.website
    if entry is not None:
        win.address = entry.address
        win.sources = list(entry.sources)
        if entry.phone:
            win.phone, win.phone_label = entry.phone, "窓口"
    if win.phone is None and muni.phone:
        win.phone, win.phone_label = muni.phone, f"{muni.name}代表"  # its source is not recorded per field
    return win


def fields_from_form(svc: BundleService, form: dict[str, Any]) -> dict[str, Any]:
    """The whitelisted bundle fields (as BundleService stores them) from the planner form's values."""
    cat = svc.catalog
    events = [e for e in form.get("events", []) if e in cat.events]
    moving = "moving" in events
    move_from = svc._place(form.get("move_from") or None, outside_ok=True) if moving else None
    move_to = svc._place(form.get("move_to") or None, outside_ok=True) if moving else None
    municipality = svc._place(form.get("municipality") or None, outside_ok=False)
    if moving and municipality is None:
        municipality = move_to if move_to in cat.municipalities else move_from
    facts = {}
    for fact_id, value in (form.get("facts") or {}).items():
        fact = cat.facts.get(fact_id)
        if fact is None or value in (None, ""):
            continue
        if fact.type == "bool":
            value = {"yes": True, "no": False}.get(value)
        checked = svc._fact_value(fact_id, value)
        if checked is not None:
            facts[fact_id] = checked
    date = form.get("event_date")
    try:
        event_date = dt.date.fromisoformat(date).isoformat() if date else None
    except ValueError:
        event_date = None
    return {
        "events": events,
        "municipality": municipality,
        "move_from": move_from,
        "move_to": move_to,
        "event_date": event_date,
        "facts": facts,
        "lang": "ja",
    }


def plan_view(svc: BundleService, saved: SavedBundle, today: dt.date | None = None) -> PlanView:
    """Plan ``saved`` with the current catalog: the bundle, each procedure's window, overdue marks."""
    today = today or today_jst()
    cat = svc.catalog
    items = svc.plan(saved).items
    out = svc.render(saved, "ja")
    rows = []
    for item, p in zip(items, out.procedures, strict=True):
        due = p.deadline.due if p.deadline else None
        rows.append(
            PlanRow(
                p,
                window_for(cat, item.procedure.office, item.municipality, p.office),
                bool(due and due < today),
            )
        )
    return PlanView(out, rows, today, saved.code or None)


def preview(svc: BundleService, fields: dict[str, Any], today: dt.date | None = None) -> PlanView:
    """The plan for unsaved form fields (nothing is stored)."""
    now = dt.datetime.now(dt.UTC)
    saved = SavedBundle(code="", created=now, expires=now, **fields)
    return plan_view(svc, saved, today)


def household_facts(cat: Catalog) -> list[Any]:
    """The household questions the form asks: yes/no facts and choices (not places and dates, asked above)."""
    return [f for f in cat.facts.values() if f.type in ("bool", "choice") and f.id != "move_scope"]
