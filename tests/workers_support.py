"""`concierge serve --workers N` as a real subprocess for tests (uvicorn supervisor + N spawned workers)."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from servers import free_port

from evals.bench_scale import _process_tree

ROOT = Path(__file__).resolve().parents[1]


@contextmanager
def served_workers(
    env_overrides: dict[str, str], workers: int = 2, timeout: float = 180
) -> Iterator[tuple[str, int]]:
    """(base URL, supervisor pid) once every worker is up; stopped with SIGTERM on exit."""
    port = free_port()
    env = {
        **os.environ,
        "CONCIERGE_SERVER__RATE_LIMIT_PER_MINUTE": "0",
        "PYTHONPATH": os.pathsep.join([str(ROOT), os.environ.get("PYTHONPATH", "")]),
        **env_overrides,
    }
    cmd = [sys.executable, "-c", "from web.cli import main; main()", "--log-level", "WARNING"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + timeout
    try:
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else proc.returncode
            assert time.monotonic() < deadline, "workers did not start"
            try:
                ready = httpx.get(f"{url}/healthz", timeout=2).status_code == 200
                # supervisor + its resource tracker + the workers
                if ready and len(_process_tree(proc.pid)) >= workers + 1:
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        # each worker answers its first request only once its app is built: warm every one of them
        for _ in range(4 * workers):
            with httpx.Client(timeout=60) as c:
                assert c.get(f"{url}/healthz").status_code == 200
        yield url, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
