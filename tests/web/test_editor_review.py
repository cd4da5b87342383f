"""Review an editor can decide on (issue #16): each flagged fact in words with its current catalog value and a
link to the stored diff of its page; re-verify with a note, edit needed (a to-do) or all facts of a page at once;
invented ids are refused and never reach the audit log; every decision is audited with the editor's name."""

from __future__ import annotations

import json
import re
from pathlib import Path

from web_support import CATALOG_SOURCE_URL, AppFactory, hashing_settings, write_pages

from ingest.pipeline import run_ingest
from web.accounts import SqliteUserStore

PASSWORD = "henshu-pasuwado-2026"


def _setup(make_client: AppFactory, tmp_path: Path):  # type: ignore[no-untyped-def]
    data = tmp_path / "var"
    pages = write_pages(tmp_path / "pages")
    # curated copies: trusted to name their canonical URLs (CONCIERGE_INGEST__DIRECTORY_HOSTS)
    settings = hashing_settings(data, ingest={"directory_hosts": {str(pages): ["*"]}})
    run_ingest(settings, [str(pages)], progress=False)
    page = pages / "ota" / "birth.html"
    page.write_text(page.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8")
    run_ingest(settings, [str(pages)], progress=False)
    SqliteUserStore(data / "accounts.sqlite3").add("kato", PASSWORD, role="editor", display_name="加藤 編集")
    c = make_client(data)
    c.post("/login", data={"username": "kato", "password": PASSWORD, "next": "/editor"})
    return c, data


def _csrf(html: str) -> str:
    m = re.search(r'name="csrf" value="([^"]+)"', html)
    assert m
    return m.group(1)


def _audit(data: Path) -> list[dict]:  # type: ignore[type-arg]
    return [json.loads(x) for x in (data / "editor" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]


def test_items_in_words_with_value_and_diff(make_client: AppFactory, tmp_path: Path) -> None:
    c, _ = _setup(make_client, tmp_path)
    html = c.get("/editor").text
    review = html.split('id="review"')[1].split('id="ingest-h"')[0]
    assert "「出生届」の期限" in review and "「出生届」の内容" in review  # in words
    assert "生まれた日を含めて14日以内" in review  # the current catalog value
    assert "出典ページの内容が変わりました" in review and "page changed" not in review
    diff_url = re.search(r'class="review-diff" href="([^"]+)"', review).group(1)  # type: ignore[union-attr]
    diff = c.get(diff_url).text
    assert "十四日以内" in diff and "14日以内" in diff  # the stored old and new text of the cited page


def test_decisions_validated_and_audited(make_client: AppFactory, tmp_path: Path) -> None:
    c, data = _setup(make_client, tmp_path)
    csrf = _csrf(c.get("/editor").text)
    bogus = c.post(
        "/editor/reverify",
        data={"fact": "bogus/not-a-fact.yaml#nothing", "url": CATALOG_SOURCE_URL, "csrf": csrf},
    )
    assert bogus.status_code == 422 and "カタログにない情報です" in bogus.text
    wrong_url = c.post(
        "/editor/reverify",
        data={"fact": "procedure:birth-registration", "url": "https://evil.example/", "csrf": csrf},
    )
    assert wrong_url.status_code == 422
    assert "bogus" not in (data / "editor" / "audit.jsonl").read_text(encoding="utf-8")

    r = c.post(
        "/editor/reverify",
        data={
            "fact": "procedure:birth-registration.deadline",
            "url": CATALOG_SOURCE_URL,
            "csrf": csrf,
            "action": "edit_needed",
            "note": "漢数字の表記に合わせる",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    html = c.get("/editor").text
    review = html.split('id="review"')[1].split('id="todos-h"')[0]
    assert "「出生届」の期限" not in review and "「出生届」の内容" in review  # moved to the to-do list
    assert "procedure:birth-registration.deadline" in html.split('id="todos"')[1]

    bulk = c.post(
        "/editor/reverify-page",
        data={"url": CATALOG_SOURCE_URL, "csrf": csrf, "note": "確認済み"},
        follow_redirects=False,
    )
    assert bulk.status_code == 303
    assert 'id="no-review"' in c.get("/editor").text
    assert c.post("/editor/reverify-page", data={"url": CATALOG_SOURCE_URL, "csrf": csrf}).status_code == 422

    decisions = [
        (a["who"], a["role"], a["action"], a["detail"]["fact"]) for a in _audit(data) if "detail" in a
    ]
    assert decisions == [
        ("加藤 編集", "editor", "edit_needed", "procedure:birth-registration.deadline"),
        ("加藤 編集", "editor", "reverify", "procedure:birth-registration"),
    ]
