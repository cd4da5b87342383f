"""Red-team checks of the running app (issue 18): each reproduces a finding of the attack review and asserts the
control now holds. Real app (TestClient or the `concierge` CLI), real SQLite stores; no network beyond loopback."""

from __future__ import annotations

import logging
import sqlite3
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import quote

import pytest
from fastapi.testclient import TestClient
from reliability_support import cli_env, free_port, run_cli

import bot.bundle_codes as codes_mod
from bot.bundle_codes import check_symbol, display_code
from bot.sessions import SessionState, SessionStore
from knowledge.settings import SettingsError, get_settings
from web.accounts import SqliteUserStore
from web.app import create_app
from web.security import ClientAddress

pytestmark = pytest.mark.redteam

TODAY = "2026-11-26"
BIRTH = "2026年11月20日に世田谷区で子どもが生まれました"
TOKEN = "a-long-console-token-for-tests"
PASSWORD = "shokuin-no-pasuwado-2026"

Factory = Callable[..., TestClient]


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Factory]:
    clients: list[TestClient] = []

    def make(
        *, client: tuple[str, int] = ("testclient", 50000), base_url: str = "http://testserver", **kw: object
    ) -> TestClient:
        kw.setdefault("data_dir", tmp_path / "var")
        settings = get_settings(embedding={"backend": "hashing"}, **kw)  # type: ignore[arg-type]
        c = TestClient(create_app(settings), client=client, base_url=base_url)
        clients.append(c)
        return c

    yield make
    for c in clients:
        c.close()


def _chat(c: TestClient, message: str = BIRTH, **extra: object) -> dict:  # type: ignore[type-arg]
    r = c.post("/api/chat", json={"message": message, "today": TODAY, **extra})
    assert r.status_code == 200, r.text
    return r.json()  # type: ignore[no-any-return]


def _save(c: TestClient) -> dict:  # type: ignore[type-arg]
    r = c.post("/api/bundles", json={"session_id": _chat(c)["session_id"]})
    assert r.status_code == 201, r.text
    return r.json()  # type: ignore[no-any-return]


# ---- /staff refuses anonymous -----------------------------------------------------------------------------------
def _staff_account(tmp_path: Path) -> None:
    SqliteUserStore(tmp_path / "var" / "accounts.sqlite3").add("suzuki", PASSWORD, role="staff")


