"""Throughput benchmarks for issue #17: distinct chat messages (no cache can help) against N server workers.

``concierge bench chat-distinct [--workers N]``: a real ``concierge serve --workers N`` on a free loopback port,
a warm-up of 40 messages, then 8 concurrent clients sending 400 *distinct* first-turn messages generated across
life events × municipalities × phrasings × page questions (each message is sent once, so neither the query
embedding cache nor any other cache can answer it). Reports p50/p95/max latency, requests per second and the RSS
of every server process (the supervisor and each worker).

Example::

    >>> msgs = distinct_messages(400)
    >>> len(msgs) == len(set(msgs)) == 400
    True
"""

from __future__ import annotations

import contextlib
import os
import random
import threading
import time
from pathlib import Path
from typing import Any

import httpx
import yaml

from evals import metrics as M
from evals.bench import _chat, _r, serve
from knowledge.catalog import load_catalog
from knowledge.settings import Settings

CHAT_DISTINCT_TARGETS = {"p95_ms_at_8_clients": 100, "throughput_rps": 120, "rss_mb_per_process": 450}

# {m} municipality, {e} life event phrase; Japanese, English, やさしい日本語, kana and colloquial phrasings
_EVENT_PHRASINGS = (
    "{m}に住んでいます。{e}の手続きを教えてください",
    "{e}があったのですが、{m}で何をすればいいですか？",
    "{m}在住です。{e}、必要な届け出は？",
    "{e}。{m}です。持ち物と期限を知りたい",
    "先週{e}がありました（{m}）",
    "{m}　{e}　てつづき",
    "{e}のとき{m}の窓口はどこ？",
)
_EVENT_PHRASINGS_EN = (
    "I live in {m}. {e} - which procedures do I need?",
    "{e} in {m}: what should I do and by when?",
)
_PAGE_PHRASINGS = ("{m}に住んでいます。{q}", "{q}（{m}）", "{m}の場合、{q}")


def distinct_messages(n: int = 400, seed: int = 17, *, offset: int = 0) -> list[str]:
    """``n`` distinct first-turn messages: life events × municipalities × phrasings, plus page questions.

    ``offset`` skips that many messages of the same deterministic order (a disjoint warm-up set).
    """
    cat = load_catalog()
    munis = sorted(cat.municipalities.values(), key=lambda m: m.code)
    events = sorted(cat.events.values(), key=lambda e: e.id)
    questions = yaml.safe_load(
        (Path(__file__).with_name("retrieval") / "questions.yaml").read_text(encoding="utf-8")
    )
    pool: list[str] = []
    for e in events:
        phrases_ja = [e.synonyms.ja[0], *e.synonyms.ja[1:3]] if e.synonyms.ja else [e.name.ja]
        phrases_en = e.synonyms.en[:2] or [e.name.en or e.id]
        for m in munis:
            for p in phrases_ja:
                pool.extend(t.format(m=m.name, e=p) for t in _EVENT_PHRASINGS)
            for p in phrases_en:
                pool.extend(t.format(m=m.en, e=p) for t in _EVENT_PHRASINGS_EN)
    for q in questions:
        for m in munis:
            pool.extend(t.format(m=m.name, q=q["query"]) for t in _PAGE_PHRASINGS)
    pool = sorted(set(pool))
    random.Random(seed).shuffle(pool)
    out = pool[offset : offset + n]
    if len(out) < n:
        raise ValueError(f"only {len(out)} distinct messages available")
    return out


def _process_tree(pid: int) -> list[int]:
    """``pid`` and its descendants (Linux /proc)."""
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        for task in Path(f"/proc/{p}/task").glob("*/children"):
            with contextlib.suppress(OSError):
                todo.extend(int(c) for c in task.read_text().split())
    return out


def _rss_mb(pid: int, field: str) -> float | None:
    from evals.bench import read_status_kb

    kb = read_status_kb(pid, field)
    return round(kb / 1024, 1) if kb is not None else None


