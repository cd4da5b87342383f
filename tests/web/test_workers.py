"""`concierge serve --workers 2`: two real worker processes serving one app from shared state (issue #17).

The server is the real CLI in a subprocess (uvicorn's supervisor + 2 spawned workers) over a real index (hashing
embeddings, Chroma on disk). Requests go over fresh connections, so the kernel hands them to both workers.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from web_support import free_port, hashing_settings, write_pages

from evals.bench_scale import _process_tree

NEW_PAGE = """<!doctype html><html><head><meta charset="utf-8"><title>ドローン飛行の届出</title></head>
<body><main><h1>ドローン飛行の届出</h1><p>公園でドローンを飛ばすときは、公園管理事務所に届出をしてください。</p>
</main></body></html>
"""


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, Path, int]]:
    from ingest.pipeline import run_ingest

    base = tmp_path_factory.mktemp("workers")
    pages = write_pages(base / "pages")
    settings = hashing_settings(base / "var")
    assert run_ingest(settings, [str(pages)], progress=False).status == "ok"
    port = free_port()
    env = {
        **os.environ,
        "CONCIERGE_DATA_DIR": str(base / "var"),
        "CONCIERGE_EMBEDDING__BACKEND": "hashing",
        "CONCIERGE_SERVER__RATE_LIMIT_PER_MINUTE": "0",
        "PYTHONPATH": os.pathsep.join(
            [str(Path(__file__).resolve().parents[2]), os.environ.get("PYTHONPATH", "")]
        ),
    }
    cmd = [sys.executable, "-c", "from web.cli import main; main()", "--log-level", "WARNING"]
    proc = subprocess.Popen(
        [*cmd, "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 120
    try:
        while True:
            assert proc.poll() is None, proc.stderr.read().decode() if proc.stderr else proc.returncode
            assert time.monotonic() < deadline, "workers did not start"
            try:
                if (
                    httpx.get(f"{url}/healthz", timeout=2).status_code == 200
                    and len(_process_tree(proc.pid)) >= 3
                ):
                    break
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
        yield url, pages, proc.pid
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _worker_pids(url: str, n: int) -> None:
    for _ in range(n):
        with httpx.Client(timeout=10) as c:  # a fresh connection each time
            assert c.get(f"{url}/healthz").status_code == 200


def test_two_worker_processes_serve_one_app(served: tuple[str, Path, int]) -> None:
    url, _, pid = served
    tree = _process_tree(pid)
    assert len(tree) >= 3, tree  # supervisor + 2 workers
    _worker_pids(url, 10)
    # a conversation begun on one connection continues on others (the session store is shared)
    with httpx.Client(timeout=30) as c:
        first = c.post(
            f"{url}/api/chat", json={"message": "世田谷区で子どもが生まれました", "today": "2026-11-26"}
        )
    assert first.status_code == 200
    sid = first.json()["session_id"]
    for _ in range(4):
        with httpx.Client(timeout=30) as c:
            r = c.post(
                f"{url}/api/chat", json={"message": "11月20日です", "session_id": sid, "today": "2026-11-26"}
            )
        assert r.status_code == 200
        body = r.json()
        assert body["session_id"] == sid
        assert body["municipality"] == "世田谷区"
        assert "birth" in body["life_events"]


def test_every_worker_picks_up_a_new_index_generation(served: tuple[str, Path, int]) -> None:
    from ingest.pipeline import run_ingest

    url, pages, _ = served

    def found() -> list[bool]:
        out = []
        for _ in range(12):
            with httpx.Client(timeout=30) as c:
                r = c.get(f"{url}/api/search", params={"q": "ドローン 届出 公園", "k": 5})
            assert r.status_code == 200
            out.append(any("ドローン" in (p.get("title") or "") for p in r.json()["pages"]))
        return out

    assert not any(found())
    (pages / "tokyo" / "drone.html").write_text(NEW_PAGE, encoding="utf-8")
    settings = hashing_settings(pages.parent / "var")
    assert run_ingest(settings, [str(pages)], progress=False).added
    assert all(found())  # every request, whichever worker took it, sees the new generation
