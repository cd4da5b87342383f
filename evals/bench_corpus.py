"""`concierge bench scale [--copies 1,20]`: the curve behind README's sizing for all of Tokyo (issue #17).

For each size N the seed pages are replicated N times under distinct URLs (``?copy=i`` on each canonical URL) into
a throw-away data dir and ingested with the fast ``hashing`` test embedder (so ×20 runs in minutes; the dense
model's cost per chunk is measured separately by ``bench ingest``). Then a real ``concierge serve`` answers
page searches (the 158 retrieval questions, 3 clients) and distinct first-turn chats (8 clients, 200 messages).
Reported per size: pages, chunks, ingest pages/s, search and chat p50/p95, the server's RSS and RSS per chunk.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from evals import metrics as M
from evals.bench import _chat, _r, serve
from evals.bench_scale import distinct_messages, tree_rss
from knowledge.settings import Settings

_CANONICAL = re.compile(rb'(<link rel="canonical" href=")([^"]+)(")', re.IGNORECASE)


def replicate(seeds: Path, dest: Path, copies: int) -> int:
    """``copies`` copies of every seed page under ``dest``; copy 0 keeps its URLs. Returns the page count."""
    pages = 0
    for i in range(copies):
        out = dest / f"copy{i:03d}"
        for src in sorted(seeds.rglob("*")):
            rel = src.relative_to(seeds)
            if src.is_dir() or any(part.startswith(("_", ".")) for part in rel.parts):
                continue
            if not src.name.lower().endswith((".html", ".htm")):
                continue
            data = src.read_bytes()
            if i:
                m = _CANONICAL.search(data)
                if m:
                    sep = b"&" if b"?" in m.group(2) else b"?"
                    data = data[: m.end(2)] + sep + b"copy=%d" % i + data[m.end(2) :]
            target = out / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(data)
            pages += 1
    return pages


def _timed(base: str, clients: int, jobs: list[Any], call: Any) -> list[float]:
    lat: list[float] = []
    lock = threading.Lock()

    def worker(n: int) -> None:
        with httpx.Client(timeout=60.0) as client:
            for job in jobs[n::clients]:
                ms = call(client, job)
                with lock:
                    lat.append(ms)

    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return lat


def _search(base: str) -> Any:
    def call(client: httpx.Client, q: str) -> float:
        started = time.perf_counter()
        client.get(f"{base}/api/search", params={"q": q, "k": 5})
        return (time.perf_counter() - started) * 1000

    return call


def bench_corpus_scale(settings: Settings, copies: tuple[int, ...] = (1, 20)) -> dict[str, Any]:
    from ingest.pipeline import run_ingest

    questions = [
        q["query"]
        for q in yaml.safe_load(
            (Path(__file__).with_name("retrieval") / "questions.yaml").read_text(encoding="utf-8")
        )
    ]
    chats = distinct_messages(200, offset=3000)
    out: dict[str, Any] = {"embedding": "hashing", "sizes": []}
    saved = os.environ.get("CONCIERGE_EMBEDDING__BACKEND")
    os.environ["CONCIERGE_EMBEDDING__BACKEND"] = "hashing"  # the served app must match the index
    try:
        for n in copies:
            with tempfile.TemporaryDirectory(prefix=f"concierge-scale-{n}-") as tmp:
                src = Path(tmp) / "pages"
                pages = replicate(settings.seeds_dir, src, n)
                s = settings.model_copy(
                    update={
                        "data_dir": Path(tmp) / "var",
                        "embedding": settings.embedding.model_copy(update={"backend": "hashing"}),
                        "chroma": settings.chroma.model_copy(
                            update={"mode": "embedded", "path": None, "url": None}
                        ),
                    }
                )
                started = time.perf_counter()
                rec = run_ingest(s, [str(src)], progress=False)
                secs = time.perf_counter() - started
                with serve(s) as server:
                    _timed(server.base, 1, questions[:20], _search(server.base))  # warm-up
                    search = _timed(server.base, 3, questions * 2, _search(server.base))
                    chat = _timed(server.base, 8, chats, lambda c, m, b=server.base: _chat(c, b, m, None)[1])
                    rss = tree_rss(server.pid)
                    peak = tree_rss(server.pid, "VmHWM")
                rss_mb = max((v for v in rss.values() if v is not None), default=0.0)
                out["sizes"].append(
                    {
                        "copies": n,
                        "pages": rec.pages_total,
                        "source_pages": pages,
                        "chunks": rec.chunks_total,
                        "ingest_s": round(secs, 1),
                        "ingest_pages_per_s": round(rec.pages_total / secs, 1) if secs else None,
                        "search_p50_ms": _r(M.percentile(search, 50)),
                        "search_p95_ms": _r(M.percentile(search, 95)),
                        "chat_p50_ms": _r(M.percentile(chat, 50)),
                        "chat_p95_ms": _r(M.percentile(chat, 95)),
                        "server_rss_mb": rss_mb,
                        "server_peak_rss_mb": max((v for v in peak.values() if v is not None), default=0.0),
                    }
                )
                shutil.rmtree(src, ignore_errors=True)
    finally:
        if saved is None:
            os.environ.pop("CONCIERGE_EMBEDDING__BACKEND", None)
        else:
            os.environ["CONCIERGE_EMBEDDING__BACKEND"] = saved
    sizes = out["sizes"]
    if len(sizes) >= 2 and sizes[-1]["chunks"] != sizes[0]["chunks"]:
        d_rss = sizes[-1]["server_rss_mb"] - sizes[0]["server_rss_mb"]
        out["kb_per_chunk"] = round(d_rss * 1024 / (sizes[-1]["chunks"] - sizes[0]["chunks"]), 2)
    return out
