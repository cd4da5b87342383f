"""Helpers for the web tests: hostile and catalog-linked pages, settings, a real uvicorn server in a thread."""

from __future__ import annotations

import shutil
from collections.abc import Callable
from pathlib import Path

from fastapi.testclient import TestClient
from servers import ServerThread, free_port

from knowledge.settings import Settings, get_settings

__all__ = ["ServerThread", "free_port"]

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


TOKEN_FOR_BROWSER = "browser-test-token"


def shot(pg, name: str, locator=None) -> None:  # type: ignore[no-untyped-def]
    """A screenshot of the page (or of one element) under tests/artifacts/, to look at."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (locator or pg).screenshot(path=str(ARTIFACTS / f"{name}.png"))
