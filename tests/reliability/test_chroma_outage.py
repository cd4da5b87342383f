"""The Chroma server going away: page questions answer 503 with a clear JSON message, catalog answers still 200,
and everything recovers by itself when the server returns on the same port and path (no app restart)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_support import FIXTURE_PAGES, ChromaServer

from ingest.pipeline import run_ingest
from knowledge.settings import Settings, get_settings
from web.app import create_app
from web.services import RETRY_BUILD_S

pytestmark = [pytest.mark.server, pytest.mark.slow]

CHAT = "/api/chat"
PAGE_QUESTION = {"message": "018サポートの申請方法を教えてください", "today": "2026-11-26"}
BIRTH = {"message": "11月20日に世田谷区で子どもが生まれました", "today": "2026-11-26"}


@pytest.fixture
def server(tmp_path: Path) -> Iterator[ChromaServer]:
    srv = ChromaServer(tmp_path / "chroma-data").start()
    yield srv
    srv.stop()


@pytest.fixture
def settings(server: ChromaServer, tmp_path: Path) -> Settings:
    s = get_settings(
        data_dir=tmp_path / "var",
        embedding={"backend": "hashing"},
        chroma={"mode": "server", "url": server.url, "timeout_s": 2},
        server={"rate_limit_per_minute": 0},
        ingest={
            "directory_hosts": {str(FIXTURE_PAGES): ["*"]}
        },  # curated copies may name their canonical URLs
    )
    rec = run_ingest(s, [str(FIXTURE_PAGES)], progress=False)
    assert rec.status == "ok" and rec.added, rec.summary()
    return s


def _page_answer(client: TestClient) -> dict[str, object]:
    r = client.post(CHAT, json=PAGE_QUESTION)
    assert r.status_code == 200, r.text
    body = r.json()
    assert not body["procedures"] and body["citations"], body
    assert body["citations"][0]["url"] == "https://www.fukushi.metro.tokyo.lg.jp/kodomo/018support.html"
    assert "018サポート" in body["reply"]
    return body  # type: ignore[no-any-return]


def _until(predicate, timeout: float) -> bool:  # type: ignore[no-untyped-def]
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(0.2)
    return predicate()


def _check_outage(client: TestClient) -> None:
    started = time.monotonic()
    r = client.post(CHAT, json=PAGE_QUESTION)
    assert time.monotonic() - started < 5  # refused connections fail fast; timeout_s bounds a hung server
    assert r.status_code == 503
    assert r.headers["retry-after"] and r.headers["content-type"].startswith("application/json")
    err = r.json()["error"]
    assert err["status"] == 503 and err["code"] == "pages_unavailable"
    assert "unavailable" in err["message"] and "try again" in err["message"]
    # catalog answers do not need the vector store
    birth = client.post(CHAT, json=BIRTH)
    assert birth.status_code == 200
    assert "birth-registration" in [p["id"] for p in birth.json()["procedures"]]
    assert client.get("/healthz").status_code == 200
    search = client.get("/api/search", params={"q": "出生届"}).json()
    assert search["procedures"] and not search["pages_available"]
    assert "unreachable" in search["pages_message"] and "CONCIERGE_CHROMA__URL" in search["pages_message"]


def test_outage_answers_503_and_recovers_without_restart(server: ChromaServer, settings: Settings) -> None:
    with TestClient(create_app(settings)) as client:
        first = _page_answer(client)

        server.stop()
        _check_outage(client)
        _check_outage(client)  # still clear on the second try, not a 500

        server.start()  # same path, same port
        assert _until(lambda: client.post(CHAT, json=PAGE_QUESTION).status_code == 200, RETRY_BUILD_S + 10)
        assert _page_answer(client)["citations"] == first["citations"]
        assert client.get("/api/search", params={"q": "018サポート"}).json()["pages_available"]


def test_app_started_while_the_server_is_down_recovers_when_it_starts(
    server: ChromaServer, settings: Settings
) -> None:
    server.stop()
    with TestClient(create_app(settings)) as client:  # starts without the vector store
        assert client.get("/healthz").status_code == 200
        _check_outage(client)
        server.start()
        assert _until(lambda: client.post(CHAT, json=PAGE_QUESTION).status_code == 200, RETRY_BUILD_S + 10)
        _page_answer(client)
