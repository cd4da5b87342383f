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
