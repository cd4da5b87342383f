"""The printable bundle page in Debian's headless chromium: styled (no CSP violations), A4 when printed, and its
QR code — read from a screenshot — decodes back to the bundle URL."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Iterator

import cv2
import httpx
import numpy as np
import pytest
import uvicorn
from servers import CHROMIUM, CHROMIUM_ARGS

from knowledge.settings import get_settings
from web.app import create_app

pytestmark = pytest.mark.browser


@pytest.fixture
def live_url() -> Iterator[str]:
    server = uvicorn.Server(
        uvicorn.Config(create_app(get_settings()), host="127.0.0.1", port=0, log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 15
    while not (server.started and server.servers):
        assert time.monotonic() < deadline, "server did not start"
        time.sleep(0.02)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(10)


def test_print_page_renders_a4_and_its_qr_code_decodes_to_the_bundle_url(live_url: str) -> None:
    playwright = pytest.importorskip("playwright.sync_api")
    with httpx.Client(base_url=live_url, timeout=30) as http:
        chat = http.post(
            "/api/chat",
            json={"message": "2026年11月20日に世田谷区で子どもが生まれました", "today": "2026-11-26"},
        )
        links = http.post("/api/bundles", json={"session_id": chat.json()["session_id"]}).json()

    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS)
        try:
            page = browser.new_page(device_scale_factor=2)
            problems: list[str] = []
            page.on("console", lambda m: problems.append(m.text) if m.type in ("error", "warning") else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            response = page.goto(links["print_url"])
            assert response is not None and response.status == 200
            assert problems == []  # e.g. no stylesheet or inline content blocked by the CSP

            assert page.locator(".code").inner_text() == links["display_code"]
            assert page.locator("tr[data-id='birth-registration']").count() == 1
            # the stylesheet applied: the QR code is 40 mm wide (about 151 CSS px)
            box = page.locator(".qr-code").bounding_box()
            assert box is not None and 145 < box["width"] < 157

            shot = page.locator(".qr-code").screenshot()
            img = cv2.imdecode(np.frombuffer(shot, np.uint8), cv2.IMREAD_GRAYSCALE)
            text, _, _ = cv2.QRCodeDetector().detectAndDecode(img)
            assert text == links["url"]

            pdf = page.pdf(prefer_css_page_size=True)
            media = re.search(rb"/MediaBox\s*\[\s*0 0 ([\d.]+) ([\d.]+)\s*\]", pdf)
            assert media is not None
            width, height = float(media.group(1)), float(media.group(2))
            assert abs(width - 595.3) < 1.5 and abs(height - 841.9) < 1.5  # A4 in points
        finally:
            browser.close()
