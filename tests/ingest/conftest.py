"""Fixtures for the ingest tests: a copy of the fixture pages (tests edit it) and hashing-embedding settings."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from knowledge.settings import Settings, get_settings

PAGES = Path(__file__).resolve().parents[1] / "fixtures" / "pages"


@pytest.fixture
def pages_dir(tmp_path: Path) -> Path:
    dest = tmp_path / "pages"
    shutil.copytree(PAGES, dest)
    return dest


@pytest.fixture
def hashing_settings(tmp_path: Path) -> Settings:
    # the fixture pages are curated copies, trusted to name their canonical URLs (as the seeds directory is)
    return get_settings(
        data_dir=tmp_path / "var",
        embedding={"backend": "hashing"},
        ingest={"directory_hosts": {str(tmp_path / "pages"): ["*"], str(PAGES): ["*"]}},
    )
