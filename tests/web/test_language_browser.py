"""The widget's language switch (日本語 / やさしい にほんご / English) and Japanese server errors, in Debian's headless
chromium against a real uvicorn server. Screenshots go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ServerThread, hashing_settings, shot

from evals import metrics as M
from web.app import create_app


def hard_kanji(text: str) -> list[str]:
    """Kanji runs beyond 小学校 kanji without a reading (the evaluation's own check)."""
    return M.non_easy_kanji(text)


def japanese_outside_brackets(text: str) -> str:
    return "".join(M.japanese_outside_brackets(text))


def consistent(text: str, lang: str) -> bool:
    return not M.language_problems([text], lang)


pytestmark = pytest.mark.browser

MAX_CHARS = 40  # a short limit so that a resident's long message gets the server's 413 error


@pytest.fixture(scope="module")
def server(indexed_dir: Path) -> Iterator[ServerThread]:
    settings = hashing_settings(indexed_dir, server={"max_message_chars": MAX_CHARS})
    with ServerThread(create_app(settings)) as srv:
        yield srv


# resource errors the page may log (deliberate refusals in these tests); everything else fails the test
ALLOWED_ERROR_STATUSES = (413,)


def test_language_switch_easy_then_english(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    switch = page.locator(".lang-switch")
    expect(switch.locator(".lang")).to_have_count(3)
    expect(switch.locator('[data-lang="ja"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".send")).to_have_text("送信")

    switch.locator('[data-lang="easy"]').click()
    expect(switch.locator('[data-lang="easy"]')).to_have_attribute("aria-pressed", "true")
    expect(switch.locator('[data-lang="ja"]')).to_have_attribute("aria-pressed", "false")
    expect(page.locator(".send")).to_have_text("おくる")
    bot = page.locator(".msg.bot")
    expect(bot.last).to_contain_text("あったことを 書いて ください")  # the greeting, in やさしい日本語
    box = page.locator("#lec-input")
    box.fill("こどもが うまれました")
    box.press("Enter")
    expect(bot).to_have_count(2)
    expect(bot.last).to_contain_text("てつづきは")
    expect(page.locator(".card").first).to_be_visible()
    expect(page.locator(".plan h3").first).to_contain_text("する てつづき")
    reply = bot.last.inner_text()
    assert not hard_kanji(reply), reply
    shot(page, "20-widget-easy-japanese")

    switch.locator('[data-lang="en"]').click()
    expect(page.locator(".send")).to_have_text("Send")
    expect(page.locator(".panel")).to_have_attribute("lang", "en")
    box.fill("We moved from Setagaya to Nakano")
    box.press("Enter")
    expect(bot).to_have_count(3)
    expect(bot.last).to_contain_text("procedures to do")
    reply = bot.last.inner_text()
    assert not japanese_outside_brackets(reply), reply
    expect(page.locator(".plan h3").first).to_contain_text("Procedures to do")
    plan = page.locator(".plan").inner_text()  # the cards as shown (collapsed source lists are not)
    assert "：" not in plan, plan
    assert not japanese_outside_brackets(plan), japanese_outside_brackets(plan)
    shot(page, "21-widget-english")


def test_kana_only_writing_switches_the_panel_to_easy_japanese(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    box = page.locator("#lec-input")
    box.fill("あかちゃん うまれた")
    box.press("Enter")
    bot = page.locator(".msg.bot")
    expect(bot).to_have_count(2)
    expect(bot.last).to_contain_text("「あかちゃんが うまれた」ですね。")
    expect(page.locator('.lang[data-lang="easy"]')).to_have_attribute("aria-pressed", "true")
    expect(page.locator(".send")).to_have_text("おくる")
    expect(page.locator(".plan h3").first).to_contain_text("する てつづき")
    page.locator(".quick .chip").first.click()  # a quick reply keeps the conversation in やさしい日本語
    expect(bot).to_have_count(3)
    assert not hard_kanji(bot.last.inner_text()), bot.last.inner_text()
    shot(page, "23-widget-kana-input-easy-reply")


def test_server_error_is_shown_in_the_pages_language(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/")
    page.locator(".launcher").click()
    box = page.locator("#lec-input")
    box.fill("先週、世田谷区で子どもが生まれました。出生届と児童手当と医療証の手続きを全部教えてください。")
    box.press("Enter")
    error = page.locator(".msg.error")
    expect(error).to_have_count(1)
    expect(error).to_contain_text("メッセージが長すぎます")
    expect(error).to_have_attribute("role", "alert")
    assert "characters" not in error.inner_text()
    shot(page, "22-widget-error-japanese")

    page.locator('.lang[data-lang="en"]').click()  # no session yet: the panel starts over in English
    box.fill("Our baby was born last week in Setagaya and we need every procedure.")
    box.press("Enter")
    expect(error).to_have_count(1)
    expect(error).to_contain_text(f"the limit is {MAX_CHARS}")
