"""The editor console: refuses to serve without a token, login in constant time, runs from real ingests,
facts to review with a re-verified action (who/when), audit log, evaluation report."""

from __future__ import annotations

import json
import re
from pathlib import Path

from web_support import CATALOG_SOURCE_URL, AppFactory, hashing_settings, write_pages

from ingest.pipeline import run_ingest

TOKEN = "correct horse battery staple"


def _login(c, name: str = "山田 editor", token: str = TOKEN):  # type: ignore[no-untyped-def]
    """The development setting: shared token plus a typed-in name (CONCIERGE_EDITOR__DEV_TOKEN=true)."""
    return c.post("/login", data={"name": name, "token": token, "next": "/editor"}, follow_redirects=False)


DEV = {"token": TOKEN, "dev_token": True}


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_refuses_to_serve_without_an_account(make_client: AppFactory) -> None:
    c = make_client()
    for r in (c.get("/editor"), c.get("/staff"), c.get("/login"), _login(c)):
        assert r.status_code == 503 and "concierge users add" in r.text
    assert c.post("/editor/reverify", data={"fact": "x", "url": "y"}).status_code == 503
    # a shared token alone is not a sign-in any more: only with the explicit development setting
    c = make_client(editor={"token": TOKEN})
    assert c.get("/editor").status_code == 503


def test_allow_open_serves_without_login(make_client: AppFactory) -> None:
    c = make_client(editor={"allow_open": True})
    r = c.get("/editor")
    assert r.status_code == 200 and "open-access" in r.text


def test_unauthenticated_requests_are_refused(make_client: AppFactory) -> None:
    c = make_client(editor=DEV)
    r = c.get("/editor", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/login?next=%2Feditor"
    assert c.get("/editor/login", follow_redirects=False).headers["location"] == "/login?next=/editor"
    r = c.post("/editor/reverify", data={"fact": "procedure:x", "url": "https://a"})
    assert r.status_code == 401
    c.cookies.set("concierge_console", "forged-session-id", path="/")
    assert c.get("/editor", follow_redirects=False).status_code == 303


def test_dev_token_login_logout_and_audit(make_client: AppFactory, tmp_path: Path) -> None:
    c = make_client(editor=DEV)
    bad = _login(c, token="wrong")
    assert bad.status_code == 401 and "トークンが違います" in bad.text
    assert _login(c, name="<script>x</script>").status_code == 422
    ok = _login(c)
    assert ok.status_code == 303 and ok.headers["location"] == "/editor"
    cookie = ok.headers["set-cookie"]
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/" in cookie
    page = c.get("/editor")
    assert page.status_code == 200 and "山田 editor" in page.text
    assert "no evaluation yet" in page.text and "まだ取り込みの記録はありません" in page.text
    assert c.post("/logout", data={"csrf": "wrong"}).status_code == 401
    assert c.post("/logout", data={"csrf": _csrf(page.text)}, follow_redirects=False).status_code == 303
    assert c.get("/editor", follow_redirects=False).status_code == 303
    audit = [json.loads(x) for x in (tmp_path / "var" / "editor" / "audit.jsonl").read_text().splitlines()]
    assert [(a["who"], a["action"]) for a in audit] == [
        ("山田 editor", "login_failed"),
        ("山田 editor", "login"),
        ("山田 editor", "logout"),
    ]
    assert all(a["at"].endswith("+09:00") and a["ip"] for a in audit) and TOKEN not in json.dumps(audit)


def test_runs_review_and_reverify(make_client: AppFactory, tmp_path: Path) -> None:
    data = tmp_path / "var"
    pages = write_pages(tmp_path / "pages")
    settings = hashing_settings(data)
    run_ingest(settings, [str(pages)], progress=False)
    page = pages / "ota" / "birth.html"
    page.write_text(page.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    (pages / "hachioji" / "nhi.html").unlink()
    second = run_ingest(settings, [str(pages)], progress=False)
    assert any(f.url == CATALOG_SOURCE_URL for f in second.facts_to_review)
    (data / "eval").mkdir()
    (data / "eval" / "report.json").write_text(json.dumps({"retrieval": {"recall@5": 0.9412}, "cases": 113}))

    c = make_client(data, editor=DEV)
    _login(c)
    html = c.get("/editor").text
    runs = re.findall(r"<a href=\"/editor/runs/[^\"]+\">(\d{8}T[^<]+)</a>", html)
    assert runs == sorted(runs, reverse=True) and len(runs) == 2  # newest first
    assert "procedure:birth-registration" in html and CATALOG_SOURCE_URL in html
    assert "retrieval.recall@5" in html and "0.9412" in html
    assert 'id="coverage"' in html and "世田谷区" in html
    assert "出典ページの内容が変わりました" in html

    csrf = _csrf(html)
    assert (
        c.post(
            "/editor/reverify",
            data={"fact": "procedure:birth-registration", "url": CATALOG_SOURCE_URL, "csrf": "forged"},
        ).status_code
        == 403
    )
    r = c.post(
        "/editor/reverify",
        data={"fact": "procedure:birth-registration", "url": CATALOG_SOURCE_URL, "csrf": csrf},
        follow_redirects=False,
    )
    assert r.status_code == 303
    record = json.loads((data / "editor" / "reverified.json").read_text())
    entry = record[f"procedure:birth-registration|{CATALOG_SOURCE_URL}"]
    assert entry["who"] == "山田 editor" and entry["at"]
    after = c.get("/editor").text
    assert "procedure:birth-registration</code>" not in after.split('id="runs-h"')[0]  # no longer to review
    assert "再確認済み" in after.split('id="audit-h"')[1]  # and the audit log shows it
