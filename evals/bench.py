"""`concierge bench WHAT`: latency, throughput and memory, measured (not tests). All traffic goes to 127.0.0.1.

- ``chat``: a real ``concierge serve`` process on a free loopback port (the configured data dir, so the embedded
  default index when one exists); cold start to the first answer, then after a warm-up the latency of
  ``POST /api/chat`` with 1 and with 8 concurrent clients, and the server's peak RSS (``VmHWM``).
- ``ingest``: full and incremental ingest of ``seeds/`` into a throw-away data dir.
- ``retrieval``: page-search latency alone over the retrieval questions (needs an index).
- ``load``: 50 simulated residents holding conversations for 60 s; 5xx count, p95, RSS at start and end.
- ``fusion``: retrieval recall@5 / MRR of each fusion method on the retrieval questions (dev and held-out splits).

The benchmark server runs with the rate limit off (every simulated client shares one loopback address) and a
throw-away session store. Each result is printed and written to ``OUT/bench-WHAT.json``.

Example::

    >>> run_bench(get_settings(), "chat", Path("var/bench"))["clients_8"]["p95_ms"]
    41.3
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import os
import random
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx

from evals import metrics as M
from evals.cases import load_cases
from knowledge.settings import Settings

log = logging.getLogger(__name__)

LOOPBACK = "127.0.0.1"
# a deadline question: the answer needs the catalog and a page search (embedding model, Chroma, BM25 loaded)
COLD_START_MESSAGE = "子どもが生まれました。出生届はいつまでに出せばいいですか？"
CHAT_TARGETS = {"p95_ms_at_8_clients": 200, "rss_mb": 1024, "cold_start_s": 10}


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind((LOOPBACK, 0))
        return int(s.getsockname()[1])


def read_status_kb(pid: int, field: str) -> int | None:
    """A ``VmHWM`` / ``VmRSS`` line of /proc/<pid>/status in kB (None once the process is gone)."""
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(field + ":"):
                return int(line.split()[1])
    except OSError:
        return None
    return None


def conversations() -> list[list[str]]:
    """The evaluation cases' turns: realistic messages in every style, single and multi-turn."""
    return [[t.message for t in c.turns] for c in load_cases()]


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    base: str
    cold_start_s: float

    @property
    def pid(self) -> int:
        return self.process.pid

    def rss_mb(self, field: str = "VmRSS") -> float | None:
        kb = read_status_kb(self.pid, field)
        return round(kb / 1024, 1) if kb is not None else None


@contextmanager
def serve(settings: Settings, timeout_s: float = 120.0, workers: int = 1) -> Iterator[Server]:
    """Start ``concierge serve [--workers N]`` on a free loopback port; stop it (SIGTERM, then SIGKILL) on exit."""
    port = free_port()
    with tempfile.TemporaryDirectory(prefix="concierge-bench-") as tmp:
        env = dict(os.environ)
        env.update(
            {
                "CONCIERGE_DATA_DIR": str(settings.data_dir.resolve()),
                "CONCIERGE_SESSION__URL": f"sqlite:///{Path(tmp) / 'sessions.sqlite3'}",
                "CONCIERGE_SERVER__RATE_LIMIT_PER_MINUTE": "0",
                "CONCIERGE_LOG_LEVEL": "WARNING",
                "HF_HUB_OFFLINE": "1",
            }
        )
        cmd = [
            sys.executable,
            "-c",
            "from web.cli import main; main()",
            "serve",
            "--host",
            LOOPBACK,
            "--port",
            str(port),
            *(["--workers", str(workers)] if workers > 1 else []),
        ]
        started = time.perf_counter()
        proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        base = f"http://{LOOPBACK}:{port}"
        try:
            cold = _first_answer(proc, base, started, timeout_s)
            yield Server(proc, base, cold)
        finally:
            proc.terminate()
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=5)


def _first_answer(proc: subprocess.Popen[bytes], base: str, started: float, timeout_s: float) -> float:
    """Seconds from process start to the first 200 answer of ``POST /api/chat``."""
    deadline = started + timeout_s
    with httpx.Client(timeout=10.0) as client:
        while time.perf_counter() < deadline:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace")[-2000:] if proc.stderr else ""
                raise RuntimeError(f"concierge serve exited with {proc.returncode}: {err}")
            try:
                r = client.post(
                    f"{base}/api/chat", json={"message": COLD_START_MESSAGE, "today": "2026-11-26"}
                )
                if r.status_code == 200:
                    return round(time.perf_counter() - started, 2)
            except httpx.TransportError:
                pass
            time.sleep(0.05)
    raise TimeoutError(f"no answer from {base} within {timeout_s} s")


