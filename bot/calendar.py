"""iCalendar for a bundle: one all-day event per procedure with a due date, one per dated milestone.

Due dates are dates in Tokyo, so events are all-day (``DTSTART;VALUE=DATE``) and the calendar declares
Asia/Tokyo (a VTIMEZONE and ``X-WR-TIMEZONE``). Each event carries a reminder at 09:00 a few days before and a
description with the office, what to bring, amounts and the official sources. UIDs are stable per bundle and
procedure, so a subscribed calendar updates events in place; an event whose content changed since the feed was
last generated gets a higher ``SEQUENCE``, a new ``LAST-MODIFIED`` and a "what changed" line.

Example::

    >>> entries = calendar_entries(view, Renderer(catalog, view.lang), base_url="https://example.org")
    >>> ics = build_calendar(view, entries, records={}, feed=True)
    >>> icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["DTSTART"].dt
    datetime.date(2026, 12, 2)
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

import icalendar
from pydantic import BaseModel, Field

from bot.contract import MilestoneOut, ProcedureOut
from bot.render import LANGS, MESSAGES, Renderer, format_date, msg, yen
from knowledge.models import Lang

if TYPE_CHECKING:  # bot.bundle_service imports this module
    from bot.bundle_service import BundleOut

TZID = "Asia/Tokyo"
PROCEDURE_REMINDER_DAYS = 3
MILESTONE_REMINDER_DAYS = 7
REMINDER_HOUR = 9  # the reminder fires at 09:00 on the day it is due
FEED_REFRESH = dt.timedelta(hours=12)
PRODID = "-//Tokyo Life-Event Concierge//Bundle calendar//JA"
UID_DOMAIN = "life-event-concierge"

# the fields of an event's snapshot, in the order a "what changed" line names them (names: bot.render "field.*")
_FIELDS = (
    "title",
    "date",
    "office",
    "documents",
    "amounts",
    "online_url",
    "deadline",
    "status",
    "sources",
    "text",
)


def _lang(lang: str) -> Lang:
    return lang if lang in LANGS else "ja"  # type: ignore[return-value]


class ChangeItem(BaseModel):
    field: str
    label: str | None = None  # e.g. the amount's label
    old: Any = None
    new: Any = None


class FeedChange(BaseModel):
    """What changed in one event between two generations of the feed."""

    kind: Literal["added", "changed"]
    at: dt.datetime
    from_version: str | None = None
    to_version: str | None = None
    items: list[ChangeItem] = Field(default_factory=list)

    @classmethod
    def added(cls, from_version: str | None, to_version: str, at: dt.datetime) -> FeedChange:
        return cls(kind="added", at=at, from_version=from_version, to_version=to_version)

    @classmethod
    def diff(
        cls,
        old: dict[str, Any],
        new: dict[str, Any],
        from_version: str | None,
        to_version: str,
        at: dt.datetime,
    ) -> FeedChange:
        items: list[ChangeItem] = []
        for key in sorted(set(old) | set(new), key=lambda k: _FIELDS.index(k) if k in _FIELDS else 99):
            a, b = old.get(key), new.get(key)
            if a == b:
                continue
            if key == "amounts":
                a, b = a or {}, b or {}
                for label in [*a, *(x for x in b if x not in a)]:
                    if a.get(label) != b.get(label):
                        items.append(ChangeItem(field=key, label=label, old=a.get(label), new=b.get(label)))
            elif key in ("documents", "sources"):
                a, b = a or [], b or []
                items.append(
                    ChangeItem(field=key, old=[x for x in a if x not in b], new=[x for x in b if x not in a])
                )
            else:
                items.append(ChangeItem(field=key, old=a, new=b))
        return cls(kind="changed", at=at, from_version=from_version, to_version=to_version, items=items)

    def text(self, lang: str) -> str:
        """One line, e.g. '【更新 2026年11月26日】金額 3歳未満: 15,000円 → 16,000円（カタログ版 0491a26a → 5c1e…）'."""
        lg = _lang(lang)
        day = format_date(self.at.astimezone(_tokyo()).date(), lg)
        if self.kind == "added":
            head = msg("cal.added", lg, date=day)
            parts: list[str] = []
        else:
            head = msg("cal.updated", lg, date=day)
            parts = [self._item_text(i, lg) for i in self.items]
        version = ""
        if self.from_version and self.to_version and self.from_version != self.to_version:
            version = msg("cal.version", lg, old=self.from_version, new=self.to_version)
        return head + (" " if lg == "en" and parts else "") + msg("cal.sep", lg).join(parts) + version

    @staticmethod
    def _item_text(item: ChangeItem, lang: Lang) -> str:
        key = f"field.{item.field}"
        name = msg(key, lang) if key in MESSAGES else item.field
        none = msg("cal.none", lang)
        if item.field == "amounts":
            old = yen(item.old, lang) if item.old is not None else none
            new = yen(item.new, lang) if item.new is not None else none
            return f"{name} {item.label}: {old} → {new}"
        if item.field in ("documents", "sources"):
            bits = [f"+{x}" for x in item.new or []] + [f"−{x}" for x in item.old or []]
            return f"{name}: {msg('cal.list_sep', lang).join(bits)}"
        old = item.old if item.old not in (None, "") else none
        new = item.new if item.new not in (None, "") else none
        if item.field == "date":
            old, new = (_day_text(v, lang) if v is not none else v for v in (old, new))
        return f"{name}: {old} → {new}"


def _day_text(value: Any, lang: Lang) -> str:
    try:
        return format_date(dt.date.fromisoformat(str(value)), lang)
    except ValueError:
        return str(value)


class FeedRecord(BaseModel):
    """The stored state of one event of a bundle's feed."""

    hash: str
    sequence: int = 0
    modified: dt.datetime
    snapshot: dict[str, Any]
    change: FeedChange | None = None


