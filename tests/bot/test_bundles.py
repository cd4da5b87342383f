"""Saved bundles: short codes, what is stored (no personal data), expiry, re-planning on read."""

from __future__ import annotations

import datetime as dt
import json
import math
import time
from pathlib import Path

import pytest

import bot.bundle_codes as codes_mod
from bot.bundle_codes import (
    CODE_ALPHABET,
    CODE_DATA_LENGTH,
    check_symbol,
    display_code,
    new_code,
    normalize_code,
)
from bot.bundle_service import BundleService, NothingToSave
from bot.bundle_store import BundleExpired, BundleNotFound, BundleStore
from bot.contract import ChatRequest
from bot.service import Concierge
from bot.sessions import SessionState, SessionStore
from knowledge.catalog import default_catalog

STORED_KEYS = {"events", "municipality", "move_from", "move_to", "event_date", "facts", "lang"}


@pytest.fixture
def service(tmp_path: Path) -> BundleService:
    concierge = Concierge(default_catalog(), SessionStore(f"sqlite:///{tmp_path / 's.sqlite3'}"))
    return BundleService(concierge, BundleStore(tmp_path / "bundles.sqlite3", ttl_days=90))


def test_codes_use_only_the_unambiguous_alphabet() -> None:
    assert not set("0O1IL") & set(CODE_ALPHABET)
    codes = {new_code() for _ in range(500)}
    assert len(codes) == 500
    assert all(len(c) == 15 and set(c) <= set(CODE_ALPHABET) for c in codes)
    assert all(check_symbol(c[:-1]) == c[-1] for c in codes)
    assert CODE_DATA_LENGTH * math.log2(len(CODE_ALPHABET)) >= 60  # issue 18: at least 60 random bits


def test_codes_are_normalised_from_what_people_type() -> None:
    code = "K7MQ2XWA9P3HJ4" + check_symbol("K7MQ2XWA9P3HJ4")
    assert display_code(code) == f"K7MQ2-XWA9P-3HJ4{code[-1]}"
    for typed in (
        code.lower(),
        display_code(code),
        f" {display_code(code)} ",
        display_code(code).replace("-", " "),
    ):
        assert normalize_code(typed) == code, typed
    assert normalize_code(code[:-1]) is None
    # legacy 8-character codes (saved before issue 18) are still read
    assert normalize_code("k7mq-2xwa") == "K7MQ2XWA"
    assert normalize_code(" K7MQ 2XWA ") == "K7MQ2XWA"
    assert normalize_code("K7MQ2XW0") is None  # 0 is not in the alphabet
    assert normalize_code("K7MQ2XW") is None
    assert display_code("K7MQ2XWA") == "K7MQ-2XWA"


def test_a_colliding_code_is_redrawn(service: BundleService, monkeypatch: pytest.MonkeyPatch) -> None:
    draws = iter(["AAAA2222", "AAAA2222", "BBBB3333"])
    monkeypatch.setattr(codes_mod, "new_code", lambda: next(draws))
    fields = {"events": ["birth"], "facts": {}, "lang": "ja"}
    assert service.store.add(fields).code == "AAAA2222"
    assert service.store.add(fields).code == "BBBB3333"


def test_saved_rows_hold_no_name_phone_or_message(service: BundleService) -> None:
    c = service.concierge
    today = dt.date(2026, 11, 26)
    r = c.chat(
        ChatRequest(
            message="山田花子です。電話090-1234-5678。2026年11月20日に世田谷区で子どもが生まれました",
            today=today,
        )
    )
    c.chat(ChatRequest(message="国民健康保険です", session_id=r.session_id, today=today))
    saved = service.save_session(r.session_id)

    rows = service.store.raw_rows()
    dump = json.dumps(rows, ensure_ascii=False, default=str)
    for personal in (
        "山田",
        "花子",
        "090-1234-5678",
        "09012345678",
        "国民健康保険です",
        "生まれました",
        r.session_id,
    ):
        assert personal not in dump
    ((code, data, created, expires),) = rows["bundles"]
    stored = json.loads(data)
    assert code == saved.code
    assert set(stored) == STORED_KEYS
    assert stored["events"] == ["birth"]
    assert stored["municipality"] == "131121"
    assert stored["event_date"] == "2026-11-20"
    assert stored["facts"] == {"insurance": "national"}
    assert isinstance(created, float) and expires > created


