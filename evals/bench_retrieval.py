"""Retrieval benchmarks: latency of the page searcher, and recall@k / MRR of a fusion configuration over labelled
queries. Scored with ``evals.metrics`` (the same recall@k, MRR, URL matching and percentile as ``concierge eval``).

Example::

    >>> bench_retrieval(get_settings(data_dir="/tmp/bench"), ["あかちゃん うまれた", "転入届"])
    {'queries': 2, 'runs': 6, 'median_ms': 24.1, 'p95_ms': 38.0, 'max_ms': 41.2}
    >>> searcher_recall(settings, [{"query": "転入届", "expected": ["https://…"], "tag": "ja"}])["recall@5"]
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Iterable, Sequence
from typing import Any

from evals import metrics as M
from knowledge.retrieval import FusionConfig, build_searcher
from knowledge.settings import Settings


def bench_retrieval(
    settings: Settings,
    queries: Sequence[str],
    k: int = 5,
    municipality: str | None = None,
    repeats: int = 3,
    fusion: FusionConfig | None = None,
) -> dict[str, Any]:
    """Latency of ``search`` alone (query embedding + Chroma + BM25 + fusion), after a warm-up."""
    searcher = build_searcher(settings, fusion=fusion)
    searcher.warm_up()
    times: list[float] = []
    for _ in range(repeats):
        for q in queries:
            started = time.perf_counter()
            searcher.search(q, k=k, municipality=municipality)
            times.append((time.perf_counter() - started) * 1000)
    return {
        "queries": len(queries),
        "runs": len(times),
        "median_ms": round(statistics.median(times), 2),
        "p95_ms": round(M.percentile(times, 95) or 0.0, 2),
        "max_ms": round(max(times), 2),
    }


def _ratios(rows: list[tuple[float, float, float]], k: int) -> dict[str, Any]:
    """recall@k, recall@1 and MRR of rows (recall@k, recall@1, reciprocal rank), rounded."""
    n = len(rows)
    return {
        f"recall@{k}": round(sum(r[0] for r in rows) / n, 3),
        "recall@1": round(sum(r[1] for r in rows) / n, 3),
        "mrr": round(sum(r[2] for r in rows) / n, 3),
    }


def searcher_recall(
    settings: Settings,
    cases: Iterable[dict[str, Any]],
    k: int = 5,
    fusion: FusionConfig | None = None,
) -> dict[str, Any]:
    """Recall@k, recall@1 and MRR over cases ``{"query", "expected": [url, ...], "municipality"?, "tag"?}``,
    broken down by ``tag`` (e.g. kana, en, ja); misses list the top three pages found."""
    searcher = build_searcher(settings, fusion=fusion)
    per_tag: dict[str, list[tuple[float, float, float]]] = {}
    misses: list[dict[str, Any]] = []
    for case in cases:
        hits = searcher.search(case["query"], k=k, municipality=case.get("municipality"))
        urls = M.dedupe(h.url for h in hits)
        expected = [str(u) for u in case["expected"]]
        row = (
            M.recall_at_k(urls, expected, k),
            M.recall_at_k(urls, expected, 1),
            M.reciprocal_rank(urls, expected),
        )
        per_tag.setdefault(str(case.get("tag", "all")), []).append(row)
        if not row[0]:
            misses.append({"query": case["query"], "expected": expected, "got": urls[:3]})
    rows = [r for v in per_tag.values() for r in v]
    if not rows:
        return {
            "cases": 0,
            f"recall@{k}": None,
            "recall@1": None,
            "mrr": None,
            "by_tag": {},
            "misses": misses,
        }
    return {
        "cases": len(rows),
        **_ratios(rows, k),
        "by_tag": {
            t: {"cases": len(v), **{m: x for m, x in _ratios(v, k).items() if m != "mrr"}}
            for t, v in per_tag.items()
        },
        "misses": misses,
    }
