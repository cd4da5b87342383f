from __future__ import annotations

from pathlib import Path

import pytest

from bot.service import Concierge, build_concierge
from knowledge.settings import get_settings


@pytest.fixture
def concierge(tmp_path: Path) -> Concierge:
    """The real concierge over the packaged catalog and a real SQLite session store; no page index."""
    return build_concierge(get_settings(data_dir=tmp_path), with_pages=False)
