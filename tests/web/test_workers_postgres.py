"""Two workers on shared state: PostgreSQL (sessions, bundles, feed state) + a real `chroma run` (issue #17).

A session begun and a bundle saved through one worker process are continued and read through other processes:
after the first requests every worker is killed (uvicorn's supervisor starts new ones), so the later requests are
answered by processes that never saw the earlier ones — only the shared stores can carry the state across.
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from pg import PostgresServer, unavailable
from servers import ChromaServer
from web_support import hashing_settings, write_pages
from workers_support import served_workers

from evals.bench_scale import _process_tree

pytestmark = [pytest.mark.postgres, pytest.mark.server]


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[str, int]]:
    from ingest.pipeline import run_ingest

    reason = unavailable()
    if reason:
        if os.geteuid() == 0:
            pytest.fail(f"PostgreSQL must be available in CI (root): {reason}")
        pytest.skip(reason)
    base = tmp_path_factory.mktemp("pg-workers")
    pg = PostgresServer().start()
    chroma = ChromaServer(base / "chroma").start()
    try:
        db = pg.new_database()
        chroma_cfg = {"mode": "server", "url": chroma.url}
        settings = hashing_settings(base / "var", chroma=chroma_cfg)
        assert run_ingest(settings, [str(write_pages(base / "pages"))], progress=False).status == "ok"
        env = {
            "CONCIERGE_DATA_DIR": str(base / "var"),
            "CONCIERGE_EMBEDDING__BACKEND": "hashing",
            "CONCIERGE_CHROMA__MODE": "server",
            "CONCIERGE_CHROMA__URL": chroma.url,
            "CONCIERGE_SESSION__URL": db,
        }
        with served_workers(env, workers=2) as served:
            yield served
    finally:
        chroma.stop()
        pg.stop()


def _workers(pid: int) -> list[int]:
    """The worker processes (children of the supervisor running the app; not the resource tracker)."""
    return [p for p in _process_tree(pid)[1:] if "spawn_main" in Path(f"/proc/{p}/cmdline").read_text()]


def _replace_all_workers(url: str, pid: int) -> None:
    old = _workers(pid)
    assert len(old) == 2, old
    for p in old:
        os.kill(p, signal.SIGKILL)
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        now = _workers(pid)
        if len(now) == 2 and not set(now) & set(old):
            try:
                for _ in range(8):
                    with httpx.Client(timeout=60) as c:
                        assert c.get(f"{url}/healthz").status_code == 200
                return
            except httpx.HTTPError:
                pass
        time.sleep(0.3)
    raise AssertionError("the supervisor did not replace the killed workers")


def test_session_and_bundle_outlive_the_worker_that_made_them(stack: tuple[str, int]) -> None:
    url, pid = stack
    with httpx.Client(timeout=60) as c:
        first = c.post(
            f"{url}/api/chat", json={"message": "世田谷区で子どもが生まれました", "today": "2026-11-26"}
        )
        assert first.status_code == 200, first.text
        sid = first.json()["session_id"]
        saved = c.post(f"{url}/api/bundles", json={"session_id": sid})
        assert saved.status_code == 201, saved.text
        code = saved.json()["code"]
        feed = c.get(f"{url}/feeds/{code}.ics")
        assert feed.status_code == 200 and b"BEGIN:VCALENDAR" in feed.content

    _replace_all_workers(url, pid)

    for _ in range(4):  # fresh connections: both new workers answer some of these
        with httpx.Client(timeout=60) as c:
            r = c.post(
                f"{url}/api/chat", json={"message": "11月20日です", "session_id": sid, "today": "2026-11-26"}
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert (
                body["session_id"] == sid
                and body["municipality"] == "世田谷区"
                and "birth" in body["life_events"]
            )
            b = c.get(f"{url}/api/bundles/{code}")
            assert b.status_code == 200, b.text
            assert b.json()["code"] == code
            assert c.get(f"{url}/feeds/{code}.ics").content.count(b"BEGIN:VEVENT") == feed.content.count(
                b"BEGIN:VEVENT"
            )
    with httpx.Client(timeout=60) as c:  # pages come from the shared `chroma run`
        r = c.get(f"{url}/api/search", params={"q": "粗大ごみ", "k": 5})
        assert r.status_code == 200 and r.json()["pages"], r.text