def _chat(
    client: httpx.Client, base: str, message: str, session: str | None
) -> tuple[int, float, str | None]:
    started = time.perf_counter()
    body: dict[str, Any] = {"message": message, "today": "2026-11-26"}
    if session:
        body["session_id"] = session
    try:
        r = client.post(f"{base}/api/chat", json=body)
    except httpx.TransportError:
        return 0, (time.perf_counter() - started) * 1000, None
    ms = (time.perf_counter() - started) * 1000
    sid = r.json().get("session_id") if r.status_code == 200 else None
    return r.status_code, ms, sid


def _latency_run(base: str, messages: list[str], clients: int, requests_per_client: int) -> dict[str, Any]:
    """``clients`` threads each sending ``requests_per_client`` single-turn messages back to back."""
    lat: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()

    def worker(n: int) -> None:
        rnd = random.Random(n)
        with httpx.Client(timeout=30.0) as client:
            for _ in range(requests_per_client):
                code, ms, _ = _chat(client, base, rnd.choice(messages), None)
                with lock:
                    lat.append(ms)
                    statuses[code] = statuses.get(code, 0) + 1

    started = time.perf_counter()
    threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    wall = time.perf_counter() - started
    return {
        "clients": clients,
        "requests": len(lat),
        "median_ms": _r(M.percentile(lat, 50)),
        "p95_ms": _r(M.percentile(lat, 95)),
        "max_ms": _r(max(lat) if lat else None),
        "throughput_rps": round(len(lat) / wall, 1) if wall else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
    }


def _r(v: float | None) -> float | None:
    return round(v, 1) if v is not None else None


