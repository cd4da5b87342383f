"""Saved bundles over HTTP on the real app: save, read, calendar download, feed updates after a catalog change,
expiry (410), the printable page and its QR code (decoded with OpenCV)."""

from __future__ import annotations

import re
import shutil
import time
from pathlib import Path

import cv2
import icalendar
import numpy as np
import pytest
from fastapi.testclient import TestClient

from bot.sessions import SessionState
from knowledge.catalog import DATA_DIR
from knowledge.settings import Settings, get_settings
from web.app import create_app

TODAY = "2026-11-26"
BIRTH = "2026年11月20日に世田谷区で子どもが生まれました"


def client_for(settings: Settings) -> TestClient:
    return TestClient(create_app(settings))


@pytest.fixture
def client() -> TestClient:
    return client_for(get_settings())


def saved_bundle(client: TestClient, *messages: str) -> dict[str, str]:
    sid = None
    for m in messages:
        r = client.post("/api/chat", json={"message": m, "session_id": sid, "today": TODAY})
        assert r.status_code == 200, r.text
        sid = r.json()["session_id"]
    r = client.post("/api/bundles", json={"session_id": sid})
    assert r.status_code == 201, r.text
    return r.json()


def vevents(ics: bytes) -> dict[str, icalendar.Event]:
    return {str(e["UID"]): e for e in icalendar.Calendar.from_ical(ics).walk("VEVENT")}


def decode_svg_qr(svg: str) -> str:
    """Rasterise the QR code's SVG (unit squares 'Mx,yH..V..H..z' in a viewBox) and decode it with OpenCV."""
    size = int(re.search(r'viewBox="0 0 (\d+) \d+"', svg).group(1))  # type: ignore[union-attr]
    d = re.search(r'<path d="([^"]+)"', svg).group(1)  # type: ignore[union-attr]
    grid = np.full((size, size), 255, np.uint8)
    for x, y in re.findall(r"M(\d+),(\d+)H", d):
        grid[int(y), int(x)] = 0
    img = cv2.resize(grid, (size * 8, size * 8), interpolation=cv2.INTER_NEAREST)
    text, _, _ = cv2.QRCodeDetector().detectAndDecode(img)
    return text


def test_save_and_read_a_bundle(client: TestClient) -> None:
    links = saved_bundle(client, BIRTH)
    code = links["code"]
    assert len(code) == 15 and links["display_code"] == f"{code[:5]}-{code[5:10]}-{code[10:]}"
    assert links["url"] == f"http://testserver/bundles/{code}"
    assert links["ics_url"].endswith(f"/bundles/{code}.ics") and links["feed_url"].endswith(
        f"/feeds/{code}.ics"
    )
    assert links["print_url"].endswith(f"/bundles/{code}/print")

    r = client.get(f"/api/bundles/{code.lower()}")
    assert r.status_code == 200
    body = r.json()
    assert body["life_events"] == ["birth"] and body["municipality"] == "世田谷区"
    assert body["event_date"] == "2026-11-20"
    due = {
        p["id"]: p["deadline"]["due"] for p in body["procedures"] if p["deadline"] and p["deadline"]["due"]
    }
    assert due["birth-registration"] == "2026-12-03"
    assert body["checklist"] and body["milestones"]
    assert body["links"]["feed_url"] == links["feed_url"]
    assert (
        client.get(f"/api/bundles/{code}", params={"lang": "en"})
        .json()["title"]
        .startswith("Birth of a child")
    )


