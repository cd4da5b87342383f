"""Helpers for the web tests: hostile and catalog-linked pages, settings, a real uvicorn server in a thread."""

from __future__ import annotations

import shutil
import socket
import threading
import time
from collections.abc import Callable
from pathlib import Path

import httpx
import uvicorn
from fastapi import FastAPI
from fastapi.testclient import TestClient

from knowledge.settings import Settings, get_settings

AppFactory = Callable[..., TestClient]

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_PAGES = ROOT / "tests" / "fixtures" / "pages"
ARTIFACTS = ROOT / "tests" / "artifacts"
# A catalog source (birth-registration) whose page we ingest, so that changing it flags the fact for review.
CATALOG_SOURCE_URL = "https://www.city.ota.tokyo.jp/seikatsu/koseki_j/koseki/todoke/shutshou.html"

HOSTILE_PAGE = """<!doctype html><html><head><meta charset="utf-8">
<title>粗大ごみの出し方 &lt;script&gt;window.__pwned=1&lt;/script&gt;</title>
<script>window.__pwned = 2</script></head><body><main>
<h1>粗大ごみの出し方 &lt;img src=x onerror="window.__pwned=3"&gt;</h1>
<p>粗大ごみは粗大ごみ受付センターに申し込んでください。&lt;script&gt;window.__pwned=4&lt;/script&gt;</p>
<p>粗大ごみ処理券をコンビニで購入し、品目ごとに貼って出します。</p>
<iframe src="https://evil.example/"></iframe><form action="https://evil.example/"><input name="x"></form>
</main></body></html>
"""

OTA_BIRTH_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>出生届</title>
<link rel="canonical" href="{CATALOG_SOURCE_URL}"></head><body><main>
<h1>出生届</h1><p>更新日：2026年1月5日</p>
<p>出生届は、生まれた日を含めて14日以内に届け出てください。出生証明書と母子健康手帳をお持ちください。</p>
</main></body></html>
"""


def hashing_settings(data_dir: Path, **overrides: object) -> Settings:
    return get_settings(data_dir=data_dir, embedding={"backend": "hashing"}, **overrides)


def write_pages(dest: Path) -> Path:
    shutil.copytree(FIXTURE_PAGES, dest)
    (dest / "tokyo" / "hostile.html").write_text(HOSTILE_PAGE, encoding="utf-8")
    (dest / "ota").mkdir()
    (dest / "ota" / "birth.html").write_text(OTA_BIRTH_PAGE, encoding="utf-8")
    return dest


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ServerThread:
    """A real uvicorn server on a free loopback port, in a thread (encode/httpx style)."""

    def __init__(self, app: FastAPI) -> None:
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(app, host="127.0.0.1", port=self.port, log_level="warning", lifespan="off")
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> ServerThread:
        self.thread.start()
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            try:
                if httpx.get(self.url + "/healthz", timeout=1).status_code == 200:
                    return self
            except httpx.HTTPError:
                pass
            time.sleep(0.05)
        raise RuntimeError("uvicorn did not start")

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)


TOKEN_FOR_BROWSER = "browser-test-token"
