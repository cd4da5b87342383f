"""Ingest from the editor console (issue #16): a configured source runs as a background job with progress; the
runs list shows source, counts and duration; a changed page opens a side-by-side diff of the stored old and new
text with the facts that cite it; re-verifying with a note is audited with the editor's name."""

from __future__ import annotations

import json
import re
import time
from pathlib import Path

from web_support import CATALOG_SOURCE_URL, AppFactory, write_pages

from web.accounts import SqliteUserStore

PASSWORD = "henshu-pasuwado-2026"


def _wait(c, job_url: str) -> dict:  # type: ignore[no-untyped-def, type-arg]
    for _ in range(600):
        state = c.get(job_url + "/status").json()
        if state["status"] != "running":
            return state  # type: ignore[no-any-return]
        time.sleep(0.1)
    raise AssertionError("ingest job did not finish")


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def test_ingest_from_console_diff_and_reverify(make_client: AppFactory, tmp_path: Path) -> None:
    data = tmp_path / "var"
    pages = write_pages(tmp_path / "pages")
    SqliteUserStore(data / "accounts.sqlite3").add("kato", PASSWORD, role="editor", display_name="加藤 編集")
    c = make_client(  # curated copies: trusted to name their canonical URLs
        data, editor={"ingest_sources": [str(pages)]}, ingest={"directory_hosts": {str(pages): ["*"]}}
    )
    c.post("/login", data={"username": "kato", "password": PASSWORD, "next": "/editor"})
    html = c.get("/editor").text
    assert str(pages) in html.split('id="ingest-form"')[1]
    csrf = _csrf(html)
    assert (
        c.post("/editor/ingest", data={"source": "/etc", "csrf": csrf}).status_code == 422
    )  # not configured
    assert c.post("/editor/ingest", data={"source": str(pages), "csrf": "forged"}).status_code == 403

    r = c.post("/editor/ingest", data={"source": str(pages), "csrf": csrf}, follow_redirects=False)
    assert r.status_code == 303
    job_url = r.headers["location"]
    first = _wait(c, job_url)
    assert first["status"] == "ok" and first["total"] > 0 and first["done"] == first["total"], first
    assert "取り込み完了" in c.get(job_url).text

    page = pages / "ota" / "birth.html"
    page.write_text(page.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    job_url = c.post(
        "/editor/ingest", data={"source": str(pages), "csrf": csrf}, follow_redirects=False
    ).headers["location"]
    second = _wait(c, job_url)
    assert second["status"] == "ok"
    run_id = second["run_id"]

    html = c.get("/editor").text
    runs = html.split('id="runs"')[1].split("</table>")[0]
    assert runs.count(str(pages)) == 2 and "秒" in runs  # source and duration of each run
    run = c.get(f"/editor/runs/{run_id}").text
    assert "変更 1" in run and str(pages) in run
    diff = c.get(f"/editor/runs/{run_id}/diff/0")
    assert diff.status_code == 200
    rows = re.findall(r'<tr class="d-replace"><td>([^<]*)</td><td>([^<]*)</td></tr>', diff.text)
    assert any("14日以内" in old and "十四日以内" in new for old, new in rows), rows
    assert "procedure:birth-registration" in diff.text  # the fact that cites the page
    assert c.get(f"/editor/runs/{run_id}/diff/7").status_code == 404

    r = c.post(
        "/editor/reverify",
        data={
            "fact": "procedure:birth-registration",
            "url": CATALOG_SOURCE_URL,
            "csrf": csrf,
            "note": "漢数字への表記変更のみ。期限は同じ。",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    audit = [
        json.loads(x) for x in (data / "editor" / "audit.jsonl").read_text(encoding="utf-8").splitlines()
    ]
    actions = [(a["who"], a["role"], a["action"]) for a in audit]
    assert actions.count(("加藤 編集", "editor", "ingest_started")) == 2
    last = audit[-1]
    assert (last["who"], last["action"], last["detail"]["note"]) == (
        "加藤 編集",
        "reverify",
        "漢数字への表記変更のみ。期限は同じ。",
    )
