"""Source badges in a real browser (Debian chromium): the widget's cards and quoted pages and the print page show
公式 / 公的機関 / 非公式・要確認 / 保存コピー and the page date, and screen readers hear them in the link's name.

Screenshots go to tests/artifacts/ (provenance-*.png).
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ServerThread, hashing_settings, shot

from web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(indexed_dir: Path) -> Iterator[ServerThread]:
    with ServerThread(create_app(hashing_settings(indexed_dir))) as srv:
        yield srv


# resource errors the page may log (deliberate refusals in these tests); everything else fails the test
ALLOWED_ERROR_STATUSES = ()
VIEWPORT_HEIGHT = 1000


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
    expect(reference.locator(".badge").first).to_have_text(
        "保存コピー"
    )  # a stored copy of another ward's page


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
