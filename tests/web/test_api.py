"""The HTTP API over the real app and real stores: chat contract, catalog reads, staff search, errors."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from web_support import AppFactory

TODAY = "2026-11-26"


def test_healthz_and_openapi(make_client: AppFactory) -> None:
    c = make_client()
    assert c.get("/healthz").json()["status"] == "ok"
    spec = c.get("/openapi.json").json()
    assert {"/api/chat", "/api/procedures/{proc_id}", "/api/search", "/api/bundles"} <= set(spec["paths"])
    chat = spec["paths"]["/api/chat"]["post"]
    assert {"200", "413", "422", "429", "503"} <= set(chat["responses"])
    docs = c.get("/docs")
    assert docs.status_code == 200 and "/api/chat" in docs.text
    assert "cdn" not in docs.text.lower()  # served locally: nothing from a CDN


def test_birth_chat_then_follow_up_keeps_the_session(make_client: AppFactory) -> None:
    c = make_client()
    r = c.post("/api/chat", json={"message": "先週、世田谷区で子どもが生まれました", "today": TODAY})
    assert r.status_code == 200
    body = r.json()
    assert body["life_events"] == ["birth"] and body["municipality"] == "世田谷区"
    birth = next(p for p in body["procedures"] if p["id"] == "birth-registration")
    assert birth["deadline"]["due"] and birth["sources"] and birth["documents"]
    assert body["follow_up"] and body["quick_replies"]
    assert len(body["checklist"]) == len(set(body["checklist"]))

    # answer the follow-up (the event date) with the quick reply's label, as the widget does
    today = next(q for q in body["quick_replies"] if q["value"] == "today")
    r2 = c.post(
        "/api/chat", json={"message": today["label"], "session_id": body["session_id"], "today": TODAY}
    )
    assert r2.status_code == 200
    body2 = r2.json()
    assert body2["session_id"] == body["session_id"] and body2["event_date"] == TODAY
    due = next(p for p in body2["procedures"] if p["id"] == "birth-registration")["deadline"]["due"]
    assert due == "2026-12-09"  # 14 days counting the day of birth (戸籍法)


def test_widget_municipality_preset_and_today_defaults_to_server_clock(make_client: AppFactory) -> None:
    c = make_client()
    r = c.post("/api/chat", json={"message": "子どもが生まれました", "municipality": "131121", "lang": "en"})
    assert r.status_code == 200
    body = r.json()
    assert body["municipality_code"] == "131121" and body["lang"] == "en"
    assert dt.date.fromisoformat(body["facts"].get("event_date", dt.date.today().isoformat()))


def test_read_endpoints_apply_a_municipalitys_overrides(make_client: AppFactory) -> None:
    c = make_client()
    munis = c.get("/api/municipalities").json()
    assert len(munis) == 62 and {m["kind"] for m in munis} == {"ward", "city", "town", "village"}
    assert c.get("/api/municipalities/世田谷区").json()["code"] == "131121"
    events = {e["id"] for e in c.get("/api/life-events").json()}
    assert {"birth", "death", "moving"} <= events

    base = c.get("/api/procedures/nhi-funeral-benefit").json()
    setagaya = c.get("/api/procedures/nhi-funeral-benefit", params={"municipality": "131121"}).json()
    assert setagaya["local"] and setagaya["municipality"] == "世田谷区"
    assert setagaya["amounts"][0]["yen"] == 70000 and setagaya["amounts"][0]["sources"]
    assert (
        not base["local"]
        and setagaya["sources"]
        and all(s["url"].startswith("http") for s in setagaya["sources"])
    )

    listed = c.get("/api/procedures", params={"event": "birth", "municipality": "131121"}).json()
    assert "birth-registration" in {p["id"] for p in listed}
    assert all("birth" in p["life_events"] for p in listed)


def test_search_combines_catalog_and_pages(make_client: AppFactory, indexed_dir: Path) -> None:
    c = make_client(indexed_dir)
    r = c.get("/api/search", params={"q": "転入届", "municipality": "131016"})
    body = r.json()
    assert r.status_code == 200 and body["pages_available"]
    assert body["procedures"] and body["pages"]
    assert all(p["municipality_code"] in (None, "131016") for p in body["pages"])  # the filter holds
    funeral = c.get("/api/search", params={"q": "葬祭費"}).json()["procedures"]
    assert funeral[0]["id"] in {"nhi-funeral-benefit", "late-elderly-funeral-benefit"}


def test_not_found_and_bad_filters_are_clear_json(make_client: AppFactory) -> None:
    c = make_client()
    r = c.get("/api/procedures/no-such-thing")
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_procedure"
    r = c.get("/api/procedures/birth-registration", params={"municipality": "999999"})
    assert r.status_code == 404 and "999999" in r.json()["error"]["message"]
    r = c.get("/api/procedures", params={"event": "volcano"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "unknown_life_event"


def test_procedure_view_marks_unofficial_sources(make_client: AppFactory) -> None:
    c = make_client(editor={"allow_open": True})  # the staff console, without sign-in (development setting)
    body = c.get("/api/procedures/birth-registration", params={"municipality": "131016"}).json()
    assert body["sources"] and all(s["official"] for s in body["sources"])  # ward pages (.lg.jp, .tokyo.jp)
    assert body["office"].startswith("千代田区役所 総合窓口課")  # the ward's own family-register window
    body = c.get("/api/procedures/birth-registration", params={"municipality": "131121"}).json()
    flags = {s["url"]: s["official"] for s in body["sources"]}
    assert (
        flags["http://www.city.setagaya.lg.jp.cache.yimg.jp/documents/7718/benricho06_72-88.txt"] is False
    )  # a cache copy
    body = c.get("/api/procedures/nhi-funeral-benefit", params={"municipality": "131121"}).json()
    flags = {s["url"]: s["official"] for s in body["sources"]}
    assert (
        flags["https://local-media.heteml.net/archives/12003"] is False
    )  # an aggregator, flagged for editors
    html = c.get("/staff/procedures/nhi-funeral-benefit", params={"municipality": "131121"}).text
    assert "非公式の出典" in html
