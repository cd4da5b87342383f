"""Consoles in a real browser (issue #16): staff sign in as themselves; without a session /staff refuses.

Debian's headless chromium (Playwright) against a real uvicorn server in a thread; screenshots in tests/artifacts/.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from servers import CHROMIUM, CHROMIUM_ARGS
from web_support import ARTIFACTS, ServerThread, hashing_settings

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
    ctx = browser.new_context(viewport={"width": 1280, "height": 900}, locale="ja-JP")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    # refused sign-ins and the refused editor console answer 401/403: the only resource errors allowed
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not any(f"status of {s}" in m.text for s in (401, 403))
            else None
        ),
    )
    yield pg
    ctx.close()
    assert not errors, errors


def shot(pg, name: str) -> None:  # type: ignore[no-untyped-def]
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    pg.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=False)


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
