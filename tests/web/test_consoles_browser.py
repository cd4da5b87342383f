"""Consoles in a real browser (issue #16): staff sign in as themselves; without a session /staff refuses.

Debian's headless chromium (Playwright) against a real uvicorn server in a thread; screenshots in tests/artifacts/.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from web_support import ServerThread, hashing_settings, shot

from web.accounts import SqliteUserStore
from web.app import create_app

pytestmark = pytest.mark.browser
PASSWORD = "shokuin-pasuwado-2026"


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServerThread]:
    data = tmp_path_factory.mktemp("consoles") / "var"
    users = SqliteUserStore(data / "accounts.sqlite3")
    users.add("tanaka", PASSWORD, role="staff", display_name="田中 職員")
    with ServerThread(create_app(hashing_settings(data))) as srv:
        yield srv


# resource errors the page may log (deliberate refusals in these tests); everything else fails the test
ALLOWED_ERROR_STATUSES = (401, 403, 404)


def test_staff_sign_in_and_refusal_without_it(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    page.goto(server.url + "/staff?q=葬祭費")
    assert "/login?next=" in page.url  # no console without a session
    expect(page.locator("h1")).to_have_text("ログイン")
    expect(page.locator("#q")).to_have_count(0)
    page.locator("#username").fill("tanaka")
    page.locator("#password").fill("wrong password")
    page.locator("#login-form button").click()
    expect(page.locator("#login-error")).to_have_text("ユーザー名またはパスワードが違います。")
    shot(page, "20-staff-login-refused")
    page.locator("#username").fill("tanaka")
    page.locator("#password").fill(PASSWORD)
    page.locator("#login-form button").click()
    expect(page.locator("#q")).to_have_value("葬祭費")  # back where the agent was going
    assert page.url.startswith(server.url + "/staff")
    shot(page, "21-staff-signed-in")
    response = page.goto(server.url + "/editor")  # a staff account is not an editor
    assert response is not None and response.status == 403
    expect(page.locator("main")).to_contain_text("編集者の権限が必要です")


def _sign_in(page, url: str) -> None:  # type: ignore[no-untyped-def]
    page.goto(url)
    if "/login" in page.url:
        page.locator("#username").fill("tanaka")
        page.locator("#password").fill(PASSWORD)
        page.locator("#login-form button").click()


def test_move_planned_in_under_ten_actions_and_saved_code_opens_full_width(  # type: ignore[no-untyped-def]
    server: ServerThread, page
) -> None:
    import datetime as dt

    from playwright.sync_api import expect

    from web.staff_planner import today_jst

    _sign_in(page, server.url + "/staff/plan")  # signing in is not part of the call
    next_month = (today_jst().replace(day=1) + dt.timedelta(days=32)).replace(day=10)
    actions = 0

    def act(step) -> None:  # type: ignore[no-untyped-def]
        nonlocal actions
        actions += 1
        step()

    act(lambda: page.goto(server.url + "/staff/plan"))
    act(lambda: page.locator("input[name=events][value=moving]").check())
    act(lambda: page.locator("#move-from").select_option("131113"))
    act(lambda: page.locator("#move-to").select_option("132080"))
    act(lambda: page.locator("#event-date").fill(next_month.isoformat()))
    act(lambda: page.locator("#plan-submit").click())
    table = page.locator("#plan-table")

    def row(title: str):  # type: ignore[no-untyped-def]
        return table.locator("tbody tr").filter(
            has=page.locator("td:nth-child(2) > strong", has_text=re.compile(f"^{title}$"))
        )

    expect(row("転入届").locator("td.due strong")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    expect(row("転入届").locator(".phone")).to_contain_text("042-481-7111")
    expect(row("転出届").locator("td.due strong")).to_have_text(re.compile(r"\d{4}-\d{2}-\d{2}"))
    assert actions < 10, actions
    shot(page, "22-staff-planner-move")
    page.emulate_media(media="print")
    expect(page.locator(".console-head")).to_be_hidden()
    expect(page.locator("#plan-form")).to_be_hidden()
    shot(page, "23-staff-planner-print")
    page.emulate_media(media="screen")

    act(lambda: page.locator("#save-plan").click())
    code = page.locator("#bundle-code").inner_text()
    assert actions < 10, actions
    wide = "".join(chr(ord(ch) + 0xFEE0) if ch != "-" else "－" for ch in code)
    page.goto(server.url + "/staff")
    page.locator("#code").fill(wide)
    page.locator("#code").press("Enter")
    expect(page.locator("#bundle-code")).to_have_text(code)
    expect(page.locator("#plan-table")).to_contain_text("転入届")
    shot(page, "24-staff-bundle-full-width-code")
    page.goto(server.url + "/staff")
    page.locator("#code").fill("ＺＺＺ")
    page.locator("#code").press("Enter")
    expect(page.locator("main")).to_contain_text("保存コードの形式ではありません")


def test_compare_one_fact_over_62_and_its_csv(server: ServerThread, page) -> None:  # type: ignore[no-untyped-def]
    from playwright.sync_api import expect

    _sign_in(page, server.url + "/staff/compare-all")
    page.locator("#ca-procedure").select_option("late-elderly-funeral-benefit")
    page.locator("#ca-field").select_option("amount")
    page.locator("#compare-all-form button").click()
    rows = page.locator("#compare-table tbody tr")
    expect(rows).to_have_count(62)
    expect(rows.first.locator("th")).to_have_text("千代田区")
    expect(rows.first).to_contain_text("131016")
    expect(rows.first.locator(".kind").first).to_contain_text("公式")
    shot(page, "25-staff-compare-62")
    with page.expect_download() as info:
        page.locator("#compare-csv").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = text.splitlines()
    assert len(lines) == 63 and lines[1].startswith("131016,千代田区,")
    page.emulate_media(media="print")
    expect(page.locator(".console-head")).to_be_hidden()
    expect(page.locator("#compare-all-form")).to_be_hidden()
    shot(page, "26-staff-compare-62-print")


def test_editor_ingests_sees_diff_and_reverifies_with_a_note(  # type: ignore[no-untyped-def]
    browser, tmp_path_factory: pytest.TempPathFactory
) -> None:
    from playwright.sync_api import expect
    from web_support import write_pages

    base = tmp_path_factory.mktemp("editor-flow")
    pages = write_pages(base / "pages")
    data = base / "var"
    SqliteUserStore(data / "accounts.sqlite3").add("kato", PASSWORD, role="editor", display_name="加藤 編集")
    settings = hashing_settings(  # curated copies: trusted to name their canonical URLs
        data, editor={"ingest_sources": [str(pages)]}, ingest={"directory_hosts": {str(pages): ["*"]}}
    )
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    page = ctx.new_page()
    with ServerThread(create_app(settings)) as srv:
        page.goto(srv.url + "/editor")
        page.locator("#username").fill("kato")
        page.locator("#password").fill(PASSWORD)
        page.locator("#login-form button").click()
        for _ in range(2):
            page.locator("#ingest-source").select_option(str(pages))
            page.locator("#ingest-start").click()
            expect(page.locator("#job")).to_have_attribute("data-status", "ok", timeout=60_000)
            expect(page.locator("#job-progress")).to_contain_text("/")
            shot(page, "27-editor-ingest-job")
            page.goto(srv.url + "/editor")
            birth = pages / "ota" / "birth.html"
            birth.write_text(
                birth.read_text(encoding="utf-8").replace("14日以内", "十四日以内"), encoding="utf-8"
            )
        expect(page.locator("#runs tbody tr")).to_have_count(2)
        expect(page.locator("#runs .run-source").first).to_contain_text(str(pages))
        page.locator("#runs tbody tr").first.locator("a").click()
        expect(page.locator("#changed-pages li")).to_have_count(1)
        page.locator("#changed-pages a").click()
        expect(page.locator("#diff .d-replace").first).to_contain_text("十四日以内")
        expect(page.locator("#diff-facts")).to_contain_text("procedure:birth-registration")
        shot(page, "28-editor-diff")
        page.goto(srv.url + "/editor#review")
        item = page.locator(".review-items tr", has_text="「出生届」の期限")
        item.locator("input[name=note]").fill("表記の変更のみ")
        item.locator("button[value=reverify]").click()
        expect(page.locator(".review-items tr", has_text="「出生届」の期限")).to_have_count(0)
        audit = page.locator("#audit tbody tr").first
        expect(audit).to_contain_text("加藤 編集")
        expect(audit).to_contain_text("再確認済み")
        expect(audit).to_contain_text("表記の変更のみ")
        expect(audit).to_contain_text("JST")
        shot(page, "29-editor-audit")
    ctx.close()
