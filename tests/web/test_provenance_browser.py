"""Source badges in a real browser (Debian chromium): the widget's cards and quoted pages and the print page show
公式 / 公的機関 / 非公式・要確認 / 保存コピー and the page date, and screen readers hear them in the link's name.

Screenshots go to tests/artifacts/ (provenance-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import CHROMIUM, CHROMIUM_ARGS
from web_support import ARTIFACTS, ServerThread, hashing_settings

from web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(indexed_dir: Path) -> Iterator[ServerThread]:
    with ServerThread(create_app(hashing_settings(indexed_dir))) as srv:
        yield srv


@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium fonts-ipafont-gothic)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser):  # type: ignore[no-untyped-def]
    ctx = browser.new_context(viewport={"width": 1280, "height": 1000}, locale="ja-JP")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    yield pg
    ctx.close()
    assert not errors, errors  # no script errors, no CSP violations


def shot(pg, name: str, locator=None) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (locator or pg).screenshot(path=str(ARTIFACTS / f"{name}.png"))


def test_widget_cards_show_source_badges_and_page_dates(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    box = page.locator("#lec-input")
    box.fill("世田谷区で母が亡くなりました。葬祭費はいくらもらえますか")
    box.press("Enter")
    reply = page.locator(".msg.bot").last
    expect(reply).to_contain_text("公式ページで確認できていません")
    card = page.locator('.card[data-procedure="nhi-funeral-benefit"]')
    expect(card).to_be_visible()
    expect(card.locator(".unconfirmed")).to_contain_text("ご確認ください")
    expect(card.locator(".amounts .badge.kind-private")).to_have_text("公式ページで未確認")
    card.locator("details.sources summary").click()
    private = card.locator('li.source[data-kind="private"]').first
    expect(private.locator(".badge")).to_have_text("非公式・要確認")
    expect(private.locator(".src-meta")).to_contain_text("日付の記載なし")
    name = private.locator("a").get_attribute("aria-label") or ""
    assert "非公式・要確認" in name and "日付の記載なし" in name  # what a screen reader hears
    reference = card.locator("li.source.reference").first
    expect(reference.locator(".badge.ref")).to_have_text("参考：他の区市町村のページ")
    card.scroll_into_view_if_needed()
    shot(page, "provenance-widget-card", card)

    # an official page quoted (the fixture pages are Tokyo's and Setagaya's own): 公式 with its date
    box.fill("出生届の期限は？")
    box.press("Enter")
    cites = page.locator(".citations li.source")
    expect(cites.first).to_be_visible()
    official = page.locator('.citations li.source[data-kind="municipal"]').first
    expect(official.locator(".badge")).to_have_text("公式")
    labels = [cites.nth(i).locator("a").get_attribute("aria-label") or "" for i in range(cites.count())]
    assert all(("公式" in x or "要確認" in x or "保存コピー" in x) and "ページ" in x for x in labels), labels
    assert not any("/tmp/" in x for x in labels)  # a local file has no publisher to name
    page.locator(".citations").last.scroll_into_view_if_needed()
    shot(page, "provenance-widget-citations", page.locator(".citations").last)


def test_widget_badges_in_english(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    page.locator(".lang-toggle, button:has-text('English')").first.click()
    box = page.locator("#lec-input")
    box.fill("My mother died in Setagaya.")
    box.press("Enter")
    card = page.locator('.card[data-procedure="nhi-funeral-benefit"]')
    expect(card).to_be_visible()
    card.locator("details.sources summary").click()
    expect(card.locator('li.source[data-kind="private"] .badge').first).to_have_text(
        "Unofficial – please confirm"
    )
    expect(card.locator(".unconfirmed")).to_contain_text("Not confirmed on an official page")
    shot(page, "provenance-widget-card-en", card)


def test_print_page_shows_badges_and_page_dates(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    chat = page.request.post(
        server.url + "/api/chat",
        data={"message": "11月30日に世田谷区で母が亡くなりました", "today": "2026-12-01"},
    ).json()
    links = page.request.post(server.url + "/api/bundles", data={"session_id": chat["session_id"]}).json()
    page.goto(links["print_url"])
    row = page.locator('tr[data-id="nhi-funeral-benefit"]')
    expect(row).to_be_visible()
    expect(row.locator(".unconfirmed")).to_contain_text("公式ページで確認できていません")
    expect(row.locator(".badge.kind-private").first).to_be_visible()
    expect(row).to_contain_text("［非公式・要確認］")
    expect(row).to_contain_text("ページに日付の記載なし")
    expect(page.locator('.src[data-kind="municipal"]').first).to_contain_text("［公式］")
    row.scroll_into_view_if_needed()
    shot(page, "provenance-print-page")
