"""iCalendar for a bundle: one all-day event per procedure with a due date, one per dated milestone.

Due dates are dates in Tokyo, so events are all-day (``DTSTART;VALUE=DATE``) and the calendar declares
Asia/Tokyo (a VTIMEZONE and ``X-WR-TIMEZONE``). Each event carries a reminder at 09:00 a few days before and a
description with the office, what to bring, amounts and the official sources. UIDs are stable per bundle and
procedure, so a subscribed calendar updates events in place; an event whose content changed since the feed was
last generated gets a higher ``SEQUENCE``, a new ``LAST-MODIFIED`` and a "what changed" line.

Example::

    >>> entries = calendar_entries(view, base_url="https://example.org")
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

from bot.contract import SourceRef
from knowledge.provenance import badge_text

if TYPE_CHECKING:  # bot.bundles imports this module
    from bot.bundles import BundleOut

TZID = "Asia/Tokyo"
PROCEDURE_REMINDER_DAYS = 3
MILESTONE_REMINDER_DAYS = 7
REMINDER_HOUR = 9  # the reminder fires at 09:00 on the day it is due
FEED_REFRESH = dt.timedelta(hours=12)
PRODID = "-//Tokyo Life-Event Concierge//Bundle calendar//JA"
UID_DOMAIN = "life-event-concierge"

_FIELD_NAMES = {
    "title": ("名称", "Title"),
    "date": ("日付", "Date"),
    "office": ("窓口", "Office"),
    "documents": ("持ち物", "Documents"),
    "amounts": ("金額", "Amount"),
    "online_url": ("オンライン申請", "Online"),
    "deadline": ("期限の決まり", "Deadline rule"),
    "status": ("対象", "Applies"),
    "sources": ("出典", "Sources"),
    "text": ("内容", "Details"),
}


def _yen(v: Any, lang: str) -> str:
    return f"¥{v:,}" if lang == "en" else f"{v:,}円"


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
        for key in sorted(
            set(old) | set(new), key=lambda k: list(_FIELD_NAMES).index(k) if k in _FIELD_NAMES else 99
        ):
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
        """One line, e.g. '【更新 2026-11-26】金額 3歳未満: 15,000円 → 16,000円（カタログ版 0491a26a → 5c1e…）'."""
        en = lang == "en"
        day = self.at.astimezone(_tokyo()).date().isoformat()
        if self.kind == "added":
            head = f"[New {day}] Added to your plan" if en else f"【追加 {day}】この予定が新しく加わりました"
            parts: list[str] = []
        else:
            head = f"[Updated {day}]" if en else f"【更新 {day}】"
            parts = [self._item_text(i, lang) for i in self.items]
        version = ""
        if self.from_version and self.to_version and self.from_version != self.to_version:
            version = (
                f" (catalog {self.from_version} → {self.to_version})"
                if en
                else f"（カタログ版 {self.from_version} → {self.to_version}）"
            )
        sep = "; " if en else "／"
        return head + (" " if en and parts else "") + sep.join(parts) + version

    @staticmethod
    def _item_text(item: ChangeItem, lang: str) -> str:
        en = lang == "en"
        name = _FIELD_NAMES.get(item.field, (item.field, item.field))[1 if en else 0]
        none = "none" if en else "なし"
        if item.field == "amounts":
            old = _yen(item.old, lang) if item.old is not None else none
            new = _yen(item.new, lang) if item.new is not None else none
            return f"{name} {item.label}: {old} → {new}"
        if item.field in ("documents", "sources"):
            bits = [f"+{x}" for x in item.new or []] + [f"−{x}" for x in item.old or []]
            return f"{name}: {', '.join(bits) if en else '、'.join(bits)}"
        old = item.old if item.old not in (None, "") else none
        new = item.new if item.new not in (None, "") else none
        return f"{name}: {old} → {new}"


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


def calendar_entries(view: BundleOut, *, base_url: str) -> list[CalendarEntry]:
    """The dated procedures and milestones of ``view`` as calendar entries (undated ones are left out)."""
    en = view.lang == "en"
    bundle_url = f"{base_url.rstrip('/')}/bundles/{view.code}"
    out: list[CalendarEntry] = []
    for p in view.procedures:
        if not (p.deadline and p.deadline.due):
            continue
        where = (p.visit or "@").split("@", 1)[1] or "tokyo"
        maybe = p.conditional is not None
        summary = (f"Due: {p.title}" if en else f"期限：{p.title}") + (
            (" (if it applies)" if en else "（該当する場合）") if maybe else ""
        )
        lines = [
            f"{'Due' if en else '期限'}: {p.deadline.due.isoformat()}",
            f"{'Rule' if en else '期限の決まり'}: {p.deadline.explanation or p.deadline.text}",
            f"{'Office' if en else '窓口'}: {p.office}",
        ]
        if p.documents:
            lines.append(f"{'Bring' if en else '持ち物'}: {(', ' if en else '、').join(p.documents)}")
        for a in p.amounts:
            unconfirmed = (
                ""
                if a.confirmed
                else (" (not confirmed on an official page)" if en else "（公式ページで未確認）")
            )
            lines.append(f"{'Amount' if en else '金額'}: {a.label} {_yen(a.yen, view.lang)}{unconfirmed}")
        if p.unconfirmed:
            lines.append(f"※ {p.unconfirmed}")
        if p.online_url:
            lines.append(f"{'Online' if en else 'オンライン申請'}: {p.online_url}")
        if maybe:
            lines.append(p.conditional or "")
        lines += [_source_line(s, en) for s in p.sources]
        lines.append(f"{'Your plan' if en else '手続きバンドル'} ({view.display_code}): {bundle_url}")
        out.append(
            CalendarEntry(
                uid=f"{view.code}-{p.id}-{where}@{UID_DOMAIN}",
                kind="procedure",
                day=p.deadline.due,
                summary=summary,
                description="\n".join(lines),
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
                    "status": "maybe" if maybe else "applies",
                    "sources": [s.url for s in p.sources],
                },
            )
        )
    for m in view.milestones:
        if m.date is None:
            continue
        lines = [m.text] if m.text else []
        lines += [_source_line(s, en) for s in m.sources]
        lines.append(f"{'Your plan' if en else '手続きバンドル'} ({view.display_code}): {bundle_url}")
        out.append(
            CalendarEntry(
                uid=f"{view.code}-milestone-{m.id}@{UID_DOMAIN}",
                kind="milestone",
                day=m.date,
                summary=m.title,
                description="\n".join(lines),
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
        )
    return out


def _source_line(s: SourceRef, en: bool) -> str:
    """One source in a calendar description: its badge (公式 / 公的機関 / 非公式・要確認 / 保存コピー), whether it is
    another municipality's page, its publisher and the date the page states (never the check date)."""
    lang = "en" if en else "ja"
    badge = badge_text(s.kind or "private", s.page_date, s.reference, lang)
    who = f" — {s.publisher}" if s.publisher else ""
    return f"{'Source' if en else '出典'} [{badge}]{who}: {s.title} {s.url}"


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
    en = view.lang == "en"
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
    cal.add(
        "x-wr-caldesc",
        (
            f"Procedures and milestones of plan {view.display_code} (catalog {view.catalog_version})."
            if en
            else f"手続きバンドル {view.display_code} の期限と予定（カタログ版 {view.catalog_version}）。"
        ),
    )
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
        ev.add(
            "categories",
            ["Deadline" if en else "期限"] if e.kind == "procedure" else ["Milestone" if en else "予定"],
        )
        alarm = icalendar.Alarm()
        alarm.add("action", "DISPLAY")
        alarm.add("description", e.summary)
        alarm.add("trigger", reminder_trigger(e.reminder_days))
        ev.add_component(alarm)
        cal.add_component(ev)
    return cal.to_ical()