@dataclass
class CalendarEntry:
    uid: str
    kind: Literal["procedure", "milestone"]
    day: dt.date
    summary: str
    description: str
    location: str | None
    url: str | None
    reminder_days: int
    snapshot: dict[str, Any]

    @property
    def hash(self) -> str:
        return hashlib.sha256(
            json.dumps(self.snapshot, sort_keys=True, ensure_ascii=False).encode()
        ).hexdigest()[:16]


def _tokyo() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo(TZID)


def next_feed_records(
    entries: list[CalendarEntry],
    records: dict[str, FeedRecord],
    prev_version: str | None,
    version: str,
    now: dt.datetime,
) -> dict[str, FeedRecord]:
    """The feed's records after this generation (by UID): an entry whose content hash changed gets the next
    SEQUENCE, ``now`` as LAST-MODIFIED and a "what changed" item list; a new one is "added" (except in the first
    generation); an unchanged one keeps its record (the same object)."""
    out: dict[str, FeedRecord] = {}
    for e in entries:
        old = records.get(e.uid)
        if old is None:
            change = FeedChange.added(prev_version, version, now) if prev_version else None
            out[e.uid] = FeedRecord(hash=e.hash, sequence=0, modified=now, snapshot=e.snapshot, change=change)
        elif old.hash != e.hash:
            change = FeedChange.diff(old.snapshot, e.snapshot, prev_version, version, now)
            out[e.uid] = FeedRecord(
                hash=e.hash, sequence=old.sequence + 1, modified=now, snapshot=e.snapshot, change=change
            )
        else:
            out[e.uid] = old
    return out


def feed_changed(
    records: dict[str, FeedRecord], new_records: dict[str, FeedRecord], prev_version: str | None, version: str
) -> bool:
    """Whether the new generation must be stored: another catalog version, or an event added or changed."""
    return prev_version != version or any(records.get(u) is not r for u, r in new_records.items())


def calendar_entries(view: BundleOut, r: Renderer, *, base_url: str) -> list[CalendarEntry]:
    """The dated procedures and milestones of ``view`` as calendar entries (undated ones are left out); their
    text comes from ``r`` (:mod:`bot.render`, in the view's language)."""
    plan_line = r.calendar_plan(view.display_code, f"{base_url.rstrip('/')}/bundles/{view.code}")
    out = [
        _procedure_entry(view.code, p, plan_line, r) for p in view.procedures if p.deadline and p.deadline.due
    ]
    out += [_milestone_entry(view.code, m, plan_line, r) for m in view.milestones if m.date is not None]
    return out