def test_staff_console_refuses_anonymous_and_opens_after_sign_in(
    make_client: Factory, tmp_path: Path
) -> None:
    _staff_account(tmp_path)
    c = make_client()
    code = _save(c)["code"]
    for path in ("/staff?q=出生届", "/staff/procedures/birth-registration", f"/staff/bundles/{code}"):
        r = c.get(path, follow_redirects=False)
        assert r.status_code == 303 and r.headers["location"].startswith(
            "/login?next=" + quote("/staff", safe="")
        ), path
        assert "出生届" not in r.text
    r = c.post("/login", data={"username": "suzuki", "password": "wrong"}, follow_redirects=False)
    assert r.status_code == 401
    r = c.post(
        "/login",
        data={"username": "suzuki", "password": PASSWORD, "next": f"/staff/bundles/{code}"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and r.headers["location"] == f"/staff/bundles/{code}"
    assert c.get(f"/staff/bundles/{code}").status_code == 200
    assert "出生届" in c.get("/staff", params={"q": "出生届"}).text
    # the sign-in only ever sends back to this server's consoles
    c.cookies.clear()
    r = c.post(
        "/login",
        data={"username": "suzuki", "password": PASSWORD, "next": "//evil.example/"},
        follow_redirects=False,
    )
    assert r.headers["location"] == "/staff"


def test_staff_console_without_an_account_is_closed_unless_open_access_is_allowed(
    make_client: Factory,
) -> None:
    assert make_client().get("/staff", follow_redirects=False).status_code == 503
    assert make_client(editor={"token": TOKEN}).get("/staff", follow_redirects=False).status_code == 503
    assert make_client(editor={"allow_open": True}).get("/staff").status_code == 200


def test_a_blank_console_token_is_refused() -> None:
    with pytest.raises(SettingsError, match="CONCIERGE_EDITOR__TOKEN"):
        get_settings(editor={"token": "   "})


# ---- bundle codes -----------------------------------------------------------------------------------------------
def test_bundle_codes_are_long_with_a_check_symbol_and_typos_answer_mistyped(make_client: Factory) -> None:
    c = make_client()
    code = _save(c)["code"]
    assert len(code) == 15 and check_symbol(code[:-1]) == code[-1]
    alphabet = codes_mod.CODE_ALPHABET
    typo = code[:3] + alphabet[(alphabet.index(code[3]) + 1) % len(alphabet)] + code[4:]
    swapped = code[:5] + code[6] + code[5] + code[7:]
    for wrong in [typo] + ([swapped] if code[5] != code[6] else []):
        r = c.get(f"/api/bundles/{wrong}")
        assert r.status_code == 422 and r.json()["error"]["code"] == "mistyped", wrong
        assert "打ち間違い" in r.json()["error"]["message"]
    unknown = "23456789ABCDEF" + check_symbol("23456789ABCDEF")
    assert c.get(f"/api/bundles/{unknown}").status_code == 404
    # how people type it: lower case, dashes, full width, an IME's long-vowel mark for the dash
    shown = display_code(code)
    full_width = shown.translate({i: i + 0xFEE0 for i in range(0x21, 0x7F)})
    for typed in (shown.lower(), full_width, shown.replace("-", "ー"), shown.replace("-", " ")):
        assert c.get(f"/api/bundles/{quote(typed)}").status_code == 200, typed


def test_legacy_eight_character_codes_are_still_read(
    make_client: Factory, monkeypatch: pytest.MonkeyPatch
) -> None:
    c = make_client()
    monkeypatch.setattr(codes_mod, "new_code", lambda: "6JA6N7R3")  # a code saved before issue 18
    assert _save(c)["code"] == "6JA6N7R3"
    for typed in ("６ＪＡ６－Ｎ７Ｒ３", "6JA6ーN7R3", "6ja6-n7r3"):
        r = c.get(f"/api/bundles/{quote(typed)}")
        assert r.status_code == 200 and r.json()["code"] == "6JA6N7R3", typed
    assert c.get(f"/bundles/{quote('６ＪＡ６－Ｎ７Ｒ３')}.ics").status_code == 200


def test_bundle_reads_are_rate_limited_and_guessing_is_logged(
    make_client: Factory, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="web")
    c = make_client(server={"rate_limit_bundles_per_minute": 12})
    guesses = ["23456789ABCD" + f"{a}{b}" for a in "EF" for b in "GHJKMNP"]
    statuses = [c.get(f"/api/bundles/{g}{check_symbol(g)}").status_code for g in guesses]
    assert statuses[:12] == [404] * 12 and set(statuses[12:]) == {429}
    r = c.get("/feeds/23456789ABCDEG.ics")
    assert r.status_code == 429 and int(r.headers["retry-after"]) >= 1
    assert any("possible bundle code guessing" in r.getMessage() for r in caplog.records)
    _chat(c)  # chat has its own bucket


# ---- rate limiter: forwarded addresses and separate buckets --------------------------------------------------------
def test_forwarded_for_is_ignored_unless_the_peer_is_a_trusted_proxy(make_client: Factory) -> None:
    c = make_client(server={"rate_limit_per_minute": 3})
    statuses = [
        c.post(
            "/api/chat",
            json={"message": BIRTH, "today": TODAY},
            headers={"X-Forwarded-For": f"198.51.100.{i}"},
        ).status_code
        for i in range(5)
    ]
    assert statuses == [200, 200, 200, 429, 429]  # rotating the header does not make new clients

    proxied = make_client(
        client=("10.0.0.5", 40000), server={"rate_limit_per_minute": 2, "trusted_proxies": ["10.0.0.0/8"]}
    )

    def chat_as(address: str) -> int:
        headers = {"X-Forwarded-For": f"{address}, 10.0.0.9"}  # the resident, then an inner proxy
        return proxied.post("/api/chat", json={"message": BIRTH, "today": TODAY}, headers=headers).status_code

    assert [chat_as("203.0.113.1") for _ in range(3)] == [200, 200, 429]
    assert chat_as("203.0.113.2") == 200  # another resident behind the same proxy has their own bucket


def test_client_address_walks_back_past_trusted_proxies_only() -> None:
    scope = {"client": ("10.0.0.5", 1), "headers": [(b"x-forwarded-for", b"1.2.3.4, 203.0.113.7, 10.1.1.1")]}
    assert ClientAddress(["10.0.0.0/8"])(scope) == "203.0.113.7"  # 1.2.3.4 was written by the client itself
    assert ClientAddress()(scope) == "10.0.0.5"
    assert ClientAddress(["192.168.0.0/16"])(scope) == "10.0.0.5"


def test_each_route_group_has_its_own_bucket_and_sign_in_is_strictest(make_client: Factory) -> None:
    c = make_client(
        server={"rate_limit_per_minute": 2, "rate_limit_search_per_minute": 3},
        editor={"token": TOKEN, "dev_token": True},
    )
    assert [c.get("/api/search", params={"q": "出生届"}).status_code for _ in range(4)] == [
        200,
        200,
        200,
        429,
    ]
    assert [c.post("/api/chat", json={"message": BIRTH, "today": TODAY}).status_code for _ in range(3)] == [
        200,
        200,
        429,
    ]
    logins = [
        c.post("/login", data={"name": "x", "token": "guess"}, follow_redirects=False).status_code
        for _ in range(6)
    ]
    assert logins == [401] * 5 + [429]  # default: 5 sign-in attempts per minute
    assert c.get("/api/life-events").status_code == 200  # reads outside the groups are not limited


# ---- Low: single requests that gave 500 -----------------------------------------------------------------------------
def test_lone_surrogates_and_impossible_dates_do_not_give_500(make_client: Factory) -> None:
    c = make_client(server={"rate_limit_per_minute": 0})
    r = c.post("/api/chat", content=b'{"message": "\\ud800 x"}', headers={"Content-Type": "application/json"})
    assert r.status_code == 422 and r.json()["error"]["code"] == "invalid_text"
    for today in ("9999-12-31", "0001-01-01"):  # a clear reply, no bundle computed from a meaningless date
        r = c.post("/api/chat", json={"message": BIRTH, "today": today})
        assert r.status_code == 200 and "範囲外" in r.json()["reply"] and not r.json()["procedures"], today
    r = c.post("/api/chat", json={"message": "9999年1月1日に世田谷区で子どもが生まれました", "today": TODAY})
    assert r.status_code == 200, r.text
    assert "範囲外" in r.json()["reply"] or r.json()["procedures"]  # a clear reply, or dates it could compute
    assert c.post("/api/chat", json={"message": BIRTH, "today": TODAY}).status_code == 200


# ---- sessions: server-issued ids, purge, storage faults ----------------------------------------------------------------
def test_the_client_cannot_choose_its_session_id(make_client: Factory) -> None:
    c = make_client()
    body = _chat(c, session_id="victim-known-id")
    assert body["session_id"] != "victim-known-id" and len(body["session_id"]) >= 20
    ids = {r["id"] for r in c.app.state.services.concierge.sessions.raw_rows()}  # type: ignore[attr-defined]
    assert "victim-known-id" not in ids and body["session_id"] in ids
    assert _chat(c, "国民健康保険です", session_id=body["session_id"])["session_id"] == body["session_id"]


def test_expired_sessions_are_purged_at_start(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 's.sqlite3'}"
    store = SessionStore(url, ttl_hours=1)
    store.save(SessionState(id="old"))
    store.save(SessionState(id="fresh"))
    store._db.execute("UPDATE sessions SET updated = ? WHERE id = 'old'", (time.time() - 7200,))
    store.close()
    assert [r["id"] for r in SessionStore(url, ttl_hours=1).raw_rows()] == ["fresh"]


def _fill(db: sqlite3.Connection) -> None:
    """Cap the database file at its current size and fill its free space: the next new row finds the disk full."""
    (pages,) = db.execute("PRAGMA page_count").fetchone()
    db.execute(f"PRAGMA max_page_count = {pages}")
    try:
        for i in range(100_000):
            db.execute("INSERT INTO sessions (id, state, updated) VALUES (?, '{}', 0)", (f"filler-{i}",))
    except sqlite3.OperationalError as err:
        assert "full" in str(err)
    else:
        pytest.fail("the capped database never filled up")


def test_a_full_disk_keeps_chat_answering_and_healthz_reports_it(make_client: Factory) -> None:
    c = make_client(server={"rate_limit_per_minute": 0})
    assert c.get("/healthz").status_code == 200
    store = c.app.state.services.concierge.sessions  # type: ignore[attr-defined]
    _fill(store._db)
    body = _chat(c)  # answered, though its state could not be saved
    assert body["procedures"]
    r = c.get("/healthz")
    assert r.status_code == 503 and r.json()["status"] == "degraded" and "full" in r.json()["storage"]
    store._db.execute("PRAGMA max_page_count = 1073741823")  # space again
    _chat(c)
    assert c.get("/healthz").status_code == 200  # recovered by itself


def test_a_corrupt_session_store_at_start_gives_one_line_and_how_to_recover(tmp_path: Path) -> None:
    data = tmp_path / "var"
    data.mkdir()
    (data / "sessions.sqlite3").write_bytes(b"this is not a database" * 200)
    env = cli_env(CONCIERGE_DATA_DIR=str(data), CONCIERGE_EMBEDDING__BACKEND="hashing")
    for args in (["serve", "--port", str(free_port())], ["ask", "--today", TODAY, "結婚しました"]):
        proc = run_cli(args, env, timeout=60)
        assert proc.returncode == 1 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
        lines = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
        assert len(lines) == 1 and "corrupt" in lines[0] and "move it aside" in lines[0], proc.stderr[-2000:]
        assert str(data / "sessions.sqlite3") in lines[0]


# ---- Host header -----------------------------------------------------------------------------------------------------
def test_links_never_come_from_an_unlisted_host_header(make_client: Factory) -> None:
    c = make_client(
        server={"allowed_hosts": ["concierge.example.jp"]}, base_url="http://concierge.example.jp"
    )
    links = _save(c)
    assert links["url"].startswith("http://concierge.example.jp/bundles/")
    r = c.get(f"/bundles/{links['code']}/print", headers={"Host": "evil.example"})
    assert r.status_code == 400 and "evil.example" not in r.text


def test_serving_off_loopback_needs_a_public_url_or_allowed_hosts(tmp_path: Path) -> None:
    env = cli_env(CONCIERGE_DATA_DIR=str(tmp_path / "var"), CONCIERGE_EMBEDDING__BACKEND="hashing")
    proc = run_cli(["serve", "--host", "0.0.0.0", "--port", str(free_port())], env, timeout=60)
    assert proc.returncode == 2 and "Traceback" not in proc.stderr, proc.stderr[-2000:]
    assert "CONCIERGE_SERVER__PUBLIC_URL" in proc.stderr.strip().splitlines()[-1]


def test_a_served_app_does_not_believe_forwarded_for_from_loopback(tmp_path: Path) -> None:
    """The finding as found: `concierge serve` on loopback, X-Forwarded-For rotated per request (uvicorn's own proxy
    handling believed it from 127.0.0.1 and gave every request a new bucket)."""
    import subprocess

    import httpx
    from reliability_support import CLI, ROOT

    port = free_port()
    env = cli_env(
        CONCIERGE_DATA_DIR=str(tmp_path / "var"),
        CONCIERGE_EMBEDDING__BACKEND="hashing",
        CONCIERGE_SERVER__RATE_LIMIT_PER_MINUTE="3",
    )
    proc = subprocess.Popen(
        [*CLI, "serve", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.2)
        with httpx.Client(base_url=base, timeout=30) as c:
            statuses = [
                c.post(
                    "/api/chat",
                    json={"message": BIRTH, "today": TODAY},
                    headers={"X-Forwarded-For": f"198.51.100.{i}"},
                ).status_code
                for i in range(5)
            ]
    finally:
        proc.terminate()
        proc.wait(timeout=15)
    assert statuses == [200, 200, 200, 429, 429], statuses