def test_values_that_are_not_catalog_answers_are_not_stored(service: BundleService) -> None:
    state = SessionState(
        id="s1",
        events=["birth", "山田太郎の出産"],
        municipality="山田太郎",
        move_to="090-1234-5678",
        event_date=dt.date(2026, 11, 20),
        facts={
            "insurance": "山田太郎",
            "single_parent": "090-1234-5678",
            "note": "山田太郎",
            "household_head": True,
        },
    )
    service.concierge.sessions.save(state)
    saved = service.save_session("s1")
    assert saved.events == ["birth"] and saved.municipality is None and saved.move_to is None
    assert saved.facts == {"household_head": True}
    assert "山田" not in json.dumps(service.store.raw_rows(), ensure_ascii=False)
    assert "090-1234-5678" not in json.dumps(service.store.raw_rows(), ensure_ascii=False)


def test_unknown_session_and_session_without_event(service: BundleService) -> None:
    with pytest.raises(BundleNotFound):
        service.save_session("no-such-session")
    r = service.concierge.chat(ChatRequest(message="こんにちは", today=dt.date(2026, 11, 26)))
    with pytest.raises(NothingToSave):
        service.save_session(r.session_id)
    assert service.store.raw_rows()["bundles"] == []


def test_expired_bundles_are_refused_and_purged(tmp_path: Path) -> None:
    store = BundleStore(tmp_path / "b.sqlite3", ttl_days=1)
    now = time.time()
    saved = store.add({"events": ["birth"], "facts": {}, "lang": "ja"}, now=now)
    keep = store.add({"events": ["death"], "facts": {}, "lang": "ja"}, now=now + 3600)
    store.save_feed_state(saved.code, "v1", {})
    assert store.get(saved.code, now=now + 86399).code == saved.code
    with pytest.raises(BundleExpired):
        store.get(saved.code, now=now + 86401)
    rows = store.raw_rows()
    assert [r[0] for r in rows["bundles"]] == [keep.code]
    assert rows["feed_meta"] == []
    assert [r[0] for r in rows["expired_codes"]] == [saved.code]  # only the code remains, so it stays 410
    with pytest.raises(BundleExpired):
        store.get(saved.code, now=now + 86402)
    with pytest.raises(BundleNotFound):
        store.get("ZZZZ9999", now=now)


def test_reading_replans_with_the_current_catalog(service: BundleService) -> None:
    state = SessionState(id="s1", events=["birth"], municipality="131121", event_date=dt.date(2026, 11, 20))
    service.concierge.sessions.save(state)
    code = service.save_session("s1").code
    view = service.view(code.lower(), base_url="https://x.example")
    assert view.code == code and view.title == "子どもの誕生 — 世田谷区"
    assert view.catalog_version == default_catalog().version
    reg = next(p for p in view.procedures if p.id == "birth-registration")
    assert reg.deadline is not None and reg.deadline.due == dt.date(2026, 12, 3)
    assert view.checklist and view.milestones
    assert view.links["url"] == f"https://x.example/bundles/{code}"
    # the same answers in English
    assert service.view(code, lang="en").title == "Birth of a child — Setagaya City"


@pytest.mark.parametrize("lang", ["ja", "easy", "en"])
def test_chat_saved_bundle_and_tool_show_a_bundle_alike(service: BundleService, lang: str) -> None:
    """One rendering path (issue #19): the chat turn, the saved bundle and the plan_bundle tool show the same cards,
    checklist and milestones for the same bundle, in each language."""
    from bot.render import BundleText
    from bot.tools import ConciergeTools

    event_day = dt.date.today() - dt.timedelta(days=3)
    message = f"{event_day.year}年{event_day.month}月{event_day.day}日に世田谷区で子どもが生まれました"
    r = service.concierge.chat(ChatRequest(message=message, lang=lang))
    view = service.view(service.save_session(r.session_id).code)
    tool = ConciergeTools(service.concierge).plan_bundle(
        ["birth"], "世田谷区", event_day.isoformat(), facts=view.facts, lang=lang
    )
    assert view.lang == lang and view.procedures and view.checklist
    assert [p.model_dump() for p in view.procedures] == [p.model_dump() for p in r.procedures]
    assert [p.model_dump(mode="json") for p in view.procedures] == tool["procedures"]
    assert view.checklist == r.checklist == tool["checklist"]
    assert view.milestones == r.milestones
    assert [m.id for m in view.milestones] == [m["id"] for m in tool["milestones"]]
    assert (view.municipality, view.move_from, view.move_to) == (r.municipality, r.move_from, r.move_to)
    # every field of the one rendering lands in the saved bundle's output (none is dropped by name)
    assert set(BundleText.__dataclass_fields__) <= set(type(view).model_fields)
