"""The saved plan's page (what the QR code opens, usually on a phone) in Debian's headless chromium against a real
uvicorn server: readable at 375 px without sideways scrolling, and in the plan's language throughout — English with
no Japanese outside brackets in its own words, やさしい日本語 labels with 小学校 kanji only. Screenshots go to
tests/artifacts/ (not committed)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from web_support import ARTIFACTS, ServerThread, hashing_settings, shot

from evals import metrics as M
from web.app import create_app

pytestmark = pytest.mark.browser

MESSAGE = {
    "ja": "11月20日に世田谷区で子どもが生まれました",
    "easy": "11月20日に せたがやくで あかちゃんが うまれました",
}
MESSAGE["en"] = "Our baby was born on 20 November in Setagaya"

# the page's own words: headings, labels, the meta list, source lines without the cited page's title, publisher and address
OWN_WORDS_JS = """() => {
  const out = [];
  document.querySelectorAll('h2, th, .meta dt, .kicker, .code-line, figcaption, .foot, .tag').forEach(
    n => out.push(n.innerText));
  document.querySelectorAll('.meta dd').forEach(n => out.push(n.innerText));
  document.querySelectorAll('.src').forEach(n => {
    const copy = n.cloneNode(true);
    copy.querySelectorAll('.src-title, .src-publisher, .src-url').forEach(x => x.remove());
    out.push(copy.textContent);
  });
  return out;
}"""


@pytest.fixture(scope="module")
def server(indexed_dir: Path) -> Iterator[ServerThread]:
    with ServerThread(create_app(hashing_settings(indexed_dir))) as srv:
        yield srv


def saved_plan(page: Any, url: str, lang: str) -> dict[str, Any]:
    chat = page.request.post(
        url + "/api/chat", data={"message": MESSAGE[lang], "lang": lang, "today": "2026-11-26"}
    ).json()
    saved = page.request.post(url + "/api/bundles", data={"session_id": chat["session_id"]})
    assert saved.ok, saved.text()
    return dict(saved.json())


@pytest.mark.parametrize("lang", ["ja", "easy", "en"])
def test_plan_page_reads_on_a_phone_in_its_language(server: ServerThread, browser, lang: str) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ctx = browser.new_context(viewport={"width": 375, "height": 740}, locale="ja-JP", is_mobile=True)
    page = ctx.new_page()
    links = saved_plan(page, server.url, lang)
    page.goto(links["url"])  # what the QR code opens
    expect(page.locator("tr.applies").first).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no sideways scrolling
    first = page.locator("tr.applies").first
    for cell in ("td.office", "td.due", "td.bring"):  # each part of a procedure stacked, full width, labelled
        box = first.locator(cell).bounding_box()
        assert box and box["width"] >= 250, (cell, box)
        label = first.locator(cell).evaluate("n => getComputedStyle(n, '::before').content")
        assert label not in ("none", "normal", '""'), (cell, label)
    code = page.locator(".code").bounding_box()
    assert code and code["height"] < 40, code  # the plan code on one line
    assert page.locator(".checklist ul").evaluate("n => getComputedStyle(n).columnCount") in ("1", "auto")
    shot(page, f"40-plan-page-{lang}-375", page.locator(".head"))
    page.screenshot(path=str(ARTIFACTS / f"41-plan-page-{lang}-375-full.png"), full_page=True)

    words = [w for w in page.evaluate(OWN_WORDS_JS) if w.strip()]
    problems = M.language_problems(words, lang)
    assert not problems, problems
    if lang == "en":
        assert "Setagaya" in page.locator(".meta").inner_text()  # the municipality by its English name
        dated = " ".join(words)
        assert not re.search(r"\b\d{4}-\d{2}-\d{2}\b", dated), dated  # no ISO dates
    feed = page.locator(".foot a.feed")
    expect(feed).to_have_attribute("href", re.compile(r"^webcal://"))
    ctx.close()