def tree_cpu_s(pid: int) -> float:
    """CPU seconds (user + system) used so far by the server's processes."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for p in _process_tree(pid):
        with contextlib.suppress(OSError, IndexError, ValueError):
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / ticks
    return total


def tree_rss(pid: int, field: str = "VmRSS") -> dict[str, float | None]:
    """RSS of each process of the server (the supervisor first); ``field`` VmRSS or VmHWM (peak)."""
    return {str(p): _rss_mb(p, field) for p in _process_tree(pid)}


def memory_split_mb(pid: int) -> dict[str, float] | None:
    """A process's resident memory split (``/proc/PID/smaps_rollup``): ``file`` mapped from files (the Sudachi
    dictionary, the model, libraries: one copy in the page cache, shared by every worker), ``private`` its own
    (not shared with any other process) and ``pss`` (shared pages divided among the processes sharing them)."""
    fields: dict[str, int] = {}
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines()[1:]:
            name, _, rest = line.partition(":")
            with contextlib.suppress(ValueError, IndexError):
                fields[name] = int(rest.split()[0])
    if "Rss" not in fields:
        return None
    anon = fields.get("Anonymous", 0)
    private = fields.get("Private_Clean", 0) + fields.get("Private_Dirty", 0)
    return {
        "rss": round(fields["Rss"] / 1024, 1),
        "file": round((fields["Rss"] - anon) / 1024, 1),
        "private": round(private / 1024, 1),
        "pss": round(fields.get("Pss", 0) / 1024, 1),
    }


def bench_chat_distinct(
    settings: Settings, clients: int = 8, requests: int = 400, workers: int = 1
) -> dict[str, Any]:
    messages = distinct_messages(requests)
    warm = distinct_messages(40, offset=requests)  # disjoint from the measured ones
    lat: list[float] = []
    statuses: dict[int, int] = {}
    lock = threading.Lock()
    with serve(settings, workers=workers) as server:
        with httpx.Client(timeout=30.0) as client:
            for m in warm:
                _chat(client, server.base, m, None)

        def worker(n: int) -> None:
            with httpx.Client(timeout=30.0) as client:
                for message in messages[n::clients]:
                    code, ms, _ = _chat(client, server.base, message, None)
                    with lock:
                        lat.append(ms)
                        statuses[code] = statuses.get(code, 0) + 1

        cpu_before = tree_cpu_s(server.pid)
        started = time.perf_counter()
        threads = [threading.Thread(target=worker, args=(n,)) for n in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        wall = time.perf_counter() - started
        cpu = tree_cpu_s(server.pid) - cpu_before
        rss = tree_rss(server.pid)
        peak = tree_rss(server.pid, "VmHWM")
        split = {str(p): memory_split_mb(p) for p in _process_tree(server.pid)}
    worst = max((v for v in peak.values() if v is not None), default=None)
    result: dict[str, Any] = {
        "workers": workers,
        "clients": clients,
        "requests": len(lat),
        "distinct_messages": len(set(messages)),
        "cold_start_to_first_answer_s": server.cold_start_s,
        "p50_ms": _r(M.percentile(lat, 50)),
        "p95_ms": _r(M.percentile(lat, 95)),
        "max_ms": _r(max(lat) if lat else None),
        "throughput_rps": round(len(lat) / wall, 1) if wall else None,
        "statuses": {str(k): v for k, v in sorted(statuses.items())},
        # CPU the server spent per answer: robust to other programs sharing the cores, unlike latency; on an
        # otherwise idle machine throughput is bounded by cores * 1000 / cpu_ms_per_request
        "server_cpu_ms_per_request": round(cpu * 1000 / len(lat), 1) if lat else None,
        "capacity_rps_per_core": round(len(lat) / cpu, 1) if cpu else None,
        "rss_mb_by_process": rss,
        "peak_rss_mb_by_process": peak,
        "memory_mb_by_process": split,  # rss = file-backed (shared) + anonymous; private; pss
        "rss_mb_total": round(sum(v for v in rss.values() if v is not None), 1),
        "targets": CHAT_DISTINCT_TARGETS,
    }
    result["targets_met"] = {
        "p95_ms_at_8_clients": (result["p95_ms"] or 1e9) <= CHAT_DISTINCT_TARGETS["p95_ms_at_8_clients"],
        "throughput_rps": (result["throughput_rps"] or 0) >= CHAT_DISTINCT_TARGETS["throughput_rps"],
        "rss_mb_per_process": (worst or 1e9) <= CHAT_DISTINCT_TARGETS["rss_mb_per_process"],
    }
    return result