def bench_chat(settings: Settings, requests: int = 200, warmup: int = 30) -> dict[str, Any]:
    messages = [c[0] for c in conversations()]
    with serve(settings) as server:
        rss_start = server.rss_mb()
        _latency_run(server.base, messages, 1, warmup)
        one = _latency_run(server.base, messages, 1, requests)
        eight = _latency_run(server.base, messages, 8, max(1, requests // 8) * 2)
        peak = server.rss_mb("VmHWM")
    result = {
        "cold_start_to_first_answer_s": server.cold_start_s,
        "clients_1": one,
        "clients_8": eight,
        "server_rss_after_start_mb": rss_start,
        "server_peak_rss_mb": peak,
        "targets": CHAT_TARGETS,
    }
    result["targets_met"] = {
        "p95_ms_at_8_clients": (eight["p95_ms"] or 0) <= CHAT_TARGETS["p95_ms_at_8_clients"],
        "rss_mb": (peak or 0) <= CHAT_TARGETS["rss_mb"],
        "cold_start_s": server.cold_start_s <= CHAT_TARGETS["cold_start_s"],
    }
    return result


def bench_load(
    settings: Settings, residents: int = 50, seconds: float = 60.0, think_s: float = 0.5
) -> dict[str, Any]:
    """``residents`` threads hold conversations (the cases' turns, one session each) until ``seconds`` pass."""
    convs = conversations()
    lat: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    with serve(settings) as server:
        rss_start = server.rss_mb()
        deadline = time.perf_counter() + seconds

        def resident(n: int) -> None:
            rnd = random.Random(n)
            with httpx.Client(timeout=30.0) as client:
                while time.perf_counter() < deadline:
                    session = None
                    for message in rnd.choice(convs):
                        if time.perf_counter() >= deadline:
                            return
                        code, ms, sid = _chat(client, server.base, message, session)
                        session = sid or session
                        with lock:
                            lat.append(ms)
                            statuses[code] = statuses.get(code, 0) + 1
                        time.sleep(rnd.uniform(0, think_s))

        threads = [threading.Thread(target=resident, args=(n,), daemon=True) for n in range(residents)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=seconds + 60)
        rss_end = server.rss_mb()
        peak = server.rss_mb("VmHWM")
    return {
        "residents": residents,
        "seconds": seconds,
        "requests": len(lat),
        "throughput_rps": round(len(lat) / seconds, 1),
        "errors_5xx": sum(v for k, v in statuses.items() if k >= 500),
        "transport_errors": statuses.get(0, 0),
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        "median_ms": _r(M.percentile(lat, 50)),
        "p95_ms": _r(M.percentile(lat, 95)),
        "rss_start_mb": rss_start,
        "rss_end_mb": rss_end,
        "peak_rss_mb": peak,
    }


def bench_ingest_seeds(settings: Settings) -> dict[str, Any]:
    """Full then incremental ingest of the seeds into a throw-away data dir (``ingest.bench`` when present)."""
    with tempfile.TemporaryDirectory(prefix="concierge-bench-ingest-") as tmp:
        chroma = (
            settings.chroma.model_copy(update={"path": None})
            if settings.chroma.mode == "embedded"
            else settings.chroma
        )
        s = settings.model_copy(update={"data_dir": Path(tmp), "chroma": chroma})
        try:
            from ingest.bench import bench_ingest

            return bench_ingest(s, settings.seeds_dir, fresh=True)
        except ImportError:  # the ingest helper's benchmark is optional: time run_ingest directly
            from ingest.pipeline import run_ingest

        out: dict[str, Any] = {}
        for label in ("full", "incremental"):
            started = time.perf_counter()
            rec = run_ingest(s, [str(settings.seeds_dir)], progress=False)
            secs = time.perf_counter() - started
            out[label] = {
                "pages": rec.pages_total,
                "seconds": round(secs, 2),
                "pages_per_s": round(rec.pages_total / secs, 2) if secs else None,
            }
        return out


def bench_retrieval_questions(settings: Settings) -> dict[str, Any]:
    from evals.bench_retrieval import bench_retrieval
    from evals.cases import load_questions

    queries = [q["query"] for q in load_questions()]
    if not queries:
        return {"error": "no retrieval questions"}
    return bench_retrieval(settings, queries)


def _query_kind(query: str) -> str:
    if query.isascii():
        return "en"
    if all("\u3040" <= ch <= "\u30ff" or ch in " 　、。？?！!ー" for ch in query):
        return "kana"
    return "ja"


def bench_fusion(settings: Settings) -> dict[str, Any]:
    """Recall@1, recall@5 and MRR of each fusion method over the retrieval questions, per split and query kind;
    the default method also with the place only in the question text (read from it, or ignored as before)."""
    import yaml

    from evals.bench_retrieval import searcher_recall
    from knowledge.retrieval import FusionConfig

    path = Path(__file__).with_name("retrieval") / "questions.yaml"
    questions = yaml.safe_load(path.read_text(encoding="utf-8"))
    configs = {
        "dense": FusionConfig(method="dense"),
        "keyword": FusionConfig(method="keyword"),
        "rrf-k60": FusionConfig(method="rrf", rrf_k=60, keyword_weight=1.0),
        "rrf-k20": FusionConfig(method="rrf", rrf_k=20, keyword_weight=1.0),
        "rrf-k20-kw0.5": FusionConfig(method="rrf", rrf_k=20, keyword_weight=0.5),
        "adaptive-k20": FusionConfig(method="adaptive", rrf_k=20, keyword_weight=1.0),
        "adaptive-k20-kw0.5-sudachi-kana": FusionConfig(
            method="adaptive", rrf_k=20, keyword_weight=0.5, kana_readings=False
        ),
        "adaptive-k20-kw0.5": FusionConfig(method="adaptive", rrf_k=20, keyword_weight=0.5),
    }
    # the place only in the question text (no municipality parameter): read from the text, or ignored (before)
    in_text = {
        "adaptive-k20-kw0.5 place-in-text": FusionConfig(method="adaptive", rrf_k=20, keyword_weight=0.5),
        "adaptive-k20-kw0.5 place-in-text, before (places ignored, English as written)": FusionConfig(
            method="adaptive", rrf_k=20, keyword_weight=0.5, places_from_query=False, english_terms=False
        ),
    }
    out: dict[str, Any] = {}
    for split in ("dev", "heldout"):
        cases = [
            {
                "query": q["query"],
                "expected": q["relevant"],
                "municipality": q.get("municipality"),
                "tag": _query_kind(q["query"]),
            }
            for q in questions
            if q.get("split") == split
        ]
        text_only = [{**c, "municipality": None} for c in cases]
        for name, cfg in [*configs.items(), *in_text.items()]:
            r = searcher_recall(settings, text_only if name in in_text else cases, 5, cfg)
            out.setdefault(split, {})[name] = {
                "recall@1": r["recall@1"],
                "recall@5": r["recall@5"],
                "mrr": r["mrr"],
                "by_kind": {k: v["recall@5"] for k, v in r["by_tag"].items()},
                "by_kind_r1": {k: v["recall@1"] for k, v in r["by_tag"].items()},
                "cases": r["cases"],
            }
    return out


def run_bench(
    settings: Settings, what: str, out: Path, workers: int = 1, copies: tuple[int, ...] = (1, 20)
) -> dict[str, Any]:
    """Run one benchmark, write ``out/bench-<what>.json`` and return the result."""
    from evals.bench_corpus import bench_corpus_scale
    from evals.bench_scale import bench_chat_distinct

    runners: dict[str, Any] = {
        "chat-distinct": lambda s: bench_chat_distinct(s, workers=workers),
        "scale": lambda s: bench_corpus_scale(s, copies),
        "chat": bench_chat,
        "ingest": bench_ingest_seeds,
        "retrieval": bench_retrieval_questions,
        "load": bench_load,
        "fusion": bench_fusion,
    }
    if what not in runners:
        raise ValueError(f"unknown benchmark {what!r}; choose one of {sorted(runners)}")
    result = {
        "benchmark": what,
        "measured": dt.datetime.now().isoformat(timespec="seconds"),
        "cpus": os.cpu_count(),
        **runners[what](settings),
    }
    out = Path(out)
    out.mkdir(parents=True, exist_ok=True)
    (out / f"bench-{what}.json").write_text(
        json.dumps(result, ensure_ascii=False, indent=1), encoding="utf-8"
    )
    return result
