"""Page search down (the vector store unreachable): the typed error travels from the searcher through the bot to
whichever interface asked, and each says so in its own way — the CLI in a line (never "not covered"), the API as a
503 ``pages_unavailable`` or a catalog-only answer, the staff console in Japanese without internal addresses.

The index is real (embedded Chroma + BM25 of the fixture pages); "down" is the same data directory pointed at a
Chroma server on a loopback port nobody listens on.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from reliability_support import FIXTURE_PAGES, cli_env, free_port, run_cli

from bot.contract import ChatRequest
from bot.service import TurnWithoutPages, build_concierge
from ingest.pipeline import run_ingest
from knowledge.retrieval_types import PageSearchUnavailable, StoreUnavailable
from knowledge.settings import Settings, get_settings
from web.accounts import SqliteUserStore
from web.app import create_app

PAGE_QUESTION = "018サポートの申請方法を教えてください"
BIRTH_AND_QUESTION = "11月20日に世田谷区で子どもが生まれました。出生届はどこに出しますか"
TODAY = "2026-11-26"
PASSWORD = "shokuin-pasuwado-2026"


@pytest.fixture(scope="module")
def data_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    base = tmp_path_factory.mktemp("pages-down")
    s = get_settings(
        data_dir=base / "var",
        embedding={"backend": "hashing"},
        ingest={"directory_hosts": {str(FIXTURE_PAGES): ["*"]}},
    )
    rec = run_ingest(s, [str(FIXTURE_PAGES)], progress=False)
    assert rec.status == "ok" and rec.added, rec.summary()
    return base / "var"


@pytest.fixture
def down(data_dir: Path) -> Settings:
    return get_settings(
        data_dir=data_dir,
        embedding={"backend": "hashing"},
        chroma={"mode": "server", "url": f"http://127.0.0.1:{free_port()}", "timeout_s": 2},
        server={"rate_limit_per_minute": 0},
    )


def test_the_store_error_is_a_page_search_error() -> None:
    assert issubclass(StoreUnavailable, PageSearchUnavailable)
    assert issubclass(TurnWithoutPages, PageSearchUnavailable)


def test_the_bot_raises_instead_of_saying_not_covered(data_dir: Path, down: Settings) -> None:
    concierge = build_concierge(down)
    with pytest.raises(TurnWithoutPages, match="unreachable") as caught:
        concierge.chat(ChatRequest(message=PAGE_QUESTION, today=dt.date.fromisoformat(TODAY)))
    assert not caught.value.response.procedures and not caught.value.response.citations

    # a life event still gets its bundle from the catalog; the error says the page quotes are missing
    with pytest.raises(TurnWithoutPages) as caught:
        concierge.chat(ChatRequest(message=BIRTH_AND_QUESTION, today=dt.date.fromisoformat(TODAY)))
    resp = caught.value.response
    assert "birth-registration" in [p.id for p in resp.procedures] and not resp.citations
    state = concierge.sessions.get(resp.session_id)  # the turn was saved: the conversation goes on
    assert state is not None and "birth" in state.events

    # with the store up, the same page question is answered from the pages
    up = build_concierge(get_settings(data_dir=data_dir, embedding={"backend": "hashing"}))
    answer = up.chat(ChatRequest(message=PAGE_QUESTION, today=dt.date.fromisoformat(TODAY)))
    assert answer.citations


def _cli_env(down: Settings) -> dict[str, str]:
    return cli_env(
        CONCIERGE_DATA_DIR=str(down.data_dir),
        CONCIERGE_EMBEDDING__BACKEND="hashing",
        CONCIERGE_CHROMA__MODE="server",
        CONCIERGE_CHROMA__URL=str(down.chroma.url),
        CONCIERGE_CHROMA__TIMEOUT_S="2",
    )


def test_cli_says_page_search_is_unavailable(down: Settings) -> None:
    env = _cli_env(down)
    proc = run_cli(["ask", "--today", TODAY, PAGE_QUESTION], env)
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert "page search is unavailable" in proc.stderr and "unreachable" in proc.stderr
    assert "扱っていません" not in proc.stdout + proc.stderr  # not the "not covered" reply

    proc = run_cli(["ask", "--json", "--today", TODAY, BIRTH_AND_QUESTION], env)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert '"birth-registration"' in proc.stdout
    assert "page search is unavailable" in proc.stderr and "no page quotes" in proc.stderr


def test_api_answers_503_for_pages_and_the_catalog_still_answers(down: Settings) -> None:
    with TestClient(create_app(down)) as client:
        r = client.post("/api/chat", json={"message": PAGE_QUESTION, "today": TODAY})
        assert r.status_code == 503 and r.headers["retry-after"]
        err = r.json()["error"]
        assert err["code"] == "pages_unavailable" and "unavailable" in err["message"]
        assert "ページを検索できない" in err["message_ja"]
        r = client.post("/api/chat", json={"message": BIRTH_AND_QUESTION, "today": TODAY})
        assert r.status_code == 200
        assert "birth-registration" in [p["id"] for p in r.json()["procedures"]]


def test_staff_console_says_it_in_japanese(down: Settings) -> None:
    SqliteUserStore(down.data_dir / "accounts.sqlite3").add(
        "tanaka", PASSWORD, role="staff", display_name="田中 職員"
    )
    with TestClient(create_app(down)) as client:
        client.post("/login", data={"username": "tanaka", "password": PASSWORD, "next": "/staff"})
        r = client.get("/staff", params={"q": "出生届"})
        assert r.status_code == 200
        notice = r.text.split('id="pages-down"')[1].split("</p>")[0]
        assert "ページ検索は現在利用できません" in notice and "手続きの検索は使えます" in notice
        # no English internals (server address, setting names) on the Japanese page
        assert "unreachable" not in r.text and "CONCIERGE_CHROMA__URL" not in r.text
        assert str(down.chroma.url) not in r.text
        assert "/staff/procedures/birth-registration" in r.text  # the catalog's procedures are still found
