"""Shared fixtures. Every test runs with a clean CONCIERGE_* environment and its own data directory."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(autouse=True)
def _isolated_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in list(os.environ):
        if key.startswith("CONCIERGE_"):
            monkeypatch.delenv(key)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("CONCIERGE_DATA_DIR", str(tmp_path / "var"))
    monkeypatch.chdir(ROOT)


@pytest.fixture
def concierge_factory(tmp_path: Path):  # type: ignore[no-untyped-def]
    """Build real concierges (packaged catalog, SQLite sessions under tmp_path, no page index)."""
    from bot.service import build_concierge
    from knowledge.settings import get_settings

    def make(**session: object):  # type: ignore[no-untyped-def]
        settings = (
            get_settings(data_dir=tmp_path, session=session) if session else get_settings(data_dir=tmp_path)
        )
        return build_concierge(settings, with_pages=False)

    return make
