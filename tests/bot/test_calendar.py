"""The bundle calendar, parsed back with icalendar: dates, reminders, time zone, stable UIDs, change notes."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import pytest

from bot.bundle_service import BundleService
from bot.bundle_store import BundleStore
from bot.calendar import MILESTONE_REMINDER_DAYS, PROCEDURE_REMINDER_DAYS, FeedChange
from bot.service import Concierge
from bot.sessions import SessionState, SessionStore
from knowledge.catalog import default_catalog

TOKYO = ZoneInfo("Asia/Tokyo")
BASE = "https://concierge.example.jp"


@pytest.fixture
def service(tmp_path: Path) -> BundleService:
    concierge = Concierge(default_catalog(), SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}"))
    return BundleService(concierge, BundleStore(tmp_path / "bundles.sqlite3", ttl_days=90))


def save(service: BundleService, **fields: object) -> str:
    state = SessionState(id="s1", **fields)  # type: ignore[arg-type]
    service.concierge.sessions.save(state)
    return service.save_session("s1").code


def events_by_uid(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def test_birth_calendar_has_due_dates_reminders_and_tokyo_time_zone(service: BundleService) -> None:
    code = save(
        service,
        events=["birth"],
        municipality="131121",
        event_date=dt.date(2026, 11, 20),
        facts={"insurance": "national"},
    )
    cal = icalendar.Calendar.from_ical(service.calendar(code, base_url=BASE))
    assert str(cal["X-WR-TIMEZONE"]) == "Asia/Tokyo"
    assert [str(tz["TZID"]) for tz in cal.walk("VTIMEZONE")] == ["Asia/Tokyo"]
    (std,) = cal.walk("STANDARD")
    assert std["TZOFFSETTO"].td == dt.timedelta(hours=9) == TOKYO.utcoffset(dt.datetime(2026, 12, 1))

    events = {str(e["UID"]): e for e in cal.walk("VEVENT")}
    reg = events[f"{code}-birth-registration-131121@life-event-concierge"]
    # 戸籍法: the birth day counts as day 1 -> 14th day is Thu 2026-12-03
    assert reg["DTSTART"].dt == dt.date(2026, 12, 3)
    assert not isinstance(reg["DTSTART"].dt, dt.datetime)  # an all-day date in Tokyo, not a shifted instant
    assert reg["DTEND"].dt == dt.date(2026, 12, 4)
    assert "出生届" in str(reg["SUMMARY"])
    desc = str(reg["DESCRIPTION"])
    assert "世田谷区" in desc and "出生証明書" in desc and "https://" in desc
    assert f"{BASE}/bundles/{code}" in desc
    assert str(reg["LOCATION"]).startswith("世田谷区")

    # the reminder fires at 09:00 (Tokyo) a few days before the due day
    (alarm,) = reg.walk("VALARM")
    assert str(alarm["ACTION"]) == "DISPLAY"
    start = dt.datetime.combine(reg["DTSTART"].dt, dt.time(0), TOKYO)
    fires = start + alarm["TRIGGER"].dt
    assert fires == dt.datetime(2026, 11, 30, 9, 0, tzinfo=TOKYO)
    assert (reg["DTSTART"].dt - fires.date()).days == PROCEDURE_REMINDER_DAYS

    # every procedure with a due date is an event, with the planner's date; nothing undated is
    planned = service.plan(service.get(code))
    dated = {it.procedure.id: it.due.due for it in planned.items if it.due}
    proc_events = {u: e for u, e in events.items() if "-milestone-" not in u}
    assert {u.split(code + "-")[1].rsplit("-131121", 1)[0] for u in proc_events} == set(dated)
    for uid, e in proc_events.items():
        pid = uid.split(code + "-")[1].rsplit("-131121", 1)[0]
        assert e["DTSTART"].dt == dated[pid]
        assert int(e["SEQUENCE"]) == 0
        assert e["DTSTAMP"].dt.tzinfo is not None and e["DTSTAMP"].dt.utcoffset() == dt.timedelta(0)

    # milestones: newborn visit a month later, first shots at two months, with a week's notice
    visit = events[f"{code}-milestone-newborn-visit@life-event-concierge"]
    assert visit["DTSTART"].dt == dt.date(2026, 12, 20)
    shots = events[f"{code}-milestone-first-vaccinations-2m@life-event-concierge"]
    assert shots["DTSTART"].dt == dt.date(2027, 1, 20)
    (ms_alarm,) = shots.walk("VALARM")
    fires = dt.datetime.combine(shots["DTSTART"].dt, dt.time(0), TOKYO) + ms_alarm["TRIGGER"].dt
    assert fires == dt.datetime(2027, 1, 20 - MILESTONE_REMINDER_DAYS, 9, 0, tzinfo=TOKYO)


def test_turning_65_milestones_are_in_the_calendar(service: BundleService) -> None:
    code = save(service, events=["turning-65"], municipality="131130", event_date=dt.date(2027, 3, 3))
    view = service.view(code, base_url=BASE)
    dated = [m for m in view.milestones if m.date]
    assert dated, "turning-65 has dated milestones in the catalog"
    events = events_by_uid(service.calendar(code, base_url=BASE))
    for m in dated:
        assert events[f"{code}-milestone-{m.id}@life-event-concierge"]["DTSTART"].dt == m.date


def test_move_events_at_both_municipalities_have_distinct_uids(service: BundleService) -> None:
    code = save(
        service,
        events=["moving"],
        municipality="131148",
        move_from="131121",
        move_to="131148",
        event_date=dt.date(2026, 12, 10),
    )
    ics = service.calendar(code, base_url=BASE)
    raw_uids = [str(e["UID"]) for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")]
    assert len(raw_uids) == len(set(raw_uids)) > 0
    assert any(u.endswith("-131121@life-event-concierge") for u in raw_uids)
    assert any(u.endswith("-131148@life-event-concierge") for u in raw_uids)


def test_english_bundle_renders_english_calendar(service: BundleService) -> None:
    code = save(service, events=["birth"], municipality="131121", event_date=dt.date(2026, 11, 20), lang="en")
    events = events_by_uid(service.calendar(code, base_url=BASE, feed=True))
    reg = events[f"{code}-birth-registration-131121@life-event-concierge"]
    assert str(reg["SUMMARY"]).startswith("Due: ")
    assert "Office: Setagaya" in str(reg["DESCRIPTION"])


def test_regenerating_an_unchanged_feed_keeps_sequence_and_last_modified(service: BundleService) -> None:
    code = save(service, events=["death"], municipality="131016", event_date=dt.date(2026, 11, 2))
    first = events_by_uid(service.calendar(code, base_url=BASE, feed=True))
    second = events_by_uid(service.calendar(code, base_url=BASE, feed=True))
    assert first.keys() == second.keys() and first
    for uid, e in second.items():
        assert int(e["SEQUENCE"]) == 0
        assert e["LAST-MODIFIED"].dt == first[uid]["LAST-MODIFIED"].dt
        assert "【更新" not in str(e["DESCRIPTION"])


def test_feed_has_refresh_interval_and_the_download_does_not(service: BundleService) -> None:
    code = save(service, events=["birth"], municipality="131121", event_date=dt.date(2026, 11, 20))
    feed = icalendar.Calendar.from_ical(service.calendar(code, base_url=BASE, feed=True))
    download = icalendar.Calendar.from_ical(service.calendar(code, base_url=BASE, feed=False))
    assert "REFRESH-INTERVAL" in feed and "REFRESH-INTERVAL" not in download


def test_without_an_event_date_there_are_no_dated_events(service: BundleService) -> None:
    code = save(service, events=["birth"], municipality="131121")
    assert events_by_uid(service.calendar(code, base_url=BASE)) == {}


def test_change_note_names_the_old_and_new_amount_and_catalog_versions() -> None:
    at = dt.datetime(2026, 12, 1, 3, 0, tzinfo=dt.UTC)
    old = {"title": "児童手当", "date": "2026-12-04", "amounts": {"3歳未満": 15000}, "documents": ["A", "B"]}
    new = {"title": "児童手当", "date": "2026-12-07", "amounts": {"3歳未満": 16000}, "documents": ["A", "C"]}
    change = FeedChange.diff(old, new, "aaaa", "bbbb", at)
    ja = change.text("ja")
    assert ja.startswith("【更新 2026年12月1日】")  # dates in words, never ISO
    assert "金額 3歳未満: 15,000円 → 16,000円" in ja
    assert "日付: 2026年12月4日 → 2026年12月7日" in ja
    assert "持ち物: +C、−B" in ja
    assert ja.endswith("（カタログ版 aaaa → bbbb）")
    en = change.text("en")
    assert "Amount 3歳未満: ¥15,000 → ¥16,000" in en and "(catalog aaaa → bbbb)" in en
    assert en.startswith("[Updated 1 December 2026]") and "Date: 4 December 2026 → 7 December 2026" in en