def _procedure_entry(code: str, p: ProcedureOut, plan_line: str, r: Renderer) -> CalendarEntry:
    assert p.deadline and p.deadline.due
    where = (p.visit or "@").split("@", 1)[1] or "tokyo"
    return CalendarEntry(
        uid=f"{code}-{p.id}-{where}@{UID_DOMAIN}",
        kind="procedure",
        day=p.deadline.due,
        summary=r.calendar_summary(p),
        description="\n".join([*r.calendar_procedure(p), plan_line]),
        location=p.office,
        url=p.online_url or (p.sources[0].url if p.sources else None),
        reminder_days=PROCEDURE_REMINDER_DAYS,
        snapshot={
            "title": p.title,
            "date": p.deadline.due.isoformat(),
            "office": p.office,
            "documents": list(p.documents),
            "amounts": {a.label: a.yen for a in p.amounts},
            "online_url": p.online_url,
            "deadline": p.deadline.text,
            "status": "applies" if p.conditional is None else "maybe",
            "sources": [s.url for s in p.sources],
        },
    )


def _milestone_entry(code: str, m: MilestoneOut, plan_line: str, r: Renderer) -> CalendarEntry:
    assert m.date is not None
    return CalendarEntry(
        uid=f"{code}-milestone-{m.id}@{UID_DOMAIN}",
        kind="milestone",
        day=m.date,
        summary=m.title,
        description="\n".join([*r.calendar_milestone(m), plan_line]),
        location=None,
        url=m.sources[0].url if m.sources else None,
        reminder_days=MILESTONE_REMINDER_DAYS,
        snapshot={
            "title": m.title,
            "date": m.date.isoformat(),
            "text": m.text,
            "sources": [s.url for s in m.sources],
        },
    )


def _tokyo_vtimezone() -> icalendar.Timezone:
    """VTIMEZONE for Asia/Tokyo: JST, UTC+9 all year (no daylight saving since 1951)."""
    tz = icalendar.Timezone()
    tz.add("tzid", TZID)
    std = icalendar.TimezoneStandard()
    std.add("dtstart", dt.datetime(1970, 1, 1))
    std.add("tzname", "JST")
    std.add("tzoffsetfrom", dt.timedelta(hours=9))
    std.add("tzoffsetto", dt.timedelta(hours=9))
    tz.add_component(std)
    return tz


def reminder_trigger(days_before: int) -> dt.timedelta:
    """Offset from the start of an all-day event (00:00) to REMINDER_HOUR o'clock ``days_before`` days earlier."""
    return -(dt.timedelta(days=days_before) - dt.timedelta(hours=REMINDER_HOUR))


def build_calendar(
    view: BundleOut, entries: list[CalendarEntry], records: dict[str, FeedRecord], *, feed: bool = False
) -> bytes:
    """Serialise ``entries``; ``records`` (by UID) give SEQUENCE, LAST-MODIFIED and the "what changed" line."""
    lang = _lang(view.lang)
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cal = icalendar.Calendar()
    cal.add("prodid", PRODID)
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("method", "PUBLISH")
    name = f"{view.title} ({view.display_code})"
    cal.add("x-wr-calname", name)
    cal.add("name", name)
    cal.add("x-wr-timezone", TZID)
    cal.add("x-wr-caldesc", msg("cal.desc", lang, code=view.display_code, version=view.catalog_version))
    if feed:
        cal.add("refresh-interval", FEED_REFRESH, parameters={"VALUE": "DURATION"})
        cal.add("x-published-ttl", icalendar.vDuration(FEED_REFRESH).to_ical().decode())
    cal.add_component(_tokyo_vtimezone())
    for e in entries:
        rec = records.get(e.uid)
        ev = icalendar.Event()
        ev.add("uid", e.uid)
        ev.add("dtstamp", now)
        ev.add("created", view.created)
        ev.add("last-modified", rec.modified if rec else now)
        ev.add("sequence", rec.sequence if rec else 0)
        ev.add("dtstart", e.day)
        ev.add("dtend", e.day + dt.timedelta(days=1))
        ev.add("summary", e.summary)
        change = rec.change.text(view.lang) if rec and rec.change else None
        ev.add("description", f"{change}\n{e.description}" if change else e.description)
        if e.location:
            ev.add("location", e.location)
        if e.url:
            ev.add("url", e.url)
        ev.add("transp", "TRANSPARENT")
        ev.add("categories", [msg(f"cal.category.{e.kind}", lang)])
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.summary)
        alarm.add("trigger", reminder_trigger(e.reminder_days))
        ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
