"""Browser tests: Debian's headless chromium (driven by Playwright) against a real uvicorn server in a thread.

Screenshots go to tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import TOKEN_FOR_BROWSER, ServerThread, hashing_settings, shot

from web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture(scope="module")
def server(indexed_dir: Path) -> Iterator[ServerThread]:
    settings = hashing_settings(indexed_dir, editor={"token": TOKEN_FOR_BROWSER, "dev_token": True})
    with ServerThread(create_app(settings)) as srv:
        yield srv


# resource errors the page may log (deliberate refusals in these tests); everything else fails the test
ALLOWED_ERROR_STATUSES = (401,)


def test_widget_birth_flow_with_follow_up_and_cards(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    launcher = page.locator(".launcher")
    expect(launcher).to_be_visible()
    shot(page, "01-demo-home")
    launcher.click()
    box = page.locator("#lec-input")
    expect(box).to_be_focused()
    box.fill("先週、世田谷区で子どもが生まれました")
    box.press("Enter")
    bot = page.locator(".msg.bot")
    expect(bot).to_have_count(2)
    expect(bot.last).to_contain_text("世田谷区")
    expect(page.locator(".card").first).to_be_visible()
    quick = page.locator(".quick .chip")
    expect(quick.first).to_be_visible()
    shot(page, "02-first-answer")

    quick.filter(has_text="今日").click()  # answer the follow-up (the date)
    expect(bot).to_have_count(3)
    birth = page.locator('.card[data-procedure="birth-registration"]')
    expect(birth).to_be_visible()
    expect(birth.locator("time.due-date")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d{2}-\d{2}$"))
    expect(birth.locator(".due-text")).to_contain_text("14日")
    expect(birth.locator(".office")).to_contain_text("世田谷区")
    expect(page.locator(".checklist li").first).to_be_visible()
    expect(page.locator(".log")).to_have_attribute("aria-live", "polite")
    shot(page, "03-cards-with-due-dates")

    page.locator(".save-btn").click()  # save / calendar / print (the push feature's endpoint)
    saved = page.locator(".saved")
    expect(saved).to_be_focused()
    expect(saved.locator(".code")).to_have_text(re.compile(r"^[0-9A-Z]{5}-[0-9A-Z]{5}-[0-9A-Z]{5}$"))
    expect(saved.locator("a")).to_have_count(4)
    shot(page, "04-saved")


def test_widget_keyboard_only_and_untrusted_text(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.wait_for_selector("#life-event-concierge", state="attached")
    launcher = page.locator(".launcher")
    for _ in range(40):  # Tab through the page until the launcher has focus
        page.keyboard.press("Tab")
        if launcher.evaluate("el => el.getRootNode().activeElement === el"):
            break
    else:
        pytest.fail("the launcher is not reachable by keyboard")
    page.keyboard.press("Enter")
    expect(page.locator("#lec-input")).to_be_focused()
    hostile = '<img src=x onerror="window.__pwned=1"><script>window.__pwned=2</script>'
    page.keyboard.type(hostile)
    page.keyboard.press("Enter")
    user = page.locator(".msg.user").last
    expect(user).to_contain_text("<img src=x onerror=")  # shown as text
    expect(page.locator(".msg.bot")).to_have_count(2)
    assert page.locator(".log img, .log script").count() == 0
    assert page.evaluate("window.__pwned") is None

    page.keyboard.type("世田谷区で子どもが生まれました")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(3)
    expect(page.locator(".quick .chip").first).to_be_visible()
    # Tab from the input backwards lands on a quick reply; Enter sends it
    page.keyboard.press("Shift+Tab")
    page.keyboard.press("Shift+Tab")
    focused = page.evaluate(
        "document.querySelector('#life-event-concierge').shadowRoot.activeElement.className"
    )
    assert "chip" in focused
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(4)
    expect(page.locator(".card time.due-date").first).to_be_visible()
    # a page question: citations from an untrusted (hostile) ingested page are rendered as text
    page.locator("#lec-input").focus()
    page.keyboard.type("粗大ごみの出し方を教えてください")
    page.keyboard.press("Enter")
    expect(page.locator(".msg.bot")).to_have_count(5)
    expect(page.locator(".citations")).to_contain_text("<img src=x")
    assert page.evaluate("window.__pwned") is None
    shot(page, "05-keyboard-and-hostile-text")
    page.keyboard.press("Escape")
    expect(page.locator(".launcher")).to_be_focused()


def test_widget_at_375px(server: ServerThread, browser) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    ctx = browser.new_context(
        viewport={"width": 375, "height": 740}, locale="ja-JP", is_mobile=True, has_touch=True
    )
    page = ctx.new_page()
    page.goto(server.url + "/")
    page.locator(".launcher").click()
    page.locator("#lec-input").fill("子どもが生まれました")
    page.locator("#lec-input").press("Enter")
    expect(page.locator(".card").first).to_be_visible()
    panel = page.locator(".panel").bounding_box()
    assert panel and panel["x"] >= 0 and panel["x"] + panel["width"] <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375  # no horizontal scrolling
    card = page.locator(".card").first.bounding_box()
    assert card and card["x"] + card["width"] <= 375
    page.locator('.lang[data-lang="en"]').click()  # language switch
    expect(page.locator(".send")).to_have_text("Send")
    shot(page, "06-mobile-375")
    ctx.close()


def test_staff_search_and_compare(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/staff")  # anonymous: sent to the console sign-in, then back
    assert "/login?next=%2Fstaff" in page.url
    # the development token signs in as an editor, who may use /staff
    page.locator("#dev-login-form #name").fill("職員テスト")
    page.locator("#dev-login-form #token").fill(TOKEN_FOR_BROWSER)
    page.locator("#dev-login-form button").click()
    assert page.url.endswith("/staff")
    page.locator("#q").fill("葬祭費")
    page.locator("#municipality").select_option("131121")
    page.locator("form[role=search] button").click()
    results = page.locator("#procedure-results li")
    expect(results.first).to_contain_text("葬祭費")
    shot(page, "07-staff-search")
    page.locator("#procedure-results a", has_text="国民健康保険の葬祭費").click()
    expect(page.locator("article.proc")).to_have_count(1)
    page.locator("#compare").select_option("131130")
    page.locator("form.search button").click()
    cols = page.locator("article.proc")
    expect(cols).to_have_count(2)
    expect(cols.nth(0)).to_contain_text("世田谷区")
    expect(cols.nth(0).locator(".amounts")).to_contain_text("70,000円")
    expect(cols.nth(0).locator(".amounts a").first).to_be_visible()  # the amount's source
    shot(page, "08-staff-compare")


def test_editor_login_flow(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    response = page.goto(server.url + "/editor")
    assert page.url.endswith("/login?next=%2Feditor") and response.status == 200
    page.locator("#dev-login-form #name").fill("佐藤")
    page.locator("#dev-login-form #token").fill("wrong")
    page.locator("#dev-login-form button").click()
    expect(page.locator("#login-error")).to_be_visible()
    page.locator("#dev-login-form #name").fill("佐藤")
    page.locator("#dev-login-form #token").fill(TOKEN_FOR_BROWSER)
    page.locator("#dev-login-form button").click()
    expect(page.locator("#who")).to_have_text("佐藤")
    expect(page.locator("#runs tbody tr")).to_have_count(1)
    expect(page.locator("#coverage tbody tr")).to_have_count(62)
    shot(page, "09-editor")


def test_widget_past_due_card_says_what_to_do_now(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    """A deadline long past (whatever the server's clock) is marked past due on the card with the catalog's note."""
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    box = page.locator("#lec-input")
    box.fill("2020年1月10日に世田谷区で子どもが生まれました")
    box.press("Enter")
    expect(page.locator(".msg.bot").last).to_contain_text("期限を過ぎています")
    birth = page.locator('.card[data-procedure="birth-registration"]')
    expect(birth.locator(".late")).to_contain_text("期限を過ぎても出生届は出せます")
    expect(birth.locator(".late")).to_have_attribute("role", "note")
    shot(page, "05-past-due-card")
