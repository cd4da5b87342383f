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
    assert "HttpOnly" in cookie and "SameSite=strict" in cookie and "Path=/;" in cookie
    page = c.get("/editor")
    assert page.status_code == 200 and "山田 editor" in page.text
    assert "評価はまだありません" in page.text and "まだ取り込みの記録はありません" in page.text
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
    settings = hashing_settings(data, ingest={"directory_hosts": {str(pages): ["*"]}})  # curated copies
    run_ingest(settings, [str(pages)], progress=False)
    page = pages / "ota" / "birth.html"
    page.write_text(page.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    (pages / "hachioji" / "nhi.html").unlink()
    second = run_ingest(settings, [str(pages)], progress=False)
    assert any(f.url == CATALOG_SOURCE_URL for f in second.facts_to_review)
    (data / "eval").mkdir()
    report = {
        "generated": "2026-12-07T10:00:00+00:00",
        "mode": "full",
        "summary": {"all": {"cases": 113, "case_pass_rate": 0.77, "retrieval_recall_at_5": 0.9412}},
        "metrics": [{"key": "case_pass_rate"}, {"key": "retrieval_recall_at_5"}, {"key": "latency_p95_ms"}],
        "thresholds": {"case_pass_rate": {"min": 0.87}, "retrieval_recall_at_5": {"min": 0.85}},
        "cases": [
            {
                "id": "move-ota-chofu-1",
                "split": "heldout",
                "file": "moving.yaml",
                "skipped": None,
                "passed": False,
                "failures": ["due date 2027-01-25 expected 2027-01-24"],
            },
            {"id": "birth-1", "split": "dev", "file": "birth.yaml", "skipped": None, "passed": True},
        ],
    }
    (data / "eval" / "report.json").write_text(json.dumps(report))

    c = make_client(data, editor=DEV)
    _login(c)
    html = c.get("/editor").text
    runs = re.findall(r"<a href=\"/editor/runs/[^\"]+\">(\d{8}T[^<]+)</a>", html)
    assert runs == sorted(runs, reverse=True) and len(runs) == 2  # newest first
    assert "procedure:birth-registration" in html and CATALOG_SOURCE_URL in html
    ev = html.split('id="eval-section"')[1].split("</section>")[0]
    assert "全項目に合格したケースの割合" in ev and "0.770" in ev and "≥ 0.87" in ev
    assert re.search(r'class="eval-fail">.*?全項目に合格したケースの割合', ev, re.S)
    assert re.search(r'class="eval-pass">.*?ページ検索の再現率@5', ev, re.S) and "0.941" in ev
    assert "move-ota-chofu-1" in ev and "birth-1" not in ev  # only the failing cases, linked to the report
    assert "summary.heldout" not in html and "2026-12-07 19:00 JST" in ev
    assert 'id="coverage"' in html and "世田谷区" in html
    coverage = html.split('id="coverage"')[1].split("</table>")[0]
    assert "国保 葬祭費" in coverage and "nhi-funeral" not in coverage  # Japanese column headers
    assert (
        'class="unofficial">△' in coverage and 'class="yes">✓' in coverage
    )  # funeral-company sources told apart
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
