"""Fixtures for the web tests: a real page index (hashing embeddings, fixture pages plus hostile ones) built once
per module, and apps over real stores."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from web_support import AppFactory, hashing_settings, write_pages


@pytest.fixture(scope="module")
def indexed_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A data directory holding a real index (Chroma on disk + BM25) of the fixture pages."""
    from ingest.pipeline import run_ingest

    base = tmp_path_factory.mktemp("web-index")
    pages = write_pages(base / "pages")
    # curated copies: trusted to name their canonical URLs (CONCIERGE_INGEST__DIRECTORY_HOSTS)
    settings = hashing_settings(base / "var", ingest={"directory_hosts": {str(pages): ["*"]}})
    record = run_ingest(settings, [str(pages)], progress=False)
    assert record.status == "ok" and record.added, record.summary()
    return base / "var"


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[AppFactory]:
    """``make_client(data_dir=None, **settings)``: a TestClient over the real app (fresh data dir by default)."""
    from web.app import create_app

    clients: list[TestClient] = []

    def make(data_dir: Path | None = None, **overrides: object) -> TestClient:
        settings = hashing_settings(data_dir or tmp_path / "var", **overrides)
        client = TestClient(create_app(settings))
        clients.append(client)
        return client

    yield make
    for c in clients:
        c.close()


# ---- a real headless Chromium (Debian's), shared by the browser test modules ----------------------------------
@pytest.fixture(scope="module")
def browser():  # type: ignore[no-untyped-def]
    from servers import CHROMIUM, CHROMIUM_ARGS

    if not Path(CHROMIUM).exists():
        pytest.skip("Debian chromium is not installed (apt-get install chromium fonts-ipafont-gothic)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        b = pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        yield b
        b.close()


@pytest.fixture
def page(browser, request: pytest.FixtureRequest):  # type: ignore[no-untyped-def]
    """A fresh Japanese-locale page; the test fails on any script error, CSP violation or resource error except
    the HTTP statuses its module lists in ``ALLOWED_ERROR_STATUSES`` (deliberate refusals)."""
    allowed = getattr(request.module, "ALLOWED_ERROR_STATUSES", ())
    height = getattr(request.module, "VIEWPORT_HEIGHT", 900)
    ctx = browser.new_context(viewport={"width": 1280, "height": height}, locale="ja-JP")
    pg = ctx.new_page()
    errors: list[str] = []
    pg.on("pageerror", lambda e: errors.append(str(e)))
    pg.on(
        "console",
        lambda m: (
            errors.append(m.text)
            if m.type == "error" and not any(f"status of {s}" in m.text for s in allowed)
            else None
        ),
    )
    yield pg
    ctx.close()
    assert not errors, errors  # no script errors, no CSP violations
