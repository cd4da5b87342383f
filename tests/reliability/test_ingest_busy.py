"""`concierge ingest` while another ingest holds the index: one clear line, exit 1, the other run untouched."""

from __future__ import annotations

from reliability_support import FIXTURE_PAGES, cli_env, run_cli

from ingest.pipeline import _lock
from knowledge.index_state import read_active
from knowledge.settings import get_settings


def test_second_ingest_is_refused_with_one_line() -> None:
    settings = get_settings()
    with _lock(settings.index_dir):  # what a running ingest holds (an flock the kernel drops if it dies)
        proc = run_cli(
            ["ingest", "--no-progress", str(FIXTURE_PAGES)], cli_env(CONCIERGE_EMBEDDING__BACKEND="hashing")
        )
    assert proc.returncode == 1, proc.stderr[-2000:]
    assert "Traceback" not in proc.stderr
    assert proc.stderr.strip().splitlines() == [
        f"error: another ingest is running on {settings.index_dir}; wait for it to finish (or stop it) and try again"
    ]
    assert read_active(settings.index_dir) is None and not (settings.index_dir / "runs").exists()
