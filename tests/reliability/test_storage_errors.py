"""A read-only or full data directory stops `concierge ingest` / `serve` / `ask` with one line naming it (exit 1).

How the faults are made real, since the tests run as root (permission bits do not stop root):
- read-only: the data directory is bind-mounted read-only (``mount -o remount,bind,ro``) in a private mount
  namespace (``unshare -m``), around the CLI process only: writes fail with EROFS, even for root;
- full disk: a 256 KiB tmpfs is mounted on the data directory the same way: writes fail with ENOSPC mid-run;
- permissions: the directory is ``chmod 0555`` and the CLI runs as ``nobody`` (``setpriv``) when we are root.
The namespace tests are skipped where ``unshare -m`` is not permitted (no CAP_SYS_ADMIN).
"""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest
from reliability_support import FIXTURE_PAGES, cli_env, free_port, run_cli

from bot.contract import ChatRequest
from bot.service import build_concierge
from ingest.pipeline import run_ingest
from knowledge.settings import get_settings

pytestmark = pytest.mark.slow

UNSHARE = ["unshare", "-m", "--propagation", "private", "sh", "-c"]
READ_ONLY = 'mount --bind "$1" "$1" && mount -o remount,bind,ro "$1" && shift && exec "$@"'
FULL = 'mount -t tmpfs -o size=256k tmpfs "$1" && shift && exec "$@"'


def _namespaces_work() -> bool:
    if shutil.which("unshare") is None:
        return False
    probe = subprocess.run([*UNSHARE, "mount -t tmpfs tmpfs /mnt"], capture_output=True, timeout=10)
    return probe.returncode == 0


needs_namespace = pytest.mark.skipif(
    not _namespaces_work(), reason="unshare -m / mount not permitted here (needs CAP_SYS_ADMIN)"
)


def _assert_one_line_error(proc: subprocess.CompletedProcess[str], data_dir: Path, *words: str) -> str:
    assert proc.returncode == 1, (proc.returncode, proc.stderr[-2000:])
    assert "Traceback" not in proc.stderr, proc.stderr[-3000:]
    errors = [ln for ln in proc.stderr.splitlines() if ln.startswith("error:")]
    assert len(errors) == 1 and proc.stderr.rstrip().endswith(errors[0]), proc.stderr[-2000:]
    line = errors[0]
    assert str(data_dir) in line and "CONCIERGE_DATA_DIR" in line, line
    for w in words:
        assert w.lower() in line.lower(), line
    return line


@pytest.fixture
def indexed(tmp_path: Path) -> Path:
    """A data directory that already holds an index and a session store (a deployment whose disk went bad)."""
    settings = get_settings(embedding={"backend": "hashing"})
    assert run_ingest(settings, [str(FIXTURE_PAGES)], progress=False).status == "ok"
    build_concierge(settings).chat(ChatRequest(message="結婚しました"))
    return settings.data_dir


@needs_namespace
def test_read_only_data_directory(indexed: Path) -> None:
    env = cli_env(CONCIERGE_EMBEDDING__BACKEND="hashing")
    prefix = [*UNSHARE, READ_ONLY, "sh", str(indexed)]
    ingest = run_cli(["ingest", "--no-progress", str(FIXTURE_PAGES)], env, prefix=prefix)
    _assert_one_line_error(ingest, indexed, "read-only file system")
    serve = run_cli(["serve", "--port", str(free_port())], env, timeout=30, prefix=prefix)
    _assert_one_line_error(serve, indexed, "read-only file system")
    # the index written before is untouched and still usable once the disk is writable again
    again = run_ingest(get_settings(embedding={"backend": "hashing"}), [str(FIXTURE_PAGES)], progress=False)
    assert again.status == "ok" and len(again.unchanged) == 6 and not again.added


@needs_namespace
def test_full_disk_mid_ingest(tmp_path: Path) -> None:
    data = tmp_path / "small-disk"
    data.mkdir()
    env = cli_env(CONCIERGE_EMBEDDING__BACKEND="hashing", CONCIERGE_DATA_DIR=str(data))
    ingest = run_cli(
        ["ingest", "--no-progress", str(FIXTURE_PAGES)], env, prefix=[*UNSHARE, FULL, "sh", str(data)]
    )
    _assert_one_line_error(ingest, data, "full" if "full" in ingest.stderr else "no space left")


@pytest.fixture
def unwritable() -> Iterator[tuple[Path, list[str]]]:
    """A 0555 directory, and the prefix that runs the CLI as a user the mode bits apply to."""
    base = Path(tempfile.mkdtemp(prefix="concierge-ro-", dir="/tmp"))
    base.chmod(0o755)
    data = base / "var"
    data.mkdir(mode=0o555)
    data.chmod(0o555)
    prefix: list[str] = []
    if os.geteuid() == 0:
        if shutil.which("setpriv") is None:
            pytest.skip("running as root without setpriv: cannot drop privileges")
        prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    yield data, prefix
    data.chmod(0o755)
    shutil.rmtree(base, ignore_errors=True)


def test_data_directory_without_write_permission(unwritable: tuple[Path, list[str]]) -> None:
    data, prefix = unwritable
    env = cli_env(CONCIERGE_EMBEDDING__BACKEND="hashing", CONCIERGE_DATA_DIR=str(data), HOME=str(data))
    ingest = run_cli(["ingest", "--no-progress", str(FIXTURE_PAGES)], env, prefix=prefix)
    _assert_one_line_error(ingest, data, "permission denied")
    ask = run_cli(["ask", "--today", "2026-11-26", "結婚しました"], env, prefix=prefix)
    _assert_one_line_error(ask, data)
