from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import Concierge, build_concierge
from bot.understand import Understander
from knowledge.catalog import Catalog, default_catalog
from knowledge.settings import get_settings


@pytest.fixture
def concierge(tmp_path: Path) -> Concierge:
    """The real concierge over the packaged catalog and a real SQLite session store; no page index."""
    return build_concierge(get_settings(data_dir=tmp_path), with_pages=False)


@pytest.fixture(scope="session")
def catalog() -> Catalog:
    """The packaged catalog (``default_catalog``, loaded once); a module that needs a fresh copy defines its own."""
    return default_catalog()


@pytest.fixture(scope="session")
def und(catalog: Catalog) -> Understander:
    """One understander over the packaged catalog for every test module (``parse`` keeps no state between calls)."""
    return Understander(catalog)