def test_save_errors(client: TestClient) -> None:
    r = client.post("/api/bundles", json={"session_id": "no-such-session"})
    assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"
    # a session that knows the municipality but no life event yet (a chat turn without one needs page search)
    client.app.state.services.concierge.sessions.save(SessionState(id="no-event", municipality="131121"))  # type: ignore[attr-defined]
    r = client.post("/api/bundles", json={"session_id": "no-event"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "no_life_event"
    assert client.post("/api/bundles", json={}).status_code == 422
    for path in (
        "/api/bundles/ZZZZ9999",
        "/api/bundles/not-a-code",
        "/bundles/ZZZZ9999.ics",
        "/feeds/ZZZZ9999.ics",
    ):
        assert client.get(path).status_code == 404, path


def test_calendar_download(client: TestClient) -> None:
    code = saved_bundle(client, BIRTH)["code"]
    r = client.get(f"/bundles/{code}.ics")
    assert r.status_code == 200
    assert r.headers["content-type"].startswith("text/calendar")
    assert f'filename="bundle-{code}.ics"' in r.headers["content-disposition"]
    events = vevents(r.content)
    reg = events[f"{code}-birth-registration-131121@life-event-concierge"]
    assert str(reg["DTSTART"].to_ical().decode()) == "20261203"
    assert reg.walk("VALARM")


def test_a_catalog_amount_change_updates_the_feed_of_a_saved_bundle(tmp_path: Path) -> None:
    catalog_dir = tmp_path / "catalog"
    shutil.copytree(DATA_DIR, catalog_dir)
    settings = get_settings(catalog_dir=catalog_dir)
    before = client_for(settings)
    code = saved_bundle(before, BIRTH)["code"]
    uid = f"{code}-child-allowance-131121@life-event-concierge"
    first = vevents(before.get(f"/feeds/{code}.ics").content)
    assert int(first[uid]["SEQUENCE"]) == 0
    assert "15,000円" in str(first[uid]["DESCRIPTION"])
    old_version = before.get("/healthz").json()["catalog"]

    # an editor changes the baseline amount of the child allowance
    yaml_path = catalog_dir / "procedures" / "child.yaml"
    text = yaml_path.read_text(encoding="utf-8")
    assert text.count("yen: 15000") == 1
    yaml_path.write_text(text.replace("yen: 15000", "yen: 16000"), encoding="utf-8")

    after = client_for(settings)  # the restarted app loads the edited catalog; same data dir
    new_version = after.get("/healthz").json()["catalog"]
    assert new_version != old_version
    feed = after.get(f"/feeds/{code}.ics")
    assert feed.status_code == 200
    cal = icalendar.Calendar.from_ical(feed.content)
    assert new_version in str(cal["X-WR-CALDESC"])
    second = vevents(feed.content)
    assert second.keys() == first.keys()  # stable UIDs: calendars update the events in place
    changed = second[uid]
    assert int(changed["SEQUENCE"]) == 1
    assert changed["LAST-MODIFIED"].dt >= first[uid]["LAST-MODIFIED"].dt
    desc = str(changed["DESCRIPTION"])
    assert desc.startswith("【更新 ")
    assert "15,000円 → 16,000円" in desc.splitlines()[0]
    assert f"カタログ版 {old_version} → {new_version}" in desc.splitlines()[0]
    assert "16,000円" in desc
    for other, e in second.items():
        if other != uid:  # nothing else changed
            assert int(e["SEQUENCE"]) == 0 and "【更新" not in str(e["DESCRIPTION"]), other
    # the JSON view is re-planned too
    allowance = next(
        p for p in after.get(f"/api/bundles/{code}").json()["procedures"] if p["id"] == "child-allowance"
    )
    assert 16000 in [a["yen"] for a in allowance["amounts"]]

    # polling again does not bump it a second time, and the note stays for subscribers who poll later
    again = vevents(after.get(f"/feeds/{code}.ics").content)[uid]
    assert int(again["SEQUENCE"]) == 1 and str(again["DESCRIPTION"]) == desc


def test_expired_bundle_answers_410_and_its_data_is_gone() -> None:
    app = create_app(get_settings(session={"bundle_ttl_days": 0.2 / 86400}))  # 0.2 s
    client = TestClient(app)
    code = saved_bundle(client, BIRTH)["code"]
    assert client.get(f"/api/bundles/{code}").status_code == 200
    time.sleep(0.3)
    for path in (
        f"/api/bundles/{code}",
        f"/bundles/{code}.ics",
        f"/feeds/{code}.ics",
        f"/bundles/{code}/print",
    ):
        r = client.get(path)
        assert r.status_code == 410, path
        assert r.json()["error"]["code"] == "expired"
    rows = app.state.bundles.store.raw_rows()
    assert rows["bundles"] == [] and rows["feed_events"] == [] and rows["feed_meta"] == []


def test_print_page_is_a4_with_a_qr_code_of_the_bundle_url(client: TestClient) -> None:
    links = saved_bundle(client, BIRTH, "国民健康保険です")
    r = client.get(f"/bundles/{links['code']}/print")
    assert r.status_code == 200 and r.headers["content-type"].startswith("text/html")
    html = r.text
    assert links["display_code"] in html and "出生届" in html and "持ち物チェックリスト" in html
    assert "赤ちゃん訪問" in html  # milestones
    assert "<style" not in html and "<script" not in html  # the CSP allows neither inline
    css_href = re.search(r'<link rel="stylesheet" href="([^"]+)"', html).group(1)  # type: ignore[union-attr]
    css = client.get(css_href)
    assert css.status_code == 200 and css.headers["content-type"].startswith("text/css")
    assert re.search(r"@page\s*\{[^}]*size:\s*A4", css.text)
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)  # type: ignore[union-attr]
    assert decode_svg_qr(svg) == links["url"]
    # the page the QR code opens
    assert client.get(links["url"]).status_code == 200


def test_public_url_is_used_in_links_and_qr_code() -> None:
    client = client_for(get_settings(server={"public_url": "https://concierge.example.jp/"}))
    links = saved_bundle(client, BIRTH)
    assert links["url"] == f"https://concierge.example.jp/bundles/{links['code']}"
    html = client.get(f"/bundles/{links['code']}/print").text
    svg = re.search(r"<svg.*?</svg>", html, re.S).group(0)  # type: ignore[union-attr]
    assert decode_svg_qr(svg) == links["url"]
    ics = client.get(f"/feeds/{links['code']}.ics").content
    assert links["url"].encode() in ics.replace(b"\r\n ", b"")
